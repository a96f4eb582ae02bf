package generators

import "sort"

// span is an inclusive range of string lengths, in code points.
type span struct{ lo, hi int }

// lenSet is a set of string lengths as sorted, disjoint, non-adjacent spans. Lengths
// are what let a generator pick the length first and then build a string of exactly
// that length; intervals rather than bitsets keep sums of sets cheap for the long
// caps that "far beyond max" needs.
type lenSet []span

func single(n int) lenSet { return lenSet{{n, n}} }

func between(lo, hi int) lenSet {
	if lo > hi {
		return nil
	}
	return lenSet{{lo, hi}}
}

func normalize(spans []span) lenSet {
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	out := lenSet{spans[0]}
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.lo <= last.hi+1 {
			last.hi = max(last.hi, s.hi)
			continue
		}
		out = append(out, s)
	}
	return out
}

func (a lenSet) empty() bool { return len(a) == 0 }

func (a lenSet) min() int { return a[0].lo }

func (a lenSet) max() int { return a[len(a)-1].hi }

func (a lenSet) contains(n int) bool {
	i := sort.Search(len(a), func(i int) bool { return a[i].hi >= n })
	return i < len(a) && a[i].lo <= n
}

// count is the number of lengths in the set.
func (a lenSet) count() int {
	n := 0
	for _, s := range a {
		n += s.hi - s.lo + 1
	}
	return n
}

// nth returns the i-th smallest length, so that a draw of index 0 (where rapid
// shrinks to) is the shortest length.
func (a lenSet) nth(i int) int {
	for _, s := range a {
		if w := s.hi - s.lo + 1; i < w {
			return s.lo + i
		} else {
			i -= w
		}
	}
	panic("generators: lenSet index out of range")
}

// atLeast returns the smallest member ≥ n, if any.
func (a lenSet) atLeast(n int) (int, bool) {
	i := sort.Search(len(a), func(i int) bool { return a[i].hi >= n })
	if i == len(a) {
		return 0, false
	}
	return max(a[i].lo, n), true
}

func union(a, b lenSet) lenSet {
	return normalize(append(append([]span(nil), a...), b...))
}

func intersect(a, b lenSet) lenSet { return intersectInto(nil, a, b) }

// intersectInto is intersect written into dst's room: a pattern's draw splits its
// length between the parts of a concatenation with one intersection per part, a
// dozen sets per case that need not outlive the draw.
func intersectInto(dst, a, b lenSet) lenSet {
	out := dst[:0]
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		lo, hi := max(a[i].lo, b[j].lo), min(a[i].hi, b[j].hi)
		if lo <= hi {
			out = append(out, span{lo, hi})
		}
		if a[i].hi < b[j].hi {
			i++
		} else {
			j++
		}
	}
	return out
}

// plus is the set of sums x+y (x in a, y in b) that do not exceed limit: the lengths
// of a concatenation.
func plus(a, b lenSet, limit int) lenSet {
	var out []span
	for _, x := range a {
		for _, y := range b {
			if lo := x.lo + y.lo; lo <= limit {
				out = append(out, span{lo, min(x.hi+y.hi, limit)})
			}
		}
	}
	return normalize(out)
}

// fromInto is {n - x : x in a, 0 ≤ n - x}, the lengths left for the rest of a string
// of length n once a part with a length in a is taken, written into dst's room (see
// intersectInto).
func (a lenSet) fromInto(dst lenSet, n int) lenSet {
	out := dst[:0]
	for i := len(a) - 1; i >= 0; i-- {
		lo, hi := n-a[i].hi, n-a[i].lo
		if hi < 0 {
			continue
		}
		out = append(out, span{max(lo, 0), hi})
	}
	return out
}
