package jira_test

import (
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/tracker"
)

func newAdapter(t *testing.T, cfg jira.AdapterConfig, opts ...jiratest.Option) (*jira.Adapter, *jiratest.Server) {
	t.Helper()
	srv := jiratest.NewServer(t, opts...)
	a, err := jira.NewAdapter(newClient(t, srv), cfg)
	require.NoError(t, err)
	return a, srv
}

func TestAdapterMapping(t *testing.T) {
	t.Parallel()
	for _, dc := range []bool{false, true} {
		t.Run(map[bool]string{false: "cloud", true: "datacenter"}[dc], func(t *testing.T) {
			t.Parallel()
			var opts []jiratest.Option
			owner := "5b10ac8d82e05b22cc7d4ef5"
			if dc {
				opts = append(opts, jiratest.WithDataCenter())
				owner = "alice"
			}
			a, srv := newAdapter(t, jira.AdapterConfig{}, opts...)
			ctx := t.Context()
			review := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
			in := &tracker.NewIssue{
				Project: "SEC", Type: "Bug", Summary: "Mapped", Description: "two\nlines",
				Priority: "Highest", Assignee: owner, Labels: []string{"l1"}, Marker: "eh-1",
				Fields: map[string]any{"Owner": owner, "Review Date": review, "Notes": "n1\nn2", "customfield_10090": "by id"},
			}
			created, err := a.CreateIssue(ctx, in)
			require.NoError(t, err)
			assert.Equal(t, srv.URL()+"/browse/"+created.Key, created.URL)
			assert.Contains(t, created.Labels, "eh-1")

			got, err := a.GetIssue(ctx, created.Key)
			require.NoError(t, err)
			assert.Equal(t, "SEC", got.Project)
			assert.Equal(t, "Bug", got.Type)
			assert.Equal(t, "two\nlines", got.Description)
			assert.Equal(t, "To Do", got.Status)
			assert.Equal(t, tracker.CategoryToDo, got.StatusCategory)
			assert.Equal(t, "Highest", got.Priority)
			assert.Equal(t, owner, got.Assignee)
			assert.Equal(t, "Alice Analyst", got.Fields["assignee_name"])
			assert.NotEmpty(t, got.Reporter)
			assert.ElementsMatch(t, []string{"l1", "eh-1"}, got.Labels)
			assert.Equal(t, owner, got.Fields["Owner"])
			assert.Equal(t, review, got.Fields["Review Date"])
			assert.Equal(t, "n1\nn2", got.Fields["Notes"])
			assert.Equal(t, "by id", got.Fields["External ID"], "fields set by id read back by name")
			assert.False(t, got.Created.IsZero())

			// Replacing labels and editing them in one change.
			require.NoError(t, a.UpdateIssue(ctx, got.ID, &tracker.Change{Labels: &[]string{"a", "b"}, AddLabels: []string{"c"}, RemoveLabels: []string{"a"}}))
			after, err := a.GetIssue(ctx, got.ID)
			require.NoError(t, err)
			assert.Equal(t, []string{"b", "c"}, after.Labels)

			c, err := a.AddComment(ctx, got.ID, "multi\nline comment")
			require.NoError(t, err)
			assert.Equal(t, "multi\nline comment", c.Body)
			assert.Equal(t, got.ID, c.IssueID)
			assert.Equal(t, "Ada Admin", c.AuthorName)

			var users []*tracker.User
			for u, err := range a.ListUsers(ctx) {
				require.NoError(t, err)
				users = append(users, u)
			}
			require.Len(t, users, 5)
			assert.Equal(t, []string{"jira-administrators", "jira-software-users"}, users[0].Groups, "groups are expanded")
			assert.Equal(t, []string{"jira-software"}, users[0].Roles, "application roles are expanded")
			if !dc { // Data Center does not tell app accounts apart
				assert.True(t, slices.ContainsFunc(users, func(u *tracker.User) bool { return u.Bot && u.Active }), "the app account is a bot")
			}
			assert.True(t, slices.ContainsFunc(users, func(u *tracker.User) bool { return !u.Active && u.Name == "Bob Former" }))
			if dc {
				assert.Equal(t, "admin", users[0].Login)
				assert.Equal(t, "JIRAUSER10000", users[0].ID)
			} else {
				assert.Equal(t, "5b10a2844c20165700ede21g", users[0].ID)
			}
		})
	}
}

