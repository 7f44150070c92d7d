package syncer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Deletions says what the engine does when a linked item or its ticket is
// deleted. Either way the link is closed and no longer synced.
type Deletions struct {
	// CloseTicket moves the ticket of a deleted source item to done
	// (status category), with Comment added when it is not empty. Without
	// it the ticket is left as it is.
	CloseTicket bool
	Comment     string
	// SourceChange is written onto the source item when its ticket is
	// deleted (for example a status field); nil writes nothing.
	SourceChange *tracker.Change
}

// Handle syncs what a tracker event names: the webhook entry, which a host
// wires as receiver → flow:
//
//	handler := jiraAdapter.EventHandler(secret, func(ctx context.Context, ev tracker.Event) error {
//		_, err := flow.Handle(ctx, ev)
//		return err
//	})
//
// An event of the source (ev.Tracker is the source's kind) syncs the item
// (its fields, write-back and comments) or, for a deletion, closes its link
// as Config.Deletions says. An event of the target syncs the ticket's state
// and comments back onto the source, or handles its deletion. The event's
// issue is used when the payload carried one; otherwise the issue is read.
// Events of other trackers are ignored. When source and target are the
// same kind of tracker, an issue the flow links as a ticket is the
// target's and any other the source's.
//
// Handle is idempotent: a replayed event finds nothing to do, an event
// older than what the flow has already seen of the issue is skipped, and
// polling remains the safety net for events that never arrive.
func (f *Flow) Handle(ctx context.Context, ev tracker.Event) (*Report, error) {
	if err := ev.Validate(); err != nil {
		err = fmt.Errorf("syncer: flow %q: %w", f.cfg.Name, err)
		return &Report{Flow: f.cfg.Name, Err: err}, err
	}
	side := ev.Tracker
	if f.sourceKind == f.targetKind && side == f.sourceKind {
		// Both sides are the same kind of tracker (two Jira sites): an
		// issue the flow knows as a ticket is the target's.
		if _, err := f.cfg.Store.GetLinkByTarget(ctx, f.cfg.Name, tracker.Ref{Tracker: f.targetKind, ID: ev.IssueID}); err == nil {
			side = "target:" + side
		}
	}
	switch side {
	case f.sourceKind:
		if ev.Kind == tracker.EventIssueDeleted {
			return f.sourceDeleted(ctx, tracker.Ref{Tracker: f.sourceKind, ID: ev.IssueID})
		}
		item := ev.Issue
		if item == nil {
			if f.cfg.Source == nil {
				err := fmt.Errorf("syncer: flow %q: event %s carries no item and the flow has no source to read it from", f.cfg.Name, ev)
				return &Report{Flow: f.cfg.Name, Err: err}, err
			}
			var err error
			if item, err = f.cfg.Source.GetIssue(ctx, ev.IssueID); errors.Is(err, tracker.ErrNotFound) {
				return f.sourceDeleted(ctx, tracker.Ref{Tracker: f.sourceKind, ID: ev.IssueID})
			} else if err != nil {
				err = fmt.Errorf("syncer: flow %q: reading %s for %s: %w", f.cfg.Name, ev.IssueID, ev, err)
				return &Report{Flow: f.cfg.Name, Err: err}, err
			}
		}
		return f.Push(ctx, item)
	case f.targetKind, "target:" + f.targetKind:
		ref := tracker.Ref{Tracker: f.targetKind, ID: ev.IssueID}
		if ev.Kind == tracker.EventIssueDeleted {
			return f.targetDeleted(ctx, ref)
		}
		ticket := ev.Issue
		if ticket == nil {
			var err error
			if ticket, err = f.cfg.Target.GetIssue(ctx, ev.IssueID); errors.Is(err, tracker.ErrNotFound) {
				return f.targetDeleted(ctx, ref)
			} else if err != nil {
				err = fmt.Errorf("syncer: flow %q: reading %s for %s: %w", f.cfg.Name, ev.IssueID, ev, err)
				return &Report{Flow: f.cfg.Name, Err: err}, err
			}
		}
		return f.PushTarget(ctx, ticket)
	}
	return &Report{Flow: f.cfg.Name}, nil
}

