package suites_test

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/cogconform/cogconform/reports"
)

var pipelineLine = regexp.MustCompile(`pipeline: (\d+) started ahead, (\d+) wasted`)

// TestPipelineStartsOnlyWhatGinkgoRuns runs the suite with label filters of every
// kind: the pipeline must start checks ahead (or it measures nothing), every check it
// started must be one Ginkgo then ran (no request for a check the filter left out),
// and the run must reach the verdicts the filter selects. With a focus string Ginkgo's
// order cannot be known, and nothing may be started ahead.
func TestPipelineStartsOnlyWhatGinkgoRuns(t *testing.T) {
	skipUnlessMeta(t)
	dir := t.TempDir()
	for i, tc := range []struct {
		args      []string
		wantAhead bool
	}{
		{nil, true},
		{[]string{"-ginkgo.label-filter=UpdateDeviceStatus && (pattern || length)"}, true},
		{[]string{"-ginkgo.label-filter=!conformance"}, true},
		{[]string{"-ginkgo.label-filter=auth || lifecycle"}, true},
		{[]string{"-ginkgo.label-filter=ForgetDevice || Service"}, true},
		{[]string{"-ginkgo.focus=GetDevice"}, false},
	} {
		run, out := childRun(t, dir, fmt.Sprintf("pipeline-%d", i), tc.args, "COGCONFORM_CASES=10", "COGCONFORM_PIPELINE_STATS=1")
		m := pipelineLine.FindStringSubmatch(out)
		if m == nil {
			t.Errorf("%v: the child printed no pipeline line:\n%s", tc.args, tail(out, 2000))
			continue
		}
		ahead, _ := strconv.Atoi(m[1])
		wasted, _ := strconv.Atoi(m[2])
		if wasted != 0 {
			t.Errorf("%v: %d checks started ahead were never run by Ginkgo", tc.args, wasted)
		}
		if tc.wantAhead && ahead == 0 {
			t.Errorf("%v: no check was started ahead", tc.args)
		}
		if !tc.wantAhead && ahead != 0 {
			t.Errorf("%v: %d checks started ahead though Ginkgo's order is not known", tc.args, ahead)
		}
		ran := 0
		for _, c := range run.Checks {
			switch {
			case c.Verdict == reports.Fail:
				t.Errorf("%v: %s failed on the conformant reference: %s", tc.args, c.ID, c.Message)
			case c.Verdict == reports.Pass:
				ran++
			}
		}
		if ran == 0 {
			t.Errorf("%v: no check passed: the run compared nothing", tc.args)
		}
	}
}
