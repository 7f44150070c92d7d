package hosted_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/hosted"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

var (
	alice = hosted.Person{ID: "alice", Name: "Alice Analyst"}
	t0    = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
)

// recorder collects the events a Platform hands out.
type recorder struct {
	mu     sync.Mutex
	person []tracker.Event
	engine []tracker.Event
}

func record(p *hosted.Platform) *recorder {
	r := &recorder{}
	p.OnPersonChange(func(_ context.Context, ev tracker.Event) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.person = append(r.person, ev)
		return nil
	})
	p.OnEngineChange(func(_ context.Context, ev tracker.Event) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.engine = append(r.engine, ev)
	})
	return r
}

func newPlatform() *hosted.Platform {
	return hosted.New("incidents", hosted.WithClock(func() time.Time { return t0 }), hosted.WithURL("https://incidents.example.com/i/"))
}

func TestConformance(t *testing.T) {
	t.Parallel()
	trackertest.Run(t, func(t *testing.T) *trackertest.Harness {
		return &trackertest.Harness{Tracker: hosted.New("incidents"), Project: "shop", DoneStatus: "resolved", Priority: "High",
			Fields: map[string]any{"severity": "HIGH"}}
	})
}

func TestPersonChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name        string
		change      func(p *hosted.Platform) error
		wantKind    tracker.EventKind
		wantChanged []string
		wantComment bool
		wantVis     string
	}{
		{name: "put new", change: func(p *hosted.Platform) error {
			_, err := p.Put(ctx, alice, &tracker.Issue{Summary: "other"})
			return err
		}, wantKind: tracker.EventIssueChanged},
		{name: "put replaces", change: func(p *hosted.Platform) error {
			_, err := p.Put(ctx, alice, &tracker.Issue{ID: "1", Summary: "SQL injection", Priority: "Critical", Fields: map[string]any{"severity": "HIGH"}})
			return err
		}, wantKind: tracker.EventIssueChanged, wantChanged: []string{"priority"}},
		{name: "edit", change: func(p *hosted.Platform) error {
			_, err := p.Edit(ctx, alice, "1", func(is *tracker.Issue) { is.Status = "resolved"; is.Fields = map[string]any{"severity": "LOW"} })
			return err
		}, wantKind: tracker.EventIssueChanged, wantChanged: []string{"status", "severity"}},
		{name: "remove", change: func(p *hosted.Platform) error { return p.Remove(ctx, alice, "1") }, wantKind: tracker.EventIssueDeleted},
		{name: "comment", change: func(p *hosted.Platform) error {
			_, err := p.Comment(ctx, alice, "1", "Blocked the source IP.", "group:responders")
			return err
		}, wantKind: tracker.EventCommentCreated, wantComment: true, wantVis: "group:responders"},
		{name: "edit comment", change: func(p *hosted.Platform) error {
			_, err := p.EditComment(ctx, alice, "1", "1", "Blocked the source IPs.", "")
			return err
		}, wantKind: tracker.EventCommentUpdated, wantComment: true},
		{name: "remove comment", change: func(p *hosted.Platform) error { return p.RemoveComment(ctx, alice, "1", "1") },
			wantKind: tracker.EventCommentDeleted, wantComment: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPlatform()
			_, err := p.Put(ctx, alice, &tracker.Issue{Summary: "SQL injection", Priority: "High", Fields: map[string]any{"severity": "HIGH"}})
			require.NoError(t, err)
			_, err = p.Comment(ctx, alice, "1", "Looking into it.", "")
			require.NoError(t, err)
			r := record(p)

			require.NoError(t, tt.change(p))
			require.Len(t, r.person, 1)
			assert.Empty(t, r.engine, "a person's change is not the engine's")
			ev := r.person[0]
			require.NoError(t, ev.Validate())
			assert.Equal(t, tt.wantKind, ev.Kind)
			assert.Equal(t, "incidents", ev.Tracker)
			assert.Equal(t, "alice", ev.Actor)
			assert.Equal(t, tt.wantChanged, ev.Changed)
			assert.Equal(t, tt.wantVis, ev.Visibility)
			assert.NotEmpty(t, ev.Delivery)
			if tt.wantComment {
				require.NotNil(t, ev.Comment)
				assert.Nil(t, ev.Issue)
				assert.Equal(t, "Alice Analyst", ev.Comment.AuthorName)
				assert.Equal(t, tt.wantVis, ev.Comment.Visibility)
			} else {
				require.NotNil(t, ev.Issue)
				assert.Equal(t, ev.IssueID, ev.Issue.ID)
			}
		})
	}
}

