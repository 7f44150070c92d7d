package memory_test

import (
	"testing"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/syncer/storetest"
)

func open(tb testing.TB, now func() time.Time) store.Store {
	s := memory.New(memory.WithClock(now))
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, open)
}

func BenchmarkStore(b *testing.B) {
	b.Run("memory", func(b *testing.B) { storetest.Benchmark(b, open) })
}
