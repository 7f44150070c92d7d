package extrahop_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

func newAdapter(t *testing.T, srv *extrahoptest.Server, cfg extrahop.AdapterConfig) *extrahop.Adapter {
	t.Helper()
	a, err := extrahop.NewAdapter(newClient(t, srv), cfg)
	require.NoError(t, err)
	return a
}

func TestConformance(t *testing.T) {
	t.Parallel()
	trackertest.Run(t, func(t *testing.T) *trackertest.Harness {
		srv := extrahoptest.NewServer(t)
		srv.Seed(3) // detections that are not the suite's own
		return &trackertest.Harness{
			Tracker:    newAdapter(t, srv, extrahop.AdapterConfig{}),
			MissingID:  "1",
			DoneStatus: extrahop.StatusClosed,
			// ExtraHop owns titles; the adapter writes ticket fields.
			NoSummaryUpdate: true,
			NoLabels:        true,
			FieldChange:     map[string]any{"ticket_id": "SEC-42"},
			VolatileFields:  []string{"mod_time"},
			Seed: func(_ context.Context, n int) ([]string, error) {
				var ids []string
				for _, id := range srv.Seed(n) {
					ids = append(ids, strconv.FormatInt(id, 10))
				}
				return ids, nil
			},
		}
	})
}

func TestAdapterCapabilities(t *testing.T) {
	t.Parallel()
	a := newAdapter(t, extrahoptest.NewServer(t), extrahop.AdapterConfig{})
	assert.Equal(t, "extrahop", a.Kind())
	assert.NoError(t, tracker.Require(a, tracker.CanSearch, tracker.CanUpdate, tracker.CanTransition, tracker.CanDescribe))
	assert.ErrorIs(t, tracker.Require(a, tracker.CanCreate), tracker.ErrUnsupported, "ExtraHop creates detections itself")
}

func TestAdapterIssueMapping(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	risk := 84
	id := srv.Add(extrahop.Detection{
		Title: "RDP Brute Force", Description: "Many passwords.", Type: "rdp_brute_force",
		Categories: []string{"sec", "sec.attack"}, RiskScore: &risk,
		StartTime:  extrahop.TimeOf(time.UnixMilli(1763700000000)),
		CreateTime: extrahop.TimeOf(time.UnixMilli(1763700000500)),
		Status:     tracker.Ptr(extrahop.StatusAcknowledged), Assignee: tracker.Ptr("sally"), TicketID: tracker.Ptr("SEC-7"),
		MitreTactics:    []extrahop.Mitre{{ID: "TA0008", Name: "Lateral Movement"}},
		MitreTechniques: []extrahop.Mitre{{ID: "T1021.002", Name: "SMB/Windows Admin Shares", LegacyIDs: []string{"T1077"}}},
		Participants:    []extrahop.Participant{{ID: 1, Role: "offender", ObjectType: "ipaddr", ObjectValue: "203.0.113.7", External: true}},
	})
	a := newAdapter(t, srv, extrahop.AdapterConfig{TicketURLTemplate: "https://jira.example.com/browse/$ticket_id"})

	is, err := a.GetIssue(context.Background(), strconv.FormatInt(id, 10))
	require.NoError(t, err)
	d, _ := srv.Detection(id)
	assert.Equal(t, strconv.FormatInt(id, 10), is.ID)
	assert.Equal(t, is.ID, is.Key)
	assert.Equal(t, d.URL, is.URL)
	assert.Equal(t, "RDP Brute Force", is.Summary)
	assert.Equal(t, "Many passwords.", is.Description)
	assert.Equal(t, extrahop.StatusAcknowledged, is.Status)
	assert.Equal(t, tracker.CategoryInProgress, is.StatusCategory)
	assert.Equal(t, "sally", is.Assignee)
	assert.Empty(t, is.Resolution)
	assert.Equal(t, []string{"sec", "sec.attack"}, is.Labels)
	assert.True(t, is.Created.Equal(time.UnixMilli(1763700000500)), "Created is create_time")
	assert.True(t, is.Updated.Equal(d.ModTime.Time), "Updated is mod_time")
	assert.Equal(t, map[string]any{
		"risk_score":       int64(84),
		"type":             "rdp_brute_force",
		"categories":       []string{"sec", "sec.attack"},
		"mitre_tactics":    []string{"TA0008 Lateral Movement"},
		"mitre_techniques": []string{"T1021.002 SMB/Windows Admin Shares"},
		"participants":     []map[string]any{{"id": int64(1), "role": "offender", "object_type": "ipaddr", "object_value": "203.0.113.7", "external": true}},
		"ticket_id":        "SEC-7",
		"ticket_url":       "https://jira.example.com/browse/SEC-7",
		"url":              d.URL,
		"start_time":       time.UnixMilli(1763700000000).UTC(),
		"end_time":         nil,
		"create_time":      time.UnixMilli(1763700000500).UTC(),
		"mod_time":         d.ModTime.Time,
	}, is.Fields)

	// Null risk score and no ticket: nil fields, not zero values.
	perf := srv.Add(extrahop.Detection{Title: "Slow", Categories: []string{"perf"}, StartTime: extrahop.TimeOf(time.UnixMilli(1763700000000))})
	is, err = a.GetIssue(context.Background(), strconv.FormatInt(perf, 10))
	require.NoError(t, err)
	assert.Nil(t, is.Fields["risk_score"])
	assert.Nil(t, is.Fields["ticket_id"])
	assert.Nil(t, is.Fields["ticket_url"])
	assert.Equal(t, "", is.Status)
	assert.Equal(t, tracker.CategoryToDo, is.StatusCategory)
}

