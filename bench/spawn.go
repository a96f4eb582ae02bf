package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Why a spawner: Linux counts in a child's peak resident set (ru_maxrss) the peak of
// the address space it was forked from, because Go starts children with
// clone(CLONE_VM|CLONE_VFORK) and exec records the old space's high-water mark. Once
// cogbench holds the recorded requests (about 100 MB), every `cogconform run` it
// started directly reported at least that much, whatever the run itself used. A
// spawner, started while cogbench is still small, starts the runs instead, so that a
// run's peak is its own (plus the spawner's few megabytes, as before).

// spawnerEnv marks the process that ServeSpawner should run in.
const spawnerEnv = "COGBENCH_SPAWNER"

// IsSpawner reports whether this process was started as Measure's spawner: a program
// that measures (cogbench) calls ServeSpawner instead of its own work when it is.
func IsSpawner() bool { return os.Getenv(spawnerEnv) == "1" }

type spawnRequest struct {
	Path string
	Args []string
}

// spawnResult is what the parent learns of one child.
type spawnResult struct {
	Started  bool
	ExitCode int
	Wall     time.Duration
	MaxRSSKB int64
	CPU      time.Duration
	Stderr   string // the tail, for error messages
	Err      string // why it could not start, or how it failed other than by an exit code
}

// maxStderr bounds the child's standard error the spawner sends back.
const maxStderr = 64 << 10

// ServeSpawner runs the commands read from in (one JSON request each), one at a time,
// and writes each result to out. It returns when in ends; a command still running
// then is killed, so that a cogbench that stops (or is stopped) leaves nothing behind.
func ServeSpawner(in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reqs := make(chan spawnRequest)
	go func() {
		defer cancel()
		defer close(reqs)
		dec := json.NewDecoder(in)
		for {
			var r spawnRequest
			if dec.Decode(&r) != nil {
				return
			}
			reqs <- r
		}
	}()
	enc := json.NewEncoder(out)
	for r := range reqs {
		if err := enc.Encode(spawnOne(ctx, r)); err != nil {
			return fmt.Errorf("spawner: answering: %w", err)
		}
	}
	return nil
}

func spawnOne(ctx context.Context, r spawnRequest) spawnResult {
	cmd := exec.CommandContext(ctx, r.Path, r.Args...)
	var stderr bytes.Buffer
	cmd.Stdout = io.Discard
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	res := spawnResult{Wall: time.Since(start)}
	if ps := cmd.ProcessState; ps != nil {
		res.Started = true
		res.ExitCode = ps.ExitCode()
		res.MaxRSSKB = maxRSSKB(ps)
		res.CPU = cpuTime(ps)
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		res.Err = err.Error()
	}
	b := stderr.Bytes()
	if len(b) > maxStderr {
		b = b[len(b)-maxStderr:]
	}
	res.Stderr = string(b)
	return res
}

// spawner is the parent's end of a ServeSpawner process.
type spawner struct {
	mu    sync.Mutex
	cmd   *exec.Cmd
	stdin io.WriteCloser
	enc   *json.Encoder
	dec   *json.Decoder
	dead  error // set once the spawner cannot be used any more
}

// startSpawner starts this executable again as a spawner.
func startSpawner() (*spawner, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this executable to start the spawner: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), spawnerEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the spawner: %w", err)
	}
	return &spawner{cmd: cmd, stdin: stdin, enc: json.NewEncoder(stdin), dec: json.NewDecoder(stdout)}, nil
}

// run has the spawner run path with args and waits for its result. Cancelling ctx
// ends the spawner, and with it the command.
func (s *spawner) run(ctx context.Context, path string, args []string) (spawnResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead != nil {
		return spawnResult{}, s.dead
	}
	if err := s.enc.Encode(spawnRequest{Path: path, Args: args}); err != nil {
		s.dead = fmt.Errorf("spawner: sending a command: %w", err)
		return spawnResult{}, s.dead
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = s.stdin.Close()
		case <-done:
		}
	}()
	var res spawnResult
	err := s.dec.Decode(&res)
	close(done)
	if ctx.Err() != nil {
		s.dead = ctx.Err()
		return res, ctx.Err()
	}
	if err != nil {
		s.dead = fmt.Errorf("spawner: reading a result: %w", err)
		return res, s.dead
	}
	return res, nil
}

// stop ends the spawner: closing its input makes it return.
func (s *spawner) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.stdin.Close()
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	if s.dead == nil {
		s.dead = errors.New("spawner: stopped")
	}
}
