package awsjson_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cogconform/cogconform/awsjson"
)

func TestErrorCodeFollowsTheSDKRules(t *testing.T) {
	cases := []struct {
		header, body, want string
	}{
		{"", `{"__type":"NotAuthorizedException","message":"x"}`, "NotAuthorizedException"},
		{"", `{"__type":"aws.cognito#NotAuthorizedException:http://internal/"}`, "NotAuthorizedException"},
		{"", `{"code":"InvalidParameterException"}`, "InvalidParameterException"},
		{"ResourceNotFoundException:http://internal.amazon.com/coral/", `{"__type":"Other"}`, "ResourceNotFoundException"},
		{"com.amazon#UserNotFoundException", ``, "UserNotFoundException"},
		{"", `<html>oops</html>`, ""},
		{"", `[1,2]`, ""},
	}
	for _, tc := range cases {
		h := http.Header{}
		if tc.header != "" {
			h.Set("x-amzn-ErrorType", tc.header)
		}
		if got := awsjson.ErrorCode(h, []byte(tc.body)); got != tc.want {
			t.Errorf("ErrorCode(%q, %q) = %q, want %q", tc.header, tc.body, got, tc.want)
		}
	}
}

func TestCallSendsJSON11AndReadsTheError(t *testing.T) {
	var got *http.Request
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		gotBody, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(400)
		io.WriteString(w, `{"__type":"InvalidParameterException","message":"1 validation error detected"}`)
	}))
	defer srv.Close()
	c, err := awsjson.New(awsjson.Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Call(context.Background(), "GetDevice", map[string]any{"DeviceKey": "a_1"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.URL.Path != "/" || got.Header.Get("X-Amz-Target") != "AWSCognitoIdentityProviderService.GetDevice" ||
		got.Header.Get("Content-Type") != "application/x-amz-json-1.1" || string(gotBody) != `{"DeviceKey":"a_1"}` {
		t.Errorf("request: %s %s %v %s", got.Method, got.URL.Path, got.Header, gotBody)
	}
	if got.Header.Get("Authorization") != "" {
		t.Error("an unsigned call carried an Authorization header")
	}
	if resp.Status != 400 || resp.Code != "InvalidParameterException" || resp.Message() != "1 validation error detected" {
		t.Errorf("response: %d %q %q", resp.Status, resp.Code, resp.Message())
	}
}

func TestSignedCallsVerifyWithTheSDKSigner(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	c, err := awsjson.New(awsjson.Config{Endpoint: srv.URL, Credentials: awsjson.StaticCredentials("AKIDEXAMPLE", "secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Call(context.Background(), "AdminGetDevice", `{}`, true); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/us-east-1/cognito-idp/aws4_request") {
		t.Errorf("Authorization header %q", auth)
	}
	unsigned, _ := awsjson.New(awsjson.Config{Endpoint: srv.URL})
	if _, err := unsigned.Call(context.Background(), "AdminGetDevice", `{}`, true); err == nil || !strings.Contains(err.Error(), "no credentials") {
		t.Errorf("signing without credentials: %v", err)
	}
}

func TestRedirectsAreNeverFollowed(t *testing.T) {
	hits := 0
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	c, _ := awsjson.New(awsjson.Config{Endpoint: srv.URL})
	resp, err := c.Call(context.Background(), "GetDevice", `{"AccessToken":"tok"}`, false)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusTemporaryRedirect || hits != 0 {
		t.Errorf("status %d, the other server was hit %d times", resp.Status, hits)
	}
}

func TestBodyReadIsCappedAndRequestsHaveADeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == "AWSCognitoIdentityProviderService.Slow" {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
			return
		}
		w.Write([]byte(strings.Repeat("x", 5000)))
	}))
	defer srv.Close()
	c, _ := awsjson.New(awsjson.Config{Endpoint: srv.URL, MaxBody: 1000, Timeout: 200 * time.Millisecond})
	resp, err := c.Call(context.Background(), "Big", `{}`, false)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Truncated || len(resp.Body) != 1000 {
		t.Errorf("truncated=%v len=%d", resp.Truncated, len(resp.Body))
	}
	start := time.Now()
	if _, err := c.Call(context.Background(), "Slow", `{}`, false); err == nil {
		t.Error("a request that never got an answer did not fail")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the deadline did not hold: %v", d)
	}
}

