package suites_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's matchers read best unqualified

	"github.com/cogconform/cogconform/reference"
	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/suites"
)

// cfg is bound to flags, so `go test ./suites/... -args --endpoint URL` works like
// `cogconform run --endpoint URL`; COGCONFORM_* variables fill what is not given.
var cfg suites.Config

func init() { suites.RegisterFlags(flag.CommandLine, &cfg) }

// TestConformance runs the whole spec tree against --endpoint, or against the embedded
// reference target (with COGCONFORM_DEFECT switched on, if set) when none is given.
// With COGCONFORM_RESULTS set it writes the results record there.
func TestConformance(t *testing.T) {
	if err := suites.ApplyEnv(flag.CommandLine, os.Getenv); err != nil {
		t.Fatal(err)
	}
	// A copy: the meta-tests read the flags as they were given.
	cfg := cfg
	if suiteCfg, _ := GinkgoConfiguration(); cfg.Endpoint == "" && suiteCfg.ParallelTotal > 1 {
		// Each process would start its own reference and the fixture lives on process 1's.
		t.Fatal("ginkgo -p needs --endpoint: start `cogconform serve` and point every process at it")
	}
	if cfg.Endpoint == "" {
		url, stop, err := reference.Listen(reference.Options{Defect: os.Getenv("COGCONFORM_DEFECT")}, "127.0.0.1:0")
		if err != nil {
			t.Fatalf("starting the reference target: %v", err)
		}
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = stop(ctx)
		}()
		cfg.Endpoint = url
	}
	env, err := suites.NewEnv(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	env.Seed = suites.ChooseSeed(cfg.Seed)
	if err := suites.PrepareRapid(cfg.Cases, env.Seed, cfg.ShrinkTime); err != nil {
		t.Fatal(err)
	}
	env.Sink = func(run *reports.Run) {
		if path := os.Getenv("COGCONFORM_RESULTS"); path != "" {
			f, err := os.Create(path)
			if err == nil {
				err = reports.WriteJSON(f, run)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "writing %s: %v\n", path, err)
			}
		}
		fmt.Fprintf(os.Stdout, "cogconform: %d checks (%d passed, %d failed, %d skipped, %d advisory findings), %d requests, seed %d\n",
			run.Totals.Checks, run.Totals.Passed, run.Totals.Failed, run.Totals.Skipped, run.Totals.AdvisoryFailed, run.Totals.Requests, run.Seed)
	}
	suites.Define(env)
	RegisterFailHandler(Fail)
	RunSpecs(t, "cogconform")
	if os.Getenv("COGCONFORM_PIPELINE_STATS") != "" {
		ahead, wasted := suites.PipelineStats(env)
		fmt.Fprintf(os.Stdout, "pipeline: %d started ahead, %d wasted\n", ahead, wasted)
	}
}

// isChild says whether this process is a child run a meta-test started.
func isChild() bool { return os.Getenv("COGCONFORM_CHILD") != "" }

// skipUnlessMeta keeps the meta-tests (which start child runs of TestConformance
// against the embedded reference) to a plain `go test ./suites`: out of the child
// runs themselves, and out of a run against the user's own target (--endpoint) or
// spread over processes by `ginkgo -p`, where each process would start them all
// again, minutes of child runs that test cogconform, not the target.
func skipUnlessMeta(t *testing.T) {
	t.Helper()
	suiteCfg, _ := GinkgoConfiguration()
	switch {
	case isChild():
		t.Skip("meta-test: runs only in the parent process")
	case suiteCfg.ParallelTotal > 1:
		t.Skip("meta-test: not under ginkgo -p")
	case cfg.Endpoint != "" || os.Getenv("COGCONFORM_ENDPOINT") != "":
		t.Skip("meta-test: not in a run against --endpoint")
	}
}

func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COGCONFORM_") {
			env = append(env, kv)
		}
	}
	return append(append(env, "COGCONFORM_CHILD=1"), extra...)
}
