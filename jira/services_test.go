package jira_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/tracker"
)

func TestBulkCreate120(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	c := newClient(t, srv)
	in := make([]*jira.IssueUpdate, 120)
	for i := range in {
		f := jira.Fields{
			"project": map[string]string{"key": "SEC"}, "issuetype": map[string]string{"name": "Task"},
			"summary": fmt.Sprintf("Finding %d", i), "Severity": jira.SelectValue("High"),
		}
		if i == 57 {
			f["priority"] = map[string]string{"name": "Apocalyptic"}
		}
		in[i] = &jira.IssueUpdate{Fields: f}
	}
	res, err := c.Issues.CreateBulk(t.Context(), in)
	require.NoError(t, err)
	require.Len(t, res, 120)
	assert.Equal(t, 3, srv.RequestCount("POST /rest/api/3/issue/bulk"), "120 issues in chunks of 50")
	for i, r := range res {
		if i == 57 {
			var be *jira.BulkElementError
			require.ErrorAs(t, r.Err, &be)
			assert.Equal(t, 57, be.Index)
			assert.Contains(t, be.Error(), "input 57")
			assert.Contains(t, be.Error(), "Specify a valid 'id' or 'name' for Priority")
			continue
		}
		require.NoError(t, r.Err, "input %d", i)
		got, ok := srv.Issue(r.Issue.ID)
		require.True(t, ok)
		assert.Equal(t, fmt.Sprintf("Finding %d", i), got.Summary, "result %d maps to its input", i)
	}
	assert.Len(t, srv.Issues(), 119)
}

func TestSearchCloudPages(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	c := newClient(t, srv)
	_, err := srv.Seed("SEC", 250)
	require.NoError(t, err)
	srv.ResetRequests()

	jql := `project = ` + jira.QuoteJQL("SEC") + ` ORDER BY created ASC`
	opts := &jira.SearchOptions{Fields: []string{"summary", "updated"}, MaxResults: 100}
	var n int
	for is, err := range c.Search.All(t.Context(), jql, opts) {
		require.NoError(t, err)
		n++
		assert.Equal(t, fmt.Sprintf("Seeded issue %d", n), is.Fields.Summary)
	}
	assert.Equal(t, 250, n)
	total, per := srv.Requests()
	assert.Equal(t, 3, per["POST /rest/api/3/search/jql"])
	assert.Equal(t, 3, total, "nothing but the three pages")
	assert.Zero(t, per["POST /rest/api/3/search"]+per["GET /rest/api/3/search"], "the removed search is never called")

	srv.ResetRequests()
	n = 0
	for _, err := range c.Search.All(t.Context(), jql, opts) {
		require.NoError(t, err)
		n++
		if n == 150 {
			break
		}
	}
	assert.Equal(t, 2, srv.RequestCount("POST /rest/api/3/search/jql"), "breaking stops fetching")

	count, _, err := c.Search.Count(t.Context(), jql)
	require.NoError(t, err)
	assert.EqualValues(t, 250, count)
}

func TestSearchDataCenterPages(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t, jiratest.WithDataCenter())
	c := newClient(t, srv)
	_, err := srv.Seed("OPS", 7)
	require.NoError(t, err)
	srv.ResetRequests()
	var keys []string
	for is, err := range c.Search.All(t.Context(), `project = OPS ORDER BY key DESC`, &jira.SearchOptions{MaxResults: 3}) {
		require.NoError(t, err)
		keys = append(keys, is.Key)
	}
	assert.Equal(t, []string{"OPS-7", "OPS-6", "OPS-5", "OPS-4", "OPS-3", "OPS-2", "OPS-1"}, keys)
	assert.Equal(t, 3, srv.RequestCount("POST /rest/api/2/search"))
	n, _, err := c.Search.Count(t.Context(), `project = OPS`)
	require.NoError(t, err)
	assert.EqualValues(t, 7, n)
}

