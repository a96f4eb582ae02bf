package suites

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cogconform/cogconform/awsjson"
	"github.com/cogconform/cogconform/reports"
)

var errTimeout = &url.Error{Op: "Post", URL: "http://127.0.0.1:1/", Err: context.DeadlineExceeded}

func TestGuardTripsOnSilenceOnly(t *testing.T) {
	var g guard
	g.setHalt(context.Background(), 50*time.Millisecond)
	ctx := context.Background()
	// Errors that never reached the target do not count.
	for range 2 * breakerThreshold {
		trial, err := g.admit(ctx)
		if err != nil || trial {
			t.Fatalf("admit before any silence: %v %v", trial, err)
		}
		g.record(ctx, false, nil, errors.New("awsjson: signing: no credentials"))
	}
	for i := range breakerThreshold {
		if _, err := g.admit(ctx); err != nil {
			t.Fatalf("request %d refused before the breaker tripped: %v", i, err)
		}
		g.record(ctx, false, nil, errTimeout)
	}
	_, err := g.admit(ctx)
	if !errors.Is(err, ErrNotSent) || !strings.Contains(err.Error(), "no complete answer to the last 5 requests") {
		t.Fatalf("after %d silent requests: %v", breakerThreshold, err)
	}
	// Clean-up goes out all the same.
	if _, err := g.admit(forCleanup(ctx)); err != nil {
		t.Errorf("clean-up refused: %v", err)
	}
	time.Sleep(60 * time.Millisecond)
	trial, err := g.admit(ctx)
	if err != nil || !trial {
		t.Fatalf("no trial request after the pause: %v %v", trial, err)
	}
	if _, err := g.admit(ctx); err == nil {
		t.Error("a second request went out while the trial was on the wire")
	}
	g.record(ctx, true, &awsjson.Response{Status: 400}, nil) // the target is back
	if _, err := g.admit(ctx); err != nil {
		t.Errorf("refused after the target answered again: %v", err)
	}
}

func TestGuardHaltsButCleansUp(t *testing.T) {
	var g guard
	ctx, cancel := context.WithCancel(context.Background())
	g.setHalt(ctx, time.Second)
	cancel()
	if _, err := g.admit(context.Background()); !errors.Is(err, ErrNotSent) || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("after the interrupt: %v", err)
	}
	if _, err := g.admit(forCleanup(context.Background())); err != nil {
		t.Errorf("clean-up refused after the interrupt: %v", err)
	}
	dl, cancel2 := context.WithTimeoutCause(context.Background(), time.Nanosecond, errors.New("the run timeout (--run-timeout 1ns) passed"))
	defer cancel2()
	<-dl.Done()
	g.setHalt(dl, time.Second)
	if why := g.haltReason(); !strings.Contains(why, "--run-timeout") {
		t.Errorf("halt reason after the deadline: %q", why)
	}
}

func TestCleanupRunsOnceAndRemembersPools(t *testing.T) {
	var g guard
	g.createdPool("us-east-1_a")
	g.createdPool("us-east-1_a")
	g.createdPool("us-east-1_b")
	if p := g.pools(); len(p) != 2 {
		t.Errorf("pools %v", p)
	}
	if !g.beginCleanup() || g.beginCleanup() {
		t.Error("clean-up must begin exactly once")
	}
	if g.cleanupEnded() {
		t.Error("ended before endCleanup")
	}
	g.endCleanup()
	g.waitCleanup(time.Second)
	if !g.cleanupEnded() {
		t.Error("not ended after endCleanup")
	}
}

func TestShrinkSpent(t *testing.T) {
	c := &check{env: &Env{Cfg: Config{ShrinkTime: 20 * time.Millisecond}}}
	if c.shrinkSpent() {
		t.Error("spent before any failure")
	}
	c.failure = &reports.Counterexample{}
	if c.shrinkSpent() {
		t.Error("spent at the first replay")
	}
	time.Sleep(30 * time.Millisecond)
	if !c.shrinkSpent() {
		t.Error("not spent after the budget")
	}
}
