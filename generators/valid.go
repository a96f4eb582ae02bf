package generators

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/spec"
)

const (
	// unboundedMax is the longest valid value drawn for a string without maxLength
	// (AccessToken, PaginationToken): longer than real Cognito tokens (~1-2 KB).
	unboundedMax = 2048
	// compactMax bounds the strings of the rest of an invalid case's request: they
	// are only there to be valid, and a request whose siblings are 128 Ki-rune
	// values would hide the broken member and strain the harness's body cap.
	compactMax = 256
	// farCap bounds "far beyond max" (4×max otherwise): 256 Ki runes, 256 KiB of
	// ASCII tail, within the harness's body cap.
	farCap = 262144
	// maxItems bounds generated lists: the model gives lists no size limits.
	maxItems = 3
)

// plan is what a shape compiles to: computed once per generator, read-only after,
// so one generator can be drawn from concurrently by several rapid.Ts.
type plan struct {
	shape   *spec.Shape
	str     *stringPlan // KindString without enum
	ints    *intPlan    // KindInteger
	members []*memberPlan
	items   *plan // KindArray
}

type memberPlan struct {
	member *spec.Member
	plan   *plan
}

func compile(s *spec.Shape) (*plan, error) { return compileShape(s, map[*spec.Shape]*plan{}) }

func compileShape(s *spec.Shape, seen map[*spec.Shape]*plan) (*plan, error) {
	if p, ok := seen[s]; ok {
		return p, nil
	}
	p := &plan{shape: s}
	seen[s] = p // before recursing: shapes may be shared or recursive
	var err error
	switch s.Kind {
	case spec.KindString:
		if len(s.Enum) == 0 {
			if p.str, err = sharedStringPlan(s); err != nil {
				return nil, err
			}
		}
	case spec.KindInteger:
		p.ints = newIntPlan(s)
	case spec.KindObject:
		for _, m := range s.Members {
			mp, err := compileShape(m.Shape, seen)
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", m.Name, err)
			}
			p.members = append(p.members, &memberPlan{member: m, plan: mp})
		}
	case spec.KindArray:
		if p.items, err = compileShape(s.Items, seen); err != nil {
			return nil, fmt.Errorf("items: %w", err)
		}
	case spec.KindBoolean, spec.KindNumber, spec.KindTimestamp:
	default:
		return nil, fmt.Errorf("shape %s: kind %q has no generator", s.Name, s.Kind)
	}
	return p, nil
}

func mustCompile(s *spec.Shape) *plan {
	p, err := compile(s)
	if err != nil {
		panic(fmt.Sprintf("generators: %v", err))
	}
	return p
}

// Valid returns a generator of JSON-ready values valid for s: string, int64, bool,
// float64 (numbers and timestamps), map[string]any and []any. Boundary values (length
// exactly min or max, range ends) are drawn often on purpose (see the package doc).
//
// Valid panics if s cannot be generated (a pattern no string of an allowed length
// matches, or a pattern using \b): that is a defect of the model, not of a draw.
func Valid(s *spec.Shape) *rapid.Generator[any] {
	p := mustCompile(s)
	return rapid.Custom(func(t *rapid.T) any {
		d := newDrawer(t)
		v := p.value(d, false)
		d.done()
		return v
	})
}

// Request returns a generator of valid input objects for op: every required member
// and a random subset of the optional ones (shrinking towards none), each string
// anywhere in its valid length range, the exact limits included.
func Request(op *spec.Operation) *rapid.Generator[map[string]any] { return request(op, false) }

// CompactRequest is Request with every string at most compactMax characters (or its
// minimum length, if that is longer). It is the request of checks about everything
// but the values (signatures, tokens, framing): there a 128 Ki-character verifier at
// its maximum length costs a quarter of a megabyte on the wire, both ways, and
// exercises nothing the check is about; the values' own ranges are the subject of
// the length, pattern and error-set checks, which use Request and Invalid.
func CompactRequest(op *spec.Operation) *rapid.Generator[map[string]any] { return request(op, true) }

func request(op *spec.Operation, compact bool) *rapid.Generator[map[string]any] {
	p := mustCompile(op.Input)
	return rapid.Custom(func(t *rapid.T) map[string]any {
		d := newDrawer(t)
		v := p.value(d, compact).(map[string]any)
		d.done()
		return v
	})
}

