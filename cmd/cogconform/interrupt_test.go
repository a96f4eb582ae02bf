//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cogconform/cogconform/internal/reftest"
	"github.com/cogconform/cogconform/reference"
	"github.com/cogconform/cogconform/reports"
)

// refTarget is the reference target served by the test process, so that the test
// can ask it which user pools exist while a child run talks to it.
type refTarget struct {
	URL  string
	ref  *reference.Server
	hook func(op string, r *http.Request) // runs before each request is served
}

func startReference(t *testing.T, opts reference.Options, hook func(op string, r *http.Request)) *refTarget {
	t.Helper()
	ref, err := reference.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	rt := &refTarget{ref: ref, hook: hook}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		op := target[strings.LastIndexByte(target, '.')+1:]
		if rt.hook != nil {
			rt.hook(op, r)
		}
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rt.URL = srv.URL
	return rt
}

// admin sends a signed call to the reference outside any run, as the owner of an
// account would, and decodes the answer into out (when given).
func (rt *refTarget) admin(t *testing.T, op string, body map[string]any, out any) {
	t.Helper()
	reftest.Owner{Endpoint: rt.URL}.Admin(t, op, body, out)
}

// foreignPool creates a pool the run must not touch: "deletes exactly what it created".
func (rt *refTarget) foreignPool(t *testing.T) string {
	t.Helper()
	rt.admin(t, "CreateUserPool", map[string]any{"PoolName": "someone-elses-pool"}, nil)
	pools := rt.ref.UserPools()
	if len(pools) != 1 {
		t.Fatalf("pools after creating one: %v", pools)
	}
	return pools[0]
}

