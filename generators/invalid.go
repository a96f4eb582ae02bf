package generators

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/internal/runecount"
	"github.com/cogconform/cogconform/spec"
)

// Error codes a case expects.
const (
	codeInvalidParameter = "InvalidParameterException"
	codeSerialization    = "SerializationException"
)

// Case is one request that breaks exactly one rule of the model.
type Case struct {
	Constraint spec.Constraint
	// Variant is a short stable slug naming how the rule is broken; Variants lists them.
	Variant string
	// Request is the whole request body; everything but the member at
	// Constraint.Path is valid.
	Request map[string]any
	// Value is the invalid value put at Constraint.Path (nil when Omitted).
	Value any
	// Omitted says the member was left out (the required rule).
	Omitted bool
	// Expect lists the acceptable error codes.
	Expect []string
	// AlsoBreaks lists other rules of the same member that Value cannot help
	// breaking, and is empty otherwise. The one case in this model: the empty string
	// is min-1 of DeviceKey, UserPoolId, Username and PaginationToken, and no empty
	// string matches their "+" patterns.
	AlsoBreaks []spec.ConstraintKind

	// phrase says how the value was made; valid marks a Boundary case.
	phrase string
	valid  bool
}

// Description says what the case breaks, for the suites' messages, e.g.
// `DeviceKey = "a_1!" (valid value + junk after): breaks pattern ^(?:[\w-]+_[0-9a-f-]+)$, expect InvalidParameterException`,
// or, for a Boundary case, that it is valid. It is written when asked for, not with
// every case: most cases pass, and describing each value was 3% of a run's CPU.
func (c Case) Description() string {
	if c.valid {
		return fmt.Sprintf("%s = %s (exactly the %s %s): valid", c.Constraint.MemberPath(), show(c.Value), c.Variant, c.Constraint.Kind)
	}
	return describe(c.Constraint, c.Value, c.Omitted, c.phrase, c.AlsoBreaks, c.Expect)
}

// variant is one way to break a constraint.
type variant struct {
	slug   string
	expect []string
	// make returns the invalid value (or omitted) and a phrase for the description.
	make func(d *drawer) (value any, omitted bool, phrase string)
}

// invalidPlan is everything Invalid needs, computed once per constraint.
type invalidPlan struct {
	c        spec.Constraint
	request  *plan
	chain    []*memberPlan // the members from the input down to the constrained one
	variants []variant
}

// Variants lists the slugs of the ways Invalid breaks c, in a stable order.
func Variants(c spec.Constraint) []string {
	ip, err := newInvalidPlan(c)
	if err != nil {
		panic(fmt.Sprintf("generators: %v", err))
	}
	out := make([]string, len(ip.variants))
	for i, v := range ip.variants {
		out[i] = v.slug
	}
	return out
}

// Invalid returns a generator of requests that break c and keep the rest of the
// request valid where possible. Every variant of Variants(c) is drawn; shrinking goes
// towards the first one.
//
// Invalid panics if c has no variant or its member has no generator: a constraint the
// model can express but this package does not break is a defect to fix here, not a
// case to skip silently.
func Invalid(c spec.Constraint) *rapid.Generator[Case] {
	ip, err := newInvalidPlan(c)
	if err != nil {
		panic(fmt.Sprintf("generators: %v", err))
	}
	return ip.generator(ip.variants)
}

// InvalidVariant is Invalid restricted to one variant of Variants(c), for suites that
// report each variant separately.
func InvalidVariant(c spec.Constraint, slug string) *rapid.Generator[Case] {
	ip, err := newInvalidPlan(c)
	if err != nil {
		panic(fmt.Sprintf("generators: %v", err))
	}
	i := slices.IndexFunc(ip.variants, func(v variant) bool { return v.slug == slug })
	if i < 0 {
		panic(fmt.Sprintf("generators: %s has no variant %q (it has %v)", c, slug, Variants(c)))
	}
	return ip.generator(ip.variants[i : i+1])
}

