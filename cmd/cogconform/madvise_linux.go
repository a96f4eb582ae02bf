//go:build linux

package main

import (
	"os"
	"strings"
	"syscall"
)

// withMADVFree starts run and serve over again, once, with GODEBUG=madvdontneed=0, so
// that the heap pages the scavenger gives back go to the kernel with MADV_FREE rather
// than MADV_DONTNEED. Both commands allocate and free large bodies all the time (the
// length checks' 256 KiB values and the target's echoes of them); with MADV_DONTNEED
// every page given back was faulted in again when reused, at ~2 µs a page on the
// 2-vCPU machine of the README: ~45 000 minor faults in a default run and ~23 000 in
// the served target, 5% of their CPU together in interleaved runs (see gc.go). A
// MADV_FREE page stays mapped until the kernel needs the memory, so its reuse costs
// nothing. The setting is read only when a process starts (runtime/runtime1.go: it
// is not one //go:debug accepts nor one a later os.Setenv changes), hence the exec.
// A GODEBUG that already says madvdontneed is the user's choice and is left alone;
// if the exec fails the command simply runs as it is.
func withMADVFree(args []string) {
	if len(args) < 2 || (args[1] != "run" && args[1] != "serve") {
		return
	}
	env, ok := madvFreeEnv(os.Environ())
	if !ok {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_ = syscall.Exec(exe, args, env) // returns only if it failed
}

// madvFreeEnv is environ with madvdontneed=0 added to GODEBUG, and whether that was
// wanted: false when GODEBUG already sets madvdontneed.
func madvFreeEnv(environ []string) ([]string, bool) {
	out := make([]string, 0, len(environ)+1)
	godebug := ""
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			godebug = v
			continue
		}
		out = append(out, kv)
	}
	for _, field := range strings.Split(godebug, ",") {
		if strings.HasPrefix(strings.TrimSpace(field), "madvdontneed=") {
			return environ, false
		}
	}
	if godebug != "" {
		godebug += ","
	}
	return append(out, "GODEBUG="+godebug+"madvdontneed=0"), true
}
