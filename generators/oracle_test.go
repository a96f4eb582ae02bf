package generators_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/generators"
	"github.com/cogconform/cogconform/spec"
)

// The oracle is only independent if it reads patterns the way AWS does: Go's regexp
// dialect (the one the spec package compiles), over the whole value.
func TestOracleMatchesWholeValuesWithGoRegexp(t *testing.T) {
	m := loadModel(t)
	in := m.Operation("AdminGetDevice").Input
	cases := []struct {
		member, value string
		valid         bool
	}{
		{"DeviceKey", "a_1", true},
		{"DeviceKey", "!!a_1!!", false}, // a search would accept it
		{"DeviceKey", "a_1\n", false},   // Go's $ is end of text, not before a final newline
		{"Username", "ü̈€!9", true},     // \p{L}\p{M}\p{S}\p{P}\p{N}: Unicode classes work
		{"Username", "a b", false},
		{"UserPoolId", "us-east-1_EXAMPLE", true},
	}
	for _, c := range cases {
		s := in.Member(c.member).Shape
		vs, err := oracle(s.Schema, c.value)
		if err != nil {
			t.Fatalf("%s %q: %v", c.member, c.value, err)
		}
		if got := len(vs) == 0; got != c.valid {
			t.Errorf("%s %q: oracle says valid=%v (%v), want %v", c.member, c.value, got, vs, c.valid)
		}
		if want := s.Regexp.MatchString(c.value); want != c.valid {
			t.Errorf("%s %q: the spec's own regexp says %v, the table %v", c.member, c.value, want, c.valid)
		}
	}
}

// Every valid value of every shape of the model, inputs and outputs, passes the oracle
// and has one of the JSON-ready Go types the suites rely on.
func TestValidValuesPassTheOracle(t *testing.T) {
	m := loadModel(t)
	shapes := m.Shapes()
	gens := make([]*rapid.Generator[any], len(shapes))
	for i, s := range shapes {
		gens[i] = generators.Valid(s)
	}
	seen := map[string]int{}
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		i := rapid.IntRange(0, len(shapes)-1).Draw(t, "shape")
		s := shapes[i]
		v := gens[i].Draw(t, shapeName(s))
		n++
		seen[shapeName(s)]++
		if err := jsonReady(v); err != "" {
			t.Fatalf("%s: %s", shapeName(s), err)
		}
		vs, err := oracle(s.Schema, v)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) > 0 {
			t.Fatalf("%s: valid value %s breaks %v", shapeName(s), abbreviate(v), vs)
		}
	})
	if n < checks(t) {
		t.Errorf("ran %d cases, want at least %d", n, checks(t))
	}
	for _, s := range shapes {
		if seen[shapeName(s)] == 0 {
			t.Errorf("shape %s never drawn", shapeName(s))
		}
	}
	t.Logf("%d valid values over %d shapes", n, len(shapes))
}

// Every valid request of every operation passes the oracle (the operation's whole
// request-body schema), holds every required member, and the optional members come
// and go.
func TestValidRequestsPassTheOracle(t *testing.T) {
	m := loadModel(t)
	gens := make([]*rapid.Generator[map[string]any], len(m.Operations))
	for i, op := range m.Operations {
		gens[i] = generators.Request(op)
	}
	present := map[string]int{}
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		i := rapid.IntRange(0, len(m.Operations)-1).Draw(t, "operation")
		op := m.Operations[i]
		req := gens[i].Draw(t, op.Name)
		n++
		vs, err := oracle(op.Input.Schema, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) > 0 {
			t.Fatalf("%s: valid request %s breaks %v", op.Name, abbreviate(req), vs)
		}
		for _, mem := range op.Input.Members {
			_, ok := req[mem.Name]
			if mem.Required && !ok {
				t.Fatalf("%s: required %s missing from %s", op.Name, mem.Name, abbreviate(req))
			}
			if ok {
				present[op.Name+"."+mem.Name]++
			}
		}
	})
	if n < checks(t) {
		t.Errorf("ran %d cases, want at least %d", n, checks(t))
	}
	// Over thousands of draws, every optional member is both sent and left out.
	perOp := n / len(m.Operations)
	for _, op := range m.Operations {
		for _, mem := range op.Input.Members {
			k := op.Name + "." + mem.Name
			if !mem.Required && (present[k] == 0 || present[k] > perOp*95/100) {
				t.Errorf("optional %s present in %d of ~%d requests: want a real mix", k, present[k], perOp)
			}
		}
	}
}

// Every invalid case fails the oracle for its constraint only: each violation is of
// the intended kind (or one the case declares unavoidable) and at the constrained
// member; the rest of the request is valid.
func TestInvalidCasesBreakOnlyTheirConstraint(t *testing.T) {
	m := loadModel(t)
	cs := allConstraints(m)
	gens := make([]*rapid.Generator[generators.Case], len(cs))
	variants := make([][]string, len(cs))
	for i, c := range cs {
		gens[i] = generators.Invalid(c)
		variants[i] = generators.Variants(c)
	}
	perVariant := map[string]int{}
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		i := rapid.IntRange(0, len(cs)-1).Draw(t, "constraint")
		k := gens[i].Draw(t, cs[i].String())
		n++
		perVariant[string(cs[i].Kind)+"/"+k.Variant]++
		if msg := judge(cs[i], variants[i], k); msg != "" {
			t.Fatal(msg)
		}
	})
	if n < checks(t) {
		t.Errorf("ran %d cases, want at least %d", n, checks(t))
	}
	t.Logf("%d invalid cases over %d constraints; per kind/variant: %v", n, len(cs), perVariant)
}

