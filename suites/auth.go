package suites

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/awsjson"
	"github.com/cogconform/cogconform/spec"
)

// hasFixtureMember reports whether op's input has a member bound to the fixture value.
func hasFixtureMember(op *spec.Operation, fixture string) bool {
	for _, m := range op.Input.Members {
		if m.Shape.Fixture == fixture {
			return true
		}
	}
	return false
}

// authChecks: IAM operations refuse unsigned and badly signed requests; access-token
// operations refuse forged and revoked tokens and never serve another user's device.
func (e *Env) authChecks(op *spec.Operation) {
	Context(famAuth, Label(famAuth), func() {
		if op.Auth == spec.AuthIAM {
			e.itSpec(op.Name, famAuth, "unsigned request is refused",
				op.Name+" is authorised by IAM: an unsigned request is HTTP 400/403 MissingAuthenticationTokenException (or another signature error)", false, func(c *check) {
					c.batched(func(t *rapid.T) job {
						body, _ := awsjson.Marshal(e.gen.compact(op).Draw(t, "request"))
						return job{send: e.doer(op, awsjson.Request{Target: op.Target, Body: body}), judge: func(t failer, x exchange) {
							c.expectSignatureError(t, x, "an unsigned request")
						}}
					})
				})
			e.itSpec(op.Name, famAuth, "request signed with an unknown key is refused",
				op.Name+" is authorised by IAM: a request signed with a secret the service does not know is HTTP 400/403 InvalidSignatureException (or another signature error)", false, func(c *check) {
					c.batched(func(t *rapid.T) job {
						body, _ := awsjson.Marshal(e.gen.compact(op).Draw(t, "request"))
						req := awsjson.Request{Target: op.Target, Body: body, Sign: true}
						return job{send: func(ctx context.Context) exchange { return e.doWith(ctx, e.wrongKey, op, req) }, judge: func(t failer, x exchange) {
							c.expectSignatureError(t, x, "a request signed with the wrong secret key")
						}}
					})
				})
			return
		}
		if !hasFixtureMember(op, "access-token") {
			return
		}
		e.itSpec(op.Name, famAuth, "forged access token is refused",
			"a token Cognito did not issue (bad signature, altered claims, alg none, random) is HTTP 400 NotAuthorizedException", false, func(c *check) {
				// A token is all this needs: the drawn, well-formed device key stands
				// in for a device (auth is checked before existence). Never the user's
				// real device: on a target that takes forged tokens, a forged
				// ForgetDevice would forget it, and the answers of a batch would then
				// depend on the order the target served them in.
				f := c.need(capToken)
				u := f.Users[0]
				var tokens *rapid.Generator[any]
				for _, m := range op.Input.Members {
					if m.Shape.Fixture == "access-token" {
						tokens = e.gen.valid(m.Shape)
					}
				}
				c.batched(func(t *rapid.T) job {
					forged, how := forge(t, u.AccessToken, tokens)
					body := e.gen.compact(op).Draw(t, "request")
					v := e.fixtureValues(u, "")
					v["access-token"] = forged
					bind(op.Input, body, v)
					return job{send: e.sender(op, body, false), judge: func(t failer, x exchange) {
						if x.err != nil || x.resp.Status != 400 || x.resp.Code != "NotAuthorizedException" {
							c.fail(t, x, how, "HTTP 400 NotAuthorizedException", []string{"NotAuthorizedException"})
						}
					}}
				})
			})
		e.itSpec(op.Name, famAuth, "another user's token never reaches this user's device",
			"a user's token grants nothing on another user's devices: no 200 naming that device", false, func(c *check) {
				f := c.need(capDevice, capSecondUser)
				owner, other := f.Users[0], f.Users[1]
				c.maxCases = 10
				c.property(func(t *rapid.T) {
					body := e.gen.compact(op).Draw(t, "request")
					v := e.fixtureValues(other, owner.DeviceKey)
					bind(op.Input, body, v)
					x := e.send(c.ctx, op, body, false)
					what := "the second user's token with the first user's device key"
					switch {
					case x.err != nil:
						c.fail(t, x, what, "an answer", nil)
					case strings.Contains(string(x.resp.Body), owner.DeviceKey):
						c.failClass(t, x, "cross-user-access", what, "no answer naming the other user's device")
					case x.resp.Status == 200 && hasFixtureMember(op, "device-key"):
						c.failClass(t, x, "cross-user-access", what, "a 4xx error (ResourceNotFoundException or NotAuthorizedException)")
					}
				})
			})
		// The signed-out user is used by these checks alone.
		own := func(f *Fixture) bool { return true }
		e.itSpecOwn(own, op.Name, famAuth, "revoked access token is refused",
			"after GlobalSignOut the user's access tokens are revoked: HTTP 400 NotAuthorizedException", func(c *check) {
				f := c.need(capRevoked)
				u := f.Users[2]
				c.maxCases = 10
				c.property(func(t *rapid.T) {
					body := e.gen.compact(op).Draw(t, "request")
					bind(op.Input, body, e.fixtureValues(u, u.DeviceKey))
					x := e.send(c.ctx, op, body, false)
					if x.err != nil || x.resp.Status != 400 || x.resp.Code != "NotAuthorizedException" {
						c.fail(t, x, "a token revoked by GlobalSignOut", "HTTP 400 NotAuthorizedException", []string{"NotAuthorizedException"})
					}
				})
			})
	})
}

