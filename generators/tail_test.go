package generators

import (
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/spec"
)

// asciiClass returns a class of the first n printable ASCII characters a fill
// keeps, so that its fill has the same n members.
func asciiClass(t *testing.T, n int) *runeClass {
	t.Helper()
	var pairs []rune
	for r := rune(' '); r < 0x7F && len(pairs) < 2*n; r++ {
		if !strings.ContainsRune(`"\\<>&`, r) {
			pairs = append(pairs, r, r)
		}
	}
	c := newRuneClass(pairs)
	if c.fill.total != n || c.fill.ascii == nil {
		t.Fatalf("class %q: a fill of %d, want all of it", string(pairs), c.fill.total)
	}
	return c
}

// chiSquareOK says whether a chi-square statistic with df degrees of freedom is
// within six standard deviations of its mean: loose enough never to fail an unbiased
// draw by chance, tight enough for a modulo bias (a byte mod 89 makes 78 characters
// half again as likely as the other 11) to be far out.
func chiSquareOK(stat float64, df int) bool {
	return stat <= float64(df)+6*math.Sqrt(2*float64(df))
}

func chiSquare(counts []int, expected float64) float64 {
	var stat float64
	for _, c := range counts {
		d := float64(c) - expected
		stat += d * d / expected
	}
	return stat
}

// The bulk tail is uniform over its alphabet, character by character and pair by
// pair (pairs within one table entry and pairs across two), for alphabet sizes whose
// squares divide 2^64 evenly or not (74² leaves the most of 2^16 over, had the
// draws been 16 bits wide), and holds nothing outside the alphabet.
func TestTailIsUniform(t *testing.T) {
	for _, n := range []int{1, 2, 17, 66, 74, 89, 90} {
		c := asciiClass(t, n)
		index := map[byte]int{}
		for i := range n {
			index[byte(c.fill.at(i))] = i
		}
		const perPair = 80 // expected count of each pair, in each of the two pair tests
		length := 2 * n * n * perPair
		var b strings.Builder
		writeDuos(&b, rand.NewPCG(uint64(n), 1), c.fill.ascii.duos(), length)
		tail := b.String()
		if len(tail) != length {
			t.Fatalf("%d characters: wrote %d bytes, want %d", n, len(tail), length)
		}
		chars := make([]int, n)
		within := make([]int, n*n) // tail[2i], tail[2i+1]: one table entry
		across := make([]int, n*n) // tail[2i+1], tail[2i+2]: two entries
		for i := 0; i < length; i++ {
			k, ok := index[tail[i]]
			if !ok {
				t.Fatalf("%d characters: %q at %d is not one of them", n, tail[i], i)
			}
			chars[k]++
			if i%2 == 1 {
				within[index[tail[i-1]]*n+k]++
			} else if i > 0 {
				across[index[tail[i-1]]*n+k]++
			}
		}
		if n == 1 {
			continue
		}
		for _, test := range []struct {
			name   string
			counts []int
		}{{"characters", chars}, {"pairs in an entry", within}, {"pairs across entries", across}} {
			total := 0
			for _, k := range test.counts {
				total += k
			}
			stat := chiSquare(test.counts, float64(total)/float64(len(test.counts)))
			if !chiSquareOK(stat, len(test.counts)-1) {
				t.Errorf("%d characters, %s: chi-square %.0f with %d degrees of freedom", n, test.name, stat, len(test.counts)-1)
			}
		}
	}
}

// The tail depends on the seed alone: runs repeat seed for seed, and a shorter tail
// is the start of a longer one, so a value rapid shrinks in length keeps its start;
// past the end of the pool a tail goes on from its start.
func TestTailIsDeterministic(t *testing.T) {
	for _, c := range []*runeClass{asciiClass(t, 89), newRuneClass([]rune{0x400, 0x4FF})} {
		tail := func(seed uint64, n int) string {
			d := &drawer{tail: rand.NewPCG(seed, 2)}
			var b strings.Builder
			d.writeTail(&b, c, n)
			return b.String()
		}
		most := 2*tailPoolLen + 1
		if c.fill.ascii == nil {
			most = 5000 // rune by rune: the pool's lengths are not its subject
		}
		long := tail(3, most)
		for _, n := range []int{1, 7, 8, 9, 1023, 1024, 1025, 5000, farCap, tailPoolLen, tailPoolLen + 1, most} {
			if n > most {
				continue
			}
			a, b := tail(3, n), tail(3, n)
			if a != b || a != long[:len(a)] || utf8.RuneCountInString(a) != n {
				t.Errorf("class of %d, length %d: %.40q… and %.40q… from one seed, want %d runes of %.40q…", c.total, n, a, b, n, long)
			}
		}
		if tail(3, 100) == tail(4, 100) {
			t.Errorf("class of %d: seeds 3 and 4 gave the same tail", c.total)
		}
	}
}

