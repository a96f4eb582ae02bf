package generators

import (
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/spec"
)

// countingValid is Valid with a count of how many times rapid ran the generating
// function: a generator that threw draws away (rapid's Filter, or a retry on
// invalid data) would run it more often than it returns values.
func countingValid(s *spec.Shape, attempts *atomic.Int64) *rapid.Generator[any] {
	p := mustCompile(s)
	return rapid.Custom(func(t *rapid.T) any {
		attempts.Add(1)
		d := newDrawer(t)
		v := p.value(d, false)
		d.done()
		return v
	})
}

// patternShapes returns the model's string shapes with a pattern, one per pattern,
// sorted by name.
func patternShapes(tb testing.TB) []*spec.Shape {
	tb.Helper()
	m, err := spec.Load()
	if err != nil {
		tb.Fatalf("loading the model: %v", err)
	}
	seen := map[string]*spec.Shape{}
	for _, s := range m.Shapes() {
		if _, ok := seen[s.Pattern]; !ok && s.Kind == spec.KindString && s.Pattern != "" {
			seen[s.Pattern] = s
		}
	}
	out := make([]*spec.Shape, 0, len(seen))
	for _, s := range seen {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// measure draws n valid values of s in one rapid run and returns how many were
// drawn, how many generating runs that took, and how many values break the shape
// (its anchored pattern or length limits).
func measure(s *spec.Shape, n int, seed int) (values, attempts, bad int64, first string) {
	var tries atomic.Int64
	g := countingValid(s, &tries)
	var broken int64
	rapid.Custom(func(t *rapid.T) int {
		for range n {
			v := g.Draw(t, "").(string)
			if k := utf8.RuneCountInString(v); !s.Regexp.MatchString(v) || k < s.MinLength || (s.MaxLength != nil && k > *s.MaxLength) {
				if broken == 0 {
					first = v
				}
				broken++
			}
		}
		return 0
	}).Example(seed)
	return int64(n), tries.Load(), broken, first
}

// The discard rate of every pattern in the model, [\p{L}\p{M}\p{S}\p{N}\p{P}]+ and
// [\S]+ among them: values are built to match, so none is thrown away (the issue
// allows 5%), and none fails its shape.
func TestDiscardRateOfEveryPattern(t *testing.T) {
	shapes := patternShapes(t)
	var patterns []string
	for _, s := range shapes {
		patterns = append(patterns, s.Pattern)
	}
	for _, want := range []string{`^(?:[\p{L}\p{M}\p{S}\p{N}\p{P}]+)$`, `^(?:[\S]+)$`} {
		if !contains(patterns, want) {
			t.Fatalf("the model has no pattern %s any more; patterns: %v", want, patterns)
		}
	}
	for _, s := range shapes {
		values, attempts, bad, first := measure(s, 10000, 1)
		rate := float64(attempts-values+bad) / float64(attempts)
		t.Logf("%-26s %-40s %d values, %d attempts, %d invalid: discard rate %.2f%%", s.Name, s.Pattern, values, attempts, bad, 100*rate)
		if bad > 0 {
			t.Errorf("%s: %d of %d values break the shape, e.g. %q", s.Name, bad, values, first)
		}
		if rate >= 0.05 {
			t.Errorf("%s: discard rate %.2f%%, want under 5%%", s.Name, 100*rate)
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// BenchmarkValid measures, for every pattern of the model, valid values per second
// and the discard rate (generating runs that did not yield a valid value).
func BenchmarkValid(b *testing.B) {
	for _, s := range patternShapes(b) {
		b.Run(s.Name, func(b *testing.B) {
			var tries atomic.Int64
			g := countingValid(s, &tries)
			out := make([]string, 0, b.N)
			b.ResetTimer()
			rapid.Custom(func(t *rapid.T) int {
				for range b.N {
					out = append(out, g.Draw(t, "").(string))
				}
				return 0
			}).Example(1)
			b.StopTimer()
			var bad int
			for _, v := range out {
				if k := utf8.RuneCountInString(v); !s.Regexp.MatchString(v) || k < s.MinLength || (s.MaxLength != nil && k > *s.MaxLength) {
					bad++
				}
			}
			attempts := tries.Load()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "values/s")
			b.ReportMetric(100*float64(attempts-int64(b.N)+int64(bad))/float64(attempts), "discard-%")
			if bad > 0 {
				b.Fatalf("%d of %d values break %s", bad, b.N, s.Name)
			}
		})
	}
}

// BenchmarkInvalid measures invalid cases per second for each constraint kind.
func BenchmarkInvalid(b *testing.B) {
	m, err := spec.Load()
	if err != nil {
		b.Fatalf("loading the model: %v", err)
	}
	for _, c := range m.Operation("AdminGetDevice").Constraints() {
		g := Invalid(c)
		b.Run(fmt.Sprintf("%s/%s", c.MemberPath(), c.Kind), func(b *testing.B) {
			rapid.Custom(func(t *rapid.T) int {
				for range b.N {
					g.Draw(t, "")
				}
				return 0
			}).Example(1)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cases/s")
		})
	}
}
