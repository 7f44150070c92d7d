package youtrack_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/youtrack"
)

// TestAdapterCommentsCarryVisibility: restricted comments say so, so that a
// sync flow keeps them on their side.
func TestAdapterCommentsCarryVisibility(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t)
	respond(t, mock, "GET", "/api/issues/2-17/comments", youtrack.DefaultCommentFields, "comments_visibility.json")
	a, err := youtrack.NewAdapter(c, youtrack.AdapterConfig{})
	require.NoError(t, err)

	list, err := a.ListComments(context.Background(), "2-17")

	require.NoError(t, err)
	require.Len(t, list, 3)
	assert.Empty(t, list[0].Visibility, "unlimited")
	assert.Equal(t, "group:Security", list[1].Visibility)
	assert.Equal(t, "user:jdoe,cwu", list[2].Visibility)
	assert.Equal(t, "Chen Wu", list[1].AuthorName)
}
