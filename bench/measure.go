package bench

import (
	"context"
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
	Machine  Machine
	Opts     Options
	Raw      map[int][]RawResult // by concurrency, one per round
	Harness  []RunResult         // one per round, against the serve child
	Embedded RunResult           // the default run: `cogconform run`, embedded reference
	Scaling  []RunResult
	Gen      []GenResult
	Total    time.Duration
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
// round trips and harness runs against it, then the scaling runs, the default
// embedded run and the generators.
func Measure(ctx context.Context, o Options) (*Report, error) {
	start := time.Now()
	rep := &Report{Machine: describeMachine(), Opts: o, Raw: map[int][]RawResult{}}
	tmp, err := os.MkdirTemp("", "cogbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

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
			Extra: []string{"--workers", fmt.Sprint(o.Workers)}})
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

	for round := range o.Rounds {
		for _, c := range o.RawConcurrency {
			s0 := serverCPU()
			r, err := Raw(ctx, RawOptions{
				Endpoint: srv.URL, Fixture: fx, AccessKeyID: reference.DefaultAccessKeyID, Secret: reference.DefaultSecretAccessKey,
				Region: "us-east-1", Concurrency: c, Warmup: 300 * time.Millisecond, Duration: o.RawTime,
			})
			if err != nil {
				return nil, fmt.Errorf("raw client: %w", err)
			}
			// The server's time includes the warm-up; scale it to the counted part.
			r.ServerCPU = time.Duration(float64(serverCPU()-s0) * r.Elapsed.Seconds() / (r.Elapsed + 300*time.Millisecond).Seconds())
			o.logf("round %d: raw, %d in flight: %.0f requests/s; CPU per request: client %v, server %v", round+1, c, r.PerSecond(),
				perRequest(r.ClientCPU, r.Requests), perRequest(r.ServerCPU, r.Requests))
			rep.Raw[c] = append(rep.Raw[c], r)
		}
		h, err := run(o.Cases, srv.URL, fmt.Sprintf("round %d: harness", round+1))
		if err != nil {
			return nil, err
		}
		rep.Harness = append(rep.Harness, h)
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
func medianRaw(rs []RawResult) RawResult {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b RawResult) int {
		switch {
		case a.PerSecond() < b.PerSecond():
			return -1
		case a.PerSecond() > b.PerSecond():
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

// perRequest is CPU time per request, rounded for printing.
func perRequest(d time.Duration, n int64) time.Duration {
	if n == 0 {
		return 0
	}
	return (d / time.Duration(n)).Round(100 * time.Nanosecond)
}