// An alphabet's tails are windows of its pool, which is uniform over the alphabet
// and holds nothing else; the windows start at many different places.
func TestTailPoolIsUniform(t *testing.T) {
	for _, n := range []int{2, 17, 66, 89, 90} {
		c := asciiClass(t, n)
		pool := c.fill.ascii.tailPool()
		if len(pool) != tailPoolLen {
			t.Fatalf("%d characters: a pool of %d, want %d", n, len(pool), tailPoolLen)
		}
		index := map[byte]int{}
		for i := range n {
			index[byte(c.fill.at(i))] = i
		}
		counts := make([]int, n)
		for i := range len(pool) {
			k, ok := index[pool[i]]
			if !ok {
				t.Fatalf("%d characters: %q at %d is not one of them", n, pool[i], i)
			}
			counts[k]++
		}
		if stat := chiSquare(counts, float64(len(pool))/float64(n)); !chiSquareOK(stat, n-1) {
			t.Errorf("%d characters: chi-square %.0f with %d degrees of freedom", n, stat, n-1)
		}
		starts := map[string]bool{}
		for seed := range uint64(1000) {
			d := &drawer{tail: rand.NewPCG(seed, 5)}
			var b strings.Builder
			d.writeTail(&b, c, 32)
			starts[b.String()] = true
		}
		if len(starts) < 980 { // 1000 draws of 65 536 offsets repeat about 8
			t.Errorf("%d characters: 1000 seeds gave %d different 32-character tails", n, len(starts))
		}
	}
}

// Long values, where most of the string is the bulk tail, have exactly the length
// asked for in code points, match their pattern, and past the runes drawn through
// rapid hold only characters JSON carries as one byte (the harness's body cap
// relies on it).
func TestLongValuesHaveTheirLengthAndPattern(t *testing.T) {
	most := farCap
	shapes := []*spec.Shape{{Name: "unpatterned", Kind: spec.KindString, MaxLength: &most}}
	for _, s := range patternShapes(t) {
		// The model's own limits would keep values short: the tail is the subject.
		shapes = append(shapes, &spec.Shape{Name: s.Name, Kind: spec.KindString, Pattern: s.Pattern, MaxLength: &most})
	}
	lengths := []int{rapidRunes - 1, rapidRunes, rapidRunes + 1, rapidRunes + 7, rapidRunes + 1024, 1024, 1025, 5000, farCap}
	for _, s := range shapes {
		sp, err := newStringPlan(s)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(s.Pattern)
		for _, n := range lengths {
			if !sp.feasible.contains(n) {
				continue
			}
			for seed := range 3 {
				v := rapid.Custom(func(t *rapid.T) string {
					d := newDrawer(t)
					v := sp.exact(d, n)
					d.done()
					return v
				}).Example(seed)
				if k := utf8.RuneCountInString(v); k != n {
					t.Fatalf("%s, length %d, seed %d: %d runes", s.Name, n, seed, k)
				}
				if !re.MatchString(v) {
					t.Fatalf("%s, length %d, seed %d: %.80q... does not match %s", s.Name, n, seed, v, s.Pattern)
				}
				rest := v
				for range min(n, rapidRunes) {
					_, size := utf8.DecodeRuneInString(rest)
					rest = rest[size:]
				}
				if i := strings.IndexFunc(rest, func(r rune) bool { return r < 0x20 || r >= 0x7F || strings.ContainsRune(`"\<>&`, r) }); i >= 0 {
					t.Fatalf("%s, length %d, seed %d: %q past the first %d runes", s.Name, n, seed, rest[i], rapidRunes)
				}
			}
		}
	}
}

// tailLen is the length of a long value the harness sends: a 128 Ki-character
// verifier at its maximum length (far-beyond values reach twice that).
const tailLen = 131072

// BenchmarkTail measures the tail of a long string alone, past its rapid budget: the
// cost of "far beyond max" and maximum-length values, one op per 128 Ki characters.
func BenchmarkTail(b *testing.B) {
	classes := []struct {
		name  string
		class *runeClass
	}{
		{"any", anyRune()}, // 90-character ASCII fill
		{"token", newRuneClass([]rune{'-', '.', '0', '9', '=', '=', 'A', 'Z', '_', '_', 'a', 'z'})}, // 66
		{"hex", newRuneClass([]rune{'-', '-', '0', '9', 'a', 'f'})},                                 // 17
		{"cyrillic", newRuneClass([]rune{0x400, 0x4FF})},                                            // no ASCII: rune by rune
	}
	for _, c := range classes {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(tailLen)
			b.ReportAllocs()
			var sb strings.Builder
			rapid.Custom(func(t *rapid.T) int {
				for range b.N {
					d := newDrawer(t)
					d.startString()
					d.budget = 0
					sb.Reset()
					sb.Grow(tailLen) // as exact does
					d.writeTail(&sb, c.class, tailLen)
				}
				return 0
			}).Example(1)
		})
	}
}

// BenchmarkLong measures whole values of tailLen characters through exact, as Valid
// and the length cases build them: the rapid-drawn head, the tail, and the string.
func BenchmarkLong(b *testing.B) {
	most := 2 * tailLen
	for _, s := range []*spec.Shape{
		{Name: "token", Pattern: `^(?:[A-Za-z0-9-_=.]+)$`},
		{Name: "nonspace", Pattern: `^(?:[\S]+)$`},
		{Name: "username", Pattern: `^(?:[\p{L}\p{M}\p{S}\p{N}\p{P}]+)$`},
		{Name: "devicekey", Pattern: `^(?:[\w-]+_[0-9a-f-]+)$`},
		{Name: "unpatterned"},
	} {
		s.Kind, s.MaxLength = spec.KindString, &most
		sp, err := newStringPlan(s)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(s.Name, func(b *testing.B) {
			b.SetBytes(tailLen)
			b.ReportAllocs()
			rapid.Custom(func(t *rapid.T) int {
				for range b.N {
					sp.exact(newDrawer(t), tailLen)
				}
				return 0
			}).Example(1)
		})
	}
}
