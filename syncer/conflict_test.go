package syncer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

const conflictSpec = `
flows:
  - name: incidents
    source: incidents
    target: jira
    defaults: {project: SEC, type: Task}
    fields:
      summary: {from: summary}
    back:
      fields:
        summary: {from: summary}
    conflicts:
      summary: %s
`

// TestFieldConflicts: the summary is synced both ways; the source and the
// ticket both change it before the next sync. Each policy keeps one value
// on both sides, the observer sees a conflict with both values, and the
// next sync writes nothing. The conflict is found whichever side syncs
// first.
func TestFieldConflicts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		policy       mapping.ConflictPolicy
		targetLater  bool // the ticket was edited after the item
		targetFirst  bool // the target side syncs first (webhook), else the source side (poll)
		want, winner string
	}{
		{mapping.SourceWins, true, false, "item edit", "source"},
		{mapping.SourceWins, true, true, "item edit", "source"},
		{mapping.TargetWins, false, false, "ticket edit", "target"},
		{mapping.TargetWins, false, true, "ticket edit", "target"},
		{mapping.NewestWins, true, false, "ticket edit", "target"},
		{mapping.NewestWins, false, false, "item edit", "source"},
		{mapping.NewestWins, true, true, "ticket edit", "target"},
		{mapping.NewestWins, false, true, "item edit", "source"},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s, ticket edited %s, %s syncs first", tt.policy, map[bool]string{true: "last", false: "first"}[tt.targetLater], map[bool]string{true: "target", false: "source"}[tt.targetFirst])
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := newFakeClock()
			spec, err := mapping.Parse([]byte(fmt.Sprintf(conflictSpec, tt.policy)))
			require.NoError(t, err)
			src := trackertest.NewMemory("incidents", trackertest.WithClock(clock.Now))
			dst := trackertest.NewMemory("jira", trackertest.WithClock(clock.Now))
			counter := &syncer.Counter{}
			var conflicts []syncer.Event
			obs := syncer.Observers(counter, syncer.ObserverFunc(func(e syncer.Event) {
				if e.Kind == syncer.EventConflict {
					conflicts = append(conflicts, e)
				}
			}))
			flow, err := syncer.New(syncer.Config{Name: "incidents", Source: src, Target: dst, Mapping: spec.Flows[0], Store: memory.New(), Observer: obs, Now: clock.Now})
			require.NoError(t, err)
			item, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: "original"})
			require.NoError(t, err)
			rep, err := flow.Push(ctx, item)
			require.NoError(t, err)
			ticketID := rep.Outcomes[0].Target.ID

			editItem := func() {
				clock.Advance(time.Minute)
				require.NoError(t, src.UpdateIssue(ctx, item.ID, &tracker.Change{Summary: tracker.Ptr("item edit")}))
			}
			editTicket := func() {
				clock.Advance(time.Minute)
				require.NoError(t, dst.UpdateIssue(ctx, ticketID, &tracker.Change{Summary: tracker.Ptr("ticket edit")}))
			}
			if tt.targetLater {
				editItem()
				editTicket()
			} else {
				editTicket()
				editItem()
			}
			syncSource := func() *syncer.Report {
				it, err := src.GetIssue(ctx, item.ID)
				require.NoError(t, err)
				rep, err := flow.Push(ctx, it)
				require.NoError(t, err)
				return rep
			}
			syncTarget := func() *syncer.Report {
				tk, err := dst.GetIssue(ctx, ticketID)
				require.NoError(t, err)
				rep, err := flow.PushTarget(ctx, tk)
				require.NoError(t, err)
				return rep
			}
			var first *syncer.Report
			if tt.targetFirst {
				first = syncTarget()
				syncSource()
			} else {
				first = syncSource()
				syncTarget()
			}

			assert.Equal(t, 1, first.Conflicts, first.Summary())
			require.Len(t, conflicts, 1)
			assert.Contains(t, conflicts[0].Reason, "item edit")
			assert.Contains(t, conflicts[0].Reason, "ticket edit")
			assert.Contains(t, conflicts[0].Reason, "the "+tt.winner+"'s value is kept")
			gotItem, err := src.GetIssue(ctx, item.ID)
			require.NoError(t, err)
			gotTicket, err := dst.GetIssue(ctx, ticketID)
			require.NoError(t, err)
			assert.Equal(t, tt.want, gotItem.Summary, "item")
			assert.Equal(t, tt.want, gotTicket.Summary, "ticket")

			src.ResetCalls()
			dst.ResetCalls()
			syncSource()
			syncTarget()
			assert.Zero(t, src.WriteCalls()+dst.WriteCalls(), "settled: nothing more to write; source %v, target %v", src.Calls(), dst.Calls())
			assert.Len(t, conflicts, 1, "no new conflict")
		})
	}
}
