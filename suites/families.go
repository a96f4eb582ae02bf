package suites

import (
	"context"
	"fmt"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/awsjson"
	"github.com/cogconform/cogconform/spec"
)

// inputChecks makes one It per (member, constraint) the model gives the operation,
// grouped in a Context per constraint kind: required, type, pattern, length, enum, range.
func (e *Env) inputChecks(op *spec.Operation) {
	byKind := map[spec.ConstraintKind][]spec.Constraint{}
	var kinds []spec.ConstraintKind
	for _, c := range op.Constraints() {
		if _, ok := byKind[c.Kind]; !ok {
			kinds = append(kinds, c.Kind)
		}
		byKind[c.Kind] = append(byKind[c.Kind], c)
	}
	for _, kind := range kinds {
		Context(string(kind), Label(string(kind)), func() {
			for _, con := range byKind[kind] {
				e.itSpec(op.Name, string(kind), con.String(), requirement(con), false, func(c *check) {
					cases := e.gen.invalid(con)
					c.batched(func(t *rapid.T) job {
						cs := cases.Draw(t, "case")
						return job{send: e.sender(op, cs.Request, signs(op)), judge: func(t failer, x exchange) {
							if x.err != nil || x.resp.Status != 400 || !slices.Contains(cs.Expect, x.resp.Code) {
								c.fail(t, x, cs.Description(), "HTTP 400 "+strings.Join(cs.Expect, " or "), cs.Expect)
							}
						}}
					})
				})
				if kind == spec.ConstraintLength {
					e.boundaryCheck(op, con)
				}
			}
		})
	}
}

// boundaryCheck: a value of exactly the minimum or maximum length is valid, so the
// target must not reject it for its length.
func (e *Env) boundaryCheck(op *spec.Operation, con spec.Constraint) {
	s := con.Member.Shape
	name := con.MemberPath() + " length bounds accepted"
	req := fmt.Sprintf("%s of exactly %d or %s code points is valid and must not be rejected for its length", con.MemberPath(), s.MinLength, maxString(s))
	e.itSpec(op.Name, string(spec.ConstraintLength), name, req, false, func(c *check) {
		cases := e.gen.boundary(con)
		c.batched(func(t *rapid.T) job {
			cs := cases.Draw(t, "case")
			return job{send: e.sender(op, cs.Request, signs(op)), judge: func(t failer, x exchange) {
				if x.err != nil || x.resp.Status >= 500 {
					c.fail(t, x, cs.Description(), "an answer other than a length rejection", nil)
				}
				if x.resp.Code == "InvalidParameterException" && mentionsLength(x.resp.Message(), con) {
					c.failClass(t, x, "rejected-valid", cs.Description(), "no InvalidParameterException for the length of "+con.MemberPath())
				}
			}}
		})
	})
}

// mentionsLength reads a validation message by shape only: it names the member and a
// length constraint. Wording is never compared exactly.
func mentionsLength(msg string, con spec.Constraint) bool {
	m := strings.ToLower(msg)
	member := strings.ToLower(con.Member.Name)
	return strings.Contains(m, "length") && strings.Contains(m, member)
}

func maxString(s *spec.Shape) string {
	if s.MaxLength == nil {
		return "unbounded"
	}
	return fmt.Sprint(*s.MaxLength)
}

func requirement(c spec.Constraint) string {
	m, s := c.MemberPath(), c.Member.Shape
	switch c.Kind {
	case spec.ConstraintRequired:
		return m + " is required; a request without it is HTTP 400 InvalidParameterException (Member must not be null)"
	case spec.ConstraintPattern:
		return fmt.Sprintf("%s must match %s as a whole value (AWS matches the entire string); a violation is HTTP 400 InvalidParameterException", m, s.Pattern)
	case spec.ConstraintLength:
		return fmt.Sprintf("%s must be %d to %s code points long; a violation is HTTP 400 InvalidParameterException", m, s.MinLength, maxString(s))
	case spec.ConstraintEnum:
		return fmt.Sprintf("%s must be exactly one of [%s] (case-sensitive); a violation is HTTP 400 InvalidParameterException", m, strings.Join(s.Enum, ", "))
	case spec.ConstraintRange:
		return fmt.Sprintf("%s must be an integer within the documented range; a violation is HTTP 400 InvalidParameterException", m)
	case spec.ConstraintType:
		return fmt.Sprintf("%s must be a JSON %s; another JSON type is HTTP 400 SerializationException (InvalidParameterException accepted)", m, s.Kind)
	}
	return ""
}

