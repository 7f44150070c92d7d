package rest

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"

	"golang.org/x/oauth2"

	"github.com/trackbridge/trackbridge/tracker"
)

// minSecretLen is the shortest secret a Redactor hides; shorter strings
// would match ordinary text.
const minSecretLen = 4

// Redactor replaces secrets in text, in every form a server, a proxy or a
// library is known to echo them in: literally; base64-encoded (standard and
// URL alphabets, padded or not, alone or at any offset inside a longer
// base64 run such as a "Basic" credential); URL-encoded as a query or a
// path (upper- or lower-case escapes); JSON-escaped (with or without HTML
// escaping and "\/"); and HTML-escaped. Its zero value hides nothing; it is
// safe for concurrent use.
type Redactor struct {
	mu   sync.RWMutex
	seen map[string]bool
	// forms holds every form of every secret, longest first, so a long
	// form is replaced before a shorter one inside it.
	forms []string
	// linked Redactors are applied too: an authenticator's, which learns
	// new tokens as they are fetched.
	linked []*Redactor
}

// String says how many secrets r hides, never which.
func (r *Redactor) String() string {
	if r == nil {
		return "rest.Redactor(nil)"
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return fmt.Sprintf("rest.Redactor{%d secrets %s}", len(r.seen), redacted)
}

// Format prints String for every verb, so %#v cannot reach the secrets.
func (r *Redactor) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(r.String())) }

// NewRedactor returns a Redactor hiding secrets.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add registers more secrets. Strings shorter than four bytes are ignored.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(secrets)
}

// reset makes secrets the only ones r hides (linked Redactors stay).
func (r *Redactor) reset(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen, r.forms = nil, nil
	r.addLocked(secrets)
}

func (r *Redactor) addLocked(secrets []string) {
	var added []string
	for _, s := range secrets {
		if len(s) < minSecretLen || r.seen[s] {
			continue
		}
		if r.seen == nil {
			r.seen = map[string]bool{}
		}
		r.seen[s] = true
		added = append(added, secretForms(s)...)
	}
	if len(added) == 0 {
		return
	}
	// A new slice, never the old one changed in place: Redact reads the
	// old one without the lock.
	forms := append(slices.Clone(r.forms), added...)
	slices.SortFunc(forms, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	r.forms = slices.Compact(forms)
}

// AddPair registers a user name and secret sent together as HTTP basic
// credentials, so that the whole "user:secret" pair is hidden in every
// form, its base64 included, as well as the secret alone. The user name
// alone is not a secret and stays readable.
func (r *Redactor) AddPair(user, secret string) { r.Add(PairSecrets(user, secret)...) }

// PairSecrets returns the strings to redact for a user name and secret sent
// as HTTP basic credentials: the secret, "user:secret", and the pair with
// both parts query-escaped as x/oauth2 sends client credentials. Pass them
// to [Config.Secrets] or [Redactor.Add].
func PairSecrets(user, secret string) []string {
	if len(secret) < minSecretLen {
		return nil
	}
	return []string{secret, user + ":" + secret, url.QueryEscape(user) + ":" + url.QueryEscape(secret)}
}

// Redact returns s with every form of every registered secret replaced by
// "[redacted]".
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	forms, linked := r.forms, r.linked
	r.mu.RUnlock()
	// forms is never changed in place (Add builds a new slice), so it
	// is read without the lock.
	for _, f := range forms {
		s = strings.ReplaceAll(s, f, redacted)
	}
	for _, l := range linked {
		s = l.Redact(s)
	}
	return s
}

// addLinked makes r apply l as well.
func (r *Redactor) addLinked(l *Redactor) {
	if l == nil || l == r {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.linked = append(r.linked, l)
}

// sentinels are the tracker errors a redacted error keeps matching.
var sentinels = []error{
	tracker.ErrNotFound, tracker.ErrConflict, tracker.ErrRateLimited, tracker.ErrUnauthorized,
	tracker.ErrForbidden, tracker.ErrInvalid, tracker.ErrUnavailable, tracker.ErrNoTransition,
	tracker.ErrUnsupported, errors.ErrUnsupported, context.Canceled, context.DeadlineExceeded,
	ErrInsecureRedirect, ErrBodyTooLarge,
}

func sentinelsOf(err error) []error {
	var out []error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}

// Error returns an error whose text is err's, redacted, or nil for nil.
// The result does not wrap err, whose fields might still hold a secret;
// it matches the tracker sentinels err matched.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: r.Redact(err.Error()), sentinels: sentinelsOf(err)}
}

// RedactHeader returns a copy of h fit to keep in an error: the values of
// headers that carry credentials or sessions (Authorization, Cookie,
// Set-Cookie, and any name mentioning a token, key, secret, password,
// signature or session) are replaced by "[redacted]", and every other value
// is redacted by r.
func (r *Redactor) RedactHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		c := make([]string, len(vs))
		for i, v := range vs {
			if credentialHeader(k) {
				c[i] = redacted
			} else {
				c[i] = r.Redact(v)
			}
		}
		out[k] = c
	}
	return out
}

func credentialHeader(name string) bool {
	switch strings.ToLower(name) {
	case "cookie", "set-cookie", "proxy-authorization", "proxy-authenticate", "www-authenticate":
		return true
	}
	return secretParam.MatchString(name)
}

