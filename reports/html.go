package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// reportTemplate is the page, kept as a file so it can be read as HTML. It loads
// nothing: styles are inline and a Content-Security-Policy forbids every fetch,
// so the report can be attached to a claim and opened offline.
//
//go:embed report.html.tmpl
var reportTemplate string

// shownPerFinding is how many failures of one class are listed open; the rest
// fold away, so a target that fails everything one way is not hundreds of
// identical blocks.
const shownPerFinding = 20

type htmlCheck struct {
	Check
	Index   int
	Anchor  string
	Request string
	Answer  string
	Seed    uint64
}

type htmlGroup struct {
	Finding
	Shown []htmlCheck
	More  []htmlCheck
}

type htmlView struct {
	*Run
	Percent          string
	Duration         string
	Conformant       bool
	Matrix           matrix
	Groups           []htmlGroup
	Advisory         []htmlGroup
	Skips            []skipGroup
	Checks           []htmlCheck
	OptionKeys       []string
	NewFailures      int
	StartedFormatted string
}

func anchor(i int) string { return fmt.Sprintf("check-%d", i) }

func newHTMLView(run *Run) htmlView {
	v := htmlView{
		Run:        run,
		Percent:    run.percentLabel(),
		Duration:   duration(run),
		Conformant: run.Conformant(),
		Matrix:     buildMatrix(run),
		Skips:      skipGroups(run),
		OptionKeys: sortedKeys(run.Options),
	}
	if !run.Started.IsZero() {
		v.StartedFormatted = run.Started.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	byFinding := map[string][]htmlCheck{}
	for i, c := range run.Checks {
		hc := htmlCheck{Check: c, Index: i, Anchor: anchor(i), Seed: seedOf(run, c)}
		if c.Counterexample != nil {
			hc.Request = requestText(c.Counterexample)
			hc.Answer = answerText(c.Counterexample.Response)
		}
		v.Checks = append(v.Checks, hc)
		if c.Verdict == Fail {
			key := fmt.Sprintf("%t\x00%s", c.Advisory, classOf(c))
			byFinding[key] = append(byFinding[key], hc)
			if isNewFailure(c) {
				v.NewFailures++
			}
		}
	}
	for _, f := range run.Findings {
		checks := byFinding[fmt.Sprintf("%t\x00%s", f.Advisory, f.Class)]
		g := htmlGroup{Finding: f}
		// New failures before known ones: they are what the reader has to act on.
		var fresh, known []htmlCheck
		for _, c := range checks {
			if c.Known {
				known = append(known, c)
			} else {
				fresh = append(fresh, c)
			}
		}
		checks = append(fresh, known...)
		if len(checks) > shownPerFinding {
			g.Shown, g.More = checks[:shownPerFinding], checks[shownPerFinding:]
		} else {
			g.Shown = checks
		}
		if f.Advisory {
			v.Advisory = append(v.Advisory, g)
		} else {
			v.Groups = append(v.Groups, g)
		}
	}
	return v
}

func htmlFuncs() template.FuncMap {
	return template.FuncMap{
		"anchor": anchor,
		"join":   strings.Join,
		"oneLine": func(s string) string {
			return oneLine(s, 200)
		},
		"cellTitle": func(op, fam string, c cell) string {
			return fmt.Sprintf("%s × %s: %d passed, %d failed (%d known), %d skipped; advisory %d passed, %d failed",
				op, fam, c.Pass, c.Fail+c.Known, c.Known, c.Skip, c.AdvisoryPass, c.AdvisoryFail)
		},
		"link": func(c cell) string {
			if c.FirstFailure >= 0 {
				return anchor(c.FirstFailure)
			}
			if c.FirstAdvisory >= 0 {
				return anchor(c.FirstAdvisory)
			}
			return ""
		},
		"add":       func(a, b int) int { return a + b },
		"levelText": LevelText,
	}
}

// WriteHTML writes run as one self-contained HTML page (see report.html.tmpl),
// summarised and redacted of secret-shaped values; registered secrets need WriteAll.
func WriteHTML(w io.Writer, run *Run) error {
	data, err := renderHTML(prepare(run))
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func renderHTML(run *Run) ([]byte, error) {
	// Parsed per call: a template is cheap to parse next to a conformance run,
	// and nothing is shared between callers.
	t, err := template.New("report").Funcs(htmlFuncs()).Parse(reportTemplate)
	if err != nil {
		return nil, fmt.Errorf("parse report.html.tmpl: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, newHTMLView(run)); err != nil {
		return nil, fmt.Errorf("render report.html: %w", err)
	}
	return b.Bytes(), nil
}
