// Package traxtest is a fake TTS trax postbox for tests, examples and
// benchmarks. It speaks what the trax client speaks: POST of
// {"data":[{"id":…,"attributes":{…}}]} to a Create endpoint with a bearer
// token, and an optional read endpoint GET /records/{id}.
//
// The fake enforces the token (401), the JSON content type (415), the
// envelope's shape (400) and an ERD (422, naming the attribute in a JSON
// error body), stores what it accepted by record id (a repeated id is
// accepted again without a duplicate), and can be told to reject records,
// to fail the next requests (429 or 503 with Retry-After) and to answer
// slowly. It is safe for concurrent use.
package traxtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbridge/trackbridge/internal/fakeserver"
	"github.com/trackbridge/trackbridge/internal/inbound"
	"github.com/trackbridge/trackbridge/trax"
)

// Paths the fake serves.
const (
	// CreatePath is the Create endpoint; [Server.URL] is the full URL.
	CreatePath = "/postbox/create"
	// ReadPattern is the read endpoint, served unless [WithoutReadEndpoint].
	ReadPattern = "/records/{id}"
)

// DefaultToken is the API token the fake accepts unless [WithToken] says
// otherwise.
const DefaultToken = "traxtest-token"

// maxBody caps a request body.
const maxBody = 1 << 20

// Server is a fake postbox. Create one with [New] or [NewServer].
type Server struct {
	ts *httptest.Server

	// Set by options before the server starts; read-only afterwards.
	token        string
	erd          *trax.ERD
	maxBatch     int
	createStatus int
	readEndpoint bool
	now          func() time.Time

	mu       sync.Mutex
	records  map[string]*entry
	order    []string
	rejects  map[string]string
	attempts []Attempt

	requests fakeserver.Recorder
	faults   fakeserver.Faults
}

type entry struct {
	rec        trax.Record
	created    time.Time
	updated    time.Time
	deliveries int
}

// Attempt is one request the fake received, as [Server.Attempts] lists.
type Attempt struct {
	Method string
	Path   string
	// IDs are the record ids a POST body carried, as far as it could be
	// read; a read request has the id it asked for.
	IDs []string
	// Status is what the fake answered.
	Status int
}

// Option configures a [Server].
type Option func(*Server)

// WithToken sets the API token the fake accepts.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithERD sets the ERD posted records must satisfy (default
// trax.DefaultERD()).
func WithERD(e *trax.ERD) Option { return func(s *Server) { s.erd = e } }

// WithoutERD accepts any attributes.
func WithoutERD() Option { return func(s *Server) { s.erd = nil } }

// WithMaxBatch refuses posts carrying more than n records with a 400.
func WithMaxBatch(n int) Option { return func(s *Server) { s.maxBatch = n } }

// WithCreateStatus sets the status of a successful post (default 201);
// 204 answers without a body.
func WithCreateStatus(status int) Option { return func(s *Server) { s.createStatus = status } }

// WithoutReadEndpoint removes GET /records/{id}, like a postbox without
// any read-back API.
func WithoutReadEndpoint() Option { return func(s *Server) { s.readEndpoint = false } }

// WithLatency delays every answer by d, as a slow server would.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.faults.SetLatency(d) } }

// WithClock sets the clock stamping records' created and updated times.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// New starts a fake postbox on a loopback address. Call Close when done.
func New(opts ...Option) *Server {
	s := &Server{
		token:        DefaultToken,
		erd:          trax.DefaultERD(),
		createStatus: http.StatusCreated,
		readEndpoint: true,
		now:          time.Now,
		records:      map[string]*entry{},
		rejects:      map[string]string{},
	}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+CreatePath, s.create)
	if s.readEndpoint {
		mux.HandleFunc("GET "+ReadPattern, s.read)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path, "", "")
	})
	s.ts = httptest.NewServer(s.middleware(mux))
	return s
}

// NewServer is [New] for tests: the server is closed when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	return fakeserver.CloseAtEnd(t, New(opts...))
}

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// URL returns the full URL of the Create endpoint, which is what
// trax.New takes.
func (s *Server) URL() string { return s.ts.URL + CreatePath }

// ReadURL returns the read endpoint template for trax.WithReadEndpoint.
func (s *Server) ReadURL() string { return s.ts.URL + "/records/{id}" }

