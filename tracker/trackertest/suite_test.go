package trackertest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
)

// memoryHarness returns a harness over a fresh Memory tracker with one user.
func memoryHarness(t *testing.T) (*Memory, *Harness) {
	t.Helper()
	m := NewMemory("memory", WithFields(tracker.FieldInfo{ID: "Severity", Name: "Severity", Type: "option", Allowed: []string{"High", "Low"}}))
	m.AddUser(&tracker.User{ID: "u1", Login: "alice", Name: "Alice", Active: true})
	return m, &Harness{
		Tracker:     m,
		Project:     "SEC",
		IssueType:   "Bug",
		DoneStatus:  "Done",
		Priority:    "High",
		Fields:      map[string]any{"Severity": "High", "Team": "blue", "Score": 7},
		FieldChange: map[string]any{"Severity": "Low"},
	}
}

func TestMemoryConformance(t *testing.T) {
	t.Parallel()
	Run(t, func(t *testing.T) *Harness {
		_, h := memoryHarness(t)
		return h
	})
}

// recorder is a tb that records failures and skips instead of reporting
// them, so a test can run a check and assert that it failed. FailNow and
// Skipf end the check's goroutine, as they do for *testing.T.
type recorder struct {
	ctx context.Context

	mu      sync.Mutex
	failed  bool
	skipped bool
	msgs    []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func (r *recorder) FailNow() {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.FailNow()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skipped = true
	r.msgs = append(r.msgs, "skip: "+fmt.Sprintf(format, args...))
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Logf(string, ...any) {}

func (r *recorder) Context() context.Context { return r.ctx }

// runCheck runs the named check against h with a recorder.
func runCheck(t *testing.T, name string, h *Harness) *recorder {
	t.Helper()
	i := slices.IndexFunc(checks(), func(c check) bool { return c.name == name })
	require.GreaterOrEqual(t, i, 0, "no check named %q", name)
	r := &recorder{ctx: t.Context()}
	done := make(chan struct{})
	go func() {
		defer close(done)
		checks()[i].run(r, h)
	}()
	<-done
	return r
}

// Broken trackers, each with one defect the suite must catch.

// clearingUpdate clears the attributes a change does not set.
type clearingUpdate struct{ *Memory }

func (c clearingUpdate) UpdateIssue(ctx context.Context, id string, ch *tracker.Change) error {
	full := *ch
	if full.Summary == nil {
		full.Summary = tracker.Ptr("")
	}
	full.Description = tracker.Ptr("")
	full.Labels = &[]string{}
	return c.Memory.UpdateIssue(ctx, id, &full)
}

// ignoresSince drops Query.UpdatedSince.
type ignoresSince struct{ *Memory }

func (s ignoresSince) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	q.UpdatedSince = q.UpdatedSince.AddDate(-1, 0, 0)
	return s.Memory.SearchIssues(ctx, q)
}

// descending returns results newest first.
type descending struct{ *Memory }

func (s descending) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return func(yield func(*tracker.Issue, error) bool) {
		var all []*tracker.Issue
		for is, err := range s.Memory.SearchIssues(ctx, q) {
			if err != nil {
				yield(nil, err)
				return
			}
			all = append(all, is)
		}
		slices.Reverse(all)
		for _, is := range all {
			if !yield(is, nil) {
				return
			}
		}
	}
}

// firstPageOnly forgets to fetch the pages after the first.
type firstPageOnly struct{ *Memory }

func (s firstPageOnly) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return func(yield func(*tracker.Issue, error) bool) {
		n := 0
		for is, err := range s.Memory.SearchIssues(ctx, q) {
			if n == q.PageSize || !yield(is, err) {
				return
			}
			n++
		}
	}
}

// ignoresBreak keeps yielding after the caller broke off.
type ignoresBreak struct{ *Memory }

func (s ignoresBreak) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return func(yield func(*tracker.Issue, error) bool) {
		for is, err := range s.Memory.SearchIssues(ctx, q) {
			yield(is, err)
		}
	}
}

