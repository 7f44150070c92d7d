package syncer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// The create path, in the order one item goes through it:
//
//  1. create stores the item's pending link, stamped with the time the
//     create is sent, then creates the ticket carrying the link's marker.
//  2. If the answer arrives, linked marks the link linked, moves the
//     ticket to its mapped status and writes back onto the source.
//  3. If the answer is lost (a 5xx, a reset, a timeout: the ticket may
//     exist), lost looks for the marker. Found: the ticket is linked as
//     created. Not found, and the target's search has had SearchLag to
//     catch up since the create was sent: nothing was created, and the
//     create is sent again. Not found too early: the item is deferred, its
//     link stays pending, and a later run resolves it.
//  4. A pending link met by a later run (a crash, a deferral) goes through
//     resolve: adopt the ticket carrying the marker, defer while the
//     search may still catch up, or create.

// pendingLink returns a new pending link for an item.
func (f *Flow) pendingLink(src tracker.Ref) *store.Link {
	return &store.Link{Flow: f.cfg.Name, Source: src, State: store.StatePending, CorrelationKey: f.Marker(src)}
}

// create makes the ticket for d; link is its pending link, or nil when the
// item has none yet.
func (f *Flow) create(ctx context.Context, r *run, d *Decision, link *store.Link, start time.Time) {
	if link == nil {
		link = f.pendingLink(d.Source)
		if f.cfg.AdoptExisting {
			// Look for a ticket of an earlier run first. The pending link,
			// not yet stamped as sent, guards the search.
			if err := f.cfg.Store.PutLink(ctx, link); err != nil {
				r.finish(d, Event{Kind: EventFailed, Reason: "storing pending link", Err: err})
				return
			}
			f.resolve(ctx, r, d, link, start)
			return
		}
	}
	if err := f.sending(ctx, link); err != nil {
		r.finish(d, Event{Kind: EventFailed, Reason: "storing pending link", Err: err})
		return
	}
	d.sends++
	in := *d.Create
	in.Marker = link.CorrelationKey
	var issue *tracker.Issue
	err := f.tryCreate(ctx, r, d, "create", func() error {
		var err error
		issue, err = f.creator.CreateIssue(ctx, &in)
		return err
	})
	switch {
	case err == nil:
		f.linked(ctx, r, d, link, issue, &in, EventCreated, start)
	case tracker.IsAmbiguous(err):
		f.lost(ctx, r, d, link, err, start)
	default:
		f.failed(ctx, r, d, link, "creating ticket", err)
	}
}

// sending stamps the pending link with the time its create is sent and
// stores it, before the create goes out.
func (f *Flow) sending(ctx context.Context, link *store.Link) error {
	link.FieldHashes = setHash(link.FieldHashes, keyCreateSent, f.cfg.Now().UTC().Format(time.RFC3339Nano))
	delete(link.FieldHashes, keyUnmapped)
	return f.cfg.Store.PutLink(ctx, link)
}

// settleAt returns when a marker search that finds nothing proves that the
// link's last create did not happen: SearchLag after it was sent. It is
// zero when no create was recorded as sent or the search does not lag.
func (f *Flow) settleAt(link *store.Link) time.Time {
	sent, err := time.Parse(time.RFC3339Nano, link.FieldHashes[keyCreateSent])
	if err != nil || f.searchLag <= 0 {
		return time.Time{}
	}
	return sent.Add(f.searchLag)
}