// The suites' circuit breaker counts an error against the target only when the
// exchange itself failed, which it tells by *url.Error: a refused connection must be
// one, a request that could not be signed must not.
func TestAFailedExchangeIsAURLError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	endpoint := srv.URL
	srv.Close()
	c, _ := awsjson.New(awsjson.Config{Endpoint: endpoint, Timeout: 2 * time.Second})
	_, err := c.Call(context.Background(), "GetDevice", `{}`, false)
	var exchange *url.Error
	if !errors.As(err, &exchange) || exchange.Op != "Post" {
		t.Errorf("refused connection: %v (%T), want a *url.Error for Post", err, errors.Unwrap(err))
	}
	_, err = c.Call(context.Background(), "AdminGetDevice", `{}`, true)
	if err == nil || errors.As(err, &exchange) {
		t.Errorf("a request with no credentials to sign it: %v, want an error that is no *url.Error", err)
	}
}

func TestCurlLineReproducesTheRequest(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl is needed to prove the repro line works: %v", err)
	}
	var body, target string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, target = string(b), r.Header.Get("X-Amz-Target")
		w.WriteHeader(400)
	}))
	defer srv.Close()
	c, _ := awsjson.New(awsjson.Config{Endpoint: srv.URL})
	req := awsjson.Request{Target: c.Target("GetDevice"), Body: []byte(`{"DeviceKey":"it's_1 \"q\" $HOME"}`)}
	line := c.Curl(req)
	cmd := exec.Command("sh", "-c", line)
	cmd.Env = append(os.Environ(), "PATH="+strings.TrimSuffix(curl, "/curl")+":"+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	if body != string(req.Body) || target != req.Target {
		t.Errorf("curl sent body %q target %q, want %q %q", body, target, req.Body, req.Target)
	}
	signed := c.Curl(awsjson.Request{Target: c.Target("AdminGetDevice"), Body: []byte(`{}`), Sign: true})
	if !strings.Contains(signed, "--aws-sigv4 'aws:amz:us-east-1:cognito-idp'") || !strings.Contains(signed, "$AWS_SECRET_ACCESS_KEY") {
		t.Errorf("signed repro line: %s", signed)
	}
}

func TestEndpointMustBeAnHTTPURL(t *testing.T) {
	for _, e := range []string{"", "localhost:9229", "ftp://x", "http://"} {
		if _, err := awsjson.New(awsjson.Config{Endpoint: e}); err == nil {
			t.Errorf("endpoint %q accepted", e)
		}
	}
}

// TestAnswersReadWholeKeepTheConnection: however long an answer (empty, small, large,
// announced or chunked), reading it leaves the connection to be used again: a client
// that dialled per request would measure its dials, and strain the target.
func TestAnswersReadWholeKeepTheConnection(t *testing.T) {
	var conns int
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n := len(r.Header.Get("X-Amz-Target"))
		body := strings.Repeat("x", map[int]int{1: 0, 2: 40, 3: 300 << 10}[n%4])
		if n%4 == 0 {
			// No Content-Length: chunked.
			w.(http.Flusher).Flush()
			body = strings.Repeat("y", 5000)
		}
		w.Header().Set("Content-Type", awsjson.DefaultContentType)
		_, _ = io.WriteString(w, body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns++
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := awsjson.New(awsjson.Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 20 {
		target := strings.Repeat("T", 1+i%4)
		resp, err := c.Do(context.Background(), awsjson.Request{Target: target, Body: []byte("{}")})
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if want := map[int]int{1: 0, 2: 40, 3: 300 << 10, 0: 5000}[len(target)%4]; len(resp.Body) != want {
			t.Fatalf("request %d: %d bytes read, want %d", i, len(resp.Body), want)
		}
	}
	if conns != 1 {
		t.Errorf("20 requests one after another took %d connections, want 1", conns)
	}
}
