package suites_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cogconform/cogconform/reference"
	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/spec"
)

// childRun runs TestConformance in a child process (RunSpecs may run once per
// process) and returns the record it wrote.
func childRun(t *testing.T, dir, name string, args []string, env ...string) (*reports.Run, string) {
	t.Helper()
	results := filepath.Join(dir, name+".json")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-test.run=^TestConformance$", "-test.count=1"}, args...)...)
	cmd.Env = childEnv(append(env, "COGCONFORM_RESULTS="+results)...)
	out, _ := cmd.CombinedOutput() // a nonconformant target fails the child: that is the point
	run, err := reports.ReadJSON(results)
	if err != nil {
		// Errorf, not Fatalf: child runs are started from several goroutines.
		t.Errorf("child run %s wrote no record: %v\n%s", name, err, tail(string(out), 3000))
		return &reports.Run{}, string(out)
	}
	return run, string(out)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// TestDefectsAreCaught runs the suite against the reference target with each defect of
// the catalogue switched on: every defect must make the run fail, with a failing check
// in a family the defect breaks; and the clean reference must have zero failures.
func TestDefectsAreCaught(t *testing.T) {
	skipUnlessMeta(t)
	dir := t.TempDir()
	defects := reference.Defects()
	type outcome struct {
		run    *reports.Run
		output string
	}
	results := make([]outcome, len(defects)+1)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2) // the machine has 2 cores
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			name, defect := "clean", ""
			if i > 0 {
				name, defect = defects[i-1].Name, defects[i-1].Name
			}
			run, out := childRun(t, dir, name, nil, "COGCONFORM_DEFECT="+defect, "COGCONFORM_CASES=25", "COGCONFORM_SEED=20261122")
			results[i] = outcome{run, out}
		}()
	}
	wg.Wait()

	clean := results[0].run
	if clean.Totals.Failed != 0 || clean.Totals.AdvisoryFailed != 0 {
		for _, c := range clean.Checks {
			if c.Verdict == reports.Fail {
				t.Errorf("the clean reference fails %s: %s", c.ID, c.Reason)
			}
		}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "mutation table: %d defects; clean reference: %d checks, %d failed, %d skipped, %d requests\n",
		len(defects), clean.Totals.Checks, clean.Totals.Failed, clean.Totals.Skipped, clean.Totals.Requests)
	fmt.Fprintf(&table, "  %-32s %-7s %-40s %s\n", "defect", "caught", "failing families (checks)", "expected family")
	caught := 0
	for i, d := range defects {
		run := results[i+1].run
		fams := map[string]int{}
		for _, c := range run.Checks {
			if c.Verdict == reports.Fail {
				fams[c.Family]++
			}
		}
		var names []string
		for f, n := range fams {
			names = append(names, fmt.Sprintf("%s(%d)", f, n))
		}
		sort.Strings(names)
		hit := false
		for _, f := range d.Families {
			if fams[f] > 0 {
				hit = true
			}
		}
		mark := "yes"
		if !hit {
			mark = "NO"
			t.Errorf("defect %s (%s) was not caught by %v; failing families: %v", d.Name, d.Rule, d.Families, names)
		} else {
			caught++
		}
		fmt.Fprintf(&table, "  %-32s %-7s %-40s %s\n", d.Name, mark, strings.Join(names, " "), strings.Join(d.Families, "|"))
	}
	fmt.Fprintf(&table, "mutation score: %d/%d defects caught (%.0f%%)\n", caught, len(defects), 100*float64(caught)/float64(len(defects)))
	t.Log("\n" + table.String())
	if path := os.Getenv("COGCONFORM_MUTATION_TABLE"); path != "" {
		if err := os.WriteFile(path, []byte(table.String()), 0o644); err != nil {
			t.Errorf("writing the table: %v", err)
		}
	}
}

// TestSuiteGrowsWithTheModel adds a made-up tenth operation with one patterned member
// to a copy of the YAML and shows the suite grows by that operation's specs, with no
// Go change.
func TestSuiteGrowsWithTheModel(t *testing.T) {
	skipUnlessMeta(t)
	dir := t.TempDir()
	doc := string(spec.YAML())
	tenth := `
  /#X-Amz-Target=AWSCognitoIdentityProviderService.TagDevice:
    post:
      operationId: TagDevice
      summary: A made-up operation, to show the suite follows the model.
      x-cogconform-auth: access-token
      security: []
      parameters:
        - $ref: "#/components/parameters/ContentType"
        - name: X-Amz-Target
          in: header
          required: true
          schema: {type: string, enum: [AWSCognitoIdentityProviderService.TagDevice]}
      requestBody:
        required: true
        content:
          application/x-amz-json-1.1:
            schema:
              type: object
              required: [Tag]
              properties:
                Tag: {type: string, minLength: 1, maxLength: 8, pattern: '^(?:[a-z]+-[0-9]+)$'}
      responses:
        "200":
          description: Tagged.
          content:
            application/x-amz-json-1.1:
              schema: {$ref: "#/components/schemas/NoOutput"}
        "400":
          description: A client error.
          content:
            application/x-amz-json-1.1:
              schema:
                oneOf:
                  - $ref: "#/components/schemas/InvalidParameterException"
                discriminator: {propertyName: __type}
        "500":
          $ref: "#/components/responses/InternalError"
`
	grown := strings.Replace(doc, "\ncomponents:\n", tenth+"\ncomponents:\n", 1)
	path := filepath.Join(dir, "grown.yaml")
	if err := os.WriteFile(path, []byte(grown), 0o644); err != nil {
		t.Fatal(err)
	}
	base, _ := childRun(t, dir, "base", []string{"-ginkgo.label-filter=fixture"}, "COGCONFORM_CASES=5")
	more, out := childRun(t, dir, "grown", []string{"-ginkgo.label-filter=fixture"}, "COGCONFORM_CASES=5", "COGCONFORM_SPEC="+path)
	var added []string
	for _, c := range more.Checks {
		if c.Operation == "TagDevice" {
			added = append(added, c.Family+": "+c.Name)
		}
	}
	t.Logf("specs: %s with the embedded model, %s with a tenth operation; TagDevice's specs: %v", base.Options["specs"], more.Options["specs"], added)
	if len(more.Checks)-len(base.Checks) != len(added) || len(added) == 0 {
		t.Fatalf("the suite grew by %d checks, TagDevice has %d\n%s", len(more.Checks)-len(base.Checks), len(added), tail(out, 2000))
	}
	for _, want := range []string{"required: Tag required", "pattern: Tag pattern", "length: Tag length", "type: Tag type", "error-set: well-formed input gets a documented answer"} {
		if !slices.Contains(added, want) {
			t.Errorf("TagDevice has no spec %q (has %v)", want, added)
		}
	}
}