// errorSetChecks: well-formed random input gets 200 with a body that matches the
// documented output, or a documented error code with its documented status.
func (e *Env) errorSetChecks(op *spec.Operation) {
	Context(famErrorSet, Label(famErrorSet), func() {
		req := fmt.Sprintf("well-formed input is answered 200 with the documented output, or one of %d documented errors (400; 500 for InternalErrorException)", len(op.Errors))
		e.itSpec(op.Name, famErrorSet, "well-formed input gets a documented answer", req, false, func(c *check) {
			c.batched(func(t *rapid.T) job {
				body := e.gen.request(op).Draw(t, "request")
				return job{send: e.sender(op, body, signs(op)), judge: func(t failer, x exchange) {
					c.judgeDocumented(t, x, "random well-formed input")
				}}
			})
		})
	})
}

// judgeDocumented fails unless x is a 200 with a valid body or a documented error.
func (c *check) judgeDocumented(t failer, x exchange, what string) {
	op := c.op
	want := "HTTP 200 with the documented output, or a documented error: " + errorList(op)
	switch {
	case x.err != nil:
		c.fail(t, x, what, want, nil)
	case x.resp.Status == 200:
		if err := c.env.validateOutput(op, x.resp.Body); err != nil {
			c.failClass(t, x, "invalid-output", what+": "+err.Error(), want)
		}
	default:
		known, statusOK := documented(op, x.resp.Code, x.resp.Status)
		if !known {
			c.fail(t, x, what, want, nil)
		}
		if !statusOK {
			c.failClass(t, x, "wrong-status", what, fmt.Sprintf("%s with HTTP %d", x.resp.Code, op.Error(x.resp.Code).Status))
		}
	}
}

func errorList(op *spec.Operation) string {
	var names []string
	for _, e := range op.Errors {
		names = append(names, fmt.Sprintf("%s (%d)", e.Name, e.Status))
	}
	return strings.Join(names, ", ")
}

// fixtureValues maps the model's fixture names to the values of one user and device.
func (e *Env) fixtureValues(u User, deviceKey string) map[string]string {
	f := e.currentFixture()
	v := map[string]string{"access-token": u.AccessToken, "device-key": deviceKey, "username": u.Username}
	if f != nil {
		v["user-pool-id"] = f.PoolID
	}
	return v
}

// bind puts provisioned values into every member whose shape names a fixture value,
// so a request reaches a real device without the harness knowing member names.
func bind(s *spec.Shape, req map[string]any, values map[string]string) {
	for _, m := range s.Members {
		// An empty value (no device was provisioned) leaves the drawn one in place.
		if v, ok := values[m.Shape.Fixture]; ok && m.Shape.Fixture != "" && v != "" {
			req[m.Name] = v
			continue
		}
		if sub, ok := req[m.Name].(map[string]any); ok && m.Shape.Kind == spec.KindObject {
			bind(m.Shape, sub, values)
		}
	}
}

// leaveOutIssued deletes every member whose value only the target can issue (see
// spec.Shape.Issued): a drawn pagination token would make a call meant to succeed
// fail for a reason no check is about.
func leaveOutIssued(s *spec.Shape, req map[string]any) {
	for _, m := range s.Members {
		if m.Shape.Issued {
			delete(req, m.Name)
			continue
		}
		if sub, ok := req[m.Name].(map[string]any); ok && m.Shape.Kind == spec.KindObject {
			leaveOutIssued(m.Shape, sub)
		}
	}
}

// needsFor lists the fixture capabilities a valid call of op needs.
func needsFor(op *spec.Operation) []string {
	caps := []string{capNewDevice}
	if op.Auth == spec.AuthIAM {
		caps = append(caps, capAdmin)
	}
	return caps
}

