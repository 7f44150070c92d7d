package jiratest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira/jiratest"
)

func call(t *testing.T, srv *jiratest.Server, method, path, body string, auth bool) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, bytes.NewBufferString(body))
	require.NoError(t, err)
	if auth {
		req.SetBasicAuth(jiratest.Email, jiratest.APIToken)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, data
}

func TestAuth(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	resp, body := call(t, srv, "GET", "/rest/api/3/myself", "", false)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, string(body), "errorMessages")
	resp, _ = call(t, srv, "GET", "/rest/api/3/myself", "", true)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	req, _ := http.NewRequest("GET", srv.URL()+"/rest/api/3/myself", nil)
	req.Header.Set("Authorization", "Bearer "+jiratest.PAT)
	r2, err := srv.Client().Do(req)
	require.NoError(t, err)
	r2.Body.Close()
	assert.Equal(t, http.StatusOK, r2.StatusCode)
}

func TestRemovedSearchAndDeployments(t *testing.T) {
	t.Parallel()
	cloud := jiratest.NewServer(t)
	resp, body := call(t, cloud, "GET", "/rest/api/3/search?jql=project%3DSEC", "", true)
	assert.Equal(t, http.StatusGone, resp.StatusCode)
	assert.Contains(t, string(body), "/rest/api/3/search/jql")
	resp, _ = call(t, cloud, "POST", "/rest/api/2/search", `{"jql":"project = SEC"}`, true)
	assert.Equal(t, http.StatusGone, resp.StatusCode)

	dc := jiratest.NewServer(t, jiratest.WithDataCenter())
	resp, body = call(t, dc, "POST", "/rest/api/2/search", `{"jql":"project = SEC"}`, true)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"total":0`)
	resp, _ = call(t, dc, "GET", "/rest/api/3/myself", "", true)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "Data Center has no v3")
}

func TestCloudSearchTokens(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t, jiratest.WithMaxResults(2))
	_, err := srv.Seed("SEC", 5)
	require.NoError(t, err)
	var keys []string
	token := ""
	pages := 0
	for {
		body := fmt.Sprintf(`{"jql":"project = SEC ORDER BY created ASC","fields":["summary"],"maxResults":50,"nextPageToken":%q}`, token)
		if token == "" {
			body = `{"jql":"project = SEC ORDER BY created ASC","fields":["summary"],"maxResults":50}`
		}
		resp, data := call(t, srv, "POST", "/rest/api/3/search/jql", body, true)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(data))
		var page struct {
			Issues []struct {
				Key    string         `json:"key"`
				Fields map[string]any `json:"fields"`
			} `json:"issues"`
			NextPageToken string `json:"nextPageToken"`
			IsLast        bool   `json:"isLast"`
		}
		require.NoError(t, json.Unmarshal(data, &page))
		pages++
		for _, is := range page.Issues {
			keys = append(keys, is.Key)
			assert.Equal(t, []string{"summary"}, mapKeys(is.Fields), "only the fields asked for")
		}
		if page.IsLast {
			assert.Empty(t, page.NextPageToken)
			break
		}
		token = page.NextPageToken
	}
	assert.Equal(t, []string{"SEC-1", "SEC-2", "SEC-3", "SEC-4", "SEC-5"}, keys)
	assert.Equal(t, 3, pages, "the server caps maxResults")

	resp, _ := call(t, srv, "POST", "/rest/api/3/search/jql", `{"jql":"project = OPS","nextPageToken":"garbage"}`, true)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = call(t, srv, "POST", "/rest/api/3/search/jql", `{"jql":"ORDER BY created"}`, true)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "unbounded queries are refused")
}

func mapKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFailNextAndCounting(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	srv.FailNext(1, http.StatusTooManyRequests, 1500*time.Millisecond)
	resp, body := call(t, srv, "GET", "/rest/api/3/myself", "", true)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "2", resp.Header.Get("Retry-After"))
	assert.Equal(t, "jira-burst-based", resp.Header.Get("RateLimit-Reason"))
	assert.Equal(t, "0", resp.Header.Get("X-RateLimit-Remaining"))
	assert.Contains(t, string(body), "Rate limit exceeded.")
	resp, _ = call(t, srv, "GET", "/rest/api/3/myself", "", true)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	call(t, srv, "GET", "/rest/api/3/issue/SEC-1/comment/1", "", true)

	total, per := srv.Requests()
	assert.Equal(t, 3, total)
	assert.Equal(t, 2, per["GET /rest/api/3/myself"])
	assert.Equal(t, 1, per["GET /rest/api/3/issue/{key}/comment/{id}"])
	srv.ResetRequests()
	total, _ = srv.Requests()
	assert.Zero(t, total)
}

func TestLatency(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t, jiratest.WithLatency(50*time.Millisecond))
	start := time.Now()
	call(t, srv, "GET", "/rest/api/3/myself", "", true)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
}

func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"summary":"c%d"}}`, i)
			req, _ := http.NewRequest("POST", srv.URL()+"/rest/api/3/issue", bytes.NewBufferString(body))
			req.SetBasicAuth(jiratest.Email, jiratest.APIToken)
			resp, err := srv.Client().Do(req)
			if assert.NoError(t, err) {
				resp.Body.Close()
				assert.Equal(t, http.StatusCreated, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	issues := srv.Issues()
	require.Len(t, issues, 16)
	seen := map[string]bool{}
	for i, is := range issues {
		assert.False(t, seen[is.Key])
		seen[is.Key] = true
		if i > 0 {
			assert.True(t, is.Updated.After(issues[i-1].Updated), "times strictly increase")
		}
	}
}

func TestBulkLimit(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	var ups []string
	for range 51 {
		ups = append(ups, `{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"summary":"x"}}`)
	}
	body := `{"issueUpdates":[` + join(ups) + `]}`
	resp, data := call(t, srv, "POST", "/rest/api/3/issue/bulk", body, true)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(data), "50")
	assert.Empty(t, srv.Issues())
}

