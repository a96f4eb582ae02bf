package suites

import (
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/cogconform/cogconform/reports"
)

// A check's duration is rounded to the millisecond, not truncated: most checks take
// a few milliseconds, and truncation made the checks of a run add up to 7% less
// than the run.
func TestCheckDurationIsRounded(t *testing.T) {
	e := &Env{Red: reports.NewRedactor()}
	for _, tc := range []struct {
		run  time.Duration
		want int64
	}{{400 * time.Microsecond, 0}, {600 * time.Microsecond, 1}, {2499 * time.Microsecond, 2}, {2500 * time.Microsecond, 3}} {
		sr := types.SpecReport{State: types.SpecStatePassed, RunTime: tc.run, LeafNodeText: "x"}
		if got := e.checkOf(sr).DurationMS; got != tc.want {
			t.Errorf("a spec of %v: durationMs %d, want %d", tc.run, got, tc.want)
		}
	}
}
