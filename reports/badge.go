package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
)

// Badge colours, as shields.io names them.
const (
	badgeGreen  = "#4c1"    // 100%: no conformance failure at all
	badgeYellow = "#dfb317" // 80% and more
	badgeOrange = "#fe7d37" // 50% and more
	badgeRed    = "#e05d44" // below 50%
	badgeGrey   = "#9f9f9f" // nothing decided
)

// BadgeColor is the colour of the badge for a run: green only at 100%, which
// Percent reaches only when no conformance check failed.
func BadgeColor(run *Run) string {
	if !run.Decided() {
		return badgeGrey
	}
	p := math.Floor(run.Percent())
	switch {
	case p >= 100:
		return badgeGreen
	case p >= 80:
		return badgeYellow
	case p >= 50:
		return badgeOrange
	default:
		return badgeRed
	}
}

// verdanaWidth approximates the advance of a character in 11px Verdana, the
// font shields.io measures with, so the badge's halves fit their text.
func verdanaWidth(r rune) float64 {
	switch {
	case r >= '0' && r <= '9':
		return 7.0
	case r == '%':
		return 12.3
	case r == ' ' || r == '.':
		return 3.9
	case r == '/':
		return 4.9
	}
	widths := map[rune]float64{
		'a': 6.8, 'b': 7.0, 'c': 5.9, 'd': 7.0, 'e': 6.8, 'f': 3.9, 'g': 7.0, 'h': 7.1, 'i': 3.0,
		'j': 3.8, 'k': 6.6, 'l': 3.0, 'm': 10.9, 'n': 7.1, 'o': 6.8, 'p': 7.0, 'q': 7.0, 'r': 4.7,
		's': 5.8, 't': 4.4, 'u': 7.1, 'v': 6.6, 'w': 9.0, 'x': 6.6, 'y': 6.6, 'z': 5.8,
	}
	if w, ok := widths[r]; ok {
		return w
	}
	return 7.5
}

func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += verdanaWidth(r)
	}
	return w
}

// WriteBadge writes badge.svg: a flat shields-style badge "cogconform | 87%",
// self-contained (no fonts or images fetched).
func WriteBadge(w io.Writer, run *Run) error {
	_, err := w.Write(renderBadge(prepare(run)))
	return err
}

func renderBadge(run *Run) []byte {
	label, value := "cogconform", run.percentLabel()
	lw := int(math.Round(textWidth(label))) + 10
	rw := int(math.Round(textWidth(value))) + 10
	total := lw + rw
	esc := func(s string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(s)) // writing to a bytes.Buffer cannot fail
		return b.String()
	}
	title := esc(label + ": " + value)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s">`, total, title)
	fmt.Fprintf(&b, `<title>%s</title>`, title)
	b.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	fmt.Fprintf(&b, `<clipPath id="r"><rect width="%d" height="20" rx="3" fill="#fff"/></clipPath>`, total)
	fmt.Fprintf(&b, `<g clip-path="url(#r)"><rect width="%d" height="20" fill="#555"/><rect x="%d" width="%d" height="20" fill="%s"/><rect width="%d" height="20" fill="url(#s)"/></g>`,
		lw, lw, rw, BadgeColor(run), total)
	b.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">`)
	for _, part := range []struct {
		text   string
		center int
	}{{label, lw * 5}, {value, lw*10 + rw*5}} {
		tl := int(math.Round(textWidth(part.text) * 10))
		t := esc(part.text)
		fmt.Fprintf(&b, `<text aria-hidden="true" x="%d" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="%d">%s</text>`, part.center, tl, t)
		fmt.Fprintf(&b, `<text x="%d" y="140" transform="scale(.1)" fill="#fff" textLength="%d">%s</text>`, part.center, tl, t)
	}
	b.WriteString("</g></svg>\n")
	return b.Bytes()
}
