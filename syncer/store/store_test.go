package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

func TestSentinels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		is   []error
		isnt []error
	}{
		{store.ErrNotFound, []error{tracker.ErrNotFound}, []error{tracker.ErrConflict, store.ErrConflict}},
		{store.ErrConflict, []error{tracker.ErrConflict}, []error{tracker.ErrNotFound, store.ErrLeaseLost}},
		{store.ErrLeaseLost, []error{store.ErrConflict, tracker.ErrConflict}, []error{store.ErrLeaseHeld}},
		{store.ErrLeaseHeld, nil, []error{store.ErrConflict, tracker.ErrConflict, store.ErrLeaseLost}},
	}
	for _, tt := range tests {
		for _, target := range tt.is {
			assert.ErrorIs(t, tt.err, target)
		}
		for _, target := range tt.isnt {
			assert.False(t, errors.Is(tt.err, target), "%v is not %v", tt.err, target)
		}
	}
}

func TestLinkValidate(t *testing.T) {
	t.Parallel()
	valid := func() *store.Link {
		return &store.Link{Flow: "f", Source: tracker.Ref{Tracker: "extrahop", ID: "1"}, State: store.StatePending}
	}
	tests := []struct {
		name   string
		mutate func(*store.Link)
		want   string
	}{
		{"pending", func(*store.Link) {}, ""},
		{"linked", func(l *store.Link) { l.State, l.Target = store.StateLinked, tracker.Ref{Tracker: "jira", ID: "S-1"} }, ""},
		{"closed without target", func(l *store.Link) { l.State = store.StateClosed }, ""},
		{"no flow", func(l *store.Link) { l.Flow = "" }, "no flow"},
		{"no source", func(l *store.Link) { l.Source = tracker.Ref{} }, "incomplete source"},
		{"bad state", func(l *store.Link) { l.State = "" }, "invalid state"},
		{"linked without target", func(l *store.Link) { l.State = store.StateLinked }, "has no target"},
		{"negative version", func(l *store.Link) { l.Version = -2 }, "negative version"},
	}
	for _, tt := range tests {
		l := valid()
		tt.mutate(l)
		err := l.Validate()
		if tt.want == "" {
			assert.NoError(t, err, tt.name)
		} else {
			assert.ErrorContains(t, err, tt.want, tt.name)
		}
	}
	var nilLink *store.Link
	assert.Error(t, nilLink.Validate())
}

func TestLinkClone(t *testing.T) {
	t.Parallel()
	l := &store.Link{
		FieldHashes: map[string]string{"a": "1"},
		Comments:    []store.CommentLink{{SourceID: "c1"}},
	}
	c := l.Clone()
	c.FieldHashes["a"] = "2"
	c.Comments[0].SourceID = "c2"
	assert.Equal(t, "1", l.FieldHashes["a"])
	assert.Equal(t, "c1", l.Comments[0].SourceID)

	empty := (&store.Link{Comments: []store.CommentLink{}}).Clone()
	assert.NotNil(t, empty.FieldHashes)
	assert.Nil(t, empty.Comments)
}

func TestFilterMatch(t *testing.T) {
	t.Parallel()
	l := &store.Link{State: store.StatePending, Parked: true}
	assert.True(t, store.Filter{}.Match(l))
	assert.True(t, store.Filter{State: store.StatePending, Parked: tracker.Ptr(true)}.Match(l))
	assert.False(t, store.Filter{State: store.StateLinked}.Match(l))
	assert.False(t, store.Filter{Parked: tracker.Ptr(false)}.Match(l))
}

func TestCursorAndLeaseChecks(t *testing.T) {
	t.Parallel()
	assert.NoError(t, (&store.Cursor{Flow: "f", Side: store.SideTarget}).Validate())
	assert.ErrorContains(t, (&store.Cursor{Side: store.SideTarget}).Validate(), "no flow")
	assert.ErrorContains(t, (&store.Cursor{Flow: "f", Side: "up"}).Validate(), "invalid side")
	assert.ErrorContains(t, (&store.Cursor{Flow: "f", Side: store.SideSource, Version: -1}).Validate(), "negative")
	var nilCursor *store.Cursor
	assert.Error(t, nilCursor.Validate())

	assert.NoError(t, store.CheckLease("k", "o", time.Second))
	assert.ErrorContains(t, store.CheckLease("", "o", time.Second), "no key")
	assert.ErrorContains(t, store.CheckLease("k", "", time.Second), "no owner")
	assert.ErrorContains(t, store.CheckLease("k", "o", 0), "ttl")
}

func TestEventClone(t *testing.T) {
	t.Parallel()
	e := &store.Event{Attrs: map[string]string{"a": "1"}}
	c := e.Clone()
	c.Attrs["a"] = "2"
	assert.Equal(t, "1", e.Attrs["a"])
	assert.Nil(t, (&store.Event{Attrs: map[string]string{}}).Clone().Attrs)
}
