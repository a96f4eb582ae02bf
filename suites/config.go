package suites

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Dummy credentials: AWS's documented example key pair. The embedded reference target
// expects them by default; they open nothing anywhere else.
const (
	DefaultAccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	DefaultSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// DefaultShrinkTime bounds the shrinking of one failing check unless --shrink-time
// says otherwise: rapid's own default (30 s) would dominate a run with many findings
// against a slow target.
const DefaultShrinkTime = 10 * time.Second

// Config is everything a run needs to know about its target and itself. Every field
// has a flag and a COGCONFORM_* environment variable (the flag wins).
type Config struct {
	Endpoint        string
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	DefaultChain    bool // use the AWS SDK's default credential chain instead of static keys

	Cases          int    // generated cases per property
	Seed           uint64 // 0 picks one from the clock (and the run prints it)
	RequestTimeout time.Duration
	RunTimeout     time.Duration
	ShrinkTime     time.Duration // the longest one failing check spends shrinking its counterexample
	MaxBody        int64
	Workers        int // concurrent requests within one property

	CAFile             string
	InsecureSkipVerify bool
	AllowAWS           bool // permit an endpoint under amazonaws.com

	// Fixture hand-over: an existing pool, client and user (the harness creates none
	// of them and deletes only the devices it made), or just a token and device key.
	PoolID      string
	ClientID    string
	Username    string
	Password    string
	AccessToken string
	DeviceKey   string

	SpecFile string // a spec override; empty uses the embedded model
	RunID    string // names what the fixture creates; default from the clock
}

// flagDef ties one Config field to its flag and environment variable.
type flagDef struct {
	name, env, usage string
	bind             func(fs *flag.FlagSet, name, usage string, c *Config)
}

func defs() []flagDef {
	str := func(p func(*Config) *string, def string) func(*flag.FlagSet, string, string, *Config) {
		return func(fs *flag.FlagSet, name, usage string, c *Config) { fs.StringVar(p(c), name, def, usage) }
	}
	return []flagDef{
		{"endpoint", "COGCONFORM_ENDPOINT", "target base URL, e.g. http://127.0.0.1:4566 (empty: the embedded reference target)", str(func(c *Config) *string { return &c.Endpoint }, "")},
		{"region", "COGCONFORM_REGION", "AWS region for signing and resource names", str(func(c *Config) *string { return &c.Region }, "us-east-1")},
		{"access-key-id", "COGCONFORM_ACCESS_KEY_ID", "access key for SigV4-signed (Admin) requests", str(func(c *Config) *string { return &c.AccessKeyID }, DefaultAccessKeyID)},
		{"secret-access-key", "COGCONFORM_SECRET_ACCESS_KEY", "secret key for SigV4-signed requests (never printed)", str(func(c *Config) *string { return &c.SecretAccessKey }, DefaultSecretAccessKey)},
		{"session-token", "COGCONFORM_SESSION_TOKEN", "session token for temporary credentials (never printed)", str(func(c *Config) *string { return &c.SessionToken }, "")},
		{"aws-default-credentials", "COGCONFORM_AWS_DEFAULT_CREDENTIALS", "sign with the AWS SDK's default credential chain instead of static keys", func(fs *flag.FlagSet, n, u string, c *Config) { fs.BoolVar(&c.DefaultChain, n, false, u) }},
		{"cases", "COGCONFORM_CASES", "generated cases per property", func(fs *flag.FlagSet, n, u string, c *Config) { fs.IntVar(&c.Cases, n, 100, u) }},
		{"seed", "COGCONFORM_SEED", "random seed (0: from the clock; the run prints the seed it used)", func(fs *flag.FlagSet, n, u string, c *Config) { fs.Uint64Var(&c.Seed, n, 0, u) }},
		{"request-timeout", "COGCONFORM_REQUEST_TIMEOUT", "deadline of one request, body read included", func(fs *flag.FlagSet, n, u string, c *Config) {
			fs.DurationVar(&c.RequestTimeout, n, 10*time.Second, u)
		}},
		{"run-timeout", "COGCONFORM_RUN_TIMEOUT", "deadline of the whole run", func(fs *flag.FlagSet, n, u string, c *Config) { fs.DurationVar(&c.RunTimeout, n, 30*time.Minute, u) }},
		{"shrink-time", "COGCONFORM_SHRINK_TIME", "the longest one failing check spends shrinking its counterexample to a minimal one", func(fs *flag.FlagSet, n, u string, c *Config) {
			fs.DurationVar(&c.ShrinkTime, n, DefaultShrinkTime, u)
		}},
		{"max-body", "COGCONFORM_MAX_BODY", "the most bytes read of one response body", func(fs *flag.FlagSet, n, u string, c *Config) { fs.Int64Var(&c.MaxBody, n, 1<<20, u) }},
		{"workers", "COGCONFORM_WORKERS", "concurrent requests within one property", func(fs *flag.FlagSet, n, u string, c *Config) { fs.IntVar(&c.Workers, n, 8, u) }},
		{"ca-file", "COGCONFORM_CA_FILE", "PEM bundle to trust for an https endpoint", str(func(c *Config) *string { return &c.CAFile }, "")},
		{"insecure-skip-verify", "COGCONFORM_INSECURE_SKIP_VERIFY", "trust any TLS certificate (testing only)", func(fs *flag.FlagSet, n, u string, c *Config) { fs.BoolVar(&c.InsecureSkipVerify, n, false, u) }},
		{"allow-aws", "COGCONFORM_ALLOW_AWS", "permit a real AWS endpoint (creates and deletes real resources)", func(fs *flag.FlagSet, n, u string, c *Config) { fs.BoolVar(&c.AllowAWS, n, false, u) }},
		{"pool-id", "COGCONFORM_POOL_ID", "hand over an existing user pool instead of creating one", str(func(c *Config) *string { return &c.PoolID }, "")},
		{"client-id", "COGCONFORM_CLIENT_ID", "app client of the handed-over pool (USER_PASSWORD_AUTH enabled)", str(func(c *Config) *string { return &c.ClientID }, "")},
		{"username", "COGCONFORM_USERNAME", "user of the handed-over pool", str(func(c *Config) *string { return &c.Username }, "")},
		{"password", "COGCONFORM_PASSWORD", "that user's password (never printed)", str(func(c *Config) *string { return &c.Password }, "")},
		{"access-token", "COGCONFORM_ACCESS_TOKEN", "hand over an access token (never printed)", str(func(c *Config) *string { return &c.AccessToken }, "")},
		{"device-key", "COGCONFORM_DEVICE_KEY", "hand over a confirmed device of that token's user", str(func(c *Config) *string { return &c.DeviceKey }, "")},
		{"spec", "COGCONFORM_SPEC", "OpenAPI model to use instead of the embedded one", str(func(c *Config) *string { return &c.SpecFile }, "")},
		{"run-id", "COGCONFORM_RUN_ID", "names the resources the run creates (default: from the clock)", str(func(c *Config) *string { return &c.RunID }, "")},
	}
}

// RegisterFlags binds every Config field to a flag of fs, with COGCONFORM_* environment
// variables as defaults. Call ApplyEnv after fs.Parse to fill in unset flags from the
// environment.
func RegisterFlags(fs *flag.FlagSet, c *Config) {
	for _, d := range defs() {
		d.bind(fs, d.name, fmt.Sprintf("%s (env %s)", d.usage, d.env), c)
	}
}

// ApplyEnv sets every flag that was not given on the command line from its
// COGCONFORM_* environment variable, if that is set.
func ApplyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, d := range defs() {
		if set[d.name] {
			continue
		}
		if v := getenv(d.env); v != "" {
			if err := fs.Set(d.name, v); err != nil {
				return fmt.Errorf("%s=%q: %w", d.env, redactIfSecret(d.name, v), err)
			}
		}
	}
	return nil
}

