// Package memory is a [store.Store] kept in the process's memory: for tests
// and for single-process runs whose state may be lost on exit.
package memory

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock used for timestamps and lease expiry
// (time.Now by default).
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// Store is an in-memory [store.Store]. Records are copied in and out, so
// callers never share memory with it. The zero value is not usable; call
// [New].
type Store struct {
	now func() time.Time

	mu      sync.Mutex
	links   map[linkKey]*store.Link
	targets map[linkKey]tracker.Ref // (flow, target) → source
	cursors map[cursorKey]*store.Cursor
	leases  map[string]*store.Lease // released leases stay, to keep their token
	events  []*store.Event
	seq     int64
}

type linkKey struct {
	flow string
	ref  tracker.Ref
}

type cursorKey struct {
	flow string
	side store.Side
}

var _ store.Store = (*Store)(nil)

// New returns an empty Store.
func New(opts ...Option) *Store {
	s := &Store{
		now:     time.Now,
		links:   make(map[linkKey]*store.Link),
		targets: make(map[linkKey]tracker.Ref),
		cursors: make(map[cursorKey]*store.Cursor),
		leases:  make(map[string]*store.Lease),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// GetLink implements [store.Store].
func (s *Store) GetLink(ctx context.Context, flow string, source tracker.Ref) (*store.Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.links[linkKey{flow, source}]
	if !ok {
		return nil, store.ErrNotFound
	}
	return l.Clone(), nil
}

// GetLinkByTarget implements [store.Store].
func (s *Store) GetLinkByTarget(ctx context.Context, flow string, target tracker.Ref) (*store.Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, ok := s.targets[linkKey{flow, target}]
	if !ok || target.IsZero() {
		return nil, store.ErrNotFound
	}
	return s.links[linkKey{flow, src}].Clone(), nil
}

// PutLink implements [store.Store].
func (s *Store) PutLink(ctx context.Context, link *store.Link) error {
	return s.PutLinks(ctx, link)
}

// PutLinks implements [store.Store].
func (s *Store) PutLinks(ctx context.Context, links ...*store.Link) error {
	for _, l := range links {
		if err := l.Validate(); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	// Check everything against the state as it would be after each write,
	// then write: a batch that touches one link twice must conflict.
	staged := make(map[linkKey]*store.Link, len(links))
	stagedTargets := make(map[linkKey]tracker.Ref)
	for _, l := range links {
		k := linkKey{l.Flow, l.Source}
		cur, ok := staged[k]
		if !ok {
			cur = s.links[k]
		}
		switch {
		case cur == nil && l.Version != 0,
			cur != nil && cur.Version != l.Version:
			return store.ErrConflict
		}
		next := l.Clone()
		next.Version = l.Version + 1
		next.Updated = now
		next.Created = now
		if cur != nil {
			next.Created = cur.Created
		}
		if cur != nil && !cur.Target.IsZero() && cur.Target != next.Target {
			stagedTargets[linkKey{l.Flow, cur.Target}] = tracker.Ref{} // freed
		}
		if !next.Target.IsZero() {
			tk := linkKey{l.Flow, next.Target}
			owner, staged := stagedTargets[tk]
			if !staged {
				owner = s.targets[tk]
			}
			if !owner.IsZero() && owner != l.Source {
				return store.ErrConflict
			}
			stagedTargets[tk] = l.Source
		}
		staged[k] = next
	}
	for k, next := range staged {
		if old := s.links[k]; old != nil && !old.Target.IsZero() {
			delete(s.targets, linkKey{k.flow, old.Target})
		}
		s.links[k] = next
	}
	for k, next := range staged {
		if !next.Target.IsZero() {
			s.targets[linkKey{k.flow, next.Target}] = next.Source
		}
	}
	for _, l := range links {
		next := staged[linkKey{l.Flow, l.Source}]
		l.Created, l.Updated = next.Created, next.Updated
		l.Version++
	}
	return nil
}

// DeleteLink implements [store.Store].
func (s *Store) DeleteLink(ctx context.Context, link *store.Link) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := linkKey{link.Flow, link.Source}
	cur, ok := s.links[k]
	switch {
	case !ok:
		return store.ErrNotFound
	case cur.Version != link.Version:
		return store.ErrConflict
	}
	delete(s.links, k)
	if !cur.Target.IsZero() {
		delete(s.targets, linkKey{link.Flow, cur.Target})
	}
	return nil
}

// ListLinks implements [store.Store].
func (s *Store) ListLinks(ctx context.Context, flow string, filter store.Filter) iter.Seq2[*store.Link, error] {
	return func(yield func(*store.Link, error) bool) {
		s.mu.Lock()
		var found []*store.Link
		for k, l := range s.links {
			if k.flow == flow && filter.Match(l) {
				found = append(found, l.Clone())
			}
		}
		s.mu.Unlock()
		slices.SortFunc(found, func(a, b *store.Link) int {
			return cmp.Or(cmp.Compare(a.Source.Tracker, b.Source.Tracker), cmp.Compare(a.Source.ID, b.Source.ID))
		})
		for _, l := range found {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			if !yield(l, nil) {
				return
			}
		}
	}
}

// Cursor implements [store.Store].
func (s *Store) Cursor(ctx context.Context, flow string, side store.Side) (*store.Cursor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cursors[cursorKey{flow, side}]; ok {
		cc := *c
		return &cc, nil
	}
	return &store.Cursor{Flow: flow, Side: side}, nil
}

// SetCursor implements [store.Store].
func (s *Store) SetCursor(ctx context.Context, c *store.Cursor) error {
	if err := c.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := cursorKey{c.Flow, c.Side}
	cur, ok := s.cursors[k]
	if (!ok && c.Version != 0) || (ok && cur.Version != c.Version) {
		return store.ErrConflict
	}
	c.Version++
	cc := *c
	s.cursors[k] = &cc
	return nil
}

// AcquireLease implements [store.Store].
func (s *Store) AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (*store.Lease, error) {
	if err := store.CheckLease(key, owner, ttl); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var token int64
	if cur, ok := s.leases[key]; ok {
		if cur.Owner != "" && cur.Owner != owner && now.Before(cur.Expires) {
			return nil, &store.LeaseHeldError{Key: key, Owner: cur.Owner, Expires: cur.Expires}
		}
		token = cur.Token
	}
	l := &store.Lease{Key: key, Owner: owner, Token: token + 1, Expires: now.Add(ttl)}
	cl := *l
	s.leases[key] = &cl
	return l, nil
}

// RenewLease implements [store.Store].
func (s *Store) RenewLease(ctx context.Context, l *store.Lease, ttl time.Duration) error {
	if err := store.CheckLease(l.Key, l.Owner, ttl); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.heldLease(l)
	if err != nil {
		return err
	}
	cur.Expires = s.now().Add(ttl)
	l.Expires = cur.Expires
	return nil
}

// ReleaseLease implements [store.Store].
func (s *Store) ReleaseLease(ctx context.Context, l *store.Lease) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.heldLease(l)
	if err != nil {
		return err
	}
	cur.Owner, cur.Expires = "", time.Time{}
	return nil
}

// heldLease returns the stored lease if l is still it.
func (s *Store) heldLease(l *store.Lease) (*store.Lease, error) {
	cur, ok := s.leases[l.Key]
	if !ok || cur.Owner == "" || cur.Owner != l.Owner || cur.Token != l.Token {
		return nil, store.ErrLeaseLost
	}
	return cur, nil
}

// AppendEvents implements [store.Store].
func (s *Store) AppendEvents(ctx context.Context, events ...*store.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, e := range events {
		s.seq++
		e.Seq = s.seq
		if e.Time.IsZero() {
			e.Time = now
		}
		s.events = append(s.events, e.Clone())
	}
	return nil
}

// ListEvents implements [store.Store].
func (s *Store) ListEvents(ctx context.Context, flow string, after int64, limit int) ([]*store.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, _ := slices.BinarySearchFunc(s.events, after+1, func(e *store.Event, seq int64) int { return cmp.Compare(e.Seq, seq) })
	var out []*store.Event
	for _, e := range s.events[i:] {
		if limit > 0 && len(out) == limit {
			break
		}
		if flow == "" || e.Flow == flow {
			out = append(out, e.Clone())
		}
	}
	return out, nil
}

// PruneEvents implements [store.Store].
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.events)
	s.events = slices.DeleteFunc(s.events, func(e *store.Event) bool { return e.Time.Before(before) })
	return int64(n - len(s.events)), nil
}

// Close implements [store.Store]; it does nothing.
func (s *Store) Close() error { return nil }
