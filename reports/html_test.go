package reports_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/reports/internal/fakerun"
)

// chromiumArgs are the flags that make headless Chromium quiet and offline: no
// first-run work, no background or component fetches, and every host name
// unresolvable, so a report that tried to load anything would show it.
func chromiumArgs(t *testing.T) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + t.TempDir()}
}

// renderedDOM loads the report in headless Chromium and returns the DOM after
// parsing and layout, as the browser sees it.
func renderedDOM(t *testing.T, file string) *html.Node {
	t.Helper()
	chromium := tool(t, "CHROMIUM", "chromium", "chromium")
	out := runTool(t, 2*time.Minute, chromium, append(chromiumArgs(t), "--dump-dom", "file://"+file)...)
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("chromium's DOM does not parse: %v", err)
	}
	return doc
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func byID(doc *html.Node, id string) *html.Node {
	nodes := find(doc, func(n *html.Node) bool { return attr(n, "id") == id })
	if len(nodes) != 1 {
		return nil
	}
	return nodes[0]
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func TestHTMLRendersInChromium(t *testing.T) {
	sec := fakerun.NewSecrets()
	run := fakerun.Mixed(sec)
	red := secretRedactor(sec)
	dir := writeReports(t, run, red)
	file := filepath.Join(dir, reports.FileHTML)

	t.Run("dom", func(t *testing.T) {
		t.Parallel()
		doc := renderedDOM(t, file)
		if l := byID(doc, "level"); l == nil || text(l) != reports.LevelNonconformant {
			t.Error("the level is not at the top")
		}
		matrix := byID(doc, "matrix")
		if matrix == nil {
			t.Fatal("no matrix in the rendered page")
		}
		rows := find(matrix, func(n *html.Node) bool { return n.Data == "tr" })
		if len(rows) != 11 { // header + 9 operations + general
			t.Errorf("matrix has %d rows, want 11", len(rows))
		}
		cell := func(op, fam string) *html.Node {
			cells := find(matrix, func(n *html.Node) bool {
				return attr(n, "data-operation") == op && attr(n, "data-family") == fam
			})
			if len(cells) != 1 {
				t.Fatalf("matrix cell %s × %s: found %d", op, fam, len(cells))
			}
			return cells[0]
		}
		for _, tc := range []struct{ op, fam, class, text string }{
			{"GetDevice", "pattern", "cell fail", "1✗"},
			{"GetDevice", "required", "cell pass", "1✓"},
			{"UpdateDeviceStatus", "enum", "cell known", "1✗"},
			{"AdminGetDevice", "format", "cell advisory", "1!"},
			{"GetDevice", "lifecycle", "cell skip", "1↷"},
			{"GetDevice", "enum", "cell none", "—"},
		} {
			c := cell(tc.op, tc.fam)
			if attr(c, "class") != tc.class || strings.TrimSpace(text(c)) != tc.text {
				t.Errorf("cell %s × %s: class %q text %q, want %q %q", tc.op, tc.fam, attr(c, "class"), strings.TrimSpace(text(c)), tc.class, tc.text)
			}
		}
		// The failing cell links to its failure, which holds request, answer,
		// expectation, seed and curl line.
		links := find(cell("GetDevice", "pattern"), func(n *html.Node) bool { return n.Data == "a" })
		if len(links) != 1 {
			t.Fatal("the failing cell does not link to its failure")
		}
		failure := byID(doc, strings.TrimPrefix(attr(links[0], "href"), "#"))
		if failure == nil || attr(failure, "data-check") != "GetDevice/pattern/DeviceKey pattern" || failure.Data != "details" {
			t.Fatalf("the link %q does not lead to the GetDevice pattern failure", attr(links[0], "href"))
		}
		body := text(failure)
		for _, want := range []string{"!!a_1!!", "HTTP 400 · ResourceNotFoundException", "400 InvalidParameterException (DeviceKey fails its pattern)",
			"1773568800123", "curl -sS -X POST http://127.0.0.1:49152/", "X-Amz-Target: AWSCognitoIdentityProviderService.GetDevice"} {
			if !strings.Contains(body, want) {
				t.Errorf("the failure lacks %q", want)
			}
		}
		findings := byID(doc, "findings")
		if findings == nil || len(find(findings, func(n *html.Node) bool { return attr(n, "class") == "finding" })) != 5 {
			t.Error("the findings table should list the 5 conformance failure classes")
		}
		advisory := byID(doc, "advisory")
		if advisory == nil || len(find(advisory, func(n *html.Node) bool { return n.Data == "details" && strings.HasPrefix(attr(n, "class"), "advisory") })) != 4 {
			t.Error("the advisory section should hold the 4 advisory findings, apart from failures")
		}
		if f := byID(doc, "failures"); f == nil || strings.Contains(text(f), "x-amzn-ErrorType header") {
			t.Error("advisory findings leaked into the conformance failures")
		}
		if fx := byID(doc, "fixture"); fx == nil || !strings.Contains(text(fx), "DeviceSecretVerifierConfig is not supported") {
			t.Error("the fixture step failure is not shown")
		}
		if sk := byID(doc, "skipped"); sk == nil || !strings.Contains(text(sk), "13 checks (fixture-unavailable) — needs a confirmed device") {
			t.Error("skipped checks are not grouped with their reason")
		}
		if bl := byID(doc, "baseline"); bl == nil || !strings.Contains(text(bl), "1 fixed") {
			t.Error("the baseline comparison is not shown")
		}
		if r := byID(doc, "run"); r == nil || !strings.Contains(text(r), run.SpecSHA256) || !strings.Contains(text(r), "us-east-1") {
			t.Error("the options and spec hash are not shown")
		}
		// A target's markup stays text: no element came from a response body.
		if len(find(doc, func(n *html.Node) bool { return n.Data == "script" })) != 0 {
			t.Error("a <script> element was rendered: response bodies are not escaped")
		}
		if !strings.Contains(text(doc), "<script>alert(1)</script>") {
			t.Error("the hostile body should be shown as text")
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		t.Parallel()
		chromium := tool(t, "CHROMIUM", "chromium", "chromium")
		shot := filepath.Join(t.TempDir(), "report.png")
		runTool(t, 2*time.Minute, chromium, append(chromiumArgs(t), "--screenshot="+shot, "--window-size=1280,2000", "file://"+file)...)
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("no screenshot: %v", err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatalf("the screenshot is not a PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
			t.Errorf("screenshot is %v, want 1280×2000", b)
		}
		// The matrix's colours are on screen: whole cells of the pass green and
		// the fail red, not just their names in the source.
		count := func(r0, g0, b0 uint32) int {
			n := 0
			for y := 0; y < img.Bounds().Dy(); y++ {
				for x := 0; x < img.Bounds().Dx(); x++ {
					r, g, b, _ := img.At(x, y).RGBA()
					if near(r>>8, r0) && near(g>>8, g0) && near(b>>8, b0) {
						n++
					}
				}
			}
			return n
		}
		if n := count(0xa8, 0xe6, 0xb4); n < 20000 {
			t.Errorf("only %d pixels of the pass colour: the matrix did not render", n)
		}
		if n := count(0xf5, 0x9a, 0x9a); n < 2000 {
			t.Errorf("only %d pixels of the fail colour: failing cells did not render", n)
		}
	})
}

func near(a, b uint32) bool { return a+3 >= b && b+3 >= a }

var externalRef = regexp.MustCompile(`(?i)(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import|<link\b|<script\b|<iframe\b|<object\b|<embed\b|<img\b`)

func TestHTMLIsSelfContained(t *testing.T) {
	for name, run := range scenarios() {
		t.Run(name, func(t *testing.T) {
			page := readFile(t, filepath.Join(writeReports(t, run, reports.NewRedactor()), reports.FileHTML))
			if m := externalRef.FindString(page); m != "" {
				t.Errorf("report.html refers to something outside itself: %q", m)
			}
			if !strings.Contains(page, `http-equiv="Content-Security-Policy" content="default-src 'none'`) {
				t.Error("report.html lacks the policy that forbids fetches")
			}
		})
	}
}

func TestHTMLFoldsRepeatedFailures(t *testing.T) {
	run := fakerun.NotImplemented(fakerun.NewSecrets())
	var b bytes.Buffer
	if err := reports.WriteHTML(&b, run); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	if h := byID(doc, "headline"); h == nil || !strings.Contains(text(h), "252 of 252 conformance failures are one finding (not-implemented)") {
		t.Error("the dominant finding is not the headline")
	}
	groups := find(byID(doc, "failures"), func(n *html.Node) bool { return attr(n, "class") == "group" })
	if len(groups) != 1 {
		t.Fatalf("%d failure groups, want 1", len(groups))
	}
	var top, folded int
	for c := groups[0].FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "details" {
			if attr(c, "data-check") != "" {
				top++
			} else {
				folded = len(find(c, func(n *html.Node) bool { return attr(n, "data-check") != "" }))
			}
		}
	}
	if top != 20 || folded != 232 {
		t.Errorf("%d failures shown and %d folded away, want 20 and 232", top, folded)
	}
}

// The fixture family's checks (provisioning steps, listed in their own section) are
// a line under the matrix, not a row and a column with one cell between them, which
// pushed the matrix past the edge of a 1280-pixel window; range sits next to enum.
func TestMatrixKeepsFixtureStepsApart(t *testing.T) {
	sec := fakerun.NewSecrets()
	run := fakerun.Mixed(sec)
	run.Checks = append(run.Checks,
		reports.Check{ID: "fixture/fixture/CreateUserPool", Operation: "fixture", Family: "fixture", Name: "CreateUserPool", Verdict: reports.Pass},
		reports.Check{ID: "fixture/fixture/ConfirmDevice", Operation: "fixture", Family: "fixture", Name: "ConfirmDevice", Verdict: reports.Fail,
			Reason: "the target could not do this step"},
		reports.Check{ID: "GetDevice/range/Limit range", Operation: "GetDevice", Family: "range", Name: "Limit range", Verdict: reports.Pass},
	)
	dir := writeReports(t, run, secretRedactor(sec))
	raw, err := os.ReadFile(filepath.Join(dir, reports.FileHTML))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	matrix := byID(doc, "matrix")
	if matrix == nil {
		t.Fatal("no matrix")
	}
	var header []string
	for _, th := range find(matrix, func(n *html.Node) bool { return n.Data == "th" && attr(n, "class") == "fam" }) {
		header = append(header, text(th))
	}
	if strings.Contains(strings.Join(header, " "), "fixture") || !strings.Contains(strings.Join(header, " "), "enum range") {
		t.Errorf("matrix columns %v: want no fixture column and range after enum", header)
	}
	if cells := find(matrix, func(n *html.Node) bool { return attr(n, "data-operation") == "fixture" }); len(cells) > 0 {
		t.Errorf("the matrix has a fixture row of %d cells", len(cells))
	}
	line := byID(doc, "matrix-fixture")
	if line == nil {
		t.Fatal("no fixture line under the matrix")
	}
	cells := find(line, func(n *html.Node) bool { return strings.HasPrefix(attr(n, "class"), "cell ") })
	if len(cells) != 1 || attr(cells[0], "class") != "cell fail" || strings.TrimSpace(text(cells[0])) != "1✓ 1✗" {
		t.Errorf("fixture line %q: want one failing cell reading 1✓ 1✗", text(line))
	}
}
