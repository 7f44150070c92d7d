package syncer

import (
	"context"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Apply executes a plan. Each item is handled under its lease; if its link
// changed since the plan was made (another engine got there first), the
// item is decided again. Creates go in bulk where the target allows.
//
// One item's path: [Flow.lease] (lease.go), then by action create, lost
// and resolve (create.go) or bulkCreate (bulk.go), update (update.go),
// and writeBack (writeback.go); failures are retried or parked in
// failure.go and every outcome lands in the [Report] (report.go).
func (f *Flow) Apply(ctx context.Context, p *Plan) (*Report, error) {
	// A bulk's follow-ups spread over all workers, so a run with bulks
	// starts Concurrency of them.
	workers := min(f.cfg.Concurrency, max(len(p.Decisions), 1))
	if f.bulk != nil {
		workers = f.cfg.Concurrency
	}
	pl := newPool(workers)
	defer pl.wait()
	return f.finishApply(ctx, f.startApply(ctx, p, pl))
}

// startApply starts applying p on the workers of pl and returns its run;
// finishApply waits for it. Runs of several batches may share a pool, so
// that the next batch's work fills workers the last one's tail leaves
// idle.
func (f *Flow) startApply(ctx context.Context, p *Plan, pl *pool) *run {
	r := f.newRun(len(p.Decisions))
	r.pool = pl
	if err := f.breakerErr(); err != nil {
		for _, d := range p.Decisions {
			r.finish(d, Event{Kind: EventSkipped, Reason: ReasonCircuitOpen, Err: err})
		}
		r.report.Err = err
		return r
	}
	var units [][]*Decision
	var creates []*Decision
	for _, d := range p.Decisions {
		switch {
		case d.Action == ActionSkip:
			r.finish(d, Event{Kind: EventSkipped, Reason: d.Reason, Err: d.Err})
		case d.Action == ActionCreate && f.bulk != nil && !d.Replace:
			creates = append(creates, d)
		default:
			units = append(units, []*Decision{d})
		}
	}
	// Bulks no larger than keeps every worker busy: a batch of 500
	// creates at concurrency 16 goes as 16 bulks of 32, not 10 of 50.
	size := min(f.cfg.BulkSize, max(1, (len(creates)+f.cfg.Concurrency-1)/f.cfg.Concurrency))
	for len(creates) > 0 {
		n := min(len(creates), size)
		units = append(units, creates[:n])
		creates = creates[n:]
	}
	for _, u := range units {
		r.queue(false, func() {
			if len(u) > 1 || (u[0].Action == ActionCreate && f.bulk != nil && !u[0].Replace) {
				f.bulkCreate(ctx, r, u)
			} else {
				f.one(ctx, r, u[0])
			}
		})
	}
	return r
}

// finishApply waits for a run startApply began, follow-ups included, and
// returns its report.
func (f *Flow) finishApply(ctx context.Context, r *run) (*Report, error) {
	r.pending.Wait()
	r.flushAudit()
	if r.report.Err == nil {
		if err := f.breakerErr(); err != nil {
			r.report.Err = err
		} else if err := ctx.Err(); err != nil {
			r.report.Err = err
		}
	}
	return r.report, r.report.Err
}

// Push plans and applies the given items at once: the "export these" of a
// host application.
func (f *Flow) Push(ctx context.Context, items ...*tracker.Issue) (*Report, error) {
	p, err := f.Plan(ctx, items...)
	if err != nil {
		return &Report{Flow: f.cfg.Name, Err: err}, err
	}
	return f.Apply(ctx, p)
}

// one handles a single decision under its lease.
func (f *Flow) one(ctx context.Context, r *run, d *Decision) {
	if err := f.breakerErr(); err != nil {
		r.finish(d, Event{Kind: EventSkipped, Reason: ReasonCircuitOpen, Err: err})
		return
	}
	l, ok := f.lease(ctx, r, d)
	if !ok {
		return
	}
	defer f.release(l)
	ctx, stop := f.keep(ctx, l)
	defer stop()
	d, link, err := f.fresh(ctx, d)
	if err != nil {
		r.finish(d, Event{Kind: EventFailed, Reason: "reading link", Err: err})
		return
	}
	f.oneLeased(ctx, r, d, link)
}

// oneLeased handles a decision whose lease is already held.
func (f *Flow) oneLeased(ctx context.Context, r *run, d *Decision, link *store.Link) {
	start := time.Now()
	if d.Action == ActionCreate && d.Replace && link != nil {
		// A recurrence past the reopen window: the old link is dropped (its
		// history stays in the event log) and a new ticket begun.
		if err := f.cfg.Store.DeleteLink(ctx, link); err != nil {
			r.finish(d, Event{Kind: EventFailed, Reason: "replacing link", Err: err})
			return
		}
		r.note(Event{Kind: EventReplaced, Source: d.Source, Target: link.Target, Reason: ReasonRecurrence + ": the ticket was done past the reopen window; a new one is opened"})
		link = nil
	}
	switch d.Action {
	case ActionSkip:
		r.finish(d, Event{Kind: EventSkipped, Reason: d.Reason, Err: d.Err})
	case ActionFail:
		f.mappingFailed(ctx, r, d, link)
	case ActionCreate:
		f.create(ctx, r, d, link, start)
	case ActionResolve:
		f.resolve(ctx, r, d, link, start)
	case ActionUpdate:
		f.update(ctx, r, d, link, start)
	}
}

// mappingFailed records an item the mapping cannot map as failed, on its
// link (a new pending one, whose create was never sent, for an item
// without a ticket), so that it is retried and parked like any failure
// instead of being passed over.
func (f *Flow) mappingFailed(ctx context.Context, r *run, d *Decision, link *store.Link) {
	if link == nil {
		link = f.pendingLink(d.Source)
		// Nothing was sent for it: ResolvePending leaves it to the item's
		// next poll or push.
		link.FieldHashes = setHash(link.FieldHashes, keyUnmapped, "1")
	}
	f.failed(ctx, r, d, link, ReasonMappingFailed, d.Err)
}
