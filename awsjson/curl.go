package awsjson

import (
	"net/http"
	"sort"
	"strings"
)

// Curl returns a shell command that sends the same request with curl. Signed requests
// use curl's --aws-sigv4 with the credentials as environment-variable placeholders,
// so the line can be pasted into a report without carrying a secret.
func (c *Client) Curl(r Request) string {
	method, url := c.methodURL(r)
	parts := []string{"curl", "-sS", "-i", "-X", method, shellQuote(url)}
	if !r.NoContentType {
		ct := r.ContentType
		if ct == "" {
			ct = c.cfg.ContentType
		}
		parts = append(parts, "-H", shellQuote("Content-Type: "+ct))
	}
	if r.Target != "" {
		parts = append(parts, "-H", shellQuote("X-Amz-Target: "+r.Target))
	}
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.EqualFold(k, "Authorization") {
			continue
		}
		for _, v := range r.Header[k] {
			parts = append(parts, "-H", shellQuote(k+": "+v))
		}
	}
	if r.Sign {
		parts = append(parts, "--aws-sigv4", shellQuote("aws:amz:"+c.cfg.Region+":"+c.cfg.SigningName),
			"--user", `"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"`)
	}
	if len(r.Body) > 0 || method == http.MethodPost {
		parts = append(parts, "--data-binary", shellQuote(string(r.Body)))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell: single quotes, with each ' written as '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
