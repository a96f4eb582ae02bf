package generators

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// rapidRunes is how many runes of one string are drawn through rapid (and so shrink
// one by one). Past it, the rest of the string comes from a PCG seeded by a single
// rapid draw: still deterministic for a seed, still shrinkable as a whole (length and
// seed), but a 256 Ki-rune "far beyond max" value costs one draw instead of 262 144.
// 32 rather than more: each rapid draw costs about 150 ns (its bias to small values
// takes a logarithm), and a failing case shrinks its length first, so counterexamples
// end up inside the first 32 runes, and a longer one (a value one past a maximum
// length) has its tail's seed shrunk to 0, which writes what shrinking each rune
// would have (see minimalTail); 512 made draws 10% of a run's CPU, and 64 cost a
// length case 2-4 µs more than 32 (BenchmarkInvalid) for the same counterexamples.
const rapidRunes = 32

// compactRapidRunes is rapidRunes for compact values: the rest of an invalid case's
// request, or an envelope check's body. Nothing is judged on their characters, so
// they come whole from the tail source, one rapid draw a string: its seed shrinks
// to 0, which writes every character as the first of its class, what shrinking each
// character through rapid ended at (see minimalTail). They are most of a request's
// strings: at 8 runes through rapid they were most of its draws, and drawing a case
// cost a third more.
const compactRapidRunes = 0

// drawer carries the state of one generated value: the rapid.T that every choice is
// drawn from, and the long-string tail source.
type drawer struct {
	t      *rapid.T
	budget int
	tail   *rand.PCG // &pcg once the current string's tail is seeded, else nil
	pcg    rand.PCG
	// minimalTail is set when the tail source's seed was drawn as 0, as shrinking
	// draws it: the tail is then the first character of each class.
	minimalTail bool
	// drew records whether anything was drawn: rapid refuses a Custom generator
	// that draws nothing (an empty object, a one-member enum), see done.
	drew bool
}

func newDrawer(t *rapid.T) *drawer { return &drawer{t: t} }

// startString resets the per-string rune budget.
func (d *drawer) startString() {
	d.budget = rapidRunes
	d.tail, d.minimalTail = nil, false
}

// index draws an integer in [0, n). A single choice is no choice: nothing is drawn,
// which keeps fixed parts of a pattern (a literal "_") from costing a draw.
func (d *drawer) index(n int) int {
	if n <= 1 {
		return 0
	}
	d.drew = true
	return int(indexGen(n).Draw(d.t, ""))
}

// cachedIndexes is how many index generators are made once rather than at every
// draw: a generator is two allocations, and a case makes dozens of small choices
// (alternatives, repeat counts, coins), 9 of a request's 146 allocations.
const cachedIndexes = 256

// indexGens are the generators of [0, n) for n < cachedIndexes, built when the
// package is loaded and only read after: a rapid generator keeps no state of a draw.
var indexGens = func() (gens [cachedIndexes]*rapid.Generator[uint]) {
	for n := 2; n < cachedIndexes; n++ {
		gens[n] = newIndexGen(n)
	}
	return gens
}()

func indexGen(n int) *rapid.Generator[uint] {
	if n < cachedIndexes {
		return indexGens[n]
	}
	return newIndexGen(n)
}

// tailSeeds draws the seeds of tail sources. Like indexGens it is made once and only
// read after: rapid.Uint64 made a generator (an allocation) for every string.
var tailSeeds = rapid.Uint64()

// newIndexGen is unsigned: rapid's signed draws flip a coin for the sign first, even
// when the range has no negative part, which costs a float draw per character.
func newIndexGen(n int) *rapid.Generator[uint] { return rapid.UintRange(0, uint(n-1)) }

// int64In draws an integer in [lo, hi].
func (d *drawer) int64In(lo, hi int64) int64 {
	d.drew = true
	return rapid.Int64Range(lo, hi).Draw(d.t, "")
}

// float64In draws a float in [lo, hi].
func (d *drawer) float64In(lo, hi float64) float64 {
	d.drew = true
	return rapid.Float64Range(lo, hi).Draw(d.t, "")
}

