package reports_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/reports/internal/fakerun"
)

// tool finds an external program the tests need. A missing one fails the test
// rather than skipping it: a skipped browser or schema check would let `make
// test` pass without showing what it claims to show.
func tool(t *testing.T, env, name, pkg string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: run `make deps` (it installs Debian's %s), or set %s", name, pkg, env)
	}
	return p
}

// runTool runs a program with a deadline and returns its standard output; the
// output of both streams is in the failure message when it fails.
func runTool(t *testing.T, timeout time.Duration, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\nstdout: %.2000s\nstderr: %s", name, args, err, out, stderr.String())
	}
	return out
}

// limitedBuffer keeps the tail of a noisy stream (chromium logs dbus errors by
// the dozen) so a failure message stays readable.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.b = append(l.b, p...)
	if len(l.b) > 4000 {
		l.b = l.b[len(l.b)-4000:]
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.b) }

// secretRedactor registers every fake secret, as the suites register the
// fixture's tokens and passwords.
func secretRedactor(sec fakerun.Secrets) *reports.Redactor {
	red := reports.NewRedactor()
	for _, s := range sec.All() {
		red.Add(s)
	}
	return red
}

// writeReports writes all five files for run into a fresh folder.
func writeReports(t *testing.T, run *reports.Run, red *reports.Redactor) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cogconform-report")
	files, err := reports.WriteAll(dir, run, red)
	if err != nil {
		t.Fatalf("WriteAll: %v", err)
	}
	if len(files) != 5 {
		t.Fatalf("WriteAll wrote %d files, want 5: %v", len(files), files)
	}
	return dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// scenarios are the runs every writer is exercised with.
func scenarios() map[string]*reports.Run {
	sec := fakerun.NewSecrets()
	empty := &reports.Run{Version: "v0", SpecSHA256: "0000000000000000000000000000000000000000000000000000000000000000", Endpoint: "http://localhost:1"}
	incomplete := fakerun.Mixed(sec)
	incomplete.Checks = incomplete.Checks[:20]
	incomplete.Incomplete, incomplete.IncompleteReason = true, "run timeout of 10m reached"
	return map[string]*reports.Run{
		"mixed":           fakerun.Mixed(sec),
		"not-implemented": fakerun.NotImplemented(sec),
		"empty":           empty,
		"incomplete":      incomplete,
	}
}
