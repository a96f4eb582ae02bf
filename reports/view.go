package reports

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// familyOrder is the order of GUIDE §3: input validation first, then behaviour,
// then wire-level points. Families the suites add later follow in the order they
// first appear.
func familyOrder() []string {
	return []string{"required", "pattern", "length", "enum", "range", "type", "error-set", "empty-body",
		"lifecycle", "auth", "protocol", "format", "secrecy"}
}

// fixtureFamily holds the checks that stand for provisioning steps: they have a
// section of their own, and in the matrix they would be a row and a column with one
// cell between them.
const fixtureFamily = "fixture"

// generalOperation stands for checks that name no operation.
const generalOperation = "general"

func operationOf(c Check) string {
	if c.Operation == "" {
		return generalOperation
	}
	return c.Operation
}

// cellKind is how a matrix cell is coloured, from the worst verdict in it.
type cellKind string

const (
	cellFail     cellKind = "fail"     // a new conformance failure
	cellKnown    cellKind = "known"    // conformance failures, all known from the baseline
	cellAdvisory cellKind = "advisory" // only advisory checks failed
	cellPass     cellKind = "pass"     // every conformance check passed
	cellPartial  cellKind = "partial"  // passes and skips, no failure
	cellSkip     cellKind = "skip"     // only skips
	cellNone     cellKind = "none"     // no check of this family for this operation
)

type cell struct {
	Kind                        cellKind
	Pass, Fail, Known, Skip     int
	AdvisoryPass, AdvisoryFail  int
	FirstFailure, FirstAdvisory int // index into Run.Checks, -1 if none
}

func (c *cell) add(i int, ch Check) {
	switch {
	case ch.Advisory && ch.Verdict == Fail:
		c.AdvisoryFail++
		if c.FirstAdvisory < 0 {
			c.FirstAdvisory = i
		}
	case ch.Advisory && ch.Verdict == Pass:
		c.AdvisoryPass++
	case ch.Advisory:
		// an advisory skip says nothing about the cell
	case ch.Verdict == Pass:
		c.Pass++
	case ch.Verdict == Fail && ch.Known:
		c.Known++
		if c.FirstFailure < 0 {
			c.FirstFailure = i
		}
	case ch.Verdict == Fail:
		c.Fail++
		if c.FirstFailure < 0 || c.Known > 0 && c.Fail == 1 {
			c.FirstFailure = i
		}
	default:
		c.Skip++
	}
}

func (c *cell) classify() {
	switch {
	case c.Fail > 0:
		c.Kind = cellFail
	case c.Known > 0:
		c.Kind = cellKnown
	case c.AdvisoryFail > 0:
		c.Kind = cellAdvisory
	case c.Pass > 0 && c.Skip > 0:
		c.Kind = cellPartial
	case c.Pass > 0 || c.AdvisoryPass > 0:
		c.Kind = cellPass
	case c.Skip > 0:
		c.Kind = cellSkip
	default:
		c.Kind = cellNone
	}
}

type matrixRow struct {
	Operation string
	Cells     []cell
}

type matrix struct {
	Families []string
	Rows     []matrixRow
	// Fixture sums the fixture family's checks, shown under the table.
	Fixture cell
}

// buildMatrix lays checks out as operation × family: operations in the order the
// checks name them (the model's order), families in GUIDE order. The fixture
// family's checks are summed apart (see fixtureFamily).
func buildMatrix(run *Run) matrix {
	var ops []string
	opIndex := map[string]int{}
	present := map[string]bool{}
	var extra []string
	m := matrix{Fixture: cell{FirstFailure: -1, FirstAdvisory: -1}}
	for _, c := range run.Checks {
		if c.Family == fixtureFamily {
			continue
		}
		op := operationOf(c)
		if _, ok := opIndex[op]; !ok {
			opIndex[op] = len(ops)
			ops = append(ops, op)
		}
		if !present[c.Family] {
			present[c.Family] = true
			extra = append(extra, c.Family)
		}
	}
	var fams []string
	known := map[string]bool{}
	for _, f := range familyOrder() {
		known[f] = true
		if present[f] {
			fams = append(fams, f)
		}
	}
	for _, f := range extra {
		if !known[f] {
			fams = append(fams, f)
		}
	}
	famIndex := map[string]int{}
	for i, f := range fams {
		famIndex[f] = i
	}
	m.Families, m.Rows = fams, make([]matrixRow, len(ops))
	for i, op := range ops {
		m.Rows[i] = matrixRow{Operation: op, Cells: make([]cell, len(fams))}
		for j := range m.Rows[i].Cells {
			m.Rows[i].Cells[j] = cell{FirstFailure: -1, FirstAdvisory: -1}
		}
	}
	for i, c := range run.Checks {
		if c.Family == fixtureFamily {
			m.Fixture.add(i, c)
			continue
		}
		m.Rows[opIndex[operationOf(c)]].Cells[famIndex[c.Family]].add(i, c)
	}
	for i := range m.Rows {
		for j := range m.Rows[i].Cells {
			m.Rows[i].Cells[j].classify()
		}
	}
	m.Fixture.classify()
	return m
}

