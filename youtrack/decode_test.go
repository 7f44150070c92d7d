package youtrack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/youtrack"
)

// respond registers a GET responder for path that checks the request's
// fields and $top parameters and answers the fixture.
func respond(t *testing.T, mock *httpmock.MockTransport, method, path, fields, name string) {
	t.Helper()
	body := fixture(t, name)
	mock.RegisterResponder(method, service+path, func(r *http.Request) (*http.Response, error) {
		if fields != "" {
			assert.Equal(t, fields, r.URL.Query().Get("fields"), "fields of %s", path)
		}
		return jsonResponse(http.StatusOK, body), nil
	})
}

func TestIssueKeepsUpdaterCommentsCountAndWikifiedDescription(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t)
	respond(t, mock, "GET", "/api/issues/SEC-7", youtrack.DefaultIssueFields, "issue_get_full.json")
	is, _, err := c.Issues.Get(context.Background(), "SEC-7", nil)
	require.NoError(t, err)
	for _, f := range []string{"updater(", "commentsCount", "wikifiedDescription"} {
		assert.Contains(t, youtrack.DefaultIssueFields, f)
	}
	require.NotNil(t, is.Updater)
	assert.Equal(t, "jdoe", is.Updater.Login)
	assert.Equal(t, 2, is.CommentsCount)
	assert.Contains(t, is.WikifiedDescription, "<strong>vpn-gw-1</strong>")
	assert.Empty(t, is.Problems)
	assert.JSONEq(t, "7", string(is.Extra["numberInProject"]))
	assert.JSONEq(t, "1", string(is.Extra["votes"]))
	assert.Contains(t, string(is.Project.Extra["ringId"]), "5f0c2b1e")
	assert.Contains(t, string(is.Tags[0].Extra["color"]), "#e30000")

	// Every $type variant decodes to its plain value.
	want := map[string]any{
		"State":             "Fixed",
		"Assignee":          "jdoe",
		"Reviewers":         []string{"admin", "cchen"},
		"Team":              "Network",
		"Affected versions": []string{"2026.1"},
		"Subsystem":         "Edge",
		"Spent time":        "1h 30m",
		"CVSS":              7.5,
		"Hostname":          "vpn-gw-1",
	}
	for name, v := range want {
		f := is.Field(name)
		require.NotNil(t, f, name)
		got, err := f.Plain()
		require.NoError(t, err, name)
		assert.Equal(t, v, got, name)
	}
	users, err := is.Field("Assignee").Users()
	require.NoError(t, err)
	require.Len(t, users, 1)
	assert.Equal(t, "Jane Doe", users[0].Name, "user values carry name, not fullName")
	assert.Equal(t, "Jane Doe", users[0].DisplayName())
	assert.Contains(t, string(users[0].Extra["avatarUrl"]), "avatar")
	el, err := is.Field("Affected versions").Element()
	require.NoError(t, err)
	assert.JSONEq(t, "true", string(el.Extra["released"]))

	// Reading and writing back loses nothing.
	out, err := json.Marshal(is)
	require.NoError(t, err)
	assert.JSONEq(t, fixture(t, "issue_get_full.json"), string(out))
}

func TestCommentsKeepAttachmentsAndTextPreview(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t)
	respond(t, mock, "GET", "/api/issues/SEC-7/comments", youtrack.DefaultCommentFields, "comments_attachments.json")
	list, _, err := c.Comments.List(context.Background(), "SEC-7", nil)
	require.NoError(t, err)
	require.Len(t, list, 2)
	first := list[0]
	assert.Contains(t, first.TextPreview, "<strong>warning</strong>")
	require.Len(t, first.Attachments, 1)
	a := first.Attachments[0]
	assert.Equal(t, "cert-warning.png", a.Name)
	assert.Equal(t, "image/png", a.MimeType)
	assert.Equal(t, int64(48213), a.Size)
	assert.Equal(t, time.Date(2026, 1, 5, 9, 1, 40, 0, time.UTC), a.Created.Time())
	assert.Equal(t, "jdoe", a.Author.Login)
	assert.Contains(t, string(a.Extra["thumbnailURL"]), "thumbnail=true")
	assert.JSONEq(t, "false", string(first.Extra["pinned"]))
	assert.Empty(t, list[1].Attachments)
	assert.Zero(t, first.Updated, "null updated")
}

func TestMistypedFieldsDoNotFailTheirIssue(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t)
	respond(t, mock, "GET", "/api/issues", "", "issues_search_mistyped.json")
	var got []*youtrack.Issue
	for is, err := range c.Issues.Search(context.Background(), "project: SEC", &youtrack.ListOptions{Top: 10}) {
		require.NoError(t, err)
		got = append(got, is)
	}
	require.Len(t, got, 2)
	odd := got[0]
	assert.Equal(t, "SEC-8", odd.IDReadable)
	assert.Equal(t, "Odd updated", odd.Summary)
	assert.Equal(t, "Ada Admin", odd.Reporter.FullName)
	problems := map[string]string{}
	for _, p := range odd.Problems {
		problems[p.Field] = string(p.Raw)
		assert.Error(t, p.Err)
	}
	assert.Equal(t, map[string]string{
		"updated":        `"2026-01-06T09:00:00Z"`,
		"commentsCount":  `"3"`,
		"reporter.login": `17`,
		"tags":           `{"$type": "IssueTag", "id": "6-2", "name": "Security"}`,
	}, problems)
	// The custom field value is raw until read; reading reports the bad
	// ordinal of the element and still gives its name.
	el, err := odd.Field("Priority").Element()
	require.NoError(t, err)
	assert.Equal(t, "Major", el.Name)
	require.Len(t, el.Problems, 1)
	assert.Equal(t, "ordinal", el.Problems[0].Field)
	assert.Empty(t, got[1].Problems)

	// The adapter maps the issue all the same.
	a, err := youtrack.NewAdapter(c, youtrack.AdapterConfig{})
	require.NoError(t, err)
	for ti, err := range a.SearchIssues(context.Background(), tracker.Query{Project: "SEC"}) {
		require.NoError(t, err)
		if ti.Key == "SEC-8" {
			assert.Equal(t, "Major", ti.Priority)
		}
	}
}

