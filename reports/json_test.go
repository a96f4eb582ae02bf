package reports_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cogconform/cogconform/reports"
)

// compileSchemaFile compiles results.schema.json from the repository, on its
// own, so the tests do not rely on the package's validation code to check the
// package's output.
func compileSchemaFile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile("results.schema.json")
	if err != nil {
		t.Fatalf("results.schema.json does not compile: %v", err)
	}
	return s
}

func validateWithSchema(t *testing.T, s *jsonschema.Schema, data []byte) error {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return s.Validate(doc)
}

func TestEveryWrittenRecordValidatesAgainstTheSchema(t *testing.T) {
	schema := compileSchemaFile(t)
	for name, run := range scenarios() {
		t.Run(name, func(t *testing.T) {
			dir := writeReports(t, run, reports.NewRedactor())
			path := filepath.Join(dir, reports.FileJSON)
			data := []byte(readFile(t, path))
			if err := validateWithSchema(t, schema, data); err != nil {
				t.Fatalf("%s breaks results.schema.json:\n%v", path, err)
			}
			back, err := reports.ReadJSON(path)
			if err != nil {
				t.Fatalf("ReadJSON of a written record: %v", err)
			}
			if len(back.Checks) != len(run.Checks) || back.Level == "" || back.FormatVersion != reports.FormatVersion ||
				back.Tool != "cogconform" || !back.Started.Equal(run.Started) || back.Seed != run.Seed {
				t.Errorf("record did not survive the round trip: %d checks (want %d), level %q, format %d",
					len(back.Checks), len(run.Checks), back.Level, back.FormatVersion)
			}
			// WriteJSON alone writes the same kind of record.
			var b bytes.Buffer
			if err := reports.WriteJSON(&b, run); err != nil {
				t.Fatal(err)
			}
			if err := validateWithSchema(t, schema, b.Bytes()); err != nil {
				t.Fatalf("WriteJSON output breaks the schema: %v", err)
			}
		})
	}
}

func TestSchemaRejectsBrokenRecords(t *testing.T) {
	schema := compileSchemaFile(t)
	var good bytes.Buffer
	if err := reports.WriteJSON(&good, scenarios()["mixed"]); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		break_ func(m map[string]any)
		where  string // expected in the error
	}{
		{"unknown verdict", func(m map[string]any) { check(m, 0)["verdict"] = "maybe" }, "/checks/0/verdict"},
		{"missing checks", func(m map[string]any) { delete(m, "checks") }, "checks"},
		{"unknown level", func(m map[string]any) { m["level"] = "mostly-fine" }, "/level"},
		{"unknown field", func(m map[string]any) { m["extra"] = true }, "extra"},
		{"failure without a reason", func(m map[string]any) { c := failing(m); delete(c, "reason") }, "reason"},
		{"known on a passing check", func(m map[string]any) { c := check(m, 0); c["verdict"] = "pass"; c["known"] = true }, "/checks/0"},
		{"incomplete without a reason", func(m map[string]any) { m["incomplete"] = true; delete(m, "incompleteReason") }, "incompleteReason"},
		{"spec hash not sha256", func(m map[string]any) { m["specSha256"] = "abc" }, "/specSha256"},
		{"negative count", func(m map[string]any) { m["totals"].(map[string]any)["passed"] = -1 }, "/totals/passed"},
		{"seed not an integer", func(m map[string]any) { m["seed"] = 1.5 }, "/seed"},
		{"time not RFC 3339", func(m map[string]any) { m["started"] = "yesterday" }, "/started"},
		{"failed fixture step without its answer", func(m map[string]any) {
			m["fixture"] = []any{map[string]any{"name": "InitiateAuth", "verdict": "fail"}}
		}, "/fixture/0"},
		{"counterexample without a response", func(m map[string]any) {
			delete(failing(m)["counterexample"].(map[string]any), "response")
		}, "response"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(good.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			tc.break_(m)
			bad, _ := json.Marshal(m) // decoded JSON always encodes
			err := validateWithSchema(t, schema, bad)
			if err == nil {
				t.Fatal("the schema accepted a broken record")
			}
			err = reports.ValidateJSON(bad, "bad.json")
			if err == nil {
				t.Fatal("ValidateJSON accepted a broken record")
			}
			if !strings.Contains(err.Error(), "bad.json") || !strings.Contains(err.Error(), tc.where) {
				t.Errorf("error should name the file and %q:\n%v", tc.where, err)
			}
		})
	}
	t.Run("duplicate check ID", func(t *testing.T) {
		var m map[string]any
		if err := json.Unmarshal(good.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		checks := m["checks"].([]any)
		m["checks"] = append(checks, checks[0])
		bad, _ := json.Marshal(m) // decoded JSON always encodes
		if err := reports.ValidateJSON(bad, "dup.json"); err == nil || !strings.Contains(err.Error(), "used twice") {
			t.Errorf("duplicate IDs must be rejected (baselines match by ID), got %v", err)
		}
	})
}

func check(m map[string]any, i int) map[string]any { return m["checks"].([]any)[i].(map[string]any) }

