package generators_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/spec"
)

var (
	modelOnce sync.Once
	model     *spec.Model
	modelErr  error
)

func loadModel(t testing.TB) *spec.Model {
	t.Helper()
	modelOnce.Do(func() { model, modelErr = spec.Load() })
	if modelErr != nil {
		t.Fatalf("loading the model: %v", modelErr)
	}
	return model
}

// checks is how many cases rapid runs per property (the -rapid.checks flag, which
// TestMain defaults to 10 000).
func checks(t testing.TB) int {
	t.Helper()
	n, err := strconv.Atoi(flag.Lookup("rapid.checks").Value.String())
	if err != nil {
		t.Fatalf("reading -rapid.checks: %v", err)
	}
	if testing.Short() {
		n /= 5 // as rapid itself does
	}
	return n
}

// checkN runs a property with n cases instead of -rapid.checks, for sweeps that run
// one small property per constraint and variant. Tests using it must not be parallel.
func checkN(t *testing.T, n int, prop func(*rapid.T)) {
	t.Helper()
	f := flag.Lookup("rapid.checks")
	old := f.Value.String()
	if err := f.Value.Set(strconv.Itoa(n)); err != nil {
		t.Fatalf("setting -rapid.checks: %v", err)
	}
	defer func() { _ = f.Value.Set(old) }()
	rapid.Check(t, prop)
}

// violation is one rule the oracle says a value breaks.
type violation struct {
	Kind  spec.ConstraintKind // or "other:<field>" for a schema field the model does not use
	Field string              // kin-openapi's SchemaField
	Path  string              // JSON pointer of the value, "/"-joined member names
}

func (v violation) String() string { return fmt.Sprintf("%s(%s) at %q", v.Kind, v.Field, v.Path) }

// oracle validates a value, as it travels (encoded to JSON and decoded again), against
// a schema of the model with kin-openapi, collecting every violation.
func oracle(schema *openapi3.Schema, value any) ([]violation, error) {
	data, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("encoding %#v: %w", value, err)
	}
	var decoded any
	if err := json.Unmarshal(data, &decoded); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", data, err)
	}
	verr := schema.VisitJSON(decoded, openapi3.MultiErrors())
	if verr == nil {
		return nil, nil
	}
	var out []violation
	var walk func(e error) error
	walk = func(e error) error {
		switch e := e.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				if err := walk(inner); err != nil {
					return err
				}
			}
			return nil
		case *openapi3.SchemaError:
			out = append(out, violation{Kind: kindOf(e), Field: e.SchemaField, Path: strings.Join(e.JSONPointer(), "/")})
			return nil
		}
		return fmt.Errorf("kin-openapi returned %T, not a schema error: %w", e, e)
	}
	if err := walk(verr); err != nil {
		return nil, err
	}
	return out, nil
}

// kindOf maps kin-openapi's schema field to the model's constraint kinds.
func kindOf(e *openapi3.SchemaError) spec.ConstraintKind {
	switch e.SchemaField {
	case "pattern":
		return spec.ConstraintPattern
	case "minLength", "maxLength":
		return spec.ConstraintLength
	case "enum":
		// kin-openapi checks enum before type and stops there, so a number where a
		// string enum is expected is reported as an enum miss; JSON Schema would
		// report both. The type is the rule such a value breaks first.
		if e.Schema != nil && !e.Schema.Type.Permits(jsonType(e.Value)) {
			return spec.ConstraintType
		}
		return spec.ConstraintEnum
	case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
		return spec.ConstraintRange
	case "format":
		// int32 is a range the wire type puts on an integer.
		if e.Schema != nil && e.Schema.Type.Is("integer") {
			return spec.ConstraintRange
		}
	case "type", "nullable":
		return spec.ConstraintType
	case "required":
		return spec.ConstraintRequired
	}
	return spec.ConstraintKind("other:" + e.SchemaField)
}

// jsonType names the JSON type of a decoded value as OpenAPI does.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// allConstraints returns every constraint of every operation.
func allConstraints(m *spec.Model) []spec.Constraint {
	var out []spec.Constraint
	for _, op := range m.Operations {
		out = append(out, op.Constraints()...)
	}
	return out
}

func shapeName(s *spec.Shape) string {
	if s.Name != "" {
		return s.Name
	}
	return "inline-" + string(s.Kind)
}
