package reports_test

import (
	"encoding/json"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/reports/internal/fakerun"
)

// The rule: tokens, passwords, secret keys, Authorization headers and SRP
// verifier values never appear in any report. The fake run carries them in
// bodies, messages, curl lines, headers, options, fixture steps and a cut excerpt.
func TestNoSecretInAnyWrittenFile(t *testing.T) {
	sec := fakerun.NewSecrets()
	run := fakerun.Mixed(sec)
	red := secretRedactor(sec)
	dir := writeReports(t, run, red)

	files := map[string]string{}
	for _, name := range []string{reports.FileJSON, reports.FileJUnit, reports.FileHTML, reports.FileSummary, reports.FileBadge} {
		files[name] = readFile(t, filepath.Join(dir, name))
	}
	for what, secret := range sec.All() {
		// Every form a writer could give the value, and any 16-character piece of
		// it, so a cut or re-encoded secret is caught too.
		forms := []string{secret, jsonEscaped(secret), html.EscapeString(secret), url.QueryEscape(secret)}
		for i := 0; i+16 <= len(secret); i += 8 {
			forms = append(forms, secret[i:i+16])
		}
		for name, content := range files {
			for _, f := range forms {
				if strings.Contains(content, f) {
					t.Errorf("%s: %s appears (as %q)", name, what, f)
					break
				}
			}
		}
	}
	// The same secret has the same marker in every file, so occurrences can be
	// matched; the fake run puts the access token in all three rich reports.
	mark := red.Mark(sec.AccessToken)
	for _, name := range []string{reports.FileJSON, reports.FileJUnit, reports.FileHTML} {
		if !strings.Contains(files[name], mark) {
			t.Errorf("%s lacks the access token's marker %s", name, mark)
		}
	}
	if m := red.Mark(sec.PasswordVerifier); !strings.Contains(files[reports.FileJSON], m) || !strings.Contains(files[reports.FileHTML], m) {
		t.Errorf("the verifier's marker %s is not in both results.json and report.html", m)
	}
	if strings.Count(files[reports.FileJSON], red.Mark(sec.Password)) < 2 {
		t.Error("the password occurs twice in the run (raw and in a JSON body) and should carry one marker")
	}
	// The caller's run still holds what it held: redaction works on a copy.
	if !strings.Contains(run.Fixture[5].Detail, sec.AccessToken) {
		t.Error("WriteAll modified the caller's run")
	}
}

func TestWriteAllCreatesTheFolderAndLeavesNoTemporaryFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "cogconform-report")
	files, err := reports.WriteAll(dir, scenarios()["mixed"], nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{reports.FileJSON, reports.FileJUnit, reports.FileHTML, reports.FileSummary, reports.FileBadge}
	if len(files) != len(want) {
		t.Fatalf("files = %v", files)
	}
	for i, f := range files {
		if f != filepath.Join(dir, want[i]) {
			t.Errorf("file %d = %s, want %s", i, f, want[i])
		}
		st, err := os.Stat(f)
		if err != nil || st.Size() == 0 || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v, size %d, mode %v", f, err, st.Size(), st.Mode())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(want) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the folder holds %v: temporary files were left", names)
	}
}

// A record that would not validate is not written, and the previous run's
// results.json goes with it, so the folder never mixes two runs; the other
// reports are still written.
func TestWriteAllRefusesAnInvalidRecordAndRemovesTheStaleOne(t *testing.T) {
	dir := t.TempDir()
	if _, err := reports.WriteAll(dir, scenarios()["mixed"], nil); err != nil {
		t.Fatal(err)
	}
	bad := scenarios()["mixed"]
	bad.Checks = append(bad.Checks, bad.Checks[0]) // the same ID twice
	files, err := reports.WriteAll(dir, bad, nil)
	if err == nil {
		t.Fatal("WriteAll accepted a run with a duplicate check ID")
	}
	if !strings.Contains(err.Error(), filepath.Join(dir, reports.FileJSON)) || !strings.Contains(err.Error(), "used twice") {
		t.Errorf("the error should name results.json and the problem: %v", err)
	}
	if _, serr := os.Stat(filepath.Join(dir, reports.FileJSON)); !os.IsNotExist(serr) {
		t.Error("the stale results.json was left beside the new reports")
	}
	if len(files) != 4 {
		t.Errorf("files = %v, want the 4 other reports", files)
	}
}

func TestWriteAllDoesNotModifyTheRun(t *testing.T) {
	run := scenarios()["mixed"]
	run.Totals = reports.Totals{}
	run.Level = ""
	before, _ := json.Marshal(run)
	if _, err := reports.WriteAll(t.TempDir(), run, reports.NewRedactor()); err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(run)
	if string(before) != string(after) {
		t.Error("WriteAll changed the caller's run")
	}
}