func newInvalidPlan(c spec.Constraint) (*invalidPlan, error) {
	if c.Operation == nil || c.Member == nil || len(c.Path) == 0 {
		return nil, fmt.Errorf("constraint %q: needs an operation, a member and a path", c)
	}
	req, err := compile(c.Operation.Input)
	if err != nil {
		return nil, fmt.Errorf("operation %s: %w", c.Operation.Name, err)
	}
	chain, err := req.member(c.Path)
	if err != nil {
		return nil, fmt.Errorf("operation %s: %w", c.Operation.Name, err)
	}
	ip := &invalidPlan{c: c, request: req, chain: chain}
	mp := chain[len(chain)-1].plan
	switch c.Kind {
	case spec.ConstraintRequired:
		ip.variants = []variant{{slug: "omitted", expect: []string{codeInvalidParameter},
			make: func(*drawer) (any, bool, string) { return nil, true, "member left out" }}}
	case spec.ConstraintType:
		ip.variants = typeVariants(mp, c.Member.Required)
	case spec.ConstraintPattern:
		ip.variants = patternVariants(mp.str)
	case spec.ConstraintLength:
		ip.variants = lengthVariants(mp.str)
	case spec.ConstraintEnum:
		ip.variants = enumVariants(c.Member.Shape.Enum)
	case spec.ConstraintRange:
		ip.variants = rangeVariants(mp.ints)
	default:
		return nil, fmt.Errorf("constraint %q: unknown kind", c)
	}
	if len(ip.variants) == 0 {
		return nil, fmt.Errorf("constraint %q: no way to break it is known", c)
	}
	return ip, nil
}

func (ip *invalidPlan) generator(vs []variant) *rapid.Generator[Case] {
	return rapid.Custom(func(t *rapid.T) Case {
		d := newDrawer(t)
		v := vs[d.index(len(vs))]
		req := ip.request.value(d, true).(map[string]any)
		value, omitted, phrase := v.make(d)

		// Walk down to the member's parent, making parents that the draw left out.
		obj := req
		for _, m := range ip.chain[:len(ip.chain)-1] {
			next, ok := obj[m.member.Name].(map[string]any)
			if !ok {
				next = m.plan.value(d, true).(map[string]any)
				obj[m.member.Name] = next
			}
			obj = next
		}
		name := ip.c.Path[len(ip.c.Path)-1]
		if omitted {
			delete(obj, name)
		} else {
			obj[name] = value
		}

		d.done()
		var also []spec.ConstraintKind
		if !omitted {
			also = slices.DeleteFunc(brokenBy(ip.c.Member.Shape, value), func(k spec.ConstraintKind) bool { return k == ip.c.Kind })
			if len(also) == 0 {
				also = nil
			}
		}
		return Case{
			Constraint: ip.c,
			Variant:    v.slug,
			Request:    req,
			Value:      value,
			Omitted:    omitted,
			Expect:     slices.Clone(v.expect),
			AlsoBreaks: also,
			phrase:     phrase,
		}
	})
}

// brokenBy lists the rules of s that a value breaks, by the model's own reading of
// them (lengths in code points, the anchored Go pattern): it is how a case states,
// rather than hides, a second broken rule it could not avoid.
func brokenBy(s *spec.Shape, v any) []spec.ConstraintKind {
	var out []spec.ConstraintKind
	switch s.Kind {
	case spec.KindString:
		str, ok := v.(string)
		if !ok {
			return []spec.ConstraintKind{spec.ConstraintType}
		}
		if !s.Matches(str) {
			out = append(out, spec.ConstraintPattern)
		}
		if n := runecount.Count(str); n < s.MinLength || (s.MaxLength != nil && n > *s.MaxLength) {
			out = append(out, spec.ConstraintLength)
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			out = append(out, spec.ConstraintEnum)
		}
	case spec.KindInteger:
		n, ok := v.(int64)
		if !ok {
			return []spec.ConstraintKind{spec.ConstraintType}
		}
		// Beyond int32 is beyond the range of an int32 member, bounds or not.
		int32Only := s.Schema != nil && s.Schema.Format == "int32"
		if (s.Minimum != nil && n < *s.Minimum) || (s.Maximum != nil && n > *s.Maximum) ||
			(int32Only && (n < math.MinInt32 || n > math.MaxInt32)) {
			out = append(out, spec.ConstraintRange)
		}
	}
	return out
}

// ---- type ----

