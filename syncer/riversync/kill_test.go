package riversync_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer/riversync"
)

// childVar, set in a child process of the test binary, makes it run one
// replica until it is killed, instead of the tests; the replica's
// environment comes in childVar's companions.
const childVar = "TRACKBRIDGE_RIVERSYNC_CHILD"

func TestMain(m *testing.M) {
	if name := os.Getenv(childVar); name != "" {
		runChild(name)
		return
	}
	os.Exit(m.Run())
}

// killOpts are the options of the replicas of the kill tests: a lease
// of a minute, so that a take-over that waited for the dead replica's
// leases to lapse would miss its 30 s.
func killOpts() replicaOpts {
	o := testReplicaOpts()
	o.leaseTTL = time.Minute
	return o
}

// runChild runs one replica until the process is killed.
func runChild(name string) {
	ctx := context.Background()
	opts := killOpts()
	if ms := envInt(childVar+"_POLL_MS", 0); ms > 0 {
		opts.pollInterval = time.Duration(ms) * time.Millisecond
	}
	if ms := envInt(childVar+"_FETCH_COOLDOWN_MS", 0); ms > 0 {
		opts.fetchCooldown = time.Duration(ms) * time.Millisecond
	}
	p, err := buildReplica(ctx, replicaEnv{
		DSN: os.Getenv(childVar + "_DSN"), Schema: os.Getenv(childVar + "_SCHEMA"),
		ExtraHop: os.Getenv(childVar + "_EXTRAHOP"), Jira: os.Getenv(childVar + "_JIRA"),
		Name: name, Opts: opts,
	})
	switch {
	case err != nil:
	case os.Getenv(childVar+"_HOST") != "":
		err = startHostClient(ctx, p, name, os.Getenv(childVar+"_SCHEMA"), opts)
	default:
		err = p.engine.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "replica:", err)
		os.Exit(2)
	}
	<-ctx.Done() // until killed
}

// startHostClient runs the replica's flow as a host that runs River itself
// would: trackbridge's workers on the host's own River client, with a
// TakeOver started before the client.
func startHostClient(ctx context.Context, p *parts, name, schema string, o replicaOpts) error {
	workers := river.NewWorkers()
	jobs, err := riversync.AddWorkers(workers, riversync.Config{PollInterval: o.pollInterval}, p.flow)
	if err != nil {
		return err
	}
	client, err := river.NewClient(riverpgxv5.New(p.pool), &river.Config{
		ID: name, Schema: schema, Workers: workers, PeriodicJobs: jobs.PeriodicJobs(),
		Queues:        map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.workers}},
		FetchCooldown: 10 * time.Millisecond, JobTimeout: o.jobTimeout, RescueStuckJobsAfter: o.jobTimeout,
	})
	if err != nil {
		return err
	}
	takeOver, err := jobs.NewTakeOver(p.pool, client, riversync.TakeOverConfig{Schema: schema})
	if err != nil {
		return err
	}
	if err := takeOver.Start(ctx); err != nil {
		return err
	}
	return client.Start(ctx)
}

// startChild starts a replica in a child process; env adds to its
// environment (childVar+"_POLL_MS" sets its poll interval).
func (c *cluster) startChild(t testing.TB, name string, env ...string) *exec.Cmd {
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(),
		childVar+"="+name, childVar+"_DSN="+c.dsn, childVar+"_SCHEMA="+c.schema,
		childVar+"_EXTRAHOP="+c.eh.URL(), childVar+"_JIRA="+c.jr.URL())
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// TestReplicaKilledMidRunLosesNothing SIGKILLs a replica running in its
// own process while it works beside two others: no item is lost or
// duplicated, and the items it was syncing are synced by the others within
// 30 s. The others see its PostgreSQL session gone and take its jobs
// over, breaking the dead replica's leases on their items (a minute here)
// rather than waiting for them to lapse.
func TestReplicaKilledMidRunLosesNothing(t *testing.T) {
	// Not parallel: the replicas' timing is measured, and their
	// connections must fit beside the other packages' tests.
	killMidRun(t)
}

// TestHostClientKilledMidRunIsTakenOver is the same with the killed
// replica a host's own River client running trackbridge's workers, with a
// TakeOver of its own.
func TestHostClientKilledMidRunIsTakenOver(t *testing.T) {
	// Not parallel: see TestReplicaKilledMidRunLosesNothing.
	killMidRun(t, childVar+"_HOST=1")
}

