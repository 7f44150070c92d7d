package trackertest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
)

// tb is the part of *testing.T the checks use. The package's own tests drive
// the checks with a recorder to prove they fail on broken trackers.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
	Logf(format string, args ...any)
	Context() context.Context
}

// check is one named conformance check.
type check struct {
	name string
	run  func(t tb, h *Harness)
}

// checks returns the suite, in the order [Run] runs it.
func checks() []check {
	return []check{
		{"Create", checkCreate},
		{"BulkCreate", checkBulkCreate},
		{"Update", checkUpdate},
		{"Delete", checkDelete},
		{"Search", checkSearch},
		{"Transition", checkTransition},
		{"Comments", checkComments},
		{"Marker", checkMarker},
		{"Users", checkUsers},
		{"Describe", checkDescribe},
		{"NotFound", checkNotFound},
		{"Unsupported", checkUnsupported},
	}
}

// Run runs the conformance suite against the trackers f builds, one
// subtest per capability (Create, BulkCreate, Update, Delete, Search,
// Transition, Comments, Marker, Users, Describe, NotFound, Unsupported),
// each with a fresh harness and in parallel. A subtest whose capability the
// tracker lacks is skipped with the reason; Unsupported then checks that the
// capability is cleanly absent.
//
// Each check is written against the small part of testing.TB it needs, so
// this package's own tests also run every check against deliberately broken
// trackers and assert that it fails.
func Run(t *testing.T, f Factory) {
	t.Helper()
	for _, c := range checks() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := f(t)
			require.NotNil(t, h, "factory returned no harness")
			require.NotNil(t, h.Tracker, "harness has no tracker")
			c.run(t, h)
		})
	}
}

// capability returns h.Tracker as a T, or skips the check naming what is
// missing.
func capability[T any](t tb, h *Harness, c tracker.Capability) T {
	t.Helper()
	v, ok := h.Tracker.(T)
	if !ok {
		t.Skipf("%s tracker does not implement %s (the Unsupported subtest checks it is cleanly absent)", h.Tracker.Kind(), c)
	}
	return v
}

// runTag returns a tag distinguishing this run's issues from others in a
// shared tracker.
func runTag() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }

// labels returns the labels created issues get.
func (h *Harness) labels() []string {
	switch {
	case h.NoLabels:
		return nil
	case h.Labels != nil:
		return slices.Clone(h.Labels)
	}
	return []string{"trackbridge", "conformance"}
}

// newIssue returns an issue to create, named after the check and n.
func newIssue(h *Harness, what string, n int) *tracker.NewIssue {
	in := &tracker.NewIssue{
		Project:     h.Project,
		Type:        h.IssueType,
		Summary:     fmt.Sprintf("trackbridge conformance %s %d", what, n),
		Description: "Opened by the trackbridge conformance suite.",
		Priority:    h.Priority,
		Labels:      h.labels(),
	}
	if len(h.Fields) > 0 {
		in.Fields = make(map[string]any, len(h.Fields))
		for k, v := range h.Fields {
			in.Fields[k] = tracker.CloneValue(v)
		}
	}
	return in
}

// issues returns the ids of n new issues, created through the tracker or
// put in with h.Seed; it skips the check when neither is possible.
func issues(t tb, h *Harness, what string, n int) []string {
	t.Helper()
	ctx := t.Context()
	if cr, ok := h.Tracker.(tracker.Creator); ok {
		tag := runTag()
		ids := make([]string, n)
		for i := range n {
			is, err := cr.CreateIssue(ctx, newIssue(h, what+" "+tag, i))
			require.NoError(t, err, "CreateIssue")
			require.NotNil(t, is, "CreateIssue returned no issue")
			require.NotEmpty(t, is.ID, "CreateIssue returned an issue without ID")
			ids[i] = is.ID
		}
		return ids
	}
	if h.Seed == nil {
		t.Skipf("%s tracker is not a Creator and the harness has no Seed: no issues to test %s with", h.Tracker.Kind(), what)
	}
	ids, err := h.Seed(ctx, n)
	require.NoError(t, err, "Seed")
	require.Len(t, ids, n, "Seed returned the wrong number of ids")
	return ids
}

