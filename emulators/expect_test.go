package emulators

import (
	"strings"
	"testing"

	"github.com/cogconform/cogconform/reports"
)

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, id string
		want        bool
	}{
		{"GetDevice/*", "GetDevice/pattern/DeviceKey pattern", true},
		{"GetDevice/*", "AdminGetDevice/pattern/DeviceKey pattern", false},
		{"*/secrecy/*", "ListDevices/secrecy/AccessToken never echoed", true},
		{"*/secrecy/*", "ListDevices/format/secrecy", false},
		{"*/auth/another user's token*", "GetDevice/auth/another user's token never reaches this user's device", true},
		{"fixture/fixture/InitiateAuth", "fixture/fixture/InitiateAuth", true},
		{"fixture/fixture/InitiateAuth", "fixture/fixture/InitiateAuthX", false},
		{"*", "", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"", "x", false},
	} {
		if got := Glob(c.pattern, c.id); got != c.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", c.pattern, c.id, got, c.want)
		}
	}
}

func sample() (*Expectations, *reports.Run) {
	e := &Expectations{
		Emulator: "emu", Version: "1", Setup: "started by a test", Level: reports.LevelNonconformant,
		Headline: "does not implement",
		Rules: []Rule{
			{Match: []string{"fixture/fixture/*"}, Verdict: reports.Pass, Rule: "the emulator implements provisioning"},
			{Match: []string{"*/secrecy/*"}, Verdict: reports.Fail, Class: "not-implemented", Rule: "service-2.json defines it; not implemented",
				HarnessBug: &HarnessBug{Verdict: reports.Pass, Where: "suites/families.go secrecyChecks", Note: "passes vacuously"}},
			{Match: []string{"*/lifecycle/*"}, Verdict: reports.Skip, Class: "fixture-unavailable", Reason: "no new device", Rule: "needs a device the emulator cannot make"},
			{Match: []string{"GetDevice/*"}, Verdict: reports.Fail, Class: "not-implemented", Rule: "service-2.json defines GetDevice; not implemented"},
		},
	}
	run := &reports.Run{Level: reports.LevelNonconformant, Headline: "the target does not implement 9 of 9", Checks: []reports.Check{
		{ID: "fixture/fixture/CreateUserPool", Verdict: reports.Pass},
		{ID: "GetDevice/secrecy/AccessToken never echoed", Verdict: reports.Pass},
		{ID: "GetDevice/lifecycle/x", Verdict: reports.Skip, Class: "fixture-unavailable", Reason: "needs a confirmed device: the target's sign-in reports no new device"},
		{ID: "GetDevice/pattern/DeviceKey pattern", Verdict: reports.Fail, Class: "not-implemented", Reason: "expected HTTP 400"},
	}}
	return e, run
}

func TestCompareMatch(t *testing.T) {
	e, run := sample()
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	res := Compare(e, run)
	if !res.OK(false) {
		t.Fatalf("want a match:\n%s", res.Report("sample.json"))
	}
	if res.OK(true) || len(res.Tolerated) != 1 {
		t.Errorf("the secrecy pass is a tolerated harness bug, and strict mode must fail on it:\n%s", res.Report("sample.json"))
	}
	if rep := res.Report("sample.json"); !strings.Contains(rep, "suites/families.go secrecyChecks") {
		t.Errorf("the report does not say where the harness bug is:\n%s", rep)
	}
}

func TestCompareDiffs(t *testing.T) {
	e, run := sample()
	run.Checks[3].Class = "unclassified"
	run.Checks[3].Reason = "Test Panicked"
	run.Checks[2].Reason = "needs a confirmed device: GlobalSignOut failed"
	run.Checks = append(run.Checks, reports.Check{ID: "Service/protocol/GET is a JSON error", Verdict: reports.Fail, Class: "accepted-invalid"})
	run.Headline = ""
	res := Compare(e, run)
	if res.OK(false) {
		t.Fatal("a changed class, a wrong skip reason, a check without a rule and a missing headline must fail")
	}
	rep := res.Report("sample.json")
	for _, want := range []string{
		"GetDevice/pattern/DeviceKey pattern", "expected  fail · not-implemented", "got       fail · unclassified", "reason    Test Panicked",
		`reason contains "no new device"`, "GlobalSignOut failed",
		"Service/protocol/GET is a JSON error", "(no rule in the expectations)",
		"headline: expected it to say",
	} {
		if !strings.Contains(rep, want) {
			t.Errorf("the report lacks %q:\n%s", want, rep)
		}
	}
}

func TestCompareStaleAndFixed(t *testing.T) {
	e, run := sample()
	run.Checks[1].Verdict, run.Checks[1].Class = reports.Fail, "not-implemented" // the harness bug is fixed
	run.Checks = run.Checks[:2]                                                  // lifecycle and GetDevice checks are gone
	res := Compare(e, run)
	if len(res.Unused) != 2 || res.OK(false) {
		t.Errorf("rules that match nothing must fail the comparison: %v", res.Unused)
	}
	if len(res.Fixed) != 1 || !strings.Contains(res.Fixed[0], "remove its harnessBug") {
		t.Errorf("a fixed harness bug must be reported: %v", res.Fixed)
	}
}

func TestValidateRejectsUnreasoned(t *testing.T) {
	e, _ := sample()
	e.Rules[3].Rule = ""
	e.Rules[3].Class = ""
	e.Rules[1].HarnessBug.Where = ""
	err := e.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"needs its class", "documented rule", "harnessBug needs"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestClosingNote(t *testing.T) {
	e, run := sample()
	run.Summarize()
	line := ClosingNote(e, run)
	if strings.Contains(line, "\n") || !strings.HasPrefix(line, "emu 1: 4 checks — 2 pass / 1 fail / 1 skip") || !strings.Contains(line, "not-implemented ×1") {
		t.Errorf("closing note: %q", line)
	}
}
