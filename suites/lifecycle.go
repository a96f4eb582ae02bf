package suites

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/spec"
)

// The device workflow of the documentation: confirm → list → get → update → get shows
// it → forget → get is ResourceNotFoundException, and the Admin twins. Unlike the
// families above, a workflow is about how operations relate, so it names them; each
// step is its own spec on a fresh device, so one failing step never hides another.

const rememberedAttr = "dev:device_remembered_status"

type device struct {
	token, key string
	user       User
}

// lifecycle declares the workflow specs. A step whose operations the model lacks is
// not declared.
func (e *Env) lifecycle() {
	Describe(famLifecycle, Label(famLifecycle), func() {
		e.step("ConfirmDevice", "confirms a device a sign-in reported",
			"ConfirmDevice on the key a sign-in returned in NewDeviceMetadata answers 200 with the documented output",
			[]string{"ConfirmDevice"}, unconfirmed, func(c *check, t *rapid.T, d device) {
				x := c.call(t, "ConfirmDevice", map[string]any{"AccessToken": d.token, "DeviceKey": d.key,
					"DeviceName": rapid.StringMatching(`[a-z]{1,20}`).Draw(t, "name")})
				c.judgeSuccess(t, x, "ConfirmDevice of a fresh device")
			})
		e.step("ConfirmDevice", "a second confirm is DeviceKeyExistsException",
			"confirming a device that is already confirmed is HTTP 400 DeviceKeyExistsException",
			[]string{"ConfirmDevice"}, confirmed, func(c *check, t *rapid.T, d device) {
				x := c.call(t, "ConfirmDevice", map[string]any{"AccessToken": d.token, "DeviceKey": d.key})
				c.expectCode(t, x, "ConfirmDevice of a confirmed device", "DeviceKeyExistsException")
			})
		for _, twin := range []struct{ list, get, update, forget string }{
			{"ListDevices", "GetDevice", "UpdateDeviceStatus", "ForgetDevice"},
			{"AdminListDevices", "AdminGetDevice", "AdminUpdateDeviceStatus", "AdminForgetDevice"},
		} {
			e.step(twin.list, "lists a confirmed device",
				twin.list+" lists every confirmed device of the user (following PaginationToken)",
				[]string{twin.list}, confirmed, func(c *check, t *rapid.T, d device) { c.listed(t, twin.list, d) })
			e.step(twin.list, "Limit pages through every device exactly once",
				twin.list+" with a Limit returns pages whose union is every device, none twice",
				[]string{twin.list}, confirmed, func(c *check, t *rapid.T, d device) { c.paging(t, twin.list, d) })
			e.step(twin.get, "returns a confirmed device with its remembered status",
				twin.get+" answers 200 with the device, its key and the "+rememberedAttr+" attribute",
				[]string{twin.get}, confirmed, func(c *check, t *rapid.T, d device) {
					x := c.call(t, twin.get, c.deviceBody(twin.get, d))
					c.judgeSuccess(t, x, twin.get+" of a confirmed device")
					if got := remembered(x.resp.Body); got == "" || !strings.Contains(string(x.resp.Body), d.key) {
						c.failClass(t, x, "missing-attribute", twin.get+" of a confirmed device", "a Device with DeviceKey "+d.key+" and the "+rememberedAttr+" attribute")
					}
				})
			for _, status := range []string{"not_remembered", "remembered"} {
				e.step(twin.update, "status "+status+" is visible in "+twin.get,
					twin.update+" with DeviceRememberedStatus "+status+" answers 200 and "+twin.get+" then shows "+rememberedAttr+" = "+status,
					[]string{twin.update, twin.get}, confirmed, func(c *check, t *rapid.T, d device) {
						body := c.deviceBody(twin.update, d)
						body["DeviceRememberedStatus"] = status
						c.expectOK(t, c.call(t, twin.update, body), twin.update+" to "+status)
						x := c.call(t, twin.get, c.deviceBody(twin.get, d))
						if got := remembered(x.resp.Body); got != status {
							c.failClass(t, x, "state-not-stored", fmt.Sprintf("%s after %s to %s shows %q", twin.get, twin.update, status, got), rememberedAttr+" = "+status)
						}
					})
			}
			e.step(twin.forget, "a forgotten device is gone from "+twin.get,
				"after "+twin.forget+" answers 200, "+twin.get+" of that device is HTTP 400 ResourceNotFoundException",
				[]string{twin.forget, twin.get}, confirmed, func(c *check, t *rapid.T, d device) {
					c.expectOK(t, c.call(t, twin.forget, c.deviceBody(twin.forget, d)), twin.forget+" of a confirmed device")
					x := c.call(t, twin.get, c.deviceBody(twin.get, d))
					c.expectCode(t, x, twin.get+" of a forgotten device", "ResourceNotFoundException")
				})
			e.step(twin.forget, "a forgotten device is gone from "+twin.list,
				"after "+twin.forget+" answers 200, "+twin.list+" no longer lists the device",
				[]string{twin.forget, twin.list}, confirmed, func(c *check, t *rapid.T, d device) {
					c.expectOK(t, c.call(t, twin.forget, c.deviceBody(twin.forget, d)), twin.forget+" of a confirmed device")
					if keys, last := c.listAll(t, twin.list, d, 60); slices.Contains(keys, d.key) {
						c.failClass(t, last, "state-not-stored", twin.list+" after "+twin.forget, "no entry for the forgotten device "+d.key)
					}
				})
			e.step(twin.get, "an unknown device is ResourceNotFoundException",
				twin.get+" of a well-formed key the user never had is HTTP 400 ResourceNotFoundException",
				[]string{twin.get}, confirmed, func(c *check, t *rapid.T, d device) {
					d.key = c.unknownKey(t, twin.get)
					x := c.call(t, twin.get, c.deviceBody(twin.get, d))
					c.expectCode(t, x, twin.get+" of an unknown device", "ResourceNotFoundException")
				})
			e.step(twin.forget, "forgetting an unknown device is ResourceNotFoundException",
				twin.forget+" of a well-formed key the user never had is HTTP 400 ResourceNotFoundException",
				[]string{twin.forget}, confirmed, func(c *check, t *rapid.T, d device) {
					d.key = c.unknownKey(t, twin.forget)
					x := c.call(t, twin.forget, c.deviceBody(twin.forget, d))
					c.expectCode(t, x, twin.forget+" of an unknown device", "ResourceNotFoundException")
				})
		}
	})
}

