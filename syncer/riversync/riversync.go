// Package riversync runs sync flows across a host's replicas on the
// PostgreSQL it already has, with River (github.com/riverqueue/river) as the
// job engine. Work is split in two kinds of job:
//
//   - A poll job per flow, inserted by River's periodic job scheduler,
//     which runs on the elected leader only, and unique while it waits or
//     runs, so one poll of a flow runs at a time (on any replica). It reads
//     what changed on the flow's source since the cursor (and on the
//     target when the flow polls it), plans each batch without side effects
//     to leave out items with nothing to do (the echoes of the engine's own
//     writes, items no rule selects), enqueues one item job per remaining
//     item, and then moves the cursor. It applies nothing.
//   - An item job per flow, side and item id, unique while it waits or
//     runs, so a burst of polls and webhook events for one item collapses
//     into one job. Any replica's workers take it: the worker hands it to
//     the flow as an event naming the item ([syncer.Flow.Handle]), which
//     reads the item and syncs it, or handles its deletion. A failure
//     returns an error, so River retries it with backoff; an item deferred
//     by the engine (another engine holds its lease, a lost create waiting
//     for the target's search) is snoozed until it can go on. A change
//     made while the item's job runs, after it read the item, is picked up
//     by the next poll (its update time is past the cursor).

// Webhook events ride the same path: [Jobs.InsertEvent] (or
// [Jobs.EventJobs] inside the host's own transaction) enqueues the same
// item job for a tracker.Event.
//
// The flow's store keeps the sync state (links, cursors, hashes) as in one
// process; per-item leases stay the last line against double work should a
// job run twice (a killed replica's job is taken over and run again; the
// lease and the pending link's marker keep that from creating a second
// ticket).
//
// A host that already runs River registers the workers on its own client
// with [AddWorkers], adds [Jobs.PeriodicJobs] to its River config and
// starts a [Jobs.NewTakeOver] before the client. A host
// that does not uses [NewEngine], which migrates River's tables and runs a
// client of its own. Each replica builds its own [syncer.Flow] values, with
// the same names and a distinct [syncer.Config.Owner].
//
// Timing: a replica that stops cleanly, or whose context is cancelled,
// hands its jobs back at once. A replica killed outright leaves its jobs
// marked running in River's table. An [Engine] notices within
// EngineConfig.TakeOverInterval (2 s) that such a replica's PostgreSQL
// session is gone and puts its item jobs at the front of the queue; the
// first run of each breaks the dead replica's lease on its item
// ([syncer.Flow.BreakLease]) rather than wait for it to lapse. A host
// running its own River client gets the same with a [TakeOver]. Jobs of a
// client without one are rescued by River's rescuer after
// river.Config.RescueStuckJobsAfter (at least JobTimeout) and up to
// River's rescue interval (30 s) more.
package riversync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Job kinds, as River stores them.
const (
	// KindPoll is the kind of the per-flow poll job.
	KindPoll = "trackbridge_poll"
	// KindItem is the kind of the per-item job.
	KindItem = "trackbridge_item"
)

// DefaultPollInterval is how often a flow is polled when
// Config.PollInterval is zero.
const DefaultPollInterval = time.Minute

// Config tunes the jobs of every flow given to [AddWorkers]. The zero value
// is usable.
type Config struct {
	// PollInterval is how often each flow's source (and target) is polled
	// for changes (default DefaultPollInterval). A poll that fails is tried
	// again at the next tick; one that runs short of its job's time with
	// changes left goes on at once in a new run.
	PollInterval time.Duration
	// Queue is the River queue the jobs go to (default river.QueueDefault).
	Queue string
	// MaxAttempts is how often River runs a failing item job before it
	// discards it (default River's, 25). The engine parks an item after
	// its own syncer.Config.MaxAttempts failed runs; a parked item's job
	// completes.
	MaxAttempts int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// PollArgs are the arguments of a flow's poll job.
type PollArgs struct {
	// Flow names the flow to poll.
	Flow string `json:"flow"`
}

// Kind returns KindPoll.
func (PollArgs) Kind() string { return KindPoll }

// InsertOpts make a flow's poll job unique while it waits or runs, so a
// slow poll is never run twice at once.
func (PollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: waitingOrRunning()}}
}

// ItemArgs are the arguments of an item job: one item of one flow.
type ItemArgs struct {
	// Flow names the flow.
	Flow string `json:"flow"`
	// Side is store.SideSource for a source item, store.SideTarget for a
	// target ticket whose state is written back.
	Side store.Side `json:"side"`
	// ID is the item's id in its tracker.
	ID string `json:"id"`
}

// Kind returns KindItem.
func (ItemArgs) Kind() string { return KindItem }

