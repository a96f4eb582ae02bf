package reports_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/reports/internal/fakerun"
)

var markerRE = regexp.MustCompile(`«redacted:[0-9a-f]{6}»`)

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s) // a string always encodes
	return string(b[1 : len(b)-1])
}

func TestRedactorRegisteredSecretsInEveryForm(t *testing.T) {
	sec := fakerun.NewSecrets()
	red := reports.NewRedactor()
	red.Add(sec.Password, sec.AccessToken)
	mark := red.Mark(sec.Password)
	if !markerRE.MatchString(mark) {
		t.Fatalf("marker %q is not «redacted:xxxxxx»", mark)
	}
	forms := map[string]string{
		"raw":            "password is " + sec.Password + ".",
		"JSON-escaped":   `{"note":"` + jsonEscaped(sec.Password) + `"}`,
		"double-escaped": jsonEscaped(`{"note":"` + jsonEscaped(sec.Password) + `"}`),
		"query-encoded":  "https://h/?p=" + url.QueryEscape(sec.Password),
		"path-encoded":   "https://h/" + url.PathEscape(sec.Password),
		"cut excerpt":    "echo: " + sec.Password[:14] + "…",
		"cut at the end": "echo: " + sec.Password[:14],
	}
	for name, in := range forms {
		out := red.String(in)
		if strings.Contains(out, sec.Password[:12]) {
			t.Errorf("%s: the password survived: %q", name, out)
		}
		if !strings.Contains(out, mark) {
			t.Errorf("%s: %q lacks the password's marker %s", name, out, mark)
		}
	}
	if red.Mark(sec.Password) != mark {
		t.Error("Mark is not stable for one secret")
	}
	if red.Mark(sec.AccessToken) == mark {
		t.Error("two secrets share a marker")
	}
	if reports.NewRedactor().Mark(sec.Password) == mark {
		t.Error("markers must be keyed per Redactor so they cannot be matched against guesses offline")
	}
}

func TestRedactorDoesNotSplitAnotherTokenWithTheSamePrefix(t *testing.T) {
	sec := fakerun.NewSecrets()
	red := reports.NewRedactor()
	red.Add(sec.AccessToken)
	// Another token from the same issuer: same header, different payload.
	parts := strings.SplitN(sec.AccessToken, ".", 3)
	other := parts[0] + ".eyJzdWIiOiJib2IiLCJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJlLW9mLWJvYg"
	out := red.String("mine " + sec.AccessToken + " theirs " + other)
	if strings.Count(out, red.Mark(sec.AccessToken)) != 1 {
		t.Errorf("the registered token's marker should appear once: %q", out)
	}
	if strings.Contains(out, "eyJzdWIiOiJib2Ii") || !strings.Contains(out, red.Mark(other)) {
		t.Errorf("the other token must be masked whole under its own marker: %q", out)
	}
}

