// Package jsonenc writes JSON byte for byte as encoding/json.Marshal does, for the
// values the harness and the reference server build: maps, slices, strings, numbers.
//
// It exists because encoding/json's reflection and its byte-at-a-time escaping cost too
// much on request bodies and error messages that carry 256 Ki-character values: here
// the common types are switched on directly and plain ASCII is copied eight bytes at a
// time. Anything it does not know is handed to encoding/json, so the bytes (and the
// errors) are always encoding/json's; the tests hold the two together.
package jsonenc

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Marshal returns the JSON encoding of v: what encoding/json.Marshal returns.
func Marshal(v any) ([]byte, error) {
	// One allocation of about the right size: growing by appending would allocate
	// and copy a 256 KiB body several times over.
	b, err := Append(make([]byte, 0, sizeHint(v, 0)), v)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Append appends the JSON encoding of v to dst: the bytes encoding/json.Marshal
// returns. On error it returns dst unchanged, with an error that wraps encoding/json's
// (an *json.UnsupportedValueError, *json.MarshalerError, ...) and says where in v it
// happened.
func Append(dst []byte, v any) ([]byte, error) {
	out, err := appendValue(dst, v, 0)
	if errors.Is(err, errTooDeep) {
		// Deep enough to be a cycle: encoding/json detects those (and returns its
		// error), where recursing here would not stop.
		out, err = appendFallback(dst, v)
	}
	if err != nil {
		var pe *pathError
		if errors.As(err, &pe) {
			return dst, fmt.Errorf("jsonenc: encoding %s: %w", pe.where(), pe.err)
		}
		return dst, fmt.Errorf("jsonenc: %w", err)
	}
	return out, nil
}

// maxDepth is encoding/json's startDetectingCyclesAfter: the nesting past which it
// starts looking for cycles.
const maxDepth = 1000

var errTooDeep = errors.New("nested too deeply to encode without cycle detection")

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return AppendString(dst, v), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case float64:
		return appendFloat(dst, v, 64)
	case float32:
		return appendFloat(dst, float64(v), 32)
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int8:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint8:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint16:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(dst, v, 10), nil
	case json.Number:
		// encoding/json writes the empty Number as 0 and refuses one that is not a
		// JSON number; the refusal is left to it, for its error.
		if v == "" {
			return append(dst, '0'), nil
		}
		if !validNumber(string(v)) {
			return appendFallback(dst, v)
		}
		return append(dst, v...), nil
	case map[string]any:
		return appendMap(dst, v, depth)
	case map[string]string:
		return appendStringMap(dst, v, depth)
	case []any:
		return appendList(dst, v, depth, appendValue)
	case []map[string]any:
		return appendList(dst, v, depth, appendMap)
	case []string:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, s)
		}
		return append(dst, ']'), nil
	}
	// json.RawMessage among the rest: encoding/json validates and compacts it, and
	// its errors are its own.
	return appendFallback(dst, v)
}

// appendList writes a list of values that may nest, each with elem.
func appendList[T any](dst []byte, v []T, depth int, elem func([]byte, T, int) ([]byte, error)) ([]byte, error) {
	if v == nil {
		return append(dst, "null"...), nil
	}
	if depth >= maxDepth {
		return dst, errTooDeep
	}
	dst = append(dst, '[')
	for i, e := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = elem(dst, e, depth+1); err != nil {
			return dst, atIndex(err, i)
		}
	}
	return append(dst, ']'), nil
}

// appendMap writes m with its keys sorted, as encoding/json does (by bytes).
func appendMap(dst []byte, m map[string]any, depth int) ([]byte, error) {
	return appendObject(dst, m, depth, appendValue)
}

func appendStringMap(dst []byte, m map[string]string, depth int) ([]byte, error) {
	return appendObject(dst, m, depth, func(dst []byte, s string, _ int) ([]byte, error) {
		return AppendString(dst, s), nil
	})
}

// appendObject writes a map with its keys sorted, each value with elem.
func appendObject[V any](dst []byte, m map[string]V, depth int, elem func([]byte, V, int) ([]byte, error)) ([]byte, error) {
	if m == nil {
		return append(dst, "null"...), nil
	}
	if depth >= maxDepth {
		return dst, errTooDeep
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(AppendString(dst, k), ':')
		var err error
		if dst, err = elem(dst, m[k], depth+1); err != nil {
			return dst, atKey(err, k)
		}
	}
	return append(dst, '}'), nil
}

// appendFloat writes f as encoding/json's floatEncoder does: the shortest
// representation, in 'f' form unless that would be long ('e' below 1e-6 and from
// 1e21 on, judged at the value's own precision), with e-07 trimmed to e-7.
func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		// Its *json.UnsupportedValueError, with the reflect.Value in it.
		if bits == 32 {
			return appendFallback(dst, float32(f))
		}
		return appendFallback(dst, f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	n := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		if m := len(dst); m-n >= 4 && dst[m-4] == 'e' && dst[m-3] == '-' && dst[m-2] == '0' {
			dst[m-2] = dst[m-1]
			dst = dst[:m-1]
		}
	}
	return dst, nil
}

// validNumber is encoding/json's isValidNumber: the JSON number grammar of RFC 8259.
func validNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		if s = s[1:]; s == "" {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = trimDigits(s[1:])
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = trimDigits(s[2:])
	}
	// Like encoding/json, "1e" is left for the final check to refuse, and "1e+"
	// refused here.
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			if s = s[1:]; s == "" {
				return false
			}
		}
		s = trimDigits(s)
	}
	return s == ""
}

func trimDigits(s string) string {
	for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
		s = s[1:]
	}
	return s
}

// appendFallback hands v to encoding/json.
func appendFallback(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return dst, &pathError{typ: fmt.Sprintf("%T", v), err: err}
	}
	return append(dst, b...), nil
}

// pathError is an encoding/json error with the way down to the value that caused it,
// gathered on the way back up (so the innermost step is first).
type pathError struct {
	typ   string
	steps []string
	err   error
}

func (e *pathError) Error() string { return e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

func (e *pathError) where() string {
	if len(e.steps) == 0 {
		return "a " + e.typ
	}
	var b strings.Builder
	for i := len(e.steps) - 1; i >= 0; i-- {
		b.WriteString(e.steps[i])
	}
	return "the " + e.typ + " at " + b.String()
}

func atKey(err error, k string) error {
	if pe, ok := err.(*pathError); ok {
		pe.steps = append(pe.steps, "["+strconv.Quote(k)+"]")
	}
	return err
}

func atIndex(err error, i int) error {
	if pe, ok := err.(*pathError); ok {
		pe.steps = append(pe.steps, "["+strconv.Itoa(i)+"]")
	}
	return err
}

// sizeHint guesses the length of v's encoding from below, for Marshal's one
// allocation: escapes and long numbers are left to append.
func sizeHint(v any, depth int) int {
	if depth >= 8 {
		return 0
	}
	switch v := v.(type) {
	case string:
		return len(v) + 2
	case map[string]any:
		n := 2
		for k, e := range v {
			n += len(k) + 4 + sizeHint(e, depth+1)
		}
		return n
	case []any:
		n := 2
		for _, e := range v {
			n += 1 + sizeHint(e, depth+1)
		}
		return n
	case []map[string]any:
		n := 2
		for _, e := range v {
			n += 1 + sizeHint(e, depth+1)
		}
		return n
	case []string:
		n := 2
		for _, s := range v {
			n += len(s) + 3
		}
		return n
	case map[string]string:
		n := 2
		for k, s := range v {
			n += len(k) + len(s) + 6
		}
		return n
	}
	return 8
}
