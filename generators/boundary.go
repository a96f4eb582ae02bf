package generators

import (
	"fmt"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/spec"
)

// Boundary returns a generator of VALID requests whose member at c.Path sits exactly
// on a bound of c: for a length constraint a value of exactly the minimum or the
// maximum length (a pattern-valid one), for a range constraint exactly the minimum or
// the maximum. A conformant target must not reject such a value for that rule.
// Variant is "min" or "max"; Expect is empty (no rejection is expected).
func Boundary(c spec.Constraint) *rapid.Generator[Case] {
	if c.Kind != spec.ConstraintLength && c.Kind != spec.ConstraintRange {
		panic(fmt.Sprintf("generators: Boundary of %s: only length and range constraints have bounds", c))
	}
	req, err := compile(c.Operation.Input)
	if err != nil {
		panic(fmt.Sprintf("generators: %v", err))
	}
	chain, err := req.member(c.Path)
	if err != nil {
		panic(fmt.Sprintf("generators: %s: %v", c, err))
	}
	leaf := chain[len(chain)-1].plan
	type bound struct {
		slug  string
		value func(d *drawer) any
	}
	var bounds []bound
	switch {
	case c.Kind == spec.ConstraintLength && leaf.str != nil:
		sp := leaf.str
		// The shortest and longest lengths the pattern and the limits allow: with a
		// pattern that cannot make every length, the nearest feasible one is the bound.
		lo, hi := sp.valid.min(), sp.valid.max()
		bounds = append(bounds, bound{"min", func(d *drawer) any { return sp.exact(d, lo) }})
		if sp.bounded {
			bounds = append(bounds, bound{"max", func(d *drawer) any { return sp.exact(d, hi) }})
		}
	case c.Kind == spec.ConstraintRange && leaf.ints != nil:
		ip := leaf.ints
		if ip.hasMin {
			bounds = append(bounds, bound{"min", func(*drawer) any { return ip.lo }})
		}
		if ip.hasMax {
			bounds = append(bounds, bound{"max", func(*drawer) any { return ip.hi }})
		}
	}
	if len(bounds) == 0 {
		panic(fmt.Sprintf("generators: Boundary of %s: the member has no bound to sit on", c))
	}
	return rapid.Custom(func(t *rapid.T) Case {
		d := newDrawer(t)
		b := bounds[d.index(len(bounds))]
		body := req.value(d, true).(map[string]any)
		obj := body
		for _, m := range chain[:len(chain)-1] {
			next, ok := obj[m.member.Name].(map[string]any)
			if !ok {
				next = m.plan.value(d, true).(map[string]any)
				obj[m.member.Name] = next
			}
			obj = next
		}
		v := b.value(d)
		obj[c.Path[len(c.Path)-1]] = v
		return Case{
			Constraint: c,
			Variant:    b.slug,
			Request:    body,
			Value:      v,
			valid:      true,
		}
	})
}
