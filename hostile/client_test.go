package hostile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cogconform/cogconform/awsjson"
)

// The wire, alone against each behaviour: what one request does. The matrix
// (matrix_test.go) shows what a whole run does.

const (
	clientTimeout = 300 * time.Millisecond
	clientMaxBody = 64 << 10
)

func newClient(t *testing.T, endpoint string, mod ...func(*awsjson.Config)) *awsjson.Client {
	t.Helper()
	cfg := awsjson.Config{
		Endpoint: endpoint, Timeout: clientTimeout, MaxBody: clientMaxBody,
		Credentials: awsjson.StaticCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := awsjson.New(cfg)
	if err != nil {
		t.Fatalf("awsjson.New: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func start(t *testing.T, b Behaviour, opts Options) *Server {
	t.Helper()
	s, err := Start(b, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// call sends one signed request carrying an access token, and measures it.
func call(c *awsjson.Client) (*awsjson.Response, error, time.Duration) {
	begin := time.Now()
	resp, err := c.Do(context.Background(), awsjson.Request{
		Target: c.Target("GetDevice"), Sign: true,
		Body: []byte(`{"AccessToken":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl","DeviceKey":"us-east-1_0000"}`),
	})
	return resp, err, time.Since(begin)
}

// bound is how long one request may take: its deadline, and generous slack for a
// loaded machine. It is a correctness bound, not a performance target.
const bound = clientTimeout + 3*time.Second

func TestClientNoAnswer(t *testing.T) {
	for _, b := range []Behaviour{Hang, Trickle, TrickleBody, Reset, CloseMidBody} {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			s := start(t, b, Options{})
			_, err, took := call(newClient(t, s.URL))
			if err == nil {
				t.Fatalf("%s: no error; a request without a complete answer must fail", b)
			}
			if took > bound {
				t.Errorf("%s: the request took %s, more than its deadline %s allows", b, took, clientTimeout)
			}
			if strings.Contains(err.Error(), "AccessToken") || strings.Contains(err.Error(), "eyJ") {
				t.Errorf("%s: the error repeats the request body: %v", b, err)
			}
		})
	}
}

// TestClientBodyCapped: a 100 MB body and a gzip bomb (1 GiB inflated) are read
// only up to MaxBody, and the heap does not grow with what the target sends.
func TestClientBodyCapped(t *testing.T) {
	for _, b := range []Behaviour{HugeBody, GzipBomb} {
		t.Run(string(b), func(t *testing.T) {
			s := start(t, b, Options{})
			c := newClient(t, s.URL)
			bombMemberBytes() // the server's own one-off cost, not the client's
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			resp, err, took := call(c)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if !resp.Truncated || len(resp.Body) != clientMaxBody {
				t.Errorf("%s: body of %d bytes, truncated %v; want exactly MaxBody (%d) and truncated", b, len(resp.Body), resp.Truncated, clientMaxBody)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
				t.Errorf("%s: reading one answer allocated %d MB; the body read must be capped", b, grew>>20)
			}
			if took > bound {
				t.Errorf("%s: took %s", b, took)
			}
		})
	}
}

// TestClientRedirectNotFollowed: every redirect status comes back as the answer;
// the second host never sees a connection, so a token cannot leak there.
func TestClientRedirectNotFollowed(t *testing.T) {
	trap := trapServer(t)
	s := start(t, Redirect, Options{RedirectTo: trap.URL})
	c := newClient(t, s.URL)
	seen := map[int]bool{}
	for range 10 {
		resp, err, _ := call(c)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status < 300 || resp.Status > 399 {
			t.Fatalf("status %d: the redirect was followed or lost", resp.Status)
		}
		seen[resp.Status] = true
	}
	if len(seen) != 5 {
		t.Errorf("saw redirect statuses %v, want 301, 302, 303, 307 and 308", seen)
	}
	if n := trap.Connections(); n != 0 {
		t.Errorf("the redirect target got %d connections; it must get none", n)
	}
}

// trapServer is the other host a redirect points at: 127.0.0.2 when the loopback
// network has it (Linux does), else another port of 127.0.0.1.
func trapServer(t *testing.T) *Server {
	t.Helper()
	trap, err := StartOn("127.0.0.2:0", Conformant, Options{})
	if err != nil {
		trap, err = StartOn("127.0.0.1:0", Conformant, Options{})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = trap.Close() })
	return trap
}

// TestClientOddAnswers: odd statuses, types and bytes are answers like any other:
// read, kept as they are, and never a panic.
func TestClientOddAnswers(t *testing.T) {
	cases := []struct {
		b      Behaviour
		status int
		code   string
	}{
		{HTML, 200, ""},
		{Binary, 200, ""},
		{InvalidUTF8, 400, "Not\xffAuthorized"},
		{OKWithError, 200, ""},
		{Status299, 299, ""},
		{Status418, 418, ""},
		{Status599, 599, "InternalErrorException"},
	}
	for _, tc := range cases {
		t.Run(string(tc.b), func(t *testing.T) {
			t.Parallel()
			s := start(t, tc.b, Options{})
			resp, err, _ := call(newClient(t, s.URL))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.status || resp.Code != tc.code {
				t.Errorf("got HTTP %d code %q, want %d %q", resp.Status, resp.Code, tc.status, tc.code)
			}
		})
	}
}

// TestClientTLS: a self-signed certificate fails verification unless the client
// is given it (--ca-file) or told to skip verification (--insecure-skip-verify).
func TestClientTLS(t *testing.T) {
	cfg, certPEM, err := SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Conformant, Options{TLS: cfg})
	if _, err, _ := call(newClient(t, s.URL)); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted certificate: got %v, want a certificate error", err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*awsjson.Config){
		"ca-file":              func(c *awsjson.Config) { c.CAFile = ca },
		"insecure-skip-verify": func(c *awsjson.Config) { c.InsecureSkipVerify = true },
	} {
		resp, err, _ := call(newClient(t, s.URL, mod))
		if err != nil || resp.Code != "UnknownOperationException" {
			t.Errorf("%s: got %v, %v; want the target's answer", name, resp, err)
		}
	}
}

// TestRefusedIsRefused: Refused gives a port with nothing behind it.
func TestRefusedIsRefused(t *testing.T) {
	u, err := Refused()
	if err != nil {
		t.Fatal(err)
	}
	if _, err, _ = call(newClient(t, u)); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("got %v, want connection refused", err)
	}
}

// TestOnlyLoopback: the hostile server refuses to listen beyond the machine.
func TestOnlyLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		if s, err := StartOn(addr, Hang, Options{}); err == nil {
			_ = s.Close()
			t.Errorf("StartOn(%q) listened; it must refuse a non-loopback address", addr)
		}
	}
}