func join(parts []string) string {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p)
	}
	return b.String()
}

func TestBodyCap(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	huge := `{"fields":{"summary":"` + strings.Repeat("x", 10<<20) + `"}}`
	resp, data := call(t, srv, "POST", "/rest/api/3/issue", huge, true)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Contains(t, string(data), "too large")
	assert.Empty(t, srv.Issues())
}

func TestPut(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t, jiratest.WithDataCenter())
	id, err := srv.Put(jiratest.IssueSpec{Summary: "s", Description: "d", Status: "Done", Assignee: "alice", Custom: map[string]json.RawMessage{jiratest.FieldStoryPoints: json.RawMessage(`3`)}})
	require.NoError(t, err)
	got, ok := srv.Issue(id)
	require.True(t, ok)
	assert.Equal(t, "SEC-1", got.Key)
	assert.Equal(t, "d", got.Description)
	assert.Equal(t, "done", got.StatusCategory)
	assert.Equal(t, "alice", got.Assignee)
	assert.JSONEq(t, `3`, string(got.Custom[jiratest.FieldStoryPoints]))
	_, err = srv.Put(jiratest.IssueSpec{Project: "NOPE"})
	assert.Error(t, err)
	_, ok = srv.Issue("SEC-99")
	assert.False(t, ok)
}

func ExampleServer() {
	srv := jiratest.New(jiratest.WithDataCenter())
	defer srv.Close()
	ids, _ := srv.Seed("OPS", 2)
	is, _ := srv.Issue(ids[1])
	fmt.Println(srv.URL() != "", is.Key, is.Status)
	// Output: true OPS-2 To Do
}

// The fake refuses descriptions Jira's ADF validator refuses, at any depth.
func TestDescriptionMustBeValidADF(t *testing.T) {
	t.Parallel()
	para := func(content string) string {
		return `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[` + content + `]}]}`
	}
	tests := []struct {
		name, description, refusal string
	}{
		{"valid", para(`{"type":"text","text":"Seen on the network."}`), ""},
		{"empty text node", para(`{"type":"text","text":""}`), "text nodes must be non-empty"},
		{"text without text", para(`{"type":"text"}`), "text nodes must be non-empty"},
		{"line break in a text node", para(`{"type":"text","text":"two\nlines"}`), "hold no line break"},
		{"node without a type", para(`{"text":"x"}`), "node without a type"},
		{"null node", para(`null`), "node without a type"},
		{"content that is not a node", para(`"x"`), "node without a type"},
		{"not a document", `{"type":"paragraph","version":1}`, "Atlassian Document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := jiratest.NewServer(t)
			body := `{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"summary":"x","description":` + tt.description + `}}`
			resp, data := call(t, srv, "POST", "/rest/api/3/issue", body, true)
			if tt.refusal == "" {
				assert.Equal(t, http.StatusCreated, resp.StatusCode, string(data))
				assert.Len(t, srv.Issues(), 1)
				return
			}
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.Contains(t, string(data), tt.refusal)
			assert.Empty(t, srv.Issues())
		})
	}
}
