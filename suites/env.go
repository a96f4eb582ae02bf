// Package suites turns the model (spec) and its generators into Ginkgo specs that
// check a live endpoint: a Describe per operation, a Context per check family, an It
// per member and constraint, each running a rapid property that shrinks a failure to
// a minimal request. The same spec tree runs under `go test ./suites/...` and
// in-process from `cogconform run`.
package suites

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/cogconform/cogconform/awsjson"
	"github.com/cogconform/cogconform/internal/version"
	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/spec"
)

// Env is what every check shares in one process: the model, the wire, the fixture,
// the redactor and the counters. It lives inside Ginkgo's tree (built by Define).
type Env struct {
	Cfg     Config
	Model   *spec.Model
	Client  *awsjson.Client
	Red     *reports.Redactor
	Seed    uint64
	Version string

	// Sink receives the finished run on the process that writes reports.
	Sink func(*reports.Run)
	// Progress, when set, receives each check as it finishes (on its own process).
	Progress func(reports.Check)

	fixtureMu    sync.Mutex
	fixture      *Fixture
	cleanupSteps []reports.Step
	wrongKey     *awsjson.Client // signs with a secret the target does not know
	guard        guard           // stops requests after the run ends or the target falls silent (guard.go)

	gen     gens
	started time.Time
	// specs lists every check of the tree as Define built it, in declaration order:
	// what its It runs, and what the record says of it when Ginkgo never reported
	// it (a run interrupted while provisioning reports none).
	specs []specDef
	// pipe starts checks ahead of their Its; nil when Ginkgo's order is not known.
	pipe *pipeline
	// suiteCfg is the Ginkgo configuration Run passes to RunSpecs, for Define; nil
	// under `go test` and the ginkgo CLI, where Define asks Ginkgo.
	suiteCfg *types.SuiteConfig
	// slots bounds the requests in flight, all checks together, to --workers: with a
	// pipeline, two checks and the side lane may be sending at once. Batched checks
	// take them in their workers; checks in the side lane per request (slotKey).
	slots chan struct{}
}

// counterKey keys a check's request counter in the contexts it sends with.
type counterKey struct{}

// slotKey keys the slots a check in the side lane takes one of for each request.
type slotKey struct{}

// NewEnv builds the environment of a run: model, client, redactor.
func NewEnv(ctx context.Context, cfg Config) (*Env, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var m *spec.Model
	var err error
	if cfg.SpecFile != "" {
		m, err = spec.LoadFile(cfg.SpecFile)
	} else {
		m, err = spec.Load()
	}
	if err != nil {
		return nil, err
	}
	red := reports.NewRedactor()
	for _, s := range cfg.Secrets() {
		red.Add(s)
	}
	ac := awsjson.Config{
		Endpoint:           cfg.Endpoint,
		Region:             cfg.Region,
		SigningName:        m.SigningName,
		TargetPrefix:       m.TargetPrefix,
		ContentType:        m.ContentType,
		Timeout:            cfg.RequestTimeout,
		MaxBody:            cfg.MaxBody,
		CAFile:             cfg.CAFile,
		InsecureSkipVerify: cfg.InsecureSkipVerify,
		MaxConns:           cfg.Workers * 2,
	}
	if cfg.DefaultChain {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if ac.Credentials, err = awsjson.DefaultChainCredentials(cctx, cfg.Region); err != nil {
			return nil, err
		}
	} else if cfg.AccessKeyID != "" {
		ac.Credentials = awsjson.StaticCredentials(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)
	}
	client, err := awsjson.New(ac)
	if err != nil {
		return nil, err
	}
	bad := ac
	bad.Credentials = awsjson.StaticCredentials(cfg.AccessKeyID, "cogconform-wrong-secret-"+randomHex(8), "")
	wrongKey, err := awsjson.New(bad)
	if err != nil {
		return nil, err
	}
	return &Env{Cfg: cfg, Model: m, Client: client, wrongKey: wrongKey, Red: red, Seed: cfg.Seed, Version: version.Version, started: time.Now(),
		slots: make(chan struct{}, max(cfg.Workers, 1))}, nil
}