// Token returns the API token the fake accepts.
func (s *Server) Token() string { return s.token }

// SetLatency changes the delay of every answer.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }

// FailNext makes the next n requests, to any endpoint, fail with status and
// a JSON error body; a positive retryAfter is sent as Retry-After (in whole
// seconds, rounded up). Calls queue up.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	s.faults.FailNext(n, status, retryAfter)
}

// Reject makes every post carrying the record id fail with a 422 whose
// message is reason.
func (s *Server) Reject(id, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejects[id] = reason
}

// Seed stores records as if they had been posted.
func (s *Server) Seed(recs ...trax.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store(recs)
}

// Record returns the accepted record with the id.
func (s *Server) Record(id string) (trax.Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.records[id]
	if !ok {
		return trax.Record{}, false
	}
	return cloneRecord(e.rec), true
}

// Records returns the accepted records in the order they were first
// accepted.
func (s *Server) Records() []trax.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]trax.Record, len(s.order))
	for i, id := range s.order {
		out[i] = cloneRecord(s.records[id].rec)
	}
	return out
}

// Len returns the number of distinct records accepted.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.order)
}

// Deliveries returns how many times the record with the id was accepted
// (more than once when a post was repeated).
func (s *Server) Deliveries(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.records[id]; ok {
		return e.deliveries
	}
	return 0
}

// Requests returns the number of requests received.
func (s *Server) Requests() int { return s.requests.Total() }

// RequestsTo returns the number of requests received for one route,
// named "METHOD pattern": "POST /postbox/create", "GET /records/{id}".
func (s *Server) RequestsTo(route string) int { return s.requests.Count(route) }

// RequestCounts returns the number of requests per route.
func (s *Server) RequestCounts() map[string]int { return s.requests.Counts() }

// Attempts returns every request received, in order, with the record ids
// it carried and the status it got.
func (s *Server) Attempts() []Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Attempt, len(s.attempts))
	for i, a := range s.attempts {
		a.IDs = slices.Clone(a.IDs)
		out[i] = a
	}
	return out
}

