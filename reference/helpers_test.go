package reference

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cogconform/cogconform/spec"
)

// The tests speak raw HTTP to the server on loopback; they use nothing of the harness.

const targetPrefix = "AWSCognitoIdentityProviderService"

// testModel loads the model once for the whole test binary: loading costs ~80ms under
// -race, and a Model is never modified after Load.
var testModel = sync.OnceValues(spec.Load)

// testClock is a clock a test can move forward (token expiry) without sleeping.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }
func (c *testClock) reset()                  { c.offset.Store(0) }

// target is one reference server behind a real loopback listener.
type target struct {
	t     testing.TB
	srv   *Server
	url   string
	clock *testClock
	hc    *http.Client
}

func newTarget(t testing.TB, defect string) *target {
	t.Helper()
	clock := &testClock{}
	m, err := testModel()
	if err != nil {
		t.Fatalf("spec.Load: %v", err)
	}
	srv, err := New(Options{Model: m, Defect: defect, Now: clock.Now})
	if err != nil {
		t.Fatalf("New(%q): %v", defect, err)
	}
	return serve(t, srv, clock, 20*time.Second)
}

// serve puts an already built Server on loopback until the test ends and returns a
// target for it whose client waits at most timeout for an answer.
func serve(t testing.TB, srv *Server, clock *testClock, timeout time.Duration) *target {
	t.Helper()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &target{t: t, srv: srv, url: hs.URL, clock: clock, hc: &http.Client{Timeout: timeout}}
}

// authMode says how a request is signed.
type authMode int

const (
	authAuto       authMode = iota // signed exactly when the operation requires it
	authNone                       // never signed
	authSigned                     // always signed
	authBadSecret                  // signed with the wrong secret key
	authUnknownKey                 // signed with an access key the server does not know
	authExpired                    // signed 10 minutes ago
	authMalformed                  // Authorization: Bearer …
	authTampered                   // signed, then the body changed
)

// rawReq is one HTTP request as a row of the table writes it.
type rawReq struct {
	method      string // default POST
	op          string // X-Amz-Target is prefix + "." + op unless target is set
	target      string // the exact header; "-" sends none
	contentType string // default application/x-amz-json-1.1; "-" sends none
	body        string // sent as is, after {{var}} substitution
	auth        authMode
}

// answer is a response, with its error code read the way AWS's SDKs read it.
type answer struct {
	status      int
	contentType string // media type only
	header      http.Header
	body        []byte
	code        string
	message     string
	hasMessage  bool
	isJSON      bool
	doc         map[string]any
}

