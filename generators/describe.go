package generators

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cogconform/cogconform/internal/runecount"
	"github.com/cogconform/cogconform/spec"
)

// describe writes a case's description: the member, the value (abbreviated when
// long), how it was made, the rule it breaks and the codes a conformant target answers.
func describe(c spec.Constraint, value any, omitted bool, phrase string, also []spec.ConstraintKind, expect []string) string {
	var b strings.Builder
	if omitted {
		fmt.Fprintf(&b, "%s omitted (%s): breaks required", c.MemberPath(), phrase)
	} else {
		fmt.Fprintf(&b, "%s = %s (%s): breaks %s", c.MemberPath(), show(value), phrase, c.Kind)
		if r := rule(c.Member.Shape, c.Kind); r != "" {
			b.WriteString(" " + r)
		}
	}
	for _, k := range also {
		why := "unavoidable"
		switch {
		case k == spec.ConstraintPattern && c.Kind == spec.ConstraintLength:
			why = "unavoidable: no value of this length matches"
		case k == spec.ConstraintLength:
			why = "unavoidable: the pattern leaves no room within the length limits"
		}
		fmt.Fprintf(&b, "; also breaks %s %s (%s)", k, rule(c.Member.Shape, k), why)
	}
	fmt.Fprintf(&b, ", expect %s", strings.Join(expect, " or "))
	return b.String()
}

// rule states a constraint of s.
func rule(s *spec.Shape, k spec.ConstraintKind) string {
	switch k {
	case spec.ConstraintPattern:
		return s.Pattern
	case spec.ConstraintLength:
		if s.MaxLength == nil {
			return fmt.Sprintf("%d.. characters", s.MinLength)
		}
		return fmt.Sprintf("%d..%d characters", s.MinLength, *s.MaxLength)
	case spec.ConstraintEnum:
		return strings.Join(s.Enum, "|")
	case spec.ConstraintRange:
		lo, hi := "", ""
		if s.Minimum != nil {
			lo = strconv.FormatInt(*s.Minimum, 10)
		}
		if s.Maximum != nil {
			hi = strconv.FormatInt(*s.Maximum, 10)
		}
		return lo + ".." + hi
	case spec.ConstraintType:
		return string(s.Kind)
	}
	return ""
}

// showLimit is the longest value a description shows whole, in runes.
const showLimit = 48

// show renders a value as JSON-ish text, quoting strings Go-style (so that
// whitespace and invisible characters are visible) and abbreviating long values.
func show(v any) string {
	s, ok := v.(string)
	if !ok {
		text, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprintf("%v", v)
		}
		s = string(text)
		if runecount.Count(s) <= showLimit {
			return s
		}
		return firstRunes(s, 32) + "…" + lastRunes(s, 8)
	}
	n := runecount.Count(s)
	if n <= showLimit {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s…%s (%d characters)", strconv.Quote(firstRunes(s, 32)), strconv.Quote(lastRunes(s, 8)), n)
}

// firstRunes and lastRunes cut a string to its first or last k runes as string([]rune(s)[…])
// would (invalid bytes become U+FFFD), without converting a value of 256 Ki runes whole.
func firstRunes(s string, k int) string {
	i := 0
	for k > 0 && i < len(s) {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
		k--
	}
	return string([]rune(s[:i]))
}

func lastRunes(s string, k int) string {
	i := len(s)
	for k > 0 && i > 0 {
		_, w := utf8.DecodeLastRuneInString(s[:i])
		i -= w
		k--
	}
	return string([]rune(s[i:]))
}

// showRune names a rune so that invisible ones are visible: U+0021 '!'.
func showRune(r rune) string { return fmt.Sprintf("%U %s", r, strconv.QuoteRune(r)) }
