package reference

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/cogconform/cogconform/internal/jsonenc"
	"github.com/cogconform/cogconform/spec"
)

// AWS's documented example key pair: dummies, safe to print, accepted by default so
// that any SDK configured with them can call the Admin operations.
const (
	DefaultAccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	DefaultSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// Limits and defaults of the wire.
const (
	// MaxBodyBytes is the largest request body read; a larger one is a SerializationException.
	MaxBodyBytes = 1 << 20
	// DefaultPageSize is the page size of ListDevices when Limit is absent or 0.
	DefaultPageSize = 60
	// SignatureWindow is how far X-Amz-Date may be from the server's clock.
	SignatureWindow = 5 * time.Minute

	contentTypeJSON11 = "application/x-amz-json-1.1"
	contentTypeJSON10 = "application/x-amz-json-1.0"
	errorTypeSuffix   = ":http://internal.amazon.com/coral/com.amazonaws.swbup.service/"
)

// Options configures a Server. The zero value is a conformant server with the
// embedded model, the default credentials, us-east-1, the real clock and 1h tokens.
type Options struct {
	Model  *spec.Model // nil → spec.Load()
	Defect string      // "" = conformant; else a name from Defects()
	// AccessKeyID and SecretAccessKey are the SigV4 credentials Admin requests must be
	// signed with; both empty means DefaultAccessKeyID/DefaultSecretAccessKey.
	AccessKeyID, SecretAccessKey string
	Region                       string           // default "us-east-1"
	Now                          func() time.Time // default time.Now; tests move it to expire tokens
	TokenTTL                     time.Duration    // default 1h
}

// Server is the reference target. It is an http.Handler and is safe for concurrent use.
type Server struct {
	model   *spec.Model
	defect  string
	keyID   string
	secret  string
	region  string
	now     func() time.Time
	ttl     time.Duration
	ops     map[string]*operation
	shapes  shapeIndex
	signKey *ecdsa.PrivateKey
	kid     string
	pageKey []byte
	// signer recomputes SigV4 signatures; one per server keeps its derived-key cache,
	// which saves four HMACs per signed request.
	signer *v4.Signer
	// tokenValidator checks the time claims of a token found in verified.
	tokenValidator *jwt.Validator
	verified       verifiedTokens

	mu    sync.Mutex
	pools map[string]*pool

	// panicHook, when set (tests only), runs inside every handler so that a test can
	// prove a panic becomes InternalErrorException.
	panicHook func(op string)
}

// New builds a Server. An unknown defect name is an error that lists the valid ones.
func New(opts Options) (*Server, error) {
	if err := checkDefect(opts.Defect); err != nil {
		return nil, err
	}
	m := opts.Model
	if m == nil {
		var err error
		if m, err = spec.Load(); err != nil {
			return nil, fmt.Errorf("reference: loading the model: %w", err)
		}
	}
	s := &Server{
		model:  m,
		defect: opts.Defect,
		keyID:  opts.AccessKeyID,
		secret: opts.SecretAccessKey,
		region: opts.Region,
		now:    opts.Now,
		ttl:    opts.TokenTTL,
		pools:  map[string]*pool{},
	}
	if s.keyID == "" && s.secret == "" {
		s.keyID, s.secret = DefaultAccessKeyID, DefaultSecretAccessKey
	}
	if s.keyID == "" || s.secret == "" {
		return nil, errors.New("reference: AccessKeyID and SecretAccessKey must be given together")
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ttl <= 0 {
		s.ttl = time.Hour
	}
	s.signer = v4.NewSigner()
	s.tokenValidator = jwt.NewValidator(s.tokenParserOptions()...)
	var err error
	// ES256 rather than Cognito's RS256: a P-256 key is made in microseconds, so every
	// test and every defect server can have its own.
	if s.signKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, fmt.Errorf("reference: making the token signing key: %w", err)
	}
	s.kid = randomAlnum(20)
	s.pageKey = make([]byte, 32)
	if _, err := rand.Read(s.pageKey); err != nil {
		return nil, fmt.Errorf("reference: making the pagination key: %w", err)
	}
	if s.ops, err = s.buildOperations(); err != nil {
		return nil, err
	}
	s.shapes = indexShapes(s.ops)
	return s, nil
}

// Defect is the name of the defect the server was built with, "" when conformant.
func (s *Server) Defect() string { return s.defect }

// UserPools returns the IDs of the user pools that exist now, sorted.
func (s *Server) UserPools() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.pools))
	for id := range s.pools {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (s *Server) has(defect string) bool { return s.defect == defect }

// Listen starts the server on addr (default "127.0.0.1:0") and returns its base URL
// and a shutdown function that stops accepting and waits for requests in flight.
func Listen(opts Options, addr string) (url string, shutdown func(context.Context) error, err error) {
	s, err := New(opts)
	if err != nil {
		return "", nil, err
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("reference: listening on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	go func() { _ = srv.Serve(ln) }() // Serve returns ErrServerClosed after Shutdown
	shutdown = func(ctx context.Context) error {
		// Shutdown waits for requests in flight, and for up to five seconds on a
		// connection that was opened but never sent a request (a client's spare
		// keep-alive dial): past ctx, those are cut.
		err := srv.Shutdown(ctx)
		if err != nil {
			_ = srv.Close()
		}
		return err
	}
	return baseURL(ln.Addr()), shutdown, nil
}

// baseURL names a listener so that a client can reach it: an unspecified address
// (0.0.0.0, ::) is reached through loopback.
func baseURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// apiError is an answer in AWS's error shape.
type apiError struct {
	Code    string
	Status  int
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errParam(msg string) *apiError {
	return &apiError{"InvalidParameterException", http.StatusBadRequest, msg}
}
func errNotAuthorized(msg string) *apiError {
	return &apiError{"NotAuthorizedException", http.StatusBadRequest, msg}
}
func errNotFound(msg string) *apiError {
	return &apiError{"ResourceNotFoundException", http.StatusBadRequest, msg}
}
func errSerialization(msg string) *apiError {
	return &apiError{"SerializationException", http.StatusBadRequest, msg}
}
func errUnknownOperation(msg string) *apiError {
	return &apiError{"UnknownOperationException", http.StatusBadRequest, msg}
}
func errInternal() *apiError {
	return &apiError{"InternalErrorException", http.StatusInternalServerError, "An internal error occurred."}
}

// call is one request on its way through the pipeline.
type call struct {
	op       *operation
	r        *http.Request
	raw      []byte
	body     map[string]any
	remoteIP string
}

// ServeHTTP answers one AWS JSON 1.1 request. Handlers return values rather than
// writing, so that a panic anywhere before the single write below still becomes a
// well-formed InternalErrorException instead of a dropped connection.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", newUUID())
	var (
		out     any
		aerr    *apiError
		special func()
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				out, aerr, special = nil, errInternal(), nil
			}
		}()
		out, aerr, special = s.serve(w, r)
	}()
	switch {
	case special != nil:
		special()
	case aerr != nil:
		s.writeError(w, aerr)
	default:
		s.writeOK(w, out)
	}
}

// serve runs the pipeline. special, when set, writes a non-AWS answer that a defect
// calls for (HTML page, text/plain 405).
func (s *Server) serve(w http.ResponseWriter, r *http.Request) (out any, aerr *apiError, special func()) {
	if r.Method != http.MethodPost {
		if s.has(defGetNotJSON) {
			return nil, nil, func() {
				w.Header().Set("Allow", http.MethodPost)
				http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
			}
		}
		return nil, errUnknownOperation(fmt.Sprintf("The HTTP method %s is not supported: AWS JSON 1.1 operations are POST /.", r.Method)), nil
	}
	op, aerr := s.route(r.Header.Get("X-Amz-Target"))
	if aerr != nil {
		return nil, aerr, nil
	}
	if aerr := checkContentType(r.Header.Get("Content-Type")); aerr != nil {
		return nil, aerr, nil
	}
	raw, aerr := readBody(r)
	if aerr != nil {
		return nil, aerr, nil
	}
	body, aerr := decodeObject(raw)
	if aerr != nil {
		if s.has(defHTMLOnMalformedJSON) && aerr.Message == msgMalformedJSON {
			return nil, nil, func() {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1><p>The request body could not be parsed.</p></body></html>\n")
			}
		}
		return nil, aerr, nil
	}
	if aerr := s.checkTypes(op, body); aerr != nil {
		return nil, aerr, nil
	}
	if op.signed {
		if aerr := s.verifySignature(r, raw); aerr != nil {
			return nil, aerr, nil
		}
	}
	if aerr := s.validate(op, body); aerr != nil {
		return nil, aerr, nil
	}
	c := &call{op: op, r: r, raw: raw, body: body, remoteIP: remoteIP(r)}
	if s.panicHook != nil {
		s.panicHook(op.name)
	}
	out, aerr = op.handle(c)
	return out, aerr, nil
}

// route finds the operation an X-Amz-Target names.
func (s *Server) route(target string) (*operation, *apiError) {
	if target == "" {
		return nil, errUnknownOperation("The X-Amz-Target header is missing: it names the operation, e.g. " + s.model.TargetPrefix + ".GetDevice.")
	}
	i := strings.LastIndexByte(target, '.')
	prefix, name := "", target
	if i >= 0 {
		prefix, name = target[:i], target[i+1:]
	}
	if prefix != s.model.TargetPrefix && !s.has(defTargetPrefixIgnored) {
		return nil, s.unknownOperation()
	}
	op := s.ops[name]
	if op == nil {
		return nil, s.unknownOperation()
	}
	return op, nil
}

func (s *Server) unknownOperation() *apiError {
	if s.has(defUnknownOperation500) {
		return &apiError{"InternalFailure", http.StatusInternalServerError, "The request processing has failed because of an unknown error, exception or failure."}
	}
	// AWS's message is empty here; a short one keeps every error body self-explaining.
	return errUnknownOperation("The operation named by X-Amz-Target is not supported by this service.")
}

// checkContentType accepts the AWS JSON media types; AWS's coral front end takes
// 1.0 and 1.1 alike on a JSON service. Anything else cannot be read as the protocol.
func checkContentType(ct string) *apiError {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == contentTypeJSON11 || mt == contentTypeJSON10) {
		return nil
	}
	return errSerialization("The Content-Type must be " + contentTypeJSON11 + ".")
}

