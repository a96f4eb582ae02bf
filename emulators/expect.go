// Package emulators holds cogconform's reasoned judgement of real third-party
// Cognito emulators (moto, cognito-local) and compares a run's verdicts with it.
//
// An expectations file (testdata/<emulator>.json) states, for every check of a
// run against that emulator, the verdict and class the harness must reach and the
// documented rule behind it: which operation the service model defines and the
// emulator does not implement, which protocol rule it breaks, which fixture step
// it cannot do. Rules are globs over check IDs; the first rule that matches a
// check decides what is expected of it. Every check must match a rule and every
// rule must match a check, so a new check, a vanished check or a changed verdict
// each shows up as a readable diff.
//
// A rule may also name a harness bug: a verdict the harness reaches today that
// the rule says is wrong. It is tolerated (and reported) so that CI stays green
// while the harness is fixed, but it is never what the file expects.
//
// `make test-emulators` (scripts/emulators.sh) starts the emulators, runs
// `cogconform run` against each and then TestEmulators with
// COGCONFORM_EMULATORS_DIR pointing at the results.
package emulators

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cogconform/cogconform/reports"
)

// Expectations is the content of one testdata/<emulator>.json.
type Expectations struct {
	Emulator string `json:"emulator"`
	// Version is the emulator version the file was reasoned for.
	Version string `json:"version"`
	// Setup says how the emulator is started, and any configuration it needs to
	// behave like AWS where the emulator offers a switch.
	Setup string `json:"setup"`
	// Level is the conformance level the run must reach.
	Level string `json:"level"`
	// Headline is text the run's headline must contain: what a reader sees first.
	Headline string `json:"headline"`
	Rules    []Rule `json:"rules"`
}

// Rule is what is expected of every check whose ID matches one of its globs.
type Rule struct {
	// Match lists globs over check IDs ("Operation/family/name"); '*' matches any
	// run of characters, '/' included. A rule applies if any glob matches.
	Match   []string        `json:"match"`
	Verdict reports.Verdict `json:"verdict"`
	Class   string          `json:"class,omitempty"`
	// Reason, if set, is text the check's reason must contain (for skips: which
	// missing capability, and why it is missing).
	Reason string `json:"reason,omitempty"`
	// Rule is the judgement: the documented rule the emulator breaks (for a fail),
	// why the check cannot run (for a skip), or what the emulator does right.
	Rule string `json:"rule"`
	// HarnessBug is a verdict the harness reaches today that this rule says is
	// wrong; it is tolerated, and reported, until the harness is fixed.
	HarnessBug *HarnessBug `json:"harnessBug,omitempty"`
}

// HarnessBug is a wrong verdict of the harness, tolerated with a pointer to where
// it comes from.
type HarnessBug struct {
	Verdict reports.Verdict `json:"verdict"`
	Class   string          `json:"class,omitempty"`
	Reason  string          `json:"reason,omitempty"`
	// Where names the file and function that reach the wrong verdict.
	Where string `json:"where"`
	Note  string `json:"note"`
}

// Load reads and validates an expectations file.
func Load(path string) (*Expectations, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var e Expectations
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &e, nil
}

// Validate checks that the file is a reasoned judgement: every rule has globs, a
// known verdict, a class for every failure, and says why.
func (e *Expectations) Validate() error {
	var errs []error
	if e.Emulator == "" || e.Version == "" || e.Setup == "" {
		errs = append(errs, errors.New("emulator, version and setup are required"))
	}
	if !validLevel(e.Level) {
		errs = append(errs, fmt.Errorf("level %q: want one of %s", e.Level, strings.Join(reports.Levels(), ", ")))
	}
	if len(e.Rules) == 0 {
		errs = append(errs, errors.New("no rules"))
	}
	for i, r := range e.Rules {
		where := fmt.Sprintf("rule %d %v", i+1, r.Match)
		if len(r.Match) == 0 {
			errs = append(errs, fmt.Errorf("rule %d: no match globs", i+1))
		}
		for _, g := range r.Match {
			if strings.TrimSpace(g) == "" {
				errs = append(errs, fmt.Errorf("%s: empty glob", where))
			}
		}
		if !validVerdict(r.Verdict) {
			errs = append(errs, fmt.Errorf("%s: verdict %q: want pass, fail or skip", where, r.Verdict))
		}
		if r.Verdict == reports.Fail && r.Class == "" {
			errs = append(errs, fmt.Errorf("%s: an expected failure needs its class", where))
		}
		if len(strings.TrimSpace(r.Rule)) < 20 {
			errs = append(errs, fmt.Errorf("%s: say which documented rule decides the verdict (rule)", where))
		}
		if b := r.HarnessBug; b != nil {
			if !validVerdict(b.Verdict) || b.Where == "" || b.Note == "" {
				errs = append(errs, fmt.Errorf("%s: harnessBug needs verdict, where and note", where))
			}
			if b.Verdict == r.Verdict && b.Class == r.Class && b.Reason == r.Reason {
				errs = append(errs, fmt.Errorf("%s: harnessBug is the expected verdict itself", where))
			}
		}
	}
	return errors.Join(errs...)
}

