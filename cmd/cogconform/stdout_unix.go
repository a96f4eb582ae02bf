//go:build linux

package main

import (
	"fmt"
	"os"
	"syscall"
)

// redirectStdout points file descriptor 1 at a log file while Ginkgo runs in-process:
// Ginkgo's reporter writes to the process's standard output, and a person at a
// terminal wants cogconform's progress instead. os.Stdout keeps working for our own
// lines because it is re-pointed at a duplicate of the original descriptor.
//
// It returns a file for the terminal (a duplicate of the original standard output).
func redirectStdout(logPath string, keep bool) (term *os.File, restore func(), err error) {
	if keep {
		return os.Stdout, func() {}, nil
	}
	log, err := os.Create(logPath)
	if err != nil {
		return nil, nil, err
	}
	saved, err := syscall.Dup(1)
	if err != nil {
		log.Close()
		return nil, nil, fmt.Errorf("dup: %w", err)
	}
	term = os.NewFile(uintptr(saved), "/dev/stdout")
	if err := syscall.Dup3(int(log.Fd()), 1, 0); err != nil {
		term.Close()
		log.Close()
		return nil, nil, fmt.Errorf("dup3: %w", err)
	}
	return term, func() {
		_ = syscall.Dup3(saved, 1, 0)
		term.Close()
		log.Close()
	}, nil
}
