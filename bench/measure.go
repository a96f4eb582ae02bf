package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/cogconform/cogconform/awsjson"
	"github.com/cogconform/cogconform/reference"
)

// Options shape a measurement.
type Options struct {
	ModuleDir string // the cogconform module, where `go build` and `go test` run
	Rounds    int    // raw and harness measurements, interleaved; medians are reported
	RawTime   time.Duration
	// RawConcurrency lists the raw client's concurrencies; the harness is compared
	// with the one equal to Workers (its requests in flight), or else the last.
	RawConcurrency []int
	Workers        int   // the harness's --workers
	Cases          int   // cases per property of the harness rounds
	Scaling        []int // cases per property of the scaling runs
	Seed           uint64
	GenBenchtime   string // -benchtime of the generators' benchmark; "" skips it
	Log            io.Writer
}

// Report is everything one `make bench` measured.
type Report struct {
	Machine Machine
	Opts    Options
	Raw     map[int][]RawResult // by concurrency, one per round
	// RawAfter is the raw client at the harness's concurrency again, measured right
	// after each round's harness run: with Raw's, just before it, it brackets the run.
	RawAfter []RawResult
	Harness  []RunResult      // one per round, against the serve child
	Replay   []ReplayResult   // one per round: the harness's recorded requests, resent
	Recorded RecordingSummary // the run the replay resends
	Embedded RunResult        // the default run: `cogconform run`, embedded reference
	Scaling  []RunResult
	Gen      []GenResult
	Total    time.Duration
}

// RecordingSummary describes the harness run whose requests the replay resends:
// sizes and verdicts only, never a request.
type RecordingSummary struct {
	Requests  int
	BodyBytes int64
	Status    [6]int64 // the server's answers while recording, by class
	Withheld  int      // DeleteUserPool calls the proxy answered itself
	Level     string   // the recorded run's verdict: a proxy that changed requests would show here
	Times     int      // recordings made: more than one when signatures would have expired
}

// Machine describes where the numbers come from.
type Machine struct {
	CPUs      int
	CPUModel  string
	GoVersion string
	OS, Arch  string
}

func describeMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, "bench: "+format+"\n", args...)
	}
}

