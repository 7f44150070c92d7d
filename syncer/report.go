package syncer

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Outcome is what happened to one item in [Flow.Apply].
type Outcome struct {
	Source tracker.Ref
	Action Action
	// Result is the event kind that ended the item's processing (created,
	// adopted, updated, wrote_back, skipped, deferred, failed, parked).
	Result EventKind
	Target tracker.Ref
	Key    string
	URL    string
	Fields []string
	Reason string
	Err    error
	// RetryAt is when a deferred item can go on.
	RetryAt time.Time
}

// Report sums up an Apply, Push or RunOnce. Every item handled has exactly
// one result: Created, Adopted, Updated, WroteBack (only the source was
// written), Unchanged, Skipped (with a reason in Skips), Deferred, Failed
// or Parked. WrittenBack counts, besides, every item whose source was
// written this run, whatever its result.
type Report struct {
	Flow string
	// Outcomes lists what happened to each item that was not simply
	// unchanged, in order, up to MaxOutcomes of them; the counts below
	// always cover every item, so a run over any number of items keeps a
	// report of bounded size. Observers see every outcome as it happens.
	Outcomes []Outcome
	// OutcomesDropped counts the outcomes past MaxOutcomes that were only
	// counted.
	OutcomesDropped int
	// Created counts tickets this run created: the create was sent by this
	// run and the ticket exists, whether its answer arrived or was lost
	// and the ticket found by its marker.
	Created int
	// Adopted counts tickets found by their marker that this run did not
	// create: left by an earlier run that crashed or lost its answer, or
	// by a flow whose store was lost (AdoptExisting).
	Adopted int
	// Updated counts tickets whose owned fields or status this run changed.
	Updated int
	// WroteBack counts items whose only action was writing the ticket's
	// state back onto the source.
	WroteBack int
	// Unchanged counts items that needed nothing.
	Unchanged int
	// Skipped counts items left alone on purpose (rule not matched, link
	// closed, parked, recurrence policy); Skips says why.
	Skipped int
	// Deferred counts items this run could not act on yet: another live
	// engine held their lease, or a create whose answer was lost cannot
	// be resolved until the target's search has caught up. They are done
	// by a later run, from RetryAt on.
	Deferred int
	// Failed counts items that failed this run; they are retried.
	Failed int
	// Parked counts items that failed too often and wait for Retry.
	Parked int
	// Closed counts links closed because their item or ticket was
	// deleted.
	Closed int
	// Conflicts counts fields that changed on both sides and were settled
	// by the flow's conflict policy (each is also an EventConflict).
	Conflicts int
	// WrittenBack counts items whose source was written this run (after a
	// create, an update or alone): one source write each.
	WrittenBack int
	// CommentsCreated, CommentsEdited and CommentsDeleted count the
	// mirrors of comments this run created, updated and deleted, on
	// either side.
	CommentsCreated, CommentsEdited, CommentsDeleted int
	// Skips counts skip reasons.
	Skips map[string]int
	// RetryAt is the earliest time all deferred items can go on.
	RetryAt time.Time
	// Err is set when the flow stopped early (circuit open, store failure).
	Err error
}

// Clean reports whether every item reached a final state this run: done,
// unchanged, skipped or parked. Failed items (retried next run) and
// deferred items make a run unclean, so the cursor does not move past
// them and the host can say that work is left.
func (r *Report) Clean() bool { return r.Err == nil && r.Failed == 0 && r.Deferred == 0 }

