package reference

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fingerprint is what of an answer a defect may change, with everything that differs
// between two runs of the same row (keys, tokens, dates, IDs) masked.
func fingerprint(rq rawReq, a answer) string {
	var b strings.Builder
	fmt.Fprintf(&b, "status=%d ct=%q code=%q errtype=%v json=%v", a.status, a.contentType, a.code, a.header.Get("x-amzn-ErrorType") != "", a.isJSON)
	if a.status != 200 {
		fmt.Fprintf(&b, " message=%v", a.hasMessage)
		for _, v := range sensitiveValues(rq.body) {
			if strings.Contains(string(a.body), v) {
				b.WriteString(" echoes-sensitive-value")
			}
		}
		return b.String()
	}
	var doc any
	if err := json.Unmarshal(a.body, &doc); err != nil {
		fmt.Fprintf(&b, " body=%q", a.body)
		return b.String()
	}
	masked, _ := json.Marshal(mask(doc))
	fmt.Fprintf(&b, " body=%s", masked)
	return b.String()
}

// stable are the string values a fingerprint keeps: enumerations and attribute names.
var stable = regexp.MustCompile(`^(remembered|not_remembered|valid|Bearer|CONFIRMED|FORCE_CHANGE_PASSWORD|NEW_PASSWORD_REQUIRED|device_status|device_name|last_ip_used|dev:device_remembered_status|[a-z]+-phone|laptop)$`)

func mask(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = mask(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mask(e)
		}
		return out
	case string:
		if stable.MatchString(x) {
			return x
		}
		return "*"
	case float64:
		return 0
	}
	return v
}

// witness names, for each defect, the row of the table whose answer its rule changes.
func witness() map[string]string {
	return map[string]string{
		defPatternSubstring:     "GetDevice/DeviceKey junk around a valid key",
		defPatternAsNotFound:    "GetDevice/DeviceKey junk around a valid key",
		defLengthOffByOne:       "GetDevice/DeviceKey 56 characters",
		defEnumCaseInsensitive:  "UpdateDeviceStatus/status capitalised",
		defRequiredUnchecked:    "GetDevice/DeviceKey missing",
		defMissingParameterCode: "AdminGetDevice/Username missing",
		defValidationException:  "AdminGetDevice/UserPoolId without separator",
		defInvalidArgumentCode:  "ListDevices/Limit 61",
		defRangeUnchecked:       "AdminListDevices/Limit 61",
		defTypeCoerced:          "ListDevices/Limit a string",
		defUndocumentedAuthErr:  "GetDevice/signature altered",
		defDeviceNotFoundCode:   "GetDevice/after forget",
		defNonEmpty200Body:      "AdminForgetDevice/valid",
		defJSONOnSuccess:        "UpdateDeviceStatus/valid remembered",
		defJSON10OnErrors:       "UpdateDeviceStatus/foreign token",
		defNoErrorTypeHeader:    "AdminGetDevice/unsigned",
		defErrorMessageMissing:  "protocol/unknown operation",
		defHTMLOnMalformedJSON:  "protocol/malformed JSON",
		defUnknownOperation500:  "protocol/unknown operation",
		defTargetPrefixIgnored:  "protocol/wrong service prefix",
		defGetNotJSON:           "protocol/GET /",
		defForgetUnknown200:     "ForgetDevice/twice",
		defRememberedNotStored:  "GetDevice/after update remembered",
		defForgottenListed:      "ListDevices/after forget",
		defTokenSigUnchecked:    "GetDevice/forged payload",
		defCrossUserDevice:      "GetDevice/foreign token",
		defRevokedTokenAccepted: "GetDevice/revoked token",
		defAdminUnsigned:        "AdminGetDevice/unsigned",
		defNotAuthorized403:     "GetDevice/expired token",
		defTokenEchoed:          "GetDevice/AccessToken breaks its pattern, not echoed",
		defUsernameEchoed:       "AdminGetDevice/Username with a space, not echoed",
	}
}

// TestEveryDefectChangesAnAnswer proves each defect is real: on its witness row of
// the table, the defect server's answer (status, content type, code, x-amzn-ErrorType,
// message presence, an echoed secret, or the masked body) differs from the conformant
// server's, and the conformant answer is reproducible.
func TestEveryDefectChangesAnAnswer(t *testing.T) {
	rows := map[string]row{}
	for _, r := range tableRows() {
		rows[r.name] = r
	}
	wit := witness()
	base, again := newTarget(t, ""), newTarget(t, "")
	for _, d := range Defects() {
		name, ok := wit[d.Name]
		if !ok {
			t.Errorf("defect %s has no witness row", d.Name)
			continue
		}
		r, ok := rows[name]
		if !ok {
			t.Errorf("defect %s: witness row %q is not in the table", d.Name, name)
			continue
		}
		t.Run(d.Name, func(t *testing.T) {
			base.t, again.t = t, t
			_, rq, a := runRow(base, r)
			want := fingerprint(rq, a)
			if _, rq, a := runRow(again, r); fingerprint(rq, a) != want {
				t.Fatalf("row %q is not reproducible on the conformant server:\n%s\n%s", r.name, want, fingerprint(rq, a))
			}
			tg := newTarget(t, d.Name)
			_, rq, a = runRow(tg, r)
			got := fingerprint(rq, a)
			if got == want {
				t.Fatalf("defect %s does not change the answer to %q:\n%s", d.Name, r.name, got)
			}
			t.Logf("%s\n conformant: %s\n     defect: %s", r.name, truncate(want, 200), truncate(got, 200))
		})
	}
	for name := range wit {
		if _, ok := LookupDefect(name); !ok {
			t.Errorf("witness for unknown defect %s", name)
		}
	}
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// TestDefectCatalogue checks the catalogue's shape: at least 20 defects, unique
// kebab-case names, a one-line rule each, known families, every family covered, and
// New accepting each name and refusing an unknown one with the list of valid names.
func TestDefectCatalogue(t *testing.T) {
	m, err := testModel()
	if err != nil {
		t.Fatal(err)
	}
	ds := Defects()
	if len(ds) < 20 {
		t.Errorf("%d defects, want at least 20", len(ds))
	}
	families := Families()
	covered := map[string]bool{}
	seen := map[string]bool{}
	for _, d := range ds {
		if !kebab.MatchString(d.Name) {
			t.Errorf("%q is not kebab-case", d.Name)
		}
		if seen[d.Name] {
			t.Errorf("%q listed twice", d.Name)
		}
		seen[d.Name] = true
		if d.Rule == "" || strings.Contains(d.Rule, "\n") {
			t.Errorf("%s: the rule must be one non-empty line", d.Name)
		}
		if len(d.Families) == 0 {
			t.Errorf("%s: no family", d.Name)
		}
		for _, f := range d.Families {
			if !slices.Contains(families, f) {
				t.Errorf("%s: unknown family %q", d.Name, f)
			}
			covered[f] = true
		}
		if _, err := New(Options{Model: m, Defect: d.Name}); err != nil {
			t.Errorf("New(%s): %v", d.Name, err)
		}
	}
	for _, f := range families {
		if !covered[f] {
			t.Errorf("no defect is caught by the %s family", f)
		}
	}
	_, err = New(Options{Model: m, Defect: "no-such-defect"})
	if err == nil || !strings.Contains(err.Error(), "pattern-substring") {
		t.Errorf("New with an unknown defect: want an error listing the valid names, got %v", err)
	}
	// A caller may change the slice it got without changing the catalogue.
	ds[0].Name = "changed"
	if Defects()[0].Name == "changed" {
		t.Errorf("Defects shares its slice between callers")
	}
}
