package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/cogconform/cogconform/awsjson"
	"github.com/cogconform/cogconform/internal/version"
	"github.com/cogconform/cogconform/reference"
	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/suites"
)

type runFlags struct {
	cfg         suites.Config
	out         string
	labelFilter string
	defect      string
	baseline    string
	verbose     bool
	progress    string
}

func runRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var rf runFlags
	suites.RegisterFlags(fs, &rf.cfg)
	fs.StringVar(&rf.out, "out", envOr("COGCONFORM_OUT", "cogconform-report"), "folder for the reports (env COGCONFORM_OUT)")
	fs.StringVar(&rf.labelFilter, "label-filter", os.Getenv("COGCONFORM_LABEL_FILTER"), "Ginkgo label filter, e.g. 'UpdateDeviceStatus && pattern' (env COGCONFORM_LABEL_FILTER)")
	fs.StringVar(&rf.defect, "defect", os.Getenv("COGCONFORM_DEFECT"), "with no --endpoint: switch on a defect of the embedded reference target (see `cogconform serve --list-defects`)")
	fs.StringVar(&rf.baseline, "baseline", os.Getenv("COGCONFORM_BASELINE"), "an earlier results.json: its failures are known and do not fail the run (env COGCONFORM_BASELINE)")
	fs.BoolVar(&rf.verbose, "verbose", false, "print every check as it finishes, and Ginkgo's own output")
	fs.StringVar(&rf.progress, "progress", "auto", "progress lines: auto, plain, none")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: cogconform run [flags]

Runs every conformance check against an endpoint (default: the embedded reference
target) and writes results.json, junit.xml, report.html, summary.md and badge.svg.

Exit codes: 0 conformant; 1 nonconformant, or incomplete (interrupted by SIGINT or
SIGTERM, or out of time: --run-timeout); 2 bad configuration, unreadable input, or a
target that cannot be reached (refused, no answer within --request-timeout, TLS).

Examples:
  cogconform run                                       # the embedded reference target
  cogconform run --endpoint http://127.0.0.1:5000      # moto_server
  cogconform run --endpoint http://127.0.0.1:9229 --label-filter 'UpdateDeviceStatus && pattern'
  cogconform run --defect pattern-substring            # watch a defect get caught
  cogconform run --endpoint URL --baseline old/results.json
  cogconform run --endpoint https://host:8443 --ca-file ca.pem   # a TLS target
  cogconform run --endpoint https://cognito-idp.us-east-1.amazonaws.com --allow-aws \
      --aws-default-credentials                        # real AWS: see the README first