// Summary says in one line what the run did, naming only the non-zero
// counts: "created 3, adopted 1, unchanged 12, deferred 2 until 14:05:00".
func (r *Report) Summary() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", what, n))
		}
	}
	add(r.Created, "created")
	add(r.Adopted, "adopted")
	add(r.Updated, "updated")
	add(r.WroteBack, "wrote back")
	add(r.Unchanged, "unchanged")
	add(r.Skipped, "skipped")
	if r.Deferred > 0 {
		parts = append(parts, fmt.Sprintf("deferred %d until %s", r.Deferred, r.RetryAt.Format(time.TimeOnly)))
	}
	add(r.Failed, "failed")
	add(r.Parked, "parked")
	add(r.Closed, "closed")
	add(r.Conflicts, "conflicts settled")
	if r.WrittenBack > 0 {
		parts = append(parts, fmt.Sprintf("(%d written back onto the source)", r.WrittenBack))
	}
	if n := r.CommentsCreated + r.CommentsEdited + r.CommentsDeleted; n > 0 {
		parts = append(parts, fmt.Sprintf("(comments: %d mirrored, %d edited, %d deleted)", r.CommentsCreated, r.CommentsEdited, r.CommentsDeleted))
	}
	if len(parts) == 0 {
		return "nothing to do"
	}
	return strings.Join(parts, ", ")
}

// MaxOutcomes bounds Report.Outcomes.
const MaxOutcomes = 1000

// add lists and counts one item's outcome. Unchanged items, the bulk of
// every poll's overlap, are counted only.
func (r *Report) add(o Outcome) {
	if o.Result != EventSkipped || o.Reason != ReasonUnchanged {
		r.list(o)
	}
	switch o.Result {
	case EventCreated:
		r.Created++
	case EventAdopted:
		r.Adopted++
	case EventUpdated, EventTransitioned:
		r.Updated++
	case EventWroteBack:
		r.WroteBack++
	case EventSkipped:
		if o.Reason == ReasonUnchanged {
			r.Unchanged++
			break
		}
		r.Skipped++
		if r.Skips == nil {
			r.Skips = map[string]int{}
		}
		r.Skips[o.Reason]++
	case EventDeferred:
		r.Deferred++
		if o.RetryAt.After(r.RetryAt) {
			r.RetryAt = o.RetryAt
		}
	case EventFailed:
		r.Failed++
	case EventParked:
		r.Parked++
	case EventClosed:
		r.Closed++
	}
}

// list keeps an outcome, up to MaxOutcomes.
func (r *Report) list(o Outcome) {
	if len(r.Outcomes) < MaxOutcomes {
		r.Outcomes = append(r.Outcomes, o)
	} else {
		r.OutcomesDropped++
	}
}

// merge adds another report of the same flow: its outcomes and its counts.
func (r *Report) merge(o *Report) {
	for _, oc := range o.Outcomes {
		r.list(oc)
	}
	r.OutcomesDropped += o.OutcomesDropped
	r.Created += o.Created
	r.Adopted += o.Adopted
	r.Updated += o.Updated
	r.WroteBack += o.WroteBack
	r.Unchanged += o.Unchanged
	r.Skipped += o.Skipped
	r.Deferred += o.Deferred
	r.Failed += o.Failed
	r.Parked += o.Parked
	r.Closed += o.Closed
	r.Conflicts += o.Conflicts
	r.WrittenBack += o.WrittenBack
	r.CommentsCreated += o.CommentsCreated
	r.CommentsEdited += o.CommentsEdited
	r.CommentsDeleted += o.CommentsDeleted
	for reason, n := range o.Skips {
		if r.Skips == nil {
			r.Skips = map[string]int{}
		}
		r.Skips[reason] += n
	}
	if o.RetryAt.After(r.RetryAt) {
		r.RetryAt = o.RetryAt
	}
	if r.Err == nil {
		r.Err = o.Err
	}
}

// run carries one Apply's shared state.
type run struct {
	f       *Flow
	total   int
	done    atomic.Int64
	mu      sync.Mutex
	report  *Report
	audit   []*store.Event // event-log lines not written yet
	writing sync.WaitGroup // chunks of them being written
	pool    *pool          // Apply's workers; nil outside Apply
	pending sync.WaitGroup // the run's work on pool, follow-ups included
}

