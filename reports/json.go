package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaJSON is results.schema.json: ReadJSON, WriteJSON and the tests all check
// records against this one file, so the published schema cannot drift from the
// one enforced.
//
//go:embed results.schema.json
var schemaJSON []byte

// schemaURL names the schema inside the compiler; it is the schema's $id, so
// nothing is ever fetched.
const schemaURL = "https://github.com/cogconform/cogconform/reports/results.schema.json"

// SchemaJSON returns the JSON Schema (draft 2020-12) of results.json.
func SchemaJSON() []byte { return bytes.Clone(schemaJSON) }

func compileSchema() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("embedded results.schema.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("embedded results.schema.json: %w", err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("embedded results.schema.json: %w", err)
	}
	return s, nil
}

// ValidateJSON checks that data is a results record this version can read: JSON,
// valid against results.schema.json, and with each check ID used once (baselines
// match checks by ID). name identifies the data in errors, usually a file name.
func ValidateJSON(data []byte, name string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return syntaxError(data, name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: not a results record: more than one JSON value", name)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: not a results record: the top level is not a JSON object", name)
	}
	if v, ok := obj["formatVersion"].(json.Number); ok && v.String() != fmt.Sprint(FormatVersion) {
		return fmt.Errorf("%s: results record layout %s, but this cogconform reads layout %d", name, v, FormatVersion)
	}
	sch, err := compileSchema()
	if err != nil {
		return err
	}
	if err := sch.Validate(doc); err != nil {
		return fmt.Errorf("%s: not a valid results record (results.schema.json):\n%s", name, schemaProblems(err))
	}
	seen := map[string]bool{}
	checks, _ := obj["checks"].([]any)
	for i, c := range checks {
		id, _ := c.(map[string]any)["id"].(string)
		if seen[id] {
			return fmt.Errorf("%s: not a valid results record: check ID %q is used twice (the second at /checks/%d)", name, id, i)
		}
		seen[id] = true
	}
	return nil
}

// schemaProblems lists the violations as the library words them, one per line
// with where they are, without its first line (which names the schema's URL,
// meaningless to a reader of the record).
func schemaProblems(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	if len(lines) > 1 && strings.HasPrefix(lines[0], "jsonschema validation failed") {
		lines = lines[1:]
	}
	const maxLines = 20
	if len(lines) > maxLines {
		lines = append(lines[:maxLines], fmt.Sprintf("  … and %d more", len(lines)-maxLines))
	}
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}

func syntaxError(data []byte, name string, err error) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%s: not a results record: the file is empty", name)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := position(data, se.Offset)
		return fmt.Errorf("%s: not valid JSON at line %d, column %d: %w", name, line, col, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: not valid JSON: it ends early (a truncated file?)", name)
	}
	return fmt.Errorf("%s: not valid JSON: %w", name, err)
}

func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, col
}

// DecodeJSON validates data (see ValidateJSON) and decodes it into a Run.
func DecodeJSON(data []byte, name string) (*Run, error) {
	if err := ValidateJSON(data, name); err != nil {
		return nil, err
	}
	var run Run
	if err := json.Unmarshal(data, &run); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &run, nil
}

// ReadJSON reads a results.json written by WriteAll or WriteJSON, for baselines
// and replays. Errors name the file and say what is wrong with it: unreadable,
// not JSON (with line and column), another layout version, or where it breaks
// the schema.
func ReadJSON(path string) (*Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read results record: %w", err)
	}
	return DecodeJSON(data, path)
}

// WriteJSON writes run as results.json: indented, summarised, redacted of
// secret-shaped values, and checked against results.schema.json before anything
// is written. Values registered with a Redactor are only removed by WriteAll (or
// by passing run through Redactor.Run first).
func WriteJSON(w io.Writer, run *Run) error {
	data, err := renderJSON(prepare(run))
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func renderJSON(run *Run) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// Bodies and messages are full of <, > and &; \u003c escapes would make the
	// record needlessly hard to read.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(run); err != nil {
		return nil, fmt.Errorf("encode results.json: %w", err)
	}
	if err := ValidateJSON(b.Bytes(), "results.json"); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// prepare is what every individual writer works on: a copy of run with
// secret-shaped values masked and the derived parts computed, so no writer can
// print a raw token or stale totals.
func prepare(run *Run) *Run {
	if run == nil {
		run = &Run{}
	}
	out := NewRedactor().Run(run)
	out.Summarize()
	return out
}
