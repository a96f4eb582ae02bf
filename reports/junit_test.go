package reports_test

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/reports/internal/fakerun"
)

const junitXSD = "testdata/junit.xsd"

func xmllintSchema(t *testing.T, file string) (string, error) {
	t.Helper()
	xmllint := tool(t, "XMLLINT", "xmllint", "libxml2-utils")
	out, err := exec.Command(xmllint, "--noout", "--schema", junitXSD, file).CombinedOutput()
	return string(out), err
}

func TestJUnitValidatesAgainstTheJUnitSchema(t *testing.T) {
	for name, run := range scenarios() {
		t.Run(name, func(t *testing.T) {
			dir := writeReports(t, run, reports.NewRedactor())
			file := filepath.Join(dir, reports.FileJUnit)
			if out, err := xmllintSchema(t, file); err != nil {
				t.Fatalf("junit.xml does not validate against %s: %v\n%s", junitXSD, err, out)
			}
		})
	}
}

// The XSD must actually constrain: reports that CI tools would misread are
// rejected.
func TestJUnitSchemaRejectsBrokenReports(t *testing.T) {
	dir := t.TempDir()
	for name, doc := range map[string]string{
		"testcase without name":     `<testsuites><testsuite name="s" tests="1" failures="0" errors="0" time="0"><testcase classname="c" time="0"/></testsuite></testsuites>`,
		"failure without type":      `<testsuites><testsuite name="s" tests="1" failures="1" errors="0" time="0"><testcase name="n" classname="c" time="0"><failure message="m"/></testcase></testsuite></testsuites>`,
		"two outcomes":              `<testsuites><testsuite name="s" tests="1" failures="1" errors="0" time="0"><testcase name="n" classname="c" time="0"><failure type="t"/><skipped/></testcase></testsuite></testsuites>`,
		"negative count":            `<testsuites><testsuite name="s" tests="-1" failures="0" errors="0" time="0"/></testsuites>`,
		"properties after testcase": `<testsuites><testsuite name="s" tests="1" failures="0" errors="0" time="0"><testcase name="n" classname="c" time="0"/><properties/></testsuite></testsuites>`,
		"time not a number":         `<testsuites><testsuite name="s" tests="0" failures="0" errors="0" time="1s"/></testsuites>`,
	} {
		file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".xml")
		if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := xmllintSchema(t, file); err == nil {
			t.Errorf("%s: the XSD accepted it\n%s", name, out)
		}
	}
}

type jSuites struct {
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []jSuite `xml:"testsuite"`
}

type jSuite struct {
	Name       string `xml:"name,attr"`
	Tests      int    `xml:"tests,attr"`
	Failures   int    `xml:"failures,attr"`
	Skipped    int    `xml:"skipped,attr"`
	Properties []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []jCase `xml:"testcase"`
}

