package youtrack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/youtrack"
)

// service is mounted under a path prefix so that absolute-path bugs fail.
const service = "https://yt.example.com/youtrack"

const token = "perm:YWRtaW4=.dHJhY2ticmlkZ2U=.s3cr3tT0kenValue"

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

func newMockClient(t *testing.T, opts ...youtrack.Option) (*youtrack.Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	base := []youtrack.Option{
		youtrack.WithToken(token),
		youtrack.WithHTTPClient(&http.Client{Transport: mock}),
		youtrack.WithMaxRetries(0),
	}
	c, err := youtrack.New(service, append(base, opts...)...)
	require.NoError(t, err)
	return c, mock
}

func jsonResponse(status int, body string) *http.Response {
	r := httpmock.NewStringResponse(status, body)
	r.Header.Set("Content-Type", "application/json;charset=UTF-8")
	return r
}

// endpoint is one call of the client with the exact request it must build.
type endpoint struct {
	name   string
	method string
	path   string
	// query holds the parameters the request must carry, exactly.
	query url.Values
	// body names the fixture the JSON body must equal; empty means none.
	body string
	// resp names the success response fixture; empty means an empty body.
	resp string
	// setup registers responders for calls made before the one under test.
	setup func(t *testing.T, mock *httpmock.MockTransport)
	run   func(ctx context.Context, c *youtrack.Client) (any, error)
	check func(t *testing.T, got any)
}

