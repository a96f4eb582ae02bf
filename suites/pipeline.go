package suites

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	"github.com/onsi/ginkgo/v2/types"

	"github.com/cogconform/cogconform/reports"
)

// Why a pipeline: Ginkgo runs one spec at a time, so every batched check ended with
// its last requests draining one by one and the next check's first requests waiting
// for Ginkgo to reach its It: over a default run the target sat with fewer than
// --workers requests in flight for a third of the time (sampled every 100 µs; 8%
// with none at all). With a pipeline, a batched check
// that has put its last case on the wire starts the check Ginkgo will run next, so
// that one's requests fill the slots the draining ones free; its It then only waits
// for the outcome and tells it to Ginkgo. The slots are now all taken 86% of a run.
//
// What stays as it was: every check still runs its own rapid property with the run's
// seed, so the cases, verdicts and counterexamples do not depend on the pipeline
// (TestWorkersDoNotChangeVerdicts); at most --workers requests are in flight in all
// (the slots); and a check whose cases must run one at a time (c.property) on
// resources other checks use too (the cross-user checks, on the first user's device)
// starts sending only once its It has begun and the checks before it are done,
// exactly as without a pipeline. Those whose resources are their own run in the side
// lane (see startLane).

// unwind ends a check's body early (a failure or a skip it recorded). The It tells
// Ginkgo once the body has returned, on its own goroutine, where Ginkgo's Fail and
// Skip belong.
type unwind struct{}

// outcome is how a check's body ended.
type outcome struct {
	logs    []string
	failed  bool
	skipped bool
	message string
	// panicked is a panic of a body run ahead of its It, with its stack: cogconform's
	// own bug, raised again in the It so that Ginkgo reports a panic, not a finding.
	panicked any
	stack    []byte
}

// tell hands the outcome to Ginkgo; on a failure, a skip or a panic it does not return.
func (o *outcome) tell() {
	for _, l := range o.logs {
		GinkgoWriter.Println(l)
	}
	switch {
	case o.panicked != nil:
		panic(fmt.Sprintf("%v\n\n(the check ran ahead of its It; its stack:)\n%s", o.panicked, o.stack))
	case o.failed:
		Fail(o.message, 1)
	case o.skipped:
		Skip(o.message, 1)
	}
}

// failNow records a failure and ends the body.
func (c *check) failNow(msg string) {
	if !c.out.failed && !c.out.skipped {
		c.out.failed, c.out.message = true, msg
	}
	panic(unwind{})
}

// skip skips the check with a reason the report shows.
func (c *check) skip(reason string) {
	if !c.out.failed && !c.out.skipped {
		c.out.skipped, c.out.message = true, reason
	}
	panic(unwind{})
}

// execute runs body, recording how it ended and how long it took. A panic that is
// not an unwind is cogconform's own bug: on the It's goroutine it goes on to Ginkgo,
// which reports it with its stack; in the background it is kept for the It to raise.
func (c *check) execute(body func(c *check), background bool) {
	c.began = time.Now()
	defer func() {
		c.took = time.Since(c.began)
		p := recover()
		if p == nil {
			return
		}
		if _, ok := p.(unwind); ok {
			return
		}
		if !background {
			panic(p)
		}
		c.out.panicked, c.out.stack = p, debug.Stack()
	}()
	body(c)
}

// tb is what rapid reports through: the check's outcome, never Ginkgo directly, so
// that a property can run before its It (rapid.TB; GinkgoT fails the spec that is
// running, which would be another). Its failures end the body as GinkgoT's do.
type tb struct{ c *check }

func (t tb) Helper()      {}
func (t tb) Name() string { return t.c.id() }
func (t tb) Logf(format string, args ...any) {
	t.c.out.logs = append(t.c.out.logs, fmt.Sprintf(format, args...))
}
func (t tb) Log(args ...any) {
	t.c.out.logs = append(t.c.out.logs, strings.TrimSuffix(fmt.Sprintln(args...), "\n"))
}
func (t tb) Skipf(format string, args ...any) { t.c.skip(fmt.Sprintf(format, args...)) }
func (t tb) Skip(args ...any)                 { t.c.skip(fmt.Sprint(args...)) }
func (t tb) SkipNow()                         { t.c.skip("skipped") }
func (t tb) Errorf(format string, args ...any) {
	t.c.failNow(fmt.Sprintf(format, args...))
}
func (t tb) Error(args ...any)                 { t.c.failNow(fmt.Sprint(args...)) }
func (t tb) Fatalf(format string, args ...any) { t.c.failNow(fmt.Sprintf(format, args...)) }
func (t tb) Fatal(args ...any)                 { t.c.failNow(fmt.Sprint(args...)) }
func (t tb) FailNow()                          { t.c.failNow("failed") }
func (t tb) Fail()                             { t.c.failNow("failed") }
func (t tb) Failed() bool                      { return t.c.out.failed }

// pipeline starts checks ahead of their Its (see the top of this file). It exists
// only when Ginkgo's order is known: one process, the tree in one Ordered container
// (declaration order), no focus or skip strings; the label filter it can evaluate.
type pipeline struct {
	selects types.LabelFilter // nil: every spec runs

	mu      sync.Mutex
	started map[int]*pending // started and not yet taken by an It
	taken   map[int]bool
	lane    map[int]bool // the checks the side lane runs
	closed  bool
	end     chan struct{} // closed when the run ends: nothing more will be taken
	wg      sync.WaitGroup
	laneOne sync.Once

	// For tests: checks started ahead, and those of them no It took.
	ahead, wasted atomic.Int64
}

