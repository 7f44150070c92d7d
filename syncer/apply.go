package syncer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
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
	// Result is the event kind that ended the item's processing
	// (created, adopted, updated, skipped, failed, parked).
	Result EventKind
	Target tracker.Ref
	Key    string
	URL    string
	Fields []string
	Reason string
	Err    error
}

// Report sums up an Apply, Push or RunOnce.
type Report struct {
	Flow     string
	Outcomes []Outcome
	// Counts by result.
	Created, Adopted, Updated, WroteBack, Skipped, Failed, Parked int
	// Deferred counts items skipped because another engine held their
	// lease; they are also in Skipped. A dead engine's leases expire after
	// LeaseTTL, so these items are done by a later run.
	Deferred int
	// Skips counts skip reasons.
	Skips map[string]int
	// Err is set when the flow stopped early (circuit open, store failure).
	Err error
}

// Clean reports whether every item reached a final state this run: done,
// skipped or parked. Failed items (retried next run) and items deferred to
// another engine's lease make a run unclean, so the cursor does not move
// past them: if that engine died before storing anything, the item must
// still be seen again.
func (r *Report) Clean() bool { return r.Err == nil && r.Failed == 0 && r.Deferred == 0 }

func (r *Report) add(o Outcome) {
	r.Outcomes = append(r.Outcomes, o)
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
		r.Skipped++
		if r.Skips == nil {
			r.Skips = map[string]int{}
		}
		r.Skips[o.Reason]++
		if o.Reason == ReasonLeased {
			r.Deferred++
		}
	case EventFailed:
		r.Failed++
	case EventParked:
		r.Parked++
	}
}

func (r *Report) merge(o *Report) {
	for _, oc := range o.Outcomes {
		r.add(oc)
	}
	if r.Err == nil {
		r.Err = o.Err
	}
}

// run carries one Apply's shared state.
type run struct {
	f      *Flow
	total  int
	done   atomic.Int64
	mu     sync.Mutex
	report *Report
	audit  []*store.Event
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
	r.report.add(Outcome{Source: d.Source, Action: d.Action, Result: e.Kind, Target: e.Target, Key: e.Key, URL: e.URL, Fields: e.Fields, Reason: e.Reason, Err: e.Err})
	if ev := r.f.auditEvent(e); ev != nil {
		r.audit = append(r.audit, ev)
	}
	r.mu.Unlock()
}

// note reports an event that does not end the item's processing to the
// observer and the event log.
func (r *run) note(e Event) {
	r.emit(e)
	r.mu.Lock()
	if ev := r.f.auditEvent(e); ev != nil {
		r.audit = append(r.audit, ev)
	}
	r.mu.Unlock()
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

// flushAudit appends the run's outcomes to the store's event log in one
// write. The log is an audit trail, not state: if the write fails the sync
// has still happened, so the failure goes to the observer, not the caller.
func (r *run) flushAudit() {
	r.mu.Lock()
	evs := r.audit
	r.audit = nil
	r.mu.Unlock()
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

// Apply executes a plan. Each item is handled under its lease; if its link
// changed since the plan was made (another engine got there first), the
// item is decided again. Creates go in bulk where the target allows.
func (f *Flow) Apply(ctx context.Context, p *Plan) (*Report, error) {
	r := &run{f: f, total: len(p.Decisions), report: &Report{Flow: f.cfg.Name}}
	defer r.flushAudit()
	if err := f.breakerErr(); err != nil {
		for _, d := range p.Decisions {
			r.finish(d, Event{Kind: EventSkipped, Reason: ReasonCircuitOpen, Err: err})
		}
		r.report.Err = err
		return r.report, err
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
	for len(creates) > 0 {
		n := min(len(creates), f.cfg.BulkSize)
		units = append(units, creates[:n])
		creates = creates[n:]
	}
	jobs := make(chan []*Decision)
	var wg sync.WaitGroup
	for range min(f.cfg.Concurrency, max(len(units), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				if len(u) > 1 || (u[0].Action == ActionCreate && f.bulk != nil && !u[0].Replace) {
					f.bulkCreate(ctx, r, u)
				} else {
					f.one(ctx, r, u[0])
				}
			}
		}()
	}
	for _, u := range units {
		jobs <- u
	}
	close(jobs)
	wg.Wait()
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

// lease takes the item's lease; ok is false when another engine holds it
// (the item is then finished as skipped).
func (f *Flow) lease(ctx context.Context, r *run, d *Decision) (*store.Lease, bool) {
	l, err := f.cfg.Store.AcquireLease(ctx, f.leaseKey(d.Source), f.cfg.Owner, f.cfg.LeaseTTL)
	if errors.Is(err, store.ErrLeaseHeld) {
		r.finish(d, Event{Kind: EventSkipped, Reason: ReasonLeased})
		return nil, false
	}
	if err != nil {
		r.finish(d, Event{Kind: EventFailed, Reason: "acquiring lease", Err: err})
		return nil, false
	}
	return l, true
}

// keep renews held leases every third of their TTL until stop is called,
// so a slow vendor (a long Retry-After) cannot let a lease expire under
// work in progress and another engine act on the same item. If a lease is
// lost anyway, the returned context is cancelled so the work stops.
func (f *Flow) keep(ctx context.Context, leases ...*store.Lease) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(f.cfg.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				for _, l := range leases {
					rctx, rcancel := context.WithTimeout(ctx, f.cfg.LeaseTTL/3)
					err := f.cfg.Store.RenewLease(rctx, l, f.cfg.LeaseTTL)
					rcancel()
					if errors.Is(err, store.ErrLeaseLost) {
						cancel()
						return
					}
				}
			}
		}
	}()
	return ctx, func() { close(done); cancel() }
}

