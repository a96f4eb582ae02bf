package reference

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cogconform/cogconform/internal/runecount"
	"github.com/cogconform/cogconform/spec"
)

const msgMalformedJSON = "The request body is not valid JSON."

// decodeObject reads a request body as one JSON object. An empty body is the empty
// input, as AWS's SDKs never send one but AWS reads it so; anything that is not
// exactly one JSON object is a SerializationException.
func decodeObject(raw []byte) (map[string]any, *apiError) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]any{}, nil
	}
	v, ok := parseJSON(raw) // encoding/json's Decoder with UseNumber, faster (see json.go)
	if !ok {
		return nil, errSerialization(msgMalformedJSON)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errSerialization(typeMismatch(v, spec.KindObject))
	}
	return obj, nil
}

// typeMismatch is AWS's (coral's) message for a value of the wrong JSON type. It never
// contains the value itself.
func typeMismatch(v any, want spec.Kind) string {
	switch v.(type) {
	case map[string]any:
		return "Start of structure or map found where not expected."
	case []any:
		return "Start of list found where not expected"
	}
	var got string
	switch x := v.(type) {
	case string:
		got = "STRING_VALUE"
	case json.Number:
		got = "NUMBER_VALUE"
	case bool:
		got = "FALSE_VALUE"
		if x {
			got = "TRUE_VALUE"
		}
	default:
		got = "NULL_VALUE"
	}
	what := map[spec.Kind]string{
		spec.KindString: "a String", spec.KindInteger: "an Integer", spec.KindNumber: "a Double",
		spec.KindTimestamp: "a Date", spec.KindBoolean: "a Boolean", spec.KindObject: "a Structure",
		spec.KindArray: "a List",
	}[want]
	return got + " can not be converted to " + what
}

// checkTypes checks every member the input shape knows against its JSON type.
// Unknown members are ignored, as AWS JSON does, and null is an absent member.
func (s *Server) checkTypes(op *operation, body map[string]any) *apiError {
	coerce := s.has(defTypeCoerced) && op.device
	var walk func(obj map[string]any, sh *spec.Shape) *apiError
	var value func(v any, sh *spec.Shape) (any, *apiError)
	value = func(v any, sh *spec.Shape) (any, *apiError) {
		switch sh.Kind {
		case spec.KindString:
			if _, ok := v.(string); ok {
				return v, nil
			}
			if coerce {
				switch x := v.(type) {
				case json.Number:
					return x.String(), nil
				case bool:
					return strconv.FormatBool(x), nil
				}
			}
		case spec.KindInteger:
			if coerce {
				if str, ok := v.(string); ok {
					v = json.Number(strings.TrimSpace(str))
				}
			}
			if n, ok := v.(json.Number); ok {
				if i, err := n.Int64(); err == nil && i >= math.MinInt32 && i <= math.MaxInt32 {
					return v, nil
				}
				return nil, errSerialization("NUMBER_VALUE can not be converted to an Integer")
			}
		case spec.KindNumber, spec.KindTimestamp:
			if _, ok := v.(json.Number); ok {
				return v, nil
			}
		case spec.KindBoolean:
			if _, ok := v.(bool); ok {
				return v, nil
			}
			if str, ok := v.(string); ok && coerce {
				if b, err := strconv.ParseBool(str); err == nil {
					return b, nil
				}
			}
		case spec.KindObject:
			if obj, ok := v.(map[string]any); ok {
				return obj, walk(obj, sh)
			}
		case spec.KindArray:
			if list, ok := v.([]any); ok {
				for i, item := range list {
					if item == nil {
						continue
					}
					nv, aerr := value(item, sh.Items)
					if aerr != nil {
						return nil, aerr
					}
					list[i] = nv
				}
				return list, nil
			}
		}
		return nil, errSerialization(typeMismatch(v, sh.Kind))
	}
	walk = func(obj map[string]any, sh *spec.Shape) *apiError {
		for _, m := range sh.Members {
			v, ok := obj[m.Name]
			if !ok || v == nil {
				continue
			}
			nv, aerr := value(v, m.Shape)
			if aerr != nil {
				return aerr
			}
			obj[m.Name] = nv
		}
		return nil
	}
	return walk(body, op.input)
}