// Whether a workflow step starts from a confirmed device or from one a sign-in has
// only reported.
const (
	confirmed   = true
	unconfirmed = false
)

// step declares one workflow spec under the operation it judges. Each case gets a
// fresh device of the workflow user (see Fixture.Workflow), confirmed or not.
func (e *Env) step(opName, name, requirement string, uses []string, confirm bool, body func(c *check, t *rapid.T, d device)) {
	for _, u := range uses {
		if e.Model.Operation(u) == nil {
			return
		}
	}
	// The workflow user's devices are the workflows' own; the first user's are not.
	e.itSpecOwn((*Fixture).hasWorkflowUser, opName, famLifecycle, name, requirement, func(c *check) {
		caps := []string{capNewDevice}
		if e.Model.Operation(opName).Auth == spec.AuthIAM {
			caps = append(caps, capAdmin)
		}
		f := c.need(caps...)
		c.maxCases = 3 // each case provisions devices
		c.property(func(t *rapid.T) {
			u := f.workflowUser()
			token, key, err := e.freshDevice(c.ctx, u, confirm)
			if err != nil {
				c.class = "fixture-unavailable"
				t.Fatalf("%s", e.Red.String("a fresh device could not be provisioned: "+err.Error()))
			}
			u.AccessToken = token
			body(c, t, device{token: token, key: key, user: u})
		})
	})
}

// call sends a workflow call by operation name.
func (c *check) call(t *rapid.T, opName string, body map[string]any) exchange {
	op := c.env.Model.Operation(opName)
	return c.env.send(c.ctx, op, body, signs(op))
}

// deviceBody is the request of opName for device d, bound through the model.
func (c *check) deviceBody(opName string, d device) map[string]any {
	op := c.env.Model.Operation(opName)
	body := map[string]any{}
	bind(op.Input, body, c.env.fixtureValues(d.user, d.key))
	return body
}

// unknownKey draws a well-formed device key that no user was issued.
func (c *check) unknownKey(t *rapid.T, opName string) string {
	for _, m := range c.env.Model.Operation(opName).Input.Members {
		if m.Shape.Fixture == "device-key" {
			return c.env.gen.valid(m.Shape).Draw(t, "unknown key").(string)
		}
	}
	return "us-east-1_00000000-0000-0000-0000-000000000000"
}

