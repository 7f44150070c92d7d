// Package extrahoptest is an in-memory fake of the ExtraHop RevealX REST API
// v1 detection endpoints, for tests, examples and benchmarks of code built
// on package extrahop. It needs no *testing.T:
//
//	srv := extrahoptest.New()
//	defer srv.Close()
//	ids := srv.Seed(50)
//	c, _ := extrahop.New(srv.URL(), extrahop.WithAPIKey(extrahoptest.DefaultAPIKey))
//
// It serves GET /api/v1/detections/{id}, POST /api/v1/detections/search
// (filters, sort, limit and offset), PATCH /api/v1/detections/{id} and
// /api/v1/detections/tickets (204; ticket_id required, as ExtraHop's
// catalogue says), notes, detection formats, and POST /oauth2/token
// (client credentials in a Basic header, short-lived tokens). It enforces
// authentication the way ExtraHop does (401 {"error_message": ...}; 400
// {"error":"invalid_client"} from the token endpoint for wrong client
// credentials, 401 for none), and it can add
// latency, fail requests with 429 and Retry-After, count requests, and show
// its state for assertions. It is safe for concurrent use.
package extrahoptest

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/internal/fakeserver"
	"github.com/trackbridge/trackbridge/internal/inbound/inboundtest"
)

// Credentials the server accepts when it is given none.
const (
	DefaultAPIKey       = "extrahoptest-api-key"
	DefaultClientID     = "extrahoptest-client"
	DefaultClientSecret = "extrahoptest-secret"
)

// DefaultTokenTTL is the lifetime of an issued token unless
// [WithTokenTTL] says otherwise (RevealX 360 issues tokens for an hour).
const DefaultTokenTTL = time.Hour

// Me is the user ".me" in an assignee filter stands for.
const Me = "extrahoptest"

// Option configures a [Server].
type Option func(*Server)

// WithAPIKey makes the server accept this API key (instead of
// [DefaultAPIKey]); give it several times for several keys.
func WithAPIKey(key string) Option {
	return func(s *Server) { s.apiKeys[key] = true; s.customAuth = true }
}

// WithClientCredentials makes the token endpoint accept this client
// (instead of [DefaultClientID] and [DefaultClientSecret]).
func WithClientCredentials(id, secret string) Option {
	return func(s *Server) { s.clients[id] = secret; s.customAuth = true }
}

// WithTokenTTL sets the lifetime of issued tokens (whole seconds, at least
// one), which the server enforces by its clock.
func WithTokenTTL(d time.Duration) Option {
	return func(s *Server) { s.ttl = max(d.Truncate(time.Second), time.Second) }
}

// WithLowercaseTokenType makes the token endpoint answer token_type
// "bearer", as some RevealX 360 deployments do.
func WithLowercaseTokenType() Option {
	return func(s *Server) { s.tokenType = "bearer" }
}

// WithClock sets the server's clock: token expiry and mod_time use it. Pair
// it with extrahop.WithClock and a [Clock] to test token renewal without
// waiting.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// WithLatency delays every answer by d, to simulate a remote server.
func WithLatency(d time.Duration) Option {
	return func(s *Server) { s.faults.SetLatency(d) }
}

// Server is a fake ExtraHop appliance. Create it with [New] or [NewServer].
type Server struct {
	srv *httptest.Server

	// Set by options before the server starts; read-only afterwards.
	apiKeys    map[string]bool
	clients    map[string]string
	customAuth bool
	ttl        time.Duration
	tokenType  string
	now        func() time.Time

	mu         sync.Mutex
	detections map[int64]*extrahop.Detection
	notes      map[int64]*extrahop.Note
	formats    []*extrahop.Format
	tokens     map[string]time.Time // access token → expiry
	issued     int
	nextID     int64
	seeded     int
	lastMod    time.Time

	requests fakeserver.Recorder
	faults   fakeserver.Faults
	ods      inboundtest.Sender // trigger payloads: ods.go
}

// New starts a fake ExtraHop on a loopback port. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{
		apiKeys:    map[string]bool{},
		clients:    map[string]string{},
		ttl:        DefaultTokenTTL,
		tokenType:  "Bearer",
		now:        time.Now,
		detections: map[int64]*extrahop.Detection{},
		notes:      map[int64]*extrahop.Note{},
		formats:    defaultFormats(),
		tokens:     map[string]time.Time{},
		nextID:     firstID,
	}
	for _, opt := range opts {
		opt(s)
	}
	if !s.customAuth {
		s.apiKeys[DefaultAPIKey] = true
		s.clients[DefaultClientID] = DefaultClientSecret
	}
	s.srv = httptest.NewServer(s.routes())
	return s
}

