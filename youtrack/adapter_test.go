package youtrack_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
	"github.com/trackbridge/trackbridge/youtrack"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

// newAdapter returns an adapter on a fresh fake.
func newAdapter(t *testing.T, cfg youtrack.AdapterConfig, opts ...youtrack.Option) (*youtrack.Adapter, *youtracktest.Server) {
	t.Helper()
	srv := youtracktest.NewServer(t)
	c, err := youtrack.New(srv.URL(), append([]youtrack.Option{youtrack.WithToken(youtracktest.Token)}, opts...)...)
	require.NoError(t, err)
	a, err := youtrack.NewAdapter(c, cfg)
	require.NoError(t, err)
	return a, srv
}

func TestConformance(t *testing.T) {
	t.Parallel()
	reported := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		cfg  youtrack.AdapterConfig
		opts []youtrack.Option
	}{
		{"tag markers", youtrack.AdapterConfig{}, nil},
		{"field markers and hub users", youtrack.AdapterConfig{MarkerField: youtracktest.FieldNameExternalID}, []youtrack.Option{youtrack.WithUserAPI(youtrack.UserAPIHub)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			trackertest.Run(t, func(t *testing.T) *trackertest.Harness {
				a, _ := newAdapter(t, tc.cfg, tc.opts...)
				return &trackertest.Harness{
					Tracker:     a,
					Project:     "HD",
					Priority:    "Major",
					DoneStatus:  "Fixed",
					Fields:      map[string]any{"Severity": "High", "Reported": reported},
					FieldChange: map[string]any{"Severity": "Low", "Reported": reported.AddDate(0, 0, 3)},
				}
			})
		})
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	a, _ := newAdapter(t, youtrack.AdapterConfig{})
	fields, err := a.DescribeFields(t.Context(), "HD", "")
	require.NoError(t, err)
	byName := map[string]tracker.FieldInfo{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	assert.True(t, byName["summary"].Required)
	assert.Equal(t, []string{"Critical", "Major", "Normal", "Minor"}, byName["priority"].Allowed, "the priority field is reported as priority")
	assert.False(t, byName["priority"].Required, "Priority has a default")
	assert.False(t, byName["State"].Required, "State has a default")
	assert.Equal(t, []string{"Low", "Medium", "High", "Critical"}, byName["Severity"].Allowed)
	assert.Equal(t, "date", byName["Reported"].Type)
	assert.Empty(t, byName["Assignee"].Allowed, "user fields are open")

	statuses, err := a.DescribeStatuses(t.Context(), "HD")
	require.NoError(t, err)
	cats := map[string]tracker.StatusCategory{}
	for _, s := range statuses {
		cats[s.Name] = s.Category
	}
	assert.Equal(t, map[string]tracker.StatusCategory{
		"Open": tracker.CategoryToDo, "In Progress": tracker.CategoryInProgress, "In Review": tracker.CategoryInProgress,
		"Fixed": tracker.CategoryDone, "Won't fix": tracker.CategoryDone, "Duplicate": tracker.CategoryDone,
	}, cats)

	_, err = a.DescribeFields(t.Context(), "NOPE", "")
	assert.ErrorIs(t, err, tracker.ErrNotFound)
}

func TestTransitionByCategoryAndComment(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, youtrack.AdapterConfig{})
	is, err := srv.AddIssue(youtracktest.NewIssue{Project: "HD", Summary: "x"})
	require.NoError(t, err)

	require.NoError(t, a.Transition(t.Context(), is.IDReadable, tracker.TransitionTarget{Category: tracker.CategoryInProgress, Comment: "on it"}))
	got, _ := srv.Issue(is.ID)
	assert.Equal(t, "In Progress", got.Fields["State"])
	require.Len(t, got.Comments, 1)
	assert.Equal(t, "on it", got.Comments[0].Text)

	require.NoError(t, a.Transition(t.Context(), is.ID, tracker.TransitionTarget{Status: "won't FIX"}))
	got, _ = srv.Issue(is.ID)
	assert.Equal(t, "Won't fix", got.Fields["State"])
	assert.False(t, got.Resolved.IsZero())

	srv.ResetRequests()
	require.NoError(t, a.Transition(t.Context(), is.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}))
	assert.Zero(t, srv.RequestCount("POST /api/commands"), "already done: no command")
	assert.Zero(t, srv.RequestCount("GET /api/admin/customFieldSettings/bundles/{kind}/{id}/values"), "the states are read once per project")
}