// specDef is what a check's It is made of: the check as the record declares it
// (ID, labels, requirement) and its body.
type specDef struct {
	declared reports.Check
	body     func(c *check)
	// own, when set, says whether the check's resources are its own in a run with
	// this fixture: then it runs in the side lane (see startLane).
	own func(f *Fixture) bool
}

// pending is a check started ahead.
type pending struct {
	c       *check
	turn    chan struct{} // closed when the check may send: its It has begun, or it is in the side lane
	turnOne sync.Once
	done    chan struct{} // closed when its body has returned
}

// letGo lets the check send (closes turn), once.
func (pd *pending) letGo() { pd.turnOne.Do(func() { close(pd.turn) }) }

func newPipeline(labelFilter string) (*pipeline, error) {
	p := &pipeline{started: map[int]*pending{}, taken: map[int]bool{}, lane: map[int]bool{}, end: make(chan struct{})}
	if labelFilter != "" {
		f, err := types.ParseLabelFilter(labelFilter)
		if err != nil {
			return nil, fmt.Errorf("label filter %q: %w", labelFilter, err)
		}
		p.selects = f
	}
	return p, nil
}

// selected reports whether Ginkgo runs spec s: not a fixture step, and through the
// label filter.
func (p *pipeline) selected(s specDef) bool {
	return s.declared.Family != famFixture && (p.selects == nil || p.selects(s.declared.Labels))
}

// next is the spec Ginkgo runs after spec k that the side lane does not run, or -1.
// The caller holds p.mu.
func (p *pipeline) next(specs []specDef, k int) int {
	for j := k + 1; j < len(specs); j++ {
		if !p.lane[j] && p.selected(specs[j]) {
			return j
		}
	}
	return -1
}

// startAfter starts the check Ginkgo runs after spec k, unless it has started or run.
func (p *pipeline) startAfter(e *Env, k int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	j := p.next(e.specs, k)
	if j < 0 || p.closed || p.taken[j] || p.started[j] != nil {
		p.mu.Unlock()
		return
	}
	pd := &pending{c: e.newCheck(j), turn: make(chan struct{}), done: make(chan struct{})}
	pd.c.pending = pd
	p.started[j] = pd
	p.wg.Add(1)
	p.mu.Unlock()
	p.ahead.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(pd.done)
		pd.c.execute(e.specs[j].body, true)
	}()
}

// Why a side lane: the checks whose cases must go one at a time (c.property) waited
// for their Its with nothing else on the wire, each request a round trip alone,
// which both sides pay for in wake-ups: the lifecycle workflows and the
// revoked-token checks were a twentieth of a default run's wall time. Those whose
// resources are their own — the workflows on the workflow user's devices, the
// revoked-token checks on the signed-out user's — run instead one after another in
// one goroutine from the first It on, alongside the other checks, each request
// taking one of the shared slots; their Its then only tell the outcome. Nothing
// else reads or changes what they use, and they keep their order among themselves,
// so a verdict does not depend on what runs alongside (TestWorkersDoNotChangeVerdicts).

// startLane starts the side lane, once: every selected check that declares its
// resources its own in this run's fixture. It must run after the fixture is set.
func (p *pipeline) startLane(e *Env) {
	if p == nil {
		return
	}
	p.laneOne.Do(func() {
		f := e.currentFixture()
		if f == nil {
			return
		}
		p.mu.Lock()
		var lane []*pending
		for j, s := range e.specs {
			if s.own == nil || !p.selected(s) || p.closed || p.taken[j] || p.started[j] != nil || !s.own(f) {
				continue
			}
			pd := &pending{c: e.newCheck(j), turn: make(chan struct{}), done: make(chan struct{})}
			pd.letGo()
			pd.c.pending = pd
			pd.c.ctx = context.WithValue(pd.c.ctx, slotKey{}, e.slots)
			p.started[j], p.lane[j] = pd, true
			lane = append(lane, pd)
		}
		if len(lane) > 0 {
			p.wg.Add(1)
		}
		p.mu.Unlock()
		if len(lane) == 0 {
			return
		}
		p.ahead.Add(int64(len(lane)))
		go func() {
			defer p.wg.Done()
			for _, pd := range lane {
				select {
				case <-p.end:
					pd.c.out.skipped, pd.c.out.message = true, endedBeforeTurn
				default:
					pd.c.execute(e.specs[pd.c.index].body, true)
				}
				close(pd.done)
			}
		}()
	})
}

// take hands spec k's check to its It: the one started ahead, or nil.
func (p *pipeline) take(k int) *pending {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.taken[k] = true
	pd := p.started[k]
	delete(p.started, k)
	return pd
}

// close starts nothing more and waits for what was started; a check waiting for
// its turn is skipped. It runs when the run ends, before clean-up.
func (p *pipeline) close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.end)
	}
	p.wasted.Add(int64(len(p.started)))
	clear(p.started)
	p.mu.Unlock()
	p.wg.Wait()
}

// endedBeforeTurn is why a check started ahead that never got to send is skipped.
const endedBeforeTurn = "the run ended before this check's turn"

// waitTurn holds a check started ahead until its It has begun: its cases must not
// overlap another check's.
func (c *check) waitTurn() {
	if c.pending == nil {
		return
	}
	select {
	case <-c.pending.turn:
	case <-c.env.pipe.end:
		c.skip(endedBeforeTurn)
	}
}
