package emulators_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cogconform/cogconform/emulators"
	"github.com/cogconform/cogconform/reports"
)

const testdata = "testdata"

// TestEmulators holds real emulator runs to their checked-in expectations. It
// needs the results of `cogconform run` against each emulator, which
// scripts/emulators.sh (make test-emulators) produces: COGCONFORM_EMULATORS_DIR
// holds <emulator>/results.json for every testdata/<emulator>.json (or for the
// ones COGCONFORM_EMULATORS names, comma-separated). Without it the test is
// skipped, so `go test ./...` needs no emulator.
//
// Harness bugs a rule names are tolerated and reported; COGCONFORM_EMULATORS_STRICT=1
// fails on them too.
func TestEmulators(t *testing.T) {
	dir := os.Getenv("COGCONFORM_EMULATORS_DIR")
	if dir == "" {
		t.Skip("COGCONFORM_EMULATORS_DIR is not set: run `make test-emulators`")
	}
	if !filepath.IsAbs(dir) {
		// Relative to the repository root, where make runs; go test runs here.
		dir = filepath.Join("..", dir)
	}
	strict := os.Getenv("COGCONFORM_EMULATORS_STRICT") == "1"
	files, err := emulators.Files(testdata)
	if err != nil {
		t.Fatal(err)
	}
	names := selected(files)
	var notes []string
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			file := files[name]
			exp, err := emulators.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			if exp.Emulator != name {
				t.Fatalf("%s names emulator %q", file, exp.Emulator)
			}
			out := filepath.Join(dir, name)
			run, err := reports.ReadJSON(filepath.Join(out, "results.json"))
			if err != nil {
				t.Fatalf("reading the run against %s: %v (did scripts/emulators.sh run it?)", name, err)
			}
			if v := os.Getenv("COGCONFORM_EMULATOR_VERSION_" + envName(name)); v != "" && v != exp.Version {
				t.Logf("note: %s is version %s, the expectations were reasoned for %s", name, v, exp.Version)
			}
			res := emulators.Compare(exp, run)
			report := res.Report(file)
			checkTopOfReports(t, exp, out)
			if !res.OK(strict) {
				why := "the harness's verdicts do not match the expectations"
				if res.OK(false) {
					why = "COGCONFORM_EMULATORS_STRICT=1: tolerated harness bugs fail too"
				}
				t.Errorf("%s: %s:\n%s", name, why, report)
			} else {
				t.Logf("\n%s", report)
			}
			notes = append(notes, emulators.ClosingNote(exp, run))
		})
	}
	if len(notes) > 0 {
		note := strings.Join(notes, "\n") + "\n"
		t.Logf("closing note:\n%s", note)
		if err := os.WriteFile(filepath.Join(dir, "closing-note.txt"), []byte(note), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// checkTopOfReports: the headline must be what a reader sees first, in
// summary.md (a pull-request comment) and in report.html.
func checkTopOfReports(t *testing.T, exp *emulators.Expectations, out string) {
	t.Helper()
	if exp.Headline == "" {
		return
	}
	md, err := os.ReadFile(filepath.Join(out, "summary.md"))
	if err != nil {
		t.Errorf("summary.md: %v", err)
	} else {
		lines := strings.SplitN(string(md), "\n", 6)
		if top := strings.Join(lines[:min(5, len(lines))], "\n"); !strings.Contains(top, exp.Headline) {
			t.Errorf("summary.md does not say %q in its first lines:\n%s", exp.Headline, top)
		}
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Errorf("report.html: %v", err)
	} else if !strings.Contains(string(html), exp.Headline) {
		t.Errorf("report.html does not say %q", exp.Headline)
	}
}

func selected(files map[string]string) []string {
	var names []string
	if want := os.Getenv("COGCONFORM_EMULATORS"); want != "" {
		for _, n := range strings.Split(want, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	} else {
		for n := range files {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func envName(s string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(s))
}

// TestExpectationFiles: every checked-in file loads, is reasoned (each rule says
// why) and names the harness bugs it tolerates with a place to fix them.
func TestExpectationFiles(t *testing.T) {
	files, err := emulators.Files(testdata)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"moto", "cognito-local"} {
		if files[want] == "" {
			t.Errorf("no %s/%s.json", testdata, want)
		}
	}
	for name, file := range files {
		exp, err := emulators.Load(file)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if exp.Emulator != name {
			t.Errorf("%s names emulator %q", file, exp.Emulator)
		}
		for i, r := range exp.Rules {
			if r.Verdict == reports.Fail && !strings.Contains(r.Rule, "service-2.json") && !strings.Contains(r.Rule, "GUIDE") && !strings.Contains(r.Rule, "seed") {
				t.Errorf("%s rule %d %v: an expected failure must cite the documented rule (the seed pages, service-2.json or the GUIDE's protocol rules)", file, i+1, r.Match)
			}
		}
	}
}
