package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// copyRedacted copies r to w a line at a time, each line redacted: a secret never
// spans lines, and a line is never held back longer than it takes to finish it.
func copyRedacted(w io.Writer, r io.Reader, redact func(string) string) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			_, _ = io.WriteString(w, redact(line))
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				_, _ = fmt.Fprintf(w, "\n[cogconform: reading Ginkgo's output: %v]\n", err)
			}
			return
		}
	}
}
