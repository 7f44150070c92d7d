// Package storetest is the conformance suite every [store.Store] passes.
//
// A store's tests call [Run] with a function that opens an empty store, and
// durable stores also [RunDurable] (state survives Close and reopen) and
// [RunProcesses] (two OS processes racing over one database). [Benchmark]
// measures the hot paths.
package storetest

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Factory opens an empty store, isolated from every other store it opened,
// that reads the time from now. It closes the store when tb ends.
type Factory func(tb testing.TB, now func() time.Time) store.Store

// Clock is a fake clock for stores under test. It starts at a fixed
// instant with microsecond precision, which every store keeps exactly.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at 2026-01-02 03:04:05.123456 UTC.
func NewClock() *Clock {
	return &Clock{t: time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Run runs the conformance suite against stores made by open.
func Run(t *testing.T, open Factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store, clock *Clock)
	}{
		{"LinkCRUD", testLinkCRUD},
		{"LinkValidation", testLinkValidation},
		{"LinkCopies", testLinkCopies},
		{"LinkByTarget", testLinkByTarget},
		{"PutLinksAtomic", testPutLinksAtomic},
		{"ListLinks", testListLinks},
		{"ListLinksPaging", testListLinksPaging},
		{"Comments", testComments},
		{"Cursors", testCursors},
		{"Leases", testLeases},
		{"LeaseTakeover", testLeaseTakeover},
		{"Events", testEvents},
		{"RaceInsert", testRaceInsert},
		{"RaceLease", testRaceLease},
		{"RaceCAS", testRaceCAS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := NewClock()
			tt.fn(t, open(t, clock.Now), clock)
		})
	}
}

func ref(tr, id string) tracker.Ref { return tracker.Ref{Tracker: tr, ID: id} }

func newLink(flow, id string) *store.Link {
	return &store.Link{
		Flow:           flow,
		Source:         ref("extrahop", id),
		State:          store.StatePending,
		CorrelationKey: "tb-" + flow + "-" + id,
		FieldHashes:    map[string]string{"target.summary": "h1"},
	}
}

func testLinkCRUD(t *testing.T, s store.Store, clock *Clock) {
	ctx := t.Context()
	_, err := s.GetLink(ctx, "f", ref("extrahop", "1"))
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, err, tracker.ErrNotFound)

	l := newLink("f", "1")
	require.NoError(t, s.PutLink(ctx, l))
	assert.Equal(t, int64(1), l.Version)
	assert.True(t, l.Created.Equal(clock.Now()), "created %v", l.Created)
	assert.True(t, l.Updated.Equal(clock.Now()), "updated %v", l.Updated)

	got, err := s.GetLink(ctx, "f", l.Source)
	require.NoError(t, err)
	assertLink(t, l, got)

	// Inserting again conflicts.
	err = s.PutLink(ctx, newLink("f", "1"))
	require.ErrorIs(t, err, store.ErrConflict)
	require.ErrorIs(t, err, tracker.ErrConflict)

	// Update with the version read.
	clock.Advance(time.Minute)
	got.State = store.StateLinked
	got.Target = ref("jira", "SEC-1")
	got.FieldHashes["target.status"] = "h2"
	got.Attempts, got.LastError, got.Parked = 3, "boom", true
	require.NoError(t, s.PutLink(ctx, got))
	assert.Equal(t, int64(2), got.Version)
	assert.True(t, got.Updated.Equal(clock.Now()))
	assert.True(t, got.Created.Equal(l.Created), "created kept: %v", got.Created)
	again, err := s.GetLink(ctx, "f", l.Source)
	require.NoError(t, err)
	assertLink(t, got, again)

	// A stale write conflicts and leaves the record and the argument alone.
	l.State = store.StateClosed
	require.ErrorIs(t, s.PutLink(ctx, l), store.ErrConflict)
	assert.Equal(t, int64(1), l.Version)
	again, err = s.GetLink(ctx, "f", l.Source)
	require.NoError(t, err)
	assertLink(t, got, again)

	// A version on a link never written conflicts.
	ghost := newLink("f", "ghost")
	ghost.Version = 4
	require.ErrorIs(t, s.PutLink(ctx, ghost), store.ErrConflict)

	// Delete is compare-and-set too.
	require.ErrorIs(t, s.DeleteLink(ctx, l), store.ErrConflict)
	require.NoError(t, s.DeleteLink(ctx, again))
	_, err = s.GetLink(ctx, "f", l.Source)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.GetLinkByTarget(ctx, "f", got.Target)
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, s.DeleteLink(ctx, again), store.ErrNotFound)

	// The same source in another flow is another link.
	require.NoError(t, s.PutLink(ctx, newLink("g", "1")))
	_, err = s.GetLink(ctx, "f", l.Source)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testLinkValidation(t *testing.T, s store.Store, _ *Clock) {
	ctx := t.Context()
	tests := []struct {
		name   string
		mutate func(l *store.Link)
	}{
		{"no flow", func(l *store.Link) { l.Flow = "" }},
		{"no source id", func(l *store.Link) { l.Source.ID = "" }},
		{"no source tracker", func(l *store.Link) { l.Source.Tracker = "" }},
		{"bad state", func(l *store.Link) { l.State = "lost" }},
		{"linked without target", func(l *store.Link) { l.State = store.StateLinked }},
		{"negative version", func(l *store.Link) { l.Version = -1 }},
	}
	for _, tt := range tests {
		l := newLink("f", "1")
		tt.mutate(l)
		err := s.PutLink(ctx, l)
		require.Error(t, err, tt.name)
		assert.NotErrorIs(t, err, store.ErrConflict, tt.name)
	}
	_, err := s.GetLink(ctx, "f", ref("extrahop", "1"))
	require.ErrorIs(t, err, store.ErrNotFound, "nothing written")
}

