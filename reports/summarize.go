package reports

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// FormatVersion is the layout version of results.json that this package writes
// and reads; results.schema.json pins it.
const FormatVersion = 1

// The conformance levels of a run, from worst to best. Summarize picks the first
// that applies, so a proven failure is never hidden by an interruption and skips
// never pass for conformance.
const (
	// LevelNonconformant: at least one conformance check failed that the baseline
	// (if any) did not already list. Proven even if the run was interrupted.
	LevelNonconformant = "nonconformant"
	// LevelIncomplete: the run was interrupted or ran out of time before every
	// check finished, and no new conformance failure was found in what did run.
	LevelIncomplete = "incomplete"
	// LevelKnownFailures: every conformance failure is a known one from the
	// baseline. The run does not fail (Conformant is true) but it is not a claim
	// of conformance either.
	LevelKnownFailures = "known-failures"
	// LevelPartial: no conformance check failed, but some were skipped (typically
	// because the target could not provision the fixture) or none ran at all, so
	// conformance is not shown.
	LevelPartial = "partial"
	// LevelConformant: every conformance check ran and passed. Advisory findings
	// do not affect it.
	LevelConformant = "conformant"
)

// Levels lists the levels from worst to best, as results.schema.json enumerates them.
func Levels() []string {
	return []string{LevelNonconformant, LevelIncomplete, LevelKnownFailures, LevelPartial, LevelConformant}
}

// unclassified is the finding class of failures whose check gave no Class, so
// they are still counted and shown rather than dropped.
const unclassified = "unclassified"

// Summarize computes the derived parts of the record from Checks: Totals,
// Findings, Level, FormatVersion, Tool when empty, and Headline when the suites
// left it empty and one finding dominates. Call it after CompareBaseline: known
// failures are counted from Check.Known. It is idempotent; the writers call it on
// their own copy, so a caller needs it only to read Level or Totals itself.
func (r *Run) Summarize() {
	r.FormatVersion = FormatVersion
	if r.Tool == "" {
		r.Tool = "cogconform"
	}
	if r.Options == nil {
		r.Options = map[string]string{}
	}
	if r.Checks == nil {
		r.Checks = []Check{}
	}
	// The record spells empty lists as [] and a failure or skip always says why
	// in one line, so readers need no special cases.
	for i := range r.Checks {
		c := &r.Checks[i]
		if c.Labels == nil {
			c.Labels = []string{}
		}
		if c.Reason == "" && c.Verdict != Pass {
			c.Reason = oneLine(firstLine(c.Message), 200)
		}
	}
	if b := r.Baseline; b != nil {
		for _, l := range []*[]string{&b.Known, &b.New, &b.Fixed} {
			if *l == nil {
				*l = []string{}
			}
		}
	}
	r.Totals = r.countTotals()
	r.Findings = r.findings()
	r.Level = r.level()
	if r.Headline == "" {
		r.Headline = r.deriveHeadline()
	}
}

func (r *Run) countTotals() Totals {
	t := Totals{Checks: len(r.Checks)}
	for _, c := range r.Checks {
		t.Requests += c.Requests
		t.Cases += c.Cases
		switch {
		case c.Advisory && c.Verdict == Pass:
			t.AdvisoryPassed++
		case c.Advisory && c.Verdict == Fail:
			t.AdvisoryFailed++
		case c.Advisory:
			t.AdvisorySkipped++
		case c.Verdict == Pass:
			t.Passed++
		case c.Verdict == Fail:
			t.Failed++
			if c.Known {
				t.Known++
			}
		default:
			// Anything not a pass or a fail was not shown to conform: count it
			// as skipped rather than let an unknown verdict vanish.
			t.Skipped++
		}
	}
	return t
}

func (r *Run) level() string {
	t := r.countTotals()
	switch {
	case t.Failed > t.Known:
		return LevelNonconformant
	case r.Incomplete:
		return LevelIncomplete
	case t.Known > 0:
		return LevelKnownFailures
	case t.Skipped > 0 || t.Passed == 0:
		return LevelPartial
	default:
		return LevelConformant
	}
}

// Conformant reports whether the run has no new conformance failure: no failing
// non-advisory check that a baseline did not mark Known. It is what decides a CI
// job; it says nothing of skips or interruptions, which Level shows.
func (r *Run) Conformant() bool {
	for _, c := range r.Checks {
		if isNewFailure(c) {
			return false
		}
	}
	return true
}

// Percent is the share of decided conformance checks that passed,
// passed / (passed + failed) × 100, known failures counted as failures. It is 0
// when no conformance check was decided; Decided tells that case apart.
func (r *Run) Percent() float64 {
	t := r.countTotals()
	if t.Passed+t.Failed == 0 {
		return 0
	}
	return 100 * float64(t.Passed) / float64(t.Passed+t.Failed)
}

// Decided reports whether any conformance check passed or failed, i.e. whether
// Percent means anything.
func (r *Run) Decided() bool {
	t := r.countTotals()
	return t.Passed+t.Failed > 0
}

// percentLabel renders Percent rounded down, so one failure among a thousand
// checks shows 99%, never a 100% that the record contradicts.
func (r *Run) percentLabel() string {
	if !r.Decided() {
		return "n/a"
	}
	return fmt.Sprintf("%d%%", int(math.Floor(r.Percent())))
}

