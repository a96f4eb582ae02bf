//go:build unix

package hostile

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/cogconform/cogconform/reference"
	"github.com/cogconform/cogconform/reports"
)

// The matrix: `cogconform run` (the real binary, as a child process, because Ginkgo
// runs once per process) against every behaviour. Each row asserts the exit code, a
// wall time inside a generous correctness bound, no panic, a valid results record
// whose checks fail for the right reason, a capped peak RSS, and that a redirect
// target never sees a connection.

var bin string // the cogconform binary, built once by TestMain

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "cogconform-hostile-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "cogconform")
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		}
		build := exec.Command(goTool, "build", "-o", bin, "github.com/cogconform/cogconform/cmd/cogconform")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building cogconform: %v\n", err)
			return 1
		}
		return m.Run()
	}())
}

// Settings of every matrix run: short deadlines, two cases per property, a short
// shrink (shrinking is not what the matrix is about).
const (
	requestTimeout = 500 * time.Millisecond
	// Long enough that a loaded machine (make test runs packages side by side)
	// finishes every row: the bound checked is "ends within 3× this", not a speed.
	runTimeout = 90 * time.Second
	maxRSS     = 300 << 20
)

func baseArgs(endpoint, out string) []string {
	return []string{"run", "--endpoint", endpoint, "--out", out,
		"--request-timeout", requestTimeout.String(), "--run-timeout", runTimeout.String(),
		"--cases", "2", "--shrink-time", "1s", "--progress", "plain", "--seed", "7"}
}

type row struct {
	name      string
	behaviour Behaviour // "" for rows that set up their own target
	startup   bool      // the probe meets the behaviour too (else it is answered sanely)
	args      []string  // extra flags
	runBound  time.Duration
	wantExit  int
	// For exit 2: what the one line on stderr must say.
	wantStderr string
	// For exit 1: the class most failed checks must have, and words their reasons use.
	wantClass  []string
	wantReason string
	incomplete bool
	// setup, when set, starts the target and returns its URL.
	setup func(t *testing.T) string
}

// outcome is a line of the table the matrix prints.
type outcome struct {
	name, result string
	exit         int
	took         time.Duration
	rssMB        int64
}

var (
	tableMu sync.Mutex
	table   []outcome
)

func TestHostileMatrix(t *testing.T) {
	cfg, certPEM, err := SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	tlsReference := func(t *testing.T) string {
		ref, err := reference.New(reference.Options{})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewUnstartedServer(ref)
		srv.TLS = cfg.Clone()
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL
	}
	transport := []string{"transport"}
	accepted := []string{"accepted-invalid"}
	rows := []row{
		{name: "never answers", behaviour: Hang, wantExit: 1, wantClass: transport, wantReason: "no complete answer"},
		{name: "one byte per second", behaviour: Trickle, wantExit: 1, wantClass: transport, wantReason: "no complete answer"},
		{name: "headers, then one body byte per second", behaviour: TrickleBody, wantExit: 1, wantClass: transport, wantReason: "no complete answer"},
		{name: "resets the connection", behaviour: Reset, wantExit: 1, wantClass: transport, wantReason: "reset"},
		{name: "closes mid-body", behaviour: CloseMidBody, wantExit: 1, wantClass: transport, wantReason: "EOF"},
		{name: "100 MB body", behaviour: HugeBody, wantExit: 1, wantClass: accepted, wantReason: "HTTP 200"},
		{name: "gzip bomb (1 GiB inflated)", behaviour: GzipBomb, wantExit: 1, wantClass: accepted, wantReason: "HTTP 200"},
		{name: "HTML page", behaviour: HTML, wantExit: 1, wantClass: accepted, wantReason: "HTTP 200"},
		{name: "binary body", behaviour: Binary, wantExit: 1, wantClass: accepted, wantReason: "HTTP 200"},
		{name: "invalid UTF-8", behaviour: InvalidUTF8, wantExit: 1, wantClass: []string{"undocumented-error"}, wantReason: "HTTP 400"},
		{name: "redirect to another host and port", behaviour: Redirect, wantExit: 1, wantClass: []string{"redirect"}, wantReason: "HTTP 30"},
		{name: "200 with an error body", behaviour: OKWithError, wantExit: 1, wantClass: accepted, wantReason: "HTTP 200"},
		{name: "status 299", behaviour: Status299, wantExit: 1, wantClass: accepted, wantReason: "HTTP 299"},
		{name: "status 418", behaviour: Status418, wantExit: 1, wantClass: []string{"unparseable-error"}, wantReason: "HTTP 418"},
		{name: "status 599", behaviour: Status599, wantExit: 1, wantClass: []string{"not-implemented", "server-error"}, wantReason: "HTTP 599"},
		{name: "slow answers, run deadline 4s", behaviour: Slow, wantExit: 1, args: []string{"--run-timeout", "4s"}, runBound: 4 * time.Second, incomplete: true},

		{name: "start-up: connection refused", wantExit: 2, wantStderr: "connection refused", setup: func(t *testing.T) string {
			u, err := Refused()
			if err != nil {
				t.Fatal(err)
			}
			return u
		}},
		{name: "start-up: never answers", behaviour: Hang, startup: true, wantExit: 2, wantStderr: "no answer within 500ms"},
		{name: "start-up: resets the connection", behaviour: Reset, startup: true, wantExit: 2, wantStderr: "reset the connection"},
		{name: "start-up: TLS, self-signed certificate", wantExit: 2, wantStderr: "--ca-file", setup: func(t *testing.T) string {
			return start(t, Conformant, Options{TLS: cfg}).URL
		}},
		{name: "start-up: https to a plain-HTTP port", wantExit: 2, wantStderr: "does not speak TLS", setup: func(t *testing.T) string {
			ref, err := reference.New(reference.Options{})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(ref)
			t.Cleanup(srv.Close)
			return strings.Replace(srv.URL, "http://", "https://", 1)
		}},
		{name: "start-up: https, the connection closes in the handshake", wantExit: 2, wantStderr: "TLS handshake", setup: func(t *testing.T) string {
			return strings.Replace(start(t, Conformant, Options{}).URL, "http://", "https://", 1)
		}},
		{name: "TLS, self-signed, --insecure-skip-verify (reference)", wantExit: 0, args: []string{"--insecure-skip-verify"}, setup: tlsReference},
		{name: "TLS, self-signed, --ca-file (reference)", wantExit: 0, args: []string{"--ca-file", caFile}, setup: tlsReference},
	}
	t.Run("rows", func(t *testing.T) {
		for _, r := range rows {
			t.Run(r.name, func(t *testing.T) {
				t.Parallel()
				runRow(t, r)
			})
		}
	})
	printTable(t)
}