func TestAdapterStatusCategories(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	a := newAdapter(t, srv, extrahop.AdapterConfig{})
	for status, want := range map[string]tracker.StatusCategory{
		"": tracker.CategoryToDo, extrahop.StatusNew: tracker.CategoryToDo,
		extrahop.StatusInProgress: tracker.CategoryInProgress, extrahop.StatusAcknowledged: tracker.CategoryInProgress,
		extrahop.StatusClosed: tracker.CategoryDone,
	} {
		d := extrahop.Detection{Title: "x"}
		if status != "" {
			d.Status = tracker.Ptr(status)
		}
		assert.Equal(t, want, a.Issue(&d).StatusCategory, "status %q", status)
	}
}

func TestAdapterUpdateWritesOnePatch(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	id := srv.Seed(1)[0]
	a := newAdapter(t, srv, extrahop.AdapterConfig{})
	ctx := context.Background()
	sid := strconv.FormatInt(id, 10)

	srv.ResetRequests()
	err := a.UpdateIssue(ctx, sid, &tracker.Change{
		Assignee:   tracker.Ptr("sally"),
		Resolution: tracker.Ptr(extrahop.ResolutionNoActionTaken),
		Fields:     map[string]any{"ticket_id": "SEC-42", "status": extrahop.StatusClosed},
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"PATCH /api/v1/detections/{id}": 1}, srv.RequestCounts(), "everything in one PATCH, nothing read first")
	d, _ := srv.Detection(id)
	assert.Equal(t, "SEC-42", d.TicketIDValue())
	assert.Equal(t, extrahop.StatusClosed, d.StatusValue())
	assert.Equal(t, "sally", d.AssigneeValue())
	assert.Equal(t, extrahop.ResolutionNoActionTaken, d.ResolutionValue())

	// Without ticket_id the current one is read and sent back, since
	// ExtraHop requires it; a resolution on a closed detection needs no
	// status in the change.
	srv.ResetRequests()
	require.NoError(t, a.UpdateIssue(ctx, sid, &tracker.Change{Assignee: tracker.Ptr(""), Resolution: tracker.Ptr(extrahop.ResolutionActionTaken)}))
	assert.Equal(t, map[string]int{"GET /api/v1/detections/{id}": 1, "PATCH /api/v1/detections/{id}": 1}, srv.RequestCounts())
	d, _ = srv.Detection(id)
	assert.Equal(t, "SEC-42", d.TicketIDValue(), "ticket id kept")
	assert.Nil(t, d.Assignee, `Assignee "" unassigns`)
	assert.Equal(t, extrahop.ResolutionActionTaken, d.ResolutionValue())

	// Clearing the ticket with nil; leaving closed clears the resolution.
	require.NoError(t, a.UpdateIssue(ctx, sid, &tracker.Change{Fields: map[string]any{"ticket_id": nil, "status": "In Progress"}}))
	d, _ = srv.Detection(id)
	assert.Nil(t, d.TicketID)
	assert.Equal(t, extrahop.StatusInProgress, d.StatusValue())
	assert.Nil(t, d.Resolution, "a reopened detection keeps no resolution")

	// An empty change sends nothing.
	srv.ResetRequests()
	require.NoError(t, a.UpdateIssue(ctx, sid, &tracker.Change{}))
	assert.Zero(t, srv.Requests())
}

func TestAdapterUpdateRefusals(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	id := srv.Seed(1)[0]
	a := newAdapter(t, srv, extrahop.AdapterConfig{})
	sid := strconv.FormatInt(id, 10)
	srv.ResetRequests()

	tests := []struct {
		name    string
		change  *tracker.Change
		is      error
		message string
	}{
		{"summary", &tracker.Change{Summary: tracker.Ptr("x")}, tracker.ErrUnsupported, "cannot set Summary"},
		{"labels and priority", &tracker.Change{AddLabels: []string{"a"}, Priority: tracker.Ptr("High")}, tracker.ErrUnsupported, "cannot set Labels, Priority"},
		{"unknown field", &tracker.Change{Fields: map[string]any{"risk_score": 3}}, tracker.ErrUnsupported, `cannot set Fields["risk_score"]`},
		{"bad status", &tracker.Change{Fields: map[string]any{"status": "resolved"}}, tracker.ErrInvalid, `"resolved"`},
		{"resolution with status new", &tracker.Change{Resolution: tracker.Ptr(extrahop.ResolutionActionTaken), Fields: map[string]any{"status": "new", "ticket_id": "T-1"}}, extrahop.ErrResolutionNeedsClosed, "status closed"},
		{"bad ticket type", &tracker.Change{Fields: map[string]any{"ticket_id": 1.5}}, nil, "want a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := a.UpdateIssue(context.Background(), sid, tc.change)
			require.Error(t, err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.Contains(t, err.Error(), tc.message)
		})
	}
	assert.Zero(t, srv.RequestCount("PATCH /api/v1/detections/{id}"), "refused changes must not be sent")

	// A resolution for a detection that is not closed is refused after
	// reading it, before writing.
	err := a.UpdateIssue(context.Background(), sid, &tracker.Change{Resolution: tracker.Ptr(extrahop.ResolutionActionTaken)})
	assert.ErrorIs(t, err, extrahop.ErrResolutionNeedsClosed)
	assert.Zero(t, srv.RequestCount("PATCH /api/v1/detections/{id}"))

	assert.ErrorIs(t, a.UpdateIssue(context.Background(), "abc", &tracker.Change{Assignee: tracker.Ptr("x")}), tracker.ErrNotFound)
	assert.ErrorIs(t, a.UpdateIssue(context.Background(), "5", &tracker.Change{Assignee: tracker.Ptr("x")}), tracker.ErrNotFound)
}

