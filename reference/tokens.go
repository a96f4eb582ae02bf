package reference

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const adminScope = "aws.cognito.signin.user.admin"

// accessClaims are the claims of a Cognito access token.
type accessClaims struct {
	jwt.RegisteredClaims
	ClientID  string `json:"client_id"`
	TokenUse  string `json:"token_use"`
	Scope     string `json:"scope"`
	AuthTime  int64  `json:"auth_time"`
	Username  string `json:"username"`
	OriginJTI string `json:"origin_jti"`
	EventID   string `json:"event_id"`
	DeviceKey string `json:"device_key,omitempty"`
}

// idClaims are the claims of a Cognito ID token.
type idClaims struct {
	jwt.RegisteredClaims
	TokenUse        string `json:"token_use"`
	AuthTime        int64  `json:"auth_time"`
	CognitoUsername string `json:"cognito:username"`
	OriginJTI       string `json:"origin_jti"`
	EventID         string `json:"event_id"`
}

func (s *Server) issuer(poolID string) string {
	return "https://cognito-idp." + s.region + ".amazonaws.com/" + poolID
}

// issueTokens signs an access and an ID token for a session. Called with s.mu held.
func (s *Server) issueTokens(p *pool, u *user, sess *session, now time.Time) (access, id string, err error) {
	exp := jwt.NewNumericDate(now.Add(s.ttl))
	iat := jwt.NewNumericDate(now)
	event := newUUID()
	ac := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: u.sub, Issuer: s.issuer(p.id), ExpiresAt: exp, IssuedAt: iat, ID: newUUID(),
		},
		ClientID: sess.clientID, TokenUse: "access", Scope: adminScope, AuthTime: sess.authTime.Unix(),
		Username: u.username, OriginJTI: sess.originJTI, EventID: event, DeviceKey: sess.deviceKey,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, ac)
	t.Header["kid"] = s.kid
	if access, err = t.SignedString(s.signKey); err != nil {
		return "", "", err
	}
	ic := idClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: u.sub, Issuer: s.issuer(p.id), Audience: jwt.ClaimStrings{sess.clientID},
			ExpiresAt: exp, IssuedAt: iat, ID: newUUID(),
		},
		TokenUse: "id", AuthTime: sess.authTime.Unix(), CognitoUsername: u.username,
		OriginJTI: sess.originJTI, EventID: event,
	}
	t = jwt.NewWithClaims(jwt.SigningMethodES256, ic)
	t.Header["kid"] = s.kid
	if id, err = t.SignedString(s.signKey); err != nil {
		return "", "", err
	}
	return access, id, nil
}

// Cognito's messages for a token it refuses.
const (
	msgInvalidToken  = "Invalid Access Token"
	msgExpiredToken  = "Access Token has expired"
	msgRevokedToken  = "Access Token has been revoked"
	msgUserDisabled  = "User is disabled."
	msgMissingToken  = "Access Token is missing."
	msgNotAuthScoped = "Access Token does not have required scopes"
)

// tokenError is the answer for a refused access token; the token itself never
// appears in it (unless the token-echoed-in-error defect is on).
func (s *Server) tokenError(msg, token string) *apiError {
	if s.has(defTokenEchoed) && token != "" {
		msg += ": " + token
	}
	if s.has(defUndocumentedAuthErr) {
		return &apiError{"UnauthorizedException", http.StatusBadRequest, msg}
	}
	return errNotAuthorized(msg)
}

// tokenParserOptions are the rules every access token is held to: ES256 only, an
// expiry required, and an issue time not in the future.
func (s *Server) tokenParserOptions() []jwt.ParserOption {
	return []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}),
		jwt.WithTimeFunc(s.now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	}
}

// verifiedCap bounds the verified-token cache; past it the cache starts over, which
// costs one signature verification per token still in use.
const verifiedCap = 4096