func TestAdapterBulkAndErrors(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, jira.AdapterConfig{MarkerPrefix: "sync-"})
	ctx := t.Context()
	res, err := a.CreateIssues(ctx, []*tracker.NewIssue{
		{Project: "SEC", Summary: "ok 0", Marker: "m0"},
		{Project: "SEC", Summary: "bad marker", Marker: "has space"},
		{Project: "SEC", Summary: "bad priority", Priority: "Nope"},
		{Project: "SEC", Summary: "ok 3"},
	})
	require.NoError(t, err)
	require.Len(t, res, 4)
	assert.NoError(t, res[0].Err)
	assert.Contains(t, res[0].Issue.Labels, "sync-m0")
	assert.ErrorContains(t, res[1].Err, "marker")
	var be *jira.BulkElementError
	require.ErrorAs(t, res[2].Err, &be)
	assert.Equal(t, 2, be.Index, "the index is the caller's, not the bulk request's")
	assert.NoError(t, res[3].Err)
	assert.Len(t, srv.Issues(), 2)

	found, err := a.FindByMarker(ctx, "m0")
	require.NoError(t, err)
	require.Len(t, found, 1)
	assert.Equal(t, res[0].Issue.ID, found[0].ID)

	_, err = a.CreateIssue(ctx, &tracker.NewIssue{Project: "SEC", Summary: "x", Fields: map[string]any{"Colour": "red"}})
	assert.ErrorIs(t, err, tracker.ErrInvalid)
	assert.ErrorContains(t, err, "Colour")

	_, err = jira.NewAdapter(nil, jira.AdapterConfig{})
	assert.Error(t, err)
	_, err = jira.NewAdapter(a.Client(), jira.AdapterConfig{MarkerPrefix: "bad prefix"})
	assert.Error(t, err)
}

