package runecount

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// Count must agree with utf8.RuneCountInString, invalid bytes included, wherever a
// multi-byte rune or an invalid byte falls against the 8- and 32-byte strides.
func TestCountAgreesWithUTF8(t *testing.T) {
	pieces := []string{"a", "abcdefgh", strings.Repeat("x", 13), strings.Repeat("y", 40), "é", "中", "😀", "\xff", "\xe4\xb8", "\x80", "\xf0\x9f"}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := Count(s), utf8.RuneCountInString(s); got != want {
			t.Fatalf("Count(%q) = %d, want %d", s, got, want)
		}
	}
}

func FuzzCount(f *testing.F) {
	f.Add("")
	f.Add(strings.Repeat("a", 33) + "é")
	f.Add("\xf0\x9f" + strings.Repeat("b", 31))
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Count(s), utf8.RuneCountInString(s); got != want {
			t.Fatalf("Count(%q) = %d, want %d", s, got, want)
		}
	})
}

// BenchmarkCount compares Count with utf8.RuneCountInString on the shape of the
// largest values the suites send: 256 Ki ASCII characters behind a short prefix.
func BenchmarkCount(b *testing.B) {
	s := "é中" + strings.Repeat("k", 256<<10)
	b.SetBytes(int64(len(s)))
	b.Run("runecount", func(b *testing.B) {
		for b.Loop() {
			if Count(s) != 256<<10+2 {
				b.Fatal("miscounted")
			}
		}
	})
	b.Run("utf8", func(b *testing.B) {
		for b.Loop() {
			if utf8.RuneCountInString(s) != 256<<10+2 {
				b.Fatal("miscounted")
			}
		}
	})
}
