package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cogconform/cogconform/reference"
)

// recorder wraps the reference target and keeps every secret that crosses the wire:
// tokens the target issues, SRP verifier material the harness sends.
type recorder struct {
	mu      sync.Mutex
	secrets map[string]string // value → what it is
	next    http.Handler
}

func (r *recorder) keep(what, v string) {
	if len(v) < 8 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets[v] = what
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 2<<20))
	req.Body = io.NopCloser(bytes.NewReader(body))
	var in struct {
		DeviceSecretVerifierConfig struct{ PasswordVerifier, Salt string }
	}
	if json.Unmarshal(body, &in) == nil {
		r.keep("PasswordVerifier", in.DeviceSecretVerifierConfig.PasswordVerifier)
		r.keep("Salt", in.DeviceSecretVerifierConfig.Salt)
	}
	rec := httptest.NewRecorder()
	r.next.ServeHTTP(rec, req)
	var out struct {
		AuthenticationResult struct{ AccessToken, IdToken, RefreshToken string }
	}
	if json.Unmarshal(rec.Body.Bytes(), &out) == nil {
		r.keep("AccessToken", out.AuthenticationResult.AccessToken)
		r.keep("IdToken", out.AuthenticationResult.IdToken)
		r.keep("RefreshToken", out.AuthenticationResult.RefreshToken)
	}
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cogconform")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSecretsNeverReachReportsOrOutput runs the CLI against a defect target that echoes
// access tokens in its error messages, with a handed-over pool, user and password and
// a non-default secret key, then searches every file written and everything printed
// for every token, password, secret key and SRP value that crossed the wire.
func TestSecretsNeverReachReportsOrOutput(t *testing.T) {
	const accessKey, secretKey = "AKIACOGCONFORMTEST01", "cogconform/Secret+Key/For+This+Test/0123456"
	srv, err := reference.New(reference.Options{Defect: "token-echoed-in-error", AccessKeyID: accessKey, SecretAccessKey: secretKey})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{secrets: map[string]string{}, next: srv}
	ts := httptest.NewServer(rec)
	defer ts.Close()

	// Hand over a pool, client and user made here, so the test knows the password.
	password := "Pw1!" + strings.Repeat("s3cr3t", 3)
	poolID, clientID, user, _ := handOver(t, ts.URL, accessKey, secretKey, password)

	bin := buildCLI(t)
	out := filepath.Join(t.TempDir(), "report")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", "--endpoint", ts.URL, "--out", out, "--cases", "10", "--seed", "7",
		"--access-key-id", accessKey, "--pool-id", poolID, "--client-id", clientID, "--username", user, "--verbose")
	cmd.Env = append(os.Environ(), "COGCONFORM_SECRET_ACCESS_KEY="+secretKey, "COGCONFORM_PASSWORD="+password)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit code %d (err %v), want 1: the defect target is nonconformant\n%s\n%s", code, err, tail(stdout.String()), tail(stderr.String()))
	}

	rec.mu.Lock()
	secrets := map[string]string{password: "password", secretKey: "secret access key"}
	for v, what := range rec.secrets {
		secrets[v] = what
	}
	rec.mu.Unlock()
	counts := map[string]int{}
	for _, what := range secrets {
		counts[what]++
	}
	if counts["AccessToken"] == 0 || counts["PasswordVerifier"] == 0 {
		t.Fatalf("the run exchanged no tokens or verifiers (%v): the test proves nothing", counts)
	}
	haystacks := map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes()}
	files, _ := filepath.Glob(filepath.Join(out, "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		haystacks[filepath.Base(f)] = data
	}
	if len(files) < 5 {
		t.Fatalf("only %d files written: %v", len(files), files)
	}
	hits := 0
	for name, data := range haystacks {
		for v, what := range secrets {
			if bytes.Contains(data, []byte(v)) {
				hits++
				t.Errorf("%s contains a %s", name, what)
			}
		}
	}
	// The defect echoes tokens, so the records must show the redaction markers instead.
	if !bytes.Contains(haystacks["results.json"], []byte("«redacted")) {
		t.Error("results.json shows no redaction marker although the target echoed tokens")
	}
	t.Logf("searched %d outputs for %d secrets (%v): %d hits", len(haystacks), len(secrets), counts, hits)
}

func tail(s string) string {
	if len(s) > 3000 {
		return "…" + s[len(s)-3000:]
	}
	return s
}
