package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cogconform/cogconform/awsjson"
)

// Fixture is one user with a confirmed device, provisioned through the target's own
// API, for the raw client's valid requests.
type Fixture struct {
	PoolID      string
	Username    string
	AccessToken string
	DeviceKey   string
}

// Provision creates a user pool, a client, a user with a permanent password, signs the
// user in and confirms the device that sign-in reports. name tags what it creates.
func Provision(ctx context.Context, c *awsjson.Client, name string) (Fixture, error) {
	var f Fixture
	call := func(op string, body any, sign bool, out any) error {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		resp, err := c.Call(cctx, op, body, sign)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if resp.Status != 200 {
			return fmt.Errorf("%s: HTTP %d %s: %s", op, resp.Status, resp.Code, resp.Message())
		}
		if out != nil {
			if err := json.Unmarshal(resp.Body, out); err != nil {
				return fmt.Errorf("%s: decoding the answer: %w", op, err)
			}
		}
		return nil
	}
	var pool struct{ UserPool struct{ Id string } }
	if err := call("CreateUserPool", map[string]any{
		"PoolName":            name,
		"DeviceConfiguration": map[string]any{"ChallengeRequiredOnNewDevice": false, "DeviceOnlyRememberedOnUserPrompt": true},
	}, true, &pool); err != nil {
		return f, err
	}
	f.PoolID = pool.UserPool.Id
	var client struct{ UserPoolClient struct{ ClientId string } }
	if err := call("CreateUserPoolClient", map[string]any{
		"UserPoolId": f.PoolID, "ClientName": name, "ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH"},
	}, true, &client); err != nil {
		return f, err
	}
	f.Username = name + "-user"
	const password = "Bench1!password"
	if err := call("AdminCreateUser", map[string]any{
		"UserPoolId": f.PoolID, "Username": f.Username, "MessageAction": "SUPPRESS", "TemporaryPassword": "Bench1!temporary",
	}, true, nil); err != nil {
		return f, err
	}
	if err := call("AdminSetUserPassword", map[string]any{
		"UserPoolId": f.PoolID, "Username": f.Username, "Password": password, "Permanent": true,
	}, true, nil); err != nil {
		return f, err
	}
	var auth struct {
		AuthenticationResult struct {
			AccessToken       string
			NewDeviceMetadata struct{ DeviceKey string }
		}
	}
	if err := call("InitiateAuth", map[string]any{
		"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client.UserPoolClient.ClientId,
		"AuthParameters": map[string]string{"USERNAME": f.Username, "PASSWORD": password},
	}, false, &auth); err != nil {
		return f, err
	}
	f.AccessToken = auth.AuthenticationResult.AccessToken
	f.DeviceKey = auth.AuthenticationResult.NewDeviceMetadata.DeviceKey
	if f.AccessToken == "" || f.DeviceKey == "" {
		return f, fmt.Errorf("InitiateAuth: no access token or no new device in the answer")
	}
	if err := call("ConfirmDevice", map[string]any{
		"AccessToken": f.AccessToken, "DeviceKey": f.DeviceKey, "DeviceName": "bench",
	}, false, nil); err != nil {
		return f, err
	}
	return f, nil
}

// Cleanup deletes the pool Provision created.
func Cleanup(ctx context.Context, c *awsjson.Client, f Fixture) error {
	if f.PoolID == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := c.Call(ctx, "DeleteUserPool", map[string]any{"UserPoolId": f.PoolID}, true)
	if err != nil {
		return err
	}
	if resp.Status != 200 {
		return fmt.Errorf("DeleteUserPool: HTTP %d %s", resp.Status, resp.Code)
	}
	return nil
}