// lost resolves a create whose answer was lost: the ticket may exist.
func (f *Flow) lost(ctx context.Context, r *run, d *Decision, link *store.Link, cause error, start time.Time) {
	r.note(Event{Kind: EventAnswerLost, Source: d.Source, Reason: "create; resolving by marker " + link.CorrelationKey, Err: cause})
	if f.finder == nil {
		// IdempotentCreate: the target recognises a repeated create by
		// its marker, so sending it again is the lookup.
		if d.sends > f.cfg.Retries {
			f.failed(ctx, r, d, link, "creating ticket", cause)
			return
		}
		f.create(ctx, r, d, link, start)
		return
	}
	found, err := f.findMarker(ctx, r, d, link)
	switch {
	case err != nil:
		f.failed(ctx, r, d, link, "resolving a create whose answer was lost", errors.Join(cause, err))
	case found != nil:
		f.linked(ctx, r, d, link, found, d.Create, EventCreated, start)
	case f.cfg.Now().Before(f.settleAt(link)):
		at := f.settleAt(link)
		r.deferUntil(d, at, fmt.Sprintf("the answer to its create was lost and the target's search may not show the ticket until %s; resolved by marker %s then", at.UTC().Format(time.RFC3339), link.CorrelationKey))
	case d.sends > f.cfg.Retries:
		f.failed(ctx, r, d, link, "creating ticket", cause)
	default:
		// The search is current and shows no ticket: nothing was created.
		f.create(ctx, r, d, link, start)
	}
}

// resolve finishes an interrupted create, met by a later run or by a flow
// that adopts existing tickets: adopt the ticket carrying the marker, wait
// while the target's search may still catch up, or create.
func (f *Flow) resolve(ctx context.Context, r *run, d *Decision, link *store.Link, start time.Time) {
	var found *tracker.Issue
	if f.finder != nil {
		var err error
		if found, err = f.findMarker(ctx, r, d, link); err != nil {
			f.failed(ctx, r, d, link, "finding marker "+link.CorrelationKey, err)
			return
		}
	}
	f.resolveFound(ctx, r, d, link, found, start)
}

// resolveFound goes on from a marker search that found the ticket, or
// none (found nil).
func (f *Flow) resolveFound(ctx context.Context, r *run, d *Decision, link *store.Link, found *tracker.Issue, start time.Time) {
	if found != nil {
		f.linked(ctx, r, d, link, found, d.Create, EventAdopted, start)
		return
	}
	if at := f.settleAt(link); f.finder != nil && f.cfg.Now().Before(at) {
		r.deferUntil(d, at, fmt.Sprintf("a create sent by an earlier run may not show in the target's search until %s; resolved by marker %s then", at.UTC().Format(time.RFC3339), link.CorrelationKey))
		return
	}
	if d.Create == nil || (d.result != nil && !d.result.Match) {
		// Nothing was created and the item no longer qualifies.
		if err := f.cfg.Store.DeleteLink(ctx, link); err != nil {
			r.finish(d, Event{Kind: EventFailed, Reason: "dropping pending link", Err: err})
			return
		}
		reason := ReasonRuleNotMatched
		if d.result != nil && d.result.Reason != "" {
			reason += ": " + d.result.Reason
		}
		r.finish(d, Event{Kind: EventSkipped, Reason: reason})
		return
	}
	// Without a marker search the target recognises a repeated create by
	// its marker (IdempotentCreate), so creating again is safe.
	f.create(ctx, r, d, link, start)
}

// findMarker returns the ticket carrying the link's marker, or nil when the
// target's search shows none. When several carry it, the oldest is the
// item's and the others are reported as duplicates.
func (f *Flow) findMarker(ctx context.Context, r *run, d *Decision, link *store.Link) (*tracker.Issue, error) {
	var found []*tracker.Issue
	err := f.try(ctx, r, d, "find marker", func() error {
		var err error
		found, err = f.finder.FindByMarker(ctx, link.CorrelationKey)
		return err
	})
	if err != nil || len(found) == 0 {
		return nil, err
	}
	oldest := found[0]
	for _, is := range found[1:] {
		if is.Created.Before(oldest.Created) {
			oldest = is
		}
	}
	for _, is := range found {
		if is != oldest {
			r.emit(Event{Kind: EventDuplicate, Source: d.Source, Target: tracker.Ref{Tracker: f.targetKind, ID: is.ID}, Key: is.Key, Reason: "also carries marker " + link.CorrelationKey + "; kept " + oldest.Key})
		}
	}
	return oldest, nil
}