// closeIdle closes the idle keep-alive connections of both clients. They stay
// usable: a later request dials again.
func (e *Env) closeIdle() {
	e.Client.Close()
	e.wrongKey.Close()
}

// exchange is one request and what came back.
type exchange struct {
	op   *spec.Operation // nil for requests to no modelled operation
	req  awsjson.Request
	resp *awsjson.Response
	err  error
}

// send sends one operation's body; Admin operations are signed when sign is true.
func (e *Env) send(ctx context.Context, op *spec.Operation, body map[string]any, sign bool) exchange {
	raw, err := awsjson.Marshal(body)
	if err != nil {
		return exchange{op: op, err: fmt.Errorf("encoding the request: %w", err)}
	}
	return e.do(ctx, op, awsjson.Request{Target: op.Target, Body: raw, Sign: sign})
}

// sender is send for later: the body is encoded by whoever sends it, so that a
// batched property's workers, not its drawing goroutine, pay for the encoding.
func (e *Env) sender(op *spec.Operation, body map[string]any, sign bool) func(context.Context) exchange {
	return func(ctx context.Context) exchange { return e.send(ctx, op, body, sign) }
}

// doer is do for later.
func (e *Env) doer(op *spec.Operation, req awsjson.Request) func(context.Context) exchange {
	return func(ctx context.Context) exchange { return e.do(ctx, op, req) }
}

func (e *Env) do(ctx context.Context, op *spec.Operation, req awsjson.Request) exchange {
	return e.doWith(ctx, e.Client, op, req)
}

// doWith sends through a given client (the wrong-key one, for auth checks), still
// under the guard, so no request escapes an interrupt or a dead target's fast failure.
func (e *Env) doWith(ctx context.Context, client *awsjson.Client, op *spec.Operation, req awsjson.Request) exchange {
	trial, err := e.guard.admit(ctx)
	if err != nil {
		return exchange{op: op, req: req, err: err}
	}
	if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	if slots, ok := ctx.Value(slotKey{}).(chan struct{}); ok {
		slots <- struct{}{}
		defer func() { <-slots }()
	}
	resp, err := client.Do(ctx, req)
	e.guard.record(ctx, trial, resp, err)
	return exchange{op: op, req: req, resp: resp, err: err}
}

// callFixture sends a provisioning or workflow call by operation name, signed when asked.
func (e *Env) callFixture(ctx context.Context, opName string, body any, sign bool) exchange {
	raw, err := awsjson.Marshal(body)
	if err != nil {
		return exchange{err: err}
	}
	return e.do(ctx, e.Model.Operation(opName), awsjson.Request{Target: e.Client.Target(opName), Body: raw, Sign: sign})
}

// signs reports whether calls to op are SigV4-signed.
func signs(op *spec.Operation) bool { return op.Auth == spec.AuthIAM }

// describe says in one line what came back, for messages.
func (x exchange) describe() string {
	if x.err != nil {
		return "no answer: " + x.err.Error()
	}
	r := x.resp
	code := r.Code
	if code == "" {
		code = "-"
	}
	cut := ""
	if r.Truncated {
		cut = fmt.Sprintf(" (the body was longer than --max-body and was cut at %d bytes)", len(r.Body))
	}
	return fmt.Sprintf("HTTP %d, code %s, content type %q, body %s%s", r.Status, code, r.ContentType, excerpt(r.Body, 300), cut)
}

// describeRedacted is describe with secrets in the body masked before it is cut short.
func (x exchange) describeRedacted(red interface{ String(string) string }) string {
	if x.err != nil || x.resp == nil {
		return red.String(x.describe())
	}
	y := x
	r := *x.resp
	r.Body = []byte(redactedExcerpt(red, r.Body, 300))
	y.resp = &r
	return y.describe()
}