Flags:
`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if err := suites.ApplyEnv(fs, os.Getenv); err != nil {
		fmt.Fprintf(stderr, "cogconform run: %v\n", err)
		return exitConfig
	}
	return execute(rf, stdout, stderr)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func execute(rf runFlags, stdout, stderr io.Writer) int {
	ctx, stop := interruptContext()
	defer stop()
	tuneGC(runMemoryLimit(rf.cfg.Workers, rf.cfg.MaxBody), os.Getenv)
	// Messages are for a person at a terminal: one line each, and never a secret
	// (a configured one, or one in the endpoint's user information).
	startRed := reports.NewRedactor()
	startRed.Add(rf.cfg.Secrets()...)
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "cogconform run: %s\n", oneLine(startRed.String(fmt.Sprintf(format, args...))))
		return exitConfig
	}
	if _, err := types.ParseLabelFilter(rf.labelFilter); err != nil {
		// Ginkgo would print this to the log it writes to and exit 1 mid-run.
		msg := err.Error()
		var ge types.GinkgoError
		if errors.As(err, &ge) {
			msg = ge.Message
		}
		return fail("--label-filter %q: %s", rf.labelFilter, msg)
	}
	var baseline *reports.Run
	if rf.baseline != "" {
		b, err := reports.ReadJSON(rf.baseline)
		if err != nil {
			return fail("--baseline: %v", err)
		}
		baseline = b
	}
	target := "external"
	if rf.cfg.Endpoint == "" {
		if rf.defect != "" && !knownDefect(rf.defect) {
			return fail("--defect %q: not in the catalogue; `cogconform serve --list-defects` lists them", rf.defect)
		}
		url, shutdown, err := reference.Listen(reference.Options{Defect: rf.defect, AccessKeyID: rf.cfg.AccessKeyID, SecretAccessKey: rf.cfg.SecretAccessKey, Region: rf.cfg.Region}, "127.0.0.1:0")
		if err != nil {
			return fail("starting the embedded reference target: %v", err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = shutdown(sctx)
		}()
		rf.cfg.Endpoint = url
		target = "reference"
		if rf.defect != "" {
			target = "reference (defect " + rf.defect + ")"
		}
	} else if rf.defect != "" {
		return fail("--defect applies to the embedded reference target only; drop --endpoint or --defect")
	}
	env, err := suites.NewEnv(ctx, rf.cfg)
	if err != nil {
		return fail("%v", err)
	}
	if err := reachable(ctx, env.Client); err != nil {
		if ctx.Err() != nil {
			return fail("interrupted before the run started: nothing was created, no report written")
		}
		return fail("the target at %s cannot be reached: %s", redactedURL(rf.cfg.Endpoint), unreachable(err, rf.cfg))
	}
	if rf.cfg.InsecureSkipVerify && strings.HasPrefix(strings.ToLower(rf.cfg.Endpoint), "https:") {
		fmt.Fprintln(stderr, "cogconform run: warning: --insecure-skip-verify: the target's certificate is not checked; anyone on the path can read the tokens")
	}
	if err := os.MkdirAll(rf.out, 0o755); err != nil {
		return fail("creating the report folder: %v", err)
	}

	fmt.Fprintf(stdout, "cogconform %s: checking %s (%s), %d cases per property\n", version.Version, redactedURL(rf.cfg.Endpoint), target, rf.cfg.Cases)
	if target == "external" && env.Cfg.PoolID == "" && env.Cfg.AccessToken == "" {
		// Named for a person who must clean up by hand after a kill -9.
		fmt.Fprintf(stdout, "fixture: creates user pool cogconform-%s (and its client and users), deleted at the end\n", env.Cfg.RunID)
	}

	// Ginkgo writes its own console report to standard output; in-process it goes to a
	// log in the report folder, and the terminal gets cogconform's progress lines.
	logPath := filepath.Join(rf.out, "ginkgo.log")
	term, restore, err := redirectStdout(logPath, rf.verbose, env.Red.String)
	if err != nil {
		return fail("redirecting Ginkgo's output: %v", err)
	}
	progressOut := stdout
	if stdout == io.Writer(os.Stdout) {
		progressOut = term
	}
	prog := newProgress(progressOut, rf.progress, rf.verbose)
	env.Progress = prog.check
	run, runErr := suites.Run(env, suites.RunOptions{LabelFilter: rf.labelFilter, NoColor: true, Context: ctx})
	prog.mu.Lock()
	prog.flush()
	prog.mu.Unlock()
	restore()
	if runErr != nil {
		return fail("%v", runErr)
	}
	run.Target = target
	if ctx.Err() != nil && !run.Incomplete {
		run.Incomplete, run.IncompleteReason = true, "interrupted by a signal"
	}
	if run.Incomplete {
		fmt.Fprintf(stderr, "cogconform run: the run is incomplete: %s; the reports say what ran\n", env.Red.String(run.IncompleteReason))
	}
	if baseline != nil {
		reports.CompareBaseline(run, baseline, rf.baseline)
	}
	run.Summarize()
	files, err := reports.WriteAll(rf.out, run, env.Red)
	if err != nil {
		fmt.Fprintf(stderr, "cogconform run: writing reports: %s\n", oneLine(env.Red.String(err.Error())))
		return exitConfig
	}
	printSummary(stdout, run, env.Red)
	fmt.Fprintf(stdout, "reports: %s\n", strings.Join(files, ", "))
	if n := harnessErrors(run); n > 0 {
		// A panic inside cogconform says nothing about the target: the run proves nothing.
		fmt.Fprintf(stderr, "cogconform run: %d checks failed inside cogconform itself (class harness-error): this is a bug in cogconform, not a finding about the target; see %s\n", n, filepath.Join(rf.out, "ginkgo.log"))
		return exitConfig
	}
	if !run.Conformant() || run.Incomplete {
		return exitFail
	}
	return exitOK
}

func harnessErrors(run *reports.Run) int {
	n := 0
	for _, c := range run.Checks {
		if c.Class == "harness-error" {
			n++
		}
	}
	return n
}

func knownDefect(name string) bool {
	for _, d := range reference.Defects() {
		if d.Name == name {
			return true
		}
	}
	return false
}

// reachable sends one request for an operation that does not exist: any HTTP answer
// means the target is there; a refused connection, DNS or TLS failure means it is not.
func reachable(ctx context.Context, c *awsjson.Client) error {
	ctx, cancel := context.WithTimeout(ctx, c.Config().Timeout)
	defer cancel()
	_, err := c.Do(ctx, awsjson.Request{Target: c.Target("CogconformReachabilityProbe"), Body: []byte("{}")})
	return err
}

// unreachable says in words why the start-up probe got no answer, and what to do.
func unreachable(err error, cfg suites.Config) string {
	var (
		unknownCA x509.UnknownAuthorityError
		badCert   x509.CertificateInvalidError
		badHost   x509.HostnameError
		verify    *tls.CertificateVerificationError
		notTLS    tls.RecordHeaderError
		dns       *net.DNSError
		nerr      net.Error
	)
	tlsHint := "trust its certificate authority with --ca-file FILE, or (testing only) skip verification with --insecure-skip-verify"
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &badCert), errors.As(err, &badHost), errors.As(err, &verify):
		return fmt.Sprintf("TLS: the certificate is not trusted (%v); %s", rootCause(err), tlsHint)
	case errors.As(err, &notTLS), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "TLS: the target does not speak TLS on this port (is the endpoint http://, not https://?)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing listens on that host and port"
	case errors.Is(err, syscall.ECONNRESET):
		return "the target reset the connection before answering"
	case errors.As(err, &dns):
		return fmt.Sprintf("the host name does not resolve (%v)", dns)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		return fmt.Sprintf("no answer within %s (--request-timeout)", cfg.RequestTimeout)
	case strings.Contains(err.Error(), "tls:"), strings.Contains(err.Error(), "x509:"):
		return fmt.Sprintf("TLS: %v; %s", rootCause(err), tlsHint)
	case (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) && strings.HasPrefix(strings.ToLower(cfg.Endpoint), "https:"):
		return "the target closed the connection during the TLS handshake: does it speak TLS on this port?"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the target closed the connection without an answer"
	}
	return rootCause(err).Error()
}

// rootCause unwraps to the innermost error: the outer layers repeat the URL.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// redactedURL hides a password in the URL's user information.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// ansi matches terminal colour codes and Ginkgo's colour markup ({{red}}, {{/}}),
// which some libraries put in their errors.
var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m|\{\{/?[a-z]*\}\}`)

