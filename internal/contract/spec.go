package contract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Names of the vendor documents [Load] and [Open] know. Every document is
// corrected in memory only; the files are never changed. For all of them
// the servers entry is dropped, so requests to any host (httptest,
// httpmock) are matched by path alone, and authentication is not checked.
const (
	// Jira is Atlassian's own Jira Cloud platform REST v3 document
	// (jira-cloud-platform.openapi.json), used as published except that
	// paths differing only in the names of their variables are merged
	// (PUT /rest/api/3/field/{fieldId} and DELETE /rest/api/3/field/{id},
	// and likewise issuesecurityschemes/{id} and notificationscheme/{id}),
	// since a router cannot hold both. Examples, defaults, formats and
	// patterns in the document are not validated as part of loading.
	Jira = "jira"

	// ExtraHop is the hand-written community ExtraHop Reveal(x) 360
	// document (extrahop-revealx360.community.openapi.yaml), corrected
	// where it disagrees with ExtraHop's own endpoint catalogue:
	//
	//   - the unquoted enum items ">", "=", "~", "<" and "<=" of
	//     DeviceSearch.filter.operator, invalid for strict YAML loaders,
	//     are quoted;
	//   - the typo prefix /ap1/v1/ (detections/search, detections/tickets,
	//     detections/{id}/notes, tags/{id}) becomes /api/v1/;
	//   - Detection gains mod_time, create_time, url, recommended and
	//     recommended_factors, risk_score and end_time may be null, and
	//     properties is any value (it is an object, not a list); further
	//     unknown fields stay allowed;
	//   - the search body gains mod_time, create_time, id_only and
	//     include_activity_log, its filter gains risk_score_min,
	//     categories, types and recommended, ".none" is a valid status,
	//     and sort is a list of {field, direction};
	//   - PATCH /api/v1/detections/{id} takes only ticket_id (required),
	//     status, assignee, resolution and participants instead of a whole
	//     Detection, and anything else is rejected; DetectionTicket
	//     requires ticket_id;
	//   - the PATCH and notes PUT/DELETE operations may answer 204, and
	//     404 answers may be application/json.
	ExtraHop = "extrahop"
)

// maxBody caps how much of a request or response body is read for
// validation, so a runaway fake cannot exhaust memory.
const maxBody = 64 << 20

// Spec is a parsed vendor OpenAPI document with a router over its
// operations. It is read-only once built and safe for concurrent use.
type Spec struct {
	name   string
	doc    *openapi3.T
	router routers.Router
}

// Name returns the vendor name the spec was loaded under ("jira", "extrahop").
func (s *Spec) Name() string { return s.name }

// Document returns the parsed document, with the in-memory corrections
// applied. Callers must not modify it: it is shared by every test in the
// binary.
func (s *Spec) Document() *openapi3.T { return s.doc }

// cache keeps each parsed document for the life of the test binary.
// Parsing the 2.4 MB Jira document takes a good fraction of a second, and
// every test of a client package calls Load; a value the caller holds
// cannot be shared across parallel tests and packages' helpers, so this
// test-support package, and only it, keeps package-level state. A *Spec is
// immutable after Open, which makes sharing it safe.
var cache struct {
	mu    sync.Mutex
	specs map[string]*cachedSpec
}

type cachedSpec struct {
	once sync.Once
	spec *Spec
	err  error
}

// Load returns the named vendor spec ([Jira] or [ExtraHop]), parsed once
// per test binary. When the documents directory is missing (see [Dir]) it
// skips the test, or fails it when the environment has CI=true, so that
// CI never passes without checking. Any other problem fails the test.
func Load(t testing.TB, name string) *Spec {
	t.Helper()
	dir, err := Dir()
	if errors.Is(err, ErrSpecsMissing) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true, so contract tests may not be skipped)", err)
		}
		t.Skipf("skipping contract checks: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	key := dir + "\x00" + name
	cache.mu.Lock()
	if cache.specs == nil {
		cache.specs = make(map[string]*cachedSpec)
	}
	c, ok := cache.specs[key]
	if !ok {
		c = &cachedSpec{}
		cache.specs[key] = c
	}
	cache.mu.Unlock()
	c.once.Do(func() { c.spec, c.err = Open(dir, name) })
	if c.err != nil {
		t.Fatal(c.err)
	}
	return c.spec
}