func endpoints() []endpoint {
	reported := time.Date(2023, 7, 4, 18, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	return []endpoint{
		{
			name: "get issue", method: "GET", path: "/youtrack/api/issues/HD-25",
			query: url.Values{"fields": {youtrack.DefaultIssueFields}},
			resp:  "issue_get.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				is, _, err := c.Issues.Get(ctx, "HD-25", nil)
				return is, err
			},
			check: func(t *testing.T, got any) {
				is := got.(*youtrack.Issue)
				assert.Equal(t, "2-17", is.ID)
				assert.Equal(t, "HD-25", is.IDReadable)
				assert.Equal(t, time.Date(2026, 1, 6, 9, 0, 0, 0, time.UTC), is.Updated.Time())
				assert.Nil(t, is.Resolved)
				sev, err := is.Field("Severity").Plain()
				require.NoError(t, err)
				assert.Equal(t, "High", sev)
			},
		},
		{
			name: "search issues", method: "GET", path: "/youtrack/api/issues",
			query: url.Values{"fields": {"id,idReadable"}, "query": {"project: HD Severity: High"}, "$top": {"10"}, "$skip": {"20"}},
			resp:  "issues_search.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				list, _, err := c.Issues.List(ctx, "project: HD Severity: High", &youtrack.ListOptions{Fields: "id,idReadable", Skip: 20, Top: 10})
				return list, err
			},
			check: func(t *testing.T, got any) {
				list := got.([]*youtrack.Issue)
				require.Len(t, list, 2)
				assert.Equal(t, "HD-29", list[1].IDReadable)
			},
		},
		{
			name: "create issue", method: "POST", path: "/youtrack/api/issues",
			query: url.Values{"fields": {"id,idReadable"}},
			body:  "issue_create_request.json",
			resp:  "issue_create_response.json",
			setup: func(t *testing.T, mock *httpmock.MockTransport) {
				mock.RegisterResponder("GET", service+"/api/admin/projects", httpmock.ResponderFromResponse(jsonResponse(200, fixture(t, "projects_list.json"))))
			},
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				is, _, err := c.Issues.Create(ctx, &youtrack.IssueCreate{
					Project:     "HD",
					Summary:     "Suspicious login from 10.0.0.7",
					Description: "Five failed logins followed by a success.",
					CustomFields: []youtrack.CustomField{
						youtrack.SingleEnum("Severity", "High"),
						youtrack.DateValue("Reported", reported),
					},
				}, &youtrack.GetOptions{Fields: "id,idReadable"})
				return is, err
			},
			check: func(t *testing.T, got any) { assert.Equal(t, "HD-26", got.(*youtrack.Issue).IDReadable) },
		},
		{
			name: "update custom field", method: "POST", path: "/youtrack/api/issues/2-17/customFields/92-5",
			query: url.Values{"fields": {youtrack.DefaultCustomFieldFields}},
			body:  "custom_field_update_request.json",
			resp:  "custom_field_update_response.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				f := youtrack.DateValue("Reported", time.Date(2026, 1, 6, 23, 0, 0, 0, time.UTC))
				f.ID = "92-5"
				cf, _, err := c.Issues.UpdateCustomField(ctx, "2-17", f)
				return cf, err
			},
			check: func(t *testing.T, got any) {
				tm, ok, err := got.(*youtrack.CustomField).Time()
				require.NoError(t, err)
				assert.True(t, ok)
				assert.Equal(t, time.Date(2026, 1, 6, 12, 0, 0, 0, time.UTC), tm)
			},
		},
		{
			name: "update issue", method: "POST", path: "/youtrack/api/issues/HD-25",
			query: url.Values{"fields": {"id,idReadable,summary"}},
			body:  "issue_update_request.json",
			resp:  "issue_create_response.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				summary := "Suspicious login from 10.0.0.7 (confirmed)"
				is, _, err := c.Issues.Update(ctx, "HD-25", &youtrack.IssueUpdate{
					Summary: &summary,
					CustomFields: []youtrack.CustomField{
						youtrack.SingleEnum("Severity", "Critical"),
						youtrack.EmptyValue("Assignee", youtrack.TypeSingleUser),
					},
					Tags: &[]string{"6-2"},
				}, &youtrack.GetOptions{Fields: "id,idReadable,summary"})
				return is, err
			},
			check: func(t *testing.T, got any) { assert.Equal(t, "2-18", got.(*youtrack.Issue).ID) },
		},
		{
			name: "tag issue", method: "POST", path: "/youtrack/api/issues/HD-25/tags",
			query: url.Values{"fields": {youtrack.DefaultTagFields}},
			body:  "issue_tag_add_request.json",
			resp:  "issue_tag_add_response.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				_, err := c.Tags.AddToIssue(ctx, "HD-25", "6-2")
				return nil, err
			},
		},
		{
			name: "untag issue", method: "DELETE", path: "/youtrack/api/issues/HD-25/tags/6-2",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				_, err := c.Tags.RemoveFromIssue(ctx, "HD-25", "6-2")
				return nil, err
			},
		},
		{
			name: "me", method: "GET", path: "/youtrack/api/users/me",
			query: url.Values{"fields": {"$type,id,login,fullName,email,ringId,banned,guest"}},
			resp:  "users_me.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				u, _, err := c.Users.Me(ctx)
				return u, err
			},
			check: func(t *testing.T, got any) { assert.Equal(t, "admin", got.(*youtrack.User).Login) },
		},
		{
			name: "delete issue", method: "DELETE", path: "/youtrack/api/issues/HD-25",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				_, err := c.Issues.Delete(ctx, "HD-25")
				return nil, err
			},
		},
		{
			name: "apply command", method: "POST", path: "/youtrack/api/commands",
			body: "command_request.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				_, err := c.Commands.Apply(ctx, &youtrack.Command{
					Query: "State Fixed", Issues: []youtrack.IssueRef{youtrack.RefOf("HD-25")},
					Comment: "Closed by the ISMS sync.", Silent: true,
				})
				return nil, err
			},
		},
		{
			name: "list comments", method: "GET", path: "/youtrack/api/issues/HD-25/comments",
			query: url.Values{"fields": {youtrack.DefaultCommentFields}, "$top": {"100"}},
			resp:  "comments_list.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				list, _, err := c.Comments.List(ctx, "HD-25", nil)
				return list, err
			},
			check: func(t *testing.T, got any) {
				list := got.([]*youtrack.Comment)
				require.Len(t, list, 2)
				assert.Equal(t, "jdoe", list[0].Author.Login)
				assert.Zero(t, list[0].Updated)
				assert.False(t, list[1].UsesMarkdown)
			},
		},
		{
			name: "add comment", method: "POST", path: "/youtrack/api/issues/HD-25/comments",
			query: url.Values{"fields": {youtrack.DefaultCommentFields}},
			body:  "comment_add_request.json",
			resp:  "comment_add_response.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				md := true
				cm, _, err := c.Comments.Add(ctx, "HD-25", &youtrack.CommentInput{Text: "**Reported** to the ISMS.", UsesMarkdown: &md})
				return cm, err
			},
			check: func(t *testing.T, got any) { assert.Equal(t, "4-3", got.(*youtrack.Comment).ID) },
		},
		{
			name: "update comment", method: "POST", path: "/youtrack/api/issues/HD-25/comments/4-3",
			query: url.Values{"fields": {youtrack.DefaultCommentFields}},
			body:  "comment_add_request.json",
			resp:  "comment_add_response.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				md := true
				cm, _, err := c.Comments.Update(ctx, "HD-25", "4-3", &youtrack.CommentInput{Text: "**Reported** to the ISMS.", UsesMarkdown: &md})
				return cm, err
			},
			check: func(t *testing.T, got any) { assert.Equal(t, "4-3", got.(*youtrack.Comment).ID) },
		},
		{
			name: "delete comment", method: "DELETE", path: "/youtrack/api/issues/HD-25/comments/4-3",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				_, err := c.Comments.Delete(ctx, "HD-25", "4-3")
				return nil, err
			},
		},
		{
			name: "list projects", method: "GET", path: "/youtrack/api/admin/projects",
			query: url.Values{"fields": {youtrack.DefaultProjectFields}, "$top": {"100"}},
			resp:  "projects_list.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				list, _, err := c.Projects.List(ctx, nil)
				return list, err
			},
			check: func(t *testing.T, got any) {
				assert.Equal(t, "0-2", got.([]*youtrack.Project)[1].ID)
			},
		},
		{
			name: "project custom fields", method: "GET", path: "/youtrack/api/admin/projects/0-1/customFields",
			query: url.Values{"fields": {youtrack.DefaultProjectCustomFieldFields}, "$top": {"100"}},
			resp:  "project_custom_fields.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				list, _, err := c.Projects.CustomFields(ctx, "0-1", nil)
				return list, err
			},
			check: func(t *testing.T, got any) {
				list := got.([]*youtrack.ProjectCustomField)
				require.Len(t, list, 3)
				assert.Equal(t, "state", list[0].Bundle.Kind())
				assert.Equal(t, "date", list[2].Field.FieldType.ID)
			},
		},
		{
			name: "bundle values", method: "GET", path: "/youtrack/api/admin/customFieldSettings/bundles/state/70-1/values",
			query: url.Values{"fields": {youtrack.DefaultBundleValueFields}, "$top": {"100"}},
			resp:  "bundle_state_values.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				list, _, err := c.Projects.BundleValues(ctx, "state", "70-1", nil)
				return list, err
			},
			check: func(t *testing.T, got any) {
				list := got.([]*youtrack.BundleElement)
				require.Len(t, list, 3)
				assert.True(t, list[2].IsResolved)
			},
		},
		{
			name: "youtrack users", method: "GET", path: "/youtrack/api/users",
			query: url.Values{"fields": {youtrack.DefaultUserFields}, "$top": {"100"}},
			resp:  "users_youtrack.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				list, _, err := c.Users.ListYouTrack(ctx, nil)
				return list, err
			},
			check: func(t *testing.T, got any) {
				list := got.([]*youtrack.User)
				require.Len(t, list, 3)
				assert.True(t, list[1].Banned)
				assert.Equal(t, "Bob Smith", list[1].DisplayName())
				assert.True(t, list[2].Guest)
				assert.Contains(t, string(list[0].Extra["avatarUrl"]), "/hub/api/rest/avatar/")
				for _, u := range list {
					assert.Zero(t, u.LastAccessTime, "/api/users has no last access time")
					assert.Empty(t, u.Problems)
				}
			},
		},
		{
			name: "hub users", method: "GET", path: "/youtrack/hub/api/rest/users",
			query: url.Values{"fields": {youtrack.DefaultHubUserFields}, "$top": {"100"}, "query": {"not is:banned"}},
			resp:  "users_hub.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				list, _, err := c.Users.ListHub(ctx, &youtrack.HubListOptions{Query: "not is:banned"})
				return list, err
			},
			check: func(t *testing.T, got any) {
				list := got.([]*youtrack.HubUser)
				require.Len(t, list, 3)
				u := list[1].User()
				assert.True(t, u.Banned)
				assert.Equal(t, "bob.smith@example.com", u.Email)
				assert.Equal(t, time.Date(2025, 10, 7, 9, 0, 0, 0, time.UTC), u.LastAccessTime.Time())
				assert.Equal(t, []youtrack.Group{{ID: "g-all", Name: "All Users"}}, u.Groups)
			},
		},
		{
			name: "list tags", method: "GET", path: "/youtrack/api/tags",
			query: url.Values{"fields": {youtrack.DefaultTagFields}, "$top": {"100"}, "query": {"Sec"}},
			resp:  "tags_list.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				list, _, err := c.Tags.List(ctx, "Sec", nil)
				return list, err
			},
			check: func(t *testing.T, got any) { assert.Equal(t, "Security", got.([]*youtrack.Tag)[1].Name) },
		},
		{
			name: "create tag", method: "POST", path: "/youtrack/api/tags",
			query: url.Values{"fields": {youtrack.DefaultTagFields}},
			body:  "tag_create_request.json",
			resp:  "tag_create_response.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				tg, _, err := c.Tags.Create(ctx, "tb:finding-42")
				return tg, err
			},
			check: func(t *testing.T, got any) { assert.Equal(t, "6-9", got.(*youtrack.Tag).ID) },
		},
	}
}

