package sqlstore

import (
	"errors"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

func TestMigrationsInNameOrder(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"migrations/002_b.sql": {Data: []byte("two")},
		"migrations/001_a.sql": {Data: []byte("one")},
	}
	got, err := Migrations(fsys, "migrations")
	require.NoError(t, err)
	assert.Equal(t, []string{"one", "two"}, got)

	_, err = Migrations(fsys, "missing")
	assert.Error(t, err)
}

func TestLinksPages(t *testing.T) {
	t.Parallel()
	var all []*store.Link
	for i := range 5 {
		all = append(all, &store.Link{Source: tracker.Ref{Tracker: "t", ID: strconv.Itoa(i)}})
	}
	var afters []string
	page := func(after tracker.Ref) ([]*store.Link, error) {
		afters = append(afters, after.ID)
		start := 0
		if after.ID != "" {
			n, _ := strconv.Atoi(after.ID)
			start = n + 1
		}
		return all[start:min(start+2, len(all))], nil
	}
	var got []string
	for l, err := range Links(2, page) {
		require.NoError(t, err)
		got = append(got, l.Source.ID)
	}
	assert.Equal(t, []string{"0", "1", "2", "3", "4"}, got)
	assert.Equal(t, []string{"", "1", "3"}, afters, "a short page ends the listing")

	// Stopping early reads no further page.
	afters = nil
	for range Links(2, page) {
		break
	}
	assert.Equal(t, []string{""}, afters)

	boom := errors.New("boom")
	for l, err := range Links(2, func(tracker.Ref) ([]*store.Link, error) { return nil, boom }) {
		assert.Nil(t, l)
		assert.ErrorIs(t, err, boom)
	}
}
