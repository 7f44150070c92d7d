package jira_test

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/internal/contract"
	"github.com/trackbridge/trackbridge/jira"
)

const dcSite = "https://jira.acme.com"

// answer is a canned response for "METHOD /path".
type answer struct {
	status  int
	fixture string
}

// bodies records request bodies by "METHOD /path?query".
type bodies struct {
	mu sync.Mutex
	m  map[string]string
}

func (b *bodies) get(route string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.m[route]
}

// payloadClient serves recorded payloads. Cloud clients go through the
// contract check against Atlassian's OpenAPI document unless unchecked is
// set (for payloads deliberately off the schema); Data Center clients are
// not checked, their v2 paths not being in that document.
func payloadClient(t *testing.T, dc, unchecked bool, routes map[string]answer) (*jira.Client, *bodies) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	rec := &bodies{m: map[string]string{}}
	base := site
	if dc {
		base = dcSite
	}
	for route, a := range routes {
		method, path, _ := cutRoute(route)
		data := fixture(t, a.fixture)
		mock.RegisterResponder(method, base+path, func(req *http.Request) (*http.Response, error) {
			var b []byte
			if req.Body != nil {
				b, _ = io.ReadAll(req.Body)
			}
			rec.mu.Lock()
			rec.m[method+" "+req.URL.Path] = string(b)
			rec.m[method+" "+req.URL.Path+"?"] = req.URL.RawQuery
			rec.mu.Unlock()
			resp := httpmock.NewBytesResponse(a.status, data)
			resp.Header.Set("Content-Type", "application/json;charset=UTF-8")
			return resp, nil
		})
	}
	var transport http.RoundTripper = mock
	opts := []jira.Option{jira.WithToken("t")}
	if dc {
		opts = append(opts, jira.WithDataCenter())
	} else if !unchecked {
		transport = contract.Load(t, contract.Jira).Transport(t, mock)
	}
	c, err := jira.New(base, append(opts, jira.WithHTTPClient(&http.Client{Transport: transport}))...)
	require.NoError(t, err)
	return c, rec
}

func cutRoute(route string) (method, path string, ok bool) {
	for i := range len(route) {
		if route[i] == ' ' {
			return route[:i], route[i+1:], true
		}
	}
	return route, "", false
}

func TestTransitionsWithStringAllowedValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		dc      bool
		fixture string
		field   string
		want    []string
	}{
		{"Atlassian's example", false, "transitions_string_allowed.json", "colour", []string{"red", "blue"}},
		{"Data Center labels field", true, "transitions_dc.json", "customfield_10300", []string{"triage", "escalated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := "/rest/api/3"
			if tt.dc {
				api = "/rest/api/2"
			}
			c, _ := payloadClient(t, tt.dc, false, map[string]answer{"GET " + api + "/issue/SEC-1/transitions": {200, tt.fixture}})
			list, _, err := c.Transitions.List(t.Context(), "SEC-1")
			require.NoError(t, err)
			var fm *jira.FieldMetadata
			for _, tr := range list {
				if f := tr.Fields[tt.field]; f != nil {
					fm = f
				}
			}
			require.NotNil(t, fm, "field %s on some transition", tt.field)
			var got []string
			for _, v := range fm.AllowedValues {
				got = append(got, v.Label())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMoveToWithStringAllowedValues(t *testing.T) {
	t.Parallel()
	c, rec := payloadClient(t, true, false, map[string]answer{
		"GET /rest/api/2/issue/OPS-7":              {200, "issue_dc_in_progress.json"},
		"GET /rest/api/2/issue/OPS-7/transitions":  {200, "transitions_dc.json"},
		"POST /rest/api/2/issue/OPS-7/transitions": {204, "empty.json"},
	})
	n, err := c.Transitions.MoveTo(t.Context(), "OPS-7", jira.Target{Status: "Resolved", Resolution: "Fixed"})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.JSONEq(t, `{"transition":{"id":"5"},"fields":{"resolution":{"name":"Fixed"}}}`, rec.get("POST /rest/api/2/issue/OPS-7/transitions"))
}

func TestTransitionSendsHistoryMetadata(t *testing.T) {
	t.Parallel()
	c, rec := payloadClient(t, false, false, map[string]answer{"POST /rest/api/3/issue/SEC-1/transitions": {204, "empty.json"}})
	_, err := c.Transitions.Do(t.Context(), "SEC-1", &jira.TransitionInput{ID: "21", HistoryMetadata: &jira.HistoryMetadata{
		Type: "trackbridge:sync", Description: "Closed from ExtraHop", ActivityDescription: "Detection closed",
		Actor:     &jira.HistoryMetadataParticipant{ID: "trackbridge", DisplayName: "trackbridge", Type: "application"},
		ExtraData: map[string]string{"detection": "4711"},
	}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"transition":{"id":"21"},"historyMetadata":{"type":"trackbridge:sync","description":"Closed from ExtraHop",
		"activityDescription":"Detection closed","actor":{"id":"trackbridge","displayName":"trackbridge","type":"application"},
		"extraData":{"detection":"4711"}}}`, rec.get("POST /rest/api/3/issue/SEC-1/transitions"))
}

func TestSearchPageSurvivesMistypedFields(t *testing.T) {
	t.Parallel()
	c, _ := payloadClient(t, false, true, map[string]answer{"POST /rest/api/3/search/jql": {200, "search_mistyped.json"}})
	page, _, err := c.Search.Page(t.Context(), "project = SEC", nil, "")
	require.NoError(t, err, "one mistyped field does not fail the page")
	require.Len(t, page.Issues, 2)

	first := page.Issues[0]
	assert.Equal(t, "Updated arrives as epoch milliseconds", first.Fields.Summary)
	assert.Equal(t, []string{"a", "b"}, first.Fields.Labels)
	assert.Equal(t, 2024, first.Fields.Created.Year())
	assert.True(t, first.Fields.Updated.IsZero())
	assert.JSONEq(t, `1709712062511`, string(first.Fields.Other["updated"]), "the raw value is kept")
	assert.Equal(t, "SEC", first.Fields.Project.Key)
	assert.JSONEq(t, `{"48x48":"https://acme.atlassian.net/avatar.png"}`, string(first.Fields.Project.Extra["avatarUrls"]), "unknown keys are kept")
	paths := map[string]bool{}
	for _, p := range first.Problems() {
		paths[p.Path] = true
		assert.NotEmpty(t, p.Raw)
		assert.Contains(t, p.Error(), p.Path)
	}
	assert.Equal(t, map[string]bool{"fields.updated": true, "fields.project.lead": true}, paths)
	assert.Len(t, first.Fields.Problems(), 2)

	second := page.Issues[1]
	assert.Equal(t, "Well formed", second.Fields.Summary)
	assert.False(t, second.Fields.Updated.IsZero())
	require.Len(t, second.Problems(), 1)
	assert.Equal(t, "fields.priority", second.Problems()[0].Path)
	assert.JSONEq(t, `"High"`, string(second.Fields.Other["priority"]))
}

func TestSearchDataCenterWarningsAndShapes(t *testing.T) {
	t.Parallel()
	c, _ := payloadClient(t, true, false, map[string]answer{"POST /rest/api/2/search": {200, "search_dc_warnings.json"}})
	page, _, err := c.Search.Page(t.Context(), "assignee = Nobody", nil, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"The value 'Nobody' does not exist for the field 'assignee'."}, page.WarningMessages)
	assert.JSONEq(t, `"names,schema"`, string(page.Extra["expand"]), "keys not modelled are kept")
	require.Len(t, page.Issues, 1)
	f := page.Issues[0].Fields
	assert.Empty(t, page.Issues[0].Problems())
	assert.Equal(t, "h2. Impact\n\n*All* writes fail.\n{code}df -h{code}", f.Description.Text(), "wiki text is kept as sent")
	assert.Equal(t, "alice", f.Assignee.Name)
	assert.Equal(t, "JIRAUSER10100", f.Assignee.Key)
	assert.Equal(t, "alice", f.Assignee.ID())
	assert.Equal(t, "2024-03-06T16:01:02.511Z", f.Updated.UTC().Format("2006-01-02T15:04:05.000Z"))
	assert.Equal(t, "2024-03-08", f.DueDate.Format(jira.DateLayout))
	assert.Contains(t, f.Assignee.Extra, "avatarUrls")
	s, ok := f.String("customfield_10500")
	assert.True(t, ok)
	assert.Equal(t, "plain text value", s)
}

func TestProjectsGetKeepsEveryKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, fixture, key                 string
		dc                                 bool
		description, lead, url, assignType string
		components, versions               int
		role                               string
	}{
		{"Atlassian's example", "project_get.json", "EX", false, "This project was created as an example for REST.",
			"5b10a2844c20165700ede21g", "https://www.example.com", "PROJECT_LEAD", 1, 0, "Developers"},
		{"Data Center", "project_get_dc.json", "OPS", true, "Operations", "admin", "https://ops.acme.com", "UNASSIGNED", 1, 1, "Administrators"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := "/rest/api/3"
			if tt.dc {
				api = "/rest/api/2"
			}
			// Atlassian's example breaks its own schema (insight's
			// timestamp is not RFC 3339), so the contract is not checked.
			c, _ := payloadClient(t, tt.dc, true, map[string]answer{"GET " + api + "/project/" + tt.key: {200, tt.fixture}})
			p, _, err := c.Projects.Get(t.Context(), tt.key)
			require.NoError(t, err)
			assert.Empty(t, p.Problems())
			assert.Equal(t, tt.key, p.Key)
			assert.Equal(t, tt.description, p.Description)
			require.NotNil(t, p.Lead)
			assert.Equal(t, tt.lead, p.Lead.ID())
			assert.Equal(t, tt.url, p.URL)
			assert.Equal(t, tt.assignType, p.AssigneeType)
			assert.Len(t, p.Components, tt.components)
			assert.Len(t, p.Versions, tt.versions)
			assert.Contains(t, p.Roles, tt.role)
			assert.Contains(t, p.Extra, "avatarUrls", "unknown keys are kept raw")
			if tt.dc {
				assert.Equal(t, "2024-03-28", p.Versions[0].ReleaseDate.Format(jira.DateLayout))
				assert.Contains(t, p.Versions[0].Extra, "userReleaseDate")
			} else {
				assert.Contains(t, p.Extra, "insight")
				assert.Equal(t, "Component 1", p.Components[0].Name)
				assert.Contains(t, p.Components[0].Extra, "ari")
			}
		})
	}
}

func TestRemoteLinkIconsSurviveReadModifySave(t *testing.T) {
	t.Parallel()
	// The document declares one link where Atlassian's example, and Jira,
	// answer a list, so the contract is not checked.
	c, rec := payloadClient(t, false, true, map[string]answer{
		"GET /rest/api/3/issue/MKY-1/remotelink":  {200, "remotelinks_icons.json"},
		"POST /rest/api/3/issue/MKY-1/remotelink": {201, "remotelink_created.json"},
	})
	links, _, err := c.RemoteLinks.List(t.Context(), "MKY-1", "")
	require.NoError(t, err)
	require.Len(t, links, 2)
	l := links[0]
	require.NotNil(t, l.Object.Icon)
	assert.Equal(t, "http://www.mycompany.com/support/ticket.png", l.Object.Icon.URL16x16)
	assert.Equal(t, "Support Ticket", l.Object.Icon.Title)
	require.NotNil(t, l.Object.Status)
	require.NotNil(t, l.Object.Status.Icon)
	assert.Equal(t, "Case Closed", l.Object.Status.Icon.Title)
	assert.Equal(t, "http://www.mycompany.com/support?id=1&details=closed", l.Object.Status.Icon.Link)

	l.Object.Summary = "Customer support issue (escalated)"
	_, _, err = c.RemoteLinks.Save(t.Context(), "MKY-1", &l)
	require.NoError(t, err)
	var sent map[string]any
	require.NoError(t, json.Unmarshal([]byte(rec.get("POST /rest/api/3/issue/MKY-1/remotelink")), &sent))
	assert.Equal(t, map[string]any{
		"globalId":     "system=http://www.mycompany.com/support&id=1",
		"application":  map[string]any{"name": "My Acme Tracker", "type": "com.acme.tracker"},
		"relationship": "causes",
		"object": map[string]any{
			"url": "http://www.mycompany.com/support?id=1", "title": "TSTSUP-111", "summary": "Customer support issue (escalated)",
			"icon": map[string]any{"title": "Support Ticket", "url16x16": "http://www.mycompany.com/support/ticket.png"},
			"status": map[string]any{"resolved": true, "icon": map[string]any{
				"link": "http://www.mycompany.com/support?id=1&details=closed", "title": "Case Closed",
				"url16x16": "http://www.mycompany.com/support/resolved.png"}},
		},
	}, sent)
}

func TestCreateAnswersKeepTransition(t *testing.T) {
	t.Parallel()
	c, _ := payloadClient(t, false, false, map[string]answer{
		"POST /rest/api/3/issue":      {201, "issue_create_201_transition.json"},
		"POST /rest/api/3/issue/bulk": {201, "bulk_create_transition.json"},
	})
	in := &jira.IssueUpdate{Fields: jira.Fields{"project": map[string]string{"key": "ED"}, "issuetype": map[string]string{"id": "10001"}, "summary": "s"}}
	ci, _, err := c.Issues.Create(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, "ED-24", ci.Key)
	require.NotNil(t, ci.Transition)
	assert.Equal(t, 200, ci.Transition.Status)
	require.NotNil(t, ci.Transition.ErrorCollection)
	assert.Empty(t, ci.Transition.ErrorCollection.ErrorMessages)

	res, err := c.Issues.CreateBulk(t.Context(), []*jira.IssueUpdate{in, in})
	require.NoError(t, err)
	require.Len(t, res, 2)
	require.NotNil(t, res[0].Issue)
	require.NotNil(t, res[0].Issue.Transition)
	assert.Equal(t, 200, res[0].Issue.Transition.Status)
	require.NotNil(t, res[1].Issue)
	assert.Nil(t, res[1].Issue.Transition)
}

func TestResolutionsAndStatusCategories(t *testing.T) {
	t.Parallel()
	t.Run("cloud", func(t *testing.T) {
		t.Parallel()
		c, _ := payloadClient(t, false, false, map[string]answer{
			"GET /rest/api/3/resolution":     {200, "resolutions.json"},
			"GET /rest/api/3/statuscategory": {200, "status_categories.json"},
		})
		res, _, err := c.Workflow.Resolutions(t.Context())
		require.NoError(t, err)
		require.Len(t, res, 2)
		assert.Equal(t, "Works as designed", res[1].Name)
		cats, _, err := c.Workflow.StatusCategories(t.Context())
		require.NoError(t, err)
		require.Len(t, cats, 2)
		assert.Equal(t, int64(9), cats[1].ID)
		assert.Equal(t, "completed", cats[1].Key)
	})
	t.Run("cloud without the deprecated list", func(t *testing.T) {
		t.Parallel()
		// The document lists no 404 for the deprecated endpoint and
		// its example has a key its schema lacks: not checked.
		c, _ := payloadClient(t, false, true, map[string]answer{
			"GET /rest/api/3/resolution":        {404, "error_404.json"},
			"GET /rest/api/3/resolution/search": {200, "resolution_search.json"},
		})
		res, _, err := c.Workflow.Resolutions(t.Context())
		require.NoError(t, err)
		require.Len(t, res, 1)
		assert.Equal(t, "10001", res[0].ID)
		assert.Contains(t, res[0].Extra, "isDefault")
	})
	t.Run("data center", func(t *testing.T) {
		t.Parallel()
		c, _ := payloadClient(t, true, false, map[string]answer{
			"GET /rest/api/2/resolution":     {200, "resolutions_dc.json"},
			"GET /rest/api/2/statuscategory": {200, "status_categories_dc.json"},
		})
		res, _, err := c.Workflow.Resolutions(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "Won't Fix", res[1].Name)
		cats, _, err := c.Workflow.StatusCategories(t.Context())
		require.NoError(t, err)
		require.Len(t, cats, 4)
		assert.Equal(t, "undefined", cats[0].Key)
	})
}

func TestSearchStatuses(t *testing.T) {
	t.Parallel()
	t.Run("cloud", func(t *testing.T) {
		t.Parallel()
		c, rec := payloadClient(t, false, false, map[string]answer{"GET /rest/api/3/statuses/search": {200, "statuses_search.json"}})
		list, _, err := c.Workflow.SearchStatuses(t.Context(), &jira.StatusSearchOptions{ProjectID: "1", StatusCategory: jira.StatusCategoryDone})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "Finished", list[0].Name)
		assert.Equal(t, jira.StatusCategoryDone, list[0].StatusCategory)
		require.NotNil(t, list[0].Scope)
		assert.Equal(t, "PROJECT", list[0].Scope.Type)
		assert.Equal(t, "1", list[0].Scope.Project.ID)
		assert.Equal(t, "maxResults=200&projectId=1&startAt=0&statusCategory=DONE", rec.get("GET /rest/api/3/statuses/search?"))
	})
	t.Run("data center", func(t *testing.T) {
		t.Parallel()
		c, _ := payloadClient(t, true, false, map[string]answer{"GET /rest/api/2/status": {200, "statuses_dc.json"}})
		list, _, err := c.Workflow.SearchStatuses(t.Context(), &jira.StatusSearchOptions{StatusCategory: jira.StatusCategoryInProgress})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "In Progress", list[0].Name)
		assert.Equal(t, "GLOBAL", list[0].Scope.Type)
		list, _, err = c.Workflow.SearchStatuses(t.Context(), &jira.StatusSearchOptions{SearchString: "clo"})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, jira.StatusCategoryDone, list[0].StatusCategory)
	})
}

func TestUsersListDataCenter(t *testing.T) {
	t.Parallel()
	c, rec := payloadClient(t, true, false, map[string]answer{"GET /rest/api/2/user/search": {200, "users_search_dc.json"}})
	users, _, err := c.Users.List(t.Context(), 0, 50)
	require.NoError(t, err)
	assert.Equal(t, "includeInactive=true&maxResults=50&startAt=0&username=.", rec.get("GET /rest/api/2/user/search?"))
	require.Len(t, users, 2)
	assert.Equal(t, "alice", users[0].ID(), "Data Center users are named by login")
	assert.Equal(t, "JIRAUSER10100", users[0].Key)
	assert.False(t, users[1].Active)
	assert.Contains(t, users[1].Extra, "deleted")
}

func TestValueWithoutSchemaMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		`"text"`, `"\u00e9t\u00e9 \"q\""`, `5`, `-2.5e3`, `true`, `false`,
		`{"appSpecific":true,"nested":[1,2,{"a":null}],"s":"x"}`, `[]`, `{}`, `[["a"],[]]`,
	} {
		var f jira.IssueFields
		require.NoError(t, json.Unmarshal([]byte(`{"customfield_1":`+raw+`}`), &f))
		var want any
		require.NoError(t, json.Unmarshal([]byte(raw), &want))
		assert.Equal(t, want, f.Value("customfield_1", nil), raw)
	}
}
