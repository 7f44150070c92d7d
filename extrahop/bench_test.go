package extrahop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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

// BenchmarkSearchPage reads a page of 500 detections, as the fake encodes
// them, from a server that answers every search with those same bytes, so
// the allocations counted are the client's alone: through the client
// (Detections.Search) and through the tracker adapter, which also turns
// each detection into a tracker.Issue.
func BenchmarkSearchPage(b *testing.B) {
	const n = 500
	fake := extrahoptest.NewServer(b)
	fake.Seed(n)
	q, err := json.Marshal(extrahop.ModifiedSince(time.Time{}, n))
	if err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, fake.URL()+"/api/v1/detections/search", bytes.NewReader(q))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "ExtraHop apikey="+extrahoptest.DefaultAPIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatal(err, resp.StatusCode, string(body))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	c, err := extrahop.New(srv.URL, extrahop.WithAPIKey("key"), extrahop.WithHTTPClient(srv.Client()))
	if err != nil {
		b.Fatal(err)
	}
	a, err := extrahop.NewAdapter(c, extrahop.AdapterConfig{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	perItem := func(b *testing.B, read func() int) {
		b.ReportAllocs()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		items := 0
		for b.Loop() {
			items += read()
		}
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(items), "allocs/detection")
	}
	b.Run("client", func(b *testing.B) {
		perItem(b, func() int {
			ds, _, err := c.Detections.Search(ctx, extrahop.ModifiedSince(time.Time{}, n))
			if err != nil || len(ds) != n {
				b.Fatal(err, len(ds))
			}
			return len(ds)
		})
	})
	b.Run("adapter", func(b *testing.B) {
		perItem(b, func() int {
			got := 0
			for _, err := range a.SearchIssues(ctx, tracker.Query{PageSize: n}) {
				if err != nil {
					b.Fatal(err)
				}
				got++
				if got == n {
					break
				}
			}
			return got
		})
	})
}
