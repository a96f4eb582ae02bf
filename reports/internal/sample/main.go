// Command sample writes the reports of a realistic fake run, for
// `make report-screenshot` and for looking at the reports while the suites that
// produce real runs are being written.
//
//	go run ./reports/internal/sample [-out DIR] [-scenario mixed|not-implemented]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cogconform/cogconform/reports"
	"github.com/cogconform/cogconform/reports/internal/fakerun"
)

func main() {
	out := flag.String("out", reports.DefaultDir, "folder to write the reports into")
	scenario := flag.String("scenario", "mixed", "mixed or not-implemented")
	flag.Parse()

	sec := fakerun.NewSecrets()
	var run *reports.Run
	switch *scenario {
	case "mixed":
		run = fakerun.Mixed(sec)
	case "not-implemented":
		run = fakerun.NotImplemented(sec)
	default:
		fmt.Fprintf(os.Stderr, "sample: unknown scenario %q (want mixed or not-implemented)\n", *scenario)
		os.Exit(2)
	}
	red := reports.NewRedactor()
	for _, s := range sec.All() {
		red.Add(s)
	}
	files, err := reports.WriteAll(*out, run, red)
	for _, f := range files {
		fmt.Println(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sample:", err)
		os.Exit(1)
	}
}
