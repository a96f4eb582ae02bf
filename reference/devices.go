package reference

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/cogconform/cogconform/spec"
)

// The nine device operations. Each serves both twins: the access-token operation
// finds its user through the token, the Admin one through UserPoolId and Username.
// Every error they answer is one the operation documents in the model.

// forUser resolves the user a device operation acts for and runs fn with s.mu held.
func (s *Server) forUser(c *call, fn func(p *pool, u *user) (any, *apiError)) (any, *apiError) {
	if c.op.model.Auth == spec.AuthIAM {
		return s.adminUser(c, fn)
	}
	return s.byToken(c, fn)
}

// byToken resolves the user the request's AccessToken belongs to and runs fn with
// s.mu held. The token's signature is checked before the lock: it needs no state.
func (s *Server) byToken(c *call, fn func(p *pool, u *user) (any, *apiError)) (any, *apiError) {
	token := bodyString(c.body, "AccessToken")
	claims, aerr := s.parseAccessToken(token)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, aerr := s.resolveAccess(claims, token)
	if aerr != nil {
		return nil, aerr
	}
	return fn(p, u)
}

// adminTarget finds the pool and user an Admin request names. Called with s.mu held.
func (s *Server) adminTarget(c *call) (*pool, *user, *apiError) {
	p, aerr := s.poolOf(c)
	if aerr != nil {
		return nil, nil, aerr
	}
	name := bodyString(c.body, "Username")
	u := p.lookupUser(name)
	if u == nil {
		return nil, nil, s.userNotFound(c.op, name)
	}
	return p, u, nil
}

// userNotFound answers UserNotFoundException where the operation documents it and
// ResourceNotFoundException where it does not (AdminGetDevice, AdminListDevices).
func (s *Server) userNotFound(op *operation, name string) *apiError {
	msg := "User does not exist."
	if op.device && s.has(defUsernameEchoed) {
		msg = "User '" + name + "' does not exist."
	}
	if op.model == nil || op.model.Error("UserNotFoundException") != nil {
		return errCode("UserNotFoundException", msg)
	}
	return errNotFound(msg)
}

func (s *Server) deviceNotFound() *apiError {
	if s.has(defDeviceNotFoundCode) {
		return errCode("DeviceNotFoundException", "Device does not exist.")
	}
	return errNotFound("Device does not exist.")
}

// findDevice returns a confirmed, not forgotten device of the user. Called with s.mu held.
func (s *Server) findDevice(c *call, p *pool, u *user, key string) (*device, *apiError) {
	if d := u.devices[key]; d != nil && d.confirmed && !d.forgotten {
		return d, nil
	}
	if s.has(defCrossUserDevice) && c.op.model.Auth == spec.AuthAccessToken {
		for _, other := range p.users {
			if d := other.devices[key]; d != nil && d.confirmed && !d.forgotten {
				return d, nil
			}
		}
	}
	return nil, s.deviceNotFound()
}

// ok wraps a device operation's successful output in the success-path defects. An
// operation with an empty output answers "{}" whatever out holds.
func (s *Server) ok(c *call, out map[string]any) (any, *apiError) {
	empty := c.op.model.EmptyOutput()
	var v any // stays a nil interface, never a typed nil map, so it writes "{}"
	if !empty && out != nil {
		v = out
	}
	switch {
	case s.has(defNonEmpty200Body) && empty:
		return deviceAnswer{replaceAll: []byte(`{"ResponseMetadata":{"HTTPStatusCode":200,"RetryAttempts":0}}`)}, nil
	case s.has(defJSONOnSuccess):
		return deviceAnswer{out: v, ct: "application/json"}, nil
	}
	return v, nil
}

func (s *Server) getDevice(c *call) (any, *apiError) {
	return s.forUser(c, func(p *pool, u *user) (any, *apiError) {
		d, aerr := s.findDevice(c, p, u, bodyString(c.body, "DeviceKey"))
		if aerr != nil {
			return nil, aerr
		}
		return s.ok(c, map[string]any{"Device": deviceJSON(d)})
	})
}

// updateDeviceStatus sets dev:device_remembered_status. Without DeviceRememberedStatus
// (it is optional) the call changes nothing but the modification date.
func (s *Server) updateDeviceStatus(c *call) (any, *apiError) {
	return s.forUser(c, func(p *pool, u *user) (any, *apiError) {
		d, aerr := s.findDevice(c, p, u, bodyString(c.body, "DeviceKey"))
		if aerr != nil {
			return nil, aerr
		}
		if st := bodyString(c.body, "DeviceRememberedStatus"); st != "" && !s.has(defRememberedNotStored) {
			d.remembered = st
		}
		d.modified = s.now()
		return s.ok(c, nil)
	})
}

