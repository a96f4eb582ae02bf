//go:build linux

package main

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// redirectStdout points file descriptor 1 at a pipe while Ginkgo runs in-process:
// Ginkgo's reporter writes to the process's standard output, and a person at a
// terminal wants cogconform's progress instead. Everything Ginkgo writes — failure
// messages, rapid's draws, panics it caught, progress reports on an interrupt — is
// redacted line by line (redact knows every secret of the run, the tokens it obtains
// included) and goes to the log file, or with keep (--verbose) to the terminal.
//
// It returns a file for the terminal (a duplicate of the original standard output),
// for cogconform's own progress lines, and restore, which puts descriptor 1 back and
// waits until everything written so far has reached its destination.
func redirectStdout(logPath string, keep bool, redact func(string) string) (term *os.File, restore func(), err error) {
	saved, err := syscall.Dup(1)
	if err != nil {
		return nil, nil, fmt.Errorf("dup: %w", err)
	}
	term = os.NewFile(uintptr(saved), "/dev/stdout")
	var dst io.Writer = term
	var log *os.File
	if !keep {
		if log, err = os.Create(logPath); err != nil {
			term.Close()
			return nil, nil, err
		}
		dst = log
	}
	r, w, err := os.Pipe()
	if err != nil {
		term.Close()
		if log != nil {
			log.Close()
		}
		return nil, nil, fmt.Errorf("pipe: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		copyRedacted(dst, r, redact)
		r.Close()
	}()
	if err := syscall.Dup3(int(w.Fd()), 1, 0); err != nil {
		w.Close()
		<-done
		term.Close()
		if log != nil {
			log.Close()
		}
		return nil, nil, fmt.Errorf("dup3: %w", err)
	}
	// Descriptor 1 now holds the pipe's write end; ours is not needed any more.
	w.Close()
	return term, func() {
		// Putting the terminal back on descriptor 1 closes the pipe's last write
		// end: the copier sees the end of the stream and flushes.
		_ = syscall.Dup3(saved, 1, 0)
		<-done
		if log != nil {
			log.Close()
		}
		term.Close()
	}, nil
}
