package reports_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/reports/internal/fakerun"
)

func summaryOf(t *testing.T, run *reports.Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := reports.WriteSummary(&b, run); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestSummaryForAPullRequest(t *testing.T) {
	md := summaryOf(t, fakerun.Mixed(fakerun.NewSecrets()))
	for _, want := range []string{
		"### cogconform: **nonconformant** · 91% of decided conformance checks pass",
		"| operation | required | pattern | length | enum | type | error-set | empty-body | lifecycle | auth | protocol | format | secrecy |",
		"| GetDevice | ✅ | ❌ 1 | ✅ | · | ✅ | ✅ | · | ⏭ | ❌ 1 | ✅ | ✅ | · |",
		"| UpdateDeviceStatus | ✅ | ✅ | ✅ | ⚠️ 1 |",
		"**New failures** (7)",
		"- `GetDevice/auth/forged and foreign tokens` — returned the device of another user",
		"**Baseline** `baseline/results.json`: 1 known · 1 fixed · 1 not verified",
		"Fixed: `ConfirmDevice/type/wrong JSON types`",
		"**Fixture steps the target could not do:** ConfirmDevice",
		"**Skipped:** 13 × needs a confirmed device",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q\n%s", want, md)
		}
	}
	if lines := strings.Count(md, "\n"); lines > 60 {
		t.Errorf("summary.md has %d lines: too long for a PR comment", lines)
	}
}

func TestSummaryListsOnlyTheFirstNewFailures(t *testing.T) {
	md := summaryOf(t, fakerun.NotImplemented(fakerun.NewSecrets()))
	if n := strings.Count(md, "\n- `"); n != 10 {
		t.Errorf("%d failures listed, want the first 10", n)
	}
	if !strings.Contains(md, "- … and 242 more in report.html") {
		t.Error("the rest of the failures are not counted")
	}
	if !strings.Contains(md, "> 252 of 252 conformance failures are one finding (not-implemented)") {
		t.Error("the headline is not quoted at the top")
	}
}

// Text a target sent reaches the PR comment only as text: no HTML, no mention,
// no issue link, no autolink, no broken table.
func TestSummaryNeutralisesTargetText(t *testing.T) {
	run := &reports.Run{Checks: []reports.Check{chk("Op/fam/x", reports.Fail, func(c *reports.Check) {
		c.Reason = `see http://evil.example/x <img src=x> @octocat #123 [link](javascript:alert) | www.evil.example *bold*`
	})}}
	md := summaryOf(t, run)
	for _, bad := range []string{"http://", "<img", "@octocat", "#123", "[link](", "www.evil", " *bold*"} {
		if strings.Contains(md, bad) {
			t.Errorf("summary.md passes %q through:\n%s", bad, md)
		}
	}
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "- `Op/fam/x`") && regexp.MustCompile(`(^|[^\\])\|`).MatchString(line) {
			t.Errorf("an unescaped | would break a table: %q", line)
		}
	}
}

func TestBadge(t *testing.T) {
	mk := func(pass, fail int) *reports.Run {
		r := &reports.Run{}
		for i := range pass {
			r.Checks = append(r.Checks, chk(fmt.Sprintf("O/f/p%d", i), reports.Pass))
		}
		for i := range fail {
			r.Checks = append(r.Checks, chk(fmt.Sprintf("O/f/f%d", i), reports.Fail))
		}
		return r
	}
	cases := []struct {
		run          *reports.Run
		label, color string
	}{
		{mk(10, 0), "100%", "#4c1"},
		{mk(999, 1), "99%", "#dfb317"}, // never rounded up to a green 100%
		{mk(87, 13), "87%", "#dfb317"},
		{mk(80, 20), "80%", "#dfb317"},
		{mk(79, 21), "79%", "#fe7d37"},
		{mk(50, 50), "50%", "#fe7d37"},
		{mk(49, 51), "49%", "#e05d44"},
		{mk(0, 0), "n/a", "#9f9f9f"},
	}
	for _, tc := range cases {
		var b bytes.Buffer
		if err := reports.WriteBadge(&b, tc.run); err != nil {
			t.Fatal(err)
		}
		svg := b.String()
		var root struct {
			XMLName xml.Name
			Label   string `xml:"aria-label,attr"`
		}
		if err := xml.Unmarshal(b.Bytes(), &root); err != nil || root.XMLName.Local != "svg" {
			t.Fatalf("badge is not SVG: %v", err)
		}
		if root.Label != "cogconform: "+tc.label {
			t.Errorf("badge says %q, want cogconform: %s", root.Label, tc.label)
		}
		if !strings.Contains(svg, `fill="`+tc.color+`"`) {
			t.Errorf("%s badge is not %s", tc.label, tc.color)
		}
		if m := externalRef.FindString(svg); m != "" || strings.Count(svg, "http") != 1 {
			t.Errorf("badge refers to something outside itself (only the SVG namespace may appear): %q", m)
		}
	}
}
