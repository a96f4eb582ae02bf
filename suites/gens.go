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
	return once(g, &g.requests, op, op, generators.Request)
}

// compact is the generator of valid requests with short strings
// (generators.CompactRequest), for checks about everything but the values.
func (g *gens) compact(op *spec.Operation) *rapid.Generator[map[string]any] {
	return once(g, &g.compacts, op, op, generators.CompactRequest)
}

func (g *gens) valid(s *spec.Shape) *rapid.Generator[any] {
	return once(g, &g.valids, s, s, generators.Valid)
}

func (g *gens) invalid(c spec.Constraint) *rapid.Generator[generators.Case] {
	return once(g, &g.invalids, constraintKey(c), c, generators.Invalid)
}

func (g *gens) boundary(c spec.Constraint) *rapid.Generator[generators.Case] {
	return once(g, &g.boundarys, constraintKey(c), c, generators.Boundary)
}

// once returns the generator kept under key, building it from arg the first time.
// It builds outside the lock, so that warm can build many at once: two callers may
// build the same generator, and either copy serves (a generator is a function of the
// model alone).
func once[K comparable, A, T any](g *gens, m *map[K]*rapid.Generator[T], key K, arg A, build func(A) *rapid.Generator[T]) *rapid.Generator[T] {
	g.mu.Lock()
	v, ok := (*m)[key]
	g.mu.Unlock()
	if ok {
		return v
	}
	v = build(arg)
	g.mu.Lock()
	defer g.mu.Unlock()
	if *m == nil {
		*m = map[K]*rapid.Generator[T]{}
	}
	if old, ok := (*m)[key]; ok {
		return old
	}
	(*m)[key] = v
	return v
}

// warm builds the generators of every operation and constraint of m. A check that
// built its own at its start kept the target idle for about 0.6 ms (patterns
// compiled into plans, Unicode classes expanded): 0.17 s of a default run. Called
// while the fixture is provisioned, which waits on the network, it costs nothing.
func (g *gens) warm(m *spec.Model) {
	for _, op := range m.Operations {
		g.request(op)
		g.compact(op)
		for _, c := range op.Constraints() {
			g.invalid(c)
			if c.Kind == spec.ConstraintLength {
				g.boundary(c)
			}
		}
	}
}