func testLinkCopies(t *testing.T, s store.Store, _ *Clock) {
	ctx := t.Context()
	l := newLink("f", "1")
	l.Comments = []store.CommentLink{{SourceID: "c1", TargetID: "t1", Hash: "x"}}
	require.NoError(t, s.PutLink(ctx, l))
	// Changing what we passed or got back must not change the store.
	l.FieldHashes["target.summary"] = "changed"
	l.Comments[0].Hash = "changed"
	got, err := s.GetLink(ctx, "f", l.Source)
	require.NoError(t, err)
	assert.Equal(t, "h1", got.FieldHashes["target.summary"])
	assert.Equal(t, "x", got.Comments[0].Hash)
	got.FieldHashes["target.summary"] = "changed"
	got.Comments[0].Hash = "changed"
	again, err := s.GetLink(ctx, "f", l.Source)
	require.NoError(t, err)
	assert.Equal(t, "h1", again.FieldHashes["target.summary"])
	assert.Equal(t, "x", again.Comments[0].Hash)

	// Empty maps read back non-nil, so the engine can write into them.
	bare := &store.Link{Flow: "f", Source: ref("extrahop", "2"), State: store.StatePending}
	require.NoError(t, s.PutLink(ctx, bare))
	got, err = s.GetLink(ctx, "f", bare.Source)
	require.NoError(t, err)
	assert.NotNil(t, got.FieldHashes)
	assert.Empty(t, got.Comments)
}

