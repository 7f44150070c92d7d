package syncer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// bulkCreate creates a batch of tickets in one request where the target
// allows it. The pending links of the whole batch are stored atomically
// before the request, so a crash at any point leaves only links that the
// marker search resolves.
func (f *Flow) bulkCreate(ctx context.Context, r *run, batch []*Decision) {
	if err := f.breakerErr(); err != nil {
		for _, d := range batch {
			r.finish(d, Event{Kind: EventSkipped, Reason: ReasonCircuitOpen, Err: err})
		}
		return
	}
	var leases []*store.Lease
	defer func() {
		for _, l := range leases {
			f.release(l)
		}
	}()
	var todo []*Decision
	var links []*store.Link
	for _, d := range batch {
		l, ok := f.lease(ctx, r, d)
		if !ok {
			continue
		}
		leases = append(leases, l)
		d2, link, err := f.fresh(ctx, d)
		if err != nil {
			r.finish(d, Event{Kind: EventFailed, Reason: "reading link", Err: err})
			continue
		}
		if d2.Action != ActionCreate || link != nil {
			// Decided differently now that we hold the lease.
			f.oneLeased(ctx, r, d2, link)
			continue
		}
		todo = append(todo, d2)
		links = append(links, &store.Link{Flow: f.cfg.Name, Source: d2.Source, State: store.StatePending, CorrelationKey: f.Marker(d2.Source)})
	}
	if len(todo) == 0 {
		return
	}
	ctx, stop := f.keep(ctx, leases...)
	defer stop()
	start := time.Now()
	if err := f.cfg.Store.PutLinks(ctx, links...); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// Someone linked one of them meanwhile: fall back to one at a time.
			for _, d := range todo {
				d2, link, err := f.fresh(ctx, d)
				if err != nil {
					r.finish(d, Event{Kind: EventFailed, Reason: "reading link", Err: err})
					continue
				}
				f.oneLeased(ctx, r, d2, link)
			}
			return
		}
		for _, d := range todo {
			r.finish(d, Event{Kind: EventFailed, Reason: "storing pending links", Err: err})
		}
		return
	}
	ins := make([]*tracker.NewIssue, len(todo))
	for i, d := range todo {
		in := *d.Create
		in.Marker = links[i].CorrelationKey
		ins[i] = &in
	}
	var results []tracker.BulkResult
	err := f.try(ctx, r, todo[0], "bulk create", func() error {
		var err error
		results, err = f.bulk.CreateIssues(ctx, ins)
		return err
	})
	if err == nil && len(results) != len(ins) {
		err = fmt.Errorf("bulk create returned %d results for %d issues", len(results), len(ins))
	}
	if err != nil {
		// The request as a whole failed; some tickets may exist. Each
		// pending link is resolved by its marker on the next attempt.
		for i, d := range todo {
			f.failed(ctx, r, d, links[i], "bulk creating tickets", err)
		}
		return
	}
	for i, d := range todo {
		if results[i].Err != nil {
			f.failed(ctx, r, d, links[i], "creating ticket", results[i].Err)
			continue
		}
		f.linked(ctx, r, d, links[i], results[i].Issue, ins[i], EventCreated, start)
	}
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
	case ActionCreate:
		f.create(ctx, r, d, link, start)
	case ActionResolve:
		f.resolve(ctx, r, d, link, start)
	case ActionUpdate:
		f.update(ctx, r, d, link, start)
	}
}