// Open reads and parses the named vendor document ([Jira] or [ExtraHop])
// from dir, applies the in-memory corrections described on [Jira] and
// [ExtraHop], and builds a router over its operations that matches
// requests to any host by path. Most tests want
// [Load], which caches the result.
func Open(dir, name string) (*Spec, error) {
	v, ok := vendorNamed(name)
	if !ok {
		return nil, fmt.Errorf("contract: unknown spec %q (known: %s)", name, vendorNames)
	}
	path := filepath.Join(dir, v.file)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("contract: %s: %w", name, err)
	}
	if v.fixText != nil {
		data = v.fixText(data)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("contract: %s: parsing %s: %w", name, v.file, err)
	}
	if v.fixDoc != nil {
		if err := v.fixDoc(doc); err != nil {
			return nil, fmt.Errorf("contract: %s: correcting %s: %w", name, v.file, err)
		}
	}
	mergeEquivalentPaths(doc)
	// Route by path alone: requests go to httptest servers and httpmock
	// hosts, never to the vendor's own host named in servers.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc, lenientDocValidation()...)
	if err != nil {
		return nil, fmt.Errorf("contract: %s: building router over %s: %w", name, v.file, err)
	}
	return &Spec{name: name, doc: doc, router: router}, nil
}

// lenientDocValidation keeps vendor quirks in examples, defaults, formats
// and patterns from blocking the router: those parts of the document are
// documentation, while paths, operations and schemas still must resolve.
func lenientDocValidation() []openapi3.ValidationOption {
	return []openapi3.ValidationOption{
		openapi3.DisableExamplesValidation(),
		openapi3.DisableSchemaDefaultsValidation(),
		openapi3.DisableSchemaFormatValidation(),
		openapi3.DisableSchemaPatternValidation(),
	}
}

// filterOptions returns the validation options: authentication is not the
// contract's business (tests use fake credentials), defaults are never
// written into the caller's body, an undeclared status is an error, and
// schema errors name the JSON path without dumping the schema.
func filterOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		SkipSettingDefaults:   true,
		IncludeResponseStatus: true,
		MultiError:            true,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.DisableSchemaErrorDetails(),
		},
	}
}

// CheckRequest validates req (method, path, path and query parameters,
// headers and body) against the spec. It reads req.Body and puts back an
// equivalent unread body, so the caller can still send req. The error
// names the operation and what is wrong; a request matching no operation
// is an error.
func (s *Spec) CheckRequest(req *http.Request) error {
	body, err := readAndRestore(&req.Body)
	if err != nil {
		return s.errorf(req, nil, "reading request body: %w", err)
	}
	route, params, err := s.findRoute(req)
	if err != nil {
		return err
	}
	return s.checkRequest(req, body, route, params)
}

// CheckResponse validates resp, the answer to req, against the operation
// req matches: the status must be declared (or the operation must have a
// default response), and the headers, Content-Type and body must fit. It
// reads resp.Body and puts back an equivalent unread body.
func (s *Spec) CheckResponse(req *http.Request, resp *http.Response) error {
	route, params, err := s.findRoute(req)
	if err != nil {
		return err
	}
	return s.checkResponse(req, route, params, resp)
}

// ValidateRequest is [Spec.CheckRequest] reporting through t. It uses
// t.Errorf, so it may be called from any goroutine and the test goes on.
func (s *Spec) ValidateRequest(t testing.TB, req *http.Request) {
	t.Helper()
	if err := s.CheckRequest(req); err != nil {
		t.Error(err)
	}
}

// ValidateResponse is [Spec.CheckResponse] reporting through t. It uses
// t.Errorf, so it may be called from any goroutine and the test goes on.
func (s *Spec) ValidateResponse(t testing.TB, req *http.Request, resp *http.Response) {
	t.Helper()
	if err := s.CheckResponse(req, resp); err != nil {
		t.Error(err)
	}
}

