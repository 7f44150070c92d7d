package jira_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/internal/contract"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/tracker"
)

func TestAdapterResolvesPeople(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		dc     bool
		who    string
		stored string // the account the fake records
	}{
		{"cloud email", false, jiratest.SecOpsEmail, jiratest.SecOpsAccountID},
		{"cloud email in other case", false, "SecOps@Example.com", jiratest.SecOpsAccountID},
		{"cloud display name", false, "SecOps Team", jiratest.SecOpsAccountID},
		{"cloud accountId", false, jiratest.SecOpsAccountID, jiratest.SecOpsAccountID},
		{"data center email", true, jiratest.SecOpsEmail, "secops"},
		{"data center user name", true, "secops", "secops"},
		{"data center user key", true, "JIRAUSER10200", "secops"},
		{"data center display name", true, "SecOps Team", "secops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []jiratest.Option
			if tt.dc {
				opts = append(opts, jiratest.WithDataCenter())
			}
			a, srv := newAdapter(t, jira.AdapterConfig{}, opts...)
			ctx := t.Context()

			created, err := a.CreateIssue(ctx, &tracker.NewIssue{Project: "SEC", Summary: "assigned by " + tt.who, Assignee: tt.who,
				Fields: map[string]any{"Owner": tt.who}})
			require.NoError(t, err)
			assert.Equal(t, tt.stored, created.Assignee, "the created issue names the account")
			require.NotNil(t, created.AssigneeUser)
			assert.Equal(t, "SecOps Team", created.AssigneeUser.Name)
			assert.Equal(t, jiratest.SecOpsEmail, created.AssigneeUser.Email)
			snap, ok := srv.Issue(created.Key)
			require.True(t, ok)
			assert.Equal(t, tt.stored, snap.Assignee)

			got, err := a.GetIssue(ctx, created.Key)
			require.NoError(t, err)
			assert.Equal(t, tt.stored, got.Assignee)
			require.NotNil(t, got.AssigneeUser, "reads describe the assignee")
			assert.Equal(t, "SecOps Team", got.AssigneeUser.Name)
			assert.Equal(t, jiratest.SecOpsEmail, got.AssigneeUser.Email)
			assert.Equal(t, tt.stored, got.Fields["Owner"], "people in user fields are resolved too")

			// Assign again by the same name: the account is cached, so
			// there is no second lookup.
			srv.ResetRequests()
			require.NoError(t, a.UpdateIssue(ctx, created.ID, &tracker.Change{Assignee: tracker.Ptr(tt.who)}))
			snap, _ = srv.Issue(created.Key)
			assert.Equal(t, tt.stored, snap.Assignee)
			total, perRoute := srv.Requests()
			assert.Equal(t, 1, total, "only the edit is sent: %v", perRoute)
		})
	}
}

func TestAdapterUnknownPersonIsAPerItemError(t *testing.T) {
	t.Parallel()
	for _, dc := range []bool{false, true} {
		t.Run(map[bool]string{false: "cloud", true: "datacenter"}[dc], func(t *testing.T) {
			t.Parallel()
			var opts []jiratest.Option
			if dc {
				opts = append(opts, jiratest.WithDataCenter())
			}
			a, srv := newAdapter(t, jira.AdapterConfig{}, opts...)
			ctx := t.Context()

			_, err := a.CreateIssue(ctx, &tracker.NewIssue{Project: "SEC", Summary: "s", Assignee: "nobody@example.com"})
			require.Error(t, err)
			assert.ErrorIs(t, err, tracker.ErrUnknownUser)
			assert.NotErrorIs(t, err, tracker.ErrInvalid, "an unknown person must not count towards the invalid-request breaker")
			assert.NotErrorIs(t, err, tracker.ErrNotFound)
			assert.False(t, tracker.IsConfigError(err))
			assert.False(t, tracker.IsTransient(err))
			assert.False(t, tracker.IsAmbiguous(err), "nothing was sent, so the create is not in doubt")
			assert.Contains(t, err.Error(), "nobody@example.com")
			assert.Empty(t, srv.Issues(), "nothing is created")

			res, err := a.CreateIssues(ctx, []*tracker.NewIssue{
				{Project: "SEC", Summary: "ok", Assignee: jiratest.SecOpsEmail},
				{Project: "SEC", Summary: "bad", Assignee: "Nobody Known"},
			})
			require.NoError(t, err)
			require.Len(t, res, 2)
			require.NoError(t, res[0].Err)
			assert.ErrorIs(t, res[1].Err, tracker.ErrUnknownUser, "only the item naming the unknown person fails")

			is, err := a.CreateIssue(ctx, &tracker.NewIssue{Project: "SEC", Summary: "s"})
			require.NoError(t, err)
			err = a.UpdateIssue(ctx, is.ID, &tracker.Change{Assignee: tracker.Ptr("ghost")})
			assert.ErrorIs(t, err, tracker.ErrUnknownUser)
		})
	}
}

