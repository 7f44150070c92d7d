package riversync_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// killOpts: River rescues a killed replica's running jobs once they have
// run RescueStuckJobsAfter (here JobTimeout), at its next rescue pass.
func killOpts() replicaOpts {
	o := testReplicaOpts()
	o.jobTimeout = 5 * time.Second
	return o
}

// runChild runs one replica until the process is killed.
func runChild(name string) {
	ctx := context.Background()
	p, err := buildReplica(ctx, replicaEnv{
		DSN: os.Getenv(childVar + "_DSN"), Schema: os.Getenv(childVar + "_SCHEMA"),
		ExtraHop: os.Getenv(childVar + "_EXTRAHOP"), Jira: os.Getenv(childVar + "_JIRA"),
		Name: name, Opts: killOpts(),
	})
	if err == nil {
		err = p.engine.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "replica:", err)
		os.Exit(2)
	}
	<-ctx.Done() // until killed
}

// startChild starts a replica in a child process.
func (c *cluster) startChild(t *testing.T, name string) *exec.Cmd {
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(),
		childVar+"="+name, childVar+"_DSN="+c.dsn, childVar+"_SCHEMA="+c.schema,
		childVar+"_EXTRAHOP="+c.eh.URL(), childVar+"_JIRA="+c.jr.URL())
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// TestReplicaKilledMidRunLosesNothing SIGKILLs a replica running in its
// own process while it works beside two others: no item is lost or
// duplicated, and its unfinished jobs finish on the others once River's
// rescuer has seen them stuck (RescueStuckJobsAfter, plus up to River's
// 30 s rescue interval).
func TestReplicaKilledMidRunLosesNothing(t *testing.T) {
	// Not parallel: the replicas' timing is measured, and their
	// connections must fit beside the other packages' tests.
	c := newCluster(t, 0)
	c.seedRisky(replicaItems)
	a := c.startReplica("replica-a", killOpts())
	b := c.startReplica("replica-b", killOpts())
	child := c.startChild(t, "replica-child")

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
	t.Logf("killed the child after %d jobs; it left %d jobs unfinished %v", c.jobsCompletedBy("replica-child"), len(left), c.jobStates(left))

	recovered := c.waitJobsCompleted(left, 3*time.Minute, a, b)
	finished := c.waitDone(replicaItems, 3*time.Minute, a, b)

	limit := killOpts().jobTimeout + 30*time.Second + 85*time.Second
	// River rescues a job RescueStuckJobsAfter after it started, at its
	// next rescue pass (every 30 s); a rescued job then waits its turn
	// behind the items still queued, which on a loaded machine (CI runs
	// every package at once, with -race) took up to about 70 s in all.
	assert.Less(t, recovered.Sub(killed), limit, "the child's jobs finished on the others once rescued")
	assert.Zero(t, c.duplicates(), "duplicate tickets")
	assert.Len(t, c.jr.Issues(), replicaItems, "one ticket per detection")
	assert.Equal(t, replicaItems, c.linked(a.store), "every item linked")
	t.Logf("the child's jobs finished %s after the kill, all work %s after",
		recovered.Sub(killed).Round(time.Millisecond), finished.Sub(killed).Round(time.Millisecond))
}
