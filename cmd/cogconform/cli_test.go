package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/suites"
)

// TestRunRejectsBadInput: every mistake in what the CLI is given ends the run before
// it starts: exit code 2, one line on stderr that names the mistake, and the report
// folder untouched (an earlier run's results.json stays as it was, no log appears).
func TestRunRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	malformed := write("malformed.json", `{"tool": "cogconform", "checks": [`)
	schemaInvalid := write("schema-invalid.json", `{"formatVersion": 1, "tool": "cogconform"}`)
	brokenYAML := write("broken.yaml", "openapi: 3.0.3\ninfo: [unclosed\n")
	notAModel := write("not-a-model.yaml", "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\n")
	unreadable := write("unreadable.json", `{}`)
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string // words the one line must contain
	}{
		{"unknown flag", []string{"--bogus"}, "flag provided but not defined: -bogus"},
		{"flag value of the wrong type", []string{"--cases", "many"}, `invalid value "many" for flag -cases`},
		{"an argument that is not a flag", []string{"http://127.0.0.1:9"}, "unexpected argument"},
		{"zero cases", []string{"--cases", "0"}, "--cases 0: want at least 1"},
		{"endpoint not a URL", []string{"--endpoint", "not a url"}, "want an http:// or https:// URL"},
		{"endpoint of another scheme", []string{"--endpoint", "ftp://127.0.0.1:21"}, "want an http:// or https:// URL"},
		{"zero request timeout", []string{"--request-timeout", "0s"}, "must be positive"},
		{"tiny body cap", []string{"--max-body", "10"}, "--max-body 10"},
		{"label filter that does not parse", []string{"--label-filter", "(pattern"}, "--label-filter"},
		{"unknown defect", []string{"--defect", "no-such-defect"}, "not in the catalogue"},
		{"baseline missing", []string{"--baseline", filepath.Join(dir, "missing.json")}, "--baseline"},
		{"baseline unreadable", []string{"--baseline", unreadable}, "--baseline"},
		{"baseline malformed", []string{"--baseline", malformed}, "not valid JSON"},
		{"baseline against the schema", []string{"--baseline", schemaInvalid}, "not a valid results record"},
		{"spec that is not YAML", []string{"--spec", brokenYAML}, "broken.yaml"},
		{"spec that is not a model", []string{"--spec", notAModel}, "not-a-model.yaml"},
		{"spec missing", []string{"--spec", filepath.Join(dir, "missing.yaml")}, "--spec"},
		{"CA file missing", []string{"--endpoint", "https://127.0.0.1:9", "--ca-file", filepath.Join(dir, "missing.pem")}, "CA file"},
		{"CA file without a certificate", []string{"--endpoint", "https://127.0.0.1:9", "--ca-file", brokenYAML}, "no PEM certificate"},
		{"hand-over half given", []string{"--pool-id", "us-east-1_abc"}, "fixture hand-over"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "report")
			if err := os.MkdirAll(out, 0o755); err != nil {
				t.Fatal(err)
			}
			earlier := []byte(`{"an earlier run": true}`)
			if err := os.WriteFile(filepath.Join(out, reports.FileJSON), earlier, 0o600); err != nil {
				t.Fatal(err)
			}
			c := runCLI(t, nil, append([]string{"run", "--out", out, "--cases", "1"}, tc.args...)...)
			assertConfigError(t, c, tc.want)
			if got, err := os.ReadFile(filepath.Join(out, reports.FileJSON)); err != nil || !bytes.Equal(got, earlier) {
				t.Errorf("the earlier results.json was touched (%v)", err)
			}
			entries, _ := os.ReadDir(out)
			if len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("the report folder holds %v; a run that never started must leave it alone", names)
			}
		})
	}
}

// assertConfigError: exit code 2, exactly one line on stderr saying want, nothing
// on stdout, and no panic anywhere.
func assertConfigError(t *testing.T, c *child, want string) {
	t.Helper()
	if c.exit != exitConfig {
		t.Errorf("exit code %d, want %d; stderr: %s", c.exit, exitConfig, c.stderr.String())
	}
	lines := strings.Split(strings.TrimRight(c.stderr.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], want) {
		t.Errorf("stderr must be one line containing %q; got:\n%s", want, c.stderr.String())
	}
	if out := c.stdout(); out != "" {
		t.Errorf("stdout must be empty; got:\n%s", out)
	}
	if strings.Contains(c.stderr.String(), "panic") || strings.Contains(c.stderr.String(), "goroutine ") {
		t.Errorf("stderr shows a panic: %s", c.stderr.String())
	}
}

// TestRunRefusesRealAWS: an endpoint under an AWS domain is refused before any
// request (configuration is checked before a client exists, so not even a DNS
// lookup happens) unless --allow-aws is given. The check must not be fooled by
// case, a port, a trailing dot, FIPS or dual-stack names, or China's partition.
func TestRunRefusesRealAWS(t *testing.T) {
	endpoints := []string{
		"https://cognito-idp.us-east-1.amazonaws.com",
		"HTTPS://COGNITO-IDP.EU-WEST-1.AMAZONAWS.COM:443/",
		"https://cognito-idp.us-east-1.amazonaws.com./",
		"https://cognito-idp-fips.us-east-1.amazonaws.com",
		"https://cognito-idp.cn-north-1.amazonaws.com.cn",
		"https://cognito-idp.us-east-1.api.aws",
		"http://amazonaws.com",
	}
	for _, ep := range endpoints {
		t.Run(ep, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "report")
			begin := time.Now()
			c := runCLI(t, nil, "run", "--endpoint", ep, "--out", out)
			assertConfigError(t, c, "is real AWS")
			if !strings.Contains(c.stderr.String(), "--allow-aws") {
				t.Errorf("the message must say how to proceed (--allow-aws): %s", c.stderr.String())
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a refused run created %s", out)
			}
			// A correctness bound: a refusal that waited for a network would take seconds.
			if took := time.Since(begin); took > 20*time.Second {
				t.Errorf("the refusal took %s", took)
			}
		})
	}
	// The environment variable is refused the same way.
	c := runCLI(t, []string{"COGCONFORM_ENDPOINT=https://cognito-idp.us-east-1.amazonaws.com"}, "run", "--out", filepath.Join(t.TempDir(), "r"))
	assertConfigError(t, c, "is real AWS")
}

