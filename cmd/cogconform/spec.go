package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cogconform/cogconform/spec"
)

func runSpec(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "table", "output format: table, json or yaml (the OpenAPI document itself)")
	file := fs.String("spec", "", "load this OpenAPI document instead of the embedded one")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: cogconform spec [--format table|json|yaml] [--spec FILE]")
		fmt.Fprintln(stderr, "\nPrints the model cogconform derives its checks from.\n\nExamples:")
		fmt.Fprintln(stderr, "  cogconform spec                  # operations, members, constraints, errors")
		fmt.Fprintln(stderr, "  cogconform spec --format yaml    # the embedded OpenAPI document")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	m, err := loadModel(*file)
	if err != nil {
		fmt.Fprintf(stderr, "cogconform: %v\n", err)
		return exitConfig
	}
	switch *format {
	case "yaml":
		_, err = stdout.Write(m.Source)
	case "json":
		err = writeModelJSON(stdout, m)
	case "table":
		err = writeModelTable(stdout, m)
	default:
		fmt.Fprintf(stderr, "cogconform: --format %q: want table, json or yaml\n", *format)
		return exitConfig
	}
	if err != nil {
		fmt.Fprintf(stderr, "cogconform: writing the model: %v\n", err)
		return exitConfig
	}
	return exitOK
}

func loadModel(file string) (*spec.Model, error) {
	if file == "" {
		return spec.Load()
	}
	return spec.LoadFile(file)
}

func writeModelTable(w io.Writer, m *spec.Model) error {
	fmt.Fprintf(w, "%s (API %s), spec sha256 %s\n", m.Title, m.Version, m.SHA256[:16])
	fmt.Fprintf(w, "wire: POST / with X-Amz-Target: %s.<Operation>, Content-Type: %s\n\n", m.TargetPrefix, m.ContentType)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tAUTH\tMEMBER\tREQ\tTYPE\tCONSTRAINTS")
	members, constraints := 0, 0
	for _, op := range m.Operations {
		first := true
		for _, c := range groupByMember(op.Constraints()) {
			name, auth := "", ""
			if first {
				name, auth, first = op.Name, string(op.Auth), false
			}
			req := ""
			if c.member.Required {
				req = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, auth, c.path, req, c.member.Shape.Kind, describe(c.member.Shape))
			members++
			constraints += c.kinds
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tON 200\tDOCUMENTED ERRORS (HTTP status)")
	errs := 0
	for _, op := range m.Operations {
		var es []string
		for _, e := range op.Errors {
			es = append(es, fmt.Sprintf("%s(%d)", e.Name, e.Status))
		}
		errs += len(es)
		out := "empty body"
		if !op.EmptyOutput() {
			var names []string
			for _, mm := range op.Output.Members {
				names = append(names, mm.Name)
			}
			out = strings.Join(names, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", op.Name, out, strings.Join(es, " "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d operations, %d input members, %d constraints, %d documented (operation, error) pairs\n",
		len(m.Operations), members, constraints, errs)
	return err
}

type memberRow struct {
	path   string
	member *spec.Member
	kinds  int
}

func groupByMember(cs []spec.Constraint) []memberRow {
	var rows []memberRow
	for _, c := range cs {
		if n := len(rows); n > 0 && rows[n-1].path == c.MemberPath() {
			rows[n-1].kinds++
			continue
		}
		rows = append(rows, memberRow{path: c.MemberPath(), member: c.Member, kinds: 1})
	}
	return rows
}

func describe(s *spec.Shape) string {
	var parts []string
	if s.Pattern != "" {
		parts = append(parts, "pattern "+s.Pattern)
	}
	if s.MinLength > 0 || s.MaxLength != nil {
		max := "∞"
		if s.MaxLength != nil {
			max = fmt.Sprint(*s.MaxLength)
		}
		parts = append(parts, fmt.Sprintf("length %d..%s", s.MinLength, max))
	}
	if len(s.Enum) > 0 {
		parts = append(parts, "enum "+strings.Join(s.Enum, "|"))
	}
	if s.Minimum != nil && s.Maximum != nil {
		parts = append(parts, fmt.Sprintf("range %d..%d", *s.Minimum, *s.Maximum))
	}
	if s.Sensitive {
		parts = append(parts, "sensitive")
	}
	if s.Secret {
		parts = append(parts, "secret")
	}
	if s.Issued {
		parts = append(parts, "issued by the target")
	}
	return strings.Join(parts, "; ")
}

type jsonMember struct {
	Path      string   `json:"path"`
	Required  bool     `json:"required"`
	Type      string   `json:"type"`
	Pattern   string   `json:"pattern,omitempty"`
	MinLength int      `json:"minLength,omitempty"`
	MaxLength *int     `json:"maxLength,omitempty"`
	Enum      []string `json:"enum,omitempty"`
	Minimum   *int64   `json:"minimum,omitempty"`
	Maximum   *int64   `json:"maximum,omitempty"`
	Sensitive bool     `json:"sensitive,omitempty"`
	Secret    bool     `json:"secret,omitempty"`
	Issued    bool     `json:"issued,omitempty"`
	Checks    []string `json:"constraints"`
}

type jsonError struct {
	Code   string `json:"code"`
	Status int    `json:"status"`
	Fault  string `json:"fault"`
}

type jsonOperation struct {
	Name        string       `json:"name"`
	Target      string       `json:"target"`
	Auth        string       `json:"auth"`
	EmptyOutput bool         `json:"emptyOutput"`
	Input       []jsonMember `json:"input"`
	Errors      []jsonError  `json:"errors"`
}

func writeModelJSON(w io.Writer, m *spec.Model) error {
	out := struct {
		SpecSHA256 string          `json:"specSha256"`
		Operations []jsonOperation `json:"operations"`
	}{SpecSHA256: m.SHA256}
	for _, op := range m.Operations {
		jo := jsonOperation{Name: op.Name, Target: op.Target, Auth: string(op.Auth), EmptyOutput: op.EmptyOutput()}
		for _, row := range groupByMember(op.Constraints()) {
			s := row.member.Shape
			jm := jsonMember{Path: row.path, Required: row.member.Required, Type: string(s.Kind), Pattern: s.Pattern,
				MinLength: s.MinLength, MaxLength: s.MaxLength, Enum: s.Enum, Minimum: s.Minimum, Maximum: s.Maximum,
				Sensitive: s.Sensitive, Secret: s.Secret, Issued: s.Issued}
			for _, k := range row.member.Kinds() {
				jm.Checks = append(jm.Checks, string(k))
			}
			jo.Input = append(jo.Input, jm)
		}
		for _, e := range op.Errors {
			jo.Errors = append(jo.Errors, jsonError{e.Name, e.Status, string(e.Fault)})
		}
		out.Operations = append(out.Operations, jo)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
