//go:build linux

package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cogconform/cogconform/bench"
)

func TestMADVFreeEnvAddsTheSettingOnce(t *testing.T) {
	cases := []struct {
		name    string
		environ []string
		want    string // the GODEBUG entry wanted; "" for no exec
	}{
		{"no GODEBUG", []string{"HOME=/root"}, "GODEBUG=madvdontneed=0"},
		{"other settings kept", []string{"GODEBUG=gctrace=1", "HOME=/root"}, "GODEBUG=gctrace=1,madvdontneed=0"},
		{"the user's choice", []string{"GODEBUG=gctrace=1,madvdontneed=1"}, ""},
		{"already set by the exec", []string{"GODEBUG=madvdontneed=0"}, ""},
	}
	for _, c := range cases {
		env, ok := madvFreeEnv(c.environ)
		if ok != (c.want != "") {
			t.Errorf("%s: exec wanted = %v, want %v", c.name, ok, c.want != "")
			continue
		}
		if !ok {
			if !slices.Equal(env, c.environ) {
				t.Errorf("%s: environment changed to %q", c.name, env)
			}
			continue
		}
		var godebugs []string
		for _, kv := range env {
			if strings.HasPrefix(kv, "GODEBUG=") {
				godebugs = append(godebugs, kv)
			}
		}
		if !slices.Equal(godebugs, []string{c.want}) {
			t.Errorf("%s: GODEBUG entries %q, want [%q]", c.name, godebugs, c.want)
		}
		if !slices.Contains(env, "HOME=/root") && slices.Contains(c.environ, "HOME=/root") {
			t.Errorf("%s: HOME lost: %q", c.name, env)
		}
	}
}

// TestServeRunsWithMADVFree builds the command and looks at the environment of the
// process that serves: the setting only works if the exec really happened.
func TestServeRunsWithMADVFree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	t.Setenv("GODEBUG", "") // a madvdontneed of the caller's would rightly stop the exec
	srv, err := bench.Serve(context.Background(), buildCLI(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop() }()
	// It has said where it listens, so the exec is behind it.
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(srv.Pid()), "environ"))
	if err != nil {
		t.Fatal(err)
	}
	env := strings.Split(string(raw), "\x00")
	if !slices.Contains(env, "GODEBUG=madvdontneed=0") {
		t.Errorf("serve runs without GODEBUG=madvdontneed=0; its GODEBUG entries: %q",
			slices.DeleteFunc(env, func(kv string) bool { return !strings.HasPrefix(kv, "GODEBUG=") }))
	}
}