// TestAWSHostCheck is the refusal as a pure function: no process, no network.
func TestAWSHostCheck(t *testing.T) {
	for host, want := range map[string]bool{
		"cognito-idp.us-east-1.amazonaws.com":        true,
		"cognito-idp.us-east-1.amazonaws.com.":       true,
		"Cognito-IDP.US-EAST-1.AmazonAWS.com":        true,
		"cognito-idp.cn-north-1.amazonaws.com.cn":    true,
		"cognito-idp.us-east-1.api.aws":              true,
		"my-domain.auth.us-east-1.amazoncognito.com": true,
		"127.0.0.1":                    false,
		"localhost":                    false,
		"notamazonaws.com":             false,
		"amazonaws.com.example.org":    false,
		"cognito.internal.example.com": false,
	} {
		if got := suites.IsAWSHost(host); got != want {
			t.Errorf("IsAWSHost(%q) = %v, want %v", host, got, want)
		}
	}
	cfg := suites.Config{Endpoint: "https://cognito-idp.us-east-1.amazonaws.com", Cases: 1, RequestTimeout: time.Second, RunTimeout: time.Minute, MaxBody: 1 << 20}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "--allow-aws") {
		t.Errorf("Validate without --allow-aws: %v", err)
	}
	cfg.AllowAWS = true
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate with --allow-aws: %v", err)
	}
}

// TestReplayRefusesRealAWS: replay sends a request too, and is held to the same rule.
func TestReplayRefusesRealAWS(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	run := runCLI(t, nil, "run", "--defect", "pattern-substring", "--cases", "5", "--label-filter", "GetDevice && pattern", "--out", out, "--progress", "none")
	if run.exit != exitFail {
		t.Fatalf("the defect run: exit %d, stderr %s", run.exit, run.stderr.String())
	}
	rec, err := reports.ReadJSON(filepath.Join(out, reports.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, c := range rec.Checks {
		if c.Verdict == reports.Fail && c.Counterexample != nil {
			id = c.ID
			break
		}
	}
	if id == "" {
		t.Fatal("the defect run recorded no counterexample")
	}
	c := runCLI(t, nil, "replay", "--results", filepath.Join(out, reports.FileJSON), "--check", id, "--endpoint", "https://cognito-idp.us-east-1.amazonaws.com")
	assertConfigError(t, c, "is real AWS")
}

// TestRunHelp: --help is not a mistake: usage on stderr, exit 0.
func TestRunHelp(t *testing.T) {
	c := runCLI(t, nil, "run", "--help")
	if c.exit != exitOK || !strings.Contains(c.stderr.String(), "Usage: cogconform run") || !strings.Contains(c.stderr.String(), "--allow-aws") {
		t.Errorf("exit %d, stderr:\n%s", c.exit, c.stderr.String())
	}
}

// TestEveryCommandRejectsBadFlags: one line and exit code 2, whatever the command,
// for a flag it does not have and for an argument that is not a flag (a forgotten
// --endpoint or --results must not be ignored).
func TestEveryCommandRejectsBadFlags(t *testing.T) {
	for _, cmd := range []string{"run", "serve", "spec", "replay"} {
		c := runCLI(t, nil, cmd, "--no-such-flag")
		assertConfigError(t, c, "cogconform "+cmd+": flag provided but not defined: -no-such-flag")
		c = runCLI(t, nil, cmd, "results.json")
		assertConfigError(t, c, "cogconform "+cmd+`: unexpected argument "results.json": `+cmd+" takes flags only")
	}
	c := runCLI(t, nil, "spec", "--spec", filepath.Join(t.TempDir(), "missing.yaml"))
	assertConfigError(t, c, "missing.yaml")
	c = runCLI(t, nil, "replay", "--results", filepath.Join(t.TempDir(), "missing.json"))
	assertConfigError(t, c, "missing.json")
}

// TestChecksKeepTheirIDsWhenNotRun: a check the label filter leaves out is listed
// under the ID a run of it gives, so that baselines match across filtered and full
// runs (Serial checks once came out as "Operation/Serial/name").
func TestChecksKeepTheirIDsWhenNotRun(t *testing.T) {
	ids := func(args ...string) map[string]bool {
		out := filepath.Join(t.TempDir(), "report")
		c := runCLI(t, nil, append([]string{"run", "--cases", "2", "--out", out, "--progress", "none"}, args...)...)
		if c.exit != exitOK {
			t.Fatalf("run %v: exit %d, stderr %s", args, c.exit, c.stderr.String())
		}
		rec, err := reports.ReadJSON(filepath.Join(out, reports.FileJSON))
		if err != nil {
			t.Fatal(err)
		}
		set := map[string]bool{}
		for _, c := range rec.Checks {
			set[c.ID] = true
		}
		return set
	}
	full, filtered := ids(), ids("--label-filter", "GetDevice && pattern")
	for id := range filtered {
		if !full[id] {
			t.Errorf("the filtered run lists %q, which the full run does not", id)
		}
	}
	if len(full) != len(filtered) {
		t.Errorf("the full run lists %d checks, the filtered run %d", len(full), len(filtered))
	}
}
