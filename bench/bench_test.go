package bench

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cogconform/cogconform/awsjson"
	"github.com/cogconform/cogconform/reference"
)

// startReference starts an embedded reference target and provisions the raw client's
// device on it.
func startReference(tb testing.TB) (string, Fixture) {
	tb.Helper()
	url, stop, err := reference.Listen(reference.Options{}, "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("starting the reference target: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = stop(ctx)
	})
	client, err := awsjson.New(awsjson.Config{
		Endpoint:    url,
		Credentials: awsjson.StaticCredentials(reference.DefaultAccessKeyID, reference.DefaultSecretAccessKey, ""),
	})
	if err != nil {
		tb.Fatal(err)
	}
	defer client.Close()
	fx, err := Provision(context.Background(), client, "bench-test")
	if err != nil {
		tb.Fatalf("provisioning: %v", err)
	}
	return url, fx
}

func rawOptions(url string, fx Fixture, concurrency int) RawOptions {
	return RawOptions{
		Endpoint: url, Fixture: fx, AccessKeyID: reference.DefaultAccessKeyID, Secret: reference.DefaultSecretAccessKey,
		Region: "us-east-1", Concurrency: concurrency, Warmup: 20 * time.Millisecond, Duration: 200 * time.Millisecond,
	}
}

// The raw client's fixed requests are valid: every one is answered 200 (Raw fails
// otherwise), Admin ones included, with their signature made once.
func TestRawSendsValidRequests(t *testing.T) {
	url, fx := startReference(t)
	r, err := Raw(context.Background(), rawOptions(url, fx, 2))
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Concurrency != 2 {
		t.Fatalf("raw: %+v", r)
	}
	reqs, err := fixedRequests(rawOptions(url, fx, 1))
	if err != nil {
		t.Fatal(err)
	}
	signed := 0
	for _, q := range reqs {
		if q.header.Get("Authorization") != "" {
			signed++
		}
	}
	if len(reqs) != 6 || signed != 3 {
		t.Errorf("%d fixed requests, %d signed; want 6 and 3", len(reqs), signed)
	}
}

// A refused request stops the measurement with the reason rather than counting it.
func TestRawFailsOnRefusals(t *testing.T) {
	url, fx := startReference(t)
	fx.AccessToken = "not-a-token"
	if _, err := Raw(context.Background(), rawOptions(url, fx, 1)); err == nil || !strings.Contains(err.Error(), "HTTP 400") {
		t.Fatalf("raw with a bad token: %v, want an HTTP 400 error", err)
	}
}

