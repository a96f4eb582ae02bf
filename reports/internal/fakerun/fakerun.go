// Package fakerun builds realistic conformance runs for the reports' tests and
// for `make report-screenshot` until the suites produce real ones: the nine
// device operations, every check family, new and known failures, advisory
// findings, skips caused by a failed fixture step, a baseline, and secrets in the
// places a careless suite or a hostile target would put them.
package fakerun

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cogconform/cogconform/reports"
)

// Secrets are the secret values a fake run carries. Tests register them with a
// Redactor and then look for them in every written file.
type Secrets struct {
	AccessToken      string // a JWT, as Cognito issues
	RefreshToken     string
	Password         string // with characters that JSON, HTML and URLs escape
	SecretAccessKey  string
	SessionToken     string
	Authorization    string // a whole SigV4 Authorization header value
	Signature        string // the SigV4 signature inside it
	PasswordVerifier string // ConfirmDevice's SRP verifier
	Salt             string
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// stream is a deterministic byte source, so the fake secrets look random but
// the same on every run.
func stream(seed string, n int) []byte {
	var out []byte
	for i := 0; len(out) < n; i++ {
		h := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", seed, i)))
		out = append(out, h[:]...)
	}
	return out[:n]
}

// NewSecrets returns real-looking secret values.
func NewSecrets() Secrets {
	header := b64url(`{"kid":"8xHr3Ck3dPq0vYb1uTz9WmN5lS2aJf7gRe4oKi6cXhQ=","alg":"RS256"}`)
	payload := b64url(`{"sub":"5f2c7a9e-61b4-4d1e-9a0b-3c8d2e7f1a64","device_key":"us-east-1_3b1f9c2e-4d5a-4e6b-8c7d-9e0f1a2b3c4d",` +
		`"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E","client_id":"4s9h2k1m8n7b6v5c4x3z2l1k0j",` +
		`"origin_jti":"e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b","event_id":"0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d","token_use":"access",` +
		`"scope":"aws.cognito.signin.user.admin","auth_time":1773568800,"exp":1773572400,"iat":1773568800,"username":"cc-alice-7f3a"}`)
	sig := base64.RawURLEncoding.EncodeToString(stream("sig", 256))
	sigHex := hex.EncodeToString(stream("sigv4", 32))
	key := base64.StdEncoding.EncodeToString(stream("secret-key", 30)) // 40 characters
	return Secrets{
		AccessToken:     header + "." + payload + "." + sig,
		RefreshToken:    "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ." + base64.RawURLEncoding.EncodeToString(stream("refresh", 180)) + "." + base64.RawURLEncoding.EncodeToString(stream("refresh-tag", 12)),
		Password:        `Corr3ct-H0rse!"<&>/b4ttery`,
		SecretAccessKey: key,
		SessionToken:    "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(stream("session", 120)),
		Authorization: "AWS4-HMAC-SHA256 Credential=AKIAZ7Q4EXAMPLE3KEYX/20260315/us-east-1/cognito-idp/aws4_request, " +
			"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + sigHex,
		Signature:        sigHex,
		PasswordVerifier: base64.StdEncoding.EncodeToString(stream("verifier", 384)),
		Salt:             base64.StdEncoding.EncodeToString(stream("salt", 16)),
	}
}

// All lists the secrets, for registering and searching.
func (s Secrets) All() map[string]string {
	return map[string]string{
		"access token": s.AccessToken, "refresh token": s.RefreshToken, "password": s.Password,
		"secret access key": s.SecretAccessKey, "session token": s.SessionToken,
		"Authorization header": s.Authorization, "SigV4 signature": s.Signature,
		"password verifier": s.PasswordVerifier, "salt": s.Salt,
	}
}

type operation struct {
	name     string
	admin    bool
	required []string
	empty    bool // empty output on success
}

func operations() []operation {
	return []operation{
		{"UpdateDeviceStatus", false, []string{"AccessToken", "DeviceKey"}, true},
		{"AdminUpdateDeviceStatus", true, []string{"UserPoolId", "Username", "DeviceKey"}, true},
		{"ForgetDevice", false, []string{"DeviceKey"}, true},
		{"AdminForgetDevice", true, []string{"UserPoolId", "Username", "DeviceKey"}, true},
		{"GetDevice", false, []string{"DeviceKey"}, false},
		{"AdminGetDevice", true, []string{"DeviceKey", "UserPoolId", "Username"}, false},
		{"ListDevices", false, []string{"AccessToken"}, false},
		{"AdminListDevices", true, []string{"UserPoolId", "Username"}, false},
		{"ConfirmDevice", false, []string{"AccessToken", "DeviceKey"}, false},
	}
}

const (
	endpoint  = "http://127.0.0.1:49152"
	deviceKey = "us-east-1_3b1f9c2e-4d5a-4e6b-8c7d-9e0f1a2b3c4d"
	poolID    = "us-east-1_Ab12Cd34E"
	username  = "cc-alice-7f3a"
	jsonCT    = "application/x-amz-json-1.1"
)

type builder struct {
	sec    Secrets
	seed   uint64
	checks []reports.Check
}

func (b *builder) body(op operation, override map[string]any) string {
	m := map[string]any{}
	for _, member := range op.required {
		switch member {
		case "AccessToken":
			m[member] = b.sec.AccessToken
		case "DeviceKey":
			m[member] = deviceKey
		case "UserPoolId":
			m[member] = poolID
		case "Username":
			m[member] = username
		}
	}
	if strings.Contains(op.name, "UpdateDeviceStatus") {
		m["DeviceRememberedStatus"] = "remembered"
	}
	for k, v := range override {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	data, _ := json.Marshal(m) // a map of strings always encodes
	return string(data)
}

// counterexample is what a suite records; the curl line carries the real token,
// as a careless suite might, for the redactor to catch.
func (b *builder) counterexample(op operation, body string, resp reports.Response, expected string) *reports.Counterexample {
	headers := map[string]string{
		"Content-Type": jsonCT,
		"X-Amz-Target": "AWSCognitoIdentityProviderService." + op.name,
	}
	curl := fmt.Sprintf("curl -sS -X POST %s/ -H 'Content-Type: %s' -H 'X-Amz-Target: AWSCognitoIdentityProviderService.%s' --data-raw '%s'",
		endpoint, jsonCT, op.name, body)
	if op.admin {
		headers["Authorization"] = b.sec.Authorization
		headers["X-Amz-Date"] = "20260315T100312Z"
		curl = fmt.Sprintf("curl -sS -X POST %s/ --aws-sigv4 'aws:amz:us-east-1:cognito-idp' --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" -H 'Content-Type: %s' -H 'X-Amz-Target: AWSCognitoIdentityProviderService.%s' --data-raw '%s'",
			endpoint, jsonCT, op.name, body)
	}
	return &reports.Counterexample{
		Operation: op.name, Method: "POST", Headers: headers, Body: body, Signed: op.admin,
		Response: resp, Expected: expected, Seed: b.seed, Curl: curl,
	}
}

func (b *builder) add(c reports.Check) {
	c.ID = c.Operation + "/" + c.Family + "/" + c.Name
	c.Labels = []string{c.Family, c.Operation}
	if c.Cases == 0 && c.Verdict != reports.Skip {
		c.Cases = 100
	}
	if c.Verdict != reports.Skip {
		c.Requests = c.Cases
		c.DurationMS = int64(40 + 7*len(b.checks)%300)
	}
	b.checks = append(b.checks, c)
}

// errBody writes an error body as a target would, without Go's HTML escaping,
// so markup in a message reaches the reports as the target sent it.
func errBody(code, msg string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]string{"__type": code, "message": msg}) // strings always encode
	return strings.TrimSpace(b.String())
}