// waitFor polls cond until it holds, at most d.
func waitFor(t *testing.T, d time.Duration, what string, c *child, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		select {
		case <-c.done:
			t.Fatalf("the run ended (exit %d) before %s; stdout:\n%s\nstderr:\n%s", c.exit, what, c.stdout(), c.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// promptly bounds how long a run may take to stop after a signal: clean-up is one
// DeleteUserPool and writing the reports. A correctness bound, generous.
const promptly = 20 * time.Second

// TestInterruptDeletesPools interrupts runs against the reference target and asks
// the target afterwards which pools exist: only the one the run did not create.
func TestInterruptDeletesPools(t *testing.T) {
	cases := []struct {
		name    string
		signals []syscall.Signal
		// hold: the signal arrives while this provisioning call is on the wire (the
		// fixture never reaches Ginkgo's specs). CreateUserPool: the answer naming
		// the pool must not be thrown away. CreateUserPoolClient: the pool exists,
		// the rest of provisioning must stop. Empty: the signal arrives mid-run,
		// checks done and checks to come.
		hold string
	}{
		{name: "SIGINT mid-run", signals: []syscall.Signal{syscall.SIGINT}},
		{name: "SIGTERM mid-run", signals: []syscall.Signal{syscall.SIGTERM}},
		// The second signal arrives while DeleteUserPool is on the wire: Ginkgo gives
		// up on clean-up nodes then, and the run must finish the clean-up itself.
		{name: "SIGINT mid-run, again during clean-up", signals: []syscall.Signal{syscall.SIGINT, syscall.SIGINT}},
		{name: "SIGINT while CreateUserPool is on the wire", signals: []syscall.Signal{syscall.SIGINT}, hold: "CreateUserPool"},
		{name: "SIGINT while CreateUserPoolClient is on the wire", signals: []syscall.Signal{syscall.SIGINT}, hold: "CreateUserPoolClient"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			held := make(chan struct{})
			deleting := make(chan struct{})
			var deleteOnce sync.Once
			var armed atomic.Bool // the test's own foreign pool goes through unheld
			release := make(chan struct{})
			var once sync.Once
			var mu sync.Mutex
			var requests int
			rt := startReference(t, reference.Options{}, func(op string, r *http.Request) {
				mu.Lock()
				requests++
				mu.Unlock()
				if tc.hold != "" && op == tc.hold && armed.Load() {
					once.Do(func() { close(held) })
					select { // hold the request until the child has been signalled
					case <-release:
					case <-r.Context().Done():
					case <-time.After(10 * time.Second):
					}
					return
				}
				if op == "DeleteUserPool" && armed.Load() {
					deleteOnce.Do(func() { close(deleting) })
					time.Sleep(500 * time.Millisecond)
					return
				}
				// Slow the run down so that a signal lands in the middle of it.
				if op != "CreateUserPool" && op != "DeleteUserPool" {
					time.Sleep(2 * time.Millisecond)
				}
			})
			foreign := rt.foreignPool(t)
			armed.Store(true)
			out := filepath.Join(t.TempDir(), "report")
			c := startCLI(t, nil, "run", "--endpoint", rt.URL, "--out", out, "--cases", "40", "--progress", "plain",
				"--request-timeout", "5s", "--run-timeout", "5m", "--seed", "11")

			var poolsDuring []string
			if tc.hold != "" {
				select {
				case <-held:
				case <-time.After(time.Minute):
					t.Fatalf("provisioning never reached %s", tc.hold)
				}
			} else {
				// Mid-run: the fixture is up and several groups of checks are done.
				waitFor(t, time.Minute, "the fixture and three groups of checks", c, func() bool {
					return len(rt.ref.UserPools()) > 1 && c.progressLines() >= 3
				})
			}
			poolsDuring = rt.ref.UserPools()
			if tc.hold == "CreateUserPool" {
				// The pool appears only when the held request is let go.
			} else if len(poolsDuring) != 2 {
				t.Fatalf("pools while the run was on: %v, want the foreign one and the run's", poolsDuring)
			}
			signalled := time.Now()
			for i, sig := range tc.signals {
				if i > 0 {
					select {
					case <-deleting:
					case <-time.After(promptly):
						t.Fatal("no DeleteUserPool after the first signal")
					}
				}
				if err := c.cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
			}
			if tc.hold != "" {
				time.Sleep(200 * time.Millisecond)
				close(release)
			}
			c.wait(t, promptly+time.Minute)
			stopped := time.Since(signalled)

			poolsAfter := rt.ref.UserPools()
			t.Logf("%s: pools before the signal %v, after the run %v; the run stopped %s after the signal, exit %d",
				tc.name, poolsDuring, poolsAfter, stopped.Round(time.Millisecond), c.exit)
			if !slices.Equal(poolsAfter, []string{foreign}) {
				t.Errorf("pools after the run: %v; want only the foreign pool %s", poolsAfter, foreign)
			}
			if stopped > promptly {
				t.Errorf("the run took %s to stop after the signal", stopped)
			}
			if c.exit != exitFail {
				t.Errorf("exit code %d, want %d (incomplete)", c.exit, exitFail)
			}
			if !strings.Contains(c.stderr.String(), "incomplete") || strings.Contains(c.stderr.String(), "panic") {
				t.Errorf("stderr must say the run is incomplete, and show no panic:\n%s", c.stderr.String())
			}
			rec, err := reports.ReadJSON(filepath.Join(out, reports.FileJSON))
			if err != nil {
				t.Fatalf("results.json: %v", err)
			}
			if !rec.Incomplete || !strings.Contains(rec.IncompleteReason, "interrupt") || rec.Level != reports.LevelIncomplete {
				t.Errorf("record: incomplete %v (%q), level %s; want incomplete, interrupted", rec.Incomplete, rec.IncompleteReason, rec.Level)
			}
			deleted := false
			for _, s := range rec.Fixture {
				if s.Name == "DeleteUserPool" {
					deleted = s.Verdict == reports.Pass
				}
			}
			if !deleted {
				t.Errorf("the record's fixture steps show no passed DeleteUserPool: %+v", rec.Fixture)
			}
			counts := map[string]int{}
			for _, ch := range rec.Checks {
				counts[string(ch.Verdict)+"/"+ch.Class]++
			}
			t.Logf("%s: record: incomplete %v (%s), level %s, checks %v", tc.name, rec.Incomplete, rec.IncompleteReason, rec.Level, counts)
			if counts["fail/"] > 0 || rec.Totals.Failed > 0 {
				t.Errorf("checks failed against the conformant reference: %v", counts)
			}
			if tc.hold == "" && (rec.Totals.Passed == 0 || counts["skip/not-run"] == 0) {
				t.Errorf("an interrupt mid-run should leave checks passed and checks not run: %v", counts)
			}
			if tc.hold != "" && counts["skip/not-run"] != len(rec.Checks) {
				// Ginkgo reports no spec when the suite's set-up is interrupted; the
				// record must still name every check, as not run.
				t.Errorf("an interrupt while provisioning should list every check as not run: %v", counts)
			}
			// Every check once, under the ID a finished run gives it.
			if len(rec.Checks) != 262 {
				ids := map[string]bool{}
				for _, ch := range rec.Checks {
					ids[ch.ID] = true
				}
				t.Errorf("the record lists %d checks (%d distinct IDs), want the tree's 262", len(rec.Checks), len(ids))
			}
			// Nothing half-written: the five reports and the log, no temporary files.
			entries, err := os.ReadDir(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".tmp") || strings.HasPrefix(e.Name(), ".") {
					t.Errorf("a temporary file was left behind: %s", e.Name())
				}
			}
			if len(entries) != 6 {
				t.Errorf("report folder holds %d files, want 5 reports and ginkgo.log", len(entries))
			}
		})
	}
}

// A pool handed over without a user gets the run's own users; at the end the run
// deletes exactly those (their devices go with them) and leaves the pool, and
// everything else in it, alone.
func TestRunDeletesTheUsersItCreatedInAHandedOverPool(t *testing.T) {
	var mu sync.Mutex
	var created, deleted []string
	var armed atomic.Bool
	rt := startReference(t, reference.Options{}, func(op string, r *http.Request) {
		if !armed.Load() || (op != "AdminCreateUser" && op != "AdminDeleteUser" && op != "DeleteUserPool") {
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in struct{ Username string }
		_ = json.Unmarshal(body, &in)
		mu.Lock()
		defer mu.Unlock()
		switch op {
		case "AdminCreateUser":
			created = append(created, in.Username)
		case "AdminDeleteUser":
			deleted = append(deleted, in.Username)
		default:
			t.Errorf("the run called DeleteUserPool on a pool it was handed")
		}
	})
	var pool struct{ UserPool struct{ Id string } }
	rt.admin(t, "CreateUserPool", map[string]any{"PoolName": "theirs", "DeviceConfiguration": map[string]any{"ChallengeRequiredOnNewDevice": false}}, &pool)
	var client struct{ UserPoolClient struct{ ClientId string } }
	rt.admin(t, "CreateUserPoolClient", map[string]any{"UserPoolId": pool.UserPool.Id, "ClientName": "theirs",
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}, &client)
	armed.Store(true)
	run := runCLI(t, nil, "run", "--endpoint", rt.URL, "--pool-id", pool.UserPool.Id, "--client-id", client.UserPoolClient.ClientId,
		"--run-id", "t9y", "--cases", "2", "--out", filepath.Join(t.TempDir(), "r"), "--progress", "none")
	if run.exit != exitOK {
		t.Fatalf("exit %d; stderr %s", run.exit, run.stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(created)
	slices.Sort(deleted)
	if len(created) != 5 || !slices.Equal(created, deleted) {
		t.Errorf("created users %v, deleted %v: want five, each deleted once", created, deleted)
	}
	if pools := rt.ref.UserPools(); !slices.Equal(pools, []string{pool.UserPool.Id}) {
		t.Errorf("pools after the run: %v, want only the handed-over %s", pools, pool.UserPool.Id)
	}
}

// TestRunForgetsTheDevicesItMadeForAHandedOverUser hands a pool and a user over: the
// run signs that user in (provisioning) and again for each check on a valid call, and
// each sign-in makes a device in the user's account. After the run the user must have
// none left of the run's making.
func TestRunForgetsTheDevicesItMadeForAHandedOverUser(t *testing.T) {
	var signIns atomic.Int64
	rt := startReference(t, reference.Options{}, func(op string, _ *http.Request) {
		if op == "InitiateAuth" {
			signIns.Add(1)
		}
	})
	const user, password = "their-user", "Their-Passw0rd!"
	owner := reftest.Owner{Endpoint: rt.URL}
	pool, client := owner.HandOver(t, user, password)
	out := filepath.Join(t.TempDir(), "r")
	run := runCLI(t, []string{"COGCONFORM_PASSWORD=" + password}, "run", "--endpoint", rt.URL, "--pool-id", pool,
		"--client-id", client, "--username", user, "--cases", "3", "--out", out, "--progress", "none")
	if run.exit != exitOK {
		t.Fatalf("exit %d; stderr %s", run.exit, run.stderr.String())
	}
	record, err := reports.ReadJSON(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range record.Fixture {
		if s.Verdict != reports.Pass {
			t.Errorf("fixture step %s: %s: %s", s.Name, s.Verdict, s.Detail)
		}
	}
	if signIns.Load() < 2 {
		t.Fatalf("%d sign-ins: the run made no device beyond provisioning's", signIns.Load())
	}
	if left := owner.Devices(t, pool, user); len(left) > 0 {
		t.Errorf("%d sign-ins, %d devices left after the run: %v", signIns.Load(), len(left), left)
	}
}

// TestRunDeletesExactlyWhatItCreated: a whole run names everything it creates after
// its run id, deletes exactly the pool it created, and leaves another pool alone.
func TestRunDeletesExactlyWhatItCreated(t *testing.T) {
	var mu sync.Mutex
	var names, deleted []string
	var armed atomic.Bool
	rt := startReference(t, reference.Options{}, func(op string, r *http.Request) {
		if !armed.Load() || (op != "CreateUserPool" && op != "CreateUserPoolClient" && op != "AdminCreateUser" && op != "DeleteUserPool") {
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in struct{ PoolName, ClientName, Username, UserPoolId string }
		_ = json.Unmarshal(body, &in)
		mu.Lock()
		defer mu.Unlock()
		if op == "DeleteUserPool" {
			deleted = append(deleted, in.UserPoolId)
			return
		}
		names = append(names, in.PoolName+in.ClientName+in.Username)
	})
	foreign := rt.foreignPool(t)
	armed.Store(true)
	c := runCLI(t, nil, "run", "--endpoint", rt.URL, "--run-id", "t9x", "--cases", "2", "--out", filepath.Join(t.TempDir(), "r"), "--progress", "none")
	if c.exit != exitOK {
		t.Fatalf("exit %d; stderr %s", c.exit, c.stderr.String())
	}
	if !strings.Contains(c.stdout(), "creates user pool cogconform-t9x") {
		t.Errorf("the run did not say which pool it creates:\n%s", c.stdout())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(names) != 7 { // pool, client, three users, the scratch user and the workflow user
		t.Errorf("created %v, want a pool, a client, three users, a scratch user and a workflow user", names)
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "cogconform-t9x") {
			t.Errorf("created %q: not named after the run id", n)
		}
	}
	if pools := rt.ref.UserPools(); !slices.Equal(pools, []string{foreign}) {
		t.Errorf("pools after the run: %v, want only %s", pools, foreign)
	}
	if len(deleted) != 1 || deleted[0] == foreign {
		t.Errorf("DeleteUserPool was called for %v; want exactly the run's pool", deleted)
	}
}