// EnvNames lists the environment variables, for help texts.
func EnvNames() []string {
	var out []string
	for _, d := range defs() {
		out = append(out, d.env)
	}
	return out
}

func redactIfSecret(name, v string) string {
	switch name {
	case "secret-access-key", "session-token", "password", "access-token":
		return "«redacted»"
	}
	return v
}

// Validate checks the configuration and fills in defaults; its errors are meant for a
// person at a terminal.
func (c *Config) Validate() error {
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--endpoint %q: want an http:// or https:// URL, e.g. http://127.0.0.1:9229", c.Endpoint)
		}
		if IsAWSHost(u.Hostname()) && !c.AllowAWS {
			return fmt.Errorf("--endpoint %s is real AWS: a run creates and deletes user pools there and may cost money; add --allow-aws to proceed (see the README, \"Running against real AWS\")", u.Host)
		}
	}
	if c.Cases < 1 {
		return fmt.Errorf("--cases %d: want at least 1", c.Cases)
	}
	if c.Workers < 1 {
		c.Workers = 1
	}
	if c.RequestTimeout <= 0 || c.RunTimeout <= 0 {
		return errors.New("--request-timeout and --run-timeout must be positive")
	}
	if c.ShrinkTime < 0 {
		return errors.New("--shrink-time must not be negative")
	}
	if c.ShrinkTime == 0 {
		c.ShrinkTime = DefaultShrinkTime
	}
	if c.MaxBody < 1024 {
		return fmt.Errorf("--max-body %d: want at least 1024 bytes", c.MaxBody)
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if (c.PoolID != "") != (c.ClientID != "") || (c.Username != "") != (c.Password != "") {
		return errors.New("fixture hand-over: give --pool-id with --client-id, and --username with --password")
	}
	if c.Username != "" && c.PoolID == "" {
		return errors.New("fixture hand-over: --username needs --pool-id and --client-id")
	}
	if c.DeviceKey != "" && c.AccessToken == "" {
		return errors.New("fixture hand-over: --device-key needs --access-token")
	}
	if c.SpecFile != "" {
		if _, err := os.Stat(c.SpecFile); err != nil {
			return fmt.Errorf("--spec: %w", err)
		}
	}
	if c.RunID == "" {
		// The clock orders runs; the random part keeps two runs started in the same
		// second (two CI jobs on one AWS account) from sharing resource names.
		c.RunID = strconv.FormatInt(time.Now().Unix(), 36) + randomHex(3)
	}
	return nil
}

// awsDomains are the DNS suffixes of AWS's own service endpoints: the classic
// partition, China, the dual-stack names, and Cognito's hosted domains.
var awsDomains = []string{"amazonaws.com", "amazonaws.com.cn", "api.aws", "amazoncognito.com"}

// IsAWSHost reports whether host names a real AWS endpoint. It is deliberately
// broad: a run there creates real resources, so a false alarm (answered with
// --allow-aws) is better than a surprise.
func IsAWSHost(host string) bool {
	// A trailing dot is the same host to DNS and must not slip past the check.
	host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	for _, d := range awsDomains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// Secrets returns the configured values that must never be printed, a password in
// the endpoint's user information included.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range []string{c.SecretAccessKey, c.SessionToken, c.Password, c.AccessToken} {
		if s != "" {
			out = append(out, s)
		}
	}
	if u, err := url.Parse(c.Endpoint); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			out = append(out, p)
		}
	}
	return out
}
