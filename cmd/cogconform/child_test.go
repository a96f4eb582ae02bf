package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Ginkgo's RunSpecs may run once per process, so every test of a whole run starts
// this test binary again as the cogconform CLI: TestCLIChild is the child's entry
// point, and the arguments travel in an environment variable so that the testing
// package's own flags never meet them.
const childArgsEnv = "COGCONFORM_TEST_CLI_ARGS"

// TestCLIChild is the CLI when this binary runs as a child; in the parent it checks
// only that the switch is off.
func TestCLIChild(t *testing.T) {
	raw := os.Getenv(childArgsEnv)
	if raw == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatalf("%s: %v", childArgsEnv, err)
	}
	os.Exit(dispatch(args, os.Stdout, os.Stderr))
}

// child is a running (or finished) `cogconform` child process.
type child struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	mu     sync.Mutex
	lines  []string // stdout, a line at a time
	done   chan struct{}
	exit   int
	took   time.Duration
	begin  time.Time
}

// startCLI starts the CLI with args; env adds variables (COGCONFORM_* of the
// caller's environment are left out, so that a developer's settings cannot leak in).
func startCLI(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCLIChild$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COGCONFORM_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, childArgsEnv+"="+string(raw)), env...)
	c := &child{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &c.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.begin = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			c.mu.Lock()
			c.lines = append(c.lines, sc.Text())
			c.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stdout)
		err := cmd.Wait()
		c.took = time.Since(c.begin)
		var exitErr *exec.ExitError
		switch {
		case errors.As(err, &exitErr):
			c.exit = exitErr.ExitCode()
		case err != nil:
			c.exit = -1
		}
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// wait waits for the child to end, at most d.
func (c *child) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(d):
		_ = c.cmd.Process.Kill()
		<-c.done
		t.Fatalf("the child did not end within %s; stdout:\n%s\nstderr:\n%s", d, c.stdout(), c.stderr.String())
	}
}

func (c *child) stdout() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.lines, "\n")
}

// progressLines counts the progress lines printed so far.
func (c *child) progressLines() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, l := range c.lines {
		if strings.HasPrefix(l, "[") {
			n++
		}
	}
	return n
}

// runCLI runs the CLI to its end (at most two minutes).
func runCLI(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	c := startCLI(t, env, args...)
	c.wait(t, 2*time.Minute)
	return c
}