// value draws a valid value; compact keeps strings short (see compactMax).
func (p *plan) value(d *drawer, compact bool) any {
	s := p.shape
	switch s.Kind {
	case spec.KindString:
		if p.str == nil {
			return s.Enum[d.index(len(s.Enum))]
		}
		if compact {
			return p.str.exactDrawing(d, p.str.length(d, true), compactRapidRunes)
		}
		return p.str.exact(d, p.str.length(d, false))
	case spec.KindInteger:
		return p.ints.valid(d)
	case spec.KindBoolean:
		return d.coin()
	case spec.KindNumber:
		return d.float64In(-1e9, 1e9)
	case spec.KindTimestamp:
		// Epoch seconds with millisecond precision, 1970 to 2100, as AWS JSON sends them.
		sec := d.int64In(0, 4102444800)
		return float64(sec) + float64(d.index(1000))/1000
	case spec.KindObject:
		obj := make(map[string]any, len(p.members))
		for _, m := range p.members {
			if m.member.Required || d.coin() {
				obj[m.member.Name] = m.plan.value(d, compact)
			}
		}
		return obj
	case spec.KindArray:
		list := make([]any, d.index(maxItems+1))
		for i := range list {
			list[i] = p.items.value(d, compact)
		}
		return list
	}
	panic(fmt.Sprintf("generators: shape %s: kind %q has no generator", s.Name, s.Kind))
}

// stringPlan generates strings of a string shape without enum.
type stringPlan struct {
	pat   *pattern   // nil without a pattern
	runes *runeClass // the alphabet: the pattern's, or every rune
	// feasible is every length a value can have as far as the pattern goes (up to
	// "far beyond max"); valid is the part the shape's length limits allow.
	feasible, valid lenSet
	// compact is the part of valid a compact value's length is drawn from; the
	// length draws of both are made ready once.
	compact                lenSet
	validEnds, compactEnds ends
	minLen                 int
	maxLen                 int // unboundedMax when the shape has no maxLength
	bounded                bool
}

// stringPlanKey is what a string plan is made from.
type stringPlanKey struct {
	pattern      string
	minLen       int
	maxLen       int
	hasMaxLength bool
}

// stringPlans holds the string plans made so far, by what they are made from. A
// plan is read only once made. Each generator compiles its operation's whole input
// again, so without sharing the model's ten string shapes were compiled some 150
// times a run (their Unicode classes expanded each time): 25 ms of CPU, on the
// goroutine that must have the generators ready when the fixture is.
var stringPlans sync.Map

// sharedStringPlan is newStringPlan, made once for each pattern and length limits.
func sharedStringPlan(s *spec.Shape) (*stringPlan, error) {
	key := stringPlanKey{pattern: s.Pattern, minLen: s.MinLength}
	if s.MaxLength != nil {
		key.maxLen, key.hasMaxLength = *s.MaxLength, true
	}
	if sp, ok := stringPlans.Load(key); ok {
		return sp.(*stringPlan), nil
	}
	sp, err := newStringPlan(s)
	if err != nil {
		return nil, err
	}
	shared, _ := stringPlans.LoadOrStore(key, sp)
	return shared.(*stringPlan), nil
}

func newStringPlan(s *spec.Shape) (*stringPlan, error) {
	sp := &stringPlan{minLen: s.MinLength, maxLen: max(unboundedMax, s.MinLength)}
	if s.MaxLength != nil {
		sp.maxLen, sp.bounded = *s.MaxLength, true
	}
	limit := sp.maxLen
	if sp.bounded {
		limit = farBeyond(sp.maxLen)
	}
	if s.Pattern != "" {
		pat, err := compilePattern(s.Pattern, limit)
		if err != nil {
			return nil, fmt.Errorf("shape %s: %w", s.Name, err)
		}
		sp.pat, sp.runes, sp.feasible = pat, pat.alphabet, pat.root.lens
	} else {
		sp.runes, sp.feasible = anyRune(), between(0, limit)
	}
	sp.valid = intersect(sp.feasible, between(sp.minLen, sp.maxLen))
	if sp.valid.empty() {
		return nil, fmt.Errorf("shape %s: no value of length %d..%d matches pattern %s", s.Name, sp.minLen, sp.maxLen, s.Pattern)
	}
	sp.compact = intersect(sp.valid, between(0, max(sp.valid.min(), compactMax)))
	sp.validEnds = newEnds(int64(sp.valid.count()), sp.bounded)
	sp.compactEnds = newEnds(int64(sp.compact.count()), false)
	return sp, nil
}