// validCall sends a valid call of op on a fresh device of the scratch user (the
// first user without one).
//
// A device comes in two states, confirmed or just reported by a sign-in, and the
// model does not say which one an operation wants (ConfirmDevice wants the second):
// a call not answered 200 on a confirmed device is tried once on an unconfirmed one.
// The error says that no fresh device could be provisioned.
func (e *Env) validCall(ctx context.Context, op *spec.Operation, body map[string]any) (exchange, error) {
	f := e.currentFixture()
	owner := f.Users[0]
	if f.Scratch.Username != "" {
		owner = f.Scratch
	}
	var x exchange
	for _, confirmed := range []bool{true, false} {
		token, k, err := e.freshDevice(ctx, owner, confirmed)
		if err != nil {
			return exchange{}, err
		}
		u := owner
		u.AccessToken = token
		bound := cloneBody(body)
		bind(op.Input, bound, e.fixtureValues(u, k))
		leaveOutIssued(op.Input, bound)
		x = e.send(ctx, op, bound, signs(op))
		if x.err != nil || x.resp.Status == 200 {
			break
		}
	}
	return x, nil
}

// validCase is one case of a check on valid calls: a compact valid request of op,
// sent by a worker on a fresh device of its own, so that cases change nothing another
// case reads and can be batched; judge sees the answer.
func (c *check) validCase(t *rapid.T, op *spec.Operation, judge func(t failer, x exchange)) job {
	body := c.env.gen.compact(op).Draw(t, "request")
	// Written by the worker before its answer is handed over, read by judge after.
	var setup error
	return job{
		send: func(ctx context.Context) exchange {
			x, err := c.env.validCall(ctx, op, body)
			setup = err
			return x
		},
		judge: func(t failer, x exchange) {
			if setup != nil {
				c.class = "fixture-unavailable"
				t.Fatalf("%s", c.env.Red.String("a fresh device could not be provisioned: "+setup.Error()))
			}
			judge(t, x)
		},
	}
}

// cloneBody copies a request body deeply enough for bind to fill it twice.
func cloneBody(body map[string]any) map[string]any {
	out := make(map[string]any, len(body))
	for k, v := range body {
		if sub, ok := v.(map[string]any); ok {
			v = cloneBody(sub)
		}
		out[k] = v
	}
	return out
}

// emptyBodyChecks: for operations with no output, a valid call answers 200 with an
// empty body or exactly {}.
func (e *Env) emptyBodyChecks(op *spec.Operation) {
	if !op.EmptyOutput() {
		return
	}
	Context(famEmptyBody, Label(famEmptyBody), func() {
		e.itSpec(op.Name, famEmptyBody, "valid call answers 200 with an empty body",
			op.Name+" has no output: on success the service answers HTTP 200 with an empty body or {}", false, func(c *check) {
				c.need(needsFor(op)...)
				c.maxCases = 10 // each case provisions a device
				c.batched(func(t *rapid.T) job {
					return c.validCase(t, op, func(t failer, x exchange) {
						switch {
						case x.err != nil || x.resp.Status != 200:
							c.fail(t, x, "a valid call on a provisioned device", "HTTP 200 with an empty body", nil)
						case !emptyBody(x.resp.Body):
							c.failClass(t, x, "non-empty-body", "a valid call on a provisioned device", "HTTP 200 with a body that is empty or exactly {}")
						}
					})
				})
			})
	})
}

func emptyBody(b []byte) bool {
	s := strings.TrimSpace(string(b))
	return s == "" || s == "{}"
}

