package codec

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer/store"
)

func TestMapRoundTrip(t *testing.T) {
	t.Parallel()
	for _, m := range []map[string]string{nil, {}, {"a": "1", "target.summary": "h"}} {
		s, err := Map(m)
		require.NoError(t, err)
		got, err := ParseMap(s)
		require.NoError(t, err)
		assert.NotNil(t, got)
		assert.Len(t, got, len(m))
		for k, v := range m {
			assert.Equal(t, v, got[k])
		}
	}
	_, err := ParseMap("{not json")
	require.ErrorContains(t, err, "decoding stored map")
}

func TestCommentsRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))
	in := []store.CommentLink{
		{SourceID: "1", TargetID: "2", Hash: "h"},
		{SourceID: "3", TargetID: "4", Deleted: true, DeletedAt: at},
	}
	s, err := Comments(in)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"source_id":"1","target_id":"2","hash":"h"},
		{"source_id":"3","target_id":"4","deleted":true,"deleted_at":"2026-01-02T02:04:05.000000006Z"}]`, s)
	got, err := ParseComments(s)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, in[0], got[0])
	assert.True(t, got[1].DeletedAt.Equal(at))

	for _, empty := range []string{"", "[]"} {
		got, err := ParseComments(empty)
		require.NoError(t, err)
		assert.Nil(t, got)
	}
	_, err = ParseComments(`{"x":1}`)
	require.ErrorContains(t, err, "decoding stored comments")
}

func TestNanos(t *testing.T) {
	t.Parallel()
	assert.Equal(t, int64(0), Nanos(time.Time{}))
	assert.True(t, FromNanos(0).IsZero())
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	assert.Equal(t, now, FromNanos(Nanos(now)))
}
