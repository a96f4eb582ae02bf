package generators

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
)

// A pattern is compiled into a tree that knows, for every node, the exact set of
// lengths its matches can have (up to a limit). Generation then picks a length the
// shape allows and builds a match of exactly that length top-down: a concatenation
// splits its length among its parts, a repetition among its items, each choice drawn
// only among the lengths that can still be completed. Nothing is generated and then
// thrown away, so the discard rate is zero whatever the pattern and length limits.

type nodeOp int

const (
	opEmpty  nodeOp = iota // zero-width: anchors, empty match
	opLit                  // fixed runes
	opClass                // one rune from a class
	opConcat               // parts in order
	opAlt                  // one alternative
	opRepeat               // items
)

type node struct {
	op    nodeOp
	runes []rune     // opLit
	class *runeClass // opClass
	subs  []*node    // opConcat, opAlt; opRepeat has one
	// lens is every length a match of the node can have, up to the limit.
	lens lenSet
	// suffix[i] is the lengths of subs[i:] of a concatenation.
	suffix []lenSet
	// Repetitions: item is the item's non-zero lengths (empty items add nothing
	// to a string, so they are never drawn); minItems and maxItems bound the number
	// of non-empty items (maxItems -1: unbounded). When every non-empty item has the
	// same length, step is that length and exact is not needed; otherwise exact[c]
	// is the lengths of exactly c non-empty items.
	item               lenSet
	minItems, maxItems int
	step               int
	exact              []lenSet
}

// pattern is a compiled pattern.
type pattern struct {
	source string
	root   *node
	limit  int
	// alphabet is every rune a match can contain: a value holding any other rune
	// cannot match, which is how invalid values are built without trial and error.
	alphabet *runeClass
	// required lists the runes every match contains (DeviceKey's "_"): dropping all
	// of them is a sure way to break the pattern.
	required []rune
}

// compilePattern parses a pattern with Go's syntax (the one the spec's Regexp and the
// oracle use) and computes match lengths up to limit.
func compilePattern(expr string, limit int) (*pattern, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("generators: parsing pattern %q: %w", expr, err)
	}
	var alpha []rune
	root, err := build(re, limit, &alpha)
	if err != nil {
		return nil, fmt.Errorf("generators: pattern %q: %w", expr, err)
	}
	p := &pattern{source: expr, root: root, limit: limit, alphabet: newRuneClass(alpha)}
	if p.alphabet == nil {
		p.alphabet = &runeClass{}
	}
	p.required = requiredRunes(root)
	return p, nil
}

func build(re *syntax.Regexp, limit int, alpha *[]rune) (*node, error) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText:
		// Anchors only appear at the ends of the model's patterns (^(?:...)$), where a
		// whole-value match satisfies them; elsewhere the tests' regexp check would catch it.
		return &node{op: opEmpty, lens: single(0)}, nil
	case syntax.OpNoMatch:
		return &node{op: opAlt}, nil
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			// Case-insensitive literal: each rune is a class of its case variants.
			n := &node{op: opConcat}
			for _, r := range re.Rune {
				var pairs []rune
				for f := r; ; {
					pairs = append(pairs, f, f)
					if f = unicode.SimpleFold(f); f == r {
						break
					}
				}
				*alpha = append(*alpha, pairs...)
				n.subs = append(n.subs, &node{op: opClass, class: newRuneClass(pairs), lens: single(1)})
			}
			return finishConcat(n, limit), nil
		}
		for _, r := range re.Rune {
			*alpha = append(*alpha, r, r)
		}
		if len(re.Rune) > limit {
			return &node{op: opLit, runes: re.Rune}, nil
		}
		return &node{op: opLit, runes: slices.Clone(re.Rune), lens: single(len(re.Rune))}, nil
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		pairs := re.Rune
		switch re.Op {
		case syntax.OpAnyCharNotNL:
			pairs = []rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune}
		case syntax.OpAnyChar:
			pairs = []rune{0, unicode.MaxRune}
		}
		c := newRuneClass(pairs)
		if c == nil || limit < 1 {
			return &node{op: opClass, class: c}, nil
		}
		*alpha = append(*alpha, pairs...)
		return &node{op: opClass, class: c, lens: single(1)}, nil
	case syntax.OpCapture:
		return build(re.Sub[0], limit, alpha)
	case syntax.OpConcat, syntax.OpAlternate:
		n := &node{op: opConcat}
		if re.Op == syntax.OpAlternate {
			n.op = opAlt
		}
		for _, s := range re.Sub {
			sub, err := build(s, limit, alpha)
			if err != nil {
				return nil, err
			}
			n.subs = append(n.subs, sub)
		}
		if n.op == opAlt {
			for _, s := range n.subs {
				n.lens = union(n.lens, s.lens)
			}
			return n, nil
		}
		return finishConcat(n, limit), nil
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := re.Min, re.Max
		switch re.Op {
		case syntax.OpStar:
			lo, hi = 0, -1
		case syntax.OpPlus:
			lo, hi = 1, -1
		case syntax.OpQuest:
			lo, hi = 0, 1
		}
		sub, err := build(re.Sub[0], limit, alpha)
		if err != nil {
			return nil, err
		}
		return finishRepeat(&node{op: opRepeat, subs: []*node{sub}}, lo, hi, limit), nil
	default:
		// \b and \B constrain a match by its neighbours, which a length-first
		// construction cannot see.
		return nil, fmt.Errorf("%v is not supported by the length-exact generator", re.Op)
	}
}

