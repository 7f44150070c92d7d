// Package jiratest is an in-memory fake Jira, Cloud (REST v3, ADF bodies,
// /search/jql token paging) or Data Center (REST v2, string bodies,
// /search offset paging), served over HTTP on loopback for tests, examples
// and benchmarks.
//
// It keeps projects, issue types, priorities, statuses with categories, a
// configurable workflow, system and custom fields, create metadata, users,
// issues, comments, entity properties and remote links; it evaluates the
// JQL subset integrations use (project, labels, key, id, status,
// statusCategory, issuetype, priority, assignee, summary ~, created and
// updated comparisons, IN lists, IS EMPTY, AND, OR, NOT, parentheses,
// ORDER BY); it enforces authentication, validates bodies as Jira does
// (400 with errorMessages and errors), and can inject failures (429 with
// Retry-After and rate-limit headers, 503) and latency. Request counts per
// route let tests assert how many calls a client made.
//
// On Cloud its answers follow Atlassian's OpenAPI document, and the tests of
// package jira check every request and response against it. Where the
// document and the live service disagree the fake follows the document:
// empty fields are left out rather than sent as null, and comment times
// carry a colon in the zone. Data Center's v2 paths are not in that
// document and are not checked against it.
package jiratest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbridge/trackbridge/internal/fakeserver"
)

// Default credentials the fake accepts.
const (
	// Email and APIToken are the basic-auth credentials (Cloud API token,
	// or a Data Center user name and password).
	Email    = "admin@example.com"
	APIToken = "jira-api-token"
	// PAT is the bearer token accepted (Data Center personal access token
	// or an OAuth 2.0 access token).
	PAT = "jira-personal-access-token"
)

// Option configures a [Server].
type Option func(*Server)

// WithDataCenter makes the fake a Data Center: REST v2 under /rest/api/2,
// string bodies, users by name.
func WithDataCenter() Option { return func(s *Server) { s.dc = true } }

// WithLatency delays every response by d, to simulate a remote server.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.faults.SetLatency(d) } }

// WithClock sets the clock for created and updated times. Times handed out
// are strictly increasing at millisecond precision whatever the clock says.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithCredentials replaces the accepted basic-auth credentials.
func WithCredentials(email, token string) Option {
	return func(s *Server) { s.email, s.token = email, token }
}

// WithBearerToken replaces the accepted bearer token.
func WithBearerToken(token string) Option { return func(s *Server) { s.pat = token } }

// WithWorkflow replaces the default workflow (see [DefaultWorkflow]).
func WithWorkflow(w Workflow) Option { return func(s *Server) { s.setWorkflow(w) } }

// WithMaxResults caps page sizes (default 100), so tests can force paging.
func WithMaxResults(n int) Option { return func(s *Server) { s.maxResults = n } }

// Server is the fake. It is safe for concurrent use.
type Server struct {
	ts         *httptest.Server
	dc         bool
	now        func() time.Time
	email      string
	token      string
	pat        string
	maxResults int
	searchLag  time.Duration

	mu          sync.Mutex
	last        time.Time
	projects    []*Project
	issueTypes  []*IssueType
	priorities  []*Priority
	resolutions []*Resolution
	statuses    []*Status
	transitions []*Transition
	fields      []*Field
	users       []*User
	issues      []*issue // in creation order, deleted ones removed
	nextIssue   int64
	nextComment int64
	nextLink    int64
	keySeq      map[string]int

	requests fakeserver.Recorder
	faults   fakeserver.Faults
	extra    extra // webhooks, required fields: webhooks.go
}

// New starts a fake Jira with the default data: projects SEC and OPS, issue
// types Task, Bug, Story, Epic and Sub-task, the five standard priorities,
// the resolutions Done, Won't Do and Duplicate, [DefaultWorkflow], a set of
// custom fields (the Field* constants) and a few users. Call Close when
// done.
func New(opts ...Option) *Server {
	s := &Server{now: time.Now, email: Email, token: APIToken, pat: PAT, maxResults: 100, keySeq: map[string]int{}}
	s.seedDefaults()
	for _, o := range opts {
		o(s)
	}
	s.ts = httptest.NewServer(s.routes())
	return s
}

// NewServer starts a fake for a test and closes it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	return fakeserver.CloseAtEnd(t, New(opts...))
}

// URL returns the site's base URL (no /rest/api suffix).
func (s *Server) URL() string { return s.ts.URL }

// Client returns an *http.Client for the fake (no credentials).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close shuts the server down; webhooks not yet delivered are dropped.
func (s *Server) Close() {
	s.extra.hooks.Close()
	s.ts.Close()
}

// DataCenter reports whether the fake plays Data Center.
func (s *Server) DataCenter() bool { return s.dc }

// api returns the REST prefix.
func (s *Server) api() string {
	if s.dc {
		return "/rest/api/2"
	}
	return "/rest/api/3"
}