func (c *check) judgeSuccess(t *rapid.T, x exchange, what string) {
	if x.err != nil || x.resp.Status != 200 {
		c.fail(t, x, what, "HTTP 200 with the documented output", nil)
	}
	if err := c.env.validateOutput(x.op, x.resp.Body); err != nil {
		c.failClass(t, x, "invalid-output", what+": "+err.Error(), "the documented output")
	}
}

// expectOK fails unless a workflow call that sets up the step answered 200.
func (c *check) expectOK(t *rapid.T, x exchange, what string) {
	if x.err != nil || x.resp.Status != 200 {
		c.fail(t, x, what, "HTTP 200", nil)
	}
}

func (c *check) expectCode(t *rapid.T, x exchange, what, code string) {
	if x.err != nil || x.resp.Status != 400 || x.resp.Code != code {
		c.fail(t, x, what, "HTTP 400 "+code, []string{code})
	}
}

// listAll follows PaginationToken through every page (at most 100) with the given
// Limit, and returns the device keys in order and the last exchange.
func (c *check) listAll(t *rapid.T, opName string, d device, limit int) ([]string, exchange) {
	var keys []string
	var token string
	var x exchange
	for page := 0; page < 100; page++ {
		body := c.deviceBody(opName, d)
		body["Limit"] = limit
		if token != "" {
			body["PaginationToken"] = token
		}
		x = c.call(t, opName, body)
		if x.err != nil || x.resp.Status != 200 {
			c.fail(t, x, fmt.Sprintf("%s page %d (Limit %d)", opName, page+1, limit), "HTTP 200 with a page of devices", nil)
		}
		var out struct {
			Devices         []struct{ DeviceKey string }
			PaginationToken string
		}
		if err := json.Unmarshal(x.resp.Body, &out); err != nil {
			c.failClass(t, x, "invalid-output", opName+": the body does not decode", "a JSON page of devices")
		}
		if limit > 0 && len(out.Devices) > limit {
			c.failClass(t, x, "paging", fmt.Sprintf("%s with Limit %d returned %d devices", opName, limit, len(out.Devices)), fmt.Sprintf("at most %d devices a page", limit))
		}
		for _, dv := range out.Devices {
			keys = append(keys, dv.DeviceKey)
		}
		if out.PaginationToken == "" {
			return keys, x
		}
		token = out.PaginationToken
	}
	c.failClass(t, x, "paging", opName+" still offered a PaginationToken after 100 pages", "a last page without PaginationToken")
	return keys, x
}

func (c *check) listed(t *rapid.T, opName string, d device) {
	keys, last := c.listAll(t, opName, d, 60)
	if !slices.Contains(keys, d.key) {
		c.failClass(t, last, "state-not-stored", fmt.Sprintf("%s (%d devices) after ConfirmDevice", opName, len(keys)), "an entry for the confirmed device "+d.key)
	}
}

func (c *check) paging(t *rapid.T, opName string, d device) {
	limit := rapid.IntRange(1, 7).Draw(t, "limit")
	all, _ := c.listAll(t, opName, d, 60)
	paged, last := c.listAll(t, opName, d, limit)
	seen := map[string]int{}
	for _, k := range paged {
		seen[k]++
	}
	for _, k := range all {
		if seen[k] != 1 {
			c.failClass(t, last, "paging", fmt.Sprintf("paging with Limit %d saw device %s %d times (%d devices unpaged, %d paged)", limit, k, seen[k], len(all), len(paged)), "every device exactly once")
		}
	}
	if len(paged) != len(all) {
		c.failClass(t, last, "paging", fmt.Sprintf("paging with Limit %d returned %d devices, unpaged %d", limit, len(paged), len(all)), "the same devices")
	}
}

// remembered reads dev:device_remembered_status from a GetDevice answer.
func remembered(body []byte) string {
	var out struct {
		Device struct {
			DeviceAttributes []struct{ Name, Value string }
		}
	}
	if json.Unmarshal(body, &out) != nil {
		return ""
	}
	for _, a := range out.Device.DeviceAttributes {
		if a.Name == rememberedAttr {
			return a.Value
		}
	}
	return ""
}
