package suites

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/spec"
)

// Labels that slice a run (--label-filter): the operation, the family, and whether a
// check is part of conformance or advisory only.
const (
	LabelConformance = "conformance"
	LabelAdvisory    = "advisory"
	entryName        = "cogconform"
)

// check is the bookkeeping of one It: what it covered and, when it failed, the minimal
// counterexample. It travels to the report as a Ginkgo report entry, which also works
// across `ginkgo -p` processes.
type check struct {
	env         *Env
	op          *spec.Operation
	opName      string
	family      string
	name        string
	requirement string
	advisory    bool
	maxCases    int // 0: the configured cases per property

	index     int // in the declared order (Env.specs)
	ctx       context.Context
	requests  atomic.Int64 // sent by this check (counted by doWith, through ctx)
	out       outcome      // how the body ended, told to Ginkgo by the It
	pending   *pending     // set when the check was started ahead of its It
	began     time.Time
	took      time.Duration
	cases     int
	failIndex int // which case of a batch failed last (see batched)
	judged    int // cases whose answer the check could judge (see judgedOrSkip)
	class     string
	failure   *reports.Counterexample // written out by report, from failX
	failX     exchange                // the exchange of the latest failure
	failedAt  time.Time               // when shrinking began (see shrinkSpent)
}

// entry is what a check reports about itself.
type entry struct {
	ID          string `json:"id"`
	Operation   string `json:"operation"`
	Family      string `json:"family"`
	Name        string `json:"name"`
	Advisory    bool   `json:"advisory"`
	Requirement string `json:"requirement"`
	Class       string `json:"class,omitempty"`
	Cases       int    `json:"cases"`
	Requests    int    `json:"requests"`
	// Nanoseconds from the check's first step to its verdict: with a pipeline, a
	// check may run before its It, so Ginkgo's RunTime is only the wait for it.
	Took           time.Duration           `json:"took"`
	Counterexample *reports.Counterexample `json:"counterexample,omitempty"`
}

func (c *check) id() string { return checkID(c.opName, c.family, c.name) }

// checkID is a check's ID, the same in a run, a filtered run and a baseline.
func checkID(opName, family, name string) string { return opName + "/" + family + "/" + name }

// itSpec declares an It for one check. body runs inside the It, or before it when
// the pipeline started the check ahead (pipeline.go).
func (e *Env) itSpec(opName, family, name, requirement string, advisory bool, body func(c *check)) {
	e.declare(opName, family, name, requirement, advisory, nil, body)
}

// itSpecOwn declares a check whose cases go one at a time on resources that, when
// own says so of the run's fixture, no other check touches: with a pipeline it runs
// in the side lane, alongside the other checks (pipeline.go).
func (e *Env) itSpecOwn(own func(f *Fixture) bool, opName, family, name, requirement string, body func(c *check)) {
	e.declare(opName, family, name, requirement, false, own, body)
}

func (e *Env) declare(opName, family, name, requirement string, advisory bool, own func(f *Fixture) bool, body func(c *check)) {
	kind := LabelConformance
	if advisory {
		kind = LabelAdvisory
	}
	decorators := []any{Label(opName, family, kind)}
	if family == famLifecycle && e.pipe == nil {
		// Workflows list their user's devices and compare two listings, while
		// workflows on other processes sign that user in for fresh devices: under
		// `ginkgo -p` they run on process 1 once every parallel spec is done. In
		// one process they run one after another (in the side lane, or each in its
		// It), and Ginkgo refuses Serial inside the pipeline's Ordered container.
		decorators = append(decorators, Serial)
	}
	k := len(e.specs)
	e.specs = append(e.specs, specDef{body: body, own: own, declared: reports.Check{
		ID: checkID(opName, family, name), Operation: opName, Family: family, Name: name,
		Labels: []string{opName, family, kind}, Advisory: advisory, Requirement: requirement,
	}})
	It(name, append(decorators, func() {
		// The first It runs once the fixture is set: what the side lane needs.
		e.pipe.startLane(e)
		var c *check
		if ahead := e.pipe.take(k); ahead != nil {
			ahead.letGo()
			<-ahead.done
			c = ahead.c
		} else {
			c = e.newCheck(k)
		}
		defer c.report()
		if c.pending == nil {
			c.execute(body, false)
		}
		c.out.tell()
		c.vacuous()
	})...)
}