func isNewFailure(c Check) bool { return !c.Advisory && c.Verdict == Fail && !c.Known }

func classOf(c Check) string {
	if c.Class == "" {
		return unclassified
	}
	return c.Class
}

// findings groups failing checks by class. Conformance findings come before
// advisory ones, then the most frequent first, so a target that fails everything
// the same way is summed up in the first line.
// classSummary says in plain words what a failure class means, where the reason
// lines of its checks (each naming one expectation) would not.
func classSummary(class string) (string, bool) {
	switch class {
	case "not-implemented":
		return "operation not implemented by the target: it answers as it answers an operation that does not exist", true
	case "harness-error":
		return "cogconform itself failed (a bug in the harness, not a finding about the target)", true
	}
	return "", false
}

func (r *Run) findings() []Finding {
	type acc struct {
		f       Finding
		reasons map[string]int
		order   []string
		ops     map[string]bool
	}
	byKey := map[string]*acc{}
	var keys []string
	for _, c := range r.Checks {
		if c.Verdict != Fail {
			continue
		}
		key := fmt.Sprintf("%t\x00%s", c.Advisory, classOf(c))
		a := byKey[key]
		if a == nil {
			a = &acc{f: Finding{Class: classOf(c), Advisory: c.Advisory, Example: c.ID}, reasons: map[string]int{}, ops: map[string]bool{}}
			byKey[key] = a
			keys = append(keys, key)
		}
		a.f.Checks++
		if c.Known {
			a.f.Known++
		}
		reason := oneLine(c.Reason, 200)
		if reason == "" {
			reason = oneLine(c.Message, 200)
		}
		if _, seen := a.reasons[reason]; !seen {
			a.order = append(a.order, reason)
		}
		a.reasons[reason]++
		if op := c.Operation; op != "" && !a.ops[op] {
			a.ops[op] = true
			a.f.Operations = append(a.f.Operations, op)
		}
	}
	out := make([]Finding, 0, len(keys))
	for _, k := range keys {
		a := byKey[k]
		best := ""
		for _, reason := range a.order {
			if a.reasons[reason] > a.reasons[best] || best == "" {
				best = reason
			}
		}
		if best == "" {
			best = "no reason given"
		}
		if n := len(a.order) - 1; n > 0 {
			best = fmt.Sprintf("%s (and %d other %s)", best, n, plural(n, "reason", "reasons"))
		}
		a.f.Summary = best
		if desc, ok := classSummary(a.f.Class); ok {
			// For these classes the class says more than any one reason line.
			a.f.Summary = desc + " — e.g. " + best
		}
		out = append(out, a.f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Advisory != out[j].Advisory {
			return !out[i].Advisory
		}
		if out[i].Checks != out[j].Checks {
			return out[i].Checks > out[j].Checks
		}
		return out[i].Class < out[j].Class
	})
	return out
}

// deriveHeadline names what dominates when the suites did not: one finding that
// covers nearly every conformance failure, or a run where nothing could be
// checked at all. Otherwise it stays empty, as Run.Headline documents.
func (r *Run) deriveHeadline() string {
	t := r.countTotals()
	if t.Failed >= 2 {
		for _, f := range r.Findings {
			if f.Advisory {
				continue
			}
			// The first conformance finding is the largest one.
			if f.Checks*10 >= t.Failed*9 {
				return fmt.Sprintf("%d of %d conformance failures are one finding (%s) across %d %s: %s",
					f.Checks, t.Failed, f.Class, len(f.Operations), plural(len(f.Operations), "operation", "operations"), f.Summary)
			}
			break
		}
		return ""
	}
	if t.Failed == 0 && t.Passed == 0 && t.Skipped > 0 {
		reason, n := r.commonSkipReason()
		return fmt.Sprintf("no conformance check could run: %s (%d of %d skipped)", reason, n, t.Skipped)
	}
	return ""
}

func (r *Run) commonSkipReason() (string, int) {
	counts := map[string]int{}
	best := ""
	for _, c := range r.Checks {
		if c.Advisory || c.Verdict == Pass || c.Verdict == Fail {
			continue
		}
		reason := oneLine(c.Reason, 200)
		if reason == "" {
			reason = "no reason given"
		}
		counts[reason]++
		if best == "" || counts[reason] > counts[best] {
			best = reason
		}
	}
	return best, counts[best]
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// oneLine folds s onto one line and cuts it to at most max runes, for attributes,
// table cells and summaries where a multi-line message would break the layout.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	cut := string(r[:max-1])
	// Never cut a redaction marker in half: a reader could not match it.
	if open := strings.LastIndex(cut, markerOpen); open >= 0 && !strings.Contains(cut[open:], markerClose) {
		cut = cut[:open]
	}
	return cut + "…"
}

// LevelText explains a level in one sentence, for the reports' readers.
func LevelText(level string) string {
	switch level {
	case LevelConformant:
		return "Every conformance check ran and passed."
	case LevelNonconformant:
		return "At least one conformance check failed that no baseline lists."
	case LevelIncomplete:
		return "The run stopped before every check finished; no new conformance failure was found in what ran."
	case LevelKnownFailures:
		return "Every conformance failure is a known one from the baseline: the run passes, but it is no claim of conformance."
	case LevelPartial:
		return "No conformance check failed, but some were skipped or none ran, so conformance is not shown."
	default:
		return ""
	}
}