// get reads an issue, skipping the check when the tracker cannot read.
func get(t tb, h *Harness, id string) *tracker.Issue {
	t.Helper()
	is, err := h.Tracker.GetIssue(t.Context(), id)
	if errors.Is(err, tracker.ErrUnsupported) {
		t.Skipf("%s tracker cannot read issues back: %v", h.Tracker.Kind(), err)
	}
	require.NoError(t, err, "GetIssue(%q)", id)
	require.NotNil(t, is, "GetIssue(%q) returned no issue", id)
	return is
}

// assertLooksLike checks that got carries what in asked for.
func assertLooksLike(t tb, h *Harness, in *tracker.NewIssue, got *tracker.Issue) {
	t.Helper()
	assert.Equal(t, in.Summary, got.Summary, "Summary")
	assert.Equal(t, strings.TrimSpace(in.Description), strings.TrimSpace(got.Description), "Description")
	for _, l := range in.Labels {
		assert.Contains(t, got.Labels, l, "Labels")
	}
	if in.Priority != "" {
		assert.Equal(t, in.Priority, got.Priority, "Priority")
	}
	assertFieldsKept(t, in.Fields, got)
}

// assertFieldsKept checks that got has every entry of want.
func assertFieldsKept(t tb, want map[string]any, got *tracker.Issue) {
	t.Helper()
	for k, v := range want {
		gv, ok := got.Field(k)
		if assert.True(t, ok, "field %q missing", k) {
			assert.True(t, valuesEqual(v, gv), "field %q: want %#v, got %#v", k, v, gv)
		}
	}
}

func checkCreate(t tb, h *Harness) {
	cr := capability[tracker.Creator](t, h, tracker.CanCreate)
	ctx := t.Context()
	in := newIssue(h, "create "+runTag(), 0)
	created, err := cr.CreateIssue(ctx, in)
	require.NoError(t, err, "CreateIssue")
	require.NotNil(t, created, "CreateIssue returned no issue")
	assert.NotEmpty(t, created.ID, "created issue has no ID")
	assert.NotEmpty(t, created.Key, "created issue has no Key (trackers without keys repeat the ID)")
	assert.NotEmpty(t, created.URL, "created issue has no URL")

	got, err := h.Tracker.GetIssue(ctx, created.ID)
	if errors.Is(err, tracker.ErrUnsupported) {
		t.Logf("%s tracker cannot read issues back (%v); checked only what CreateIssue returned", h.Tracker.Kind(), err)
		return
	}
	require.NoError(t, err, "GetIssue of the created issue")
	require.NotNil(t, got)
	assert.Equal(t, created.ID, got.ID, "ID")
	assert.Equal(t, created.Key, got.Key, "Key")
	assertLooksLike(t, h, in, got)
	assert.NotEmpty(t, got.Status, "Status")
	assert.False(t, got.Updated.IsZero(), "Updated is zero")

	byKey, err := h.Tracker.GetIssue(ctx, created.Key)
	if assert.NoError(t, err, "GetIssue by key %q", created.Key) {
		assert.Equal(t, created.ID, byKey.ID, "GetIssue by key returned another issue")
	}

	// The caller owns what it gets: changing it must not change the tracker.
	got.Summary = "changed by the caller"
	got.Labels = append(got.Labels[:0:0], "caller-label")
	again, err := h.Tracker.GetIssue(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, in.Summary, again.Summary, "changing a returned issue changed the tracker")
	assert.NotContains(t, again.Labels, "caller-label", "changing a returned issue changed the tracker")
}