func failing(m map[string]any) map[string]any {
	for _, c := range m["checks"].([]any) {
		if c := c.(map[string]any); c["verdict"] == "fail" && c["counterexample"] != nil {
			return c
		}
	}
	panic("the fake run has no failure with a counterexample")
}

// The schema must describe every field of the model and nothing else, so a field
// added to results.go without a schema entry is caught here, not by a user.
func TestSchemaDescribesEveryField(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(reports.SchemaJSON(), &schema); err != nil {
		t.Fatal(err)
	}
	defs := schema["$defs"].(map[string]any)
	types := map[string]struct {
		typ   reflect.Type
		props map[string]any
	}{
		"Run":            {reflect.TypeOf(reports.Run{}), schema["properties"].(map[string]any)},
		"Step":           {reflect.TypeOf(reports.Step{}), defs["step"].(map[string]any)["properties"].(map[string]any)},
		"Check":          {reflect.TypeOf(reports.Check{}), defs["check"].(map[string]any)["properties"].(map[string]any)},
		"Counterexample": {reflect.TypeOf(reports.Counterexample{}), defs["counterexample"].(map[string]any)["properties"].(map[string]any)},
		"Response":       {reflect.TypeOf(reports.Response{}), defs["response"].(map[string]any)["properties"].(map[string]any)},
		"Totals":         {reflect.TypeOf(reports.Totals{}), defs["totals"].(map[string]any)["properties"].(map[string]any)},
		"Baseline":       {reflect.TypeOf(reports.Baseline{}), defs["baseline"].(map[string]any)["properties"].(map[string]any)},
		"Finding":        {reflect.TypeOf(reports.Finding{}), defs["finding"].(map[string]any)["properties"].(map[string]any)},
	}
	for name, tp := range types {
		var fields []string
		for i := range tp.typ.NumField() {
			tag := strings.Split(tp.typ.Field(i).Tag.Get("json"), ",")[0]
			if tag == "" || tag == "-" {
				t.Errorf("%s.%s has no JSON name", name, tp.typ.Field(i).Name)
				continue
			}
			fields = append(fields, tag)
			if _, ok := tp.props[tag]; !ok {
				t.Errorf("%s.%s (%q) is not in results.schema.json", name, tp.typ.Field(i).Name, tag)
			}
		}
		var props []string
		for p := range tp.props {
			props = append(props, p)
		}
		sort.Strings(props)
		sort.Strings(fields)
		if len(props) != len(fields) {
			t.Errorf("%s: schema has %v, the type has %v", name, props, fields)
		}
	}
	levels := schema["properties"].(map[string]any)["level"].(map[string]any)["enum"].([]any)
	var got []string
	for _, l := range levels {
		got = append(got, l.(string))
	}
	if !reflect.DeepEqual(got, reports.Levels()) {
		t.Errorf("schema levels %v, package levels %v", got, reports.Levels())
	}
	onDisk, err := os.ReadFile("results.schema.json")
	if err != nil || !bytes.Equal(onDisk, reports.SchemaJSON()) {
		t.Errorf("the embedded schema differs from results.schema.json (%v)", err)
	}
}

func TestReadJSONErrorsNameTheFileAndTheProblem(t *testing.T) {
	dir := t.TempDir()
	var good bytes.Buffer
	if err := reports.WriteJSON(&good, scenarios()["mixed"]); err != nil {
		t.Fatal(err)
	}
	newer := strings.Replace(good.String(), `"formatVersion": 1`, `"formatVersion": 2`, 1)
	cases := map[string]struct {
		content *string
		want    string
	}{
		"missing.json":   {nil, "no such file"},
		"empty.json":     {ptr("  \n"), "the file is empty"},
		"truncated.json": {ptr(good.String()[:good.Len()/2]), "ends early"},
		"syntax.json":    {ptr("{\n  \"tool\": \"cogconform\",\n  oops\n}"), "line 3, column 3"},
		"array.json":     {ptr("[1,2]"), "top level is not a JSON object"},
		"two.json":       {ptr("{} {}"), "more than one JSON value"},
		"newer.json":     {&newer, "layout 2"},
		"other.json":     {ptr(`{"name":"some other tool"}`), "not a valid results record"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if tc.content != nil {
				if err := os.WriteFile(path, []byte(*tc.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			run, err := reports.ReadJSON(path)
			if err == nil {
				t.Fatalf("ReadJSON accepted %s: %+v", name, run)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error should name %s and say %q:\n%v", path, tc.want, err)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestRecordHoldsTheCertificationFacts(t *testing.T) {
	run := scenarios()["mixed"]
	dir := writeReports(t, run, reports.NewRedactor())
	var m map[string]any
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, reports.FileJSON))), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "specSha256", "endpoint", "started", "finished", "seed", "options", "checks", "totals", "level", "baseline", "findings"} {
		if _, ok := m[k]; !ok {
			t.Errorf("results.json lacks %q", k)
		}
	}
	if m["started"] != run.Started.Format(time.RFC3339) || m["level"] != reports.LevelNonconformant {
		t.Errorf("started %v level %v", m["started"], m["level"])
	}
	f := failing(m)
	if f["counterexample"].(map[string]any)["curl"] == "" {
		t.Error("a failing check's counterexample has no curl line")
	}
}