func (f *Flow) newRun(total int) *run {
	return &run{f: f, total: total, report: &Report{Flow: f.cfg.Name}}
}

func (r *run) emit(e Event) {
	e.Flow = r.f.cfg.Name
	if e.Time.IsZero() {
		e.Time = r.f.cfg.Now()
	}
	e.Total = r.total
	e.Done = int(r.done.Load())
	r.f.cfg.Observer.Observe(e)
}

// finish records the final outcome of an item and reports it.
func (r *run) finish(d *Decision, e Event) {
	e.Source = d.Source
	if e.Target.IsZero() {
		e.Target = d.Target
	}
	r.done.Add(1)
	r.emit(e)
	r.mu.Lock()
	r.report.add(Outcome{Source: d.Source, Action: d.Action, Result: e.Kind, Target: e.Target, Key: e.Key, URL: e.URL, Fields: e.Fields, Reason: e.Reason, Err: e.Err, RetryAt: e.RetryAt})
	r.record(e)
	r.mu.Unlock()
}

// deferUntil finishes an item that cannot go on before at.
func (r *run) deferUntil(d *Decision, at time.Time, reason string) {
	r.finish(d, Event{Kind: EventDeferred, Reason: reason, RetryAt: at})
}

// comments adds one item's comment writes to the report.
func (r *run) comments(n commentCounts) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.report.CommentsCreated += n.created
	r.report.CommentsEdited += n.edited
	r.report.CommentsDeleted += n.deleted
}

// note reports an event that does not end the item's processing to the
// observer and the event log.
func (r *run) note(e Event) {
	r.emit(e)
	r.mu.Lock()
	switch e.Kind {
	case EventWroteBack:
		r.report.WrittenBack++
	case EventConflict:
		r.report.Conflicts++
	}
	r.record(e)
	r.mu.Unlock()
}

// auditChunk is how many event-log lines a run gathers before writing them
// while it goes on: writing them all at the end would stall the store's
// writer (one at a time in SQLite) for a whole batch's worth at once.
const auditChunk = 64

// record adds e's line to the event log; r.mu must be held.
func (r *run) record(e Event) {
	ev := r.f.auditEvent(e)
	if ev == nil {
		return
	}
	r.audit = append(r.audit, ev)
	if len(r.audit) >= auditChunk {
		chunk := r.audit
		r.audit = nil
		r.writing.Add(1)
		go func() {
			defer r.writing.Done()
			r.writeAudit(chunk)
		}()
	}
}

// auditEvent turns an outcome into a line of the store's event log, or nil
// for the common "unchanged" skip, which would flood it.
func (f *Flow) auditEvent(e Event) *store.Event {
	if e.Kind == EventSkipped && e.Reason == ReasonUnchanged {
		return nil
	}
	ev := &store.Event{Flow: f.cfg.Name, Time: e.Time, Kind: string(e.Kind), Source: e.Source, Target: e.Target, Message: e.Reason}
	if e.Err != nil {
		ev.Message = e.Reason + ": " + e.Err.Error()
	}
	if e.Key != "" {
		ev.Attrs = map[string]string{"key": e.Key}
	}
	return ev
}

// flushAudit writes the run's event-log lines not written yet and waits for
// the chunks being written. The log is an audit trail, not state: if a
// write fails the sync has still happened, so the failure goes to the
// observer, not the caller.
func (r *run) flushAudit() {
	r.mu.Lock()
	evs := r.audit
	r.audit = nil
	r.mu.Unlock()
	r.writeAudit(evs)
	r.writing.Wait()
}

// writeAudit appends lines to the event log.
func (r *run) writeAudit(evs []*store.Event) {
	if len(evs) == 0 {
		return
	}
	// Detached: the trail is worth writing even when the run was cancelled.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.f.cfg.Store.AppendEvents(ctx, evs...); err != nil {
		r.emit(Event{Kind: EventFailed, Reason: "writing the event log", Err: err})
	}
}