// farBeyond is the longest "far beyond max" length: 4×max, at most farCap, at least max+2.
func farBeyond(maxLen int) int { return max(min(4*maxLen, farCap), maxLen+2) }

// length draws the length of a valid value, with exact min and max drawn often
// (see ends); compact values stay short and have no upper end to hit.
func (sp *stringPlan) length(d *drawer, compact bool) int {
	if compact {
		return sp.compact.nth(int(d.end(sp.compactEnds)))
	}
	return sp.valid.nth(int(d.end(sp.validEnds)))
}

// within draws a valid value whose length is in [lo, hi], preferring short ones (at
// most compactMax) for readable cases. If the pattern allows no such length, the
// value has another length, and the case's AlsoBreaks will say it breaks length too.
func (sp *stringPlan) within(d *drawer, lo, hi int) []rune {
	set := intersect(sp.valid, between(lo, min(hi, max(lo, compactMax))))
	if set.empty() {
		set = intersect(sp.valid, between(lo, hi))
	}
	if set.empty() {
		return []rune(sp.exact(d, sp.length(d, true)))
	}
	return []rune(sp.exact(d, d.lengthIn(set)))
}

// exact returns a value of exactly n runes matching the pattern; n must be feasible.
// It is written as UTF-8 as it is drawn, not built as a []rune of up to 256 Ki runes
// and converted.
func (sp *stringPlan) exact(d *drawer, n int) string { return sp.exactDrawing(d, n, rapidRunes) }

// exactDrawing is exact with the first budget runes drawn through rapid (see
// rapidRunes): compact values, there only to be valid, draw fewer (compactRapidRunes).
func (sp *stringPlan) exactDrawing(d *drawer, n, budget int) string {
	var b strings.Builder
	b.Grow(valueBytes(n))
	d.startString()
	d.budget = min(budget, rapidRunes)
	if sp.pat != nil {
		sp.pat.root.generate(d, n, &b)
	} else {
		d.writeRun(&b, sp.runes, n)
	}
	return b.String()
}

// valueBytes is room for a value of n runes in one allocation: the runes drawn
// through rapid take up to 4 bytes, the tail's one (its alphabet is an ASCII fill
// wherever the class has printable ASCII).
func valueBytes(n int) int { return n + (utf8.UTFMax-1)*min(n, rapidRunes) }

// alphabetOnly returns n runes of the alphabet, for lengths no match can have:
// the value then breaks the pattern too, which is unavoidable.
func (sp *stringPlan) alphabetOnly(d *drawer, n int) string {
	var b strings.Builder
	b.Grow(valueBytes(n))
	d.startString()
	d.writeRun(&b, sp.runes, n)
	return b.String()
}

// intPlan generates integers of an integer shape.
type intPlan struct {
	lo, hi          int64
	hasMin, hasMax  bool
	int32           bool
	lowest, highest int64 // what the wire type can carry
	ends            ends  // the draw of a valid value, made ready once
}

func newIntPlan(s *spec.Shape) *intPlan {
	ip := &intPlan{int32: s.Schema != nil && s.Schema.Format == "int32"}
	// Without a format, stay within what a JSON number carries exactly (2^53).
	ip.lowest, ip.highest = -(1 << 53), 1<<53
	if ip.int32 {
		ip.lowest, ip.highest = math.MinInt32, math.MaxInt32
	}
	ip.lo, ip.hi = ip.lowest, ip.highest
	if s.Minimum != nil {
		ip.lo, ip.hasMin = *s.Minimum, true
	}
	if s.Maximum != nil {
		ip.hi, ip.hasMax = *s.Maximum, true
	}
	if ip.hasMin || ip.hasMax {
		ip.ends = newEnds(ip.hi-ip.lo+1, true)
	}
	return ip
}

// valid draws a valid integer, with the range ends drawn often (see ends).
// Without any bound there is no end to favour, and rapid's own draw shrinks to 0.
func (ip *intPlan) valid(d *drawer) int64 {
	if !ip.hasMin && !ip.hasMax {
		return d.int64In(ip.lo, ip.hi)
	}
	return ip.lo + d.end(ip.ends)
}

// member returns the plan of the member at path below p.
func (p *plan) member(path []string) ([]*memberPlan, error) {
	var chain []*memberPlan
	cur := p
	for _, name := range path {
		i := slices.IndexFunc(cur.members, func(m *memberPlan) bool { return m.member.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("no member %s in %s", name, cur.shape.Name)
		}
		chain = append(chain, cur.members[i])
		cur = cur.members[i].plan
	}
	return chain, nil
}