func TestAdapterFieldListFailureIsNotInvalidInput(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	c, err := jira.New(srv.URL(), jira.WithHTTPClient(srv.Client()), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	require.NoError(t, err)
	a, err := jira.NewAdapter(c, jira.AdapterConfig{})
	require.NoError(t, err)
	in := &tracker.NewIssue{Project: "SEC", Summary: "x", Fields: map[string]any{"Severity": "High"}}

	srv.FailNext(1, http.StatusForbidden, 0)
	_, err = a.CreateIssue(t.Context(), in)
	assert.ErrorIs(t, err, tracker.ErrForbidden)
	assert.NotErrorIs(t, err, tracker.ErrInvalid, "the request was not at fault; a retry may succeed")

	_, err = a.CreateIssue(t.Context(), in)
	require.NoError(t, err, "the failed load is not cached")
}

func TestAdapterFieldListFailureFailsTheRead(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("GET", site+"/rest/api/3/issue/SEC-42", func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewBytesResponse(200, fixture(t, "issue_get.json"))
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	fieldCalls := 0
	mock.RegisterResponder("GET", site+"/rest/api/3/field", func(*http.Request) (*http.Response, error) {
		fieldCalls++
		if fieldCalls == 1 {
			return httpmock.NewStringResponse(502, "<html><title>Bad gateway</title></html>"), nil
		}
		resp := httpmock.NewBytesResponse(200, fixture(t, "fields.json"))
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	c, err := jira.New(site, jira.WithHTTPClient(&http.Client{Transport: mock}), jira.WithToken("t"), jira.WithMaxRetries(0))
	require.NoError(t, err)
	a, err := jira.NewAdapter(c, jira.AdapterConfig{})
	require.NoError(t, err)

	_, err = a.GetIssue(t.Context(), "SEC-42")
	assert.ErrorIs(t, err, tracker.ErrUnavailable, "custom fields are not reported by id because the list failed to load")

	is, err := a.GetIssue(t.Context(), "SEC-42")
	require.NoError(t, err)
	assert.Equal(t, "High", is.Fields["Severity"])
	assert.Equal(t, map[string]any{"appSpecific": true, "nested": []any{1.0, 2.0, 3.0}}, is.Fields["customfield_10099"],
		"a field the list does not hold is kept by id")
}

func TestAdapterSearchJQL(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	a, srv := newAdapter(t, jira.AdapterConfig{Location: berlin})
	q := tracker.Query{Project: `SEC"`, UpdatedSince: time.Date(2025, 1, 1, 10, 30, 45, 0, time.UTC), Statuses: []string{"To Do", "Done"}, Raw: "labels = x"}
	assert.Equal(t, `project = "SEC\"" AND updated >= "2025-01-01 11:30" AND status in ("To Do", "Done") AND (labels = x) ORDER BY updated ASC, key ASC`, a.SearchJQL(t.Context(), q))
	assert.Zero(t, srv.RequestCount("GET /rest/api/3/myself"), "a configured zone needs no lookup")

	// Without a zone the adapter asks Jira for the user's, once.
	b, srv2 := newAdapter(t, jira.AdapterConfig{})
	for range 2 {
		assert.Contains(t, b.SearchJQL(t.Context(), tracker.Query{UpdatedSince: time.Date(2025, 1, 1, 10, 30, 45, 0, time.UTC)}), `updated >= "2025-01-01 10:30"`)
	}
	assert.Equal(t, 1, srv2.RequestCount("GET /rest/api/3/myself"))
}

func TestAdapterSearchJQLWhenTheZoneLookupFails(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	// Not through the contract check: the document lists no 403 for
	// /myself.
	c, err := jira.New(srv.URL(), jira.WithHTTPClient(srv.Client()), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	require.NoError(t, err)
	a, err := jira.NewAdapter(c, jira.AdapterConfig{})
	require.NoError(t, err)
	q := tracker.Query{UpdatedSince: time.Date(2025, 1, 1, 10, 30, 45, 0, time.UTC)}

	srv.FailNext(1, http.StatusForbidden, 0)
	assert.Contains(t, a.SearchJQL(t.Context(), q), `updated >= "2024-12-31 20:30"`,
		"an unknown zone starts the window early enough for any zone")
	assert.Contains(t, a.SearchJQL(t.Context(), q), `updated >= "2025-01-01 10:30"`,
		"the failure is not remembered: the next search learns the zone")
	assert.Equal(t, 2, srv.RequestCount("GET /rest/api/3/myself"))
}

func TestAdapterMarkdown(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, jira.AdapterConfig{Markdown: true})
	md := "# Finding\n\n- **host** `10.0.0.7`\n- see [runbook](https://runbooks.example/smb)"
	is, err := a.CreateIssue(t.Context(), &tracker.NewIssue{Project: "SEC", Summary: "md", Description: md})
	require.NoError(t, err)
	got, err := a.GetIssue(t.Context(), is.ID)
	require.NoError(t, err)
	assert.Equal(t, md, got.Description)
	snap, _ := srv.Issue(is.ID)
	assert.Equal(t, "Finding\n\n- host 10.0.0.7\n- see runbook", snap.Description, "stored as structured ADF")
}

func TestAdapterDescribe(t *testing.T) {
	t.Parallel()
	a, _ := newAdapter(t, jira.AdapterConfig{})
	fields, err := a.DescribeFields(t.Context(), "SEC", "Bug")
	require.NoError(t, err)
	byName := map[string]tracker.FieldInfo{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	assert.True(t, byName["summary"].Required)
	assert.Equal(t, []string{"Highest", "High", "Medium", "Low", "Lowest"}, byName["priority"].Allowed)
	assert.Equal(t, jiratest.FieldSeverity, byName["Severity"].ID)
	assert.Equal(t, []string{"Critical", "High", "Medium", "Low"}, byName["Severity"].Allowed)
	assert.Equal(t, "option", byName["Severity"].Type)

	_, err = a.DescribeFields(t.Context(), "SEC", "Spaceship")
	assert.ErrorIs(t, err, tracker.ErrNotFound)
	assert.ErrorContains(t, err, "Bug")

	statuses, err := a.DescribeStatuses(t.Context(), "SEC")
	require.NoError(t, err)
	assert.Equal(t, []tracker.StatusInfo{
		{Name: "To Do", Category: tracker.CategoryToDo}, {Name: "In Progress", Category: tracker.CategoryInProgress},
		{Name: "In Review", Category: tracker.CategoryInProgress}, {Name: "Done", Category: tracker.CategoryDone},
	}, statuses)
}

func TestAdapterReconcilesItsWrites(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("POST", site+"/rest/api/3/issue", func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewBytesResponse(201, fixture(t, "issue_create_201.json"))
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	var searchBody string
	mock.RegisterResponder("POST", site+"/rest/api/3/search/jql", func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		searchBody = string(b)
		resp := httpmock.NewStringResponse(200, `{"issues":[],"isLast":true}`)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	c, err := jira.New(site, jira.WithHTTPClient(&http.Client{Transport: mock}), jira.WithToken("t"))
	require.NoError(t, err)
	a, err := jira.NewAdapter(c, jira.AdapterConfig{})
	require.NoError(t, err)
	_, err = a.CreateIssue(t.Context(), &tracker.NewIssue{Project: "SEC", Summary: "s", Marker: "m-1"})
	require.NoError(t, err)
	found, err := a.FindByMarker(t.Context(), "m-1")
	require.NoError(t, err)
	assert.Empty(t, found)
	assert.JSONEq(t, `{"jql":"labels = \"m-1\" ORDER BY created ASC","fields":["*navigable"],"reconcileIssues":[10043]}`, searchBody)
}
