package tracker

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemoryDeduper(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := NewMemoryDeduper(2, time.Hour)
	d.now = func() time.Time { return now }
	seen := func(key string) bool {
		t.Helper()
		ok, err := d.Seen(ctx, key)
		require.NoError(t, err)
		return ok
	}
	assert.False(t, seen("a"))
	assert.True(t, seen("a"))
	assert.False(t, seen(""))
	assert.False(t, seen(""), "an empty key is never a duplicate")
	require.NoError(t, d.Forget(ctx, "a"))
	assert.False(t, seen("a"), "forgotten keys are accepted again")
	assert.False(t, seen("b"))
	assert.True(t, seen("a"), "a duplicate takes no room")
	assert.False(t, seen("c"))
	assert.Equal(t, 2, d.Len())
	assert.False(t, seen("a"), "the oldest key is dropped past the bound")
	now = now.Add(time.Hour)
	assert.False(t, seen("c"), "keys expire after the window")
	assert.Equal(t, time.Hour, d.Window())
}

func TestMemoryDeduperBoundsMemory(t *testing.T) {
	t.Parallel()
	d := NewMemoryDeduper(100, 0)
	for i := range 10_000 {
		_, err := d.Seen(context.Background(), fmt.Sprint(i))
		require.NoError(t, err)
	}
	assert.Equal(t, 100, d.Len())
	assert.Equal(t, DefaultDedupWindow, d.Window())
	var _ Deduper = d
}
