package reports

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// MinSecretLen is the shortest value Add registers. Shorter values cannot be
// replaced everywhere without mangling the report (a one-letter "secret" would
// erase that letter from every message); Cognito passwords, tokens and keys are
// all longer.
const MinSecretLen = 4

// partialMatchMin is how much of a registered secret must survive, at the end of
// a cut excerpt, for the remains to be redacted as that secret.
const partialMatchMin = 12

const (
	markerOpen  = "«redacted:"
	markerClose = "»"
)

// Redactor replaces secrets by markers such as «redacted:3f2a9c». It knows two
// kinds: values registered with Add (the fixture's tokens, passwords, keys), and
// shapes that are secret whoever produced them (JWTs, Authorization values, SigV4
// signatures, session tokens, secret-looking JSON members). A Redactor is safe for
// concurrent use.
//
// The marker's hash is an HMAC under a key drawn when the Redactor is made: two
// occurrences of one secret get the same marker within a run, so a reader can
// match them across files, but a marker is useless for guessing a weak password
// offline, which a plain sha256 prefix would allow.
type Redactor struct {
	key []byte
	pat patterns

	mu sync.RWMutex // guards the rest
	// forms, longest first, so that a secret that contains another is replaced
	// whole.
	forms []secretForm
	// heads holds the first headLen bytes of every form, hashed (see headSet).
	heads headSet
	// byHead lists the forms by their first headLen bytes, each list in the order
	// of forms: a string is searched for the forms whose head it holds, not for all.
	byHead map[string][]secretForm
	seen   map[string]bool
	added  int // forms registered so far: the next form's seq
}

// headLen is how much of every form formsIn looks for: all of the shortest.
const headLen = MinSecretLen

// headSet is a set of headLen-byte strings as a bitmap of their hashes: a window of a
// string that is not in it starts no form, without a map lookup. A run registers
// hundreds of forms (every sign-in's tokens, in up to seven encodings each) and its
// report has thousands of strings, most without a secret.
type headSet [1 << 16 / 64]uint64

func headHash(s string) uint32 {
	v := uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
	return (v * 0x9E3779B1) >> 16
}

func (h *headSet) add(s string) {
	k := headHash(s)
	h[k/64] |= 1 << (k % 64)
}

// replaceForms replaces every registered form in s by its secret's marker.
func (r *Redactor) replaceForms(s string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	// A replacement only puts a marker where a form was, so the forms whose head the
	// string as given holds are all that can be found in it at any step.
	for _, f := range r.formsIn(s) {
		s = r.replaceForm(s, f)
	}
	return s
}

// formsIn returns the forms whose head s holds, in the order of r.forms (longest
// first, then as registered): the only ones that can occur in s. A bitmap hit alone
// was a false positive for most strings of a hundred bytes or more (one window in
// eighty hits one of ~775 heads by chance), and each sent s through every form:
// 12 ms of every run's report writing. The caller holds r.mu.
func (r *Redactor) formsIn(s string) []secretForm {
	var found []secretForm
	var heads []string // the heads found so far: a string holds few, some many times
	for i := 0; i+headLen <= len(s); i++ {
		if !r.heads.mayStart(s[i:]) {
			continue
		}
		head := s[i : i+headLen]
		forms, ok := r.byHead[head]
		if !ok || slices.Contains(heads, head) {
			continue
		}
		heads = append(heads, head)
		found = append(found, forms...)
	}
	if len(heads) > 1 {
		slices.SortFunc(found, func(a, b secretForm) int {
			if d := len(b.text) - len(a.text); d != 0 {
				return d
			}
			return a.seq - b.seq
		})
	}
	return found
}

// mayStart is false when no form starts at the beginning of s (len(s) >= headLen).
func (h *headSet) mayStart(s string) bool {
	k := headHash(s)
	return h[k/64]&(1<<(k%64)) != 0
}

type secretForm struct {
	text   string // as it may appear: raw, JSON-escaped, URL-encoded…
	secret string // the value registered, which the marker is computed from
	seq    int    // the order it was registered in, among forms of its length
}

type patterns struct {
	members     []string       // secretMembers in lower case, to decide whether member is worth running
	member      *regexp.Regexp // "AccessToken": " (or its escaped form inside a JSON string)
	headerValue *regexp.Regexp // Authorization: VALUE, X-Amz-Security-Token: VALUE
	bearer      *regexp.Regexp
	userinfo    *regexp.Regexp
	signature   *regexp.Regexp
	keyPair     *regexp.Regexp // AKIA…:SECRET as in curl --user
	keyRun      *regexp.Regexp
	jwt         *regexp.Regexp
	placeholder *regexp.Regexp
	marker      *regexp.Regexp
}

