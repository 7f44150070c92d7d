// Package youtracktest is an in-memory fake of the YouTrack REST API (and
// the Hub user listing) for tests, examples and benchmarks.
//
// It serves projects with custom fields and value bundles (State with
// resolved states, Priority, Severity, Assignee, a Reported date and an
// External ID text field), issues, comments, tags, commands and users on
// both user APIs, answers the subset of the query language the trackbridge
// adapter uses ([ParseQuery]), honours fields projections and $top/$skip
// (42 items when $top is absent, as YouTrack does), checks the bearer
// token, and answers errors with YouTrack's {"error","error_description"}
// bodies. Latency, failures and request counts make it useful for
// benchmarks and retry tests.
//
//	srv := youtracktest.New()
//	defer srv.Close()
//	c, _ := youtrack.New(srv.URL(), youtrack.WithToken(youtracktest.Token))
package youtracktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbridge/trackbridge/internal/fakeserver"
	"github.com/trackbridge/trackbridge/internal/inbound/inboundtest"
)

// Token is the permanent token the fake accepts unless [WithToken] says
// otherwise.
const Token = "perm:cm9vdA==.dHJhY2ticmlkZ2U=.fake0token0value"

// DefaultTop is how many items a collection returns when the request has
// no $top, as on a real YouTrack.
const DefaultTop = 42

// Option configures a [Server].
type Option func(*Server)

// WithToken sets the token the fake accepts.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithLatency delays every answer by d, to simulate a remote server.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.faults.SetLatency(d) } }

// WithClock sets the clock used for created and updated times. Updated
// times are strictly increasing whatever the clock says.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithoutSeed starts the fake without users, projects or tags beyond the
// field definitions; add them with the Add methods.
func WithoutSeed() Option { return func(s *Server) { s.noSeed = true } }

// Server is the fake. It is safe for concurrent use.
type Server struct {
	ts     *httptest.Server
	token  string
	now    func() time.Time
	noSeed bool

	mu        sync.Mutex
	projects  []*Project
	fields    []*FieldDef
	users     []*User
	tags      []*Tag
	issues    map[string]*issue
	order     []string // issue ids in creation order
	seq       map[string]int
	nextID    int
	lastTick  int64
	me        string
	lastQuery string

	requests fakeserver.Recorder
	faults   fakeserver.Faults
	hooks    inboundtest.Sender // notifications: notify.go
	boards   boards             // links, work items, agiles: boards.go
}

// New starts a fake seeded with realistic data ([Server.Seed]). Close it
// when done.
func New(opts ...Option) *Server {
	s := &Server{
		token:  Token,
		now:    time.Now,
		issues: map[string]*issue{},
		seq:    map[string]int{},
		nextID: 100,
	}
	for _, o := range opts {
		o(s)
	}
	s.fields = defaultFields()
	s.boards.linkTypes = defaultLinkTypes()
	if !s.noSeed {
		s.seed()
		s.seedBoards()
	}
	s.ts = httptest.NewServer(s.routes())
	return s
}

// NewServer starts a fake and closes it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	return fakeserver.CloseAtEnd(t, New(opts...))
}

// URL returns the service URL to give youtrack.New.
func (s *Server) URL() string { return s.ts.URL }

// Close shuts the server down; notifications not yet delivered are
// dropped.
func (s *Server) Close() {
	s.hooks.Close()
	s.ts.Close()
}

// Client returns an *http.Client for the fake.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Requests returns the number of requests served: total, and per
// "METHOD /pattern" (e.g. "GET /api/issues").
func (s *Server) Requests() (total int, byRoute map[string]int) { return s.requests.Snapshot() }

// RequestCount returns the number of requests served for one route
// ("GET /api/issues").
func (s *Server) RequestCount(route string) int { return s.requests.Count(route) }

// ResetRequests zeroes the request counters.
func (s *Server) ResetRequests() { s.requests.Reset() }

// LastQuery returns the query of the last issue search.
func (s *Server) LastQuery() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastQuery
}

// FailNext makes the next n requests fail with status (429, 503, …),
// sending Retry-After when retryAfter is positive.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	s.faults.FailNext(n, status, retryAfter)
}

// tick returns a strictly increasing timestamp in ms; caller holds the lock.
func (s *Server) tick() int64 {
	t := ms(s.now())
	if t <= s.lastTick {
		t = s.lastTick + 1
	}
	s.lastTick = t
	return t
}

// newID returns a fresh entity id with the given type prefix ("2-").
func (s *Server) newID(prefix int) string {
	s.nextID++
	return fmt.Sprintf("%d-%d", prefix, s.nextID)
}

// apiError writes a YouTrack error body.
func apiError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func badRequest(w http.ResponseWriter, format string, args ...any) {
	apiError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf(format, args...))
}

func notFound(w http.ResponseWriter, what string) {
	apiError(w, http.StatusNotFound, "Not Found", "Entity with id "+what+" not found")
}

// writeJSON projects v with the request's fields parameter and writes it.
// Without fields an entity comes back with only $type and id, as on
// YouTrack.
func writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	p, err := requestProjection(r)
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(p.apply(v))
}

