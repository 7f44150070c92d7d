package riversync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
)

// metaTakenOverFrom is the metadata key naming the gone replica an item
// job was taken over from.
const metaTakenOverFrom = "trackbridge:taken_over_from"

// DefaultTakeOverInterval is how often an [Engine] looks for the running
// jobs of replicas that are gone, when EngineConfig.TakeOverInterval is
// zero.
const DefaultTakeOverInterval = 2 * time.Second

// A replica killed outright (SIGKILL, a lost machine) leaves the jobs it was
// running marked running in River's table. River's rescuer runs them again
// only once they have run RescueStuckJobsAfter, at its next pass (every
// 30 s), and then behind every job already queued: a minute or more. An
// Engine takes them over sooner, by telling a dead replica from a slow one
// with what PostgreSQL already knows:
//
//   - Each Engine holds a session advisory lock named after its River
//     schema and client id on a connection of its own while it runs.
//     PostgreSQL ends the session, and so releases the lock, as soon as
//     the process dies.
//   - Every TakeOverInterval each Engine lists the running jobs of
//     trackbridge's kinds and the advisory locks held. A replica it has
//     seen holding its lock whose lock is now free is gone: in one
//     transaction its running jobs are finalized (cancelled, with an error
//     saying why) and each item job is inserted again at the front of the
//     queue (priority 1; polls enqueue at 2). A poll job is not: the next
//     tick polls from the cursor, which that poll had not moved. The item
//     jobs a replica stopping at once handed back (they failed, to be
//     retried) are moved to priority 1 as well.
//   - The first run of a taken-over item job that finds the item's lease
//     held breaks it: the job was running on the gone replica and item
//     jobs are unique, so the holder can only be that replica.
//
// Several engines may take over the same jobs at once: the update only
// touches jobs still running since before the replica was seen gone, and
// item jobs are unique, so the second insert collapses into the first.
// Should a replica's lock connection be lost while the replica still runs,
// its jobs run twice; the per-item leases and the create markers keep that
// from doing anything twice. A replica never seen holding its lock (killed
// within its first TakeOverInterval, or a host's own River client that
// holds none) is left to River's rescuer, as are the jobs a replica left
// running before it was restarted under the same id: holding its lock
// again, it is not gone.

// replicaLockKey is the advisory lock key a replica with River client id
// holds while it runs on River's tables in schema. Advisory locks belong
// to the database: the schema keeps replicas of separate River schemas
// with the same ids apart.
func replicaLockKey(schema, clientID string) int64 {
	h := fnv.New64a()
	h.Write([]byte("trackbridge/riversync replica\x00" + schema + "\x00" + clientID))
	return int64(h.Sum64())
}

// liveness holds a replica's advisory lock on a connection of its own.
type liveness struct {
	clientID string
	mu       sync.Mutex
	schema   string // River's schema; "" until the first lock finds the search_path's
	conn     *pgx.Conn
}

// key returns the lock key of the replica clientID in this replica's
// schema.
func (l *liveness) key(clientID string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return replicaLockKey(l.schema, clientID)
}

// ErrReplicaRunning is returned by [Engine.Start] when a live replica
// already runs with the same River client id.
var ErrReplicaRunning = errors.New("riversync: a replica with this River client id is already running")

// lock takes the replica's lock on a connection of its own, hijacked from
// pool so that closing it ends the session (and the lock) rather than
// handing a locked connection back to the pool.
func (l *liveness) lock(ctx context.Context, pool *pgxpool.Pool) error {
	pc, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("riversync: liveness connection: %w", err)
	}
	conn := pc.Hijack()
	l.mu.Lock()
	schema := l.schema
	l.mu.Unlock()
	if schema == "" {
		// River's tables are found through the search_path.
		if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			_ = conn.Close(context.WithoutCancel(ctx))
			return fmt.Errorf("riversync: liveness lock: %w", err)
		}
		l.mu.Lock()
		l.schema = schema
		l.mu.Unlock()
	}
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", l.key(l.clientID)).Scan(&got); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return fmt.Errorf("riversync: liveness lock: %w", err)
	}
	if !got {
		_ = conn.Close(context.WithoutCancel(ctx))
		return ErrReplicaRunning
	}
	l.mu.Lock()
	old := l.conn
	l.conn = conn
	l.mu.Unlock()
	if old != nil {
		_ = old.Close(context.WithoutCancel(ctx))
	}
	return nil
}

