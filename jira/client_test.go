package jira_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/tracker"
)

const site = "https://acme.atlassian.net"

// captured is a request as the mock saw it.
type captured struct {
	Method, Path, Query, Body string
	Header                    http.Header
}

// recorder answers every request with one fixture and records requests.
type recorder struct {
	mu   sync.Mutex
	reqs []captured
}

func (r *recorder) last(t *testing.T) captured {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.reqs, "no request was sent")
	return r.reqs[len(r.reqs)-1]
}

func mockClient(t *testing.T, status int, fixtureName string, hdr http.Header, opts ...jira.Option) (*jira.Client, *recorder) {
	t.Helper()
	var body []byte
	if fixtureName != "" {
		body = fixture(t, fixtureName)
	}
	rec := &recorder{}
	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		var b []byte
		if req.Body != nil {
			b, _ = io.ReadAll(req.Body)
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, captured{req.Method, req.URL.Path, req.URL.RawQuery, string(b), req.Header.Clone()})
		rec.mu.Unlock()
		resp := httpmock.NewBytesResponse(status, body)
		if body != nil {
			resp.Header.Set("Content-Type", "application/json;charset=UTF-8")
		}
		for k, v := range hdr {
			resp.Header[k] = v
		}
		return resp, nil
	})
	base := []jira.Option{
		jira.WithHTTPClient(&http.Client{Transport: mock}),
		jira.WithBasicAuth("me@acme.com", "tok-SECRET-123"),
		jira.WithRetryWait(time.Millisecond, 2*time.Millisecond),
		jira.WithMaxRetryAfter(time.Second),
	}
	c, err := jira.New(site, append(base, opts...)...)
	require.NoError(t, err)
	return c, rec
}

const helloADF = `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Line one"},{"type":"hardBreak"},{"type":"text","text":"Line two"}]}]}`