// secretMembers lists JSON member names whose string values are secret wherever
// they appear: Cognito's token, password and SRP members, InitiateAuth's
// AuthParameters and ChallengeResponses keys, and AWS credentials.
func secretMembers() []string {
	return []string{
		"AccessToken", "RefreshToken", "IdToken", "REFRESH_TOKEN", "Session", "SessionToken",
		"Password", "PASSWORD", "TemporaryPassword", "ProposedPassword", "PreviousPassword", "NEW_PASSWORD",
		"PasswordVerifier", "Salt", "SRP_A", "SRP_B", "SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE",
		"PASSWORD_CLAIM_SECRET_BLOCK", "SecretAccessKey", "SecretKey", "SecretHash", "SECRET_HASH",
		"ClientSecret", "Authorization",
	}
}

// sensitiveKeys lists header and option names (lower case, matched as substrings
// of a map key) whose whole value is masked.
func sensitiveKeys() []string {
	return []string{"authorization", "x-amz-security-token", "cookie", "secret", "password", "passwd", "token", "credential"}
}

func newPatterns() patterns {
	members := secretMembers()
	names := make([]string, len(members))
	lower := make([]string, len(members))
	for i, n := range members {
		names[i] = regexp.QuoteMeta(n)
		lower[i] = strings.ToLower(n)
	}
	return patterns{
		members: lower,
		member:  regexp.MustCompile(`(?i)(\\?)"(?:` + strings.Join(names, "|") + `)\\?"\s*:\s*\\?"`),
		headerValue: regexp.MustCompile(`(?i)(?:\bauthorization|\bx-amz-security-token)\\?["']?\s*[:=]\s*\\?["']?` +
			`([^"'\\\r\n&]+)`),
		bearer:      regexp.MustCompile(`(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{8,})`),
		userinfo:    regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@'"]*:([^/\s@'"]+)@`),
		signature:   regexp.MustCompile(`(?i)\bsignature=([0-9a-f]{16,})`),
		keyPair:     regexp.MustCompile(`\bA[SK]IA[A-Z0-9]{12,20}:([A-Za-z0-9/+]{40})\b`),
		keyRun:      regexp.MustCompile(`[A-Za-z0-9/+=]{40,}`),
		jwt:         regexp.MustCompile(`eyJ[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*){0,2}`),
		placeholder: regexp.MustCompile(`^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|<[^<>]*>|\.\.\.|…|\*+|REDACTED)$`),
		marker:      regexp.MustCompile(markerOpen + `[0-9a-f]{6}` + markerClose),
	}
}

// NewRedactor returns a Redactor that knows the secret shapes and no registered
// value yet.
func NewRedactor() *Redactor {
	key := make([]byte, 32)
	// crypto/rand.Read never fails on supported platforms (it panics instead).
	_, _ = rand.Read(key)
	return &Redactor{key: key, pat: newPatterns(), seen: map[string]bool{}, byHead: map[string][]secretForm{}}
}

// Add registers secret values: every later String replaces them, in their raw,
// JSON-escaped and URL-encoded forms, by their marker. Values shorter than
// MinSecretLen are ignored (see MinSecretLen).
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) < MinSecretLen || r.seen[s] {
			continue
		}
		r.seen[s] = true
		for _, text := range encodings(s) {
			// After every form as long or longer: forms of equal length keep the
			// order they were added in.
			f := secretForm{text: text, secret: s, seq: r.added}
			r.added++
			i := sort.Search(len(r.forms), func(i int) bool { return len(r.forms[i].text) < len(text) })
			r.forms = slices.Insert(r.forms, i, f)
			r.heads.add(text)
			same := r.byHead[text[:headLen]]
			j := sort.Search(len(same), func(j int) bool { return len(same[j].text) < len(text) })
			r.byHead[text[:headLen]] = slices.Insert(same, j, f)
		}
	}
}

// encodings lists the forms a value takes inside request bodies, error messages,
// curl lines and URLs.
func encodings(s string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	add(s)
	js := jsonInner(s, true)
	add(js)
	add(jsonInner(s, false))
	add(jsonInner(js, false)) // a JSON body quoted inside another JSON string
	add(url.QueryEscape(s))
	add(url.PathEscape(s))
	q := strconv.Quote(s)
	add(q[1 : len(q)-1])
	return out
}