// register answers the endpoint's request with status and body after
// checking that the request is exactly the expected one.
func (e endpoint) register(t *testing.T, mock *httpmock.MockTransport, status int, body string) {
	mock.RegisterResponder(e.method, "=~^"+strings.TrimSuffix(service, "/youtrack")+e.path+`(\?.*)?$`, func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "Bearer "+token, r.Header.Get("Authorization"))
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
		assert.Equal(t, e.path, r.URL.Path)
		got := r.URL.Query()
		want := e.query
		if want == nil {
			want = url.Values{}
		}
		assert.Equal(t, want, got, "query of %s %s", e.method, e.path)
		var sent []byte
		if r.Body != nil {
			sent, _ = io.ReadAll(r.Body)
		}
		if e.body != "" {
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.JSONEq(t, fixture(t, e.body), string(sent), "body of %s %s", e.method, e.path)
		} else {
			assert.Empty(t, sent)
		}
		return jsonResponse(status, body), nil
	})
}

func TestEndpointsBuildExactRequests(t *testing.T) {
	t.Parallel()
	for _, e := range allEndpoints() {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			c, mock := newMockClient(t)
			if e.setup != nil {
				e.setup(t, mock)
			}
			resp := ""
			if e.resp != "" {
				resp = fixture(t, e.resp)
			}
			e.register(t, mock, http.StatusOK, resp)
			got, err := e.run(context.Background(), c)
			require.NoError(t, err)
			if e.check != nil {
				e.check(t, got)
			}
			assert.Equal(t, 1, mock.GetCallCountInfo()[e.method+" =~^"+strings.TrimSuffix(service, "/youtrack")+e.path+`(\?.*)?$`])
		})
	}
}