func runRow(t *testing.T, r row) {
	trap := trapServer(t)
	var target *Server
	var endpoint string
	if r.setup != nil {
		endpoint = r.setup(t)
	} else {
		target = start(t, r.behaviour, Options{AnswerProbe: !r.startup, RedirectTo: trap.URL})
		endpoint = target.URL
	}
	out := filepath.Join(t.TempDir(), "report")
	args := append(baseArgs(endpoint, out), r.args...)
	cmd := exec.Command(bin, args...)
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	begin := time.Now()
	err := cmd.Run()
	took := time.Since(begin)
	exit := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		exit = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running cogconform: %v", err)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	if runtime.GOOS != "darwin" {
		rss *= 1024 // Linux and the BSDs report KiB, macOS bytes
	}
	result := summarizeRow(t, r, out, exit, &stdout, &stderr)
	tableMu.Lock()
	table = append(table, outcome{name: r.name, result: result, exit: exit, took: took, rssMB: rss >> 20})
	tableMu.Unlock()

	if exit != r.wantExit {
		t.Errorf("exit code %d, want %d\nstderr: %s\nstdout (end): %s", exit, r.wantExit, stderr.String(), tail(stdout.String(), 1500))
	}
	limit := 3 * runTimeout
	if r.wantExit == 2 {
		limit = 20 * requestTimeout
	}
	if r.runBound > 0 {
		limit = 3 * r.runBound
	}
	// A correctness bound (the run ends), not a performance target: generous.
	if took > limit+10*time.Second {
		t.Errorf("the run took %s; it must end within %s", took, limit)
	}
	for name, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
		if strings.Contains(text, "panic:") || strings.Contains(text, "goroutine ") {
			t.Errorf("%s shows a panic or a goroutine dump:\n%s", name, tail(text, 3000))
		}
	}
	if rss > maxRSS {
		t.Errorf("peak RSS %d MB, more than %d MB: a body read is not capped", rss>>20, maxRSS>>20)
	}
	if n := trap.Connections(); n != 0 {
		t.Errorf("the redirect target got %d connections: a redirect was followed", n)
	}
}

