package suites

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cogconform/cogconform/reports"
)

// laneEnv is an Env for a loopback server, with --workers slots, and specs whose
// bodies are given.
func laneEnv(t *testing.T, endpoint string, workers int, specs []specDef) *Env {
	t.Helper()
	var cfg Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	RegisterFlags(fs, &cfg)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	cfg.Endpoint, cfg.Workers = endpoint, workers
	e, err := NewEnv(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.specs = specs
	p, err := newPipeline("")
	if err != nil {
		t.Fatal(err)
	}
	e.pipe = p
	t.Cleanup(e.pipe.close)
	return e
}

func laneSpec(name string, own func(f *Fixture) bool, body func(c *check)) specDef {
	return specDef{declared: reports.Check{Operation: "A", Family: "lifecycle", Name: name}, own: own, body: body}
}

// TestSideLaneRunsOwnChecksInOrder: the checks whose resources are their own in this
// fixture run one after another, in declared order, before any It takes them and
// without waiting for a turn; a check whose resources are not its own in this fixture
// stays with its It, and starting the next check after a batched one passes over the
// lane's.
func TestSideLaneRunsOwnChecksInOrder(t *testing.T) {
	var mu sync.Mutex
	var order []string
	record := func(name string) func(c *check) {
		return func(c *check) {
			c.waitTurn()
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		}
	}
	always := func(*Fixture) bool { return true }
	withWorkflow := (*Fixture).hasWorkflowUser
	never := func(*Fixture) bool { return false }
	e := laneEnv(t, "http://127.0.0.1:9", 8, []specDef{
		{declared: reports.Check{Operation: "A", Family: "pattern", Name: "batched"}, body: record("batched")},
		laneSpec("revoked", always, record("revoked")),
		laneSpec("workflow", withWorkflow, record("workflow")),
		laneSpec("not own", never, record("not own")),
		{declared: reports.Check{Operation: "A", Family: "pattern", Name: "last"}, body: record("last")},
	})
	e.setFixture(&Fixture{Workflow: User{Username: "w"}})
	e.pipe.startLane(e)
	e.pipe.startLane(e) // once only
	for _, k := range []int{1, 2} {
		pd := e.pipe.take(k)
		if pd == nil {
			t.Fatalf("spec %d is not in the side lane", k)
		}
		select {
		case <-pd.done:
		case <-time.After(10 * time.Second):
			t.Fatalf("spec %d never ran: a check in the side lane waited for its It", k)
		}
	}
	if got := e.pipe.ahead.Load(); got != 2 {
		t.Errorf("ahead %d, want the 2 checks of the lane", got)
	}
	mu.Lock()
	if len(order) != 2 || order[0] != "revoked" || order[1] != "workflow" {
		t.Errorf("the lane ran %v, want [revoked workflow]", order)
	}
	mu.Unlock()
	if e.pipe.lane[3] {
		t.Error("a check whose resources are not its own in this fixture went to the side lane")
	}
	e.pipe.startAfter(e, 0)
	if pd := e.pipe.take(3); pd == nil {
		t.Error("after the batched check, the next check outside the lane was not started")
	} else {
		pd.letGo()
		<-pd.done
	}

	// Without a workflow user, the workflows stay with their Its.
	e2 := laneEnv(t, "http://127.0.0.1:9", 8, []specDef{
		laneSpec("revoked", always, record("revoked")),
		laneSpec("workflow", withWorkflow, record("workflow")),
	})
	e2.setFixture(&Fixture{})
	e2.pipe.startLane(e2)
	if e2.pipe.lane[1] {
		t.Error("a workflow went to the side lane without a workflow user of its own")
	}
	if pd := e2.pipe.take(0); pd == nil {
		t.Error("the revoked-token check did not go to the side lane")
	} else {
		<-pd.done
	}
}

// TestSideLaneTakesASlotPerRequest: a request of a check in the side lane waits for
// one of the --workers slots, so that the lane never puts more on the wire than the
// user allowed; it goes out as soon as one is free.
func TestSideLaneTakesASlotPerRequest(t *testing.T) {
	var inFlight, most atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"InvalidParameterException","message":"no"}`))
	}))
	defer srv.Close()
	sent := make(chan struct{})
	var e *Env
	e = laneEnv(t, srv.URL, 2, []specDef{
		laneSpec("lane", func(*Fixture) bool { return true }, func(c *check) {
			for range 3 {
				x := e.callFixture(c.ctx, "GetDevice", map[string]any{}, false)
				if x.err != nil {
					t.Errorf("lane request: %v", x.err)
				}
			}
			close(sent)
		}),
	})
	e.setFixture(&Fixture{})
	// Both slots held, as by two batched requests in flight.
	e.slots <- struct{}{}
	e.slots <- struct{}{}
	e.pipe.startLane(e)
	select {
	case <-sent:
		t.Fatal("the side lane sent with every slot taken")
	case <-time.After(200 * time.Millisecond):
	}
	if n := e.pipe.take(0).c.requests.Load(); n != 1 {
		t.Fatalf("%d requests counted while waiting for a slot, want 1 (waiting)", n)
	}
	<-e.slots
	select {
	case <-sent:
	case <-time.After(10 * time.Second):
		t.Fatal("the side lane did not send once a slot was free")
	}
	if m := most.Load(); m != 1 {
		t.Errorf("%d requests of the lane in flight at once, want 1", m)
	}
	if len(e.slots) != 1 {
		t.Errorf("%d slots held after the lane's requests, want the 1 still held", len(e.slots))
	}
}
