package syncer

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// RunOnce polls the source for items changed since the cursor (less the
// overlap), syncs them, and advances the cursor past them only when the
// batch applied cleanly. It first resolves links left pending by an
// interrupted run, and afterwards polls the target for write-back when
// TargetQuery is set.
func (f *Flow) RunOnce(ctx context.Context) (*Report, error) {
	total := &Report{Flow: f.cfg.Name}
	if f.srcSearch == nil {
		err := fmt.Errorf("syncer: flow %q: source %s lacks Searcher; use Push: %w", f.cfg.Name, f.sourceKind, tracker.ErrUnsupported)
		total.Err = err
		return total, err
	}
	if err := f.breakerErr(); err != nil {
		total.Err = err
		return total, err
	}
	rep, err := f.ResolvePending(ctx)
	total.merge(rep)
	if err != nil {
		return total, err
	}
	rep, err = f.poll(ctx, f.cfg.Query, store.SideSource, f.srcSearch, f.Push)
	total.merge(rep)
	if err != nil {
		return total, err
	}
	if f.cfg.TargetQuery != nil {
		rep, err := f.poll(ctx, *f.cfg.TargetQuery, store.SideTarget, f.tgtSearch, f.PushTarget)
		total.merge(rep)
		if err != nil {
			return total, err
		}
	}
	return total, total.Err
}

// Run calls RunOnce every interval until ctx is done. A failed run is
// reported to the observer and retried at the next tick; Run returns only
// ctx's error.
func (f *Flow) Run(ctx context.Context, interval time.Duration) error {
	for {
		if _, err := f.RunOnce(ctx); err != nil && ctx.Err() == nil {
			f.cfg.Observer.Observe(Event{Flow: f.cfg.Name, Kind: EventFailed, Reason: "run", Err: err, Time: f.cfg.Now()})
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-f.cfg.Sleep(interval):
		}
	}
}

// poll reads one side from its cursor in rounds. Each round is a fresh
// search that takes one batch, applies it and moves the cursor past it. A
// fresh search per round matters: the engine's own writes (a write-back
// bumping a detection's mod_time) reorder what an offset-paged search
// returns, so one long search would skip items while the cursor moved past
// them. Items the engine touched come back after the cursor as echoes and
// are skipped as unchanged.
//
// Only the first round looks back by the overlap, to catch items updated
// while the previous run read; later rounds start at the cursor. Item
// versions already handled in this poll are not handed on again, and only
// items newer than the cursor count towards a batch, so every round moves
// the cursor however many items share the overlap window.
//
// An unclean round (a failure, an item deferred to another engine's lease)
// ends the poll without moving the cursor past it, so nothing is skipped.
func (f *Flow) poll(ctx context.Context, base tracker.Query, side store.Side, s tracker.Searcher, apply func(context.Context, ...*tracker.Issue) (*Report, error)) (*Report, error) {
	total := &Report{Flow: f.cfg.Name}
	cur, err := f.cfg.Store.Cursor(ctx, f.cfg.Name, side)
	if err != nil {
		total.Err = fmt.Errorf("syncer: flow %q: reading %s cursor: %w", f.cfg.Name, side, err)
		return total, total.Err
	}
	seen := map[string]time.Time{} // item id → the version handled
	for round := 0; ; round++ {
		q := base
		if !cur.Time.IsZero() {
			q.UpdatedSince = cur.Time
			if round == 0 {
				q.UpdatedSince = cur.Time.Add(-f.cfg.Overlap)
			}
		}
		if q.PageSize == 0 {
			q.PageSize = f.cfg.BatchSize
		}
		batch, fresh, err := f.readBatch(ctx, s, q, cur.Time, seen)
		if err != nil {
			total.Err = fmt.Errorf("syncer: flow %q: polling %s: %w", f.cfg.Name, side, err)
			return total, total.Err
		}
		if len(batch) > 0 {
			rep, err := apply(ctx, batch...)
			total.merge(rep)
			if err != nil {
				return total, err
			}
			if !rep.Clean() {
				return total, nil
			}
			for _, it := range batch {
				seen[it.ID] = it.Updated
			}
		}
		newest := cur.Time
		for _, it := range batch {
			if it.Updated.After(newest) {
				newest = it.Updated
			}
		}
		if newest.After(cur.Time) {
			if err := f.advance(ctx, cur, newest); err != nil {
				total.Err = err
				return total, err
			}
		}
		// Fewer new items than a batch: the search reached its end.
		if fresh < f.cfg.BatchSize {
			return total, nil
		}
	}
}

