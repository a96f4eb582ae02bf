package reference

import (
	"fmt"
	"slices"
	"strings"
)

// Defect is one named nonconformance the reference target can be switched into. Each
// breaks exactly one documented rule, so that a harness can be shown to catch it with
// the right check family. Families lists the families whose checks test that rule; a
// harness catches the defect when at least one of them fails on it. A defect may make
// checks of other families fail too when they happen to send the request it changes
// (required-unchecked also fails type checks that send null for a required member).
type Defect struct {
	Name     string   // kebab-case slug, e.g. "pattern-substring"
	Rule     string   // one line: the documented rule it breaks
	Families []string // the check families that must catch it
}

// The check families a Defect can name.
const (
	FamilyRequired  = "required"
	FamilyPattern   = "pattern"
	FamilyLength    = "length"
	FamilyEnum      = "enum"
	FamilyRange     = "range"
	FamilyType      = "type"
	FamilyErrorSet  = "error-set"
	FamilyEmptyBody = "empty-body"
	FamilyLifecycle = "lifecycle"
	FamilyAuth      = "auth"
	FamilyProtocol  = "protocol"
	FamilyFormat    = "format"
	FamilySecrecy   = "secrecy"
)

// Families lists every check family, in the order the issue gives them.
func Families() []string {
	return []string{FamilyRequired, FamilyPattern, FamilyLength, FamilyEnum, FamilyRange, FamilyType,
		FamilyErrorSet, FamilyEmptyBody, FamilyLifecycle, FamilyAuth, FamilyProtocol, FamilyFormat, FamilySecrecy}
}

// Defect names. The server consults them at the precise point of the rule each breaks;
// constants rather than literals so that a typo is a compile error, not a defect that
// silently does nothing.
const (
	defPatternSubstring     = "pattern-substring"
	defPatternAsNotFound    = "pattern-as-not-found"
	defLengthOffByOne       = "length-off-by-one"
	defEnumCaseInsensitive  = "enum-case-insensitive"
	defRequiredUnchecked    = "required-unchecked"
	defMissingParameterCode = "missing-parameter-code"
	defValidationException  = "validation-exception-code"
	defInvalidArgumentCode  = "invalid-argument-code"
	defRangeUnchecked       = "range-unchecked"
	defTypeCoerced          = "type-coerced"
	defUndocumentedAuthErr  = "undocumented-auth-error"
	defDeviceNotFoundCode   = "device-not-found-code"
	defNonEmpty200Body      = "non-empty-200-body"
	defJSONOnSuccess        = "json-content-type-on-success"
	defJSON10OnErrors       = "json10-content-type-on-errors"
	defNoErrorTypeHeader    = "no-error-type-header"
	defErrorMessageMissing  = "error-message-missing"
	defHTMLOnMalformedJSON  = "html-error-on-malformed-json"
	defUnknownOperation500  = "unknown-operation-500"
	defTargetPrefixIgnored  = "target-prefix-ignored"
	defGetNotJSON           = "get-not-json"
	defForgetUnknown200     = "forget-unknown-200"
	defRememberedNotStored  = "remembered-status-not-stored"
	defForgottenListed      = "forgotten-device-listed"
	defTokenSigUnchecked    = "token-signature-unchecked"
	defCrossUserDevice      = "cross-user-device-access"
	defRevokedTokenAccepted = "revoked-token-accepted"
	defAdminUnsigned        = "admin-unsigned-accepted"
	defNotAuthorized403     = "not-authorized-403"
	defTokenEchoed          = "token-echoed-in-error"
	defUsernameEchoed       = "username-echoed"
)