func (s *Spec) findRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	route, params, err := s.router.FindRoute(req)
	if err == nil {
		return route, params, nil
	}
	var re *routers.RouteError
	if errors.As(err, &re) {
		switch re.Reason {
		case routers.ErrPathNotFound.Error(), routers.ErrMethodNotAllowed.Error():
			if methods := s.methodsFor(req); len(methods) > 0 {
				return nil, nil, s.errorf(req, nil, "the spec declares this path but not method %s (only %s)",
					req.Method, strings.Join(methods, ", "))
			}
			return nil, nil, s.errorf(req, nil, "no operation in the spec has this path")
		}
	}
	return nil, nil, s.errorf(req, nil, "finding the operation: %w", err)
}

// methodsFor lists the methods the spec declares for req's path, so that
// a wrong method is reported as such rather than as an unknown path.
func (s *Spec) methodsFor(req *http.Request) []string {
	var methods []string
	for _, m := range []string{
		http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodTrace,
	} {
		if m == req.Method {
			continue
		}
		probe := req.Clone(req.Context())
		probe.Method = m
		if _, _, err := s.router.FindRoute(probe); err == nil {
			methods = append(methods, m)
		}
	}
	return methods
}

func (s *Spec) checkRequest(req *http.Request, body []byte, route *routers.Route, params map[string]string) error {
	in := &openapi3filter.RequestValidationInput{
		Request:    withBody(req, body),
		PathParams: params,
		Route:      route,
		Options:    filterOptions(),
	}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		return s.errorf(req, route, "request: %w", err)
	}
	return nil
}

func (s *Spec) checkResponse(req *http.Request, route *routers.Route, params map[string]string, resp *http.Response) error {
	body, err := readAndRestore(&resp.Body)
	if err != nil {
		return s.errorf(req, route, "reading response body: %w", err)
	}
	opts := filterOptions()
	if resp.StatusCode == http.StatusNoContent && len(body) == 0 {
		// Jira declares some 204 answers with an application/json
		// content; an empty 204 carries no Content-Type to match it.
		opts.ExcludeResponseBody = true
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    withBody(req, nil),
			PathParams: params,
			Route:      route,
			Options:    opts,
		},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: opts,
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		return s.errorf(req, route, "response %d: %w", resp.StatusCode, err)
	}
	return nil
}

// errorf prefixes a message with the spec, the request and, when known,
// the operation it matched: "contract: jira: POST /rest/api/3/issue
// (createIssue): request: ...".
func (s *Spec) errorf(req *http.Request, route *routers.Route, format string, args ...any) error {
	where := req.Method + " " + req.URL.Path
	if route != nil {
		op := route.Operation.OperationID
		if op == "" {
			op = route.Method + " " + route.Path
		} else if route.Path != req.URL.Path {
			op += " " + route.Path
		}
		where += " (" + op + ")"
	}
	return fmt.Errorf("contract: %s: %s: %w", s.name, where, fmt.Errorf(format, args...))
}

// readAndRestore reads *rc to the end, closes it and replaces it with an
// unread copy. A nil body or http.NoBody is left alone.
func readAndRestore(rc *io.ReadCloser) ([]byte, error) {
	if *rc == nil || *rc == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(*rc, maxBody+1))
	closeErr := (*rc).Close()
	*rc = io.NopCloser(bytes.NewReader(body))
	switch {
	case err != nil:
		return nil, err
	case closeErr != nil:
		return nil, closeErr
	case len(body) > maxBody:
		return nil, fmt.Errorf("body larger than %d bytes", maxBody)
	}
	return body, nil
}

// withBody returns a shallow copy of req carrying its own reader over body,
// so that validation never touches the caller's request.
func withBody(req *http.Request, body []byte) *http.Request {
	r := req.Clone(req.Context())
	if body == nil {
		r.Body = http.NoBody
	} else {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return r
}