// violation is one broken constraint, in AWS's words.
type violation struct {
	kind spec.ConstraintKind
	path string // as AWS names the member: deviceKey, deviceSecretVerifierConfig.salt
	text string
}

// validate checks the input against the constraints of its shape and answers AWS's
// InvalidParameterException: "N validation error(s) detected: <v1>; <v2>".
func (s *Server) validate(op *operation, body map[string]any) *apiError {
	var vs []violation
	s.collect(op, body, op.input, "", &vs)
	if len(vs) == 0 {
		return nil
	}
	noun := "errors"
	if len(vs) == 1 {
		noun = "error"
	}
	// Built in one buffer: a violation may quote a value of 256 Ki characters.
	var b strings.Builder
	n := 32
	for _, v := range vs {
		n += len(v.text) + 2
	}
	b.Grow(n)
	fmt.Fprintf(&b, "%d validation %s detected: ", len(vs), noun)
	for i, v := range vs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.text)
	}
	msg := b.String()
	if !op.device {
		return errParam(msg)
	}
	kinds := map[spec.ConstraintKind]int{}
	for _, v := range vs {
		kinds[v.kind]++
	}
	switch {
	case s.has(defValidationException):
		return &apiError{"ValidationException", http.StatusBadRequest, msg}
	case s.has(defMissingParameterCode) && kinds[spec.ConstraintRequired] > 0:
		return &apiError{"MissingParameter", http.StatusBadRequest, "The request must contain the parameter " + firstPath(vs, spec.ConstraintRequired) + "."}
	case s.has(defInvalidArgumentCode) && kinds[spec.ConstraintRange] > 0:
		return &apiError{"InvalidArgument", http.StatusBadRequest, msg}
	case s.has(defPatternAsNotFound) && kinds[spec.ConstraintPattern] == len(vs):
		return errNotFound("Resource not found: " + firstPath(vs, spec.ConstraintPattern) + ".")
	}
	return errParam(msg)
}

// firstPath is the member path of the first violation of a kind.
func firstPath(vs []violation, kind spec.ConstraintKind) string {
	for _, v := range vs {
		if v.kind == kind {
			return v.path
		}
	}
	return "the member"
}

// collect walks the members of an object shape, in the model's (sorted) order, and
// records each broken constraint. Members are named as AWS names them in messages:
// the dotted path of JSON names with each first letter lower-cased.
func (s *Server) collect(op *operation, obj map[string]any, sh *spec.Shape, prefix string, vs *[]violation) {
	for _, m := range sh.Members {
		path := prefix + lowerFirst(m.Name)
		v, present := obj[m.Name]
		if !present || v == nil {
			if m.Required && !(op.device && s.has(defRequiredUnchecked)) {
				*vs = append(*vs, violation{spec.ConstraintRequired, path,
					fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path)})
			}
			continue
		}
		s.checkValue(op, obj, m, v, path, vs)
	}
}