// redactedExcerpt masks secrets, then cuts the text to n bytes. Only a window of the
// body is redacted: messages show a few hundred bytes, and a hostile target's
// megabyte bodies, redacted whole on every shrinking step, would cost seconds. A
// secret cut at the window's edge is still masked by the redactor.
func redactedExcerpt(red interface{ String(string) string }, body []byte, n int) string {
	const window = 16 << 10
	if len(body) <= window {
		return excerpt([]byte(red.String(string(body))), n)
	}
	s := red.String(strings.ToValidUTF8(string(body[:window]), "�"))
	cut := min(n, len(s))
	for cut > 0 && cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d bytes)", len(body))
}

func excerpt(b []byte, n int) string {
	s := strings.ToValidUTF8(string(b), "�")
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // never split a character: reports must stay valid UTF-8
		}
		s = s[:cut] + fmt.Sprintf("… (%d bytes)", len(b))
	}
	if s == "" {
		return "(empty)"
	}
	return s
}

// status returns the HTTP status, or 0 when there was no answer.
func (x exchange) status() int {
	if x.resp == nil {
		return 0
	}
	return x.resp.Status
}

func (x exchange) code() string {
	if x.resp == nil {
		return ""
	}
	return x.resp.Code
}

// isJSON11 reports whether the answer carries the JSON 1.1 content type.
func (e *Env) isJSON11(x exchange) bool {
	if x.resp == nil {
		return false
	}
	ct := strings.ToLower(strings.TrimSpace(strings.Split(x.resp.ContentType, ";")[0]))
	return ct == strings.ToLower(e.Model.ContentType)
}

// protocolCodes are the errors any operation may answer at the protocol level.
var signatureCodes = []string{
	"MissingAuthenticationTokenException", "UnrecognizedClientException", "InvalidSignatureException",
	"IncompleteSignature", "IncompleteSignatureException", "AccessDeniedException",
}

// documented reports whether code is in op's documented set with the given status.
func documented(op *spec.Operation, code string, status int) (known bool, statusOK bool) {
	ec := op.Error(code)
	if ec == nil {
		return false, false
	}
	return true, ec.Status == status
}

// classify names what went wrong with an answer that broke a rule.
func (e *Env) classify(x exchange, wantCodes []string) string {
	switch {
	case x.err != nil:
		return "transport"
	case x.op != nil && e.notImplemented(x.op.Name):
		return "not-implemented"
	case x.resp.Status >= 500:
		return "server-error"
	case x.resp.Status >= 200 && x.resp.Status < 300 && len(wantCodes) > 0:
		return "accepted-invalid"
	case x.resp.Status >= 300 && x.resp.Status < 400:
		return "redirect"
	case x.resp.Code == "" && x.resp.Status >= 400:
		return "unparseable-error"
	case x.op != nil && x.resp.Code != "" && x.op.Error(x.resp.Code) == nil && !slices.Contains(wantCodes, x.resp.Code):
		return "undocumented-error"
	case len(wantCodes) > 0 && !slices.Contains(wantCodes, x.resp.Code):
		return "wrong-error-code"
	}
	return "wrong-status"
}

// notImplemented reports whether the fixture probe found that the target answers op
// exactly as it answers an operation that does not exist.
func (e *Env) notImplemented(op string) bool {
	f := e.currentFixture()
	return f != nil && slices.Contains(f.NotImplemented, op)
}

// validateOutput checks a 200 body against the operation's output schema.
func (e *Env) validateOutput(op *spec.Operation, body []byte) error {
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		if op.EmptyOutput() {
			return nil
		}
		return fmt.Errorf("empty body, but %s answers %s", op.Name, outputNames(op))
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	if err := op.Output.Schema.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("the body does not match the documented output: %s", oneLine(err.Error()))
	}
	return nil
}

func outputNames(op *spec.Operation) string {
	var names []string
	for _, m := range op.Output.Members {
		names = append(names, m.Name)
	}
	return strings.Join(names, ", ")
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// headerHas reports whether h has a non-empty value for key.
func headerHas(h http.Header, key string) bool { return h.Get(key) != "" }

func requestFor(target string, body []byte, sign bool) awsjson.Request {
	return awsjson.Request{Target: target, Body: body, Sign: sign}
}
