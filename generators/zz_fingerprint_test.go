package generators_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"testing"

	"github.com/cogconform/cogconform/generators"
	"github.com/cogconform/cogconform/spec"
)

func TestZZFingerprint(t *testing.T) {
	path := os.Getenv("FP_OUT")
	if path == "" {
		t.Skip()
	}
	m := loadModel(t)
	h := sha256.New()
	for seed := 1; seed <= 40; seed++ {
		for _, s := range allShapes(m) {
			fmt.Fprintf(h, "%#v", sequence(generators.Valid(s), 5).Example(seed))
		}
		for _, op := range m.Operations {
			fmt.Fprintf(h, "%#v", sequence(generators.Request(op), 5).Example(seed))
		}
		pr := func(cs []generators.Case) {
			for _, c := range cs {
				fmt.Fprintf(h, "%q %q %#v %#v %v %v %v\n", c.Variant, c.Description, c.Request, c.Value, c.Omitted, c.Expect, c.AlsoBreaks)
			}
		}
		for _, c := range allConstraints(m) {
			pr(sequence(generators.Invalid(c), 5).Example(seed))
			if c.Kind == spec.ConstraintLength || c.Kind == spec.ConstraintRange {
				pr(sequence(generators.Boundary(c), 5).Example(seed))
			}
		}
	}
	os.WriteFile(path, []byte(fmt.Sprintf("%x\n", h.Sum(nil))), 0o644)
}
