package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The raw replay separates how heavy the harness's requests are from what the harness
// itself costs per request: a minimal client resends, unchanged, the very requests one
// harness run sent, so that harness/replay is the harness's own overhead on its own
// workload, while harness/raw mixes that overhead with the weight of its requests.

// maxRecordedBody bounds what the proxy holds of one request: far above the
// reference's 1 MiB limit, so that a check sending more than the target accepts is
// still recorded whole, yet a runaway body cannot fill the memory.
const maxRecordedBody = 64 << 20

// replayTimeout bounds one forwarded or replayed round trip; the slowest answer the
// reference gives (a 256 KiB echo) takes milliseconds.
const replayTimeout = 30 * time.Second

// replayMaxAge is how old a recording may be when a replay starts: its signatures
// expire five minutes after the recording's start, and a replay takes seconds.
const replayMaxAge = 4 * time.Minute

// recordedRequest is one request as the server would have received it from the
// harness.
type recordedRequest struct {
	method string
	uri    string // path and query, as the harness sent them
	host   string // the Host the harness signed: the proxy's address
	header http.Header
	body   []byte
	status int // the server's answer while recording; 0 until it came
}

// op names a request by its operation, for errors: a target names no secret, unlike
// the headers and the body.
func (q *recordedRequest) op() string {
	t := q.header.Get("X-Amz-Target")
	if _, name, ok := strings.Cut(t, "."); ok {
		return name
	}
	if t != "" {
		return t
	}
	return q.method + " " + q.uri
}

// Recording is what the harness sent through the recording proxy, in arrival order.
// It holds access tokens and SigV4 signatures, so it stays in memory: nothing writes
// it anywhere, and it formats as a summary only.
type Recording struct {
	// Start is when the proxy began listening: no signature in the recording is older,
	// and the reference refuses one older than five minutes.
	Start time.Time
	reqs  []recordedRequest
	// withheld are the user pools whose DeleteUserPool the proxy answered itself.
	withheld []string
}

// Len is the number of recorded requests, every one of which a replay sends.
func (r *Recording) Len() int { return len(r.reqs) }

// Withheld lists the user pools the harness meant to delete; they still exist, and
// whoever recorded must delete them.
func (r *Recording) Withheld() []string { return r.withheld }

// BodyBytes is the size of every recorded body together.
func (r *Recording) BodyBytes() int64 {
	var n int64
	for i := range r.reqs {
		n += int64(len(r.reqs[i].body))
	}
	return n
}

// Statuses counts the answers the server gave while recording, by class (index 2 is
// 2xx); index 0 counts requests that got no answer.
func (r *Recording) Statuses() [6]int64 {
	var c [6]int64
	for i := range r.reqs {
		c[statusClass(r.reqs[i].status)]++
	}
	return c
}

// Format keeps tokens and signatures out of every %v, %+v and %#v: a recording is
// printed only as its size.
func (r Recording) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "Recording{%d requests, %d body bytes, %d pools withheld}", r.Len(), r.BodyBytes(), len(r.withheld))
}

func statusClass(status int) int {
	if status < 100 || status >= 600 {
		return 0
	}
	return status / 100
}

// isDeleteUserPool says whether a request deletes a user pool, from its target alone
// (the body is read later).
func isDeleteUserPool(h http.Header) bool {
	return strings.HasSuffix(h.Get("X-Amz-Target"), ".DeleteUserPool")
}

// recorder is the recording reverse proxy. It forwards by hand rather than with
// httputil.ReverseProxy, which adds X-Forwarded-For, drops hop-by-hop headers and
// sets a User-Agent where there was none: the server must see what the harness sent.
type recorder struct {
	target string // the server's base URL
	client *http.Client

	mu       sync.Mutex
	reqs     []recordedRequest
	withheld []string
	err      error // the first forwarding failure: the recording is then not the harness's
}

// newTransport is a keep-alive transport for up to conns connections to the server.
// It never compresses: an Accept-Encoding the client did not send would change the
// request. Its 64 KiB buffers are the harness's, so that a 256 KiB body takes the
// same system calls through either client.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
		WriteBufferSize:     64 << 10,
		ReadBufferSize:      64 << 10,
	}
}

