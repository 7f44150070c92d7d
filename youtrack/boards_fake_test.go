package youtrack_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/youtrack"
)

func TestLinksWorkItemsAndBoardsOnTheFake(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, youtrack.AdapterConfig{}, youtrack.WithPageSize(2))
	c := a.Client()
	ctx := t.Context()
	parent, err := a.CreateIssue(ctx, &tracker.NewIssue{Project: "SEC", Summary: "Harden VPN"})
	require.NoError(t, err)
	child, err := a.CreateIssue(ctx, &tracker.NewIssue{Project: "SEC", Summary: "Rotate VPN keys"})
	require.NoError(t, err)

	// Link types, paged two at a time.
	var types []string
	for lt, err := range c.Links.AllTypes(ctx, nil) {
		require.NoError(t, err)
		types = append(types, lt.Name)
	}
	assert.Equal(t, []string{"Relates", "Depend", "Duplicate", "Subtask"}, types)

	// The parent is the source of a Subtask link to the child.
	got, _, err := c.Links.Add(ctx, parent.Key, "106-3s", child.Key)
	require.NoError(t, err)
	assert.Equal(t, child.ID, got.ID)
	linked := func(issue, linkID string) []string {
		var out []string
		for l, err := range c.Links.All(ctx, issue, nil) {
			require.NoError(t, err)
			if l.ID == linkID {
				for _, is := range l.Issues {
					out = append(out, is.IDReadable)
				}
			}
		}
		return out
	}
	assert.Equal(t, []string{child.Key}, linked(parent.Key, "106-3s"))
	assert.Equal(t, []string{parent.Key}, linked(child.Key, "106-3t"), "the child sees its parent inward")
	_, err = c.Links.Remove(ctx, parent.Key, "106-3s", child.ID)
	require.NoError(t, err)
	assert.Empty(t, linked(parent.Key, "106-3s"))

	// Work items.
	w, _, err := c.WorkItems.Add(ctx, parent.Key, &youtrack.WorkItemInput{Minutes: 90, Text: "Review", AuthorLogin: "jdoe"})
	require.NoError(t, err)
	assert.Equal(t, "1h 30m", w.Duration.Presentation)
	assert.Equal(t, "jdoe", w.Author.Login)
	w, _, err = c.WorkItems.Update(ctx, parent.Key, w.ID, &youtrack.WorkItemInput{Minutes: 120})
	require.NoError(t, err)
	assert.Equal(t, int64(120), w.Duration.Minutes)
	_, _, err = c.WorkItems.Add(ctx, child.Key, &youtrack.WorkItemInput{Minutes: 15})
	require.NoError(t, err)
	n := 0
	for _, err := range c.WorkItems.SearchAll(ctx, "project: SEC", nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n)
	_, err = c.WorkItems.Delete(ctx, parent.Key, w.ID)
	require.NoError(t, err)
	list, _, err := c.WorkItems.List(ctx, parent.Key, nil)
	require.NoError(t, err)
	assert.Empty(t, list)

	// Boards and sprints.
	var boards []*youtrack.Agile
	for b, err := range c.Agiles.All(ctx, nil) {
		require.NoError(t, err)
		boards = append(boards, b)
	}
	require.Len(t, boards, 1)
	assert.Equal(t, "Sprint 2", boards[0].CurrentSprint.Name)
	cur, _, err := c.Agiles.Sprint(ctx, boards[0].ID, "current", nil)
	require.NoError(t, err)
	assert.True(t, cur.IsDefault)
	var sprints []string
	for sp, err := range c.Agiles.AllSprints(ctx, boards[0].ID, nil) {
		require.NoError(t, err)
		sprints = append(sprints, sp.Name)
	}
	assert.Equal(t, []string{"Sprint 1", "Sprint 2"}, sprints)
	assert.Positive(t, srv.RequestCount("GET /api/issueLinkTypes"))
}
