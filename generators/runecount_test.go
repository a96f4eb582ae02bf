package generators

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// runeCount must count as utf8.RuneCountInString does, invalid bytes included.
func TestRuneCountAgreesWithUTF8(t *testing.T) {
	pieces := []string{"a", "abcdefgh", strings.Repeat("x", 13), "é", "中", "😀", "\xff", "\xe4\xb8", "\x80", "\xf0\x9f"}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(10) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := runeCount(s), utf8.RuneCountInString(s); got != want {
			t.Fatalf("runeCount(%q) = %d, want %d", s, got, want)
		}
	}
}
