package suites_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cogconform/cogconform/internal/reftest"
	"github.com/cogconform/cogconform/reference"
	"github.com/cogconform/cogconform/reports"
)

// ginkgoCLI builds Ginkgo's command, of the version go.mod names, into dir: `ginkgo
// -p` is the only way into Ginkgo's parallel mode (it serves the processes their
// specs and gathers their reports).
func ginkgoCLI(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "ginkgo")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/onsi/ginkgo/v2/ginkgo").CombinedOutput()
	if err != nil {
		t.Fatalf("building the ginkgo command: %v\n%s", err, out)
	}
	return bin
}

// parallelRun runs this package's suite with `ginkgo --procs=2` and returns the
// record process 1 wrote.
func parallelRun(t *testing.T, ginkgo, dir, name string, env ...string) (*reports.Run, string) {
	t.Helper()
	results := filepath.Join(dir, name+".json")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, ginkgo, "--procs=2", "--no-color", ".")
	cmd.Env = childEnv(append(env, "COGCONFORM_RESULTS="+results)...)
	out, _ := cmd.CombinedOutput() // a nonconformant target fails the run: that is the point
	run, err := reports.ReadJSON(results)
	if err != nil {
		t.Fatalf("ginkgo -p run %s wrote no record: %v\n%s", name, err, tail(string(out), 3000))
	}
	if got := run.Options["processes"]; got != "2" {
		t.Fatalf("ginkgo -p run %s: the record says %q processes, want 2", name, got)
	}
	return run, string(out)
}

// TestGinkgoParallelFindsWhatOneProcessFinds runs the suite against a target with a
// defect in one process and spread over two by `ginkgo -p`, with one seed: every
// check must reach the same verdict and class after the same number of cases, with
// the same minimal counterexample (issue 8: the suite works under ginkgo -p as well
// as in-process). Request counts may differ: the lifecycle workflows page through
// lists whose length depends on what ran before them.
func TestGinkgoParallelFindsWhatOneProcessFinds(t *testing.T) {
	skipUnlessMeta(t)
	dir := t.TempDir()
	ginkgo := ginkgoCLI(t, dir)
	url, stop, err := reference.Listen(reference.Options{Defect: "pattern-substring"}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stop(context.Background()) }()
	env := []string{"COGCONFORM_ENDPOINT=" + url, "COGCONFORM_CASES=25", "COGCONFORM_SEED=20261123",
		"COGCONFORM_SHRINK_TIME=2m", "COGCONFORM_RUN_ID=parallel"}

	one, _ := childRun(t, dir, "one-process", nil, env...)
	two, out := parallelRun(t, ginkgo, dir, "two-processes", env...)
	a, b := byID(one), byID(two)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d checks in one process, %d over two\n%s", len(a), len(b), tail(out, 3000))
	}
	failed := 0
	for id, x := range a {
		y, ok := b[id]
		if !ok {
			t.Errorf("%s ran in one process only", id)
			continue
		}
		if x.Verdict == reports.Fail {
			failed++
		}
		if x.Verdict != y.Verdict || x.Class != y.Class || x.Cases != y.Cases {
			t.Errorf("%s: one process %s/%s after %d cases, two %s/%s after %d", id, x.Verdict, x.Class, x.Cases, y.Verdict, y.Class, y.Cases)
		}
		if cx, cy := counterexampleOf(x), counterexampleOf(y); cx != cy {
			t.Errorf("%s: minimal counterexamples differ:\n one process:   %s\n two processes: %s", id, cx, cy)
		}
	}
	if failed == 0 {
		t.Error("no check failed on the defective target: the comparison compared nothing")
	}
}

// TestGinkgoParallelForgetsEveryDeviceItMade hands a pool and a user over to a run
// spread over two processes. Checks on valid calls sign that user in for fresh
// devices in whichever process runs them, and only that process knows their keys:
// after the run the user must have no device left of the run's making.
func TestGinkgoParallelForgetsEveryDeviceItMade(t *testing.T) {
	skipUnlessMeta(t)
	dir := t.TempDir()
	ginkgo := ginkgoCLI(t, dir)
	url, stop, err := reference.Listen(reference.Options{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stop(context.Background()) }()
	const user, password = "their-user", "Their-Passw0rd!"
	owner := reftest.Owner{Endpoint: url}
	pool, client := owner.HandOver(t, user, password)

	run, out := parallelRun(t, ginkgo, dir, "handed-over", "COGCONFORM_ENDPOINT="+url, "COGCONFORM_CASES=10", "COGCONFORM_SEED=20261123",
		"COGCONFORM_POOL_ID="+pool, "COGCONFORM_CLIENT_ID="+client,
		"COGCONFORM_USERNAME="+user, "COGCONFORM_PASSWORD="+password)
	if run.Totals.Failed != 0 {
		for _, c := range run.Checks {
			if c.Verdict == reports.Fail {
				t.Errorf("%s failed: %s", c.ID, c.Reason)
			}
		}
		t.Fatalf("the run against the conformant reference failed\n%s", tail(out, 3000))
	}
	// Checks on valid calls must have run, or no process made a device to forget.
	var made int
	for _, c := range run.Checks {
		if c.Family == "empty-body" {
			made += c.Cases
		}
	}
	if made == 0 {
		t.Fatal("no check on valid calls ran: no fresh device was made")
	}
	left := owner.Devices(t, pool, user)
	if len(left) > 0 {
		t.Errorf("the user has %d devices left after the run (%d cases on valid calls): %v", len(left), made, left)
	}
}