func testLinkByTarget(t *testing.T, s store.Store, _ *Clock) {
	ctx := t.Context()
	pending := newLink("f", "1")
	require.NoError(t, s.PutLink(ctx, pending))
	_, err := s.GetLinkByTarget(ctx, "f", tracker.Ref{})
	require.ErrorIs(t, err, store.ErrNotFound, "a pending link has no target to find")

	pending.State, pending.Target = store.StateLinked, ref("jira", "SEC-1")
	require.NoError(t, s.PutLink(ctx, pending))
	got, err := s.GetLinkByTarget(ctx, "f", ref("jira", "SEC-1"))
	require.NoError(t, err)
	assertLink(t, pending, got)

	_, err = s.GetLinkByTarget(ctx, "other", ref("jira", "SEC-1"))
	require.ErrorIs(t, err, store.ErrNotFound, "flows are separate")
	_, err = s.GetLinkByTarget(ctx, "f", ref("youtrack", "SEC-1"))
	require.ErrorIs(t, err, store.ErrNotFound, "the tracker is part of the ref")

	// A second link of the flow cannot claim the same target.
	dup := newLink("f", "2")
	dup.State, dup.Target = store.StateLinked, ref("jira", "SEC-1")
	require.ErrorIs(t, s.PutLink(ctx, dup), store.ErrConflict)
	// In another flow it can.
	dup.Flow = "g"
	require.NoError(t, s.PutLink(ctx, dup))

	// Retargeting frees the old target.
	pending.Target = ref("jira", "SEC-2")
	require.NoError(t, s.PutLink(ctx, pending))
	_, err = s.GetLinkByTarget(ctx, "f", ref("jira", "SEC-1"))
	require.ErrorIs(t, err, store.ErrNotFound)
	got, err = s.GetLinkByTarget(ctx, "f", ref("jira", "SEC-2"))
	require.NoError(t, err)
	assert.Equal(t, pending.Source, got.Source)

	// One batch can hand a target from one link to another.
	other := newLink("f", "3")
	require.NoError(t, s.PutLink(ctx, other))
	pending.State, pending.Target = store.StateClosed, tracker.Ref{}
	other.State, other.Target = store.StateLinked, ref("jira", "SEC-2")
	require.NoError(t, s.PutLinks(ctx, pending, other))
	got, err = s.GetLinkByTarget(ctx, "f", ref("jira", "SEC-2"))
	require.NoError(t, err)
	assert.Equal(t, other.Source, got.Source)
}

func testPutLinksAtomic(t *testing.T, s store.Store, _ *Clock) {
	ctx := t.Context()
	existing := newLink("f", "1")
	require.NoError(t, s.PutLink(ctx, existing))
	stale := existing.Clone()
	existing.Attempts = 1
	require.NoError(t, s.PutLink(ctx, existing))

	fresh := newLink("f", "2")
	stale.Attempts = 99
	update := existing.Clone()
	update.Attempts = 2
	err := s.PutLinks(ctx, fresh, update, stale)
	require.ErrorIs(t, err, store.ErrConflict)
	assert.Equal(t, int64(0), fresh.Version, "versions untouched on failure")
	assert.Equal(t, int64(2), update.Version)
	_, err = s.GetLink(ctx, "f", fresh.Source)
	require.ErrorIs(t, err, store.ErrNotFound, "nothing of the batch written")
	got, err := s.GetLink(ctx, "f", existing.Source)
	require.NoError(t, err)
	assert.Equal(t, 1, got.Attempts)

	// The same link twice in a batch is a conflict with itself.
	require.ErrorIs(t, s.PutLinks(ctx, newLink("f", "3"), newLink("f", "3")), store.ErrConflict)
	_, err = s.GetLink(ctx, "f", ref("extrahop", "3"))
	require.ErrorIs(t, err, store.ErrNotFound)

	require.NoError(t, s.PutLinks(ctx, fresh, update))
	assert.Equal(t, int64(1), fresh.Version)
	assert.Equal(t, int64(3), update.Version)
	got, err = s.GetLink(ctx, "f", existing.Source)
	require.NoError(t, err)
	assertLink(t, update, got)
	require.NoError(t, s.PutLinks(ctx), "an empty batch is fine")
}

