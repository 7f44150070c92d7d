package syncer

import (
	"cmp"
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
	rep, err = f.poll(ctx, f.cfg.Query, store.SideSource, f.srcSearch)
	total.merge(rep)
	if err != nil {
		return total, err
	}
	if f.cfg.TargetQuery != nil {
		rep, err := f.poll(ctx, *f.cfg.TargetQuery, store.SideTarget, f.tgtSearch)
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
// search from where the last one stopped that takes one batch, applies it
// and moves the cursor past it. A fresh search per round matters: the
// engine's own writes (a write-back bumping a detection's mod_time)
// reorder what an offset-paged search returns, so one long search would
// skip items while the cursor moved past them. Items the engine touched
// come back after the cursor as echoes and are skipped as unchanged.
//
// The first round looks back by the overlap, to catch items updated while
// the previous run read. Every item counts towards a batch, the overlap's
// re-reads too, so a batch is never larger than BatchSize: memory does
// not grow with the number of items. Item versions already handled in this
// poll are not handed on again.
//
// Reading runs ahead of applying: while one batch is applied, the next
// waits read and the one after is being read. On the source side a batch
// starts while the one before finishes (see applySource).
//
// An unclean round (a failure, an item deferred to another engine's lease)
// ends the poll without moving the cursor past it, so nothing is skipped.
func (f *Flow) poll(ctx context.Context, base tracker.Query, side store.Side, s tracker.Searcher) (*Report, error) {
	total := &Report{Flow: f.cfg.Name}
	cur, err := f.cfg.Store.Cursor(ctx, f.cfg.Name, side)
	if err != nil {
		total.Err = fmt.Errorf("syncer: flow %q: reading %s cursor: %w", f.cfg.Name, side, err)
		return total, total.Err
	}
	if base.PageSize == 0 {
		base.PageSize = f.cfg.BatchSize
	}
	var from time.Time // where the first round's search starts
	if !cur.Time.IsZero() {
		from = cur.Time.Add(-f.cfg.Overlap)
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &reader{f: f, s: s, base: base, seen: map[string]time.Time{}}
	ahead := r.ahead(ctx, from)
	defer func() {
		cancel()
		for range ahead { // let the reader end
		}
	}()
	if side == store.SideSource {
		err = f.applySource(ctx, ahead, cur, total)
	} else {
		err = f.applyTarget(ctx, ahead, cur, total)
	}
	if err != nil && total.Err == nil {
		total.Err = err
	}
	return total, err
}

// batchRun is a source batch being applied: its items, and the runs
// applying them (two when some of its items waited for the batch before).
type batchRun struct {
	items []*tracker.Issue
	ids   map[string]bool
	runs  []*run
	// after is the newest update time of later batches that had nothing
	// to do (the echoes of the engine's own write-backs, mostly): decided
	// while this batch ran, they move the cursor once it is done. Only the
	// time is kept, so a pass over many such batches holds no items.
	after time.Time
}

// end returns where the cursor goes once b is done: past its items and
// the batches with nothing to do decided while it ran.
func (b *batchRun) end(cur time.Time) time.Time {
	t := newest(cur, b.items)
	if b.after.After(t) {
		t = b.after
	}
	return t
}

// applySource applies the batches a poll reads from the source. A batch
// starts while the one before finishes, on the same workers, so that its
// work fills the workers the last one's tail leaves idle. Items the batch
// before still holds wait for it and are planned once it is done, so no
// plan rests on a link that work in flight may change. A batch with
// nothing to do and no item waiting (the echoes of the engine's own
// write-backs at the end of a poll, mostly) is done as soon as it is
// decided, and the next is read at once rather than after the batch
// before finishes. The cursor moves past a batch only once it, and every
// batch before it, applied cleanly.
func (f *Flow) applySource(ctx context.Context, ahead <-chan page, cur *store.Cursor, total *Report) error {
	pl := newPool(f.cfg.Concurrency)
	defer pl.wait()
	// finish waits for b's runs, merges their reports, and reports
	// whether b applied cleanly.
	finish := func(b *batchRun) (bool, error) {
		if b == nil {
			return true, nil
		}
		clean := true
		var first error
		for _, r := range b.runs {
			rep, err := f.finishApply(ctx, r)
			total.merge(rep)
			if err != nil && first == nil {
				first = err
			}
			clean = clean && rep.Clean()
		}
		return clean && first == nil, first
	}
	var prev *batchRun
	for pg := range ahead {
		if pg.err != nil {
			_, _ = finish(prev)
			return fmt.Errorf("syncer: flow %q: polling %s: %w", f.cfg.Name, store.SideSource, pg.err)
		}
		b := &batchRun{items: pg.batch, ids: make(map[string]bool, len(pg.batch))}
		var now, held []*tracker.Issue
		for _, it := range pg.batch {
			b.ids[it.ID] = true
			if prev != nil && prev.ids[it.ID] {
				held = append(held, it)
			} else {
				now = append(now, it)
			}
		}
		if len(now) > 0 {
			p, err := f.Plan(ctx, now...)
			if err != nil {
				_, _ = finish(prev)
				return err
			}
			b.runs = append(b.runs, f.startApply(ctx, p, pl))
			if prev != nil && len(held) == 0 && p.Count(ActionSkip) == len(p.Decisions) {
				// Nothing to do and nothing waiting for prev: done already,
				// so read on while prev runs. Its items move the cursor
				// with prev's.
				clean, err := finish(b)
				if err == nil && clean {
					prev.after = newest(prev.after, b.items)
					continue
				}
				// A skip that leaves work (a parked item, say) ends the
				// poll here, as it would after prev.
				ok, perr := finish(prev)
				if perr == nil && ok {
					perr = f.advance(ctx, cur, prev.end(cur.Time))
				}
				return cmp.Or(err, perr)
			}
		}
		ok, err := finish(prev)
		if err != nil || !ok {
			_, _ = finish(b)
			return err
		}
		if prev != nil {
			if err := f.advance(ctx, cur, prev.end(cur.Time)); err != nil {
				_, _ = finish(b)
				return err
			}
		}
		if len(held) > 0 {
			p, err := f.Plan(ctx, held...)
			if err != nil {
				_, _ = finish(b)
				return err
			}
			b.runs = append(b.runs, f.startApply(ctx, p, pl))
		}
		prev = b
	}
	ok, err := finish(prev)
	if err != nil || !ok || prev == nil {
		return err
	}
	return f.advance(ctx, cur, prev.end(cur.Time))
}

// applyTarget applies the batches a poll reads from the target, one after
// another.
func (f *Flow) applyTarget(ctx context.Context, ahead <-chan page, cur *store.Cursor, total *Report) error {
	for pg := range ahead {
		if pg.err != nil {
			return fmt.Errorf("syncer: flow %q: polling %s: %w", f.cfg.Name, store.SideTarget, pg.err)
		}
		if len(pg.batch) > 0 {
			rep, err := f.PushTarget(ctx, pg.batch...)
			total.merge(rep)
			if err != nil || !rep.Clean() {
				return err
			}
		}
		if err := f.advance(ctx, cur, newest(cur.Time, pg.batch)); err != nil {
			return err
		}
	}
	return nil
}

// newest returns the latest of t and the items' update times.
func newest(t time.Time, items []*tracker.Issue) time.Time {
	for _, it := range items {
		if it.Updated.After(t) {
			t = it.Updated
		}
	}
	return t
}

// page is one round of a poll's reading.
type page struct {
	batch []*tracker.Issue
	full  bool      // the batch was cut: there may be more to read
	last  time.Time // the update time of the batch's last item
	err   error
}

// reader reads a poll's rounds. It remembers each item version it has
// handed on, so a round that starts where the last one stopped (search
// times can be coarser than item times) hands on nothing twice.
type reader struct {
	f    *Flow
	s    tracker.Searcher
	base tracker.Query
	seen map[string]time.Time // item id → version handed on; used by one read at a time
}

// ahead reads rounds from from, each starting where the last one stopped,
// and hands them on in order. It
// stays at most two batches ahead of the receiver: one waiting, one being
// read. The channel closes after a batch that is not full, an error, or
// when ctx ends.
//
// The first batch is small, four items per worker, so that work starts
// after a short read while the next, full batch is read and planned.
func (r *reader) ahead(ctx context.Context, from time.Time) <-chan page {
	out := make(chan page, 1)
	go func() {
		defer close(out)
		size := min(r.f.cfg.BatchSize, 4*r.f.cfg.Concurrency)
		for {
			pg := r.read(ctx, from, size)
			size = r.f.cfg.BatchSize
			select {
			case out <- pg:
			case <-ctx.Done():
				return
			}
			if pg.err != nil || !pg.full {
				return
			}
			from = pg.last
		}
	}()
	return out
}

// maxKeysetPage bounds the page a round asks a search for, unless the
// source reports its own (tracker.PageLimiter). See read.
const maxKeysetPage = 100

// keysetPage is the largest page a round asks s for: one request.
func keysetPage(s tracker.Searcher) int {
	if p, ok := s.(tracker.PageLimiter); ok && p.MaxPageSize() > 0 {
		return p.MaxPageSize()
	}
	return maxKeysetPage
}

// read reads a search from from until it has size items not handed on
// before. A full batch gives its last item, with any before it that share
// its update time, back to the next round (unless that is all of them):
// the next round starts at that time and reads them whole, so a round
// never reads a page only to look one item ahead for ties.
//
// Each page is a search of its own that starts at the update time the page
// before ended on, rather than the next page of one search: the reader
// runs while batches are applied, and the engine's own write-backs move
// items to the end of a search sorted by update time, which would shift an
// offset-paged search (ExtraHop's offset, YouTrack's $skip, Jira Data
// Center's startAt) under it and skip items. A page from a given time is
// one request and cannot be shifted. Pages are at most keysetPage items,
// so that a vendor capping its pages below the size asked does not page by
// offset inside one.
func (r *reader) read(ctx context.Context, from time.Time, size int) page {
	pageSize := min(size, keysetPage(r.s))
	if r.base.PageSize > 0 {
		pageSize = min(pageSize, r.base.PageSize)
	}
	var pg page
	taken := map[string]time.Time{} // item versions in this batch
	fresh := func(it *tracker.Issue) bool {
		if v, ok := r.seen[it.ID]; ok && v.Equal(it.Updated) {
			return false
		}
		v, ok := taken[it.ID]
		return !ok || !v.Equal(it.Updated)
	}
	take := func(it *tracker.Issue) {
		taken[it.ID] = it.Updated
		pg.batch = append(pg.batch, it)
		pg.full = len(pg.batch) >= size
	}
	at := from
	for !pg.full {
		q := r.base
		q.UpdatedSince, q.PageSize = at, pageSize
		got, added := 0, 0
		var last time.Time
		for it, err := range r.s.SearchIssues(ctx, q) {
			if err != nil {
				return page{err: err}
			}
			got++
			last = it.Updated
			if fresh(it) {
				take(it)
				added++
				if pg.full {
					break
				}
			}
			if got >= pageSize {
				break
			}
		}
		if pg.full || got < pageSize {
			break // a full batch, or the search's end
		}
		if added == 0 && !last.After(at) {
			// A whole page of versions read already, all updated at one
			// instant: more items share it than a page holds. Read on
			// through the one search from there.
			q.PageSize = r.base.PageSize
			for it, err := range r.s.SearchIssues(ctx, q) {
				if err != nil {
					return page{err: err}
				}
				if !fresh(it) {
					continue
				}
				take(it)
				if pg.full {
					break
				}
			}
			break
		}
		at = last
	}
	if len(pg.batch) == 0 {
		return pg
	}
	if pg.full {
		last, n := pg.batch[len(pg.batch)-1].Updated, len(pg.batch)
		for n > 0 && pg.batch[n-1].Updated.Equal(last) {
			n--
		}
		if n > 0 {
			clear(pg.batch[n:])
			pg.batch = pg.batch[:n]
		}
	}
	pg.last = pg.batch[len(pg.batch)-1].Updated
	// The next round's search returns items updated at or after pg.last
	// (tracker.Query.UpdatedSince): older versions cannot come again, so
	// they are forgotten and the map holds only the last update time's.
	for id, v := range r.seen {
		if v.Before(pg.last) {
			delete(r.seen, id)
		}
	}
	for _, it := range pg.batch {
		r.seen[it.ID] = it.Updated
	}
	return pg
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
