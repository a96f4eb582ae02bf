package generators

import (
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"pgregory.net/rapid"
)

const (
	surrogateLo = 0xD800
	surrogateHi = 0xDFFF
	// verticalTab is left out of every class a value is drawn from. Go's \s is
	// [\t\n\f\r ] but Java's (which AWS validates with) also holds \x0B, so Go's \S
	// accepts a vertical tab that AWS's [\S]+ refuses: drawing it as "valid" would make
	// findings that are the oracle's dialect, not the target's fault; drawing it as
	// "invalid" would fail the oracle. Either way the case would say nothing.
	verticalTab = 0x0B
)

// runeSpan is an inclusive range of code points; before counts the code points of the
// spans before it, so that an index maps to a rune by binary search, never by rejection.
type runeSpan struct {
	lo, hi rune
	before int
}

// runeClass is a set of code points that values can be drawn from uniformly by index.
// Surrogates are never members: a Go string cannot hold one (it would be sent as
// U+FFFD, a different character).
type runeClass struct {
	spans []runeSpan
	total int
	// start is the index of the rune that index 0 maps to. Rapid shrinks draws
	// towards 0 and biases them to small values, so starting at 'a' (or '0', 'A')
	// makes counterexamples readable and typical values mostly plain, with the
	// rest of the class still reachable.
	start int
	pick  *rapid.Generator[uint]
	// head holds the runes of the first indices, where rapid's draws (biased to
	// small numbers) mostly land: a lookup instead of a binary search over the
	// hundreds of spans of a class like \p{L}.
	head []rune
	// fill is the part of the class that JSON carries as one byte per rune (or the
	// class itself when it has none): the runes of the long tail of a very long
	// string, which must stay within the harness's body cap.
	fill *runeClass
	// ascii is set for a fill whose members are all ASCII: what its long tails are
	// written from (see writeTail). Shared by the fills of one alphabet.
	ascii *asciiAlphabet
}

// newRuneClass builds a class from inclusive [lo, hi] pairs (the layout of
// regexp/syntax's Rune field), dropping surrogates and the vertical tab.
func newRuneClass(pairs []rune) *runeClass {
	c := newPlainClass(pairs)
	if c == nil {
		return nil
	}
	var ascii []rune
	for _, s := range c.spans {
		// Printable ASCII but the characters JSON encoders escape (" and \ as two
		// bytes, < > & as six in Go's encoder), so that one rune is one body byte.
		for _, part := range [][2]rune{{0x20, '"' - 1}, {'"' + 1, '%'}, {'\'', ';'}, {'=', '='}, {'?', '\\' - 1}, {'\\' + 1, 0x7E}} {
			lo, hi := max(s.lo, part[0]), min(s.hi, part[1])
			if lo <= hi {
				ascii = append(ascii, lo, hi)
			}
		}
	}
	c.fill = c
	if a := newPlainClass(ascii); a != nil {
		c.fill = a
	}
	c.fill.ascii = asciiOf(c.fill)
	return c
}

// asciiAlphabet is what the long tails of one ASCII alphabet are written from.
type asciiAlphabet struct {
	members string // in index order
	// pool is tailPoolLen characters drawn uniformly and independently from a fixed
	// seed, built the first time a tail needs it; every tail is a window of it.
	poolOnce sync.Once
	pool     string
}

// tailPool returns the alphabet's pool. Its seed is a constant, so that every
// process (ginkgo -p, a replay) has the same pool and a run's values depend on its
// seed alone.
func (a *asciiAlphabet) tailPool() string {
	a.poolOnce.Do(func() {
		duos := a.duos()
		var b strings.Builder
		b.Grow(tailPoolLen)
		writeDuos(&b, rand.NewPCG(0x636F67636F6E666F, uint64(len(duos))), duos, tailPoolLen)
		a.pool = b.String()
	})
	return a.pool
}

// duos is every ordered pair of members as two bytes (the first in the low byte),
// so that writeDuos writes two characters per lookup. A fill has at most 90 members
// (printable ASCII but five), so at most 8100 pairs; the table is needed only while
// the pool is drawn.
func (a *asciiAlphabet) duos() []uint16 {
	t := make([]uint16, 0, len(a.members)*len(a.members))
	for i := range len(a.members) {
		for j := range len(a.members) {
			t = append(t, uint16(a.members[i])|uint16(a.members[j])<<8)
		}
	}
	return t
}

// asciiAlphabets holds each ASCII alphabet and its pool, keyed by its members in
// index order. Patterns are compiled again for every generator, so without sharing
// every compile of the same [\S]+ would draw its own 320 KiB pool.
var asciiAlphabets sync.Map

// asciiOf returns c's alphabet, nil unless every member is ASCII.
func asciiOf(c *runeClass) *asciiAlphabet {
	if c.spans[len(c.spans)-1].hi >= utf8.RuneSelf {
		return nil
	}
	members := make([]byte, c.total)
	for i := range members {
		members[i] = byte(c.at(i))
	}
	shared, _ := asciiAlphabets.LoadOrStore(string(members), &asciiAlphabet{members: string(members)})
	return shared.(*asciiAlphabet)
}