func fixtureSkip(op, family, name string) reports.Check {
	return reports.Check{Operation: op, Family: family, Name: name, Verdict: reports.Skip, Class: "fixture-unavailable",
		Reason: "needs a confirmed device: the fixture step ConfirmDevice failed"}
}

func start() time.Time { return time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC) }

func newRun(sec Secrets) *reports.Run {
	sum := sha256.Sum256([]byte("fake cognito-devices.yaml"))
	return &reports.Run{
		Tool:       "cogconform",
		Version:    "v0.1.0-dev",
		SpecSHA256: hex.EncodeToString(sum[:]),
		Endpoint:   endpoint,
		Target:     "external",
		Started:    start(),
		Finished:   start().Add(4*time.Minute + 12*time.Second),
		Seed:       1773568800123,
		Options: map[string]string{
			"cases":             "100",
			"label-filter":      "",
			"region":            "us-east-1",
			"timeout":           "10s",
			"aws-session-token": sec.SessionToken,
		},
	}
}

// Mixed is a run against a partly conformant target: pattern checks done
// unanchored, an enum compared case-insensitively, another user's device
// readable, the access token echoed in an error message, a ConfirmDevice the
// fixture could not do (so lifecycle and empty-body checks skip), advisory format
// findings, and a baseline that knows one failure, sees one fixed and one
// unverified.
func Mixed(sec Secrets) *reports.Run {
	b := &builder{sec: sec, seed: 1773568800123}
	for _, op := range operations() {
		for _, m := range op.required {
			b.add(reports.Check{Operation: op.name, Family: "required", Name: m + " missing", Verdict: reports.Pass,
				Requirement: "a request without " + m + " is rejected with 400 InvalidParameterException"})
		}
		for _, m := range op.required {
			c := reports.Check{Operation: op.name, Family: "pattern", Name: m + " pattern", Verdict: reports.Pass,
				Requirement: m + " must match its pattern as a whole value"}
			if m == "DeviceKey" && (op.name == "GetDevice" || op.name == "ForgetDevice") {
				body := b.body(op, map[string]any{"DeviceKey": "!!a_1!!"})
				c.Verdict, c.Class = reports.Fail, "unanchored-pattern"
				c.Reason = "accepted DeviceKey \"!!a_1!!\", which matches [\\w-]+_[0-9a-f-]+ only as a substring"
				c.Counterexample = b.counterexample(op, body,
					reports.Response{Status: 400, Code: "ResourceNotFoundException", ContentType: jsonCT,
						Body: errBody("ResourceNotFoundException", "Device does not exist.")},
					"400 InvalidParameterException (DeviceKey fails its pattern)")
				c.Message = fmt.Sprintf("%s: DeviceKey pattern\nminimal request: %s\nanswer: 400 ResourceNotFoundException\nthe target looked the device up instead of rejecting the key\nAuthorization: Bearer %s",
					op.name, body, sec.AccessToken)
				c.Cases = 37
			}
			b.add(c)
		}
		for _, m := range []string{"DeviceKey", "UserPoolId", "Username"} {
			if !contains(op.required, m) {
				continue
			}
			b.add(reports.Check{Operation: op.name, Family: "length", Name: m + " length bounds", Verdict: reports.Pass,
				Requirement: m + " outside its length bounds is rejected; exactly at them it is not"})
		}
		if strings.Contains(op.name, "UpdateDeviceStatus") {
			c := reports.Check{Operation: op.name, Family: "enum", Name: "DeviceRememberedStatus near misses", Verdict: reports.Fail,
				Class: "enum-case-insensitive", Reason: "accepted DeviceRememberedStatus \"Remembered\" (the enum is case-sensitive)",
				Requirement: "DeviceRememberedStatus is remembered or not_remembered exactly"}
			body := b.body(op, map[string]any{"DeviceRememberedStatus": "Remembered"})
			c.Counterexample = b.counterexample(op, body, reports.Response{Status: 200, ContentType: jsonCT, Body: "{}"},
				"400 InvalidParameterException")
			c.Cases = 12
			b.add(c)
		}
		b.add(reports.Check{Operation: op.name, Family: "type", Name: "wrong JSON types", Verdict: reports.Pass})
		es := reports.Check{Operation: op.name, Family: "error-set", Name: "random well-formed input", Verdict: reports.Pass,
			Requirement: "200 with a schema-valid body, or a documented error code"}
		if op.name == "AdminListDevices" {
			es.Verdict, es.Class = reports.Fail, "undocumented-error"
			es.Reason = "answered 400 ThrottlingException, which AdminListDevices does not document"
			body := b.body(op, map[string]any{"Limit": 0})
			es.Counterexample = b.counterexample(op, body, reports.Response{Status: 400, Code: "ThrottlingException", ContentType: jsonCT,
				Body: errBody("ThrottlingException", "Rate exceeded <script>alert(1)</script> ]]> \x00\x1b[31m")},
				"200, or one of the documented errors")
			es.Message = "credentials in use: aws_secret_access_key = " + sec.SecretAccessKey
		}
		b.add(es)
		if op.empty {
			b.add(fixtureSkip(op.name, "empty-body", "valid call answers an empty body"))
		}
		b.add(fixtureSkip(op.name, "lifecycle", "confirm, list, get, update, forget"))
		auth := reports.Check{Operation: op.name, Family: "auth", Name: "forged and foreign tokens", Verdict: reports.Pass}
		if op.admin {
			auth.Name = "unsigned and badly signed requests"
		}
		if op.name == "GetDevice" {
			auth.Verdict, auth.Class = reports.Fail, "foreign-data"
			auth.Reason = "returned the device of another user to a token that does not own it"
			body := b.body(op, nil)
			auth.Counterexample = b.counterexample(op, body, reports.Response{Status: 200, ContentType: jsonCT,
				Body: `{"Device":{"DeviceKey":"` + deviceKey + `","DeviceAttributes":[{"Name":"device_name","Value":"bob-laptop"}]}}`},
				"400 NotAuthorizedException; never another user's data")
			login, _ := json.Marshal(map[string]any{"AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "ClientId": "4s9h2k1m8n7b6v5c4x3z2l1k0j",
				"AuthParameters": map[string]string{"USERNAME": username, "PASSWORD": sec.Password}}) // strings always encode
			auth.Message = "logged in as " + username + " with password " + sec.Password + " and refresh token " + sec.RefreshToken +
				"\nInitiateAuth " + string(login)
		}
		b.add(auth)
		b.add(reports.Check{Operation: op.name, Family: "protocol", Name: "malformed JSON, wrong content type, GET", Verdict: reports.Pass})
		format := reports.Check{Operation: op.name, Family: "format", Name: "x-amzn-ErrorType header", Advisory: true, Verdict: reports.Pass}
		if op.admin {
			format.Verdict, format.Class = reports.Fail, "missing-error-type-header"
			format.Reason = "error responses carry no x-amzn-ErrorType header (the AWS SDKs read it first)"
		}
		b.add(format)
		if contains(op.required, "AccessToken") {
			sc := reports.Check{Operation: op.name, Family: "secrecy", Name: "AccessToken not echoed", Verdict: reports.Pass}
			if op.name == "ListDevices" {
				sc.Verdict, sc.Class = reports.Fail, "secret-echoed"
				sc.Reason = "the error message repeats the AccessToken it was given"
				body := b.body(op, nil)
				sc.Counterexample = b.counterexample(op, body, reports.Response{Status: 400, Code: "NotAuthorizedException", ContentType: jsonCT,
					Body: errBody("NotAuthorizedException", "Invalid Access Token: "+sec.AccessToken)},
					"400 NotAuthorizedException whose message does not contain the token")
			}
			if op.name == "ConfirmDevice" {
				sc.Verdict, sc.Class = reports.Fail, "secret-echoed"
				sc.Reason = "the error message repeats the PasswordVerifier it was given"
				body := b.body(op, map[string]any{"DeviceSecretVerifierConfig": map[string]string{"PasswordVerifier": sec.PasswordVerifier, "Salt": sec.Salt}})
				// An excerpt cut inside the verifier: the redactor must still hide what is left.
				sc.Counterexample = b.counterexample(op, body, reports.Response{Status: 400, Code: "InvalidParameterException", ContentType: jsonCT,
					Body: `{"__type":"InvalidParameterException","message":"bad verifier ` + sec.PasswordVerifier[:120] + "…"},
					"400 InvalidParameterException whose message does not contain the verifier")
			}
			b.add(sc)
		}
	}
	b.add(reports.Check{Operation: "", Family: "protocol", Name: "unknown operation", Verdict: reports.Pass})

	run := newRun(sec)
	run.Fixture = []reports.Step{
		{Name: "CreateUserPool", Verdict: reports.Pass},
		{Name: "CreateUserPoolClient", Verdict: reports.Pass},
		{Name: "AdminCreateUser", Verdict: reports.Pass},
		{Name: "AdminSetUserPassword", Verdict: reports.Pass},
		{Name: "InitiateAuth", Verdict: reports.Pass},
		{Name: "ConfirmDevice", Verdict: reports.Fail, Detail: `400 InvalidParameterException "DeviceSecretVerifierConfig is not supported" for {"AccessToken":"` +
			sec.AccessToken + `","DeviceKey":"` + deviceKey + `","DeviceSecretVerifierConfig":{"PasswordVerifier":"` + sec.PasswordVerifier +
			`","Salt":"` + sec.Salt + `"},"DeviceName":"cc-device"}`},
		{Name: "DeleteUserPool", Verdict: reports.Pass},
	}
	run.Checks = b.checks

	baseline := newRun(sec)
	baseline.Checks = []reports.Check{
		{ID: "UpdateDeviceStatus/enum/DeviceRememberedStatus near misses", Operation: "UpdateDeviceStatus", Family: "enum", Name: "DeviceRememberedStatus near misses", Verdict: reports.Fail, Reason: "accepted Remembered"},
		{ID: "ConfirmDevice/type/wrong JSON types", Operation: "ConfirmDevice", Family: "type", Name: "wrong JSON types", Verdict: reports.Fail, Reason: "500 on an array body"},
		{ID: "GetDevice/lifecycle/confirm, list, get, update, forget", Operation: "GetDevice", Family: "lifecycle", Name: "confirm, list, get, update, forget", Verdict: reports.Fail, Reason: "device_status missing"},
	}
	reports.CompareBaseline(run, baseline, "baseline/results.json")
	run.Summarize()
	return run
}

// NotImplemented is a run against a target that provisions users but answers
// every device operation with 500 InternalFailure, as the emulators on this
// machine do: hundreds of failures that are one finding.
func NotImplemented(sec Secrets) *reports.Run {
	b := &builder{sec: sec, seed: 42}
	families := []string{"required", "pattern", "length", "type", "error-set", "auth", "protocol"}
	for _, op := range operations() {
		for _, fam := range families {
			for i := range 4 {
				resp := reports.Response{Status: 500, Code: "InternalFailure", ContentType: "application/json",
					Body: errBody("InternalFailure", "The action "+op.name+" is not valid for this web service.")}
				b.add(reports.Check{Operation: op.name, Family: fam, Name: fmt.Sprintf("%s case %d", fam, i+1), Verdict: reports.Fail,
					Class: "not-implemented", Reason: "answered 500 InternalFailure: the operation is not implemented",
					Counterexample: b.counterexample(op, b.body(op, nil), resp, "a documented answer")})
			}
		}
	}
	run := newRun(sec)
	run.Target = "external (moto_server 5.2.1)"
	run.Checks = b.checks
	run.Summarize()
	return run
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