// NewServer starts a fake ExtraHop and closes it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	return fakeserver.CloseAtEnd(t, New(opts...))
}

// URL returns the server's base URL ("http://127.0.0.1:port"), which is
// what extrahop.New takes.
func (s *Server) URL() string { return s.srv.URL }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close shuts the server down; payloads not yet delivered are dropped.
func (s *Server) Close() {
	s.ods.Close()
	s.srv.Close()
}

// Requests returns how many requests the server received in total.
func (s *Server) Requests() int { return s.requests.Total() }

// RequestCount returns how many requests matched route, a "METHOD
// /path-pattern" such as "POST /api/v1/detections/search",
// "GET /api/v1/detections/{id}" or "POST /oauth2/token".
func (s *Server) RequestCount(route string) int { return s.requests.Count(route) }

// RequestCounts returns a copy of the per-route counts.
func (s *Server) RequestCounts() map[string]int { return s.requests.Counts() }

// ResetRequests sets every request count to zero.
func (s *Server) ResetRequests() { s.requests.Reset() }

// TokensIssued returns how many tokens the token endpoint has issued.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// FailNext makes the next n API requests (not token requests) fail with
// status and ExtraHop's error body; a positive retryAfter is sent as a
// Retry-After header in whole seconds (rounded up). Use 429 for rate
// limiting and 503 for an unavailable appliance.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	s.faults.FailNext(n, status, retryAfter)
}

// RevokeTokens invalidates every issued token, as if an administrator
// regenerated the credentials.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
}

// Detection returns a copy of the stored detection, or false.
func (s *Server) Detection(id int64) (*extrahop.Detection, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.detections[id]
	if !ok {
		return nil, false
	}
	return cloneDetection(d), true
}

// Detections returns copies of all stored detections in id order.
func (s *Server) Detections() []*extrahop.Detection {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*extrahop.Detection, 0, len(s.detections))
	for _, d := range s.detections {
		out = append(out, cloneDetection(d))
	}
	sortDetections(out, []extrahop.Sort{{Field: "id", Direction: "asc"}})
	return out
}

// Note returns the note stored for a detection, or false.
func (s *Server) Note(id int64) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.notes[id]
	if !ok {
		return "", false
	}
	return n.Note, true
}

// Add stores a copy of d as a new detection and returns its id: d.ID when
// set, the next free id (above 2^31) otherwise. ModTime is set to the
// server's clock, later than any earlier change; URL is filled if empty.
func (s *Server) Add(d extrahop.Detection) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(&d)
}

func (s *Server) addLocked(d *extrahop.Detection) int64 {
	return s.storeLocked(cloneDetection(d))
}

// storeLocked stores c, which the caller hands over, as a new detection.
func (s *Server) storeLocked(c *extrahop.Detection) int64 {
	if c.ID == 0 {
		c.ID = s.nextID
		s.nextID += idStep
	} else if c.ID >= s.nextID {
		s.nextID = c.ID + idStep
	}
	if c.URL == "" {
		c.URL = fmt.Sprintf("%s/extrahop/#/detections/detail/%d", s.srv.URL, c.ID)
	}
	if c.CreateTime.IsZero() {
		c.CreateTime = extrahop.TimeOf(s.now())
	}
	c.ModTime = s.bumpLocked()
	s.detections[c.ID] = c
	s.triggerLocked(c)
	return c.ID
}

// bumpLocked returns the next modification time: the clock, or 1 ms after
// the previous change when the clock has not moved on, so mod_times are
// strictly increasing.
func (s *Server) bumpLocked() extrahop.Time {
	t := s.now().UTC().Truncate(time.Millisecond)
	if !t.After(s.lastMod) {
		t = s.lastMod.Add(time.Millisecond)
	}
	s.lastMod = t
	return extrahop.Time{Time: t}
}

// Update applies fn to the stored detection and bumps its mod_time, as a
// change inside ExtraHop would; it reports whether the detection exists.
func (s *Server) Update(id int64, fn func(d *extrahop.Detection)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.detections[id]
	if !ok {
		return false
	}
	fn(d)
	d.ID = id
	d.ModTime = s.bumpLocked()
	s.triggerLocked(d)
	return true
}

// Route names the fake counts requests under besides the mux patterns.
const (
	routeNotes    = "GET /api/v1/detections/{id}/notes"
	routeFormat   = "GET /api/v1/detections/formats/{type}"
	routeToken    = "POST /oauth2/token"
	routeSplit    = "GET /api/v1/detections/{a}/{b}"
	routeNotFound = "UNMATCHED"
)