func readBody(r *http.Request) ([]byte, *apiError) {
	// A body that announces its length is read into a buffer of that size, not grown
	// from 512 bytes by copying (a harness sends bodies of 256 KiB and more).
	size := int64(bytes.MinRead)
	if r.ContentLength > 0 {
		size = min(r.ContentLength, MaxBodyBytes+1) + bytes.MinRead
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(io.LimitReader(r.Body, MaxBodyBytes+1))
	data := buf.Bytes()
	if err != nil {
		return nil, errSerialization("The request body could not be read.")
	}
	if len(data) > MaxBodyBytes {
		return nil, errSerialization(fmt.Sprintf("The request body exceeds %d bytes.", MaxBodyBytes))
	}
	return data, nil
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// writeOK sends a 200. nil output is the empty output of an operation without one: "{}".
func (s *Server) writeOK(w http.ResponseWriter, out any) {
	var body []byte
	if out == nil {
		body = []byte("{}")
	} else {
		var err error
		if body, err = jsonenc.Marshal(out); err != nil {
			s.writeError(w, errInternal())
			return
		}
	}
	ct := contentTypeJSON11
	if wrong, ok := out.(wireOverride); ok {
		ct, body = wrong.contentType(ct), wrong.body(body)
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// writeError sends AWS's error shape: the code in x-amzn-ErrorType and in __type.
func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	status := e.Status
	if s.has(defNotAuthorized403) && e.Code == "NotAuthorizedException" {
		status = http.StatusForbidden
	}
	ct := contentTypeJSON11
	if s.has(defJSON10OnErrors) {
		ct = contentTypeJSON10
	}
	// What json.Marshal makes of map[string]string{"__type": code, "message": text}
	// (keys in order), written directly: the message may quote a 256 KiB value.
	body := make([]byte, 0, len(e.Code)+len(e.Message)+32)
	body = jsonenc.AppendString(append(body, `{"__type":`...), e.Code)
	if !s.has(defErrorMessageMissing) {
		body = jsonenc.AppendString(append(body, `,"message":`...), e.Message)
	}
	body = append(body, '}')
	h := w.Header()
	h.Set("Content-Type", ct)
	if !s.has(defNoErrorTypeHeader) {
		h.Set("x-amzn-ErrorType", e.Code+errorTypeSuffix)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// wireOverride lets a device-operation answer carry a defect's change to the success
// wire (content type, body) without the writer knowing which operation it was.
type wireOverride interface {
	contentType(conformant string) string
	body(conformant []byte) []byte
}

// deviceAnswer wraps a device operation's output when a success-path defect is on.
type deviceAnswer struct {
	out        any
	ct         string // "" keeps the conformant type
	replaceAll []byte // non-nil replaces the body
}

func (d deviceAnswer) MarshalJSON() ([]byte, error) {
	if d.out == nil {
		return []byte("{}"), nil
	}
	return jsonenc.Marshal(d.out)
}

func (d deviceAnswer) contentType(c string) string {
	if d.ct != "" {
		return d.ct
	}
	return c
}

func (d deviceAnswer) body(c []byte) []byte {
	if d.replaceAll != nil {
		return d.replaceAll
	}
	return c
}
