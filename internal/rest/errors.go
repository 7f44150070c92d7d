package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// APIError is a response the server answered with a status outside 2xx. It
// keeps what the server said; tokens and secret query values are scrubbed.
// It matches the tracker sentinels through errors.Is: 404 and 410
// ErrNotFound, 401 ErrUnauthorized, 403 ErrForbidden, 409 ErrConflict, 400
// and 422 ErrInvalid, 429 ErrRateLimited, 5xx ErrUnavailable.
type APIError struct {
	// Vendor names the client ("jira"), for the message.
	Vendor     string
	Method     string
	URL        string // sanitised: no user info, secret query values redacted
	StatusCode int
	// Message is what the server said, extracted from its error body
	// (Jira errorMessages and errors, YouTrack error_description, ExtraHop
	// error_message, an HTML title, or the start of a text body).
	Message string
	// Body is the raw error body, read up to the client's error-body cap.
	Body []byte
	// Truncated reports that the body was longer than the cap.
	Truncated bool
	// Header holds the response headers (request ids, rate-limit data).
	Header http.Header
}

// Error says who answered what: vendor, method, sanitised URL, status and
// the server's message.
func (e *APIError) Error() string {
	var b strings.Builder
	if e.Vendor != "" {
		b.WriteString(e.Vendor)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is maps the status code onto the tracker sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case tracker.ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusGone
	case tracker.ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case tracker.ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case tracker.ErrConflict:
		return e.StatusCode == http.StatusConflict
	case tracker.ErrInvalid:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	case tracker.ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case tracker.ErrUnavailable:
		return e.StatusCode >= 500
	}
	return false
}

// RateLimitError is returned for a 429 (or a 503 with Retry-After) that the
// client did not wait out: the server asked for a pause longer than the
// configured cap, or the retries ran out. It matches tracker.ErrRateLimited
// and unwraps to the *APIError.
type RateLimitError struct {
	*APIError
	// RetryAfter is how long the server asked us to wait (0 if it did not say).
	RetryAfter time.Duration
	// Reset is when the server said the limit resets (zero if it did not say).
	Reset time.Time
	// Reason is the RateLimit-Reason header (jira-burst-based,
	// jira-per-issue-on-write, jira-quota-…).
	Reason string
}

// Error is the APIError's message plus the wait the server asked for and
// its reason.
func (e *RateLimitError) Error() string {
	msg := e.APIError.Error()
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	if e.Reason != "" {
		msg += " (reason " + e.Reason + ")"
	}
	return msg
}

// Unwrap returns the underlying *APIError.
func (e *RateLimitError) Unwrap() error { return e.APIError }

// Is matches tracker.ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == tracker.ErrRateLimited }

// secretParam matches query parameter names whose values must not be shown.
var secretParam = regexp.MustCompile(`(?i)(token|key|secret|password|passwd|pwd|auth|sig|signature|credential|session)`)

// SanitizeURL returns u without user info and with the values of
// secret-looking query parameters replaced by "[redacted]".
func SanitizeURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		for k := range q {
			if secretParam.MatchString(k) {
				q[k] = []string{redacted}
			}
		}
		c.RawQuery = q.Encode()
	}
	return c.String()
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// maxMessageLen bounds the message taken from an error body.
const maxMessageLen = 512

// ErrorMessage extracts a readable message from an error body. It knows the
// shapes of every vendor trackbridge talks to: Jira {errorMessages, errors},
// YouTrack {error, error_description}, ExtraHop {error_message}, OAuth2
// {error, error_description}, problem+json {title, detail}, and generic
// {message}. HTML pages yield their title; other text its first line.
func ErrorMessage(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	if body[0] == '{' && json.Valid(body) {
		return clip(jsonErrorMessage(body))
	}
	if m := titleRE.FindSubmatch(body); m != nil {
		return clip(strings.TrimSpace(html.UnescapeString(string(m[1]))))
	}
	if bytes.HasPrefix(body, []byte("<")) {
		return "(HTML page without a title)"
	}
	line, _, _ := strings.Cut(string(body), "\n")
	return clip(strings.TrimSpace(line))
}

func jsonErrorMessage(body []byte) string {
	var v struct {
		ErrorMessages    []string          `json:"errorMessages"`
		Errors           map[string]string `json:"errors"`
		Error            json.RawMessage   `json:"error"`
		ErrorDescription string            `json:"error_description"`
		ErrorMessage     string            `json:"error_message"`
		Message          string            `json:"message"`
		Title            string            `json:"title"`
		Detail           string            `json:"detail"`
	}
	// Errors that do not fit (errors as a list, say) leave v partly filled,
	// which is still the best we can say.
	_ = json.Unmarshal(body, &v)
	var parts []string
	parts = append(parts, v.ErrorMessages...)
	parts = append(parts, jsonAPIErrors(body)...)
	if len(v.Errors) > 0 {
		keys := make([]string, 0, len(v.Errors))
		for k := range v.Errors {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			parts = append(parts, k+": "+v.Errors[k])
		}
	}
	var errStr string
	_ = json.Unmarshal(v.Error, &errStr)
	switch {
	case v.ErrorDescription != "" && errStr != "":
		parts = append(parts, v.ErrorDescription+" ("+errStr+")")
	case v.ErrorDescription != "":
		parts = append(parts, v.ErrorDescription)
	case errStr != "":
		parts = append(parts, errStr)
	}
	for _, s := range []string{v.ErrorMessage, v.Message, v.Detail} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 && v.Title != "" {
		parts = append(parts, v.Title)
	}
	return strings.Join(parts, "; ")
}

// jsonAPIErrors reads a JSON:API error list
// ({"errors":[{"title","detail","source":{"pointer"}}]}), as trax and other
// JSON:API servers send it.
func jsonAPIErrors(body []byte) []string {
	var v struct {
		Errors []struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
			Source struct {
				Pointer string `json:"pointer"`
			} `json:"source"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var parts []string
	for _, e := range v.Errors {
		msg := e.Detail
		if msg == "" {
			msg = e.Title
		}
		if e.Source.Pointer != "" && msg != "" {
			msg = e.Source.Pointer + ": " + msg
		}
		if msg != "" {
			parts = append(parts, msg)
		}
	}
	return parts
}

func clip(s string) string {
	if len(s) <= maxMessageLen {
		return s
	}
	// Cut on a rune boundary.
	cut := maxMessageLen
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// TransportError is a request that got no HTTP response: the connection
// failed, timed out or was refused. It matches tracker.ErrUnavailable, and
// tracker.ErrNotSent when the connection was never made (so a write it
// carried certainly did not happen); otherwise the server may have acted
// on the request before the answer was lost.
type TransportError struct {
	Vendor string
	Method string
	URL    string // sanitised
	Err    error
	// NotSent reports that the request never left: the dial or the name
	// lookup failed.
	NotSent bool
}

// Error names the request and what went wrong on the wire.
func (e *TransportError) Error() string {
	prefix := ""
	if e.Vendor != "" {
		prefix = e.Vendor + ": "
	}
	return fmt.Sprintf("%s%s %s: %v", prefix, e.Method, e.URL, e.Err)
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// Is matches tracker.ErrUnavailable, and tracker.ErrNotSent when NotSent.
func (e *TransportError) Is(target error) bool {
	return target == tracker.ErrUnavailable || (target == tracker.ErrNotSent && e.NotSent)
}

// neverSent reports whether a transport error happened before the request
// could be written: a failed dial or name lookup.
func neverSent(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// unwrapURLError strips the *url.Error, whose message repeats the unsanitised URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
