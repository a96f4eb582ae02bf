package generators

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// defaultChecks is how many cases each property test runs unless -rapid.checks says
// otherwise: the issue asks for at least 10 000.
const defaultChecks = 10000

func TestMain(m *testing.M) {
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	// A failing property (the shrinking demonstration fails on purpose) must not
	// leave testdata/rapid files behind, whatever the caller passed.
	if err := flag.Set("rapid.nofailfile", "true"); err != nil {
		fmt.Fprintln(os.Stderr, "setting rapid.nofailfile:", err)
		os.Exit(2)
	}
	if !set["rapid.checks"] {
		if err := flag.Set("rapid.checks", fmt.Sprint(defaultChecks)); err != nil {
			fmt.Fprintln(os.Stderr, "setting rapid.checks:", err)
			os.Exit(2)
		}
	}
	os.Exit(m.Run())
}
