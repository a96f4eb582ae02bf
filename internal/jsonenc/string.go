package jsonenc

import "unicode/utf8"

// SWAR constants: one byte repeated in each of the eight lanes of a uint64.
const (
	lanes01 = 0x0101010101010101
	lanes80 = 0x8080808080808080
)

// AppendString appends s as a JSON string exactly as encoding/json writes it
// (HTML characters, control characters, invalid UTF-8, U+2028 and U+2029 escaped),
// copying runs of plain ASCII eight bytes at a time: a request body, or an error
// message quoting one, may hold a value of 256 Ki characters.
func AppendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		i += plainRun(s[i:])
		if i >= len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
		case c == '\u2028' || c == '\u2029':
			// Valid JSON, but not valid JavaScript: encoding/json escapes them so
			// that its output can be embedded in a script.
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
		default:
			i += size
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plainRun returns the length of the longest prefix of s, in whole eight-byte words,
// that encoding/json copies as it is. It is a function of its own so that its loop
// keeps everything in registers.
func plainRun(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		// Slicing first leaves one bounds check, and lets the compiler make the
		// eight byte loads one.
		w := s[i : i+8]
		if !plainOutLanes(uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56) {
			break
		}
	}
	return i
}

// plainOutLanes reports whether encoding/json copies the eight bytes of x as they
// are: printable ASCII other than " \ < > &.
//
// A lane of y is zero exactly where (y-lanes01) &^ y has its top bit set, so each
// comparison with a byte costs three operations; '<' and '>' differ only in bit 1,
// and '"' and '&' only in bit 2, so setting that bit first compares with both at once.
func plainOutLanes(x uint64) bool {
	angle := (x | lanes01*0x02) ^ (lanes01 * '>')
	quoteAmp := (x | lanes01*0x04) ^ (lanes01 * '&')
	backslash := x ^ (lanes01 * '\\')
	special := x | // any byte >= 0x80
		(angle-lanes01)&^angle |
		(quoteAmp-lanes01)&^quoteAmp |
		(backslash-lanes01)&^backslash |
		(x-lanes01*0x20)&^x // any byte < 0x20
	return special&lanes80 == 0
}
