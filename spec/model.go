// Package spec is cogconform's model of the Cognito device operations: an OpenAPI 3
// document (cognito-devices.yaml, embedded) and the typed view of it that every other
// package uses, so that no other package walks raw OpenAPI maps.
//
// The document maps AWS JSON 1.1 onto OpenAPI by giving each operation its own path
// item "/#X-Amz-Target=<target>": the fragment is never sent, so every operation is
// still "POST /" on the wire, while a generic OpenAPI tool sees nine operations. The
// operation's wire identity is the required X-Amz-Target header parameter, whose
// schema is an enum of exactly one value; Load checks that path and header agree.
//
// Patterns in the document are anchored ("^(?:...)$") because AWS matches them
// against the whole value while JSON Schema searches anywhere; Load refuses an
// unanchored pattern. Error codes are schemas marked x-aws-error; an operation's
// documented set is the oneOf of its 400 (client) and 500 (server fault) responses.
//
// The harness's own marks on types: x-cogconform-fixture binds a type to a
// provisioned value (a real device, token, pool or user), x-cogconform-secret has
// reports redact it, and x-cogconform-issued says only the target can make a valid
// one (a pagination token), so calls that must succeed leave it out; Load refuses
// it on a required member.
package spec

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed cognito-devices.yaml
var embedded []byte

// YAML returns the embedded OpenAPI document, byte for byte.
func YAML() []byte { return slices.Clone(embedded) }

// AuthKind says how an operation is authorised.
type AuthKind string

const (
	// AuthAccessToken operations are sent unsigned and authorised by the AccessToken member.
	AuthAccessToken AuthKind = "access-token"
	// AuthIAM operations must be SigV4-signed.
	AuthIAM AuthKind = "iam"
)

// Kind is a shape's JSON type.
type Kind string

// The kinds of shape the model uses.
const (
	KindString    Kind = "string"
	KindInteger   Kind = "integer"
	KindNumber    Kind = "number"
	KindTimestamp Kind = "timestamp" // a JSON number of epoch seconds
	KindBoolean   Kind = "boolean"
	KindObject    Kind = "object"
	KindArray     Kind = "array"
)

// Fault says whose fault an error is.
type Fault string

// Client errors are answered 4xx, server faults 5xx.
const (
	FaultClient Fault = "client"
	FaultServer Fault = "server"
)

// Model is the typed view of the document.
type Model struct {
	Title        string
	Version      string
	TargetPrefix string // e.g. AWSCognitoIdentityProviderService
	ContentType  string // application/x-amz-json-1.1
	SigningName  string // SigV4 service name, cognito-idp
	Operations   []*Operation
	Errors       map[string]*ErrorCode // every declared error code
	SHA256       string                // of the document's bytes
	Doc          *openapi3.T           // the loaded document, for schema validation
	Source       []byte                // the document's bytes
}

// Operation is one documented operation.
type Operation struct {
	Name        string
	Target      string // the X-Amz-Target header value
	Path        string // the OpenAPI path key
	Summary     string
	Description string
	Auth        AuthKind
	Input       *Shape
	Output      *Shape
	NoOutput    bool // AWS's model gives the operation no output shape at all
	Errors      []*ErrorCode
}

// ErrorCode is one documented error and the HTTP status it is sent with.
type ErrorCode struct {
	Name        string
	Status      int
	Fault       Fault
	Description string
	Schema      *openapi3.Schema
}

// Shape is a schema of the model with its constraints made explicit.
type Shape struct {
	Name        string // component name, e.g. DeviceKeyType; empty for inline schemas
	Kind        Kind
	Description string
	Members     []*Member      // KindObject, in a stable (sorted) order
	Items       *Shape         // KindArray
	MinLength   int            // KindString; 0 when the document gives none
	MaxLength   *int           // nil when unbounded
	Pattern     string         // anchored, as written in the document
	Regexp      *regexp.Regexp // Pattern, compiled once; see SetPattern and Matches
	Enum        []string
	Minimum     *int64 // KindInteger
	Maximum     *int64
	Sensitive   bool // AWS's sensitive trait: never echoed in messages
	Secret      bool // a credential: reports redact it
	// Fixture names the provisioned value that fills members of this shape when a
	// check needs a real resource: access-token, device-key, user-pool-id, username.
	Fixture string
	// Issued marks values only the target can make (a pagination token): a drawn
	// one is well-formed and still means nothing to the target, so a call that
	// must succeed leaves such members out. Only optional members may have it.
	Issued bool
	Schema *openapi3.Schema

	whole *wholeMatcher // Pattern without the regexp engine, when it has a simple shape
}

// Member is a named member of an object shape.
type Member struct {
	Name     string
	Required bool
	Shape    *Shape
}