func (f *Flow) release(l *store.Lease) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = f.cfg.Store.ReleaseLease(ctx, l)
}

// fresh re-reads the item's link under its lease and decides again if it
// changed since the plan.
func (f *Flow) fresh(ctx context.Context, d *Decision) (*Decision, *store.Link, error) {
	link, err := f.getLink(ctx, d.Source)
	if err != nil {
		return d, nil, err
	}
	if (link != nil) != d.hasLink || (link != nil && link.Version != d.linkVersion) {
		d = f.decide(d.Item, link)
	}
	return d, link, nil
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

// create makes the ticket for d: pending link first, then the ticket with
// the link's marker, then the link becomes linked.
func (f *Flow) create(ctx context.Context, r *run, d *Decision, link *store.Link, start time.Time) {
	if link == nil {
		link = &store.Link{Flow: f.cfg.Name, Source: d.Source, State: store.StatePending, CorrelationKey: f.Marker(d.Source)}
		if err := f.cfg.Store.PutLink(ctx, link); err != nil {
			r.finish(d, Event{Kind: EventFailed, Reason: "storing pending link", Err: err})
			return
		}
		if f.cfg.AdoptExisting {
			// resolve adopts a ticket carrying the marker, or comes back
			// here with the pending link to create one.
			f.resolve(ctx, r, d, link, start)
			return
		}
	}
	in := *d.Create
	in.Marker = link.CorrelationKey
	var issue *tracker.Issue
	err := f.try(ctx, r, d, "create", func() error {
		var err error
		issue, err = f.creator.CreateIssue(ctx, &in)
		return err
	})
	if err != nil {
		f.failed(ctx, r, d, link, "creating ticket", err)
		return
	}
	f.linked(ctx, r, d, link, issue, &in, EventCreated, start)
}

// linked records a new or adopted ticket on the link, moves it to its
// mapped status and runs the write-back.
func (f *Flow) linked(ctx context.Context, r *run, d *Decision, link *store.Link, issue *tracker.Issue, in *tracker.NewIssue, kind EventKind, start time.Time) {
	f.succeeded()
	link.State = store.StateLinked
	link.Target = tracker.Ref{Tracker: f.targetKind, ID: issue.ID}
	d.Target = link.Target
	link.Attempts, link.LastError = 0, ""
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

func setHash(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// resolve finishes an interrupted create: adopt the ticket carrying the
// marker, or create it.
func (f *Flow) resolve(ctx context.Context, r *run, d *Decision, link *store.Link, start time.Time) {
	if f.finder == nil {
		// The target recognises a repeated create by its marker.
		f.create(ctx, r, d, link, start)
		return
	}
	var found []*tracker.Issue
	err := f.try(ctx, r, d, "find marker", func() error {
		var err error
		found, err = f.finder.FindByMarker(ctx, link.CorrelationKey)
		return err
	})
	if err != nil {
		f.failed(ctx, r, d, link, "finding marker "+link.CorrelationKey, err)
		return
	}
	if len(found) == 0 {
		if d.Create == nil || (d.result != nil && !d.result.Match) {
			// Nothing was created and the item no longer qualifies.
			if err := f.cfg.Store.DeleteLink(ctx, link); err != nil {
				r.finish(d, Event{Kind: EventFailed, Reason: "dropping pending link", Err: err})
				return
			}
			r.finish(d, Event{Kind: EventSkipped, Reason: ReasonRuleNotMatched})
			return
		}
		f.create(ctx, r, d, link, start)
		return
	}
	oldest := found[0]
	for _, is := range found[1:] {
		if is.Created.Before(oldest.Created) {
			oldest = is
		}
	}
	if len(found) > 1 {
		for _, is := range found {
			if is != oldest {
				r.emit(Event{Kind: EventDuplicate, Source: d.Source, Target: tracker.Ref{Tracker: f.targetKind, ID: is.ID}, Key: is.Key, Reason: "also carries marker " + link.CorrelationKey + "; kept " + oldest.Key})
			}
		}
	}
	f.linked(ctx, r, d, link, oldest, d.Create, EventAdopted, start)
}

// update writes changed owned fields (after moving the ticket, so workflow
// validators and webhooks see the final status first) and any write-back
// still due.
func (f *Flow) update(ctx context.Context, r *run, d *Decision, link *store.Link, start time.Time) {
	var wrote []string
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
	if d.WriteBack {
		target, err := f.getTarget(ctx, r, d, link)
		if err != nil {
			f.failed(ctx, r, d, link, "reading ticket for write-back", err)
			return
		}
		if _, err := f.writeBack(ctx, r, d, link, target, true); err != nil {
			f.failed(ctx, r, d, link, "writing back", err)
			return
		}
	}
	link.Attempts, link.LastError = 0, ""
	if err := f.cfg.Store.PutLink(ctx, link); err != nil {
		r.finish(d, Event{Kind: EventFailed, Reason: "storing link", Err: err})
		return
	}
	kind := EventUpdated
	if len(wrote) == 0 {
		kind = EventWroteBack
	}
	r.finish(d, Event{Kind: kind, Target: link.Target, Fields: wrote, Duration: time.Since(start)})
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

// writeBack writes the target's state onto the source: after-create
// actions once, and the back-mapping whenever its values differ from what
// was last written (so the engine's own echo writes nothing). The link is
// updated in memory; the caller stores it. It returns the source fields it
// wrote.
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
	vals := changeValues(ch)
	changed := false
	for name, v := range vals {
		if link.FieldHashes[sourcePrefix+name] != hashValue(v) {
			changed = true
		}
	}
	// Sources that can move only through their own transitions get the
	// back-mapped status that way; the change carries it for the rest.
	moveSource := back.Transition != nil && f.srcTrans != nil && link.FieldHashes[keySourceStatus] != hashValue(back.Transition)
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
	r.emit(Event{Kind: EventWroteBack, Source: d.Source, Target: link.Target, Fields: fields})
	return fields, nil
}

// try runs op, retrying transient failures with exponential backoff.
func (f *Flow) try(ctx context.Context, r *run, d *Decision, what string, op func() error) error {
	wait := f.cfg.RetryWait
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil || !tracker.IsTransient(err) || attempt > f.cfg.Retries || ctx.Err() != nil {
			return err
		}
		r.emit(Event{Kind: EventRetrying, Source: d.Source, Target: d.Target, Reason: what, Err: err, Attempt: attempt + 1})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-f.cfg.Sleep(wait):
		}
		wait *= 2
	}
}

// failed records a failure on the link: counted, parked after MaxAttempts,
// never dropped. Configuration errors trip the flow's circuit breaker.
func (f *Flow) failed(ctx context.Context, r *run, d *Decision, link *store.Link, what string, err error) {
	if tracker.IsConfigError(err) || f.repeatedInvalid(err) {
		f.trip(err)
		r.emit(Event{Kind: EventCircuitOpen, Source: d.Source, Reason: what, Err: err})
	}
	link.Attempts++
	link.LastError = what + ": " + err.Error()
	kind := EventFailed
	if link.Attempts >= f.cfg.MaxAttempts && !tracker.IsConfigError(err) {
		link.Parked = true
		kind = EventParked
	}
	// A detached context: the bookkeeping must survive a cancelled run.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if perr := f.cfg.Store.PutLink(sctx, link); perr != nil {
		err = errors.Join(err, fmt.Errorf("recording the failure: %w", perr))
	}
	r.finish(d, Event{Kind: kind, Target: link.Target, Reason: what, Err: err, Attempt: link.Attempts})
}

