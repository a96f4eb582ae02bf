package spec

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Difference is one point where the model disagrees with AWS's own model.
type Difference struct {
	Operation string
	Member    string // dotted path from the input or output; empty for operation-level points
	Aspect    string // e.g. "pattern", "maxLength", "errors", "auth"
	Model     string // what cogconform's model says
	AWS       string // what AWS's model says
}

func (d Difference) String() string {
	where := d.Operation
	if d.Member != "" {
		where += " " + d.Member
	}
	return fmt.Sprintf("%s: %s: model has %s, AWS has %s", where, d.Aspect, d.Model, d.AWS)
}

// CrossCheckReport says what was compared and where the two models differ.
type CrossCheckReport struct {
	Operations  []string
	Members     int // input and output members compared, nested ones included
	Constraints int // constraint values compared (type, required, pattern, bounds, enum, sensitive)
	Errors      int // (operation, error) pairs compared, with their statuses
	Compared    []string
	Differences []Difference
}

// botocore is the part of AWS's service-2.json the cross-check reads.
type botocore struct {
	Metadata struct {
		TargetPrefix string `json:"targetPrefix"`
		JSONVersion  string `json:"jsonVersion"`
		SigningName  string `json:"signingName"`
		EndpointPfx  string `json:"endpointPrefix"`
	} `json:"metadata"`
	Operations map[string]struct {
		AuthType string `json:"authtype"`
		Input    *struct {
			Shape string `json:"shape"`
		} `json:"input"`
		Output *struct {
			Shape string `json:"shape"`
		} `json:"output"`
		Errors []struct {
			Shape string `json:"shape"`
		} `json:"errors"`
	} `json:"operations"`
	Shapes map[string]botoShape `json:"shapes"`
}

type botoShape struct {
	Type      string                            `json:"type"`
	Required  []string                          `json:"required"`
	Members   map[string]struct{ Shape string } `json:"members"`
	Member    *struct{ Shape string }           `json:"member"`
	Min       *json.Number                      `json:"min"`
	Max       *json.Number                      `json:"max"`
	Pattern   string                            `json:"pattern"`
	Enum      []string                          `json:"enum"`
	Sensitive bool                              `json:"sensitive"`
	Exception bool                              `json:"exception"`
	Fault     bool                              `json:"fault"`
}

// CrossCheck compares every operation of the model with AWS's model (botocore's
// service-2.json): member sets, required sets, types, patterns (modulo the anchoring
// the model adds), length and value bounds, enums, sensitive flags, error sets with
// their HTTP status, and the auth kind.
func CrossCheck(m *Model, serviceJSON []byte) (*CrossCheckReport, error) {
	var aws botocore
	if err := json.Unmarshal(serviceJSON, &aws); err != nil {
		return nil, fmt.Errorf("spec: reading AWS's model: %w", err)
	}
	r := &CrossCheckReport{}
	diff := func(op, member, aspect string, model, awsv any) {
		r.Differences = append(r.Differences, Difference{op, member, aspect, fmt.Sprint(model), fmt.Sprint(awsv)})
	}
	if aws.Metadata.TargetPrefix != m.TargetPrefix {
		diff("(service)", "", "targetPrefix", m.TargetPrefix, aws.Metadata.TargetPrefix)
	}
	if want := "application/x-amz-json-" + aws.Metadata.JSONVersion; want != m.ContentType {
		diff("(service)", "", "contentType", m.ContentType, want)
	}
	signing := aws.Metadata.SigningName
	if signing == "" {
		signing = aws.Metadata.EndpointPfx
	}
	if signing != m.SigningName {
		diff("(service)", "", "signingName", m.SigningName, signing)
	}

	for _, op := range m.Operations {
		r.Operations = append(r.Operations, op.Name)
		ao, ok := aws.Operations[op.Name]
		if !ok {
			diff(op.Name, "", "operation", "present", "absent")
			continue
		}
		wantAuth := AuthIAM
		if ao.AuthType == "none" {
			wantAuth = AuthAccessToken
		}
		r.Constraints++
		if op.Auth != wantAuth {
			diff(op.Name, "", "auth", op.Auth, wantAuth)
		}

		if ao.Input == nil {
			diff(op.Name, "", "input", "present", "absent")
		} else {
			compareShape(r, &aws, op.Name, "", op.Input, ao.Input.Shape, diff)
		}
		switch {
		case ao.Output == nil:
			r.Constraints++
			if !op.NoOutput || len(op.Output.Members) > 0 {
				diff(op.Name, "", "output", fmt.Sprintf("%d members (no-output=%v)", len(op.Output.Members), op.NoOutput), "no output shape")
			}
		default:
			compareShape(r, &aws, op.Name, "", op.Output, ao.Output.Shape, diff)
		}

		// Errors: the same set, and 500 exactly for AWS's server faults.
		var awsErrs, modelErrs []string
		for _, e := range ao.Errors {
			awsErrs = append(awsErrs, e.Shape)
			want := 400
			if aws.Shapes[e.Shape].Fault {
				want = 500
			}
			r.Errors++
			if me := op.Error(e.Shape); me != nil && me.Status != want {
				diff(op.Name, "", "status of "+e.Shape, me.Status, want)
			}
		}
		for _, e := range op.Errors {
			modelErrs = append(modelErrs, e.Name)
		}
		sort.Strings(awsErrs)
		for _, e := range awsErrs {
			if !slices.Contains(modelErrs, e) {
				diff(op.Name, "", "errors", "no "+e, e)
			}
		}
		for _, e := range modelErrs {
			if !slices.Contains(awsErrs, e) {
				diff(op.Name, "", "errors", e, "no "+e)
			}
		}
		r.Compared = append(r.Compared, fmt.Sprintf("%s: auth %s; %d errors: %s", op.Name, op.Auth, len(awsErrs), strings.Join(awsErrs, " ")))
	}
	return r, nil
}

