package suites

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	"github.com/onsi/ginkgo/v2/types"

	"github.com/cogconform/cogconform/reports"
)

// Families of checks, one Context each (GUIDE §3).
const (
	famFixture   = "fixture"
	famErrorSet  = "error-set"
	famEmptyBody = "empty-body"
	famLifecycle = "lifecycle"
	famAuth      = "auth"
	famProtocol  = "protocol"
	famFormat    = "format"
	famSecrecy   = "secrecy"
	// required, pattern, length, enum, range and type are named by spec.ConstraintKind.
)

// serviceScope names checks that belong to the service rather than one operation.
const serviceScope = "Service"

// Define builds the whole spec tree from the model: fixture set-up and clean-up, a
// Describe per operation with a Context per family, service-level protocol checks,
// and the device lifecycle workflows. It must be called before RunSpecs. When the
// order Ginkgo runs the specs in can be known, the tree is one Ordered container and
// checks start ahead of their Its (pipeline.go).
func Define(e *Env) {
	// The generators are built while the fixture is provisioned (see gens.warm).
	go e.gen.warm(e.Model)
	SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
		f := e.provision(ctx)
		raw, err := json.Marshal(f)
		if err != nil {
			Fail(fmt.Sprintf("encoding the fixture: %v", err))
		}
		return raw
	}, func(raw []byte) {
		var f Fixture
		if err := json.Unmarshal(raw, &f); err != nil {
			Fail(fmt.Sprintf("decoding the fixture: %v", err))
		}
		e.setFixture(&f)
	}, NodeTimeout(10*time.Minute))

	SynchronizedAfterSuite(func() {
		// Under ginkgo -p each process made its own fresh devices for a handed-over
		// user, and only it knows their keys: it forgets them before process 1 cleans
		// up the rest (process 1's own are forgotten there, with its steps recorded).
		if GinkgoParallelProcess() == 1 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out := &Fixture{}
		f := e.currentFixture()
		e.forgetDevices(ctx, f, f.ownDevices(), out)
		var failed []string
		for _, s := range out.Steps {
			if s.Verdict != reports.Pass {
				failed = append(failed, s.Detail)
			}
		}
		if len(failed) > 0 {
			Fail(fmt.Sprintf("process %d: %s", GinkgoParallelProcess(), strings.Join(failed, "; ")))
		}
	}, func() {
		// Clean-up must run even after an interrupt, with a deadline of its own.
		e.pipe.close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		steps := e.cleanup(ctx, e.currentFixture())
		e.fixtureMu.Lock()
		e.cleanupSteps = steps
		e.fixtureMu.Unlock()
	})

	ReportAfterEach(func(sr SpecReport) {
		if e.Progress != nil && sr.LeafNodeType == types.NodeTypeIt {
			e.Progress(e.checkOf(sr))
		}
	})

	ReportAfterSuite("cogconform results", func(r Report) {
		if e.Sink != nil {
			e.Sink(e.buildRun(r))
		}
	})

	tree := func() {
		Describe("fixture", Label(famFixture), func() {
			for _, step := range fixtureSteps {
				e.itSpec(famFixture, famFixture, step, "the target's own API provisions a user pool, users and a confirmed device (GUIDE §4)", false,
					func(c *check) { c.fixtureStep(step) })
			}
		})
		for _, op := range e.Model.Operations {
			Describe(op.Name, Label(op.Name), func() {
				e.inputChecks(op)
				e.errorSetChecks(op)
				e.emptyBodyChecks(op)
				e.authChecks(op)
				e.protocolChecks(op)
				e.formatChecks(op)
				e.secrecyChecks(op)
			})
		}
		Describe(serviceScope, Label(serviceScope), func() { e.serviceChecks() })
		e.lifecycle()
	}
	suiteCfg, _ := GinkgoConfiguration()
	if e.suiteCfg != nil {
		suiteCfg = *e.suiteCfg
	}
	if pipe := e.pipeline(suiteCfg); pipe != nil {
		// One Ordered container runs the specs in the order they are declared, which
		// is what lets the pipeline know the next one; ContinueOnFailure keeps a
		// failure from skipping the checks after it.
		e.pipe = pipe
		Describe("cogconform", Ordered, ContinueOnFailure, tree)
	} else {
		tree()
	}
}

// pipeline returns a pipeline when the order Ginkgo will run the specs in can be
// known: one process, no focus or skip strings, more than one worker.
func (e *Env) pipeline(cfg types.SuiteConfig) *pipeline {
	if cfg.ParallelTotal > 1 || len(cfg.FocusStrings) > 0 || len(cfg.SkipStrings) > 0 || len(cfg.FocusFiles) > 0 ||
		len(cfg.SkipFiles) > 0 || cfg.SemVerFilter != "" || cfg.RandomizeAllSpecs || cfg.DryRun || e.Cfg.Workers <= 1 {
		return nil
	}
	p, err := newPipeline(cfg.LabelFilter)
	if err != nil {
		return nil // Ginkgo refuses the filter itself
	}
	return p
}

// fixtureStep passes when provisioning did the step, fails with the target's answer
// when it could not, and is skipped when the step was not needed or not reached.
func (c *check) fixtureStep(name string) {
	f := c.env.currentFixture()
	if f == nil {
		c.skip("no fixture was provisioned")
	}
	for _, s := range f.Steps {
		if s.Name != name {
			continue
		}
		if s.Verdict == reports.Fail {
			c.class = "fixture-step-failed"
			c.failNow(c.env.Red.String(fmt.Sprintf("fixture · %s: the target could not do this step: %s", name, s.Detail)))
		}
		return
	}
	for _, s := range f.Steps {
		if s.Name == "hand-over" {
			c.skip("not needed: " + s.Detail)
		}
	}
	c.class = "fixture-unavailable"
	c.skip("not reached: " + blockedBy(f, name))
}

// blockedBy names the first failed step that comes before step in provisioning order.
func blockedBy(f *Fixture, step string) string {
	for _, earlier := range fixtureSteps {
		if earlier == step {
			break
		}
		for _, s := range f.Steps {
			if s.Name == earlier && s.Verdict == reports.Fail {
				return s.Name + " failed: " + s.Detail
			}
		}
	}
	return lastDetail(f)
}
