package suites

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	"github.com/onsi/ginkgo/v2/types"

	"github.com/cogconform/cogconform/reports"
)

// buildRun turns Ginkgo's report of the whole suite (all parallel processes) into the
// results record. It runs once, on the process that writes reports.
func (e *Env) buildRun(r Report) *reports.Run {
	run := &reports.Run{
		Tool:       "cogconform",
		Version:    e.Version,
		SpecSHA256: e.Model.SHA256,
		Endpoint:   e.Cfg.Endpoint,
		Target:     "external",
		Started:    r.StartTime,
		Finished:   r.EndTime,
		Seed:       e.Seed,
		Options: map[string]string{
			"cases":           strconv.Itoa(e.Cfg.Cases),
			"region":          e.Cfg.Region,
			"request-timeout": e.Cfg.RequestTimeout.String(),
			"run-timeout":     e.Cfg.RunTimeout.String(),
			"label-filter":    r.SuiteConfig.LabelFilter,
			"specs":           strconv.Itoa(r.PreRunStats.TotalSpecs),
			"specs-selected":  strconv.Itoa(r.PreRunStats.SpecsThatWillRun),
			"processes":       strconv.Itoa(r.SuiteConfig.ParallelTotal),
		},
	}
	if r.SuiteHasProgrammaticFocus || r.SpecialSuiteFailureReasons != nil {
		for _, reason := range r.SpecialSuiteFailureReasons {
			switch lower := strings.ToLower(reason); {
			case strings.Contains(lower, "interrupt"):
				run.Incomplete, run.IncompleteReason = true, "interrupted by a signal (SIGINT or SIGTERM)"
			case strings.Contains(lower, "timeout"):
				run.Incomplete, run.IncompleteReason = true, fmt.Sprintf("the run timeout (--run-timeout %s) passed", e.Cfg.RunTimeout)
			}
		}
	}
	f := e.currentFixture()
	if f != nil {
		run.Fixture = append(run.Fixture, f.Steps...)
	}
	e.fixtureMu.Lock()
	run.Fixture = append(run.Fixture, e.cleanupSteps...)
	// Clean-up Ginkgo abandoned (or skipped) is finished, and its steps added, by Run.
	e.guard.setReported(e.guard.cleanupEnded())
	e.fixtureMu.Unlock()
	// Specs Ginkgo never started look like specs the label filter left out; the
	// record must say which is which.
	selected, _ := types.ParseLabelFilter(r.SuiteConfig.LabelFilter)
	index := map[string]int{}
	halted := ""
	if why := e.guard.haltReason(); why != "" {
		halted = ErrNotSent.Error() + ": " + why
	}

	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			if sr.State == types.SpecStateInterrupted || sr.State == types.SpecStateTimedout || sr.State == types.SpecStateAborted {
				// Set-up or clean-up cut short by the interrupt or the deadline: the
				// run is incomplete (below), which says it; it is not a failure.
				run.Incomplete = true
				continue
			}
			if sr.State.Is(types.SpecStateFailureStates) {
				// A failed set-up or clean-up node is part of the record too.
				run.Checks = append(run.Checks, reports.Check{
					ID: "suite/" + sr.LeafNodeType.String(), Operation: "suite", Family: "suite", Name: sr.LeafNodeType.String(),
					Labels: []string{}, Verdict: reports.Fail, Class: "harness", Message: e.Red.String(sr.FailureMessage()),
				})
			}
			continue
		}
		c := e.checkOf(sr)
		if halted != "" && c.Verdict == reports.Fail && strings.Contains(c.Message, halted) {
			// The check was cut off by the guard once the run was over, not failed by
			// the target: no verdict.
			c.Verdict, c.Class, c.Counterexample = reports.Skip, "interrupted", nil
			c.Reason = "interrupted before a verdict: " + strings.TrimPrefix(halted, ErrNotSent.Error()+": ")
			run.Incomplete = true
		}
		if sr.State == types.SpecStateInterrupted || sr.State == types.SpecStateAborted || sr.State == types.SpecStateTimedout {
			run.Incomplete = true
			if run.IncompleteReason == "" {
				run.IncompleteReason = "interrupted during " + sr.FullText()
			}
		}
		if c.Verdict == reports.Skip && c.Reason == notSelected && (selected == nil || selected(sr.Labels())) {
			c.Reason, c.Class = "not run: the run ended before this check", "not-run"
		}
		if i, seen := index[c.ID]; seen {
			// A second interrupt makes Ginkgo report the spec it abandoned twice; one
			// record per check, and a failure is never hidden behind another verdict.
			if rank(c) > rank(run.Checks[i]) {
				run.Checks[i] = c
			}
			continue
		}
		index[c.ID] = len(run.Checks)
		run.Checks = append(run.Checks, c)
	}
	// Checks the tree has but Ginkgo never reported: a run interrupted while the
	// fixture was provisioned reports no spec at all. Each is listed as not run.
	for _, s := range e.specs {
		d := s.declared
		if _, seen := index[d.ID]; seen || (selected != nil && !selected(d.Labels)) {
			continue
		}
		d.Labels = slices.Clone(d.Labels)
		d.Verdict, d.Class, d.Reason = reports.Skip, "not-run", "not run: the run ended before this check"
		index[d.ID] = len(run.Checks)
		run.Checks = append(run.Checks, d)
	}
	if run.Incomplete && run.IncompleteReason == "" {
		run.IncompleteReason = e.guard.haltReason()
		if run.IncompleteReason == "" {
			run.IncompleteReason = "the run was cut short"
		}
	}
	for i := range run.Checks {
		if c := &run.Checks[i]; c.Class == "not-run" && run.IncompleteReason != "" {
			c.Reason = "not run: the run ended before this check (" + run.IncompleteReason + ")"
		}
	}
	if f != nil && len(f.NotImplemented) > 0 {
		run.Headline = fmt.Sprintf("the target does not implement %d of %d device operations (%s): it answers them as it answers an operation that does not exist — %s",
			len(f.NotImplemented), len(e.Model.Operations), strings.Join(f.NotImplemented, ", "), e.Red.String(f.Probe))
	}
	run.Summarize()
	return run
}

