package reference

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/cogconform/cogconform/spec"
)

// operation is one operation the server answers.
type operation struct {
	name   string
	device bool            // one of the model's operations (validation and defects apply)
	model  *spec.Operation // nil for fixture operations
	signed bool            // SigV4 required
	input  *spec.Shape
	handle func(c *call) (any, *apiError)
}

// buildOperations registers the model's device operations that the server implements
// (their input shapes come from the model) and the fixture operations (their input
// shapes are hand-written here, in the same typed form, so one validator serves both).
func (s *Server) buildOperations() (map[string]*operation, error) {
	ops := map[string]*operation{}
	device := map[string]func(c *call) (any, *apiError){
		"GetDevice":               s.getDevice,
		"AdminGetDevice":          s.getDevice,
		"UpdateDeviceStatus":      s.updateDeviceStatus,
		"AdminUpdateDeviceStatus": s.updateDeviceStatus,
		"ForgetDevice":            s.forgetDevice,
		"AdminForgetDevice":       s.forgetDevice,
		"ListDevices":             s.listDevices,
		"AdminListDevices":        s.listDevices,
		"ConfirmDevice":           s.confirmDevice,
	}
	for _, mo := range s.model.Operations {
		h := device[mo.Name]
		if h == nil {
			continue // a model operation the reference does not implement is an unknown operation
		}
		ops[mo.Name] = &operation{name: mo.Name, device: true, model: mo, signed: mo.Auth == spec.AuthIAM, input: mo.Input, handle: h}
	}
	fx, err := s.fixtureShapes()
	if err != nil {
		return nil, err
	}
	fixture := []struct {
		name   string
		signed bool
		handle func(c *call) (any, *apiError)
	}{
		{"CreateUserPool", true, s.createUserPool},
		{"CreateUserPoolClient", true, s.createUserPoolClient},
		{"AdminCreateUser", true, s.adminCreateUser},
		{"AdminSetUserPassword", true, s.adminSetUserPassword},
		{"InitiateAuth", false, s.initiateAuth},
		{"AdminInitiateAuth", true, s.adminInitiateAuth},
		{"GlobalSignOut", false, s.globalSignOut},
		{"AdminUserGlobalSignOut", true, s.adminUserGlobalSignOut},
		{"AdminDisableUser", true, s.adminSetEnabled(false)},
		{"AdminEnableUser", true, s.adminSetEnabled(true)},
		{"AdminDeleteUser", true, s.adminDeleteUser},
		{"DeleteUserPool", true, s.deleteUserPool},
	}
	for _, f := range fixture {
		if ops[f.name] != nil {
			return nil, fmt.Errorf("reference: the model declares %s, which the reference serves as a fixture operation", f.name)
		}
		in := fx[f.name]
		if in == nil {
			return nil, fmt.Errorf("reference: no input shape for fixture operation %s", f.name)
		}
		ops[f.name] = &operation{name: f.name, signed: f.signed, input: in, handle: f.handle}
	}
	return ops, nil
}

