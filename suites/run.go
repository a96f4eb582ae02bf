package suites

import (
	"flag"
	"fmt"
	"io"
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
}

// PrepareRapid sets rapid's flags for a run: cases per property, the seed, and no
// failure files in the user's folder. rapid reads them from the process's flag set;
// outside `go test`, testing.Init must come first (rapid calls testing.Short).
func PrepareRapid(cases int, seed uint64) error {
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
		// Shrinking replays requests; against a slow target the default 30 s per
		// failing check would dominate a run with many findings.
		"rapid.shrinktime": "10s",
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
	env.Seed = ChooseSeed(env.Cfg.Seed)
	if err := PrepareRapid(env.Cfg.Cases, env.Seed); err != nil {
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
	Define(env)
	RegisterFailHandler(Fail)
	suiteCfg, repCfg := GinkgoConfiguration()
	suiteCfg.RandomSeed = int64(env.Seed)
	suiteCfg.LabelFilter = opts.LabelFilter
	suiteCfg.Timeout = env.Cfg.RunTimeout
	suiteCfg.GracePeriod = 30 * time.Second
	repCfg.NoColor = opts.NoColor
	repCfg.Verbose = opts.Verbose
	repCfg.Succinct = !opts.Verbose
	repCfg.JUnitReport = opts.JUnitReport
	if opts.Output != nil {
		GinkgoWriter.TeeTo(opts.Output)
	}
	f := &failer0{}
	RunSpecs(f, "cogconform", suiteCfg, repCfg)
	if result == nil {
		return nil, fmt.Errorf("the suite ended without a report (label filter %q)", opts.LabelFilter)
	}
	return result, nil
}