// ignoresContext snapshots all results before looking at ctx.
type ignoresContext struct{ *Memory }

func (s ignoresContext) SearchIssues(_ context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return s.Memory.SearchIssues(context.Background(), q)
}

// plainNotFound returns an error that does not match ErrNotFound.
type plainNotFound struct{ *Memory }

func (p plainNotFound) GetIssue(ctx context.Context, id string) (*tracker.Issue, error) {
	is, err := p.Memory.GetIssue(ctx, id)
	if err != nil {
		return nil, errors.New("404 not found")
	}
	return is, nil
}

// silentTransition pretends impossible transitions succeed.
type silentTransition struct{ *Memory }

func (s silentTransition) Transition(ctx context.Context, id string, to tracker.TransitionTarget) error {
	if err := s.Memory.Transition(ctx, id, to); err != nil && !errors.Is(err, tracker.ErrNoTransition) {
		return err
	}
	return nil
}

// sharedIssue hands out the issue it stores rather than a copy.
type sharedIssue struct {
	*Memory
	mu    sync.Mutex
	cache map[string]*tracker.Issue
}

func (s *sharedIssue) GetIssue(ctx context.Context, id string) (*tracker.Issue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is, ok := s.cache[id]; ok {
		return is, nil
	}
	is, err := s.Memory.GetIssue(ctx, id)
	if err == nil {
		s.cache[id] = is
	}
	return is, err
}

// keepsDeletedComments does not delete comments.
type keepsDeletedComments struct{ *Memory }

func (keepsDeletedComments) DeleteComment(context.Context, string, string) error { return nil }

// greedyMarker returns every issue for any marker.
type greedyMarker struct{ *Memory }

func (g greedyMarker) FindByMarker(ctx context.Context, _ string) ([]*tracker.Issue, error) {
	var out []*tracker.Issue
	for is, err := range g.SearchIssues(ctx, tracker.Query{}) {
		if err != nil {
			return nil, err
		}
		out = append(out, is)
	}
	return out, nil
}

// fakeUnsupported claims to be an Updater but cannot update: a capability
// that is present must work, so NotFound catches it (its UpdateIssue of a
// missing issue does not report ErrNotFound).
type fakeUnsupported struct{ *Memory }

func (fakeUnsupported) UpdateIssue(context.Context, string, *tracker.Change) error {
	return tracker.ErrUnsupported
}

func TestSuiteCatchesBrokenTrackers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		check string
		wrap  func(*Memory) tracker.Tracker
	}{
		{"Update", func(m *Memory) tracker.Tracker { return clearingUpdate{m} }},
		{"Search", func(m *Memory) tracker.Tracker { return ignoresSince{m} }},
		{"Search", func(m *Memory) tracker.Tracker { return descending{m} }},
		{"Search", func(m *Memory) tracker.Tracker { return firstPageOnly{m} }},
		{"Search", func(m *Memory) tracker.Tracker { return ignoresBreak{m} }},
		{"Search", func(m *Memory) tracker.Tracker { return ignoresContext{m} }},
		{"NotFound", func(m *Memory) tracker.Tracker { return plainNotFound{m} }},
		{"Delete", func(m *Memory) tracker.Tracker { return plainNotFound{m} }},
		{"Transition", func(m *Memory) tracker.Tracker { return silentTransition{m} }},
		{"Create", func(m *Memory) tracker.Tracker { return &sharedIssue{Memory: m, cache: map[string]*tracker.Issue{}} }},
		{"Comments", func(m *Memory) tracker.Tracker { return keepsDeletedComments{m} }},
		{"Marker", func(m *Memory) tracker.Tracker { return greedyMarker{m} }},
		{"NotFound", func(m *Memory) tracker.Tracker { return fakeUnsupported{m} }},
		{"Users", func(*Memory) tracker.Tracker { return NewMemory("empty") }},
		{"Transition", func(*Memory) tracker.Tracker {
			return NewMemory("stuck", WithWorkflow(Workflow{
				Statuses: []tracker.StatusInfo{{Name: "Open", Category: tracker.CategoryToDo}, {Name: "Closed", Category: tracker.CategoryDone}},
			}))
		}},
	}
	for _, tt := range tests {
		m, h := memoryHarness(t)
		h.Tracker = tt.wrap(m)
		t.Run(fmt.Sprintf("%s/%T", tt.check, h.Tracker), func(t *testing.T) {
			t.Parallel()
			r := runCheck(t, tt.check, h)
			assert.False(t, r.skipped, "check skipped: %v", r.msgs)
			assert.True(t, r.failed, "the %s check passed a broken tracker", tt.check)
		})
	}
}

