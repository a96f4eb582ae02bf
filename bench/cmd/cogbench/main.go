// Command cogbench prints the performance table of issue 8 (`make bench`): the raw
// round-trip rate of a minimal client against the reference target, the full suite's
// rate against the same server process, the same minimal client resending the suite's
// own recorded requests, how run time grows with the case count, the
// peak memory of a run and the generators' speed, all measured in one process run.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cogconform/cogconform/bench"
)

func main() {
	if bench.IsSpawner() {
		// Measure starts this program again to start its runs: see bench/spawn.go.
		if err := bench.ServeSpawner(os.Stdin, os.Stdout); err != nil {
			fail("%v", err)
		}
		return
	}
	var (
		o       bench.Options
		conc    string
		scaling string
		quiet   bool
	)
	flag.StringVar(&o.ModuleDir, "module", ".", "the cogconform module (where go build runs)")
	flag.IntVar(&o.Rounds, "rounds", 7, "interleaved raw and harness rounds; the table shows medians")
	flag.DurationVar(&o.RawTime, "raw-time", 3*time.Second, "how long each raw measurement sends")
	flag.StringVar(&conc, "raw-concurrency", "1,4", "requests in flight of the raw client, comma-separated")
	flag.IntVar(&o.Workers, "workers", 8, "the harness's --workers")
	flag.IntVar(&o.Cases, "cases", 100, "cases per property of the harness rounds")
	flag.StringVar(&scaling, "scaling", "100,1000,10000", "cases per property of the scaling runs, comma-separated")
	flag.Uint64Var(&o.Seed, "seed", 8, "the seed of every run, so that every round runs the same cases")
	flag.StringVar(&o.GenBenchtime, "gen-benchtime", "1s", "-benchtime of the generators' BenchmarkValid (empty: skip)")
	flag.BoolVar(&quiet, "quiet", false, "no progress lines on standard error")
	flag.Parse()
	var err error
	if o.RawConcurrency, err = ints(conc); err != nil {
		fail("--raw-concurrency: %v", err)
	}
	if o.Scaling, err = ints(scaling); err != nil {
		fail("--scaling: %v", err)
	}
	if !slices.Contains(o.RawConcurrency, o.Workers) {
		// The harness is compared with a raw client keeping as many requests in flight.
		o.RawConcurrency = append(o.RawConcurrency, o.Workers)
	}
	if !quiet {
		o.Log = os.Stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := bench.Measure(ctx, o)
	if err != nil {
		fail("%v", err)
	}
	if err := rep.Write(os.Stdout); err != nil {
		fail("%v", err)
	}
}

func ints(list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "cogbench: "+format+"\n", args...)
	os.Exit(1)
}