// check makes sure the lock is still held, taking it again on a new
// connection when the old one was lost.
func (l *liveness) check(ctx context.Context, pool *pgxpool.Pool) error {
	l.mu.Lock()
	conn := l.conn
	l.mu.Unlock()
	if conn != nil && !conn.IsClosed() && conn.Ping(ctx) == nil {
		return nil
	}
	return l.lock(ctx, pool)
}

// release ends the lock's session.
func (l *liveness) release(ctx context.Context) {
	l.mu.Lock()
	conn := l.conn
	l.conn = nil
	l.mu.Unlock()
	if conn != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}
}

// sweep finds the running jobs of replicas that are gone and hands them
// to the live ones.
type sweep struct {
	live   *liveness // for the lock keys
	pool   *pgxpool.Pool
	client *river.Client[pgx.Tx]
	jobs   *Jobs
	schema string
	// seen are the replicas seen holding their lock; gone those seen
	// since with their lock free, and when.
	seen map[string]bool
	gone map[string]time.Time
	// now is the clock of the errors written on taken-over jobs.
	now func() time.Time
}

// heldLocks lists the advisory keys held in this database.
const heldLocks = `SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks
WHERE locktype = 'advisory' AND objsubid = 1 AND granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`

// run takes over the jobs of the replicas found gone since the last run
// and returns how many item jobs it enqueued again.
func (t *sweep) run(ctx context.Context) (int, error) {
	res, err := t.client.JobList(ctx, river.NewJobListParams().
		States(rivertype.JobStateRunning).Kinds(KindItem, KindPoll).First(10_000))
	if err != nil {
		return 0, fmt.Errorf("riversync: listing running jobs: %w", err)
	}
	if len(res.Jobs) == 0 && len(t.seen) == 0 && len(t.gone) == 0 {
		return 0, nil
	}
	rows, err := t.pool.Query(ctx, heldLocks)
	if err != nil {
		return 0, fmt.Errorf("riversync: listing replica locks: %w", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("riversync: listing replica locks: %w", err)
	}
	held := make(map[int64]bool, len(keys))
	for _, k := range keys {
		held[k] = true
	}
	now := t.now()
	// Only a replica seen holding its lock can be found gone: a host's own
	// River client holds none. One holding it again was restarted under
	// its id, and is no longer gone.
	for _, job := range res.Jobs {
		if n := len(job.AttemptedBy); n > 0 && held[t.live.key(job.AttemptedBy[n-1])] {
			t.seen[job.AttemptedBy[n-1]] = true
			delete(t.gone, job.AttemptedBy[n-1])
		}
	}
	for by := range t.gone {
		if held[t.live.key(by)] {
			delete(t.gone, by)
		}
	}
	for by := range t.seen {
		if !held[t.live.key(by)] {
			delete(t.seen, by)
			t.gone[by] = now
		}
	}
	var orphans []*rivertype.JobRow
	for _, job := range res.Jobs {
		if len(job.AttemptedBy) == 0 || job.AttemptedAt == nil {
			continue
		}
		if _, ok := t.gone[job.AttemptedBy[len(job.AttemptedBy)-1]]; ok {
			orphans = append(orphans, job)
		}
	}
	if err := t.hurry(ctx, now); err != nil {
		return 0, err
	}
	if len(orphans) == 0 {
		return 0, nil
	}
	return t.hand(ctx, orphans)
}

// goneFor is how long the jobs a gone replica handed back are hurried.
const goneFor = 5 * time.Minute

// hurry moves the item jobs that gone replicas handed back (a replica
// stopping at once lets its running jobs fail, to be retried) to the
// front of the queue: without it they would wait behind the whole poll
// backlog. Only the priority of jobs still waiting changes.
func (t *sweep) hurry(ctx context.Context, now time.Time) error {
	var by []string
	for id, at := range t.gone {
		if now.Sub(at) > goneFor {
			delete(t.gone, id)
			continue
		}
		by = append(by, id)
	}
	if len(by) == 0 {
		return nil
	}
	table := "river_job"
	if t.schema != "" {
		table = pgx.Identifier{t.schema, "river_job"}.Sanitize()
	}
	_, err := t.pool.Exec(ctx, "UPDATE "+table+` SET priority = $1
WHERE state IN ('available', 'retryable', 'scheduled') AND kind = $2 AND priority > $1
  AND attempted_by[array_upper(attempted_by, 1)] = ANY($3)`, priorityUrgent, KindItem, by)
	if err != nil {
		return fmt.Errorf("riversync: hurrying the jobs of gone replicas: %w", err)
	}
	return nil
}

// hand finalizes the jobs of gone replicas and enqueues their item jobs
// again, in one transaction.
func (t *sweep) hand(ctx context.Context, gone []*rivertype.JobRow) (int, error) {
	now := t.now()
	p := &riverdriver.JobRescueManyParams{Schema: t.schema}
	var again []river.InsertManyParams
	for _, job := range gone {
		by := job.AttemptedBy[len(job.AttemptedBy)-1]
		msg, err := json.Marshal(rivertype.AttemptError{
			At: now, Attempt: job.Attempt,
			Error: fmt.Sprintf("riversync: replica %q is gone (its liveness lock is free); job taken over", by),
		})
		if err != nil {
			return 0, fmt.Errorf("riversync: taking over job %d: %w", job.ID, err)
		}
		p.ID = append(p.ID, job.ID)
		p.Error = append(p.Error, msg)
		p.FinalizedAt = append(p.FinalizedAt, &now)
		p.ScheduledAt = append(p.ScheduledAt, job.ScheduledAt)
		p.State = append(p.State, string(rivertype.JobStateCancelled))
		// Only jobs still in the attempt seen here: a job another engine
		// took over and a live replica started since is left alone.
		if job.AttemptedAt.After(p.StuckHorizon) {
			p.StuckHorizon = *job.AttemptedAt
		}
		if job.Kind != KindItem {
			continue
		}
		var a ItemArgs
		if err := json.Unmarshal(job.EncodedArgs, &a); err != nil {
			return 0, fmt.Errorf("riversync: taking over job %d: args: %w", job.ID, err)
		}
		opts := t.jobs.opts()
		opts.Priority = priorityUrgent
		if opts.Metadata, err = json.Marshal(map[string]string{metaTakenOverFrom: by}); err != nil {
			return 0, fmt.Errorf("riversync: taking over job %d: %w", job.ID, err)
		}
		again = append(again, river.InsertManyParams{Args: a, InsertOpts: opts})
	}
	p.StuckHorizon = p.StuckHorizon.Add(time.Microsecond)

	tx, err := t.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("riversync: taking over %d jobs: %w", len(gone), err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	// River's own statement for rescuing stuck jobs, through its driver.
	if _, err := riverpgxv5.New(nil).UnwrapExecutor(tx).JobRescueMany(ctx, p); err != nil {
		return 0, fmt.Errorf("riversync: taking over %d jobs: %w", len(gone), err)
	}
	if len(again) > 0 {
		if _, err := t.client.InsertManyTx(ctx, tx, again); err != nil {
			return 0, fmt.Errorf("riversync: enqueueing %d taken-over items: %w", len(again), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("riversync: taking over %d jobs: %w", len(gone), err)
	}
	return len(again), nil
}

// TakeOverConfig configures a [TakeOver]. The zero value is usable.
type TakeOverConfig struct {
	// Interval is how often the replicas that are gone are looked for
	// (default DefaultTakeOverInterval). Negative turns the take-over off:
	// Start then takes no lock, and this replica's jobs are left to River's
	// rescuer should it die.
	Interval time.Duration
	// Schema is the PostgreSQL schema of River's tables (default: the
	// connection's search_path).
	Schema string
	// Logger receives the errors of the take-over's rounds (default:
	// warnings and errors to standard error).
	Logger *slog.Logger
}

// TakeOver holds a replica's liveness lock while it runs and takes over
// the running jobs of replicas that are gone (see the package's Timing
// notes). An [Engine] runs one itself. A host that runs trackbridge's
// workers on its own River client makes one per replica with
// [Jobs.NewTakeOver] and starts it before the client, so that its jobs
// are taken over within seconds should it die, rather than when River's
// rescuer comes round.
type TakeOver struct {
	pool     *pgxpool.Pool
	client   *river.Client[pgx.Tx]
	interval time.Duration
	logger   *slog.Logger
	live     *liveness
	sweep    *sweep

	mu      sync.Mutex
	stopped chan struct{} // closed to end the loop; nil until Start
	done    chan struct{} // closed when it has ended
}

// NewTakeOver returns the take-over of the replica whose River client is
// client, on pool. The client must run the workers [AddWorkers] registered
// for j, and every replica must run one for another to take its jobs
// over.
func (j *Jobs) NewTakeOver(pool *pgxpool.Pool, client *river.Client[pgx.Tx], cfg TakeOverConfig) (*TakeOver, error) {
	if pool == nil {
		return nil, errors.New("riversync: take-over: no pgx pool")
	}
	if client == nil {
		return nil, errors.New("riversync: take-over: no River client")
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultTakeOverInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	live := &liveness{clientID: client.ID(), schema: cfg.Schema}
	return &TakeOver{
		pool: pool, client: client, interval: cfg.Interval, logger: cfg.Logger, live: live,
		sweep: &sweep{live: live, pool: pool, client: client, jobs: j, schema: cfg.Schema,
			seen: map[string]bool{}, gone: map[string]time.Time{}, now: j.cfg.Now},
	}, nil
}

// Start takes this replica's liveness lock, failing with an error matching
// ErrReplicaRunning when a live replica of the same River schema has the
// client's id, and looks for replicas that are gone every interval until
// ctx ends or Stop is called; then the lock is given back.
func (t *TakeOver) Start(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped != nil {
		return errors.New("riversync: take-over already started")
	}
	if t.interval > 0 {
		if err := t.live.lock(ctx, t.pool); err != nil {
			if errors.Is(err, ErrReplicaRunning) {
				return fmt.Errorf("%w: %q", err, t.client.ID())
			}
			return err
		}
	}
	t.stopped, t.done = make(chan struct{}), make(chan struct{})
	go t.loop(ctx, t.stopped, t.done)
	return nil
}

// loop runs the rounds and keeps the lock held until ctx ends or stopped
// is closed; then it gives the lock back.
func (t *TakeOver) loop(ctx context.Context, stopped, done chan struct{}) {
	defer close(done)
	defer t.live.release(ctx)
	if t.interval <= 0 {
		select {
		case <-ctx.Done():
		case <-stopped:
		}
		return
	}
	tick := time.NewTicker(t.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-stopped:
			return
		case <-tick.C:
		}
		if err := t.live.check(ctx, t.pool); err != nil && ctx.Err() == nil {
			t.logger.ErrorContext(ctx, "riversync: keeping the liveness lock", slog.String("error", err.Error()))
		}
		if _, err := t.sweep.run(ctx); err != nil && ctx.Err() == nil {
			t.logger.ErrorContext(ctx, "riversync: taking over jobs", slog.String("error", err.Error()))
		}
	}
}

// Stop ends the rounds and gives the lock back. Stop the River client
// first: a replica whose lock is free while its jobs still run may have
// them taken over.
func (t *TakeOver) Stop() {
	t.mu.Lock()
	stopped, done := t.stopped, t.done
	if stopped != nil {
		select {
		case <-stopped:
		default:
			close(stopped)
		}
	}
	t.mu.Unlock()
	if done != nil {
		<-done
	}
}
