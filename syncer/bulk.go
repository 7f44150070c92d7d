package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// bulkCreate creates a batch of tickets in one request where the target
// allows it. The pending links of the whole batch, stamped as sent, are
// stored atomically before the request, so a crash at any point leaves
// only links that the marker search resolves. When the request's answer is
// lost, every element is resolved by its marker before anything is sent
// again.
func (f *Flow) bulkCreate(ctx context.Context, r *run, batch []*Decision) {
	if err := f.breakerErr(); err != nil {
		for _, d := range batch {
			r.finish(d, Event{Kind: EventSkipped, Reason: ReasonCircuitOpen, Err: err})
		}
		return
	}
	var leases []*store.Lease // of items not in the bulk, given back on return
	defer func() {
		for _, l := range leases {
			f.release(l)
		}
	}()
	var todo []*Decision
	var links []*store.Link
	var held []*store.Lease // of todo's items
	for _, d := range batch {
		l, ok := f.lease(ctx, r, d)
		if !ok {
			continue
		}
		d2, link, err := f.fresh(ctx, d)
		if err != nil {
			leases = append(leases, l)
			r.finish(d, Event{Kind: EventFailed, Reason: "reading link", Err: err})
			continue
		}
		if d2.Action != ActionCreate || link != nil {
			// Decided differently now that we hold the lease.
			leases = append(leases, l)
			f.oneLeased(ctx, r, d2, link)
			continue
		}
		todo = append(todo, d2)
		held = append(held, l)
		link = f.pendingLink(d2.Source)
		link.FieldHashes = setHash(link.FieldHashes, keyCreateSent, f.cfg.Now().UTC().Format(time.RFC3339Nano))
		links = append(links, link)
	}
	if len(todo) == 0 {
		return
	}
	set := &leaseSet{held: slices.Clone(held)}
	ctx, stop := f.keepSet(ctx, set)
	handedOff := false
	defer func() {
		if !handedOff {
			stop()
			leases = append(leases, held...)
		}
	}()
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
		d.sends++
	}
	var results []tracker.BulkResult
	err := f.tryCreate(ctx, r, todo[0], "bulk create", func() error {
		var err error
		results, err = f.bulk.CreateIssues(ctx, ins)
		return err
	})
	if err == nil && len(results) != len(ins) {
		// The answer does not say which tickets exist: as good as lost.
		err = fmt.Errorf("bulk create returned %d results for %d issues: %w", len(results), len(ins), tracker.ErrUnavailable)
	}
	// What follows for each ticket (storing its link, moving it, writing
	// back, mirroring comments) runs as its own piece of work, spread over
	// the run's workers; each gives its item's lease back when done, and
	// the last one stops the renewals.
	handedOff = true
	var left atomic.Int64
	left.Store(int64(len(todo)))
	for i, d := range todo {
		r.spawn(func() {
			defer func() {
				set.drop(held[i])
				f.release(held[i])
				if left.Add(-1) == 0 {
					stop()
				}
			}()
			switch {
			case err != nil && tracker.IsAmbiguous(err):
				f.lost(ctx, r, d, links[i], err, start)
			case err != nil:
				f.failed(ctx, r, d, links[i], "bulk creating tickets", err)
			case results[i].Err != nil && tracker.IsAmbiguous(results[i].Err):
				f.lost(ctx, r, d, links[i], results[i].Err, start)
			case results[i].Err != nil:
				f.failed(ctx, r, d, links[i], "creating ticket", results[i].Err)
			default:
				f.linked(ctx, r, d, links[i], results[i].Issue, ins[i], EventCreated, start)
			}
		})
	}
}
