//go:build !linux

package main

// withMADVFree does nothing here: madvdontneed is a Linux setting (see madvise_linux.go).
func withMADVFree([]string) {}
