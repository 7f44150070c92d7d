package riversync_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkReplicas measures detections → Jira with write-back across 1, 2
// and 4 replicas on one PostgreSQL schema, against fakes that answer each
// request after 20 ms, and reports items/s for each and the ratios of 2 and
// 4 replicas to one, from one run. Run it with -benchtime=1x; the item
// count and latency can be changed with TRACKBRIDGE_BENCH_ITEMS and
// TRACKBRIDGE_BENCH_LATENCY_MS. Replicas are River clients in this process
// on pools of their own, each with its own vendor clients.
func BenchmarkReplicas(b *testing.B) {
	items := envInt("TRACKBRIDGE_BENCH_ITEMS", replicaItems)
	latency := time.Duration(envInt("TRACKBRIDGE_BENCH_LATENCY_MS", 20)) * time.Millisecond
	opts := testReplicaOpts()
	opts.pollInterval = time.Second
	rate := map[int]float64{}
	for range b.N {
		for _, n := range []int{1, 2, 4} {
			b.StopTimer()
			c := newCluster(b, latency)
			c.seedRisky(items)
			b.StartTimer()
			start := time.Now()
			rs := make([]*replica, n)
			for i := range rs {
				rs[i] = c.startReplica(fmt.Sprintf("replica-%d", i), opts)
			}
			end := c.waitDone(items, 10*time.Minute, rs...)
			b.StopTimer()
			require.Zero(b, c.duplicates())
			rate[n] += float64(items) / end.Sub(start).Seconds()
			for _, r := range rs {
				r.stop()
			}
		}
	}
	for _, n := range []int{1, 2, 4} {
		b.ReportMetric(rate[n]/float64(b.N), fmt.Sprintf("items/s-%d", n))
	}
	b.ReportMetric(rate[2]/rate[1], "ratio-2/1")
	b.ReportMetric(rate[4]/rate[1], "ratio-4/1")
}