func TestRedactorMasksSecretShapesNeverRegistered(t *testing.T) {
	sec := fakerun.NewSecrets()
	red := reports.NewRedactor() // nothing registered
	cases := []struct {
		name, in string
		gone     []string // must not survive
	}{
		{"JWT", "token " + sec.AccessToken + " rejected", []string{sec.AccessToken[:20], "eyJ"}},
		{"JWT cut short", "token " + sec.AccessToken[:60], []string{sec.AccessToken[:20]}},
		{"Authorization header in curl", "curl -H 'Authorization: " + sec.Authorization + "' -d '{}'", []string{"Credential=AKIA", sec.Signature[:16]}},
		{"Authorization in JSON headers", `{"Authorization":"` + sec.Authorization + `","X-Amz-Target":"x"}`, []string{"AKIAZ7Q4", sec.Signature[:16]}},
		{"Authorization in escaped JSON", jsonEscaped(`{"Authorization":"` + sec.Authorization + `"}`), []string{"AKIAZ7Q4", sec.Signature[:16]}},
		{"bare SigV4 signature", "X-Amz-Signature=" + sec.Signature + "&x=1", []string{sec.Signature[:16]}},
		{"Bearer token", "sent Bearer abcdefghijklmnop1234", []string{"abcdefghijklmnop1234"}},
		{"X-Amz-Security-Token header", "X-Amz-Security-Token: " + sec.SessionToken, []string{sec.SessionToken[:20]}},
		{"X-Amz-Security-Token query", "?X-Amz-Security-Token=" + url.QueryEscape(sec.SessionToken) + "&X-Amz-Date=1", []string{url.QueryEscape(sec.SessionToken)[:20]}},
		{"secret key after the word secret", "aws_secret_access_key = " + sec.SecretAccessKey, []string{sec.SecretAccessKey}},
		{"secret key in curl --user", "--user 'AKIAZ7Q4EXAMPLE3KEYX:" + sec.SecretAccessKey + "'", []string{sec.SecretAccessKey}},
		{"credentials in a URL", "https://alice:hunter2pass@example.test/", []string{"hunter2pass"}},
		{"ConfirmDevice verifier", `{"DeviceSecretVerifierConfig":{"PasswordVerifier":"` + sec.PasswordVerifier + `","Salt":"` + sec.Salt + `"}}`, []string{sec.PasswordVerifier[:20], sec.Salt}},
		{"verifier cut by an excerpt", `{"PasswordVerifier":"` + sec.PasswordVerifier[:50], []string{sec.PasswordVerifier[:20]}},
		{"escaped password with a quote", jsonEscaped(`{"Password":"a\"b` + "sEcReT1" + `"}`), []string{"sEcReT1"}},
	}
	for _, name := range []string{"AccessToken", "RefreshToken", "IdToken", "Password", "PASSWORD", "TemporaryPassword",
		"PasswordVerifier", "Salt", "SecretAccessKey", "SecretHash", "Session", "accessToken", "SECRET_HASH", "NEW_PASSWORD"} {
		cases = append(cases, struct {
			name, in string
			gone     []string
		}{"member " + name, `{"` + name + `": "v@lue-of-` + name + `", "DeviceKey": "us-east-1_ab"}`, []string{"v@lue-of-"}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := red.String(tc.in)
			for _, g := range tc.gone {
				if strings.Contains(out, g) {
					t.Errorf("%q survived in %q", g, out)
				}
			}
			if !markerRE.MatchString(out) {
				t.Errorf("no marker in %q", out)
			}
			// The suites redact messages before the writers do it again: a
			// second pass must change nothing.
			if again := red.String(out); again != out {
				t.Errorf("redacting twice changed %q to %q", out, again)
			}
		})
	}
}

func TestRedactorLeavesHarmlessTextAlone(t *testing.T) {
	red := reports.NewRedactor()
	red.Add("abc") // too short to register: it would erase text everywhere
	for _, s := range []string{
		`{"DeviceKey":"us-east-1_3b1f9c2e-4d5a-4e6b-8c7d-9e0f1a2b3c4d","UserPoolId":"us-east-1_Ab12Cd34E","Username":"cc-alice"}`,
		`{"Password":"","AccessToken":"$ACCESS_TOKEN"}`,
		`curl --aws-sigv4 'aws:amz:us-east-1:cognito-idp' --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H 'Authorization: <signature>'`,
		"1 validation error detected: Value at 'accessToken' failed to satisfy constraint",
		"Authorization header missing; 0123456789abcdef0123456789abcdef01234567 is a sha1",
		"http://127.0.0.1:49152/ answered abc",
	} {
		if out := red.String(s); out != s {
			t.Errorf("changed harmless text:\n in  %q\n out %q", s, out)
		}
	}
}

func TestRedactorRunReachesEveryString(t *testing.T) {
	const secret = "Sup3r-s3cret-value-0042"
	red := reports.NewRedactor()
	red.Add(secret)
	run := &reports.Run{}
	fill(reflect.ValueOf(run).Elem(), "x "+secret+" y")
	before, _ := json.Marshal(run)

	out := red.Run(run)
	var leaks []string
	walkStrings(reflect.ValueOf(out).Elem(), "Run", func(path, s string) {
		if strings.Contains(s, secret) {
			leaks = append(leaks, path)
		}
	})
	if len(leaks) > 0 {
		t.Errorf("the secret survived Redactor.Run in %v", leaks)
	}
	var visited int
	walkStrings(reflect.ValueOf(out).Elem(), "Run", func(string, string) { visited++ })
	if visited < 40 {
		t.Errorf("only %d strings in the filled run: fill does not reach the model", visited)
	}
	after, _ := json.Marshal(run)
	if !bytes.Equal(before, after) {
		t.Error("Redactor.Run modified its input")
	}
	if !out.Started.Equal(run.Started) || out.Seed != run.Seed || out.Checks[0].Cases != run.Checks[0].Cases {
		t.Error("Redactor.Run lost non-string values")
	}
}

