package suites

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cogconform/cogconform/generators"
	"github.com/cogconform/cogconform/reports"
)

// Capabilities a check may need from the fixture.
const (
	capToken      = "an access token"
	capDevice     = "a confirmed device"
	capAdmin      = "a user pool and user name (for Admin operations)"
	capSecondUser = "a second user with a device"
	capRevoked    = "a revoked access token"
	capNewDevice  = "fresh devices on demand (sign-in and ConfirmDevice)"
)

// Steps of provisioning, in order; each becomes a spec of the "fixture" Describe.
var fixtureSteps = []string{
	"CreateUserPool", "CreateUserPoolClient", "AdminCreateUser", "AdminSetUserPassword",
	"InitiateAuth", "NewDeviceMetadata", "ConfirmDevice", "GlobalSignOut",
}

// User is a provisioned user and their device.
type User struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	AccessToken string `json:"accessToken"`
	DeviceKey   string `json:"deviceKey"`
}

// Fixture is what provisioning made, and what it could not. It crosses Ginkgo's
// parallel processes as JSON, so it holds only data.
type Fixture struct {
	Steps       []reports.Step `json:"steps"`
	PoolID      string         `json:"poolId,omitempty"`
	ClientID    string         `json:"clientId,omitempty"`
	CreatedPool bool           `json:"createdPool"`
	Users       []User         `json:"users"` // [0] owns the devices checks use; [1] is the other user; [2] signed out
	// Scratch signs in for the fresh devices of checks on valid calls (validCall),
	// which pile up by the hundred: on the first user they made every list its
	// workflows read longer the later the workflow ran. Without one (a
	// handed-over user), the first user does.
	Scratch User `json:"scratch"`
	// Workflow signs in for the devices of the lifecycle workflows, which list every
	// device of their user: no other check touches its devices, so the workflows can
	// run alongside the other checks (pipeline.go) and their lists hold only their
	// own devices. Without one (a handed-over user), the first user does.
	Workflow User `json:"workflow"`
	// CreatedUsers are the users the run made in a pool it did not make (one handed
	// over without a user): clean-up deletes them, and their devices with them.
	CreatedUsers   []string          `json:"createdUsers,omitempty"`
	Missing        map[string]string `json:"missing"`
	NotImplemented []string          `json:"notImplemented"`
	Probe          string            `json:"probe"` // how the target answers an operation that does not exist
	// SignInDevices are the devices provisioning's sign-ins made for a handed-over
	// user: process 1 forgets them at clean-up, with its checks' own.
	SignInDevices []ownedDevice `json:"signInDevices,omitempty"`

	mu      sync.Mutex
	devices []ownedDevice // devices this process's checks made, forgotten at cleanup on handed-over pools
}

type ownedDevice struct {
	Username string `json:"username"`
	Key      string `json:"key"`
}

func (f *Fixture) step(name string, ok bool, detail string) {
	v := reports.Pass
	if !ok {
		v = reports.Fail
	}
	f.Steps = append(f.Steps, reports.Step{Name: name, Verdict: v, Detail: detail})
}

// stepOnce records a step the first time it is taken (it runs once per user).
func (f *Fixture) stepOnce(name string, ok bool, detail string) {
	for _, s := range f.Steps {
		if s.Name == name {
			return
		}
	}
	if ok {
		detail = ""
	}
	f.step(name, ok, detail)
}

// has reports whether a capability is available, and why not.
func (f *Fixture) has(capability string) (bool, string) {
	if f == nil {
		return false, "no fixture was provisioned"
	}
	if why, missing := f.Missing[capability]; missing {
		return false, why
	}
	return true, ""
}

func (e *Env) currentFixture() *Fixture {
	e.fixtureMu.Lock()
	defer e.fixtureMu.Unlock()
	return e.fixture
}

func (e *Env) setFixture(f *Fixture) {
	e.fixtureMu.Lock()
	defer e.fixtureMu.Unlock()
	e.fixture = f
	for _, u := range append([]User{f.Scratch, f.Workflow}, f.Users...) {
		e.Red.Add(u.Password)
		e.Red.Add(u.AccessToken)
	}
}

// hasWorkflowUser reports whether the workflows have a user of their own.
func (f *Fixture) hasWorkflowUser() bool { return f.Workflow.Username != "" }

// workflowUser is the user whose devices the lifecycle workflows make and list.
func (f *Fixture) workflowUser() User {
	if f.hasWorkflowUser() {
		return f.Workflow
	}
	return f.Users[0]
}

