package riversync_test

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/riversync"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/postgres"
	"github.com/trackbridge/trackbridge/tracker"
)

const postgresDSNVar = "TRACKBRIDGE_POSTGRES_DSN"

// postgresDSN returns the test database's DSN. Without one the test fails
// in CI and is skipped elsewhere, naming the variable to set.
func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(postgresDSNVar)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must provide a PostgreSQL database", postgresDSNVar)
		}
		t.Skipf("set %s to a PostgreSQL database to run this test", postgresDSNVar)
	}
	return dsn
}

// cluster is one PostgreSQL schema holding River's tables and the link
// store, the ExtraHop and Jira fakes, and the replicas running on them.
type cluster struct {
	t      testing.TB
	dsn    string
	schema string
	eh     *extrahoptest.Server
	jr     *jiratest.Server
}

// newCluster makes a fresh schema (dropped at cleanup) with River's tables
// migrated, and the fakes.
func newCluster(t testing.TB, latency time.Duration) *cluster {
	t.Helper()
	dsn := postgresDSN(t)
	c := &cluster{t: t, dsn: withParam(dsn, "synchronous_commit=off"), schema: fmt.Sprintf("rs_%d", time.Now().UnixNano())}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{c.schema}.Sanitize())
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err == nil {
			_, _ = conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{c.schema}.Sanitize()+" CASCADE")
			_ = conn.Close(context.Background())
		}
	})
	pool := c.pool(4)
	require.NoError(t, riversync.Migrate(ctx, pool, c.schema))
	pool.Close()

	c.eh = extrahoptest.NewServer(t, extrahoptest.WithLatency(latency))
	c.jr = jiratest.NewServer(t, jiratest.WithLatency(latency))
	return c
}

// withParam adds a run-time parameter to a DSN: the test schemas are
// thrown away, so commits need not wait for the disk.
func withParam(dsn, param string) string {
	if strings.Contains(dsn, "://") {
		if strings.Contains(dsn, "?") {
			return dsn + "&" + param
		}
		return dsn + "?" + param
	}
	return dsn + " " + param
}

// pool opens a pgx pool on the cluster's schema.
func (c *cluster) pool(maxConns int32) *pgxpool.Pool {
	cfg, err := pgxpool.ParseConfig(c.dsn)
	require.NoError(c.t, err)
	cfg.MaxConns = maxConns
	cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{c.schema}.Sanitize()
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(c.t, err)
	return p
}

// seedRisky adds detections that all pass the S3 rule (risk 30+).
func (c *cluster) seedRisky(n int) {
	for i := range n {
		risk := 30 + i%70
		c.eh.Add(extrahop.Detection{
			Title:       fmt.Sprintf("Suspicious activity %d", i),
			Description: "Seen on the network.",
			Type:        "rdp_brute_force",
			Categories:  []string{"sec.attack"},
			RiskScore:   &risk,
		})
	}
}

// done reports whether every detection has its ticket written back and
// Jira holds n tickets.
func (c *cluster) done(n int) bool {
	// Cheap first: every write-back is one PATCH of a detection.
	if c.eh.RequestCount("PATCH /api/v1/detections/{id}") < n {
		return false
	}
	ds := c.eh.Detections()
	for _, d := range ds {
		if d.TicketID == nil {
			return false
		}
	}
	// Jira's snapshot is dear: looked at only once the write-backs are in.
	return len(ds) >= n && len(c.jr.Issues()) >= n
}

// waitDone waits until done(n), or fails after limit. It watches the
// replicas' River job events rather than sleeping.
func (c *cluster) waitDone(n int, limit time.Duration, rs ...*replica) time.Time {
	c.t.Helper()
	deadline := time.After(limit)
	for !c.done(n) {
		select {
		case <-deadline:
			c.t.Fatalf("not done after %s: %d tickets of %d", limit, len(c.jr.Issues()), n)
		case <-anyJobEnd(rs):
		}
	}
	return time.Now()
}

