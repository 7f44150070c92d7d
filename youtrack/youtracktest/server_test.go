package youtracktest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// call sends a request to the fake and returns status and decoded body.
func call(t *testing.T, s *Server, method, path, token, body string) (int, any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var v any
	if len(data) > 0 {
		require.NoError(t, json.Unmarshal(data, &v), "body %s", data)
	}
	return resp.StatusCode, v
}

func TestAuth(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	for _, tok := range []string{"", "perm:wrong"} {
		status, body := call(t, s, "GET", "/api/issues?fields=id&$top=1", tok, "")
		assert.Equal(t, http.StatusUnauthorized, status)
		m := body.(map[string]any)
		assert.Equal(t, "Unauthorized", m["error"])
		assert.NotEmpty(t, m["error_description"])
	}
	status, _ := call(t, s, "GET", "/hub/api/rest/users?$top=1", "perm:wrong", "")
	assert.Equal(t, http.StatusUnauthorized, status, "Hub checks the token too")
	status, _ = call(t, s, "GET", "/api/issues?fields=id&$top=1", Token, "")
	assert.Equal(t, http.StatusOK, status)
}

func TestProjection(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	is, err := s.AddIssue(NewIssue{Project: "HD", Summary: "Printer on fire", Fields: map[string]any{"Severity": "High"}, Tags: []string{"Star"}})
	require.NoError(t, err)

	tests := []struct {
		fields string
		want   map[string]any
	}{
		{"", map[string]any{"$type": "Issue", "id": is.ID}},
		{"idReadable,summary", map[string]any{"$type": "Issue", "idReadable": "HD-1", "summary": "Printer on fire"}},
		{"project(shortName)", map[string]any{"$type": "Issue", "project": map[string]any{"$type": "Project", "shortName": "HD"}}},
		{"project", map[string]any{"$type": "Issue", "project": map[string]any{"$type": "Project"}}},
		{"tags(name),nope", map[string]any{"$type": "Issue", "tags": []any{map[string]any{"$type": "IssueTag", "name": "Star"}}}},
	}
	for _, tt := range tests {
		status, body := call(t, s, "GET", "/api/issues/HD-1?fields="+tt.fields, Token, "")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, tt.want, body, "fields=%s", tt.fields)
	}

	_, body := call(t, s, "GET", "/api/issues/HD-1?fields=customFields(name,value(name))", Token, "")
	cfs := body.(map[string]any)["customFields"].([]any)
	for _, cf := range cfs {
		m := cf.(map[string]any)
		if m["name"] == "Severity" {
			assert.Equal(t, map[string]any{"$type": "EnumBundleElement", "name": "High"}, m["value"])
		}
		assert.NotContains(t, m, "id")
		assert.NotContains(t, m, "projectCustomField")
	}

	status, _ := call(t, s, "GET", "/api/issues/HD-1?fields=project(shortName", Token, "")
	assert.Equal(t, http.StatusBadRequest, status)
}

