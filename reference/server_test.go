package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cogconform/cogconform/spec"
)

// post sends a well-formed request from any goroutine and wants code ("" = 200).
func post(tg *target, op string, in any, code string) (map[string]any, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	a, err := tg.do(rawReq{op: op, body: string(b)})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if a.code != code || (code == "" && a.status != http.StatusOK) {
		return nil, fmt.Errorf("%s: want %q, got %s", op, code, a)
	}
	return a.doc, nil
}

// TestConcurrentClients has many clients provision pools and users and drive the
// device operations at once, against one server, and checks every answer: under
// -race it proves the server's state is safely shared, and the answers prove no
// client ever sees another's devices.
func TestConcurrentClients(t *testing.T) {
	tg := newTarget(t, "")
	shared, err := post(tg, "CreateUserPool", map[string]any{"PoolName": "shared",
		"DeviceConfiguration": map[string]any{"DeviceOnlyRememberedOnUserPrompt": true}}, "")
	if err != nil {
		t.Fatal(err)
	}
	sharedPool := digString(shared, "UserPool", "Id")
	cl, err := post(tg, "CreateUserPoolClient", map[string]any{"UserPoolId": sharedPool, "ClientName": "c",
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	sharedClient := digString(cl, "UserPoolClient", "ClientId")

	const workers = 16
	var wg sync.WaitGroup
	errs := make(chan error, workers*2+1)
	for i := range workers {
		wg.Add(2)
		go func() { defer wg.Done(); errs <- ownPoolWorker(tg, i) }()
		go func() { defer wg.Done(); errs <- sharedPoolWorker(tg, sharedPool, sharedClient, i) }()
	}
	// One user pages through its devices while the same user signs in, confirms and
	// forgets devices: every traversal must stay in creation order without repeats.
	wg.Add(1)
	go func() { defer wg.Done(); errs <- churnWorker(tg, sharedPool, sharedClient) }()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := tg.srv.UserPools(); !slices.Equal(got, []string{sharedPool}) {
		t.Errorf("UserPools after the workers deleted theirs = %v, want only %s", got, sharedPool)
	}
	if _, err := post(tg, "DeleteUserPool", map[string]any{"UserPoolId": sharedPool}, ""); err != nil {
		t.Fatal(err)
	}
	if got := tg.srv.UserPools(); len(got) != 0 {
		t.Errorf("UserPools at the end = %v, want none", got)
	}
}

// ownPoolWorker provisions its own pool, walks a device through its lifecycle with
// both twins, pages through several devices, and deletes the pool.
func ownPoolWorker(tg *target, i int) error {
	pool, err := post(tg, "CreateUserPool", map[string]any{"PoolName": fmt.Sprintf("own-%d", i),
		"DeviceConfiguration": map[string]any{"DeviceOnlyRememberedOnUserPrompt": i%2 == 0}}, "")
	if err != nil {
		return err
	}
	poolID := digString(pool, "UserPool", "Id")
	cl, err := post(tg, "CreateUserPoolClient", map[string]any{"UserPoolId": poolID, "ClientName": "c",
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH"}}, "")
	if err != nil {
		return err
	}
	client := digString(cl, "UserPoolClient", "ClientId")
	name := fmt.Sprintf("user-%d", i)
	if _, err := post(tg, "AdminCreateUser", map[string]any{"UserPoolId": poolID, "Username": name, "MessageAction": "SUPPRESS"}, ""); err != nil {
		return err
	}
	if _, err := post(tg, "AdminSetUserPassword", map[string]any{"UserPoolId": poolID, "Username": name, "Password": testPassword, "Permanent": true}, ""); err != nil {
		return err
	}
	var token string
	var keys []string
	for range 5 {
		out, err := post(tg, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
			"AuthParameters": map[string]any{"USERNAME": name, "PASSWORD": testPassword}}, "")
		if err != nil {
			return err
		}
		token = digString(out, "AuthenticationResult", "AccessToken")
		key := digString(out, "AuthenticationResult", "NewDeviceMetadata", "DeviceKey")
		if _, err := post(tg, "ConfirmDevice", map[string]any{"AccessToken": token, "DeviceKey": key}, ""); err != nil {
			return err
		}
		keys = append(keys, key)
	}
	// Page through with Limit 2: 2 + 2 + 1, in creation order.
	var listed []string
	var page string
	for {
		in := map[string]any{"AccessToken": token, "Limit": 2}
		if page != "" {
			in["PaginationToken"] = page
		}
		out, err := post(tg, "ListDevices", in, "")
		if err != nil {
			return err
		}
		for _, d := range out["Devices"].([]any) {
			listed = append(listed, digString(d.(map[string]any), "DeviceKey"))
		}
		if page = digString(out, "PaginationToken"); page == "" {
			break
		}
	}
	if !slices.Equal(listed, keys) {
		return fmt.Errorf("worker %d: paged list %v, want %v", i, listed, keys)
	}
	key := keys[0]
	admin := map[string]any{"UserPoolId": poolID, "Username": name, "DeviceKey": key}
	steps := []struct {
		op   string
		in   map[string]any
		code string
	}{
		{"UpdateDeviceStatus", map[string]any{"AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": "remembered"}, ""},
		{"AdminUpdateDeviceStatus", map[string]any{"UserPoolId": poolID, "Username": name, "DeviceKey": key, "DeviceRememberedStatus": "not_remembered"}, ""},
		{"AdminGetDevice", admin, ""},
		{"ForgetDevice", map[string]any{"AccessToken": token, "DeviceKey": key}, ""},
		{"GetDevice", map[string]any{"AccessToken": token, "DeviceKey": key}, "ResourceNotFoundException"},
		{"AdminForgetDevice", admin, "ResourceNotFoundException"},
		{"GlobalSignOut", map[string]any{"AccessToken": token}, ""},
		{"ListDevices", map[string]any{"AccessToken": token}, "NotAuthorizedException"},
		{"DeleteUserPool", map[string]any{"UserPoolId": poolID}, ""},
		{"AdminListDevices", map[string]any{"UserPoolId": poolID, "Username": name}, "ResourceNotFoundException"},
	}
	for _, st := range steps {
		out, err := post(tg, st.op, st.in, st.code)
		if err != nil {
			return fmt.Errorf("worker %d: %w", i, err)
		}
		if st.op == "AdminGetDevice" {
			dev, _ := out["Device"].(map[string]any)
			if v, _ := attribute(dev, attrRememberedState); v != notRememberedValue {
				return fmt.Errorf("worker %d: remembered status %q after AdminUpdateDeviceStatus not_remembered", i, v)
			}
		}
	}
	return nil
}

// sharedPoolWorker signs a user in to the pool every worker shares and checks that
// it sees exactly its own device while others add and forget theirs.
func sharedPoolWorker(tg *target, pool, client string, i int) error {
	name := fmt.Sprintf("shared-%d", i)
	if _, err := post(tg, "AdminCreateUser", map[string]any{"UserPoolId": pool, "Username": name, "TemporaryPassword": "Temp0rary!Pw"}, ""); err != nil {
		return err
	}
	if _, err := post(tg, "AdminSetUserPassword", map[string]any{"UserPoolId": pool, "Username": name, "Password": testPassword, "Permanent": true}, ""); err != nil {
		return err
	}
	out, err := post(tg, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
		"AuthParameters": map[string]any{"USERNAME": name, "PASSWORD": testPassword}}, "")
	if err != nil {
		return err
	}
	token := digString(out, "AuthenticationResult", "AccessToken")
	key := digString(out, "AuthenticationResult", "NewDeviceMetadata", "DeviceKey")
	if _, err := post(tg, "ConfirmDevice", map[string]any{"AccessToken": token, "DeviceKey": key, "DeviceName": name}, ""); err != nil {
		return err
	}
	for range 10 {
		list, err := post(tg, "ListDevices", map[string]any{"AccessToken": token}, "")
		if err != nil {
			return err
		}
		devs := list["Devices"].([]any)
		if len(devs) != 1 || digString(devs[0].(map[string]any), "DeviceKey") != key {
			return fmt.Errorf("%s lists %v, want only its device %s", name, devs, key)
		}
		got, err := post(tg, "AdminGetDevice", map[string]any{"UserPoolId": pool, "Username": name, "DeviceKey": key}, "")
		if err != nil {
			return err
		}
		if n, _ := attribute(got["Device"].(map[string]any), "device_name"); n != name {
			return fmt.Errorf("%s got device named %q", name, n)
		}
		// A neighbour's device is never reachable with this token.
		if _, err := post(tg, "GetDevice", map[string]any{"AccessToken": token, "DeviceKey": unknownKey}, "ResourceNotFoundException"); err != nil {
			return err
		}
	}
	if _, err := post(tg, "ForgetDevice", map[string]any{"AccessToken": token, "DeviceKey": key}, ""); err != nil {
		return err
	}
	list, err := post(tg, "ListDevices", map[string]any{"AccessToken": token}, "")
	if err != nil {
		return err
	}
	if devs := list["Devices"].([]any); len(devs) != 0 {
		return fmt.Errorf("%s still lists %v after ForgetDevice", name, devs)
	}
	return nil
}

// TestPanicBecomesInternalError proves a panic in a handler is answered as Cognito's
// InternalErrorException (500, JSON 1.1) rather than a dropped connection.
func TestPanicBecomesInternalError(t *testing.T) {
	m, err := testModel()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	// Set before the listener starts, so no request can race with the assignment.
	srv.panicHook = func(op string) {
		if op == "ListDevices" {
			panic("boom")
		}
	}
	tg := serve(t, srv, &testClock{}, 10*time.Second)
	a := tg.send(rawReq{op: "ListDevices", body: `{"AccessToken":"abc"}`})
	if a.status != http.StatusInternalServerError || a.code != "InternalErrorException" || a.contentType != contentTypeJSON11 || !a.hasMessage {
		t.Fatalf("want 500 InternalErrorException in JSON 1.1, got %s", a)
	}
	if strings.Contains(a.message, "boom") {
		t.Errorf("the panic value leaks into the message: %q", a.message)
	}
	// The server still answers afterwards.
	if a := tg.send(rawReq{op: "CreateUserPool", body: `{"PoolName":"after"}`}); a.status != http.StatusOK {
		t.Fatalf("after the panic: %s", a)
	}
}

// TestSignatureVariants covers SigV4 cases beyond the table: what a botocore-style
// client signs, a wrong region or service in the scope, a date in the future, and
// credentials configured by Options.
func TestSignatureVariants(t *testing.T) {
	tg := newTarget(t, "")
	body := []byte(`{"PoolName":"sig"}`)
	build := func() *http.Request {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, tg.url+"/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", targetPrefix+".CreateUserPool")
		req.Header.Set("Content-Type", contentTypeJSON11)
		return req
	}
	sendSigned := func(name string, mutate func(req *http.Request) error, wantCode string) {
		t.Helper()
		req := build()
		if err := mutate(req); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		a, err := tg.exchange(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a.code != wantCode || (wantCode == "" && a.status != http.StatusOK) || (wantCode != "" && a.status != http.StatusBadRequest) {
			t.Errorf("%s: want %q, got %s", name, wantCode, a)
		}
	}
	now := tg.clock.Now()
	sendSigned("content-length not signed (botocore)", func(req *http.Request) error {
		// With ContentLength 0 the signer leaves content-length out; the body is then sent chunked.
		req.ContentLength = 0
		return signRequest(req, body, DefaultAccessKeyID, DefaultSecretAccessKey, now)
	}, "")
	sendSigned("Go SDK style", func(req *http.Request) error {
		return signRequest(req, body, DefaultAccessKeyID, DefaultSecretAccessKey, now)
	}, "")
	sendSigned("4 minutes skew accepted", func(req *http.Request) error {
		return signRequest(req, body, DefaultAccessKeyID, DefaultSecretAccessKey, now.Add(4*time.Minute))
	}, "")
	sendSigned("10 minutes in the future", func(req *http.Request) error {
		return signRequest(req, body, DefaultAccessKeyID, DefaultSecretAccessKey, now.Add(10*time.Minute))
	}, "InvalidSignatureException")
	sendSigned("wrong region in the scope", func(req *http.Request) error {
		return signWith(req, body, "eu-west-1", "cognito-idp", now)
	}, "InvalidSignatureException")
	sendSigned("wrong service in the scope", func(req *http.Request) error {
		return signWith(req, body, "us-east-1", "dynamodb", now)
	}, "InvalidSignatureException")
	sendSigned("header changed after signing", func(req *http.Request) error {
		err := signRequest(req, body, DefaultAccessKeyID, DefaultSecretAccessKey, now)
		req.Header.Set("X-Amz-Target", targetPrefix+".DeleteUserPool")
		return err
	}, "InvalidSignatureException")
	sendSigned("no X-Amz-Date", func(req *http.Request) error {
		err := signRequest(req, body, DefaultAccessKeyID, DefaultSecretAccessKey, now)
		req.Header.Del("X-Amz-Date")
		return err
	}, "IncompleteSignatureException")

	// Credentials from Options replace the defaults.
	m, err := testModel()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Model: m, AccessKeyID: "AKIACUSTOM0000000000", SecretAccessKey: "custom-secret", Region: "eu-central-1"})
	if err != nil {
		t.Fatal(err)
	}
	custom := serve(t, srv, &testClock{}, tg.hc.Timeout)
	for _, c := range []struct {
		name, key, secret, region, code string
	}{
		{"configured credentials", "AKIACUSTOM0000000000", "custom-secret", "eu-central-1", ""},
		{"default credentials refused", DefaultAccessKeyID, DefaultSecretAccessKey, "eu-central-1", "UnrecognizedClientException"},
		{"configured key, wrong secret", "AKIACUSTOM0000000000", DefaultSecretAccessKey, "eu-central-1", "InvalidSignatureException"},
		{"configured credentials, default region", "AKIACUSTOM0000000000", "custom-secret", "us-east-1", "InvalidSignatureException"},
	} {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, custom.url+"/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", targetPrefix+".CreateUserPool")
		req.Header.Set("Content-Type", contentTypeJSON11)
		if err := signCreds(req, body, c.key, c.secret, c.region, time.Now()); err != nil {
			t.Fatal(err)
		}
		a, err := custom.exchange(req)
		if err != nil {
			t.Fatal(err)
		}
		if a.code != c.code {
			t.Errorf("%s: want %q, got %s", c.name, c.code, a)
		}
		if c.code == "" && !strings.HasPrefix(digString(a.doc, "UserPool", "Id"), "eu-central-1_") {
			t.Errorf("%s: the pool ID does not carry the configured region: %s", c.name, a)
		}
	}
}

