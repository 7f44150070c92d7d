package contract

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a testing.TB that records failures instead of failing, so
// tests can prove the helpers report what they should.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Error(args ...any) { r.add(fmt.Sprint(args...)) }

func (r *recorder) Errorf(format string, args ...any) { r.add(fmt.Sprintf(format, args...)) }

func (r *recorder) add(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, msg)
}

func (r *recorder) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(data)
}

func newRequest(t *testing.T, method, target, body string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "https://tracker.example"+target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	return req
}

func newResponse(status int, contentType, body string) *http.Response {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

type requestCase struct {
	name, method, target, body string
	wantErr                    []string // substrings of the error; none means valid
}

func runRequestCases(t *testing.T, spec *Spec, tests []requestCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, tt.method, tt.target, tt.body)
			err := spec.CheckRequest(req)
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				t.Log(err)
				for _, want := range tt.wantErr {
					assert.Contains(t, err.Error(), want)
				}
			}
			if req.Body != nil {
				got, readErr := io.ReadAll(req.Body)
				require.NoError(t, readErr)
				assert.Equal(t, tt.body, string(got), "CheckRequest must leave the body readable")
			}
		})
	}
}

func TestJiraRequests(t *testing.T) {
	t.Parallel()
	spec := Load(t, Jira)
	runRequestCases(t, spec, []requestCase{
		{name: "create issue", method: "POST", target: "/rest/api/3/issue",
			body: `{"fields":{"project":{"key":"OPS"},"summary":"Disk full","issuetype":{"name":"Bug"},"labels":["extrahop-8589935233"]}}`},
		{name: "search by JQL", method: "POST", target: "/rest/api/3/search/jql",
			body: `{"jql":"project = OPS","maxResults":50,"fields":["summary","status"],"nextPageToken":"abc"}`},
		{name: "get issue with query", method: "GET", target: "/rest/api/3/issue/OPS-1?fields=summary,status&expand=names"},
		{name: "comments in declared order", method: "GET", target: "/rest/api/3/issue/OPS-1/comment?orderBy=-created"},
		{name: "path declared under another variable name", method: "DELETE", target: "/rest/api/3/field/customfield_10000"},
		{name: "undeclared path", method: "GET", target: "/rest/api/3/nope",
			wantErr: []string{"contract: jira: GET /rest/api/3/nope", "no operation in the spec has this path"}},
		{name: "undeclared method", method: "PATCH", target: "/rest/api/3/issue/OPS-1", body: `{}`,
			wantErr: []string{"declares this path but not method PATCH"}},
		{name: "wrong body type", method: "POST", target: "/rest/api/3/search/jql", body: `{"jql":42}`,
			wantErr: []string{"searchAndReconsileIssuesUsingJqlPost", "request body", `"/jql"`, "string"}},
		{name: "body not JSON", method: "POST", target: "/rest/api/3/issue", body: `{"fields":`,
			wantErr: []string{"createIssue", "request body"}},
		{name: "missing required field", method: "POST", target: "/rest/api/3/issueLink",
			body:    `{"type":{"name":"Blocks"},"inwardIssue":{"key":"OPS-1"}}`,
			wantErr: []string{"linkIssues", "outwardIssue"}},
		{name: "bad enum in query", method: "GET", target: "/rest/api/3/issue/OPS-1/comment?orderBy=newest",
			wantErr: []string{"getComments", `parameter "orderBy" in query`}},
		{name: "bad query type", method: "GET", target: "/rest/api/3/search/jql?maxResults=lots",
			wantErr: []string{`parameter "maxResults" in query`}},
	})
}

type responseCase struct {
	name, method, target string
	status               int
	contentType, body    string
	wantErr              []string
}

func runResponseCases(t *testing.T, spec *Spec, tests []responseCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, tt.method, tt.target, "")
			resp := newResponse(tt.status, tt.contentType, tt.body)
			err := spec.CheckResponse(req, resp)
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				t.Log(err)
				for _, want := range tt.wantErr {
					assert.Contains(t, err.Error(), want)
				}
			}
			got, readErr := io.ReadAll(resp.Body)
			require.NoError(t, readErr)
			assert.Equal(t, tt.body, string(got), "CheckResponse must leave the body readable")
		})
	}
}

func TestJiraResponses(t *testing.T) {
	t.Parallel()
	spec := Load(t, Jira)
	issue := fixture(t, "jira-issue.json")
	runResponseCases(t, spec, []responseCase{
		{name: "issue", method: "GET", target: "/rest/api/3/issue/OPS-1", status: 200,
			contentType: "application/json;charset=UTF-8", body: issue},
		{name: "declared error without body", method: "GET", target: "/rest/api/3/issue/OPS-1", status: 404,
			contentType: "application/json", body: `{"errorMessages":["Issue does not exist"],"errors":{}}`},
		{name: "empty 204 declared with JSON content", method: "POST", target: "/rest/api/3/issue/OPS-1/transitions", status: 204},
		{name: "undeclared status", method: "GET", target: "/rest/api/3/issue/OPS-1", status: 418,
			contentType: "application/json", body: `{}`, wantErr: []string{"getIssue", "response 418", "status is not supported"}},
		{name: "wrong field type", method: "GET", target: "/rest/api/3/issue/OPS-1", status: 200,
			contentType: "application/json", body: `{"id":10002,"key":"OPS-1"}`, wantErr: []string{"getIssue", `"/id"`}},
		{name: "property the spec forbids", method: "GET", target: "/rest/api/3/issue/OPS-1", status: 200,
			contentType: "application/json", body: `{"id":"10002","key":"OPS-1","summary":"misplaced"}`, wantErr: []string{"summary"}},
		{name: "HTML instead of JSON", method: "GET", target: "/rest/api/3/issue/OPS-1", status: 200,
			contentType: "text/html", body: `<html></html>`, wantErr: []string{"Content-Type", "text/html"}},
		{name: "response to undeclared path", method: "GET", target: "/rest/api/3/nope", status: 200,
			contentType: "application/json", body: `{}`, wantErr: []string{"no operation in the spec has this path"}},
	})
}

