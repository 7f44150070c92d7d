package storetest

import (
	"strconv"
	"testing"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
)

// Benchmark measures the store's hot paths: reading a link, writing one
// with compare-and-set, and acquiring a lease. Each reports ops/s.
func Benchmark(b *testing.B, open Factory) {
	b.Run("GetLink", func(b *testing.B) {
		s := open(b, time.Now)
		l := newLink("f", "1")
		l.Comments = []store.CommentLink{{SourceID: "c1", TargetID: "t1", Hash: "h"}}
		if err := s.PutLink(b.Context(), l); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.GetLink(b.Context(), "f", l.Source); err != nil {
				b.Fatal(err)
			}
		}
		reportOps(b)
	})
	b.Run("PutLink", func(b *testing.B) {
		s := open(b, time.Now)
		l := newLink("f", "1")
		l.Comments = []store.CommentLink{{SourceID: "c1", TargetID: "t1", Hash: "h"}}
		b.ReportAllocs()
		for b.Loop() {
			l.Attempts++
			if err := s.PutLink(b.Context(), l); err != nil {
				b.Fatal(err)
			}
		}
		reportOps(b)
	})
	b.Run("AcquireLease", func(b *testing.B) {
		s := open(b, time.Now)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := s.AcquireLease(b.Context(), "k"+strconv.Itoa(i), "bench", time.Minute); err != nil {
				b.Fatal(err)
			}
		}
		reportOps(b)
	})
}

func reportOps(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
}