// newCheck makes the bookkeeping of spec k.
func (e *Env) newCheck(k int) *check {
	d := e.specs[k].declared
	c := &check{env: e, op: e.Model.Operation(d.Operation), opName: d.Operation, family: d.Family, name: d.Name,
		requirement: d.Requirement, advisory: d.Advisory, index: k}
	c.ctx = context.WithValue(context.Background(), counterKey{}, &c.requests)
	return c
}

// vacuous fails a check that passed on an operation the target does not implement:
// its answers were the target's "no such operation" answer, so nothing of the rule
// was exercised, and a pass would count an operation that does not exist as
// conformant. Protocol checks stay: they judge the wire layer in front of operations.
func (c *check) vacuous() {
	if c.op == nil || c.family == famProtocol || !c.env.notImplemented(c.opName) {
		return
	}
	c.class = "not-implemented"
	Fail(c.env.Red.String(fmt.Sprintf("%s · %s · %s\nthe target answers %s as it answers an operation that does not exist (%s): not implemented, so this rule could not be exercised",
		c.opName, c.family, c.name, c.opName, c.env.currentFixture().Probe)))
}

// report attaches the check's record to the spec. It runs deferred, so it records
// failures (which unwind the It by panic) as well as passes.
func (c *check) report() {
	if c.failure != nil {
		c.failure = c.counterexample(c.failX, c.failure.Expected)
	}
	e := entry{
		ID: c.id(), Operation: c.opName, Family: c.family, Name: c.name, Advisory: c.advisory,
		Requirement: c.requirement, Class: c.class, Cases: c.cases,
		Requests: int(c.requests.Load()), Took: c.took, Counterexample: c.failure,
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return
	}
	AddReportEntry(entryName, string(raw), ReportEntryVisibilityNever)
}

// property runs prop as a rapid property: the configured number of cases (or fewer,
// for checks that consume resources), shrinking the first failure to a minimal one.
func (c *check) property(prop func(t *rapid.T)) {
	limit := c.limit()
	c.waitTurn()
	rapid.Check(tb{c}, func(t *rapid.T) {
		if c.shrinkSpent() {
			return
		}
		// Past the limit, a case passes without a request; once a failure is found,
		// rapid's shrinking replays must run for real.
		if c.failure == nil && c.cases >= limit {
			return
		}
		c.cases++
		prop(t)
	})
}

// batchSize is how many cases one rapid run of a batched property draws. It is a
// constant, never derived from --workers or the machine, so that the cases a seed
// yields, the verdict and the minimal counterexample are the same whatever the
// concurrency. Every run ends by waiting for its last answers with fewer and fewer
// requests in flight, when both the harness and the target spend more CPU per
// request, so fewer runs are better: 16 cost 9% more wall time than 64 at 8 workers,
// and one run for the default 100 cases 3% less wall time and 5% less CPU than 64.
// More would lengthen the one-at-a-time replay that starts shrinking, and hold more
// requests and answers (up to --max-body each) until they are judged: at 10 000
// cases a run peaked at 99 MiB with 64, 104 MiB with 100 and 119 MiB with 128.
const batchSize = 100

// job is one case of a batched property: drawn on the property's goroutine, sent by a
// worker, judged back on the property's goroutine.
type job struct {
	// send makes the case's request; nil when the draw asks for none.
	send func(ctx context.Context) exchange
	// judge fails t when the answer breaks the rule.
	judge func(t failer, x exchange)
}

