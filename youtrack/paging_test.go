package youtrack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/youtrack"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

func TestSearchPagesUntilShortPage(t *testing.T) {
	t.Parallel()
	srv := youtracktest.NewServer(t)
	_, err := srv.SeedIssues("SEC", 100)
	require.NoError(t, err)
	c, err := youtrack.New(srv.URL(), youtrack.WithToken(youtracktest.Token))
	require.NoError(t, err)
	srv.ResetRequests()

	seen := map[string]bool{}
	for is, err := range c.Issues.Search(context.Background(), "project: SEC", &youtrack.ListOptions{Top: 42}) {
		require.NoError(t, err)
		assert.False(t, seen[is.ID], "issue %s returned twice", is.ID)
		seen[is.ID] = true
	}

	assert.Len(t, seen, 100)
	assert.Equal(t, 3, srv.RequestCount("GET /api/issues"), "100 issues at $top=42 take pages of 42, 42 and 16")
	total, _ := srv.Requests()
	assert.Equal(t, 3, total)
}

func TestSearchSendsSkipAndTopOnEveryPage(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t, youtrack.WithPageSize(42))
	var skips, tops []string
	mock.RegisterResponder("GET", "=~^"+service+"/api/issues", func(r *http.Request) (*http.Response, error) {
		q := r.URL.Query()
		skips = append(skips, q.Get("$skip"))
		tops = append(tops, q.Get("$top"))
		assert.Equal(t, "#Unresolved", q.Get("query"))
		skip, _ := strconv.Atoi(q.Get("$skip"))
		var page []map[string]any
		for i := skip; i < min(skip+42, 100); i++ {
			page = append(page, map[string]any{"$type": "Issue", "id": fmt.Sprintf("2-%d", i)})
		}
		b, _ := json.Marshal(page)
		return jsonResponse(200, string(b)), nil
	})

	n := 0
	for _, err := range c.Issues.Search(context.Background(), "#Unresolved", nil) {
		require.NoError(t, err)
		n++
	}

	assert.Equal(t, 100, n)
	assert.Equal(t, []string{"", "42", "84"}, skips, "$skip 0 is omitted, then advances by the items received")
	assert.Equal(t, []string{"42", "42", "42"}, tops, "$top is always sent, never the silent 42 default")
}

func TestFakeReturns42WithoutTop(t *testing.T) {
	t.Parallel()
	srv := youtracktest.NewServer(t)
	_, err := srv.SeedIssues("HD", 50)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodGet, srv.URL()+"/api/issues?fields=id", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+youtracktest.Token)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var list []map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	assert.Len(t, list, youtracktest.DefaultTop)
}

func TestIteratorStopsWhenCallerBreaks(t *testing.T) {
	t.Parallel()
	srv := youtracktest.NewServer(t)
	_, err := srv.SeedIssues("HD", 10)
	require.NoError(t, err)
	c, err := youtrack.New(srv.URL(), youtrack.WithToken(youtracktest.Token))
	require.NoError(t, err)
	srv.ResetRequests()
	n := 0
	for range c.Issues.Search(context.Background(), "", &youtrack.ListOptions{Top: 3}) {
		n++
		if n == 4 {
			break
		}
	}
	assert.Equal(t, 2, srv.RequestCount("GET /api/issues"), "no page is fetched after the caller breaks")
}

func TestAdapterCreateSendsTypedFields(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t)
	mock.RegisterResponder("GET", "=~^"+service+`/api/admin/projects(\?.*)?$`, httpmock.ResponderFromResponse(jsonResponse(200, fixture(t, "projects_list.json"))))
	mock.RegisterResponder("GET", "=~^"+service+`/api/admin/projects/0-1/customFields`, httpmock.ResponderFromResponse(jsonResponse(200, fixture(t, "project_custom_fields.json"))))
	mock.RegisterResponder("POST", "=~^"+service+`/api/issues`, func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		assert.JSONEq(t, fixture(t, "adapter_create_request.json"), string(b), "fields in name order")
		return jsonResponse(200, fixture(t, "issue_get.json")), nil
	})
	a, err := youtrack.NewAdapter(c, youtrack.AdapterConfig{})
	require.NoError(t, err)

	is, err := a.CreateIssue(context.Background(), &tracker.NewIssue{
		Project:     "HD",
		Summary:     "Suspicious login from 10.0.0.7",
		Description: "Five failed logins followed by a success.",
		Fields: map[string]any{
			"Severity": "High",
			"Reported": time.Date(2023, 7, 4, 0, 0, 0, 0, time.UTC),
		},
	})

	require.NoError(t, err)
	assert.Equal(t, 1, mock.GetCallCountInfo()["POST =~^"+service+`/api/issues`])
	assert.Equal(t, "HD-25", is.Key)
	assert.Equal(t, "https://yt.example.com/youtrack/issue/HD-25", is.URL)
}

