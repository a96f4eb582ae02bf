package suites

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/spec"
)

// Labels that slice a run (--label-filter): the operation, the family, and whether a
// check is part of conformance or advisory only.
const (
	LabelConformance = "conformance"
	LabelAdvisory    = "advisory"
	entryName        = "cogconform"
)

// check is the bookkeeping of one It: what it covered and, when it failed, the minimal
// counterexample. It travels to the report as a Ginkgo report entry, which also works
// across `ginkgo -p` processes.
type check struct {
	env         *Env
	op          *spec.Operation
	opName      string
	family      string
	name        string
	requirement string
	advisory    bool
	maxCases    int // 0: the configured cases per property

	cases      int
	judged     int // cases whose answer the check could judge (see judgedOrSkip)
	requests0  int64
	class      string
	failure    *reports.Counterexample
	skipReason string
}

// entry is what a check reports about itself.
type entry struct {
	ID             string                  `json:"id"`
	Operation      string                  `json:"operation"`
	Family         string                  `json:"family"`
	Name           string                  `json:"name"`
	Advisory       bool                    `json:"advisory"`
	Requirement    string                  `json:"requirement"`
	Class          string                  `json:"class,omitempty"`
	Cases          int                     `json:"cases"`
	Requests       int                     `json:"requests"`
	Counterexample *reports.Counterexample `json:"counterexample,omitempty"`
}

func (c *check) id() string { return c.opName + "/" + c.family + "/" + c.name }

// itSpec declares an It for one check. body runs inside the It.
func (e *Env) itSpec(opName, family, name, requirement string, advisory bool, body func(c *check)) {
	kind := LabelConformance
	if advisory {
		kind = LabelAdvisory
	}
	op := e.Model.Operation(opName)
	It(name, Label(opName, family, kind), func() {
		c := &check{env: e, op: op, opName: opName, family: family, name: name, requirement: requirement, advisory: advisory,
			requests0: e.requests.Load()}
		defer c.report()
		body(c)
	})
}

// report attaches the check's record to the spec. It runs deferred, so it records
// failures (which unwind the It by panic) as well as passes.
func (c *check) report() {
	e := entry{
		ID: c.id(), Operation: c.opName, Family: c.family, Name: c.name, Advisory: c.advisory,
		Requirement: c.requirement, Class: c.class, Cases: c.cases,
		Requests: int(c.env.requests.Load() - c.requests0), Counterexample: c.failure,
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return
	}
	AddReportEntry(entryName, string(raw), ReportEntryVisibilityNever)
}

// property runs prop as a rapid property: the configured number of cases (or fewer,
// for checks that consume resources), shrinking the first failure to a minimal one.
func (c *check) property(prop func(t *rapid.T)) {
	limit := c.env.Cfg.Cases
	if c.maxCases > 0 && c.maxCases < limit {
		limit = c.maxCases
	}
	rapid.Check(GinkgoT(), func(t *rapid.T) {
		// Past the limit, a case passes without a request; once a failure is found,
		// rapid's shrinking replays must run for real.
		if c.failure == nil && c.cases >= limit {
			return
		}
		c.cases++
		prop(t)
	})
}

// judgedOrSkip skips a check that never saw an answer it could judge (say, no error
// answer for a check of error formats), so it cannot pass without having looked.
func (c *check) judgedOrSkip(why string) {
	if c.judged == 0 && c.failure == nil {
		c.skip("nothing to judge: " + why)
	}
}

// failer is what a check fails through: a rapid.T inside properties, GinkgoT outside.
type failer interface {
	Fatalf(format string, args ...any)
}

// fail records x as the counterexample and fails the case with a full message:
// operation and check, the case, the request, the answer, the requirement, the seed.
func (c *check) fail(t failer, x exchange, what, expected string, wantCodes []string) {
	c.class = c.env.classify(x, wantCodes)
	c.failure = c.counterexample(x, expected)
	t.Fatalf("%s", c.message(x, what, expected))
}

// failClass is fail with an explicit class, for rules classify cannot see (an echoed
// secret, a wrong content type on a 200…).
func (c *check) failClass(t failer, x exchange, class, what, expected string) {
	if c.env.notImplemented(c.opName) {
		class = "not-implemented"
	}
	c.class = class
	c.failure = c.counterexample(x, expected)
	t.Fatalf("%s", c.message(x, what, expected))
}

func (c *check) counterexample(x exchange, expected string) *reports.Counterexample {
	red := c.env.Red
	ce := &reports.Counterexample{
		Operation: c.opName,
		Method:    x.req.Method,
		Body:      red.String(string(x.req.Body)),
		Signed:    x.req.Sign,
		Expected:  expected,
		Seed:      c.env.Seed,
		Curl:      red.String(c.env.Client.Curl(x.req)),
		Headers:   map[string]string{},
	}
	if ce.Method == "" {
		ce.Method = "POST"
	}
	if x.req.Target != "" {
		ce.Headers["X-Amz-Target"] = x.req.Target
	}
	switch {
	case x.req.NoContentType:
	case x.req.ContentType != "":
		ce.Headers["Content-Type"] = x.req.ContentType
	default:
		ce.Headers["Content-Type"] = c.env.Model.ContentType
	}
	if x.err != nil {
		ce.Response.Error = red.String(x.err.Error())
	} else {
		ce.Response = reports.Response{
			Status: x.resp.Status, Code: x.resp.Code, ContentType: x.resp.ContentType,
			Body: excerpt([]byte(red.String(string(x.resp.Body))), 2000),
		}
	}
	return ce
}

func (c *check) message(x exchange, what, expected string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s · %s\n", c.opName, c.family, c.name)
	if what != "" {
		fmt.Fprintf(&b, "case:     %s\n", what)
	}
	signed := ""
	if x.req.Sign {
		signed = " (SigV4-signed)"
	}
	method := x.req.Method
	if method == "" {
		method = "POST"
	}
	// Redact whole bodies before cutting them short: a cut can split a secret.
	red := c.env.Red
	fmt.Fprintf(&b, "sent:     %s / X-Amz-Target: %s%s body %s\n", method, x.req.Target, signed, excerpt([]byte(red.String(string(x.req.Body))), 600))
	fmt.Fprintf(&b, "got:      %s\n", x.describeRedacted(red))
	fmt.Fprintf(&b, "required: %s\n", expected)
	if c.requirement != "" {
		fmt.Fprintf(&b, "rule:     %s\n", c.requirement)
	}
	if c.env.notImplemented(c.opName) {
		fmt.Fprintf(&b, "note:     the target answers %s as it answers an operation that does not exist: not implemented\n", c.opName)
	}
	fmt.Fprintf(&b, "seed:     %d\n", c.env.Seed)
	fmt.Fprintf(&b, "repro:    %s", c.env.Client.Curl(x.req))
	return c.env.Red.String(b.String())
}

// skip skips the It with a reason the report shows.
func (c *check) skip(reason string) {
	c.skipReason = reason
	Skip(reason)
}

// deadline bounds one case's requests.
func (c *check) timeout() time.Duration { return c.env.Cfg.RequestTimeout }
