package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// RawOptions configure a raw measurement.
type RawOptions struct {
	Endpoint    string // base URL of the target, e.g. http://127.0.0.1:9229
	Fixture     Fixture
	AccessKeyID string
	Secret      string
	Region      string
	// Concurrency is the number of requests in flight, each on its own keep-alive
	// connection.
	Concurrency int
	Warmup      time.Duration // requests sent before the clock starts
	Duration    time.Duration
}

// RawResult is what a raw measurement counted.
type RawResult struct {
	Concurrency int
	Requests    int64
	Elapsed     time.Duration
	ClientCPU   time.Duration // this process's CPU time while counting
	ServerCPU   time.Duration // the server's, when Measure can read it
}

// PerSecond is the round-trip rate.
func (r RawResult) PerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// rawRequest is one fixed request: its body and every header, signed once.
type rawRequest struct {
	op     string
	body   []byte
	header http.Header
}

// fixedRequests are the six valid device calls that read or write a device without
// consuming it (Forget and Confirm would): three access-token calls and their Admin
// twins. Admin requests are signed once, up front: a SigV4 signature stays valid for
// five minutes, and re-signing per request would measure the client's HMACs rather
// than the wire. The harness signs every request, which is its own overhead.
func fixedRequests(o RawOptions) ([]rawRequest, error) {
	f := o.Fixture
	admin := map[string]any{"UserPoolId": f.PoolID, "Username": f.Username}
	with := func(m map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	token := map[string]any{"AccessToken": f.AccessToken}
	calls := []struct {
		op   string
		body map[string]any
		sign bool
	}{
		{"GetDevice", with(token, "DeviceKey", f.DeviceKey), false},
		{"ListDevices", with(token, "Limit", 10), false},
		{"UpdateDeviceStatus", with(token, "DeviceKey", f.DeviceKey, "DeviceRememberedStatus", "remembered"), false},
		{"AdminGetDevice", with(admin, "DeviceKey", f.DeviceKey), true},
		{"AdminListDevices", with(admin, "Limit", 10), true},
		{"AdminUpdateDeviceStatus", with(admin, "DeviceKey", f.DeviceKey, "DeviceRememberedStatus", "remembered"), true},
	}
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: o.AccessKeyID, SecretAccessKey: o.Secret}
	var out []rawRequest
	for _, c := range calls {
		body, err := json.Marshal(c.body)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequest(http.MethodPost, o.Endpoint+"/", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+c.op)
		if c.sign {
			sum := sha256.Sum256(body)
			if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "cognito-idp", o.Region, time.Now()); err != nil {
				return nil, fmt.Errorf("signing %s: %w", c.op, err)
			}
		}
		out = append(out, rawRequest{op: c.op, body: body, header: req.Header})
	}
	return out, nil
}

// rawClient sends the fixed requests over keep-alive connections, as little client
// as a round trip needs: prepared bodies and headers, the answer read and dropped.
type rawClient struct {
	endpoint string
	reqs     []rawRequest
	http     *http.Client
}

func newRawClient(o RawOptions) (*rawClient, error) {
	reqs, err := fixedRequests(o)
	if err != nil {
		return nil, err
	}
	conns := max(o.Concurrency, 1)
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
	}
	return &rawClient{endpoint: o.Endpoint, reqs: reqs, http: &http.Client{Transport: transport, Timeout: 10 * time.Second}}, nil
}

func (c *rawClient) close() { c.http.CloseIdleConnections() }

// send sends fixed request i (modulo their number) and checks it was answered 200.
func (c *rawClient) send(ctx context.Context, i int) error {
	r := c.reqs[i%len(c.reqs)]
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header = r.header.Clone()
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", r.op, err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("%s: reading the answer: %w", r.op, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d, want 200", r.op, resp.StatusCode)
	}
	return nil
}

// Raw sends the fixed requests round-robin from Concurrency goroutines for
// Warmup+Duration and counts the answers of the last Duration. Every answer must be
// HTTP 200: a rate of refusals would measure the wrong thing.
func Raw(ctx context.Context, o RawOptions) (RawResult, error) {
	if o.Concurrency < 1 {
		o.Concurrency = 1
	}
	client, err := newRawClient(o)
	if err != nil {
		return RawResult{}, err
	}
	defer client.close()

	var (
		counting atomic.Bool
		count    atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ctx.Err() == nil; i++ {
				if err := client.send(ctx, i); err != nil {
					if ctx.Err() == nil {
						errOnce.Do(func() { firstErr = err })
						cancel()
					}
					return
				}
				if counting.Load() {
					count.Add(1)
				}
			}
		}()
	}
	select {
	case <-time.After(o.Warmup):
	case <-ctx.Done():
	}
	counting.Store(true)
	start, cpu0 := time.Now(), selfCPU()
	select {
	case <-time.After(o.Duration):
	case <-ctx.Done():
	}
	elapsed, cpu := time.Since(start), selfCPU()-cpu0
	n := count.Load()
	cancel()
	wg.Wait()
	if firstErr != nil {
		return RawResult{}, firstErr
	}
	if n == 0 {
		return RawResult{}, errors.New("raw: no request completed")
	}
	return RawResult{Concurrency: o.Concurrency, Requests: n, Elapsed: elapsed, ClientCPU: cpu}, nil
}
