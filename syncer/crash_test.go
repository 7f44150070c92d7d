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

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/sqlite"
	"github.com/trackbridge/trackbridge/tracker"
)

// Environment of a crash-test child process.
const (
	crashChildEnv = "TRACKBRIDGE_CRASH_CHILD"
	crashJiraEnv  = "TRACKBRIDGE_CRASH_JIRA"
	crashDBEnv    = "TRACKBRIDGE_CRASH_DB"
	crashItemsEnv = "TRACKBRIDGE_CRASH_ITEMS"
	crashRunEnv   = "TRACKBRIDGE_CRASH_RUN"
)

// crashLeaseTTL is the child engines' lease lifetime. Run i reads the
// store's clock i TTLs ahead, so every lease a killed run left behind has
// expired for the runs after it, without anyone waiting.
const crashLeaseTTL = 10 * time.Second

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

// crashItems are the items the child pushes: the same every run.
func crashItems(n int) []*tracker.Issue {
	items := make([]*tracker.Issue, n)
	for i := range items {
		items[i] = &tracker.Issue{
			ID:      fmt.Sprintf("F-%04d", i),
			Summary: fmt.Sprintf("Finding %d", i),
			Labels:  []string{"sec.attack"},
			Fields:  map[string]any{"risk_score": int64(30 + i%70)},
		}
	}
	return items
}

// crashChild is the engine process the crash test kills. It prints one
// line per ticket created, so the parent can kill it at a point of its
// choosing, and "done" when every item is synced.
func crashChild() int {
	ctx := context.Background()
	n, _ := strconv.Atoi(os.Getenv(crashItemsEnv))
	runNo, _ := strconv.Atoi(os.Getenv(crashRunEnv))
	skew := time.Duration(runNo) * (crashLeaseTTL + time.Second)
	st, err := sqlite.Open(ctx, os.Getenv(crashDBEnv), sqlite.WithClock(func() time.Time { return time.Now().Add(skew) }))
	if err != nil {
		fmt.Fprintln(os.Stderr, "open store:", err)
		return 2
	}
	defer st.Close()
	jc, err := jira.New(os.Getenv(crashJiraEnv), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	target, err := jira.NewAdapter(jc, jira.AdapterConfig{Location: time.UTC})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	spec, err := mapping.Builtin("extrahop-to-jira")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	out := bufio.NewWriter(os.Stdout)
	flow, err := syncer.New(syncer.Config{
		Name: "crash", SourceKind: "appsec", Target: target, Mapping: spec.Flows[0], Store: st,
		Concurrency: 4, BulkSize: 10,
		LeaseTTL: crashLeaseTTL,
		Observer: syncer.ObserverFunc(func(e syncer.Event) {
			if e.Kind == syncer.EventCreated || e.Kind == syncer.EventAdopted {
				// The parent reads these to pick a moment to kill us.
				fmt.Fprintln(os.Stdout, e.Kind, e.Source.ID)
			}
		}),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	items := crashItems(n)
	for pass := 0; pass < 20; pass++ {
		if _, err := flow.ResolvePending(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "resolve:", err)
			return 1
		}
		rep, err := flow.Push(ctx, items...)
		if err != nil {
			fmt.Fprintln(os.Stderr, "push:", err)
			return 1
		}
		if rep.Created+rep.Adopted == 0 && rep.Clean() {
			fmt.Fprintln(out, "done")
			out.Flush()
			return 0
		}
	}
	fmt.Fprintln(os.Stderr, "items still not synced after 20 passes")
	return 1
}

func TestCrashedEngineNeverDuplicatesNorLosesTickets(t *testing.T) {
	t.Parallel()
	const items = 1000
	jr := jiratest.NewServer(t, jiratest.WithLatency(time.Millisecond))
	db := filepath.Join(t.TempDir(), "crash.db")
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("seed %d", seed)

	runs := 0
	run := func(killAfter int) (done bool) {
		runs++
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"=1", crashJiraEnv+"="+jr.URL(), crashDBEnv+"="+db,
			crashItemsEnv+"="+strconv.Itoa(items), crashRunEnv+"="+strconv.Itoa(runs))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(stdout)
		lines := 0
		for sc.Scan() {
			if sc.Text() == "done" {
				done = true
				continue
			}
			lines++
			if killAfter > 0 && lines == killAfter {
				// A real crash: no deferred cleanup, no flush, no release.
				require.NoError(t, cmd.Process.Kill())
				break
			}
		}
		_, _ = cmd.Process.Wait()
		if killAfter == 0 {
			require.True(t, done, "the last run finishes; stderr: %s", stderr.String())
		}
		return done
	}

	kills := 0
	for i := 0; i < 10; i++ {
		if run(1 + rng.IntN(90)) { // 10 × 90 < items: every one of the ten runs is killed
			break
		}
		kills++
	}
	run(0)
	t.Logf("%d runs killed before the last one finished", kills)
	require.Equal(t, 10, kills, "the engine is really killed ten times")

	perMarker := map[string]int{}
	for _, is := range jr.Issues() {
		for _, l := range is.Labels {
			if strings.HasPrefix(l, "tb-") {
				perMarker[l]++
			}
		}
	}
	dups := 0
	for _, n := range perMarker {
		if n > 1 {
			dups += n - 1
		}
	}
	assert.Zero(t, dups, "duplicate tickets")
	assert.Equal(t, items, len(perMarker), "every item has a ticket")
	assert.Equal(t, items, len(jr.Issues()), "no ticket without a marker")

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
