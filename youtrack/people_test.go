package youtrack_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/youtrack"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

// The adapter takes a person by login, email, id or full name, writes the
// login YouTrack needs and reads the person back with a readable name.
func TestAdapterResolvesPeopleBothWays(t *testing.T) {
	t.Parallel()
	for _, api := range []youtrack.UserAPI{youtrack.UserAPIYouTrack, youtrack.UserAPIHub} {
		a, srv := newAdapter(t, youtrack.AdapterConfig{}, youtrack.WithUserAPI(api))
		id := "1-2" // the YouTrack id; Hub knows the ring id only
		if api == youtrack.UserAPIHub {
			id = "b1f0a6c2-0002-4d7e-9a55-1c1e2f3a4b02"
		}
		for _, who := range []string{"jdoe", "JDOE", "jane.doe@example.com", "Jane Doe", id, "b1f0a6c2-0002-4d7e-9a55-1c1e2f3a4b02"} {
			u, err := a.ResolveUser(t.Context(), who)
			require.NoError(t, err, who)
			assert.Equal(t, "jdoe", u.Login, who)
		}
		is, err := a.CreateIssue(t.Context(), &tracker.NewIssue{Project: "HD", Summary: "Scan from 10.0.0.9", Assignee: "jane.doe@example.com"})
		require.NoError(t, err)
		assert.Equal(t, "jdoe", is.Assignee, "the login is the handle")
		require.NotNil(t, is.AssigneeUser)
		assert.Equal(t, "Jane Doe", is.AssigneeUser.Name, "a readable name to write back")
		assert.Equal(t, "jane.doe@example.com", is.AssigneeUser.Email)
		stored, ok := srv.Issue(is.Key)
		require.True(t, ok)
		assert.Equal(t, "jdoe", stored.Fields["Assignee"])

		bob := "Bob Smith"
		require.NoError(t, a.UpdateIssue(t.Context(), is.ID, &tracker.Change{Assignee: &bob}))
		got, err := a.GetIssue(t.Context(), is.Key)
		require.NoError(t, err)
		assert.Equal(t, "bsmith", got.Assignee)
		assert.Equal(t, "Bob Smith", got.AssigneeUser.Name)

		route := "GET /api/users"
		if api == youtrack.UserAPIHub {
			route = "GET /hub/api/rest/users"
		}
		assert.Equal(t, 1, srv.RequestCount(route), "the directory is read once and cached")
	}
}

func TestUnresolvablePersonIsAnItemError(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, youtrack.AdapterConfig{})
	srv.AddUser(youtracktest.User{Login: "jdoe2", FullName: "Jane Doe", Email: "jane.doe2@example.com"})
	existing, err := a.CreateIssue(t.Context(), &tracker.NewIssue{Project: "HD", Summary: "existing"})
	require.NoError(t, err)
	before := len(srv.Issues())
	tests := []struct {
		name, who, msg string
	}{
		{"unknown email", "nobody@example.com", `no YouTrack account has the login, email, id or name "nobody@example.com"`},
		{"shared full name", "Jane Doe", "2 accounts have that name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.CreateIssue(t.Context(), &tracker.NewIssue{Project: "HD", Summary: "x", Assignee: tt.who})
			require.Error(t, err)
			assert.ErrorIs(t, err, tracker.ErrUnknownUser)
			assert.NotErrorIs(t, err, tracker.ErrInvalid, "not counted towards the invalid-request breaker")
			assert.False(t, tracker.IsConfigError(err))
			assert.Contains(t, err.Error(), tt.msg)
			who := tt.who
			err = a.UpdateIssue(t.Context(), existing.Key, &tracker.Change{Assignee: &who})
			assert.ErrorIs(t, err, tracker.ErrUnknownUser)
		})
	}
	assert.Len(t, srv.Issues(), before, "nothing was created")
	_, err = a.ResolveUser(t.Context(), " ")
	assert.ErrorIs(t, err, tracker.ErrUnknownUser)
}

// A token that may not list users sends names as logins; YouTrack's
// "User-is-invalid" answer then fails the item like an unresolved person.
func TestUsersNotListableFallBackToLogins(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t)
	mock.RegisterResponder("GET", service+"/api/users", httpmock.ResponderFromResponse(jsonResponse(403, `{"error":"Forbidden","error_description":"Access denied"}`)))
	mock.RegisterResponder("GET", service+"/api/admin/projects", httpmock.ResponderFromResponse(jsonResponse(200, fixture(t, "projects_list.json"))))
	mock.RegisterResponder("GET", service+"/api/admin/projects/0-1/customFields", httpmock.ResponderFromResponse(jsonResponse(200, fixture(t, "project_custom_fields_assignee.json"))))
	var sent []string
	mock.RegisterResponder("POST", service+"/api/issues", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		sent = append(sent, string(b))
		return jsonResponse(400, fixture(t, "error_400_children_user.json")), nil
	})
	a, err := youtrack.NewAdapter(c, youtrack.AdapterConfig{})
	require.NoError(t, err)
	_, err = a.CreateIssue(t.Context(), &tracker.NewIssue{Project: "HD", Summary: "x", Assignee: "jdoe"})
	require.Error(t, err)
	assert.ErrorIs(t, err, tracker.ErrUnknownUser)
	assert.NotErrorIs(t, err, tracker.ErrInvalid)
	var ae *youtrack.APIError
	require.ErrorAs(t, err, &ae)
	assert.Contains(t, ae.Message, "child User-is-invalid")
	require.Len(t, sent, 1)
	assert.Contains(t, sent[0], `"login":"jdoe"`, "the name went out as a login")
}
