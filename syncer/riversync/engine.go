package riversync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/tracker"
)

// EngineConfig configures [NewEngine]. The zero value is usable.
type EngineConfig struct {
	// Config tunes the jobs.
	Config
	// Schema is the PostgreSQL schema of River's tables (default: the
	// connection's search_path). It must exist.
	Schema string
	// Workers is how many jobs this replica runs at once (default 16).
	Workers int
	// FetchCooldown is the least time between two fetches of new jobs by
	// this replica (default 10 ms). A sync job mostly waits on a vendor
	// (tens of milliseconds), so River's own default of 100 ms would leave
	// workers idle between fetches.
	FetchCooldown time.Duration
	// ID names this replica in River (default: River's, from the host
	// name and time). Two live replicas must not share one.
	ID string
	// TakeOverInterval is how often this replica looks for the running
	// jobs of replicas that are gone and takes them over (default
	// DefaultTakeOverInterval; negative turns it off, leaving them to
	// River's rescuer).
	TakeOverInterval time.Duration
	// JobTimeout bounds one job (default 1 minute).
	JobTimeout time.Duration
	// RescueStuckJobsAfter is when River's rescuer runs a job still
	// running again elsewhere; at least JobTimeout (default JobTimeout).
	// A killed replica's jobs are taken over sooner (TakeOverInterval);
	// the rescuer is for jobs the take-over cannot tell are orphaned.
	RescueStuckJobsAfter time.Duration
	// Logger receives River's logs (default: warnings and errors to
	// standard error, River's default).
	Logger *slog.Logger
	// SkipMigrate leaves River's migrations to the host.
	SkipMigrate bool
}

// Engine is a River client running trackbridge's jobs alone, for a host
// that does not run River itself. Run one per replica.
type Engine struct {
	client   *river.Client[pgx.Tx]
	jobs     *Jobs
	takeOver *TakeOver
}

// migrateLock keeps replicas starting at once from running River's
// migrations side by side.
const migrateLock = int64(0x7472_6b62_7276) // "trkbrv"

// NewEngine migrates River's tables on pool (under an advisory lock, so
// replicas may start together) unless SkipMigrate is set, and returns an
// engine running flows' jobs. Call Start to run it.
func NewEngine(ctx context.Context, pool *pgxpool.Pool, cfg EngineConfig, flows ...*syncer.Flow) (*Engine, error) {
	if pool == nil {
		return nil, errors.New("riversync: no pgx pool")
	}
	driver := riverpgxv5.New(pool)
	if !cfg.SkipMigrate {
		if err := Migrate(ctx, pool, cfg.Schema); err != nil {
			return nil, err
		}
	}
	workers := river.NewWorkers()
	jobs, err := AddWorkers(workers, cfg.Config, flows...)
	if err != nil {
		return nil, err
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = time.Minute
	}
	if cfg.FetchCooldown <= 0 {
		cfg.FetchCooldown = 10 * time.Millisecond
	}
	cfg.RescueStuckJobsAfter = max(cfg.RescueStuckJobsAfter, cfg.JobTimeout)
	client, err := river.NewClient(driver, &river.Config{
		ID:                   cfg.ID,
		Schema:               cfg.Schema,
		Logger:               cfg.Logger,
		Queues:               map[string]river.QueueConfig{jobs.cfg.Queue: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		FetchCooldown:        cfg.FetchCooldown,
		PeriodicJobs:         jobs.PeriodicJobs(),
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueStuckJobsAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("riversync: river client: %w", err)
	}
	takeOver, err := jobs.NewTakeOver(pool, client, TakeOverConfig{Interval: cfg.TakeOverInterval, Schema: cfg.Schema, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	return &Engine{client: client, jobs: jobs, takeOver: takeOver}, nil
}

// Migrate runs River's migrations up in schema ("" for the connection's
// search_path) under an advisory lock, so replicas starting at once do not
// run them side by side. It is a no-op when they are current.
func Migrate(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("riversync: migrating river: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return fmt.Errorf("riversync: migrating river: %w", err)
	}
	defer func() {
		// Unlocked on a detached context: a cancelled start must not leave
		// the lock held by a pooled connection.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, "SELECT pg_advisory_unlock($1)", migrateLock); err != nil {
			conn.Conn().Close(uctx) //nolint:errcheck // the lock goes with the session
		}
	}()
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: schema})
	if err != nil {
		return fmt.Errorf("riversync: migrating river: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("riversync: migrating river: %w", err)
	}
	return nil
}

// Start runs the engine: it takes this replica's liveness lock (see
// EngineConfig.TakeOverInterval), then starts its River client, whose
// workers take jobs and which, when elected leader, inserts the periodic
// poll jobs. Cancelling ctx stops it at once (jobs in flight are cancelled
// and retried elsewhere); Stop stops it gently.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.takeOver.Start(ctx); err != nil {
		return err
	}
	if err := e.client.Start(ctx); err != nil {
		e.takeOver.Stop()
		return fmt.Errorf("riversync: starting river: %w", err)
	}
	return nil
}

// Stop lets jobs in flight finish and stops the engine; then it releases
// its liveness lock.
func (e *Engine) Stop(ctx context.Context) error {
	err := e.client.Stop(ctx)
	e.takeOver.Stop()
	if err != nil {
		return fmt.Errorf("riversync: stopping river: %w", err)
	}
	return nil
}

// Client returns the engine's River client (to subscribe to job events,
// or insert jobs in a transaction).
func (e *Engine) Client() *river.Client[pgx.Tx] { return e.client }

// Jobs returns the engine's jobs.
func (e *Engine) Jobs() *Jobs { return e.jobs }

// HandleEvent enqueues an event's item jobs; it is a tracker.EventHandler
// for webhook receivers.
func (e *Engine) HandleEvent(ctx context.Context, ev tracker.Event) error {
	return e.jobs.InsertEvent(ctx, e.client, ev)
}