func testListLinks(t *testing.T, s store.Store, _ *Clock) {
	ctx := t.Context()
	mk := func(id string, st store.State, parked bool) {
		l := newLink("f", id)
		l.State, l.Parked = st, parked
		if st == store.StateLinked {
			l.Target = ref("jira", "T-"+id)
		}
		require.NoError(t, s.PutLink(ctx, l))
	}
	mk("b", store.StateLinked, false)
	mk("a", store.StatePending, true)
	mk("d", store.StatePending, false)
	mk("c", store.StateClosed, false)
	require.NoError(t, s.PutLink(ctx, newLink("other", "z")))

	tests := []struct {
		name   string
		filter store.Filter
		want   []string
	}{
		{"all", store.Filter{}, []string{"a", "b", "c", "d"}},
		{"pending", store.Filter{State: store.StatePending}, []string{"a", "d"}},
		{"parked", store.Filter{Parked: tracker.Ptr(true)}, []string{"a"}},
		{"unparked pending", store.Filter{State: store.StatePending, Parked: tracker.Ptr(false)}, []string{"d"}},
		{"closed", store.Filter{State: store.StateClosed}, []string{"c"}},
	}
	for _, tt := range tests {
		var ids []string
		for l, err := range s.ListLinks(ctx, "f", tt.filter) {
			require.NoError(t, err, tt.name)
			ids = append(ids, l.Source.ID)
		}
		assert.Equal(t, tt.want, ids, tt.name)
	}

	// Stopping early stops the iteration.
	n := 0
	for range s.ListLinks(ctx, "f", store.Filter{}) {
		n++
		break
	}
	assert.Equal(t, 1, n)
}

func testListLinksPaging(t *testing.T, s store.Store, _ *Clock) {
	ctx := t.Context()
	const total = 530 // more than a page of any store
	batch := make([]*store.Link, 0, total)
	for i := range total {
		batch = append(batch, newLink("f", fmt.Sprintf("%04d", i)))
	}
	require.NoError(t, s.PutLinks(ctx, batch...))
	i := 0
	for l, err := range s.ListLinks(ctx, "f", store.Filter{}) {
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("%04d", i), l.Source.ID)
		// Writing while iterating must not deadlock.
		l.Attempts++
		require.NoError(t, s.PutLink(ctx, l))
		i++
	}
	assert.Equal(t, total, i)
}

func testComments(t *testing.T, s store.Store, clock *Clock) {
	ctx := t.Context()
	l := newLink("f", "1")
	l.Comments = []store.CommentLink{
		{SourceID: "c1", TargetID: "10001", Hash: "a"},
		{SourceID: "c2", TargetID: "10002", Hash: "b", Origin: store.SideSource},
		// A comment written on the target, its mirror on the source not
		// confirmed yet.
		{TargetID: "10003", Origin: store.SideTarget, Hash: "c", Marker: "tbc-1f", Pending: true},
	}
	require.NoError(t, s.PutLink(ctx, l))
	got, err := s.GetLink(ctx, "f", l.Source)
	require.NoError(t, err)
	assert.Equal(t, l.Comments, got.Comments)

	// A deleted comment stays as a tombstone.
	got.Comments[1].Deleted = true
	got.Comments[1].DeletedAt = clock.Now()
	got.Comments = append(got.Comments, store.CommentLink{SourceID: "c3", TargetID: "10003", Hash: "c"})
	require.NoError(t, s.PutLink(ctx, got))
	again, err := s.GetLink(ctx, "f", l.Source)
	require.NoError(t, err)
	require.Len(t, again.Comments, 4)
	assert.True(t, again.Comments[1].Deleted)
	assert.True(t, again.Comments[2].FromTarget())
	assert.True(t, again.Comments[2].Pending)
	assert.Equal(t, "tbc-1f", again.Comments[2].Marker)
	assert.True(t, again.Comments[1].DeletedAt.Equal(clock.Now()), "deleted at %v", again.Comments[1].DeletedAt)
	assert.False(t, again.Comments[0].Deleted)
	assert.Equal(t, "c3", again.Comments[3].SourceID)
}