// ResetRequests zeroes the request counts and forgets the attempts.
func (s *Server) ResetRequests() {
	s.requests.Reset()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts = nil
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// middleware records the attempt, then counts, delays, injects failures
// and checks the token before a route runs.
func (s *Server) middleware(mux *http.ServeMux) http.Handler {
	guarded := fakeserver.Middleware{
		Recorder: &s.requests,
		Faults:   &s.faults,
		RouteOf: func(r *http.Request) string {
			_, route := mux.Handler(r)
			if route == "/" || route == "" {
				route = r.Method + " " + r.URL.Path
			}
			return route
		},
		WriteFailure: func(w http.ResponseWriter, _ *http.Request, f fakeserver.Failure) {
			writeError(w, f.Status, "injected failure: "+http.StatusText(f.Status), "", "")
		},
	}.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="trax"`)
			writeError(w, http.StatusUnauthorized, "missing or invalid API token", "", "")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ids []string
		if r.Method == http.MethodPost {
			body, err := inbound.ReadBody(r, maxBody)
			if err != nil {
				writeError(w, http.StatusRequestEntityTooLarge, "request body too large", "", "")
				return
			}
			ids = bodyIDs(body)
			r.Body = nopCloser{bytes.NewReader(body)}
		} else if id, ok := strings.CutPrefix(r.URL.Path, "/records/"); ok && id != "" {
			ids = []string{id}
		}
		s.mu.Lock()
		n := len(s.attempts)
		s.attempts = append(s.attempts, Attempt{Method: r.Method, Path: r.URL.Path, IDs: ids})
		s.mu.Unlock()

		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			s.mu.Lock()
			if n < len(s.attempts) { // ResetRequests may have run meanwhile
				s.attempts[n].Status = sw.status
			}
			s.mu.Unlock()
		}()
		guarded.ServeHTTP(sw, r)
	})
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// authorized checks "Authorization: Bearer <token>" in constant time.
func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return false
	}
	return inbound.TokenEqual(h[len(prefix):], s.token)
}

// bodyIDs reads the record ids of a post, as far as the body allows.
func bodyIDs(body []byte) []string {
	var env struct {
		Data []struct {
			ID any `json:"id"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &env) != nil {
		return nil
	}
	ids := make([]string, 0, len(env.Data))
	for _, d := range env.Data {
		if id, ok := d.ID.(string); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// errorBody is the fake's error format: a top-level message and JSON:API
// errors pointing at the offending member.
type errorBody struct {
	Message string      `json:"message"`
	Errors  []errorItem `json:"errors"`
}

type errorItem struct {
	Status string       `json:"status"`
	Title  string       `json:"title"`
	Detail string       `json:"detail,omitempty"`
	Source *errorSource `json:"source,omitempty"`
}

type errorSource struct {
	Pointer string `json:"pointer"`
}

func writeError(w http.ResponseWriter, status int, message, pointer, detail string) {
	item := errorItem{Status: strconv.Itoa(status), Title: http.StatusText(status), Detail: detail}
	if item.Detail == "" {
		item.Detail = message
	}
	if pointer != "" {
		item.Source = &errorSource{Pointer: pointer}
	}
	writeErrors(w, status, message, []errorItem{item})
}

func writeErrors(w http.ResponseWriter, status int, message string, items []errorItem) {
	writeJSON(w, status, errorBody{Message: message, Errors: items})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// create handles POST /postbox/create.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "application/vnd.api+json") {
		writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("content type %q is not application/json", r.Header.Get("Content-Type")), "", "")
		return
	}
	if acc := r.Header.Get("Accept"); acc != "" && !strings.Contains(acc, "json") && !strings.Contains(acc, "*/*") {
		writeError(w, http.StatusNotAcceptable, fmt.Sprintf("cannot answer in %q; accept application/json", acc), "", "")
		return
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(r.Body)
	recs, msg, pointer := parseEnvelope(body.Bytes())
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg, pointer, "")
		return
	}
	if s.maxBatch > 0 && len(recs) > s.maxBatch {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%d records in one request, at most %d", len(recs), s.maxBatch), "/data", "")
		return
	}
	var items []errorItem
	var msgs []string
	s.mu.Lock()
	for i, rec := range recs {
		if reason, ok := s.rejects[rec.ID]; ok {
			msgs = append(msgs, fmt.Sprintf("record %q: %s", rec.ID, reason))
			items = append(items, errorItem{Status: "422", Title: "Record rejected", Detail: reason, Source: &errorSource{Pointer: fmt.Sprintf("/data/%d", i)}})
		}
		if s.erd == nil {
			continue
		}
		var ve *trax.ValidationError
		if err := s.erd.Validate(rec); errors.As(err, &ve) {
			for _, p := range ve.Problems {
				msgs = append(msgs, p.String())
				items = append(items, errorItem{Status: "422", Title: "Invalid attribute", Detail: fmt.Sprintf("attribute %q: %s", p.Attribute, p.Message),
					Source: &errorSource{Pointer: fmt.Sprintf("/data/%d/attributes/%s", i, p.Attribute)}})
			}
		}
	}
	if len(items) > 0 {
		s.mu.Unlock()
		writeErrors(w, http.StatusUnprocessableEntity, strings.Join(msgs, "; "), items)
		return
	}
	s.store(recs)
	s.mu.Unlock()
	if s.createStatus == http.StatusNoContent {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	type ref struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	out := struct {
		Data []ref `json:"data"`
	}{Data: make([]ref, len(recs))}
	for i, rec := range recs {
		out.Data[i] = ref{ID: rec.ID, Type: "records"}
	}
	writeJSON(w, s.createStatus, out)
}

// store keeps recs; a known id is delivered again, its first content kept.
// s.mu must be held.
func (s *Server) store(recs []trax.Record) {
	now := s.now()
	for _, rec := range recs {
		if e, ok := s.records[rec.ID]; ok {
			e.deliveries++
			continue
		}
		s.records[rec.ID] = &entry{rec: cloneRecord(rec), created: now, updated: now, deliveries: 1}
		s.order = append(s.order, rec.ID)
	}
}