// fixtureShapes describes the inputs of the fixture operations, with AWS's
// constraints for the members the reference reads. UserPoolId, Username and
// AccessToken reuse the model's shapes, so the two never disagree.
func (s *Server) fixtureShapes() (map[string]*spec.Shape, error) {
	poolID := s.modelShape("AdminGetDevice", "UserPoolId", str(1, 55, `[\w-]+_[0-9a-zA-Z]+`, false))
	username := s.modelShape("AdminGetDevice", "Username", str(1, 128, `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, true))
	token := s.modelShape("ListDevices", "AccessToken", str(0, -1, `[A-Za-z0-9-_=.]+`, true))
	name := str(1, 128, `[\w\s+=,.@-]+`, false)
	password := str(0, 256, `[\S]+`, true)
	clientID := str(1, 128, `[\w+]+`, true)
	authFlow := enum("USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH",
		"USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH")
	params := &spec.Shape{Kind: spec.KindObject} // a map of strings; its values are read by the handler
	boolean := &spec.Shape{Kind: spec.KindBoolean}
	flows := &spec.Shape{Kind: spec.KindArray, Items: enum("ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH",
		"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
		"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH")}
	attrs := &spec.Shape{Kind: spec.KindArray, Items: obj(
		member("Name", true, str(1, 32, `[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+`, false)),
		member("Value", false, str(0, 2048, "", true)),
	)}
	devConfig := obj(member("ChallengeRequiredOnNewDevice", false, boolean), member("DeviceOnlyRememberedOnUserPrompt", false, boolean))
	poolUser := func() *spec.Shape { return obj(member("UserPoolId", true, poolID), member("Username", true, username)) }

	shapes := map[string]*spec.Shape{
		"CreateUserPool": obj(member("PoolName", true, name), member("DeviceConfiguration", false, devConfig)),
		"CreateUserPoolClient": obj(member("UserPoolId", true, poolID), member("ClientName", true, name),
			member("ExplicitAuthFlows", false, flows), member("GenerateSecret", false, boolean)),
		"AdminCreateUser": obj(member("UserPoolId", true, poolID), member("Username", true, username),
			member("TemporaryPassword", false, password), member("MessageAction", false, enum("RESEND", "SUPPRESS")),
			member("UserAttributes", false, attrs)),
		"AdminSetUserPassword": obj(member("UserPoolId", true, poolID), member("Username", true, username),
			member("Password", true, password), member("Permanent", false, boolean)),
		"InitiateAuth": obj(member("AuthFlow", true, authFlow), member("ClientId", true, clientID),
			member("AuthParameters", false, params)),
		"AdminInitiateAuth": obj(member("UserPoolId", true, poolID), member("ClientId", true, clientID),
			member("AuthFlow", true, authFlow), member("AuthParameters", false, params)),
		"GlobalSignOut":          obj(member("AccessToken", true, token)),
		"AdminUserGlobalSignOut": poolUser(),
		"AdminDisableUser":       poolUser(),
		"AdminEnableUser":        poolUser(),
		"AdminDeleteUser":        poolUser(),
		"DeleteUserPool":         obj(member("UserPoolId", true, poolID)),
	}
	for opName, sh := range shapes {
		if err := compileShape(sh); err != nil {
			return nil, fmt.Errorf("reference: fixture operation %s: %w", opName, err)
		}
	}
	return shapes, nil
}

// modelShape returns the shape the model gives a member, or fallback when the model
// (a user's override) lacks it.
func (s *Server) modelShape(op, memberName string, fallback *spec.Shape) *spec.Shape {
	if o := s.model.Operation(op); o != nil {
		if m := o.Input.Member(memberName); m != nil {
			return m.Shape
		}
	}
	return fallback
}

func str(min, max int, pattern string, sensitive bool) *spec.Shape {
	sh := &spec.Shape{Kind: spec.KindString, MinLength: min, Sensitive: sensitive}
	if max >= 0 {
		sh.MaxLength = &max
	}
	if pattern != "" {
		sh.Pattern = "^(?:" + pattern + ")$"
	}
	return sh
}

func enum(values ...string) *spec.Shape { return &spec.Shape{Kind: spec.KindString, Enum: values} }

func member(name string, required bool, sh *spec.Shape) *spec.Member {
	return &spec.Member{Name: name, Required: required, Shape: sh}
}

// obj builds an object shape; members stay in the order given, which is the order
// AWS reports their violations in.
func obj(members ...*spec.Member) *spec.Shape {
	return &spec.Shape{Kind: spec.KindObject, Members: members}
}

func compileShape(sh *spec.Shape) error {
	if sh == nil {
		return nil
	}
	if sh.Pattern != "" && sh.Regexp == nil {
		if err := sh.SetPattern(sh.Pattern); err != nil {
			return err
		}
	}
	for _, m := range sh.Members {
		if err := compileShape(m.Shape); err != nil {
			return err
		}
	}
	return compileShape(sh.Items)
}

// Accessors for a validated body: checkTypes has proved each member's JSON type.

func bodyString(body map[string]any, name string) string {
	v, _ := body[name].(string)
	return v
}

func bodyBool(body map[string]any, name string) bool {
	v, _ := body[name].(bool)
	return v
}

func bodyInt(body map[string]any, name string) (int64, bool) {
	n, ok := body[name].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

func bodyObject(body map[string]any, name string) map[string]any {
	v, _ := body[name].(map[string]any)
	return v
}

func errCode(code, msg string) *apiError { return &apiError{code, http.StatusBadRequest, msg} }
