package generators_test

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/generators"
	"github.com/cogconform/cogconform/spec"
)

// draws returns n values of g from one seed.
func draws[V any](g *rapid.Generator[V], n int) []V {
	return rapid.SliceOfN(g, n, n).Example(7)
}

// shortestMatch is the length of the shortest string a parsed pattern matches: an
// independent reading of the pattern, to know what "exactly min" must be.
func shortestMatch(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture:
		return shortestMatch(re.Sub[0])
	case syntax.OpPlus:
		return shortestMatch(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * shortestMatch(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, s := range re.Sub {
			n += shortestMatch(s)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, s := range re.Sub {
			if m := shortestMatch(s); n < 0 || m < n {
				n = m
			}
		}
		return n
	}
	return 0 // star, quest, anchors, empty
}

// Exact boundaries come up often by design: for every bounded string shape, the
// shortest valid length and the maximum are each at least 10% of draws; for the
// integer range, both ends are.
func TestBoundariesComeUpOften(t *testing.T) {
	m := loadModel(t)
	for _, s := range m.Shapes() {
		n := 3000
		if s.MaxLength != nil && *s.MaxLength > 4096 {
			n = 300 // 128 Ki-rune values: fewer draws, the same 10% bar
		}
		switch {
		case s.Kind == spec.KindString && len(s.Enum) == 0 && (s.MaxLength != nil || s.MinLength > 0 || s.Pattern != ""):
			lo := s.MinLength
			if s.Pattern != "" {
				re, err := syntax.Parse(s.Pattern, syntax.Perl)
				if err != nil {
					t.Fatal(err)
				}
				lo = max(lo, shortestMatch(re))
			}
			atMin, atMax := 0, 0
			for _, v := range draws(generators.Valid(s), n) {
				switch utf8.RuneCountInString(v.(string)) {
				case lo:
					atMin++
				case maxOr(s.MaxLength, -1):
					atMax++
				}
			}
			t.Logf("%-26s exactly %d: %4.1f%%, exactly max %d: %4.1f%%", s.Name, lo, 100*float64(atMin)/float64(n), maxOr(s.MaxLength, -1), 100*float64(atMax)/float64(n))
			if atMin < n/10 {
				t.Errorf("%s: length exactly %d in %d of %d draws", s.Name, lo, atMin, n)
			}
			if s.MaxLength != nil && atMax < n/10 {
				t.Errorf("%s: length exactly max %d in %d of %d draws", s.Name, *s.MaxLength, atMax, n)
			}
		case s.Kind == spec.KindInteger && s.Minimum != nil && s.Maximum != nil:
			n := 3000
			atMin, atMax := 0, 0
			for _, v := range draws(generators.Valid(s), n) {
				switch v.(int64) {
				case *s.Minimum:
					atMin++
				case *s.Maximum:
					atMax++
				}
			}
			t.Logf("%-26s exactly %d: %4.1f%%, exactly %d: %4.1f%%", s.Name, *s.Minimum, 100*float64(atMin)/float64(n), *s.Maximum, 100*float64(atMax)/float64(n))
			if atMin < n/10 || atMax < n/10 {
				t.Errorf("%s: range ends %d and %d in %d and %d of %d draws", s.Name, *s.Minimum, *s.Maximum, atMin, atMax, n)
			}
		}
	}
}

func maxOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// Usernames are not ASCII with a Unicode label: every class of the pattern shows up,
// and so do characters outside the Basic Multilingual Plane (two UTF-16 units, one
// code point) and plain ASCII.
func TestUsernamesCoverTheirUnicodeClasses(t *testing.T) {
	m := loadModel(t)
	s := m.Operation("AdminGetDevice").Input.Member("Username").Shape
	seen := map[string]int{}
	tables := map[string]*unicode.RangeTable{"L": unicode.L, "M": unicode.M, "S": unicode.S, "N": unicode.N, "P": unicode.P}
	for _, v := range draws(generators.Valid(s), 2000) {
		for _, r := range v.(string) {
			for name, tab := range tables {
				if unicode.Is(tab, r) {
					seen[name]++
				}
			}
			if r > 0xFFFF {
				seen["astral"]++
			}
			if r < 0x80 {
				seen["ascii"]++
			}
		}
	}
	t.Logf("runes per class: %v", seen)
	for _, k := range []string{"L", "M", "S", "N", "P", "astral", "ascii"} {
		if seen[k] < 20 {
			t.Errorf("class %s: %d runes in 2000 Usernames", k, seen[k])
		}
	}
}

// The variants the issue asks for are all there, for every member they apply to.
func TestVariantsCoverTheIssue(t *testing.T) {
	m := loadModel(t)
	for _, c := range allConstraints(m) {
		got := generators.Variants(c)
		s := c.Member.Shape
		var want []string
		switch c.Kind {
		case spec.ConstraintRequired:
			want = []string{"omitted"}
		case spec.ConstraintType:
			switch s.Kind {
			case spec.KindString:
				want = []string{"number-for-string", "boolean-for-string", "object-for-string", "array-for-string"}
			case spec.KindInteger:
				want = []string{"string-for-integer", "non-integer", "boolean-for-integer", "object-for-integer", "array-for-integer"}
			case spec.KindObject:
				want = []string{"string-for-object", "number-for-object", "boolean-for-object", "array-for-object"}
			}
			if c.Member.Required {
				want = append(want, "null")
			} else if slices.Contains(got, "null") {
				t.Errorf("%s %s: null for an optional member, which AWS reads as absent", c.Operation.Name, c)
			}
		case spec.ConstraintPattern:
			want = []string{"junk-before", "junk-after", "forbidden-char", "leading-whitespace", "trailing-whitespace", "inner-whitespace"}
			if strings.Contains(s.Pattern, "_[") {
				want = append(want, "missing-separator") // DeviceKey, UserPoolId
			}
			if !strings.Contains(s.Pattern, `\p`) && !strings.Contains(s.Pattern, `\S`) {
				want = append(want, "lookalike") // ASCII-only alphabets
			}
			if s.MinLength == 0 {
				want = append(want, "empty")
			}
		case spec.ConstraintLength:
			if s.MinLength > 0 {
				want = append(want, "min-1")
			}
			if s.MaxLength != nil {
				want = append(want, "max+1", "far-beyond")
			}
		case spec.ConstraintEnum:
			want = []string{"case-change", "surrounding-whitespace", "other-word", "empty"}
		case spec.ConstraintRange:
			want = []string{"min-1", "below-min", "max+1", "above-max", "int32-overflow"}
		}
		for _, v := range want {
			if !slices.Contains(got, v) {
				t.Errorf("%s %s: no %s variant (has %v)", c.Operation.Name, c, v, got)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s %s: variants %v, want %v", c.Operation.Name, c, got, want)
		}
	}
}

// Descriptions follow one shape: member = value (how): breaks rule, expect codes.
func TestDescriptionsSayWhatBreaks(t *testing.T) {
	m := loadModel(t)
	var c spec.Constraint
	for _, k := range m.Operation("GetDevice").Constraints() {
		if k.MemberPath() == "DeviceKey" && k.Kind == spec.ConstraintPattern {
			c = k
		}
	}
	k := generators.InvalidVariant(c, "junk-after").Example(3)
	want := regexp.MustCompile(`^DeviceKey = ".+" \(valid value \+ junk after\): breaks pattern \^\(\?:\[\\w-\]\+_\[0-9a-f-\]\+\)\$, expect InvalidParameterException$`)
	if !want.MatchString(k.Description()) {
		t.Errorf("description %q does not match %v", k.Description(), want)
	}
	if !strings.HasPrefix(k.Value.(string), "") || !c.Member.Shape.Regexp.MatchString(strings.TrimRightFunc(k.Value.(string), func(r rune) bool { return !strings.ContainsRune("abcdef0123456789-", r) })) {
		t.Errorf("junk-after value %q is not a valid DeviceKey followed by junk", k.Value)
	}
	t.Log(k.Description())
}

// Looking up a variant a constraint does not have is a programming error, said loudly.
func TestUnknownVariantPanics(t *testing.T) {
	m := loadModel(t)
	c := m.Operation("GetDevice").Constraints()[0]
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "no variant") {
			t.Errorf("recovered %v, want a panic naming the missing variant", r)
		}
	}()
	generators.InvalidVariant(c, "no-such-variant")
}
