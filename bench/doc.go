// Package bench measures cogconform against the wire itself (issue 8): how many round
// trips a minimal keep-alive HTTP client gets from the reference target on loopback
// (the limit), how close a full conformance run comes to it, how fast the same client
// resends the run's own recorded requests (the harness's overhead apart from the
// weight of its requests), how a run's cost grows with the case count, how much memory
// a run holds, and how fast the generators are.
//
// Every measurement of one table is taken in one process run, so that ratios hold on
// a noisy machine: the raw client runs in this process, and the harness runs as child
// processes (Ginkgo's RunSpecs may run once per process), all against one `cogconform
// serve` child, so that raw and harness hit the very same server process. The
// command bench/cmd/cogbench prints the table; `make bench` runs it.
//
// Nothing here is a timed test: the package's tests check that the helpers work, never
// how fast anything is.
package bench