// formatChecks: every error is JSON 1.1 with a parseable code and a message, and every
// success carries the JSON 1.1 content type; x-amzn-ErrorType is advisory.
func (e *Env) formatChecks(op *spec.Operation) {
	cons := op.Constraints()
	Context(famFormat, Label(famFormat), func() {
		// errorCase draws an invalid request; judge gets its answer and what it broke
		// (described only when a message needs it).
		errorCase := func(t *rapid.T, judge func(t failer, x exchange, what func() string)) job {
			con := rapid.SampledFrom(cons).Draw(t, "constraint")
			cs := e.gen.invalid(con).Draw(t, "case")
			return job{send: e.sender(op, cs.Request, signs(op)), judge: func(t failer, x exchange) { judge(t, x, cs.Description) }}
		}
		e.itSpec(op.Name, famFormat, "errors carry the JSON 1.1 content type",
			"error responses are sent with Content-Type "+e.Model.ContentType, false, func(c *check) {
				c.batched(func(t *rapid.T) job {
					return errorCase(t, func(t failer, x exchange, what func() string) {
						if x.err == nil && x.resp.Status >= 400 {
							c.judged++
							if !e.isJSON11(x) {
								c.failClass(t, x, "wrong-content-type", what(), "Content-Type "+e.Model.ContentType)
							}
						}
					})
				})
				c.judgedOrSkip("no invalid request got an error answer")
			})
		e.itSpec(op.Name, famFormat, "error bodies are JSON with a code and a message",
			`error bodies are JSON objects {"__type": code, "message": text}; the code is readable as the AWS SDKs read it`, false, func(c *check) {
				c.batched(func(t *rapid.T) job {
					return errorCase(t, func(t failer, x exchange, what func() string) {
						if x.err != nil || x.resp.Status < 400 {
							return // not an error answer: other checks judge it
						}
						c.judged++
						if problem := errorBodyProblem(x); problem != "" {
							c.failClass(t, x, "malformed-error", what()+": "+problem, `a JSON object with "__type" and "message"`)
						}
					})
				})
				c.judgedOrSkip("no invalid request got an error answer")
			})
		e.itSpec(op.Name, famFormat, "errors carry x-amzn-ErrorType",
			"AWS sends the error code in the x-amzn-ErrorType header as well (advisory: the SDKs fall back to __type)", true, func(c *check) {
				c.batched(func(t *rapid.T) job {
					return errorCase(t, func(t failer, x exchange, what func() string) {
						if x.err == nil && x.resp.Status >= 400 {
							c.judged++
							if !headerHas(x.resp.Header, "X-Amzn-Errortype") {
								c.failClass(t, x, "missing-error-type-header", what(), "an x-amzn-ErrorType header")
							}
						}
					})
				})
				c.judgedOrSkip("no invalid request got an error answer")
			})
		e.itSpec(op.Name, famFormat, "success carries the JSON 1.1 content type",
			"successful responses are sent with Content-Type "+e.Model.ContentType, false, func(c *check) {
				c.need(needsFor(op)...)
				c.maxCases = 5
				c.batched(func(t *rapid.T) job {
					return c.validCase(t, op, func(t failer, x exchange) {
						if x.err == nil && x.resp.Status == 200 {
							c.judged++
							if !e.isJSON11(x) {
								c.failClass(t, x, "wrong-content-type", "a valid call on a provisioned device", "Content-Type "+e.Model.ContentType)
							}
						}
					})
				})
				c.judgedOrSkip("no valid call was answered 200 (empty-body and lifecycle report why)")
			})
	})
}

// jsonObject reports whether a body is one JSON object.
func jsonObject(body []byte) bool {
	_, ok := awsjson.ObjectMembers(body)
	return ok
}

// errorBodyProblem says what is wrong with an error body, or "". It reads the body
// as json.Unmarshal into a map would, without decoding what it does not judge: an
// error body may echo a 256 KiB value.
func errorBodyProblem(x exchange) string {
	vals, ok := awsjson.ObjectMembers(x.resp.Body, "message", "Message")
	if !ok {
		return "the body is not a JSON object"
	}
	if x.resp.Code == "" {
		return "no error code in the x-amzn-ErrorType header, __type or code"
	}
	for _, raw := range vals {
		if raw == nil {
			continue
		}
		// The first that is a string counts, as "message" before "Message" did.
		if msg, ok := awsjson.StringValue(raw); ok {
			if msg == "" {
				return "no message"
			}
			return ""
		}
	}
	return "no message"
}

