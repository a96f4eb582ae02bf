// Package runecount counts the code points of a string as utf8.RuneCountInString
// does, an invalid byte counting as one, but 32 ASCII bytes at a time.
//
// Length constraints are in code points, and the values that test them are mostly
// ASCII and up to 256 Ki characters long: the generators count every value they
// describe, and the reference target counts every string it validates.
// utf8.RuneCountInString looks at one byte at a time, which made counting the
// largest cost of answering a 256 KiB request.
package runecount

import "unicode/utf8"

// highBits has the top bit of every byte set: a word ANDed with it is zero when all
// eight bytes are ASCII.
const highBits = 0x8080808080808080

// word reads s[i:i+8] as a little-endian word; the compiler makes it one load.
func word(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// block ORs the four words of a 32-byte string: zero high bits mean all ASCII.
func block(b string) uint64 {
	_ = b[31]
	return word(b, 0) | word(b, 8) | word(b, 16) | word(b, 24)
}

// Count returns the number of runes in s; an invalid byte counts as one.
func Count(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if i+32 <= len(s) && block(s[i:i+32])&highBits == 0 {
			i += 32
			n += 32
			continue
		}
		if i+8 <= len(s) && word(s, i)&highBits == 0 {
			i += 8
			n += 8
			continue
		}
		if s[i] < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
		n++
	}
	return n
}