func TestEndpointsReportErrors(t *testing.T) {
	t.Parallel()
	errs := []struct {
		status  int
		fixture string
		want    error
		message string
	}{
		{400, "error_400.json", tracker.ErrInvalid, `Field Severity: no value "Urgent" in the bundle (bad_request)`},
		{401, "error_401.json", tracker.ErrUnauthorized, "You are not logged in. (Unauthorized)"},
		{404, "error_404.json", tracker.ErrNotFound, "Entity with id HD-9999 not found (Not Found)"},
		{500, "error_500.json", tracker.ErrUnavailable, "Incompatible field type: SingleEnumIssueCustomField for field Reported of type DateIssueCustomField (server_error)"},
	}
	for _, e := range allEndpoints() {
		for _, x := range errs {
			t.Run(fmt.Sprintf("%s/%d", e.name, x.status), func(t *testing.T) {
				t.Parallel()
				c, mock := newMockClient(t)
				if e.setup != nil {
					e.setup(t, mock)
				}
				e.register(t, mock, x.status, fixture(t, x.fixture))
				_, err := e.run(context.Background(), c)
				require.Error(t, err)
				assert.ErrorIs(t, err, x.want)
				var apiErr *youtrack.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, x.status, apiErr.StatusCode)
				assert.Equal(t, x.message, apiErr.Message)
				assert.NotContains(t, err.Error(), token)
			})
		}
	}
}