// repeatedInvalid counts items failing in a row with the same
// invalid-request error (numbers such as input indexes ignored) and reports
// when there have been BreakerInvalid of them.
func (f *Flow) repeatedInvalid(err error) bool {
	f.breakerMu.Lock()
	defer f.breakerMu.Unlock()
	if !errors.Is(err, tracker.ErrInvalid) {
		f.lastInvalid, f.invalidCount = "", 0
		return false
	}
	key := digits.ReplaceAllString(err.Error(), "#")
	if key == f.lastInvalid {
		f.invalidCount++
	} else {
		f.lastInvalid, f.invalidCount = key, 1
	}
	return f.invalidCount >= f.cfg.BreakerInvalid
}

var digits = regexp.MustCompile(`[0-9]+`)

// succeeded resets the count of repeated invalid-request errors.
func (f *Flow) succeeded() {
	f.breakerMu.Lock()
	f.lastInvalid, f.invalidCount = "", 0
	f.breakerMu.Unlock()
}

func (f *Flow) trip(err error) {
	f.breakerMu.Lock()
	defer f.breakerMu.Unlock()
	if f.tripErr == nil || f.cfg.Now().After(f.breakerTill) {
		f.tripErr = err
		f.breakerTill = f.cfg.Now().Add(f.cfg.BreakerCooldown)
	}
}

// breakerErr returns the error that opened the circuit, or nil when it is
// closed (never tripped, or its cooldown has passed).
func (f *Flow) breakerErr() error {
	f.breakerMu.Lock()
	defer f.breakerMu.Unlock()
	if f.tripErr == nil || f.cfg.Now().After(f.breakerTill) {
		f.tripErr = nil
		return nil
	}
	return fmt.Errorf("%w: flow %q: %w", ErrCircuitOpen, f.cfg.Name, f.tripErr)
}