func (c *check) expectSignatureError(t failer, x exchange, what string) {
	if x.err != nil || (x.resp.Status != 400 && x.resp.Status != 403) || !slices.Contains(signatureCodes, x.resp.Code) {
		c.fail(t, x, what, "HTTP 400/403 with one of "+strings.Join(signatureCodes, ", "), signatureCodes)
	}
}

// forge returns a token the target never issued, derived from a real one, and says how.
// token generates well-formed tokens of the model's access-token shape.
func forge(t *rapid.T, real string, token *rapid.Generator[any]) (string, string) {
	parts := strings.Split(real, ".")
	how := rapid.IntRange(0, 4).Draw(t, "forgery")
	if len(parts) != 3 {
		how = 4 // not a JWT: only an unrelated value can be forged
	}
	b64 := base64.RawURLEncoding
	switch how {
	case 0: // one character of the signature changed
		sig := []byte(parts[2])
		// Not the last character: in unpadded base64url its low bits are padding that
		// decoders drop, so changing it may leave the signature bytes as they were.
		i := rapid.IntRange(0, max(len(sig)-2, 0)).Draw(t, "position")
		if sig[i] == 'A' {
			sig[i] = 'B'
		} else {
			sig[i] = 'A'
		}
		return parts[0] + "." + parts[1] + "." + string(sig), "the real token with one signature character changed"
	case 1: // claims altered, signature kept
		raw, err := b64.DecodeString(parts[1])
		var claims map[string]any
		if err != nil || json.Unmarshal(raw, &claims) != nil {
			return parts[0] + "." + parts[1] + "x." + parts[2], "the real token with its payload altered"
		}
		claims["username"] = "cogconform-intruder"
		claims["sub"] = "00000000-0000-4000-8000-000000000000"
		p, _ := json.Marshal(claims)
		return parts[0] + "." + b64.EncodeToString(p) + "." + parts[2], "the real token with its username and sub claims altered"
	case 2: // alg none
		h := b64.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		return h + "." + parts[1] + ".", "the real claims under alg none with no signature"
	case 3: // a foreign issuer's signature: the real header and claims, a made-up signature
		sig := b64.EncodeToString([]byte(rapid.StringMatching(`[a-z0-9]{32}`).Draw(t, "signature")))
		return parts[0] + "." + parts[1] + "." + sig, "the real claims with a signature from another key"
	}
	if token != nil {
		return token.Draw(t, "token").(string), "a well-formed token Cognito never issued"
	}
	return "eyJhbGciOiJub25lIn0.e30.", "a made-up token"
}
