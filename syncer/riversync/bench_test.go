package riversync_test

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkReplicas measures detections → Jira with write-back across 1, 2
// and 4 replicas on one PostgreSQL schema, against fakes that answer each
// request after 20 ms, and reports items/s for each and the ratios of 2 and
// 4 replicas to one, from one run. Each replica is an engine process of
// its own (a child of the test binary) with 16 workers; the fakes run in
// the benchmark's process. Run it with -benchtime=1x; the item count and
// latency can be changed with TRACKBRIDGE_BENCH_ITEMS and
// TRACKBRIDGE_BENCH_LATENCY_MS.
func BenchmarkReplicas(b *testing.B) {
	items := envInt("TRACKBRIDGE_BENCH_ITEMS", replicaItems)
	latency := time.Duration(envInt("TRACKBRIDGE_BENCH_LATENCY_MS", 20)) * time.Millisecond
	rate := map[int]float64{}
	for range b.N {
		for _, n := range []int{1, 2, 4} {
			b.StopTimer()
			c := newCluster(b, latency)
			c.seedRisky(items)
			b.StartTimer()
			start := time.Now()
			children := make([]*exec.Cmd, n)
			for i := range children {
				children[i] = c.startChild(b, fmt.Sprintf("replica-%d", i), childVar+"_POLL_MS="+strconv.Itoa(1000),
					childVar+"_FETCH_COOLDOWN_MS="+os.Getenv("TRACKBRIDGE_BENCH_FETCH_COOLDOWN_MS"))
			}
			end := c.waitDoneWatching(items, 10*time.Minute)
			b.StopTimer()
			for _, cmd := range children {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
			require.Zero(b, c.duplicates())
			rate[n] += float64(items) / end.Sub(start).Seconds()
		}
	}
	for _, n := range []int{1, 2, 4} {
		b.ReportMetric(rate[n]/float64(b.N), fmt.Sprintf("items/s-%d", n))
	}
	b.ReportMetric(rate[2]/rate[1], "ratio-2/1")
	b.ReportMetric(rate[4]/rate[1], "ratio-4/1")
}
