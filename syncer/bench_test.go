package syncer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/syncer/store/postgres"
	"github.com/trackbridge/trackbridge/syncer/store/sqlite"
	"github.com/trackbridge/trackbridge/tracker"
)

// BenchmarkS3 measures 2,000 new detections going ExtraHop → Jira with
// write-back, against fakes that answer each request after 20 ms, as a
// remote server would. The baseline is what a script does: one request at
// a time, no bulk create. Run it with -benchtime=1x; the item count and
// latency can be changed with TRACKBRIDGE_BENCH_ITEMS and
// TRACKBRIDGE_BENCH_LATENCY.
//
// Reported per run: items/s, HTTP requests per item (both servers),
// allocations per item (this process, fakes included) and, for the
// engine, of-limit: the share of the latency-bound limit reached, that is
// requests × latency ÷ concurrency over the elapsed time (1 would mean
// every worker always had a request in flight).
func BenchmarkS3(b *testing.B) {
	items := envInt("TRACKBRIDGE_BENCH_ITEMS", 2000)
	latency := time.Duration(envInt("TRACKBRIDGE_BENCH_LATENCY_MS", 20)) * time.Millisecond
	b.Run("baseline-sequential", func(b *testing.B) { benchS3(b, items, latency, 0, nil) })
	for _, c := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("engine-concurrency-%d", c), func(b *testing.B) { benchS3(b, items, latency, c, nil) })
	}
}

// BenchmarkS3Stores runs BenchmarkS3's workload at concurrency 16 on each
// link store: memory, a SQLite file, and PostgreSQL when
// TRACKBRIDGE_POSTGRES_DSN is set. Compare items/s across the
// sub-benchmarks of one run.
func BenchmarkS3Stores(b *testing.B) {
	items := envInt("TRACKBRIDGE_BENCH_ITEMS", 2000)
	latency := time.Duration(envInt("TRACKBRIDGE_BENCH_LATENCY_MS", 20)) * time.Millisecond
	stores := []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"memory", func(*testing.B) store.Store { return memory.New() }},
		{"sqlite", func(b *testing.B) store.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "links.db"))
			require.NoError(b, err)
			b.Cleanup(func() { st.Close() })
			return st
		}},
	}
	if dsn := os.Getenv(postgresDSNVar); dsn != "" {
		stores = append(stores, struct {
			name string
			open func(b *testing.B) store.Store
		}{"postgres", func(b *testing.B) store.Store {
			schema := fmt.Sprintf("bench_s3_%d", time.Now().UnixNano())
			st, err := postgres.Open(context.Background(), dsn, postgres.WithSchema(schema))
			require.NoError(b, err)
			b.Cleanup(func() {
				st.Close()
				if c, err := pgx.Connect(context.Background(), dsn); err == nil {
					_, _ = c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
					_ = c.Close(context.Background())
				}
			})
			return st
		}})
	}
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) { benchS3(b, items, latency, 16, s.open) })
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchS3 runs one configuration; concurrency 0 is the sequential baseline.
// open makes the link store; nil means memory.
func benchS3(b *testing.B, items int, latency time.Duration, concurrency int, open func(*testing.B) store.Store) {
	if open == nil {
		open = func(*testing.B) store.Store { return memory.New() }
	}
	var totalItems, totalRequests int
	var totalAllocs uint64
	var elapsed time.Duration
	for range b.N {
		b.StopTimer()
		conns := max(32, concurrency)
		st := open(b)
		f := newS3Fakes(b, []extrahoptest.Option{extrahoptest.WithLatency(latency)}, []jiratest.Option{jiratest.WithLatency(latency)},
			[]extrahop.Option{extrahop.WithMaxConns(conns)}, jira.WithMaxConns(conns))
		seedRisky(b, f.eh, items)
		f.eh.ResetRequests()
		f.jr.ResetRequests()
		ctx := context.Background()
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		b.StartTimer()
		start := time.Now()

		created := 0
		if concurrency == 0 {
			created = naiveS3(b, ctx, f)
		} else {
			flow, err := syncer.New(syncer.Config{
				Name: "bench", Source: f.source, Target: f.target, Mapping: s3Mapping(b),
				Store: st, Concurrency: concurrency, BatchSize: envInt("TRACKBRIDGE_BENCH_BATCH", 500),
			})
			require.NoError(b, err)
			rep, err := flow.RunOnce(ctx)
			require.NoError(b, err)
			require.Zero(b, rep.Failed, "failures: %v", failures(rep))
			created = rep.Created
		}

		elapsed += time.Since(start)
		b.StopTimer()
		runtime.ReadMemStats(&ms1)
		total, _ := f.jr.Requests()
		totalRequests += total + f.eh.Requests()
		totalAllocs += ms1.Mallocs - ms0.Mallocs
		totalItems += created
		require.Equal(b, items, created)
	}
	b.ReportMetric(float64(totalItems)/elapsed.Seconds(), "items/s")
	b.ReportMetric(float64(totalRequests)/float64(totalItems), "requests/item")
	b.ReportMetric(float64(totalAllocs)/float64(totalItems), "allocs/item")
	if concurrency > 0 {
		limit := time.Duration(totalRequests) * latency / time.Duration(concurrency)
		b.ReportMetric(limit.Seconds()/elapsed.Seconds(), "of-limit")
	}
}

// seedRisky adds detections that all pass the S3 rule (risk 30+).
func seedRisky(b testing.TB, eh *extrahoptest.Server, n int) {
	b.Helper()
	for i := range n {
		risk := 30 + i%70
		eh.Add(extrahop.Detection{
			Title:       fmt.Sprintf("Suspicious activity %d", i),
			Description: "Seen on the network.",
			Type:        "rdp_brute_force",
			Categories:  []string{"sec.attack"},
			RiskScore:   &risk,
		})
	}
}

// naiveS3 is the baseline: search, then for each detection create the
// ticket and write its key back, one request at a time. Like a careful
// script it skips detections that already have a ticket: the write-back
// bumps mod_time, so a written detection comes round again later in the
// same mod_time-ordered search, and a script without that check files it
// again, forever.
func naiveS3(b *testing.B, ctx context.Context, f *s3Fakes) int {
	m := s3Mapping(b)
	n := 0
	for d, err := range f.source.SearchIssues(ctx, tracker.Query{}) {
		require.NoError(b, err)
		if d.Fields["ticket_id"] != nil {
			continue
		}
		res, err := m.Apply(d, time.Now())
		require.NoError(b, err)
		if !res.Match {
			continue
		}
		issue, err := f.target.CreateIssue(ctx, res.Issue)
		require.NoError(b, err)
		err = f.source.UpdateIssue(ctx, d.ID, &tracker.Change{Assignee: &res.Issue.Assignee, Fields: map[string]any{"ticket_id": issue.Key}})
		require.NoError(b, err)
		n++
	}
	return n
}