func TestAdapterTransition(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	id := srv.Seed(1)[0]
	a := newAdapter(t, srv, extrahop.AdapterConfig{})
	ctx := context.Background()
	sid := strconv.FormatInt(id, 10)

	require.NoError(t, a.Transition(ctx, sid, tracker.TransitionTarget{Category: tracker.CategoryInProgress}))
	d, _ := srv.Detection(id)
	assert.Equal(t, extrahop.StatusInProgress, d.StatusValue())

	// Acknowledged is in progress too: no write.
	srv.Update(id, func(d *extrahop.Detection) { d.Status = tracker.Ptr(extrahop.StatusAcknowledged) })
	srv.ResetRequests()
	require.NoError(t, a.Transition(ctx, sid, tracker.TransitionTarget{Category: tracker.CategoryInProgress}))
	assert.Zero(t, srv.RequestCount("PATCH /api/v1/detections/{id}"))

	require.NoError(t, a.Transition(ctx, sid, tracker.TransitionTarget{Category: tracker.CategoryDone, Resolution: extrahop.ResolutionActionTaken}))
	d, _ = srv.Detection(id)
	assert.Equal(t, extrahop.StatusClosed, d.StatusValue())
	assert.Equal(t, extrahop.ResolutionActionTaken, d.ResolutionValue())

	// Reopening clears the resolution.
	require.NoError(t, a.Transition(ctx, sid, tracker.TransitionTarget{Category: tracker.CategoryToDo}))
	d, _ = srv.Detection(id)
	assert.Equal(t, extrahop.StatusNew, d.StatusValue())
	assert.Nil(t, d.Resolution)

	require.NoError(t, a.Transition(ctx, sid, tracker.TransitionTarget{Status: "Open"}))
	d, _ = srv.Detection(id)
	assert.Nil(t, d.Status, "open is the null status")

	assert.ErrorIs(t, a.Transition(ctx, sid, tracker.TransitionTarget{Status: "resolved"}), tracker.ErrNoTransition)
	assert.ErrorIs(t, a.Transition(ctx, sid, tracker.TransitionTarget{Status: "new", Resolution: extrahop.ResolutionActionTaken}), extrahop.ErrResolutionNeedsClosed)
}

func TestAdapterSearchFilters(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	srv.Seed(24)
	min := 60
	a := newAdapter(t, srv, extrahop.AdapterConfig{Filter: &extrahop.DetectionFilter{Categories: []string{"sec"}, RiskScoreMin: &min}, PageSize: 5})
	ctx := context.Background()

	collect := func(q tracker.Query) ([]*tracker.Issue, error) {
		var out []*tracker.Issue
		for is, err := range a.SearchIssues(ctx, q) {
			if err != nil {
				return out, err
			}
			out = append(out, is)
		}
		return out, nil
	}
	all, err := collect(tracker.Query{})
	require.NoError(t, err)
	require.NotEmpty(t, all)
	for _, is := range all {
		assert.Contains(t, is.Labels, "sec")
		assert.GreaterOrEqual(t, is.Fields["risk_score"], int64(60))
	}

	lateral, err := collect(tracker.Query{Raw: `{"categories":["sec.lateral"],"risk_score_min":70}`})
	require.NoError(t, err)
	for _, is := range lateral {
		assert.Contains(t, is.Labels, "sec.lateral")
		assert.GreaterOrEqual(t, is.Fields["risk_score"], int64(70))
	}
	assert.Less(t, len(lateral), len(all))

	closed, err := collect(tracker.Query{Statuses: []string{"closed"}})
	require.NoError(t, err)
	assert.Empty(t, closed)

	_, err = collect(tracker.Query{Project: "SEC"})
	assert.ErrorIs(t, err, tracker.ErrInvalid)
	_, err = collect(tracker.Query{Raw: `{"bogus":1}`})
	assert.ErrorIs(t, err, tracker.ErrInvalid)
	_, err = collect(tracker.Query{Statuses: []string{"resolved"}})
	assert.ErrorIs(t, err, tracker.ErrInvalid)
}
