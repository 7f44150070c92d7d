package extrahop_test

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
	"github.com/trackbridge/trackbridge/tracker"
)

// BenchmarkSearchAll pages through 2,000 detections at limit 500 against
// the fake with 2 ms latency per request.
func BenchmarkSearchAll(b *testing.B) {
	srv := extrahoptest.NewServer(b, extrahoptest.WithLatency(2*time.Millisecond))
	srv.Seed(2000)
	c, err := extrahop.New(srv.URL(), extrahop.WithAPIKey(extrahoptest.DefaultAPIKey))
	if err != nil {
		b.Fatal(err)
	}
	srv.ResetRequests()
	items := 0
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		for _, err := range c.Detections.SearchAll(context.Background(), extrahop.ModifiedSince(time.Time{}, 500)) {
			if err != nil {
				b.Fatal(err)
			}
			items++
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(srv.Requests())/float64(items), "calls/item")
	// Client and fake share the process, so this counts both sides.
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(items), "allocs/item")
}

// BenchmarkAdapterWriteBack writes ticket id, status and assignee onto
// detections from 16 workers, as the syncer does, with 2 ms latency.
func BenchmarkAdapterWriteBack(b *testing.B) {
	srv := extrahoptest.NewServer(b, extrahoptest.WithLatency(2*time.Millisecond))
	ids := srv.Seed(256)
	c, err := extrahop.New(srv.URL(), extrahop.WithAPIKey(extrahoptest.DefaultAPIKey), extrahop.WithMaxConns(16))
	if err != nil {
		b.Fatal(err)
	}
	a, err := extrahop.NewAdapter(c, extrahop.AdapterConfig{})
	if err != nil {
		b.Fatal(err)
	}
	srv.ResetRequests()
	var n atomic.Int64
	b.SetParallelism(8) // 8 × GOMAXPROCS(2) = 16 workers
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			id := strconv.FormatInt(ids[int(i)%len(ids)], 10)
			err := a.UpdateIssue(context.Background(), id, &tracker.Change{
				Assignee: tracker.Ptr("sally"),
				Fields:   map[string]any{"ticket_id": "SEC-" + strconv.FormatInt(i, 10), "status": extrahop.StatusInProgress},
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(srv.Requests())/float64(n.Load()), "calls/item")
}