// readBatch reads a search until it has BatchSize items newer than the
// cursor, plus any further items with the same update time as the last of
// them, so the cursor can move past a whole batch. Older items (the
// overlap) come along without counting; item versions in seen are left
// out. fresh is the number of items newer than the cursor.
func (f *Flow) readBatch(ctx context.Context, s tracker.Searcher, q tracker.Query, cursor time.Time, seen map[string]time.Time) (batch []*tracker.Issue, fresh int, err error) {
	var last time.Time
	for it, err := range s.SearchIssues(ctx, q) {
		if err != nil {
			return nil, 0, err
		}
		if v, ok := seen[it.ID]; ok && v.Equal(it.Updated) {
			continue
		}
		if !it.Updated.After(cursor) {
			batch = append(batch, it)
			continue
		}
		if fresh >= f.cfg.BatchSize && !it.Updated.Equal(last) {
			break
		}
		batch = append(batch, it)
		fresh++
		last = it.Updated
	}
	return batch, fresh, nil
}

// advance moves the cursor forward to t, re-reading it when another
// engine moved it meanwhile; it never moves a cursor back.
func (f *Flow) advance(ctx context.Context, cur *store.Cursor, t time.Time) error {
	for range 5 {
		if !t.After(cur.Time) {
			return nil
		}
		next := *cur
		next.Time = t
		err := f.cfg.Store.SetCursor(ctx, &next)
		if err == nil {
			*cur = next
			return nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("syncer: flow %q: moving %s cursor: %w", f.cfg.Name, cur.Side, err)
		}
		fresh, err := f.cfg.Store.Cursor(ctx, f.cfg.Name, cur.Side)
		if err != nil {
			return err
		}
		*cur = *fresh
	}
	return fmt.Errorf("syncer: flow %q: %s cursor keeps changing: %w", f.cfg.Name, cur.Side, store.ErrConflict)
}

// ResolvePending finishes creates that an earlier run began but did not
// complete (it crashed, or the create's answer was lost). Each pending
// link, under its item's lease, adopts the ticket carrying its marker;
// when there is none and the target's search has caught up, the ticket is
// created, reading the item from the source. Items held by another engine
// are deferred without being read. RunOnce calls it first; hosts that
// only Push may call it at start-up.
func (f *Flow) ResolvePending(ctx context.Context) (*Report, error) {
	notParked := false
	var pending []*store.Link
	for link, err := range f.cfg.Store.ListLinks(ctx, f.cfg.Name, store.Filter{State: store.StatePending, Parked: &notParked}) {
		if err != nil {
			return &Report{Flow: f.cfg.Name, Err: err}, err
		}
		if link.FieldHashes[keyUnmapped] != "" {
			continue // no create was sent: the item's next poll or push retries it
		}
		pending = append(pending, link)
	}
	r := f.newRun(len(pending))
	defer r.flushAudit()
	jobs := make(chan *store.Link)
	var wg sync.WaitGroup
	for range min(f.cfg.Concurrency, max(len(pending), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for link := range jobs {
				f.resolvePending(ctx, r, link)
			}
		}()
	}
	for _, link := range pending {
		jobs <- link
	}
	close(jobs)
	wg.Wait()
	if r.report.Err == nil {
		r.report.Err = ctx.Err()
	}
	return r.report, r.report.Err
}