// Every variant of every constraint, separately: rare variants get as many cases as
// common ones, and a variant that cannot be made for some member shows up by name.
func TestEveryVariantBreaksOnlyItsConstraint(t *testing.T) {
	m := loadModel(t)
	per := 40
	if testing.Short() {
		per = 10
	}
	total := 0
	for _, c := range allConstraints(m) {
		variants := generators.Variants(c)
		for _, v := range variants {
			g := generators.InvalidVariant(c, v)
			t.Run(c.Operation.Name+"/"+c.MemberPath()+"/"+string(c.Kind)+"/"+v, func(t *testing.T) {
				checkN(t, per, func(t *rapid.T) {
					k := g.Draw(t, "case")
					total++
					if k.Variant != v {
						t.Fatalf("asked for variant %s, got %s", v, k.Variant)
					}
					if msg := judge(c, variants, k); msg != "" {
						t.Fatal(msg)
					}
				})
			})
		}
	}
	t.Logf("%d cases", total)
}

// judge checks one case against the oracle and its own promises; it returns what is
// wrong, or "".
func judge(c spec.Constraint, variants []string, k generators.Case) string {
	if k.Constraint.Operation != c.Operation || !slices.Equal(k.Constraint.Path, c.Path) || k.Constraint.Kind != c.Kind {
		return "case for " + k.Constraint.String() + ", asked for " + c.String()
	}
	if !slices.Contains(variants, k.Variant) {
		return "variant " + k.Variant + " is not listed by Variants"
	}
	// The value is where the constraint says, or absent when omitted.
	obj := k.Request
	for _, name := range c.Path[:len(c.Path)-1] {
		next, ok := obj[name].(map[string]any)
		if !ok {
			return "parent " + name + " of " + c.MemberPath() + " is not an object in " + abbreviate(k.Request)
		}
		obj = next
	}
	got, present := obj[c.Path[len(c.Path)-1]]
	if k.Omitted != !present || (present && !reflect.DeepEqual(got, k.Value)) {
		return "Value/Omitted disagree with the request: " + abbreviate(k.Request)
	}
	if k.Omitted != (c.Kind == spec.ConstraintRequired) {
		return "only the required rule omits a member"
	}
	// Expected codes.
	want := []string{"InvalidParameterException"}
	if c.Kind == spec.ConstraintType && k.Variant != "null" || k.Variant == "int32-overflow" {
		want = []string{"SerializationException", "InvalidParameterException"}
	}
	if !slices.Equal(k.Expect, want) {
		return "expects " + strings.Join(k.Expect, ",") + ", want " + strings.Join(want, ",")
	}
	if k.Variant == "null" && !c.Member.Required {
		return "null for optional member " + c.MemberPath() + ": AWS reads it as absent, which is valid"
	}
	// Second broken rules are allowed only where unavoidable: the empty string as
	// min-1 of a string whose pattern needs at least one character.
	if len(k.AlsoBreaks) > 0 {
		s := c.Member.Shape
		if c.Kind != spec.ConstraintLength || k.Value != "" || !slices.Equal(k.AlsoBreaks, []spec.ConstraintKind{spec.ConstraintPattern}) || s.Regexp == nil || s.Regexp.MatchString("") {
			return "also breaks " + kinds(k.AlsoBreaks) + " where that is avoidable: " + k.Description()
		}
	}
	// The description names the member, the rule and the expected code.
	for _, part := range []string{c.MemberPath(), string(c.Kind), "expect " + want[0]} {
		if !strings.Contains(k.Description(), part) {
			return "description " + k.Description() + " does not say " + part
		}
	}
	// The harness caps bodies: even "far beyond" stays well under 300 KB.
	body, err := json.Marshal(k.Request)
	if err != nil {
		return "request does not encode: " + err.Error()
	}
	if len(body) > 300_000 {
		return "request body is " + strconv.Itoa(len(body)) + " bytes"
	}
	// The oracle: exactly the intended kinds (plus the declared unavoidable ones), all at the member.
	vs, err := oracle(c.Operation.Input.Schema, k.Request)
	if err != nil {
		return err.Error()
	}
	wantKinds := append([]spec.ConstraintKind{c.Kind}, k.AlsoBreaks...)
	var gotKinds []spec.ConstraintKind
	for _, v := range vs {
		if v.Path != strings.Join(c.Path, "/") {
			return "oracle finds " + v.String() + " away from " + c.MemberPath() + ": " + k.Description()
		}
		if !slices.Contains(gotKinds, v.Kind) {
			gotKinds = append(gotKinds, v.Kind)
		}
	}
	slices.Sort(gotKinds)
	slices.Sort(wantKinds)
	if !slices.Equal(gotKinds, wantKinds) {
		return "oracle finds " + kinds(gotKinds) + " " + violations(vs) + ", want exactly " + kinds(wantKinds) + ": " + k.Description()
	}
	return ""
}

func kinds(ks []spec.ConstraintKind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return "[" + strings.Join(s, " ") + "]"
}

func violations(vs []violation) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// abbreviate renders a value as JSON, cut to a readable size.
func abbreviate(v any) string {
	s := jsonText(v)
	if r := []rune(s); len(r) > 300 {
		return string(r[:200]) + "…" + string(r[len(r)-50:])
	}
	return s
}

// jsonReady says what is wrong with a value that is not made of the JSON-ready Go
// types Valid promises, or "".
func jsonReady(v any) string {
	switch v := v.(type) {
	case string, int64, bool, float64:
		return ""
	case map[string]any:
		for k, e := range v {
			if msg := jsonReady(e); msg != "" {
				return k + ": " + msg
			}
		}
		return ""
	case []any:
		for _, e := range v {
			if msg := jsonReady(e); msg != "" {
				return msg
			}
		}
		return ""
	}
	return "value of Go type " + reflect.TypeOf(v).String()
}
