package spec_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cogconform/cogconform/spec"
)

const botocorePath = "testdata/botocore/service-2.json"
const botocoreSHA256 = "fce4a4af97e11638439550a62ec6f7faa750f2adea94fc9b7dd1e5e70a9017c3"

var deviceOperations = []string{
	"AdminForgetDevice", "AdminGetDevice", "AdminListDevices", "AdminUpdateDeviceStatus",
	"ConfirmDevice", "ForgetDevice", "GetDevice", "ListDevices", "UpdateDeviceStatus",
}

func mustLoad(t *testing.T) *spec.Model {
	t.Helper()
	m, err := spec.Load()
	if err != nil {
		t.Fatalf("loading the embedded model: %v", err)
	}
	return m
}

func awsModel(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(botocorePath)
	if err != nil {
		t.Fatalf("reading AWS's model: %v", err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != botocoreSHA256 {
		t.Fatalf("%s has sha256 %s, want the unmodified botocore file %s", botocorePath, got, botocoreSHA256)
	}
	return data
}

func TestEmbeddedModelHasTheNineOperations(t *testing.T) {
	m := mustLoad(t)
	var names []string
	for _, op := range m.Operations {
		names = append(names, op.Name)
		if op.Target != "AWSCognitoIdentityProviderService."+op.Name {
			t.Errorf("%s: target %q", op.Name, op.Target)
		}
		wantAuth := spec.AuthAccessToken
		if strings.HasPrefix(op.Name, "Admin") {
			wantAuth = spec.AuthIAM
		}
		if op.Auth != wantAuth {
			t.Errorf("%s: auth %s, want %s", op.Name, op.Auth, wantAuth)
		}
	}
	if !slices.Equal(names, deviceOperations) {
		t.Fatalf("operations %v, want %v", names, deviceOperations)
	}
	if m.ContentType != "application/x-amz-json-1.1" || m.SigningName != "cognito-idp" {
		t.Errorf("protocol: content type %q, signing name %q", m.ContentType, m.SigningName)
	}
}

// The documentation gives HTTP 400 for every client error and 500 for
// InternalErrorException, not the 480-489 numbering of one page generator.
func TestErrorStatusesAreTheDocumentedOnes(t *testing.T) {
	m := mustLoad(t)
	for _, op := range m.Operations {
		for _, e := range op.Errors {
			want := 400
			if e.Name == "InternalErrorException" {
				want = 500
			}
			if e.Status != want {
				t.Errorf("%s %s: status %d, want %d", op.Name, e.Name, e.Status, want)
			}
		}
		for _, must := range []string{"InternalErrorException", "InvalidParameterException", "OperationNotEnabledException"} {
			if op.Error(must) == nil {
				t.Errorf("%s does not document %s", op.Name, must)
			}
		}
	}
}

func TestCrossCheckAgainstAWSModel(t *testing.T) {
	m := mustLoad(t)
	r, err := spec.CrossCheck(m, awsModel(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range r.Compared {
		t.Log(line)
	}
	t.Logf("compared %d operations, %d members, %d constraint values, %d operation errors with AWS's model",
		len(r.Operations), r.Members, r.Constraints, r.Errors)
	if len(r.Operations) != 9 {
		t.Errorf("compared %d operations, want 9", len(r.Operations))
	}
	// 33 input members and 29 output members, nested ones counted (DeviceType twice per get/list op).
	if r.Members < 60 || r.Errors < 80 {
		t.Errorf("compared only %d members and %d errors: the walk is not reaching the whole model", r.Members, r.Errors)
	}
	for _, d := range r.Differences {
		t.Errorf("differs from AWS: %s", d)
	}
}

// Every error a documentation page lists must be in the model's set for that operation.
func TestSeedPageErrorsAreInTheModel(t *testing.T) {
	m := mustLoad(t)
	pages := map[string]string{ // page → the operation it documents
		"000_76c90af602ede7e2.txt": "UpdateDeviceStatus",
		"001_8b41125fd8f721a1.txt": "UpdateDeviceStatus",
		"002_c1b6b399338baedd.txt": "ForgetDevice",
		"003_25ba0565d33fcdcb.txt": "UpdateDeviceStatus",
		"004_a9453223d8ca9db7.txt": "AdminUpdateDeviceStatus",
	}
	code := regexp.MustCompile(`(?:^|[^A-Za-z])([A-Z][A-Za-z]+Exception)\b`) // "480InvalidParameterException" on some pages
	total := 0
	for page, opName := range pages {
		data, err := os.ReadFile(filepath.Join("testdata", "seeds", page))
		if err != nil {
			t.Fatal(err)
		}
		op := m.Operation(opName)
		seen := map[string]bool{}
		for _, match := range code.FindAllStringSubmatch(string(data), -1) {
			seen[match[1]] = true
		}
		for name := range seen {
			total++
			if op.Error(name) == nil {
				t.Errorf("page %s lists %s for %s; the model does not", page, name, opName)
			}
		}
		t.Logf("page %s (%s): %d error codes, all in the model", page, opName, len(seen))
	}
	if total < 30 {
		t.Errorf("found only %d error mentions in the pages: the page parser is broken", total)
	}
}

// The cross-check must be able to fail: each in-memory alteration must be reported.
func TestCrossCheckReportsEveryAlteration(t *testing.T) {
	awsJSON := awsModel(t)
	intp := func(n int) *int { return &n }
	i64 := func(n int64) *int64 { return &n }
	cases := []struct {
		name   string
		alter  func(m *spec.Model)
		aspect string
	}{
		{"drop an error", func(m *spec.Model) {
			op := m.Operation("UpdateDeviceStatus")
			op.Errors = slices.DeleteFunc(slices.Clone(op.Errors), func(e *spec.ErrorCode) bool { return e.Name == "ForbiddenException" })
		}, "errors"},
		{"add an undocumented error", func(m *spec.Model) {
			op := m.Operation("AdminGetDevice")
			op.Errors = append(slices.Clone(op.Errors), m.Errors["ForbiddenException"])
		}, "errors"},
		{"wrong status", func(m *spec.Model) {
			m.Operation("GetDevice").Error("InternalErrorException").Status = 400
		}, "status of InternalErrorException"},
		{"loosen a length", func(m *spec.Model) {
			m.Operation("ForgetDevice").Input.Member("DeviceKey").Shape.MaxLength = intp(56)
		}, "maxLength"},
		{"raise a minimum length", func(m *spec.Model) {
			m.Operation("AdminGetDevice").Input.Member("Username").Shape.MinLength = 2
		}, "minLength"},
		{"unanchor a pattern", func(m *spec.Model) {
			m.Operation("GetDevice").Input.Member("DeviceKey").Shape.Pattern = `[\w-]+_[0-9a-f-]+`
		}, "pattern"},
		{"widen a pattern", func(m *spec.Model) {
			m.Operation("ListDevices").Input.Member("AccessToken").Shape.Pattern = `^(?:[A-Za-z0-9-_=.+]+)$`
		}, "pattern"},
		{"drop an enum value", func(m *spec.Model) {
			m.Operation("UpdateDeviceStatus").Input.Member("DeviceRememberedStatus").Shape.Enum = []string{"remembered"}
		}, "enum"},
		{"move a range", func(m *spec.Model) {
			m.Operation("ListDevices").Input.Member("Limit").Shape.Maximum = i64(61)
		}, "maximum"},
		{"make a member optional", func(m *spec.Model) {
			m.Operation("ConfirmDevice").Input.Member("DeviceKey").Required = false
		}, "required"},
		{"drop a member", func(m *spec.Model) {
			in := m.Operation("ConfirmDevice").Input
			in.Members = slices.DeleteFunc(slices.Clone(in.Members), func(mm *spec.Member) bool { return mm.Name == "DeviceName" })
		}, "member"},
		{"clear a sensitive flag", func(m *spec.Model) {
			m.Operation("AdminListDevices").Input.Member("Username").Shape.Sensitive = false
		}, "sensitive"},
		{"change a type", func(m *spec.Model) {
			m.Operation("ListDevices").Input.Member("Limit").Shape.Kind = spec.KindString
		}, "type"},
		{"change the auth kind", func(m *spec.Model) {
			m.Operation("ForgetDevice").Auth = spec.AuthIAM
		}, "auth"},
		{"nested output member", func(m *spec.Model) {
			dev := m.Operation("GetDevice").Output.Member("Device").Shape
			dev.Members = slices.DeleteFunc(slices.Clone(dev.Members), func(mm *spec.Member) bool { return mm.Name == "DeviceLastAuthenticatedDate" })
		}, "member"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := mustLoad(t) // a fresh model each time: shapes are shared within one
			tc.alter(m)
			r, err := spec.CrossCheck(m, awsJSON)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, d := range r.Differences {
				if d.Aspect == tc.aspect {
					found = true
					t.Logf("reported: %s", d)
				}
			}
			if !found {
				t.Errorf("alteration %q not reported as %q; got %v", tc.name, tc.aspect, r.Differences)
			}
		})
	}
}

// A broken or inconsistent document fails to load with an error naming what is wrong.
func TestBrokenDocumentsAreRefused(t *testing.T) {
	doc := string(spec.YAML())
	cases := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"missing target",
			"          schema: {type: string, enum: [AWSCognitoIdentityProviderService.GetDevice]}\n",
			"          schema: {type: string}\n",
			[]string{"operation GetDevice", "X-Amz-Target"}},
		{"target for another operation",
			"enum: [AWSCognitoIdentityProviderService.ListDevices]}",
			"enum: [AWSCognitoIdentityProviderService.ListDevicez]}",
			[]string{"operation ListDevices", "ListDevicez"}},
		{"unknown error",
			"                  - $ref: \"#/components/schemas/DeviceKeyExistsException\"\n",
			"                  - $ref: \"#/components/schemas/DeviceNameType\"\n",
			[]string{"operation ConfirmDevice", "unknown error", "DeviceNameType"}},
		{"pattern that does not compile",
			`pattern: '^(?:[\w-]+_[0-9a-zA-Z]+)$'`,
			`pattern: '^(?:[\w-]+_[0-9a-zA-Z+)$'`,
			[]string{"operation Admin", "member UserPoolId", "does not compile"}},
		{"unanchored pattern",
			`pattern: '^(?:[\S]+)$'`,
			`pattern: '[\S]+'`,
			[]string{"member PaginationToken", "not anchored"}},
		{"auth kind disagrees with security",
			"      x-cogconform-auth: access-token\n      security: []\n      parameters:\n        - $ref: \"#/components/parameters/ContentType\"\n        - name: X-Amz-Target\n          in: header\n          required: true\n          schema: {type: string, enum: [AWSCognitoIdentityProviderService.UpdateDeviceStatus]}",
			"      x-cogconform-auth: iam\n      security: []\n      parameters:\n        - $ref: \"#/components/parameters/ContentType\"\n        - name: X-Amz-Target\n          in: header\n          required: true\n          schema: {type: string, enum: [AWSCognitoIdentityProviderService.UpdateDeviceStatus]}",
			[]string{"operation UpdateDeviceStatus", "security"}},
		{"server fault listed as a client error",
			"                  - $ref: \"#/components/schemas/DeviceKeyExistsException\"\n",
			"                  - $ref: \"#/components/schemas/InternalErrorException\"\n",
			[]string{"operation ConfirmDevice", "InternalErrorException", "HTTP 400"}},
		{"issued type on a required member",
			"      x-cogconform-fixture: device-key\n",
			"      x-cogconform-fixture: device-key\n      x-cogconform-issued: true\n",
			[]string{"required member \"DeviceKey\"", "x-cogconform-issued"}},
		{"not YAML", "openapi: 3.0.3", "openapi: [3.0.3", []string{"loading"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(doc, tc.old) {
				t.Fatalf("test is stale: the document no longer contains %q", tc.old)
			}
			_, err := spec.Parse([]byte(strings.Replace(doc, tc.old, tc.new, 1)))
			if err == nil {
				t.Fatal("the broken document loaded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestConstraintsAreDerivedFromTheModel(t *testing.T) {
	m := mustLoad(t)
	counts := map[spec.ConstraintKind]int{}
	for _, op := range m.Operations {
		for _, c := range op.Constraints() {
			counts[c.Kind]++
		}
	}
	t.Logf("constraints over the nine operations: %v", counts)
	upd := m.Operation("UpdateDeviceStatus")
	var got []string
	for _, c := range upd.Constraints() {
		got = append(got, c.String())
	}
	want := []string{
		"AccessToken required", "AccessToken type", "AccessToken pattern",
		"DeviceKey required", "DeviceKey type", "DeviceKey pattern", "DeviceKey length",
		"DeviceRememberedStatus type", "DeviceRememberedStatus enum",
	}
	if !slices.Equal(got, want) {
		t.Errorf("UpdateDeviceStatus constraints:\n got %v\nwant %v", got, want)
	}
	var nested []string
	for _, c := range m.Operation("ConfirmDevice").Constraints() {
		if len(c.Path) > 1 {
			nested = append(nested, c.String())
		}
	}
	if !slices.Contains(nested, "DeviceSecretVerifierConfig.Salt length") {
		t.Errorf("nested constraints not reached: %v", nested)
	}
}
