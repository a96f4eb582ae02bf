package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// The files WriteAll writes, in this order.
const (
	FileJSON    = "results.json"
	FileJUnit   = "junit.xml"
	FileHTML    = "report.html"
	FileSummary = "summary.md"
	FileBadge   = "badge.svg"
)

// DefaultDir is where the CLI writes reports unless told otherwise.
const DefaultDir = "cogconform-report"

// WriteAll writes results.json, junit.xml, report.html, summary.md and badge.svg
// into dir (created if missing) and returns the paths written. Every file is
// made from one copy of run that red has redacted (a nil red still masks
// secret-shaped values) and Summarize has completed, so the files agree with
// each other and hold no registered secret; run itself is not modified.
//
// Each file is written to a temporary file in dir and renamed into place, so a
// reader never sees half a report. A file that cannot be produced is not written
// and any older copy of it is removed, so dir never mixes two runs; the others
// are still written, and the error says which failed and why.
func WriteAll(dir string, run *Run, red *Redactor) (files []string, err error) {
	if red == nil {
		red = NewRedactor()
	}
	if run == nil {
		return nil, errors.New("write reports: no run")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write reports: %w", err)
	}
	r := red.Run(run)
	r.Summarize()
	renderers := []struct {
		name   string
		render func(*Run) ([]byte, error)
	}{
		{FileJSON, renderJSON},
		{FileJUnit, renderJUnit},
		{FileHTML, renderHTML},
		{FileSummary, func(r *Run) ([]byte, error) { return renderSummary(r), nil }},
		{FileBadge, func(r *Run) ([]byte, error) { return renderBadge(r), nil }},
	}
	// The files are made at once: each is rendered from r, which no renderer changes,
	// and written to its own path. With the run over, the target no longer needs the
	// CPUs, and one file's render overlaps another's fsync: 20-25 ms one after
	// another, the last thing a run waits for.
	written := make([]error, len(renderers))
	var wg sync.WaitGroup
	for i, f := range renderers {
		wg.Go(func() {
			data, err := f.render(r)
			if err == nil {
				err = writeFileAtomic(filepath.Join(dir, f.name), data)
			}
			written[i] = err
		})
	}
	wg.Wait()
	var errs []error
	for i, f := range renderers {
		path := filepath.Join(dir, f.name)
		if rerr := written[i]; rerr != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", path, rerr))
			if rmErr := os.Remove(path); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("remove stale %s: %w", path, rmErr))
			}
			continue
		}
		files = append(files, path)
	}
	return files, errors.Join(errs...)
}

// writeFileAtomic replaces path with data through a temporary file in the same
// directory, which makes the rename atomic on POSIX file systems.
func writeFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
