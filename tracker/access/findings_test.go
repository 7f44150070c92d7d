package access_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/access"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

// scenario is a directory and roster whose violations a test can fix one
// by one.
type scenario struct {
	dir    *trackertest.Memory
	roster access.StaticRoster
	at     time.Time
}

func newScenario(users ...*tracker.User) *scenario {
	return &scenario{dir: directory(users...), at: now}
}

func (s *scenario) review(t *testing.T) *access.Report {
	t.Helper()
	at := s.at
	rep, err := access.Review(context.Background(), s.dir, s.roster, access.Policy{
		Directory:  "YouTrack",
		Access:     map[string][]string{"developer": {"developers"}},
		StaleAfter: 90 * day,
		Now:        func() time.Time { return at },
	})
	require.NoError(t, err)
	s.at = s.at.Add(day)
	return rep
}

func threeViolations() *scenario {
	s := newScenario(
		user("1-1", "jdoe", "jdoe@example.com"),
		user("1-2", "ana", "ana@example.com", groups("developers", "admins")),
		user("1-3", "mallory", "mallory@evil.example"),
	)
	s.roster = access.StaticRoster{
		offboarded("jdoe@example.com", "", "2026-10-01"),
		{Email: "ana@example.com", Name: "Ana Lima", Status: access.StatusActive, Role: "developer"},
	}
	return s
}

func ids(issues []*tracker.Issue) []string {
	out := []string{}
	for _, is := range issues {
		out = append(out, is.ID+" "+is.Status)
	}
	return out
}

func TestFindingsTrackerLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := threeViolations()
	ft := access.NewFindingsTracker("")
	assert.Equal(t, access.DefaultFindingsKind, ft.Kind())

	ch := ft.Record(s.review(t))
	assert.Equal(t, []string{"excess-access:1-2", "offboarded-active:1-1", "unidentified-account:1-3"}, ch.Opened)
	assert.Empty(t, ch.Resolved)
	assert.Equal(t, 3, ch.Open)

	is, err := ft.GetIssue(ctx, "offboarded-active:1-1")
	require.NoError(t, err)
	assert.Equal(t, "offboarded-active:1-1", is.Key)
	assert.Equal(t, "Offboarded user jdoe still active in YouTrack", is.Summary)
	assert.Equal(t, access.FindingOpen, is.Status)
	assert.Equal(t, tracker.CategoryToDo, is.StatusCategory)
	assert.Equal(t, []string{"access-review", "offboarded-active"}, is.Labels)
	assert.Equal(t, "offboarded-active", is.Fields[access.FieldRule])
	assert.Equal(t, "jdoe", is.Fields[access.FieldLogin])
	assert.Equal(t, "jdoe@example.com", is.Fields[access.FieldEmail])
	assert.Equal(t, "YouTrack", is.Fields[access.FieldDirectory])
	assert.Equal(t, now, is.Created)
	assert.Contains(t, is.Description, "The roster lists jdoe@example.com as offboarded on 2026-10-01 (host roster)")
	assert.Contains(t, is.Description, "Roster: jdoe@example.com, offboarded on 2026-10-01 (host roster, matched by email)")

	ana, err := ft.GetIssue(ctx, "excess-access:1-2")
	require.NoError(t, err)
	assert.Equal(t, "developer", ana.Fields[access.FieldRole])
	assert.Contains(t, ana.Description, "Groups: developers, admins")

	// Same violations the next day: nothing opens, nothing resolves.
	ch = ft.Record(s.review(t))
	assert.Empty(t, ch.Opened)
	assert.Empty(t, ch.Resolved)
	is, err = ft.GetIssue(ctx, "offboarded-active:1-1")
	require.NoError(t, err)
	assert.Equal(t, now, is.Created, "first seen is kept")
	assert.Equal(t, now.Add(day), is.Updated)

	// jdoe is banned: that finding resolves.
	s.dir = directory(
		user("1-1", "jdoe", "jdoe@example.com", banned),
		user("1-2", "ana", "ana@example.com", groups("developers", "admins")),
		user("1-3", "mallory", "mallory@evil.example"),
	)
	ch = ft.Record(s.review(t))
	assert.Empty(t, ch.Opened)
	assert.Equal(t, []string{"offboarded-active:1-1"}, ch.Resolved)
	assert.Equal(t, 2, ch.Open)
	is, err = ft.GetIssue(ctx, "offboarded-active:1-1")
	require.NoError(t, err)
	assert.Equal(t, access.FindingResolved, is.Status)
	assert.Equal(t, tracker.CategoryDone, is.StatusCategory)
	assert.Equal(t, now.Add(2*day), is.Updated)

	// Resolved findings stay resolved, and keep their time.
	ch = ft.Record(s.review(t))
	assert.Empty(t, ch.Resolved)
	is, err = ft.GetIssue(ctx, "offboarded-active:1-1")
	require.NoError(t, err)
	assert.Equal(t, now.Add(2*day), is.Updated)

	// jdoe is active again: the finding reopens.
	s.dir = directory(
		user("1-1", "jdoe", "jdoe@example.com"),
		user("1-2", "ana", "ana@example.com", groups("developers", "admins")),
		user("1-3", "mallory", "mallory@evil.example"),
	)
	ch = ft.Record(s.review(t))
	assert.Equal(t, []string{"offboarded-active:1-1"}, ch.Opened)
	is, err = ft.GetIssue(ctx, "offboarded-active:1-1")
	require.NoError(t, err)
	assert.Equal(t, tracker.CategoryToDo, is.StatusCategory)
	assert.Equal(t, now, is.Created)

	_, err = ft.GetIssue(ctx, "stale-account:9-9")
	assert.ErrorIs(t, err, tracker.ErrNotFound)
	assert.Equal(t, access.Changes{}, ft.Record(nil))
}

func TestFindingsTrackerSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := threeViolations()
	ft := access.NewFindingsTracker("access")
	ft.Record(s.review(t))
	s.roster = append(s.roster, &access.Entry{Email: "mallory@evil.example", Status: access.StatusActive})
	ft.Record(s.review(t))

	search := func(q tracker.Query) []string {
		var out []*tracker.Issue
		for is, err := range ft.SearchIssues(ctx, q) {
			require.NoError(t, err)
			out = append(out, is)
		}
		return ids(out)
	}
	assert.Equal(t, []string{
		"excess-access:1-2 Open", "offboarded-active:1-1 Open", "unidentified-account:1-3 Resolved",
	}, search(tracker.Query{}), "ascending Updated, then key")
	assert.Equal(t, []string{"unidentified-account:1-3 Resolved"}, search(tracker.Query{Statuses: []string{"resolved"}}))
	assert.Len(t, search(tracker.Query{UpdatedSince: now.Add(day)}), 3)
	assert.Empty(t, search(tracker.Query{UpdatedSince: now.Add(2 * day)}))

	for _, err := range ft.SearchIssues(ctx, tracker.Query{Raw: "rule: stale"}) {
		assert.ErrorIs(t, err, tracker.ErrUnsupported)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, err := range ft.SearchIssues(cancelled, tracker.Query{}) {
		assert.ErrorIs(t, err, context.Canceled)
	}
	_, err := ft.GetIssue(cancelled, "x")
	assert.ErrorIs(t, err, context.Canceled)

	// Breaking out of the loop stops the iteration.
	n := 0
	for range ft.SearchIssues(ctx, tracker.Query{}) {
		n++
		break
	}
	assert.Equal(t, 1, n)

	// Copies: changing a result does not change the tracker.
	is, err := ft.GetIssue(ctx, "excess-access:1-2")
	require.NoError(t, err)
	is.Labels[0] = "changed"
	is, err = ft.GetIssue(ctx, "excess-access:1-2")
	require.NoError(t, err)
	assert.Equal(t, "access-review", is.Labels[0])

	assert.Equal(t, 0, ft.Forget(now.Add(day)), "resolved at now+1d, not before")
	assert.Equal(t, 1, ft.Forget(now.Add(day+time.Second)))
	assert.Len(t, ft.Issues(), 2)
}