// fill sets every string at any depth of v to s, growing slices, maps and
// pointers so that each field of the model holds one.
func fill(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint64:
		v.SetUint(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), s)
		v.Set(p)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), s)
		}
	case reflect.Slice:
		sl := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(sl.Index(i), s)
		}
		v.Set(sl)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for _, k := range []string{"Authorization", "plain-" + s} {
			val := reflect.New(v.Type().Elem()).Elem()
			fill(val, s)
			m.SetMapIndex(reflect.ValueOf(k), val)
		}
		v.Set(m)
	}
}

func walkStrings(v reflect.Value, path string, f func(path, s string)) {
	switch v.Kind() {
	case reflect.String:
		f(path, v.String())
	case reflect.Pointer:
		if !v.IsNil() {
			walkStrings(v.Elem(), path, f)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return
		}
		for i := range v.NumField() {
			walkStrings(v.Field(i), path+"."+v.Type().Field(i).Name, f)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkStrings(v.Index(i), fmt.Sprintf("%s[%d]", path, i), f)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			f(path+"{key}", iter.Key().String())
			walkStrings(iter.Value(), path+"["+iter.Key().String()+"]", f)
		}
	}
}

func TestRedactorSensitiveMapKeysMaskedWhole(t *testing.T) {
	red := reports.NewRedactor()
	run := &reports.Run{
		Options: map[string]string{"client-secret": "plainvalue1", "region": "us-east-1", "session-token": "$AWS_SESSION_TOKEN"},
		Checks: []reports.Check{{ID: "a/b/c", Counterexample: &reports.Counterexample{
			Headers: map[string]string{"authorization": "AWS4-HMAC-SHA256 whatever", "Cookie": "sid=1234567", "X-Amz-Target": "T"}}}},
	}
	out := red.Run(run)
	if v := out.Options["client-secret"]; v != red.Mark("plainvalue1") {
		t.Errorf("client-secret option = %q, want its marker", v)
	}
	if out.Options["region"] != "us-east-1" || out.Options["session-token"] != "$AWS_SESSION_TOKEN" {
		t.Errorf("harmless options changed: %v", out.Options)
	}
	h := out.Checks[0].Counterexample.Headers
	if !markerRE.MatchString(h["authorization"]) || !markerRE.MatchString(h["Cookie"]) || h["X-Amz-Target"] != "T" {
		t.Errorf("headers = %v, want credential headers masked and others kept", h)
	}
}

func TestRedactorConcurrentUse(t *testing.T) {
	red := reports.NewRedactor()
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			secret := fmt.Sprintf("concurrent-secret-%02d-xyz", i)
			red.Add(secret)
			for range 50 {
				if out := red.String("a " + secret + " b"); strings.Contains(out, secret) {
					errs <- out
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("secret survived under concurrent use: %q", e)
	}
}

func TestRedactorWriterRedactsLines(t *testing.T) {
	sec := fakerun.NewSecrets()
	red := reports.NewRedactor()
	red.Add(sec.Password)
	var out bytes.Buffer
	w := red.Writer(&out)
	// The secret arrives split across writes, as a console line may.
	half := len(sec.Password) / 2
	fmt.Fprintf(w, "login with %s", sec.Password[:half])
	fmt.Fprintf(w, "%s ok\nlast line %s", sec.Password[half:], sec.Password)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), sec.Password[:half]) || strings.Count(out.String(), red.Mark(sec.Password)) != 2 {
		t.Errorf("console output = %q", out.String())
	}
}

// BenchmarkRedactorRun redacts a whole run with as many registered secrets as a
// default run collects (about 800 forms: every sign-in's three tokens, every
// confirmation's salt and verifier, each in its encodings).
func BenchmarkRedactorRun(b *testing.B) {
	sec := fakerun.NewSecrets()
	red := reports.NewRedactor()
	for _, v := range sec.All() {
		red.Add(v)
	}
	for i := range 40 {
		tok := func(use string) string {
			return fmt.Sprintf("eyJraWQiOiJjb2djb25mb3JtIiwiYWxnIjoiRVMyNTYifQ.%s%04d.c2ln%08x", use, i, i*7919)
		}
		red.Add(tok("access"), tok("id"), tok("refresh"), fmt.Sprintf("%032x", i*104729), fmt.Sprintf("%0128x", i*1299709))
	}
	run := fakerun.Mixed(sec)
	b.ReportAllocs()
	for b.Loop() {
		red.Run(run)
	}
}
