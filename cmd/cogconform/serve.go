package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/cogconform/cogconform/reference"
)

// secretKeyEnv lets the secret key stay out of the process list, where a flag is visible.
const secretKeyEnv = "COGCONFORM_SECRET_ACCESS_KEY"

// shutdownGrace bounds how long requests in flight may take once a signal arrives.
const shutdownGrace = 5 * time.Second

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9229", "`host:port` to listen on; loopback unless you say otherwise")
	defect := fs.String("defect", "", "switch on one `NAME`d defect of the catalogue (see --list-defects)")
	list := fs.Bool("list-defects", false, "print the defect catalogue and exit")
	keyID := fs.String("access-key-id", reference.DefaultAccessKeyID, "access key `ID` Admin requests must be signed with")
	secret := fs.String("secret-access-key", "", "secret `KEY` Admin requests must be signed with (or $"+secretKeyEnv+"; default: AWS's documented example secret)")
	region := fs.String("region", "us-east-1", "`REGION` of the SigV4 scope, pool IDs, device keys and token issuers")
	file := fs.String("spec", "", "load this OpenAPI document instead of the embedded one")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: cogconform serve [--addr HOST:PORT] [--defect NAME] [--list-defects]")
		fmt.Fprintln(stderr, "\nRuns the embedded reference target: a Cognito device endpoint (AWS JSON 1.1) that")
		fmt.Fprintln(stderr, "follows the documentation exactly, or, with --defect, breaks one documented rule.")
		fmt.Fprintln(stderr, "State is in memory; Ctrl-C (SIGINT) or SIGTERM stops it.")
		fmt.Fprintln(stderr, "\nExamples:")
		fmt.Fprintln(stderr, "  cogconform serve                               # conformant, on http://127.0.0.1:9229")
		fmt.Fprintln(stderr, "  cogconform serve --addr 127.0.0.1:0            # any free port; the endpoint is printed")
		fmt.Fprintln(stderr, "  cogconform serve --defect pattern-substring    # a target the pattern checks must catch")
		fmt.Fprintln(stderr, "  cogconform serve --list-defects                # the catalogue: name, families, rule")
		fmt.Fprintln(stderr, "\nAdmin operations must be SigV4-signed (service cognito-idp). By default the target")
		fmt.Fprintf(stderr, "accepts AWS's documented example pair, access key %s.\n", reference.DefaultAccessKeyID)
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *list {
		if err := writeDefects(stdout); err != nil {
			fmt.Fprintf(stderr, "cogconform serve: writing the catalogue: %v\n", err)
			return exitConfig
		}
		return exitOK
	}

	// The target holds at most a few bodies of reference.MaxBodyBytes per connection
	// at a time; the limit leaves room for a few dozen connections doing so.
	tuneGC(64<<20+32*reference.MaxBodyBytes, os.Getenv)
	opts := reference.Options{Defect: *defect, Region: *region}
	if *secret == "" {
		*secret = os.Getenv(secretKeyEnv)
	}
	switch {
	case *secret == "" && *keyID == reference.DefaultAccessKeyID:
		opts.AccessKeyID, opts.SecretAccessKey = reference.DefaultAccessKeyID, reference.DefaultSecretAccessKey
	case *secret == "":
		fmt.Fprintf(stderr, "cogconform serve: --access-key-id %s needs its secret: --secret-access-key or $%s\n", *keyID, secretKeyEnv)
		return exitConfig
	default:
		opts.AccessKeyID, opts.SecretAccessKey = *keyID, *secret
	}
	if *file != "" {
		m, err := loadModel(*file)
		if err != nil {
			fmt.Fprintf(stderr, "cogconform serve: %v\n", err)
			return exitConfig
		}
		opts.Model = m
	}
	if !isLoopback(*addr) {
		fmt.Fprintf(stderr, "cogconform serve: warning: %s is reachable from other hosts; the reference target is a test fixture with no real authentication behind it\n", *addr)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	url, shutdown, err := reference.Listen(opts, *addr)
	if err != nil {
		fmt.Fprintf(stderr, "cogconform serve: %v\n", err)
		return exitConfig
	}
	fmt.Fprintf(stdout, "cogconform reference target listening on %s\n", url)
	if *defect != "" {
		d, _ := reference.LookupDefect(*defect) // Listen has accepted the name
		fmt.Fprintf(stdout, "defect %s: %s\n", d.Name, d.Rule)
	} else {
		fmt.Fprintln(stdout, "conformant: no defect switched on")
	}
	// The key ID is printed so a user can configure a client; the secret never is.
	fmt.Fprintf(stdout, "Admin operations: SigV4, service cognito-idp, region %s, access key %s\n", *region, opts.AccessKeyID)
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")

	<-ctx.Done()
	stop() // a second signal now kills the process the default way
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "cogconform serve: shutting down: %v\n", err)
		return exitConfig
	}
	fmt.Fprintln(stdout, "cogconform reference target stopped")
	return exitOK
}

// isLoopback reports whether addr binds only the loopback interface. An empty host
// binds every interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func writeDefects(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DEFECT\tCAUGHT BY\tRULE IT BREAKS")
	ds := reference.Defects()
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Name, strings.Join(d.Families, ","), d.Rule)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d defects. Run one with: cogconform serve --defect NAME\n", len(ds))
	return err
}
