package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cogconform/cogconform/internal/reftest"
	"github.com/cogconform/cogconform/reference"
	"github.com/cogconform/cogconform/reports"
)

// Secrets on the terminal and in the log: the secret key, the password, and every
// token the target issued never appear on stdout, on stderr or in ginkgo.log —
// whether Ginkgo's output goes to the log or (with --verbose) to the terminal, and
// whether the target echoes tokens back in its errors. (The report files have tests
// of their own.)

// tokenRecorder serves the reference target and keeps every token it hands out.
type tokenRecorder struct {
	mu     sync.Mutex
	tokens []string
}

func (tr *tokenRecorder) add(vals ...string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, v := range vals {
		if v != "" {
			tr.tokens = append(tr.tokens, v)
		}
	}
}

func (tr *tokenRecorder) all() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.tokens...)
}

func serveRecording(t *testing.T, opts reference.Options) (string, *tokenRecorder) {
	t.Helper()
	ref, err := reference.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	tr := &tokenRecorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		ref.ServeHTTP(rec, r)
		var out struct {
			AuthenticationResult struct{ AccessToken, IdToken, RefreshToken string }
		}
		if json.Unmarshal(rec.Body.Bytes(), &out) == nil {
			a := out.AuthenticationResult
			tr.add(a.AccessToken, a.IdToken, a.RefreshToken)
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = io.Copy(w, rec.Body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, tr
}

func randomSecret(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

// handOver provisions a pool, client and user the way a user would before handing
// them over, and signs the user in once (for a hand-over of a bare token).
func handOver(t *testing.T, endpoint, keyID, secret, password string) (pool, client, user, token string) {
	t.Helper()
	owner := reftest.Owner{Endpoint: endpoint, KeyID: keyID, Secret: secret}
	user = "handed-over-user"
	pool, client = owner.HandOver(t, user, password)
	var auth struct{ AuthenticationResult struct{ AccessToken string } }
	owner.Do(t, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
		"AuthParameters": map[string]string{"USERNAME": user, "PASSWORD": password}}, false, &auth)
	return pool, client, user, auth.AuthenticationResult.AccessToken
}

func TestSecretsStayOutOfLogs(t *testing.T) {
	const keyID = "AKIACOGCONFORMTEST01"
	cases := []struct {
		name    string
		defect  string // the target's defect: it makes checks fail with tokens in their requests
		verbose bool
		token   bool // hand over a bare access token instead of pool, client, user and password
		viaEnv  bool // the secret key comes from COGCONFORM_SECRET_ACCESS_KEY
	}{
		{name: "hand-over of a user, target echoes tokens", defect: "token-echoed-in-error"},
		{name: "hand-over of a user, verbose, lifecycle failures", defect: "remembered-status-not-stored", verbose: true, viaEnv: true},
		{name: "hand-over of a token, verbose, forged tokens accepted", defect: "token-signature-unchecked", verbose: true, token: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			secret := randomSecret(t, "cogconform/secret+")
			password := "Pw1!" + randomSecret(t, "")
			endpoint, tr := serveRecording(t, reference.Options{Defect: tc.defect, AccessKeyID: keyID, SecretAccessKey: secret})
			pool, client, user, token := handOver(t, endpoint, keyID, secret, password)
			out := filepath.Join(t.TempDir(), "report")
			args := []string{"run", "--endpoint", endpoint, "--access-key-id", keyID, "--out", out, "--cases", "10", "--seed", "5", "--progress", "plain"}
			var env []string
			if tc.viaEnv {
				env = append(env, "COGCONFORM_SECRET_ACCESS_KEY="+secret)
			} else {
				args = append(args, "--secret-access-key", secret)
			}
			if tc.token {
				args = append(args, "--access-token", token)
			} else {
				args = append(args, "--pool-id", pool, "--client-id", client, "--username", user, "--password", password)
			}
			if tc.verbose {
				args = append(args, "--verbose")
			}
			c := runCLI(t, env, args...)
			if c.exit != exitFail {
				t.Fatalf("exit %d, want %d (the defect is caught); stderr:\n%s", c.exit, exitFail, c.stderr.String())
			}
			log, err := os.ReadFile(filepath.Join(out, "ginkgo.log"))
			if err != nil && !tc.verbose {
				t.Fatalf("ginkgo.log: %v", err)
			}
			rec, err := reports.ReadJSON(filepath.Join(out, reports.FileJSON))
			if err != nil {
				t.Fatal(err)
			}
			if rec.Totals.Failed == 0 {
				t.Fatalf("no check failed: the test would show nothing")
			}
			secrets := map[string]string{"the secret access key": secret, "the password": password, "the handed-over token": token}
			for i, tok := range tr.all() {
				secrets["issued token "+string(rune('A'+i%26))] = tok
			}
			if len(tr.all()) == 0 {
				t.Fatal("the target issued no token: nothing to look for")
			}
			streams := map[string][]byte{"stdout": []byte(c.stdout()), "stderr": c.stderr.Bytes(), "ginkgo.log": log}
			if tc.verbose && len(streams["stdout"]) < 10_000 {
				t.Errorf("--verbose printed only %d bytes: Ginkgo's output is missing", len(streams["stdout"]))
			}
			for stream, text := range streams {
				for what, s := range secrets {
					if leaks(text, s) {
						t.Errorf("%s holds %s", stream, what)
					}
				}
			}
		})
	}
}

// leaks reports whether text holds s, or a long enough piece of it to matter: a
// token's signature alone, or a secret cut short by an excerpt.
func leaks(text []byte, s string) bool {
	if s == "" {
		return false
	}
	if bytes.Contains(text, []byte(s)) {
		return true
	}
	if parts := strings.Split(s, "."); len(parts) == 3 && len(parts[2]) >= 16 && bytes.Contains(text, []byte(parts[2])) {
		return true
	}
	const piece = 24
	for i := 0; i+piece <= len(s); i += piece / 2 {
		if bytes.Contains(text, []byte(s[i:i+piece])) {
			return true
		}
	}
	return false
}

// TestCopyRedacted: the pipe between Ginkgo and the log masks a secret even when it
// arrives in pieces, as a panic's message or a progress report would.
func TestCopyRedacted(t *testing.T) {
	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzzzz"
	red := reports.NewRedactor()
	red.Add(secret)
	pr, pw := io.Pipe()
	go func() {
		for _, part := range []string{"panic: signing with ", secret[:10], secret[10:], " failed\n", "goroutine 1 [running]:\n", "no newline at the end " + secret} {
			_, _ = io.WriteString(pw, part)
			time.Sleep(time.Millisecond)
		}
		_ = pw.Close()
	}()
	var out bytes.Buffer
	copyRedacted(&out, pr, red.String)
	if strings.Contains(out.String(), secret) || strings.Contains(out.String(), secret[10:30]) {
		t.Errorf("the secret passed the pipe:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "panic: signing with ") || !strings.Contains(out.String(), "no newline at the end") {
		t.Errorf("the text around the secret was lost:\n%s", out.String())
	}
}