// batched runs a property whose cases are independent of each other: the answer to
// one case does not depend on any other case of the run (no case changes what
// another reads; a case may make a fresh device of its own, see validCase). Each
// rapid run draws up to batchSize cases, putting each on the wire as soon as it is
// drawn (at most --workers at a time), and then judges the answers in the order they
// were drawn, stopping at the first that fails. No answer depends on the order
// requests arrive in, so the verdict and the failing case are the same whatever the
// scheduling, and the same with --workers 1, where the batch is drawn first and each
// case then sent and judged in turn. Once a case has failed,
// every replay (rapid's reproduction and shrinking) runs in turn too, so the minimal
// counterexample does not depend on the concurrency either
// (TestWorkersDoNotChangeVerdicts).
func (c *check) batched(prepare func(t *rapid.T) job) {
	limit := c.limit()
	workers := max(c.env.Cfg.Workers, 1)
	rapid.Check(tb{c}, func(t *rapid.T) {
		if c.shrinkSpent() {
			return
		}
		var n int
		replay := c.failure != nil
		if replay {
			// Shrinking replays the cases up to the one that failed last, one at a
			// time: rapid soon drops the passing ones before it, and each replay then
			// costs one request, as a one-case property's would.
			n = c.failIndex + 1
		} else {
			// Past the limit, a run passes without a request.
			if c.cases >= limit {
				return
			}
			n = min(batchSize, limit-c.cases)
		}
		jobs := make([]job, n)
		drawn := 0
		var sent *inFlight
		switch {
		case replay:
		case workers > 1:
			sent = c.sendWhileDrawing(t, jobs, prepare, workers)
			// Cases not yet sent when one fails are not sent at all.
			defer sent.stop()
			drawn = n
			if c.cases+n >= limit && c.env.pipe != nil {
				// Once the check's last case is on the wire, the next check may
				// start, to fill the slots its answers free (pipeline.go).
				sent.whenAllSent(func() { c.env.pipe.startAfter(c.env, c.index) })
			}
		default:
			// The whole batch is drawn first with one worker too: rapid shrinks the
			// draws of the run that failed, and with fewer of them it would end at
			// another minimal case than with more workers.
			for i := range jobs {
				jobs[i] = prepare(t)
			}
			drawn = n
		}
		before, i := c.failure, 0
		defer func() {
			// A failed judgement unwinds by panic; note which case it was.
			if c.failure != before {
				c.failIndex = i
			}
		}()
		for i = 0; i < n; i++ {
			c.cases++
			if i >= drawn {
				jobs[i] = prepare(t) // one at a time: nothing after a failure is drawn
			}
			if jobs[i].send == nil {
				continue
			}
			var x exchange
			if sent != nil {
				x = sent.answer(i)
			} else {
				x = jobs[i].send(c.ctx)
			}
			// The one place that judges, in every mode: rapid tells a reproduced
			// failure from a flaky one by its stack, line numbers included.
			jobs[i].judge(t, x)
			// Judged: its request and answer (up to --max-body each) can go. A
			// batch keeps only what is in flight or came back early, not a whole
			// batch of each.
			jobs[i] = job{}
			if sent != nil {
				sent.forget(i)
			}
		}
	})
}

// inFlight is a batch being sent: its answers, each ready once its request is
// answered (or skipped).
type inFlight struct {
	ctx      context.Context
	slots    chan struct{} // shared by every check in flight (Env.slots)
	answers  []exchange
	ready    []chan struct{}
	halt     chan struct{}
	halted   sync.Once
	wg       sync.WaitGroup
	panicked atomic.Pointer[any]

	// unsent counts the cases queued and not yet holding a slot; allSent runs once
	// none is left after whenAllSent was called.
	unsent  atomic.Int64
	allSent atomic.Pointer[func()]
	fired   sync.Once
}

// whenAllSent runs fn (once) when every case drawn so far holds a slot: it is on the
// wire or answered. Call it once drawing is done.
func (f *inFlight) whenAllSent(fn func()) {
	f.allSent.Store(&fn)
	if f.unsent.Load() == 0 {
		f.fired.Do(fn)
	}
}

// sending notes that a queued case holds its slot.
func (f *inFlight) sending() {
	if f.unsent.Add(-1) == 0 {
		if fn := f.allSent.Load(); fn != nil {
			f.fired.Do(*fn)
		}
	}
}