// linked records a new or adopted ticket on the link, moves it to its
// mapped status and runs the write-back.
func (f *Flow) linked(ctx context.Context, r *run, d *Decision, link *store.Link, issue *tracker.Issue, in *tracker.NewIssue, kind EventKind, start time.Time) {
	f.succeeded()
	link.State = store.StateLinked
	link.Target = tracker.Ref{Tracker: f.targetKind, ID: issue.ID}
	d.Target, d.TargetKey = link.Target, issue.Key
	if issue.Key != "" {
		link.FieldHashes = setHash(link.FieldHashes, keyTargetKey, issue.Key)
	}
	link.Attempts, link.LastError = 0, ""
	delete(link.FieldHashes, keyCreateSent)
	if d.Item != nil {
		seen(link, keySourceSeen, d.Item.Updated)
	}
	if d.result != nil {
		for name, v := range d.result.Owned {
			link.FieldHashes = setHash(link.FieldHashes, targetPrefix+name, hashValue(v))
		}
	}
	if len(f.cfg.Mapping.AfterCreate) > 0 && f.srcUpdate != nil {
		link.FieldHashes = setHash(link.FieldHashes, keyAfterCreate, "pending")
	}
	if err := f.cfg.Store.PutLink(ctx, link); err != nil {
		// The ticket exists and carries the marker: the pending link is
		// resolved by it on the next run. Nothing is lost.
		r.finish(d, Event{Kind: EventFailed, Target: link.Target, Key: issue.Key, Reason: "storing link; resolved by marker next run", Err: err})
		return
	}
	target := withCreated(issue, in)
	var err error
	if d.result != nil && d.result.Transition != nil && f.trans != nil {
		err = f.transitionTarget(ctx, r, d, link, target, d.result.Transition)
	}
	if err == nil {
		_, err = f.writeBack(ctx, r, d, link, target, true)
	}
	if err == nil && f.comments.Syncs() {
		// The item's comments so far go to the new ticket (or are found
		// there, by their markers, on an adopted one).
		var n commentCounts
		n, err = f.syncComments(ctx, r, d, link, d.Item, target)
		r.comments(n)
	}
	// Store what the transition and write-back recorded. A failure of
	// either leaves the item failed: the cursor stays, and the next run
	// finds the link's hashes and flags and does only what is missing.
	if perr := f.cfg.Store.PutLink(ctx, link); perr != nil {
		err = errors.Join(err, fmt.Errorf("storing link: %w", perr))
	}
	if err != nil {
		r.finish(d, Event{Kind: EventFailed, Target: link.Target, Key: issue.Key, URL: issue.URL, Reason: "ticket " + issue.Key + " " + string(kind) + ", then failed", Err: err})
		return
	}
	r.finish(d, Event{Kind: kind, Target: link.Target, Key: issue.Key, URL: issue.URL, Duration: time.Since(start)})
}

// withCreated fills what a create response may leave out from the request,
// so write-back (ticket assignee, status) needs no extra read.
func withCreated(issue *tracker.Issue, in *tracker.NewIssue) *tracker.Issue {
	t := issue.Clone()
	if in == nil {
		return t
	}
	if t.Summary == "" {
		t.Summary = in.Summary
	}
	if t.Assignee == "" {
		t.Assignee = in.Assignee
	}
	if t.Priority == "" {
		t.Priority = in.Priority
	}
	if t.Project == "" {
		t.Project = in.Project
	}
	if len(t.Labels) == 0 {
		t.Labels = append([]string(nil), in.Labels...)
	}
	if t.StatusCategory == tracker.CategoryUnknown && t.Status == "" {
		t.StatusCategory = tracker.CategoryToDo
	}
	return t
}
