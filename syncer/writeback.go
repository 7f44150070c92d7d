package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// writeBack writes the target's state onto the source: after-create
// actions once, and the back-mapping whenever its values differ from what
// was last written (so the engine's own echo writes nothing) and from what
// the source item already holds (so a flow that lost its store, or runs
// without one, writes nothing twice). The link is updated in memory; the
// caller stores it. It returns the source fields it wrote.
func (f *Flow) writeBack(ctx context.Context, r *run, d *Decision, link *store.Link, target *tracker.Issue, afterCreate bool) ([]string, error) {
	if f.srcUpdate == nil {
		return nil, nil
	}
	m := f.cfg.Mapping
	var ch *tracker.Change
	if afterCreate && link.FieldHashes[keyAfterCreate] == "pending" {
		ac, err := m.ApplyAfterCreate(d.Item, target, f.cfg.Now())
		if err != nil {
			return nil, fmt.Errorf("after-create mapping: %w", err)
		}
		ch = ac
	}
	back, err := m.ApplyBack(target)
	if err != nil {
		return nil, fmt.Errorf("back-mapping: %w", err)
	}
	ch = mergeChanges(ch, back.Change)
	dropFields(ch, d.holdBack)
	vals := changeValues(ch)
	changed, held := false, true
	for name, v := range vals {
		if link.FieldHashes[sourcePrefix+name] != hashValue(v) {
			changed = true
		}
		if !sourceHolds(d.Item, name, v) {
			held = false
		}
	}
	if changed && held {
		// The source already shows all of it (written by an earlier run
		// whose link was lost): record it, write nothing.
		for name, v := range vals {
			link.FieldHashes = setHash(link.FieldHashes, sourcePrefix+name, hashValue(v))
		}
		changed = false
	}
	// Sources that can move only through their own transitions get the
	// back-mapped status that way; the change carries it for the rest.
	moveSource := back.Transition != nil && f.srcTrans != nil && link.FieldHashes[keySourceStatus] != hashValue(back.Transition)
	if moveSource && d.Item != nil && statusHolds(d.Item, back.Transition) {
		link.FieldHashes = setHash(link.FieldHashes, keySourceStatus, hashValue(back.Transition))
		moveSource = false
	}
	if !changed && !moveSource {
		delete(link.FieldHashes, keyAfterCreate)
		return nil, nil
	}
	var fields []string
	if changed && !ch.IsEmpty() {
		// The whole back-mapped state is sent when any of it changed:
		// some vendors (ExtraHop) need the ticket id in every write.
		err := f.try(ctx, r, d, "write back", func() error { return f.srcUpdate.UpdateIssue(ctx, d.Source.ID, ch) })
		if err != nil {
			return nil, fmt.Errorf("writing back onto %s: %w", d.Source, err)
		}
		for name, v := range vals {
			link.FieldHashes = setHash(link.FieldHashes, sourcePrefix+name, hashValue(v))
			fields = append(fields, name)
		}
		slices.Sort(fields)
	}
	if moveSource {
		err := f.try(ctx, r, d, "move source", func() error { return f.srcTrans.Transition(ctx, d.Source.ID, *back.Transition) })
		if err != nil {
			return fields, fmt.Errorf("moving %s to %s: %w", d.Source, back.Transition, err)
		}
		link.FieldHashes = setHash(link.FieldHashes, keySourceStatus, hashValue(back.Transition))
		fields = append(fields, "status")
	}
	delete(link.FieldHashes, keyAfterCreate)
	r.note(Event{Kind: EventWroteBack, Source: d.Source, Target: link.Target, Fields: fields})
	return fields, nil
}

// dropFields removes the named fields from a change.
func dropFields(ch *tracker.Change, names map[string]bool) {
	for name := range names {
		switch name {
		case "summary":
			ch.Summary = nil
		case "description":
			ch.Description = nil
		case "priority":
			ch.Priority = nil
		case "assignee":
			ch.Assignee = nil
		case "resolution":
			ch.Resolution = nil
		case "labels":
			ch.Labels, ch.AddLabels, ch.RemoveLabels = nil, nil, nil
		default:
			delete(ch.Fields, name)
		}
	}
}

// sourceHolds reports whether the source item as read already holds v for
// the written field name (a name of changeValues). An unknown item (nil)
// holds nothing.
func sourceHolds(item *tracker.Issue, name string, v any) bool {
	if item == nil {
		return false
	}
	var cur any
	switch name {
	case "summary":
		cur = item.Summary
	case "description":
		cur = item.Description
	case "priority":
		cur = item.Priority
	case "assignee":
		cur = item.Assignee
	case "resolution":
		cur = item.Resolution
	case "labels":
		cur = item.Labels
	case "labels+":
		for _, l := range v.([]string) {
			if !slices.Contains(item.Labels, l) {
				return false
			}
		}
		return true
	case "labels-":
		for _, l := range v.([]string) {
			if slices.Contains(item.Labels, l) {
				return false
			}
		}
		return true
	default:
		var ok bool
		if cur, ok = item.Fields[name]; !ok && name == "status" {
			cur = item.Status
		}
	}
	return hashValue(blankAsNil(cur)) == hashValue(blankAsNil(v))
}

