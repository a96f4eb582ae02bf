package generators_test

import (
	"reflect"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/generators"
)

// sequence draws n values from g in one run, so that a seed fixes the whole sequence.
func sequence[V any](g *rapid.Generator[V], n int) *rapid.Generator[[]V] {
	return rapid.SliceOfN(g, n, n)
}

// The same seed gives the same sequence of values, requests and cases; another seed
// gives another sequence. Generators are rebuilt between the two runs, so nothing
// carried in a generator's state can make them agree by accident.
func TestSameSeedSameSequence(t *testing.T) {
	m := loadModel(t)
	const n = 20
	seeds := []int{1, 12345}
	check := func(t *testing.T, name string, draw func(seed int) any) {
		t.Helper()
		for _, seed := range seeds {
			a, b := draw(seed), draw(seed)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s: seed %d gave two different sequences", name, seed)
			}
		}
		// A shape with one possible value (an empty output object) cannot differ.
		if a := draw(seeds[0]); !allEqual(a) && reflect.DeepEqual(a, draw(seeds[1])) {
			t.Errorf("%s: seeds %d and %d gave the same sequence", name, seeds[0], seeds[1])
		}
	}
	for _, s := range m.Shapes() {
		check(t, "Valid("+shapeName(s)+")", func(seed int) any { return sequence(generators.Valid(s), n).Example(seed) })
	}
	for _, op := range m.Operations {
		check(t, "Request("+op.Name+")", func(seed int) any { return sequence(generators.Request(op), n).Example(seed) })
	}
	for _, c := range allConstraints(m) {
		check(t, "Invalid("+c.Operation.Name+" "+c.String()+")", func(seed int) any {
			return sequence(generators.Invalid(c), n).Example(seed)
		})
	}
}

// allEqual says whether every element of a sequence is the same value.
func allEqual(seq any) bool {
	v := reflect.ValueOf(seq)
	for i := 1; i < v.Len(); i++ {
		if !reflect.DeepEqual(v.Index(i).Interface(), v.Index(0).Interface()) {
			return false
		}
	}
	return true
}

// One generator can serve several goroutines (the suites may run properties in
// parallel): each gets what it would get alone, seed for seed.
func TestGeneratorsAreSafeForConcurrentUse(t *testing.T) {
	m := loadModel(t)
	op := m.Operation("ConfirmDevice")
	req := sequence(generators.Request(op), 20)
	cases := sequence(generators.Invalid(op.Constraints()[len(op.Constraints())-1]), 20)
	const workers = 4
	want := make([]any, workers)
	for w := range workers {
		want[w] = []any{req.Example(w), cases.Example(w)}
	}
	got := make([]any, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[w] = []any{req.Example(w), cases.Example(w)}
		}()
	}
	wg.Wait()
	for w := range workers {
		if !reflect.DeepEqual(got[w], want[w]) {
			t.Errorf("goroutine %d drew something else than the same seed alone", w)
		}
	}
}
