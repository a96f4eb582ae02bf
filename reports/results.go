// Package reports turns the verdicts of a conformance run into the files users take
// away: results.json (the certification record), junit.xml, report.html, summary.md
// and badge.svg. Everything it writes passes through a Redactor first, so tokens,
// passwords, secret keys and signatures never reach a file.
package reports

import "time"

// Verdict is the outcome of one check.
type Verdict string

// The verdicts a check can have.
const (
	Pass Verdict = "pass"
	Fail Verdict = "fail"
	Skip Verdict = "skip"
)

// Run is one conformance run: what was checked, against what, and every verdict.
// It is the content of results.json.
type Run struct {
	// FormatVersion is the version of this record's layout (results.schema.json);
	// the writers set it, so readers can refuse a layout they do not know.
	FormatVersion int               `json:"formatVersion"`
	Tool          string            `json:"tool"`    // "cogconform"
	Version       string            `json:"version"` // cogconform's version
	SpecSHA256    string            `json:"specSha256"`
	Endpoint      string            `json:"endpoint"`
	Target        string            `json:"target"` // "reference", "reference (defect NAME)" or "external"
	Started       time.Time         `json:"started"`
	Finished      time.Time         `json:"finished"`
	Seed          uint64            `json:"seed"`
	Options       map[string]string `json:"options"` // cases per property, label filter, region, timeouts…
	// Incomplete is set when the run was interrupted or ran out of time; the checks
	// that did not finish are listed as skipped, class "not-run" or "interrupted".
	Incomplete       bool   `json:"incomplete"`
	IncompleteReason string `json:"incompleteReason,omitempty"`
	// Headline is the one thing a reader must see first, e.g. "the target does not
	// implement the device operations (9 of 9 answer 500 InternalFailure)". Empty when
	// nothing dominates the results.
	Headline string    `json:"headline,omitempty"`
	Fixture  []Step    `json:"fixture,omitempty"` // provisioning steps and how the target answered
	Checks   []Check   `json:"checks"`
	Totals   Totals    `json:"totals"`
	Level    string    `json:"level"` // one of the Level constants; set by Summarize
	Baseline *Baseline `json:"baseline,omitempty"`
	Findings []Finding `json:"findings,omitempty"` // distinct failure classes, most frequent first
}

// Step is one fixture provisioning step (CreateUserPool, InitiateAuth…) and its outcome.
type Step struct {
	Name    string  `json:"name"`
	Verdict Verdict `json:"verdict"`
	Detail  string  `json:"detail,omitempty"` // the answer when it failed: status, code, message
}

// Check is one named check: an operation, a family, and the member and constraint or
// scenario it covers. Every check is reported separately; one never hides another.
type Check struct {
	// ID is stable across runs and used by baselines: "Operation/family/name".
	ID        string   `json:"id"`
	Operation string   `json:"operation"`
	Family    string   `json:"family"` // required, pattern, length, enum, type, error-set, …
	Name      string   `json:"name"`   // e.g. "DeviceKey pattern"
	Labels    []string `json:"labels"`
	// Advisory checks (format points such as a missing x-amzn-ErrorType header) are
	// reported apart and never make a run nonconformant.
	Advisory bool    `json:"advisory"`
	Verdict  Verdict `json:"verdict"`
	// Class groups failures and skips for people: "not-implemented",
	// "wrong-error-code", "undocumented-error", "wrong-status", "fixture-unavailable"…
	Class  string `json:"class,omitempty"`
	Reason string `json:"reason,omitempty"` // one line: why it failed or was skipped
	// Message is the full failure message: operation and check, minimal request,
	// answer, what the documentation requires, seed.
	Message        string          `json:"message,omitempty"`
	Counterexample *Counterexample `json:"counterexample,omitempty"`
	Requirement    string          `json:"requirement,omitempty"` // the documented rule checked
	Cases          int             `json:"cases"`                 // generated cases tried
	Requests       int             `json:"requests"`              // HTTP requests sent
	DurationMS     int64           `json:"durationMs"`
	// Known is set by a baseline comparison: the failure was already in the baseline.
	Known bool `json:"known,omitempty"`
}

// Counterexample is the minimal request that broke a rule and the answer it got.
// Secrets in it are already redacted.
type Counterexample struct {
	Operation string            `json:"operation"`
	Method    string            `json:"method"`
	Headers   map[string]string `json:"headers,omitempty"` // X-Amz-Target, Content-Type (never Authorization)
	Body      string            `json:"body"`
	Signed    bool              `json:"signed"` // SigV4-signed (Admin operations)
	Response  Response          `json:"response"`
	Expected  string            `json:"expected"`
	Seed      uint64            `json:"seed"`
	Curl      string            `json:"curl"` // a line that reproduces it; credentials as placeholders
}

// Response is what the target answered.
type Response struct {
	Status      int    `json:"status"`
	Code        string `json:"code,omitempty"` // the error code, read as the AWS SDKs do
	ContentType string `json:"contentType,omitempty"`
	Body        string `json:"body,omitempty"`  // an excerpt
	Error       string `json:"error,omitempty"` // transport failure (timeout, reset…)
}

// Totals counts the verdicts. Conformance and advisory checks are counted apart.
type Totals struct {
	Checks          int `json:"checks"`
	Passed          int `json:"passed"`
	Failed          int `json:"failed"` // conformance failures, known ones included
	Skipped         int `json:"skipped"`
	Known           int `json:"known"` // failures already in the baseline
	AdvisoryPassed  int `json:"advisoryPassed"`
	AdvisoryFailed  int `json:"advisoryFailed"`
	AdvisorySkipped int `json:"advisorySkipped"`
	Requests        int `json:"requests"`
	Cases           int `json:"cases"`
}

// Baseline summarises a comparison with an earlier results.json.
type Baseline struct {
	File  string   `json:"file"`
	Known []string `json:"known"` // failing now and in the baseline
	New   []string `json:"new"`   // failing now, not in the baseline
	Fixed []string `json:"fixed"` // failing in the baseline, passing now
	// Unverified failed in the baseline and did not pass now: skipped, or not run
	// at all (a narrower label filter, an interrupted run). Not fixed, not known.
	Unverified []string `json:"unverified,omitempty"`
}

// Finding is a distinct class of failure, with how many checks show it.
type Finding struct {
	Class   string `json:"class"`
	Summary string `json:"summary"`
	Checks  int    `json:"checks"`
	Example string `json:"example,omitempty"` // one check ID showing it
	// Advisory findings come from advisory checks and never make a run nonconformant.
	Advisory bool `json:"advisory,omitempty"`
	// Known counts the checks of this finding that were already in the baseline.
	Known int `json:"known,omitempty"`
	// Operations shows how widespread the finding is, in the order checks name them.
	Operations []string `json:"operations,omitempty"`
}