func testCursors(t *testing.T, s store.Store, clock *Clock) {
	ctx := t.Context()
	c, err := s.Cursor(ctx, "f", store.SideSource)
	require.NoError(t, err)
	assert.Equal(t, &store.Cursor{Flow: "f", Side: store.SideSource}, c, "an unset cursor is zero")

	c.Value, c.Time = "page-2", clock.Now()
	require.NoError(t, s.SetCursor(ctx, c))
	assert.Equal(t, int64(1), c.Version)
	got, err := s.Cursor(ctx, "f", store.SideSource)
	require.NoError(t, err)
	assert.Equal(t, "page-2", got.Value)
	assert.True(t, got.Time.Equal(clock.Now()))
	assert.Equal(t, int64(1), got.Version)

	// The other side and other flows are separate.
	other, err := s.Cursor(ctx, "f", store.SideTarget)
	require.NoError(t, err)
	assert.Equal(t, int64(0), other.Version)
	other, err = s.Cursor(ctx, "g", store.SideSource)
	require.NoError(t, err)
	assert.Equal(t, int64(0), other.Version)

	// Compare-and-set.
	stale := *got
	got.Value = "page-3"
	require.NoError(t, s.SetCursor(ctx, got))
	stale.Value = "page-x"
	require.ErrorIs(t, s.SetCursor(ctx, &stale), store.ErrConflict)
	require.ErrorIs(t, s.SetCursor(ctx, &store.Cursor{Flow: "f", Side: store.SideSource}), store.ErrConflict)
	got, err = s.Cursor(ctx, "f", store.SideSource)
	require.NoError(t, err)
	assert.Equal(t, "page-3", got.Value)
	assert.Equal(t, int64(2), got.Version)

	require.Error(t, s.SetCursor(ctx, &store.Cursor{Flow: "f", Side: "middle"}))
	require.Error(t, s.SetCursor(ctx, &store.Cursor{Side: store.SideSource}))
}

func testLeases(t *testing.T, s store.Store, clock *Clock) {
	ctx := t.Context()
	a, err := s.AcquireLease(ctx, "k", "a", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, "k", a.Key)
	assert.Equal(t, "a", a.Owner)
	assert.True(t, a.Expires.Equal(clock.Now().Add(time.Minute)), "expires %v", a.Expires)

	_, err = s.AcquireLease(ctx, "k", "b", time.Minute)
	require.ErrorIs(t, err, store.ErrLeaseHeld)
	var held *store.LeaseHeldError
	require.ErrorAs(t, err, &held, "the refusal says who holds the lease until when")
	assert.Equal(t, "a", held.Owner)
	assert.True(t, held.Expires.Equal(a.Expires), "expires %v, want %v", held.Expires, a.Expires)

	// The same owner (an engine restarted under its stable name) takes the
	// lease again at once; what its predecessor held is lost.
	again, err := s.AcquireLease(ctx, "k", "a", time.Minute)
	require.NoError(t, err, "the same owner reclaims its lease")
	assert.Greater(t, again.Token, a.Token)
	require.ErrorIs(t, s.RenewLease(ctx, a, time.Minute), store.ErrLeaseLost, "the predecessor's lease is lost")
	a = again
	other, err := s.AcquireLease(ctx, "k2", "b", time.Minute)
	require.NoError(t, err, "keys are separate")

	clock.Advance(30 * time.Second)
	require.NoError(t, s.RenewLease(ctx, a, time.Minute))
	assert.True(t, a.Expires.Equal(clock.Now().Add(time.Minute)))
	clock.Advance(45 * time.Second) // past the first expiry, within the renewed one
	_, err = s.AcquireLease(ctx, "k", "b", time.Minute)
	require.ErrorIs(t, err, store.ErrLeaseHeld, "renewal extended the lease")

	forged := *a
	forged.Owner = "b"
	require.ErrorIs(t, s.RenewLease(ctx, &forged, time.Minute), store.ErrLeaseLost)
	require.ErrorIs(t, s.ReleaseLease(ctx, &forged), store.ErrLeaseLost)

	require.NoError(t, s.ReleaseLease(ctx, a))
	err = s.ReleaseLease(ctx, a)
	require.ErrorIs(t, err, store.ErrLeaseLost, "released twice")
	require.ErrorIs(t, err, store.ErrConflict)
	require.ErrorIs(t, s.RenewLease(ctx, a, time.Minute), store.ErrLeaseLost)

	b, err := s.AcquireLease(ctx, "k", "b", time.Minute)
	require.NoError(t, err, "a released lease is free at once")
	assert.Greater(t, b.Token, a.Token, "tokens grow")
	require.NoError(t, s.ReleaseLease(ctx, other))

	for _, tt := range []struct {
		key, owner string
		ttl        time.Duration
	}{{"", "a", time.Minute}, {"k3", "", time.Minute}, {"k3", "a", 0}} {
		_, err := s.AcquireLease(ctx, tt.key, tt.owner, tt.ttl)
		require.Error(t, err)
		assert.NotErrorIs(t, err, store.ErrLeaseHeld)
	}
}