func TestExtraHopRequests(t *testing.T) {
	t.Parallel()
	spec := Load(t, ExtraHop)
	runRequestCases(t, spec, []requestCase{
		{name: "search with documented filter", method: "POST", target: "/api/v1/detections/search",
			body: `{"filter":{"risk_score_min":50,"categories":["sec.attack"],"types":["rdp_brute_force"],"status":[".none","new"],"assignee":[".none"]},` +
				`"mod_time":1763701000000,"sort":[{"field":"mod_time","direction":"asc"}],"limit":1000,"offset":0}`},
		{name: "search with no body fields", method: "POST", target: "/api/v1/detections/search", body: `{}`},
		{name: "search status outside the enum", method: "POST", target: "/api/v1/detections/search",
			body: `{"filter":{"status":["open"]}}`, wantErr: []string{"searchDetections", "status"}},
		{name: "search sort as an object", method: "POST", target: "/api/v1/detections/search",
			body: `{"sort":{"field":"mod_time","direction":"asc"}}`, wantErr: []string{"searchDetections", `"/sort"`}},
		{name: "search risk score as string", method: "POST", target: "/api/v1/detections/search",
			body: `{"filter":{"risk_score_min":"high"}}`, wantErr: []string{"risk_score_min"}},
		{name: "typo prefix no longer routes", method: "POST", target: "/ap1/v1/detections/search", body: `{}`,
			wantErr: []string{"no operation in the spec has this path"}},
		{name: "ticket write-back", method: "PATCH", target: "/api/v1/detections/8589935233",
			body: `{"ticket_id":"OPS-1","status":"in_progress","assignee":"sally","resolution":null}`},
		{name: "write-back closing", method: "PATCH", target: "/api/v1/detections/8589935233",
			body: `{"ticket_id":"OPS-1","status":"closed","resolution":"action_taken"}`},
		{name: "write-back without ticket_id", method: "PATCH", target: "/api/v1/detections/8589935233",
			body: `{"status":"closed"}`, wantErr: []string{"updateDetection", "ticket_id"}},
		{name: "write-back with a field that is not writable", method: "PATCH", target: "/api/v1/detections/8589935233",
			body: `{"ticket_id":"OPS-1","title":"renamed"}`, wantErr: []string{"updateDetection", "title"}},
		{name: "write-back with bad status", method: "PATCH", target: "/api/v1/detections/8589935233",
			body: `{"ticket_id":"OPS-1","status":"open"}`, wantErr: []string{"updateDetection", "status"}},
		{name: "detection id not an integer", method: "GET", target: "/api/v1/detections/abc",
			wantErr: []string{"getDetection", `parameter "id" in path`}},
		{name: "token endpoint is not in the spec", method: "POST", target: "/oauth2/token", body: `grant_type=client_credentials`,
			wantErr: []string{"no operation in the spec has this path"}},
	})
}

func TestExtraHopResponses(t *testing.T) {
	t.Parallel()
	spec := Load(t, ExtraHop)
	detection := fixture(t, "extrahop-detection.json")
	runResponseCases(t, spec, []responseCase{
		{name: "detection", method: "GET", target: "/api/v1/detections/8589935233", status: 200,
			contentType: "application/json", body: detection},
		{name: "detection with null risk score", method: "GET", target: "/api/v1/detections/1", status: 200,
			contentType: "application/json", body: `{"id":1,"risk_score":null,"end_time":null}`},
		{name: "search result", method: "POST", target: "/api/v1/detections/search", status: 200,
			contentType: "application/json", body: "[" + detection + "]"},
		{name: "write-back answer", method: "PATCH", target: "/api/v1/detections/8589935233", status: 204},
		{name: "not found as JSON", method: "GET", target: "/api/v1/detections/1", status: 404,
			contentType: "application/json", body: `{"error_message":"Detection not found"}`},
		{name: "detection id as string", method: "GET", target: "/api/v1/detections/1", status: 200,
			contentType: "application/json", body: `{"id":"1"}`, wantErr: []string{"getDetection", `"/id"`}},
		{name: "search answer wrapped in an object", method: "POST", target: "/api/v1/detections/search", status: 200,
			contentType: "application/json", body: `{"detections":[]}`, wantErr: []string{"searchDetections", "array"}},
		{name: "undeclared status", method: "GET", target: "/api/v1/detections/1", status: 500,
			contentType: "application/json", body: `{}`, wantErr: []string{"response 500", "status is not supported"}},
	})
}

func TestValidateHelpersReportThroughT(t *testing.T) {
	t.Parallel()
	spec := Load(t, Jira)
	rec := &recorder{TB: t}
	spec.ValidateRequest(rec, newRequest(t, "GET", "/rest/api/3/issue/OPS-1", ""))
	spec.ValidateResponse(rec, newRequest(t, "GET", "/rest/api/3/issue/OPS-1", ""),
		newResponse(200, "application/json", fixture(t, "jira-issue.json")))
	assert.Empty(t, rec.failures())

	spec.ValidateRequest(rec, newRequest(t, "GET", "/rest/api/3/nope", ""))
	spec.ValidateResponse(rec, newRequest(t, "GET", "/rest/api/3/issue/OPS-1", ""), newResponse(418, "", ""))
	got := rec.failures()
	require.Len(t, got, 2)
	assert.Contains(t, got[0], "GET /rest/api/3/nope")
	assert.Contains(t, got[1], "response 418")
}