// waitDoneWatching waits until done(n) when the replicas run in other
// processes, looking every 50 ms, and fails after limit.
func (c *cluster) waitDoneWatching(n int, limit time.Duration) time.Time {
	c.t.Helper()
	deadline := time.After(limit)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !c.done(n) {
		select {
		case <-deadline:
			c.t.Fatalf("not done after %s: %d tickets of %d", limit, len(c.jr.Issues()), n)
		case <-tick.C:
		}
	}
	return time.Now()
}

// duplicates counts tickets beyond the first carrying one marker.
func (c *cluster) duplicates() int {
	perMarker := map[string]int{}
	dups := 0
	for _, is := range c.jr.Issues() {
		for _, l := range is.Labels {
			if strings.HasPrefix(l, "tb-") {
				perMarker[l]++
				if perMarker[l] > 1 {
					dups++
				}
			}
		}
	}
	return dups
}

// linked counts the flow's linked links.
func (c *cluster) linked(st store.Store) int {
	n := 0
	for l, err := range st.ListLinks(context.Background(), "s3", store.Filter{State: store.StateLinked}) {
		require.NoError(c.t, err)
		if l != nil {
			n++
		}
	}
	return n
}

// countingSource counts what one replica reads from ExtraHop: items
// returned by searches and items read one by one.
type countingSource struct {
	*extrahop.Adapter
	searched atomic.Int64
	got      atomic.Int64
}

func (s *countingSource) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return func(yield func(*tracker.Issue, error) bool) {
		for it, err := range s.Adapter.SearchIssues(ctx, q) {
			if err == nil {
				s.searched.Add(1)
			}
			if !yield(it, err) {
				return
			}
		}
	}
}

func (s *countingSource) GetIssue(ctx context.Context, id string) (*tracker.Issue, error) {
	s.got.Add(1)
	return s.Adapter.GetIssue(ctx, id)
}

// replica is one engine: its own pgx pools (River and link store), its own
// vendor clients, its own River client.
type replica struct {
	name   string
	flow   *syncer.Flow
	store  *postgres.Store
	engine *riversync.Engine
	source *countingSource
	cancel context.CancelFunc

	itemJobs atomic.Int64 // item jobs this replica finished, snoozed or failed
	polls    atomic.Int64 // poll jobs this replica ran
	jobEnd   chan struct{}
	stopped  chan struct{}
	// stop stops the replica gently and closes its pools; cleanup calls it
	// too.
	stop func()
}

// replicaOpts tune the test replicas.
type replicaOpts struct {
	workers      int
	pollInterval time.Duration
	leaseTTL     time.Duration
	jobTimeout   time.Duration
	// fetchCooldown is River's least time between fetches (0: the
	// engine's default).
	fetchCooldown time.Duration
}

// pgConns bounds each of a replica's two pools: four replicas, and the
// other packages' tests, must fit in PostgreSQL's default 100 connections.
const pgConns = 8

// replicaEnv is what a replica needs to find the database and the fakes;
// a replica in a child process gets it in its environment.
type replicaEnv struct {
	DSN, Schema, ExtraHop, Jira, Name string
	Opts                              replicaOpts
}

// parts is one replica's engine and what it is built on.
type parts struct {
	flow   *syncer.Flow
	store  *postgres.Store
	source *countingSource
	pool   *pgxpool.Pool
	engine *riversync.Engine
}