func TestServices(t *testing.T) {
	t.Parallel()
	for _, dc := range []bool{false, true} {
		t.Run(map[bool]string{false: "cloud", true: "datacenter"}[dc], func(t *testing.T) {
			t.Parallel()
			var opts []jiratest.Option
			if dc {
				opts = append(opts, jiratest.WithDataCenter())
			}
			srv := jiratest.NewServer(t, opts...)
			c := newClient(t, srv)
			ctx := t.Context()
			owner := "5b10ac8d82e05b22cc7d4ef5"
			if dc {
				owner = "alice"
			}

			me, _, err := c.Users.Myself(ctx)
			require.NoError(t, err)
			assert.Equal(t, "Ada Admin", me.DisplayName)

			f, err := c.Fields.Resolve(ctx, "severity")
			require.NoError(t, err)
			assert.Equal(t, jiratest.FieldSeverity, f.ID)
			_, err = c.Fields.Resolve(ctx, "No Such Field")
			assert.ErrorContains(t, err, "no field is named")

			prios, _, err := c.Workflow.Priorities(ctx)
			require.NoError(t, err)
			assert.Len(t, prios, 5)
			statuses, _, err := c.Workflow.Statuses(ctx)
			require.NoError(t, err)
			assert.Equal(t, "done", statuses[3].CategoryKey())
			pst, _, err := c.Workflow.ProjectStatuses(ctx, "SEC")
			require.NoError(t, err)
			assert.NotEmpty(t, pst)
			p, _, err := c.Projects.Get(ctx, "SEC")
			require.NoError(t, err)
			assert.Equal(t, "Security", p.Name)
			projects, err := c.Projects.List(ctx)
			require.NoError(t, err)
			assert.Len(t, projects, 2)
			var typeID string
			for it, err := range c.Projects.CreateIssueTypes(ctx, "SEC") {
				require.NoError(t, err)
				if it.Name == "Bug" {
					typeID = it.ID
				}
			}
			require.NotEmpty(t, typeID)
			required := map[string]bool{}
			for fm, err := range c.Projects.CreateFields(ctx, "SEC", typeID) {
				require.NoError(t, err)
				required[fm.FieldID] = fm.Required
			}
			assert.True(t, required["summary"])

			reported := time.Date(2025, 3, 1, 9, 15, 0, 0, time.UTC)
			created, _, err := c.Issues.Create(ctx, &jira.IssueUpdate{Fields: jira.Fields{
				"project": map[string]string{"key": "SEC"}, "issuetype": map[string]string{"id": typeID},
				"summary":          "Typed fields",
				"description":      jira.Markdown("# Heading\n\n- one\n- **two**"),
				"Severity":         jira.SelectValue("Critical"),
				"Story Points":     jira.NumberValue(3),
				"Reported":         jira.DateTimeValue(reported),
				"Review Date":      jira.DateValue(reported),
				"Notes":            "multi\nline",
				"Affected Systems": jira.MultiSelectValue("Web", "Network"),
				"Owner":            jira.UserValue(owner),
				"External ID":      jira.TextValue("EH-1"),
				"labels":           jira.LabelsValue("a", "b"),
				"priority":         map[string]string{"name": "Low"},
			}, Properties: []jira.EntityProperty{{Key: "com.acme.sync", Value: map[string]any{"source": "test"}}}})
			require.NoError(t, err)

			is, _, err := c.Issues.Get(ctx, created.Key, &jira.GetOptions{Properties: []string{"com.acme.sync"}})
			require.NoError(t, err)
			fs := is.Fields
			sev, _ := fs.String(jiratest.FieldSeverity)
			assert.Equal(t, "Critical", sev)
			pts, _ := fs.Float(jiratest.FieldStoryPoints)
			assert.Equal(t, 3.0, pts)
			rep, _ := fs.Time(jiratest.FieldReported)
			assert.True(t, reported.Equal(rep))
			day, _ := fs.Date(jiratest.FieldReviewDate)
			assert.Equal(t, reported.Truncate(24*time.Hour), day)
			notes, _ := fs.String(jiratest.FieldNotes)
			assert.Equal(t, "multi\nline", notes)
			sys, _ := fs.Strings(jiratest.FieldAffectedSystems)
			assert.Equal(t, []string{"Web", "Network"}, sys)
			u, _ := fs.User(jiratest.FieldOwner)
			assert.Equal(t, owner, u.ID())
			assert.Equal(t, []string{"a", "b"}, fs.Labels)
			assert.Equal(t, "Low", fs.Priority.Name)
			assert.JSONEq(t, `{"source":"test"}`, string(is.Properties["com.acme.sync"]))
			if !dc {
				assert.Equal(t, "Heading\n\n- one\n- two", fs.Description.Text())
			}

			_, err = c.Issues.Edit(ctx, created.ID, &jira.IssueUpdate{
				Update: map[string][]jira.FieldOperation{"labels": {jira.AddOp("c"), jira.RemoveOp("a")}},
			}, nil)
			require.NoError(t, err)
			snap, _ := srv.Issue(created.ID)
			assert.Equal(t, []string{"b", "c"}, snap.Labels)
			if dc {
				// Jira clears a field set to null. Atlassian's document
				// declares no field value nullable, so this is not sent
				// through the Cloud contract check.
				_, err = c.Issues.Edit(ctx, created.ID, &jira.IssueUpdate{Fields: jira.Fields{"Story Points": nil}}, nil)
				require.NoError(t, err)
				snap, _ = srv.Issue(created.ID)
				assert.NotContains(t, snap.Custom, jiratest.FieldStoryPoints)
			}

			// Comments, with paging over more than one page.
			for i := range 3 {
				_, _, err := c.Comments.Add(ctx, created.Key, &jira.CommentInput{Body: jira.Plain(fmt.Sprintf("comment %d", i))})
				require.NoError(t, err)
			}
			var bodies []string
			for cm, err := range c.Comments.All(ctx, created.Key) {
				require.NoError(t, err)
				bodies = append(bodies, cm.Body.Text())
			}
			assert.Equal(t, []string{"comment 0", "comment 1", "comment 2"}, bodies)
			page, _, err := c.Comments.List(ctx, created.Key, &jira.CommentListOptions{MaxResults: 2})
			require.NoError(t, err)
			require.Len(t, page.Comments, 2)
			assert.Equal(t, 3, page.Total)
			one, _, err := c.Comments.Get(ctx, created.Key, page.Comments[0].ID)
			require.NoError(t, err)
			upd, _, err := c.Comments.Update(ctx, created.Key, one.ID, &jira.CommentInput{Body: jira.Plain("edited"), Visibility: &jira.Visibility{Type: "role", Value: "Administrators"}})
			require.NoError(t, err)
			assert.Equal(t, "edited", upd.Body.Text())
			assert.Equal(t, "role", upd.Visibility.Type)
			_, err = c.Comments.Delete(ctx, created.Key, one.ID)
			require.NoError(t, err)

			// Entity properties and remote links.
			_, err = c.Properties.Set(ctx, created.Key, "com.acme.state", map[string]int{"rev": 2})
			require.NoError(t, err)
			v, _, err := c.Properties.Get(ctx, created.Key, "com.acme.state")
			require.NoError(t, err)
			assert.JSONEq(t, `{"rev":2}`, string(v))
			_, err = c.Properties.Delete(ctx, created.Key, "com.acme.state")
			require.NoError(t, err)
			_, _, err = c.Properties.Get(ctx, created.Key, "com.acme.state")
			assert.ErrorIs(t, err, tracker.ErrNotFound)

			link := &jira.RemoteLink{GlobalID: "extrahop=1", Object: jira.RemoteObject{URL: "https://eh.example.com/1", Title: "Detection 1"}}
			first, resp, err := c.RemoteLinks.Save(ctx, created.Key, link)
			require.NoError(t, err)
			assert.Equal(t, http.StatusCreated, resp.StatusCode)
			link.Object.Title = "Detection 1 (closed)"
			second, resp, err := c.RemoteLinks.Save(ctx, created.Key, link)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode, "the same globalId updates")
			assert.Equal(t, first.ID, second.ID)
			links, _, err := c.RemoteLinks.List(ctx, created.Key, "extrahop=1")
			require.NoError(t, err)
			require.Len(t, links, 1)
			assert.Equal(t, "Detection 1 (closed)", links[0].Object.Title)
			_, err = c.RemoteLinks.DeleteByGlobalID(ctx, created.Key, "extrahop=1")
			require.NoError(t, err)

			// Users.
			var users []*jira.User
			for u, err := range c.Users.All(ctx) {
				require.NoError(t, err)
				users = append(users, u)
			}
			assert.Len(t, users, 5, "inactive users are listed too")
			found, _, err := c.Users.Find(ctx, "ali", 10)
			require.NoError(t, err)
			require.Len(t, found, 1)
			assert.Equal(t, "Alice Analyst", found[0].DisplayName)

			_, err = c.Issues.Delete(ctx, created.Key, nil)
			require.NoError(t, err)
			_, _, err = c.Issues.Get(ctx, created.Key, nil)
			assert.ErrorIs(t, err, tracker.ErrNotFound)
		})
	}
}

