package reference

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

const amzDateFormat = "20060102T150405Z"

// Signature errors. AWS sends them with 403 on REST services and, on JSON services
// such as Cognito, with 400 as every other client error; the reference uses 400.
func errMissingAuth() *apiError {
	return &apiError{"MissingAuthenticationTokenException", http.StatusBadRequest, "Missing Authentication Token"}
}
func errIncompleteSignature(msg string) *apiError {
	return &apiError{"IncompleteSignatureException", http.StatusBadRequest, msg}
}
func errInvalidSignature(msg string) *apiError {
	return &apiError{"InvalidSignatureException", http.StatusBadRequest, msg}
}
func errUnrecognizedClient() *apiError {
	return &apiError{"UnrecognizedClientException", http.StatusBadRequest, "The security token included in the request is invalid."}
}

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// sigV4Header is the parsed Authorization header of a SigV4 request.
type sigV4Header struct {
	accessKeyID, date, region, service string
	signedHeaders                      string
	signature                          string
}

func parseSigV4(h string) (sigV4Header, *apiError) {
	const alg = "AWS4-HMAC-SHA256"
	var p sigV4Header
	rest, ok := strings.CutPrefix(h, alg+" ")
	if !ok {
		return p, errIncompleteSignature("Authorization header requires the " + alg + " algorithm and its 'Credential', 'SignedHeaders' and 'Signature' parameters.")
	}
	var credential string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			credential = v
		case "SignedHeaders":
			p.signedHeaders = v
		case "Signature":
			p.signature = v
		}
	}
	var missing []string
	if credential == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if p.signedHeaders == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if p.signature == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if len(missing) > 0 {
		return p, errIncompleteSignature(strings.Join(missing, " "))
	}
	scope := strings.Split(credential, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return p, errIncompleteSignature("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request.")
	}
	p.accessKeyID, p.date, p.region, p.service = scope[0], scope[1], scope[2], scope[3]
	return p, nil
}

// verifySignature checks a SigV4 signature the way AWS does: by computing it again
// over the request as received (same X-Amz-Date, same signed headers, the body's hash)
// with aws-sdk-go-v2's signer, and comparing.
func (s *Server) verifySignature(r *http.Request, body []byte) *apiError {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		if s.has(defAdminUnsigned) {
			return nil
		}
		return errMissingAuth()
	}
	p, aerr := parseSigV4(auth)
	if aerr != nil {
		return aerr
	}
	if p.accessKeyID != s.keyID {
		return errUnrecognizedClient()
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return errIncompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	at, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return errIncompleteSignature("X-Amz-Date must be in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'.")
	}
	now := s.now().UTC()
	if at.Before(now.Add(-SignatureWindow)) {
		return errInvalidSignature(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 5 min.)",
			amzDate, now.Add(-SignatureWindow).Format(amzDateFormat), now.Format(amzDateFormat)))
	}
	if at.After(now.Add(SignatureWindow)) {
		return errInvalidSignature(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 5 min.)",
			amzDate, now.Add(SignatureWindow).Format(amzDateFormat), now.Format(amzDateFormat)))
	}
	if p.date != at.Format("20060102") {
		return errInvalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + p.date + "' != '" + at.Format("20060102") + "'")
	}
	if p.region != s.region {
		return errInvalidSignature("Credential should be scoped to a valid region.")
	}
	if p.service != s.model.SigningName {
		return errInvalidSignature("Credential should be scoped to correct service: '" + s.model.SigningName + "'.")
	}
	signed := strings.Split(p.signedHeaders, ";")
	if !containsString(signed, "host") {
		return errInvalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}

	// Rebuild the request as the client signed it: only its signed headers, the
	// content length only if it was signed (the Go SDK signs it, botocore does not).
	// The signer adds X-Amz-Date and the Authorization header to the copy.
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	re, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), nil)
	if err != nil {
		return errInvalidSignature(msgSignatureMismatch)
	}
	re.Host = r.Host
	for _, name := range signed {
		switch name {
		case "host":
		case "content-length":
			re.ContentLength = int64(len(body))
		default:
			if vals := r.Header.Values(name); len(vals) > 0 {
				re.Header[http.CanonicalHeaderKey(name)] = vals
			}
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: s.keyID, SecretAccessKey: s.secret}
	if err := s.signer.SignHTTP(r.Context(), creds, re, hex.EncodeToString(sum[:]), p.service, p.region, at); err != nil {
		return errInvalidSignature(msgSignatureMismatch)
	}
	want, aerr := parseSigV4(re.Header.Get("Authorization"))
	if aerr != nil || want.signedHeaders != p.signedHeaders ||
		subtle.ConstantTimeCompare([]byte(want.signature), []byte(p.signature)) != 1 {
		return errInvalidSignature(msgSignatureMismatch)
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