func TestErrors(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	_, err := s.AddIssue(NewIssue{Project: "HD", Summary: "x"})
	require.NoError(t, err)
	tests := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"missing issue", "GET", "/api/issues/HD-404", "", 404, "Not Found"},
		{"unknown route", "GET", "/api/nothing", "", 404, "HTTP 404 Not Found"},
		{"bad query", "GET", "/api/issues?query=%7Bopen", "", 400, "bad_request"},
		{"ring id as project", "POST", "/api/issues", `{"project":{"id":"b1f0a6c2-0001"},"summary":"x"}`, 400, "bad_request"},
		{"missing $type", "POST", "/api/issues", `{"project":{"id":"0-1"},"summary":"x","customFields":[{"name":"Severity","value":{"name":"High"}}]}`, 400, "bad_request"},
		{"unknown value", "POST", "/api/issues", `{"project":{"id":"0-1"},"summary":"x","customFields":[{"name":"Severity","$type":"SingleEnumIssueCustomField","value":{"name":"Urgent"}}]}`, 400, "bad_request"},
		{"wrong $type", "POST", "/api/issues/HD-1/customFields/92-5", `{"$type":"SingleEnumIssueCustomField","value":{"name":"High"}}`, 500, "server_error"},
		{"malformed body", "POST", "/api/issues/HD-1", `{"summary":`, 400, "bad_request"},
		{"bad command", "POST", "/api/commands", `{"query":"Colour Mauve","issues":[{"idReadable":"HD-1"}]}`, 400, "bad_request"},
		{"required field cleared", "POST", "/api/issues/HD-1", `{"customFields":[{"name":"State","$type":"StateIssueCustomField","value":null}]}`, 400, "bad_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, s, tt.method, tt.path, Token, tt.body)
			assert.Equal(t, tt.status, status)
			m, ok := body.(map[string]any)
			require.True(t, ok, "error body %v", body)
			assert.Equal(t, tt.code, m["error"])
			assert.NotEmpty(t, m["error_description"])
		})
	}
	got, _ := s.Issue("HD-1")
	assert.Equal(t, "Open", got.Fields["State"], "failed writes change nothing")
}

func TestCommandsAndDates(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	is, err := s.AddIssue(NewIssue{Project: "SEC", Summary: "x"})
	require.NoError(t, err)
	status, body := call(t, s, "POST", "/api/commands", Token, `{"query":"State {In Progress} Reported 2026-02-03 tag Triage for jdoe","issues":[{"id":"`+is.ID+`"}],"comment":"taking it"}`)
	require.Equal(t, http.StatusOK, status)
	assert.Nil(t, body, "commands answer with an empty body")
	got, _ := s.Issue(is.ID)
	assert.Equal(t, "In Progress", got.Fields["State"])
	assert.Equal(t, time.Date(2026, 2, 3, 12, 0, 0, 0, time.UTC), got.Fields["Reported"])
	assert.Equal(t, "jdoe", got.Fields["Assignee"])
	assert.Equal(t, []string{"Triage"}, got.Tags)
	require.Len(t, got.Comments, 1)
	assert.True(t, got.Resolved.IsZero())

	call(t, s, "POST", "/api/commands", Token, `{"query":"Fixed","issues":[{"idReadable":"SEC-1"}]}`)
	got, _ = s.Issue(is.ID)
	assert.Equal(t, "Fixed", got.Fields["State"])
	assert.False(t, got.Resolved.IsZero())
}

func TestQueries(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Hour)
		return clock
	}
	s := NewServer(t, WithClock(now))
	add := func(in NewIssue) string {
		is, err := s.AddIssue(in)
		require.NoError(t, err)
		return is.IDReadable
	}
	a := add(NewIssue{Project: "HD", Summary: "VPN down", Fields: map[string]any{"Severity": "High"}})                                                            // 11:00
	b := add(NewIssue{Project: "HD", Summary: "Mail slow", Fields: map[string]any{"Severity": "High", "Reported": time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}) // 12:00
	c := add(NewIssue{Project: "SEC", Summary: "Phishing", Fields: map[string]any{"Severity": "Low", "State": "In Progress", "External ID": "tb:1"}, Tags: []string{"tb-x"}})
	d := add(NewIssue{Project: "HD", Summary: "Done thing", Fields: map[string]any{"State": "Won't fix", "Assignee": "jdoe"}})

	tests := []struct {
		q    string
		want []string
	}{
		{"", []string{a, b, c, d}},
		{"project: HD", []string{a, b, d}},
		{"project: HD Severity: High", []string{a, b}},
		{"project: HD Severity: High has: -Reported", []string{a}},
		{"Severity: High not has: Reported", []string{a}},
		{"Severity: High -has: Reported", []string{a}},
		{"has: Reported", []string{b}},
		{"#Unresolved", []string{a, b, c}},
		{"#Resolved", []string{d}},
		{"State: {In Progress}, {Won't fix}", []string{c, d}},
		{"State: -Open", []string{c, d}},
		{"{External ID}: {tb:1}", []string{c}},
		{"tag: tb-x", []string{c}},
		{"Assignee: jdoe", []string{d}},
		{"updated: 2026-03-01T12:00:00 .. *", []string{b, c, d}},
		{"updated: * .. 2026-03-01T12:00:00", []string{a, b}},
		{"created: 2026-03-01", []string{a, b, c, d}},
		{"vpn", []string{a}},
		{"project: HD (Severity: High and has: Reported)", []string{b}},
		{"project: HD sort by: updated desc", []string{d, b, a}},
	}
	for _, tt := range tests {
		got := searchKeys(t, s, tt.q)
		assert.Equal(t, tt.want, got, "query %q", tt.q)
	}
}

