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
			if strings.Contains(strings.ToLower(reason), "interrupt") || strings.Contains(strings.ToLower(reason), "timeout") {
				run.Incomplete, run.IncompleteReason = true, reason
			}
		}
	}
	f := e.currentFixture()
	if f != nil {
		run.Fixture = append(run.Fixture, f.Steps...)
	}
	e.fixtureMu.Lock()
	run.Fixture = append(run.Fixture, e.cleanupSteps...)
	e.fixtureMu.Unlock()

	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			if sr.State.Is(types.SpecStateFailureStates) {
				// A failed set-up or clean-up node is part of the record too.
				run.Checks = append(run.Checks, reports.Check{
					ID: "suite/" + sr.LeafNodeType.String(), Operation: "suite", Family: "suite", Name: sr.LeafNodeType.String(),
					Labels: []string{}, Verdict: reports.Fail, Class: "harness", Message: e.Red.String(sr.FailureMessage()),
				})
			}
			continue
		}
		run.Checks = append(run.Checks, e.checkOf(sr))
		if sr.State == types.SpecStateInterrupted || sr.State == types.SpecStateAborted {
			run.Incomplete = true
			if run.IncompleteReason == "" {
				run.IncompleteReason = "interrupted during " + sr.FullText()
			}
		}
	}
	if f != nil && len(f.NotImplemented) > 0 {
		run.Headline = fmt.Sprintf("the target does not implement %d of %d device operations (%s): it answers them as it answers an operation that does not exist — %s",
			len(f.NotImplemented), len(e.Model.Operations), strings.Join(f.NotImplemented, ", "), e.Red.String(f.Probe))
	}
	run.Summarize()
	return run
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
		// The spec never reached its body (skipped by a filter or an interrupt).
		ent.Name = sr.LeafNodeText
		if len(labels) >= 2 {
			ent.Operation, ent.Family = labels[0], labels[1]
		}
		ent.ID = ent.Operation + "/" + ent.Family + "/" + ent.Name
		ent.Advisory = slices.Contains(labels, LabelAdvisory)
	}
	c := reports.Check{
		ID: ent.ID, Operation: ent.Operation, Family: ent.Family, Name: ent.Name, Labels: labels,
		Advisory: ent.Advisory, Requirement: ent.Requirement, Class: ent.Class,
		Cases: ent.Cases, Requests: ent.Requests, Counterexample: ent.Counterexample,
		DurationMS: sr.RunTime.Milliseconds(),
	}
	switch {
	case sr.State == types.SpecStatePassed:
		c.Verdict = reports.Pass
	case sr.State == types.SpecStateSkipped || sr.State == types.SpecStatePending:
		c.Verdict = reports.Skip
		c.Reason = e.Red.String(sr.Failure.Message)
		if c.Reason == "" {
			c.Reason = "not selected by the label filter"
		}
		if c.Class == "" && strings.HasPrefix(c.Reason, "needs ") {
			c.Class = "fixture-unavailable"
		}
	default:
		c.Verdict = reports.Fail
		c.Message = e.Red.String(sr.FailureMessage())
		c.Reason = e.Red.String(reasonLine(c))
		switch {
		case sr.State == types.SpecStatePanicked:
			// A panic is cogconform's own bug, never the target's doing: say so.
			c.Class = "harness-error"
		case c.Class != "":
		case sr.State == types.SpecStateInterrupted || sr.State == types.SpecStateTimedout:
			c.Class = "interrupted"
		default:
			c.Class = "unclassified"
		}
	}
	if c.DurationMS == 0 && sr.RunTime > 0 {
		c.DurationMS = int64(sr.RunTime / time.Millisecond)
	}
	return c
}

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