func (s *Server) forgetDevice(c *call) (any, *apiError) {
	return s.forUser(c, func(p *pool, u *user) (any, *apiError) {
		key := bodyString(c.body, "DeviceKey")
		d, aerr := s.findDevice(c, p, u, key)
		if aerr != nil {
			if s.has(defForgetUnknown200) {
				return s.ok(c, nil)
			}
			return nil, aerr
		}
		if s.has(defForgottenListed) {
			d.forgotten = true
		} else {
			for _, owner := range p.users { // the owner, even under cross-user-device-access
				if owner.devices[key] == d {
					delete(owner.devices, key)
				}
			}
		}
		return s.ok(c, nil)
	})
}

// listDevices pages through the user's confirmed devices in creation order. Limit
// absent or 0 means DefaultPageSize. The PaginationToken is opaque: the position
// after which the next page starts, bound to the user and MACed with a key made per
// Server, so a token from another user or another server is InvalidParameterException.
func (s *Server) listDevices(c *call) (any, *apiError) {
	return s.forUser(c, func(p *pool, u *user) (any, *apiError) {
		limit := DefaultPageSize
		if n, ok := bodyInt(c.body, "Limit"); ok && n > 0 {
			limit = int(n)
		}
		all := u.visibleDevices(s.has(defForgottenListed))
		start := 0
		if tok := bodyString(c.body, "PaginationToken"); tok != "" {
			after, ok := s.readPageToken(tok, p.id, u.sub)
			if !ok {
				return nil, errParam("Invalid pagination token.")
			}
			for start < len(all) && all[start].seq <= after {
				start++
			}
		}
		end := min(start+limit, len(all))
		devices := make([]any, 0, end-start)
		for _, d := range all[start:end] {
			devices = append(devices, deviceJSON(d))
		}
		out := map[string]any{"Devices": devices}
		if end < len(all) {
			out["PaginationToken"] = s.pageToken(p.id, u.sub, all[end-1].seq)
		}
		return s.ok(c, out)
	})
}

// confirmDevice confirms a device the token's user was issued at sign-in. When the
// pool remembers devices only on the user's prompt (DeviceOnlyRememberedOnUserPrompt),
// the answer says so and the device starts not_remembered until UpdateDeviceStatus;
// otherwise it starts remembered.
func (s *Server) confirmDevice(c *call) (any, *apiError) {
	return s.forUser(c, func(p *pool, u *user) (any, *apiError) {
		d := u.devices[bodyString(c.body, "DeviceKey")]
		if d == nil || d.forgotten {
			return nil, s.deviceNotFound()
		}
		if d.confirmed {
			return nil, errCode("DeviceKeyExistsException", "Device key already exists.")
		}
		prompt := p.devices != nil && p.devices.deviceOnlyRememberedOnUserPrompt
		now := s.now()
		d.confirmed = true
		d.name = bodyString(c.body, "DeviceName")
		if cfg := bodyObject(c.body, "DeviceSecretVerifierConfig"); cfg != nil {
			d.salt, d.verifier = bodyString(cfg, "Salt"), bodyString(cfg, "PasswordVerifier")
		}
		d.remembered = rememberedValue
		if prompt {
			d.remembered = notRememberedValue
		}
		d.lastIP = c.remoteIP
		d.modified = now
		return s.ok(c, map[string]any{"UserConfirmationNecessary": prompt})
	})
}

// deviceJSON is a DeviceType. device_name is reported only when ConfirmDevice gave one.
func deviceJSON(d *device) map[string]any {
	attrs := []any{map[string]any{"Name": "device_status", "Value": "valid"}}
	if d.name != "" {
		attrs = append(attrs, map[string]any{"Name": "device_name", "Value": d.name})
	}
	if d.lastIP != "" {
		attrs = append(attrs, map[string]any{"Name": "last_ip_used", "Value": d.lastIP})
	}
	attrs = append(attrs, map[string]any{"Name": attrRememberedState, "Value": d.remembered})
	return map[string]any{
		"DeviceKey":                   d.key,
		"DeviceAttributes":            attrs,
		"DeviceCreateDate":            epoch(d.created),
		"DeviceLastModifiedDate":      epoch(d.modified),
		"DeviceLastAuthenticatedDate": epoch(d.lastAuth),
	}
}

const pageTokenVersion = "p1"

func (s *Server) pageToken(poolID, sub string, after uint64) string {
	payload := []byte(pageTokenVersion + "\x00" + poolID + "\x00" + sub + "\x00" + strconv.FormatUint(after, 10))
	return base64.RawURLEncoding.EncodeToString(append(payload, s.pageMAC(payload)...))
}

func (s *Server) readPageToken(tok, poolID, sub string) (uint64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) <= sha256.Size {
		return 0, false
	}
	payload, mac := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if !hmac.Equal(mac, s.pageMAC(payload)) {
		return 0, false
	}
	parts := strings.Split(string(payload), "\x00")
	if len(parts) != 4 || parts[0] != pageTokenVersion || parts[1] != poolID || parts[2] != sub {
		return 0, false
	}
	after, err := strconv.ParseUint(parts[3], 10, 64)
	return after, err == nil
}

func (s *Server) pageMAC(payload []byte) []byte {
	h := hmac.New(sha256.New, s.pageKey)
	h.Write(payload)
	return h.Sum(nil)
}
