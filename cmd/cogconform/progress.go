package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/cogconform/cogconform/reports"
)

// progress prints a line per operation and family as checks finish: a compact
// running count on a terminal, or one line per group in CI logs.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	mode    string // plain, tty, none
	verbose bool
	start   time.Time
	group   string
	counts  [3]int // pass, fail, skip in the current group
	total   [3]int
}

func newProgress(w io.Writer, mode string, verbose bool) *progress {
	if mode == "auto" {
		mode = "plain"
		if f, ok := w.(*os.File); ok && isTerminal(f) {
			mode = "tty"
		}
	}
	return &progress{w: w, mode: mode, verbose: verbose, start: time.Now()}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) check(c reports.Check) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == "none" {
		return
	}
	group := c.Operation + " " + c.Family
	if group != p.group {
		p.flush()
		p.group = group
	}
	i := map[reports.Verdict]int{reports.Pass: 0, reports.Fail: 1, reports.Skip: 2}[c.Verdict]
	p.counts[i]++
	p.total[i]++
	if p.verbose {
		fmt.Fprintf(p.w, "  %-4s %s  %s\n", c.Verdict, c.ID, c.Reason)
	}
	if p.mode == "tty" {
		fmt.Fprintf(p.w, "\r\033[K[%5.1fs] %d passed, %d failed, %d skipped · %s", time.Since(p.start).Seconds(), p.total[0], p.total[1], p.total[2], group)
	}
}

// flush ends the current group with one line (plain mode) and resets its counts.
func (p *progress) flush() {
	if p.group != "" && p.mode == "plain" {
		fmt.Fprintf(p.w, "[%5.1fs] %-40s pass %3d  fail %3d  skip %3d\n", time.Since(p.start).Seconds(), p.group, p.counts[0], p.counts[1], p.counts[2])
	}
	p.counts = [3]int{}
}

// interruptContext is cancelled by SIGINT or SIGTERM. Ginkgo also catches the signal
// during the run, stops the current spec and still runs clean-up and reporting.
func interruptContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