func TestMoveTo(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	c := newClient(t, srv)
	ctx := t.Context()
	id, err := srv.Put(jiratest.IssueSpec{Summary: "Walk the workflow"})
	require.NoError(t, err)

	moves, err := c.Transitions.MoveTo(ctx, id, jira.Target{Status: "done", Resolution: "Won't Do", Comment: "Closed by sync"})
	require.NoError(t, err)
	assert.Equal(t, 3, moves, "To Do → In Progress → In Review → Done")
	snap, _ := srv.Issue(id)
	assert.Equal(t, "Done", snap.Status)
	assert.Equal(t, "Won't Do", snap.Resolution)
	require.Len(t, snap.Comments, 1)
	assert.Equal(t, "Closed by sync", snap.Comments[0].Body)

	moves, err = c.Transitions.MoveTo(ctx, id, jira.Target{Category: jira.CategoryDone})
	require.NoError(t, err)
	assert.Zero(t, moves, "already there")

	moves, err = c.Transitions.MoveTo(ctx, id, jira.Target{Category: jira.CategoryIndeterminate})
	require.NoError(t, err)
	assert.Equal(t, 2, moves, "Done → To Do → In Progress")
	snap, _ = srv.Issue(id)
	assert.Empty(t, snap.Resolution, "leaving Done clears the resolution")

	srv.ResetRequests()
	moves, err = c.Transitions.MoveTo(ctx, id, jira.Target{Status: "in review"})
	require.NoError(t, err)
	assert.Equal(t, 1, moves)
	total, _ := srv.Requests()
	assert.Equal(t, 3, total, "a direct transition costs the issue, its transitions and the move; no status list")

	srv.ResetRequests()
	_, err = c.Transitions.MoveTo(ctx, id, jira.Target{Status: "Nowhere"})
	assert.ErrorIs(t, err, tracker.ErrNoTransition)
	assert.Zero(t, srv.RequestCount("POST /rest/api/3/issue/{key}/transitions"), "nothing moves towards a status that does not exist")
}