// sendWhileDrawing fills jobs by drawing them one after the other on the calling
// goroutine, and has up to workers goroutines send each as soon as it is drawn. It
// returns once every case is drawn; answer waits for each. The caller must stop it.
func (c *check) sendWhileDrawing(t *rapid.T, jobs []job, prepare func(t *rapid.T) job, workers int) *inFlight {
	f := &inFlight{ctx: c.ctx, slots: c.env.slots, answers: make([]exchange, len(jobs)), ready: make([]chan struct{}, len(jobs)), halt: make(chan struct{})}
	for i := range f.ready {
		f.ready[i] = make(chan struct{})
	}
	queue := make(chan int, len(jobs))
	for range min(workers, len(jobs)) {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for i := range queue {
				f.send(jobs[i], i)
			}
		}()
	}
	defer func() {
		close(queue)
		// A draw may end the run by panicking (rapid discards or stops a case that
		// way): what was not sent yet is not sent, and the workers are done before
		// the panic goes on.
		if p := recover(); p != nil {
			f.stop()
			panic(p)
		}
	}()
	for i := range jobs {
		jobs[i] = prepare(t)
		if jobs[i].send != nil {
			f.unsent.Add(1)
			queue <- i
			if i < workers {
				// The worker just readied would otherwise wait for the other
				// processor to wake and take it, while drawing goes on without
				// blocking; an idle virtual CPU can take hundreds of microseconds
				// to wake. Yielding puts the first requests of a batch on the wire
				// at once: from a spec's start to its first request took 150-230 µs
				// (p90 700 µs), 75-90 ms of a default run with nothing in flight;
				// with it 70-120 µs, 25-35 ms.
				runtime.Gosched()
			}
		}
	}
	return f
}

func (f *inFlight) send(j job, i int) {
	defer close(f.ready[i])
	// A panic is cogconform's own bug; it is raised again on the property's
	// goroutine (see answer), where Ginkgo reports it, not here, where it would end
	// the process.
	defer func() {
		if p := recover(); p != nil {
			f.panicked.CompareAndSwap(nil, &p)
		}
	}()
	if !f.takeSlot() {
		f.unsent.Add(-1)
		return
	}
	defer func() { <-f.slots }()
	f.sending()
	f.answers[i] = j.send(f.ctx)
}

// takeSlot takes one of the slots shared by every check in flight (at most --workers
// requests on the wire in all), unless the batch is halted: a halt already there wins
// over a free slot.
func (f *inFlight) takeSlot() bool {
	select {
	case <-f.halt:
		return false
	default:
	}
	select {
	case <-f.halt:
		return false
	case f.slots <- struct{}{}:
		return true
	}
}

// answer waits for case i's answer.
func (f *inFlight) answer(i int) exchange {
	<-f.ready[i]
	if p := f.panicked.Load(); p != nil {
		panic(*p)
	}
	return f.answers[i]
}

func (f *inFlight) forget(i int) { f.answers[i] = exchange{} }

// stop sends nothing more and waits for the requests in flight.
func (f *inFlight) stop() {
	f.halted.Do(func() { close(f.halt) })
	f.wg.Wait()
}

// limit is the number of cases the check runs: the configured cases per property,
// or fewer for checks that consume resources.
func (c *check) limit() int {
	limit := c.env.Cfg.Cases
	if c.maxCases > 0 && c.maxCases < limit {
		limit = c.maxCases
	}
	return limit
}

// judgedOrSkip skips a check that never saw an answer it could judge (say, no error
// answer for a check of error formats), so it cannot pass without having looked.
func (c *check) judgedOrSkip(why string) {
	if c.judged == 0 && c.failure == nil {
		c.skip("nothing to judge: " + why)
	}
}

// failer is what a check fails through: the rapid.T of the case.
type failer interface {
	Fatalf(format string, args ...any)
}

// fail records x as the counterexample and fails the case with a full message:
// operation and check, the case, the request, the answer, the requirement, the seed.
func (c *check) fail(t failer, x exchange, what, expected string, wantCodes []string) {
	c.class = c.env.classify(x, wantCodes)
	c.failed(x, expected)
	t.Fatalf("%s", c.message(x, what, expected))
}