// TestOptionsTokenTTL shows the clock and token lifetime come from Options: a token
// is accepted until TokenTTL has passed on the configured clock, and refused after.
func TestOptionsTokenTTL(t *testing.T) {
	m, err := testModel()
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{}
	srv, err := New(Options{Model: m, Now: clock.Now, TokenTTL: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	tg := serve(t, srv, clock, 10*time.Second)
	f := tg.provision(poolPrompt)
	out := tg.must("InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": f.client,
		"AuthParameters": map[string]any{"USERNAME": f.alice.name, "PASSWORD": f.alice.password}})
	if n := dig(out, "AuthenticationResult", "ExpiresIn"); n != float64(120) {
		t.Errorf("ExpiresIn = %v, want 120", n)
	}
	get := map[string]any{"AccessToken": f.alice.token, "DeviceKey": f.alice.device}
	clock.advance(time.Minute + 50*time.Second)
	if a := tg.call("GetDevice", get); a.status != http.StatusOK {
		t.Errorf("before TokenTTL: %s", a)
	}
	clock.advance(20 * time.Second)
	if a := tg.call("GetDevice", get); a.code != "NotAuthorizedException" || a.message != msgExpiredToken {
		t.Errorf("after TokenTTL: want NotAuthorizedException %q, got %s", msgExpiredToken, a)
	}
}

// TestListen starts the server on a real loopback port, as `cogconform serve` does,
// and shuts it down.
func TestListen(t *testing.T) {
	url, shutdown, err := Listen(Options{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("url %q, want http://127.0.0.1:PORT", url)
	}
	tg := &target{t: t, url: url, clock: &testClock{}, hc: &http.Client{Timeout: 10 * time.Second}}
	if a := tg.send(rawReq{method: http.MethodGet, target: "-", contentType: "-"}); a.code != "UnknownOperationException" || a.status != http.StatusBadRequest {
		t.Errorf("GET / on the listener: %s", a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := tg.do(rawReq{method: http.MethodGet, target: "-"}); err == nil {
		t.Errorf("the server still answers after shutdown")
	}
	if _, _, err := Listen(Options{Defect: "no-such-defect"}, ""); err == nil {
		t.Errorf("Listen with an unknown defect: want an error")
	}
}

// TestValidationFollowsTheModel changes constraints in a copy of the YAML (DeviceKey
// maxLength 55 → 50, Limit maximum 60 → 10, a third remembered status) and shows the
// server's answers follow: validation is read from the model, not written per field.
func TestValidationFollowsTheModel(t *testing.T) {
	doc := string(spec.YAML())
	replaceAfter := func(anchor, old, new string) {
		t.Helper()
		i := strings.Index(doc, anchor)
		j := strings.Index(doc[i:], old)
		if i < 0 || j < 0 {
			t.Fatalf("the YAML has no %q after %q", old, anchor)
		}
		doc = doc[:i+j] + new + doc[i+j+len(old):]
	}
	replaceAfter("    DeviceKeyType:", "maxLength: 55", "maxLength: 50")
	replaceAfter("    QueryLimitType:", "maximum: 60", "maximum: 10")
	replaceAfter("    DeviceRememberedStatusType:", "enum: [remembered, not_remembered]", "enum: [remembered, not_remembered, dormant]")
	m, err := spec.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("the changed model does not load: %v", err)
	}
	srv, err := New(Options{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	tg := serve(t, srv, &testClock{}, 10*time.Second)
	f := tg.provision(poolPrompt)
	for _, c := range []struct {
		op, body, code, msg string
	}{
		{"GetDevice", `{"AccessToken":"{{token}}","DeviceKey":"us-east-1_` + strings.Repeat("a", 41) + `"}`, "InvalidParameterException",
			"1 validation error detected: Value 'us-east-1_" + strings.Repeat("a", 41) + "' at 'deviceKey' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"GetDevice", `{"AccessToken":"{{token}}","DeviceKey":"us-east-1_` + strings.Repeat("a", 40) + `"}`, "ResourceNotFoundException", ""},
		{"ListDevices", `{"AccessToken":"{{token}}","Limit":11}`, "InvalidParameterException",
			"1 validation error detected: Value '11' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10"},
		{"ListDevices", `{"AccessToken":"{{token}}","Limit":10}`, "", ""},
		{"UpdateDeviceStatus", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}","DeviceRememberedStatus":"dormant"}`, "", ""},
	} {
		a := tg.send(rawReq{op: c.op, body: f.expand(c.body)})
		if a.code != c.code || (c.msg != "" && a.message != c.msg) {
			t.Errorf("%s %s: want %q %q, got %s", c.op, c.body, c.code, c.msg, a)
		}
	}
	a := tg.call("GetDevice", map[string]any{"AccessToken": f.alice.token, "DeviceKey": f.alice.device})
	if got, _ := attribute(a.doc["Device"].(map[string]any), attrRememberedState); got != "dormant" {
		t.Errorf("the new enum value was not stored: %s", a)
	}
}

func churnWorker(tg *target, pool, client string) error {
	const name = "churn"
	if _, err := post(tg, "AdminCreateUser", map[string]any{"UserPoolId": pool, "Username": name, "TemporaryPassword": "Temp0rary!Pw"}, ""); err != nil {
		return err
	}
	if _, err := post(tg, "AdminSetUserPassword", map[string]any{"UserPoolId": pool, "Username": name, "Password": testPassword, "Permanent": true}, ""); err != nil {
		return err
	}
	signIn := func() (token, key string, err error) {
		out, err := post(tg, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
			"AuthParameters": map[string]any{"USERNAME": name, "PASSWORD": testPassword}}, "")
		if err != nil {
			return "", "", err
		}
		token = digString(out, "AuthenticationResult", "AccessToken")
		key = digString(out, "AuthenticationResult", "NewDeviceMetadata", "DeviceKey")
		_, err = post(tg, "ConfirmDevice", map[string]any{"AccessToken": token, "DeviceKey": key}, "")
		return token, key, err
	}
	token, _, err := signIn()
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		for range 15 {
			_, key, err := signIn()
			if err == nil {
				_, err = post(tg, "AdminForgetDevice", map[string]any{"UserPoolId": pool, "Username": name, "DeviceKey": key}, "")
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range 15 {
		seen := map[string]bool{}
		page := ""
		for {
			// The first page through the token, the next ones through the Admin twin:
			// a pagination token belongs to the user, not to one of the twins.
			op, in := "ListDevices", map[string]any{"AccessToken": token, "Limit": 1}
			if page != "" {
				op, in = "AdminListDevices", map[string]any{"UserPoolId": pool, "Username": name, "Limit": 1, "PaginationToken": page}
			}
			out, err := post(tg, op, in, "")
			if err != nil {
				return err
			}
			for _, d := range out["Devices"].([]any) {
				k := digString(d.(map[string]any), "DeviceKey")
				if seen[k] {
					return fmt.Errorf("churn: device %s listed twice in one traversal", k)
				}
				seen[k] = true
			}
			if page = digString(out, "PaginationToken"); page == "" {
				break
			}
		}
	}
	return <-done
}
