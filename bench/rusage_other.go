//go:build !linux

package bench

import (
	"os"
	"time"
)

// maxRSSKB is unknown outside Linux, where ru_maxrss units differ (bytes on macOS).
func maxRSSKB(*os.ProcessState) int64 { return 0 }

// cpuTime is a finished child's user and system CPU time.
func cpuTime(ps *os.ProcessState) time.Duration { return ps.UserTime() + ps.SystemTime() }

// processCPU is unknown outside Linux.
func processCPU(int) (time.Duration, bool) { return 0, false }

// selfCPU is unknown outside Linux.
func selfCPU() time.Duration { return 0 }
