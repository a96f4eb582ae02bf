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
	compacts  map[*spec.Operation]*rapid.Generator[map[string]any]
	valids    map[*spec.Shape]*rapid.Generator[any]
	invalids  map[string]*rapid.Generator[generators.Case]
	boundarys map[string]*rapid.Generator[generators.Case]
}

func constraintKey(c spec.Constraint) string { return c.Operation.Name + "/" + c.String() }

// request is the generator of full-range valid requests (generators.Request).
func (g *gens) request(op *spec.Operation) *rapid.Generator[map[string]any] {
	return g.perOp(&g.requests, op, generators.Request)
}

// compact is the generator of valid requests with short strings
// (generators.CompactRequest), for checks about everything but the values.
func (g *gens) compact(op *spec.Operation) *rapid.Generator[map[string]any] {
	return g.perOp(&g.compacts, op, generators.CompactRequest)
}

func (g *gens) perOp(m *map[*spec.Operation]*rapid.Generator[map[string]any], op *spec.Operation, build func(*spec.Operation) *rapid.Generator[map[string]any]) *rapid.Generator[map[string]any] {
	g.mu.Lock()
	defer g.mu.Unlock()
	if *m == nil {
		*m = map[*spec.Operation]*rapid.Generator[map[string]any]{}
	}
	if r, ok := (*m)[op]; ok {
		return r
	}
	r := build(op)
	(*m)[op] = r
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
