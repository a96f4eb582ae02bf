package spec

import "strings"

// ConstraintKind names a kind of rule an input value can break. Suites make one check
// family of each, and generators one invalid-value generator of each.
type ConstraintKind string

// The constraint kinds the model expresses.
const (
	ConstraintRequired ConstraintKind = "required"
	ConstraintPattern  ConstraintKind = "pattern"
	ConstraintLength   ConstraintKind = "length"
	ConstraintEnum     ConstraintKind = "enum"
	ConstraintRange    ConstraintKind = "range"
	ConstraintType     ConstraintKind = "type"
)

// Constraint is one rule on one input member of one operation.
type Constraint struct {
	Operation *Operation
	Path      []string // member names from the input down, e.g. [DeviceSecretVerifierConfig Salt]
	Member    *Member
	Kind      ConstraintKind
}

// MemberPath is the dotted member path, e.g. "DeviceSecretVerifierConfig.Salt".
func (c Constraint) MemberPath() string { return strings.Join(c.Path, ".") }

// String names the constraint for messages and spec names: "DeviceKey pattern".
func (c Constraint) String() string { return c.MemberPath() + " " + string(c.Kind) }

// Constraints lists every rule the model puts on the operation's input members, in a
// stable order: each member (depth first, members sorted), then its kinds in the
// order required, type, pattern, length, enum, range.
func (o *Operation) Constraints() []Constraint {
	var out []Constraint
	var walk func(s *Shape, path []string)
	walk = func(s *Shape, path []string) {
		for _, m := range s.Members {
			p := append(append([]string(nil), path...), m.Name)
			for _, k := range m.Kinds() {
				out = append(out, Constraint{Operation: o, Path: p, Member: m, Kind: k})
			}
			if m.Shape.Kind == KindObject {
				walk(m.Shape, p)
			}
		}
	}
	walk(o.Input, nil)
	return out
}

// Kinds lists the constraint kinds that apply to the member.
func (m *Member) Kinds() []ConstraintKind {
	var ks []ConstraintKind
	if m.Required {
		ks = append(ks, ConstraintRequired)
	}
	ks = append(ks, ConstraintType)
	s := m.Shape
	switch s.Kind {
	case KindString:
		if s.Pattern != "" {
			ks = append(ks, ConstraintPattern)
		}
		if s.MinLength > 0 || s.MaxLength != nil {
			ks = append(ks, ConstraintLength)
		}
		if len(s.Enum) > 0 {
			ks = append(ks, ConstraintEnum)
		}
	case KindInteger:
		if s.Minimum != nil || s.Maximum != nil {
			ks = append(ks, ConstraintRange)
		}
	}
	return ks
}