// secrecyChecks: the value of a member AWS marks sensitive is never echoed in an
// answer. Members that are only secret to cogconform (SRP verifier material) are not
// sensitive to AWS, which may echo them; reports redact those instead.
func (e *Env) secrecyChecks(op *spec.Operation) {
	var members []spec.Constraint
	seen := map[string]bool{}
	for _, con := range op.Constraints() {
		s := con.Member.Shape
		if s.Sensitive && s.Kind == spec.KindString && !seen[con.MemberPath()] {
			seen[con.MemberPath()] = true
			members = append(members, con)
		}
	}
	if len(members) == 0 {
		return
	}
	Context(famSecrecy, Label(famSecrecy), func() {
		for _, con := range members {
			var invalid []spec.Constraint
			for _, other := range op.Constraints() {
				if other.MemberPath() == con.MemberPath() && (other.Kind == spec.ConstraintPattern || other.Kind == spec.ConstraintLength) {
					invalid = append(invalid, other)
				}
			}
			e.itSpec(op.Name, famSecrecy, con.MemberPath()+" never echoed", con.MemberPath()+" is sensitive: AWS leaves its value out of error messages", false, func(c *check) {
				c.batched(func(t *rapid.T) job {
					var body map[string]any
					var what func() string // described only when a message needs it
					if len(invalid) > 0 && rapid.Bool().Draw(t, "invalid") {
						cs := e.gen.invalid(rapid.SampledFrom(invalid).Draw(t, "constraint")).Draw(t, "case")
						body, what = cs.Request, cs.Description
					} else {
						body = e.gen.compact(op).Draw(t, "request")
						setPath(body, con.Path, e.gen.valid(con.Member.Shape).Draw(t, "value"))
						what = func() string { return "a well-formed but unknown " + con.MemberPath() }
					}
					value, _ := getPath(body, con.Path).(string)
					return job{send: e.sender(op, body, signs(op)), judge: func(t failer, x exchange) {
						// Short values can appear in any answer by chance; judge distinctive ones.
						if x.err == nil && len(value) >= 8 {
							c.judged++
							if strings.Contains(string(x.resp.Body), value) {
								c.failClass(t, x, "echoed-secret", what(), "an answer that does not contain the value of "+con.MemberPath())
							}
						}
					}}
				})
				c.judgedOrSkip("no generated value was long enough to tell an echo from chance")
			})
		}
	})
}

func setPath(body map[string]any, path []string, v any) {
	for _, p := range path[:len(path)-1] {
		sub, ok := body[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			body[p] = sub
		}
		body = sub
	}
	body[path[len(path)-1]] = v
}