// blankAsNil treats an empty string as no value: vendors return either for
// an unset field.
func blankAsNil(v any) any {
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	return v
}

// statusHolds reports whether the item already is where a transition would
// move it.
func statusHolds(item *tracker.Issue, to *tracker.TransitionTarget) bool {
	if to.Status != "" {
		return item.Status == to.Status
	}
	return to.Category != tracker.CategoryUnknown && item.StatusCategory == to.Category
}

// PushTarget handles tickets changed on the target, as a webhook reports
// them: for each linked one, the back-mapped state is written onto the
// source when it differs from what was last written (so a webhook for the
// engine's own change writes nothing). Tickets that no link of the flow
// knows are not the flow's and are ignored. RunOnce calls it for the
// tickets its target poll finds; webhooks and polling share this path.
// Up to Concurrency tickets are handled at once; a ticket given twice is
// handled once, in its newest version.
func (f *Flow) PushTarget(ctx context.Context, tickets ...*tracker.Issue) (*Report, error) {
	tickets = newestByID(tickets)
	r := f.newRun(len(tickets))
	defer r.flushAudit()
	if f.srcUpdate == nil {
		err := fmt.Errorf("syncer: flow %q: source %s cannot be written back to: %w", f.cfg.Name, f.sourceKind, tracker.ErrUnsupported)
		r.report.Err = err
		return r.report, err
	}
	r.pool = newPool(min(f.cfg.Concurrency, max(len(tickets), 1)))
	var errMu sync.Mutex
	var storeErr error
	for _, t := range tickets {
		r.pool.add(false, func() {
			ref := tracker.Ref{Tracker: f.targetKind, ID: t.ID}
			link, err := f.cfg.Store.GetLinkByTarget(ctx, f.cfg.Name, ref)
			if errors.Is(err, store.ErrNotFound) {
				return
			}
			if err != nil {
				errMu.Lock()
				storeErr = errors.Join(storeErr, fmt.Errorf("syncer: flow %q: reading link of %s: %w", f.cfg.Name, ref, err))
				errMu.Unlock()
				return
			}
			// The source item is not read: its values are unknown, so
			// only the link's hashes tell what changed.
			d := &Decision{Source: link.Source, Target: ref, Action: ActionUpdate}
			f.pushTarget(ctx, r, d, t)
		})
	}
	r.pool.wait()
	if storeErr != nil {
		r.report.Err = storeErr
	}
	return r.report, r.report.Err
}

// newestByID keeps each ticket once, in its newest version, in the order
// of first appearance.
func newestByID(tickets []*tracker.Issue) []*tracker.Issue {
	at := make(map[string]int, len(tickets))
	out := make([]*tracker.Issue, 0, len(tickets))
	for _, t := range tickets {
		i, ok := at[t.ID]
		switch {
		case !ok:
			at[t.ID] = len(out)
			out = append(out, t)
		case t.Updated.After(out[i].Updated):
			out[i] = t
		}
	}
	return out
}

// pushTarget writes one ticket's state back under the item's lease.
func (f *Flow) pushTarget(ctx context.Context, r *run, d *Decision, t *tracker.Issue) {
	l, ok := f.lease(ctx, r, d)
	if !ok {
		return
	}
	defer f.release(l)
	link, err := f.cfg.Store.GetLink(ctx, f.cfg.Name, d.Source)
	if err != nil {
		r.finish(d, Event{Kind: EventFailed, Reason: "reading link", Err: err})
		return
	}
	if link.State == store.StateClosed {
		r.finish(d, Event{Kind: EventSkipped, Reason: ReasonClosed})
		return
	}
	if stale(link, keyTargetSeen, t.Updated) {
		r.finish(d, Event{Kind: EventSkipped, Reason: ReasonStale})
		return
	}
	if handled(link, keyTargetSeen, t.Updated) {
		// This version was handled already (the poll's overlap reads it
		// again, or a webhook repeats it): nothing to read or write.
		r.finish(d, Event{Kind: EventSkipped, Reason: ReasonUnchanged})
		return
	}
	seen(link, keyTargetSeen, t.Updated)
	f.noteTargetState(link, t)
	hold, err := f.targetSideConflicts(ctx, r, d, link, t)
	if err != nil {
		f.failed(ctx, r, d, link, "settling fields synced both ways", err)
		return
	}
	d.holdBack = hold
	wrote, err := f.writeBack(ctx, r, d, link, t, false)
	var comments commentCounts
	if err == nil && f.comments.Syncs() && link.State == store.StateLinked {
		comments, err = f.syncComments(ctx, r, d, link, nil, t)
		r.comments(comments)
	}
	if perr := f.cfg.Store.PutLink(ctx, link); perr != nil {
		err = errors.Join(err, fmt.Errorf("storing link: %w", perr))
	}
	switch {
	case err != nil:
		// Failed: the target cursor stays, so the ticket is seen again.
		r.finish(d, Event{Kind: EventFailed, Reason: "writing back", Err: err})
	case comments.total() > 0:
		r.finish(d, Event{Kind: EventUpdated, Fields: append(wrote, "comments")})
	case len(wrote) > 0:
		r.finish(d, Event{Kind: EventWroteBack, Fields: wrote})
	default:
		r.finish(d, Event{Kind: EventSkipped, Reason: ReasonUnchanged})
	}
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
