package syncer

import (
	"context"
	"fmt"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// This file holds the entries a job queue needs to run a flow across
// replicas (package syncer/riversync): read what changed since a cursor
// without applying it, and move the cursor once the items are handed on.
// Applying goes through [Flow.Handle] as for webhook events.

// Batch is one batch of items changed on one side of a flow since its
// cursor, read by [Flow.ReadBatch] and not yet applied.
type Batch struct {
	// Side is the side the items come from.
	Side store.Side
	// Items are the changed items, oldest first as the search returned
	// them; items within the overlap come along.
	Items []*tracker.Issue
	// More is set when the batch is full: more changed items may follow.
	More bool

	cursor *store.Cursor
	newest time.Time
	last   time.Time // where the next batch's search starts
	reader *reader
}

// ReadBatch reads the next batch of items changed on side, without
// applying them: up to BatchSize items. With after nil it is the first read of a poll, which starts
// at the cursor less Config.Overlap as RunOnce does; with the batch read
// before, it goes on where that one stopped and hands on no item version
// twice. Hand the items on durably (to a job queue), then call
// [Flow.Advance]; read again, passing the batch, while Batch.More is set.
func (f *Flow) ReadBatch(ctx context.Context, side store.Side, after *Batch) (*Batch, error) {
	base, s := f.cfg.Query, f.srcSearch
	if side == store.SideTarget {
		if f.cfg.TargetQuery == nil {
			return nil, fmt.Errorf("syncer: flow %q: no TargetQuery: %w", f.cfg.Name, tracker.ErrUnsupported)
		}
		base, s = *f.cfg.TargetQuery, f.tgtSearch
	}
	if s == nil {
		return nil, fmt.Errorf("syncer: flow %q: %s lacks Searcher: %w", f.cfg.Name, side, tracker.ErrUnsupported)
	}
	if after != nil && after.Side != side {
		return nil, fmt.Errorf("syncer: flow %q: reading %s after a %s batch", f.cfg.Name, side, after.Side)
	}
	cur, err := f.cfg.Store.Cursor(ctx, f.cfg.Name, side)
	if err != nil {
		return nil, fmt.Errorf("syncer: flow %q: reading %s cursor: %w", f.cfg.Name, side, err)
	}
	if base.PageSize == 0 {
		base.PageSize = f.cfg.BatchSize
	}
	var r *reader
	var from time.Time
	switch {
	case after != nil && after.reader != nil:
		r, from = after.reader, after.last
	default:
		r = &reader{f: f, s: s, base: base, seen: map[string]time.Time{}}
		if !cur.Time.IsZero() {
			from = cur.Time.Add(-f.cfg.Overlap)
		}
	}
	pg := r.read(ctx, from, f.cfg.BatchSize)
	if pg.err != nil {
		return nil, fmt.Errorf("syncer: flow %q: polling %s: %w", f.cfg.Name, side, pg.err)
	}
	b := &Batch{Side: side, Items: pg.batch, More: pg.full, cursor: cur, newest: cur.Time, last: pg.last, reader: r}
	for _, it := range pg.batch {
		if it.Updated.After(b.newest) {
			b.newest = it.Updated
		}
	}
	return b, nil
}

// Advance moves the cursor of the batch's side past the batch. It never
// moves a cursor back, and re-reads it when another engine moved it
// meanwhile.
func (f *Flow) Advance(ctx context.Context, b *Batch) error {
	if b == nil || b.cursor == nil {
		return fmt.Errorf("syncer: flow %q: advance without a batch from ReadBatch", f.cfg.Name)
	}
	return f.advance(ctx, b.cursor, b.newest)
}

// Kinds returns the tracker kinds of the flow's source and target, as refs
// and events name them.
func (f *Flow) Kinds() (source, target string) { return f.sourceKind, f.targetKind }

// PollsTarget reports whether the flow polls its target for write-back
// (Config.TargetQuery is set).
func (f *Flow) PollsTarget() bool { return f.cfg.TargetQuery != nil && f.tgtSearch != nil }