// typeVariants put a value of every other JSON type where the member's is expected.
//
// A JSON null is sent only for required members. AWS JSON deserializers (Smithy's
// and the service's) read a null member as an absent one, so a null optional member
// is a valid request, and sending it as "invalid" would report conformant targets. A
// null required member is a missing member: AWS answers "Value null at 'x' failed to
// satisfy constraint: Member must not be null", an InvalidParameterException, so
// that is the only code the null variant expects (the other type variants also
// accept SerializationException, as AWS services differ there). JSON Schema, the
// oracle, calls a null a type error (nullable), hence the variant lives here.
func typeVariants(p *plan, required bool) []variant {
	s := p.shape
	want := string(s.Kind)
	if s.Kind == spec.KindTimestamp {
		want = "number"
	}
	valid := func(d *drawer) any { return p.value(d, true) }
	either := []string{codeSerialization, codeInvalidParameter}
	mk := func(got string, f func(d *drawer) any, phrase string) variant {
		return variant{slug: got + "-for-" + want, expect: either, make: func(d *drawer) (any, bool, string) {
			return f(d), false, phrase
		}}
	}
	number := func(d *drawer) any {
		if d.coin() {
			return 1.5
		}
		return int64(d.index(1000))
	}
	boolean := func(d *drawer) any { return d.coin() }
	object := func(d *drawer) any {
		if d.coin() {
			return map[string]any{}
		}
		return map[string]any{"value": valid(d)}
	}
	array := func(d *drawer) any {
		if d.coin() {
			return []any{}
		}
		return []any{valid(d)}
	}
	var vs []variant
	a := func(kind string) string { return kind + " where " + article(want) + " " + want + " is expected" }
	switch s.Kind {
	case spec.KindString:
		vs = append(vs,
			mk("number", number, a("number")),
			mk("boolean", boolean, a("boolean")),
			mk("object", object, a("object")),
			mk("array", array, a("array (a valid value wrapped in a list, or none)")))
	case spec.KindInteger, spec.KindNumber, spec.KindTimestamp:
		vs = append(vs,
			mk("string", func(d *drawer) any { return numberText(valid(d)) }, a("numeric string")))
		if s.Kind == spec.KindInteger {
			ip := p.ints
			vs = append(vs, variant{slug: "non-integer", expect: either, make: func(d *drawer) (any, bool, string) {
				// Inside the range, so that being fractional is all that is wrong.
				n := d.int64In(ip.lo, max(ip.lo, ip.hi-1))
				return float64(n) + 0.5, false, "non-integer where an integer is expected"
			}})
		}
		vs = append(vs,
			mk("boolean", boolean, a("boolean")),
			mk("object", object, a("object")),
			mk("array", array, a("array")))
	case spec.KindBoolean:
		vs = append(vs,
			mk("string", func(d *drawer) any { return strconv.FormatBool(d.coin()) }, a("string")),
			mk("number", func(d *drawer) any { return int64(d.index(2)) }, a("number")),
			mk("object", object, a("object")),
			mk("array", array, a("array")))
	case spec.KindObject:
		vs = append(vs,
			mk("string", func(d *drawer) any {
				v := valid(d)
				text, err := json.Marshal(v)
				if err != nil {
					panic(fmt.Sprintf("generators: encoding a valid %s %#v: %v", s.Name, v, err))
				}
				return string(text)
			}, a("string holding the object's JSON")),
			mk("number", number, a("number")),
			mk("boolean", boolean, a("boolean")),
			mk("array", array, a("array")))
	case spec.KindArray:
		vs = append(vs,
			mk("string", func(d *drawer) any { return "[]" }, a("string")),
			mk("number", number, a("number")),
			mk("boolean", boolean, a("boolean")),
			mk("object", func(d *drawer) any {
				if p.items.shape.Kind == spec.KindObject {
					return p.items.value(d, true)
				}
				return map[string]any{}
			}, a("object")))
	}
	if required {
		vs = append(vs, variant{slug: "null", expect: []string{codeInvalidParameter}, make: func(*drawer) (any, bool, string) {
			return nil, false, "JSON null for a required member, which AWS reads as missing"
		}})
	}
	return vs
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// numberText writes a valid number as JSON text: "10" where 10 is expected.
func numberText(v any) string {
	switch n := v.(type) {
	case int64:
		return strconv.FormatInt(n, 10)
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// ---- pattern ----

// patternVariants break the pattern with values whose length is within the shape's
// limits, so that the pattern is the only broken rule. Each variant holds a rune
// outside the pattern's alphabet (or lacks a rune every match holds), which makes
// the mismatch certain by construction rather than by checking and retrying.
func patternVariants(sp *stringPlan) []variant {
	if sp == nil || sp.pat == nil {
		return nil
	}
	pat := sp.pat
	var forbidden, spaces []rune
	for _, r := range forbiddenCandidates {
		if !pat.alphabet.contains(r) {
			forbidden = append(forbidden, r)
		}
	}
	for _, r := range whitespaceCandidates {
		if !pat.alphabet.contains(r) {
			spaces = append(spaces, r)
		}
	}
	outside := pat.alphabet.complement()
	// A forbidden rune: mostly one implementations trip over, sometimes any.
	forbiddenRune := func(d *drawer) rune {
		if len(forbidden) > 0 && (outside == nil || d.index(4) < 3) {
			return forbidden[d.index(len(forbidden))]
		}
		return d.pick(outside)
	}
	inv := func(slug string, f func(d *drawer) (any, bool, string)) variant {
		return variant{slug: slug, expect: []string{codeInvalidParameter}, make: f}
	}
	var vs []variant
	if outside != nil {
		junk := func(d *drawer) []rune {
			j := make([]rune, 1+d.index(3))
			for i := range j {
				j[i] = forbiddenRune(d)
			}
			return j
		}
		vs = append(vs,
			inv("junk-before", func(d *drawer) (any, bool, string) {
				j := junk(d)
				v := sp.within(d, sp.minLen-len(j), sp.maxLen-len(j))
				return string(j) + string(v), false, "junk before a valid value"
			}),
			inv("junk-after", func(d *drawer) (any, bool, string) {
				j := junk(d)
				v := sp.within(d, sp.minLen-len(j), sp.maxLen-len(j))
				return string(v) + string(j), false, "valid value + junk after"
			}),
			inv("forbidden-char", func(d *drawer) (any, bool, string) {
				v := sp.within(d, max(sp.minLen, 1), sp.maxLen)
				i := d.index(len(v))
				v[i] = forbiddenRune(d)
				return string(v), false, fmt.Sprintf("forbidden character %s at position %d", showRune(v[i]), i)
			}))
	}
	if len(pat.required) > 0 {
		vs = append(vs, inv("missing-separator", func(d *drawer) (any, bool, string) {
			sep := pat.required[d.index(len(pat.required))]
			v := sp.within(d, sp.minLen, sp.maxLen)
			v = slices.DeleteFunc(v, func(r rune) bool { return r == sep })
			// Pad back to the minimum length with a rune that is not the separator.
			for pad := pat.alphabet.at(0); len(v) < sp.minLen && pad != sep; {
				v = append(v, pad)
			}
			return string(v), false, fmt.Sprintf("every %s removed from a valid value", showRune(sep))
		}))
	}
	if alikes := lookalikeTable(pat.alphabet); len(alikes) > 0 {
		sources := make([]rune, 0, len(alikes))
		for r := range alikes {
			sources = append(sources, r)
		}
		slices.Sort(sources)
		vs = append(vs, inv("lookalike", func(d *drawer) (any, bool, string) {
			v := sp.within(d, max(sp.minLen, 1), sp.maxLen)
			var at []int
			for i, r := range v {
				if len(alikes[r]) > 0 {
					at = append(at, i)
				}
			}
			var i int
			var src rune
			if len(at) > 0 {
				i = at[d.index(len(at))]
				src = v[i]
			} else {
				i, src = d.index(len(v)), sources[d.index(len(sources))]
			}
			ls := alikes[src]
			v[i] = ls[d.index(len(ls))]
			return string(v), false, fmt.Sprintf("look-alike %s for %q at position %d", showRune(v[i]), src, i)
		}))
	}
	if len(spaces) > 0 {
		space := func(d *drawer) rune { return spaces[d.index(len(spaces))] }
		vs = append(vs,
			inv("leading-whitespace", func(d *drawer) (any, bool, string) {
				v := sp.within(d, sp.minLen-1, sp.maxLen-1)
				r := space(d)
				return string(r) + string(v), false, fmt.Sprintf("%s before a valid value", showRune(r))
			}),
			inv("trailing-whitespace", func(d *drawer) (any, bool, string) {
				v := sp.within(d, sp.minLen-1, sp.maxLen-1)
				r := space(d)
				return string(v) + string(r), false, fmt.Sprintf("%s after a valid value", showRune(r))
			}),
			inv("inner-whitespace", func(d *drawer) (any, bool, string) {
				v := sp.within(d, max(sp.minLen-1, 2), sp.maxLen-1)
				i := 1 + d.index(max(len(v)-1, 1))
				r := space(d)
				v = slices.Insert(v, min(i, len(v)), r)
				return string(v), false, fmt.Sprintf("%s inserted at position %d of a valid value", showRune(r), i)
			}))
	}
	if sp.minLen == 0 && !sp.feasible.contains(0) {
		vs = append(vs, inv("empty", func(*drawer) (any, bool, string) {
			return "", false, "empty string, which the pattern does not match"
		}))
	}
	return vs
}

// lookalikeTable maps each printable ASCII rune of the alphabet to its look-alikes
// outside the alphabet.
func lookalikeTable(alphabet *runeClass) map[rune][]rune {
	out := map[rune][]rune{}
	for r := rune(0x21); r < 0x7F; r++ {
		if !alphabet.contains(r) {
			continue
		}
		for _, l := range lookalikesOf(r) {
			if !alphabet.contains(l) {
				out[r] = append(out[r], l)
			}
		}
	}
	return out
}

// ---- length ----

// lengthVariants break the length limits with values that match the pattern where
// some value of that length does (so the length is the only broken rule); where none
// does, the case says so in AlsoBreaks.
func lengthVariants(sp *stringPlan) []variant {
	if sp == nil {
		return nil
	}
	// of returns a value of exactly n runes, matching the pattern if any value can.
	of := func(d *drawer, n int) string {
		if sp.feasible.contains(n) {
			return sp.exact(d, n)
		}
		return sp.alphabetOnly(d, n)
	}
	inv := func(slug string, f func(d *drawer) (any, bool, string)) variant {
		return variant{slug: slug, expect: []string{codeInvalidParameter}, make: f}
	}
	var vs []variant
	if sp.minLen > 0 {
		vs = append(vs, inv("min-1", func(d *drawer) (any, bool, string) {
			n := sp.minLen - 1
			return of(d, n), false, fmt.Sprintf("min-1: %d characters, min is %d", n, sp.minLen)
		}))
	}
	if sp.minLen > 1 {
		vs = append(vs, inv("empty", func(*drawer) (any, bool, string) {
			return "", false, fmt.Sprintf("empty string, min is %d", sp.minLen)
		}))
	}
	if sp.bounded {
		vs = append(vs, inv("max+1", func(d *drawer) (any, bool, string) {
			n := sp.maxLen + 1
			return of(d, n), false, fmt.Sprintf("max+1: %d characters, max is %d", n, sp.maxLen)
		}))
		far := farBeyond(sp.maxLen)
		vs = append(vs, inv("far-beyond", func(d *drawer) (any, bool, string) {
			lo := sp.maxLen + 2
			var n int
			switch d.index(3) {
			case 0:
				n = lo + d.index(far-lo+1)
			case 1:
				n = min(max(2*sp.maxLen, lo), far)
			default:
				n = far
			}
			// Snap to a length the pattern allows, if there is one in range.
			if fits := intersect(sp.feasible, between(lo, far)); !fits.empty() {
				if m, ok := fits.atLeast(n); ok {
					n = m
				} else {
					n = fits.max()
				}
			}
			return of(d, n), false, fmt.Sprintf("far beyond: %d characters, max is %d", n, sp.maxLen)
		}))
	}
	return vs
}

// ---- enum ----

// Words that are not a member of any enum of the model but look like input a
// target might take: booleans, null-likes, numbers, neighbours of the members.
var otherWords = []string{"true", "false", "null", "none", "undefined", "0", "1", "yes", "no", "forgotten", "unknown", "*"}

// enumVariants break an enum with near misses of its members.
func enumVariants(enum []string) []variant {
	if len(enum) == 0 {
		return nil
	}
	isMember := func(s string) bool { return slices.Contains(enum, s) }
	inv := func(slug string, f func(d *drawer) (any, bool, string)) variant {
		return variant{slug: slug, expect: []string{codeInvalidParameter}, make: f}
	}
	// Case changes of every member that are not members themselves.
	var cased [][2]string // member, changed
	for _, e := range enum {
		rs := []rune(e)
		title := slices.Clone(rs)
		if len(title) > 0 {
			title[0] = unicode.ToTitle(title[0])
		}
		changes := []string{strings.ToUpper(e), string(title)}
		for i, r := range rs {
			if unicode.IsLetter(r) {
				c := slices.Clone(rs)
				c[i] = swapCase(r)
				changes = append(changes, string(c))
			}
		}
		for _, c := range slices.Compact(changes) {
			if c != e && !isMember(c) {
				cased = append(cased, [2]string{e, c})
			}
		}
	}
	// Other words: the list above and near misses of the members.
	var others []string
	add := func(w string) {
		if w != "" && !isMember(w) && !slices.Contains(others, w) && !slices.ContainsFunc(enum, func(e string) bool { return strings.EqualFold(e, w) }) {
			others = append(others, w)
		}
	}
	for _, e := range enum {
		add(strings.ReplaceAll(e, "_", "-"))
		add(strings.ReplaceAll(e, "_", " "))
		add(strings.ReplaceAll(e, "_", ""))
		add(e[:len(e)-1])
		add(e + "s")
		add(e + e)
	}
	for _, w := range otherWords {
		add(w)
	}
	var vs []variant
	if len(cased) > 0 {
		vs = append(vs, inv("case-change", func(d *drawer) (any, bool, string) {
			c := cased[d.index(len(cased))]
			return c[1], false, fmt.Sprintf("case of %q changed", c[0])
		}))
	}
	vs = append(vs, inv("surrounding-whitespace", func(d *drawer) (any, bool, string) {
		e := enum[d.index(len(enum))]
		ws := []string{" ", "\t", "\n", "\u00a0"}[d.index(4)]
		switch d.index(3) {
		case 0:
			return ws + e, false, fmt.Sprintf("%q with whitespace before", e)
		case 1:
			return e + ws, false, fmt.Sprintf("%q with whitespace after", e)
		default:
			return ws + e + ws, false, fmt.Sprintf("%q with whitespace around", e)
		}
	}))
	if len(others) > 0 {
		vs = append(vs, inv("other-word", func(d *drawer) (any, bool, string) {
			w := others[d.index(len(others))]
			return w, false, "a word that is not a member"
		}))
	}
	if !isMember("") {
		vs = append(vs, inv("empty", func(*drawer) (any, bool, string) { return "", false, "empty string" }))
	}
	return vs
}

func swapCase(r rune) rune {
	if unicode.IsUpper(r) {
		return unicode.ToLower(r)
	}
	return unicode.ToUpper(r)
}

// ---- range ----

// rangeVariants go below and above the range: by one, and further, down to what the
// wire type carries; for int32 members, also beyond int32, which a target may fail to
// parse rather than range-check (either code is then accepted).
func rangeVariants(ip *intPlan) []variant {
	if ip == nil {
		return nil
	}
	inv := func(slug string, f func(d *drawer) (any, bool, string)) variant {
		return variant{slug: slug, expect: []string{codeInvalidParameter}, make: f}
	}
	var vs []variant
	if ip.hasMin && ip.lo > ip.lowest {
		vs = append(vs, inv("min-1", func(*drawer) (any, bool, string) {
			return ip.lo - 1, false, fmt.Sprintf("min-1, min is %d", ip.lo)
		}))
		if ip.lo-1 > ip.lowest {
			vs = append(vs, inv("below-min", func(d *drawer) (any, bool, string) {
				if d.index(4) == 0 {
					return ip.lowest, false, fmt.Sprintf("lowest %s, min is %d", ip.wire(), ip.lo)
				}
				return ip.lo - 2 - d.int64In(0, ip.lo-2-ip.lowest), false, fmt.Sprintf("below min %d", ip.lo)
			}))
		}
	}
	if ip.hasMax && ip.hi < ip.highest {
		vs = append(vs, inv("max+1", func(*drawer) (any, bool, string) {
			return ip.hi + 1, false, fmt.Sprintf("max+1, max is %d", ip.hi)
		}))
		if ip.hi+1 < ip.highest {
			vs = append(vs, inv("above-max", func(d *drawer) (any, bool, string) {
				if d.index(4) == 0 {
					return ip.highest, false, fmt.Sprintf("highest %s, max is %d", ip.wire(), ip.hi)
				}
				return ip.hi + 2 + d.int64In(0, ip.highest-ip.hi-2), false, fmt.Sprintf("above max %d", ip.hi)
			}))
		}
	}
	if ip.int32 && (ip.hasMin || ip.hasMax) {
		vs = append(vs, variant{slug: "int32-overflow", expect: []string{codeSerialization, codeInvalidParameter},
			make: func(d *drawer) (any, bool, string) {
				v := []int64{math.MaxInt32 + 1, math.MinInt32 - 1, 1 << 53, -(1 << 53)}[d.index(4)]
				return v, false, "beyond what an int32 holds"
			}})
	}
	return vs
}

func (ip *intPlan) wire() string {
	if ip.int32 {
		return "int32"
	}
	return "exact JSON integer"
}
