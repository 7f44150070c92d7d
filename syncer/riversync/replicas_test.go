package riversync_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const replicaItems = 4000

func testReplicaOpts() replicaOpts {
	return replicaOpts{workers: 16, pollInterval: 2 * time.Second, leaseTTL: 6 * time.Second, jobTimeout: 10 * time.Second}
}

// TestReplicasSplitTheWork runs 4,000 detections → Jira with 1, 2 and 4
// replicas on one schema: no duplicate, every item linked, and no replica
// reads more than its share (one read per item job it ran) plus what its
// polls read, each changed item once per poll.
func TestReplicasSplitTheWork(t *testing.T) {
	// Not parallel: the replicas' timing is measured, and their
	// connections must fit beside the other packages' tests.
	for _, n := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("replicas-%d", n), func(t *testing.T) {
			c := newCluster(t, 0)
			c.seedRisky(replicaItems)
			rs := make([]*replica, n)
			for i := range rs {
				rs[i] = c.startReplica(fmt.Sprintf("replica-%d", i), testReplicaOpts())
			}

			c.waitDone(replicaItems, 3*time.Minute, rs...)

			assert.Zero(t, c.duplicates(), "duplicate tickets")
			assert.Len(t, c.jr.Issues(), replicaItems, "one ticket per detection")
			assert.Equal(t, replicaItems, c.linked(rs[0].store), "every item linked")
			var got, jobs, searched, polls int64
			for _, r := range rs {
				rg, rj := r.source.got.Load(), r.itemJobs.Load()
				t.Logf("%s: %d item jobs, %d items read one by one, %d items searched in %d polls", r.name, rj, rg, r.source.searched.Load(), r.polls.Load())
				assert.LessOrEqual(t, rg, rj+16, "%s reads only the items of its own jobs (those in flight at the end included)", r.name)
				got += rg
				jobs += rj
				searched += r.source.searched.Load()
				polls += r.polls.Load()
			}
			if n > 1 {
				for _, r := range rs {
					assert.Positive(t, r.itemJobs.Load(), "%s took a share of the work", r.name)
				}
			}
			// Each item is read once by the job that syncs it, give or take
			// the few a poll saw again while their first job ran.
			assert.LessOrEqual(t, got, int64(replicaItems*11/10), "items read one by one, all replicas")
			// The polls read each new detection once and once more after
			// its write-back (its mod_time moved), plus one batch per poll.
			assert.LessOrEqual(t, searched, int64(2*replicaItems)+polls*500, "items searched, all replicas")
		})
	}
}

// TestReplicaStoppedMidRunLosesNothing stops one of three replicas
// abruptly (its context cancelled, no graceful stop) once it has done some
// of the work: every item is still linked once, and the rest finishes on
// the others within 30 s.
func TestReplicaStoppedMidRunLosesNothing(t *testing.T) {
	// Not parallel: the replicas' timing is measured, and their
	// connections must fit beside the other packages' tests.
	c := newCluster(t, 0)
	c.seedRisky(replicaItems)
	opts := testReplicaOpts()
	a := c.startReplica("replica-a", opts)
	b := c.startReplica("replica-b", opts)
	victim := c.startReplica("replica-victim", opts)

	// Let the victim work a while, then kill it.
	deadline := time.After(time.Minute)
	for victim.itemJobs.Load() < replicaItems/10 {
		select {
		case <-victim.jobEnd:
		case <-deadline:
			t.Fatalf("the victim ran only %d item jobs in a minute", victim.itemJobs.Load())
		}
	}
	require.False(t, c.done(replicaItems), "work is left when the victim is killed")
	victim.cancel()
	killed := time.Now()
	select {
	case <-victim.engine.Client().Stopped():
	case <-time.After(10 * time.Second):
		t.Fatal("the victim's River client did not stop")
	}
	// The victim's unfinished jobs: those it took last and did not complete.
	// River hands back the jobs it was running; one it fetched while it
	// stopped can stay marked running, for River's rescuer like a killed
	// replica's.
	left := c.jobsLeftBy(victim.name)
	handedBack, stuck := c.partitionRunning(left)
	t.Logf("killed %s after %d item jobs, %d tickets made; it left %d jobs unfinished %v", victim.name, victim.itemJobs.Load(), len(c.jr.Issues()), len(left), c.jobStates(left))

	recovered := c.waitJobsCompleted(handedBack, time.Minute, a, b)
	rescued := c.waitJobsCompleted(stuck, 2*time.Minute, a, b)
	finished := c.waitDone(replicaItems, 3*time.Minute, a, b)

	assert.Less(t, recovered.Sub(killed), 30*time.Second, "the victim's jobs finished on the others within 30 s")
	assert.Less(t, rescued.Sub(killed), testReplicaOpts().jobTimeout+30*time.Second+25*time.Second, "jobs left running were rescued")
	assert.Zero(t, c.duplicates(), "duplicate tickets")
	assert.Len(t, c.jr.Issues(), replicaItems, "one ticket per detection")
	assert.Equal(t, replicaItems, c.linked(a.store), "every item linked")
	t.Logf("the victim's jobs finished %s after the kill (%d left running: %s), all work %s after; a ran %d item jobs, b %d",
		recovered.Sub(killed).Round(time.Millisecond), len(stuck), rescued.Sub(killed).Round(time.Millisecond),
		finished.Sub(killed).Round(time.Millisecond), a.itemJobs.Load(), b.itemJobs.Load())
}
