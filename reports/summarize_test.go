package reports_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/reports/internal/fakerun"
)

func chk(id string, v reports.Verdict, mods ...func(*reports.Check)) reports.Check {
	parts := strings.SplitN(id, "/", 3)
	c := reports.Check{ID: id, Operation: parts[0], Family: parts[1], Name: parts[2], Verdict: v, Reason: "because", Class: "some-class"}
	for _, m := range mods {
		m(&c)
	}
	return c
}

func advisory(c *reports.Check) { c.Advisory = true }
func known(c *reports.Check)    { c.Known = true }

func TestLevelConformantPercent(t *testing.T) {
	pass := chk("GetDevice/pattern/a", reports.Pass)
	fail := chk("GetDevice/pattern/b", reports.Fail)
	skip := chk("GetDevice/lifecycle/c", reports.Skip)
	advFail := chk("GetDevice/format/d", reports.Fail, advisory)
	knownFail := chk("GetDevice/enum/e", reports.Fail, known)
	cases := []struct {
		name       string
		checks     []reports.Check
		incomplete bool
		level      string
		conformant bool
		percent    float64
	}{
		{"all pass", []reports.Check{pass, pass}, false, reports.LevelConformant, true, 100},
		{"advisory failure does not count", []reports.Check{pass, advFail}, false, reports.LevelConformant, true, 100},
		{"a failure", []reports.Check{pass, fail, skip}, false, reports.LevelNonconformant, false, 50},
		{"failure beats interruption", []reports.Check{fail}, true, reports.LevelNonconformant, false, 0},
		{"interrupted without failure", []reports.Check{pass}, true, reports.LevelIncomplete, true, 100},
		{"known failures only", []reports.Check{pass, knownFail, skip}, false, reports.LevelKnownFailures, true, 50},
		{"skips are not conformance", []reports.Check{pass, skip}, false, reports.LevelPartial, true, 100},
		{"nothing ran", nil, false, reports.LevelPartial, true, 0},
		{"only advisory checks", []reports.Check{advFail}, false, reports.LevelPartial, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &reports.Run{Checks: tc.checks, Incomplete: tc.incomplete}
			r.Summarize()
			if r.Level != tc.level {
				t.Errorf("Level = %q, want %q", r.Level, tc.level)
			}
			if r.Conformant() != tc.conformant {
				t.Errorf("Conformant() = %v, want %v", r.Conformant(), tc.conformant)
			}
			if math.Abs(r.Percent()-tc.percent) > 1e-9 {
				t.Errorf("Percent() = %v, want %v", r.Percent(), tc.percent)
			}
			if reports.LevelText(r.Level) == "" {
				t.Errorf("level %q has no description", r.Level)
			}
		})
	}
}

func TestTotalsCountConformanceAndAdvisoryApart(t *testing.T) {
	r := &reports.Run{Checks: []reports.Check{
		chk("A/x/1", reports.Pass, func(c *reports.Check) { c.Cases, c.Requests = 10, 12 }),
		chk("A/x/2", reports.Fail, func(c *reports.Check) { c.Cases, c.Requests = 3, 3 }),
		chk("A/x/3", reports.Fail, known),
		chk("A/x/4", reports.Skip),
		chk("A/f/5", reports.Pass, advisory),
		chk("A/f/6", reports.Fail, advisory),
		chk("A/f/7", reports.Fail, advisory),
		chk("A/f/8", reports.Skip, advisory),
	}}
	r.Summarize()
	want := reports.Totals{Checks: 8, Passed: 1, Failed: 2, Skipped: 1, Known: 1, AdvisoryPassed: 1, AdvisoryFailed: 2, AdvisorySkipped: 1, Requests: 15, Cases: 13}
	if r.Totals != want {
		t.Fatalf("Totals = %+v\nwant    %+v", r.Totals, want)
	}
}

func TestFindingsSumUpATargetThatFailsEverythingOneWay(t *testing.T) {
	run := fakerun.NotImplemented(fakerun.NewSecrets())
	if len(run.Findings) != 1 {
		t.Fatalf("want 1 finding for a target that fails everything one way, got %d: %+v", len(run.Findings), run.Findings)
	}
	f := run.Findings[0]
	if f.Class != "not-implemented" || f.Checks != len(run.Checks) || len(f.Operations) != 9 || f.Example == "" {
		t.Errorf("finding = %+v, want class not-implemented covering all %d checks of 9 operations with an example", f, len(run.Checks))
	}
	if !strings.Contains(f.Summary, "500 InternalFailure") {
		t.Errorf("summary %q does not give the reason", f.Summary)
	}
	want := fmt.Sprintf("%d of %d conformance failures are one finding (not-implemented) across 9 operations", len(run.Checks), len(run.Checks))
	if !strings.HasPrefix(run.Headline, want) {
		t.Errorf("derived headline = %q, want it to start %q", run.Headline, want)
	}
}

func TestFindingsOrderAndSuiteHeadlineKept(t *testing.T) {
	r := &reports.Run{Headline: "set by the suites", Checks: []reports.Check{
		chk("A/f/1", reports.Fail, advisory, func(c *reports.Check) { c.Class = "adv" }),
		chk("A/f/2", reports.Fail, advisory, func(c *reports.Check) { c.Class = "adv" }),
		chk("A/f/3", reports.Fail, advisory, func(c *reports.Check) { c.Class = "adv" }),
		chk("A/x/1", reports.Fail, func(c *reports.Check) { c.Class = "rare" }),
		chk("B/x/2", reports.Fail, func(c *reports.Check) { c.Class = "common"; c.Reason = "r1" }),
		chk("C/x/3", reports.Fail, func(c *reports.Check) { c.Class = "common"; c.Reason = "r1" }),
		chk("C/x/4", reports.Fail, func(c *reports.Check) { c.Class = "common"; c.Reason = "r2" }),
		chk("C/x/5", reports.Fail, func(c *reports.Check) { c.Class = ""; c.Reason = ""; c.Message = "first line\nsecond" }),
	}}
	r.Summarize()
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%s:%d:%t", f.Class, f.Checks, f.Advisory))
	}
	want := []string{"common:3:false", "rare:1:false", "unclassified:1:false", "adv:3:true"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("findings = %v, want %v (conformance first, most frequent first)", got, want)
	}
	if s := r.Findings[0].Summary; s != "r1 (and 1 other reason)" {
		t.Errorf("summary = %q, want the most frequent reason and how many others", s)
	}
	if r.Checks[7].Reason != "first line" {
		t.Errorf("a failure without a reason gets its message's first line, got %q", r.Checks[7].Reason)
	}
	if r.Headline != "set by the suites" {
		t.Errorf("Summarize replaced the suites' headline: %q", r.Headline)
	}
}

func TestHeadlineWhenNothingCouldRun(t *testing.T) {
	r := &reports.Run{Checks: []reports.Check{
		chk("A/lifecycle/1", reports.Skip, func(c *reports.Check) { c.Reason = "needs a device: InitiateAuth failed" }),
		chk("B/lifecycle/1", reports.Skip, func(c *reports.Check) { c.Reason = "needs a device: InitiateAuth failed" }),
		chk("C/lifecycle/1", reports.Skip, func(c *reports.Check) { c.Reason = "other" }),
	}}
	r.Summarize()
	if want := "no conformance check could run: needs a device: InitiateAuth failed (2 of 3 skipped)"; r.Headline != want {
		t.Errorf("headline = %q, want %q", r.Headline, want)
	}
	if r.Level != reports.LevelPartial {
		t.Errorf("level = %q, want partial", r.Level)
	}
}
