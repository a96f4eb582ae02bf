//go:build linux

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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
	bin := filepath.Join(t.TempDir(), "cogconform")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GODEBUG=") })
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	// Once it prints where it listens, the exec is behind it.
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	select {
	case <-lines:
	case <-time.After(30 * time.Second):
		t.Fatal("serve printed nothing in 30 s")
	}
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "environ"))
	if err != nil {
		t.Fatal(err)
	}
	env := strings.Split(string(raw), "\x00")
	if !slices.Contains(env, "GODEBUG=madvdontneed=0") {
		t.Errorf("serve runs without GODEBUG=madvdontneed=0; its GODEBUG entries: %q",
			slices.DeleteFunc(env, func(kv string) bool { return !strings.HasPrefix(kv, "GODEBUG=") }))
	}
}
