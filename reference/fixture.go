package reference

import (
	"slices"
	"strings"
	"unicode"
)

// The fixture operations: just enough of the user-pool API for a harness to provision a
// pool, a client, users and their devices through the target's own API (GUIDE §4), and
// to revoke tokens and disable users for the auth checks. They answer Cognito's shapes
// and codes, but only for the members listed in fixtureShapes.

// The account every ARN names: AWS's documentation example account.
const exampleAccount = "123456789012"

func (s *Server) createUserPool(c *call) (any, *apiError) {
	now := s.now()
	p := &pool{
		id:       s.region + "_" + randomAlnum(9),
		name:     bodyString(c.body, "PoolName"),
		created:  now,
		modified: now,
		clients:  map[string]*appClient{},
		users:    map[string]*user{},
		refresh:  map[string]refreshRef{},
	}
	p.arn = "arn:aws:cognito-idp:" + s.region + ":" + exampleAccount + ":userpool/" + p.id
	if cfg := bodyObject(c.body, "DeviceConfiguration"); cfg != nil {
		p.devices = &deviceConfig{
			challengeRequiredOnNewDevice:     bodyBool(cfg, "ChallengeRequiredOnNewDevice"),
			deviceOnlyRememberedOnUserPrompt: bodyBool(cfg, "DeviceOnlyRememberedOnUserPrompt"),
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pools[p.id] = p
	return map[string]any{"UserPool": poolJSON(p)}, nil
}

func poolJSON(p *pool) map[string]any {
	out := map[string]any{
		"Id":               p.id,
		"Name":             p.name,
		"Arn":              p.arn,
		"CreationDate":     epoch(p.created),
		"LastModifiedDate": epoch(p.modified),
		"MfaConfiguration": "OFF",
		"Status":           "Enabled",
		"Policies": map[string]any{"PasswordPolicy": map[string]any{
			"MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true,
			"RequireNumbers": true, "RequireSymbols": true, "TemporaryPasswordValidityDays": 7,
		}},
	}
	if p.devices != nil {
		out["DeviceConfiguration"] = map[string]any{
			"ChallengeRequiredOnNewDevice":     p.devices.challengeRequiredOnNewDevice,
			"DeviceOnlyRememberedOnUserPrompt": p.devices.deviceOnlyRememberedOnUserPrompt,
		}
	}
	return out
}

// defaultFlows are the flows AWS gives a client created without ExplicitAuthFlows.
func defaultFlows() []string {
	return []string{"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
}

func (s *Server) createUserPoolClient(c *call) (any, *apiError) {
	if bodyBool(c.body, "GenerateSecret") {
		return nil, errParam("The reference target does not implement client secrets: create the client with GenerateSecret false.")
	}
	var flows []string
	if list, ok := c.body["ExplicitAuthFlows"].([]any); ok {
		for _, f := range list {
			if f, ok := f.(string); ok {
				flows = append(flows, f)
			}
		}
	} else {
		flows = defaultFlows()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.poolOf(c)
	if aerr != nil {
		return nil, aerr
	}
	cl := &appClient{id: strings.ToLower(randomAlnum(26)), name: bodyString(c.body, "ClientName"), flows: flows, created: s.now()}
	p.clients[cl.id] = cl
	return map[string]any{"UserPoolClient": map[string]any{
		"UserPoolId":           p.id,
		"ClientName":           cl.name,
		"ClientId":             cl.id,
		"ExplicitAuthFlows":    cl.flows,
		"CreationDate":         epoch(cl.created),
		"LastModifiedDate":     epoch(cl.created),
		"RefreshTokenValidity": 30,
		"TokenValidityUnits": map[string]any{
			"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days",
		},
	}}, nil
}

// checkPassword applies Cognito's default password policy.
func checkPassword(pw string) *apiError {
	var lower, upper, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ", r):
			symbol = true
		}
	}
	var why string
	switch {
	case len([]rune(pw)) < 8:
		why = "Password not long enough"
	case !lower:
		why = "Password must have lowercase characters"
	case !upper:
		why = "Password must have uppercase characters"
	case !digit:
		why = "Password must have numeric characters"
	case !symbol:
		why = "Password must have symbol characters"
	default:
		return nil
	}
	return errCode("InvalidPasswordException", "Password did not conform with policy: "+why)
}

func (s *Server) adminCreateUser(c *call) (any, *apiError) {
	pw := bodyString(c.body, "TemporaryPassword")
	if pw == "" {
		pw = "Tmp-" + randomAlnum(12) + "a1A!" // AWS would e-mail it; nobody reads it here
	} else if aerr := checkPassword(pw); aerr != nil {
		return nil, aerr
	}
	attrs := map[string]string{}
	if list, ok := c.body["UserAttributes"].([]any); ok {
		for _, a := range list {
			if a, ok := a.(map[string]any); ok && bodyString(a, "Name") != "sub" {
				attrs[bodyString(a, "Name")] = bodyString(a, "Value")
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.poolOf(c)
	if aerr != nil {
		return nil, aerr
	}
	name := bodyString(c.body, "Username")
	if p.lookupUser(name) != nil {
		return nil, errCode("UsernameExistsException", "User account already exists")
	}
	now := s.now()
	u := &user{
		username: name, sub: newUUID(), password: pw, status: statusForceChange, enabled: true,
		created: now, modified: now, attributes: attrs,
		sessions: map[string]*session{}, devices: map[string]*device{},
	}
	p.users[name] = u
	return map[string]any{"User": userJSON(u)}, nil
}

func userJSON(u *user) map[string]any {
	attrs := []any{map[string]any{"Name": "sub", "Value": u.sub}}
	names := make([]string, 0, len(u.attributes))
	for n := range u.attributes {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		attrs = append(attrs, map[string]any{"Name": n, "Value": u.attributes[n]})
	}
	return map[string]any{
		"Username":             u.username,
		"Attributes":           attrs,
		"UserCreateDate":       epoch(u.created),
		"UserLastModifiedDate": epoch(u.modified),
		"Enabled":              u.enabled,
		"UserStatus":           u.status,
	}
}

// adminUser runs fn on the pool and user an Admin fixture request names, with s.mu held.
func (s *Server) adminUser(c *call, fn func(p *pool, u *user) (any, *apiError)) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, aerr := s.adminTarget(c)
	if aerr != nil {
		return nil, aerr
	}
	return fn(p, u)
}

func (s *Server) adminSetUserPassword(c *call) (any, *apiError) {
	pw := bodyString(c.body, "Password")
	if aerr := checkPassword(pw); aerr != nil {
		return nil, aerr
	}
	return s.adminUser(c, func(p *pool, u *user) (any, *apiError) {
		u.password = pw
		u.status = statusForceChange
		if bodyBool(c.body, "Permanent") {
			u.status = statusConfirmed
		}
		u.modified = s.now()
		return nil, nil
	})
}

func (s *Server) adminSetEnabled(enabled bool) func(c *call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		return s.adminUser(c, func(p *pool, u *user) (any, *apiError) {
			u.enabled = enabled
			u.modified = s.now()
			return nil, nil
		})
	}
}

func (s *Server) adminDeleteUser(c *call) (any, *apiError) {
	return s.adminUser(c, func(p *pool, u *user) (any, *apiError) {
		delete(p.users, u.username)
		return nil, nil
	})
}

// globalSignOut revokes every session of the token's user: all their access, ID
// and refresh tokens stop working.
func (s *Server) globalSignOut(c *call) (any, *apiError) {
	return s.byToken(c, func(_ *pool, u *user) (any, *apiError) {
		revokeAll(u)
		return nil, nil
	})
}

func (s *Server) adminUserGlobalSignOut(c *call) (any, *apiError) {
	return s.adminUser(c, func(p *pool, u *user) (any, *apiError) {
		revokeAll(u)
		return nil, nil
	})
}

func revokeAll(u *user) {
	for _, sess := range u.sessions {
		sess.revoked = true
	}
}

func (s *Server) deleteUserPool(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.poolOf(c)
	if aerr != nil {
		return nil, aerr
	}
	delete(s.pools, p.id)
	return nil, nil
}

// findClient returns the pool that holds an app client. Called with s.mu held.
func (s *Server) findClient(clientID string) (*pool, *appClient) {
	for _, p := range s.pools {
		if cl := p.clients[clientID]; cl != nil {
			return p, cl
		}
	}
	return nil, nil
}

func allows(cl *appClient, flows ...string) bool {
	for _, f := range flows {
		if slices.Contains(cl.flows, f) {
			return true
		}
	}
	return false
}

func errNoClient(id string) *apiError {
	return errNotFound("User pool client " + id + " does not exist.")
}

func (s *Server) initiateAuth(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	clientID := bodyString(c.body, "ClientId")
	p, cl := s.findClient(clientID)
	if cl == nil {
		return nil, errNoClient(clientID)
	}
	return s.authFlow(c, p, cl, false)
}

func (s *Server) adminInitiateAuth(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.poolOf(c)
	if aerr != nil {
		return nil, aerr
	}
	clientID := bodyString(c.body, "ClientId")
	cl := p.clients[clientID]
	if cl == nil {
		return nil, errNoClient(clientID)
	}
	return s.authFlow(c, p, cl, true)
}

// authFlow runs a sign-in flow. Called with s.mu held.
func (s *Server) authFlow(c *call, p *pool, cl *appClient, admin bool) (any, *apiError) {
	flow := bodyString(c.body, "AuthFlow")
	params := map[string]string{}
	for k, v := range bodyObject(c.body, "AuthParameters") {
		if v, ok := v.(string); ok {
			params[k] = v
		}
	}
	switch {
	case flow == "REFRESH_TOKEN_AUTH" || flow == "REFRESH_TOKEN":
		return s.refreshFlow(p, cl, params)
	case !admin && flow == "USER_PASSWORD_AUTH":
		if !allows(cl, "ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH") {
			return nil, errParam("USER_PASSWORD_AUTH flow not enabled for this client")
		}
	case admin && (flow == "ADMIN_USER_PASSWORD_AUTH" || flow == "ADMIN_NO_SRP_AUTH"):
		if !allows(cl, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH") {
			return nil, errParam("Auth flow not enabled for this client")
		}
	default:
		return nil, errParam("The reference target does not implement the " + flow + " flow on this operation.")
	}
	name, pw := params["USERNAME"], params["PASSWORD"]
	if name == "" {
		return nil, errParam("Missing required parameter USERNAME")
	}
	if pw == "" {
		return nil, errParam("Missing required parameter PASSWORD")
	}
	u := p.lookupUser(name)
	switch {
	case u == nil:
		return nil, errCode("UserNotFoundException", "User does not exist.")
	case !u.enabled:
		return nil, errNotAuthorized(msgUserDisabled)
	case u.password != pw:
		return nil, errNotAuthorized("Incorrect username or password.")
	case u.status == statusForceChange:
		return map[string]any{
			"ChallengeName": "NEW_PASSWORD_REQUIRED",
			"Session":       randomAlnum(64),
			"ChallengeParameters": map[string]any{
				"USER_ID_FOR_SRP": u.username, "requiredAttributes": "[]", "userAttributes": "{}",
			},
		}, nil
	}
	now := s.now()
	sess := &session{originJTI: newUUID(), clientID: cl.id, authTime: now}
	result := map[string]any{}
	if d := u.devices[params["DEVICE_KEY"]]; d != nil && d.confirmed && !d.forgotten {
		d.lastAuth, d.lastIP = now, c.remoteIP
		sess.deviceKey = d.key
	} else if p.devices != nil {
		u.nextSeq++
		d := &device{
			key:      s.region + "_" + newUUID(),
			groupKey: "-" + randomAlnum(9),
			seq:      u.nextSeq,
			created:  now, modified: now, lastAuth: now,
			lastIP: c.remoteIP,
		}
		u.devices[d.key] = d
		sess.deviceKey = d.key
		result["NewDeviceMetadata"] = map[string]any{"DeviceKey": d.key, "DeviceGroupKey": d.groupKey}
	}
	u.sessions[sess.originJTI] = sess
	access, id, err := s.issueTokens(p, u, sess, now)
	if err != nil {
		return nil, errInternal()
	}
	refresh := randomAlnum(96)
	p.refresh[refresh] = refreshRef{username: u.username, originJTI: sess.originJTI}
	result["AccessToken"] = access
	result["IdToken"] = id
	result["RefreshToken"] = refresh
	result["ExpiresIn"] = int(s.ttl.Seconds())
	result["TokenType"] = "Bearer"
	return map[string]any{"ChallengeParameters": map[string]any{}, "AuthenticationResult": result}, nil
}

// refreshFlow issues new access and ID tokens for a session, unless a global
// sign-out has revoked it. Called with s.mu held.
func (s *Server) refreshFlow(p *pool, cl *appClient, params map[string]string) (any, *apiError) {
	ref, ok := p.refresh[params["REFRESH_TOKEN"]]
	if !ok {
		return nil, errNotAuthorized("Invalid Refresh Token")
	}
	u := p.users[ref.username]
	if u == nil {
		return nil, errNotAuthorized("Invalid Refresh Token")
	}
	sess := u.sessions[ref.originJTI]
	switch {
	case sess == nil || sess.clientID != cl.id:
		return nil, errNotAuthorized("Invalid Refresh Token")
	case sess.revoked:
		return nil, errNotAuthorized("Refresh Token has been revoked")
	case !u.enabled:
		return nil, errNotAuthorized(msgUserDisabled)
	}
	access, id, err := s.issueTokens(p, u, sess, s.now())
	if err != nil {
		return nil, errInternal()
	}
	return map[string]any{"ChallengeParameters": map[string]any{}, "AuthenticationResult": map[string]any{
		"AccessToken": access, "IdToken": id, "ExpiresIn": int(s.ttl.Seconds()), "TokenType": "Bearer",
	}}, nil
}

// poolOf finds the pool a request's UserPoolId names. The caller holds s.mu.
func (s *Server) poolOf(c *call) (*pool, *apiError) {
	poolID := bodyString(c.body, "UserPoolId")
	p := s.pools[poolID]
	if p == nil {
		return nil, errNotFound("User pool " + poolID + " does not exist.")
	}
	return p, nil
}
