package reports

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// summaryTopN is how many new failures summary.md lists; a PR comment is read
// on one screen, and report.html has the rest.
const summaryTopN = 10

// WriteSummary writes summary.md, a short Markdown digest for a pull-request
// comment: level, headline, operation × family table, the first new failures,
// baseline changes. It contains no links and escapes what a target sent, so a
// hostile error message cannot mention people, link issues or inject markup.
func WriteSummary(w io.Writer, run *Run) error {
	_, err := w.Write(renderSummary(prepare(run)))
	return err
}

// mdText makes target-controlled text inert in GitHub-flavoured Markdown: no
// HTML, no emphasis or links, no @mentions, #issue references or autolinked
// URLs, no table breaks.
func mdText(s string) string {
	s = oneLine(s, 240)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '@':
			b.WriteString("&#64;")
		case '#':
			b.WriteString("&#35;")
		case '|':
			b.WriteString("\\|")
		case '`':
			b.WriteString("'")
		case '\\', '*', '_', '[', ']', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	// GitHub autolinks "scheme://" and "www."; an entity breaks the link
	// without changing what is read.
	return strings.NewReplacer("://", ":&#47;&#47;", "www.", "www&#46;").Replace(b.String())
}

// mdCode puts an identifier in a code span, where nothing is interpreted; only
// backticks and table pipes need care.
func mdCode(s string) string {
	s = strings.ReplaceAll(oneLine(s, 200), "`", "'")
	return "`" + strings.ReplaceAll(s, "|", "\\|") + "`"
}

func mdCell(c cell) string {
	switch c.Kind {
	case cellFail:
		return fmt.Sprintf("❌ %d", c.Fail)
	case cellKnown:
		return fmt.Sprintf("⚠️ %d", c.Known)
	case cellPass, cellAdvisory:
		return "✅"
	case cellPartial:
		return fmt.Sprintf("✅ ⏭ %d", c.Skip)
	case cellSkip:
		return "⏭"
	default:
		return "·"
	}
}

func renderSummary(run *Run) []byte {
	var b bytes.Buffer
	t := run.Totals
	fmt.Fprintf(&b, "### cogconform: **%s** · %s of decided conformance checks pass\n\n", run.Level, run.percentLabel())
	if run.Headline != "" {
		fmt.Fprintf(&b, "> %s\n\n", mdText(run.Headline))
	}
	if run.Incomplete {
		fmt.Fprintf(&b, "**Incomplete run:** %s\n\n", mdText(run.IncompleteReason))
	}
	newFailures := t.Failed - t.Known
	fmt.Fprintf(&b, "%d passed · %d new %s", t.Passed, newFailures, plural(newFailures, "failure", "failures"))
	if t.Known > 0 {
		fmt.Fprintf(&b, " · %d known", t.Known)
	}
	fmt.Fprintf(&b, " · %d skipped · %d advisory %s · %d requests  \n", t.Skipped, t.AdvisoryFailed,
		plural(t.AdvisoryFailed, "finding", "findings"), t.Requests)
	fmt.Fprintf(&b, "target %s %s · cogconform %s · seed %s\n\n", mdText(run.Target), mdCode(run.Endpoint), mdText(run.Version), mdCode(fmt.Sprint(run.Seed)))

	if m := buildMatrix(run); len(m.Rows) > 0 {
		b.WriteString("| operation |")
		for _, f := range m.Families {
			fmt.Fprintf(&b, " %s |", mdText(f))
		}
		b.WriteString("\n|---|")
		for range m.Families {
			b.WriteString(":-:|")
		}
		b.WriteString("\n")
		for _, row := range m.Rows {
			fmt.Fprintf(&b, "| %s |", mdText(row.Operation))
			for _, c := range row.Cells {
				fmt.Fprintf(&b, " %s |", mdCell(c))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n✅ pass · ❌ new failures · ⚠️ known failures only · ⏭ skipped · · no check\n\n")
	}

	var fresh []Check
	for _, c := range run.Checks {
		if isNewFailure(c) {
			fresh = append(fresh, c)
		}
	}
	if len(fresh) > 0 {
		shown := min(len(fresh), summaryTopN)
		fmt.Fprintf(&b, "**New failures** (%d", len(fresh))
		if shown < len(fresh) {
			fmt.Fprintf(&b, ", first %d", shown)
		}
		b.WriteString(")\n\n")
		for _, c := range fresh[:shown] {
			fmt.Fprintf(&b, "- %s — %s\n", mdCode(c.ID), mdText(c.Reason))
		}
		if shown < len(fresh) {
			fmt.Fprintf(&b, "- … and %d more in report.html\n", len(fresh)-shown)
		}
		b.WriteString("\n")
	}
	var findings []string
	for _, f := range run.Findings {
		if !f.Advisory {
			findings = append(findings, fmt.Sprintf("%s × %d", mdText(f.Class), f.Checks))
		}
	}
	if len(findings) > 1 {
		fmt.Fprintf(&b, "**Findings:** %s\n\n", strings.Join(findings, " · "))
	}

	if bl := run.Baseline; bl != nil {
		fmt.Fprintf(&b, "**Baseline** %s: %d known · %d fixed", mdCode(bl.File), len(bl.Known), len(bl.Fixed))
		if len(bl.Unverified) > 0 {
			fmt.Fprintf(&b, " · %d not verified", len(bl.Unverified))
		}
		b.WriteString("\n\n")
		listIDs(&b, "Fixed", bl.Fixed)
		listIDs(&b, "Not verified (skipped or not run)", bl.Unverified)
	}
	var failedSteps []string
	for _, s := range run.Fixture {
		if s.Verdict == Fail {
			failedSteps = append(failedSteps, fmt.Sprintf("%s (%s)", mdText(s.Name), mdText(s.Detail)))
		}
	}
	if len(failedSteps) > 0 {
		fmt.Fprintf(&b, "**Fixture steps the target could not do:** %s\n\n", strings.Join(failedSteps, "; "))
	}
	if groups := skipGroups(run); len(groups) > 0 {
		b.WriteString("**Skipped:**")
		for i, g := range groups {
			if i == 3 {
				fmt.Fprintf(&b, " … and %d other reasons", len(groups)-3)
				break
			}
			fmt.Fprintf(&b, " %d × %s;", len(g.IDs), mdText(g.Reason))
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

func listIDs(b *bytes.Buffer, title string, ids []string) {
	if len(ids) == 0 {
		return
	}
	fmt.Fprintf(b, "%s: ", title)
	for i, id := range ids {
		if i == summaryTopN {
			fmt.Fprintf(b, "… and %d more", len(ids)-summaryTopN)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(mdCode(id))
	}
	b.WriteString("\n\n")
}
