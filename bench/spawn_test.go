package bench

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestMain lets the test binary be its own spawner, as cogbench is.
func TestMain(m *testing.M) {
	if IsSpawner() {
		if err := ServeSpawner(os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSpawnerRunsCommandsAndReportsExitCodes(t *testing.T) {
	sp, err := startSpawner()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.stop()
	for _, want := range []int{0, 1, 3} {
		res, err := sp.run(context.Background(), "/bin/sh", []string{"-c", "echo oops >&2; exit " + strconv.Itoa(want)})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Started || res.ExitCode != want || res.Stderr != "oops\n" || res.Err != "" {
			t.Errorf("exit %d: got %+v", want, res)
		}
	}
	res, err := sp.run(context.Background(), "/nonexistent/cogconform", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Started || res.Err == "" {
		t.Errorf("a command that cannot start: got %+v", res)
	}
}

// TestSpawnedPeakIsTheChildsOwn shows the measurement error the spawner exists for:
// a child started from this process, once it holds 256 MiB, reports at least that as
// its peak; the same child started by the spawner (started while this process was
// small) reports its own.
func TestSpawnedPeakIsTheChildsOwn(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak resident sets are read on Linux only (maxRSSKB)")
	}
	sp, err := startSpawner()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.stop()
	big := make([]byte, 256<<20)
	for i := 0; i < len(big); i += 4096 {
		big[i] = 1
	}
	direct := spawnOne(context.Background(), spawnRequest{Path: "/bin/true"})
	spawned, err := sp.run(context.Background(), "/bin/true", nil)
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(big)
	if direct.MaxRSSKB < 256<<10 {
		t.Errorf("started directly, /bin/true reported a peak of %d KiB: the inherited peak this test relies on is gone (good news: the spawner may be unneeded)", direct.MaxRSSKB)
	}
	if spawned.MaxRSSKB <= 0 || spawned.MaxRSSKB > 64<<10 {
		t.Errorf("started by the spawner, /bin/true reported a peak of %d KiB, want its own few MiB", spawned.MaxRSSKB)
	}
}

func TestSpawnerStopsTheCommandWhenCancelled(t *testing.T) {
	sp, err := startSpawner()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.stop()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(200 * time.Millisecond)
		cancel()
	}()
	_, err = sp.run(ctx, "/bin/sleep", []string{"600"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want the context's cancellation", err)
	}
	if _, err := sp.run(context.Background(), "/bin/true", nil); err == nil {
		t.Error("a cancelled spawner took another command")
	}
}
