package reports_test

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cogconform/cogconform/reports"
)

func TestCompareBaseline(t *testing.T) {
	baseline := &reports.Run{Checks: []reports.Check{
		chk("Op/pattern/still-failing", reports.Fail),
		chk("Op/pattern/fixed-now", reports.Fail),
		chk("Op/lifecycle/skipped-now", reports.Fail),
		chk("Op/auth/gone-now", reports.Fail),
		chk("Op/format/advisory", reports.Fail, advisory),
		chk("Op/type/passed-before", reports.Pass),
	}}
	current := &reports.Run{Checks: []reports.Check{
		chk("Op/pattern/still-failing", reports.Fail),
		chk("Op/pattern/fixed-now", reports.Pass),
		chk("Op/lifecycle/skipped-now", reports.Skip),
		chk("Op/format/advisory", reports.Fail, advisory),
		chk("Op/type/passed-before", reports.Fail), // a regression
		chk("Op/enum/brand-new", reports.Fail),
	}}
	b := reports.CompareBaseline(current, baseline, "old/results.json")

	want := &reports.Baseline{
		File:       "old/results.json",
		Known:      []string{"Op/pattern/still-failing"},
		New:        []string{"Op/type/passed-before", "Op/enum/brand-new"},
		Fixed:      []string{"Op/pattern/fixed-now"},
		Unverified: []string{"Op/lifecycle/skipped-now", "Op/auth/gone-now"},
	}
	if !reflect.DeepEqual(b, want) {
		t.Fatalf("baseline = %+v\nwant       %+v", b, want)
	}
	if current.Baseline != b {
		t.Error("CompareBaseline did not record the comparison in the run")
	}
	for _, c := range current.Checks {
		wantKnown := c.ID == "Op/pattern/still-failing"
		if c.Known != wantKnown {
			t.Errorf("%s: Known = %v, want %v (advisory checks are never excused)", c.ID, c.Known, wantKnown)
		}
	}
	current.Summarize()
	if current.Conformant() || current.Level != reports.LevelNonconformant {
		t.Errorf("new failures must fail the run: Conformant() = %v, Level = %q", current.Conformant(), current.Level)
	}
	if current.Totals.Known != 1 || current.Totals.Failed != 3 {
		t.Errorf("totals = %+v, want 3 failed of which 1 known", current.Totals)
	}
}

func TestBaselineExcusesOnlyKnownFailures(t *testing.T) {
	run := func() *reports.Run {
		return &reports.Run{Checks: []reports.Check{
			chk("Op/pattern/a", reports.Fail),
			chk("Op/pattern/b", reports.Pass),
		}}
	}
	before := run()
	before.Summarize()
	if before.Conformant() {
		t.Fatal("a failing run without a baseline must not be conformant")
	}
	current := run()
	reports.CompareBaseline(current, run(), "b.json")
	current.Summarize()
	if !current.Conformant() {
		t.Error("a run whose only failure is in the baseline must pass")
	}
	if current.Level != reports.LevelKnownFailures {
		t.Errorf("level = %q, want known-failures: passing is not a claim of conformance", current.Level)
	}

	// Compared again with no baseline, the earlier marks are gone.
	reports.CompareBaseline(current, nil, "")
	current.Summarize()
	if current.Checks[0].Known || current.Conformant() {
		t.Error("a second comparison must replace the first")
	}
}

// A baseline is an earlier results.json: the round trip through WriteAll and
// ReadJSON must keep every ID comparable.
func TestBaselineFromWrittenRecord(t *testing.T) {
	first := &reports.Run{Version: "v1", SpecSHA256: sha64, Endpoint: "http://x", Checks: []reports.Check{
		chk("Op/pattern/a", reports.Fail),
		chk("Op/pattern/b", reports.Fail),
	}}
	dir := writeReports(t, first, reports.NewRedactor())
	old, err := reports.ReadJSON(filepath.Join(dir, reports.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	second := &reports.Run{Checks: []reports.Check{chk("Op/pattern/a", reports.Fail), chk("Op/pattern/b", reports.Pass)}}
	b := reports.CompareBaseline(second, old, "results.json")
	if len(b.Known) != 1 || len(b.Fixed) != 1 || len(b.New) != 0 {
		t.Errorf("baseline from a written record = %+v, want 1 known, 1 fixed", b)
	}
}

const sha64 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
