package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cogconform/cogconform/reports"
)

// Build compiles the cogconform command into dir and returns the binary's path.
func Build(ctx context.Context, moduleDir, dir string) (string, error) {
	bin := filepath.Join(dir, "cogconform")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/cogconform")
	cmd.Dir = moduleDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// Server is a `cogconform serve` child process.
type Server struct {
	URL string
	cmd *exec.Cmd
}

// Serve starts `cogconform serve` on a free loopback port and waits until it says
// where it listens.
func Serve(ctx context.Context, bin string) (*Server, error) {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(sc.Text(), "cogconform reference target listening on "); ok {
				found <- strings.TrimSpace(url)
			}
		}
		close(found)
		_, _ = io.Copy(io.Discard, stdout) // keep the pipe drained until the child exits
	}()
	s := &Server{cmd: cmd}
	select {
	case url, ok := <-found:
		if ok {
			s.URL = url
			return s, nil
		}
		_ = s.Stop()
		return nil, errors.New("cogconform serve exited before it listened")
	case <-time.After(30 * time.Second):
	case <-ctx.Done():
	}
	_ = s.Stop()
	return nil, errors.New("cogconform serve did not start listening")
}

// Pid is the server's process ID.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// CPU is the server's user and system time so far, when the platform tells.
func (s *Server) CPU() (time.Duration, bool) {
	if s.cmd.Process == nil {
		return 0, false
	}
	return processCPU(s.cmd.Process.Pid)
}

// Stop asks the server to shut down (SIGTERM) and waits for it, killing it if it
// lingers. It returns the server's peak resident set.
func (s *Server) Stop() error {
	if s.cmd.Process == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		return <-done
	}
}

// RunResult is one `cogconform run` child: its wall time, peak resident set and the
// totals of its results.json.
type RunResult struct {
	Cases int // per property, as asked
	Wall  time.Duration
	CPU   time.Duration // the child's user and system time: steadier than wall on a busy machine
	// ServerCPU is the CPU time the `cogconform serve` child spent during the run, when
	// Measure can read it (0 for the embedded reference, which CPU includes).
	ServerCPU time.Duration
	MaxRSSKB  int64
	Requests  int
	CasesRun  int // every case of every property, as counted by the run
	Checks    int
	Level     string
	ExitCode  int
}

// RequestsPerSecond and CasesPerSecond are over the whole wall time of the run,
// process start and report writing included.
func (r RunResult) RequestsPerSecond() float64 { return float64(r.Requests) / r.Wall.Seconds() }

// CasesPerSecond is every generated case of the run per second of wall time.
func (r RunResult) CasesPerSecond() float64 { return float64(r.CasesRun) / r.Wall.Seconds() }

// RunOptions say which run to make.
type RunOptions struct {
	Bin      string
	Endpoint string // "" runs the embedded reference target in the child
	Cases    int
	Seed     uint64
	Out      string // report folder
	Extra    []string
	// spawner, when set, starts the child (see spawn.go): Measure's runs go through
	// it so that their peak resident set is their own.
	spawner *spawner
}

// Run runs `cogconform run` as a child process and measures it. A nonconformant
// verdict (exit 1) is a result; any other failure is an error.
func Run(ctx context.Context, o RunOptions) (RunResult, error) {
	args := []string{"run", "--cases", fmt.Sprint(o.Cases), "--seed", fmt.Sprint(o.Seed), "--out", o.Out, "--progress", "none"}
	if o.Endpoint != "" {
		args = append(args, "--endpoint", o.Endpoint)
	}
	args = append(args, o.Extra...)
	var (
		sr  spawnResult
		err error
	)
	if o.spawner != nil {
		sr, err = o.spawner.run(ctx, o.Bin, args)
	} else {
		sr = spawnOne(ctx, spawnRequest{Path: o.Bin, Args: args})
	}
	res := RunResult{Cases: o.Cases, Wall: sr.Wall, ExitCode: sr.ExitCode, MaxRSSKB: sr.MaxRSSKB, CPU: sr.CPU}
	switch {
	case err != nil:
		return res, fmt.Errorf("cogconform %s: %w", strings.Join(args, " "), err)
	case !sr.Started || sr.Err != "" || (sr.ExitCode != 0 && sr.ExitCode != 1):
		why := sr.Err
		if why == "" {
			why = fmt.Sprintf("exit status %d", sr.ExitCode)
		}
		return res, fmt.Errorf("cogconform %s: %s\n%s", strings.Join(args, " "), why, sr.Stderr)
	}
	run, err := reports.ReadJSON(filepath.Join(o.Out, "results.json"))
	if err != nil {
		return res, fmt.Errorf("reading the run's results: %w", err)
	}
	res.Requests, res.CasesRun, res.Checks, res.Level = run.Totals.Requests, run.Totals.Cases, run.Totals.Checks, run.Level
	return res, nil
}