// Measure builds cogconform, starts one `cogconform serve` child and measures raw
// round trips, raw replays of one recorded harness run and harness runs against it,
// then the scaling runs, the default embedded run and the generators.
func Measure(ctx context.Context, o Options) (*Report, error) {
	start := time.Now()
	rep := &Report{Machine: describeMachine(), Opts: o, Raw: map[int][]RawResult{}}
	tmp, err := os.MkdirTemp("", "cogbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	// First, while this process is small: see spawn.go.
	sp, err := startSpawner()
	if err != nil {
		return nil, err
	}
	defer sp.stop()

	o.logf("building cogconform")
	bin, err := Build(ctx, o.ModuleDir, tmp)
	if err != nil {
		return nil, err
	}
	srv, err := Serve(ctx, bin)
	if err != nil {
		return nil, err
	}
	defer func() { _ = srv.Stop() }()
	o.logf("reference target (cogconform serve) at %s", srv.URL)

	client, err := awsjson.New(awsjson.Config{
		Endpoint:    srv.URL,
		Credentials: awsjson.StaticCredentials(reference.DefaultAccessKeyID, reference.DefaultSecretAccessKey, ""),
	})
	if err != nil {
		return nil, err
	}
	defer client.Close()
	fx, err := Provision(ctx, client, "cogbench")
	if err != nil {
		return nil, fmt.Errorf("provisioning the raw client's device: %w", err)
	}
	defer func() { _ = Cleanup(context.Background(), client, fx) }()

	serverCPU := func() time.Duration {
		d, _ := srv.CPU()
		return d
	}
	runs := 0
	run := func(cases int, endpoint string, label string) (RunResult, error) {
		runs++
		out := filepath.Join(tmp, fmt.Sprintf("run-%d", runs))
		s0 := serverCPU()
		r, err := Run(ctx, RunOptions{Bin: bin, Endpoint: endpoint, Cases: cases, Seed: o.Seed, Out: out,
			Extra: []string{"--workers", fmt.Sprint(o.Workers)}, spawner: sp})
		if endpoint != "" {
			r.ServerCPU = serverCPU() - s0
		}
		if err == nil {
			o.logf("%s: %d cases per property: %d requests in %v (%.0f requests/s); CPU per request: harness %v, server %v; peak RSS %d MiB, %s",
				label, cases, r.Requests, r.Wall.Round(time.Millisecond), r.RequestsPerSecond(),
				perRequest(r.CPU, int64(r.Requests)), perRequest(r.ServerCPU, int64(r.Requests)), r.MaxRSSKB/1024, r.Level)
		}
		_ = os.RemoveAll(out)
		return r, err
	}

	// Pools the recording and the replays left behind, deleted after the rounds so
	// that the scaling runs meet the server as before, or on the way out.
	var leftover []string
	deletePools := func(ctx context.Context) error {
		var errs []error
		for _, id := range leftover {
			if err := Cleanup(ctx, client, Fixture{PoolID: id}); err != nil {
				errs = append(errs, fmt.Errorf("deleting user pool %s: %w", id, err))
			}
		}
		leftover = nil
		return errors.Join(errs...)
	}
	defer func() { _ = deletePools(context.Background()) }()
	var rec *Recording
	record := func() error {
		// The old recording's pools are of no further use once it is replaced.
		if err := deletePools(ctx); err != nil {
			return err
		}
		var level string
		r, err := Record(ctx, srv.URL, func(endpoint string) error {
			h, err := run(o.Cases, endpoint, "recording run (through the recording proxy)")
			level = h.Level
			return err
		})
		if r != nil {
			leftover = append(leftover, r.Withheld()...)
		}
		if err != nil {
			return fmt.Errorf("recording the harness's requests: %w", err)
		}
		rec = r
		rep.Recorded = RecordingSummary{Requests: r.Len(), BodyBytes: r.BodyBytes(), Status: r.Statuses(),
			Withheld: len(r.Withheld()), Level: level, Times: rep.Recorded.Times + 1}
		o.logf("recorded %d requests (%.1f MB of bodies), %d DeleteUserPool withheld", r.Len(), float64(r.BodyBytes())/1e6, len(r.Withheld()))
		return nil
	}
	if err := record(); err != nil {
		return nil, err
	}

	raw := func(round, c int, when string) (RawResult, error) {
		s0 := serverCPU()
		r, err := Raw(ctx, RawOptions{
			Endpoint: srv.URL, Fixture: fx, AccessKeyID: reference.DefaultAccessKeyID, Secret: reference.DefaultSecretAccessKey,
			Region: "us-east-1", Concurrency: c, Warmup: 300 * time.Millisecond, Duration: o.RawTime,
		})
		if err != nil {
			return r, fmt.Errorf("raw client: %w", err)
		}
		// The server's time includes the warm-up; scale it to the counted part.
		r.ServerCPU = time.Duration(float64(serverCPU()-s0) * r.Elapsed.Seconds() / (r.Elapsed + 300*time.Millisecond).Seconds())
		o.logf("round %d: raw, %d in flight%s: %.0f requests/s; CPU per request: client %v, server %v", round+1, c, when, r.PerSecond(),
			perRequest(r.ClientCPU, r.Requests), perRequest(r.ServerCPU, r.Requests))
		return r, nil
	}
	base := rep.baseline()
	for round := range o.Rounds {
		// The raw series the harness is compared with goes last, right before the
		// harness, and once more right after it: the host's load drifts over seconds,
		// and a pair taken a replay apart measured two different machines.
		for _, c := range o.RawConcurrency {
			if c == base {
				continue
			}
			r, err := raw(round, c, "")
			if err != nil {
				return nil, err
			}
			rep.Raw[c] = append(rep.Raw[c], r)
		}
		// Signatures hold five minutes from the recording's start; a replay that took
		// the server's expired-signature path would measure a lighter workload.
		if time.Since(rec.Start) > replayMaxAge {
			if err := record(); err != nil {
				return nil, err
			}
		}
		s0 := serverCPU()
		rp, err := Replay(ctx, rec, srv.URL, o.Workers)
		leftover = append(leftover, rp.CreatedPools...)
		if err != nil {
			return nil, fmt.Errorf("raw replay: %w", err)
		}
		rp.ServerCPU = serverCPU() - s0
		o.logf("round %d: raw replay, %d in flight: %d requests, %.0f requests/s, %d with another status than recorded; CPU per request: client %v, server %v",
			round+1, rp.Concurrency, rp.Requests, rp.PerSecond(), rp.Changed, perRequest(rp.ClientCPU, rp.Requests), perRequest(rp.ServerCPU, rp.Requests))
		rep.Replay = append(rep.Replay, rp)
		before, err := raw(round, base, ", before the harness")
		if err != nil {
			return nil, err
		}
		rep.Raw[base] = append(rep.Raw[base], before)
		h, err := run(o.Cases, srv.URL, fmt.Sprintf("round %d: harness", round+1))
		if err != nil {
			return nil, err
		}
		rep.Harness = append(rep.Harness, h)
		after, err := raw(round, base, ", after the harness")
		if err != nil {
			return nil, err
		}
		rep.RawAfter = append(rep.RawAfter, after)
	}

	// The recording's tokens and signatures are no longer needed.
	rec = nil
	if err := deletePools(ctx); err != nil {
		return nil, err
	}

	for _, n := range o.Scaling {
		if n == o.Cases && len(rep.Harness) > 0 {
			rep.Scaling = append(rep.Scaling, medianRun(rep.Harness))
			continue
		}
		r, err := run(n, srv.URL, "scaling")
		if err != nil {
			return nil, err
		}
		rep.Scaling = append(rep.Scaling, r)
	}

	if rep.Embedded, err = run(o.Cases, "", "default run (embedded reference)"); err != nil {
		return nil, err
	}

	if o.GenBenchtime != "" {
		o.logf("generators: BenchmarkValid, -benchtime %s", o.GenBenchtime)
		if rep.Gen, err = Generation(ctx, o.ModuleDir, o.GenBenchtime); err != nil {
			return nil, err
		}
	}
	rep.Total = time.Since(start)
	return rep, nil
}

// medianRun is the run of median wall time.
func medianRun(rs []RunResult) RunResult {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b RunResult) int { return int(a.Wall - b.Wall) })
	return s[len(s)/2]
}

// medianRaw is the raw measurement of median rate.
func medianRaw(rs []RawResult) RawResult { return medianRate(rs, RawResult.PerSecond) }

// medianReplay is the replay of median rate.
func medianReplay(rs []ReplayResult) ReplayResult { return medianRate(rs, ReplayResult.PerSecond) }

func medianRate[T any](rs []T, rate func(T) float64) T {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b T) int { return cmp.Compare(rate(a), rate(b)) })
	return s[len(s)/2]
}

// perRequest is CPU time per request, rounded for printing.
func perRequest(d time.Duration, n int64) time.Duration {
	if n == 0 {
		return 0
	}
	return (d / time.Duration(n)).Round(100 * time.Nanosecond)
}
