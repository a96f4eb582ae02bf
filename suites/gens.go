package suites

import (
	"sync"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/generators"
	"github.com/cogconform/cogconform/spec"
)

// gens keeps one generator per operation, shape and constraint for the run: building
// one compiles the model's patterns into a plan, which is worth doing once, not per case.
type gens struct {
	mu        sync.Mutex
	requests  map[*spec.Operation]*rapid.Generator[map[string]any]
	valids    map[*spec.Shape]*rapid.Generator[any]
	invalids  map[string]*rapid.Generator[generators.Case]
	boundarys map[string]*rapid.Generator[generators.Case]
}

func constraintKey(c spec.Constraint) string { return c.Operation.Name + "/" + c.String() }

func (g *gens) request(op *spec.Operation) *rapid.Generator[map[string]any] {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.requests == nil {
		g.requests = map[*spec.Operation]*rapid.Generator[map[string]any]{}
	}
	if r, ok := g.requests[op]; ok {
		return r
	}
	r := generators.Request(op)
	g.requests[op] = r
	return r
}

func (g *gens) valid(s *spec.Shape) *rapid.Generator[any] {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.valids == nil {
		g.valids = map[*spec.Shape]*rapid.Generator[any]{}
	}
	if v, ok := g.valids[s]; ok {
		return v
	}
	v := generators.Valid(s)
	g.valids[s] = v
	return v
}

func (g *gens) invalid(c spec.Constraint) *rapid.Generator[generators.Case] {
	return g.cached(&g.invalids, c, generators.Invalid)
}

func (g *gens) boundary(c spec.Constraint) *rapid.Generator[generators.Case] {
	return g.cached(&g.boundarys, c, generators.Boundary)
}

func (g *gens) cached(m *map[string]*rapid.Generator[generators.Case], c spec.Constraint, build func(spec.Constraint) *rapid.Generator[generators.Case]) *rapid.Generator[generators.Case] {
	g.mu.Lock()
	defer g.mu.Unlock()
	if *m == nil {
		*m = map[string]*rapid.Generator[generators.Case]{}
	}
	k := constraintKey(c)
	if v, ok := (*m)[k]; ok {
		return v
	}
	v := build(c)
	(*m)[k] = v
	return v
}
