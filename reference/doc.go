// Package reference is cogconform's embedded Amazon Cognito device endpoint: an AWS
// JSON 1.1 server that follows the documentation of the nine device operations exactly,
// and the same server with one named defect switched on (Defects, Options.Defect).
//
// A conformance harness needs a target it can trust: no check may fail on the
// conformant server, and every check family must fail on the defects that break its
// rule. None of the public emulators implements the device operations (moto and
// cognito-local answer them with 500s), so cogconform carries its own. It is also the
// default target of `cogconform run`, so a new user sees a full run with no setup.
//
// # Operations
//
// The model's device operations (GetDevice, AdminGetDevice, UpdateDeviceStatus,
// AdminUpdateDeviceStatus, ForgetDevice, AdminForgetDevice, ListDevices,
// AdminListDevices, ConfirmDevice), and the user-pool operations a fixture needs:
// CreateUserPool, CreateUserPoolClient, AdminCreateUser, AdminSetUserPassword,
// InitiateAuth (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH), AdminInitiateAuth
// (ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH, REFRESH_TOKEN_AUTH), GlobalSignOut,
// AdminUserGlobalSignOut, AdminDisableUser, AdminEnableUser, AdminDeleteUser and
// DeleteUserPool. State is in memory, guarded by one mutex.
//
// Input validation of the device operations is driven by the spec model, never
// hand-coded per field: a member or constraint changed in the YAML changes what the
// server accepts. The fixture operations describe their inputs in the same typed form
// (spec.Shape) and go through the same validator.
//
// # Order of checks
//
// As AWS does, a request is judged in this order, and the first failure answers:
//
//  1. method: anything but POST is UnknownOperationException (400, JSON);
//  2. X-Amz-Target: missing, wrong service prefix or unknown operation is
//     UnknownOperationException (400);
//  3. Content-Type: application/x-amz-json-1.1 or 1.0 (parameters allowed), else
//     SerializationException (400);
//  4. body: at most MaxBodyBytes; exactly one JSON object (an empty body reads as {});
//     a member of the wrong JSON type is a SerializationException (a type error is
//     a deserialisation error, so it comes before the signature);
//  5. SigV4 signature, Admin operations only (see below);
//  6. constraints of the model: InvalidParameterException, every violation listed;
//  7. the access token (access-token operations);
//  8. existence: pool, user, device.
//
// So an invalid DeviceKey with a garbage token is InvalidParameterException, and an
// unsigned Admin call with an invalid body is MissingAuthenticationTokenException.
//
// # Messages
//
// InvalidParameterException messages have AWS's shape:
//
//	1 validation error detected: Value '!!x!!' at 'deviceKey' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-f-]+
//	2 validation errors detected: <violation>; <violation>
//	Value null at 'deviceKey' failed to satisfy constraint: Member must not be null
//	Value at 'accessToken' failed to satisfy constraint: ... (sensitive: the value is left out)
//
// The member is named by its path of JSON names with each first letter lower-cased
// (deviceSecretVerifierConfig.salt). Constraint texts: "Member must have length less
// than or equal to N", "... greater than or equal to N", "Member must satisfy enum
// value set: [a, b]", "Member must have value less than or equal to N" / "greater than
// or equal to N". Patterns are quoted as AWS writes them, without the model's ^(?:...)$.
// Violations are listed member by member in the model's (sorted) order and, within a
// member, length before pattern before enum. Lengths count Unicode code points, as JSON
// Schema does. null is an absent member; unknown members are ignored.
//
// # Signatures
//
// Admin operations, and the fixture operations that are Admin ones in AWS
// (CreateUserPool, CreateUserPoolClient and DeleteUserPool included), must carry a
// SigV4 signature for service cognito-idp in Options.Region, made with
// Options.AccessKeyID/SecretAccessKey (AWS's documented example pair by default). The
// server signs the request again, as received, with aws-sdk-go-v2's signer and
// compares. All signature errors are HTTP 400, as every other client error of a JSON
// 1.1 service (AWS sends 403 on REST services):
//
//	no Authorization header                      MissingAuthenticationTokenException
//	not AWS4-HMAC-SHA256, a part or X-Amz-Date missing   IncompleteSignatureException
//	unknown access key                           UnrecognizedClientException
//	wrong signature, scope, or date outside ±5 min   InvalidSignatureException
//
// Access-token operations need no signature; a signed one is accepted all the same.
//
// # Tokens
//
// Access and ID tokens are JWTs signed ES256 with a key made per Server (Cognito uses
// RS256; a P-256 key is made in microseconds, so every test and defect server has its
// own). Access-token claims follow Cognito's: sub, iss
// (https://cognito-idp.<region>.amazonaws.com/<pool>), client_id, token_use "access",
// scope "aws.cognito.signin.user.admin", auth_time, iat, exp, jti, username,
// origin_jti, event_id, device_key. Refresh tokens are opaque. Every call verifies
// algorithm, signature, key ID, expiry (Options.Now, Options.TokenTTL), token_use,
// scope, issuer pool and client, user and sub, and session. Refusals are
// NotAuthorizedException: "Invalid Access Token", "Access Token has expired",
// "Access Token has been revoked", "User is disabled.", and, for ForgetDevice and
// GetDevice without their optional AccessToken, "Access Token is missing.".
//
// A token is revoked when GlobalSignOut or AdminUserGlobalSignOut has run for its
// user after the sign-in that issued it: each sign-in is a session (origin_jti), and
// a global sign-out revokes every session of the user, so its access, ID and refresh
// tokens stop working; a later sign-in works. A disabled user's tokens are refused
// until AdminEnableUser; a deleted pool's tokens are invalid.
//
// # Devices
//
// InitiateAuth and AdminInitiateAuth issue a new, unconfirmed device (NewDeviceMetadata:
// DeviceKey "<region>_<uuid v4>", DeviceGroupKey "-<9 alphanumerics>") when the pool
// has a DeviceConfiguration, unless AuthParameters.DEVICE_KEY names one of the user's
// confirmed devices. ConfirmDevice confirms a device issued to the token's user
// (another user's or a never issued key is ResourceNotFoundException, a second
// confirmation DeviceKeyExistsException) and answers UserConfirmationNecessary =
// DeviceOnlyRememberedOnUserPrompt; the device then starts "not_remembered" when the
// user must be prompted and "remembered" otherwise. ChallengeRequiredOnNewDevice is
// stored and reported but changes nothing. Unconfirmed and forgotten devices are
// invisible (ResourceNotFoundException, not listed). A device reports device_status
// "valid", device_name (when ConfirmDevice gave one), last_ip_used and
// dev:device_remembered_status. UpdateDeviceStatus without DeviceRememberedStatus
// changes nothing but the modification date.
//
// An unknown user is UserNotFoundException where the operation documents it, and
// ResourceNotFoundException where it does not (AdminGetDevice, AdminListDevices): the
// server answers only codes the model documents for the operation, besides the
// protocol and signature codes above and InternalErrorException.
//
// ListDevices and AdminListDevices list confirmed devices in creation order. Limit
// absent or 0 means DefaultPageSize (60, the maximum). PaginationToken is opaque:
// base64url of the position after the last device returned, bound to the pool and
// user and MACed with a key made per Server, so a token of another user or server,
// or one never issued, is InvalidParameterException ("Invalid pagination token.").
// Positions survive devices being forgotten between pages.
//
// # Errors
//
// Every answer carries x-amzn-RequestId. Errors are HTTP 400 (500 only for
// InternalErrorException), Content-Type application/x-amz-json-1.1, the header
// x-amzn-ErrorType "<Code>:http://internal.amazon.com/coral/com.amazonaws.swbup.service/"
// and the body {"__type": "<Code>", "message": "..."}. The four operations with an
// empty output answer 200 {}. A panic in a handler is answered 500
// InternalErrorException. The server never logs, and no error message contains a
// token, password or secret key.
package reference