// killMidRun runs 4,000 detections on two replicas in this process and one
// in a child process started with env, SIGKILLs the child once it has done
// a tenth of the work, and checks that its work is taken over.
func killMidRun(t *testing.T, env ...string) {
	c := newCluster(t, 0)
	c.seedRisky(replicaItems)
	a := c.startReplica("replica-a", killOpts())
	b := c.startReplica("replica-b", killOpts())
	child := c.startChild(t, "replica-child", env...)

	// Let the child work a while, then kill it.
	deadline := time.After(2 * time.Minute)
	for c.jobsCompletedBy("replica-child") < replicaItems/10 {
		select {
		case <-anyJobEnd([]*replica{a, b}):
		case <-deadline:
			t.Fatalf("the child completed only %d jobs in two minutes", c.jobsCompletedBy("replica-child"))
		}
	}
	require.False(t, c.done(replicaItems), "work is left when the child is killed")
	require.NoError(t, child.Process.Kill())
	killed := time.Now()
	_ = child.Wait()
	left := c.jobsLeftBy("replica-child")
	items := c.itemsOf(left)
	t.Logf("killed the child after %d jobs; it left %d jobs unfinished %v", c.jobsCompletedBy("replica-child"), len(left), c.jobStates(left))
	require.NotEmpty(t, items, "the child was syncing items when it was killed")

	recovered := c.waitSynced(items, time.Minute, a, b)
	finished := c.waitDone(replicaItems, 3*time.Minute, a, b)

	assert.Less(t, recovered.Sub(killed), 30*time.Second, "the child's items were synced by the others within 30 s")
	assert.Zero(t, c.jobStates(left)["running"], "none of the child's jobs is left marked running")
	// River's rescuer would have left them running for 10 s and more, and
	// written another error.
	assert.Positive(t, c.jobsWithError("taken over", left...), "the jobs the child left running were taken over")
	assert.Zero(t, c.duplicates(), "duplicate tickets")
	assert.Len(t, c.jr.Issues(), replicaItems, "one ticket per detection")
	assert.Equal(t, replicaItems, c.linked(a.store), "every item linked")
	t.Logf("the child's %d items were synced %s after the kill (its jobs now %v), all work %s after",
		len(items), recovered.Sub(killed).Round(time.Millisecond), c.jobStates(left), finished.Sub(killed).Round(time.Millisecond))
}

// TestReplicaRestartedUnderItsIDKeepsItsJobs SIGKILLs a replica, lets the
// others take its jobs over, and starts it again under the same id: once
// it holds its lock again it is not gone, and its new jobs are never
// taken over.
func TestReplicaRestartedUnderItsIDKeepsItsJobs(t *testing.T) {
	// Not parallel: see TestReplicaKilledMidRunLosesNothing.
	c := newCluster(t, 0)
	c.seedRisky(replicaItems)
	a := c.startReplica("replica-a", killOpts())
	child := c.startChild(t, "replica-child")
	deadline := time.After(2 * time.Minute)
	for c.jobsCompletedBy("replica-child") < replicaItems/10 {
		select {
		case <-anyJobEnd([]*replica{a}):
		case <-deadline:
			t.Fatalf("the child completed only %d jobs in two minutes", c.jobsCompletedBy("replica-child"))
		}
	}
	require.NoError(t, child.Process.Kill())
	_ = child.Wait()
	left := c.jobsLeftBy("replica-child")
	_, running := c.partitionRunning(left)
	require.NotEmpty(t, running, "the child was running jobs when it was killed")
	// Taken over: the jobs it left running are cancelled.
	for c.jobStates(running)["cancelled"] < len(running) {
		select {
		case <-anyJobEnd([]*replica{a}):
		case <-deadline:
			t.Fatalf("the child's jobs were not taken over: %v", c.jobStates(running))
		}
	}
	takenOver := c.jobsWithError("taken over")
	require.Positive(t, takenOver, "jobs with a take-over error")

	c.startChild(t, "replica-child")
	c.waitDone(replicaItems, 3*time.Minute, a)

	assert.Equal(t, takenOver, c.jobsWithError("taken over"), "no job of the restarted replica was taken over")
	assert.Positive(t, c.jobsCompletedBy("replica-child")-replicaItems/10, "the restarted replica took a share")
	assert.Zero(t, c.duplicates(), "duplicate tickets")
}
