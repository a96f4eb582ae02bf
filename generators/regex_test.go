package generators

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// Patterns beyond the model's, to hold the length-exact construction to account on
// alternation, bounded and nested repetition, optional and empty parts, case folding.
var testPatterns = []string{
	`^(?:(ab|c)+)$`,
	`^(?:a{2,3}(bc|d)*)$`,
	`^(?:x?y?z?)$`,
	`^(?:(a|bb|ccc){2,4})$`,
	`^(?:(?i)ab)$`,
	`^(?:[ab]+c?[ab]*)$`,
	`^(?:(a*)*b)$`,
	`^(?:(ab){3}|c)$`,
	`^(?:(a?){2,}b)$`,
	`^(?:[\w-]+_[0-9a-f-]+)$`,
}

// brute returns the lengths, up to limit, of the strings over alphabet that re
// matches, by enumerating them all.
func brute(re *regexp.Regexp, alphabet []rune, limit int) []int {
	var lens []int
	words := []string{""}
	for n := 0; n <= limit; n++ {
		for _, w := range words {
			if re.MatchString(w) {
				lens = append(lens, n)
				break
			}
		}
		var next []string
		for _, w := range words {
			for _, r := range alphabet {
				next = append(next, w+string(r))
			}
		}
		words = next
	}
	return lens
}

// The length sets the construction computes are exact: the same lengths as brute
// force over the pattern's alphabet.
func TestPatternLengthsAreExact(t *testing.T) {
	const limit = 7
	for _, expr := range testPatterns[:len(testPatterns)-1] {
		re := regexp.MustCompile(expr)
		p, err := compilePattern(expr, limit)
		if err != nil {
			t.Fatal(err)
		}
		var alphabet []rune
		for _, s := range p.alphabet.spans {
			for r := s.lo; r <= s.hi; r++ {
				alphabet = append(alphabet, r)
			}
		}
		want := brute(re, alphabet, limit)
		var got []int
		for n := 0; n <= limit; n++ {
			if p.root.lens.contains(n) {
				got = append(got, n)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: lengths %v, brute force says %v", expr, got, want)
		}
	}
}

// For every length a pattern allows, the generator builds a match of exactly that
// length, drawn the same way Valid draws.
func TestPatternValuesHaveTheChosenLength(t *testing.T) {
	const limit = 40
	for _, expr := range testPatterns {
		re := regexp.MustCompile(expr)
		p, err := compilePattern(expr, limit)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n <= limit; n++ {
			if !p.root.lens.contains(n) {
				continue
			}
			for seed := range 10 {
				v := rapid.Custom(func(t *rapid.T) string {
					d := newDrawer(t)
					d.startString()
					var b strings.Builder
					p.root.generate(d, n, &b)
					s := b.String()
					d.done()
					return s
				}).Example(seed)
				if utf8.RuneCountInString(v) != n || !re.MatchString(v) {
					t.Fatalf("%s, length %d: generated %q (%d runes, match %v)", expr, n, v, utf8.RuneCountInString(v), re.MatchString(v))
				}
			}
		}
	}
}

// Runes that every match holds are found (the separator of DeviceKey), and only those.
func TestRequiredRunes(t *testing.T) {
	for expr, want := range map[string][]rune{
		`^(?:[\w-]+_[0-9a-f-]+)$`: {'_'},
		`^(?:(ab|c)+)$`:           nil,
		`^(?:(ab){3}|cb)$`:        {'b'},
		`^(?:x?y)$`:               {'y'},
		`^(?:[\S]+)$`:             nil,
	} {
		p, err := compilePattern(expr, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.required, want) {
			t.Errorf("%s: required runes %q, want %q", expr, p.required, want)
		}
	}
}

// Patterns the length-first construction cannot honour are refused with a reason,
// not generated wrongly.
func TestUnsupportedPatternIsAnError(t *testing.T) {
	if _, err := compilePattern(`^(?:a\bb)$`, 10); err == nil {
		t.Fatal(`\b compiled without error`)
	}
}