// Operation returns the operation with the given name, or nil.
func (m *Model) Operation(name string) *Operation {
	for _, op := range m.Operations {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// OperationByTarget returns the operation whose X-Amz-Target is target, or nil.
func (m *Model) OperationByTarget(target string) *Operation {
	for _, op := range m.Operations {
		if op.Target == target {
			return op
		}
	}
	return nil
}

// Shapes returns every shape reachable from the operations' inputs and outputs, each
// once, in a stable order (the operations' order, depth first).
func (m *Model) Shapes() []*Shape {
	seen := map[*Shape]bool{}
	var out []*Shape
	var walk func(s *Shape)
	walk = func(s *Shape) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, mem := range s.Members {
			walk(mem.Shape)
		}
		walk(s.Items)
	}
	for _, op := range m.Operations {
		walk(op.Input)
		walk(op.Output)
	}
	return out
}

// Error returns the documented error with that code, or nil if the operation does not document it.
func (o *Operation) Error(code string) *ErrorCode {
	for _, e := range o.Errors {
		if e.Name == code {
			return e
		}
	}
	return nil
}

// EmptyOutput reports whether a successful answer must have an empty body or "{}".
func (o *Operation) EmptyOutput() bool { return o.NoOutput || len(o.Output.Members) == 0 }

// Member returns the named member of an object shape, or nil.
func (s *Shape) Member(name string) *Member {
	for _, m := range s.Members {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// Load returns the model of the embedded document.
func Load() (*Model, error) { return Parse(embedded) }

// LoadFile returns the model of the document in a file (a user's spec override).
func LoadFile(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spec: reading %s: %w", path, err)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Parse loads an OpenAPI document, checks it with kin-openapi and with cogconform's own
// rules, and builds the typed model. Errors name the operation and member at fault.
func Parse(data []byte) (*Model, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("spec: loading the OpenAPI document: %w", err)
	}
	sum := sha256.Sum256(data)
	m := &Model{
		Doc:    doc,
		Source: slices.Clone(data),
		SHA256: hex.EncodeToString(sum[:]),
		Errors: map[string]*ErrorCode{},
	}
	if doc.Info != nil {
		m.Title, m.Version = doc.Info.Title, doc.Info.Version
	}
	if err := m.readProtocol(doc); err != nil {
		return nil, err
	}
	b := &builder{model: m, shapes: map[*openapi3.Schema]*Shape{}}
	if err := b.readErrors(doc); err != nil {
		return nil, err
	}
	if doc.Paths == nil || doc.Paths.Len() == 0 {
		return nil, fmt.Errorf("spec: the document has no operations")
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		op, err := b.operation(path, doc.Paths.Value(path))
		if err != nil {
			return nil, err
		}
		if m.Operation(op.Name) != nil {
			return nil, fmt.Errorf("spec: operation %s: declared twice", op.Name)
		}
		m.Operations = append(m.Operations, op)
	}
	sort.Slice(m.Operations, func(i, j int) bool { return m.Operations[i].Name < m.Operations[j].Name })
	// Our own checks run first so that their errors name the operation and member;
	// kin-openapi's validation then catches whatever else makes the document invalid.
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("spec: the OpenAPI document is not valid: %w", err)
	}
	return m, nil
}

func (m *Model) readProtocol(doc *openapi3.T) error {
	p, ok := doc.Extensions["x-aws-protocol"].(map[string]any)
	if !ok {
		return fmt.Errorf("spec: x-aws-protocol is missing: it names the target prefix, content type and signing name")
	}
	get := func(k string) (string, error) {
		v, _ := p[k].(string)
		if v == "" {
			return "", fmt.Errorf("spec: x-aws-protocol.%s is missing", k)
		}
		return v, nil
	}
	var err error
	if m.TargetPrefix, err = get("targetPrefix"); err != nil {
		return err
	}
	if m.ContentType, err = get("contentType"); err != nil {
		return err
	}
	if m.SigningName, err = get("signingName"); err != nil {
		return err
	}
	return nil
}

type builder struct {
	model  *Model
	shapes map[*openapi3.Schema]*Shape
}

func (b *builder) readErrors(doc *openapi3.T) error {
	if doc.Components == nil {
		return fmt.Errorf("spec: the document has no components")
	}
	for name, ref := range doc.Components.Schemas {
		s := ref.Value
		if s == nil || s.Extensions["x-aws-error"] != true {
			continue
		}
		tp := s.Properties["__type"]
		if tp == nil || tp.Value == nil || len(tp.Value.Enum) != 1 || tp.Value.Enum[0] != name {
			return fmt.Errorf("spec: error %s: its __type must be an enum of exactly %q", name, name)
		}
		fault := FaultClient
		if s.Extensions["x-aws-fault"] == "server" {
			fault = FaultServer
		}
		b.model.Errors[name] = &ErrorCode{Name: name, Fault: fault, Description: s.Description, Schema: s}
	}
	return nil
}

func (b *builder) operation(path string, item *openapi3.PathItem) (*Operation, error) {
	ops := item.Operations()
	if len(ops) != 1 || item.Post == nil {
		return nil, fmt.Errorf("spec: path %s: must hold exactly one operation, a POST (AWS JSON sends every call as POST /)", path)
	}
	raw := item.Post
	name := raw.OperationID
	if name == "" {
		return nil, fmt.Errorf("spec: path %s: the operation has no operationId", path)
	}
	op := &Operation{Name: name, Path: path, Summary: raw.Summary, Description: raw.Description}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("spec: operation %s: %s", name, fmt.Sprintf(format, args...))
	}

	// The wire identity: the X-Amz-Target header.
	for _, p := range raw.Parameters {
		if p.Value != nil && p.Value.In == "header" && strings.EqualFold(p.Value.Name, "X-Amz-Target") {
			s := p.Value.Schema
			if !p.Value.Required || s == nil || s.Value == nil || len(s.Value.Enum) != 1 {
				return nil, fail("the X-Amz-Target header must be required, with an enum of exactly one target")
			}
			op.Target, _ = s.Value.Enum[0].(string)
		}
	}
	if op.Target == "" {
		return nil, fail("missing target: no X-Amz-Target header parameter")
	}
	if want := b.model.TargetPrefix + "." + name; op.Target != want {
		return nil, fail("X-Amz-Target is %q, want %q", op.Target, want)
	}
	if want := "/#X-Amz-Target=" + op.Target; path != want {
		return nil, fail("path %q does not match its target: want %q", path, want)
	}

	// Authorisation.
	auth, _ := raw.Extensions["x-cogconform-auth"].(string)
	switch AuthKind(auth) {
	case AuthAccessToken, AuthIAM:
		op.Auth = AuthKind(auth)
	default:
		return nil, fail("x-cogconform-auth is %q, want %q or %q", auth, AuthAccessToken, AuthIAM)
	}
	signed := raw.Security != nil && len(*raw.Security) > 0
	if signed != (op.Auth == AuthIAM) {
		return nil, fail("security requirement (signed=%v) disagrees with x-cogconform-auth %q", signed, auth)
	}

	// Input.
	if raw.RequestBody == nil || raw.RequestBody.Value == nil {
		return nil, fail("no request body")
	}
	in := raw.RequestBody.Value.Content.Get(b.model.ContentType)
	if in == nil || in.Schema == nil {
		return nil, fail("the request body has no %s schema", b.model.ContentType)
	}
	var err error
	if op.Input, err = b.shape(name, "input", in.Schema); err != nil {
		return nil, err
	}
	if op.Input.Kind != KindObject {
		return nil, fail("the input is a %s, want an object", op.Input.Kind)
	}

	// Output and errors.
	if raw.Responses == nil {
		return nil, fail("no responses")
	}
	for code, resp := range raw.Responses.Map() {
		status, err := strconv.Atoi(code)
		if err != nil {
			return nil, fail("response %q: only numeric statuses are modelled", code)
		}
		if resp.Value == nil {
			return nil, fail("response %s is empty", code)
		}
		mt := resp.Value.Content.Get(b.model.ContentType)
		if mt == nil || mt.Schema == nil {
			return nil, fail("response %s has no %s schema", code, b.model.ContentType)
		}
		switch {
		case status == 200:
			if op.Output, err = b.shape(name, "output", mt.Schema); err != nil {
				return nil, err
			}
			op.NoOutput = mt.Schema.Value.Extensions["x-aws-no-output"] == true
		case status >= 400 && status <= 599:
			if err := b.errorsOf(op, status, mt.Schema); err != nil {
				return nil, err
			}
		default:
			return nil, fail("response %s: only 200, 4xx and 5xx are modelled", code)
		}
	}
	if op.Output == nil {
		return nil, fail("no 200 response")
	}
	sort.Slice(op.Errors, func(i, j int) bool { return op.Errors[i].Name < op.Errors[j].Name })
	return op, nil
}

func (b *builder) errorsOf(op *Operation, status int, ref *openapi3.SchemaRef) error {
	s := ref.Value
	if len(s.OneOf) == 0 {
		return fmt.Errorf("spec: operation %s: response %d must list its error codes as a oneOf of error schemas", op.Name, status)
	}
	for _, alt := range s.OneOf {
		name := strings.TrimPrefix(alt.Ref, "#/components/schemas/")
		declared := b.model.Errors[name]
		if alt.Ref == "" || declared == nil {
			return fmt.Errorf("spec: operation %s: response %d: unknown error %q (not a components/schemas entry with x-aws-error)", op.Name, status, alt.Ref)
		}
		if (status >= 500) != (declared.Fault == FaultServer) {
			return fmt.Errorf("spec: operation %s: error %s: a %s fault listed under HTTP %d", op.Name, name, declared.Fault, status)
		}
		if op.Error(name) != nil {
			return fmt.Errorf("spec: operation %s: error %s listed twice", op.Name, name)
		}
		if declared.Status != 0 && declared.Status != status {
			return fmt.Errorf("spec: operation %s: error %s: HTTP %d here but %d elsewhere", op.Name, name, status, declared.Status)
		}
		declared.Status = status
		op.Errors = append(op.Errors, declared)
	}
	return nil
}

// shape builds the typed view of a schema; where names the operation and member path for errors.
func (b *builder) shape(opName, where string, ref *openapi3.SchemaRef) (*Shape, error) {
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("spec: operation %s, member %s: no schema", opName, where)
	}
	s := ref.Value
	if sh, ok := b.shapes[s]; ok {
		return sh, nil
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("spec: operation %s, member %s: %s", opName, where, fmt.Sprintf(format, args...))
	}
	sh := &Shape{
		Name:        strings.TrimPrefix(ref.Ref, "#/components/schemas/"),
		Description: s.Description,
		Sensitive:   s.Extensions["x-aws-sensitive"] == true,
		Secret:      s.Extensions["x-cogconform-secret"] == true,
		Fixture:     stringExt(s.Extensions, "x-cogconform-fixture"),
		Issued:      s.Extensions["x-cogconform-issued"] == true,
		Schema:      s,
	}
	switch {
	case s.Type.Is("string"):
		sh.Kind = KindString
	case s.Type.Is("integer"):
		sh.Kind = KindInteger
	case s.Type.Is("number") && s.Extensions["x-aws-type"] == "timestamp":
		sh.Kind = KindTimestamp
	case s.Type.Is("number"):
		sh.Kind = KindNumber
	case s.Type.Is("boolean"):
		sh.Kind = KindBoolean
	case s.Type.Is("object"):
		sh.Kind = KindObject
	case s.Type.Is("array"):
		sh.Kind = KindArray
	default:
		return nil, fail("unsupported or missing type %v", s.Type)
	}
	b.shapes[s] = sh // before recursing, so shared and recursive shapes stay one

	switch sh.Kind {
	case KindString:
		sh.MinLength = int(s.MinLength)
		if s.MaxLength != nil {
			n := int(*s.MaxLength)
			sh.MaxLength = &n
		}
		if sh.MaxLength != nil && sh.MinLength > *sh.MaxLength {
			return nil, fail("minLength %d exceeds maxLength %d", sh.MinLength, *sh.MaxLength)
		}
		if s.Pattern != "" {
			if !strings.HasPrefix(s.Pattern, "^(?:") || !strings.HasSuffix(s.Pattern, ")$") {
				return nil, fail("pattern %q is not anchored as ^(?:...)$: AWS matches the whole value, JSON Schema searches anywhere", s.Pattern)
			}
			if err := sh.SetPattern(s.Pattern); err != nil {
				return nil, fail("%v", err)
			}
		}
		for _, e := range s.Enum {
			v, ok := e.(string)
			if !ok {
				return nil, fail("enum value %v is not a string", e)
			}
			sh.Enum = append(sh.Enum, v)
		}
	case KindInteger:
		if s.Min != nil {
			v := int64(*s.Min)
			sh.Minimum = &v
		}
		if s.Max != nil {
			v := int64(*s.Max)
			sh.Maximum = &v
		}
		if sh.Minimum != nil && sh.Maximum != nil && *sh.Minimum > *sh.Maximum {
			return nil, fail("minimum %d exceeds maximum %d", *sh.Minimum, *sh.Maximum)
		}
	case KindArray:
		items, err := b.shape(opName, where+"[]", s.Items)
		if err != nil {
			return nil, err
		}
		sh.Items = items
	case KindObject:
		names := make([]string, 0, len(s.Properties))
		for n := range s.Properties {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, r := range s.Required {
			if _, ok := s.Properties[r]; !ok {
				return nil, fail("required member %q is not a property", r)
			}
		}
		for _, n := range names {
			path := n
			if where != "input" && where != "output" {
				path = where + "." + n
			}
			ms, err := b.shape(opName, path, s.Properties[n])
			if err != nil {
				return nil, err
			}
			m := &Member{Name: n, Required: slices.Contains(s.Required, n), Shape: ms}
			if m.Required && ms.Issued {
				return nil, fail("required member %q has an x-cogconform-issued type: a call could not leave it out to succeed", n)
			}
			sh.Members = append(sh.Members, m)
		}
	}
	return sh, nil
}

func stringExt(ext map[string]any, key string) string {
	v, _ := ext[key].(string)
	return v
}