func TestAdapterMapsIssue(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t)
	mock.RegisterResponder("GET", "=~^"+service+`/api/issues/HD-25`, httpmock.ResponderFromResponse(jsonResponse(200, fixture(t, "issue_get.json"))))
	a, err := youtrack.NewAdapter(c, youtrack.AdapterConfig{})
	require.NoError(t, err)

	is, err := a.GetIssue(context.Background(), "HD-25")

	require.NoError(t, err)
	assert.Equal(t, "2-17", is.ID)
	assert.Equal(t, "HD-25", is.Key)
	assert.Equal(t, "HD", is.Project)
	assert.Equal(t, "In Progress", is.Status)
	assert.Equal(t, tracker.CategoryInProgress, is.StatusCategory)
	assert.Equal(t, "Major", is.Priority)
	assert.Equal(t, "jdoe", is.Assignee)
	assert.Equal(t, "admin", is.Reporter)
	assert.Equal(t, []string{"Security"}, is.Labels)
	assert.Equal(t, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), is.Created)
	want := map[string]any{
		"State":            "In Progress",
		"Priority":         "Major",
		"Severity":         "High",
		"Assignee":         "jdoe",
		"Reported":         nil,
		"Due Date":         time.Date(2023, 7, 4, 12, 0, 0, 0, time.UTC),
		"External ID":      "tb:finding-42",
		"Estimation":       "1w 2d",
		"Affected systems": []string{"VPN", "Mail"},
		"Detected at":      time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC),
		"Hosts affected":   int64(12),
		"Fixed in build":   nil,
		"Future field":     map[string]any{"$type": "Mystery", "score": int64(7)},
	}
	assert.Equal(t, want, is.Fields)
}

func TestListUsersFromBothAPIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		api        youtrack.UserAPI
		hubDetails bool
	}{
		{"youtrack", youtrack.UserAPIYouTrack, false},
		{"youtrack with hub details", youtrack.UserAPIYouTrack, true},
		{"hub", youtrack.UserAPIHub, false},
	}
	for _, tt := range tests {
		api := tt.api
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := []youtrack.Option{youtrack.WithUserAPI(api), youtrack.WithPageSize(2)}
			if tt.hubDetails {
				opts = append(opts, youtrack.WithHubUserDetails())
			}
			a, srv := newAdapter(t, youtrack.AdapterConfig{}, opts...)
			users := map[string]*tracker.User{}
			for u, err := range a.ListUsers(context.Background()) {
				require.NoError(t, err)
				users[u.Login] = u
			}
			require.Len(t, users, len(srv.Users()))
			for _, want := range srv.Users() {
				got := users[want.Login]
				require.NotNil(t, got, want.Login)
				assert.Equal(t, !want.Banned, got.Active, "%s active", want.Login)
				assert.Equal(t, want.Guest, got.Guest, "%s guest", want.Login)
				if api == youtrack.UserAPIHub || tt.hubDetails {
					assert.True(t, want.LastAccess.Equal(got.LastAccess), "%s last access: want %s, got %s", want.Login, want.LastAccess, got.LastAccess)
					assert.Equal(t, want.Groups, got.Groups)
				} else {
					assert.True(t, got.LastAccess.IsZero(), "%s: /api/users reports no last access", want.Login)
				}
				assert.Equal(t, want.FullName, got.Name)
				assert.Equal(t, want.Email, got.Email)
				if api == youtrack.UserAPIHub {
					assert.Equal(t, want.RingID, got.ID)
				} else {
					assert.Equal(t, want.ID, got.ID)
				}
			}
			assert.False(t, users["bsmith"].Active, "the banned account is inactive")
			switch {
			case api == youtrack.UserAPIHub:
				assert.Equal(t, 3, srv.RequestCount("GET /hub/api/rest/users"), "5 users at $top=2")
			case tt.hubDetails:
				assert.Equal(t, 3, srv.RequestCount("GET /api/users"), "5 users at $top=2")
				assert.Equal(t, 3, srv.RequestCount("GET /hub/api/rest/users"), "details of 5 users at $top=2")
			default:
				assert.Equal(t, 3, srv.RequestCount("GET /api/users"), "5 users at $top=2")
				assert.Zero(t, srv.RequestCount("GET /hub/api/rest/users"))
			}
		})
	}
}