func checkBulkCreate(t tb, h *Harness) {
	bc := capability[tracker.BulkCreator](t, h, tracker.CanBulkCreate)
	ctx := t.Context()
	tag := runTag()
	in := []*tracker.NewIssue{newIssue(h, "bulk "+tag, 0), newIssue(h, "bulk "+tag, 1), newIssue(h, "bulk "+tag, 2)}
	res, err := bc.CreateIssues(ctx, in)
	require.NoError(t, err, "CreateIssues")
	require.Len(t, res, len(in), "CreateIssues must return one result per input")
	seen := map[string]bool{}
	for i, r := range res {
		require.NoError(t, r.Err, "result %d", i)
		require.NotNil(t, r.Issue, "result %d has no issue", i)
		require.NotEmpty(t, r.Issue.ID, "result %d has no ID", i)
		assert.False(t, seen[r.Issue.ID], "result %d repeats id %s", i, r.Issue.ID)
		seen[r.Issue.ID] = true
		got, err := h.Tracker.GetIssue(ctx, r.Issue.ID)
		if errors.Is(err, tracker.ErrUnsupported) {
			continue
		}
		require.NoError(t, err, "GetIssue of result %d", i)
		assertLooksLike(t, h, in[i], got) // results are in input order
	}
}

func checkUpdate(t tb, h *Harness) {
	up := capability[tracker.Updater](t, h, tracker.CanUpdate)
	ctx := t.Context()
	id := issues(t, h, "update", 1)[0]
	before := get(t, h, id)

	summary := before.Summary
	if h.NoSummaryUpdate {
		require.NotEmpty(t, h.FieldChange, "Harness.NoSummaryUpdate needs Harness.FieldChange")
	} else {
		summary += " (edited)"
		require.NoError(t, up.UpdateIssue(ctx, id, &tracker.Change{Summary: &summary}), "UpdateIssue(Summary)")
		after := get(t, h, id)
		assert.Equal(t, summary, after.Summary, "Summary not updated")
		assert.Equal(t, before.Description, after.Description, "updating Summary changed Description")
		assert.ElementsMatch(t, before.Labels, after.Labels, "updating Summary changed Labels")
		assert.Equal(t, before.Priority, after.Priority, "updating Summary changed Priority")
		assert.Equal(t, before.Assignee, after.Assignee, "updating Summary changed Assignee")
		assertFieldsKept(t, before.Fields, after)
	}

	if len(h.FieldChange) > 0 {
		require.NoError(t, up.UpdateIssue(ctx, id, &tracker.Change{Fields: h.FieldChange}), "UpdateIssue(Fields)")
		after := get(t, h, id)
		assertFieldsKept(t, h.FieldChange, after)
		kept := map[string]any{}
		for k, v := range before.Fields {
			if _, changed := h.FieldChange[k]; !changed && !slices.Contains(h.VolatileFields, k) {
				kept[k] = v
			}
		}
		assertFieldsKept(t, kept, after)
		assert.Equal(t, summary, after.Summary, "updating Fields changed Summary")
		assert.Equal(t, before.Description, after.Description, "updating Fields changed Description")
		assert.Equal(t, before.Priority, after.Priority, "updating Fields changed Priority")
	}

	if !h.NoLabels {
		const extra = "tb-added"
		require.NoError(t, up.UpdateIssue(ctx, id, &tracker.Change{AddLabels: []string{extra}}), "UpdateIssue(AddLabels)")
		after := get(t, h, id)
		assert.Contains(t, after.Labels, extra, "AddLabels")
		for _, l := range before.Labels {
			assert.Contains(t, after.Labels, l, "AddLabels dropped a label")
		}
		require.NoError(t, up.UpdateIssue(ctx, id, &tracker.Change{RemoveLabels: []string{extra}}), "UpdateIssue(RemoveLabels)")
		after = get(t, h, id)
		assert.NotContains(t, after.Labels, extra, "RemoveLabels")
		assert.ElementsMatch(t, before.Labels, after.Labels, "RemoveLabels touched other labels")
	}

	assert.NoError(t, up.UpdateIssue(ctx, id, &tracker.Change{}), "an empty change is a no-op")
}