// TestWorkersDoNotChangeVerdicts runs the suite against defects that batched checks
// catch (pattern, length, forged tokens, unsigned Admin calls, and a non-empty 200
// body, found by cases that each provision a fresh device) with one worker and with
// the default eight: every check must reach the same verdict and class, after the
// same number of cases, with the same minimal counterexample. A batch is judged in
// the order it was drawn and replays go one at a time, so concurrency may change how
// many requests go out, never what is found. With eight workers the pipeline also
// starts each check while the one before it drains (pipeline.go); one worker has none.
func TestWorkersDoNotChangeVerdicts(t *testing.T) {
	skipUnlessMeta(t)
	dir := t.TempDir()
	for _, defect := range []string{"pattern-substring", "length-off-by-one", "token-signature-unchecked", "admin-unsigned-accepted", "non-empty-200-body"} {
		var runs [2]*reports.Run
		for i, workers := range []int{1, 8} {
			// Shrinking is given all the time it needs: cut short by the clock, it
			// could stop at different places on a busy machine.
			runs[i], _ = childRun(t, dir, fmt.Sprintf("%s-w%d", defect, workers), nil, "COGCONFORM_DEFECT="+defect,
				"COGCONFORM_CASES=25", "COGCONFORM_SEED=20261123", fmt.Sprintf("COGCONFORM_WORKERS=%d", workers), "COGCONFORM_SHRINK_TIME=2m",
				"COGCONFORM_RUN_ID=workers") // the same user names in both runs
		}
		one, eight := byID(runs[0]), byID(runs[1])
		failed := 0
		for id, a := range one {
			b, ok := eight[id]
			if !ok {
				t.Errorf("%s: %s ran with 1 worker only", defect, id)
				continue
			}
			if a.Verdict == reports.Fail {
				failed++
			}
			if a.Verdict != b.Verdict || a.Class != b.Class || a.Cases != b.Cases {
				t.Errorf("%s: %s: 1 worker %s/%s after %d cases, 8 workers %s/%s after %d", defect, id, a.Verdict, a.Class, a.Cases, b.Verdict, b.Class, b.Cases)
			}
			if ca, cb := counterexampleOf(a), counterexampleOf(b); ca != cb {
				t.Errorf("%s: %s: minimal counterexamples differ:\n 1 worker:  %s\n 8 workers: %s", defect, id, ca, cb)
			}
		}
		if len(one) != len(eight) {
			t.Errorf("%s: %d checks with 1 worker, %d with 8", defect, len(one), len(eight))
		}
		if failed == 0 {
			t.Errorf("%s: no check failed: the comparison compared nothing", defect)
		}
	}
}

func byID(run *reports.Run) map[string]reports.Check {
	out := map[string]reports.Check{}
	for _, c := range run.Checks {
		out[c.ID] = c
	}
	return out
}

// redactionMarker is how a report shows a secret: keyed per run, so the same token
// has another marker in another run.
var redactionMarker = regexp.MustCompile(`«redacted:[0-9a-f]+»`)

// assignedByTarget are the values each embedded reference makes up at random: a user
// pool's ID and a device's key (a generated key is no UUID once shrunk).
var assignedByTarget = regexp.MustCompile(`"UserPoolId":"[a-z]{2}-[a-z]+-\d_[0-9A-Za-z]{9}"|[a-z]{2}-[a-z]+-\d_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}`)

// counterexampleOf is what a counterexample is about: the request and the kind of
// answer (not the request ID or timings in the rest of the answer, nor what the
// target made up).
func counterexampleOf(c reports.Check) string {
	x := c.Counterexample
	if x == nil {
		return ""
	}
	body := redactionMarker.ReplaceAllString(x.Body, "«redacted»")
	body = assignedByTarget.ReplaceAllString(body, "«assigned»")
	return fmt.Sprintf("%s %s %s → %d %s", x.Operation, x.Headers["X-Amz-Target"], body, x.Response.Status, x.Response.Code)
}