// buildReplica builds a replica: its own pgx pools (River and link store),
// its own vendor clients, its own River client.
func buildReplica(ctx context.Context, e replicaEnv) (*parts, error) {
	o := e.Opts
	p := &parts{}
	var err error
	if p.store, err = postgres.Open(ctx, e.DSN, postgres.WithSchema(e.Schema), postgres.WithMaxConns(pgConns)); err != nil {
		return nil, err
	}
	ec, err := extrahop.New(e.ExtraHop, extrahop.WithAPIKey(extrahoptest.DefaultAPIKey), extrahop.WithRetryWait(time.Millisecond, 5*time.Millisecond), extrahop.WithMaxConns(o.workers+4))
	if err != nil {
		return nil, err
	}
	ea, err := extrahop.NewAdapter(ec, extrahop.AdapterConfig{})
	if err != nil {
		return nil, err
	}
	p.source = &countingSource{Adapter: ea}
	jc, err := jira.New(e.Jira, jira.WithBasicAuth(jiratest.Email, jiratest.APIToken), jira.WithRetryWait(time.Millisecond, 5*time.Millisecond), jira.WithMaxConns(o.workers+4))
	if err != nil {
		return nil, err
	}
	// The fake's search shows a ticket as soon as it is made, unlike Jira
	// Cloud's index (60 s); 2 s covers a create still in flight when its
	// replica stopped, before the ticket is made again.
	ja, err := jira.NewAdapter(jc, jira.AdapterConfig{MarkerSearchLag: 2 * time.Second})
	if err != nil {
		return nil, err
	}
	spec, err := mapping.Builtin("extrahop-to-jira")
	if err != nil {
		return nil, err
	}
	if p.flow, err = syncer.New(syncer.Config{
		Name: "s3", Source: p.source, Target: ja, Mapping: spec.Flows[0], Store: p.store,
		Owner: e.Name, LeaseTTL: o.leaseTTL, Overlap: 10 * time.Millisecond,
	}); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(e.DSN)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = pgConns
	cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{e.Schema}.Sanitize()
	if p.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, err
	}
	p.engine, err = riversync.NewEngine(ctx, p.pool, riversync.EngineConfig{
		Config:               riversync.Config{PollInterval: o.pollInterval},
		Schema:               e.Schema,
		Workers:              o.workers,
		FetchCooldown:        o.fetchCooldown,
		ID:                   e.Name,
		JobTimeout:           o.jobTimeout,
		RescueStuckJobsAfter: o.jobTimeout,
		Logger:               slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
		SkipMigrate:          true,
	}, p.flow)
	return p, err
}

// env is the replicaEnv of a replica of this cluster.
func (c *cluster) env(name string, o replicaOpts) replicaEnv {
	return replicaEnv{DSN: c.dsn, Schema: c.schema, ExtraHop: c.eh.URL(), Jira: c.jr.URL(), Name: name, Opts: o}
}

// startReplica builds and starts one replica in this process.
func (c *cluster) startReplica(name string, o replicaOpts) *replica {
	t := c.t
	t.Helper()
	ctx := context.Background()
	p, err := buildReplica(ctx, c.env(name, o))
	require.NoError(t, err)
	f, st, src, pool, eng := p.flow, p.store, p.source, p.pool, p.engine
	r := &replica{name: name, flow: f, store: st, engine: eng, source: src, jobEnd: make(chan struct{}, 1), stopped: make(chan struct{})}
	events, cancelSub := eng.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed, river.EventKindJobCancelled)
	go func() {
		defer close(r.stopped)
		for ev := range events {
			switch ev.Job.Kind {
			case riversync.KindItem:
				r.itemJobs.Add(1)
			case riversync.KindPoll:
				r.polls.Add(1)
			}
			select {
			case r.jobEnd <- struct{}{}:
			default:
			}
		}
	}()
	runCtx, cancel := context.WithCancel(ctx)
	r.cancel = cancel
	require.NoError(t, eng.Start(runCtx))
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer scancel()
			_ = eng.Stop(sctx)
			cancel()
			cancelSub()
			pool.Close()
			_ = st.Close()
		})
	}
	t.Cleanup(r.stop)
	return r
}