func getPath(body map[string]any, path []string) any {
	var cur any = body
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

// protocolChecks: the operation's target with a wrong service prefix, malformed JSON,
// a body that is not an object, and a wrong content type.
func (e *Env) protocolChecks(op *spec.Operation) {
	Context(famProtocol, Label(famProtocol), func() {
		e.itSpec(op.Name, famProtocol, "wrong service prefix is an unknown operation",
			"X-Amz-Target must name "+e.Model.TargetPrefix+"; another prefix is HTTP 400 (or 404) UnknownOperationException", false, func(c *check) {
				c.batched(func(t *rapid.T) job {
					prefix := rapid.SampledFrom([]string{"AWSCognitoIdentityService", "AmazonCognitoIdentityProvider", "AWSCognitoIdentityProviderServiceV2", "DynamoDB_20120810", "x"}).Draw(t, "prefix")
					body, _ := awsjson.Marshal(e.gen.compact(op).Draw(t, "request"))
					return job{send: e.doer(op, awsjson.Request{Target: prefix + "." + op.Name, Body: body, Sign: signs(op)}), judge: func(t failer, x exchange) {
						if !unknownOperation(x) {
							c.fail(t, x, "X-Amz-Target "+prefix+"."+op.Name, "HTTP 400 or 404 UnknownOperationException", []string{"UnknownOperationException"})
						}
					}}
				})
			})
		e.itSpec(op.Name, famProtocol, "malformed JSON is a serialization error",
			"a body that is not JSON is HTTP 400 SerializationException (InvalidParameterException accepted)", false, func(c *check) {
				c.batched(func(t *rapid.T) job {
					body, _ := awsjson.Marshal(e.gen.compact(op).Draw(t, "request"))
					cut := rapid.IntRange(1, len(body)-1).Draw(t, "cut")
					bad := rapid.SampledFrom([][]byte{body[:cut], append(append([]byte{}, body...), '}'), []byte("{'DeviceKey': 1}"), []byte("not json")}).Draw(t, "body")
					return job{send: e.doer(op, awsjson.Request{Target: op.Target, Body: bad, Sign: signs(op)}), judge: func(t failer, x exchange) {
						want := []string{"SerializationException", "InvalidParameterException"}
						if x.err != nil || x.resp.Status != 400 || !slices.Contains(want, x.resp.Code) {
							c.fail(t, x, fmt.Sprintf("body %q", excerpt(bad, 80)), "HTTP 400 SerializationException", want)
						}
					}}
				})
			})
		e.itSpec(op.Name, famProtocol, "a body that is not an object is a serialization error",
			"the body must be a JSON object; an array, string, number or boolean is HTTP 400 SerializationException (InvalidParameterException accepted)", false, func(c *check) {
				c.batched(func(t *rapid.T) job {
					bad := rapid.SampledFrom([]string{`[]`, `[{}]`, `"DeviceKey"`, `42`, `true`}).Draw(t, "body")
					return job{send: e.doer(op, awsjson.Request{Target: op.Target, Body: []byte(bad), Sign: signs(op)}), judge: func(t failer, x exchange) {
						want := []string{"SerializationException", "InvalidParameterException"}
						if x.err != nil || x.resp.Status != 400 || !slices.Contains(want, x.resp.Code) {
							c.fail(t, x, "body "+bad, "HTTP 400 SerializationException", want)
						}
					}}
				})
			})
		e.itSpec(op.Name, famProtocol, "a wrong content type is a JSON error",
			"a request that is not application/x-amz-json-1.1 gets a JSON error (4xx), never 200, 5xx or HTML", false, func(c *check) {
				c.batched(func(t *rapid.T) job {
					ct := rapid.SampledFrom([]string{"text/plain", "application/xml", "application/x-www-form-urlencoded", ""}).Draw(t, "content type")
					body, _ := awsjson.Marshal(e.gen.compact(op).Draw(t, "request"))
					return job{send: e.doer(op, awsjson.Request{Target: op.Target, Body: body, Sign: signs(op), ContentType: ct, NoContentType: ct == ""}), judge: func(t failer, x exchange) {
						if x.err != nil || x.resp.Status < 400 || x.resp.Status >= 500 || !jsonObject(x.resp.Body) {
							c.fail(t, x, fmt.Sprintf("Content-Type %q", ct), "a 4xx answer with a JSON error body", []string{"any client error"})
						}
					}}
				})
			})
	})
}

func unknownOperation(x exchange) bool {
	return x.err == nil && (x.resp.Status == 400 || x.resp.Status == 404) && x.resp.Code == "UnknownOperationException"
}

// serviceChecks: requests that belong to no operation.
func (e *Env) serviceChecks() {
	Context(famProtocol, Label(famProtocol), func() {
		e.itSpec(serviceScope, famProtocol, "unknown operation",
			"an X-Amz-Target naming no operation is HTTP 400 (or 404) UnknownOperationException", false, func(c *check) {
				c.batched(func(t *rapid.T) job {
					name := rapid.StringMatching(`[A-Z][A-Za-z]{2,30}`).Draw(t, "operation")
					if e.Model.Operation(name) != nil {
						return job{}
					}
					return job{send: e.doer(nil, awsjson.Request{Target: e.Model.TargetPrefix + "." + name, Body: []byte("{}")}), judge: func(t failer, x exchange) {
						if !unknownOperation(x) {
							c.fail(t, x, "X-Amz-Target "+e.Model.TargetPrefix+"."+name, "HTTP 400 or 404 UnknownOperationException", []string{"UnknownOperationException"})
						}
					}}
				})
			})
		e.itSpec(serviceScope, famProtocol, "missing X-Amz-Target",
			"a POST without X-Amz-Target is HTTP 400 (or 404) UnknownOperationException", false, func(c *check) {
				c.maxCases = 3
				c.property(func(t *rapid.T) {
					x := e.do(c.ctx, nil, awsjson.Request{Body: []byte("{}")})
					if !unknownOperation(x) {
						c.fail(t, x, "no X-Amz-Target header", "HTTP 400 or 404 UnknownOperationException", []string{"UnknownOperationException"})
					}
				})
			})
		e.itSpec(serviceScope, famProtocol, "GET is a JSON error",
			"GET / is answered with a JSON error (4xx), never 200, 5xx or HTML", false, func(c *check) {
				c.maxCases = 3
				c.property(func(t *rapid.T) {
					x := e.do(c.ctx, nil, awsjson.Request{Method: "GET", NoContentType: true})
					if x.err != nil || x.resp.Status < 400 || x.resp.Status >= 500 || !jsonObject(x.resp.Body) {
						c.fail(t, x, "GET /", "a 4xx answer with a JSON error body", []string{"any client error"})
					}
				})
			})
	})
}