func checkDelete(t tb, h *Harness) {
	del := capability[tracker.Deleter](t, h, tracker.CanDelete)
	ctx := t.Context()
	ids := issues(t, h, "delete", 2)
	require.NoError(t, del.DeleteIssue(ctx, ids[0]), "DeleteIssue")
	_, err := h.Tracker.GetIssue(ctx, ids[0])
	if !errors.Is(err, tracker.ErrUnsupported) {
		assert.ErrorIs(t, err, tracker.ErrNotFound, "GetIssue of a deleted issue")
		_ = get(t, h, ids[1]) // the other one survives
	}
	assert.ErrorIs(t, del.DeleteIssue(ctx, ids[0]), tracker.ErrNotFound, "deleting twice")
}

// collect ranges over a search, failing on an error.
func collect(t tb, s tracker.Searcher, q tracker.Query) []*tracker.Issue {
	t.Helper()
	var out []*tracker.Issue
	for is, err := range s.SearchIssues(t.Context(), q) {
		require.NoError(t, err, "SearchIssues(%+v)", q)
		require.NotNil(t, is, "SearchIssues yielded a nil issue without error")
		out = append(out, is)
	}
	return out
}

// assertAscending checks that issues come in ascending Updated order.
func assertAscending(t tb, list []*tracker.Issue) {
	t.Helper()
	for i := 1; i < len(list); i++ {
		assert.False(t, list[i].Updated.Before(list[i-1].Updated),
			"results %d (%s, updated %s) and %d (%s, updated %s) are not in ascending Updated order",
			i-1, list[i-1].ID, list[i-1].Updated, i, list[i].ID, list[i].Updated)
	}
}

func checkSearch(t tb, h *Harness) {
	s := capability[tracker.Searcher](t, h, tracker.CanSearch)
	const n = 6
	ids := issues(t, h, "search", n)
	ours := map[string]bool{}
	for _, id := range ids {
		ours[id] = true
	}

	// Everything in the project, two per page: several pages.
	all := collect(t, s, tracker.Query{Project: h.Project, PageSize: 2})
	assertAscending(t, all)
	var mine []*tracker.Issue // ours, in result order
	for _, is := range all {
		if ours[is.ID] {
			mine = append(mine, is)
		}
	}
	require.Len(t, mine, n, "search with PageSize 2 did not return every issue exactly once")

	// From the third-oldest of ours on.
	since := mine[2].Updated
	require.False(t, since.IsZero(), "searched issues have no Updated time")
	recent := collect(t, s, tracker.Query{Project: h.Project, UpdatedSince: since, PageSize: 2})
	assertAscending(t, recent)
	got := map[string]bool{}
	for _, is := range recent {
		got[is.ID] = true
		assert.False(t, is.Updated.Before(since), "issue %s updated %s is before UpdatedSince %s", is.ID, is.Updated, since)
	}
	for _, is := range mine {
		if is.Updated.Before(since) {
			assert.False(t, got[is.ID], "issue %s updated %s is before UpdatedSince %s but was returned", is.ID, is.Updated, since)
		} else {
			assert.True(t, got[is.ID], "issue %s updated %s is at or after UpdatedSince %s but was not returned", is.ID, is.Updated, since)
		}
	}

	// Status filter.
	status := mine[0].Status
	if status != "" {
		for _, is := range collect(t, s, tracker.Query{Project: h.Project, Statuses: []string{status}, PageSize: 2}) {
			assert.True(t, strings.EqualFold(status, is.Status), "status filter %q returned issue %s in %q", status, is.ID, is.Status)
		}
	}

	// Breaking after the first result stops the sequence.
	yields := 0
	s.SearchIssues(t.Context(), tracker.Query{Project: h.Project, PageSize: 2})(func(*tracker.Issue, error) bool {
		yields++
		return false
	})
	assert.Equal(t, 1, yields, "the sequence went on yielding after the caller broke off")

	// A cancelled context fails the search with one error.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assertCancelled(t, s, ctx, h.Project, nil, 0)

	// Cancelling during the iteration stops it before the last page.
	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	assertCancelled(t, s, ctx, h.Project, cancel, len(all))
}