func TestMoveToUnreachable(t *testing.T) {
	t.Parallel()
	wf := jiratest.Workflow{
		Statuses: []jiratest.Status{{ID: "1", Name: "Open", Category: "new"}, {ID: "2", Name: "Triage", Category: "indeterminate"}, {ID: "3", Name: "Closed", Category: "done"}},
		Transitions: []jiratest.Transition{
			{ID: "11", Name: "Triage", From: []string{"Open"}, To: "Triage"},
			{ID: "12", Name: "Back", From: []string{"Triage"}, To: "Open"},
		},
	}
	srv := jiratest.NewServer(t, jiratest.WithWorkflow(wf))
	c := newClient(t, srv)
	id, err := srv.Put(jiratest.IssueSpec{Summary: "Stuck"})
	require.NoError(t, err)
	_, err = c.Transitions.MoveTo(t.Context(), id, jira.Target{Status: "Closed"})
	assert.ErrorIs(t, err, tracker.ErrNoTransition)
	assert.ErrorContains(t, err, "no path")
}

func TestRetriesAndAuth(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	// Not through the contract check: the document lists neither 429 nor
	// 503 for these operations.
	c, err := jira.New(srv.URL(), jira.WithHTTPClient(srv.Client()), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken),
		jira.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	srv.FailNext(1, http.StatusTooManyRequests, time.Second)
	start := time.Now()
	_, _, err = c.Users.Myself(t.Context())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After is honoured")
	assert.Equal(t, 2, srv.RequestCount("GET /rest/api/3/myself"))

	srv.FailNext(1, http.StatusServiceUnavailable, 0)
	_, _, err = c.Users.Myself(t.Context())
	require.NoError(t, err, "a 503 on a GET is retried")

	bad, err := jira.New(srv.URL(), jira.WithHTTPClient(srv.Client()), jira.WithBasicAuth(jiratest.Email, "wrong"))
	require.NoError(t, err)
	_, _, err = bad.Users.Myself(t.Context())
	assert.ErrorIs(t, err, tracker.ErrUnauthorized)
	assert.ErrorContains(t, err, "You are not authenticated")
}

