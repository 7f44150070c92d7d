package trackertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
)

// fixedClock returns a clock that always says the same instant.
func fixedClock() func() time.Time {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time { return t0 }
}

func mustCreate(t *testing.T, m *Memory, in *tracker.NewIssue) *tracker.Issue {
	t.Helper()
	is, err := m.CreateIssue(t.Context(), in)
	require.NoError(t, err)
	return is
}

func TestWorkflowPath(t *testing.T) {
	t.Parallel()
	// Open → Triage → Working → Resolved → Closed, with a shortcut
	// Triage → Closed and a reopen Closed → Open; "Parked" is unreachable.
	wf := Workflow{
		Statuses: []tracker.StatusInfo{
			{Name: "Open", Category: tracker.CategoryToDo},
			{Name: "Triage", Category: tracker.CategoryToDo},
			{Name: "Working", Category: tracker.CategoryInProgress},
			{Name: "Resolved", Category: tracker.CategoryDone},
			{Name: "Closed", Category: tracker.CategoryDone},
			{Name: "Parked", Category: tracker.CategoryToDo},
		},
		Transitions: []Transition{
			{"Open", "Triage"}, {"Triage", "Working"}, {"Working", "Resolved"},
			{"Resolved", "Closed"}, {"Triage", "Closed"}, {"Closed", "Open"},
		},
	}
	require.NoError(t, wf.Validate())
	tests := []struct {
		from    string
		to      tracker.TransitionTarget
		want    []string
		wantErr error
	}{
		{"Open", tracker.TransitionTarget{Status: "Working"}, []string{"Triage", "Working"}, nil},
		{"Open", tracker.TransitionTarget{Status: "resolved"}, []string{"Triage", "Working", "Resolved"}, nil},
		{"Open", tracker.TransitionTarget{Category: tracker.CategoryDone}, []string{"Triage", "Closed"}, nil}, // nearest done
		{"Working", tracker.TransitionTarget{Category: tracker.CategoryToDo}, []string{"Resolved", "Closed", "Open"}, nil},
		{"Open", tracker.TransitionTarget{Category: tracker.CategoryToDo}, nil, nil}, // already there
		{"Closed", tracker.TransitionTarget{Status: "closed"}, nil, nil},
		{"Open", tracker.TransitionTarget{Status: "Parked"}, nil, tracker.ErrNoTransition},
		{"Parked", tracker.TransitionTarget{Category: tracker.CategoryDone}, nil, tracker.ErrNoTransition},
		{"Open", tracker.TransitionTarget{Status: "Nowhere"}, nil, tracker.ErrNoTransition},
		{"Nowhere", tracker.TransitionTarget{Status: "Open"}, nil, tracker.ErrNoTransition},
		{"Open", tracker.TransitionTarget{}, nil, tracker.ErrNoTransition},
	}
	for _, tt := range tests {
		t.Run(tt.from+"→"+tt.to.String(), func(t *testing.T) {
			t.Parallel()
			got, err := wf.Path(tt.from, tt.to)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestWorkflowValidate(t *testing.T) {
	t.Parallel()
	todo := tracker.StatusInfo{Name: "A", Category: tracker.CategoryToDo}
	tests := []struct {
		name string
		wf   Workflow
		want string
	}{
		{"empty", Workflow{}, "no statuses"},
		{"unnamed", Workflow{Statuses: []tracker.StatusInfo{{Category: tracker.CategoryToDo}}}, "no name"},
		{"no category", Workflow{Statuses: []tracker.StatusInfo{{Name: "A"}}}, "no category"},
		{"twice", Workflow{Statuses: []tracker.StatusInfo{todo, {Name: "a", Category: tracker.CategoryDone}}}, "twice"},
		{"unknown", Workflow{Statuses: []tracker.StatusInfo{todo}, Transitions: []Transition{{"A", "B"}}}, "unknown status"},
	}
	for _, tt := range tests {
		assert.ErrorContains(t, tt.wf.Validate(), tt.want, tt.name)
	}
	assert.NoError(t, DefaultWorkflow().Validate())

	// An invalid workflow leaves the default in place.
	m := NewMemory("m", WithWorkflow(Workflow{}))
	st, err := m.DescribeStatuses(t.Context(), "")
	require.NoError(t, err)
	assert.Equal(t, DefaultWorkflow().Statuses, st)
}

func TestMemoryTransition(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := NewMemory("m", WithActor("sync-bot"))
	is := mustCreate(t, m, &tracker.NewIssue{Summary: "s"})
	assert.Equal(t, "sync-bot", is.Reporter)
	assert.Equal(t, "To Do", is.Status)
	assert.Equal(t, tracker.CategoryToDo, is.StatusCategory)

	require.NoError(t, m.Transition(ctx, is.ID, tracker.TransitionTarget{Category: tracker.CategoryDone, Resolution: "Fixed", Comment: "closing"}))
	got, err := m.GetIssue(ctx, is.ID)
	require.NoError(t, err)
	assert.Equal(t, "Done", got.Status)
	assert.Equal(t, "Fixed", got.Resolution)
	comments, err := m.ListComments(ctx, is.ID)
	require.NoError(t, err)
	require.Len(t, comments, 1)
	assert.Equal(t, "closing", comments[0].Body)
	assert.Equal(t, "sync-bot", comments[0].Author)

	// Reopening clears the resolution; closing without one records "Done".
	require.NoError(t, m.Transition(ctx, is.Key, tracker.TransitionTarget{Status: "to do"}))
	got, _ = m.GetIssue(ctx, is.ID)
	assert.Equal(t, "To Do", got.Status)
	assert.Empty(t, got.Resolution)
	require.NoError(t, m.Transition(ctx, is.ID, tracker.TransitionTarget{Status: "Done"}))
	got, _ = m.GetIssue(ctx, is.ID)
	assert.Equal(t, "Done", got.Resolution)
}

func TestMemoryUpdatedStrictlyIncreases(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := NewMemory("m", WithClock(fixedClock()))
	a := mustCreate(t, m, &tracker.NewIssue{Summary: "a"})
	b := mustCreate(t, m, &tracker.NewIssue{Summary: "b"})
	assert.Equal(t, time.Millisecond, b.Updated.Sub(a.Updated))

	require.NoError(t, m.UpdateIssue(ctx, a.ID, &tracker.Change{Summary: tracker.Ptr("a2")}))
	a2, _ := m.GetIssue(ctx, a.ID)
	assert.True(t, a2.Updated.After(b.Updated))
	assert.True(t, a2.Created.Equal(a.Created), "Created moved")

	// An update that changes nothing does not move Updated.
	require.NoError(t, m.UpdateIssue(ctx, a.ID, &tracker.Change{Summary: tracker.Ptr("a2"), Fields: map[string]any{"Gone": nil}}))
	a3, _ := m.GetIssue(ctx, a.ID)
	assert.True(t, a3.Updated.Equal(a2.Updated))
}

func TestMemoryUpdate(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := NewMemory("m")
	is := mustCreate(t, m, &tracker.NewIssue{
		Summary: "s", Labels: []string{"a", "b", "a"},
		Fields: map[string]any{"Keep": "k", "Drop": "d", "List": []string{"x"}},
	})
	assert.Equal(t, []string{"a", "b"}, is.Labels, "duplicate labels")
	require.NoError(t, m.UpdateIssue(ctx, is.ID, &tracker.Change{
		Assignee: tracker.Ptr("bob"), AddLabels: []string{"c", "a"}, RemoveLabels: []string{"b"},
		Fields: map[string]any{"Drop": nil, "New": 1.5},
	}))
	got, _ := m.GetIssue(ctx, is.ID)
	assert.Equal(t, "bob", got.Assignee)
	assert.Equal(t, []string{"a", "c"}, got.Labels)
	assert.Equal(t, map[string]any{"Keep": "k", "List": []string{"x"}, "New": 1.5}, got.Fields)

	require.NoError(t, m.UpdateIssue(ctx, is.ID, &tracker.Change{Labels: &[]string{"z"}}))
	got, _ = m.GetIssue(ctx, is.ID)
	assert.Equal(t, []string{"z"}, got.Labels)
}

func TestMemoryValidation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := NewMemory("m", WithPriorities("P1", "P2"),
		WithFields(tracker.FieldInfo{ID: "cf_1", Name: "Severity", Allowed: []string{"High", "Low"}}))
	bad := []*tracker.NewIssue{
		nil,
		{Summary: "  "},
		{Summary: "s", Priority: "High"},
		{Summary: "s", Marker: "has space"},
		{Summary: "s", Fields: map[string]any{"Severity": "Medium"}},
		{Summary: "s", Fields: map[string]any{"cf_1": "Medium"}},
	}
	for i, in := range bad {
		_, err := m.CreateIssue(ctx, in)
		assert.ErrorIs(t, err, tracker.ErrInvalid, "input %d", i)
	}
	assert.Zero(t, m.Len(), "a refused issue was stored")

	is := mustCreate(t, m, &tracker.NewIssue{Summary: "s", Priority: "P1", Fields: map[string]any{"Severity": "Low", "Free": "x"}})
	assert.ErrorIs(t, m.UpdateIssue(ctx, is.ID, &tracker.Change{Priority: tracker.Ptr("P9")}), tracker.ErrInvalid)
	assert.ErrorIs(t, m.UpdateIssue(ctx, is.ID, &tracker.Change{Fields: map[string]any{"Severity": "x"}}), tracker.ErrInvalid)
	_, err := m.AddComment(ctx, is.ID, " ")
	assert.ErrorIs(t, err, tracker.ErrInvalid)

	fields, err := m.DescribeFields(ctx, "", "")
	require.NoError(t, err)
	assert.Equal(t, []string{"P1", "P2"}, fields[2].Allowed)
	assert.Equal(t, "Severity", fields[len(fields)-1].Name)
}

func TestMemorySearch(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := NewMemory("m", WithClock(fixedClock()))
	for i := range 5 {
		mustCreate(t, m, &tracker.NewIssue{Project: "A", Summary: fmt.Sprint(i)})
	}
	other := mustCreate(t, m, &tracker.NewIssue{Project: "B", Summary: "b"})
	require.NoError(t, m.Transition(ctx, "A-2", tracker.TransitionTarget{Category: tracker.CategoryInProgress}))

	keys := func(q tracker.Query) []string {
		var out []string
		for is, err := range m.SearchIssues(ctx, q) {
			require.NoError(t, err)
			out = append(out, is.Key)
		}
		return out
	}
	m.ResetCalls()
	assert.Equal(t, []string{"A-1", "A-3", "A-4", "A-5", "A-2"}, keys(tracker.Query{Project: "A", PageSize: 2}))
	assert.Equal(t, 3, m.Calls()[OpSearchIssues], "pages fetched for 5 issues at 2 a page")
	assert.Equal(t, []string{"A-2"}, keys(tracker.Query{Statuses: []string{"in progress"}}))
	assert.Equal(t, []string{"A-5", "B-1", "A-2"}, keys(tracker.Query{UpdatedSince: other.Updated.Add(-time.Millisecond)}))

	var err error
	for _, e := range m.SearchIssues(ctx, tracker.Query{Raw: "project = A"}) {
		err = e
	}
	assert.ErrorIs(t, err, tracker.ErrUnsupported)

	// An issue updated during the iteration comes again later, with its new
	// Updated, so a cursor over Updated misses nothing.
	var seen []string
	for is, err := range m.SearchIssues(ctx, tracker.Query{Project: "A", PageSize: 2}) {
		require.NoError(t, err)
		seen = append(seen, is.Key)
		if is.Key == "A-1" {
			require.NoError(t, m.UpdateIssue(ctx, "A-1", &tracker.Change{Summary: tracker.Ptr("again")}))
		}
	}
	assert.Equal(t, []string{"A-1", "A-3", "A-4", "A-5", "A-2", "A-1"}, seen)
}

func TestMemoryFailNext(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := NewMemory("m")
	boom := errors.New("boom")
	m.FailNext(OpCreateIssue, boom)
	m.FailNext(OpCreateIssue, tracker.ErrRateLimited)

	_, err := m.CreateIssue(ctx, &tracker.NewIssue{Summary: "s"})
	assert.ErrorIs(t, err, boom)
	_, err = m.CreateIssue(ctx, &tracker.NewIssue{Summary: "s"})
	assert.ErrorIs(t, err, tracker.ErrRateLimited)
	assert.Zero(t, m.Len(), "a failed create stored an issue")
	is := mustCreate(t, m, &tracker.NewIssue{Summary: "s"})
	assert.Equal(t, 3, m.Calls()[OpCreateIssue], "failed calls count")

	// A search failure hits the page it is injected for: here the second.
	mustCreate(t, m, &tracker.NewIssue{Summary: "t"})
	mustCreate(t, m, &tracker.NewIssue{Summary: "u"})
	var got []string
	var searchErr error
	first := true
	for is, err := range m.SearchIssues(ctx, tracker.Query{PageSize: 2}) {
		if first {
			m.FailNext(OpSearchIssues, tracker.ErrUnavailable)
			first = false
		}
		if err != nil {
			searchErr = err
			break
		}
		got = append(got, is.Summary)
	}
	assert.Equal(t, []string{"s", "t"}, got)
	assert.ErrorIs(t, searchErr, tracker.ErrUnavailable)

	m.FailNext(OpTransition, tracker.ErrForbidden)
	assert.ErrorIs(t, m.Transition(ctx, is.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}), tracker.ErrForbidden)
	got1, _ := m.GetIssue(ctx, is.ID)
	assert.Equal(t, "To Do", got1.Status, "a failed transition moved the issue")
}

func TestMemoryCalls(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := NewMemory("m")
	is := mustCreate(t, m, &tracker.NewIssue{Summary: "s"})
	_, _ = m.GetIssue(ctx, is.ID)
	_, _ = m.GetIssue(ctx, "nope")
	c, err := m.AddComment(ctx, is.ID, "c")
	require.NoError(t, err)
	_, err = m.UpdateComment(ctx, is.ID, c.ID, "d")
	require.NoError(t, err)
	_, _ = m.FindByMarker(ctx, "x")
	assert.Equal(t, map[string]int{OpCreateIssue: 1, OpGetIssue: 2, OpAddComment: 1, OpUpdateComment: 1, OpFindByMarker: 1}, m.Calls())
	assert.Equal(t, 3, m.WriteCalls())

	m.ResetCalls()
	_, _ = m.GetIssue(ctx, is.ID)
	assert.Zero(t, m.WriteCalls(), "reads are not writes")
	assert.Equal(t, map[string]int{OpGetIssue: 1}, m.Calls())
}

func TestMemoryReturnsCopies(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := NewMemory("m")
	in := &tracker.NewIssue{Summary: "s", Labels: []string{"a"}, Fields: map[string]any{"L": []string{"x"}, "M": map[string]any{"k": []any{"v"}}}}
	created := mustCreate(t, m, in)
	// Neither the input nor any returned value is shared with the store.
	in.Labels[0] = "changed"
	in.Fields["L"].([]string)[0] = "changed"
	created.Labels[0] = "changed"
	created.Fields["M"].(map[string]any)["k"].([]any)[0] = "changed"
	got, _ := m.GetIssue(ctx, created.ID)
	assert.Equal(t, []string{"a"}, got.Labels)
	assert.Equal(t, []string{"x"}, got.Fields["L"])
	assert.Equal(t, map[string]any{"k": []any{"v"}}, got.Fields["M"])

	for is := range m.SearchIssues(ctx, tracker.Query{}) {
		is.Summary = "changed"
	}
	c, _ := m.AddComment(ctx, got.ID, "body")
	c.Body = "changed"
	list, _ := m.ListComments(ctx, got.ID)
	list[0].Body = "changed"

	u := &tracker.User{ID: "u", Groups: []string{"g"}}
	m.AddUser(u)
	u.Groups[0] = "changed"
	for lu := range m.ListUsers(ctx) {
		lu.Groups[0] = "changed"
	}

	got, _ = m.GetIssue(ctx, created.ID)
	assert.Equal(t, "s", got.Summary)
	list, _ = m.ListComments(ctx, got.ID)
	assert.Equal(t, "body", list[0].Body)
	for lu, err := range m.ListUsers(ctx) {
		require.NoError(t, err)
		assert.Equal(t, []string{"g"}, lu.Groups)
	}
}

func TestMemoryHook(t *testing.T) {
	t.Parallel()
	entered := make(chan string, 1)
	release := make(chan struct{})
	m := NewMemory("m", WithHook(func(ctx context.Context, op string) error {
		if op != OpCreateIssue {
			return nil
		}
		entered <- op
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}))
	done := make(chan error, 1)
	go func() {
		_, err := m.CreateIssue(t.Context(), &tracker.NewIssue{Summary: "s"})
		done <- err
	}()
	assert.Equal(t, OpCreateIssue, <-entered)
	// While the create is held, other operations go on.
	_, err := m.FindByMarker(t.Context(), "x")
	require.NoError(t, err)
	assert.Zero(t, m.Len())
	close(release)
	require.NoError(t, <-done)
	assert.Equal(t, 1, m.Len())
}

func TestMemoryContext(t *testing.T) {
	t.Parallel()
	m := NewMemory("m")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := m.CreateIssue(ctx, &tracker.NewIssue{Summary: "s"})
	assert.ErrorIs(t, err, context.Canceled)
	_, err = m.CreateIssues(ctx, []*tracker.NewIssue{{Summary: "s"}})
	assert.ErrorIs(t, err, context.Canceled)
	for _, err := range m.ListUsers(ctx) {
		assert.ErrorIs(t, err, context.Canceled)
	}
	assert.Zero(t, m.Len())
}

func TestMemoryConcurrent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := NewMemory("m")
	m.AddUser(&tracker.User{ID: "u"})
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				is, err := m.CreateIssue(ctx, &tracker.NewIssue{Project: "P", Summary: fmt.Sprint(w, i), Marker: fmt.Sprintf("w%d-%d", w, i)})
				if !assert.NoError(t, err) {
					return
				}
				assert.NoError(t, m.UpdateIssue(ctx, is.ID, &tracker.Change{AddLabels: []string{"x"}}))
				_, err = m.AddComment(ctx, is.ID, "c")
				assert.NoError(t, err)
				assert.NoError(t, m.Transition(ctx, is.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}))
				for _, err := range m.SearchIssues(ctx, tracker.Query{Project: "P", PageSize: 7}) {
					assert.NoError(t, err)
				}
				found, err := m.FindByMarker(ctx, fmt.Sprintf("w%d-%d", w, i))
				assert.NoError(t, err)
				assert.Len(t, found, 1)
				for _, err := range m.ListUsers(ctx) {
					assert.NoError(t, err)
				}
				_ = m.Calls()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, workers*each, m.Len())
	seen := map[string]bool{}
	var prev time.Time
	for is, err := range m.SearchIssues(ctx, tracker.Query{Statuses: []string{"Done"}}) {
		require.NoError(t, err)
		assert.False(t, seen[is.ID], "issue %s twice", is.ID)
		seen[is.ID] = true
		assert.True(t, is.Updated.After(prev), "Updated not strictly increasing")
		prev = is.Updated
	}
	assert.Len(t, seen, workers*each)
	assert.Equal(t, 4*workers*each, m.WriteCalls())
}

func TestMemoryBulkAndDelete(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := NewMemory("m")
	res, err := m.CreateIssues(ctx, []*tracker.NewIssue{{Summary: "a", Marker: "mk"}, {Summary: ""}, {Summary: "c"}})
	require.NoError(t, err)
	require.Len(t, res, 3)
	assert.Equal(t, "a", res[0].Issue.Summary)
	assert.ErrorIs(t, res[1].Err, tracker.ErrInvalid)
	assert.Nil(t, res[1].Issue)
	assert.Equal(t, "MEM-2", res[2].Issue.Key)
	assert.Equal(t, 1, m.Calls()[OpCreateIssues])

	require.NoError(t, m.DeleteIssue(ctx, res[0].Issue.Key))
	_, err = m.GetIssue(ctx, res[0].Issue.ID)
	assert.ErrorIs(t, err, tracker.ErrNotFound)
	found, err := m.FindByMarker(ctx, "mk")
	require.NoError(t, err)
	assert.Empty(t, found)
	_, err = m.ListComments(ctx, res[0].Issue.ID)
	assert.ErrorIs(t, err, tracker.ErrNotFound)
}
