// Package reftest does for tests what the owner of an account does to a target outside
// any run: signed calls, and the pool, app client and user a user makes before handing
// them over to cogconform. Tests of several packages hand things over; this is the one
// way they do it.
package reftest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cogconform/cogconform/awsjson"
	"github.com/cogconform/cogconform/reference"
)

// Owner calls a target with an account's credentials.
type Owner struct {
	Endpoint      string
	KeyID, Secret string // empty: the reference target's defaults
}

// Do sends op, signed when sign is set, and decodes the answer into out (when
// given); anything but HTTP 200 ends the test.
func (o Owner) Do(t testing.TB, op string, body map[string]any, sign bool, out any) {
	t.Helper()
	keyID, secret := o.KeyID, o.Secret
	if keyID == "" && secret == "" {
		keyID, secret = reference.DefaultAccessKeyID, reference.DefaultSecretAccessKey
	}
	c, err := awsjson.New(awsjson.Config{Endpoint: o.Endpoint, Credentials: awsjson.StaticCredentials(keyID, secret, "")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := c.Call(ctx, op, body, sign)
	if err != nil || resp.Status != 200 {
		t.Fatalf("%s: %v %+v", op, err, resp)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
}

// Admin sends a signed call.
func (o Owner) Admin(t testing.TB, op string, body map[string]any, out any) {
	t.Helper()
	o.Do(t, op, body, true, out)
}

// HandOver makes a pool whose devices are remembered on the user's prompt, an app
// client that allows USER_PASSWORD_AUTH, and user with password as a permanent one.
func (o Owner) HandOver(t testing.TB, user, password string) (pool, client string) {
	t.Helper()
	var p struct{ UserPool struct{ Id string } }
	o.Admin(t, "CreateUserPool", map[string]any{"PoolName": "handed-over", "DeviceConfiguration": map[string]any{
		"ChallengeRequiredOnNewDevice": false, "DeviceOnlyRememberedOnUserPrompt": true}}, &p)
	var cl struct{ UserPoolClient struct{ ClientId string } }
	o.Admin(t, "CreateUserPoolClient", map[string]any{"UserPoolId": p.UserPool.Id, "ClientName": "handed-over",
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}, &cl)
	o.Admin(t, "AdminCreateUser", map[string]any{"UserPoolId": p.UserPool.Id, "Username": user, "MessageAction": "SUPPRESS", "TemporaryPassword": "Tmp1!" + password}, nil)
	o.Admin(t, "AdminSetUserPassword", map[string]any{"UserPoolId": p.UserPool.Id, "Username": user, "Password": password, "Permanent": true}, nil)
	return p.UserPool.Id, cl.UserPoolClient.ClientId
}

// Devices lists the keys of every device of a user, page by page.
func (o Owner) Devices(t testing.TB, pool, user string) []string {
	t.Helper()
	var keys []string
	for token := ""; ; {
		body := map[string]any{"UserPoolId": pool, "Username": user, "Limit": 60}
		if token != "" {
			body["PaginationToken"] = token
		}
		var page struct {
			Devices         []struct{ DeviceKey string }
			PaginationToken string
		}
		o.Admin(t, "AdminListDevices", body, &page)
		for _, d := range page.Devices {
			keys = append(keys, d.DeviceKey)
		}
		if token = page.PaginationToken; token == "" {
			return keys
		}
	}
}