// verifiedTokens remembers the access tokens whose signature and kind this server
// has verified. An ES256 verification costs far more than the rest of a request, and
// a harness sends the same token thousands of times. Only what cannot change is
// remembered: the clock is checked again on every use (tests move it to expire
// tokens), and revocation and the user's state are looked up on every use by
// resolveAccess, as before.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[string]*accessClaims // read-only once stored
}

func (v *verifiedTokens) get(token string) *accessClaims {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.m[token]
}

func (v *verifiedTokens) put(token string, c *accessClaims) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= verifiedCap {
		v.m = make(map[string]*accessClaims)
	}
	v.m[token] = c
}

// parseAccessToken verifies a token's signature, algorithm, expiry and kind. It needs
// no state, so it runs before the lock is taken.
func (s *Server) parseAccessToken(token string) (*accessClaims, *apiError) {
	if token == "" {
		return nil, s.tokenError(msgMissingToken, "")
	}
	if !s.has(defTokenSigUnchecked) {
		if claims := s.verified.get(token); claims != nil {
			// Signature, algorithm, key and kind were checked when it was stored;
			// the time claims are checked now, exactly as the parser checks them.
			if err := s.tokenValidator.Validate(claims); err != nil {
				if errors.Is(err, jwt.ErrTokenExpired) {
					return nil, s.tokenError(msgExpiredToken, token)
				}
				return nil, s.tokenError(msgInvalidToken, token)
			}
			return claims, nil
		}
	}
	claims := &accessClaims{}
	parser := jwt.NewParser(s.tokenParserOptions()...)
	var err error
	if s.has(defTokenSigUnchecked) {
		// The defect: decode and trust the claims, check only the clock.
		if _, _, err = jwt.NewParser().ParseUnverified(token, claims); err == nil {
			if claims.ExpiresAt != nil && !s.now().Before(claims.ExpiresAt.Time) {
				err = jwt.ErrTokenExpired
			}
		}
	} else {
		_, err = parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
			if kid, _ := t.Header["kid"].(string); kid != s.kid {
				return nil, errors.New("unknown key id")
			}
			return &s.signKey.PublicKey, nil
		})
	}
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, s.tokenError(msgExpiredToken, token)
	case err != nil:
		return nil, s.tokenError(msgInvalidToken, token)
	case claims.TokenUse != "access":
		return nil, s.tokenError(msgInvalidToken, token)
	case !containsString(strings.Fields(claims.Scope), adminScope):
		return nil, s.tokenError(msgNotAuthScoped, token)
	}
	if !s.has(defTokenSigUnchecked) {
		s.verified.put(token, claims)
	}
	return claims, nil
}

// resolveAccess finds the pool, user and session a verified token belongs to and
// checks that the session is alive and the user enabled. Called with s.mu held.
func (s *Server) resolveAccess(c *accessClaims, token string) (*pool, *user, *apiError) {
	poolID, ok := strings.CutPrefix(c.Issuer, "https://cognito-idp."+s.region+".amazonaws.com/")
	if !ok {
		return nil, nil, s.tokenError(msgInvalidToken, token)
	}
	p := s.pools[poolID]
	if p == nil || p.clients[c.ClientID] == nil {
		return nil, nil, s.tokenError(msgInvalidToken, token)
	}
	u := p.users[c.Username]
	if u == nil || u.sub != c.Subject {
		return nil, nil, s.tokenError(msgInvalidToken, token)
	}
	sess := u.sessions[c.OriginJTI]
	switch {
	case sess == nil && !s.has(defTokenSigUnchecked):
		// A verified token always names a session; one that does not was not issued here.
		return nil, nil, s.tokenError(msgInvalidToken, token)
	case sess != nil && sess.revoked && !s.has(defRevokedTokenAccepted):
		return nil, nil, s.tokenError(msgRevokedToken, token)
	case !u.enabled:
		return nil, nil, s.tokenError(msgUserDisabled, token)
	}
	return p, u, nil
}