func TestPutFills(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPlatform()
	a, err := p.Put(ctx, alice, &tracker.Issue{Summary: "first"})
	require.NoError(t, err)
	b, err := p.Put(ctx, alice, &tracker.Issue{ID: "INC-7", Summary: "second", Status: "in_progress"})
	require.NoError(t, err)
	c, err := p.Put(ctx, alice, &tracker.Issue{Summary: "third"})
	require.NoError(t, err)

	assert.Equal(t, []string{"1", "INC-7", "3"}, []string{a.ID, b.ID, c.ID})
	assert.Equal(t, "1", a.Key)
	assert.Equal(t, "open", a.Status)
	assert.Equal(t, tracker.CategoryToDo, a.StatusCategory)
	assert.Equal(t, tracker.CategoryInProgress, b.StatusCategory)
	assert.Equal(t, "https://incidents.example.com/i/1", a.URL)
	assert.True(t, b.Updated.After(a.Updated), "stamps increase while the clock stands still")

	_, err = p.Put(ctx, alice, &tracker.Issue{ID: "9", Key: "INC-7", Summary: "clash"})
	assert.ErrorIs(t, err, tracker.ErrConflict)
	_, err = p.Put(ctx, alice, nil)
	assert.ErrorIs(t, err, tracker.ErrInvalid)

	same, err := p.Edit(ctx, alice, "INC-7", func(*tracker.Issue) {})
	require.NoError(t, err)
	assert.Equal(t, b.Updated, same.Updated, "an edit that changes nothing stores nothing")
	_, err = p.Edit(ctx, alice, "nope", func(*tracker.Issue) {})
	assert.ErrorIs(t, err, tracker.ErrNotFound)
	assert.Len(t, p.Items(), 3)
}

func TestHandlerErrorKeepsChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPlatform()
	boom := errors.New("engine down")
	p.OnPersonChange(func(context.Context, tracker.Event) error { return boom })
	is, err := p.Put(ctx, alice, &tracker.Issue{Summary: "kept"})
	require.ErrorIs(t, err, boom)
	require.NotNil(t, is)
	got, err := p.GetIssue(ctx, is.ID)
	require.NoError(t, err)
	assert.Equal(t, "kept", got.Summary)
}

func TestSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := t0
	p := hosted.New("incidents", hosted.WithClock(func() time.Time { return clock }))
	for i, proj := range []string{"shop", "billing", "shop", "shop"} {
		_, err := p.Put(ctx, alice, &tracker.Issue{Project: proj, Summary: "incident " + strconv.Itoa(i+1)})
		require.NoError(t, err)
		clock = clock.Add(time.Minute)
	}
	// Editing the first moves it to the end.
	_, err := p.Edit(ctx, alice, "1", func(is *tracker.Issue) { is.Status = "resolved" })
	require.NoError(t, err)

	tests := []struct {
		name string
		q    tracker.Query
		want []string
	}{
		{name: "all, updated ascending", want: []string{"2", "3", "4", "1"}},
		{name: "project", q: tracker.Query{Project: "shop"}, want: []string{"3", "4", "1"}},
		{name: "updated since", q: tracker.Query{UpdatedSince: t0.Add(2 * time.Minute)}, want: []string{"3", "4", "1"}},
		{name: "statuses", q: tracker.Query{Statuses: []string{"RESOLVED"}}, want: []string{"1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for is, err := range p.SearchIssues(ctx, tt.q) {
				require.NoError(t, err)
				got = append(got, is.ID)
			}
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("raw", func(t *testing.T) {
		t.Parallel()
		for _, err := range p.SearchIssues(ctx, tracker.Query{Raw: "severity = HIGH"}) {
			assert.ErrorIs(t, err, tracker.ErrUnsupported)
		}
	})
}

func TestTransition(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		from      string
		to        tracker.TransitionTarget
		want      string
		wantRes   string
		wantErr   error
		wantEvent bool
	}{
		{name: "by category", from: "open", to: tracker.TransitionTarget{Category: tracker.CategoryDone}, want: "resolved", wantRes: "Done", wantEvent: true},
		{name: "by name with resolution", from: "open", to: tracker.TransitionTarget{Status: "Resolved", Resolution: "Fixed"}, want: "resolved", wantRes: "Fixed", wantEvent: true},
		{name: "reopen clears resolution", from: "resolved", to: tracker.TransitionTarget{Category: tracker.CategoryToDo}, want: "open", wantEvent: true},
		{name: "already there", from: "in_progress", to: tracker.TransitionTarget{Category: tracker.CategoryInProgress}, want: "in_progress"},
		{name: "unknown status", from: "open", to: tracker.TransitionTarget{Status: "archived"}, want: "open", wantErr: tracker.ErrNoTransition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPlatform()
			is, err := p.Put(ctx, alice, &tracker.Issue{Summary: "x", Status: tt.from, Resolution: map[bool]string{true: "Done"}[tt.from == "resolved"]})
			require.NoError(t, err)
			r := record(p)
			err = p.Transition(ctx, is.ID, tt.to)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			got, err := p.GetIssue(ctx, is.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Status)
			assert.Equal(t, tt.wantRes, got.Resolution)
			assert.Equal(t, tt.wantEvent, len(r.engine) == 1, "engine events: %v", r.engine)
			if tt.wantEvent {
				assert.Equal(t, hosted.DefaultEngine.ID, r.engine[0].Actor)
				assert.Contains(t, r.engine[0].Changed, "status")
			}
			assert.Empty(t, r.person)
		})
	}
}

func TestEngineChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bot := hosted.Person{ID: "sync-bot", Name: "Sync Bot"}
	p := hosted.New("incidents", hosted.WithEngine(bot))
	is, err := p.Put(ctx, alice, &tracker.Issue{Summary: "x", Priority: "High"})
	require.NoError(t, err)
	r := record(p)

	require.NoError(t, p.UpdateIssue(ctx, is.ID, &tracker.Change{Fields: map[string]any{"ticket": "SEC-1"}}))
	require.NoError(t, p.UpdateIssue(ctx, is.ID, &tracker.Change{Fields: map[string]any{"ticket": "SEC-1"}}), "no change")
	c, err := p.AddComment(ctx, is.ID, "[Carol in jira] On it.")
	require.NoError(t, err)
	_, err = p.UpdateComment(ctx, is.ID, c.ID, "[Carol in jira] On it now.")
	require.NoError(t, err)
	require.NoError(t, p.DeleteComment(ctx, is.ID, c.ID))
	created, err := p.CreateIssue(ctx, &tracker.NewIssue{Summary: "from elsewhere", Marker: "tb-1", Parent: "EPIC-1"})
	require.NoError(t, err)
	require.NoError(t, p.DeleteIssue(ctx, created.ID))

	var kinds []tracker.EventKind
	for _, ev := range r.engine {
		assert.Equal(t, "sync-bot", ev.Actor)
		kinds = append(kinds, ev.Kind)
	}
	assert.Equal(t, []tracker.EventKind{tracker.EventIssueChanged, tracker.EventCommentCreated, tracker.EventCommentUpdated,
		tracker.EventCommentDeleted, tracker.EventIssueChanged, tracker.EventIssueDeleted}, kinds)
	assert.Equal(t, []string{"ticket"}, r.engine[0].Changed)
	assert.Equal(t, "Sync Bot", r.engine[1].Comment.AuthorName)
	assert.Equal(t, "EPIC-1", r.engine[4].Issue.Fields["Parent"])
	assert.Empty(t, r.person)

	_, err = p.AddComment(ctx, is.ID, "  ")
	assert.ErrorIs(t, err, tracker.ErrInvalid)
	_, err = p.UpdateComment(ctx, is.ID, "99", "x")
	assert.ErrorIs(t, err, tracker.ErrNotFound)
	assert.ErrorIs(t, p.DeleteComment(ctx, "99", "1"), tracker.ErrNotFound)
}

func TestVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPlatform()
	is, err := p.Put(ctx, alice, &tracker.Issue{Summary: "x"})
	require.NoError(t, err)
	c, err := p.Comment(ctx, alice, is.ID, "internal note", "group:responders")
	require.NoError(t, err)
	assert.Equal(t, "group:responders", c.Visibility)
	list, err := p.ListComments(ctx, is.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "group:responders", list[0].Visibility, "the engine sees the restriction")
	edited, err := p.UpdateComment(ctx, is.ID, c.ID, "internal note, edited")
	require.NoError(t, err)
	assert.Equal(t, "group:responders", edited.Visibility, "an engine edit keeps the visibility")
}

// TestConcurrent runs person and engine changes at once; run with -race.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := hosted.New("incidents")
	var mu sync.Mutex
	events := 0
	count := func() { mu.Lock(); events++; mu.Unlock() }
	p.OnPersonChange(func(ctx context.Context, ev tracker.Event) error {
		count()
		// A handler may call back into the platform, as the engine does.
		_, err := p.GetIssue(ctx, ev.IssueID)
		return err
	})
	p.OnEngineChange(func(context.Context, tracker.Event) { count() })
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			is, err := p.Put(ctx, alice, &tracker.Issue{Summary: fmt.Sprint("incident ", i)})
			assert.NoError(t, err)
			_, err = p.Comment(ctx, alice, is.ID, "note", "")
			assert.NoError(t, err)
			assert.NoError(t, p.UpdateIssue(ctx, is.ID, &tracker.Change{Priority: tracker.Ptr("High")}))
			assert.NoError(t, p.Transition(ctx, is.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}))
			for _, err := range p.SearchIssues(ctx, tracker.Query{}) {
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 8, p.Len())
	assert.Equal(t, 32, events)
}

func TestTransitionWithComment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPlatform()
	is, err := p.Put(ctx, alice, &tracker.Issue{Summary: "x"})
	require.NoError(t, err)
	r := record(p)
	require.NoError(t, p.Transition(ctx, is.ID, tracker.TransitionTarget{Category: tracker.CategoryDone, Comment: "Resolved in Jira."}))
	require.ErrorIs(t, p.Transition(ctx, is.ID, tracker.TransitionTarget{Status: "archived", Comment: "never added"}), tracker.ErrNoTransition)

	comments, err := p.ListComments(ctx, is.ID)
	require.NoError(t, err)
	require.Len(t, comments, 1, "a refused move adds no comment")
	assert.Equal(t, "Resolved in Jira.", comments[0].Body)
	assert.Equal(t, hosted.DefaultEngine.ID, comments[0].Author)
	require.Len(t, r.engine, 2)
	assert.Equal(t, tracker.EventCommentCreated, r.engine[0].Kind)
	assert.Equal(t, tracker.EventIssueChanged, r.engine[1].Kind)
	assert.Equal(t, "resolved", r.engine[1].Issue.Status)
}
