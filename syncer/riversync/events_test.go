package riversync_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/riversync"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

// memoryFlow is a flow between two in-memory trackers of the given kinds.
func memoryFlow(t *testing.T, name, source, target string) *syncer.Flow {
	t.Helper()
	spec, err := mapping.Parse([]byte(`
flows:
  - name: ` + name + `
    source: ` + source + `
    target: ` + target + `
    defaults: {project: SEC, type: Bug}
    fields: {summary: {from: summary}}
`))
	require.NoError(t, err)
	f, err := syncer.New(syncer.Config{
		Name: name, Source: trackertest.NewMemory(source), Target: trackertest.NewMemory(target),
		Mapping: spec.Flows[0], Store: memory.New(),
	})
	require.NoError(t, err)
	return f
}

func TestEventJobsNameTheFlowsConcerned(t *testing.T) {
	t.Parallel()
	jobs, err := riversync.AddWorkers(river.NewWorkers(), riversync.Config{},
		memoryFlow(t, "detections", "extrahop", "jira"),
		memoryFlow(t, "incidents", "youtrack", "jira"),
		memoryFlow(t, "sites", "youtrack", "youtrack"))
	require.NoError(t, err)

	tests := []struct {
		name string
		ev   tracker.Event
		want []riversync.ItemArgs
	}{
		{"a source's event", tracker.Event{Kind: tracker.EventIssueChanged, Tracker: "extrahop", IssueID: "7"},
			[]riversync.ItemArgs{{Flow: "detections", Side: store.SideSource, ID: "7"}}},
		{"a target's event, for every flow writing to it", tracker.Event{Kind: tracker.EventIssueChanged, Tracker: "jira", IssueID: "10001"},
			[]riversync.ItemArgs{{Flow: "detections", Side: store.SideTarget, ID: "10001"}, {Flow: "incidents", Side: store.SideTarget, ID: "10001"}}},
		{"a comment syncs its issue", tracker.Event{Kind: tracker.EventCommentCreated, Tracker: "extrahop", IssueID: "7", Comment: &tracker.Comment{ID: "c1"}},
			[]riversync.ItemArgs{{Flow: "detections", Side: store.SideSource, ID: "7"}}},
		{"a deletion is handled by the flow", tracker.Event{Kind: tracker.EventIssueDeleted, Tracker: "jira", IssueID: "10002"},
			[]riversync.ItemArgs{{Flow: "detections", Side: store.SideTarget, ID: "10002"}, {Flow: "incidents", Side: store.SideTarget, ID: "10002"}}},
		{"one tracker on both sides: the flow tells them apart", tracker.Event{Kind: tracker.EventIssueChanged, Tracker: "youtrack", IssueID: "2-1"},
			[]riversync.ItemArgs{{Flow: "incidents", Side: store.SideSource, ID: "2-1"}, {Flow: "sites", Side: store.SideSource, ID: "2-1"}}},
		{"no flow's tracker", tracker.Event{Kind: tracker.EventIssueChanged, Tracker: "trax", IssueID: "1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			params, err := jobs.EventJobs(tt.ev)
			require.NoError(t, err)
			var got []riversync.ItemArgs
			for _, p := range params {
				got = append(got, p.Args.(riversync.ItemArgs))
			}
			assert.Equal(t, tt.want, got)
		})
	}

	_, err = jobs.EventJobs(tracker.Event{Kind: tracker.EventIssueChanged, Tracker: "jira"})
	assert.ErrorContains(t, err, "no issue id")
}

// TestEventsCollapseAndSyncTheItem: a burst of events for one detection
// makes one job, and that job files its ticket.
func TestEventsCollapseAndSyncTheItem(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 0)
	ctx := context.Background()
	opts := testReplicaOpts()
	opts.pollInterval = time.Hour // only the poll at start; the rest is events
	r := c.startReplica("replica-events", opts)
	// The poll at start has run on an empty source.
	deadline := time.After(time.Minute)
	for r.polls.Load() == 0 {
		select {
		case <-r.jobEnd:
		case <-deadline:
			t.Fatal("the poll at start did not run")
		}
	}

	c.seedRisky(1)
	id := c.eh.Detections()[0].ID
	ev := tracker.Event{Kind: tracker.EventIssueChanged, Tracker: "extrahop", IssueID: itoa(id)}
	params, err := r.engine.Jobs().EventJobs(ev)
	require.NoError(t, err)
	// A client that does not work jobs takes the burst of deliveries, so
	// that none is worked before the rest is in.
	pool := c.pool(2)
	defer pool.Close()
	inserter, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Schema: c.schema})
	require.NoError(t, err)
	inserted := 0
	for range 20 {
		res, err := inserter.InsertMany(ctx, params)
		require.NoError(t, err)
		require.Len(t, res, 1)
		if !res[0].UniqueSkippedAsDuplicate {
			inserted++
		}
	}
	assert.LessOrEqual(t, inserted, 2, "a burst of 20 events makes one job (two if the first was taken meanwhile)")
	assert.Positive(t, inserted)

	require.NoError(t, r.engine.HandleEvent(ctx, ev))
	c.waitDone(1, time.Minute, r)
	assert.Len(t, c.jr.Issues(), 1)
	assert.Zero(t, c.duplicates())
}
