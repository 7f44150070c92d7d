package riversync_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer/riversync"
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
// of the work: every item is still linked once, and the items it was
// syncing are synced by the others within 30 s.
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
	// The victim's unfinished jobs: River hands back the jobs it was
	// running; one it fetched while it stopped can stay marked running,
	// and is taken over like a killed replica's.
	left := c.jobsLeftBy(victim.name)
	items := c.itemsOf(left)
	_, running := c.partitionRunning(left)
	t.Logf("stopped %s after %d item jobs, %d tickets made; it left %d jobs unfinished %v", victim.name, victim.itemJobs.Load(), len(c.jr.Issues()), len(left), c.jobStates(left))

	recovered := c.waitSynced(items, time.Minute, a, b)
	finished := c.waitDone(replicaItems, 3*time.Minute, a, b)

	assert.Less(t, recovered.Sub(killed), 30*time.Second, "the victim's items were synced by the others within 30 s")
	assert.Zero(t, c.jobStates(left)["running"], "none of the victim's jobs is left marked running")
	assert.Equal(t, len(running), c.jobStates(running)["cancelled"], "the jobs the victim left running were taken over, not rescued by River")
	assert.Zero(t, c.duplicates(), "duplicate tickets")
	assert.Len(t, c.jr.Issues(), replicaItems, "one ticket per detection")
	assert.Equal(t, replicaItems, c.linked(a.store), "every item linked")
	t.Logf("the victim's %d items were synced %s after it stopped, all work %s after; a ran %d item jobs, b %d",
		len(items), recovered.Sub(killed).Round(time.Millisecond),
		finished.Sub(killed).Round(time.Millisecond), a.itemJobs.Load(), b.itemJobs.Load())
}

// TestReplicaIDTakenWhileItsHolderRuns: a second replica with a live
// replica's id cannot start, since the take-over could not tell them apart;
// once the first has stopped, it can.
func TestReplicaIDTakenWhileItsHolderRuns(t *testing.T) {
	c := newCluster(t, 0)
	first := c.startReplica("replica-same", testReplicaOpts())
	second, err := buildReplica(context.Background(), c.env("replica-same", testReplicaOpts()))
	require.NoError(t, err)
	t.Cleanup(func() { second.pool.Close(); _ = second.store.Close() })

	err = second.engine.Start(context.Background())
	require.ErrorIs(t, err, riversync.ErrReplicaRunning)
	assert.Contains(t, err.Error(), `"replica-same"`)

	// The id is taken per River schema: another schema's replica may
	// have it.
	elsewhere := newCluster(t, 0)
	other := elsewhere.startReplica("replica-same", testReplicaOpts())
	assert.NotNil(t, other.engine, "a replica of another schema with the same id runs")

	first.stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.NoError(t, second.engine.Start(ctx), "the id is free once its holder stopped")
	require.NoError(t, second.engine.Stop(context.Background()))
}

// TestHostClientsJobsAreNotTakenOver: a host's own River client holds no
// liveness lock, so an Engine working beside it must never mistake it for
// a replica that is gone and take its running jobs.
func TestHostClientsJobsAreNotTakenOver(t *testing.T) {
	c := newCluster(t, 0)
	const items = 1000
	c.seedRisky(items)
	engine := c.startReplica("replica-engine", testReplicaOpts())

	p, err := buildReplica(context.Background(), c.env("host-client", testReplicaOpts()))
	require.NoError(t, err)
	t.Cleanup(func() { p.pool.Close(); _ = p.store.Close() })
	workers := river.NewWorkers()
	_, err = riversync.AddWorkers(workers, riversync.Config{PollInterval: time.Hour}, p.flow)
	require.NoError(t, err)
	host, err := river.NewClient(riverpgxv5.New(p.pool), &river.Config{
		ID: "host-client", Schema: c.schema, Workers: workers, FetchCooldown: 10 * time.Millisecond,
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 16}},
	})
	require.NoError(t, err)
	hostRan := make(chan struct{}, 1)
	events, cancelSub := host.Subscribe(river.EventKindJobCompleted)
	defer cancelSub()
	go func() {
		for range events {
			select {
			case hostRan <- struct{}{}:
			default:
			}
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.NoError(t, host.Start(ctx))
	t.Cleanup(func() { _ = host.Stop(context.Background()) })

	c.waitDone(items, 3*time.Minute, engine)
	select {
	case <-hostRan:
	default:
		t.Fatal("the host's client ran no job")
	}
	assert.Zero(t, c.jobsWithError("taken over"), "jobs of the host's client taken over")
	assert.Zero(t, c.duplicates(), "duplicate tickets")
}