func jsonInner(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// Mark returns the marker that stands for secret in this Redactor's output.
func (r *Redactor) Mark(secret string) string {
	h := hmac.New(sha256.New, r.key)
	h.Write([]byte(secret))
	return markerOpen + hex.EncodeToString(h.Sum(nil))[:6] + markerClose
}

// String returns s with every registered secret and every secret-shaped value
// replaced by its marker.
func (r *Redactor) String(s string) string {
	if s == "" {
		return s
	}
	s = r.replaceForms(s)
	// Each pattern runs only when a cheap substring test says it could match:
	// most strings of a report hold no secret, and a report has many strings.
	lower := strings.ToLower(s)
	if strings.Contains(s, `"`) && r.mentionsMember(lower) {
		s = r.maskMembers(s)
	}
	// Whole header values first, so a SigV4 Authorization hides its credential
	// scope too, not only the signature the later patterns would catch.
	if strings.Contains(lower, "authorization") || strings.Contains(lower, "x-amz-security-token") {
		s = r.replaceGroup(s, r.pat.headerValue, r.inert)
	}
	if strings.Contains(lower, "bearer") {
		s = r.replaceGroup(s, r.pat.bearer, nil)
	}
	if strings.Contains(s, "://") && strings.Contains(s, "@") {
		s = r.replaceGroup(s, r.pat.userinfo, r.inert)
	}
	if strings.Contains(lower, "signature=") {
		s = r.replaceGroup(s, r.pat.signature, nil)
	}
	if strings.Contains(s, "AKIA") || strings.Contains(s, "ASIA") {
		s = r.replaceGroup(s, r.pat.keyPair, nil)
	}
	if strings.Contains(lower, "secret") {
		s = r.maskSecretKeys(s)
	}
	if strings.Contains(s, "eyJ") {
		s = r.pat.jwt.ReplaceAllStringFunc(s, r.Mark)
	}
	return s
}

func (r *Redactor) mentionsMember(lower string) bool {
	for _, m := range r.pat.members {
		if strings.Contains(lower, m) {
			return true
		}
	}
	return false
}

// replaceForm replaces every whole occurrence of f.text, and the surviving head
// of it where an excerpt was cut inside the secret (the text ends, or goes on
// with an ellipsis). A head followed by anything else is left to the patterns:
// two JWTs from one issuer share a long prefix, and the other token must not be
// cut in half and given this one's marker.
func (r *Redactor) replaceForm(s string, f secretForm) string {
	anchor := f.text
	if len(anchor) > partialMatchMin {
		anchor = anchor[:partialMatchMin]
	}
	if !strings.Contains(s, anchor) {
		return s
	}
	var b strings.Builder
	pos := 0
	for {
		i := strings.Index(s[pos:], anchor)
		if i < 0 {
			break
		}
		start := pos + i
		n := len(anchor)
		for n < len(f.text) && start+n < len(s) && s[start+n] == f.text[n] {
			n++
		}
		end := start + n
		whole := n == len(f.text)
		cut := end == len(s) || strings.HasPrefix(s[end:], "…") || strings.HasPrefix(s[end:], "...")
		if !whole && !cut {
			b.WriteString(s[pos : start+1])
			pos = start + 1
			continue
		}
		b.WriteString(s[pos:start])
		b.WriteString(r.Mark(f.secret))
		pos = end
	}
	b.WriteString(s[pos:])
	return b.String()
}

// maskMembers replaces the string values of secret JSON members, in plain JSON
// and in JSON quoted inside a JSON string. A value cut off by an excerpt is
// masked to the end of the text.
func (r *Redactor) maskMembers(s string) string {
	locs := r.pat.member.FindAllStringSubmatchIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range locs {
		start := m[1]
		if start < last {
			continue
		}
		quoted := m[3] > m[2]
		end := scanJSONString(s, start, quoted)
		raw := s[start:end]
		b.WriteString(s[last:start])
		if raw == "" || r.inert(raw) {
			b.WriteString(raw)
		} else {
			b.WriteString(r.Mark(decodeJSONString(raw, quoted)))
		}
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// scanJSONString returns where the JSON string value starting at start ends (the
// index of its closing quote, or of the backslash before it when the JSON is
// itself quoted inside a string), or len(s) when the text ends first.
func scanJSONString(s string, start int, quoted bool) int {
	if !quoted {
		for i := start; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return i
			}
		}
		return len(s)
	}
	// Inside a quoted string each character of the inner JSON is itself escaped:
	// decode one level and apply the inner string's escaping rules to the result.
	innerEscape := false
	for i := start; i < len(s); {
		ch, width := s[i], 1
		if ch == '"' {
			return i // the outer string ends: the inner value is cut off
		}
		if ch == '\\' && i+1 < len(s) {
			ch, width = s[i+1], 2
			if ch == 'u' {
				ch, width = 'u', 6 // an escaped code point is never the inner quote
			}
		}
		switch {
		case innerEscape:
			innerEscape = false
		case ch == '\\':
			innerEscape = true
		case ch == '"' && width == 2:
			return i
		}
		i += width
	}
	return len(s)
}

// decodeJSONString undoes JSON escaping so a value gets the same marker as when
// it was registered raw; a value that does not decode (cut off) is hashed as is.
func decodeJSONString(raw string, quoted bool) string {
	levels := 1
	if quoted {
		levels = 2
	}
	v := raw
	for range levels {
		var out string
		if json.Unmarshal([]byte(`"`+v+`"`), &out) != nil {
			return raw
		}
		v = out
	}
	return v
}

// inert reports whether a matched value hides nothing: already a marker, a
// placeholder such as $AWS_SECRET_ACCESS_KEY, or a scheme word around those.
func (r *Redactor) inert(v string) bool {
	v = r.pat.marker.ReplaceAllString(v, " ")
	for _, w := range strings.Fields(v) {
		lw := strings.ToLower(strings.Trim(w, ",;"))
		if lw == "bearer" || lw == "basic" || r.pat.placeholder.MatchString(strings.Trim(w, ",;")) {
			continue
		}
		return false
	}
	return true
}

// replaceGroup masks capture group 1 of every match of re, unless skip says the
// value hides nothing.
func (r *Redactor) replaceGroup(s string, re *regexp.Regexp, skip func(string) bool) string {
	locs := re.FindAllStringSubmatchIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range locs {
		start, end := m[2], m[3]
		if start < 0 || start < last {
			continue
		}
		v := strings.TrimRight(s[start:end], " \t,;")
		end = start + len(v)
		if v == "" || (skip != nil && skip(v)) {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(r.Mark(v))
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskSecretKeys masks 40-character runs shaped like an AWS secret access key
// when the word "secret" comes shortly before them; without that word a
// 40-character run is too often something harmless (a hash, a device key).
func (r *Redactor) maskSecretKeys(s string) string {
	locs := r.pat.keyRun.FindAllStringIndex(s, -1)
	var b strings.Builder
	last := 0
	for _, m := range locs {
		// The window is lowered on its own: lowering all of s may change byte
		// offsets when it holds non-ASCII text.
		if m[1]-m[0] != 40 || !strings.Contains(strings.ToLower(s[max(0, m[0]-48):m[0]]), "secret") {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(r.Mark(s[m[0]:m[1]]))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// Run returns a redacted deep copy of run: every string in it, at any depth
// (check messages, counterexamples, headers, options, fixture steps, findings),
// passes through String, and map values under sensitive names (Authorization,
// X-Amz-Security-Token, options naming a secret, token or password) are masked
// whole. The copy is found by reflection so a field added to the model later is
// redacted without anyone remembering to. run itself is not modified.
func (r *Redactor) Run(run *Run) *Run {
	if run == nil {
		return nil
	}
	src := reflect.ValueOf(run).Elem()
	dst := reflect.New(src.Type())
	r.copyValue(dst.Elem(), src)
	return dst.Interface().(*Run)
}

func (r *Redactor) copyValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.String:
		dst.SetString(r.String(src.String()))
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		r.copyValue(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		v := reflect.New(src.Elem().Type()).Elem()
		r.copyValue(v, src.Elem())
		dst.Set(v)
	case reflect.Struct:
		if hasUnexported(src.Type()) {
			// time.Time and the like: values with no text to redact.
			dst.Set(src)
			return
		}
		for i := range src.NumField() {
			r.copyValue(dst.Field(i), src.Field(i))
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			r.copyValue(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Array:
		for i := range src.Len() {
			r.copyValue(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		iter := src.MapRange()
		for iter.Next() {
			k := reflect.New(src.Type().Key()).Elem()
			r.copyValue(k, iter.Key())
			v := reflect.New(src.Type().Elem()).Elem()
			if iter.Key().Kind() == reflect.String && iter.Value().Kind() == reflect.String && sensitiveKey(iter.Key().String()) {
				v.SetString(r.maskWhole(iter.Value().String()))
			} else {
				r.copyValue(v, iter.Value())
			}
			m.SetMapIndex(k, v)
		}
		dst.Set(m)
	default:
		dst.Set(src)
	}
}

func (r *Redactor) maskWhole(v string) string {
	v = r.String(v)
	if v == "" || r.inert(v) {
		return v
	}
	return r.Mark(v)
}

func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range sensitiveKeys() {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

func hasUnexported(t reflect.Type) bool {
	for i := range t.NumField() {
		if !t.Field(i).IsExported() {
			return true
		}
	}
	return false
}

// Writer returns a writer that redacts what it is given line by line before
// passing it to w, for console output. A secret cannot straddle two writes as
// long as it does not straddle a newline; Close writes out a final partial line.
func (r *Redactor) Writer(w io.Writer) io.WriteCloser {
	return &lineWriter{red: r, w: w}
}

type lineWriter struct {
	red *Redactor
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := l.red.String(string(l.buf[:i])) + "\n"
		l.buf = l.buf[i+1:]
		if _, err := io.WriteString(l.w, line); err != nil {
			return len(p), err
		}
	}
}

func (l *lineWriter) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) == 0 {
		return nil
	}
	_, err := io.WriteString(l.w, l.red.String(string(l.buf)))
	l.buf = nil
	return err
}
