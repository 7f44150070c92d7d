package syncer_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/sqlite"
)

// Environment of a crash-test child process.
const (
	crashChildEnv    = "TRACKBRIDGE_CRASH_CHILD"
	crashJiraEnv     = "TRACKBRIDGE_CRASH_JIRA"
	crashExtraHopEnv = "TRACKBRIDGE_CRASH_EXTRAHOP"
	crashDBEnv       = "TRACKBRIDGE_CRASH_DB"
	crashBulkEnv     = "TRACKBRIDGE_CRASH_BULK"
)

// Exit codes of a crash-test child.
const (
	crashClean    = 0 // every item synced
	crashUnclean  = 3 // the run said it left work undone
	crashBroken   = 2 // could not start
	crashFailedIO = 1 // the run returned an error
)

// crashSpec files a ticket per detection and writes its key back.
const crashSpec = `
flows:
  - name: crash
    source: extrahop
    target: jira
    defaults: {project: SEC, type: Task, labels: [extrahop]}
    fields:
      summary: {template: 'Detection {{.ID}}: {{.Summary}}'}
    afterCreate:
      ticket_id: {from: key}
`

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	if os.Getenv(commentChildEnv) != "" {
		os.Exit(commentChild())
	}
	os.Exit(m.Run())
}

// crashChild is the engine process the crash test kills. It runs one poll
// with the flow's default Owner, as a restarted service would, printing a
// line per ticket created or adopted (so the parent can kill it at a point
// of its choosing) and then its report. It exits crashUnclean when the
// report says work is left.
func crashChild() int {
	ctx := context.Background()
	bulk, _ := strconv.Atoi(os.Getenv(crashBulkEnv))
	st, err := sqlite.Open(ctx, os.Getenv(crashDBEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "open store:", err)
		return crashBroken
	}
	defer st.Close()
	jc, err := jira.New(os.Getenv(crashJiraEnv), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return crashBroken
	}
	target, err := jira.NewAdapter(jc, jira.AdapterConfig{Location: time.UTC})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return crashBroken
	}
	ec, err := extrahop.New(os.Getenv(crashExtraHopEnv), extrahop.WithAPIKey(extrahoptest.DefaultAPIKey))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return crashBroken
	}
	source, err := extrahop.NewAdapter(ec, extrahop.AdapterConfig{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return crashBroken
	}
	spec, err := mapping.Parse([]byte(crashSpec))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return crashBroken
	}
	flow, err := syncer.New(syncer.Config{
		Name: "crash", Source: source, Target: target, Mapping: spec.Flows[0], Store: st,
		Concurrency: 4, BulkSize: bulk,
		// The fake's search is current: a marker it does not show was
		// never created.
		SearchLag: -1,
		Observer: syncer.ObserverFunc(func(e syncer.Event) {
			if e.Kind == syncer.EventCreated || e.Kind == syncer.EventAdopted {
				// The parent reads these to pick a moment to kill us.
				fmt.Fprintln(os.Stdout, e.Kind, e.Source.ID)
			}
		}),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return crashBroken
	}
	rep, err := flow.RunOnce(ctx)
	fmt.Fprintln(os.Stdout, "report", rep.Summary())
	if err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		return crashFailedIO
	}
	if !rep.Clean() {
		return crashUnclean
	}
	return crashClean
}

// TestCrashedEngineNeverDuplicatesNorLosesTickets kills an engine process
// ten times at random points while it files tickets for 1,000 detections
// and writes their keys back, restarting it at once each time, with no
// wait for leases to expire. The run after the last kill must finish every
// item in one pass: 0 missing tickets, 0 missing write-backs, 0
// duplicates. Single creates and bulk creates are both killed.
func TestCrashedEngineNeverDuplicatesNorLosesTickets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		bulk int
	}{{"single creates", 1}, {"bulk creates", 10}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			crashTest(t, tc.bulk)
		})
	}
}

func crashTest(t *testing.T, bulk int) {
	const items = 1000
	jr := jiratest.NewServer(t, jiratest.WithLatency(time.Millisecond))
	eh := extrahoptest.NewServer(t)
	seedRisky(t, eh, items)
	db := filepath.Join(t.TempDir(), "crash.db")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, uint64(bulk)))
	t.Logf("seed %d", seed)

	run := func(killAfter int) (code int, report string, killed bool) {
		return runEngine(t, killAfter, crashChildEnv+"=1", crashJiraEnv+"="+jr.URL(), crashExtraHopEnv+"="+eh.URL(),
			crashDBEnv+"="+db, crashBulkEnv+"="+strconv.Itoa(bulk))
	}

	kills := 0
	for range 10 {
		// Fewer tickets than a tenth of the items: every run is killed.
		_, _, killed := run(1 + rng.IntN(90))
		if killed {
			kills++
		}
	}
	require.Equal(t, 10, kills, "the engine is really killed ten times")
	code, report, _ := run(0)
	t.Logf("after %d kills, the immediate rerun: %s", kills, report)
	require.Equal(t, crashClean, code, "the run right after the last kill finishes everything: %s", report)

	perMarker, unmarked := ticketsPerMarker(jr)
	assert.Zero(t, duplicates(perMarker), "duplicate tickets")
	assert.Len(t, perMarker, items, "every detection has a ticket")
	assert.Zero(t, unmarked, "no ticket without a marker")

	keyOf := map[string]string{} // detection id → ticket key
	for _, is := range jr.Issues() {
		id, _, ok := strings.Cut(strings.TrimPrefix(is.Summary, "Detection "), ":")
		require.True(t, ok, "summary %q", is.Summary)
		keyOf[id] = is.Key
	}
	missingWriteBacks := 0
	for _, d := range eh.Detections() {
		if d.TicketIDValue() != keyOf[strconv.FormatInt(d.ID, 10)] {
			missingWriteBacks++
		}
	}
	assert.Zero(t, missingWriteBacks, "detections without their ticket key")

	st, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	defer st.Close()
	linked := 0
	for l, err := range st.ListLinks(context.Background(), "crash", store.Filter{}) {
		require.NoError(t, err)
		assert.Equal(t, store.StateLinked, l.State, "link of %s", l.Source)
		linked++
	}
	assert.Equal(t, items, linked)
}

// runEngine runs this test binary as an engine process with env added,
// kills it after it printed killAfter progress lines (never when 0), and
// returns its exit code and the line it printed after "report ". An engine
// that was not killed must exit crashClean or crashUnclean.
func runEngine(t *testing.T, killAfter int, env ...string) (code int, report string, killed bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(stdout)
	lines := 0
	for sc.Scan() {
		if r, ok := strings.CutPrefix(sc.Text(), "report "); ok {
			report = r
			continue
		}
		lines++
		if killAfter > 0 && lines == killAfter {
			// A real crash: no deferred cleanup, no flush, no release.
			require.NoError(t, cmd.Process.Kill())
			killed = true
			break
		}
	}
	state, _ := cmd.Process.Wait()
	code = state.ExitCode()
	if !killed && code != crashClean && code != crashUnclean {
		t.Fatalf("engine exited %d: %s", code, stderr.String())
	}
	return code, report, killed
}