// assertCancelled ranges over a search with ctx, calling cancel (if any)
// after the first issue, and checks that it ends with exactly one error
// matching context.Canceled, before all total issues when total > 0.
func assertCancelled(t tb, s tracker.Searcher, ctx context.Context, project string, cancel func(), total int) {
	t.Helper()
	var items, errs, afterErr int
	var last error
	s.SearchIssues(ctx, tracker.Query{Project: project, PageSize: 2})(func(is *tracker.Issue, err error) bool {
		switch {
		case errs > 0:
			afterErr++
		case err != nil:
			errs++
			last = err
		default:
			items++
			if cancel != nil {
				cancel()
			}
		}
		return true
	})
	assert.Equal(t, 1, errs, "a cancelled search must yield one error")
	assert.ErrorIs(t, last, context.Canceled, "the error of a cancelled search")
	assert.Zero(t, afterErr, "the sequence went on after yielding an error")
	if total > 0 {
		assert.Less(t, items, total, "cancelling did not stop the search before its last page")
	} else {
		assert.Zero(t, items, "a search with a cancelled context yielded issues")
	}
}

func checkTransition(t tb, h *Harness) {
	tr := capability[tracker.Transitioner](t, h, tracker.CanTransition)
	ctx := t.Context()
	ids := issues(t, h, "transition", 2)

	require.NoError(t, tr.Transition(ctx, ids[0], tracker.TransitionTarget{Category: tracker.CategoryDone}), "Transition to category done")
	done := get(t, h, ids[0])
	assert.Equal(t, tracker.CategoryDone, done.StatusCategory, "status category after the transition (status %q)", done.Status)

	require.NoError(t, tr.Transition(ctx, ids[0], tracker.TransitionTarget{Category: tracker.CategoryDone}), "Transition to where the issue is")
	again := get(t, h, ids[0])
	assert.Equal(t, done.Status, again.Status, "a transition to where the issue is moved it")
	assert.True(t, done.Updated.Equal(again.Updated), "a transition to where the issue is changed Updated (%s → %s)", done.Updated, again.Updated)

	if h.DoneStatus != "" {
		require.NoError(t, tr.Transition(ctx, ids[1], tracker.TransitionTarget{Status: h.DoneStatus}), "Transition to status %q", h.DoneStatus)
		got := get(t, h, ids[1])
		assert.True(t, strings.EqualFold(h.DoneStatus, got.Status), "status after the transition: want %q, got %q", h.DoneStatus, got.Status)
		assert.Equal(t, tracker.CategoryDone, got.StatusCategory, "category of %q", got.Status)
	}

	err := tr.Transition(ctx, ids[1], tracker.TransitionTarget{Status: "trackbridge-no-such-status"})
	assert.ErrorIs(t, err, tracker.ErrNoTransition, "Transition to a status that does not exist")
}

func checkComments(t tb, h *Harness) {
	cm := capability[tracker.Commenter](t, h, tracker.CanComment)
	ctx := t.Context()
	id := issues(t, h, "comments", 1)[0]

	first, err := cm.AddComment(ctx, id, "first comment")
	require.NoError(t, err, "AddComment")
	require.NotNil(t, first)
	require.NotEmpty(t, first.ID, "added comment has no ID")
	assert.Equal(t, "first comment", strings.TrimSpace(first.Body), "Body")
	second, err := cm.AddComment(ctx, id, "second comment")
	require.NoError(t, err, "AddComment")
	assert.NotEqual(t, first.ID, second.ID, "two comments share an ID")

	bodies := func() map[string]string {
		list, err := cm.ListComments(ctx, id)
		require.NoError(t, err, "ListComments")
		m := map[string]string{}
		for _, c := range list {
			m[c.ID] = strings.TrimSpace(c.Body)
		}
		return m
	}
	assert.Equal(t, map[string]string{first.ID: "first comment", second.ID: "second comment"}, bodies(), "comments listed")

	edited, err := cm.UpdateComment(ctx, id, first.ID, "first comment, edited")
	require.NoError(t, err, "UpdateComment")
	assert.Equal(t, first.ID, edited.ID, "UpdateComment changed the ID")
	assert.Equal(t, "first comment, edited", strings.TrimSpace(edited.Body), "UpdateComment body")
	assert.Equal(t, map[string]string{first.ID: "first comment, edited", second.ID: "second comment"}, bodies(), "comments after the edit")

	require.NoError(t, cm.DeleteComment(ctx, id, first.ID), "DeleteComment")
	assert.Equal(t, map[string]string{second.ID: "second comment"}, bodies(), "comments after the delete")
	assert.ErrorIs(t, cm.DeleteComment(ctx, id, first.ID), tracker.ErrNotFound, "deleting a deleted comment")
}