func (a answer) String() string {
	return fmt.Sprintf("HTTP %d %s %s", a.status, a.contentType, truncate(string(a.body), 300))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// errorCode reads the code as the SDKs do: x-amzn-ErrorType first, then __type or
// code in the body; everything after ':' is cut, what follows '#' is kept.
func errorCode(h http.Header, doc map[string]any) string {
	code := h.Get("x-amzn-ErrorType")
	if code == "" && doc != nil {
		if v, ok := doc["__type"].(string); ok {
			code = v
		} else if v, ok := doc["code"].(string); ok {
			code = v
		}
	}
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	return code
}

func signRequest(req *http.Request, body []byte, keyID, secret string, at time.Time) error {
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	return v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", at)
}

func (tg *target) needsSignature(op string) bool {
	if tg.srv == nil {
		return false
	}
	o := tg.srv.ops[op]
	return o != nil && o.signed
}

// send performs one raw request; a transport failure ends the test.
func (tg *target) send(r rawReq) answer {
	tg.t.Helper()
	a, err := tg.do(r)
	if err != nil {
		tg.t.Fatalf("%s: %v", r.op, err)
	}
	return a
}

// do performs one raw request. It never touches the test, so any goroutine may call it.
func (tg *target) do(r rawReq) (answer, error) {
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	body := []byte(r.body)
	req, err := http.NewRequestWithContext(context.Background(), method, tg.url+"/", bytes.NewReader(body))
	if err != nil {
		return answer{}, fmt.Errorf("building the request: %w", err)
	}
	switch r.target {
	case "":
		req.Header.Set("X-Amz-Target", targetPrefix+"."+r.op)
	case "-":
	default:
		req.Header.Set("X-Amz-Target", r.target)
	}
	switch r.contentType {
	case "":
		req.Header.Set("Content-Type", contentTypeJSON11)
	case "-":
	default:
		req.Header.Set("Content-Type", r.contentType)
	}
	now := tg.clock.Now()
	switch mode := r.auth; {
	case mode == authAuto && tg.needsSignature(r.op), mode == authSigned:
		err = signRequest(req, body, DefaultAccessKeyID, DefaultSecretAccessKey, now)
	case mode == authBadSecret:
		err = signRequest(req, body, DefaultAccessKeyID, "not-the-secret-key-at-all", now)
	case mode == authUnknownKey:
		err = signRequest(req, body, "AKIAUNKNOWNKEY000000", DefaultSecretAccessKey, now)
	case mode == authExpired:
		err = signRequest(req, body, DefaultAccessKeyID, DefaultSecretAccessKey, now.Add(-10*time.Minute))
	case mode == authMalformed:
		req.Header.Set("Authorization", "Bearer abc")
		req.Header.Set("X-Amz-Date", now.UTC().Format(amzDateFormat))
	case mode == authTampered:
		err = signRequest(req, body, DefaultAccessKeyID, DefaultSecretAccessKey, now)
		tampered := bytes.Replace(body, []byte(`{`), []byte(`{"Tampered":1,`), 1)
		req.Body = io.NopCloser(bytes.NewReader(tampered))
		req.ContentLength = int64(len(tampered))
	}
	if err != nil {
		return answer{}, fmt.Errorf("signing: %w", err)
	}
	return tg.exchange(req)
}

// exchange sends a prepared request and reads the answer.
func (tg *target) exchange(req *http.Request) (answer, error) {
	resp, err := tg.hc.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("reading the answer: %w", err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: data}
	a.contentType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if json.Unmarshal(data, &a.doc) == nil {
		a.isJSON = true
	}
	if a.status != http.StatusOK {
		a.code = errorCode(resp.Header, a.doc)
		if a.doc != nil {
			a.message, a.hasMessage = a.doc["message"].(string)
		}
	}
	return a, nil
}

// call sends a well-formed request, signed when the operation needs it.
func (tg *target) call(op string, in any) answer {
	tg.t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		tg.t.Fatalf("marshal: %v", err)
	}
	return tg.send(rawReq{op: op, body: string(b)})
}

// must sends a request that has to succeed and returns its JSON body.
func (tg *target) must(op string, in any) map[string]any {
	tg.t.Helper()
	a := tg.call(op, in)
	if a.status != http.StatusOK {
		tg.t.Fatalf("%s: want 200, got %s", op, a)
	}
	return a.doc
}