func (s *Server) checkValue(op *operation, obj map[string]any, m *spec.Member, v any, path string, vs *[]violation) {
	sh := m.Shape
	add := func(kind spec.ConstraintKind, constraint string) {
		*vs = append(*vs, violation{kind, path, s.violationText(op, sh, v, path, constraint)})
	}
	device := op.device
	switch sh.Kind {
	case spec.KindString:
		str := v.(string) // checkTypes ran first
		n := runecount.Count(str)
		if n < sh.MinLength {
			add(spec.ConstraintLength, fmt.Sprintf("Member must have length greater than or equal to %d", sh.MinLength))
		}
		if sh.MaxLength != nil {
			limit := *sh.MaxLength
			if device && s.has(defLengthOffByOne) {
				limit++
			}
			if n > limit {
				add(spec.ConstraintLength, fmt.Sprintf("Member must have length less than or equal to %d", *sh.MaxLength))
			}
		}
		if sh.Regexp != nil && !s.matches(device, sh, str) {
			add(spec.ConstraintPattern, "Member must satisfy regular expression pattern: "+awsPattern(sh.Pattern))
		}
		if len(sh.Enum) > 0 {
			if canon, ok := s.enumMember(device, sh.Enum, str); ok {
				obj[m.Name] = canon
			} else {
				add(spec.ConstraintEnum, "Member must satisfy enum value set: ["+strings.Join(sh.Enum, ", ")+"]")
			}
		}
	case spec.KindInteger:
		i, _ := v.(json.Number).Int64() // checkTypes proved it an int32
		if device && s.has(defRangeUnchecked) {
			return
		}
		if sh.Minimum != nil && i < *sh.Minimum {
			add(spec.ConstraintRange, fmt.Sprintf("Member must have value greater than or equal to %d", *sh.Minimum))
		}
		if sh.Maximum != nil && i > *sh.Maximum {
			add(spec.ConstraintRange, fmt.Sprintf("Member must have value less than or equal to %d", *sh.Maximum))
		}
	case spec.KindObject:
		s.collect(op, v.(map[string]any), sh, path+".", vs)
	case spec.KindArray:
		for i, item := range v.([]any) {
			if item == nil {
				continue
			}
			holder := map[string]any{"member": item}
			s.checkValue(op, holder, &spec.Member{Name: "member", Shape: sh.Items}, item, fmt.Sprintf("%s.%d.member", path, i+1), vs)
		}
	}
}

// violationText writes one violation as AWS does. A sensitive value is left out of
// the message entirely ("Value at 'accessToken' ..."), never masked.
func (s *Server) violationText(op *operation, sh *spec.Shape, v any, path, constraint string) string {
	sensitive := sh.Sensitive
	if op.device {
		if s.has(defTokenEchoed) && sh.Secret {
			sensitive = false
		}
		if s.has(defUsernameEchoed) && sh.Sensitive && !sh.Secret {
			sensitive = false
		}
	}
	if sensitive {
		return fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", path, constraint)
	}
	val, ok := v.(string)
	if !ok {
		val = fmt.Sprint(v)
	}
	// Concatenated rather than formatted: val may be 256 Ki characters long.
	return "Value '" + val + "' at '" + path + "' failed to satisfy constraint: " + constraint
}

func (s *Server) matches(device bool, sh *spec.Shape, str string) bool {
	if device && s.has(defPatternSubstring) {
		return s.shapes.unanchored[sh].MatchString(str)
	}
	return sh.Matches(str)
}

func (s *Server) enumMember(device bool, enum []string, str string) (string, bool) {
	for _, e := range enum {
		if e == str || (device && s.has(defEnumCaseInsensitive) && strings.EqualFold(e, str)) {
			return e, true
		}
	}
	return "", false
}

// awsPattern is the pattern as AWS writes it: the model's without its ^(?:...)$ wrapper.
func awsPattern(anchored string) string {
	if strings.HasPrefix(anchored, "^(?:") && strings.HasSuffix(anchored, ")$") {
		return anchored[len("^(?:") : len(anchored)-len(")$")]
	}
	return anchored
}

func lowerFirst(name string) string {
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToLower(r)) + name[n:]
}

// shapeIndex holds what the validator derives from shapes once, at New.
type shapeIndex struct {
	unanchored map[*spec.Shape]*regexp.Regexp // for the pattern-substring defect
}

func indexShapes(ops map[string]*operation) shapeIndex {
	idx := shapeIndex{unanchored: map[*spec.Shape]*regexp.Regexp{}}
	var visit func(sh *spec.Shape)
	visit = func(sh *spec.Shape) {
		if sh == nil {
			return
		}
		if _, seen := idx.unanchored[sh]; seen {
			return
		}
		if sh.Regexp != nil {
			// The model's patterns compiled when it loaded, so their unwrapped form does too.
			idx.unanchored[sh] = regexp.MustCompile(awsPattern(sh.Pattern))
		} else {
			idx.unanchored[sh] = nil
		}
		for _, m := range sh.Members {
			visit(m.Shape)
		}
		visit(sh.Items)
	}
	for _, op := range ops {
		visit(op.input)
	}
	return idx
}
