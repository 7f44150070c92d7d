package syncer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

// BenchmarkCommentReadsPerPoll: 1,000 linked items with comments synced
// both ways, of which 10 changed since the last poll. Comments are read
// only for what changed, so the comment requests per poll are
// proportional to the 10, not the 1,000.
func BenchmarkCommentReadsPerPoll(b *testing.B) {
	ctx := context.Background()
	spec, err := mapping.Parse([]byte(fmt.Sprintf(commentsSpec, "both")))
	require.NoError(b, err)
	clock := newFakeClock()
	src := trackertest.NewMemory("incidents", trackertest.WithClock(clock.Now))
	dst := trackertest.NewMemory("jira", trackertest.WithClock(clock.Now))
	flow, err := syncer.New(syncer.Config{Name: "incidents", Source: src, Target: dst, Mapping: spec.Flows[0], Store: memory.New(),
		TargetQuery: &tracker.Query{}, Now: clock.Now, Overlap: time.Second})
	require.NoError(b, err)
	var items []*tracker.Issue
	for i := range 1000 {
		it, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: fmt.Sprintf("incident %d", i)})
		require.NoError(b, err)
		_, err = src.Comment(it.ID, "ana", "", "first look")
		require.NoError(b, err)
		items = append(items, it)
	}
	_, err = flow.RunOnce(ctx)
	require.NoError(b, err)
	clock.Advance(time.Minute)
	for range 3 { // the echoes of the first run's writes
		clock.Advance(time.Minute)
		_, err = flow.RunOnce(ctx)
		require.NoError(b, err)
	}

	var reads, writes, polls int
	b.ResetTimer()
	for n := 0; b.Loop(); n++ {
		b.StopTimer()
		clock.Advance(time.Minute)
		for i := range 10 {
			_, err := src.Comment(items[(n*10+i)%len(items)].ID, "ana", "", fmt.Sprintf("update %d", n))
			require.NoError(b, err)
		}
		clock.Advance(time.Minute)
		src.ResetCalls()
		dst.ResetCalls()
		b.StartTimer()
		rep, err := flow.RunOnce(ctx)
		require.NoError(b, err)
		b.StopTimer()
		require.Equal(b, 10, rep.CommentsCreated, rep.Summary())
		reads += src.Calls()[trackertest.OpListComments] + dst.Calls()[trackertest.OpListComments]
		writes += src.Calls()[trackertest.OpAddComment] + dst.Calls()[trackertest.OpAddComment]
		polls++
		b.StartTimer()
	}
	b.ReportMetric(float64(reads)/float64(polls), "comment-lists/poll")
	b.ReportMetric(float64(writes)/float64(polls), "comment-writes/poll")
}
