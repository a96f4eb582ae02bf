package reports

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestFormsInFindsWhatEveryFormWould: searching a string for the forms whose head it
// holds replaces exactly what searching it for every registered form, longest
// first, did: secrets that share heads, contain one another, or are cut short at
// the end of an excerpt.
func TestFormsInFindsWhatEveryFormWould(t *testing.T) {
	r := NewRedactor()
	secrets := []string{
		"abcd1234efgh5678", "abcd1234", "abcd1234efgh5678ijkl9012", "abcdWXYZ0000aaaa",
		"eyJraWQiOiJ4In0.eyJzdWIiOiJhIn0.c2ln", "eyJraWQiOiJ4In0.eyJzdWIiOiJiIn0.c2lnMg",
		"0000000000000000", "00000000000000000000000000000001", "p@ss w/rd\"quote",
	}
	r.Add(secrets...)
	everyForm := func(s string) string {
		for _, f := range r.forms {
			s = r.replaceForm(s, f)
		}
		return s
	}
	rng := rand.New(rand.NewPCG(7, 8))
	noise := []string{" ", "x", "0", "ab", "abcd", "eyJ", "…", "...", "\"", "%20", "-", "eyJr", "0000"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(8) {
			if rng.IntN(2) == 0 {
				f := r.forms[rng.IntN(len(r.forms))].text
				if rng.IntN(4) == 0 {
					f = f[:rng.IntN(len(f))+1] // a form cut short
				}
				b.WriteString(f)
			} else {
				b.WriteString(noise[rng.IntN(len(noise))])
			}
		}
		s := b.String()
		if got, want := r.replaceForms(s), everyForm(s); got != want {
			t.Fatalf("in %q:\n  replaced %q\n  every form: %q", s, got, want)
		}
	}
}