func TestRequests(t *testing.T) {
	t.Parallel()
	dc := jira.WithDataCenter()
	tests := []struct {
		name    string
		opts    []jira.Option
		fixture string
		status  int
		call    func(ctx context.Context, c *jira.Client) error
		want    captured
	}{
		{
			name: "get issue", fixture: "issue_get.json", status: 200,
			call: func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Issues.Get(ctx, "SEC-42", &jira.GetOptions{Fields: []string{"summary", "status"}, Expand: []string{"names"}, Properties: []string{"com.acme.sync"}})
				return err
			},
			want: captured{Method: "GET", Path: "/rest/api/3/issue/SEC-42", Query: "expand=names&fields=summary%2Cstatus&properties=com.acme.sync"},
		},
		{
			name: "create issue on Cloud sends ADF", fixture: "issue_create_201.json", status: 201,
			call: func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Issues.Create(ctx, &jira.IssueUpdate{Fields: jira.Fields{
					"project": map[string]string{"key": "SEC"}, "issuetype": map[string]string{"name": "Bug"},
					"summary": "Suspicious SMB", "description": "Line one\nLine two",
					"labels": []string{"extrahop-1"}, "assignee": jira.UserValue("5b10ac8d82e05b22cc7d4ef5"),
				}, Properties: []jira.EntityProperty{{Key: "com.acme.sync", Value: map[string]int{"v": 1}}}})
				return err
			},
			want: captured{Method: "POST", Path: "/rest/api/3/issue", Body: `{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Bug"},"summary":"Suspicious SMB","description":` + helloADF + `,"labels":["extrahop-1"],"assignee":{"accountId":"5b10ac8d82e05b22cc7d4ef5"}},"properties":[{"key":"com.acme.sync","value":{"v":1}}]}`},
		},
		{
			name: "create issue on Data Center sends strings", opts: []jira.Option{dc}, fixture: "issue_create_201.json", status: 201,
			call: func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Issues.Create(ctx, &jira.IssueUpdate{Fields: jira.Fields{
					"project": map[string]string{"key": "OPS"}, "issuetype": map[string]string{"name": "Task"},
					"summary": "Disk full", "description": "Line one\nLine two", "assignee": jira.UserValue("alice"),
				}})
				return err
			},
			want: captured{Method: "POST", Path: "/rest/api/2/issue", Body: `{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Task"},"summary":"Disk full","description":"Line one\nLine two","assignee":{"name":"alice"}}}`},
		},
		{
			name: "edit issue", status: 204,
			call: func(ctx context.Context, c *jira.Client) error {
				_, err := c.Issues.Edit(ctx, "SEC-42", &jira.IssueUpdate{
					Fields: jira.Fields{"summary": "New", "duedate": jira.DateValue(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))},
					Update: map[string][]jira.FieldOperation{"labels": {jira.AddOp("a"), jira.RemoveOp("b")}},
				}, &jira.EditOptions{NotifyUsers: tracker.Ptr(false)})
				return err
			},
			want: captured{Method: "PUT", Path: "/rest/api/3/issue/SEC-42", Query: "notifyUsers=false", Body: `{"fields":{"summary":"New","duedate":"2025-02-01"},"update":{"labels":[{"add":"a"},{"remove":"b"}]}}`},
		},
		{
			name: "delete issue escapes the key", status: 204,
			call: func(ctx context.Context, c *jira.Client) error {
				_, err := c.Issues.Delete(ctx, "SEC-1/../x", &jira.DeleteOptions{DeleteSubtasks: true})
				return err
			},
			want: captured{Method: "DELETE", Path: "/rest/api/3/issue/SEC-1/../x", Query: "deleteSubtasks=true"},
		},
		{
			name: "list transitions", fixture: "transitions.json", status: 200,
			call: func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Transitions.List(ctx, "SEC-42")
				return err
			},
			want: captured{Method: "GET", Path: "/rest/api/3/issue/SEC-42/transitions", Query: "expand=transitions.fields"},
		},
		{
			name: "do transition with resolution and comment", status: 204,
			call: func(ctx context.Context, c *jira.Client) error {
				_, err := c.Transitions.Do(ctx, "SEC-42", &jira.TransitionInput{ID: "31",
					Fields:  jira.Fields{"resolution": map[string]string{"name": "Done"}},
					Comment: &jira.CommentInput{Body: jira.Plain("Line one\nLine two")}})
				return err
			},
			want: captured{Method: "POST", Path: "/rest/api/3/issue/SEC-42/transitions", Body: `{"transition":{"id":"31"},"fields":{"resolution":{"name":"Done"}},"update":{"comment":[{"add":{"body":` + helloADF + `}}]}}`},
		},
		{
			name: "add comment with visibility", fixture: "", status: 201,
			call: func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Comments.Add(ctx, "SEC-42", &jira.CommentInput{Body: jira.Plain("Line one\nLine two"), Visibility: &jira.Visibility{Type: "role", Value: "Administrators"}})
				return err
			},
			want: captured{Method: "POST", Path: "/rest/api/3/issue/SEC-42/comment", Body: `{"body":` + helloADF + `,"visibility":{"type":"role","value":"Administrators"}}`},
		},
		{
			name: "list comments", fixture: "comments_page.json", status: 200,
			call: func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Comments.List(ctx, "SEC-42", &jira.CommentListOptions{StartAt: 100, MaxResults: 50, OrderBy: "-created"})
				return err
			},
			want: captured{Method: "GET", Path: "/rest/api/3/issue/SEC-42/comment", Query: "maxResults=50&orderBy=-created&startAt=100"},
		},
		{
			name: "Cloud search uses search/jql with explicit fields", fixture: "search_jql_page2.json", status: 200,
			call: func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Search.Page(ctx, `project = "SEC"`, &jira.SearchOptions{Fields: []string{"summary", "status"}, MaxResults: 100, ReconcileIssues: []int64{10042}}, "tok")
				return err
			},
			want: captured{Method: "POST", Path: "/rest/api/3/search/jql", Body: `{"jql":"project = \"SEC\"","nextPageToken":"tok","maxResults":100,"fields":["summary","status"],"reconcileIssues":[10042]}`},
		},
		{
			name: "Data Center search uses startAt", opts: []jira.Option{dc}, fixture: "search_dc.json", status: 200,
			call: func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Search.Page(ctx, `project = "OPS"`, &jira.SearchOptions{MaxResults: 2}, "2")
				return err
			},
			want: captured{Method: "POST", Path: "/rest/api/2/search", Body: `{"jql":"project = \"OPS\"","startAt":2,"maxResults":2,"fields":["*navigable"]}`},
		},
		{
			name: "approximate count", fixture: "approximate_count.json", status: 200,
			call: func(ctx context.Context, c *jira.Client) error {
				n, _, err := c.Search.Count(ctx, `project = "SEC"`)
				if err == nil && n != 153 {
					err = fmt.Errorf("count %d", n)
				}
				return err
			},
			want: captured{Method: "POST", Path: "/rest/api/3/search/approximate-count", Body: `{"jql":"project = \"SEC\""}`},
		},
		{
			name: "users on Cloud", fixture: "users_search.json", status: 200,
			call: func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Users.List(ctx, 100, 100)
				return err
			},
			want: captured{Method: "GET", Path: "/rest/api/3/users/search", Query: "maxResults=100&startAt=100"},
		},
		{
			name: "users on Data Center", opts: []jira.Option{dc}, fixture: "users_search.json", status: 200,
			call: func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Users.List(ctx, 0, 100)
				return err
			},
			want: captured{Method: "GET", Path: "/rest/api/2/user/search", Query: "includeInactive=true&maxResults=100&startAt=0&username=."},
		},
		{
			name: "save remote link", fixture: "", status: 201,
			call: func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.RemoteLinks.Save(ctx, "SEC-42", &jira.RemoteLink{GlobalID: "extrahop=8589935233", Relationship: "detected by",
					Object: jira.RemoteObject{URL: "https://eh.example.com/d/8589935233", Title: "Detection 8589935233"}})
				return err
			},
			want: captured{Method: "POST", Path: "/rest/api/3/issue/SEC-42/remotelink", Body: `{"globalId":"extrahop=8589935233","relationship":"detected by","object":{"url":"https://eh.example.com/d/8589935233","title":"Detection 8589935233"}}`},
		},
		{
			name: "set entity property", status: 201,
			call: func(ctx context.Context, c *jira.Client) error {
				_, err := c.Properties.Set(ctx, "SEC-42", "com.acme.sync", map[string]string{"source": "extrahop"})
				return err
			},
			want: captured{Method: "PUT", Path: "/rest/api/3/issue/SEC-42/properties/com.acme.sync", Body: `{"source":"extrahop"}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, rec := mockClient(t, tt.status, tt.fixture, nil, tt.opts...)
			require.NoError(t, tt.call(t.Context(), c))
			got := rec.last(t)
			assert.Equal(t, tt.want.Method, got.Method)
			assert.Equal(t, tt.want.Path, got.Path)
			assert.Equal(t, tt.want.Query, got.Query)
			if tt.want.Body == "" {
				assert.Empty(t, got.Body)
			} else {
				assert.JSONEq(t, tt.want.Body, got.Body)
			}
			assert.Contains(t, got.Header.Get("User-Agent"), "trackbridge/")
		})
	}
}

func TestDecodeIssueFixture(t *testing.T) {
	t.Parallel()
	c, _ := mockClient(t, 200, "issue_get.json", nil)
	is, _, err := c.Issues.Get(t.Context(), "SEC-42", nil)
	require.NoError(t, err)
	f := is.Fields
	assert.Equal(t, "Seen on 10.0.0.7\nRisk 87\n\nAuto-created", f.Description.Text())
	assert.Equal(t, time.Date(2025, 1, 17, 12, 34, 0, 0, time.UTC), f.Created.UTC())
	assert.Equal(t, time.Date(2025, 1, 18, 7, 0, 0, 250e6, time.UTC), f.Updated.UTC())
	assert.Equal(t, time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), f.DueDate.Time)
	assert.Nil(t, f.Resolution)
	assert.Equal(t, "5b10ac8d82e05b22cc7d4ef5", f.Assignee.ID())
	sev, ok := f.String("customfield_10042")
	assert.True(t, ok)
	assert.Equal(t, "High", sev)
	pts, ok := f.Float("customfield_10016")
	assert.True(t, ok)
	assert.Equal(t, 5.0, pts)
	rep, ok := f.Time("customfield_10050")
	assert.True(t, ok)
	assert.Equal(t, time.Date(2025, 1, 17, 12, 30, 0, 0, time.UTC), rep.UTC())
	sys, ok := f.Strings("customfield_10070")
	assert.True(t, ok)
	assert.Equal(t, []string{"Web", "API"}, sys)
	_, ok = f.String("customfield_10060")
	assert.False(t, ok, "null field")
	// Unknown fields are kept as they came.
	assert.JSONEq(t, `{"appSpecific": true, "nested": [1, 2, 3]}`, string(f.Other["customfield_10099"]))
	var app struct {
		Nested []int `json:"nested"`
	}
	ok, err = f.Decode("customfield_10099", &app)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, []int{1, 2, 3}, app.Nested)
	// And written back unchanged, unknown ADF nodes included.
	out, err := json.Marshal(is.Fields)
	require.NoError(t, err)
	var again jira.IssueFields
	require.NoError(t, json.Unmarshal(out, &again))
	assert.Equal(t, f.Description.Text(), again.Description.Text())
	assert.Contains(t, string(out), `"panelType":"info"`)

	// An issue fetched without fields has nil Fields; reading them is safe.
	var none *jira.IssueFields
	assert.Nil(t, none.Value("customfield_10042", nil))
	_, ok = none.String("customfield_10042")
	assert.False(t, ok)
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		fixture string
		header  http.Header
		opts    []jira.Option
		call    func(ctx context.Context, c *jira.Client) error
		is      error
		message string
	}{
		{"400 with field errors", 400, "issue_create_400.json", nil, nil,
			func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Issues.Create(ctx, &jira.IssueUpdate{Fields: jira.Fields{"summary": ""}})
				return err
			}, tracker.ErrInvalid, "You must specify a summary of the issue."},
		{"401", 401, "error_401.json", nil, nil,
			func(ctx context.Context, c *jira.Client) error { _, _, err := c.Users.Myself(ctx); return err },
			tracker.ErrUnauthorized, "You are not authenticated"},
		{"404", 404, "error_404.json", nil, nil,
			func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Issues.Get(ctx, "SEC-404", nil)
				return err
			},
			tracker.ErrNotFound, "Issue does not exist"},
		{"410 from the removed search", 410, "search_410.json", nil, []jira.Option{jira.WithDataCenter()},
			func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Search.Page(ctx, "project = SEC", nil, "")
				return err
			},
			tracker.ErrNotFound, "/rest/api/3/search/jql"},
		{"429 with rate-limit headers", 429, "error_429.json", http.Header{
			"Retry-After": {"120"}, "X-Ratelimit-Limit": {"100"}, "X-Ratelimit-Remaining": {"0"},
			"X-Ratelimit-Nearlimit": {"true"}, "Ratelimit-Reason": {"jira-burst-based"}}, nil,
			func(ctx context.Context, c *jira.Client) error {
				_, _, err := c.Issues.Get(ctx, "SEC-1", nil)
				return err
			},
			tracker.ErrRateLimited, "Rate limit exceeded."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := mockClient(t, tt.status, tt.fixture, tt.header, tt.opts...)
			err := tt.call(t.Context(), c)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.is)
			assert.Contains(t, err.Error(), tt.message)
			assert.NotContains(t, err.Error(), "tok-SECRET-123")
			var ae *jira.APIError
			require.ErrorAs(t, err, &ae, "every error answer is a *jira.APIError")
			assert.Equal(t, tt.status, ae.StatusCode)
			assert.JSONEq(t, string(fixture(t, tt.fixture)), string(ae.Body))
			assert.Equal(t, "application/json;charset=UTF-8", ae.Header.Get("Content-Type"))
			if tt.status == 429 {
				assert.Equal(t, "100", ae.Header.Get("X-Ratelimit-Limit"))
				var rl *jira.RateLimitError
				require.ErrorAs(t, err, &rl)
				assert.Equal(t, 120*time.Second, rl.RetryAfter)
				assert.Equal(t, "jira-burst-based", rl.Reason)
			}
		})
	}
}

func TestBulkCreateFixtures(t *testing.T) {
	t.Parallel()
	in := func(n int) []*jira.IssueUpdate {
		out := make([]*jira.IssueUpdate, n)
		for i := range out {
			out[i] = &jira.IssueUpdate{Fields: jira.Fields{"summary": fmt.Sprintf("issue %d", i)}}
		}
		return out
	}
	t.Run("partial", func(t *testing.T) {
		t.Parallel()
		c, rec := mockClient(t, 201, "bulk_create_partial.json", nil)
		res, err := c.Issues.CreateBulk(t.Context(), in(3))
		require.NoError(t, err)
		require.Len(t, res, 3)
		assert.Equal(t, "SEC-100", res[0].Issue.Key)
		assert.Equal(t, "SEC-101", res[2].Issue.Key, "created issues map to the inputs that did not fail")
		var be *jira.BulkElementError
		require.ErrorAs(t, res[1].Err, &be)
		assert.Equal(t, 1, be.Index)
		assert.Contains(t, be.Error(), "input 1")
		assert.Contains(t, be.Error(), "priority: Specify a valid 'id' or 'name' for Priority")
		assert.ErrorIs(t, res[1].Err, tracker.ErrInvalid)
		assert.JSONEq(t, `{"issueUpdates":[{"fields":{"summary":"issue 0"}},{"fields":{"summary":"issue 1"}},{"fields":{"summary":"issue 2"}}]}`, rec.last(t).Body)
	})
	t.Run("all failed answers 400", func(t *testing.T) {
		t.Parallel()
		c, _ := mockClient(t, 400, "bulk_create_400.json", nil)
		res, err := c.Issues.CreateBulk(t.Context(), in(2))
		require.NoError(t, err, "per-element failures are not a call failure")
		assert.ErrorContains(t, res[0].Err, "issuetype: valid issue type is required")
		assert.ErrorContains(t, res[1].Err, "cannot be set")
	})
	t.Run("request failure", func(t *testing.T) {
		t.Parallel()
		c, _ := mockClient(t, 401, "error_401.json", nil)
		_, err := c.Issues.CreateBulk(t.Context(), in(2))
		assert.ErrorIs(t, err, tracker.ErrUnauthorized)
	})
}

func TestSearchFixturesPaging(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	var calls int
	mock.RegisterResponder("POST", site+"/rest/api/3/search/jql", func(req *http.Request) (*http.Response, error) {
		calls++
		var body struct {
			NextPageToken string `json:"nextPageToken"`
		}
		require.NoError(t, json.NewDecoder(req.Body).Decode(&body))
		name := "search_jql_page1.json"
		if body.NextPageToken == "CAEaAggD" {
			name = "search_jql_page2.json"
		}
		resp := httpmock.NewBytesResponse(200, fixture(t, name))
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	c, err := jira.New(site, jira.WithHTTPClient(&http.Client{Transport: mock}), jira.WithBasicAuth("me@acme.com", "tok"))
	require.NoError(t, err)
	var keys []string
	for is, err := range c.Search.All(t.Context(), `project = "SEC"`, nil) {
		require.NoError(t, err)
		keys = append(keys, is.Key)
	}
	assert.Equal(t, []string{"SEC-1", "SEC-2", "SEC-3"}, keys)
	assert.Equal(t, 2, calls)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		base string
		opts []jira.Option
	}{
		{"two auth options", site, []jira.Option{jira.WithBasicAuth("a", "b"), jira.WithToken("c")}},
		{"empty token", site, []jira.Option{jira.WithToken("")}},
		{"empty email", site, []jira.Option{jira.WithBasicAuth("", "t")}},
		{"nil token source", site, []jira.Option{jira.WithTokenSource(nil)}},
		{"token source secret too short to redact", site, []jira.Option{jira.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"}), "abc")}},
		{"cloud and dc", site, []jira.Option{jira.WithCloud(), jira.WithDataCenter()}},
		{"v3 path on dc", site + "/rest/api/3", []jira.Option{jira.WithDataCenter()}},
		{"credentials over http", "http://jira.example.com", []jira.Option{jira.WithToken("t")}},
		{"no scheme", "jira.example.com", nil},
		{"negative retries", site, []jira.Option{jira.WithMaxRetries(-1)}},
		{"bad retry wait", site, []jira.Option{jira.WithRetryWait(time.Second, time.Millisecond)}},
		{"bad site url", site, []jira.Option{jira.WithSiteURL("not a url")}},
		{"nil limiter", site, []jira.Option{jira.WithLimiter(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := jira.New(tt.base, tt.opts...)
			assert.Error(t, err)
		})
	}

	_, err := jira.New(site, jira.WithMaxConns(0))
	require.Error(t, err)
	assert.Equal(t, "jira: WithMaxConns(0): want a positive count", err.Error(), "shared options name the vendor and the option")

	c, err := jira.New(site+"/rest/api/2/", jira.WithToken("pat"))
	require.NoError(t, err)
	assert.Equal(t, jira.DataCenter, c.Deployment(), "a /rest/api/2 base selects Data Center")
	assert.Equal(t, site+"/browse/SEC-1", c.BrowseURL("SEC-1"))

	c, err = jira.New(jira.GatewayURL+"1324a887", jira.WithToken("oauth"), jira.WithSiteURL(site+"/"))
	require.NoError(t, err)
	assert.Equal(t, jira.Cloud, c.Deployment())
	assert.Equal(t, site+"/browse/SEC-1", c.BrowseURL("SEC-1"))

	_, err = jira.New("http://localhost:8080", jira.WithToken("t"))
	assert.NoError(t, err, "loopback may use http")
	_, err = jira.New("http://jira.lab", jira.WithToken("t"), jira.WithInsecureHTTP())
	assert.NoError(t, err)
}

func TestClientPrintsNoSecret(t *testing.T) {
	t.Parallel()
	for _, opt := range []jira.Option{jira.WithBasicAuth("me@acme.com", "tok-SECRET-123"), jira.WithToken("tok-SECRET-123")} {
		c, err := jira.New(site, opt)
		require.NoError(t, err)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			s := fmt.Sprintf(verb, c)
			assert.NotContains(t, s, "tok-SECRET-123", verb)
			assert.Contains(t, s, "acme.atlassian.net", verb)
		}
	}
}

func TestCloudIDFor(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("GET", jira.AccessibleResourcesURL, func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewBytesResponse(200, fixture(t, "accessible_resources.json"))
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	hc := &http.Client{Transport: mock}
	id, err := jira.CloudIDFor(t.Context(), hc, "https://ACME.atlassian.net/")
	require.NoError(t, err)
	assert.Equal(t, "1324a887-45db-1bf4-1e99-ef0ff456d421", id)
	_, err = jira.CloudIDFor(t.Context(), hc, "https://other.atlassian.net")
	assert.ErrorContains(t, err, "grants no access")
}

func TestMistypedValuesAreReportedNotFatal(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(httpmock.NewStringResponder(200, `{"id": 12, "key": "SEC-1"}`).HeaderSet(http.Header{"Content-Type": {"application/json"}}))
	c, err := jira.New(site, jira.WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)
	is, _, err := c.Issues.Get(t.Context(), "SEC-1", nil)
	require.NoError(t, err)
	assert.Equal(t, "SEC-1", is.Key)
	require.Len(t, is.Problems(), 1, "an id of the wrong type is reported")
	assert.Equal(t, "id", is.Problems()[0].Path)
	assert.JSONEq(t, `12`, string(is.Extra["id"]))

	mock.RegisterNoResponder(httpmock.NewStringResponder(200, `[1]`).HeaderSet(http.Header{"Content-Type": {"application/json"}}))
	_, _, err = c.Issues.Get(t.Context(), "SEC-1", nil)
	assert.Error(t, err, "an answer that is no object at all is an error")
	assert.False(t, errors.Is(err, tracker.ErrNotFound))
}