func TestUsersGetExpanded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, route, fixture string
		dc                   bool
		opts                 *jira.UserGetOptions
		query                string
		id, email            string
		groups               int
		roles                []string
	}{
		{"Atlassian's example", "GET /rest/api/3/user", "user_get_expanded.json", false,
			&jira.UserGetOptions{AccountID: "5b10a2844c20165700ede21g", Expand: []string{"groups", "applicationRoles"}},
			"accountId=5b10a2844c20165700ede21g&expand=groups%2CapplicationRoles", "5b10a2844c20165700ede21g", "mia@example.com", 0, []string{}},
		{"Data Center", "GET /rest/api/2/user", "user_dc_expanded.json", true,
			&jira.UserGetOptions{Username: "alice", Expand: []string{"groups", "applicationRoles"}},
			"expand=groups%2CapplicationRoles&username=alice", "alice", "alice@example.com", 2, []string{"jira-software"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, rec := payloadClient(t, tt.dc, false, map[string]answer{tt.route: {200, tt.fixture}})
			u, _, err := c.Users.Get(t.Context(), tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.query, rec.get(tt.route+"?"))
			assert.Equal(t, tt.id, u.ID())
			assert.Equal(t, tt.email, u.EmailAddress)
			require.NotNil(t, u.Groups)
			assert.Len(t, u.GroupNames(), tt.groups)
			assert.Equal(t, tt.roles, u.RoleKeys())
			assert.Contains(t, u.Extra, "avatarUrls")
		})
	}
}

// TestResolveUserWhoseEmailIsHidden: Jira Cloud matches a query against
// addresses its privacy settings do not show; one account answering a
// query for an email is that person.
func TestResolveUserWhoseEmailIsHidden(t *testing.T) {
	t.Parallel()
	c, rec := payloadClient(t, false, false, map[string]answer{
		"GET /rest/api/3/user/search": {200, "user_search_hidden_email.json"},
		"POST /rest/api/3/issue":      {201, "issue_create_201.json"},
	})
	a, err := jira.NewAdapter(c, jira.AdapterConfig{})
	require.NoError(t, err)
	is, err := a.CreateIssue(t.Context(), &tracker.NewIssue{Project: "SEC", Summary: "s", Assignee: "private@example.com"})
	require.NoError(t, err)
	assert.Equal(t, "maxResults=50&query=private%40example.com", rec.get("GET /rest/api/3/user/search?"))
	assert.Contains(t, rec.get("POST /rest/api/3/issue"), `"assignee":{"accountId":"712020:8c1d4b7e-2f3a-4d5e-9a6b-7c8d9e0f1a2b"}`)
	assert.Equal(t, "712020:8c1d4b7e-2f3a-4d5e-9a6b-7c8d9e0f1a2b", is.Assignee)
	require.NotNil(t, is.AssigneeUser)
	assert.Equal(t, "Private Person", is.AssigneeUser.Name)
	assert.Empty(t, is.AssigneeUser.Email, "Jira did not show it")
}

// Workers resolving one person at once share one lookup: a batch of
// tickets for one assignee must not start with a search per worker. The
// lookup is held until every caller has asked; whatever the timing, a
// caller either joins the lookup in flight or finds its answer cached.
func TestResolveUserSharesOneLookup(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	data := fixture(t, "user_search_hidden_email.json")
	const callers = 32
	var asked sync.WaitGroup
	asked.Add(callers)
	var lookups atomic.Int32
	mock.RegisterResponder(http.MethodGet, site+"/rest/api/3/user/search", func(*http.Request) (*http.Response, error) {
		lookups.Add(1)
		asked.Wait()
		resp := httpmock.NewBytesResponse(http.StatusOK, data)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	c, err := jira.New(site, jira.WithToken("t"), jira.WithHTTPClient(&http.Client{Transport: contract.Load(t, contract.Jira).Transport(t, mock)}))
	require.NoError(t, err)
	a, err := jira.NewAdapter(c, jira.AdapterConfig{})
	require.NoError(t, err)

	var wg sync.WaitGroup
	ids := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() {
			asked.Done()
			var u *jira.User
			u, errs[i] = a.ResolveUser(t.Context(), "private@example.com")
			if u != nil {
				ids[i] = u.AccountID
			}
		})
	}
	wg.Wait()

	for i := range callers {
		require.NoError(t, errs[i])
		assert.Equal(t, "712020:8c1d4b7e-2f3a-4d5e-9a6b-7c8d9e0f1a2b", ids[i])
	}
	assert.Equal(t, int32(1), lookups.Load(), "lookups sent")
}