func TestFakeRejectsBadInput(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	c := newClient(t, srv)
	ctx := t.Context()
	base := func() jira.Fields {
		return jira.Fields{"project": map[string]string{"key": "SEC"}, "issuetype": map[string]string{"name": "Task"}, "summary": "x"}
	}
	tests := []struct {
		name  string
		edit  func(jira.Fields)
		field string
	}{
		{"unknown project", func(f jira.Fields) { f["project"] = map[string]string{"key": "NOPE"} }, "project"},
		{"newline in summary", func(f jira.Fields) { f["summary"] = "a\nb" }, "summary"},
		{"label with space", func(f jira.Fields) { f["labels"] = []string{"a b"} }, "labels"},
		{"bad option", func(f jira.Fields) { f[jiratest.FieldSeverity] = jira.SelectValue("Severe") }, jiratest.FieldSeverity},
		{"description not ADF", func(f jira.Fields) { f["description"] = jira.RawValue(json.RawMessage(`"text"`)) }, "description"},
	}
	for _, tt := range tests {
		f := base()
		tt.edit(f)
		_, _, err := c.Issues.Create(ctx, &jira.IssueUpdate{Fields: f})
		assert.ErrorIs(t, err, tracker.ErrInvalid, tt.name)
		assert.ErrorContains(t, err, tt.field, tt.name)
	}
}

func TestUsersAllWithSmallPages(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t, jiratest.WithMaxResults(3))
	c := newClient(t, srv)
	n := 0
	for _, err := range c.Users.All(t.Context()) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 5, n, "a server capping pages below the size asked for loses no users")
	assert.Equal(t, 3, srv.RequestCount("GET /rest/api/3/users/search"), "3 + 1 + an empty page")
}

func TestRemoteLinkRetriesOnlyWithGlobalID(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	// Not through the contract check: the document lists no 503 here.
	c, err := jira.New(srv.URL(), jira.WithHTTPClient(srv.Client()), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken),
		jira.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	id, err := srv.Put(jiratest.IssueSpec{Summary: "linked"})
	require.NoError(t, err)
	const route = "POST /rest/api/3/issue/{key}/remotelink"

	srv.FailNext(1, http.StatusServiceUnavailable, 0)
	_, _, err = c.RemoteLinks.Save(t.Context(), id, &jira.RemoteLink{GlobalID: "extrahop=7", Object: jira.RemoteObject{URL: "https://eh.example.com/7", Title: "D7"}})
	require.NoError(t, err, "a save by global id is idempotent, so a 503 is retried")
	assert.Equal(t, 2, srv.RequestCount(route))

	srv.ResetRequests()
	srv.FailNext(1, http.StatusServiceUnavailable, 0)
	_, _, err = c.RemoteLinks.Save(t.Context(), id, &jira.RemoteLink{Object: jira.RemoteObject{URL: "https://eh.example.com/8", Title: "D8"}})
	assert.ErrorIs(t, err, tracker.ErrUnavailable, "without a global id a repeat could add a second link")
	assert.Equal(t, 1, srv.RequestCount(route))

	srv.ResetRequests()
	_, err = c.RemoteLinks.DeleteByGlobalID(t.Context(), id, "")
	assert.ErrorContains(t, err, "global id")
	total, _ := srv.Requests()
	assert.Zero(t, total)
}

func TestProjectsListPages(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t, jiratest.WithMaxResults(2))
	for _, k := range []string{"NET", "APP", "IAM"} {
		srv.AddProject(k, k)
	}
	c := newClient(t, srv)
	projects, err := c.Projects.List(t.Context())
	require.NoError(t, err)
	var keys []string
	for _, p := range projects {
		keys = append(keys, p.Key)
	}
	assert.Equal(t, []string{"SEC", "OPS", "NET", "APP", "IAM"}, keys, "a server sending fewer than asked loses nothing")
	assert.Equal(t, 3, srv.RequestCount("GET /rest/api/3/project/search"))
}

func TestFieldResolveWaiterHonoursItsContext(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("GET", site+"/rest/api/3/field", func(*http.Request) (*http.Response, error) {
		close(entered)
		<-release
		resp := httpmock.NewBytesResponse(200, fixture(t, "fields.json"))
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	c, err := jira.New(site, jira.WithHTTPClient(&http.Client{Transport: mock}), jira.WithToken("t"))
	require.NoError(t, err)

	first := make(chan error, 1)
	go func() {
		_, err := c.Fields.Resolve(t.Context(), "Severity")
		first <- err
	}()
	<-entered // the first caller is loading the list

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	second := make(chan error, 1)
	go func() {
		_, err := c.Fields.Resolve(cancelled, "Severity")
		second <- err
	}()
	select {
	case err := <-second:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("a caller waiting for the field list ignored its cancelled context")
	}
	close(release)
	require.NoError(t, <-first)
	f, err := c.Fields.Resolve(t.Context(), "severity")
	require.NoError(t, err)
	assert.Equal(t, "customfield_10042", f.ID)
	assert.Equal(t, 1, mock.GetTotalCallCount(), "the list was fetched once")
}