func searchKeys(t *testing.T, s *Server, q string) []string {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL()+"/api/issues", nil)
	require.NoError(t, err)
	v := req.URL.Query()
	v.Set("query", q)
	v.Set("fields", "idReadable")
	v.Set("$top", "100")
	req.URL.RawQuery = v.Encode()
	req.Header.Set("Authorization", "Bearer "+Token)
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "query %q", q)
	var list []struct {
		IDReadable string `json:"idReadable"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	out := []string{}
	for _, is := range list {
		out = append(out, is.IDReadable)
	}
	return out
}

func TestParseQueryRefuses(t *testing.T) {
	t.Parallel()
	for _, q := range []string{"{open", "a or b", "(x", "x)", "Severity:", "a}b", `"open`} {
		_, err := ParseQuery(q)
		assert.Error(t, err, "query %q", q)
	}
}

func TestLatencyFailuresAndCounting(t *testing.T) {
	t.Parallel()
	s := NewServer(t, WithLatency(30*time.Millisecond))
	start := time.Now()
	status, _ := call(t, s, "GET", "/api/admin/projects?fields=id&$top=10", Token, "")
	assert.Equal(t, http.StatusOK, status)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)

	s.FailNext(2, http.StatusTooManyRequests, 2*time.Second)
	req, err := http.NewRequest("GET", s.URL()+"/api/tags?$top=1", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+Token)
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "2", resp.Header.Get("Retry-After"))
	status, _ = call(t, s, "GET", "/api/tags?$top=1", Token, "")
	assert.Equal(t, http.StatusTooManyRequests, status)
	status, _ = call(t, s, "GET", "/api/tags?$top=1", Token, "")
	assert.Equal(t, http.StatusOK, status)

	total, byRoute := s.Requests()
	assert.Equal(t, 4, total)
	assert.Equal(t, map[string]int{"GET /api/admin/projects": 1, "GET /api/tags": 3}, byRoute)
	s.ResetRequests()
	total, _ = s.Requests()
	assert.Zero(t, total)
}

func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	var wg sync.WaitGroup
	ids := make(chan string, 64)
	for range 16 {
		wg.Go(func() {
			for range 4 {
				status, body := call(t, s, "POST", "/api/issues?fields=idReadable", Token, `{"project":{"id":"0-1"},"summary":"parallel"}`)
				if assert.Equal(t, http.StatusOK, status) {
					ids <- body.(map[string]any)["idReadable"].(string)
				}
			}
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		assert.False(t, seen[id], "duplicate %s", id)
		seen[id] = true
	}
	assert.Len(t, seen, 64)
	assert.Len(t, s.Issues(), 64)
}

func TestHubUsers(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	status, body := call(t, s, "GET", "/hub/api/rest/users?fields=login,banned,lastAccessTime&query=is:banned&$top=10", Token, "")
	require.Equal(t, http.StatusOK, status)
	m := body.(map[string]any)
	assert.EqualValues(t, 1, m["total"])
	users := m["users"].([]any)
	require.Len(t, users, 1)
	assert.Equal(t, map[string]any{"type": "user", "login": "bsmith", "banned": true, "lastAccessTime": float64(s.Users()[2].LastAccess.UnixMilli())}, users[0])
}
