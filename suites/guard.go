package suites

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/cogconform/cogconform/awsjson"
)

// A target that stops answering must not turn a run into hours of timeouts: after
// breakerThreshold requests in a row got no answer at all, requests fail at once
// without being sent, except one trial request now and then that shows whether the
// target is back. Every check still fails, with a message that says why.
const breakerThreshold = 5

// guard stands between the checks and the wire. It refuses requests once the run is
// over (interrupted, or past its deadline) so that checks Ginkgo abandoned stop
// talking to the target while clean-up runs; it trips when the target stops
// answering; and it remembers every pool the run created, so that clean-up deletes
// them even when provisioning was cut short.
type guard struct {
	mu       sync.Mutex
	halt     context.Context // done when the run must stop sending; nil: never
	silent   int             // requests in a row that got no answer
	lastErr  error
	trialOut bool      // a trial request is on the wire
	next     time.Time // when the next trial may go
	every    time.Duration

	created   []string      // pools this run created, in order
	cleanDone chan struct{} // made when clean-up starts, closed when it ends
	reported  bool          // the record was built after clean-up ended
}

// cleanupKey marks the context of clean-up requests: they go out whatever the state
// of the run, because what the run created must be deleted.
type cleanupKey struct{}

func forCleanup(ctx context.Context) context.Context {
	return context.WithValue(ctx, cleanupKey{}, true)
}

func isCleanup(ctx context.Context) bool {
	v, _ := ctx.Value(cleanupKey{}).(bool)
	return v
}

// ErrNotSent is wrapped by the error of every request the guard refused to send.
var ErrNotSent = errors.New("request not sent")

// setHalt arms the guard with the run's stop context.
func (g *guard) setHalt(ctx context.Context, trialEvery time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.halt, g.every = ctx, trialEvery
}

// haltReason says why the run stopped, or "" while it runs.
func (g *guard) haltReason() string {
	g.mu.Lock()
	halt := g.halt
	g.mu.Unlock()
	if halt == nil || halt.Err() == nil {
		return ""
	}
	if cause := context.Cause(halt); cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded) {
		return cause.Error()
	}
	if errors.Is(halt.Err(), context.DeadlineExceeded) {
		return "the run's deadline passed"
	}
	return "the run was interrupted"
}

// admit decides whether a request may go out. trial is true when it goes as the
// breaker's trial request; record must then be called with the outcome.
func (g *guard) admit(ctx context.Context) (trial bool, err error) {
	if isCleanup(ctx) {
		return false, nil
	}
	if why := g.haltReason(); why != "" {
		return false, fmt.Errorf("%w: %s", ErrNotSent, why)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.silent < breakerThreshold {
		return false, nil
	}
	if !g.trialOut && !time.Now().Before(g.next) {
		g.trialOut = true
		return true, nil
	}
	return false, fmt.Errorf("%w: the target gave no complete answer to the last %d requests (the last: %v); until it answers again, one request goes out every %s to see whether it is back",
		ErrNotSent, g.silent, g.lastErr, g.trialEvery())
}

// record notes whether a request got a complete answer: err is nil. A request the
// caller cancelled says nothing about the target, and neither does one that never
// left (a signing or credentials error): only a failed exchange (a *url.Error from
// the HTTP client) or a body cut short (resp set) counts against the target.
func (g *guard) record(ctx context.Context, trial bool, resp *awsjson.Response, err error) {
	if isCleanup(ctx) {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if trial {
		g.trialOut = false
	}
	switch {
	case err == nil:
		g.silent, g.lastErr = 0, nil
	case ctx.Err() != nil:
	case resp != nil || isExchangeError(err):
		g.silent++
		g.lastErr = err
		if g.silent >= breakerThreshold && (trial || g.silent == breakerThreshold) {
			g.next = time.Now().Add(g.trialEvery())
		}
	}
}

// isExchangeError reports whether err is a failed exchange with the target. Apart
// from record, whose every call (one a request) would otherwise allocate the target
// of errors.As.
func isExchangeError(err error) bool {
	var exchangeErr *url.Error
	return errors.As(err, &exchangeErr)
}

// trialEvery is the pause between trial requests while the breaker is open.
func (g *guard) trialEvery() time.Duration {
	if g.every <= 0 {
		return 5 * time.Second
	}
	return g.every
}

// createdPool remembers a pool the run created, the moment the target names it.
func (g *guard) createdPool(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if id != "" && !slices.Contains(g.created, id) {
		g.created = append(g.created, id)
	}
}

// pools returns the pools the run created.
func (g *guard) pools() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.created)
}

// beginCleanup reports whether the caller is the one to clean up: clean-up runs once.
func (g *guard) beginCleanup() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cleanDone != nil {
		return false
	}
	g.cleanDone = make(chan struct{})
	return true
}

func (g *guard) endCleanup() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.cleanDone)
}

func (g *guard) cleanupStarted() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cleanDone != nil
}

// cleanupEnded reports whether clean-up has run to its end.
func (g *guard) cleanupEnded() bool {
	g.mu.Lock()
	done := g.cleanDone
	g.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// waitCleanup waits for a clean-up in progress, at most d.
func (g *guard) waitCleanup(d time.Duration) {
	g.mu.Lock()
	done := g.cleanDone
	g.mu.Unlock()
	if done == nil {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// setReported notes whether the record was built with clean-up's steps in it.
func (g *guard) setReported(v bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reported = v
}

func (g *guard) cleanupReported() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.reported
}

// shrinkSpent reports whether a failing check has used up --shrink-time. rapid checks
// its shrink deadline only between passes, and one pass may replay a case dozens of
// times: against a target that takes its full request timeout to fail, one check
// would shrink for minutes. Past the budget a replay passes without a request, so
// rapid rejects the remaining candidates at once and keeps the smallest failure it
// has (the recorded counterexample is that failure's exchange).
func (c *check) shrinkSpent() bool {
	if c.failure == nil {
		return false
	}
	if c.failedAt.IsZero() {
		c.failedAt = time.Now()
		return false
	}
	budget := c.env.Cfg.ShrinkTime
	if budget <= 0 {
		budget = DefaultShrinkTime
	}
	return time.Since(c.failedAt) > budget
}