// resolvePending resolves one pending link under its item's lease.
func (f *Flow) resolvePending(ctx context.Context, r *run, link *store.Link) {
	start := time.Now()
	d := &Decision{Source: link.Source, Action: ActionResolve}
	l, ok := f.lease(ctx, r, d)
	if !ok {
		return
	}
	defer f.release(l)
	ctx, stop := f.keep(ctx, l)
	defer stop()
	cur, err := f.getLink(ctx, link.Source)
	if err != nil {
		r.finish(d, Event{Kind: EventFailed, Reason: "reading link", Err: err})
		return
	}
	if cur == nil || cur.State != store.StatePending {
		r.finish(d, Event{Kind: EventSkipped, Reason: ReasonUnchanged})
		return
	}
	var found *tracker.Issue
	if f.finder != nil {
		if found, err = f.findMarker(ctx, r, d, cur); err != nil {
			f.failed(ctx, r, d, cur, "finding marker "+cur.CorrelationKey, err)
			return
		}
		if found == nil {
			if at := f.settleAt(cur); f.cfg.Now().Before(at) {
				r.deferUntil(d, at, fmt.Sprintf("a create sent by an earlier run may not show in the target's search until %s; resolved by marker %s then", at.UTC().Format(time.RFC3339), cur.CorrelationKey))
				return
			}
		}
	}
	// The item is read only now: to create its ticket, or to finish the
	// adopted one (status, write-back).
	var item *tracker.Issue
	if f.cfg.Source != nil {
		err := f.try(ctx, r, d, "read pending item", func() error {
			var err error
			item, err = f.cfg.Source.GetIssue(ctx, cur.Source.ID)
			return err
		})
		if err != nil && !errors.Is(err, tracker.ErrNotFound) {
			f.failed(ctx, r, d, cur, "reading pending item", err)
			return
		}
	}
	if item == nil {
		f.resolveOrphan(ctx, r, d, cur, found)
		return
	}
	d = f.decide(item, cur)
	if d.Action == ActionFail {
		f.mappingFailed(ctx, r, d, cur)
		return
	}
	f.resolveFound(ctx, r, d, cur, found, start)
}

// resolveOrphan handles a pending link whose item cannot be read (gone
// from the source, or handed in by the host): it adopts the ticket
// carrying the marker, if any, and otherwise waits for the item to be
// pushed again.
func (f *Flow) resolveOrphan(ctx context.Context, r *run, d *Decision, link *store.Link, found *tracker.Issue) {
	if found == nil {
		r.finish(d, Event{Kind: EventSkipped, Reason: ReasonAwaitingItem})
		return
	}
	link.State, link.Target = store.StateLinked, tracker.Ref{Tracker: f.targetKind, ID: found.ID}
	delete(link.FieldHashes, keyCreateSent)
	if err := f.cfg.Store.PutLink(ctx, link); err != nil {
		r.finish(d, Event{Kind: EventFailed, Reason: "adopting " + found.Key, Err: err})
		return
	}
	r.finish(d, Event{Kind: EventAdopted, Target: link.Target, Key: found.Key, URL: found.URL})
}

// Rescan moves the flow's cursors back to since, so that the next poll
// reads every item (and, with TargetQuery, every ticket) updated since then
// again: the way to re-evaluate items after a rule or mapping change. It
// changes nothing else; items already linked are decided as usual, so
// nothing is created twice.
func (f *Flow) Rescan(ctx context.Context, since time.Time) error {
	for _, side := range []store.Side{store.SideSource, store.SideTarget} {
		for range 5 {
			cur, err := f.cfg.Store.Cursor(ctx, f.cfg.Name, side)
			if err != nil {
				return fmt.Errorf("syncer: flow %q: reading %s cursor: %w", f.cfg.Name, side, err)
			}
			if !cur.Time.After(since) {
				break
			}
			cur.Time = since
			err = f.cfg.Store.SetCursor(ctx, cur)
			if err == nil {
				break
			}
			if !errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("syncer: flow %q: moving %s cursor back: %w", f.cfg.Name, side, err)
			}
		}
	}
	return nil
}

// Parked lists the flow's parked links: items that kept failing, with
// their last error.
func (f *Flow) Parked(ctx context.Context) iter.Seq2[*store.Link, error] {
	parked := true
	return f.cfg.Store.ListLinks(ctx, f.cfg.Name, store.Filter{Parked: &parked})
}

// Retry unparks a source item and, when the source can be read, syncs it at
// once. Items pushed by the host are synced when pushed again.
func (f *Flow) Retry(ctx context.Context, source tracker.Ref) (*Report, error) {
	link, err := f.cfg.Store.GetLink(ctx, f.cfg.Name, source)
	if err != nil {
		return nil, fmt.Errorf("syncer: flow %q: retry %s: %w", f.cfg.Name, source, err)
	}
	link.Parked, link.Attempts, link.LastError = false, 0, ""
	if err := f.cfg.Store.PutLink(ctx, link); err != nil {
		return nil, fmt.Errorf("syncer: flow %q: retry %s: %w", f.cfg.Name, source, err)
	}
	if f.cfg.Source == nil {
		return &Report{Flow: f.cfg.Name}, nil
	}
	it, err := f.cfg.Source.GetIssue(ctx, source.ID)
	if err != nil {
		return nil, fmt.Errorf("syncer: flow %q: retry %s: %w", f.cfg.Name, source, err)
	}
	return f.Push(ctx, it)
}
