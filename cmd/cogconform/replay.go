package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/cogconform/cogconform/awsjson"
	"github.com/cogconform/cogconform/internal/version"
	"github.com/cogconform/cogconform/reference"
	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/spec"
	"github.com/cogconform/cogconform/suites"
)

// setFlags collects repeated --set Member=value flags.
type setFlags map[string]string

func (s setFlags) String() string { return fmt.Sprint(map[string]string(s)) }

func (s setFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want Member=value, got %q", v)
	}
	s[k] = val
	return nil
}

func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	results := fs.String("results", "cogconform-report/results.json", "the results record to read")
	id := fs.String("check", "", "the ID of the failing check to replay (empty: list the failing checks)")
	endpoint := fs.String("endpoint", "", "send to this endpoint instead of the one in the record")
	accessKey := fs.String("access-key-id", suites.DefaultAccessKeyID, "access key for a signed request")
	secretKey := fs.String("secret-access-key", envOr("COGCONFORM_SECRET_ACCESS_KEY", suites.DefaultSecretAccessKey), "secret key for a signed request (env COGCONFORM_SECRET_ACCESS_KEY; never printed)")
	region := fs.String("region", "us-east-1", "region for a signed request")
	allowAWS := fs.Bool("allow-aws", false, "permit sending to a real AWS endpoint (the record's, or --endpoint)")
	sets := setFlags{}
	fs.Var(sets, "set", "replace a top-level member of the recorded body, e.g. --set AccessToken=$TOKEN (repeatable): secrets are redacted in records")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: cogconform replay [--results FILE] [--check ID] [--endpoint URL] [--set Member=value]

Re-sends the minimal counterexample a run recorded for one failing check and shows
the answer beside what the documentation requires. Without --check it lists the
failing checks of the record. A record of a run against the embedded reference target
is replayed against a fresh reference target with the same defect.

Examples:
  cogconform replay                                   # list failing checks
  cogconform replay --check 'GetDevice/pattern/DeviceKey pattern'
  cogconform replay --check 'GetDevice/auth/forged access token is refused' --set AccessToken=$TOKEN

Flags:
`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	run, err := reports.ReadJSON(*results)
	if err != nil {
		fmt.Fprintf(stderr, "cogconform replay: %v\n", err)
		return exitConfig
	}
	if *id == "" {
		listFailures(stdout, run)
		return exitOK
	}
	var check *reports.Check
	for i := range run.Checks {
		if run.Checks[i].ID == *id {
			check = &run.Checks[i]
		}
	}
	switch {
	case check == nil:
		fmt.Fprintf(stderr, "cogconform replay: no check %q in %s (run without --check to list the failing ones)\n", *id, *results)
		return exitConfig
	case check.Counterexample == nil:
		fmt.Fprintf(stderr, "cogconform replay: check %q has no recorded counterexample (verdict %s)\n", *id, check.Verdict)
		return exitConfig
	}
	ce := check.Counterexample
	target := *endpoint
	if target == "" && strings.HasPrefix(run.Target, "reference") {
		defect := strings.TrimSuffix(strings.TrimPrefix(run.Target, "reference (defect "), ")")
		if defect == run.Target {
			defect = ""
		}
		url, shutdown, err := reference.Listen(reference.Options{Defect: defect}, "127.0.0.1:0")
		if err != nil {
			fmt.Fprintf(stderr, "cogconform replay: starting the reference target: %v\n", err)
			return exitConfig
		}
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = shutdown(ctx)
		}()
		target = url
	}
	if target == "" {
		target = run.Endpoint
	}
	if u, err := url.Parse(target); err == nil && suites.IsAWSHost(u.Hostname()) && !*allowAWS {
		fmt.Fprintf(stderr, "cogconform replay: %s is real AWS; add --allow-aws to send the request there\n", u.Host)
		return exitConfig
	}
	body := []byte(ce.Body)
	if len(sets) > 0 {
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			fmt.Fprintf(stderr, "cogconform replay: --set needs a JSON object body: %v\n", err)
			return exitConfig
		}
		for k, v := range sets {
			doc[k] = v
		}
		body, _ = json.Marshal(doc)
	}
	red := reports.NewRedactor()
	red.Add(*secretKey)
	for _, v := range sets {
		red.Add(v)
	}
	client, err := awsjson.New(awsjson.Config{Endpoint: target, Region: *region,
		Credentials: awsjson.StaticCredentials(*accessKey, *secretKey, "")})
	if err != nil {
		fmt.Fprintf(stderr, "cogconform replay: %v\n", err)
		return exitConfig
	}
	req := awsjson.Request{Method: ce.Method, Target: ce.Headers["X-Amz-Target"], Body: body, Sign: ce.Signed}
	if ct, ok := ce.Headers["Content-Type"]; ok {
		req.ContentType = ct
	} else {
		req.NoContentType = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := client.Do(ctx, req)
	fmt.Fprintf(stdout, "check:     %s\nrule:      %s\nsent to:   %s\nrequest:   %s %s\n", check.ID, check.Requirement, target, req.Method, red.String(string(body)))
	fmt.Fprintf(stdout, "expected:  %s\n", ce.Expected)
	fmt.Fprintf(stdout, "recorded:  HTTP %d %s %s\n", ce.Response.Status, ce.Response.Code, ce.Response.Error)
	if err != nil {
		fmt.Fprintf(stdout, "now:       no answer: %s\n", red.String(err.Error()))
		return exitFail
	}
	fmt.Fprintf(stdout, "now:       HTTP %d %s, content type %q\n           %s\n", resp.Status, resp.Code, resp.ContentType, red.String(string(resp.Body)))
	if strings.Contains(ce.Body, "«redacted") && len(sets) == 0 {
		fmt.Fprintln(stdout, "note:      the record redacts secrets; pass --set Member=value to send real ones")
	}
	fmt.Fprintf(stdout, "repro:     %s\n", red.String(client.Curl(req)))
	return exitOK
}

func listFailures(w io.Writer, run *reports.Run) {
	var ids []string
	for _, c := range run.Checks {
		if c.Verdict == reports.Fail {
			ids = append(ids, fmt.Sprintf("%s\t%s", c.ID, c.Reason))
		}
	}
	sort.Strings(ids)
	fmt.Fprintf(w, "%d failing checks in the record of %s (%s):\n", len(ids), run.Endpoint, run.Target)
	for _, id := range ids {
		fmt.Fprintln(w, "  "+id)
	}
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprintln(stderr, "Usage: cogconform version\n\nPrints cogconform's version, the Go version and the sha256 of the embedded model.")
			return exitOK
		}
		fmt.Fprintf(stderr, "cogconform version: takes no arguments\n")
		return exitConfig
	}
	m, err := spec.Load()
	if err != nil {
		fmt.Fprintf(stderr, "cogconform version: %v\n", err)
		return exitConfig
	}
	fmt.Fprintf(stdout, "cogconform %s (%s, %s/%s)\nmodel: %s, %d operations, sha256 %s\n", version.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, m.Title, len(m.Operations), m.SHA256)
	return exitOK
}