// Requests returns the number of requests served in total and per route
// ("POST /rest/api/3/issue/bulk", "GET /rest/api/3/issue/{key}").
func (s *Server) Requests() (total int, perRoute map[string]int) { return s.requests.Snapshot() }

// RequestCount returns the number of requests served on one route.
func (s *Server) RequestCount(route string) int { return s.requests.Count(route) }

// ResetRequests zeroes the request counts.
func (s *Server) ResetRequests() { s.requests.Reset() }

// FailNext makes the next n authenticated requests fail with status. For
// 429 and 503 a Retry-After of retryAfter (rounded up to seconds) is sent;
// 429s also carry Jira's rate-limit headers.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	s.faults.FailNext(n, status, retryAfter)
}

// tick returns a fresh timestamp, strictly after the previous one.
func (s *Server) tick() time.Time {
	t := s.now().UTC().Truncate(time.Millisecond)
	if !t.After(s.last) {
		t = s.last.Add(time.Millisecond)
	}
	s.last = t
	return t
}

// handler is a route's implementation; it runs with s.mu held.
type handler func(w http.ResponseWriter, r *http.Request, body []byte)

// maxBody caps request bodies like Jira's front end.
const maxBody = 10 << 20

// middleware counts and delays every request and answers authenticated
// ones with injected failures.
func (s *Server) middleware() fakeserver.Middleware {
	return fakeserver.Middleware{
		Recorder: &s.requests,
		Faults:   &s.faults,
		RouteOf:  s.routeOf,
		// An unauthenticated request gets its 401 and leaves the queue alone.
		Injectable: func(r *http.Request, _ string) bool { return s.authenticated(r) },
		WriteFailure: func(w http.ResponseWriter, _ *http.Request, f fakeserver.Failure) {
			s.mu.Lock() // the clock is called under the lock, as everywhere
			defer s.mu.Unlock()
			s.writeFailure(w, f)
		},
	}
}

// wrap reads the body, authenticates and runs h with s.mu held.
func (s *Server) wrap(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// A server request always has a Body; a read error leaves a short
		// body, which the handlers refuse as malformed JSON.
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		// The handler answers into a recorder under the lock and the answer
		// goes out after it: a client reading slowly must not hold every
		// other request up, as it would not on a real Jira.
		rec := httptest.NewRecorder()
		s.serveLocked(rec, r, body, h)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}
}

// serveLocked authenticates the request and runs h, under the lock.
func (s *Server) serveLocked(w http.ResponseWriter, r *http.Request, body []byte, h handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authenticated(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="protected-area"`)
		writeErrors(w, http.StatusUnauthorized, []string{"You are not authenticated. Authentication required to perform this operation."}, nil)
		return
	}
	if len(body) > maxBody {
		writeErrors(w, http.StatusRequestEntityTooLarge, []string{"Request body too large."}, nil)
		return
	}
	h(w, r, body)
}

func (s *Server) authenticated(r *http.Request) bool {
	if u, p, ok := r.BasicAuth(); ok {
		return u == s.email && p == s.token
	}
	auth := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(auth, "Bearer "); ok {
		return tok == s.pat
	}
	return false
}

// writeFailure answers an injected failure; 429s carry Jira's rate-limit
// headers. The middleware has set Retry-After.
func (s *Server) writeFailure(w http.ResponseWriter, f fakeserver.Failure) {
	msg := http.StatusText(f.Status)
	if f.Status == http.StatusTooManyRequests {
		w.Header().Set("X-RateLimit-Limit", "100")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-NearLimit", "true")
		w.Header().Set("RateLimit-Reason", "jira-burst-based")
		w.Header().Set("X-RateLimit-Reset", s.now().UTC().Add(f.RetryAfter).Format("2006-01-02T15:04Z"))
		msg = "Rate limit exceeded."
	}
	writeErrors(w, f.Status, []string{msg}, nil)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeErrors answers with Jira's ErrorCollection.
func writeErrors(w http.ResponseWriter, status int, messages []string, errs map[string]string) {
	if messages == nil {
		messages = []string{}
	}
	if errs == nil {
		errs = map[string]string{}
	}
	writeJSON(w, status, map[string]any{"errorMessages": messages, "errors": errs})
}

// validationError is a 400 with Jira's errorMessages and field errors; it
// is written as a response, never returned as a Go error.
type validationError struct {
	messages []string
	errs     map[string]string
}

func fieldErr(field, msg string) *validationError {
	return &validationError{errs: map[string]string{field: msg}}
}

func writeValidation(w http.ResponseWriter, e *validationError) {
	writeErrors(w, http.StatusBadRequest, e.messages, e.errs)
}

func notFound(w http.ResponseWriter, what string) {
	writeErrors(w, http.StatusNotFound, []string{what}, nil)
}

func (s *Server) self(format string, args ...any) string {
	return s.ts.URL + s.api() + fmt.Sprintf(format, args...)
}