// need skips the check unless the fixture offers every capability.
func (c *check) need(caps ...string) *Fixture {
	f := c.env.currentFixture()
	for _, capability := range caps {
		if ok, why := f.has(capability); !ok {
			c.skip(fmt.Sprintf("needs %s: %s", capability, why))
		}
	}
	return f
}

// provision builds the fixture through the target's own API. It never fails: a step
// the target cannot do is recorded, and what depends on it is marked missing.
func (e *Env) provision(ctx context.Context) *Fixture {
	f := &Fixture{Missing: map[string]string{}}
	if e.Cfg.Workers > 1 {
		// Nothing provisioning does depends on the probe (it sets f.Probe and
		// f.NotImplemented only): it asks while the pool is made.
		probed := make(chan struct{})
		go func() {
			defer close(probed)
			e.probe(ctx, f)
		}()
		defer func() { <-probed }()
	} else {
		e.probe(ctx, f)
	}
	missingAll := func(why string, caps ...string) {
		for _, c := range caps {
			if _, ok := f.Missing[c]; !ok {
				f.Missing[c] = why
			}
		}
	}
	cfg := e.Cfg
	if cfg.AccessToken != "" {
		// A handed-over token (and maybe device): nothing to create.
		f.Users = []User{{AccessToken: cfg.AccessToken, DeviceKey: cfg.DeviceKey}}
		f.step("hand-over", true, "access token given by the user")
		if cfg.DeviceKey == "" {
			missingAll("no --device-key was handed over", capDevice)
		}
		missingAll("only an access token was handed over", capAdmin, capSecondUser, capRevoked, capNewDevice)
		return f
	}

	if cfg.PoolID != "" {
		f.PoolID, f.ClientID = cfg.PoolID, cfg.ClientID
		f.step("hand-over", true, "user pool and client given by the user")
	} else {
		// An interrupt must not cut CreateUserPool short: the target may create the
		// pool and the answer naming it would be lost, and with it the clean-up.
		// The request is still bounded by --request-timeout.
		pool := e.callFixture(context.WithoutCancel(ctx), "CreateUserPool", map[string]any{
			"PoolName": "cogconform-" + cfg.RunID,
			"DeviceConfiguration": map[string]any{
				"ChallengeRequiredOnNewDevice":     false,
				"DeviceOnlyRememberedOnUserPrompt": true,
			},
		}, true)
		var out struct{ UserPool struct{ Id string } }
		if e.decodeStep(f, "CreateUserPool", pool, &out) && out.UserPool.Id == "" {
			e.emptyStep(f, "CreateUserPool", pool, "UserPool.Id")
		}
		if out.UserPool.Id == "" {
			missingAll("CreateUserPool failed: "+lastDetail(f), capToken, capDevice, capAdmin, capSecondUser, capRevoked, capNewDevice)
			return f
		}
		f.PoolID, f.CreatedPool = out.UserPool.Id, true
		e.guard.createdPool(f.PoolID)
		cl := e.callFixture(ctx, "CreateUserPoolClient", map[string]any{
			"UserPoolId": f.PoolID, "ClientName": "cogconform-" + cfg.RunID,
			"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		}, true)
		var cout struct{ UserPoolClient struct{ ClientId string } }
		if e.decodeStep(f, "CreateUserPoolClient", cl, &cout) && cout.UserPoolClient.ClientId == "" {
			e.emptyStep(f, "CreateUserPoolClient", cl, "UserPoolClient.ClientId")
		}
		if cout.UserPoolClient.ClientId == "" {
			missingAll("CreateUserPoolClient failed: "+lastDetail(f), capToken, capDevice, capSecondUser, capRevoked, capNewDevice)
			// Admin operations need only the pool and a user; try to create one.
		}
		f.ClientID = cout.UserPoolClient.ClientId
	}

	// Users: with a handed-over user, only that one; otherwise three of our own.
	var users []User
	if cfg.Username != "" {
		users = []User{{Username: cfg.Username, Password: cfg.Password}}
		missingAll("a handed-over user pool gets no second or signed-out user", capSecondUser, capRevoked)
	} else if f.PoolID != "" {
		create := func(suffix string) (User, bool) {
			u := User{Username: "cogconform-" + cfg.RunID + "-" + suffix, Password: newPassword()}
			e.Red.Add(u.Password)
			created := e.callFixture(ctx, "AdminCreateUser", map[string]any{
				"UserPoolId": f.PoolID, "Username": u.Username, "MessageAction": "SUPPRESS",
				"TemporaryPassword": newPassword(),
			}, true)
			if !e.decodeStep(f, "AdminCreateUser", created, nil) {
				return User{}, false
			}
			if !f.CreatedPool {
				f.CreatedUsers = append(f.CreatedUsers, u.Username)
			}
			set := e.callFixture(ctx, "AdminSetUserPassword", map[string]any{
				"UserPoolId": f.PoolID, "Username": u.Username, "Password": u.Password, "Permanent": true,
			}, true)
			return u, e.decodeStep(f, "AdminSetUserPassword", set, nil)
		}
		for _, suffix := range []string{"a", "b", "c"} {
			u, ok := create(suffix)
			if !ok {
				break
			}
			users = append(users, u)
		}
		if len(users) == 0 {
			missingAll("creating a user failed: "+lastDetail(f), capToken, capDevice, capAdmin, capSecondUser, capRevoked, capNewDevice)
			return f
		}
		// Signed in only when a check wants a fresh device (freshDevice).
		if u, ok := create("d"); ok {
			f.Scratch = u
		}
		if u, ok := create("e"); ok {
			f.Workflow = u
		}
	}
	f.Users = users

	// Sign each user in and confirm the device the sign-in reports.
	if f.ClientID == "" {
		return f
	}
	for i := range f.Users {
		u := &f.Users[i]
		token, key, ok := e.signIn(ctx, f, u.Username, u.Password)
		if !ok {
			if i == 0 {
				missingAll("InitiateAuth failed: "+lastDetail(f), capToken, capDevice, capNewDevice, capSecondUser, capRevoked)
			}
			break
		}
		u.AccessToken, u.DeviceKey = token, key
		if cfg.Username != "" && key != "" {
			f.SignInDevices = append(f.SignInDevices, ownedDevice{u.Username, key})
		}
		f.stepOnce("NewDeviceMetadata", key != "", "the sign-in answered no NewDeviceMetadata.DeviceKey although the pool has a DeviceConfiguration")
		if key == "" {
			missingAll("the target's sign-in reports no new device", capDevice, capNewDevice, capSecondUser)
			continue
		}
		if !e.confirm(ctx, f, token, key) {
			missingAll("ConfirmDevice failed: "+lastDetail(f), capDevice, capNewDevice, capSecondUser)
			u.DeviceKey = ""
		}
	}
	if len(f.Users) < 2 || f.Users[1].DeviceKey == "" {
		missingAll("the second user could not be provisioned", capSecondUser)
	}
	if len(f.Users) >= 3 && f.Users[2].AccessToken != "" {
		out := e.callFixture(ctx, "GlobalSignOut", map[string]any{"AccessToken": f.Users[2].AccessToken}, false)
		if !e.decodeStep(f, "GlobalSignOut", out, nil) {
			missingAll("GlobalSignOut failed: "+lastDetail(f), capRevoked)
		}
	} else {
		missingAll("no third user to sign out", capRevoked)
	}
	if f.Users[0].Username == "" || f.PoolID == "" {
		missingAll("no user pool and user name", capAdmin)
	}
	return f
}

// probe finds operations the target answers exactly as it answers one that does not exist.
func (e *Env) probe(ctx context.Context, f *Fixture) {
	bogus := e.do(ctx, nil, requestFor(e.Model.TargetPrefix+".CogconformNoSuchOperation", []byte("{}"), false))
	sig := signature(bogus)
	// Short on purpose: it ends the report's headline, and a target's error page can be long.
	f.Probe = "HTTP " + strconv.Itoa(bogus.status()) + " " + strings.TrimSpace(bogus.code()+" "+contentTypeOf(bogus))
	if bogus.err != nil {
		f.Probe = "no answer"
	}
	for _, op := range e.Model.Operations {
		body, err := json.Marshal(generators.Request(op).Example(0))
		if err != nil {
			continue
		}
		x := e.do(ctx, op, requestFor(op.Target, body, signs(op)))
		code := x.code()
		if x.status() == 404 || x.status() == 501 || slices.Contains(notImplementedCodes, code) || (x.err == nil && signature(x) == sig && bogus.status() >= 500) {
			f.NotImplemented = append(f.NotImplemented, op.Name)
		}
	}
}

// notImplementedCodes are what servers answer for an operation they do not know.
var notImplementedCodes = []string{"UnknownOperationException", "NotImplemented", "NotImplementedException", "InvalidAction", "UnsupportedOperation"}

func signature(x exchange) string {
	if x.err != nil {
		return "error"
	}
	return fmt.Sprintf("%d|%s|%s", x.resp.Status, x.resp.Code, contentTypeOf(x))
}

// signIn runs USER_PASSWORD_AUTH and returns the token and the new device's key.
func (e *Env) signIn(ctx context.Context, f *Fixture, username, password string) (token, deviceKey string, ok bool) {
	x := e.callFixture(ctx, "InitiateAuth", map[string]any{
		"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": f.ClientID,
		"AuthParameters": map[string]string{"USERNAME": username, "PASSWORD": password},
	}, false)
	var out struct {
		AuthenticationResult struct {
			AccessToken, IdToken, RefreshToken string
			NewDeviceMetadata                  struct{ DeviceKey, DeviceGroupKey string }
		}
	}
	decoded := e.decodeStep(f, "InitiateAuth", x, &out)
	if decoded && out.AuthenticationResult.AccessToken == "" {
		e.emptyStep(f, "InitiateAuth", x, "AuthenticationResult.AccessToken")
	}
	if !decoded || out.AuthenticationResult.AccessToken == "" {
		return "", "", false
	}
	r := out.AuthenticationResult
	e.Red.Add(r.AccessToken)
	e.Red.Add(r.IdToken)
	e.Red.Add(r.RefreshToken)
	return r.AccessToken, r.NewDeviceMetadata.DeviceKey, true
}

func (e *Env) confirm(ctx context.Context, f *Fixture, token, key string) bool {
	salt, verifier := randomHex(16), randomHex(64)
	e.Red.Add(salt)
	e.Red.Add(verifier)
	x := e.callFixture(ctx, "ConfirmDevice", map[string]any{
		"AccessToken": token, "DeviceKey": key, "DeviceName": "cogconform",
		"DeviceSecretVerifierConfig": map[string]string{"PasswordVerifier": verifier, "Salt": salt},
	}, false)
	return e.decodeStep(f, "ConfirmDevice", x, nil)
}

// freshDevice signs u in again; the device the sign-in reports is confirmed when
// confirm is set, and left unconfirmed otherwise.
func (e *Env) freshDevice(ctx context.Context, u User, confirm bool) (token, key string, err error) {
	f := e.currentFixture()
	scratch := &Fixture{ClientID: f.ClientID}
	token, key, ok := e.signIn(ctx, scratch, u.Username, u.Password)
	if !ok || key == "" {
		return "", "", fmt.Errorf("signing in for a new device: %s", lastDetail(scratch))
	}
	if confirm && !e.confirm(ctx, scratch, token, key) {
		return "", "", fmt.Errorf("confirming a new device: %s", lastDetail(scratch))
	}
	f.mu.Lock()
	f.devices = append(f.devices, ownedDevice{u.Username, key})
	f.mu.Unlock()
	return token, key, nil
}

// cleanup deletes what this run created: the pools it made, or on a handed-over
// pool the users it made (with their devices) and the devices it made for a
// handed-over user. It returns the steps it took. It runs once: from
// SynchronizedAfterSuite, or after RunSpecs when an interrupt skipped that node.
// f may be nil when provisioning was interrupted before the fixture reached Ginkgo:
// the guard still knows which pools were created.
func (e *Env) cleanup(ctx context.Context, f *Fixture) []reports.Step {
	if !e.guard.beginCleanup() {
		return nil
	}
	defer e.guard.endCleanup()
	// Clean-up requests go out even after an interrupt or once the breaker tripped.
	ctx = forCleanup(ctx)
	out := &Fixture{}
	pools := e.guard.pools()
	if f != nil && f.CreatedPool && !slices.Contains(pools, f.PoolID) {
		pools = append(pools, f.PoolID)
	}
	if len(pools) > 0 {
		for _, id := range pools {
			x := e.callFixture(ctx, "DeleteUserPool", map[string]any{"UserPoolId": id}, true)
			if !e.decodeStep(out, "DeleteUserPool", x, nil) {
				out.Steps[len(out.Steps)-1].Detail = e.Red.String(fmt.Sprintf("user pool %s was NOT deleted (delete it by hand): %s", id, out.Steps[len(out.Steps)-1].Detail))
			}
		}
		return out.Steps
	}
	if f == nil {
		return nil
	}
	for _, name := range f.CreatedUsers {
		x := e.callFixture(ctx, "AdminDeleteUser", map[string]any{"UserPoolId": f.PoolID, "Username": name}, true)
		if !e.decodeStep(out, "AdminDeleteUser", x, nil) {
			out.Steps[len(out.Steps)-1].Detail = e.Red.String(fmt.Sprintf("user %s was NOT deleted from pool %s (delete it by hand): %s", name, f.PoolID, out.Steps[len(out.Steps)-1].Detail))
		}
	}
	e.forgetDevices(ctx, f, append(f.ownDevices(), f.SignInDevices...), out)
	return out.Steps
}

// forgetDevices forgets devices the run made for users it did not create (a
// handed-over user's), recording each call in out. Only the process that made a
// device in a check knows its key: under `ginkgo -p` every other process forgets its
// own (ownDevices, from tree.go), process 1 its own and provisioning's (cleanup).
func (e *Env) forgetDevices(ctx context.Context, f *Fixture, devices []ownedDevice, out *Fixture) {
	if f == nil || f.CreatedPool {
		return // deleted with the pool
	}
	// Clean-up requests go out even after an interrupt or once the breaker tripped.
	ctx = forCleanup(ctx)
	for _, d := range devices {
		if slices.Contains(f.CreatedUsers, d.Username) {
			continue // deleted with its user
		}
		x := e.callFixture(ctx, "AdminForgetDevice", map[string]any{"UserPoolId": f.PoolID, "Username": d.Username, "DeviceKey": d.Key}, true)
		if x.err == nil && x.resp.Status == 400 && x.code() == "ResourceNotFoundException" {
			continue // already forgotten: a check on ForgetDevice or AdminForgetDevice used it
		}
		if !e.decodeStep(out, "AdminForgetDevice", x, nil) {
			out.Steps[len(out.Steps)-1].Detail = e.Red.String(fmt.Sprintf("device %s of user %s was NOT forgotten (forget it by hand): %s", d.Key, d.Username, out.Steps[len(out.Steps)-1].Detail))
		}
	}
}

// decodeStep records a provisioning step: it passes on HTTP 200 with a body that
// decodes into out (when given).
func (e *Env) decodeStep(f *Fixture, name string, x exchange, out any) bool {
	if x.err != nil || x.resp.Status != 200 {
		f.step(name, false, x.describeRedacted(e.Red))
		return false
	}
	if out != nil {
		if err := json.Unmarshal(x.resp.Body, out); err != nil {
			f.step(name, false, e.Red.String(fmt.Sprintf("HTTP 200, but the body does not decode: %v: %s", err, excerpt(x.resp.Body, 300))))
			return false
		}
	}
	// Record each step once, however many users it ran for.
	for _, s := range f.Steps {
		if s.Name == name {
			return true
		}
	}
	f.step(name, true, "")
	return true
}

// emptyStep turns the step decodeStep just passed into a failure: the answer was
// 200 but lacks what the step exists for (a target that answers every request
// 200 with an error document must not show a passed CreateUserPool).
func (e *Env) emptyStep(f *Fixture, name string, x exchange, member string) {
	detail := e.Red.String(fmt.Sprintf("HTTP 200 without %s: %s", member, excerpt(x.resp.Body, 300)))
	for i := len(f.Steps) - 1; i >= 0; i-- {
		if f.Steps[i].Name == name {
			f.Steps[i] = reports.Step{Name: name, Verdict: reports.Fail, Detail: detail}
			return
		}
	}
	f.step(name, false, detail)
}

func lastDetail(f *Fixture) string {
	for i := len(f.Steps) - 1; i >= 0; i-- {
		if f.Steps[i].Verdict == reports.Fail {
			return f.Steps[i].Name + ": " + f.Steps[i].Detail
		}
	}
	return "an earlier step failed"
}

func newPassword() string { return "Cc1!" + randomHex(12) }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // the platform's randomness is gone; nothing sensible to do
	}
	return hex.EncodeToString(b)
}

func contentTypeOf(x exchange) string {
	if x.resp == nil {
		return ""
	}
	return strings.TrimSpace(strings.Split(x.resp.ContentType, ";")[0])
}

// ownDevices are the devices this process's checks made.
func (f *Fixture) ownDevices() []ownedDevice {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.devices)
}
