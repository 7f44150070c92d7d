package youtrack_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/youtrack"
)

// The fake serves the read-only attributes the client keeps.
func TestFakeServesUpdaterCountsAndPreviews(t *testing.T) {
	t.Parallel()
	a, _ := newAdapter(t, youtrack.AdapterConfig{})
	ti, err := a.CreateIssue(t.Context(), &tracker.NewIssue{Project: "HD", Summary: "Port scan", Description: "Scan of <10.0.0.0/24>"})
	require.NoError(t, err)
	_, err = a.AddComment(t.Context(), ti.ID, "Blocked at the edge.")
	require.NoError(t, err)
	summary := "Port scan from 10.0.0.9"
	require.NoError(t, a.UpdateIssue(t.Context(), ti.ID, &tracker.Change{Summary: &summary}))

	c := a.Client()
	is, _, err := c.Issues.Get(t.Context(), ti.Key, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, is.CommentsCount)
	require.NotNil(t, is.Updater)
	assert.NotEmpty(t, is.Updater.Login)
	assert.Contains(t, is.WikifiedDescription, "&lt;10.0.0.0/24&gt;")
	assert.Empty(t, is.Problems)
	comments, _, err := c.Comments.List(t.Context(), ti.ID, nil)
	require.NoError(t, err)
	require.Len(t, comments, 1)
	assert.Contains(t, comments[0].TextPreview, "Blocked at the edge.")
	assert.NotNil(t, comments[0].Attachments)
}