type jCase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	Time      string `xml:"time,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	} `xml:"failure"`
	Skipped *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
	} `xml:"skipped"`
	SystemOut string `xml:"system-out"`
}

func TestJUnitMapping(t *testing.T) {
	sec := fakerun.NewSecrets()
	run := fakerun.Mixed(sec)
	dir := writeReports(t, run, secretRedactor(sec))
	var doc jSuites
	if err := xml.Unmarshal([]byte(readFile(t, filepath.Join(dir, reports.FileJUnit))), &doc); err != nil {
		t.Fatal(err)
	}
	byID := map[string]jCase{}
	opsSeen := map[string]bool{}
	total := 0
	for _, s := range doc.Suites {
		opsSeen[s.Name] = true
		if s.Tests != len(s.Cases) {
			t.Errorf("suite %s: tests=%d but %d testcases", s.Name, s.Tests, len(s.Cases))
		}
		props := map[string]string{}
		for _, p := range s.Properties {
			props[p.Name] = p.Value
		}
		for _, k := range []string{"cogconform.seed", "cogconform.specSha256", "cogconform.endpoint", "cogconform.version"} {
			if props[k] == "" {
				t.Errorf("suite %s lacks property %s", s.Name, k)
			}
		}
		for _, c := range s.Cases {
			total++
			op := strings.TrimPrefix(c.Classname, "cogconform.")
			op = op[:strings.LastIndex(op, ".")]
			if op != s.Name {
				t.Errorf("testcase %q classname %q is not in its suite %q", c.Name, c.Classname, s.Name)
			}
			byID[s.Name+"/"+c.Classname[strings.LastIndex(c.Classname, ".")+1:]+"/"+c.Name] = c
		}
	}
	if total != len(run.Checks) || doc.Tests != total {
		t.Fatalf("%d testcases (testsuites says %d) for %d checks: want one per check", total, doc.Tests, len(run.Checks))
	}
	if len(opsSeen) != 10 {
		t.Errorf("suites %v: want the 9 operations and general", opsSeen)
	}
	newFailures := 0
	for _, c := range run.Checks {
		id := c.ID
		if c.Operation == "" {
			id = "general" + id
		}
		jc, ok := byID[id]
		if !ok {
			t.Errorf("no testcase for %s", c.ID)
			continue
		}
		switch {
		case c.Verdict == reports.Fail && c.Advisory:
			if jc.Failure != nil || jc.Skipped != nil || !strings.Contains(jc.SystemOut, "advisory finding") {
				t.Errorf("%s: an advisory failure must pass with a note in system-out", c.ID)
			}
		case c.Verdict == reports.Fail && c.Known:
			if jc.Failure != nil || jc.Skipped == nil || jc.Skipped.Type != "known-failure" || !strings.Contains(jc.Skipped.Message, "baseline") {
				t.Errorf("%s: a known failure must be <skipped type=known-failure> naming the baseline", c.ID)
			}
		case c.Verdict == reports.Fail:
			newFailures++
			f := jc.Failure
			if f == nil {
				t.Errorf("%s: a new failure must be a <failure>", c.ID)
				continue
			}
			if f.Type != c.Class || strings.Contains(f.Message, "\n") || f.Message == "" {
				t.Errorf("%s: failure type %q message %q: want the class and one line", c.ID, f.Type, f.Message)
			}
			if c.Counterexample != nil {
				for _, want := range []string{"minimal request:", "answer:", "seed: 1773568800123", "reproduce:", "curl ", "expected:"} {
					if !strings.Contains(f.Text, want) {
						t.Errorf("%s: failure text lacks %q", c.ID, want)
					}
				}
			}
		case c.Verdict == reports.Skip:
			if jc.Skipped == nil || jc.Skipped.Message != c.Reason {
				t.Errorf("%s: a skip must be <skipped> with its reason", c.ID)
			}
		default:
			if jc.Failure != nil || jc.Skipped != nil {
				t.Errorf("%s: a pass must have no outcome element", c.ID)
			}
		}
	}
	if doc.Failures != newFailures || newFailures == 0 {
		t.Errorf("testsuites failures=%d, want the %d new conformance failures", doc.Failures, newFailures)
	}
}

// Bodies from a hostile or broken target hold control characters, "]]>" and
// markup; the XML must stay well-formed and valid.
func TestJUnitSurvivesHostileText(t *testing.T) {
	run := &reports.Run{Version: "v", SpecSHA256: sha64, Endpoint: "http://x", Started: time.Now(), Finished: time.Now(),
		Checks: []reports.Check{{ID: "Op/fam/<n>", Operation: "Op", Family: "fam", Name: "<n> & \"q\"", Verdict: reports.Fail,
			Class: "c", Reason: "bad \x00\x01\x1b[31m ]]> <x>", Message: "line\x0bone\n]]><![CDATA[",
			Counterexample: &reports.Counterexample{Method: "POST", Body: "\xff\xfe invalid utf8", Response: reports.Response{Status: 400, Body: "\x07bell"}}}}}
	dir := writeReports(t, run, reports.NewRedactor())
	file := filepath.Join(dir, reports.FileJUnit)
	if out, err := xmllintSchema(t, file); err != nil {
		t.Fatalf("hostile text broke junit.xml: %v\n%s", err, out)
	}
	var doc jSuites
	if err := xml.Unmarshal([]byte(readFile(t, file)), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Suites[0].Cases[0].Name; got != `<n> & "q"` {
		t.Errorf("testcase name = %q", got)
	}
}