// summarizeRow checks the row's outputs and returns the one-line outcome for the table.
func summarizeRow(t *testing.T, r row, out string, exit int, stdout, stderr *bytes.Buffer) string {
	t.Helper()
	if r.wantExit == 2 {
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], r.wantStderr) {
			t.Errorf("stderr must be one line that says %q; got:\n%s", r.wantStderr, stderr.String())
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a run that never started created its report folder %s (%v)", out, err)
		}
		return "exit 2 at start-up: " + strings.TrimPrefix(strings.TrimSpace(stderr.String()), "cogconform run: ")
	}
	run, err := reports.ReadJSON(filepath.Join(out, reports.FileJSON))
	if err != nil {
		t.Fatalf("results.json: %v", err)
	}
	checkXML(t, filepath.Join(out, reports.FileJUnit))
	if log, err := os.ReadFile(filepath.Join(out, "ginkgo.log")); err != nil {
		t.Errorf("ginkgo.log: %v", err)
	} else if bytes.Contains(log, []byte("[PANICKED]")) {
		t.Errorf("ginkgo.log shows a panicked spec")
	}
	if r.wantExit == 0 {
		// partial: with two cases a property may find nothing to judge, and says so.
		if run.Level != reports.LevelConformant && run.Level != reports.LevelPartial {
			t.Errorf("level %s, want conformant (or partial)", run.Level)
		}
		return fmt.Sprintf("%s: %d checks, %d passed", run.Level, run.Totals.Checks, run.Totals.Passed)
	}
	classes := map[string]int{}
	for _, c := range run.Checks {
		if c.Verdict != reports.Fail {
			continue
		}
		classes[c.Class]++
		if c.Reason == "" {
			t.Errorf("%s failed without a reason", c.ID)
		}
		if c.Class == "harness-error" || c.Class == "unclassified" || c.Class == "" {
			t.Errorf("%s failed as %q: %s", c.ID, c.Class, c.Reason)
		}
	}
	if r.incomplete != run.Incomplete {
		t.Errorf("incomplete %v (%s), want %v", run.Incomplete, run.IncompleteReason, r.incomplete)
	}
	if r.incomplete {
		notRun := 0
		for _, c := range run.Checks {
			if c.Class == "not-run" {
				notRun++
			}
		}
		if notRun == 0 {
			t.Errorf("a run cut short by its deadline lists no check as not run")
		}
		return fmt.Sprintf("incomplete (%s): %d checks failed, %d passed, %d not run", run.IncompleteReason, run.Totals.Failed, run.Totals.Passed, notRun)
	}
	// The target does not speak Cognito: provisioning must say so, not pass.
	for _, s := range run.Fixture {
		if s.Name == "CreateUserPool" && s.Verdict != reports.Fail {
			t.Errorf("fixture step CreateUserPool is %s against a target that creates nothing", s.Verdict)
		}
	}
	dominant, most := "", 0
	for c, n := range classes {
		if n > most || n == most && c < dominant {
			dominant, most = c, n
		}
	}
	if !slices.Contains(r.wantClass, dominant) {
		t.Errorf("most failures are %q (%v); want one of %v", dominant, classes, r.wantClass)
	}
	if run.Totals.Failed < run.Totals.Checks/2 {
		t.Errorf("only %d of %d checks failed against a target that breaks every rule", run.Totals.Failed, run.Totals.Checks)
	}
	example := ""
	for _, c := range run.Checks {
		if c.Verdict == reports.Fail && c.Class == dominant {
			example = c.Reason
			break
		}
	}
	if !strings.Contains(example, r.wantReason) {
		t.Errorf("a %s failure reads %q; want it to say %q", dominant, example, r.wantReason)
	}
	return fmt.Sprintf("%s: %d of %d checks fail, mostly %s (%d) — %s", run.Level, run.Totals.Failed, run.Totals.Checks, dominant, most, shorten(example, 90))
}

// checkXML reads the whole document: a byte a target sent that XML forbids would
// make the JUnit file unreadable to every CI system.
func checkXML(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Errorf("junit.xml: %v", err)
		return
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	for {
		if _, err := d.Token(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Errorf("junit.xml is not well-formed XML: %v", err)
			}
			return
		}
	}
}

// childEnv is the environment without COGCONFORM_* settings of the caller.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COGCONFORM_") {
			env = append(env, kv)
		}
	}
	return env
}

func printTable(t *testing.T) {
	tableMu.Lock()
	defer tableMu.Unlock()
	sort.SliceStable(table, func(i, j int) bool { return table[i].exit < table[j].exit })
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BEHAVIOUR\tEXIT\tTIME\tPEAK RSS\tOUTCOME")
	for _, o := range table {
		fmt.Fprintf(tw, "%s\t%d\t%.1fs\t%d MB\t%s\n", o.name, o.exit, o.took.Seconds(), o.rssMB, o.result)
	}
	_ = tw.Flush()
	t.Logf("hostile-target matrix (request timeout %s, run timeout %s, 2 cases per property):\n%s", requestTimeout, runTimeout, b.String())
	if path := os.Getenv("COGCONFORM_HOSTILE_TABLE"); path != "" {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Errorf("writing the table: %v", err)
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
