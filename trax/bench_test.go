package trax_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/trackbridge/trackbridge/trax"
	"github.com/trackbridge/trackbridge/trax/traxtest"
)

// BenchmarkCreate posts 100 records per operation to a fake postbox that
// answers after 2ms, one record per request and in batches, and reports
// records per second and HTTP calls per record.
func BenchmarkCreate(b *testing.B) {
	for _, batch := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			srv := traxtest.NewServer(b, traxtest.WithLatency(2*time.Millisecond))
			c, err := trax.New(srv.URL(), trax.WithToken(srv.Token()), trax.WithERD(trax.DefaultERD()), trax.WithBatchSize(batch))
			if err != nil {
				b.Fatal(err)
			}
			recs := traxtest.SampleRecords(100)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := c.Create(b.Context(), recs...); err != nil {
					b.Fatal(err)
				}
			}
			items := float64(b.N * len(recs))
			b.ReportMetric(items/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(srv.Requests())/items, "calls/record")
		})
	}
}