// failed notes x as the check's latest failure. The counterexample is written out
// once, when the check reports (see report): shrinking fails hundreds of times on the
// way to a minimal case, and redacting a 256 KiB body and its curl line every time
// made a failing length check on a 131 072-character member shrink for ten seconds.
func (c *check) failed(x exchange, expected string) {
	c.failure = &reports.Counterexample{Operation: c.opName, Expected: expected}
	c.failX = x
}

// failClass is fail with an explicit class, for rules classify cannot see (an echoed
// secret, a wrong content type on a 200…).
func (c *check) failClass(t failer, x exchange, class, what, expected string) {
	if c.env.notImplemented(c.opName) {
		class = "not-implemented"
	}
	c.class = class
	c.failed(x, expected)
	t.Fatalf("%s", c.message(x, what, expected))
}

func (c *check) counterexample(x exchange, expected string) *reports.Counterexample {
	red := c.env.Red
	ce := &reports.Counterexample{
		Operation: c.opName,
		Method:    x.req.Method,
		Body:      red.String(string(x.req.Body)),
		Signed:    x.req.Sign,
		Expected:  expected,
		Seed:      c.env.Seed,
		Curl:      red.String(c.env.Client.Curl(x.req)),
		Headers:   map[string]string{},
	}
	if ce.Method == "" {
		ce.Method = "POST"
	}
	if x.req.Target != "" {
		ce.Headers["X-Amz-Target"] = x.req.Target
	}
	switch {
	case x.req.NoContentType:
	case x.req.ContentType != "":
		ce.Headers["Content-Type"] = x.req.ContentType
	default:
		ce.Headers["Content-Type"] = c.env.Model.ContentType
	}
	if x.err != nil {
		ce.Response.Error = red.String(x.err.Error())
	} else {
		ce.Response = reports.Response{
			Status: x.resp.Status, Code: x.resp.Code, ContentType: x.resp.ContentType,
			Body: redactedExcerpt(red, x.resp.Body, 2000),
		}
	}
	return ce
}

func (c *check) message(x exchange, what, expected string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s · %s\n", c.opName, c.family, c.name)
	if what != "" {
		fmt.Fprintf(&b, "case:     %s\n", what)
	}
	signed := ""
	if x.req.Sign {
		signed = " (SigV4-signed)"
	}
	method := x.req.Method
	if method == "" {
		method = "POST"
	}
	// Redact whole bodies before cutting them short: a cut can split a secret.
	red := c.env.Red
	fmt.Fprintf(&b, "sent:     %s / X-Amz-Target: %s%s body %s\n", method, x.req.Target, signed, redactedExcerpt(red, x.req.Body, 600))
	fmt.Fprintf(&b, "got:      %s\n", x.describeRedacted(red))
	fmt.Fprintf(&b, "required: %s\n", expected)
	if c.requirement != "" {
		fmt.Fprintf(&b, "rule:     %s\n", c.requirement)
	}
	if c.env.notImplemented(c.opName) {
		fmt.Fprintf(&b, "note:     the target answers %s as it answers an operation that does not exist: not implemented\n", c.opName)
	}
	fmt.Fprintf(&b, "seed:     %d\n", c.env.Seed)
	if len(x.req.Body) > inlineBody {
		// A person reads this; the whole request is in the report's counterexample.
		fmt.Fprintf(&b, "repro:    a %d-byte request, not repeated here: results.json has it (secrets masked), and cogconform replay --check %q sends it again", len(x.req.Body), c.id())
	} else {
		fmt.Fprintf(&b, "repro:    %s", c.env.Client.Curl(x.req))
	}
	return c.env.Red.String(b.String())
}

// inlineBody is the largest request body a failure message repeats in its curl line.
const inlineBody = 4 << 10

// deadline bounds one case's requests.
func (c *check) timeout() time.Duration { return c.env.Cfg.RequestTimeout }