func TestCreateResolvesProjectOnce(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t)
	mock.RegisterResponder("GET", service+"/api/admin/projects", httpmock.ResponderFromResponse(jsonResponse(200, fixture(t, "projects_list.json"))))
	var projects []string
	mock.RegisterResponder("POST", service+"/api/issues", func(r *http.Request) (*http.Response, error) {
		var body struct {
			Project struct{ ID string } `json:"project"`
		}
		b, _ := io.ReadAll(r.Body)
		require.NoError(t, json.Unmarshal(b, &body))
		projects = append(projects, body.Project.ID)
		return jsonResponse(200, fixture(t, "issue_create_response.json")), nil
	})
	for _, p := range []string{"HD", "sec", "HD"} {
		_, _, err := c.Issues.Create(context.Background(), &youtrack.IssueCreate{Project: p, Summary: "x"}, nil)
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"0-1", "0-2", "0-1"}, projects)
	assert.Equal(t, 1, mock.GetCallCountInfo()["GET "+service+"/api/admin/projects"], "the short name → id map is cached")

	_, _, err := c.Issues.Create(context.Background(), &youtrack.IssueCreate{Project: "NOPE", Summary: "x"}, nil)
	assert.ErrorIs(t, err, tracker.ErrNotFound)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
		opts []youtrack.Option
		want string // error substring, "" for success
	}{
		{"ok", "https://example.youtrack.cloud", []youtrack.Option{youtrack.WithToken(token)}, ""},
		{"empty token", "https://example.youtrack.cloud", []youtrack.Option{youtrack.WithToken(" ")}, "empty token"},
		{"plain http", "http://youtrack.example.com", []youtrack.Option{youtrack.WithToken(token)}, "plain http"},
		{"plain http allowed", "http://youtrack.example.com", []youtrack.Option{youtrack.WithToken(token), youtrack.WithInsecureHTTP()}, ""},
		{"bad scheme", "ftp://example.com", nil, "scheme"},
		{"bad page size", "https://example.youtrack.cloud", []youtrack.Option{youtrack.WithPageSize(0)}, "WithPageSize"},
		{"bad retries", "https://example.youtrack.cloud", []youtrack.Option{youtrack.WithMaxRetries(-1)}, "negative"},
		{"bad retry wait", "https://example.youtrack.cloud", []youtrack.Option{youtrack.WithRetryWait(time.Second, time.Millisecond)}, "min <= max"},
		{"bad user api", "https://example.youtrack.cloud", []youtrack.Option{youtrack.WithUserAPI(7)}, "unknown API"},
		{"nil http client", "https://example.youtrack.cloud", []youtrack.Option{youtrack.WithHTTPClient(nil)}, "nil client"},
		{"nil limiter", "https://example.youtrack.cloud", []youtrack.Option{youtrack.WithLimiter(nil)}, "youtrack: WithLimiter: nil limiter"},
		{"user agent line break", "https://example.youtrack.cloud", []youtrack.Option{youtrack.WithUserAgent("a\nb")}, "youtrack: WithUserAgent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := youtrack.New(tt.url, tt.opts...)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestServiceURLAcceptsAPISuffix(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"https://host/youtrack", "https://host/youtrack/", "https://host/youtrack/api", "https://host/youtrack/api/"} {
		c, err := youtrack.New(in)
		require.NoError(t, err)
		assert.Equal(t, "https://host/youtrack", c.ServiceURL(), in)
		assert.Equal(t, "https://host/youtrack/issue/HD-25", c.IssueURL("HD-25"))
	}
}

func TestClientNeverPrintsToken(t *testing.T) {
	t.Parallel()
	c, _ := newMockClient(t)
	for _, s := range []string{fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", c), fmt.Sprintf("%s", c), c.String()} {
		assert.NotContains(t, s, token)
		assert.NotContains(t, s, "s3cr3t")
		assert.Contains(t, s, "youtrack")
	}
}

func TestRetriesGetOn503ButNeverPost(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t, youtrack.WithMaxRetries(2), youtrack.WithRetryWait(time.Millisecond, time.Millisecond))
	mock.RegisterResponder("GET", service+"/api/issues/HD-25", httpmock.ResponderFromMultipleResponses([]*http.Response{
		jsonResponse(503, `{"error":"unavailable","error_description":"maintenance"}`),
		jsonResponse(200, fixture(t, "issue_get.json")),
	}))
	mock.RegisterResponder("POST", service+"/api/commands", httpmock.ResponderFromResponse(jsonResponse(503, `{"error":"unavailable","error_description":"maintenance"}`)))

	is, _, err := c.Issues.Get(context.Background(), "HD-25", nil)
	require.NoError(t, err)
	assert.Equal(t, "2-17", is.ID)

	_, err = c.Commands.Apply(context.Background(), &youtrack.Command{Query: "State Fixed", Issues: []youtrack.IssueRef{{IDReadable: "HD-25"}}})
	assert.ErrorIs(t, err, tracker.ErrUnavailable)
	assert.Equal(t, 1, mock.GetCallCountInfo()["POST "+service+"/api/commands"], "a command is never repeated")
}

func TestInputsCheckedBeforeIO(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t)
	ctx := context.Background()
	_, _, err1 := c.Issues.Get(ctx, "", nil)
	_, _, err2 := c.Issues.Create(ctx, &youtrack.IssueCreate{Project: "HD"}, nil)
	_, err3 := c.Commands.Apply(ctx, &youtrack.Command{Query: "State Fixed"})
	_, _, err4 := c.Issues.UpdateCustomField(ctx, "HD-1", youtrack.CustomField{Name: "Reported"})
	for _, err := range []error{err1, err2, err3, err4} {
		assert.Error(t, err)
	}
	assert.Zero(t, mock.GetTotalCallCount())
	assert.False(t, errors.Is(err1, tracker.ErrNotFound))
}
