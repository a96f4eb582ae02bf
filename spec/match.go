package spec

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode/utf8"
)

// wholeMatcher decides a whole-value match of the two pattern shapes the model's
// identifiers and tokens have, ^(?:[A]+)$ and ^(?:[A]+x[B]+)$ with x an ASCII
// character outside B, without the regexp engine: a request carries an access token
// of a kilobyte or a device key, and the engine takes tens of nanoseconds a
// character. Both sides of the wire ask the question on every value (the reference
// target validating, the generators stating what an invalid value breaks), so the
// model answers it once for both. TestWholeMatcherAgreesWithRegexp holds it to the
// regexp's answers.
type wholeMatcher struct {
	a, b *runeSet
	sep  byte // 0: the [A]+ shape
}

// newWholeMatcher returns a matcher for pattern, or nil when it has another shape.
func newWholeMatcher(pattern string) *wholeMatcher {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	subs := re.Sub
	if re.Op != syntax.OpConcat || len(subs) < 3 || subs[0].Op != syntax.OpBeginText || subs[len(subs)-1].Op != syntax.OpEndText {
		return nil
	}
	subs = subs[1 : len(subs)-1]
	class := func(r *syntax.Regexp) *runeSet {
		if r.Op != syntax.OpPlus || len(r.Sub) != 1 || r.Sub[0].Op != syntax.OpCharClass || r.Sub[0].Flags&syntax.FoldCase != 0 {
			return nil
		}
		return newRuneSet(r.Sub[0].Rune)
	}
	switch len(subs) {
	case 1:
		if a := class(subs[0]); a != nil {
			return &wholeMatcher{a: a}
		}
	case 3:
		a, b, lit := class(subs[0]), class(subs[2]), subs[1]
		if a == nil || b == nil || lit.Op != syntax.OpLiteral || len(lit.Rune) != 1 || lit.Flags&syntax.FoldCase != 0 {
			return nil
		}
		if sep := lit.Rune[0]; sep > 0 && sep < utf8.RuneSelf && !b.has(sep) {
			return &wholeMatcher{a: a, b: b, sep: byte(sep)}
		}
	}
	return nil
}

// SetPattern gives the shape an anchored pattern (^(?:...)$, as the model writes
// them), compiled once, with the fast whole-value matcher when the pattern has one of
// its shapes. Shapes built outside Parse (the reference target's provisioning
// operations) get their pattern this way too.
func (s *Shape) SetPattern(pattern string) error {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return fmt.Errorf("pattern %q does not compile: %w", pattern, err)
	}
	s.Pattern, s.Regexp, s.whole = pattern, re, newWholeMatcher(pattern)
	return nil
}

// Matches reports whether v matches the shape's pattern as AWS reads one, against
// the whole value; a shape without a pattern matches anything.
func (s *Shape) Matches(v string) bool {
	switch {
	case s.whole != nil:
		return s.whole.match(v)
	case s.Regexp != nil:
		return s.Regexp.MatchString(v)
	}
	return true
}

func (m *wholeMatcher) match(s string) bool {
	if m.sep == 0 {
		return s != "" && m.a.all(s)
	}
	// The separator is not in B, so a match can only split at its last occurrence.
	k := strings.LastIndexByte(s, m.sep)
	return k > 0 && k+1 < len(s) && m.a.all(s[:k]) && m.b.all(s[k+1:])
}

// runeSet is a character class: a bitmap for ASCII, sorted ranges for the rest.
type runeSet struct {
	ascii [2]uint64
	pairs []rune // inclusive [lo, hi] pairs, sorted, as regexp/syntax gives them
}

func newRuneSet(pairs []rune) *runeSet {
	rs := &runeSet{pairs: pairs}
	for i := 0; i+1 < len(pairs); i += 2 {
		for r := pairs[i]; r <= pairs[i+1] && r < utf8.RuneSelf; r++ {
			rs.ascii[r>>6] |= 1 << (r & 63)
		}
	}
	return rs
}

func (rs *runeSet) has(r rune) bool {
	if r < utf8.RuneSelf {
		return rs.ascii[r>>6]&(1<<(r&63)) != 0
	}
	// The first pair whose upper end is at least r.
	i := sort.Search(len(rs.pairs)/2, func(i int) bool { return rs.pairs[2*i+1] >= r })
	return i < len(rs.pairs)/2 && rs.pairs[2*i] <= r
}

// all reports whether every character of s is in the set; an invalid byte is U+FFFD,
// as the regexp engine reads it.
func (rs *runeSet) all(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf {
			if rs.ascii[c>>6]&(1<<(c&63)) == 0 {
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !rs.has(r) {
			return false
		}
		i += size - 1
	}
	return true
}
