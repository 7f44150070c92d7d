package jira_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
)

// routedClient serves a fixture per "METHOD /path".
func routedClient(t *testing.T, base string, routes map[string]string, opts ...jira.Option) *jira.Client {
	t.Helper()
	mock := httpmock.NewMockTransport()
	for route, name := range routes {
		method, path, _ := strings.Cut(route, " ")
		status := 200
		if method == "POST" {
			status = 201
		}
		body := fixture(t, name)
		mock.RegisterResponder(method, base+path, func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewBytesResponse(status, body)
			resp.Header.Set("Content-Type", "application/json")
			return resp, nil
		})
	}
	mock.RegisterResponder("GET", base+"/rest/api/3/priority", httpmock.NewStringResponder(404, `{"errorMessages":["gone"]}`))
	c, err := jira.New(base, append([]jira.Option{jira.WithHTTPClient(&http.Client{Transport: mock}), jira.WithToken("t")}, opts...)...)
	require.NoError(t, err)
	return c
}

func TestDecodeFixtures(t *testing.T) {
	t.Parallel()
	c := routedClient(t, site, map[string]string{
		"GET /rest/api/3/priority/search":                       "priority_search.json",
		"GET /rest/api/3/status":                                "statuses.json",
		"GET /rest/api/3/project/SEC/statuses":                  "project_statuses.json",
		"GET /rest/api/3/issue/createmeta/SEC/issuetypes":       "createmeta_issuetypes.json",
		"GET /rest/api/3/issue/createmeta/SEC/issuetypes/10002": "createmeta_fields.json",
		"GET /rest/api/3/issue/SEC-42/remotelink":               "remotelink.json",
		"POST /rest/api/3/issue/SEC-42/remotelink":              "remotelink_created.json",
		"GET /rest/api/3/issue/SEC-42/properties/com.acme.sync": "property.json",
		"GET /rest/api/3/issue/SEC-42/comment/10100":            "comment.json",
		"GET /rest/api/3/issue/SEC-42/transitions":              "transitions.json",
		"GET /rest/api/3/project/search":                        "project_search.json",
		"GET /rest/api/3/field":                                 "fields.json",
		"GET /rest/api/3/myself":                                "myself.json",
		"GET /rest/api/3/users/search":                          "users_search.json",
		"GET /rest/api/3/issue/SEC-42/comment":                  "comments_page.json",
	})
	ctx := context.Background()

	prios, _, err := c.Workflow.Priorities(ctx)
	require.NoError(t, err, "falls back to priority/search")
	require.Len(t, prios, 2)
	assert.True(t, prios[1].IsDefault)

	sts, _, err := c.Workflow.Statuses(ctx)
	require.NoError(t, err)
	assert.Equal(t, "new", sts[0].CategoryKey())
	assert.EqualValues(t, 2, sts[0].StatusCategory.ID)

	pst, _, err := c.Workflow.ProjectStatuses(ctx, "SEC")
	require.NoError(t, err)
	assert.Equal(t, "Triage", pst[1].Statuses[1].Name)

	var types []string
	for it, err := range c.Projects.CreateIssueTypes(ctx, "SEC") {
		require.NoError(t, err)
		types = append(types, it.Name)
	}
	assert.Equal(t, []string{"Task", "Bug"}, types)
	var fields []*jira.FieldMetadata
	for f, err := range c.Projects.CreateFields(ctx, "SEC", "10002") {
		require.NoError(t, err)
		fields = append(fields, f)
	}
	require.Len(t, fields, 3)
	assert.True(t, fields[2].Required)
	assert.Equal(t, "Low", fields[2].AllowedValues[1].Label())
	assert.Equal(t, "Highest", fields[1].AllowedValues[0].Label())

	links, _, err := c.RemoteLinks.List(ctx, "SEC-42", "extrahop=8589935233")
	require.NoError(t, err)
	require.Len(t, links, 1)
	assert.True(t, links[0].Object.Status.Resolved)
	assert.EqualValues(t, 10000, links[0].ID)
	ref, _, err := c.RemoteLinks.Save(ctx, "SEC-42", &links[0])
	require.NoError(t, err)
	assert.EqualValues(t, 10000, ref.ID)

	prop, _, err := c.Properties.Get(ctx, "SEC-42", "com.acme.sync")
	require.NoError(t, err)
	assert.JSONEq(t, `{"source": "extrahop", "rev": 3}`, string(prop))

	cm, _, err := c.Comments.Get(ctx, "SEC-42", "10100")
	require.NoError(t, err)
	assert.Equal(t, "Done", cm.Body.Text())
	var bodies []string
	for cm, err := range c.Comments.All(ctx, "SEC-42") {
		require.NoError(t, err)
		bodies = append(bodies, cm.Body.Text())
		assert.Equal(t, "Administrators", cm.Visibility.Value)
	}
	assert.Equal(t, []string{"Looking\ninto it"}, bodies)

	trs, _, err := c.Transitions.List(ctx, "SEC-42")
	require.NoError(t, err)
	assert.Equal(t, "In Review", trs[0].To.Name)

	projects, err := c.Projects.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, "SEC", projects[0].Key)

	_, err = c.Fields.Resolve(ctx, "Team")
	assert.ErrorContains(t, err, "ambiguous")
	assert.ErrorContains(t, err, "customfield_10111, customfield_10112")
	f, err := c.Fields.Resolve(ctx, "customfield_10111")
	require.NoError(t, err)
	assert.Equal(t, "Team", f.Name)
	assert.False(t, f.Schema.IsRichText())
	notes, err := c.Fields.Resolve(ctx, "Notes")
	require.NoError(t, err)
	assert.True(t, notes.Schema.IsRichText())

	me, _, err := c.Users.Myself(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Europe/Berlin", me.TimeZone)
	users, _, err := c.Users.List(ctx, 0, 50)
	require.NoError(t, err)
	assert.Equal(t, "app", users[2].AccountType)
	assert.Empty(t, users[1].EmailAddress, "hidden by privacy settings")
}

