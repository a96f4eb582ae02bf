// Package awsjson is cogconform's side of the wire: it sends AWS JSON 1.1 requests to a
// target (POST /, X-Amz-Target, application/x-amz-json-1.1), SigV4-signs them when
// asked, and reads answers the way the AWS SDKs do, with a deadline on every request,
// a cap on every body read, and no redirect ever followed — a token must reach the
// configured endpoint and nowhere else.
package awsjson

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cogconform/cogconform/internal/jsonenc"
)

// Defaults for the Cognito user-pool API.
const (
	DefaultTargetPrefix = "AWSCognitoIdentityProviderService"
	DefaultContentType  = "application/x-amz-json-1.1"
	DefaultSigningName  = "cognito-idp"
	DefaultRegion       = "us-east-1"
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBody      = 1 << 20
)

// Config says where and how to send requests.
type Config struct {
	Endpoint     string // base URL, e.g. http://127.0.0.1:9229
	Region       string
	SigningName  string
	TargetPrefix string
	ContentType  string
	// Credentials sign requests that ask for it; nil means such requests fail.
	Credentials aws.CredentialsProvider
	Timeout     time.Duration // per request, the whole exchange including the body read
	MaxBody     int64         // the most bytes read of a response body
	// CAFile adds a PEM bundle to the trusted roots; InsecureSkipVerify trusts any certificate.
	CAFile             string
	InsecureSkipVerify bool
	// MaxConns caps idle keep-alive connections kept to the target.
	MaxConns int
}

// Client sends requests to one target. It is safe for concurrent use.
type Client struct {
	cfg         Config
	base        *url.URL
	http        *http.Client
	signer      *v4.Signer
	contentType []string // the Content-Type header of cfg.ContentType
	userAgent   []string // the User-Agent header of every request
}

// New checks the configuration and builds a client.
func New(cfg Config) (*Client, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("awsjson: no endpoint")
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("awsjson: endpoint %q: %w", cfg.Endpoint, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("awsjson: endpoint %q: want an http:// or https:// URL with a host", cfg.Endpoint)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.SigningName == "" {
		cfg.SigningName = DefaultSigningName
	}
	if cfg.TargetPrefix == "" {
		cfg.TargetPrefix = DefaultTargetPrefix
	}
	if cfg.ContentType == "" {
		cfg.ContentType = DefaultContentType
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 16
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify} //nolint:gosec // only when the user asks for it by flag
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("awsjson: reading CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("awsjson: CA file %s holds no PEM certificate", cfg.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	transport := &http.Transport{
		Proxy:               nil, // a conformance target is addressed directly; a proxy would change what is measured
		DialContext:         (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     tlsCfg,
		TLSHandshakeTimeout: cfg.Timeout,
		// No ResponseHeaderTimeout: Do's deadline (cfg.Timeout) already bounds the
		// whole exchange, and the transport would start a second timer per request.
		MaxIdleConns:           cfg.MaxConns,
		MaxIdleConnsPerHost:    cfg.MaxConns,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		// Length checks send and get back bodies of 256 KiB; the default 4 KiB
		// buffers cut each into dozens of system calls.
		WriteBufferSize: 64 << 10,
		ReadBufferSize:  64 << 10,
	}
	return &Client{
		cfg:  cfg,
		base: u,
		http: &http.Client{
			Transport: transport,
			// Never follow a redirect: the request may carry an access token or a
			// signature meant for the configured endpoint only.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		signer:      v4.NewSigner(),
		contentType: []string{cfg.ContentType},
		userAgent:   []string{"cogconform"},
	}, nil
}

// Config returns the client's configuration with defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Request is one request to the target. The zero Method is POST; a zero ContentType
// sends the JSON 1.1 type; NoContentType sends none at all.
type Request struct {
	Method        string
	Path          string // default "/"
	Target        string // the whole X-Amz-Target value; empty sends no header
	ContentType   string
	NoContentType bool
	Body          []byte
	Sign          bool
	Header        http.Header // extra headers
}

// Response is what the target answered.
type Response struct {
	Status      int
	Header      http.Header
	Body        []byte
	Truncated   bool // the body was longer than MaxBody and was cut
	ContentType string
	Code        string // the error code, read as the AWS SDKs do; empty on success
	Duration    time.Duration
}

// Message returns the error message of an error answer, if its body has one. It is
// read on demand, not with every answer: a validation message may quote a 256 KiB
// value, and only a few checks read messages at all.
func (r *Response) Message() string {
	if r.Status < 300 {
		return ""
	}
	return errorMessage(r.Body)
}

// Target returns the X-Amz-Target value of an operation.
func (c *Client) Target(op string) string { return c.cfg.TargetPrefix + "." + op }

// Call sends one operation with a JSON body (raw bytes, or a value to marshal).
func (c *Client) Call(ctx context.Context, op string, body any, sign bool) (*Response, error) {
	raw, err := Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("awsjson: %s: %w", op, err)
	}
	return c.Do(ctx, Request{Target: c.Target(op), Body: raw, Sign: sign})
}

// Marshal turns a body into bytes: []byte and json.RawMessage pass through.
func Marshal(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return []byte("{}"), nil
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	case string:
		return []byte(b), nil
	}
	// jsonenc writes encoding/json's bytes, without its cost on 256 KiB values.
	raw, err := jsonenc.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encoding the body: %w", err)
	}
	return raw, nil
}