// anyJobEnd merges the replicas' job-end signals into one channel that
// fires once.
func anyJobEnd(rs []*replica) <-chan struct{} {
	out := make(chan struct{})
	var once sync.Once
	for _, r := range rs {
		go func() {
			select {
			case <-r.jobEnd:
				once.Do(func() { close(out) })
			case <-time.After(200 * time.Millisecond):
				// A quiet moment (no job ended): look again anyway, the
				// last jobs may have ended before we listened.
				once.Do(func() { close(out) })
			}
		}()
	}
	return out
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// jobsLeftBy returns the ids of the item jobs a River client took last and
// did not complete. (A poll job it left is not run again: the next tick
// polls.)
func (c *cluster) jobsLeftBy(clientID string) []int64 {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.dsn)
	require.NoError(c.t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT id FROM "+pgx.Identifier{c.schema, "river_job"}.Sanitize()+
		" WHERE kind = $2 AND attempted_by[array_upper(attempted_by, 1)] = $1 AND state <> 'completed'", clientID, riversync.KindItem)
	require.NoError(c.t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(c.t, err)
	return ids
}

// jobStates counts jobs by state.
func (c *cluster) jobStates(ids []int64) map[string]int {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.dsn)
	require.NoError(c.t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT state::text FROM "+pgx.Identifier{c.schema, "river_job"}.Sanitize()+" WHERE id = ANY($1)", ids)
	require.NoError(c.t, err)
	states, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(c.t, err)
	out := map[string]int{}
	for _, s := range states {
		out[s]++
	}
	return out
}

// jobsCompletedBy counts the item jobs a River client completed.
func (c *cluster) jobsCompletedBy(clientID string) int {
	return c.countJobs("kind = $2 AND state = 'completed' AND attempted_by[array_upper(attempted_by, 1)] = $1", clientID, riversync.KindItem)
}

// countJobs counts River's jobs in the cluster's schema that match where.
func (c *cluster) countJobs(where string, args ...any) int {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.dsn)
	require.NoError(c.t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(c.t, conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{c.schema, "river_job"}.Sanitize()+" WHERE "+where, args...).Scan(&n))
	return n
}

// jobsWithError counts the jobs whose errors mention text, among ids when
// some are given.
func (c *cluster) jobsWithError(text string, ids ...int64) int {
	return c.countJobs("errors::text LIKE '%' || $1 || '%' AND (coalesce(cardinality($2::bigint[]), 0) = 0 OR id = ANY($2))", text, ids)
}

// itemsOf returns the item ids of item jobs.
func (c *cluster) itemsOf(jobIDs []int64) []string {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.dsn)
	require.NoError(c.t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT args->>'id' FROM "+pgx.Identifier{c.schema, "river_job"}.Sanitize()+" WHERE id = ANY($1) AND kind = $2", jobIDs, riversync.KindItem)
	require.NoError(c.t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(c.t, err)
	return ids
}

// synced reports whether every detection in ids has its ticket written
// back.
func (c *cluster) synced(ids []string) bool {
	ticket := map[string]bool{}
	for _, d := range c.eh.Detections() {
		ticket[strconv.FormatInt(d.ID, 10)] = d.TicketID != nil
	}
	for _, id := range ids {
		if !ticket[id] {
			return false
		}
	}
	return true
}

// waitSynced waits until every detection in ids has its ticket written
// back, watching the replicas' job events, and returns when they had.
func (c *cluster) waitSynced(ids []string, limit time.Duration, rs ...*replica) time.Time {
	c.t.Helper()
	deadline := time.After(limit)
	for !c.synced(ids) {
		select {
		case <-deadline:
			c.t.Fatalf("the items %v are not synced after %s", ids, limit)
		case <-anyJobEnd(rs):
		}
	}
	return time.Now()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// partitionRunning splits jobs into those not marked running and those
// still marked running.
func (c *cluster) partitionRunning(ids []int64) (other, running []int64) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.dsn)
	require.NoError(c.t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT id, state = 'running' FROM "+pgx.Identifier{c.schema, "river_job"}.Sanitize()+" WHERE id = ANY($1)", ids)
	require.NoError(c.t, err)
	defer rows.Close()
	for rows.Next() {
		var id int64
		var isRunning bool
		require.NoError(c.t, rows.Scan(&id, &isRunning))
		if isRunning {
			running = append(running, id)
		} else {
			other = append(other, id)
		}
	}
	require.NoError(c.t, rows.Err())
	return other, running
}
