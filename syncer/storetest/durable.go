package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Opener opens the durable store at location, which is a short name of
// lower-case letters, digits and underscores that the opener maps to a
// database (a file in a directory, a schema). Opening the same location
// again, in this process or another, opens the same data. The opener closes
// the store when tb ends; stores tolerate a second Close.
type Opener func(tb testing.TB, location string, now func() time.Time) store.Store

// RunDurable runs the tests only durable stores pass: data survives Close
// and reopen, and two stores open on one location see each other's writes
// and conflicts.
func RunDurable(t *testing.T, open Opener) {
	t.Run("Reopen", func(t *testing.T) {
		t.Parallel()
		testReopen(t, open)
	})
	t.Run("SharedLocation", func(t *testing.T) {
		t.Parallel()
		testSharedLocation(t, open)
	})
}

func testReopen(t *testing.T, open Opener) {
	ctx := t.Context()
	clock := NewClock()
	s := open(t, "reopen", clock.Now)

	l := newLink("f", "1")
	l.State, l.Target = store.StateLinked, ref("jira", "SEC-1")
	l.Comments = []store.CommentLink{
		{SourceID: "c1", TargetID: "t1", Hash: "a"},
		{SourceID: "c2", TargetID: "t2", Hash: "b", Deleted: true, DeletedAt: clock.Now()},
	}
	l.Attempts, l.LastError, l.Parked = 2, "timeout", true
	require.NoError(t, s.PutLink(ctx, l))
	c := &store.Cursor{Flow: "f", Side: store.SideTarget, Value: "42", Time: clock.Now()}
	require.NoError(t, s.SetCursor(ctx, c))
	lease, err := s.AcquireLease(ctx, "k", "a", time.Hour)
	require.NoError(t, err)
	e := &store.Event{Flow: "f", Kind: "created", Target: l.Target, Attrs: map[string]string{"a": "b"}}
	require.NoError(t, s.AppendEvents(ctx, e))
	require.NoError(t, s.Close())

	clock.Advance(time.Minute)
	s = open(t, "reopen", clock.Now)
	got, err := s.GetLink(ctx, "f", l.Source)
	require.NoError(t, err)
	assertLink(t, l, got)
	got, err = s.GetLinkByTarget(ctx, "f", l.Target)
	require.NoError(t, err)
	assertLink(t, l, got)
	gotCursor, err := s.Cursor(ctx, "f", store.SideTarget)
	require.NoError(t, err)
	assert.Equal(t, c.Value, gotCursor.Value)
	assert.True(t, c.Time.Equal(gotCursor.Time))
	assert.Equal(t, c.Version, gotCursor.Version)

	_, err = s.AcquireLease(ctx, "k", "b", time.Hour)
	require.ErrorIs(t, err, store.ErrLeaseHeld, "leases survive reopen")
	require.NoError(t, s.RenewLease(ctx, lease, time.Hour))
	require.NoError(t, s.ReleaseLease(ctx, lease))
	again, err := s.AcquireLease(ctx, "k", "b", time.Hour)
	require.NoError(t, err)
	assert.Greater(t, again.Token, lease.Token, "tokens keep growing across reopen")

	events, err := s.ListEvents(ctx, "f", 0, 0)
	require.NoError(t, err)
	require.Len(t, events, 1)
	assertEvent(t, e, events[0])
	e2 := &store.Event{Flow: "f", Kind: "updated"}
	require.NoError(t, s.AppendEvents(ctx, e2))
	assert.Greater(t, e2.Seq, e.Seq)
}

func testSharedLocation(t *testing.T, open Opener) {
	ctx := t.Context()
	clock := NewClock()
	a := open(t, "shared", clock.Now)
	b := open(t, "shared", clock.Now)

	l := newLink("f", "1")
	require.NoError(t, a.PutLink(ctx, l))
	got, err := b.GetLink(ctx, "f", l.Source)
	require.NoError(t, err)
	assertLink(t, l, got)
	got.Attempts = 1
	require.NoError(t, b.PutLink(ctx, got))
	require.ErrorIs(t, a.PutLink(ctx, l), store.ErrConflict, "a stale write through another handle conflicts")

	_, err = a.AcquireLease(ctx, "k", "a", time.Minute)
	require.NoError(t, err)
	_, err = b.AcquireLease(ctx, "k", "b", time.Minute)
	require.ErrorIs(t, err, store.ErrLeaseHeld)

	// Racing inserts through two handles: one wins.
	errs := race(func(i int) error {
		s := a
		if i%2 == 1 {
			s = b
		}
		return s.PutLink(ctx, &store.Link{Flow: "f", Source: tracker.Ref{Tracker: "x", ID: "race"}, State: store.StatePending,
			CorrelationKey: fmt.Sprint(i)})
	})
	assert.Equal(t, 1, countWins(t, errs, store.ErrConflict))
}
