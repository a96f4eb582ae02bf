package generators_test

import (
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/generators"
	"github.com/cogconform/cogconform/spec"
)

// Boundary requests are valid (the oracle finds nothing) and put the member exactly on
// the bound: the shortest or longest length a valid value can have, or a range end.
func TestBoundaryCasesAreValidAndOnTheBound(t *testing.T) {
	m := loadModel(t)
	for _, c := range allConstraints(m) {
		if c.Kind != spec.ConstraintLength && c.Kind != spec.ConstraintRange {
			continue
		}
		g := generators.Boundary(c)
		t.Run(c.Operation.Name+"/"+c.String(), func(t *testing.T) {
			checkN(t, 50, func(t *rapid.T) {
				k := g.Draw(t, "case")
				vs, err := oracle(c.Operation.Input.Schema, k.Request)
				if err != nil {
					t.Fatal(err)
				}
				if len(vs) > 0 {
					t.Fatalf("%s: breaks %v", k.Description(), vs)
				}
				s := c.Member.Shape
				switch v := k.Value.(type) {
				case string:
					n := utf8.RuneCountInString(v)
					if (k.Variant == "max" && (s.MaxLength == nil || n != *s.MaxLength)) || (k.Variant == "min" && n < s.MinLength) {
						t.Fatalf("%s: %d characters is not the %s", k.Description(), n, k.Variant)
					}
				case int64:
					if (k.Variant == "max" && v != *s.Maximum) || (k.Variant == "min" && v != *s.Minimum) {
						t.Fatalf("%s: not the %s", k.Description(), k.Variant)
					}
				default:
					t.Fatalf("%s: value of type %T", k.Description(), v)
				}
			})
		})
	}
}
