package generators_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/generators"
	"github.com/cogconform/cogconform/spec"
)

// recorder is a rapid.TB that records a property's failure instead of failing the
// test, so that a test can run a property that must fail and look at what rapid
// made of it.
type recorder struct {
	name   string
	mu     sync.Mutex
	failed bool
	log    []string
}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return r.name }
func (r *recorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, fmt.Sprintf(format, args...))
}
func (r *recorder) Log(args ...any)                   { r.Logf("%s", fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, args ...any) { r.Logf(format, args...); r.Fail() }
func (r *recorder) Error(args ...any)                 { r.Log(args...); r.Fail() }
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }
func (r *recorder) Fatal(args ...any)                 { r.Error(args...) }
func (r *recorder) Skipf(format string, args ...any)  { r.Errorf("skipped: "+format, args...) }
func (r *recorder) Skip(args ...any)                  { r.Error(append([]any{"skipped: "}, args...)...) }
func (r *recorder) SkipNow()                          { r.Error("skipped") }
func (r *recorder) FailNow()                          { r.Fail() }
func (r *recorder) Fail()                             { r.mu.Lock(); r.failed = true; r.mu.Unlock() }
func (r *recorder) Failed() bool                      { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }
func (r *recorder) output() string                    { return strings.Join(r.log, "\n") }

// A property that fails for DeviceKeys longer than 40 shrinks to a key of exactly 41
// characters, and a plain one: rapid's last run of the property is the minimal case.
func TestShrinksToTheShortestFailingDeviceKey(t *testing.T) {
	m := loadModel(t)
	gen := generators.Valid(m.Operation("GetDevice").Input.Member("DeviceKey").Shape)
	rec := &recorder{name: t.Name()}
	var last string
	rapid.Check(rec, func(t *rapid.T) {
		key := gen.Draw(t, "DeviceKey").(string)
		last = key
		if utf8.RuneCountInString(key) > 40 {
			t.Fatalf("DeviceKey %q is %d characters long", key, utf8.RuneCountInString(key))
		}
	})
	if !rec.Failed() {
		t.Fatalf("the property never failed: DeviceKeys longer than 40 are not generated")
	}
	if n := utf8.RuneCountInString(last); n != 41 {
		t.Fatalf("shrank to %q (%d characters), want 41 characters", last, n)
	}
	// Readable: the minimal key is the simplest one, letters from the start of each class.
	if want := "a_" + strings.Repeat("a", 39); last != want {
		t.Errorf("shrank to %q, want %q", last, want)
	}
	if !strings.Contains(rec.output(), fmt.Sprintf("draw DeviceKey: %q", last)) {
		t.Errorf("rapid's report does not show the minimal key:\n%s", rec.output())
	}
	t.Logf("minimal counterexample: %q", last)
}

// Invalid cases shrink too: a property standing for a target that checks lengths
// but not patterns fails on every DeviceKey pattern case; rapid reduces that to the
// a value of a few characters, in a request with nothing optional in it.
func TestShrinksAnInvalidCaseToAReadableOne(t *testing.T) {
	m := loadModel(t)
	var c spec.Constraint
	for _, k := range m.Operation("GetDevice").Constraints() {
		if k.MemberPath() == "DeviceKey" && k.Kind == spec.ConstraintPattern {
			c = k
		}
	}
	gen := generators.Invalid(c)
	rec := &recorder{name: t.Name()}
	var last generators.Case
	rapid.Check(rec, func(t *rapid.T) {
		k := gen.Draw(t, "case")
		last = k
		// The "target": accepts any DeviceKey of 1 to 55 characters.
		if n := utf8.RuneCountInString(k.Value.(string)); n >= 1 && n <= 55 {
			t.Fatalf("accepted: %s", k.Description())
		}
	})
	if !rec.Failed() {
		t.Fatal("the property never failed")
	}
	// Shrinking is a search for a local minimum: usually junk-before "!a_a", the
	// first variant, sometimes another as small ("aa", its separator removed).
	if n := utf8.RuneCountInString(last.Value.(string)); n > 4 || len(last.Request) != 1 {
		t.Errorf("shrank to %s in %v, want a value of at most 4 characters, alone", last.Description(), last.Request)
	}
	t.Logf("minimal case: %s; request %v", last.Description(), last.Request)
}