// done makes sure the value drew something, as rapid requires of every Custom
// generator, even when the shape left no choice.
func (d *drawer) done() {
	if !d.drew {
		d.index(2)
	}
}

// endsLow is how many of the smallest draws mean "the lower end" in an ends draw.
const endsLow = 4

// ends draws an index in [0, n) with both ends drawn often on purpose, in a way
// rapid can still shrink precisely; a plan makes its draws ready once (newEnds), so
// that no generator is built at every case. The index is one draw u over [0, N),
// mapped monotonically: u < 4 is index 0, the next n values are the indices in order,
// and (when top is set) everything above is index n-1, the upper end, for N between
// 2n and 4n.
// Monotone matters: rapid shrinks u by binary search, so a property failing for
// lengths above 40 shrinks to exactly 41, even from a draw at the upper end. A
// separate "which boundary" draw would strand the shrinker at the boundary (lowering
// it would need the length draw to grow at the same time). With rapid's bias to
// small numbers, the lower end comes up in about 28% of draws and the upper end in
// 15-30% (less for very large n), measured by TestBoundariesComeUpOften.
type ends struct {
	n   int64
	gen *rapid.Generator[uint64] // nil when n ≤ 1: nothing to choose
}

func newEnds(n int64, top bool) ends {
	if n <= 1 {
		return ends{n: n}
	}
	size := endsLow + n
	if top {
		// A power of two from 2n to 4n: rapid draws uniformly once it reaches
		// the full bit length, so the top half-or-more of the space, all "upper
		// end", gets at least half of those draws.
		size = max(int64(1)<<(bits.Len64(uint64(n))+1), endsLow+n+1)
	}
	return ends{n: n, gen: rapid.Uint64Range(0, uint64(size-1))}
}

// end draws an index from e.
func (d *drawer) end(e ends) int64 {
	if e.gen == nil {
		return 0
	}
	d.drew = true
	u := int64(e.gen.Draw(d.t, ""))
	switch {
	case u < endsLow:
		return 0
	case u < endsLow+e.n:
		return u - endsLow
	}
	return e.n - 1
}

// lengthIn draws one member of s, shrinking towards the smallest.
func (d *drawer) lengthIn(s lenSet) int { return s.nth(d.index(s.count())) }

func (d *drawer) coin() bool { return d.index(2) == 1 }

// pick draws a rune of c through rapid, whatever the string budget.
func (d *drawer) pick(c *runeClass) rune {
	d.drew = true
	return c.at(int(c.pick.Draw(d.t, "")))
}

// runeOf draws the next rune of a string begun with startString.
func (d *drawer) runeOf(c *runeClass) rune {
	if d.budget > 0 {
		d.budget--
		return d.pick(c)
	}
	d.drew = true
	f, tail := c.fill, d.tailSource()
	if d.minimalTail {
		return c.at(0)
	}
	return f.at(intN(tail, f.total))
}

// tailSource returns the PCG of the current string's tail, seeding it from one rapid
// draw the first time.
func (d *drawer) tailSource() *rand.PCG {
	if d.tail == nil {
		seed := tailSeeds.Draw(d.t, "")
		d.pcg.Seed(seed, seed^0x9E3779B97F4A7C15)
		d.tail, d.minimalTail = &d.pcg, seed == 0
	}
	return d.tail
}

// intN is rand.New(p).IntN(n), n > 0, without an interface call per draw: the same
// reduction as math/rand/v2 (Lemire's, and a mask for powers of two), so the same
// values from the same source. It runs once per tail character where there is no
// pool: single runes and alphabets with no ASCII member.
func intN(p *rand.PCG, n int) int {
	u := uint64(n)
	if u&(u-1) == 0 {
		return int(p.Uint64() & (u - 1))
	}
	hi, lo := bits.Mul64(p.Uint64(), u)
	if lo < u {
		thresh := -u % u
		for lo < thresh {
			hi, lo = bits.Mul64(p.Uint64(), u)
		}
	}
	return int(hi)
}