func checkMarker(t tb, h *Harness) {
	mf := capability[tracker.MarkerFinder](t, h, tracker.CanFindMarkers)
	cr, ok := h.Tracker.(tracker.Creator)
	if !ok {
		t.Skipf("%s tracker finds markers but is not a Creator: no way to set one", h.Tracker.Kind())
	}
	ctx := t.Context()
	tag := runTag()
	marked := newIssue(h, "marker "+tag, 0)
	marked.Marker = "tb-conformance:" + tag
	require.NoError(t, tracker.CheckMarker(marked.Marker))
	want, err := cr.CreateIssue(ctx, marked)
	require.NoError(t, err, "CreateIssue with a marker")
	_, err = cr.CreateIssue(ctx, newIssue(h, "marker "+tag, 1))
	require.NoError(t, err, "CreateIssue without a marker")

	found, err := mf.FindByMarker(ctx, marked.Marker)
	require.NoError(t, err, "FindByMarker")
	if assert.Len(t, found, 1, "FindByMarker must find exactly the marked issue") {
		assert.Equal(t, want.ID, found[0].ID, "FindByMarker found another issue")
	}

	none, err := mf.FindByMarker(ctx, "tb-conformance:unknown-"+tag)
	assert.NoError(t, err, "FindByMarker of an unknown marker")
	assert.Empty(t, none, "FindByMarker of an unknown marker")
}

func checkUsers(t tb, h *Harness) {
	ud := capability[tracker.UserDirectory](t, h, tracker.CanListUsers)
	n := 0
	for u, err := range ud.ListUsers(t.Context()) {
		require.NoError(t, err, "ListUsers")
		require.NotNil(t, u, "ListUsers yielded a nil user without error")
		assert.True(t, u.ID != "" || u.Login != "", "user %d has neither ID nor Login", n)
		n++
	}
	assert.Positive(t, n, "ListUsers yielded no users (the harness's tracker must have at least one)")

	yields := 0
	ud.ListUsers(t.Context())(func(*tracker.User, error) bool {
		yields++
		return false
	})
	assert.Equal(t, 1, yields, "the user sequence went on yielding after the caller broke off")
}

func checkDescribe(t tb, h *Harness) {
	d := capability[tracker.Describer](t, h, tracker.CanDescribe)
	ctx := t.Context()
	fields, err := d.DescribeFields(ctx, h.Project, h.IssueType)
	require.NoError(t, err, "DescribeFields")
	for i, f := range fields {
		assert.True(t, f.ID != "" || f.Name != "", "field %d has neither ID nor Name", i)
	}
	statuses, err := d.DescribeStatuses(ctx, h.Project)
	require.NoError(t, err, "DescribeStatuses")
	hasDone := false
	for i, s := range statuses {
		assert.NotEmpty(t, s.Name, "status %d has no name", i)
		hasDone = hasDone || s.Category == tracker.CategoryDone
		if h.DoneStatus != "" && strings.EqualFold(s.Name, h.DoneStatus) {
			assert.Equal(t, tracker.CategoryDone, s.Category, "category of DoneStatus %q", s.Name)
		}
	}
	if tracker.Has(h.Tracker, tracker.CanTransition) {
		assert.True(t, hasDone, "a Transitioner describes no status in the done category")
	}
	if h.DoneStatus != "" {
		assert.True(t, slices.ContainsFunc(statuses, func(s tracker.StatusInfo) bool { return strings.EqualFold(s.Name, h.DoneStatus) }),
			"DoneStatus %q is not among the described statuses", h.DoneStatus)
	}
}

