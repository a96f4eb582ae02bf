package reference

import (
	"encoding/binary"
	"encoding/json"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// A JSON reader for request bodies. It reads exactly what encoding/json's Decoder
// with UseNumber reads, into the same values (objects as map[string]any, arrays as
// []any, numbers as json.Number, invalid UTF-8 in strings as U+FFFD), and refuses
// exactly what it refuses; TestParseJSONAgreesWithEncodingJSON holds the two
// together. It exists for speed: a harness sends values of 256 Ki characters, and
// encoding/json's byte-at-a-time state machine spends milliseconds on each, while the
// strings here are scanned eight bytes at a time.

// maxJSONDepth is encoding/json's nesting limit: 10000 open objects and arrays.
const maxJSONDepth = 10000

// parseJSON decodes raw, which must be one JSON value with optional whitespace
// around it.
func parseJSON(raw []byte) (any, bool) {
	p := jsonReader{b: raw}
	p.space()
	v, ok := p.value(0)
	if !ok {
		return nil, false
	}
	p.space()
	return v, p.i == len(p.b)
}

type jsonReader struct {
	b []byte
	i int
}

func (p *jsonReader) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// next reports whether the next byte is c, and consumes it if so.
func (p *jsonReader) next(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *jsonReader) value(depth int) (any, bool) {
	if p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.str()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	}
	return nil, false
}

func (p *jsonReader) literal(word string) bool {
	if len(p.b)-p.i >= len(word) && string(p.b[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return true
	}
	return false
}

func (p *jsonReader) object(depth int) (any, bool) {
	if depth > maxJSONDepth {
		return nil, false
	}
	p.i++ // {
	m := make(map[string]any)
	p.space()
	if p.next('}') {
		return m, true
	}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if !p.next(':') {
			return nil, false
		}
		p.space()
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		m[k.(string)] = v // the last of duplicate keys wins, as with encoding/json
		p.space()
		if p.next(',') {
			p.space()
			continue
		}
		return m, p.next('}')
	}
}

func (p *jsonReader) array(depth int) (any, bool) {
	if depth > maxJSONDepth {
		return nil, false
	}
	p.i++ // [
	list := make([]any, 0)
	p.space()
	if p.next(']') {
		return list, true
	}
	for {
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		list = append(list, v)
		p.space()
		if p.next(',') {
			p.space()
			continue
		}
		return list, p.next(']')
	}
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? as its text.
func (p *jsonReader) number() (any, bool) {
	start := p.i
	p.next('-')
	switch {
	case p.next('0'):
	case p.digits() == 0:
		return nil, false
	}
	if p.next('.') && p.digits() == 0 {
		return nil, false
	}
	if p.next('e') || p.next('E') {
		if !p.next('+') {
			p.next('-')
		}
		if p.digits() == 0 {
			return nil, false
		}
	}
	return json.Number(p.b[start:p.i]), true
}

func (p *jsonReader) digits() int {
	n := 0
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

// SWAR constants: one byte repeated in each of the eight lanes of a uint64.
const (
	lanes01 = 0x0101010101010101
	lanes80 = 0x8080808080808080
)

// plainLanes reports whether none of the eight bytes of x needs a look: no quote, no
// backslash, no control character, nothing outside ASCII.
func plainLanes(x uint64) bool {
	quote := x ^ (lanes01 * '"')
	backslash := x ^ (lanes01 * '\\')
	special := (quote-lanes01) & ^quote |
		(backslash-lanes01) & ^backslash |
		(x-lanes01*0x20) & ^x |
		x
	return special&lanes80 == 0
}

// str reads a string at p.i (a quote). It refuses what encoding/json's scanner
// refuses (control characters, unknown escapes, short \u escapes) and decodes as its
// unquote does.
func (p *jsonReader) str() (any, bool) {
	start := p.i + 1
	j := start
	escaped, nonASCII := false, false
	for {
		for j+8 <= len(p.b) && plainLanes(binary.LittleEndian.Uint64(p.b[j:])) {
			j += 8
		}
		if j >= len(p.b) {
			return nil, false
		}
		c := p.b[j]
		switch {
		case c == '"':
			s := p.b[start:j]
			p.i = j + 1
			if !escaped && (!nonASCII || utf8.Valid(s)) {
				return string(s), true
			}
			return unquote(s), true
		case c == '\\':
			escaped = true
			if j+1 >= len(p.b) {
				return nil, false
			}
			switch p.b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if hex4(p.b[j+2:]) < 0 {
					return nil, false
				}
				j += 6
			default:
				return nil, false
			}
		case c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			nonASCII = true
			j++
		default:
			j++
		}
	}
}

// hex4 reads four hex digits, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// unquote decodes the inside of a string str has checked, as encoding/json does:
// escapes, surrogate pairs (a lone surrogate is U+FFFD), and each byte of invalid
// UTF-8 as U+FFFD.
func unquote(s []byte) string {
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			switch s[r+1] {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := hex4(s[r+2:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if r+1 < len(s) && s[r] == '\\' && s[r+1] == 'u' {
						if dec := utf16.DecodeRune(rr, hex4(s[r+2:])); dec != unicode.ReplacementChar {
							b = utf8.AppendRune(b, dec)
							r += 6
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // " \ /
				b = append(b, s[r+1])
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			b = utf8.AppendRune(b, rr)
			r += size
		}
	}
	return string(b)
}