// parseEnvelope checks the body's shape and returns its records, or a
// message and the JSON pointer of what is wrong.
func parseEnvelope(body []byte) ([]trax.Record, string, string) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, "body is not a JSON object: " + err.Error(), ""
	}
	for k := range top {
		if k != "data" {
			return nil, fmt.Sprintf("unknown member %q (want only data)", k), "/" + k
		}
	}
	raw, ok := top["data"]
	if !ok {
		return nil, "missing member data", "/data"
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, "data must be a list of records", "/data"
	}
	if len(items) == 0 {
		return nil, "data holds no records", "/data"
	}
	recs := make([]trax.Record, len(items))
	seen := map[string]bool{}
	for i, it := range items {
		p := fmt.Sprintf("/data/%d", i)
		for k := range it {
			if k != "id" && k != "type" && k != "attributes" {
				return nil, fmt.Sprintf("unknown member %q of a record", k), p + "/" + k
			}
		}
		var id string
		if err := json.Unmarshal(it["id"], &id); err != nil || trax.CheckID(id) != nil {
			return nil, "record id must be a non-empty string", p + "/id"
		}
		if seen[id] {
			return nil, fmt.Sprintf("record id %q repeated", id), p + "/id"
		}
		seen[id] = true
		var attrs map[string]any
		if a, ok := it["attributes"]; !ok || json.Unmarshal(a, &attrs) != nil || attrs == nil {
			return nil, "record attributes must be an object", p + "/attributes"
		}
		recs[i] = trax.Record{ID: id, Attributes: attrs}
	}
	return recs, "", ""
}

// read handles GET /records/{id}.
func (s *Server) read(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	e, ok := s.records[id]
	var body any
	if ok {
		type resource struct {
			ID         string         `json:"id"`
			Type       string         `json:"type"`
			Attributes map[string]any `json:"attributes"`
			Meta       map[string]any `json:"meta"`
		}
		body = struct {
			Data resource `json:"data"`
		}{resource{ID: id, Type: "records", Attributes: cloneRecord(e.rec).Attributes, Meta: map[string]any{
			"status":     "received",
			"created":    e.created.UTC().Format(time.RFC3339Nano),
			"updated":    e.updated.UTC().Format(time.RFC3339Nano),
			"deliveries": e.deliveries,
		}}}
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("record %q not found", id), "", "")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// cloneRecord copies a record's attributes (values are JSON scalars or
// caller-given values treated as immutable).
func cloneRecord(r trax.Record) trax.Record {
	c := trax.Record{ID: r.ID, Attributes: make(map[string]any, len(r.Attributes))}
	for k, v := range r.Attributes {
		c.Attributes[k] = v
	}
	return c
}

// SampleRecords returns n realistic S1 records (high-severity tickets of a
// YouTrack help desk), with ids HD-1 to HD-n, valid against
// trax.DefaultERD. It stores nothing; pass them to Seed or post them.
func SampleRecords(n int) []trax.Record {
	titles := []string{
		"Phishing mail with credential form reached finance team",
		"Ransomware note found on file server FS-02",
		"Admin account used from unknown country",
		"Unpatched VPN gateway exposed to CVE-2024-3400",
		"Laptop with customer data reported stolen",
	}
	contacts := []string{"alice.berg@example.com", "soc@example.com", "it-helpdesk@example.com"}
	out := make([]trax.Record, n)
	for i := range n {
		key := "HD-" + strconv.Itoa(i+1)
		out[i] = trax.Record{ID: key, Attributes: map[string]any{
			trax.AttrName:           titles[i%len(titles)],
			trax.AttrDescription:    "Reported through the help desk; severity High. See the ticket for the timeline.",
			trax.AttrSource:         "YouTrack",
			trax.AttrClassification: "High",
			trax.AttrContact:        contacts[i%len(contacts)],
			trax.AttrIssueURL:       "https://youtrack.example.com/issue/" + key,
		}}
	}
	return out
}

// AnswerLoss says what becomes of the answer to a post the fake has
// carried out: delivered, replaced by a gateway's 502, or lost with the
// connection.
type AnswerLoss = fakeserver.Loss

// Answer losses for [Server.LoseAnswers].
const (
	Deliver     = fakeserver.Deliver
	LoseTo502   = fakeserver.LoseTo502
	LoseToReset = fakeserver.LoseToReset
)

// LoseAnswers decides, for every request from now on, whether its answer
// reaches the client once the fake has carried it out (nil: always).
func (s *Server) LoseAnswers(rule func(r *http.Request) AnswerLoss) {
	if rule == nil {
		s.faults.SetLoss(nil)
		return
	}
	s.faults.SetLoss(func(r *http.Request, _ string) fakeserver.Loss { return rule(r) })
}
