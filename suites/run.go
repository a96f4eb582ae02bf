package suites

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's matchers read best unqualified

	"github.com/cogconform/cogconform/reports"
)

// RunOptions shape an in-process run.
type RunOptions struct {
	LabelFilter string    // Ginkgo label filter, e.g. "UpdateDeviceStatus && pattern"
	Output      io.Writer // also receives what specs write to GinkgoWriter
	Verbose     bool
	NoColor     bool
	JUnitReport string // Ginkgo's own JUnit file, when wanted besides cogconform's
	// Context, when cancelled (by SIGINT or SIGTERM), stops the run: Ginkgo sees the
	// same signal and skips what is left, and from then on no check sends a request;
	// clean-up still does. nil means the run stops only at its deadline.
	Context context.Context
}

// lateCleanupTimeout bounds the clean-up Run does itself when Ginkgo skipped the
// SynchronizedAfterSuite node (a second interrupt), and the wait for a clean-up
// Ginkgo abandoned after its grace period: what the run created must go.
const lateCleanupTimeout = 2 * time.Minute

// PrepareRapid sets rapid's flags for a run: cases per property, the seed, how long
// one failure may shrink (DefaultShrinkTime when shrink is 0), and no failure files
// in the user's folder. rapid reads them from the process's flag set; outside
// `go test`, testing.Init must come first (rapid calls testing.Short).
func PrepareRapid(cases int, seed uint64, shrink time.Duration) error {
	if shrink <= 0 {
		shrink = DefaultShrinkTime
	}
	if flag.Lookup("test.v") == nil {
		testing.Init()
	}
	if !flag.Parsed() {
		// testing.Short panics until the flag set is parsed; nothing is on it for us.
		if err := flag.CommandLine.Parse(nil); err != nil {
			return fmt.Errorf("initialising flags: %w", err)
		}
	}
	for name, value := range map[string]string{
		"rapid.checks":     strconv.Itoa(cases),
		"rapid.seed":       strconv.FormatUint(seed, 10),
		"rapid.nofailfile": "true",
		"rapid.shrinktime": shrink.String(),
	} {
		if err := flag.Set(name, value); err != nil {
			return fmt.Errorf("setting %s: %w", name, err)
		}
	}
	return nil
}

// ChooseSeed returns the configured seed, or one from the clock.
func ChooseSeed(seed uint64) uint64 {
	if seed != 0 {
		return seed
	}
	return uint64(time.Now().UnixNano()%1_000_000_000) + 1
}

// failer records whether RunSpecs saw a failure; RunSpecs needs only Fail().
type failer0 struct{ failed bool }

func (f *failer0) Fail() { f.failed = true }

// Run runs the whole suite in this process against env's endpoint and returns the
// results record. RunSpecs may run once per process, so Run may too.
func Run(env *Env, opts RunOptions) (*reports.Run, error) {
	// Hang up the keep-alive connections when the run ends: a server waiting for
	// requests on them (the embedded reference's Shutdown does) would wait in vain.
	defer env.closeIdle()
	env.Seed = ChooseSeed(env.Cfg.Seed)
	if err := PrepareRapid(env.Cfg.Cases, env.Seed, env.Cfg.ShrinkTime); err != nil {
		return nil, err
	}
	var result *reports.Run
	sink := env.Sink
	env.Sink = func(r *reports.Run) {
		result = r
		if sink != nil {
			sink(r)
		}
	}
	base := opts.Context
	if base == nil {
		base = context.Background()
	}
	if err := base.Err(); err != nil {
		return nil, fmt.Errorf("interrupted before the run started: %w", err)
	}
	// Ginkgo's own suite timeout ends the run and marks it incomplete; the guard's
	// deadline, a moment later, stops the requests of checks Ginkgo abandoned.
	halt, stop := context.WithTimeoutCause(base, env.Cfg.RunTimeout+time.Second,
		fmt.Errorf("the run timeout (--run-timeout %s) passed", env.Cfg.RunTimeout))
	defer stop()
	env.guard.setHalt(halt, max(5*env.Cfg.RequestTimeout, time.Second))
	suiteCfg, repCfg := GinkgoConfiguration()
	suiteCfg.RandomSeed = int64(env.Seed)
	suiteCfg.LabelFilter = opts.LabelFilter
	suiteCfg.Timeout = env.Cfg.RunTimeout
	suiteCfg.GracePeriod = 30 * time.Second
	env.suiteCfg = &suiteCfg
	Define(env)
	RegisterFailHandler(Fail)
	repCfg.NoColor = opts.NoColor
	repCfg.Verbose = opts.Verbose
	repCfg.Succinct = !opts.Verbose
	repCfg.JUnitReport = opts.JUnitReport
	if opts.Output != nil {
		GinkgoWriter.TeeTo(opts.Output)
	}
	f := &failer0{}
	RunSpecs(f, "cogconform", suiteCfg, repCfg)
	late := env.finishCleanup()
	if result == nil {
		if why := env.guard.haltReason(); why != "" {
			return nil, fmt.Errorf("the suite ended without a report: %s and Ginkgo was told to bail out (a third interrupt)", why)
		}
		return nil, fmt.Errorf("the suite ended without a report (label filter %q)", opts.LabelFilter)
	}
	if len(late) > 0 {
		result.Fixture = append(result.Fixture, late...)
		result.Summarize()
	}
	if base.Err() != nil && !result.Incomplete {
		// The signal came before Ginkgo listened for it, or after the last spec.
		result.Incomplete, result.IncompleteReason = true, "the run was interrupted"
		result.Summarize()
	}
	return result, nil
}

// finishCleanup makes sure clean-up has run to its end once RunSpecs returns, and
// returns the steps the record does not hold yet. Ginkgo skips clean-up on a second
// interrupt and abandons a clean-up node after its grace period; neither may leave a
// user pool behind.
func (e *Env) finishCleanup() []reports.Step {
	e.pipe.close()
	if e.guard.cleanupStarted() {
		e.guard.waitCleanup(lateCleanupTimeout)
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), lateCleanupTimeout)
		defer cancel()
		steps := e.cleanup(ctx, e.currentFixture())
		e.fixtureMu.Lock()
		e.cleanupSteps = steps
		e.fixtureMu.Unlock()
	}
	e.fixtureMu.Lock()
	defer e.fixtureMu.Unlock()
	if e.guard.cleanupReported() {
		return nil
	}
	return slices.Clone(e.cleanupSteps)
}