func compareShape(r *CrossCheckReport, aws *botocore, op, path string, s *Shape, awsName string, diff func(op, member, aspect string, model, aws any)) {
	a, ok := aws.Shapes[awsName]
	if !ok {
		diff(op, path, "shape", s.Name, "unknown shape "+awsName)
		return
	}
	r.Constraints++
	if want := botoKind(a.Type); s.Kind != want {
		diff(op, path, "type", s.Kind, want)
		return
	}
	switch s.Kind {
	case KindObject:
		var names []string
		for n := range a.Members {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			mp := joinPath(path, n)
			mm := s.Member(n)
			r.Members++
			if mm == nil {
				diff(op, mp, "member", "absent", "present")
				continue
			}
			r.Constraints++
			if req := slices.Contains(a.Required, n); mm.Required != req {
				diff(op, mp, "required", mm.Required, req)
			}
			compareShape(r, aws, op, mp, mm.Shape, a.Members[n].Shape, diff)
		}
		for _, mm := range s.Members {
			if _, ok := a.Members[mm.Name]; !ok {
				diff(op, joinPath(path, mm.Name), "member", "present", "absent")
			}
		}
		return
	case KindArray:
		if a.Member != nil {
			compareShape(r, aws, op, path+"[]", s.Items, a.Member.Shape, diff)
		}
		return
	case KindString:
		r.Constraints += 4
		want := ""
		if a.Pattern != "" {
			want = "^(?:" + a.Pattern + ")$"
		}
		if s.Pattern != want {
			diff(op, path, "pattern", quoteOrNone(s.Pattern), quoteOrNone(want)+" (AWS's, anchored)")
		}
		if wantMin := numOr(a.Min, 0); int64(s.MinLength) != wantMin {
			diff(op, path, "minLength", s.MinLength, wantMin)
		}
		if gotMax, wantMax := ptrString(s.MaxLength), numString(a.Max); gotMax != wantMax {
			diff(op, path, "maxLength", gotMax, wantMax)
		}
		if !slices.Equal(sorted(s.Enum), sorted(a.Enum)) {
			diff(op, path, "enum", s.Enum, a.Enum)
		}
	case KindInteger:
		r.Constraints += 2
		if got, want := ptrString(s.Minimum), numString(a.Min); got != want {
			diff(op, path, "minimum", got, want)
		}
		if got, want := ptrString(s.Maximum), numString(a.Max); got != want {
			diff(op, path, "maximum", got, want)
		}
	}
	r.Constraints++
	if s.Sensitive != a.Sensitive {
		diff(op, path, "sensitive", s.Sensitive, a.Sensitive)
	}
}

func botoKind(t string) Kind {
	switch t {
	case "string":
		return KindString
	case "integer", "long":
		return KindInteger
	case "float", "double":
		return KindNumber
	case "timestamp":
		return KindTimestamp
	case "boolean":
		return KindBoolean
	case "structure":
		return KindObject
	case "list":
		return KindArray
	}
	return Kind("unsupported:" + t)
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func quoteOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return strconv.Quote(s)
}

func numOr(n *json.Number, def int64) int64 {
	if n == nil {
		return def
	}
	v, err := n.Int64()
	if err != nil {
		return def
	}
	return v
}

func numString(n *json.Number) string {
	if n == nil {
		return "none"
	}
	return n.String()
}

func ptrString[T int | int64](p *T) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}

func sorted(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}
