package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cogconform/cogconform/awsjson"
	"github.com/cogconform/cogconform/reference"
)

// seenRequest is what a test server received.
type seenRequest struct {
	method, uri, host string
	header            http.Header
	body              []byte
}

// capture is a loopback test server that keeps every request it gets and answers
// with answer's status, header and body.
func capture(t *testing.T, answer func(r *http.Request, body []byte) (int, string)) (*httptest.Server, func() []seenRequest) {
	t.Helper()
	var (
		mu   sync.Mutex
		seen []seenRequest
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("test server: reading a body: %v", err)
		}
		mu.Lock()
		seen = append(seen, seenRequest{method: r.Method, uri: r.RequestURI, host: r.Host, header: r.Header.Clone(), body: body})
		mu.Unlock()
		status, out := answer(r, body)
		w.Header().Set("X-Answer", "from the server")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, out)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seenRequest {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// The recording proxy forwards method, path, query, every header, the Host the client
// addressed and the body as they came, relays the answer, records what it forwarded,
// and answers DeleteUserPool itself.
func TestRecordForwardsUnchanged(t *testing.T) {
	srv, seen := capture(t, func(r *http.Request, body []byte) (int, string) {
		if r.Method == http.MethodGet {
			return http.StatusMethodNotAllowed, "no"
		}
		return http.StatusBadRequest, `{"__type":"InvalidParameterException","message":"` + string(body) + `"}`
	})
	const secret = "AccessToken-do-not-print"
	// No compression, so that the client sends no Accept-Encoding the proxy might
	// keep or drop; no User-Agent, so that the proxy must not add one either.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	var proxyHost string
	type answer struct {
		status int
		header http.Header
		body   string
	}
	var answers []answer
	rec, err := Record(context.Background(), srv.URL, func(endpoint string) error {
		u, err := url.Parse(endpoint)
		if err != nil {
			return err
		}
		proxyHost = u.Host
		send := func(method, path, target, body string, extra http.Header) error {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, method, endpoint+path, strings.NewReader(body))
			if err != nil {
				return err
			}
			for k, vs := range extra {
				req.Header[k] = vs
			}
			req.Header["User-Agent"] = []string{""}
			if target != "" {
				req.Header.Set("X-Amz-Target", target)
			}
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			answers = append(answers, answer{resp.StatusCode, resp.Header, string(b)})
			return err
		}
		h := http.Header{"X-Many": {"one", "two"}, "Authorization": {secret}, "Content-Type": {"application/x-amz-json-1.1"}}
		if err := send(http.MethodPost, "/?q=1", "P.GetDevice", `{"AccessToken":"`+secret+`"}`, h); err != nil {
			return err
		}
		if err := send(http.MethodPost, "/", "P.DeleteUserPool", `{"UserPoolId":"us-east-1_gone"}`, nil); err != nil {
			return err
		}
		return send(http.MethodGet, "/", "", "", nil)
	})
	if err != nil {
		t.Fatal(err)
	}

	got := seen()
	if len(got) != 2 {
		t.Fatalf("the server got %d requests, want 2 (DeleteUserPool withheld)", len(got))
	}
	post, get := got[0], got[1]
	if post.method != http.MethodPost || post.uri != "/?q=1" || post.host != proxyHost || string(post.body) != `{"AccessToken":"`+secret+`"}` {
		t.Errorf("forwarded POST: %s %s, Host %s, body %q; want POST /?q=1, Host %s", post.method, post.uri, post.host, post.body, proxyHost)
	}
	for name, want := range map[string][]string{
		"X-Many": {"one", "two"}, "Authorization": {secret}, "X-Amz-Target": {"P.GetDevice"},
		"Content-Type": {"application/x-amz-json-1.1"}, "Content-Length": {strconv.Itoa(len(post.body))},
	} {
		if !slices.Equal(post.header.Values(name), want) {
			t.Errorf("forwarded header %s: %q, want %q", name, post.header.Values(name), want)
		}
	}
	for _, name := range []string{"User-Agent", "Accept-Encoding", "X-Forwarded-For", "X-Forwarded-Host"} {
		if v, ok := post.header[name]; ok {
			t.Errorf("the proxy added %s: %q", name, v)
		}
	}
	if get.method != http.MethodGet || get.host != proxyHost || len(get.body) != 0 {
		t.Errorf("forwarded GET: %s, Host %s, body %q", get.method, get.host, get.body)
	}

	if len(answers) != 3 {
		t.Fatalf("%d answers", len(answers))
	}
	if a := answers[0]; a.status != 400 || a.header.Get("X-Answer") != "from the server" || !strings.Contains(a.body, "InvalidParameterException") {
		t.Errorf("relayed answer: %d %v %q", a.status, a.header, a.body)
	}
	if a := answers[1]; a.status != 200 || a.body != "{}" {
		t.Errorf("DeleteUserPool answered %d %q, want 200 {}", a.status, a.body)
	}
	if a := answers[2]; a.status != http.StatusMethodNotAllowed {
		t.Errorf("GET answered %d", a.status)
	}

	if rec.Len() != 2 || !slices.Equal(rec.Withheld(), []string{"us-east-1_gone"}) {
		t.Fatalf("recorded %d requests, withheld %q; want 2 and the gone pool", rec.Len(), rec.Withheld())
	}
	q := rec.reqs[0]
	if q.method != post.method || q.uri != post.uri || q.host != proxyHost || !bytes.Equal(q.body, post.body) ||
		!slices.Equal(q.header.Values("X-Many"), []string{"one", "two"}) || q.header.Get("Authorization") != secret || q.status != 400 {
		t.Errorf("recorded %s %s Host %s body %q status %d", q.method, q.uri, q.host, q.body, q.status)
	}
	if rec.reqs[1].method != http.MethodGet || rec.reqs[1].status != http.StatusMethodNotAllowed {
		t.Errorf("second recorded request: %s, status %d", rec.reqs[1].method, rec.reqs[1].status)
	}
	if st := rec.Statuses(); st[4] != 2 || rec.BodyBytes() != int64(len(post.body)) {
		t.Errorf("statuses %v, %d body bytes", st, rec.BodyBytes())
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, rec); strings.Contains(s, secret) {
			t.Errorf("%s of a recording prints a token: %s", verb, s)
		}
		if s := fmt.Sprintf(verb, *rec); strings.Contains(s, secret) {
			t.Errorf("%s of a recording's value prints a token: %s", verb, s)
		}
	}
}

