package suites

import (
	"context"
	"flag"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/cogconform/cogconform/reference"
)

// A valid call, as the success checks send it (empty body, success content type), is
// answered 200 by the reference whatever the draw. A member whose value only the
// target can issue (ListDevices' PaginationToken) must be left out: a drawn one is
// refused, and on seeds where every case drew one those checks had nothing to judge
// and a conformant run came out partial.
func TestValidCallsSucceedOnTheReference(t *testing.T) {
	endpoint, stop, err := reference.Listen(reference.Options{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = stop(ctx)
	}()
	var cfg Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	RegisterFlags(fs, &cfg)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	cfg.Endpoint = endpoint
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := NewEnv(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := e.provision(ctx)
	if len(f.Missing) > 0 || f.Scratch.Username == "" {
		t.Fatalf("provisioning: missing %v, scratch user %q", f.Missing, f.Scratch.Username)
	}
	e.setFixture(f)
	for _, op := range e.Model.Operations {
		t.Run(op.Name, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				body := e.gen.compact(op).Draw(rt, "request")
				x, err := e.validCall(ctx, op, body)
				if err != nil {
					rt.Fatal(err)
				}
				if x.err != nil || x.resp.Status != 200 {
					rt.Fatalf("a valid call of %s: %s", op.Name, x.describeRedacted(e.Red))
				}
			})
		})
	}
}