func testLeaseTakeover(t *testing.T, s store.Store, clock *Clock) {
	ctx := t.Context()
	a, err := s.AcquireLease(ctx, "k", "a", time.Minute)
	require.NoError(t, err)
	clock.Advance(time.Minute - time.Microsecond)
	_, err = s.AcquireLease(ctx, "k", "b", time.Minute)
	require.ErrorIs(t, err, store.ErrLeaseHeld, "not yet expired")

	clock.Advance(time.Microsecond)
	b, err := s.AcquireLease(ctx, "k", "b", time.Minute)
	require.NoError(t, err, "expired leases can be taken over")
	assert.Greater(t, b.Token, a.Token)
	require.ErrorIs(t, s.RenewLease(ctx, a, time.Minute), store.ErrLeaseLost, "the old holder lost it")
	require.ErrorIs(t, s.ReleaseLease(ctx, a), store.ErrLeaseLost)
	_, err = s.AcquireLease(ctx, "k", "a", time.Minute)
	require.ErrorIs(t, err, store.ErrLeaseHeld, "the new holder keeps it")

	// An expired lease nobody took is still its holder's to renew: nobody
	// else held it in between.
	clock.Advance(2 * time.Minute)
	require.NoError(t, s.RenewLease(ctx, b, time.Minute))
	_, err = s.AcquireLease(ctx, "k", "a", time.Minute)
	require.ErrorIs(t, err, store.ErrLeaseHeld)
}

func testEvents(t *testing.T, s store.Store, clock *Clock) {
	ctx := t.Context()
	old := clock.Now()
	e1 := &store.Event{Flow: "f", Kind: "created", Source: ref("extrahop", "1"), Target: ref("jira", "SEC-1"),
		Message: "created SEC-1", Attrs: map[string]string{"fields": "summary,priority"}}
	e2 := &store.Event{Flow: "g", Kind: "skipped", Message: "filtered out"}
	require.NoError(t, s.AppendEvents(ctx, e1, e2))
	assert.Greater(t, e2.Seq, e1.Seq)
	assert.True(t, e1.Time.Equal(old), "time set from the clock")

	clock.Advance(time.Hour)
	e3 := &store.Event{Flow: "f", Kind: "failed", Message: "boom", Time: clock.Now().Add(-time.Minute)}
	require.NoError(t, s.AppendEvents(ctx, e3))
	assert.Greater(t, e3.Seq, e2.Seq)
	assert.True(t, e3.Time.Equal(clock.Now().Add(-time.Minute)), "a given time is kept")

	all, err := s.ListEvents(ctx, "", 0, 0)
	require.NoError(t, err)
	require.Len(t, all, 3)
	assertEvent(t, e1, all[0])
	assertEvent(t, e2, all[1])
	assertEvent(t, e3, all[2])

	f, err := s.ListEvents(ctx, "f", 0, 0)
	require.NoError(t, err)
	require.Len(t, f, 2)
	assert.Equal(t, []int64{e1.Seq, e3.Seq}, []int64{f[0].Seq, f[1].Seq})
	f, err = s.ListEvents(ctx, "f", e1.Seq, 0)
	require.NoError(t, err)
	require.Len(t, f, 1)
	assert.Equal(t, e3.Seq, f[0].Seq)
	lim, err := s.ListEvents(ctx, "", 0, 2)
	require.NoError(t, err)
	require.Len(t, lim, 2)
	assert.Equal(t, e2.Seq, lim[1].Seq)

	n, err := s.PruneEvents(ctx, old.Add(time.Second))
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
	all, err = s.ListEvents(ctx, "", 0, 0)
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, e3.Seq, all[0].Seq)

	// Sequence numbers are never reused after pruning.
	e4 := &store.Event{Flow: "f", Kind: "updated"}
	require.NoError(t, s.AppendEvents(ctx, e4))
	assert.Greater(t, e4.Seq, e3.Seq)
}

