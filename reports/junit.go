package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
)

// The JUnit mapping. CI tools turn <failure> red and fail the build on it, so
// only what makes the run nonconformant becomes a <failure>:
//
//   - a new conformance failure: <failure message="reason" type="class"> with the
//     minimal request, answer, expectation, seed and curl line as its text;
//   - a known failure (in the baseline): <skipped type="known-failure">, as pytest
//     reports an expected failure: still visibly not a pass, but not red;
//   - an advisory failure: a passing testcase whose <system-out> gives the
//     finding, so CI stays about conformance while the finding stays on record;
//   - a skipped check: <skipped message="reason" type="class">.
//
// One <testsuite> per operation, one <testcase> per check with classname
// cogconform.<Operation>.<family>. Run facts (seed, spec sha256, endpoint,
// version, level, fixture) are <properties> of every suite, since the common
// schema allows properties only there. <error> is never used: a transport
// failure is the target's answer, judged like any other.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	ID         int             `xml:"id,attr"`
	Package    string          `xml:"package,attr"`
	Properties junitProperties `xml:"properties"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperties struct {
	Props []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes run as JUnit XML (see the mapping above), summarised and
// redacted of secret-shaped values; registered secrets need WriteAll.
func WriteJUnit(w io.Writer, run *Run) error {
	data, err := renderJUnit(prepare(run))
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func seconds(ms int64) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

func junitProps(run *Run) junitProperties {
	p := []junitProperty{
		{"cogconform.version", run.Version},
		{"cogconform.specSha256", run.SpecSHA256},
		{"cogconform.endpoint", run.Endpoint},
		{"cogconform.target", run.Target},
		{"cogconform.seed", strconv.FormatUint(run.Seed, 10)},
		{"cogconform.level", run.Level},
		{"cogconform.percent", run.percentLabel()},
	}
	if !run.Started.IsZero() {
		p = append(p, junitProperty{"cogconform.started", run.Started.UTC().Format("2006-01-02T15:04:05Z")})
		p = append(p, junitProperty{"cogconform.finished", run.Finished.UTC().Format("2006-01-02T15:04:05Z")})
	}
	if run.Headline != "" {
		p = append(p, junitProperty{"cogconform.headline", run.Headline})
	}
	if run.Incomplete {
		p = append(p, junitProperty{"cogconform.incomplete", run.IncompleteReason})
	}
	if run.Baseline != nil {
		p = append(p, junitProperty{"cogconform.baseline", run.Baseline.File})
	}
	for _, k := range sortedKeys(run.Options) {
		p = append(p, junitProperty{"cogconform.option." + k, run.Options[k]})
	}
	for _, s := range run.Fixture {
		v := string(s.Verdict)
		if s.Detail != "" {
			v += ": " + s.Detail
		}
		p = append(p, junitProperty{"cogconform.fixture." + s.Name, v})
	}
	return junitProperties{Props: p}
}

func renderJUnit(run *Run) ([]byte, error) {
	props := junitProps(run)
	doc := junitSuites{Name: "cogconform"}
	if !run.Started.IsZero() && !run.Finished.Before(run.Started) {
		doc.Time = seconds(run.Finished.Sub(run.Started).Milliseconds())
	} else {
		doc.Time = "0.000"
	}
	index := map[string]int{}
	suiteMS := map[int]int64{}
	for _, c := range run.Checks {
		op := operationOf(c)
		i, ok := index[op]
		if !ok {
			i = len(doc.Suites)
			index[op] = i
			s := junitSuite{Name: op, ID: i, Package: "cogconform", Properties: props}
			if !run.Started.IsZero() {
				// Ant's timestamp: ISO 8601 without a zone, read as UTC.
				s.Timestamp = run.Started.UTC().Format("2006-01-02T15:04:05")
			}
			doc.Suites = append(doc.Suites, s)
		}
		s := &doc.Suites[i]
		tc := junitCase{Name: c.Name, Classname: "cogconform." + op + "." + c.Family, Time: seconds(c.DurationMS)}
		suiteMS[i] += c.DurationMS
		reason := oneLine(c.Reason, 300)
		switch {
		case c.Verdict == Fail && c.Advisory:
			tc.SystemOut = "advisory finding (does not affect conformance): " + reason + "\n\n" + failureText(run, c)
		case c.Verdict == Fail && c.Known:
			file := ""
			if run.Baseline != nil {
				file = " " + run.Baseline.File
			}
			tc.Skipped = &junitSkipped{
				Message: oneLine("known failure (in baseline"+file+"): "+reason, 300),
				Type:    "known-failure",
				Text:    failureText(run, c),
			}
			s.Skipped++
		case c.Verdict == Fail:
			tc.Failure = &junitFailure{Message: reason, Type: classOf(c), Text: failureText(run, c)}
			s.Failures++
		case c.Verdict == Pass:
		default:
			tc.Skipped = &junitSkipped{Message: reason, Type: c.Class}
			s.Skipped++
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Time = seconds(suiteMS[i])
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode junit.xml: %w", err)
	}
	b.WriteString("\n")
	return b.Bytes(), nil
}