// requestText shows a counterexample's request as it went on the wire.
func requestText(ce *Counterexample) string {
	if ce == nil {
		return ""
	}
	var b strings.Builder
	method := ce.Method
	if method == "" {
		method = "POST"
	}
	fmt.Fprintf(&b, "%s /", method)
	if ce.Signed {
		b.WriteString("   (SigV4-signed)")
	}
	b.WriteString("\n")
	keys := make([]string, 0, len(ce.Headers))
	for k := range ce.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, ce.Headers[k])
	}
	if ce.Body != "" {
		b.WriteString("\n")
		b.WriteString(ce.Body)
	}
	return strings.TrimRight(b.String(), "\n")
}

// answerText shows what the target answered, or why nothing came back.
func answerText(resp Response) string {
	if resp.Status == 0 && resp.Error != "" {
		return "no answer: " + resp.Error
	}
	parts := []string{fmt.Sprintf("HTTP %d", resp.Status)}
	if resp.Code != "" {
		parts = append(parts, resp.Code)
	}
	if resp.ContentType != "" {
		parts = append(parts, resp.ContentType)
	}
	s := strings.Join(parts, " · ")
	if resp.Error != "" {
		s += "\nerror: " + resp.Error
	}
	if resp.Body != "" {
		s += "\n\n" + resp.Body
	}
	return s
}

// failureText is the full plain-text account of a failing check: JUnit's failure
// body and the console's.
func failureText(run *Run, c Check) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (%s)\n", operationOf(c), c.Name, c.ID)
	if c.Reason != "" {
		fmt.Fprintf(&b, "why: %s\n", c.Reason)
	}
	if c.Requirement != "" {
		fmt.Fprintf(&b, "requirement: %s\n", c.Requirement)
	}
	if ce := c.Counterexample; ce != nil {
		fmt.Fprintf(&b, "\nminimal request:\n%s\n", indent(requestText(ce)))
		fmt.Fprintf(&b, "\nanswer:\n%s\n", indent(answerText(ce.Response)))
		if ce.Expected != "" {
			fmt.Fprintf(&b, "\nexpected: %s\n", ce.Expected)
		}
		fmt.Fprintf(&b, "seed: %d\n", ce.Seed)
		if ce.Curl != "" {
			fmt.Fprintf(&b, "reproduce:\n%s\n", indent(ce.Curl))
		}
	} else {
		fmt.Fprintf(&b, "seed: %d\n", run.Seed)
	}
	if c.Message != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(c.Message))
	}
	return b.String()
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

func seedOf(run *Run, c Check) uint64 {
	if c.Counterexample != nil {
		return c.Counterexample.Seed
	}
	return run.Seed
}

// skipGroup gathers skipped checks that share a reason, so a fixture that could
// not be provisioned reads as one line with a count.
type skipGroup struct {
	Reason string
	Class  string
	IDs    []string
}

func skipGroups(run *Run) []skipGroup {
	var groups []skipGroup
	index := map[string]int{}
	for _, c := range run.Checks {
		if c.Verdict == Pass || c.Verdict == Fail {
			continue
		}
		reason := c.Reason
		if reason == "" {
			reason = "no reason given"
		}
		key := c.Class + "\x00" + reason
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, skipGroup{Reason: reason, Class: c.Class})
		}
		groups[i].IDs = append(groups[i].IDs, c.ID)
	}
	sort.SliceStable(groups, func(i, j int) bool { return len(groups[i].IDs) > len(groups[j].IDs) })
	return groups
}

func duration(run *Run) string {
	if run.Started.IsZero() || run.Finished.Before(run.Started) {
		return "unknown"
	}
	d := run.Finished.Sub(run.Started)
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	default:
		return d.Round(time.Second).String()
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