func TestFindingsTrackerFromSavedReport(t *testing.T) {
	t.Parallel()
	s := threeViolations()
	saved, err := json.Marshal(s.review(t))
	require.NoError(t, err)

	// A new process: load the previous report, then record the new one.
	var previous access.Report
	require.NoError(t, json.Unmarshal(saved, &previous))
	s.roster = append(s.roster, &access.Entry{Email: "mallory@evil.example", Status: access.StatusActive})
	ft := access.NewFindingsTracker("")
	ft.Record(&previous)
	ch := ft.Record(s.review(t))
	assert.Equal(t, []string{"unidentified-account:1-3"}, ch.Resolved)
	assert.Empty(t, ch.Opened)

	is, err := ft.GetIssue(context.Background(), "offboarded-active:1-1")
	require.NoError(t, err)
	assert.Equal(t, "Offboarded user jdoe still active in YouTrack", is.Summary)
}

// accessToJira is the mapping the package documentation recommends.
const accessToJira = `
flows:
  - name: access-review
    source: access-review
    target: jira
    defaults: {project: SEC, type: Task}
    fields:
      summary: {from: summary}
      description: {from: description}
      labels: {from: labels}
    values:
      statusCategory:
        from: statusCategory
        map: {todo: todo, done: done}
        default: todo
`

// TestFindingsSyncOneTicketPerViolation runs the findings of successive
// reviews through the sync engine: one ticket per violation, none twice,
// closed when the violation is gone and reopened when it recurs.
func TestFindingsSyncOneTicketPerViolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	spec, err := mapping.Parse([]byte(accessToJira))
	require.NoError(t, err)
	jira := trackertest.NewMemory("jira")
	ft := access.NewFindingsTracker("")
	flowAt := now
	flow, err := syncer.New(syncer.Config{
		Name:    "access-review",
		Source:  ft,
		Target:  jira,
		Mapping: spec.Flows[0],
		Store:   memory.New(),
		Now:     func() time.Time { return flowAt },
	})
	require.NoError(t, err)
	s := threeViolations()
	sync := func() *syncer.Report {
		t.Helper()
		rep, err := flow.RunOnce(ctx)
		require.NoError(t, err)
		flowAt = flowAt.Add(day)
		return rep
	}
	tickets := func() []string {
		var out []string
		for is, err := range jira.SearchIssues(ctx, tracker.Query{}) {
			require.NoError(t, err)
			out = append(out, is.Summary+" | "+is.StatusCategory.String())
		}
		slices.Sort(out)
		return out
	}

	ft.Record(s.review(t))
	rep := sync()
	assert.Equal(t, 3, rep.Created)
	assert.Equal(t, []string{
		"Account mallory in YouTrack matches no roster entry | todo",
		"Offboarded user jdoe still active in YouTrack | todo",
		"User ana has access in YouTrack their role does not allow: admins | todo",
	}, tickets())
	is, err := jira.GetIssue(ctx, "SEC-1")
	require.NoError(t, err)
	assert.Contains(t, is.Labels, "access-review")

	// The same review again, and again: no duplicates, nothing written.
	jira.ResetCalls()
	ft.Record(s.review(t))
	rep = sync()
	assert.Zero(t, rep.Created)
	assert.Zero(t, rep.Updated)
	ft.Record(s.review(t))
	sync()
	assert.Equal(t, 3, jira.Len())
	assert.Zero(t, jira.WriteCalls())

	// Ana leaves the admins group: her ticket is closed, the others stay.
	s.dir = directory(
		user("1-1", "jdoe", "jdoe@example.com"),
		user("1-2", "ana", "ana@example.com", groups("developers")),
		user("1-3", "mallory", "mallory@evil.example"),
	)
	ft.Record(s.review(t))
	rep = sync()
	assert.Equal(t, 1, rep.Updated)
	assert.Equal(t, []string{
		"Account mallory in YouTrack matches no roster entry | todo",
		"Offboarded user jdoe still active in YouTrack | todo",
		"User ana has access in YouTrack their role does not allow: admins | done",
	}, tickets())

	// Ana is made admin again: the ticket reopens rather than duplicating.
	s.dir = directory(
		user("1-1", "jdoe", "jdoe@example.com"),
		user("1-2", "ana", "ana@example.com", groups("developers", "admins")),
		user("1-3", "mallory", "mallory@evil.example"),
	)
	ft.Record(s.review(t))
	sync()
	assert.Equal(t, 3, jira.Len())
	assert.Contains(t, tickets(), "User ana has access in YouTrack their role does not allow: admins | todo")
}