func newPlainClass(pairs []rune) *runeClass {
	type rr struct{ lo, hi rune }
	var rs []rr
	add := func(lo, hi rune) {
		if lo <= hi {
			rs = append(rs, rr{lo, hi})
		}
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		lo, hi := max(pairs[i], 0), min(pairs[i+1], unicode.MaxRune)
		// Cut out the surrogates and the vertical tab.
		for _, hole := range [][2]rune{{verticalTab, verticalTab}, {surrogateLo, surrogateHi}} {
			if lo <= hole[1] && hi >= hole[0] {
				add(lo, hole[0]-1)
				lo = hole[1] + 1
			}
		}
		add(lo, hi)
	}
	if len(rs) == 0 {
		return nil
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].lo < rs[j].lo })
	c := &runeClass{}
	for _, r := range rs {
		if n := len(c.spans); n > 0 && r.lo <= c.spans[n-1].hi+1 {
			last := &c.spans[n-1]
			if r.hi > last.hi {
				c.total += int(r.hi - last.hi)
				last.hi = r.hi
			}
			continue
		}
		c.spans = append(c.spans, runeSpan{lo: r.lo, hi: r.hi, before: c.total})
		c.total += int(r.hi-r.lo) + 1
	}
	for _, r := range []rune{'a', '0', 'A'} {
		if i, ok := c.indexOf(r); ok {
			c.start = i
			break
		}
	}
	c.pick = rapid.UintRange(0, uint(c.total-1))
	c.head = make([]rune, min(c.total, headSize))
	for i := range c.head {
		c.head[i] = c.search(i)
	}
	return c
}

func (c *runeClass) indexOf(r rune) (int, bool) {
	i := sort.Search(len(c.spans), func(i int) bool { return c.spans[i].hi >= r })
	if i < len(c.spans) && c.spans[i].lo <= r {
		return c.spans[i].before + int(r-c.spans[i].lo), true
	}
	return 0, false
}

func (c *runeClass) contains(r rune) bool {
	_, ok := c.indexOf(r)
	return ok
}

// headSize is how many runes of a class are looked up rather than searched for.
const headSize = 1024

// at maps an index in [0, total) to a member, starting from c.start.
func (c *runeClass) at(i int) rune {
	if i < len(c.head) {
		return c.head[i]
	}
	return c.search(i)
}

func (c *runeClass) search(i int) rune {
	i = (i + c.start) % c.total
	j := sort.Search(len(c.spans), func(j int) bool { return c.spans[j].before+int(c.spans[j].hi-c.spans[j].lo) >= i })
	s := c.spans[j]
	return s.lo + rune(i-s.before)
}

// pairs returns the class as inclusive [lo, hi] pairs.
func (c *runeClass) pairs() []rune {
	if c == nil {
		return nil
	}
	out := make([]rune, 0, 2*len(c.spans))
	for _, s := range c.spans {
		out = append(out, s.lo, s.hi)
	}
	return out
}

// complement is every code point outside c (surrogates and the vertical tab excluded).
func (c *runeClass) complement() *runeClass {
	var out []rune
	next := rune(0)
	for _, s := range c.spans {
		if s.lo > next {
			out = append(out, next, s.lo-1)
		}
		next = s.hi + 1
	}
	if next <= unicode.MaxRune {
		out = append(out, next, unicode.MaxRune)
	}
	return newRuneClass(out)
}

// anyRune is the class of a string without a pattern: every Unicode scalar value.
func anyRune() *runeClass { return newRuneClass([]rune{0, unicode.MaxRune}) }

// Runes worth trying where a value must hold a character its pattern forbids: the
// ones implementations trip over (quotes, separators, path and template syntax,
// controls, invisible and bidirectional formatting, non-ASCII letters, emoji).
// Only those outside a pattern's alphabet are used for that pattern.
var forbiddenCandidates = []rune{
	'!', ' ', '/', '\\', '"', '\'', '<', '>', '%', '&', '*', '+', ',', ':', ';', '?',
	'@', '[', ']', '{', '}', '|', '~', '^', '$', '#', '(', ')', '`', '\t', '\n', '\r',
	0x00, 0x7F, 'é', 'ß', 'Ж', '€', '中', 0x200B, 0x202E, 0x3000, 0xFEFF, 0x1F600,
}

// Whitespace a target may trim, split on, or let through: ASCII, no-break, em and
// ideographic spaces.
var whitespaceCandidates = []rune{' ', '\t', '\n', '\r', '\f', 0x00A0, 0x2003, 0x3000}

// lookalikes maps ASCII characters to non-ASCII characters that render the same or
// nearly so: Cyrillic and Greek homoglyphs, dashes, and the fullwidth forms.
var lookalikes = map[rune][]rune{
	'a': {'а'}, 'c': {'с'}, 'e': {'е'}, 'i': {'і'}, 'j': {'ј'}, 'o': {'о', 'ο'}, 'p': {'р'},
	's': {'ѕ'}, 'x': {'х'}, 'y': {'у'}, 'A': {'А', 'Α'}, 'B': {'В', 'Β'}, 'C': {'С'},
	'E': {'Е', 'Ε'}, 'H': {'Н', 'Η'}, 'I': {'І', 'Ι'}, 'K': {'К', 'Κ'}, 'M': {'М', 'Μ'},
	'O': {'О', 'Ο'}, 'P': {'Р', 'Ρ'}, 'T': {'Т', 'Τ'}, 'X': {'Х', 'Χ'}, 'Y': {'Υ'}, 'Z': {'Ζ'},
	'-': {'‐', '‑', '–', '−'}, '_': {'＿', 'ˍ'}, '.': {'․', '。'}, '=': {'꓿', '＝'},
	'0': {'О', '߀'}, '1': {'ӏ'}, '3': {'З'}, '/': {'∕', '⁄'}, ':': {'։', '∶'},
}

// lookalikesOf returns the look-alikes of r, the fullwidth form of any printable
// ASCII character among them.
func lookalikesOf(r rune) []rune {
	out := append([]rune(nil), lookalikes[r]...)
	if r > 0x20 && r < 0x7F {
		out = append(out, r+0xFEE0)
	}
	return out
}