func checkNotFound(t tb, h *Harness) {
	ctx := t.Context()
	missing := h.MissingID
	if missing == "" {
		missing = "does-not-exist-404"
	}
	_, err := h.Tracker.GetIssue(ctx, missing)
	if errors.Is(err, tracker.ErrUnsupported) {
		t.Logf("%s tracker cannot read issues (%v)", h.Tracker.Kind(), err)
	} else {
		assert.ErrorIs(t, err, tracker.ErrNotFound, "GetIssue(%q)", missing)
	}
	if up, ok := h.Tracker.(tracker.Updater); ok {
		ch := &tracker.Change{Summary: tracker.Ptr("x")}
		if h.NoSummaryUpdate {
			ch = &tracker.Change{Fields: h.FieldChange}
		}
		assert.ErrorIs(t, up.UpdateIssue(ctx, missing, ch), tracker.ErrNotFound, "UpdateIssue(%q)", missing)
	}
	if del, ok := h.Tracker.(tracker.Deleter); ok {
		assert.ErrorIs(t, del.DeleteIssue(ctx, missing), tracker.ErrNotFound, "DeleteIssue(%q)", missing)
	}
	if tr, ok := h.Tracker.(tracker.Transitioner); ok {
		assert.ErrorIs(t, tr.Transition(ctx, missing, tracker.TransitionTarget{Category: tracker.CategoryDone}), tracker.ErrNotFound, "Transition(%q)", missing)
	}
	if cm, ok := h.Tracker.(tracker.Commenter); ok {
		_, err := cm.ListComments(ctx, missing)
		assert.ErrorIs(t, err, tracker.ErrNotFound, "ListComments(%q)", missing)
		_, err = cm.AddComment(ctx, missing, "on nothing")
		assert.ErrorIs(t, err, tracker.ErrNotFound, "AddComment(%q)", missing)
	}
}

// allCapabilities lists every capability of package tracker.
func allCapabilities() []tracker.Capability {
	return []tracker.Capability{
		tracker.CanCreate, tracker.CanBulkCreate, tracker.CanUpdate, tracker.CanDelete,
		tracker.CanSearch, tracker.CanTransition, tracker.CanComment, tracker.CanListUsers,
		tracker.CanFindMarkers, tracker.CanDescribe,
	}
}

func checkUnsupported(t tb, h *Harness) {
	kind := h.Tracker.Kind()
	assert.NotEmpty(t, kind, "Kind")
	for _, c := range allCapabilities() {
		err := tracker.Require(h.Tracker, c)
		if tracker.Has(h.Tracker, c) {
			assert.NoError(t, err, "Require(%s) of a tracker that has it", c)
			continue
		}
		t.Logf("%s tracker lacks %s", kind, c)
		if assert.ErrorIs(t, err, tracker.ErrUnsupported, "Require(%s)", c) {
			assert.Contains(t, err.Error(), string(c), "Require must name the missing capability")
		}
	}
}

// valuesEqual compares field values the way trackers round-trip them: times
// by instant, numbers by value whatever their Go type, string lists
// whatever their slice type.
func valuesEqual(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	if sa, ok := strs(a); ok {
		sb, ok := strs(b)
		return ok && slices.Equal(sa, sb)
	}
	return reflect.DeepEqual(a, b)
}

// number returns v as a float64 when it is a number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// strs returns v as a []string when it is a list of strings.
func strs(v any) ([]string, bool) {
	switch l := v.(type) {
	case []string:
		return l, true
	case []any:
		out := make([]string, len(l))
		for i, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}