func TestSuitePassesMemoryCheckByCheck(t *testing.T) {
	t.Parallel()
	// The recorder itself must not report failures where there are none,
	// or the test above would prove nothing.
	for _, c := range checks() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, h := memoryHarness(t)
			r := runCheck(t, c.name, h)
			assert.False(t, r.failed, "%v", r.msgs)
			assert.False(t, r.skipped, "%v", r.msgs)
		})
	}
}

// readOnly exposes only reading and searching, the way a detections source
// does; issues come from the harness's Seed.
type readOnly struct{ m *Memory }

func (r readOnly) Kind() string { return "readonly" }

func (r readOnly) GetIssue(ctx context.Context, id string) (*tracker.Issue, error) {
	return r.m.GetIssue(ctx, id)
}

func (r readOnly) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return r.m.SearchIssues(ctx, q)
}

// postbox only accepts new issues; it cannot read them back.
type postbox struct{ m *Memory }

func (p postbox) Kind() string { return "postbox" }

func (p postbox) GetIssue(context.Context, string) (*tracker.Issue, error) {
	return nil, fmt.Errorf("postbox is write-only: %w", tracker.ErrUnsupported)
}

func (p postbox) CreateIssue(ctx context.Context, in *tracker.NewIssue) (*tracker.Issue, error) {
	return p.m.CreateIssue(ctx, in)
}

func TestSuiteSeedOnlyTracker(t *testing.T) {
	t.Parallel()
	Run(t, func(t *testing.T) *Harness {
		m := NewMemory("seeded")
		return &Harness{
			Tracker: readOnly{m},
			Project: "DET",
			Seed: func(ctx context.Context, n int) ([]string, error) {
				ids := make([]string, n)
				for i := range n {
					is, err := m.CreateIssue(ctx, &tracker.NewIssue{Project: "DET", Summary: fmt.Sprintf("detection %d", i)})
					if err != nil {
						return nil, err
					}
					ids[i] = is.ID
				}
				return ids, nil
			},
		}
	})
}

func TestSuitePostbox(t *testing.T) {
	t.Parallel()
	Run(t, func(t *testing.T) *Harness {
		return &Harness{Tracker: postbox{NewMemory("postbox")}, Project: "ISMS", NoLabels: true}
	})
}

func TestSuiteSkipsWithoutIssues(t *testing.T) {
	t.Parallel()
	// A searcher that can neither create nor seed has no issues to search:
	// the check is skipped, with the reason.
	_, h := memoryHarness(t)
	h.Tracker = readOnly{NewMemory("x")}
	r := runCheck(t, "Search", h)
	assert.True(t, r.skipped)
	assert.False(t, r.failed)
	require.Len(t, r.msgs, 1)
	assert.True(t, strings.Contains(r.msgs[0], "no Seed"), r.msgs[0])
}

func TestValuesEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b any
		want bool
	}{
		{7, float64(7), true},
		{int64(7), 7.5, false},
		{"7", 7, false},
		{[]string{"a", "b"}, []any{"a", "b"}, true},
		{[]string{"a"}, []any{"a", 1}, false},
		{map[string]any{"k": "v"}, map[string]any{"k": "v"}, true},
		{nil, nil, true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, valuesEqual(tt.a, tt.b), "%#v vs %#v", tt.a, tt.b)
	}
}