// secretForms lists the encodings of s that Redact looks for: s and its
// base64 forms, each also URL-escaped; base64 of those base64 forms (a
// server echoing the whole "Basic …" header in base64); and all of them
// JSON- and HTML-escaped.
func secretForms(s string) []string {
	b64 := base64Forms(s)
	var out []string
	for _, f := range append([]string{s}, b64...) {
		out = append(out, f)
		for _, e := range []string{url.QueryEscape(f), url.PathEscape(f), strings.ReplaceAll(url.QueryEscape(f), "+", "%20")} {
			out = append(out, e, lowerEscapes(e))
		}
	}
	for _, f := range b64 {
		out = append(out, base64Cores(f)...)
	}
	var all []string
	for _, f := range out {
		all = append(all, f)
		if strings.ContainsAny(f, "<>&'\"") {
			all = append(all, html.EscapeString(f))
		}
		if needsJSONEscape(f) {
			all = append(all, jsonForms(f)...)
		}
	}
	return all
}

// needsJSONEscape reports whether a JSON encoder might write f otherwise
// than as it is.
func needsJSONEscape(f string) bool {
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c < 0x20, c >= 0x80, c == '"', c == '\\', c == '<', c == '>', c == '&', c == '/':
			return true
		}
	}
	return false
}

// base64Forms returns s in base64, standard and URL alphabets, padded or
// not, and the cores of [base64Cores].
func base64Forms(s string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		out = append(out, enc.EncodeToString([]byte(s)))
	}
	return append(out, base64Cores(s)...)
}

// base64Cores returns the characters that depend on s alone when s is
// base64-encoded inside longer data ("user:secret"): s's bytes start at
// any offset modulo 3, and whatever surrounds them changes only the
// characters at either end. Both alphabets are covered.
func base64Cores(s string) []string {
	var out []string
	for k := range 3 {
		b := base64.StdEncoding.EncodeToString(append(make([]byte, k), s...))
		start, end := (8*k+5)/6, 8*(k+len(s))/6
		if end-start >= minSecretLen+1 {
			core := b[start:end]
			out = append(out, core, strings.NewReplacer("+", "-", "/", "_").Replace(core))
		}
	}
	return out
}

// jsonForms returns s as it appears inside a JSON string: escaped by
// encoding/json with and without HTML escaping, with "/" as "\/", and with
// non-ASCII characters as \u escapes (as Python and PHP write them).
func jsonForms(s string) []string {
	q, _ := json.Marshal(s)
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	plain := strings.TrimSpace(b.String())
	var out []string
	for _, f := range []string{string(q[1 : len(q)-1]), plain[1 : len(plain)-1]} {
		for _, g := range []string{f, strings.ReplaceAll(f, "/", `\/`)} {
			out = append(out, g, asciiJSON(g))
		}
	}
	return out
}

// asciiJSON writes the non-ASCII characters of a JSON string body as \u
// escapes, surrogate pairs beyond the basic plane.
func asciiJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// lowerEscapes rewrites the hex digits of %XX escapes in lower case.
func lowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerHex(b[i+1]), lowerHex(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lowerHex(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// redactedError is an error whose text has been redacted; it keeps the
// tracker sentinels the original matched but none of its values.
type redactedError struct {
	msg       string
	sentinels []error
}

func (e *redactedError) Error() string { return e.msg }

// Is matches the sentinels the original error matched.
func (e *redactedError) Is(target error) bool { return slices.Contains(e.sentinels, target) }

// redactedChain is an error whose text has been redacted and whose chain,
// built of values already scrubbed, is kept for errors.Is and errors.As.
type redactedChain struct {
	msg string
	err error
}

func (e *redactedChain) Error() string { return e.msg }

// Unwrap returns the scrubbed chain.
func (e *redactedChain) Unwrap() error { return e.err }

// TokenError turns an error from an oauth2.TokenSource into one fit to
// show: an *oauth2.RetrieveError becomes the token endpoint's status and
// error code and description (never its raw body, which may echo the
// request), and the text is redacted by r. The result does not wrap err,
// except when err carries an *APIError, which its token source built from
// scrubbed values: then the chain is kept behind the redacted text.
func TokenError(r *Redactor, err error) error {
	if err == nil {
		return nil
	}
	if api := (*APIError)(nil); errors.As(err, &api) {
		// A token source that reports the endpoint's answer as an
		// *APIError built it from scrubbed values; keep it, so callers
		// can read status, body and headers and its classification holds.
		return &redactedChain{msg: r.Redact(err.Error()), err: err}
	}
	msg := err.Error()
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		switch {
		case re.ErrorCode != "" && re.ErrorDescription != "":
			msg = fmt.Sprintf("token endpoint answered %d %s: %s", status, re.ErrorCode, re.ErrorDescription)
		case re.ErrorCode != "":
			msg = fmt.Sprintf("token endpoint answered %d %s", status, re.ErrorCode)
		default:
			msg = fmt.Sprintf("token endpoint answered %d %s: %s", status, http.StatusText(status), ErrorMessage(re.Body))
		}
	}
	return r.Error(errors.New(clip(msg)))
}