// outgoing builds the request that reaches the server: same method, path and query,
// Host, headers and body.
func outgoing(ctx context.Context, endpoint string, q *recordedRequest) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, q.method, endpoint+q.uri, bytes.NewReader(q.body))
	if err != nil {
		return nil, fmt.Errorf("%s: building the request: %w", q.op(), err)
	}
	req.Header = q.header.Clone()
	// SigV4 signs the Host: it stays the one the harness addressed and signed.
	req.Host = q.host
	req.ContentLength = int64(len(q.body))
	if _, ok := req.Header["User-Agent"]; !ok {
		// An empty value keeps Go's transport from adding its own.
		req.Header["User-Agent"] = []string{""}
	}
	return req, nil
}

func (p *recorder) fail(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
}

func (p *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The index is taken on arrival, before the body is read, so that a long body
	// does not move its request behind the ones that came after it.
	withhold := isDeleteUserPool(r.Header)
	i := -1
	if !withhold {
		p.mu.Lock()
		i = len(p.reqs)
		p.reqs = append(p.reqs, recordedRequest{})
		p.mu.Unlock()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRecordedBody+1))
	if err == nil && len(body) > maxRecordedBody {
		err = fmt.Errorf("the body exceeds %d bytes", maxRecordedBody)
	}
	if err != nil {
		p.fail(fmt.Errorf("recording proxy: reading a request: %w", err))
		http.Error(w, "recording proxy: reading the request failed", http.StatusBadGateway)
		return
	}
	if withhold {
		// The pools must outlive the recording run, or every replayed call on them
		// would take the server's shorter not-found path.
		var in struct{ UserPoolId string }
		_ = json.Unmarshal(body, &in)
		p.mu.Lock()
		if in.UserPoolId != "" {
			p.withheld = append(p.withheld, in.UserPoolId)
		}
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, "{}")
		return
	}
	q := recordedRequest{method: r.Method, uri: r.URL.RequestURI(), host: r.Host, header: r.Header.Clone(), body: body}
	p.mu.Lock()
	p.reqs[i] = q
	p.mu.Unlock()

	ctx, cancel := context.WithTimeout(r.Context(), replayTimeout)
	defer cancel()
	req, err := outgoing(ctx, p.target, &q)
	if err != nil {
		p.fail(fmt.Errorf("recording proxy: %w", err))
		http.Error(w, "recording proxy: building the request failed", http.StatusBadGateway)
		return
	}
	resp, err := p.client.Do(req)
	if err != nil {
		p.fail(fmt.Errorf("recording proxy: forwarding %s: %w", q.op(), err))
		http.Error(w, "recording proxy: forwarding failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	p.mu.Lock()
	p.reqs[i].status = resp.StatusCode
	p.mu.Unlock()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	if _, err := io.Copy(w, resp.Body); err != nil {
		p.fail(fmt.Errorf("recording proxy: relaying the answer to %s: %w", q.op(), err))
	}
}

// Record puts a recording proxy on a free loopback port in front of target, calls
// run with the proxy's URL and returns every request run sent through it, except
// DeleteUserPool: the proxy answers those itself (HTTP 200, "{}") and only notes the
// pool, which the caller deletes once it no longer replays. A request the proxy
// could not forward makes the recording an error.
func Record(ctx context.Context, target string, run func(endpoint string) error) (*Recording, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("recording proxy: listening: %w", err)
	}
	client := &http.Client{
		Transport: newTransport(64),
		// An answer is relayed as it is, redirect or not.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	p := &recorder{target: strings.TrimSuffix(target, "/"), client: client}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	rec := &Recording{Start: time.Now()}

	runErr := run("http://" + ln.Addr().String())

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	shutErr := srv.Shutdown(sctx)
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		shutErr = errors.Join(shutErr, err)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	rec.reqs, rec.withheld = p.reqs, p.withheld
	switch {
	case runErr != nil:
		return rec, fmt.Errorf("the recorded run: %w", runErr)
	case p.err != nil:
		return rec, p.err
	case shutErr != nil:
		return rec, fmt.Errorf("recording proxy: shutting down: %w", shutErr)
	}
	return rec, nil
}

// ReplayResult is what one replay of a recording counted.
type ReplayResult struct {
	Concurrency int
	Requests    int64
	Elapsed     time.Duration
	ClientCPU   time.Duration // this process's CPU time during the replay
	ServerCPU   time.Duration // the server's, when Measure can read it
	// Status counts the answers by class (index 2 is 2xx); most of the harness's
	// requests are invalid on purpose, so every class is a result.
	Status [6]int64
	// Changed counts answers whose status differs from the recorded one: the server's
	// state is not the recording run's (see the table's note).
	Changed  int64
	Sent     int64 // body bytes sent
	Received int64 // body bytes received
	// CreatedPools are the user pools the replayed CreateUserPool made: the replay's
	// requests name the recording's pools, so these are unused, and the caller deletes
	// them.
	CreatedPools []string
}

// PerSecond is the replay's round-trip rate.
func (r ReplayResult) PerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// Replay sends every recorded request once, in order, to endpoint from concurrency
// goroutines over keep-alive connections (each takes the next request), reads each
// answer whole and drops it, and times the lot. Any HTTP status is counted; a request
// that gets no answer at all ends the replay with an error.
func Replay(ctx context.Context, rec *Recording, endpoint string, concurrency int) (ReplayResult, error) {
	concurrency = max(concurrency, 1)
	res := ReplayResult{Concurrency: concurrency}
	if rec.Len() == 0 {
		return res, errors.New("replay: the recording is empty")
	}
	endpoint = strings.TrimSuffix(endpoint, "/")
	client := &http.Client{
		Transport:     newTransport(concurrency),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()

	var (
		next     atomic.Int64
		status   [6]atomic.Int64
		changed  atomic.Int64
		received atomic.Int64
		mu       sync.Mutex
		pools    []string
		firstErr error
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	send := func(q *recordedRequest) error {
		rctx, rcancel := context.WithTimeout(ctx, replayTimeout)
		defer rcancel()
		req, err := outgoing(rctx, endpoint, q)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("%s: %w", q.op(), err)
		}
		defer resp.Body.Close()
		var n int64
		if resp.StatusCode == http.StatusOK && strings.HasSuffix(q.header.Get("X-Amz-Target"), ".CreateUserPool") {
			// The one answer kept: it names a pool that must not outlive the bench.
			var buf bytes.Buffer
			n, err = buf.ReadFrom(resp.Body)
			var out struct{ UserPool struct{ Id string } }
			if err == nil && json.Unmarshal(buf.Bytes(), &out) == nil && out.UserPool.Id != "" {
				mu.Lock()
				pools = append(pools, out.UserPool.Id)
				mu.Unlock()
			}
		} else {
			n, err = io.Copy(io.Discard, resp.Body)
		}
		if err != nil {
			return fmt.Errorf("%s: reading the answer: %w", q.op(), err)
		}
		received.Add(n)
		status[statusClass(resp.StatusCode)].Add(1)
		if resp.StatusCode != q.status {
			changed.Add(1)
		}
		return nil
	}

	start, cpu0 := time.Now(), selfCPU()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(rec.reqs) {
					return
				}
				if err := send(&rec.reqs[i]); err != nil {
					mu.Lock()
					if firstErr == nil && ctx.Err() == nil {
						firstErr = fmt.Errorf("replay: request %d: %w", i, err)
					}
					mu.Unlock()
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	res.Elapsed, res.ClientCPU = time.Since(start), selfCPU()-cpu0
	res.CreatedPools = pools
	if firstErr == nil && ctx.Err() != nil {
		firstErr = fmt.Errorf("replay: %w", ctx.Err())
	}
	if firstErr != nil {
		return res, firstErr
	}
	for c := range status {
		res.Status[c] = status[c].Load()
		res.Requests += res.Status[c]
	}
	res.Changed, res.Received, res.Sent = changed.Load(), received.Load(), rec.BodyBytes()
	return res, nil
}