func TestUpdateIssueFieldsAndLabels(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, youtrack.AdapterConfig{})
	is, err := srv.AddIssue(youtracktest.NewIssue{Project: "HD", Summary: "x", Fields: map[string]any{"Severity": "High", "Assignee": "jdoe"}, Tags: []string{"Star"}})
	require.NoError(t, err)

	require.NoError(t, a.UpdateIssue(t.Context(), is.ID, &tracker.Change{
		Assignee: tracker.Ptr(""),
		Fields:   map[string]any{"Reported": time.Date(2026, 2, 3, 23, 59, 0, 0, time.UTC), "Severity": nil, "Estimation": "1w 2d"},
		Labels:   &[]string{"Security", "new-label"},
	}))
	got, _ := srv.Issue(is.ID)
	assert.Equal(t, time.Date(2026, 2, 3, 12, 0, 0, 0, time.UTC), got.Fields["Reported"])
	assert.NotContains(t, got.Fields, "Severity")
	assert.NotContains(t, got.Fields, "Assignee")
	assert.Equal(t, "1w 2d", got.Fields["Estimation"])
	assert.Equal(t, []string{"Security", "new-label"}, got.Tags)

	err = a.UpdateIssue(t.Context(), is.ID, &tracker.Change{Fields: map[string]any{"Colour": "Mauve"}})
	assert.ErrorIs(t, err, tracker.ErrInvalid)
	err = a.UpdateIssue(t.Context(), is.ID, &tracker.Change{Fields: map[string]any{"Severity": 3}})
	assert.ErrorIs(t, err, tracker.ErrInvalid)
	err = a.UpdateIssue(t.Context(), is.ID, &tracker.Change{Resolution: tracker.Ptr("Fixed")})
	assert.ErrorIs(t, err, tracker.ErrUnsupported)
}

func TestSearchQueryAndExactSince(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, youtrack.AdapterConfig{Location: time.FixedZone("EST", -5*3600)})
	q := tracker.Query{Project: "HD", UpdatedSince: time.Date(2026, 1, 2, 10, 0, 0, 500e6, time.UTC), Statuses: []string{"Open", "In Progress"}, Raw: "Severity: High"}
	text, err := a.SearchQuery(q)
	require.NoError(t, err)
	assert.Equal(t, "project: HD updated: 2026-01-02T05:00:00 .. * State: Open, {In Progress} (Severity: High) sort by: updated asc", text)

	ids, err := srv.SeedIssues("HD", 3)
	require.NoError(t, err)
	last, _ := srv.Issue(ids[2])
	var got []string
	for is, err := range a.SearchIssues(t.Context(), tracker.Query{Project: "HD", UpdatedSince: last.Updated}) {
		require.NoError(t, err)
		got = append(got, is.ID)
	}
	assert.Equal(t, []string{ids[2]}, got, "the millisecond cut is applied on the client")
}

// Field types learnt from issues already read spare the update its read:
// the S1 write-back of a Reported date is one request. A type that went
// stale (YouTrack answers the wrong $type with 500) is read again.
func TestUpdateWithKnownFieldTypesSkipsTheRead(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, youtrack.AdapterConfig{}, youtrack.WithMaxRetries(0))
	ctx := t.Context()
	ids, err := srv.SeedIssues("SEC", 2)
	require.NoError(t, err)
	for _, err := range a.SearchIssues(ctx, tracker.Query{Project: "SEC"}) {
		require.NoError(t, err)
	}
	reported := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

	srv.ResetRequests()
	require.NoError(t, a.UpdateIssue(ctx, ids[0], &tracker.Change{Fields: map[string]any{"Reported": reported}}))
	total, _ := srv.Requests()
	assert.Equal(t, 1, total, "one POST, no read first")
	got, err := a.GetIssue(ctx, ids[0])
	require.NoError(t, err)
	assert.Equal(t, reported, got.Fields["Reported"])

	srv.ResetRequests()
	srv.FailNext(1, 500, 0)
	require.NoError(t, a.UpdateIssue(ctx, ids[1], &tracker.Change{Fields: map[string]any{"Reported": reported}}))
	assert.Equal(t, 2, srv.RequestCount("POST /api/issues/{id}"), "the failed write and its retry")
	assert.Equal(t, 1, srv.RequestCount("GET /api/issues/{id}"), "the types are read again")
}

func TestAdapterRefusesUnquotableValues(t *testing.T) {
	t.Parallel()
	a, _ := newAdapter(t, youtrack.AdapterConfig{})
	_, err := a.SearchQuery(tracker.Query{Project: "HD", Statuses: []string{"Open", "x} or #Unresolved {y"}})
	require.ErrorIs(t, err, youtrack.ErrUnquotable)
	var errs []error
	for is, err := range a.SearchIssues(t.Context(), tracker.Query{Project: "HD", Statuses: []string{`a\`}}) {
		assert.Nil(t, is, "nothing is searched with a query missing a term")
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], youtrack.ErrUnquotable)
}