func finishConcat(n *node, limit int) *node {
	n.suffix = make([]lenSet, len(n.subs)+1)
	n.suffix[len(n.subs)] = single(0)
	for i := len(n.subs) - 1; i >= 0; i-- {
		n.suffix[i] = plus(n.subs[i].lens, n.suffix[i+1], limit)
	}
	n.lens = n.suffix[0]
	return n
}

func finishRepeat(n *node, lo, hi, limit int) *node {
	sub := n.subs[0]
	n.item = intersect(sub.lens, between(1, limit))
	n.minItems, n.maxItems = lo, hi
	if sub.lens.contains(0) {
		// Empty items can make up the count, so no non-empty item is required.
		n.minItems = 0
	}
	if n.item.empty() {
		if n.minItems == 0 || sub.lens.contains(0) {
			n.lens = single(0)
		}
		n.maxItems = 0
		return n
	}
	if n.item.count() == 1 {
		k := n.item.min()
		n.step = k
		most := limit / k
		if hi >= 0 {
			most = min(most, hi)
		}
		n.maxItems = most
		var spans []span
		if k == 1 {
			spans = append(spans, span{n.minItems, most})
		} else {
			for c := n.minItems; c <= most; c++ {
				spans = append(spans, span{c * k, c * k})
			}
		}
		n.lens = normalize(spans)
		return n
	}
	n.exact = []lenSet{single(0)}
	for c := 1; hi < 0 || c <= hi; c++ {
		next := plus(n.exact[c-1], n.item, limit)
		if next.empty() {
			break
		}
		n.exact = append(n.exact, next)
	}
	n.maxItems = len(n.exact) - 1
	for c := n.minItems; c < len(n.exact); c++ {
		n.lens = union(n.lens, n.exact[c])
	}
	return n
}

// requiredRunes returns the runes that every match of n contains.
func requiredRunes(n *node) []rune {
	switch n.op {
	case opLit:
		out := slices.Clone(n.runes)
		slices.Sort(out)
		return slices.Compact(out)
	case opClass:
		if n.class != nil && n.class.total == 1 {
			return []rune{n.class.spans[0].lo}
		}
	case opConcat:
		var out []rune
		for _, s := range n.subs {
			out = append(out, requiredRunes(s)...)
		}
		slices.Sort(out)
		return slices.Compact(out)
	case opAlt:
		if len(n.subs) == 0 {
			return nil
		}
		out := requiredRunes(n.subs[0])
		for _, s := range n.subs[1:] {
			rs := requiredRunes(s)
			out = slices.DeleteFunc(out, func(r rune) bool { return !slices.Contains(rs, r) })
		}
		return out
	case opRepeat:
		if n.minItems > 0 {
			return requiredRunes(n.subs[0])
		}
	}
	return nil
}

// generate writes a match of n with exactly length runes; length must be in n.lens.
func (n *node) generate(d *drawer, length int, b *strings.Builder) {
	switch n.op {
	case opLit:
		for _, r := range n.runes {
			b.WriteRune(r)
		}
	case opClass:
		b.WriteRune(d.runeOf(n.class))
	case opConcat:
		// Room for the sets of lengths a part can take, on the stack: lengthIn
		// draws from them before the part is generated, so one pair serves all.
		var scratch [2][8]span
		rest := length
		for i, s := range n.subs {
			part := rest
			if i < len(n.subs)-1 {
				part = d.lengthIn(intersectInto(scratch[0][:], s.lens, n.suffix[i+1].fromInto(scratch[1][:], rest)))
			}
			s.generate(d, part, b)
			rest -= part
		}
	case opAlt:
		var fits []*node
		for _, s := range n.subs {
			if s.lens.contains(length) {
				fits = append(fits, s)
			}
		}
		fits[d.index(len(fits))].generate(d, length, b)
	case opRepeat:
		if length == 0 {
			return
		}
		sub := n.subs[0]
		if n.step > 0 {
			if sub.op == opClass {
				// A run of one class ([\S]+, most of a long value): its tail is
				// written in bulk, not rune by rune.
				d.writeRun(b, sub.class, length)
				return
			}
			for range length / n.step {
				sub.generate(d, n.step, b)
			}
			return
		}
		var counts []int
		for c := n.minItems; c <= n.maxItems; c++ {
			if n.exact[c].contains(length) {
				counts = append(counts, c)
			}
		}
		c := counts[d.index(len(counts))]
		var scratch [2][8]span
		rest := length
		for i := range c {
			part := rest
			if i < c-1 {
				part = d.lengthIn(intersectInto(scratch[0][:], n.item, n.exact[c-1-i].fromInto(scratch[1][:], rest)))
			}
			sub.generate(d, part, b)
			rest -= part
		}
	}
}