func requestProjection(r *http.Request) (projection, error) {
	f := r.URL.Query().Get("fields")
	if f == "" {
		return projection{"id": nil}, nil
	}
	return parseFields(f)
}

// page applies $skip and $top to a list.
func page[T any](r *http.Request, list []T) ([]T, error) {
	q := r.URL.Query()
	skip, top := 0, DefaultTop
	if v := q.Get("$skip"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("$skip: invalid value %q", v)
		}
		skip = n
	}
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < -1 {
			return nil, fmt.Errorf("$top: invalid value %q", v)
		}
		top = n
		if n == -1 {
			top = len(list)
		}
	}
	if skip >= len(list) {
		return list[:0], nil
	}
	end := min(skip+top, len(list))
	return list[skip:end], nil
}

// routes wires the handlers.
func (s *Server) routes() http.Handler {
	mw := fakeserver.Middleware{
		Recorder: &s.requests,
		Faults:   &s.faults,
		RouteOf: func(r *http.Request) string {
			if r.Pattern == "/" {
				return "unknown"
			}
			return r.Pattern
		},
		WriteFailure: func(w http.ResponseWriter, _ *http.Request, f fakeserver.Failure) {
			apiError(w, f.Status, "injected", fmt.Sprintf("injected failure %d", f.Status))
		},
	}
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, mw.Wrap(s.authed(h))) }
	handle("GET /api/issues", s.listIssues)
	handle("POST /api/issues", s.createIssue)
	handle("GET /api/issues/{id}", s.getIssue)
	handle("POST /api/issues/{id}", s.updateIssue)
	handle("DELETE /api/issues/{id}", s.deleteIssue)
	handle("POST /api/issues/{id}/customFields/{fid}", s.updateCustomField)
	handle("GET /api/issues/{id}/comments", s.listComments)
	handle("POST /api/issues/{id}/comments", s.addComment)
	handle("POST /api/issues/{id}/comments/{cid}", s.updateComment)
	handle("DELETE /api/issues/{id}/comments/{cid}", s.deleteComment)
	handle("GET /api/issues/{id}/tags", s.listIssueTags)
	handle("POST /api/issues/{id}/tags", s.addIssueTag)
	handle("DELETE /api/issues/{id}/tags/{tid}", s.removeIssueTag)
	handle("POST /api/commands", s.applyCommand)
	handle("GET /api/admin/projects", s.listProjects)
	handle("GET /api/admin/projects/{id}/customFields", s.listProjectFields)
	handle("GET /api/admin/customFieldSettings/bundles/{kind}/{id}/values", s.listBundleValues)
	handle("GET /api/tags", s.listTags)
	handle("POST /api/tags", s.createTag)
	handle("GET /api/users", s.listUsers)
	handle("GET /api/users/me", s.getMe)
	handle("GET /hub/api/rest/users", s.listHubUsers)
	handle("GET /api/issueLinkTypes", s.listLinkTypes)
	handle("GET /api/issueLinkTypes/{lt}", s.getLinkType)
	handle("GET /api/issues/{id}/links", s.listIssueLinks)
	handle("POST /api/issues/{id}/links/{lid}/issues", s.addIssueLink)
	handle("DELETE /api/issues/{id}/links/{lid}/issues/{tid}", s.removeIssueLink)
	handle("GET /api/issues/{id}/timeTracking/workItems", s.listWorkItems)
	handle("POST /api/issues/{id}/timeTracking/workItems", s.addWorkItem)
	handle("GET /api/issues/{id}/timeTracking/workItems/{wid}", s.getWorkItem)
	handle("POST /api/issues/{id}/timeTracking/workItems/{wid}", s.updateWorkItem)
	handle("DELETE /api/issues/{id}/timeTracking/workItems/{wid}", s.deleteWorkItem)
	handle("GET /api/workItems", s.searchWorkItems)
	handle("GET /api/agiles", s.listAgiles)
	handle("GET /api/agiles/{aid}", s.getAgile)
	handle("GET /api/agiles/{aid}/sprints", s.listSprints)
	handle("GET /api/agiles/{aid}/sprints/{sid}", s.getSprint)
	handle("/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusNotFound, "HTTP 404 Not Found", "No resource at "+r.URL.Path)
	})
	return mux
}

// authed answers YouTrack's 401 unless the request carries the token.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			apiError(w, http.StatusUnauthorized, "Unauthorized", "You are not logged in.")
			return
		}
		h(w, r)
	}
}

func (s *Server) authorized(r *http.Request) bool {
	if s.token == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && got == s.token
}

// decodeBody decodes a JSON request body, answering 400 on failure.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		badRequest(w, "Cannot parse request body: %v", err)
		return false
	}
	return true
}

// sortedIssues returns the issues in creation order; caller holds the lock.
func (s *Server) sortedIssues() []*issue {
	out := make([]*issue, 0, len(s.order))
	for _, id := range s.order {
		if is, ok := s.issues[id]; ok {
			out = append(out, is)
		}
	}
	return out
}

func (s *Server) removeFromOrder(id string) {
	s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
}