// declaredAs finds the check Define declared with name whose labels (operation,
// family, kind) are all among labels.
func (e *Env) declaredAs(name string, labels []string) (reports.Check, bool) {
	for _, s := range e.specs {
		if d := s.declared; d.Name == name && !slices.ContainsFunc(d.Labels, func(l string) bool { return !slices.Contains(labels, l) }) {
			return d, true
		}
	}
	return reports.Check{}, false
}

func (e *Env) checkOf(sr types.SpecReport) reports.Check {
	var ent entry
	for _, re := range sr.ReportEntries {
		if re.Name == entryName {
			_ = json.Unmarshal([]byte(re.StringRepresentation()), &ent)
		}
	}
	labels := sr.Labels()
	if ent.ID == "" {
		// The spec never reached its body (skipped by a filter or an interrupt): it is
		// the check Define declared with this name and these labels.
		if d, ok := e.declaredAs(sr.LeafNodeText, labels); ok {
			ent.ID, ent.Operation, ent.Family, ent.Name, ent.Advisory = d.ID, d.Operation, d.Family, d.Name, d.Advisory
		}
	}
	c := reports.Check{
		ID: ent.ID, Operation: ent.Operation, Family: ent.Family, Name: ent.Name, Labels: labels,
		Advisory: ent.Advisory, Requirement: ent.Requirement, Class: ent.Class,
		Cases: ent.Cases, Requests: ent.Requests, Counterexample: ent.Counterexample,
		// Rounded, not truncated: most checks take a few milliseconds, and truncated
		// durations summed over a run left out about 130 ms of 1.9 s.
		DurationMS: sr.RunTime.Round(time.Millisecond).Milliseconds(),
	}
	if ent.Took > 0 {
		// The check's own time: started ahead of its It, it ran partly before
		// Ginkgo's clock for the spec began (pipeline.go).
		c.DurationMS = ent.Took.Round(time.Millisecond).Milliseconds()
	}
	switch {
	case sr.State == types.SpecStatePassed:
		c.Verdict = reports.Pass
	case sr.State == types.SpecStateSkipped || sr.State == types.SpecStatePending:
		c.Verdict = reports.Skip
		c.Reason = e.Red.String(sr.Failure.Message)
		if c.Reason == "" {
			c.Reason = notSelected
		}
		if c.Class == "" && strings.HasPrefix(c.Reason, "needs ") {
			c.Class = "fixture-unavailable"
		}
	case sr.State == types.SpecStateInterrupted || sr.State == types.SpecStateTimedout || sr.State == types.SpecStateAborted:
		// Cut short by a signal or the run's deadline: no verdict on the target. The
		// run is marked incomplete, which is what the reader must see.
		c.Verdict = reports.Skip
		c.Class = "interrupted"
		c.Reason = e.Red.String("interrupted before a verdict: " + reasonLine(reports.Check{Message: sr.FailureMessage()}))
		c.Message = e.Red.String(sr.FailureMessage())
	default:
		c.Verdict = reports.Fail
		c.Message = e.Red.String(sr.FailureMessage())
		c.Reason = e.Red.String(reasonLine(c))
		switch {
		case sr.State == types.SpecStatePanicked:
			// A panic is cogconform's own bug, never the target's doing: say so.
			c.Class = "harness-error"
		case c.Class != "":
		default:
			c.Class = "unclassified"
		}
	}
	return c
}

// rank orders verdicts for merging duplicate reports of one check.
func rank(c reports.Check) int {
	switch {
	case c.Verdict == reports.Fail:
		return 3
	case c.Verdict == reports.Pass:
		return 2
	case c.Class == "interrupted":
		return 1
	}
	return 0
}

// notSelected is the reason of a spec Ginkgo skipped without a word: the label
// filter left it out, or the run ended before it (buildRun tells them apart).
const notSelected = "not selected by the label filter"

// reasonLine is the one-line summary of a failure: what was required and what came back.
func reasonLine(c reports.Check) string {
	if ce := c.Counterexample; ce != nil {
		got := fmt.Sprintf("HTTP %d %s", ce.Response.Status, ce.Response.Code)
		if ce.Response.Error != "" {
			got = ce.Response.Error
		}
		return fmt.Sprintf("expected %s, got %s", ce.Expected, strings.TrimSpace(got))
	}
	for _, line := range strings.Split(c.Message, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return "failed"
}
