package suites

import (
	"strings"
	"testing"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/spec"
)

// pipelineEnv is an Env with two specs: a batched one and one whose cases must run one
// at a time; sent records what the second one sent.
func pipelineEnv(t *testing.T, sent *[]string) *Env {
	t.Helper()
	e := &Env{Model: &spec.Model{}, slots: make(chan struct{}, 8)}
	e.specs = []specDef{
		{declared: reports.Check{Operation: "A", Family: "pattern", Name: "first"}, body: func(c *check) {}},
		{declared: reports.Check{Operation: "A", Family: "auth", Name: "second"}, body: func(c *check) {
			c.waitTurn()
			*sent = append(*sent, "request")
		}},
	}
	p, err := newPipeline("")
	if err != nil {
		t.Fatal(err)
	}
	e.pipe = p
	return e
}

// TestPipelineHoldsAOneAtATimeCheckUntilItsIt: a check started ahead that must not
// overlap another sends nothing before its It has begun, and runs once it has.
func TestPipelineHoldsAOneAtATimeCheckUntilItsIt(t *testing.T) {
	var sent []string
	e := pipelineEnv(t, &sent)
	e.pipe.startAfter(e, 0)
	pd := e.pipe.take(1)
	if pd == nil {
		t.Fatal("spec 1 was not started ahead of its It")
	}
	select {
	case <-pd.done:
		t.Fatal("the check ran to its end before its It began")
	default:
	}
	pd.letGo()
	<-pd.done
	if len(sent) != 1 || pd.c.out.failed || pd.c.out.skipped {
		t.Fatalf("after its turn: sent %v, outcome %+v", sent, pd.c.out)
	}
	e.pipe.close()
	if ahead, wasted := e.pipe.ahead.Load(), e.pipe.wasted.Load(); ahead != 1 || wasted != 0 {
		t.Fatalf("ahead %d, wasted %d; want 1 and 0", ahead, wasted)
	}
}

// TestPipelineCloseSkipsWhatNeverGotItsTurn: when the run ends (an interrupt) a check
// waiting for its turn ends as skipped, without a request, and is counted as wasted.
func TestPipelineCloseSkipsWhatNeverGotItsTurn(t *testing.T) {
	var sent []string
	e := pipelineEnv(t, &sent)
	e.pipe.startAfter(e, 0)
	e.pipe.close()
	if len(sent) != 0 {
		t.Fatalf("a check that never got its turn sent %v", sent)
	}
	if e.pipe.wasted.Load() != 1 {
		t.Fatalf("wasted %d, want 1", e.pipe.wasted.Load())
	}
	if pd := e.pipe.take(1); pd != nil {
		t.Fatal("a closed pipeline handed out a check")
	}
	e.pipe.startAfter(e, 0) // nothing more starts
	if e.pipe.ahead.Load() != 1 {
		t.Fatalf("ahead %d after close, want 1", e.pipe.ahead.Load())
	}
}

// TestPipelinePanicReachesTheIt: a body that panics ahead of its It (cogconform's own
// bug) panics again when its It tells the outcome, so that Ginkgo reports a panic
// (class harness-error) rather than a failure of the target.
func TestPipelinePanicReachesTheIt(t *testing.T) {
	e := &Env{Model: &spec.Model{}, slots: make(chan struct{}, 8)}
	e.specs = []specDef{
		{declared: reports.Check{Operation: "A", Family: "pattern", Name: "first"}, body: func(c *check) {}},
		{declared: reports.Check{Operation: "A", Family: "pattern", Name: "second"}, body: func(c *check) { panic("a bug") }},
	}
	p, err := newPipeline("")
	if err != nil {
		t.Fatal(err)
	}
	e.pipe = p
	e.pipe.startAfter(e, 0)
	pd := e.pipe.take(1)
	if pd == nil {
		t.Fatal("spec 1 was not started ahead")
	}
	pd.letGo()
	<-pd.done
	if pd.c.out.failed || pd.c.out.panicked == nil {
		t.Fatalf("outcome %+v: want a panic, not a failure", pd.c.out)
	}
	defer func() {
		r := recover()
		if s, ok := r.(string); !ok || !strings.Contains(s, "a bug") || !strings.Contains(s, "pipeline_internal_test.go") {
			t.Fatalf("tell raised %v; want the panic with the body's stack", r)
		}
	}()
	pd.c.out.tell()
}
