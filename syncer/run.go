package syncer

import (
	"context"
	"errors"
	"fmt"
	"iter"
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
// complete: each pending link adopts the ticket carrying its marker, or,
// when there is none and the source can be read, the ticket is created.
// RunOnce calls it first; hosts that only Push may call it at start-up.
func (f *Flow) ResolvePending(ctx context.Context) (*Report, error) {
	notParked := false
	var items []*tracker.Issue
	var orphans []*store.Link
	for link, err := range f.cfg.Store.ListLinks(ctx, f.cfg.Name, store.Filter{State: store.StatePending, Parked: &notParked}) {
		if err != nil {
			return &Report{Flow: f.cfg.Name, Err: err}, err
		}
		if f.cfg.Source == nil {
			orphans = append(orphans, link)
			continue
		}
		it, err := f.cfg.Source.GetIssue(ctx, link.Source.ID)
		if errors.Is(err, tracker.ErrNotFound) {
			orphans = append(orphans, link)
			continue
		}
		if err != nil {
			return &Report{Flow: f.cfg.Name, Err: err}, fmt.Errorf("syncer: flow %q: reading pending item %s: %w", f.cfg.Name, link.Source, err)
		}
		items = append(items, it)
	}
	rep := &Report{Flow: f.cfg.Name}
	if len(items) > 0 {
		r, err := f.Push(ctx, items...)
		rep.merge(r)
		if err != nil {
			return rep, err
		}
	}
	// Pending links whose item cannot be read can still adopt their
	// ticket, under the item's lease like any other change.
	if f.finder != nil {
		for _, link := range orphans {
			if err := f.adoptOrphan(ctx, link, rep); err != nil {
				return rep, err
			}
		}
	}
	return rep, nil
}

// adoptOrphan links a pending link whose source item is gone (or was
// handed in by the host) to the ticket carrying its marker, if there is
// one. An orphan without a ticket stays pending until its item is pushed
// again.
func (f *Flow) adoptOrphan(ctx context.Context, link *store.Link, rep *Report) error {
	l, err := f.cfg.Store.AcquireLease(ctx, f.leaseKey(link.Source), f.cfg.Owner, f.cfg.LeaseTTL)
	if errors.Is(err, store.ErrLeaseHeld) {
		rep.add(Outcome{Source: link.Source, Action: ActionResolve, Result: EventSkipped, Reason: ReasonLeased})
		return nil
	}
	if err != nil {
		return fmt.Errorf("syncer: flow %q: lease for pending %s: %w", f.cfg.Name, link.Source, err)
	}
	defer f.release(l)
	cur, err := f.getLink(ctx, link.Source)
	if err != nil || cur == nil || cur.State != store.StatePending {
		return err // gone or resolved meanwhile
	}
	found, err := f.finder.FindByMarker(ctx, cur.CorrelationKey)
	if err != nil {
		return fmt.Errorf("syncer: flow %q: finding marker %s: %w", f.cfg.Name, cur.CorrelationKey, err)
	}
	if len(found) == 0 {
		return nil
	}
	cur.State, cur.Target = store.StateLinked, tracker.Ref{Tracker: f.targetKind, ID: found[0].ID}
	if err := f.cfg.Store.PutLink(ctx, cur); err != nil {
		return fmt.Errorf("syncer: flow %q: adopting %s: %w", f.cfg.Name, found[0].Key, err)
	}
	rep.add(Outcome{Source: cur.Source, Action: ActionResolve, Result: EventAdopted, Target: cur.Target, Key: found[0].Key})
	return nil
}

// PushTarget handles tickets changed on the target, as a webhook reports
// them: for each linked one, the back-mapped state is written onto the
// source when it differs from what was last written (so a webhook for the
// engine's own change writes nothing). Tickets that no link of the flow
// knows are not the flow's and are ignored. RunOnce calls it for the
// tickets its target poll finds; webhooks and polling share this path.
func (f *Flow) PushTarget(ctx context.Context, tickets ...*tracker.Issue) (*Report, error) {
	r := &run{f: f, total: len(tickets), report: &Report{Flow: f.cfg.Name}}
	defer r.flushAudit()
	if f.srcUpdate == nil {
		err := fmt.Errorf("syncer: flow %q: source %s cannot be written back to: %w", f.cfg.Name, f.sourceKind, tracker.ErrUnsupported)
		r.report.Err = err
		return r.report, err
	}
	for _, t := range tickets {
		ref := tracker.Ref{Tracker: f.targetKind, ID: t.ID}
		link, err := f.cfg.Store.GetLinkByTarget(ctx, f.cfg.Name, ref)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			r.report.Err = err
			return r.report, err
		}
		d := &Decision{Source: link.Source, Target: ref, Action: ActionUpdate, Item: &tracker.Issue{ID: link.Source.ID}}
		l, ok := f.lease(ctx, r, d)
		if !ok {
			continue
		}
		link, err = f.cfg.Store.GetLink(ctx, f.cfg.Name, link.Source)
		if err != nil {
			f.release(l)
			r.finish(d, Event{Kind: EventFailed, Reason: "reading link", Err: err})
			continue
		}
		f.noteTargetState(link, t)
		wrote, err := f.writeBack(ctx, r, d, link, t, false)
		if perr := f.cfg.Store.PutLink(ctx, link); perr != nil {
			err = errors.Join(err, fmt.Errorf("storing link: %w", perr))
		}
		switch {
		case err != nil:
			// Failed: the target cursor stays, so the ticket is seen again.
			r.finish(d, Event{Kind: EventFailed, Reason: "writing back", Err: err})
		case len(wrote) > 0:
			r.finish(d, Event{Kind: EventWroteBack, Fields: wrote})
		default:
			r.finish(d, Event{Kind: EventSkipped, Reason: ReasonUnchanged})
		}
		f.release(l)
	}
	return r.report, r.report.Err
}

// noteTargetState remembers whether the ticket is done, for the
// recurrence policy.
func (f *Flow) noteTargetState(link *store.Link, t *tracker.Issue) {
	if t.StatusCategory == tracker.CategoryDone {
		if link.FieldHashes[keyTargetDoneAt] == "" {
			link.FieldHashes = setHash(link.FieldHashes, keyTargetDoneAt, t.Updated.UTC().Format(time.RFC3339Nano))
		}
		link.FieldHashes = setHash(link.FieldHashes, keyTargetResolve, t.Resolution)
		return
	}
	delete(link.FieldHashes, keyTargetDoneAt)
	delete(link.FieldHashes, keyTargetResolve)
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
