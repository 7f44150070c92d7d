package syncer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommentMarkerRoundTrip(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "plain", "ends with a joiner \u2060", "two\n\nparagraphs", "emoji 🦊"} {
		m := "0123456789abcdef"
		got, ok := commentMarkerOf(body + encodeCommentMarker(m))
		require.True(t, ok, "%q", body)
		assert.Equal(t, m, got)
	}
	for _, body := range []string{"", "plain", "\u2060\u2060", "\u2060\u200b\u2060", "\u2060x\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u2060"} {
		_, ok := commentMarkerOf(body)
		assert.False(t, ok, "%q carries no marker", body)
	}
}

func FuzzCommentMarker(f *testing.F) {
	f.Add("a comment", []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add("\u2060\u200c", []byte{0xff})
	f.Fuzz(func(t *testing.T, body string, raw []byte) {
		if len(raw) == 0 || len(raw) > 32 {
			return
		}
		m := ""
		for _, b := range raw {
			m += string("0123456789abcdef"[b>>4]) + string("0123456789abcdef"[b&15])
		}
		got, ok := commentMarkerOf(body + encodeCommentMarker(m))
		if !ok || got != m {
			t.Fatalf("marker %s after %q read back as %q, %v", m, body, got, ok)
		}
	})
}
