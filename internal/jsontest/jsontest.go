// Package jsontest writes random JSON documents for the tests that hold cogconform's
// own JSON readers (the reference target's request reader, awsjson's error-body scan)
// to encoding/json: nesting, escapes, numbers, literals, whitespace and, when asked,
// a syntax error. Each test says what its documents are made of; the shapes and the
// breakage are written once, here.
package jsontest

import (
	"math/rand/v2"
	"strings"
)

// Doc says what documents are made of.
type Doc struct {
	// Keys are the member names to use; none means random strings.
	Keys []string
	// Pieces are what strings are made of, raw JSON (escapes as written).
	Pieces []string
	// MaxDepth is the deepest nesting; deeper values are scalars.
	MaxDepth int
}

var (
	scalars = []string{"0", "-12", "3.25", "1e9", "-0.5E-3", "-1.5e2", "true", "false", "null"}
	spaces  = []string{"", " ", "\n", "\t ", "\r\n"}
)

// Object writes an object of up to four members.
func (d Doc) Object(rng *rand.Rand) string { return d.object(rng, 0) }

// Value writes any JSON value: an object, an array, a string, a number or a literal.
func (d Doc) Value(rng *rand.Rand) string { return d.value(rng, 0) }

func (d Doc) object(rng *rand.Rand, depth int) string {
	var members []string
	for range rng.IntN(5) {
		name := d.str(rng)
		if len(d.Keys) > 0 {
			name = `"` + d.Keys[rng.IntN(len(d.Keys))] + `"`
		}
		ws := spaces[rng.IntN(len(spaces))]
		members = append(members, ws+name+ws+":"+ws+d.value(rng, depth+1))
	}
	return "{" + strings.Join(members, ",") + "}"
}

func (d Doc) value(rng *rand.Rand, depth int) string {
	switch n := rng.IntN(10); {
	case n < 3 || depth >= d.MaxDepth:
		if rng.IntN(2) == 0 {
			return d.str(rng)
		}
		return scalars[rng.IntN(len(scalars))]
	case n < 5:
		var items []string
		for range rng.IntN(4) {
			items = append(items, d.value(rng, depth+1))
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	return d.object(rng, depth)
}

func (d Doc) str(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteByte('"')
	for range rng.IntN(6) {
		b.WriteString(d.Pieces[rng.IntN(len(d.Pieces))])
	}
	b.WriteByte('"')
	return b.String()
}

// junk is what Break puts into a document: structure, escapes' starts, number and
// literal characters, control bytes and invalid UTF-8.
var junk = []byte(`{}[]",:\ u0 1-.eE+tfn` + "\x00\x1f\x7f\xc3\xff")

// Break changes, drops or adds one byte of doc, which may or may not leave it valid.
func Break(rng *rand.Rand, doc string) string {
	if doc == "" {
		return string(junk[rng.IntN(len(junk))])
	}
	b := []byte(doc)
	i := rng.IntN(len(b))
	switch rng.IntN(3) {
	case 0:
		b[i] = junk[rng.IntN(len(junk))]
	case 1:
		b = append(b[:i], b[i+1:]...)
	default:
		b = append(b[:i], append([]byte{junk[rng.IntN(len(junk))]}, b[i:]...)...)
	}
	return string(b)
}