// routes builds the server's handler.
func (s *Server) routes() http.Handler {
	mw := fakeserver.Middleware{
		Recorder: &s.requests,
		Faults:   &s.faults,
		RouteOf:  routeOf,
		// Token requests and unknown paths never take an injected failure.
		Injectable: func(_ *http.Request, route string) bool {
			return route != routeToken && route != routeNotFound
		},
		WriteFailure: func(w http.ResponseWriter, _ *http.Request, f fakeserver.Failure) {
			writeError(w, f.Status, http.StatusText(f.Status))
		},
	}
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, mw.Wrap(h)) }
	api := func(pattern string, h http.HandlerFunc) { handle(pattern, s.authed(h)) }
	api("GET /api/v1/detections/{id}", s.getDetection)
	api("PATCH /api/v1/detections/{id}", s.patchDetection)
	api("POST /api/v1/detections/search", s.search)
	api("PATCH /api/v1/detections/tickets", s.patchTickets)
	api("PUT /api/v1/detections/{id}/notes", s.putNote)
	api("DELETE /api/v1/detections/{id}/notes", s.deleteNote)
	api("GET /api/v1/detections/formats", s.listFormats)
	// GET formats/{type} and GET {id}/notes overlap for a mux (both match
	// formats/notes), so one pattern takes both and routeOf counts them
	// apart.
	handle(routeSplit, func(w http.ResponseWriter, r *http.Request) {
		switch routeOf(r) {
		case routeFormat:
			s.authed(s.getFormat)(w, r)
		case routeNotes:
			s.authed(s.getNote)(w, r)
		default:
			noEndpoint(w, r)
		}
	})
	handle(routeToken, s.token)
	handle("/", noEndpoint)
	return mux
}

// routeOf names a request for counting: its mux pattern, with the shared
// GET pattern told apart and unknown paths as "UNMATCHED".
func routeOf(r *http.Request) string {
	switch r.Pattern {
	case "/":
		return routeNotFound
	case routeSplit:
		switch {
		case r.PathValue("a") == "formats":
			return routeFormat
		case r.PathValue("b") == "notes":
			return routeNotes
		}
		return routeNotFound
	}
	return r.Pattern
}

// authed checks credentials before h, answering ExtraHop's 401.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if msg := s.authenticate(r); msg != "" {
			writeError(w, http.StatusUnauthorized, msg)
			return
		}
		h(w, r)
	}
}

// noEndpoint answers a path the fake does not serve.
func noEndpoint(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
}

// authenticate checks the Authorization header and returns ExtraHop's
// error message, or "" when the caller may pass.
func (s *Server) authenticate(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch {
	case h == "":
		return "Authorization header is missing"
	case strings.EqualFold(scheme, "ExtraHop"):
		key, ok := strings.CutPrefix(strings.TrimSpace(cred), "apikey=")
		if !ok || !s.apiKeys[key] {
			return "Invalid API key"
		}
		return ""
	case strings.EqualFold(scheme, "Bearer"):
		s.mu.Lock()
		exp, ok := s.tokens[strings.TrimSpace(cred)]
		s.mu.Unlock()
		if !ok {
			return "Error getting user from bearer token"
		}
		if !s.now().Before(exp) {
			return "Invalid access token"
		}
		return ""
	}
	return "Unsupported authorization scheme"
}

// token serves POST /oauth2/token: client credentials in a Basic header,
// grant_type=client_credentials in a form body.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		// No client authentication at all: RFC 6749's 401 with a challenge.
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth2"`)
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	want, known := s.clients[id]
	if !known || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		// Wrong credentials: 400, as RevealX 360 answers.
		writeOAuthError(w, http.StatusBadRequest, "invalid_client")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	s.mu.Lock()
	s.issued++
	tok := fmt.Sprintf("xh-token-%d-%s", s.issued, base64.RawURLEncoding.EncodeToString([]byte(id)))
	s.tokens[tok] = s.now().Add(s.ttl)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   s.tokenType,
		"expires_in":   int64(s.ttl / time.Second),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encoding response: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeError answers with ExtraHop's error body {"error_message": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	data, _ := json.Marshal(map[string]string{"error_message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeOAuthError answers with the token endpoint's body {"error": code}.
func writeOAuthError(w http.ResponseWriter, status int, code string) {
	data, _ := json.Marshal(map[string]string{"error": code})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// Clock is a manual clock for [WithClock] and extrahop.WithClock: it stands
// still until Advance moves it. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock showing start.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
