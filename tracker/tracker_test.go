package tracker_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
)

func TestCheckMarker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		marker string
		ok     bool
	}{
		{"tb-0123abcd", true},
		{"extrahop-8589935233", true},
		{"a.b_c:d-E", true},
		{strings.Repeat("x", tracker.MaxMarkerLen), true},
		{"", false},
		{strings.Repeat("x", tracker.MaxMarkerLen+1), false},
		{"has space", false},
		{`quote"`, false},
		{"label)OR(x", false},
		{"ümlaut", false},
	}
	for _, tt := range tests {
		err := tracker.CheckMarker(tt.marker)
		if tt.ok {
			assert.NoError(t, err, tt.marker)
		} else {
			assert.Error(t, err, tt.marker)
		}
	}
}

func TestParseStatusCategory(t *testing.T) {
	t.Parallel()
	tests := map[string]tracker.StatusCategory{
		"todo": tracker.CategoryToDo, "To Do": tracker.CategoryToDo, "new": tracker.CategoryToDo,
		"in_progress": tracker.CategoryInProgress, "In Progress": tracker.CategoryInProgress, "indeterminate": tracker.CategoryInProgress,
		"done": tracker.CategoryDone, " DONE ": tracker.CategoryDone, "closed": tracker.CategoryDone,
	}
	for in, want := range tests {
		got, err := tracker.ParseStatusCategory(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := tracker.ParseStatusCategory("sideways")
	assert.ErrorContains(t, err, `"sideways"`)
	assert.Equal(t, "unknown", tracker.CategoryUnknown.String())
}

// readOnly implements Tracker and Searcher only.
type readOnly struct{}

func (readOnly) Kind() string { return "ro" }
func (readOnly) GetIssue(context.Context, string) (*tracker.Issue, error) {
	return nil, tracker.ErrNotFound
}
func (readOnly) SearchIssues(context.Context, tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return func(func(*tracker.Issue, error) bool) {}
}

func TestRequireNamesMissingCapabilities(t *testing.T) {
	t.Parallel()
	var ro readOnly
	assert.True(t, tracker.Has(ro, tracker.CanSearch))
	assert.False(t, tracker.Has(ro, tracker.CanCreate))
	assert.NoError(t, tracker.Require(ro, tracker.CanSearch))

	err := tracker.Require(ro, tracker.CanSearch, tracker.CanCreate, tracker.CanFindMarkers)

	require.Error(t, err)
	assert.ErrorIs(t, err, tracker.ErrUnsupported)
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	assert.Contains(t, err.Error(), "ro tracker lacks Creator, MarkerFinder")
}

func TestIssueCloneIsDeep(t *testing.T) {
	t.Parallel()
	orig := &tracker.Issue{ID: "1", Labels: []string{"a"}, Fields: map[string]any{"tags": []string{"x"}, "when": time.Unix(0, 0)}}
	c := orig.Clone()
	c.Labels[0] = "changed"
	c.Fields["tags"].([]string)[0] = "changed"
	c.Fields["new"] = 1
	assert.Equal(t, "a", orig.Labels[0])
	assert.Equal(t, "x", orig.Fields["tags"].([]string)[0])
	assert.NotContains(t, orig.Fields, "new")
	assert.Nil(t, (*tracker.Issue)(nil).Clone())

	nested := &tracker.Issue{Fields: map[string]any{"participants": []any{map[string]any{"ip": "10.0.0.1", "tags": []string{"a"}}}}}
	nc := nested.Clone()
	p := nc.Fields["participants"].([]any)[0].(map[string]any)
	p["ip"] = "changed"
	p["tags"].([]string)[0] = "changed"
	orig0 := nested.Fields["participants"].([]any)[0].(map[string]any)
	assert.Equal(t, "10.0.0.1", orig0["ip"], "nested maps are copied")
	assert.Equal(t, "a", orig0["tags"].([]string)[0], "nested lists are copied")
	assert.Equal(t, tracker.Ref{Tracker: "jira", ID: "1"}, orig.Ref("jira"))
	assert.Equal(t, "jira:1", orig.Ref("jira").String())
}

func TestChangeIsEmpty(t *testing.T) {
	t.Parallel()
	assert.True(t, (*tracker.Change)(nil).IsEmpty())
	assert.True(t, (&tracker.Change{}).IsEmpty())
	assert.False(t, (&tracker.Change{Summary: tracker.Ptr("x")}).IsEmpty())
	assert.False(t, (&tracker.Change{Assignee: tracker.Ptr("")}).IsEmpty(), "unassigning is a change")
	assert.False(t, (&tracker.Change{Fields: map[string]any{"Reported": nil}}).IsEmpty(), "clearing a field is a change")
	assert.False(t, (&tracker.Change{RemoveLabels: []string{"x"}}).IsEmpty())
}

func TestErrorClasses(t *testing.T) {
	t.Parallel()
	notSent := fmt.Errorf("dial: %w", errors.Join(tracker.ErrUnavailable, tracker.ErrNotSent))
	tests := []struct {
		err                          error
		transient, config, ambiguous bool
	}{
		{fmt.Errorf("429: %w", tracker.ErrRateLimited), true, false, false},
		{fmt.Errorf("502: %w", tracker.ErrUnavailable), true, false, true},
		{notSent, true, false, false},
		{fmt.Errorf("401: %w", tracker.ErrUnauthorized), false, true, false},
		{fmt.Errorf("403: %w", tracker.ErrForbidden), false, true, false},
		{fmt.Errorf("400: %w", tracker.ErrInvalid), false, false, false},
		{fmt.Errorf("404: %w", tracker.ErrNotFound), false, false, false},
		{fmt.Errorf("assignee: %w", tracker.ErrUnknownUser), false, false, false},
		{fmt.Errorf("waiting: %w", context.DeadlineExceeded), false, false, true},
		{errors.New("decoding response: unexpected EOF"), false, false, true},
		{nil, false, false, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.transient, tracker.IsTransient(tt.err), "transient %v", tt.err)
		assert.Equal(t, tt.config, tracker.IsConfigError(tt.err), "config %v", tt.err)
		assert.Equal(t, tt.ambiguous, tracker.IsAmbiguous(tt.err), "ambiguous %v", tt.err)
	}
}

func TestTransitionTargetString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, `status "Done"`, tracker.TransitionTarget{Status: "Done"}.String())
	assert.Equal(t, "category done", tracker.TransitionTarget{Category: tracker.CategoryDone}.String())
}

func TestUserHandleMatchesAssignee(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "jdoe", (&tracker.User{ID: "1-7", Login: "jdoe"}).Handle(), "YouTrack, Jira Data Center: the login")
	assert.Equal(t, "5b10ac8d82e05b22cc7d4ef5", (&tracker.User{ID: "5b10ac8d82e05b22cc7d4ef5"}).Handle(), "Jira Cloud: the accountId")
}