func TestDecodeDataCenterFixtures(t *testing.T) {
	t.Parallel()
	const dcBase = "https://jira.acme.com"
	c := routedClient(t, dcBase, map[string]string{
		"GET /rest/api/2/issue/createmeta/OPS/issuetypes": "createmeta_issuetypes_dc.json",
		"POST /rest/api/2/search":                         "search_dc.json",
	}, jira.WithDataCenter())
	var types []string
	for it, err := range c.Projects.CreateIssueTypes(t.Context(), "OPS") {
		require.NoError(t, err)
		types = append(types, it.Name)
	}
	assert.Equal(t, []string{"Task"}, types, "Data Center pages createmeta in values")

	page, _, err := c.Search.Page(t.Context(), "project = OPS", nil, "")
	require.NoError(t, err)
	assert.Equal(t, 3, page.Total)
	assert.Equal(t, "2", page.Next, "advances by what came back")
	assert.Equal(t, "plain *wiki* text", page.Issues[0].Fields.Description.Text())
	assert.Equal(t, "alice", page.Issues[0].Fields.Assignee.ID())
	assert.Nil(t, page.Issues[1].Fields.Description)
}

// FuzzDecodeIssue checks that decoding an issue never panics, and that any
// JSON object decodes without error: problems are reported, not fatal.
func FuzzDecodeIssue(f *testing.F) {
	for _, name := range []string{"issue_get.json", "search_mistyped.json", "search_dc_warnings.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"id":1,"fields":{"updated":5,"project":{"lead":"x"},"labels":"y"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var probe map[string]json.RawMessage
		objectIn := json.Unmarshal(data, &probe) == nil && probe != nil
		var is jira.Issue
		err := json.Unmarshal(data, &is)
		if objectIn {
			require.NoError(t, err, "an object always decodes")
			for _, p := range is.Problems() {
				assert.NotEmpty(t, p.Path)
				assert.True(t, json.Valid(p.Raw), "a problem keeps the value as sent")
			}
		}
	})
}
