package spec

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestWholeMatcherAgreesWithRegexp(t *testing.T) {
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	patterns := map[string]bool{`^(?:[a-z]+-[0-9]+)$`: true, `^(?:[é]+_[\S]+)$`: true, `^(?:(?i)[a-z]+)$`: true, `^(?:[a-z]*)$`: true, `^(?:ab+)$`: true}
	for _, sh := range m.Shapes() {
		if sh.Pattern != "" {
			patterns[sh.Pattern] = true
		}
	}
	pieces := []string{"a", "Z", "0", "9", "f", "g", "_", "-", "=", ".", " ", "\t", "\n", "\v", "é", "中", "😀", "\u00a0",
		"\u2028", "\xff", "\xe4\xb8", "!", "us-east-1", "_0a", "-", "__", strings.Repeat("x", 70)}
	rng := rand.New(rand.NewPCG(5, 6))
	fast := 0
	for p := range patterns {
		re := regexp.MustCompile(p)
		wm := newWholeMatcher(p)
		if wm == nil {
			continue
		}
		fast++
		for range 20000 {
			var b strings.Builder
			for range rng.IntN(6) {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			}
			s := b.String()
			if got, want := wm.match(s), re.MatchString(s); got != want {
				t.Errorf("pattern %s, value %q: the matcher says %v, the regexp %v", p, s, got, want)
			}
		}
	}
	if fast < 4 {
		t.Errorf("only %d patterns got a matcher", fast)
	}
}

// TestMatchesIsTheAnchoredRegexp holds Shape.Matches, the one question both sides of
// the wire ask, to the compiled pattern for every pattern shape: fast or not.
func TestMatchesIsTheAnchoredRegexp(t *testing.T) {
	for _, p := range []string{`^(?:[a-z]+-[0-9]+)$`, `^(?:[a-z]*)$`, `^(?:ab+)$`} {
		var sh Shape
		if err := sh.SetPattern(p); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"", "a", "ab", "abb", "a-1", "a-", "-1", "xa-1", "a-1x", "A-1"} {
			if got, want := sh.Matches(v), regexp.MustCompile(p).MatchString(v); got != want {
				t.Errorf("pattern %s, value %q: Matches says %v, the regexp %v", p, v, got, want)
			}
		}
	}
	var none Shape
	if !none.Matches("anything at all") {
		t.Error("a shape without a pattern refuses a value")
	}
	var bad Shape
	if err := bad.SetPattern(`^(?:[a-z)$`); err == nil {
		t.Error("SetPattern took a pattern that does not compile")
	}
}