// oneLine folds a multi-line message (a schema's list of problems, say) into one line.
func oneLine(s string) string {
	var lines []string
	for _, l := range strings.Split(ansi.ReplaceAllString(s, ""), "\n") {
		if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- ")); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.ReplaceAll(strings.Join(lines, "; "), ":; ", ": ")
}

// printSummary prints the operation × family table and the headline.
func printSummary(w io.Writer, run *reports.Run, red *reports.Redactor) {
	if run.Headline != "" {
		fmt.Fprintf(w, "\n!! %s\n", red.String(run.Headline))
	}
	fams := map[string]bool{}
	cells := map[string]map[string][3]int{}
	var ops []string
	for _, c := range run.Checks {
		if cells[c.Operation] == nil {
			cells[c.Operation] = map[string][3]int{}
			ops = append(ops, c.Operation)
		}
		fams[c.Family] = true
		v := cells[c.Operation][c.Family]
		switch {
		case c.Verdict == reports.Pass:
			v[0]++
		case c.Verdict == reports.Fail && !c.Advisory:
			v[1]++
		case c.Verdict == reports.Skip:
			v[2]++
		}
		cells[c.Operation][c.Family] = v
	}
	var famList []string
	for f := range fams {
		famList = append(famList, f)
	}
	sort.Strings(famList)
	sort.Strings(ops)
	fmt.Fprintln(w, "\nresults (pass/fail/skip):")
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "operation\t%s\n", strings.Join(famList, "\t"))
	for _, op := range ops {
		row := []string{op}
		for _, f := range famList {
			v, ok := cells[op][f]
			if !ok {
				row = append(row, "-")
				continue
			}
			row = append(row, fmt.Sprintf("%d/%d/%d", v[0], v[1], v[2]))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	_ = tw.Flush()
	t := run.Totals
	fmt.Fprintf(w, "\n%s: %d checks — %d passed, %d failed (%d known), %d skipped; %d advisory findings; %d requests; seed %d\n",
		strings.ToUpper(run.Level), t.Checks, t.Passed, t.Failed, t.Known, t.Skipped, t.AdvisoryFailed, t.Requests, run.Seed)
	for i, f := range run.Findings {
		if i == 8 {
			fmt.Fprintf(w, "  … %d more finding classes in the report\n", len(run.Findings)-i)
			break
		}
		fmt.Fprintf(w, "  %-24s %4d checks  %s\n", f.Class, f.Checks, red.String(f.Summary))
	}
	if b := run.Baseline; b != nil {
		fmt.Fprintf(w, "baseline %s: %d known, %d new, %d fixed\n", b.File, len(b.Known), len(b.New), len(b.Fixed))
	}
}