const racers = 50

// race runs fn in racers goroutines released at once and returns their
// errors.
func race(fn func(i int) error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// countWins checks that every error is nil or matches lose and returns
// the number of nils.
func countWins(t *testing.T, errs []error, lose error) int {
	t.Helper()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		require.ErrorIs(t, err, lose)
	}
	return wins
}

func testRaceInsert(t *testing.T, s store.Store, _ *Clock) {
	ctx := t.Context()
	errs := race(func(i int) error {
		l := newLink("f", "1")
		l.Attempts = i
		return s.PutLink(ctx, l)
	})
	assert.Equal(t, 1, countWins(t, errs, store.ErrConflict), "exactly one insert wins")
	got, err := s.GetLink(ctx, "f", ref("extrahop", "1"))
	require.NoError(t, err)
	assert.Nil(t, errs[got.Attempts], "the stored link is the winner's")
	assert.Equal(t, int64(1), got.Version)
}

func testRaceLease(t *testing.T, s store.Store, _ *Clock) {
	ctx := t.Context()
	errs := race(func(i int) error {
		_, err := s.AcquireLease(ctx, "k", "owner-"+strconv.Itoa(i), time.Minute)
		return err
	})
	assert.Equal(t, 1, countWins(t, errs, store.ErrLeaseHeld), "exactly one holder")
}

func testRaceCAS(t *testing.T, s store.Store, _ *Clock) {
	ctx := t.Context()
	require.NoError(t, s.PutLink(ctx, newLink("f", "1")))
	var conflicts atomic.Int64
	errs := race(func(int) error {
		for {
			l, err := s.GetLink(ctx, "f", ref("extrahop", "1"))
			if err != nil {
				return err
			}
			n, _ := strconv.Atoi(l.FieldHashes["counter"])
			l.FieldHashes["counter"] = strconv.Itoa(n + 1)
			err = s.PutLink(ctx, l)
			if !errors.Is(err, store.ErrConflict) {
				return err
			}
			conflicts.Add(1)
		}
	})
	assert.Equal(t, racers, countWins(t, errs, nil))
	got, err := s.GetLink(ctx, "f", ref("extrahop", "1"))
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(racers), got.FieldHashes["counter"], "no increment lost (%d conflicts retried)", conflicts.Load())
	assert.Equal(t, int64(racers+1), got.Version)
}

// assertLink checks that got is the stored form of want.
func assertLink(t *testing.T, want, got *store.Link) {
	t.Helper()
	w, g := want.Clone(), got.Clone()
	assert.True(t, w.Created.Equal(g.Created), "created: want %v, got %v", w.Created, g.Created)
	assert.True(t, w.Updated.Equal(g.Updated), "updated: want %v, got %v", w.Updated, g.Updated)
	w.Created, w.Updated, g.Created, g.Updated = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	normalizeComments(w.Comments)
	normalizeComments(g.Comments)
	assert.Equal(t, w, g)
}

func normalizeComments(cs []store.CommentLink) {
	for i := range cs {
		if cs[i].DeletedAt.IsZero() {
			cs[i].DeletedAt = time.Time{}
		} else {
			cs[i].DeletedAt = cs[i].DeletedAt.UTC()
		}
	}
}

func assertEvent(t *testing.T, want, got *store.Event) {
	t.Helper()
	assert.True(t, want.Time.Equal(got.Time), "time: want %v, got %v", want.Time, got.Time)
	w, g := want.Clone(), got.Clone()
	w.Time, g.Time = time.Time{}, time.Time{}
	assert.Equal(t, w, g)
}
