// Package version holds cogconform's version, stamped into every results record.
package version

// Version is overridden at build time with
// -ldflags "-X github.com/cogconform/cogconform/internal/version.Version=v1.2.3".
var Version = "0.1.0-dev"