func validVerdict(v reports.Verdict) bool {
	return v == reports.Pass || v == reports.Fail || v == reports.Skip
}

func validLevel(l string) bool {
	for _, x := range reports.Levels() {
		if x == l {
			return true
		}
	}
	return false
}

// Glob reports whether id matches pattern, where '*' matches any run of
// characters ('/' included) and every other character matches itself.
func Glob(pattern, id string) bool {
	// Iterative wildcard matching with backtracking to the last star.
	p, s := 0, 0
	star, mark := -1, 0
	for s < len(id) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, s
			p++
		case p < len(pattern) && pattern[p] == id[s]:
			p++
			s++
		case star >= 0:
			p = star + 1
			mark++
			s = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// rule returns the index of the first rule matching id, or -1.
func (e *Expectations) rule(id string) int {
	for i, r := range e.Rules {
		for _, g := range r.Match {
			if Glob(g, id) {
				return i
			}
		}
	}
	return -1
}

// Diff is one check whose verdict differs from the expectation.
type Diff struct {
	ID           string
	Want         string // "fail · not-implemented", or "(no rule)"
	Got          string // "pass", or "(not in the run)"
	Reason       string // the check's one-line reason
	Rule         string
	RuleIndex    int // 1-based; 0 when no rule matched
	RuleMatchStr string
}

// Tolerated is a check whose verdict is a known harness bug.
type Tolerated struct {
	ID     string
	Want   string
	Got    string
	Reason string // the check's one-line reason
	Bug    HarnessBug
}

// Result is the comparison of one run with its expectations.
type Result struct {
	Emulator string
	Checks   int
	Diffs    []Diff
	// Tolerated lists checks where the harness reached a known-wrong verdict.
	Tolerated []Tolerated
	// Fixed lists rules whose harness bug no longer shows: the harness now
	// reaches the expected verdict, and the harnessBug entry can go.
	Fixed []string
	// Unused lists rules that matched no check of the run (stale or mistyped).
	Unused []string
	// Problems are run-level mismatches: level, headline, an incomplete run.
	Problems []string
}

// OK reports whether the run matches its expectations (tolerated harness bugs
// included unless strict).
func (r *Result) OK(strict bool) bool {
	return len(r.Diffs) == 0 && len(r.Unused) == 0 && len(r.Problems) == 0 && (!strict || len(r.Tolerated) == 0)
}

func show(v reports.Verdict, class string) string {
	if class == "" {
		return string(v)
	}
	return string(v) + " · " + class
}

func matches(c reports.Check, v reports.Verdict, class, reason string) bool {
	return c.Verdict == v && c.Class == class && strings.Contains(c.Reason, reason)
}

// Compare holds run to the expectations, check by check.
func Compare(e *Expectations, run *reports.Run) *Result {
	res := &Result{Emulator: e.Emulator, Checks: len(run.Checks)}
	used := make([]bool, len(e.Rules))
	bugSeen := make([]bool, len(e.Rules))
	bugFixed := make([]bool, len(e.Rules))
	seen := map[string]bool{}
	for _, c := range run.Checks {
		if seen[c.ID] {
			res.Problems = append(res.Problems, fmt.Sprintf("check %q appears twice in the run", c.ID))
			continue
		}
		seen[c.ID] = true
		i := e.rule(c.ID)
		if i < 0 {
			res.Diffs = append(res.Diffs, Diff{ID: c.ID, Want: "(no rule in the expectations)", Got: show(c.Verdict, c.Class), Reason: c.Reason})
			continue
		}
		used[i] = true
		r := e.Rules[i]
		want := show(r.Verdict, r.Class)
		if r.Reason != "" {
			want += fmt.Sprintf(" (reason contains %q)", r.Reason)
		}
		if matches(c, r.Verdict, r.Class, r.Reason) {
			if r.HarnessBug != nil {
				bugFixed[i] = true
			}
			continue
		}
		if b := r.HarnessBug; b != nil && matches(c, b.Verdict, b.Class, b.Reason) {
			bugSeen[i] = true
			res.Tolerated = append(res.Tolerated, Tolerated{ID: c.ID, Want: want, Got: show(c.Verdict, c.Class), Reason: c.Reason, Bug: *b})
			continue
		}
		res.Diffs = append(res.Diffs, Diff{
			ID: c.ID, Want: want, Got: show(c.Verdict, c.Class), Reason: c.Reason,
			Rule: r.Rule, RuleIndex: i + 1, RuleMatchStr: strings.Join(r.Match, ", "),
		})
	}
	for i, r := range e.Rules {
		switch {
		case !used[i]:
			res.Unused = append(res.Unused, fmt.Sprintf("rule %d %v matched no check of the run", i+1, r.Match))
		case r.HarnessBug != nil && bugFixed[i] && !bugSeen[i]:
			res.Fixed = append(res.Fixed, fmt.Sprintf("rule %d %v: the harness now reaches the expected verdict; remove its harnessBug (%s)", i+1, r.Match, r.HarnessBug.Where))
		}
	}
	if run.Level != e.Level {
		res.Problems = append(res.Problems, fmt.Sprintf("level: expected %s, got %s", e.Level, run.Level))
	}
	if run.Incomplete {
		res.Problems = append(res.Problems, "the run is incomplete: "+run.IncompleteReason)
	}
	if e.Headline != "" && !strings.Contains(run.Headline, e.Headline) {
		res.Problems = append(res.Problems, fmt.Sprintf("headline: expected it to say %q, got %q", e.Headline, oneLine(run.Headline, 300)))
	}
	sort.Slice(res.Diffs, func(a, b int) bool { return res.Diffs[a].ID < res.Diffs[b].ID })
	sort.Slice(res.Tolerated, func(a, b int) bool { return res.Tolerated[a].ID < res.Tolerated[b].ID })
	return res
}

// Report writes the comparison for people: every differing check with what was
// expected, what came, the check's reason and the rule; then run-level problems,
// stale rules, tolerated harness bugs (grouped) and fixed ones.
func (r *Result) Report(file string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d checks compared with %s — %d differ, %d tolerated harness bugs, %d stale rules, %d run-level problems\n",
		r.Emulator, r.Checks, file, len(r.Diffs), len(r.Tolerated), len(r.Unused), len(r.Problems))
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  ✗ %s\n", p)
	}
	for _, d := range r.Diffs {
		fmt.Fprintf(&b, "  ✗ %s\n", d.ID)
		fmt.Fprintf(&b, "      expected  %s\n", d.Want)
		fmt.Fprintf(&b, "      got       %s\n", d.Got)
		if d.Reason != "" {
			fmt.Fprintf(&b, "      reason    %s\n", oneLine(d.Reason, 300))
		}
		if d.RuleIndex > 0 {
			fmt.Fprintf(&b, "      rule %d    [%s] %s\n", d.RuleIndex, d.RuleMatchStr, oneLine(d.Rule, 300))
		}
	}
	for _, u := range r.Unused {
		fmt.Fprintf(&b, "  ✗ %s\n", u)
	}
	// Tolerated bugs are many checks with one cause: group them by where.
	type group struct {
		bug               HarnessBug
		want, got, reason string
		ids               []string
	}
	var groups []*group
	byWhere := map[string]*group{}
	for _, t := range r.Tolerated {
		k := t.Bug.Where + "\x00" + t.Want + "\x00" + t.Got
		g := byWhere[k]
		if g == nil {
			g = &group{bug: t.Bug, want: t.Want, got: t.Got, reason: t.Reason}
			byWhere[k] = g
			groups = append(groups, g)
		}
		g.ids = append(g.ids, t.ID)
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "  ! harness bug tolerated on %s (e.g. %s): expected %s, the harness says %s\n", plural(len(g.ids), "check"), g.ids[0], g.want, g.got)
		if g.bug.Reason != "" && g.reason != "" {
			fmt.Fprintf(&b, "      reason    %s\n", oneLine(g.reason, 300))
		}
		fmt.Fprintf(&b, "      where     %s\n", g.bug.Where)
		fmt.Fprintf(&b, "      why       %s\n", oneLine(g.bug.Note, 400))
	}
	for _, f := range r.Fixed {
		fmt.Fprintf(&b, "  ✓ %s\n", f)
	}
	return b.String()
}

// ClosingNote is the one line per emulator CI prints at the end: counts of pass,
// fail and skip, and the distinct finding classes with how many checks show each.
func ClosingNote(e *Expectations, run *reports.Run) string {
	t := run.Totals
	var conf, adv []string
	for _, f := range run.Findings {
		s := fmt.Sprintf("%s ×%d", f.Class, f.Checks)
		if f.Advisory {
			adv = append(adv, s)
		} else {
			conf = append(conf, s)
		}
	}
	line := fmt.Sprintf("%s %s: %d checks — %d pass / %d fail / %d skip (advisory: %d pass / %d fail / %d skip); findings: %s",
		e.Emulator, e.Version, t.Checks, t.Passed, t.Failed, t.Skipped, t.AdvisoryPassed, t.AdvisoryFailed, t.AdvisorySkipped, orNone(conf))
	if len(adv) > 0 {
		line += "; advisory: " + strings.Join(adv, ", ")
	}
	return line
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

// Files lists the expectation files in dir, by emulator name.
func Files(dir string) (map[string]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range paths {
		out[strings.TrimSuffix(filepath.Base(p), ".json")] = p
	}
	return out, nil
}