func TestErrorChildrenNameTheFailedChild(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture string
		want    string
	}{
		{"error_400_children.json", "You can only update the value for the Estimation field when the value for the Type field is Task (invalid_properties); child Issue-is-invalid"},
		{"error_400_children_user.json", "Cannot save the issue (invalid_properties); child User-is-invalid: <no user> is not a valid user login."},
		{"error_400.json", `Field Severity: no value "Urgent" in the bundle (bad_request)`},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			c, mock := newMockClient(t)
			mock.RegisterResponder("POST", service+"/api/issues/HD-25/customFields/131-66", httpmock.ResponderFromResponse(jsonResponse(400, fixture(t, tt.fixture))))
			_, _, err := c.Issues.UpdateCustomField(context.Background(), "HD-25", youtrack.CustomField{Type: youtrack.TypePeriod, ID: "131-66", Name: "Estimation", Value: json.RawMessage(`{"presentation":"10h"}`)})
			require.Error(t, err)
			assert.ErrorIs(t, err, tracker.ErrInvalid)
			var ae *youtrack.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.want, ae.Message)
			assert.True(t, strings.HasSuffix(err.Error(), tt.want), err.Error())
		})
	}
}

func TestUsersAPIAsksOnlyForUserAttributes(t *testing.T) {
	t.Parallel()
	for _, hub := range []string{"banReason", "creationTime", "lastAccessTime"} {
		assert.NotContains(t, youtrack.DefaultUserFields, hub)
	}
	c, mock := newMockClient(t, youtrack.WithHubUserDetails())
	respond(t, mock, "GET", "/api/users", youtrack.DefaultUserFields, "users_youtrack.json")
	respond(t, mock, "GET", "/hub/api/rest/users", "type,id,banReason,creationTime,lastAccessTime,groups(id,name)", "users_hub.json")
	users := map[string]*youtrack.User{}
	for u, err := range c.Users.List(context.Background(), nil) {
		require.NoError(t, err)
		users[u.Login] = u
	}
	require.Len(t, users, 3)
	assert.Equal(t, "Left the company", users["bsmith"].BanReason)
	assert.Equal(t, time.Date(2025, 10, 7, 9, 0, 0, 0, time.UTC), users["bsmith"].LastAccessTime.Time())
	assert.Equal(t, []youtrack.Group{{ID: "g-all", Name: "All Users"}, {ID: "g-admins", Name: "Administrators"}}, users["admin"].Groups)
	assert.Zero(t, users["guest"].LastAccessTime)
	assert.Equal(t, "1-3", users["bsmith"].ID, "the YouTrack id stays")
}

func TestHubDetailsFailureIsReported(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t, youtrack.WithHubUserDetails())
	respond(t, mock, "GET", "/api/users", "", "users_youtrack.json")
	mock.RegisterResponder("GET", service+"/hub/api/rest/users", httpmock.ResponderFromResponse(jsonResponse(403, fixture(t, "error_401.json"))))
	var errs []error
	for _, err := range c.Users.List(context.Background(), nil) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1, "the error ends the listing")
	assert.ErrorIs(t, errs[0], tracker.ErrForbidden)
	assert.Contains(t, errs[0].Error(), "reading user details from Hub")
}

func TestHubUsersDecodeLeniently(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t)
	respond(t, mock, "GET", "/hub/api/rest/users", youtrack.DefaultHubUserFields, "users_hub_variants.json")
	list, _, err := c.Users.ListHub(context.Background(), nil)
	require.NoError(t, err, "a mistyped paging sibling or user field fails nothing")
	require.Len(t, list, 2)
	jane := list[0].User()
	assert.Equal(t, "jane.doe@example.com", jane.Email)
	assert.Zero(t, jane.LastAccessTime)
	problems := map[string]string{}
	for _, p := range list[0].Problems {
		problems[p.Field] = string(p.Raw)
	}
	assert.Equal(t, map[string]string{"lastAccessTime": `"yesterday"`, "profile.email.verified": `"yes"`}, problems)
	assert.Contains(t, list[0].Extra, "avatar")
	assert.Contains(t, list[0].Profile.Extra, "locale")
	assert.Contains(t, list[0].Groups[0].Extra, "ringId")
	bot := list[1].User()
	assert.True(t, bot.Banned)
	assert.Empty(t, bot.Email)
	assert.Empty(t, list[1].Problems)
}