// sourceDeleted closes the link of a deleted source item, closing its
// ticket first when Config.Deletions says so.
func (f *Flow) sourceDeleted(ctx context.Context, src tracker.Ref) (*Report, error) {
	r := f.newRun(1)
	defer r.flushAudit()
	d := &Decision{Source: src, Action: ActionUpdate}
	f.closeLink(ctx, r, d, func(link *store.Link) (string, error) {
		del := f.cfg.Deletions
		if !del.CloseTicket || link.State != store.StateLinked {
			return "the item was deleted; its ticket is left as it is", nil
		}
		if del.Comment != "" && f.tgtComm != nil {
			err := f.try(ctx, r, d, "comment", func() error {
				_, err := f.tgtComm.AddComment(ctx, link.Target.ID, del.Comment)
				return err
			})
			if err != nil && !errors.Is(err, tracker.ErrNotFound) {
				return "", fmt.Errorf("commenting on %s: %w", link.Target, err)
			}
		}
		if f.trans != nil {
			to := tracker.TransitionTarget{Category: tracker.CategoryDone}
			err := f.try(ctx, r, d, "transition", func() error { return f.trans.Transition(ctx, link.Target.ID, to) })
			if err != nil && !errors.Is(err, tracker.ErrNotFound) {
				return "", fmt.Errorf("closing %s: %w", link.Target, err)
			}
		}
		return "the item was deleted; its ticket was closed", nil
	})
	return r.report, r.report.Err
}

// targetDeleted closes the link of a deleted ticket, writing
// Config.Deletions.SourceChange onto the item first.
func (f *Flow) targetDeleted(ctx context.Context, ticket tracker.Ref) (*Report, error) {
	r := f.newRun(1)
	defer r.flushAudit()
	link, err := f.cfg.Store.GetLinkByTarget(ctx, f.cfg.Name, ticket)
	if errors.Is(err, store.ErrNotFound) {
		return r.report, nil // not the flow's ticket
	}
	if err != nil {
		r.report.Err = err
		return r.report, err
	}
	d := &Decision{Source: link.Source, Target: ticket, Action: ActionUpdate}
	f.closeLink(ctx, r, d, func(link *store.Link) (string, error) {
		ch := f.cfg.Deletions.SourceChange
		if ch == nil || ch.IsEmpty() || f.srcUpdate == nil {
			return "the ticket was deleted", nil
		}
		err := f.try(ctx, r, d, "write back", func() error { return f.srcUpdate.UpdateIssue(ctx, link.Source.ID, ch) })
		if err != nil && !errors.Is(err, tracker.ErrNotFound) {
			return "", fmt.Errorf("writing the deletion back onto %s: %w", link.Source, err)
		}
		r.note(Event{Kind: EventWroteBack, Source: link.Source, Target: ticket, Fields: changeFields(ch)})
		return "the ticket was deleted; the item was told", nil
	})
	return r.report, r.report.Err
}

// closeLink runs act under the item's lease and then closes its link. A
// link already closed, or none, is left alone.
func (f *Flow) closeLink(ctx context.Context, r *run, d *Decision, act func(*store.Link) (string, error)) {
	l, ok := f.lease(ctx, r, d)
	if !ok {
		return
	}
	defer f.release(l)
	link, err := f.getLink(ctx, d.Source)
	if err != nil {
		r.finish(d, Event{Kind: EventFailed, Reason: "reading link", Err: err})
		return
	}
	if link == nil || link.State == store.StateClosed {
		r.finish(d, Event{Kind: EventSkipped, Reason: ReasonUnchanged})
		return
	}
	d.Target = link.Target
	reason, err := act(link)
	if err != nil {
		f.failed(ctx, r, d, link, "handling a deletion", err)
		return
	}
	link.State = store.StateClosed
	link.Attempts, link.LastError = 0, ""
	link.FieldHashes = setHash(link.FieldHashes, keyClosedAt, f.cfg.Now().UTC().Format(time.RFC3339Nano))
	if err := f.cfg.Store.PutLink(ctx, link); err != nil {
		r.finish(d, Event{Kind: EventFailed, Reason: "closing link", Err: err})
		return
	}
	r.finish(d, Event{Kind: EventClosed, Reason: reason})
}

// changeFields names what a change sets.
func changeFields(ch *tracker.Change) []string {
	var out []string
	for name := range changeValues(ch) {
		out = append(out, name)
	}
	return out
}
