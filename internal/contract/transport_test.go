package contract

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeExtraHop serves a small slice of the ExtraHop API. When bad is true
// its search answer is wrapped in an object, which the real API never does.
func fakeExtraHop(t *testing.T, detection string, bad bool) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"t","token_type":"bearer","expires_in":600}`)
	})
	mux.HandleFunc("POST /api/v1/detections/search", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, "fake: search body was not delivered intact: "+err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if bad {
			_, _ = io.WriteString(w, `{"detections":[`+detection+`]}`)
			return
		}
		_, _ = io.WriteString(w, "["+detection+"]")
	})
	mux.HandleFunc("PATCH /api/v1/detections/{id}", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /api/v1/invented", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestTransportWithFakeServer(t *testing.T) {
	t.Parallel()
	spec := Load(t, ExtraHop)
	detection := fixture(t, "extrahop-detection.json")

	type call struct{ method, path, body string }
	tests := []struct {
		name     string
		allow    []Option
		badFake  bool
		calls    []call
		wantFail []string // one substring per expected failure, in order
	}{
		{
			name:  "documented calls and an allowed token endpoint",
			allow: []Option{Allow("POST", "/oauth2/token")},
			calls: []call{
				{"POST", "/oauth2/token", "grant_type=client_credentials"},
				{"POST", "/api/v1/detections/search", `{"filter":{"risk_score_min":50},"sort":[{"field":"mod_time","direction":"asc"}]}`},
				{"PATCH", "/api/v1/detections/8589935233", `{"ticket_id":"OPS-1","status":"new","assignee":"sally","resolution":null}`},
			},
		},
		{
			name:     "token endpoint not allowed",
			calls:    []call{{"POST", "/oauth2/token", "grant_type=client_credentials"}},
			wantFail: []string{"POST /oauth2/token: no operation in the spec has this path"},
		},
		{
			name:     "prefix allowance",
			allow:    []Option{Allow("*", "/oauth2/*")},
			calls:    []call{{"POST", "/oauth2/token", "grant_type=client_credentials"}},
			wantFail: nil,
		},
		{
			name:     "invented endpoint",
			calls:    []call{{"GET", "/api/v1/invented", ""}},
			wantFail: []string{"GET /api/v1/invented: no operation in the spec has this path"},
		},
		{
			name:     "bad request body",
			calls:    []call{{"PATCH", "/api/v1/detections/1", `{"ticket_id":"OPS-1","status":"open"}`}},
			wantFail: []string{`updateDetection /api/v1/detections/{id}): request: request body has an error: doesn't match schema: Error at "/status"`},
		},
		{
			name:     "fake answers in the wrong shape",
			badFake:  true,
			calls:    []call{{"POST", "/api/v1/detections/search", `{}`}},
			wantFail: []string{"searchDetections): response 200: response body doesn't match schema: value must be an array"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakeExtraHop(t, detection, tt.badFake)
			rec := &recorder{TB: t}
			client := &http.Client{Transport: spec.Transport(rec, srv.Client().Transport, tt.allow...)}
			for _, c := range tt.calls {
				req, err := http.NewRequestWithContext(t.Context(), c.method, srv.URL+c.path, strings.NewReader(c.body))
				require.NoError(t, err)
				if strings.HasPrefix(c.body, "{") {
					req.Header.Set("Content-Type", "application/json")
				} else if c.body != "" {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				resp, err := client.Do(req)
				require.NoError(t, err)
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
				assert.Less(t, resp.StatusCode, 300, "fake answered %d: %s", resp.StatusCode, body)
			}
			got := rec.failures()
			require.Len(t, got, len(tt.wantFail), "failures: %q", got)
			for i, want := range tt.wantFail {
				assert.Contains(t, got[i], want)
			}
		})
	}
}

func TestTransportWithHTTPMock(t *testing.T) {
	t.Parallel()
	spec := Load(t, Jira)
	issue := fixture(t, "jira-issue.json")
	const create = `{"fields":{"project":{"key":"OPS"},"summary":"Disk full","issuetype":{"name":"Bug"}}}`

	mock := httpmock.NewMockTransport()
	var delivered string
	mock.RegisterResponder("POST", "https://acme.atlassian.net/rest/api/3/issue",
		func(req *http.Request) (*http.Response, error) {
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return nil, err
			}
			delivered = string(b)
			return httpmock.NewJsonResponse(http.StatusCreated, map[string]string{
				"id": "10002", "key": "OPS-1", "self": "https://acme.atlassian.net/rest/api/3/issue/10002",
			})
		})
	mock.RegisterResponder("GET", "https://acme.atlassian.net/rest/api/3/issue/OPS-1",
		httpmock.NewStringResponder(http.StatusOK, issue).HeaderSet(http.Header{"Content-Type": {"application/json"}}))
	mock.RegisterResponder("GET", "https://acme.atlassian.net/rest/api/3/issue/OPS-2",
		httpmock.NewStringResponder(http.StatusOK, `{"id":10003}`).HeaderSet(http.Header{"Content-Type": {"application/json"}}))

	rec := &recorder{TB: t}
	client := &http.Client{Transport: spec.Transport(rec, mock)}

	req, err := http.NewRequestWithContext(t.Context(), "POST", "https://acme.atlassian.net/rest/api/3/issue", strings.NewReader(create))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.JSONEq(t, create, delivered, "the body must reach the mock unchanged")

	for _, key := range []string{"OPS-1", "OPS-2"} {
		resp, err := client.Get("https://acme.atlassian.net/rest/api/3/issue/" + key)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	}
	got := rec.failures()
	require.Len(t, got, 1, "failures: %q", got)
	assert.Contains(t, got[0], `GET /rest/api/3/issue/OPS-2 (getIssue /rest/api/3/issue/{issueIdOrKey}): response 200: response body doesn't match schema #/components/schemas/IssueBean: Error at "/id"`)
}