// Defects returns the catalogue in a stable order. It is a fresh slice on every call,
// so a caller may sort or trim it without affecting anyone else.
func Defects() []Defect {
	return []Defect{
		{defPatternSubstring, "a member's pattern must match the whole value; this target searches for it anywhere, so DeviceKey '!!us-east-1_1!!' passes", []string{FamilyPattern}},
		{defPatternAsNotFound, "a value that breaks its pattern is InvalidParameterException; this target looks it up anyway and answers ResourceNotFoundException", []string{FamilyPattern}},
		{defLengthOffByOne, "a string longer than its maxLength is InvalidParameterException; this target accepts maxLength+1 (a 56-character DeviceKey)", []string{FamilyLength}},
		{defEnumCaseInsensitive, "enum values are matched exactly; this target accepts DeviceRememberedStatus 'Remembered' and 'NOT_REMEMBERED'", []string{FamilyEnum}},
		{defRequiredUnchecked, "a missing required member is InvalidParameterException 'Member must not be null'; this target does not check and answers from the empty value (ResourceNotFoundException, NotAuthorizedException)", []string{FamilyRequired}},
		{defMissingParameterCode, "a missing required member is InvalidParameterException; this target answers MissingParameter, the EC2/Query-protocol code Cognito never sends", []string{FamilyRequired}},
		{defValidationException, "constraint violations are InvalidParameterException (Cognito has no ValidationException); this target answers ValidationException", []string{FamilyRequired, FamilyPattern, FamilyLength, FamilyEnum, FamilyRange}},
		{defInvalidArgumentCode, "an integer outside its range (Limit 0..60) is InvalidParameterException; this target answers InvalidArgument", []string{FamilyRange}},
		{defRangeUnchecked, "ListDevices Limit must lie in 0..60; this target accepts any integer (Limit 61 answers 200)", []string{FamilyRange}},
		{defTypeCoerced, "a member of the wrong JSON type is a SerializationException; this target coerces scalars (Limit \"10\" read as 10, Username 42 read as \"42\")", []string{FamilyType}},
		{defUndocumentedAuthErr, "an access token that cannot be verified is NotAuthorizedException; this target answers UnauthorizedException, a code no device operation documents", []string{FamilyErrorSet, FamilyAuth}},
		{defDeviceNotFoundCode, "an unknown device is ResourceNotFoundException; this target answers DeviceNotFoundException, a code Cognito does not have", []string{FamilyLifecycle}},
		{defNonEmpty200Body, "an operation with an empty output answers 200 with an empty body or exactly {}; this target sends {\"ResponseMetadata\":{...}}", []string{FamilyEmptyBody}},
		{defJSONOnSuccess, "a successful answer is Content-Type application/x-amz-json-1.1; this target sends application/json on the device operations' 200 answers", []string{FamilyEmptyBody, FamilyFormat}},
		{defJSON10OnErrors, "an error answer is Content-Type application/x-amz-json-1.1; this target sends application/x-amz-json-1.0", []string{FamilyFormat}},
		{defNoErrorTypeHeader, "an error answer carries x-amzn-ErrorType (advisory); this target leaves the header out", []string{FamilyFormat}},
		{defErrorMessageMissing, "an error body is {\"__type\": code, \"message\": text}; this target leaves out message", []string{FamilyFormat}},
		{defHTMLOnMalformedJSON, "a body that is not JSON is a SerializationException with a JSON body; this target answers an HTML error page", []string{FamilyProtocol}},
		{defUnknownOperation500, "an unknown X-Amz-Target is UnknownOperationException (4xx); this target answers 500 InternalFailure", []string{FamilyProtocol}},
		{defTargetPrefixIgnored, "X-Amz-Target must be AWSCognitoIdentityProviderService.<Operation>; this target ignores the service prefix and serves 'Anything.GetDevice'", []string{FamilyProtocol}},
		{defGetNotJSON, "any request that is not a POST is answered with a JSON error; this target answers GET with 405 text/plain", []string{FamilyProtocol}},
		{defForgetUnknown200, "forgetting a device the user does not have is ResourceNotFoundException; this target answers 200 (ForgetDevice and AdminForgetDevice)", []string{FamilyLifecycle}},
		{defRememberedNotStored, "UpdateDeviceStatus changes dev:device_remembered_status; this target answers 200 and keeps the old status", []string{FamilyLifecycle}},
		{defForgottenListed, "a forgotten device is gone; this target hides it from GetDevice but ListDevices still lists it", []string{FamilyLifecycle}},
		{defTokenSigUnchecked, "an access token is verified against Cognito's signing key; this target trusts the claims of any well-formed JWT", []string{FamilyAuth}},
		{defCrossUserDevice, "an access token reaches only its own user's devices; this target finds a device of another user of the pool by its key", []string{FamilyAuth}},
		{defRevokedTokenAccepted, "GlobalSignOut revokes the user's access tokens; this target keeps accepting them", []string{FamilyAuth}},
		{defAdminUnsigned, "Admin operations need a SigV4-signed request (MissingAuthenticationTokenException otherwise); this target serves them unsigned", []string{FamilyAuth}},
		{defNotAuthorized403, "Cognito sends NotAuthorizedException with HTTP 400; this target sends 403 (the status of AWS's Smithy httpError trait, not of the JSON 1.1 service)", []string{FamilyAuth, FamilyErrorSet}},
		{defTokenEchoed, "the AccessToken is sensitive and never appears in an error message; this target echoes it", []string{FamilySecrecy}},
		{defUsernameEchoed, "the Username is sensitive and never appears in an error message; this target echoes it", []string{FamilySecrecy}},
	}
}

// DefectNames lists the catalogue's names in order.
func DefectNames() []string {
	ds := Defects()
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name
	}
	return names
}

// LookupDefect returns the named defect.
func LookupDefect(name string) (Defect, bool) {
	for _, d := range Defects() {
		if d.Name == name {
			return d, true
		}
	}
	return Defect{}, false
}

func checkDefect(name string) error {
	if name == "" {
		return nil
	}
	if _, ok := LookupDefect(name); ok {
		return nil
	}
	names := DefectNames()
	slices.Sort(names)
	return fmt.Errorf("reference: unknown defect %q; valid defects: %s", name, strings.Join(names, ", "))
}
