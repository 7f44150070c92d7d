package youtrack_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/youtrack"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

// BenchmarkSearch pages through 300 issues of a fake with 2 ms latency per
// request, at several page sizes, and reports issues per second and HTTP
// calls per issue.
func BenchmarkSearch(b *testing.B) {
	srv := youtracktest.New(youtracktest.WithLatency(2 * time.Millisecond))
	defer srv.Close()
	if _, err := srv.SeedIssues("SEC", 300); err != nil {
		b.Fatal(err)
	}
	c, err := youtrack.New(srv.URL(), youtrack.WithToken(youtracktest.Token))
	if err != nil {
		b.Fatal(err)
	}
	a, err := youtrack.NewAdapter(c, youtrack.AdapterConfig{})
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{42, 100, 300} {
		b.Run(fmt.Sprintf("top=%d", size), func(b *testing.B) {
			srv.ResetRequests()
			b.ReportAllocs()
			items := 0
			start := time.Now()
			for b.Loop() {
				for _, err := range a.SearchIssues(context.Background(), tracker.Query{Project: "SEC", PageSize: size}) {
					if err != nil {
						b.Fatal(err)
					}
					items++
				}
			}
			calls, _ := srv.Requests()
			b.ReportMetric(float64(items)/time.Since(start).Seconds(), "issues/s")
			b.ReportMetric(float64(calls)/float64(items), "calls/issue")
		})
	}
}