// writeRun writes the next n runes of a string begun with startString, all from c:
// the runes the rapid budget has left one by one, the rest as one tail.
func (d *drawer) writeRun(b *strings.Builder, c *runeClass, n int) {
	for ; n > 0 && d.budget > 0; n-- {
		b.WriteRune(d.runeOf(c))
	}
	d.writeTail(b, c, n)
}

// tailWindows is how many different tails of one length an alphabet has: a tail
// starts at one of the first tailWindows characters of the alphabet's pool.
const tailWindows = 1 << 16

// tailPoolLen is the length of an alphabet's pool: a tail of up to farCap
// characters is one copy from it wherever it starts.
const tailPoolLen = tailWindows + farCap

// writeTail writes n runes of c's fill, from the tail source: the rest of a string
// whose rapid budget is spent, up to the 256 Ki runes of "far beyond max".
//
// An ASCII fill's tail is a window of its alphabet's pool at an offset the tail
// source draws: a copy, where drawing each character was a third of the cost of a
// 128 Ki-character value, on the goroutine every case of a check is drawn on. Each
// character is still uniform over the alphabet; what is lost is independence
// between tails (two may overlap, shifted), which nothing judges: a tail only fills
// a value to its length. A shorter tail from the same source is the start of a
// longer one, as rapid's shrinking of a length wants.
func (d *drawer) writeTail(b *strings.Builder, c *runeClass, n int) {
	if n <= 0 {
		return
	}
	d.drew = true
	tail, f := d.tailSource(), c.fill
	if d.minimalTail {
		r := c.at(0)
		for range n {
			b.WriteRune(r)
		}
		return
	}
	if f.ascii != nil {
		pool := f.ascii.tailPool()
		for off := int(tail.Uint64() % tailWindows); n > 0; off = 0 {
			m := min(n, len(pool)-off)
			b.WriteString(pool[off : off+m])
			n -= m
		}
		return
	}
	var chunk [1024]byte
	buf := chunk[:0]
	for range n {
		if len(buf) > len(chunk)-utf8.UTFMax {
			b.Write(buf)
			buf = chunk[:0]
		}
		buf = utf8.AppendRune(buf, f.at(intN(tail, f.total)))
	}
	b.Write(buf)
}

// writeDuos writes n characters drawn uniformly and independently from the
// alphabet of the pair table duos, eight per PCG output (one output per character,
// as intN draws, made the PCG most of the cost): an alphabet's tail pool.
//
// An output w gives four pairs as the base-k digits of (w·k⁴) >> 64, k = len(duos),
// read off one multiplication at a time: w·k = h0·2⁶⁴ + l0, l0·k = h1·2⁶⁴ + l1, ...,
// so that w·k⁴ = (((h0·k + h1)·k + h2)·k + h3)·2⁶⁴ + l3. Lemire's rejection on the
// whole product (l3 below 2⁶⁴ mod k⁴) leaves every one of the k⁴ quadruples exactly
// as many values of w: no modulo bias. A fill has at most 90 members, so k ≤ 8100,
// k⁴ < 2⁵², and under one output in 4000 is rejected.
func writeDuos(b *strings.Builder, src *rand.PCG, duos []uint16, n int) {
	k := uint64(len(duos))
	k4 := k * k * k * k
	reject := -k4 % k4
	// A copy of the generator, which the loop keeps in registers, not in *src.
	p := *src
	var chunk [1024]byte
	for n > 0 {
		m := min(n, len(chunk))
		for j := 0; j < m; {
			h0, l := bits.Mul64(p.Uint64(), k)
			h1, l := bits.Mul64(l, k)
			h2, l := bits.Mul64(l, k)
			h3, l := bits.Mul64(l, k)
			if l < reject {
				continue
			}
			v := uint64(duos[h0]) | uint64(duos[h1])<<16 | uint64(duos[h2])<<32 | uint64(duos[h3])<<48
			binary.LittleEndian.PutUint64(chunk[j:j+8], v)
			j += 8
		}
		// Only the last chunk can end inside an output (a full one holds 128), so a
		// shorter tail is the start of a longer one.
		b.Write(chunk[:m])
		n -= m
	}
	*src = p
}