// InsertOpts make an item job unique per flow, side and item while it waits
// or runs: events and polls for an item that already has a job collapse
// into it. Completed jobs do not count, so a change after a job finished
// gets a new one.
func (ItemArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: waitingOrRunning()}}
}

// waitingOrRunning is the unique states: River requires available,
// pending, running and scheduled; retryable joins them, so a failing job
// waiting for its retry also absorbs new events.
func waitingOrRunning() []rivertype.JobState {
	return []rivertype.JobState{
		rivertype.JobStateAvailable,
		rivertype.JobStatePending,
		rivertype.JobStateRunning,
		rivertype.JobStateScheduled,
		rivertype.JobStateRetryable,
	}
}

// Inserter inserts jobs; *river.Client[pgx.Tx] is one.
type Inserter interface {
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Jobs runs a set of flows on River. It is made by [AddWorkers] and safe
// for concurrent use.
type Jobs struct {
	cfg   Config
	flows map[string]*syncer.Flow
	names []string
}

// AddWorkers registers the poll and item workers for flows on workers (a
// host's own river.Workers) and returns the Jobs that enqueue their work.
// Add [Jobs.PeriodicJobs] to the host's river.Config.PeriodicJobs. Flow
// names must be unique; every replica must register the same flows.
func AddWorkers(workers *river.Workers, cfg Config, flows ...*syncer.Flow) (*Jobs, error) {
	if workers == nil {
		return nil, errors.New("riversync: no river.Workers")
	}
	if len(flows) == 0 {
		return nil, errors.New("riversync: no flows")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Queue == "" {
		cfg.Queue = river.QueueDefault
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	j := &Jobs{cfg: cfg, flows: map[string]*syncer.Flow{}}
	for _, f := range flows {
		if f == nil {
			return nil, errors.New("riversync: nil flow")
		}
		if _, dup := j.flows[f.Name()]; dup {
			return nil, fmt.Errorf("riversync: flow %q given twice", f.Name())
		}
		j.flows[f.Name()] = f
		j.names = append(j.names, f.Name())
	}
	if err := river.AddWorkerSafely(workers, &pollWorker{jobs: j}); err != nil {
		return nil, fmt.Errorf("riversync: adding poll worker: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &itemWorker{jobs: j}); err != nil {
		return nil, fmt.Errorf("riversync: adding item worker: %w", err)
	}
	return j, nil
}

// PeriodicJobs returns one periodic poll job per flow, run every
// Config.PollInterval and once when a replica becomes leader. Put them in
// river.Config.PeriodicJobs (or add them with Client.PeriodicJobs().AddMany).
func (j *Jobs) PeriodicJobs() []*river.PeriodicJob {
	out := make([]*river.PeriodicJob, 0, len(j.names))
	for _, name := range j.names {
		out = append(out, river.NewPeriodicJob(river.PeriodicInterval(j.cfg.PollInterval),
			func() (river.JobArgs, *river.InsertOpts) {
				// A failed poll is not retried with backoff: the next tick
				// polls again, and a poll waiting out a backoff would keep
				// the ticks out (the job is unique).
				return PollArgs{Flow: name}, &river.InsertOpts{Queue: j.cfg.Queue, MaxAttempts: 1}
			},
			&river.PeriodicJobOpts{ID: KindPoll + "_" + name, RunOnStart: true}))
	}
	return out
}

// Item job priorities: River runs the jobs of a higher priority (a lower
// number) first. Jobs a poll enqueues are the backlog; an event's job and
// a job taken over from a replica that is gone go before it, so that
// neither waits behind a long backlog.
const (
	priorityUrgent  = 1
	priorityBacklog = 2
)

// opts are the insert options every job gets from Config; the unique
// options come from the args.
func (j *Jobs) opts() *river.InsertOpts {
	return &river.InsertOpts{Queue: j.cfg.Queue, MaxAttempts: j.cfg.MaxAttempts}
}

// ItemJob returns the insert parameters of the item job for one item of a
// flow, for a host that inserts it itself (InsertManyTx in its own
// transaction).
func (j *Jobs) ItemJob(flow string, side store.Side, id string) (river.InsertManyParams, error) {
	if _, ok := j.flows[flow]; !ok {
		return river.InsertManyParams{}, fmt.Errorf("riversync: unknown flow %q", flow)
	}
	if side != store.SideSource && side != store.SideTarget {
		return river.InsertManyParams{}, fmt.Errorf("riversync: unknown side %q", side)
	}
	if id == "" {
		return river.InsertManyParams{}, fmt.Errorf("riversync: flow %q: item without an id", flow)
	}
	return river.InsertManyParams{Args: ItemArgs{Flow: flow, Side: side, ID: id}, InsertOpts: j.opts()}, nil
}

// EventJobs returns the item jobs an event asks for: one for every flow
// whose source or target is the event's tracker. The job syncs what the
// event names through [syncer.Flow.Handle] (changes, comments, deletions),
// reading the issue when it runs, so the event's payload is not kept. An
// event no flow is concerned with yields none.
func (j *Jobs) EventJobs(ev tracker.Event) ([]river.InsertManyParams, error) {
	if err := ev.Validate(); err != nil {
		return nil, fmt.Errorf("riversync: %w", err)
	}
	var out []river.InsertManyParams
	for _, name := range j.names {
		src, tgt := j.flows[name].Kinds()
		side := store.SideSource
		switch ev.Tracker {
		case src:
			// A flow between two sites of one tracker tells the sides
			// apart in Handle, by its links.
		case tgt:
			side = store.SideTarget
		default:
			continue
		}
		out = append(out, river.InsertManyParams{Args: ItemArgs{Flow: name, Side: side, ID: ev.IssueID}, InsertOpts: j.opts()})
	}
	return out, nil
}

// InsertEvent enqueues the item jobs for an event (see [Jobs.EventJobs]).
// Its signature fits a webhook receiver's tracker.EventHandler once ins is
// bound: func(ctx, ev) error { return jobs.InsertEvent(ctx, client, ev) }.
func (j *Jobs) InsertEvent(ctx context.Context, ins Inserter, ev tracker.Event) error {
	params, err := j.EventJobs(ev)
	if err != nil || len(params) == 0 {
		return err
	}
	if _, err := ins.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("riversync: enqueueing %s: %w", ev, err)
	}
	return nil
}

// Handler returns a tracker.EventHandler that enqueues each event's item
// jobs with ins.
func (j *Jobs) Handler(ins Inserter) tracker.EventHandler {
	return func(ctx context.Context, ev tracker.Event) error { return j.InsertEvent(ctx, ins, ev) }
}

func (j *Jobs) flow(name string) (*syncer.Flow, error) {
	f, ok := j.flows[name]
	if !ok {
		// Another replica knows a flow this one does not: leave the job for
		// a retry rather than dropping it.
		return nil, fmt.Errorf("riversync: flow %q is not registered on this replica", name)
	}
	return f, nil
}

// pollWorker reads what changed on a flow's source (and target) and
// enqueues an item job per item that needs work.
type pollWorker struct {
	river.WorkerDefaults[PollArgs]
	jobs *Jobs
}

// Work polls one flow.
func (w *pollWorker) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	f, err := w.jobs.flow(job.Args.Flow)
	if err != nil {
		return err
	}
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return fmt.Errorf("riversync: flow %q: poll job without a pgx River client: %w", f.Name(), err)
	}
	more, err := w.jobs.poll(ctx, f, store.SideSource, client)
	if err == nil && !more && f.PollsTarget() {
		more, err = w.jobs.poll(ctx, f, store.SideTarget, client)
	}
	if err != nil {
		return err
	}
	if more {
		// Out of time with changes left: run again at once, from the
		// cursor, rather than be cut off by the job's timeout.
		return river.JobSnooze(0)
	}
	return nil
}

// outOfTime reports whether a job whose context has a deadline should not
// start another step like one that took took: less than twice that is left.
func outOfTime(ctx context.Context, took time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < 2*took
}

// poll reads one side in batches. For source items the flow plans each
// batch (a dry run, reading links only) and only items with something to
// do get a job: the echoes of the engine's own writes, and items the rule
// does not select, cost no job. Jobs are enqueued before the cursor moves,
// so a poll cut short enqueues again rather than losing items. more is
// set when the job's time ran short with batches left.
func (j *Jobs) poll(ctx context.Context, f *syncer.Flow, side store.Side, ins Inserter) (more bool, err error) {
	var b *syncer.Batch
	for {
		start := time.Now()
		b, err = f.ReadBatch(ctx, side, b)
		if err != nil {
			return false, fmt.Errorf("riversync: %w", err)
		}
		ids, err := j.needWork(ctx, f, b)
		if err != nil {
			return false, err
		}
		if len(ids) > 0 {
			params := make([]river.InsertManyParams, len(ids))
			for i, id := range ids {
				opts := j.opts()
				opts.Priority = priorityBacklog
				params[i] = river.InsertManyParams{Args: ItemArgs{Flow: f.Name(), Side: side, ID: id}, InsertOpts: opts}
			}
			if _, err := ins.InsertMany(ctx, params); err != nil {
				return false, fmt.Errorf("riversync: flow %q: enqueueing %d %s items: %w", f.Name(), len(ids), side, err)
			}
		}
		if err := f.Advance(ctx, b); err != nil {
			return false, fmt.Errorf("riversync: %w", err)
		}
		if !b.More {
			return false, nil
		}
		if outOfTime(ctx, time.Since(start)) {
			return true, nil
		}
	}
}

// needWork returns the ids in a batch that need a job.
func (j *Jobs) needWork(ctx context.Context, f *syncer.Flow, b *syncer.Batch) ([]string, error) {
	if len(b.Items) == 0 {
		return nil, nil
	}
	if b.Side == store.SideTarget {
		// A search paged by offset may return an item twice; one insert
		// must not name a unique job twice.
		var ids []string
		seen := map[string]bool{}
		for _, it := range b.Items {
			if !seen[it.ID] {
				seen[it.ID] = true
				ids = append(ids, it.ID)
			}
		}
		return ids, nil
	}
	p, err := f.Plan(ctx, b.Items...)
	if err != nil {
		return nil, fmt.Errorf("riversync: flow %q: planning: %w", f.Name(), err)
	}
	var ids []string
	for _, d := range p.Decisions {
		if d.Action != syncer.ActionSkip {
			ids = append(ids, d.Source.ID)
		}
	}
	return ids, nil
}

// itemWorker reads one item and applies it through its flow.
type itemWorker struct {
	river.WorkerDefaults[ItemArgs]
	jobs *Jobs
}

// Work syncs one item through the flow's event entry, as a webhook event
// naming the item would: the flow reads the item, syncs it (fields,
// write-back, comments), and handles its deletion when it is gone.
func (w *itemWorker) Work(ctx context.Context, job *river.Job[ItemArgs]) error {
	a := job.Args
	f, err := w.jobs.flow(a.Flow)
	if err != nil {
		return err
	}
	src, tgt := f.Kinds()
	ev := tracker.Event{Kind: tracker.EventIssueChanged, Tracker: src, IssueID: a.ID}
	if a.Side == store.SideTarget {
		ev.Tracker = tgt
	}
	rep, err := f.Handle(ctx, ev)
	if err == nil && rep != nil && rep.Deferred > 0 && freshTakeOver(job) {
		// The item's lease is still the gone replica's: its job was
		// running there, and no other job of the item ran since (item
		// jobs are unique). Break it rather than wait for it to lapse.
		if held := leaseHeld(rep); held != nil && f.BreakLease(ctx, held) == nil {
			rep, err = f.Handle(ctx, ev)
		}
	}
	if errors.Is(err, tracker.ErrUnsupported) {
		// The flow cannot do this (no way to write back): retrying will not
		// help.
		return river.JobCancel(fmt.Errorf("riversync: flow %q %s item %s: %w", a.Flow, a.Side, a.ID, err))
	}
	return w.jobs.result(a, rep, err)
}

// freshTakeOver reports whether job was taken over from a gone replica
// and runs for the first time: not retried, not snoozed.
func freshTakeOver(job *river.Job[ItemArgs]) bool {
	if job.Attempt != 1 || len(job.Errors) > 0 {
		return false
	}
	var meta map[string]any
	if json.Unmarshal(job.Metadata, &meta) != nil {
		return false
	}
	_, taken := meta[metaTakenOverFrom]
	_, snoozed := meta["snoozes"] // River counts a job's snoozes here
	return taken && !snoozed
}

// leaseHeld returns the lease another engine holds that deferred an item
// in rep, if any.
func leaseHeld(rep *syncer.Report) *store.LeaseHeldError {
	for _, o := range rep.Outcomes {
		var held *store.LeaseHeldError
		if o.Result == syncer.EventDeferred && errors.As(o.Err, &held) {
			return held
		}
	}
	return nil
}

// minSnooze keeps a job deferred "now" (the item busy in another call of
// this replica) from spinning.
const minSnooze = 250 * time.Millisecond

// result turns the engine's report into River's terms: an error to retry,
// a snooze for a deferred item, or done.
func (j *Jobs) result(a ItemArgs, rep *syncer.Report, err error) error {
	if err != nil {
		return fmt.Errorf("riversync: flow %q %s item %s: %w", a.Flow, a.Side, a.ID, err)
	}
	if rep == nil {
		return nil
	}
	if rep.Failed > 0 {
		return fmt.Errorf("riversync: flow %q %s item %s: %s", a.Flow, a.Side, a.ID, rep.Summary())
	}
	if rep.Deferred > 0 {
		return river.JobSnooze(max(rep.RetryAt.Sub(j.cfg.Now()), minSnooze))
	}
	return nil
}