// target is where a request goes: POST to the endpoint's root unless it says otherwise.
func (c *Client) target(r Request) (method string, u *url.URL) {
	method = r.Method
	if method == "" {
		method = http.MethodPost
	}
	to := *c.base
	to.Path = strings.TrimSuffix(to.Path, "/") + "/"
	if r.Path != "" {
		to.Path = r.Path
	}
	return method, &to
}

// methodURL is target with the URL as text.
func (c *Client) methodURL(r Request) (method, url string) {
	method, u := c.target(r)
	return method, u.String()
}

// Do sends a request and reads the answer. Transport failures (refused, reset,
// timeout, TLS) are returned as errors; any HTTP answer is a Response.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	method, u := c.target(r)
	// The URL is put in place, not given as text for NewRequest to parse again
	// what target has just taken apart: a parse per request was 2% of the
	// harness's CPU. Host is what NewRequest would set.
	req, err := http.NewRequestWithContext(ctx, method, "", bytes.NewReader(r.Body))
	if err != nil {
		return nil, fmt.Errorf("awsjson: building the request: %w", err)
	}
	req.URL, req.Host = u, strings.TrimSuffix(u.Host, ":")
	req.ContentLength = int64(len(r.Body))
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	// The usual values are shared, read-only slices, set under their canonical keys:
	// Header.Set would allocate and canonicalise each on every request.
	switch {
	case r.NoContentType:
	case r.ContentType == "":
		req.Header["Content-Type"] = c.contentType
	default:
		req.Header.Set("Content-Type", r.ContentType)
	}
	if r.Target != "" {
		req.Header.Set("X-Amz-Target", r.Target)
	}
	req.Header["User-Agent"] = c.userAgent
	if r.Sign {
		if err := c.sign(ctx, req, r.Body); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	// The transport itself, not http.Client.Do: the client never follows a
	// redirect (CheckRedirect), has no cookie jar and no timeout of its own, so Do
	// would only copy the headers for redirects that never happen, 2% of the
	// harness's CPU. Its error is wrapped as Do wraps it, so that callers can still
	// tell a failed exchange (*url.Error) from a request that never left.
	resp, err := c.http.Transport.RoundTrip(req)
	if err != nil {
		err = &url.Error{Op: urlErrorOp(method), URL: req.URL.Redacted(), Err: err}
		return nil, fmt.Errorf("awsjson: %s %s: %w", method, c.base.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := readCapped(resp.Body, resp.ContentLength, c.cfg.MaxBody+1)
	out := &Response{
		Status:      resp.StatusCode,
		Header:      resp.Header,
		ContentType: resp.Header.Get("Content-Type"),
		Duration:    time.Since(start),
	}
	if int64(len(body)) > c.cfg.MaxBody {
		body, out.Truncated = body[:c.cfg.MaxBody], true
	}
	out.Body = body
	if err != nil && !out.Truncated {
		return out, fmt.Errorf("awsjson: reading the answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if resp.StatusCode >= 300 {
		out.Code = ErrorCode(resp.Header, body)
	}
	return out, nil
}

// urlErrorOp names a method as http.Client's errors do: "Post", "Get".
func urlErrorOp(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

// readCapped reads at most limit bytes of r. A body that announces its length is read
// into a buffer of that size: io.ReadAll would start at 512 bytes and copy a large
// error body (a 256 KiB value echoed back) a dozen times on the way. One no longer
// than limit is read whole in one go: net/http's body reader stops at the announced
// length and reports io.EOF with its last bytes, so the connection is still reused.
func readCapped(r io.Reader, contentLength, limit int64) ([]byte, error) {
	if contentLength >= 0 && contentLength < limit {
		buf := make([]byte, contentLength)
		n, err := io.ReadFull(r, buf)
		return buf[:n], err
	}
	size := int64(bytes.MinRead)
	if contentLength > 0 {
		size = min(contentLength, limit) + bytes.MinRead
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(io.LimitReader(r, limit))
	return buf.Bytes(), err
}

func (c *Client) sign(ctx context.Context, req *http.Request, body []byte) error {
	if c.cfg.Credentials == nil {
		return errors.New("awsjson: the request must be signed but no credentials are configured")
	}
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("awsjson: retrieving credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), c.cfg.SigningName, c.cfg.Region, time.Now()); err != nil {
		return fmt.Errorf("awsjson: signing: %w", err)
	}
	return nil
}

// ErrorCode reads an error code from an answer the way the AWS SDKs do: the
// x-amzn-ErrorType header first, then __type or code in the body; everything after
// a ':' is cut, and only what follows a '#' is kept.
func ErrorCode(h http.Header, body []byte) string {
	if v := h.Get("X-Amzn-Errortype"); v != "" {
		return sanitizeCode(v)
	}
	for _, raw := range topLevel(body, "__type", "code", "Code") {
		if s, ok := decodeString(raw); ok && s != "" {
			return sanitizeCode(s)
		}
	}
	return ""
}

func sanitizeCode(v string) string {
	if i := strings.IndexByte(v, ':'); i >= 0 {
		v = v[:i]
	}
	if i := strings.LastIndexByte(v, '#'); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

func errorMessage(body []byte) string {
	for _, raw := range topLevel(body, "message", "Message", "errorMessage") {
		if s, ok := decodeString(raw); ok {
			return s
		}
	}
	return ""
}

// topLevel returns the raw values of the given members of a JSON object body, in the
// order of keys, leaving out absent ones; nothing when the body is not one valid JSON
// object.
func topLevel(body []byte, keys ...string) [][]byte {
	vals, ok := ObjectMembers(body, keys...)
	if !ok {
		return nil
	}
	out := vals[:0]
	for _, v := range vals {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

// ObjectMembers returns the raw values of the given members of a JSON object body,
// one per key (nil for an absent member), and whether body is one valid JSON object
// at all. It reads the body as json.Unmarshal into a map[string]json.RawMessage does
// (keys unescaped, the last of duplicate keys wins) but decodes nothing it is not
// asked for, and checks strings eight bytes at a time: an error body may echo a 256
// KiB value, which encoding/json's scanner alone takes most of a millisecond over.
// TestErrorFieldsReadAsAMapWould holds the two readings together.
func ObjectMembers(body []byte, keys ...string) (vals [][]byte, ok bool) {
	i := skipSpace(body, 0)
	if i == len(body) || body[i] != '{' {
		return nil, false // not an object, valid or not: no members either way
	}
	vals = make([][]byte, len(keys))
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			if i == len(body) || body[i] != '"' {
				return nil, false
			}
			kend, ok := scanString(body, i)
			if !ok {
				return nil, false
			}
			quoted := body[i:kend]
			i = skipSpace(body, kend)
			if i == len(body) || body[i] != ':' {
				return nil, false
			}
			i = skipSpace(body, i+1)
			vend, ok := scanValue(body, i, 1)
			if !ok {
				return nil, false
			}
			key := string(quoted[1 : len(quoted)-1])
			if strings.IndexByte(key, '\\') >= 0 {
				key = unescapedKey(quoted)
			}
			for k, want := range keys {
				if key == want {
					vals[k] = body[i:vend]
				}
			}
			i = skipSpace(body, vend)
			if i < len(body) && body[i] == ',' {
				i = skipSpace(body, i+1)
				continue
			}
			if i == len(body) || body[i] != '}' {
				return nil, false
			}
			i++
			break
		}
	}
	if skipSpace(body, i) != len(body) {
		return nil, false // something after the object
	}
	return vals, true
}

// StringValue decodes a raw JSON value that is a string, as json.Unmarshal into an
// any would; anything else, null included, is not one.
func StringValue(raw []byte) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	return decodeString(raw)
}

// decodeString reads a raw JSON value into a string as json.Unmarshal does: null
// leaves it empty without an error, and only a string decodes.
func decodeString(raw []byte) (string, bool) {
	switch {
	case raw[0] == 'n':
		return "", true
	case raw[0] != '"':
		return "", false
	case bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw):
		return string(raw[1 : len(raw)-1]), true // nothing to unescape or replace
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err == nil
}

func unescapedKey(quoted []byte) string {
	var s string
	_ = json.Unmarshal(quoted, &s) // scanString checked it
	return s
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// maxJSONDepth is encoding/json's nesting limit.
const maxJSONDepth = 10000

// scanValue checks the JSON value at b[i] as encoding/json's scanner does and
// returns where it ends. depth counts the objects and arrays it is inside.
func scanValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		return scanString(b, i)
	case c == '{' || c == '[':
		if depth+1 > maxJSONDepth {
			return i, false
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == closing {
			return i + 1, true
		}
		for {
			if c == '{' {
				if i >= len(b) || b[i] != '"' {
					return i, false
				}
				end, ok := scanString(b, i)
				if !ok {
					return i, false
				}
				i = skipSpace(b, end)
				if i >= len(b) || b[i] != ':' {
					return i, false
				}
				i = skipSpace(b, i+1)
			}
			end, ok := scanValue(b, i, depth+1)
			if !ok {
				return i, false
			}
			i = skipSpace(b, end)
			if i < len(b) && b[i] == ',' {
				i = skipSpace(b, i+1)
				continue
			}
			if i < len(b) && b[i] == closing {
				return i + 1, true
			}
			return i, false
		}
	case c == 't':
		return literalEnd(b, i, "true")
	case c == 'f':
		return literalEnd(b, i, "false")
	case c == 'n':
		return literalEnd(b, i, "null")
	case c == '-' || ('0' <= c && c <= '9'):
		return numberEnd(b, i)
	}
	return i, false
}

func literalEnd(b []byte, i int, word string) (int, bool) {
	if len(b)-i >= len(word) && string(b[i:i+len(word)]) == word {
		return i + len(word), true
	}
	return i, false
}

// numberEnd checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func numberEnd(b []byte, i int) (int, bool) {
	digits := func() int {
		n := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return i, false
		}
	}
	return i, true
}

// SWAR constants: one byte repeated in each of the eight lanes of a uint64.
const (
	lanes01 = 0x0101010101010101
	lanes80 = 0x8080808080808080
)

// scanString checks the JSON string at b[i] (a quote) as encoding/json's scanner does
// (no control characters, known escapes only, four hex digits after \u; any other
// byte, invalid UTF-8 included, is allowed) and returns the index past its end.
func scanString(b []byte, i int) (int, bool) {
	j := i + 1
	for {
		// Eight plain bytes at a time: no quote, backslash or control character.
		for j+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[j:])
			quote, backslash := x^(lanes01*'"'), x^(lanes01*'\\')
			if ((quote-lanes01)&^quote|(backslash-lanes01)&^backslash|(x-lanes01*0x20)&^x)&lanes80 != 0 {
				break
			}
			j += 8
		}
		if j >= len(b) {
			return j, false
		}
		switch c := b[j]; {
		case c == '"':
			return j + 1, true
		case c == '\\':
			if j+1 >= len(b) {
				return j, false
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) || !isHex(b[j+5]) {
					return j, false
				}
				j += 6
			default:
				return j, false
			}
		case c < 0x20:
			return j, false
		default:
			j++
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// StaticCredentials returns a provider of fixed credentials.
func StaticCredentials(accessKeyID, secretAccessKey, sessionToken string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, sessionToken)
}

// DefaultChainCredentials returns the AWS SDK's default credential chain
// (environment, shared config, SSO, instance roles…), for runs against real AWS.
func DefaultChainCredentials(ctx context.Context, region string) (aws.CredentialsProvider, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("awsjson: loading the default AWS configuration: %w", err)
	}
	return cfg.Credentials, nil
}