// A request the proxy cannot forward makes the recording fail.
func TestRecordFailsWhenTheServerIsGone(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	target := srv.URL
	srv.Close()
	_, err := Record(context.Background(), target, func(endpoint string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", strings.NewReader("{}"))
		if err != nil {
			return err
		}
		req.Header.Set("X-Amz-Target", "P.GetDevice")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	})
	if err == nil || !strings.Contains(err.Error(), "forwarding GetDevice") {
		t.Fatalf("recording against a closed server: %v, want a forwarding error", err)
	}
}

// SigV4 signs the Host: a signed request keeps a valid signature through the proxy
// and in the replay, which sends it straight to the server with the Host the client
// signed (the proxy's, gone by then).
func TestRecordAndReplayKeepSignaturesValid(t *testing.T) {
	target, fx := startReference(t)
	rec, err := Record(context.Background(), target, func(endpoint string) error {
		c, err := awsjson.New(awsjson.Config{
			Endpoint:    endpoint,
			Credentials: awsjson.StaticCredentials(reference.DefaultAccessKeyID, reference.DefaultSecretAccessKey, ""),
		})
		if err != nil {
			return err
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, call := range []struct {
			op   string
			body map[string]any
			sign bool
			want int
		}{
			{"AdminGetDevice", map[string]any{"UserPoolId": fx.PoolID, "Username": fx.Username, "DeviceKey": fx.DeviceKey}, true, 200},
			{"GetDevice", map[string]any{"AccessToken": fx.AccessToken, "DeviceKey": fx.DeviceKey}, false, 200},
			{"AdminGetDevice", map[string]any{"UserPoolId": fx.PoolID, "Username": fx.Username}, true, 400}, // no device key
		} {
			resp, err := c.Call(ctx, call.op, call.body, call.sign)
			if err != nil {
				return err
			}
			if resp.Status != call.want {
				return fmt.Errorf("%s through the proxy: HTTP %d %s: %s, want %d", call.op, resp.Status, resp.Code, resp.Message(), call.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Len() != 3 {
		t.Fatalf("recorded %d requests, want 3", rec.Len())
	}
	r, err := Replay(context.Background(), rec, target, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 3 || r.Status[2] != 2 || r.Status[4] != 1 || r.Changed != 0 {
		t.Fatalf("replay: %d requests, statuses %v, %d changed; want 3, two 2xx and one 4xx as recorded", r.Requests, r.Status, r.Changed)
	}
}

// The replay sends every recorded request exactly once, whatever its status, counts
// the answers by class and against the recorded ones, and keeps the pools a replayed
// CreateUserPool made.
func TestReplaySendsEveryRequestOnce(t *testing.T) {
	statusOf := func(i int) int {
		switch {
		case i == 7:
			return 500
		case i%3 == 0:
			return 200
		}
		return 400
	}
	srv, seen := capture(t, func(r *http.Request, body []byte) (int, string) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".CreateUserPool") {
			return 200, `{"UserPool":{"Id":"us-east-1_new"}}`
		}
		i, _ := strconv.Atoi(r.Header.Get("X-Index"))
		return statusOf(i), strings.Repeat("x", i)
	})
	const n = 60
	rec := &Recording{Start: time.Now()}
	var sent int64
	for i := range n {
		body := []byte(fmt.Sprintf(`{"i":%d}`, i))
		sent += int64(len(body))
		target := "P.GetDevice"
		status := statusOf(i)
		if i == 0 {
			target = "P.CreateUserPool"
		}
		if i == 5 {
			status = 200 // recorded otherwise than the server answers now
		}
		rec.reqs = append(rec.reqs, recordedRequest{
			method: http.MethodPost, uri: "/", host: "127.0.0.1:1", body: body, status: status,
			header: http.Header{"X-Index": {strconv.Itoa(i)}, "X-Amz-Target": {target}},
		})
	}
	r, err := Replay(context.Background(), rec, srv.URL, 4)
	if err != nil {
		t.Fatal(err)
	}
	got := seen()
	count := map[string]int{}
	for _, s := range got {
		count[s.header.Get("X-Index")]++
		if s.host != "127.0.0.1:1" {
			t.Errorf("request %s went with Host %s, want the recorded one", s.header.Get("X-Index"), s.host)
		}
	}
	for i := range n {
		if c := count[strconv.Itoa(i)]; c != 1 {
			t.Errorf("request %d sent %d times, want once", i, c)
		}
	}
	var want [6]int64
	var received int64
	for i := range n {
		if i == 0 {
			want[2]++
			received += int64(len(`{"UserPool":{"Id":"us-east-1_new"}}`))
			continue
		}
		want[statusOf(i)/100]++
		received += int64(i)
	}
	if r.Requests != n || r.Status != want || r.Changed != 1 || r.Sent != sent || r.Received != received || r.Concurrency != 4 {
		t.Errorf("replay: %d requests, statuses %v (want %v), %d changed (want 1), %d/%d bytes sent (want %d), %d received (want %d)",
			r.Requests, r.Status, want, r.Changed, r.Sent, sent, sent, r.Received, received)
	}
	if !slices.Equal(r.CreatedPools, []string{"us-east-1_new"}) {
		t.Errorf("created pools %q", r.CreatedPools)
	}
	if _, err := Replay(context.Background(), &Recording{}, srv.URL, 1); err == nil {
		t.Errorf("replaying an empty recording must be an error")
	}
}

// The replay's rows come with the raw rows and the goal row as before, and the
// replay's ratio gets no verdict: the goal is against the raw client.
func TestReportReplayRows(t *testing.T) {
	s := func(d float64) time.Duration { return time.Duration(d * float64(time.Second)) }
	h := RunResult{Cases: 100, Wall: s(3), CPU: s(3), ServerCPU: s(1.5), Requests: 24000, CasesRun: 24000, Checks: 262, Level: "conformant"}
	rp := ReplayResult{Concurrency: 4, Requests: 24030, Elapsed: s(2), ClientCPU: s(0.5), ServerCPU: s(1.5),
		Status: [6]int64{2: 30, 4: 24000}, Changed: 12, Sent: 52_000_000, Received: 50_000_000}
	rep := &Report{
		Opts:     Options{Rounds: 2, RawTime: s(3), Workers: 4, Cases: 100},
		Raw:      map[int][]RawResult{4: {{Concurrency: 4, Requests: 30000, Elapsed: s(3)}, {Concurrency: 4, Requests: 30000, Elapsed: s(3)}}},
		Harness:  []RunResult{h, h},
		Replay:   []ReplayResult{rp, rp},
		Recorded: RecordingSummary{Requests: 24030, Status: [6]int64{2: 30, 4: 24000}, Withheld: 1, Level: "conformant", Times: 1},
	}
	var b bytes.Buffer
	if err := rep.Write(&b); err != nil {
		t.Fatal(err)
	}
	table := b.String()
	for _, want := range []string{
		"raw: keep-alive client, 4 in flight", "harness/raw (4 in flight)", "≥ 0.7: met",
		"raw replay: the harness's own 24030 requests (52.0 MB sent, 50.0 MB received), 4 in flight", "12015 requests/s",
		"2xx 30, 4xx 24000", "12 with another status than recorded",
		"harness/raw replay, per round: the harness's own overhead on its own workload", "0.67 (rounds: 0.67 0.67)",
		"CPU per request: harness + server vs raw replay client + server", "devices it forgot", "DeleteUserPool calls (1) not",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
	if n := strings.Count(table, "≥ 0.7"); n != 1 {
		t.Errorf("%d goal verdicts on requests/s, want the one of harness/raw:\n%s", n, table)
	}
}