func TestParseGeneration(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkValid/DeviceKeyType-2             	    2000	      2806 ns/op	         0 discard-%	    356383 values/s
BenchmarkValid/UsernameType                	    2000	      8195 ns/op	         0 discard-%	    1.22e+05 values/s
PASS
`)
	got, err := ParseGeneration(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Shape != "DeviceKeyType" || got[0].PerSecond != 356383 || got[1].Shape != "UsernameType" || got[1].PerSecond != 122000 {
		t.Fatalf("parsed %+v", got)
	}
	if got[0].Pattern == "" {
		t.Errorf("DeviceKeyType's pattern was not found in the model")
	}
	if _, err := ParseGeneration([]byte("FAIL\n")); err == nil {
		t.Errorf("output without results must be an error")
	}
}

// The table states every measurement the issue asks for and holds each to its goal.
func TestReportNamesEveryGoal(t *testing.T) {
	s := func(d float64) time.Duration { return time.Duration(d * float64(time.Second)) }
	run := func(cases int, wall float64, requests int) RunResult {
		return RunResult{Cases: cases, Wall: s(wall), CPU: s(wall), ServerCPU: s(wall / 2), Requests: requests, CasesRun: requests,
			MaxRSSKB: 80 << 10, Checks: 262, Level: "conformant"}
	}
	rep := &Report{
		Machine: Machine{CPUs: 2, GoVersion: "go1.26", OS: "linux", Arch: "amd64"},
		Opts:    Options{Rounds: 2, RawTime: s(3), Workers: 4, Cases: 100},
		Raw: map[int][]RawResult{
			1: {{Concurrency: 1, Requests: 15000, Elapsed: s(3)}, {Concurrency: 1, Requests: 15000, Elapsed: s(3)}},
			4: {{Concurrency: 4, Requests: 30000, Elapsed: s(3), ClientCPU: s(1.5), ServerCPU: s(3)},
				{Concurrency: 4, Requests: 36000, Elapsed: s(3), ClientCPU: s(1.5), ServerCPU: s(3)}},
		},
		Harness:  []RunResult{run(100, 3, 24000), run(100, 4, 24000)},
		Embedded: run(100, 3, 24000),
		Scaling:  []RunResult{run(100, 3, 24000), run(1000, 30, 240000)},
		Gen:      []GenResult{{Shape: "DeviceKeyType", Pattern: "^(?:x)$", PerSecond: 1000}},
	}
	var b bytes.Buffer
	if err := rep.Write(&b); err != nil {
		t.Fatal(err)
	}
	table := b.String()
	for _, want := range []string{
		"2 CPUs", "go1.26", "raw: keep-alive client, 1 in flight", "raw: keep-alive client, 4 in flight",
		"harness: full suite", "cases/s", "harness/raw (4 in flight)", "(rounds: 0.80 0.50)", "≥ 0.7: met", "CPU per request: harness + server",
		"default run", "< 10s: met", "peak RSS", "< 150 MiB: met", "scaling: 1000 cases/property", "10.00× the time of 100",
		"≤ 11×: met", "generation: DeviceKeyType",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
}

// BenchmarkRaw is the wire alone: one fixed valid request per iteration, sent by the
// raw client to an embedded reference target over a keep-alive connection.
func BenchmarkRaw(b *testing.B) {
	url, fx := startReference(b)
	c, err := newRawClient(rawOptions(url, fx, 1))
	if err != nil {
		b.Fatal(err)
	}
	defer c.close()
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if err := c.send(ctx, i); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// BenchmarkRawParallel is BenchmarkRaw with GOMAXPROCS requests in flight.
func BenchmarkRawParallel(b *testing.B) {
	url, fx := startReference(b)
	c, err := newRawClient(rawOptions(url, fx, 8))
	if err != nil {
		b.Fatal(err)
	}
	defer c.close()
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if err := c.send(ctx, i); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// A round's ratio is taken against the mean of the raw rate just before and just after
// its harness run, so that a load that drifts during the round cancels out.
func TestRatioBracketsTheHarness(t *testing.T) {
	s := func(d float64) time.Duration { return time.Duration(d * float64(time.Second)) }
	rep := &Report{
		Opts:     Options{Workers: 8, RawConcurrency: []int{1, 8}},
		Raw:      map[int][]RawResult{8: {{Requests: 30000, Elapsed: s(3)}, {Requests: 30000, Elapsed: s(3)}}},
		RawAfter: []RawResult{{Requests: 10000, Elapsed: s(1)}, {Requests: 20000, Elapsed: s(1)}},
		Harness:  []RunResult{{Requests: 8000, Wall: s(1)}, {Requests: 8000, Wall: s(1)}},
	}
	got := rep.Ratios()
	// Round 1: 8000 / mean(10000, 10000); round 2: 8000 / mean(10000, 20000).
	if want := []float64{0.8, 8000.0 / 15000}; len(got) != 2 || math.Abs(got[0]-want[0]) > 1e-9 || math.Abs(got[1]-want[1]) > 1e-9 {
		t.Fatalf("ratios %v, want %v", got, want)
	}
	if n := len(rep.baselineRaw()); n != 4 {
		t.Fatalf("the raw row takes %d measurements, want all 4", n)
	}
}
