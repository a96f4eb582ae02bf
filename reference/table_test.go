package reference

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// row is one raw request of the table and the answer the documentation requires.
// Each row runs on a fresh fixture, after prep; bodies and messages may use
// {{pool}}, {{client}}, {{user}}, {{token}}, {{idToken}}, {{refresh}}, {{device}},
// {{bobUser}}, {{bobToken}}, {{bobDevice}} and whatever prep puts in f.vars.
type row struct {
	name   string
	pool   string // poolPrompt (default), poolAlways, poolNoDevice
	prep   func(f *fixture)
	req    rawReq
	status int    // 0: 200 when code is "", else 400
	code   string // "" for success
	msg    string // exact message, after substitution
	check  func(t *testing.T, f *fixture, a answer)
}

func (r row) wantStatus() int {
	switch {
	case r.status != 0:
		return r.status
	case r.code == "":
		return http.StatusOK
	case r.code == "InternalErrorException":
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

const (
	deviceKeyPattern = `[\w-]+_[0-9a-f-]+`
	poolIDPattern    = `[\w-]+_[0-9a-zA-Z]+`
	usernamePattern  = `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`
	tokenPattern     = `[A-Za-z0-9-_=.]+`
)

var (
	key55 = "us-east-1_" + strings.Repeat("a", 45) // the longest DeviceKey: valid, unknown
	key56 = "us-east-1_" + strings.Repeat("a", 46)
	// a well-formed DeviceKey no one was issued
	unknownKey = "us-east-1_00000000-0000-4000-8000-000000000000"
)

func req(op, body string) rawReq { return rawReq{op: op, body: body} }

// prep steps

func prepSignOut(f *fixture) {
	f.tg.must("GlobalSignOut", map[string]any{"AccessToken": f.alice.token})
}
func prepAdminSignOut(f *fixture) {
	f.tg.must("AdminUserGlobalSignOut", map[string]any{"UserPoolId": f.pool, "Username": f.alice.name})
}
func prepDisable(f *fixture) {
	f.tg.must("AdminDisableUser", map[string]any{"UserPoolId": f.pool, "Username": f.alice.name})
}
func prepExpire(f *fixture) { f.tg.clock.advance(time.Hour + time.Minute) }
func prepForget(f *fixture) {
	f.tg.must("ForgetDevice", map[string]any{"AccessToken": f.alice.token, "DeviceKey": f.alice.device})
}
func prepUpdate(status string) func(f *fixture) {
	return func(f *fixture) {
		f.tg.must("UpdateDeviceStatus", map[string]any{"AccessToken": f.alice.token, "DeviceKey": f.alice.device, "DeviceRememberedStatus": status})
	}
}
func prepAdminUpdate(status string) func(f *fixture) {
	return func(f *fixture) {
		f.tg.must("AdminUpdateDeviceStatus", map[string]any{"UserPoolId": f.pool, "Username": f.alice.name, "DeviceKey": f.alice.device, "DeviceRememberedStatus": status})
	}
}
func prepNewDevice(f *fixture) { f.vars["new"] = f.newDevice() }
func prepBobNewDevice(f *fixture) {
	_, _, _, key := f.signIn(f.bob)
	f.vars["bobNew"] = key
}
func prepThreeDevices(f *fixture) {
	f.vars["second"] = f.confirmNewDevice()
	f.vars["third"] = f.confirmNewDevice()
}
func prepSecondPage(f *fixture) {
	prepThreeDevices(f)
	out := f.tg.must("ListDevices", map[string]any{"AccessToken": f.alice.token, "Limit": 2})
	f.vars["page"] = digString(out, "PaginationToken")
}
func prepBobPage(f *fixture) {
	_, _, _, key := f.signIn(f.bob)
	f.tg.must("ConfirmDevice", map[string]any{"AccessToken": f.bob.token, "DeviceKey": key})
	out := f.tg.must("ListDevices", map[string]any{"AccessToken": f.bob.token, "Limit": 1})
	f.vars["bobPage"] = digString(out, "PaginationToken")
}
func prepClientWithDefaultFlows(f *fixture) {
	out := f.tg.must("CreateUserPoolClient", map[string]any{"UserPoolId": f.pool, "ClientName": "default-flows"})
	f.vars["defaultClient"] = digString(out, "UserPoolClient", "ClientId")
}
func prepUnconfirmedUser(f *fixture) {
	f.tg.must("AdminCreateUser", map[string]any{"UserPoolId": f.pool, "Username": "carol", "TemporaryPassword": "Temp0rary!Pw", "MessageAction": "SUPPRESS"})
}

// forgeUsername keeps alice's token's header and signature and swaps the payload for
// one naming bob: a forgery only an unverified signature lets through.
func prepForgedToken(f *fixture) {
	parts := strings.Split(f.alice.token, ".")
	payload := decodeSegment(f.tg.t, parts[1])
	bobClaims := decodeSegment(f.tg.t, strings.Split(f.bob.token, ".")[1])
	payload["username"], payload["sub"] = bobClaims["username"], bobClaims["sub"]
	f.vars["forged"] = parts[0] + "." + encodeSegment(f.tg.t, payload) + "." + parts[2]
}

func prepBadSignatureToken(f *fixture) {
	parts := strings.Split(f.alice.token, ".")
	sig := []byte(parts[2])
	if sig[5] == 'A' {
		sig[5] = 'B'
	} else {
		sig[5] = 'A'
	}
	f.vars["badsig"] = parts[0] + "." + parts[1] + "." + string(sig)
}

func prepAlgNoneToken(f *fixture) {
	parts := strings.Split(f.alice.token, ".")
	header := encodeSegment(f.tg.t, map[string]any{"alg": "none", "typ": "JWT"})
	f.vars["none"] = header + "." + parts[1] + "."
}

// checks

func deviceIs(v string) func(*testing.T, *fixture, answer) {
	return func(t *testing.T, f *fixture, a answer) {
		if got := digString(a.doc, "Device", "DeviceKey"); got != f.vars[v] {
			t.Errorf("Device.DeviceKey = %q, want %s %q", got, v, f.vars[v])
		}
	}
}

func attribute(dev map[string]any, name string) (string, bool) {
	attrs, _ := dev["DeviceAttributes"].([]any)
	for _, a := range attrs {
		if a, ok := a.(map[string]any); ok && a["Name"] == name {
			v, _ := a["Value"].(string)
			return v, true
		}
	}
	return "", false
}

func rememberedIs(want string) func(*testing.T, *fixture, answer) {
	return func(t *testing.T, f *fixture, a answer) {
		dev, _ := a.doc["Device"].(map[string]any)
		if got, _ := attribute(dev, attrRememberedState); got != want {
			t.Errorf("%s = %q, want %q", attrRememberedState, got, want)
		}
	}
}

func listIs(keys ...string) func(*testing.T, *fixture, answer) {
	return func(t *testing.T, f *fixture, a answer) {
		devs, _ := a.doc["Devices"].([]any)
		var got []string
		for _, d := range devs {
			got = append(got, digString(d.(map[string]any), "DeviceKey"))
		}
		var want []string
		for _, k := range keys {
			want = append(want, f.vars[k])
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("Devices = %v, want %v (%v)", got, keys, want)
		}
	}
}

func noPageToken(t *testing.T, f *fixture, a answer) {
	if _, ok := a.doc["PaginationToken"]; ok {
		t.Errorf("PaginationToken present on the last page")
	}
}

func all(cs ...func(*testing.T, *fixture, answer)) func(*testing.T, *fixture, answer) {
	return func(t *testing.T, f *fixture, a answer) {
		for _, c := range cs {
			c(t, f, a)
		}
	}
}

// stillThere proves a refused request left alice's device alone.
func stillThere(t *testing.T, f *fixture, _ answer) {
	if a := f.tg.call("GetDevice", map[string]any{"AccessToken": f.alice.token, "DeviceKey": f.alice.device}); a.status != http.StatusOK {
		t.Errorf("alice's device is gone after a refused request: %s", a)
	}
}

// hidden stands for a sensitive value AWS leaves out of the message.
const hidden = "\x00hidden"

func oneError(path, value, constraint string) string {
	if value == hidden {
		return "1 validation error detected: Value at '" + path + "' failed to satisfy constraint: " + constraint
	}
	return "1 validation error detected: Value '" + value + "' at '" + path + "' failed to satisfy constraint: " + constraint
}

func nullError(path string) string {
	return "1 validation error detected: Value null at '" + path + "' failed to satisfy constraint: Member must not be null"
}

// tableRows is the reference's specification as raw requests.
func tableRows() []row {
	const (
		IPE    = "InvalidParameterException"
		RNF    = "ResourceNotFoundException"
		NA     = "NotAuthorizedException"
		UNF    = "UserNotFoundException"
		SER    = "SerializationException"
		UNK    = "UnknownOperationException"
		MISS   = "MissingAuthenticationTokenException"
		BADSIG = "InvalidSignatureException"
	)
	pat := func(p string) string { return "Member must satisfy regular expression pattern: " + p }
	maxLen := func(n string) string { return "Member must have length less than or equal to " + n }
	getBody := `{"AccessToken":"{{token}}","DeviceKey":"{{device}}"}`
	adminBody := `{"UserPoolId":"{{pool}}","Username":"{{user}}","DeviceKey":"{{device}}"}`
	rows := []row{
		// ---- GetDevice ----
		{name: "GetDevice/valid", req: req("GetDevice", getBody), check: all(deviceIs("device"), rememberedIs(notRememberedValue),
			func(t *testing.T, f *fixture, a answer) {
				dev := a.doc["Device"].(map[string]any)
				for name, want := range map[string]string{"device_status": "valid", "device_name": "alice-phone", "last_ip_used": "127.0.0.1"} {
					if got, _ := attribute(dev, name); got != want {
						t.Errorf("%s = %q, want %q", name, got, want)
					}
				}
				for _, k := range []string{"DeviceCreateDate", "DeviceLastModifiedDate", "DeviceLastAuthenticatedDate"} {
					if _, ok := dev[k].(float64); !ok {
						t.Errorf("%s is not an epoch number: %v", k, dev[k])
					}
				}
			})},
		{name: "GetDevice/unknown member ignored", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}","Extra":{"x":[1]}}`), check: deviceIs("device")},
		{name: "GetDevice/JSON 1.0 content type accepted", req: rawReq{op: "GetDevice", body: getBody, contentType: contentTypeJSON10}},
		{name: "GetDevice/content type with charset accepted", req: rawReq{op: "GetDevice", body: getBody, contentType: contentTypeJSON11 + "; charset=utf-8"}},
		{name: "GetDevice/signed request accepted", req: rawReq{op: "GetDevice", body: getBody, auth: authSigned}},
		{name: "GetDevice/bob sees his own device", req: req("GetDevice", `{"AccessToken":"{{bobToken}}","DeviceKey":"{{bobDevice}}"}`), check: deviceIs("bobDevice")},
		{name: "GetDevice/DeviceKey missing", req: req("GetDevice", `{"AccessToken":"{{token}}"}`), code: IPE, msg: nullError("deviceKey")},
		{name: "GetDevice/DeviceKey null is missing", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":null}`), code: IPE, msg: nullError("deviceKey")},
		{name: "GetDevice/empty body", req: req("GetDevice", ``), code: IPE, msg: nullError("deviceKey")},
		{name: "GetDevice/DeviceKey junk around a valid key", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":"!!{{device}}!!"}`), code: IPE,
			msg: oneError("deviceKey", "!!{{device}}!!", pat(deviceKeyPattern))},
		{name: "GetDevice/DeviceKey upper-case hex", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":"us-east-1_ABCDEF"}`), code: IPE,
			msg: oneError("deviceKey", "us-east-1_ABCDEF", pat(deviceKeyPattern))},
		{name: "GetDevice/DeviceKey without separator", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":"useast1abcdef"}`), code: IPE},
		{name: "GetDevice/DeviceKey newline suffix", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}\n"}`), code: IPE},
		{name: "GetDevice/DeviceKey 56 characters", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":"`+key56+`"}`), code: IPE,
			msg: oneError("deviceKey", key56, maxLen("55"))},
		{name: "GetDevice/DeviceKey 55 characters is not a length error", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":"`+key55+`"}`), code: RNF},
		{name: "GetDevice/DeviceKey empty", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":""}`), code: IPE,
			msg: "2 validation errors detected: Value '' at 'deviceKey' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'deviceKey' failed to satisfy constraint: " + pat(deviceKeyPattern)},
		{name: "GetDevice/DeviceKey a number", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":123}`), code: SER},
		{name: "GetDevice/DeviceKey an object", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":{"k":"v"}}`), code: SER},
		{name: "GetDevice/DeviceKey an array", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":["{{device}}"]}`), code: SER},
		{name: "GetDevice/AccessToken breaks its pattern, not echoed", req: req("GetDevice", `{"AccessToken":"not a token!","DeviceKey":"{{device}}"}`), code: IPE,
			msg: oneError("accessToken", hidden, pat(tokenPattern))},
		{name: "GetDevice/both members invalid", req: req("GetDevice", `{"AccessToken":"bad token","DeviceKey":"x"}`), code: IPE,
			msg: "2 validation errors detected: Value at 'accessToken' failed to satisfy constraint: " + pat(tokenPattern) +
				"; Value 'x' at 'deviceKey' failed to satisfy constraint: " + pat(deviceKeyPattern)},
		{name: "GetDevice/invalid key before a bad token", req: req("GetDevice", `{"AccessToken":"garbage","DeviceKey":"!!"}`), code: IPE},
		{name: "GetDevice/AccessToken absent", req: req("GetDevice", `{"DeviceKey":"{{device}}"}`), code: NA},
		{name: "GetDevice/AccessToken not a JWT", req: req("GetDevice", `{"AccessToken":"abc.def.ghi","DeviceKey":"{{device}}"}`), code: NA, msg: "Invalid Access Token"},
		{name: "GetDevice/ID token instead of access token", req: req("GetDevice", `{"AccessToken":"{{idToken}}","DeviceKey":"{{device}}"}`), code: NA},
		{name: "GetDevice/refresh token instead of access token", req: req("GetDevice", `{"AccessToken":"{{refresh}}","DeviceKey":"{{device}}"}`), code: NA},
		{name: "GetDevice/forged payload", prep: prepForgedToken, req: req("GetDevice", `{"AccessToken":"{{forged}}","DeviceKey":"{{bobDevice}}"}`), code: NA},
		{name: "GetDevice/signature altered", prep: prepBadSignatureToken, req: req("GetDevice", `{"AccessToken":"{{badsig}}","DeviceKey":"{{device}}"}`), code: NA},
		{name: "GetDevice/alg none", prep: prepAlgNoneToken, req: req("GetDevice", `{"AccessToken":"{{none}}","DeviceKey":"{{device}}"}`), code: NA},
		{name: "GetDevice/unknown device", req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":"`+unknownKey+`"}`), code: RNF},
		{name: "GetDevice/foreign token", req: req("GetDevice", `{"AccessToken":"{{bobToken}}","DeviceKey":"{{device}}"}`), code: RNF},
		{name: "GetDevice/unconfirmed device", prep: prepNewDevice, req: req("GetDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{new}}"}`), code: RNF},
		{name: "GetDevice/revoked token", prep: prepSignOut, req: req("GetDevice", getBody), code: NA, msg: "Access Token has been revoked"},
		{name: "GetDevice/revoked by admin sign-out", prep: prepAdminSignOut, req: req("GetDevice", getBody), code: NA, msg: "Access Token has been revoked"},
		{name: "GetDevice/expired token", prep: prepExpire, req: req("GetDevice", getBody), code: NA, msg: "Access Token has expired"},
		{name: "GetDevice/disabled user", prep: prepDisable, req: req("GetDevice", getBody), code: NA, msg: "User is disabled."},
		{name: "GetDevice/after forget", prep: prepForget, req: req("GetDevice", getBody), code: RNF},
		{name: "GetDevice/after update remembered", prep: prepUpdate(rememberedValue), req: req("GetDevice", getBody), check: rememberedIs(rememberedValue)},
		{name: "GetDevice/after update remembered then not_remembered",
			prep: func(f *fixture) { prepUpdate(rememberedValue)(f); prepUpdate(notRememberedValue)(f) },
			req:  req("GetDevice", getBody), check: rememberedIs(notRememberedValue)},
		{name: "GetDevice/after admin update remembered", prep: prepAdminUpdate(rememberedValue), req: req("GetDevice", getBody), check: rememberedIs(rememberedValue)},
		{name: "GetDevice/pool without prompt starts remembered", pool: poolAlways, req: req("GetDevice", getBody), check: rememberedIs(rememberedValue)},

		// ---- AdminGetDevice ----
		{name: "AdminGetDevice/valid", req: req("AdminGetDevice", adminBody), check: all(deviceIs("device"), rememberedIs(notRememberedValue))},
		{name: "AdminGetDevice/by sub", prep: func(f *fixture) { f.vars["aliceSub"] = subOf(f, f.alice.token) },
			req: req("AdminGetDevice", `{"UserPoolId":"{{pool}}","Username":"{{aliceSub}}","DeviceKey":"{{device}}"}`), check: deviceIs("device")},
		{name: "AdminGetDevice/unsigned", req: rawReq{op: "AdminGetDevice", body: adminBody, auth: authNone}, code: MISS},
		{name: "AdminGetDevice/unsigned and invalid", req: rawReq{op: "AdminGetDevice", body: `{"DeviceKey":"!!"}`, auth: authNone}, code: MISS},
		{name: "AdminGetDevice/wrong secret", req: rawReq{op: "AdminGetDevice", body: adminBody, auth: authBadSecret}, code: BADSIG},
		{name: "AdminGetDevice/unknown access key", req: rawReq{op: "AdminGetDevice", body: adminBody, auth: authUnknownKey}, code: "UnrecognizedClientException"},
		{name: "AdminGetDevice/signature expired", req: rawReq{op: "AdminGetDevice", body: adminBody, auth: authExpired}, code: BADSIG},
		{name: "AdminGetDevice/malformed Authorization", req: rawReq{op: "AdminGetDevice", body: adminBody, auth: authMalformed}, code: "IncompleteSignatureException"},
		{name: "AdminGetDevice/body changed after signing", req: rawReq{op: "AdminGetDevice", body: adminBody, auth: authTampered}, code: BADSIG},
		{name: "AdminGetDevice/all members missing", req: req("AdminGetDevice", `{}`), code: IPE,
			msg: "3 validation errors detected: Value null at 'deviceKey' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'username' failed to satisfy constraint: Member must not be null"},
		{name: "AdminGetDevice/UserPoolId missing", req: req("AdminGetDevice", `{"Username":"{{user}}","DeviceKey":"{{device}}"}`), code: IPE, msg: nullError("userPoolId")},
		{name: "AdminGetDevice/Username missing", req: req("AdminGetDevice", `{"UserPoolId":"{{pool}}","DeviceKey":"{{device}}"}`), code: IPE, msg: nullError("username")},
		{name: "AdminGetDevice/DeviceKey missing", req: req("AdminGetDevice", `{"UserPoolId":"{{pool}}","Username":"{{user}}"}`), code: IPE, msg: nullError("deviceKey")},
		{name: "AdminGetDevice/UserPoolId without separator", req: req("AdminGetDevice", `{"UserPoolId":"nounderscore","Username":"{{user}}","DeviceKey":"{{device}}"}`), code: IPE,
			msg: oneError("userPoolId", "nounderscore", pat(poolIDPattern))},
		{name: "AdminGetDevice/UserPoolId 56 characters", req: req("AdminGetDevice", `{"UserPoolId":"us-east-1_`+strings.Repeat("A", 46)+`","Username":"{{user}}","DeviceKey":"{{device}}"}`), code: IPE},
		{name: "AdminGetDevice/Username empty, not echoed", req: req("AdminGetDevice", `{"UserPoolId":"{{pool}}","Username":"","DeviceKey":"{{device}}"}`), code: IPE,
			msg: "2 validation errors detected: Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value at 'username' failed to satisfy constraint: " + pat(usernamePattern)},
		{name: "AdminGetDevice/Username with a space, not echoed", req: req("AdminGetDevice", `{"UserPoolId":"{{pool}}","Username":"has space","DeviceKey":"{{device}}"}`), code: IPE,
			msg: oneError("username", hidden, pat(usernamePattern))},
		{name: "AdminGetDevice/Username 129 characters", req: req("AdminGetDevice", `{"UserPoolId":"{{pool}}","Username":"`+strings.Repeat("u", 129)+`","DeviceKey":"{{device}}"}`), code: IPE,
			msg: oneError("username", hidden, maxLen("128"))},
		{name: "AdminGetDevice/Username 128 characters unknown (no UserNotFound documented)", req: req("AdminGetDevice", `{"UserPoolId":"{{pool}}","Username":"`+strings.Repeat("u", 128)+`","DeviceKey":"{{device}}"}`), code: RNF},
		{name: "AdminGetDevice/Username a number", req: req("AdminGetDevice", `{"UserPoolId":"{{pool}}","Username":42,"DeviceKey":"{{device}}"}`), code: SER},
		{name: "AdminGetDevice/unknown pool", req: req("AdminGetDevice", `{"UserPoolId":"us-east-1_Nope12345","Username":"{{user}}","DeviceKey":"{{device}}"}`), code: RNF},
		{name: "AdminGetDevice/unknown device", req: req("AdminGetDevice", `{"UserPoolId":"{{pool}}","Username":"{{user}}","DeviceKey":"`+unknownKey+`"}`), code: RNF},
		{name: "AdminGetDevice/another user's device", req: req("AdminGetDevice", `{"UserPoolId":"{{pool}}","Username":"{{user}}","DeviceKey":"{{bobDevice}}"}`), code: RNF},
		{name: "AdminGetDevice/after admin forget",
			prep: func(f *fixture) {
				f.tg.must("AdminForgetDevice", map[string]any{"UserPoolId": f.pool, "Username": f.alice.name, "DeviceKey": f.alice.device})
			},
			req: req("AdminGetDevice", adminBody), code: RNF},
		{name: "AdminGetDevice/after admin update remembered", prep: prepAdminUpdate(rememberedValue), req: req("AdminGetDevice", adminBody), check: rememberedIs(rememberedValue)},

		// ---- UpdateDeviceStatus ----
		{name: "UpdateDeviceStatus/valid remembered", req: req("UpdateDeviceStatus", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}","DeviceRememberedStatus":"remembered"}`)},
		{name: "UpdateDeviceStatus/valid not_remembered", req: req("UpdateDeviceStatus", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}","DeviceRememberedStatus":"not_remembered"}`)},
		{name: "UpdateDeviceStatus/status absent", req: req("UpdateDeviceStatus", getBody)},
		{name: "UpdateDeviceStatus/status capitalised", req: req("UpdateDeviceStatus", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}","DeviceRememberedStatus":"Remembered"}`), code: IPE,
			msg: oneError("deviceRememberedStatus", "Remembered", "Member must satisfy enum value set: [remembered, not_remembered]")},
		{name: "UpdateDeviceStatus/status upper case", req: req("UpdateDeviceStatus", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}","DeviceRememberedStatus":"NOT_REMEMBERED"}`), code: IPE},
		{name: "UpdateDeviceStatus/status with whitespace", req: req("UpdateDeviceStatus", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}","DeviceRememberedStatus":" remembered"}`), code: IPE},
		{name: "UpdateDeviceStatus/status another word", req: req("UpdateDeviceStatus", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}","DeviceRememberedStatus":"forgotten"}`), code: IPE},
		{name: "UpdateDeviceStatus/status a boolean", req: req("UpdateDeviceStatus", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}","DeviceRememberedStatus":true}`), code: SER},
		{name: "UpdateDeviceStatus/AccessToken missing", req: req("UpdateDeviceStatus", `{"DeviceKey":"{{device}}"}`), code: IPE, msg: nullError("accessToken")},
		{name: "UpdateDeviceStatus/DeviceKey missing", req: req("UpdateDeviceStatus", `{"AccessToken":"{{token}}"}`), code: IPE, msg: nullError("deviceKey")},
		{name: "UpdateDeviceStatus/both missing", req: req("UpdateDeviceStatus", `{}`), code: IPE,
			msg: "2 validation errors detected: Value null at 'accessToken' failed to satisfy constraint: Member must not be null; Value null at 'deviceKey' failed to satisfy constraint: Member must not be null"},
		{name: "UpdateDeviceStatus/invalid key with a well-formed garbage token", req: req("UpdateDeviceStatus", `{"AccessToken":"garbage","DeviceKey":"!!x_1!!"}`), code: IPE},
		{name: "UpdateDeviceStatus/AccessToken an object", req: req("UpdateDeviceStatus", `{"AccessToken":{"t":1},"DeviceKey":"{{device}}"}`), code: SER},
		{name: "UpdateDeviceStatus/unknown device", req: req("UpdateDeviceStatus", `{"AccessToken":"{{token}}","DeviceKey":"`+unknownKey+`","DeviceRememberedStatus":"remembered"}`), code: RNF},
		{name: "UpdateDeviceStatus/foreign token", req: req("UpdateDeviceStatus", `{"AccessToken":"{{bobToken}}","DeviceKey":"{{device}}","DeviceRememberedStatus":"remembered"}`), code: RNF, check: stillThere},
		{name: "UpdateDeviceStatus/revoked token", prep: prepSignOut, req: req("UpdateDeviceStatus", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}","DeviceRememberedStatus":"remembered"}`), code: NA},
		{name: "UpdateDeviceStatus/forged token", prep: prepForgedToken, req: req("UpdateDeviceStatus", `{"AccessToken":"{{forged}}","DeviceKey":"{{bobDevice}}","DeviceRememberedStatus":"remembered"}`), code: NA},

		// ---- AdminUpdateDeviceStatus ----
		{name: "AdminUpdateDeviceStatus/valid", req: req("AdminUpdateDeviceStatus", `{"UserPoolId":"{{pool}}","Username":"{{user}}","DeviceKey":"{{device}}","DeviceRememberedStatus":"remembered"}`)},
		{name: "AdminUpdateDeviceStatus/unsigned", req: rawReq{op: "AdminUpdateDeviceStatus", body: adminBody, auth: authNone}, code: MISS},
		{name: "AdminUpdateDeviceStatus/wrong secret", req: rawReq{op: "AdminUpdateDeviceStatus", body: adminBody, auth: authBadSecret}, code: BADSIG},
		{name: "AdminUpdateDeviceStatus/status capitalised", req: req("AdminUpdateDeviceStatus", `{"UserPoolId":"{{pool}}","Username":"{{user}}","DeviceKey":"{{device}}","DeviceRememberedStatus":"REMEMBERED"}`), code: IPE},
		{name: "AdminUpdateDeviceStatus/Username missing", req: req("AdminUpdateDeviceStatus", `{"UserPoolId":"{{pool}}","DeviceKey":"{{device}}"}`), code: IPE, msg: nullError("username")},
		{name: "AdminUpdateDeviceStatus/unknown user", req: req("AdminUpdateDeviceStatus", `{"UserPoolId":"{{pool}}","Username":"nobody","DeviceKey":"{{device}}"}`), code: UNF, msg: "User does not exist."},
		{name: "AdminUpdateDeviceStatus/unknown pool", req: req("AdminUpdateDeviceStatus", `{"UserPoolId":"us-east-1_Nope12345","Username":"{{user}}","DeviceKey":"{{device}}"}`), code: RNF},
		{name: "AdminUpdateDeviceStatus/unknown device", req: req("AdminUpdateDeviceStatus", `{"UserPoolId":"{{pool}}","Username":"{{user}}","DeviceKey":"`+unknownKey+`"}`), code: RNF},

		// ---- ForgetDevice ----
		{name: "ForgetDevice/valid", req: req("ForgetDevice", getBody)},
		{name: "ForgetDevice/twice", prep: prepForget, req: req("ForgetDevice", getBody), code: RNF},
		{name: "ForgetDevice/DeviceKey missing", req: req("ForgetDevice", `{"AccessToken":"{{token}}"}`), code: IPE, msg: nullError("deviceKey")},
		{name: "ForgetDevice/DeviceKey breaks its pattern", req: req("ForgetDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{device}}!"}`), code: IPE},
		{name: "ForgetDevice/AccessToken absent", req: req("ForgetDevice", `{"DeviceKey":"{{device}}"}`), code: NA, check: stillThere},
		{name: "ForgetDevice/foreign token", req: req("ForgetDevice", `{"AccessToken":"{{bobToken}}","DeviceKey":"{{device}}"}`), code: RNF, check: stillThere},
		{name: "ForgetDevice/unknown device", req: req("ForgetDevice", `{"AccessToken":"{{token}}","DeviceKey":"`+unknownKey+`"}`), code: RNF},
		{name: "ForgetDevice/revoked token", prep: prepSignOut, req: req("ForgetDevice", getBody), code: NA},
		{name: "ForgetDevice/signature altered", prep: prepBadSignatureToken, req: req("ForgetDevice", `{"AccessToken":"{{badsig}}","DeviceKey":"{{device}}"}`), code: NA},

		// ---- AdminForgetDevice ----
		{name: "AdminForgetDevice/valid", req: req("AdminForgetDevice", adminBody)},
		{name: "AdminForgetDevice/twice",
			prep: func(f *fixture) {
				f.tg.must("AdminForgetDevice", map[string]any{"UserPoolId": f.pool, "Username": f.alice.name, "DeviceKey": f.alice.device})
			},
			req: req("AdminForgetDevice", adminBody), code: RNF},
		{name: "AdminForgetDevice/unsigned", req: rawReq{op: "AdminForgetDevice", body: adminBody, auth: authNone}, code: MISS, check: stillThere},
		{name: "AdminForgetDevice/unknown user", req: req("AdminForgetDevice", `{"UserPoolId":"{{pool}}","Username":"nobody","DeviceKey":"{{device}}"}`), code: UNF},
		{name: "AdminForgetDevice/another user's device", req: req("AdminForgetDevice", `{"UserPoolId":"{{pool}}","Username":"{{user}}","DeviceKey":"{{bobDevice}}"}`), code: RNF},
		{name: "AdminForgetDevice/DeviceKey 56 characters", req: req("AdminForgetDevice", `{"UserPoolId":"{{pool}}","Username":"{{user}}","DeviceKey":"`+key56+`"}`), code: IPE},

		// ---- ListDevices ----
		{name: "ListDevices/valid", req: req("ListDevices", `{"AccessToken":"{{token}}"}`), check: all(listIs("device"), noPageToken)},
		{name: "ListDevices/Limit 0 is the default page", req: req("ListDevices", `{"AccessToken":"{{token}}","Limit":0}`), check: listIs("device")},
		{name: "ListDevices/Limit 60", req: req("ListDevices", `{"AccessToken":"{{token}}","Limit":60}`), check: listIs("device")},
		{name: "ListDevices/Limit 61", req: req("ListDevices", `{"AccessToken":"{{token}}","Limit":61}`), code: IPE,
			msg: oneError("limit", "61", "Member must have value less than or equal to 60")},
		{name: "ListDevices/Limit -1", req: req("ListDevices", `{"AccessToken":"{{token}}","Limit":-1}`), code: IPE,
			msg: oneError("limit", "-1", "Member must have value greater than or equal to 0")},
		{name: "ListDevices/Limit a string", req: req("ListDevices", `{"AccessToken":"{{token}}","Limit":"10"}`), code: SER},
		{name: "ListDevices/Limit a fraction", req: req("ListDevices", `{"AccessToken":"{{token}}","Limit":1.5}`), code: SER},
		{name: "ListDevices/Limit beyond int32", req: req("ListDevices", `{"AccessToken":"{{token}}","Limit":4294967296}`), code: SER},
		{name: "ListDevices/first page", prep: prepThreeDevices, req: req("ListDevices", `{"AccessToken":"{{token}}","Limit":2}`),
			check: all(listIs("device", "second"), func(t *testing.T, f *fixture, a answer) {
				if tok := digString(a.doc, "PaginationToken"); !regexp.MustCompile(`^\S+$`).MatchString(tok) {
					t.Errorf("PaginationToken %q does not match [\\S]+", tok)
				}
			})},
		{name: "ListDevices/second page", prep: prepSecondPage, req: req("ListDevices", `{"AccessToken":"{{token}}","Limit":2,"PaginationToken":"{{page}}"}`),
			check: all(listIs("third"), noPageToken)},
		{name: "ListDevices/unconfirmed device not listed", prep: prepNewDevice, req: req("ListDevices", `{"AccessToken":"{{token}}"}`), check: listIs("device")},
		{name: "ListDevices/bob sees only his device", req: req("ListDevices", `{"AccessToken":"{{bobToken}}"}`), check: listIs("bobDevice")},
		{name: "ListDevices/PaginationToken not issued", req: req("ListDevices", `{"AccessToken":"{{token}}","PaginationToken":"bogus"}`), code: IPE},
		{name: "ListDevices/PaginationToken of another user", prep: prepBobPage, req: req("ListDevices", `{"AccessToken":"{{token}}","PaginationToken":"{{bobPage}}"}`), code: IPE},
		{name: "ListDevices/PaginationToken with a space", req: req("ListDevices", `{"AccessToken":"{{token}}","PaginationToken":"a b"}`), code: IPE,
			msg: oneError("paginationToken", "a b", pat(`[\S]+`))},
		{name: "ListDevices/PaginationToken empty", req: req("ListDevices", `{"AccessToken":"{{token}}","PaginationToken":""}`), code: IPE},
		{name: "ListDevices/AccessToken missing", req: req("ListDevices", `{"Limit":1}`), code: IPE, msg: nullError("accessToken")},
		{name: "ListDevices/revoked token", prep: prepSignOut, req: req("ListDevices", `{"AccessToken":"{{token}}"}`), code: NA},
		{name: "ListDevices/expired token", prep: prepExpire, req: req("ListDevices", `{"AccessToken":"{{token}}"}`), code: NA},
		{name: "ListDevices/after forget", prep: prepForget, req: req("ListDevices", `{"AccessToken":"{{token}}"}`), check: listIs()},

		// ---- AdminListDevices ----
		{name: "AdminListDevices/valid", req: req("AdminListDevices", `{"UserPoolId":"{{pool}}","Username":"{{user}}"}`), check: listIs("device")},
		{name: "AdminListDevices/paged", prep: prepThreeDevices, req: req("AdminListDevices", `{"UserPoolId":"{{pool}}","Username":"{{user}}","Limit":1}`), check: listIs("device")},
		{name: "AdminListDevices/unsigned", req: rawReq{op: "AdminListDevices", body: `{"UserPoolId":"{{pool}}","Username":"{{user}}"}`, auth: authNone}, code: MISS},
		{name: "AdminListDevices/Limit 61", req: req("AdminListDevices", `{"UserPoolId":"{{pool}}","Username":"{{user}}","Limit":61}`), code: IPE},
		{name: "AdminListDevices/Username missing", req: req("AdminListDevices", `{"UserPoolId":"{{pool}}"}`), code: IPE, msg: nullError("username")},
		{name: "AdminListDevices/unknown user (no UserNotFound documented)", req: req("AdminListDevices", `{"UserPoolId":"{{pool}}","Username":"nobody"}`), code: RNF},
		{name: "AdminListDevices/unknown pool", req: req("AdminListDevices", `{"UserPoolId":"us-east-1_Nope12345","Username":"{{user}}"}`), code: RNF},
		{name: "AdminListDevices/after forget", prep: prepForget, req: req("AdminListDevices", `{"UserPoolId":"{{pool}}","Username":"{{user}}"}`), check: listIs()},

		// ---- ConfirmDevice ----
		{name: "ConfirmDevice/valid", prep: prepNewDevice, req: req("ConfirmDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{new}}","DeviceName":"laptop","DeviceSecretVerifierConfig":{"PasswordVerifier":"dmVyaWZpZXI=","Salt":"c2FsdA=="}}`),
			check: func(t *testing.T, f *fixture, a answer) {
				if a.doc["UserConfirmationNecessary"] != true {
					t.Errorf("UserConfirmationNecessary = %v, want true (DeviceOnlyRememberedOnUserPrompt)", a.doc["UserConfirmationNecessary"])
				}
			}},
		{name: "ConfirmDevice/pool without prompt", pool: poolAlways, prep: prepNewDevice, req: req("ConfirmDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{new}}"}`),
			check: func(t *testing.T, f *fixture, a answer) {
				if a.doc["UserConfirmationNecessary"] != false {
					t.Errorf("UserConfirmationNecessary = %v, want false", a.doc["UserConfirmationNecessary"])
				}
			}},
		{name: "ConfirmDevice/DeviceName 1024 characters", prep: prepNewDevice, req: req("ConfirmDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{new}}","DeviceName":"`+strings.Repeat("n", 1024)+`"}`)},
		{name: "ConfirmDevice/DeviceName 1025 characters", prep: prepNewDevice, req: req("ConfirmDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{new}}","DeviceName":"`+strings.Repeat("n", 1025)+`"}`), code: IPE,
			msg: oneError("deviceName", strings.Repeat("n", 1025), maxLen("1024"))},
		{name: "ConfirmDevice/DeviceName empty", prep: prepNewDevice, req: req("ConfirmDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{new}}","DeviceName":""}`), code: IPE,
			msg: oneError("deviceName", "", "Member must have length greater than or equal to 1")},
		{name: "ConfirmDevice/verifier config a string", prep: prepNewDevice, req: req("ConfirmDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{new}}","DeviceSecretVerifierConfig":"x"}`), code: SER},
		{name: "ConfirmDevice/salt a number", prep: prepNewDevice, req: req("ConfirmDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{new}}","DeviceSecretVerifierConfig":{"Salt":5}}`), code: SER},
		{name: "ConfirmDevice/already confirmed", req: req("ConfirmDevice", getBody), code: "DeviceKeyExistsException"},
		{name: "ConfirmDevice/never issued", req: req("ConfirmDevice", `{"AccessToken":"{{token}}","DeviceKey":"`+unknownKey+`"}`), code: RNF},
		{name: "ConfirmDevice/another user's new device", prep: prepBobNewDevice, req: req("ConfirmDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{bobNew}}"}`), code: RNF},
		{name: "ConfirmDevice/AccessToken missing", prep: prepNewDevice, req: req("ConfirmDevice", `{"DeviceKey":"{{new}}"}`), code: IPE, msg: nullError("accessToken")},
		{name: "ConfirmDevice/DeviceKey missing", req: req("ConfirmDevice", `{"AccessToken":"{{token}}"}`), code: IPE, msg: nullError("deviceKey")},
		{name: "ConfirmDevice/revoked token", prep: func(f *fixture) { prepNewDevice(f); prepSignOut(f) }, req: req("ConfirmDevice", `{"AccessToken":"{{token}}","DeviceKey":"{{new}}"}`), code: NA},
		{name: "ConfirmDevice/then listed", prep: func(f *fixture) { f.vars["second"] = f.confirmNewDevice() }, req: req("ListDevices", `{"AccessToken":"{{token}}"}`), check: listIs("device", "second")},

		// ---- fixture operations ----
		{name: "CreateUserPool/valid", req: req("CreateUserPool", `{"PoolName":"p","DeviceConfiguration":{"DeviceOnlyRememberedOnUserPrompt":true}}`),
			check: func(t *testing.T, f *fixture, a answer) {
				if id := digString(a.doc, "UserPool", "Id"); !regexp.MustCompile(`^us-east-1_[0-9a-zA-Z]{9}$`).MatchString(id) {
					t.Errorf("UserPool.Id = %q", id)
				}
			}},
		{name: "CreateUserPool/PoolName missing", req: req("CreateUserPool", `{}`), code: IPE, msg: nullError("poolName")},
		{name: "CreateUserPool/unsigned", req: rawReq{op: "CreateUserPool", body: `{"PoolName":"p"}`, auth: authNone}, code: MISS},
		{name: "CreateUserPoolClient/unknown pool", req: req("CreateUserPoolClient", `{"UserPoolId":"us-east-1_Nope12345","ClientName":"c"}`), code: RNF},
		{name: "CreateUserPoolClient/unknown flow", req: req("CreateUserPoolClient", `{"UserPoolId":"{{pool}}","ClientName":"c","ExplicitAuthFlows":["ALLOW_EVERYTHING"]}`), code: IPE},
		{name: "AdminCreateUser/duplicate", req: req("AdminCreateUser", `{"UserPoolId":"{{pool}}","Username":"{{user}}"}`), code: "UsernameExistsException"},
		{name: "AdminCreateUser/weak password", req: req("AdminCreateUser", `{"UserPoolId":"{{pool}}","Username":"eve","TemporaryPassword":"short"}`), code: "InvalidPasswordException"},
		{name: "AdminCreateUser/new user", req: req("AdminCreateUser", `{"UserPoolId":"{{pool}}","Username":"eve","MessageAction":"SUPPRESS"}`),
			check: func(t *testing.T, f *fixture, a answer) {
				if s := digString(a.doc, "User", "UserStatus"); s != statusForceChange {
					t.Errorf("UserStatus = %q", s)
				}
			}},
		{name: "AdminSetUserPassword/unknown user", req: req("AdminSetUserPassword", `{"UserPoolId":"{{pool}}","Username":"nobody","Password":"`+testPassword+`","Permanent":true}`), code: UNF},
		{name: "InitiateAuth/wrong password", req: req("InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"{{client}}","AuthParameters":{"USERNAME":"{{user}}","PASSWORD":"Wrong0ne!"}}`), code: NA},
		{name: "InitiateAuth/unknown user", req: req("InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"{{client}}","AuthParameters":{"USERNAME":"nobody","PASSWORD":"Wrong0ne!"}}`), code: UNF},
		{name: "InitiateAuth/unknown client", req: req("InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"nope","AuthParameters":{"USERNAME":"{{user}}","PASSWORD":"`+testPassword+`"}}`), code: RNF},
		{name: "InitiateAuth/flow not enabled", prep: prepClientWithDefaultFlows, req: req("InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"{{defaultClient}}","AuthParameters":{"USERNAME":"{{user}}","PASSWORD":"`+testPassword+`"}}`), code: IPE},
		{name: "InitiateAuth/temporary password", prep: prepUnconfirmedUser, req: req("InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"{{client}}","AuthParameters":{"USERNAME":"carol","PASSWORD":"Temp0rary!Pw"}}`),
			check: func(t *testing.T, f *fixture, a answer) {
				if a.doc["ChallengeName"] != "NEW_PASSWORD_REQUIRED" {
					t.Errorf("ChallengeName = %v", a.doc["ChallengeName"])
				}
			}},
		{name: "InitiateAuth/new device issued", req: req("InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"{{client}}","AuthParameters":{"USERNAME":"{{user}}","PASSWORD":"`+testPassword+`"}}`),
			check: func(t *testing.T, f *fixture, a answer) {
				key := digString(a.doc, "AuthenticationResult", "NewDeviceMetadata", "DeviceKey")
				if !regexp.MustCompile(`^(?:`+deviceKeyPattern+`)$`).MatchString(key) || len(key) > 55 {
					t.Errorf("NewDeviceMetadata.DeviceKey %q does not satisfy the model", key)
				}
				if g := digString(a.doc, "AuthenticationResult", "NewDeviceMetadata", "DeviceGroupKey"); g == "" {
					t.Errorf("no DeviceGroupKey")
				}
				if tt := digString(a.doc, "AuthenticationResult", "TokenType"); tt != "Bearer" {
					t.Errorf("TokenType = %q", tt)
				}
			}},
		{name: "InitiateAuth/remembered device sign-in", req: req("InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"{{client}}","AuthParameters":{"USERNAME":"{{user}}","PASSWORD":"`+testPassword+`","DEVICE_KEY":"{{device}}"}}`),
			check: func(t *testing.T, f *fixture, a answer) {
				if dig(a.doc, "AuthenticationResult", "NewDeviceMetadata") != nil {
					t.Errorf("a sign-in from a known device got NewDeviceMetadata")
				}
			}},
		{name: "InitiateAuth/pool without device tracking", pool: poolNoDevice, req: req("InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"{{client}}","AuthParameters":{"USERNAME":"{{user}}","PASSWORD":"`+testPassword+`"}}`),
			check: func(t *testing.T, f *fixture, a answer) {
				if digString(a.doc, "AuthenticationResult", "AccessToken") == "" || dig(a.doc, "AuthenticationResult", "NewDeviceMetadata") != nil {
					t.Errorf("want tokens and no NewDeviceMetadata, got %s", a)
				}
			}},
		{name: "InitiateAuth/refresh", req: req("InitiateAuth", `{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"{{client}}","AuthParameters":{"REFRESH_TOKEN":"{{refresh}}"}}`)},
		{name: "InitiateAuth/refresh after sign-out", prep: prepSignOut, req: req("InitiateAuth", `{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"{{client}}","AuthParameters":{"REFRESH_TOKEN":"{{refresh}}"}}`), code: NA},
		{name: "InitiateAuth/disabled user", prep: prepDisable, req: req("InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"{{client}}","AuthParameters":{"USERNAME":"{{user}}","PASSWORD":"`+testPassword+`"}}`), code: NA, msg: "User is disabled."},
		{name: "InitiateAuth/AuthFlow unknown", req: req("InitiateAuth", `{"AuthFlow":"MAGIC","ClientId":"{{client}}"}`), code: IPE},
		{name: "AdminInitiateAuth/valid", req: req("AdminInitiateAuth", `{"AuthFlow":"ADMIN_USER_PASSWORD_AUTH","UserPoolId":"{{pool}}","ClientId":"{{client}}","AuthParameters":{"USERNAME":"{{user}}","PASSWORD":"`+testPassword+`"}}`)},
		{name: "AdminInitiateAuth/unsigned", req: rawReq{op: "AdminInitiateAuth", body: `{"AuthFlow":"ADMIN_USER_PASSWORD_AUTH","UserPoolId":"{{pool}}","ClientId":"{{client}}"}`, auth: authNone}, code: MISS},
		{name: "GlobalSignOut/valid", req: req("GlobalSignOut", `{"AccessToken":"{{token}}"}`)},
		{name: "GlobalSignOut/twice", prep: prepSignOut, req: req("GlobalSignOut", `{"AccessToken":"{{token}}"}`), code: NA},
		{name: "GlobalSignOut/leaves bob signed in", prep: prepSignOut, req: req("ListDevices", `{"AccessToken":"{{bobToken}}"}`), check: listIs("bobDevice")},
		{name: "AdminUserGlobalSignOut/valid", req: req("AdminUserGlobalSignOut", `{"UserPoolId":"{{pool}}","Username":"{{user}}"}`)},
		{name: "AdminDisableUser/valid", req: req("AdminDisableUser", `{"UserPoolId":"{{pool}}","Username":"{{user}}"}`)},
		{name: "AdminDisableUser/unknown user", req: req("AdminDisableUser", `{"UserPoolId":"{{pool}}","Username":"nobody"}`), code: UNF},
		{name: "AdminEnableUser/re-enables", prep: func(f *fixture) {
			prepDisable(f)
			f.tg.must("AdminEnableUser", map[string]any{"UserPoolId": f.pool, "Username": f.alice.name})
		}, req: req("GetDevice", getBody)},
		{name: "DeleteUserPool/valid", req: req("DeleteUserPool", `{"UserPoolId":"{{pool}}"}`),
			check: func(t *testing.T, f *fixture, a answer) {
				for _, id := range f.tg.srv.UserPools() {
					if id == f.pool {
						t.Errorf("pool %s still listed by UserPools after DeleteUserPool", id)
					}
				}
			}},
		{name: "DeleteUserPool/tokens die with the pool", prep: func(f *fixture) { f.tg.must("DeleteUserPool", map[string]any{"UserPoolId": f.pool}) }, req: req("GetDevice", getBody), code: NA},
		{name: "DeleteUserPool/unknown", req: req("DeleteUserPool", `{"UserPoolId":"us-east-1_Nope12345"}`), code: RNF},

		// ---- protocol ----
		{name: "protocol/GET /", req: rawReq{method: http.MethodGet, target: "-", contentType: "-"}, code: UNK},
		{name: "protocol/GET with a target", req: rawReq{method: http.MethodGet, op: "GetDevice"}, code: UNK},
		{name: "protocol/PUT", req: rawReq{method: http.MethodPut, op: "GetDevice", body: getBody}, code: UNK},
		{name: "protocol/no target", req: rawReq{target: "-", body: getBody}, code: UNK},
		{name: "protocol/unknown operation", req: rawReq{target: targetPrefix + ".DescribeEverything", body: `{}`}, code: UNK},
		{name: "protocol/operation name in lower case", req: rawReq{target: targetPrefix + ".getDevice", body: getBody}, code: UNK},
		{name: "protocol/wrong service prefix", req: rawReq{target: "DynamoDB_20120810.GetDevice", body: getBody}, code: UNK},
		{name: "protocol/no service prefix", req: rawReq{target: "GetDevice", body: getBody}, code: UNK},
		{name: "protocol/malformed JSON", req: req("GetDevice", `{"AccessToken":`), code: SER},
		{name: "protocol/array body", req: req("GetDevice", `[]`), code: SER},
		{name: "protocol/string body", req: req("GetDevice", `"GetDevice"`), code: SER},
		{name: "protocol/null body", req: req("GetDevice", `null`), code: SER},
		{name: "protocol/two JSON values", req: req("GetDevice", getBody+` {}`), code: SER},
		{name: "protocol/text/plain", req: rawReq{op: "GetDevice", body: getBody, contentType: "text/plain"}, code: SER},
		{name: "protocol/application/json", req: rawReq{op: "GetDevice", body: getBody, contentType: "application/json"}, code: SER},
		{name: "protocol/no content type", req: rawReq{op: "GetDevice", body: getBody, contentType: "-"}, code: SER},
		{name: "protocol/body over 1 MiB", req: req("GetDevice", `{"Pad":"`+strings.Repeat("x", MaxBodyBytes)+`"}`), code: SER},
	}
	return rows
}

func subOf(f *fixture, token string) string {
	return decodeSegment(f.tg.t, strings.Split(token, ".")[1])["sub"].(string)
}

// documentedOrProtocol reports whether an error code may answer a device operation:
// one it documents, or a protocol-level code valid for every operation (GUIDE §2).
func documentedOrProtocol(tg *target, op, code string) bool {
	switch code {
	case "UnknownOperationException", "SerializationException", "MissingAuthenticationTokenException",
		"UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException":
		return true
	}
	mo := tg.srv.model.Operation(op)
	return mo == nil || mo.Error(code) != nil
}

// sensitiveValues are the values of the request that no error message may contain.
func sensitiveValues(body string) []string {
	var doc map[string]any
	if json.Unmarshal([]byte(body), &doc) != nil {
		return nil
	}
	var out []string
	for _, k := range []string{"AccessToken", "Username"} {
		if v, ok := doc[k].(string); ok && len(v) >= 2 {
			out = append(out, v)
		}
	}
	return out
}

// runRow provisions a fixture, runs the row's prep and sends its request.
func runRow(tg *target, r row) (*fixture, rawReq, answer) {
	tg.t.Helper()
	tg.clock.reset()
	kind := r.pool
	if kind == "" {
		kind = poolPrompt
	}
	f := tg.provision(kind)
	if r.prep != nil {
		r.prep(f)
	}
	rq := r.req
	rq.body = f.expand(rq.body)
	a := tg.send(rq)
	tg.clock.reset()
	return f, rq, a
}

// TestReferenceTable sends every row to the conformant server over real HTTP and checks
// the documented status and code, AWS's message where the row gives it, and the format
// every answer must have.
func TestReferenceTable(t *testing.T) {
	tg := newTarget(t, "")
	rows := tableRows()
	perOp := map[string]int{}
	for _, r := range rows {
		perOp[strings.SplitN(r.name, "/", 2)[0]]++
		t.Run(r.name, func(t *testing.T) {
			tg.t = t
			f, rq, a := runRow(tg, r)
			if a.status != r.wantStatus() || a.code != r.code {
				t.Fatalf("want HTTP %d %q, got %s", r.wantStatus(), r.code, a)
			}
			if r.msg != "" && a.message != f.expand(r.msg) {
				t.Errorf("message:\n got %q\nwant %q", a.message, f.expand(r.msg))
			}
			checkFormat(t, tg, rq, a)
			if r.check != nil {
				r.check(t, f, a)
			}
		})
	}
	tg.t = t
	for _, op := range tg.srv.model.Operations {
		if perOp[op.Name] < 6 {
			t.Errorf("the table has %d rows for %s, want at least 6", perOp[op.Name], op.Name)
		}
	}
	t.Logf("%d rows: %v", len(rows), perOp)
}

// checkFormat asserts what every answer of the conformant server must look like.
func checkFormat(t *testing.T, tg *target, rq rawReq, a answer) {
	t.Helper()
	if a.header.Get("x-amzn-RequestId") == "" {
		t.Errorf("no x-amzn-RequestId")
	}
	if a.contentType != contentTypeJSON11 {
		t.Errorf("Content-Type %q, want %s", a.contentType, contentTypeJSON11)
	}
	if !a.isJSON {
		t.Errorf("body is not a JSON object: %q", truncate(string(a.body), 200))
	}
	if a.status == http.StatusOK {
		if op := tg.srv.model.Operation(rq.op); op != nil && op.EmptyOutput() && string(a.body) != "{}" {
			t.Errorf("%s has an empty output; body %q, want {}", rq.op, a.body)
		}
		return
	}
	if et := a.header.Get("x-amzn-ErrorType"); !strings.HasPrefix(et, a.code+":") {
		t.Errorf("x-amzn-ErrorType %q does not carry the code %s", et, a.code)
	}
	if a.doc["__type"] != a.code {
		t.Errorf("__type %v, want %s", a.doc["__type"], a.code)
	}
	if !a.hasMessage || a.message == "" {
		t.Errorf("no message in %s", a.body)
	}
	if !documentedOrProtocol(tg, rq.op, a.code) {
		t.Errorf("%s answered %s, which it does not document", rq.op, a.code)
	}
	for _, v := range sensitiveValues(rq.body) {
		if strings.Contains(a.message, v) {
			t.Errorf("the message echoes a sensitive value: %q", a.message)
		}
	}
}
