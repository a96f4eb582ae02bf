// Command cogconform checks whether an endpoint that speaks Amazon Cognito's user-pool
// API behaves as AWS documents for the device operations.
//
// Usage:
//
//	cogconform run [--endpoint URL] [flags]    the conformance suite, reports written
//	cogconform serve [--defect NAME]           the embedded reference target
//	cogconform spec [--format table|json|yaml] the model
//	cogconform replay --check ID               re-send a recorded counterexample
//	cogconform version
//
// Run `cogconform help` for every command.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes, shared by every command.
const (
	exitOK     = 0
	exitFail   = 1 // the target is nonconformant
	exitConfig = 2 // bad configuration, unreachable target, unreadable input
)

type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"run", "run the conformance suite against an endpoint and write reports", runRun},
		{"serve", "serve the embedded reference target (conformant, or with a defect)", runServe},
		{"spec", "print the model: operations, members, constraints, errors", runSpec},
		{"replay", "re-send a recorded counterexample and compare the answer", runReplay},
		{"version", "print the version", runVersion},
	}
}

func main() {
	withMADVFree(os.Args)
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "cogconform: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitConfig
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "cogconform — conformance harness for the Amazon Cognito device API")
	fmt.Fprintln(w, "\nUsage: cogconform <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `cogconform <command> --help` for a command's flags and examples.")
}

// parseFlags parses a command's flags. A mistake is one line on stderr that names it
// (the flag package would print the whole usage after it); --help prints fs.Usage.
// No command takes arguments other than flags: one is a mistake too (a forgotten
// --endpoint, say), never silently ignored. It returns false, with the exit code,
// when the command must not go on.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, ok bool) {
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	fs.Usage = usage
	switch {
	case err == nil && fs.NArg() > 0:
		err = fmt.Errorf("unexpected argument %q: %s takes flags only", fs.Arg(0), fs.Name())
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		usage()
		return exitOK, false
	}
	fmt.Fprintf(stderr, "cogconform %s: %v (see cogconform %s --help)\n", fs.Name(), err, fs.Name())
	return exitConfig, false
}