// dig walks a JSON document by keys.
func dig(doc map[string]any, keys ...string) any {
	var cur any = doc
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func digString(doc map[string]any, keys ...string) string {
	s, _ := dig(doc, keys...).(string)
	return s
}

// Pool kinds a fixture can be provisioned in.
const (
	poolPrompt   = "prompt"    // DeviceOnlyRememberedOnUserPrompt true, as the harness provisions
	poolAlways   = "always"    // DeviceOnlyRememberedOnUserPrompt false
	poolNoDevice = "no-device" // no DeviceConfiguration: no device tracking
)

// fxUser is a provisioned user with one confirmed device.
type fxUser struct {
	name, password, token, idToken, refresh, device string
}

// fixture is a pool, a client and two users (alice, bob), each signed in with a
// confirmed device, provisioned through the server's own API.
type fixture struct {
	tg           *target
	pool, client string
	alice, bob   fxUser
	vars         map[string]string
}

const testPassword = "Passw0rd!Ref"

func (tg *target) provision(kind string) *fixture {
	tg.t.Helper()
	f := &fixture{tg: tg, vars: map[string]string{}}
	in := map[string]any{"PoolName": "cogconform-test"}
	switch kind {
	case poolPrompt:
		in["DeviceConfiguration"] = map[string]any{"ChallengeRequiredOnNewDevice": false, "DeviceOnlyRememberedOnUserPrompt": true}
	case poolAlways:
		in["DeviceConfiguration"] = map[string]any{"ChallengeRequiredOnNewDevice": false, "DeviceOnlyRememberedOnUserPrompt": false}
	}
	f.pool = digString(tg.must("CreateUserPool", in), "UserPool", "Id")
	f.client = digString(tg.must("CreateUserPoolClient", map[string]any{
		"UserPoolId": f.pool, "ClientName": "cogconform",
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	}), "UserPoolClient", "ClientId")
	f.alice = f.newUser("alice", kind != poolNoDevice)
	f.bob = f.newUser("bob", kind != poolNoDevice)
	f.vars = map[string]string{
		"pool": f.pool, "client": f.client,
		"user": f.alice.name, "token": f.alice.token, "idToken": f.alice.idToken, "refresh": f.alice.refresh, "device": f.alice.device,
		"bobUser": f.bob.name, "bobToken": f.bob.token, "bobDevice": f.bob.device,
	}
	return f
}

func (f *fixture) newUser(name string, confirm bool) fxUser {
	tg := f.tg
	tg.t.Helper()
	u := fxUser{name: name, password: testPassword}
	tg.must("AdminCreateUser", map[string]any{"UserPoolId": f.pool, "Username": name, "TemporaryPassword": "Temp0rary!Pw", "MessageAction": "SUPPRESS"})
	tg.must("AdminSetUserPassword", map[string]any{"UserPoolId": f.pool, "Username": name, "Password": u.password, "Permanent": true})
	var key string
	u.token, u.idToken, u.refresh, key = f.signIn(u)
	if confirm {
		tg.must("ConfirmDevice", map[string]any{"AccessToken": u.token, "DeviceKey": key, "DeviceName": name + "-phone"})
		u.device = key
	}
	return u
}

// signIn runs InitiateAuth and returns the tokens and the new device's key.
func (f *fixture) signIn(u fxUser) (access, id, refresh, deviceKey string) {
	f.tg.t.Helper()
	out := f.tg.must("InitiateAuth", map[string]any{
		"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": f.client,
		"AuthParameters": map[string]any{"USERNAME": u.name, "PASSWORD": u.password},
	})
	return digString(out, "AuthenticationResult", "AccessToken"), digString(out, "AuthenticationResult", "IdToken"),
		digString(out, "AuthenticationResult", "RefreshToken"), digString(out, "AuthenticationResult", "NewDeviceMetadata", "DeviceKey")
}

// newDevice signs alice in again and returns the new, unconfirmed device's key.
func (f *fixture) newDevice() string {
	_, _, _, key := f.signIn(f.alice)
	return key
}

// confirmNewDevice signs alice in again and confirms the new device.
func (f *fixture) confirmNewDevice() string {
	key := f.newDevice()
	f.tg.must("ConfirmDevice", map[string]any{"AccessToken": f.alice.token, "DeviceKey": key})
	return key
}

// expand replaces {{name}} with the fixture's values.
func (f *fixture) expand(s string) string {
	pairs := make([]string, 0, 2*len(f.vars))
	for k, v := range f.vars {
		pairs = append(pairs, "{{"+k+"}}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// decodeSegment reads one base64url segment of a JWT as a JSON object.
func decodeSegment(t testing.TB, seg string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("decoding a JWT segment: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decoding a JWT segment: %v", err)
	}
	return m
}

func encodeSegment(t testing.TB, m map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("encoding a JWT segment: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

// signWith signs with the default credentials but an arbitrary scope.
func signWith(req *http.Request, body []byte, region, service string, at time.Time) error {
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: DefaultAccessKeyID, SecretAccessKey: DefaultSecretAccessKey}
	return v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, at)
}

// signCreds signs with the given credentials and region for cognito-idp.
func signCreds(req *http.Request, body []byte, key, secret, region string, at time.Time) error {
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	return v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "cognito-idp", region, at)
}
