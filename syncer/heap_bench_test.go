package syncer_test

import (
	"context"
	"fmt"
	"iter"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/sqlite"
	"github.com/trackbridge/trackbridge/tracker"
)

// BenchmarkS3Heap measures the engine's peak heap over S3's two passes, on
// the SQLite store, at 2,000 and 20,000 items: the first pass creates a
// ticket for every item, the second reads them all again within the
// overlap and must write nothing. Source and target hold no state (items
// are generated from their index, tickets are not kept), so what grows
// with the item count is the engine's.
//
// Reported: peak-live-MB, the largest heap live after a GC during the
// pass; peak-heap-MB, the largest heap sampled every millisecond; writes,
// tracker and link-store writes of the pass.
func BenchmarkS3Heap(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		b.Run(fmt.Sprintf("items-%d", n), func(b *testing.B) {
			for range b.N {
				benchHeap(b, n)
			}
		})
	}
}

func benchHeap(b *testing.B, n int) {
	ctx := context.Background()
	src := &genSource{n: n, base: time.Now().Add(-30 * time.Second)}
	dst := &sinkTarget{}
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "links.db"))
	require.NoError(b, err)
	defer st.Close()
	cst := &countingStore{Store: st}
	f, err := syncer.New(syncer.Config{Name: "heap", Source: src, Target: dst, Mapping: s3Mapping(b), Store: cst, Concurrency: 16})
	require.NoError(b, err)
	for pass, name := range []string{"first", "second"} {
		dst.writes.Store(0)
		src.writes.Store(0)
		cst.writes.Store(0)
		peakLive, peakHeap := watchHeap(func() {
			rep, err := f.RunOnce(ctx)
			require.NoError(b, err)
			require.True(b, rep.Clean(), rep.Summary())
			if pass == 0 {
				require.Equal(b, n, rep.Created, rep.Summary())
			}
		})
		b.ReportMetric(float64(peakLive)/(1<<20), name+"-peak-live-MB")
		b.ReportMetric(float64(peakHeap)/(1<<20), name+"-peak-heap-MB")
		if pass == 1 {
			writes := dst.writes.Load() + src.writes.Load() + cst.writes.Load()
			b.ReportMetric(float64(writes), "second-writes")
			require.Zero(b, writes, "the second pass writes nothing: target %d, source %d, store %d", dst.writes.Load(), src.writes.Load(), cst.writes.Load())
		}
	}
}

// watchHeap runs fn and returns the largest live heap after a GC and the
// largest heap seen, sampling every millisecond.
func watchHeap(fn func()) (peakLive, peakHeap uint64) {
	runtime.GC()
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			peakLive = max(peakLive, samples[0].Value.Uint64())
			peakHeap = max(peakHeap, samples[1].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	runtime.GC() // the live heap at the end counts too
	close(done)
	wg.Wait()
	return peakLive, peakHeap
}

// genSource is a source of n detection-like items generated from their
// index, updated a microsecond apart from base; it stores nothing.
type genSource struct {
	n      int
	base   time.Time
	writes atomic.Int64
}

func (g *genSource) Kind() string { return "extrahop" }

func (g *genSource) item(i int) *tracker.Issue {
	return &tracker.Issue{
		ID:          strconv.Itoa(i + 1),
		Summary:     fmt.Sprintf("Suspicious activity %d", i),
		Description: "Seen on the network.",
		Labels:      []string{"sec.attack"},
		Updated:     g.base.Add(time.Duration(i) * time.Microsecond),
		Fields: map[string]any{
			"risk_score": int64(30 + i%70),
			"type":       "rdp_brute_force",
		},
	}
}

func (g *genSource) GetIssue(_ context.Context, id string) (*tracker.Issue, error) {
	i, err := strconv.Atoi(id)
	if err != nil || i < 1 || i > g.n {
		return nil, fmt.Errorf("item %s: %w", id, tracker.ErrNotFound)
	}
	return g.item(i - 1), nil
}

func (g *genSource) SearchIssues(_ context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return func(yield func(*tracker.Issue, error) bool) {
		start := sort.Search(g.n, func(i int) bool { return !g.item(i).Updated.Before(q.UpdatedSince) })
		for i := start; i < g.n; i++ {
			if !yield(g.item(i), nil) {
				return
			}
		}
	}
}

// UpdateIssue takes a write-back and forgets it.
func (g *genSource) UpdateIssue(context.Context, string, *tracker.Change) error {
	g.writes.Add(1)
	return nil
}

// sinkTarget takes creates and keeps nothing of them.
type sinkTarget struct {
	next   atomic.Int64
	writes atomic.Int64
}

func (s *sinkTarget) Kind() string { return "jira" }

func (s *sinkTarget) GetIssue(_ context.Context, id string) (*tracker.Issue, error) {
	return &tracker.Issue{ID: id, Key: "SEC-" + id, Status: "To Do"}, nil
}

func (s *sinkTarget) CreateIssue(_ context.Context, in *tracker.NewIssue) (*tracker.Issue, error) {
	s.writes.Add(1)
	id := strconv.FormatInt(s.next.Add(1), 10)
	return &tracker.Issue{ID: id, Key: "SEC-" + id, Status: "To Do"}, nil
}

func (s *sinkTarget) CreateIssues(ctx context.Context, in []*tracker.NewIssue) ([]tracker.BulkResult, error) {
	out := make([]tracker.BulkResult, len(in))
	for i, n := range in {
		is, _ := s.CreateIssue(ctx, n)
		out[i] = tracker.BulkResult{Issue: is}
	}
	return out, nil
}

// UpdateIssue takes an update and forgets it.
func (s *sinkTarget) UpdateIssue(context.Context, string, *tracker.Change) error {
	s.writes.Add(1)
	return nil
}

func (s *sinkTarget) FindByMarker(context.Context, string) ([]*tracker.Issue, error) { return nil, nil }

// countingStore counts link and event writes.
type countingStore struct {
	store.Store
	writes atomic.Int64
}

func (c *countingStore) PutLink(ctx context.Context, l *store.Link) error {
	c.writes.Add(1)
	return c.Store.PutLink(ctx, l)
}

func (c *countingStore) PutLinks(ctx context.Context, ls ...*store.Link) error {
	c.writes.Add(int64(len(ls)))
	return c.Store.PutLinks(ctx, ls...)
}

func (c *countingStore) DeleteLink(ctx context.Context, l *store.Link) error {
	c.writes.Add(1)
	return c.Store.DeleteLink(ctx, l)
}

func (c *countingStore) AppendEvents(ctx context.Context, evs ...*store.Event) error {
	c.writes.Add(int64(len(evs)))
	return c.Store.AppendEvents(ctx, evs...)
}
