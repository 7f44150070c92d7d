package syncer

import (
	"context"
	"fmt"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// update writes changed owned fields (after moving the ticket, so workflow
// validators and webhooks see the final status first) and any write-back
// still due.
func (f *Flow) update(ctx context.Context, r *run, d *Decision, link *store.Link, start time.Time) {
	var wrote []string
	target, backDue, err := f.sourceSideConflicts(ctx, r, d, link)
	if err != nil {
		f.failed(ctx, r, d, link, "reading ticket to compare fields synced both ways", err)
		return
	}
	if d.Transition != nil {
		cur := &tracker.Issue{ID: link.Target.ID}
		if err := f.transitionTarget(ctx, r, d, link, cur, d.Transition); err != nil {
			f.failed(ctx, r, d, link, "transition", err)
			return
		}
		wrote = append(wrote, "status")
	}
	if d.Change != nil && !d.Change.IsEmpty() {
		err := f.try(ctx, r, d, "update", func() error { return f.updater.UpdateIssue(ctx, link.Target.ID, d.Change) })
		if err != nil {
			f.failed(ctx, r, d, link, "updating ticket", err)
			return
		}
		for _, name := range d.Fields {
			link.FieldHashes = setHash(link.FieldHashes, targetPrefix+name, hashValue(d.result.Owned[name]))
		}
		wrote = append(wrote, d.Fields...)
	}
	wroteBack := false
	if d.WriteBack || backDue {
		if target == nil {
			if target, err = f.getTarget(ctx, r, d, link); err != nil {
				f.failed(ctx, r, d, link, "reading ticket for write-back", err)
				return
			}
		}
		fields, err := f.writeBack(ctx, r, d, link, target, true)
		if err != nil {
			f.failed(ctx, r, d, link, "writing back", err)
			return
		}
		wroteBack = len(fields) > 0
	}
	var comments commentCounts
	if d.Comments {
		if comments, err = f.syncComments(ctx, r, d, link, d.Item, target); err != nil {
			f.failed(ctx, r, d, link, "syncing comments", err)
			return
		}
		r.comments(comments)
	}
	// The link changed in memory, written or not: a write-back was due,
	// a conflict moved a hash, the comment map changed, failures are to
	// be forgotten, or this version of the item is newly handled.
	linkChanged := d.WriteBack || backDue || comments.dirty || link.Attempts > 0 ||
		(d.Comments && d.Item != nil && !handled(link, keySourceSeen, d.Item.Updated))
	if len(wrote) == 0 && !wroteBack && comments.total() == 0 && !linkChanged {
		r.finish(d, Event{Kind: EventSkipped, Reason: ReasonUnchanged, Target: link.Target})
		return
	}
	link.Attempts, link.LastError = 0, ""
	if d.Item != nil {
		seen(link, keySourceSeen, d.Item.Updated)
	}
	if err := f.cfg.Store.PutLink(ctx, link); err != nil {
		r.finish(d, Event{Kind: EventFailed, Reason: "storing link", Err: err})
		return
	}
	kind := EventUpdated
	switch {
	case len(wrote) > 0 || comments.total() > 0:
		if comments.total() > 0 {
			wrote = append(wrote, "comments")
		}
	case wroteBack:
		kind = EventWroteBack
	default:
		r.finish(d, Event{Kind: EventSkipped, Reason: ReasonUnchanged, Target: link.Target})
		return
	}
	r.finish(d, Event{Kind: kind, Target: link.Target, Fields: wrote, Duration: time.Since(start)})
}

// transitionTarget moves the ticket when it is not already where the
// mapping wants it, and records the move on the link.
func (f *Flow) transitionTarget(ctx context.Context, r *run, d *Decision, link *store.Link, target *tracker.Issue, to *tracker.TransitionTarget) error {
	already := (to.Status != "" && target.Status == to.Status) ||
		(to.Status == "" && to.Category != tracker.CategoryUnknown && target.StatusCategory == to.Category)
	if !already {
		err := f.try(ctx, r, d, "transition", func() error { return f.trans.Transition(ctx, link.Target.ID, *to) })
		if err != nil {
			return fmt.Errorf("moving %s to %s: %w", link.Target, to, err)
		}
		r.emit(Event{Kind: EventTransitioned, Source: d.Source, Target: link.Target, Reason: to.String()})
	}
	link.FieldHashes = setHash(link.FieldHashes, keyTargetStatus, hashValue(to))
	if to.Category == tracker.CategoryDone {
		link.FieldHashes = setHash(link.FieldHashes, keyTargetDoneAt, f.cfg.Now().UTC().Format(time.RFC3339Nano))
		link.FieldHashes = setHash(link.FieldHashes, keyTargetResolve, to.Resolution)
	} else {
		delete(link.FieldHashes, keyTargetDoneAt)
		delete(link.FieldHashes, keyTargetResolve)
	}
	return nil
}

func (f *Flow) getTarget(ctx context.Context, r *run, d *Decision, link *store.Link) (*tracker.Issue, error) {
	var t *tracker.Issue
	err := f.try(ctx, r, d, "get ticket", func() error {
		var err error
		t, err = f.cfg.Target.GetIssue(ctx, link.Target.ID)
		return err
	})
	return t, err
}
