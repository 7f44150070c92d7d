package syncer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
)

// findingsToJira is a small flow onto the Jira fake's SEC project.
const findingsToJira = `
flows:
  - name: findings
    source: appsec
    target: jira
    defaults: {project: SEC, type: Task, labels: [appsec]}
    fields:
      summary: {template: 'Finding {{.ID}}: {{.Summary}}'}
`

func findingsSpec(t testing.TB) *mapping.FlowSpec {
	t.Helper()
	spec, err := mapping.Parse([]byte(findingsToJira))
	require.NoError(t, err)
	return spec.Flows[0]
}

// fakeClock is a clock tests move by hand; the zero value starts at a
// fixed date.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// loseCreateAnswers makes the fake lose the answer of about share of its
// creates and bulk creates after carrying them out: half as a gateway's
// 502, half as a reset connection. It returns a counter of lost answers.
func loseCreateAnswers(jr *jiratest.Server, seed uint64, share float64) func() int {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, 7))
	lost := 0
	jr.LoseAnswers(func(route string, _ *http.Request) jiratest.AnswerLoss {
		if route != "POST /rest/api/3/issue" && route != "POST /rest/api/3/issue/bulk" {
			return jiratest.Deliver
		}
		mu.Lock()
		defer mu.Unlock()
		if rng.Float64() >= share {
			return jiratest.Deliver
		}
		lost++
		if lost%2 == 0 {
			return jiratest.LoseToReset
		}
		return jiratest.LoseTo502
	})
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return lost
	}
}

// ticketsPerMarker counts the fake's tickets by the engine's marker label.
func ticketsPerMarker(jr *jiratest.Server) (perMarker map[string]int, unmarked int) {
	perMarker = map[string]int{}
	for _, is := range jr.Issues() {
		marked := false
		for _, l := range is.Labels {
			if strings.HasPrefix(l, "tb-") {
				perMarker[l]++
				marked = true
			}
		}
		if !marked {
			unmarked++
		}
	}
	return perMarker, unmarked
}

func duplicates(perMarker map[string]int) int {
	n := 0
	for _, c := range perMarker {
		n += c - 1
	}
	return n
}

func findings(n int) []*tracker.Issue {
	items := make([]*tracker.Issue, n)
	for i := range items {
		items[i] = &tracker.Issue{ID: fmt.Sprintf("F-%04d", i), Summary: fmt.Sprintf("finding %d", i)}
	}
	return items
}

func jiraTarget(t testing.TB, jr *jiratest.Server) *jira.Adapter {
	t.Helper()
	jc, err := jira.New(jr.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken), jira.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	target, err := jira.NewAdapter(jc, jira.AdapterConfig{Location: time.UTC})
	require.NoError(t, err)
	return target
}

// TestLostCreateAnswersNeverDuplicate: a fifth of the creates, single and
// bulk, are carried out by the fake and then answered 502 or reset. The
// engine resolves each by its marker instead of creating again: no
// duplicate, no missing ticket, and the report counts what the fake holds.
func TestLostCreateAnswersNeverDuplicate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		bulk int
	}{{"single creates", 1}, {"bulk creates", 10}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const items = 1000
			jr := jiratest.NewServer(t)
			seed := uint64(time.Now().UnixNano())
			t.Logf("seed %d", seed)
			lost := loseCreateAnswers(jr, seed, 0.2)
			counter := &syncer.Counter{}
			flow, err := syncer.New(syncer.Config{
				Name: "findings", SourceKind: "appsec", Target: jiraTarget(t, jr), Mapping: findingsSpec(t),
				Store: memory.New(), Observer: counter, Concurrency: 4, BulkSize: tc.bulk,
				Sleep: func(time.Duration) <-chan time.Time { return instant() },
			})
			require.NoError(t, err)

			rep, err := flow.Push(context.Background(), findings(items)...)
			require.NoError(t, err)

			perMarker, unmarked := ticketsPerMarker(jr)
			t.Logf("%d answers lost; report: %s", lost(), rep.Summary())
			require.Positive(t, lost(), "answers were lost")
			assert.Zero(t, duplicates(perMarker), "duplicate tickets")
			assert.Zero(t, unmarked)
			assert.Len(t, perMarker, items, "every item has its ticket")
			assert.Equal(t, len(jr.Issues()), rep.Created, "the report counts the tickets the fake holds")
			assert.Zero(t, rep.Adopted, "this run created every ticket it found")
			assert.True(t, rep.Clean(), "a consistent search resolves every lost answer in the run: %s", rep.Summary())
			assert.Equal(t, lost()*tc.bulk, counter.Count(syncer.EventAnswerLost), "every item of a lost answer was resolved by its marker")

			again, err := flow.Push(context.Background(), findings(items)...)
			require.NoError(t, err)
			assert.Equal(t, items, again.Unchanged, "a second run finds nothing to do")
		})
	}
}

// TestLostCreateAnswersWithLaggingSearch: the fake's search shows a new
// ticket only 5 s after its create, like Jira Cloud's index. A marker
// search straight after a lost answer finds nothing, which proves nothing:
// the item is deferred until the target's search lag has passed, then
// adopted.
func TestLostCreateAnswersWithLaggingSearch(t *testing.T) {
	t.Parallel()
	const items = 1000
	run := func(t *testing.T, bulk int, searchLag time.Duration) (jr *jiratest.Server, clock *fakeClock, flow *syncer.Flow, lost func() int) {
		clock = newFakeClock()
		jr = jiratest.NewServer(t, jiratest.WithClock(clock.Now), jiratest.WithSearchLag(5*time.Second))
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seed)
		lost = loseCreateAnswers(jr, seed, 0.2)
		flow, err := syncer.New(syncer.Config{
			Name: "findings", SourceKind: "appsec", Target: jiraTarget(t, jr), Mapping: findingsSpec(t),
			Store: memory.New(), Concurrency: 4, BulkSize: bulk, SearchLag: searchLag, Now: clock.Now,
			Sleep: func(time.Duration) <-chan time.Time { return instant() },
		})
		require.NoError(t, err)
		return jr, clock, flow, lost
	}
	for _, tc := range []struct {
		name string
		bulk int
	}{{"single creates", 1}, {"bulk creates", 10}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			// SearchLag 0: the Jira adapter's own figure, a minute on Cloud.
			jr, clock, flow, lost := run(t, tc.bulk, 0)

			first, err := flow.Push(ctx, findings(items)...)
			require.NoError(t, err)
			t.Logf("%d answers lost; first run: %s", lost(), first.Summary())
			require.Positive(t, lost())
			assert.Positive(t, first.Deferred, "lost creates wait for the search")
			assert.Equal(t, items, first.Created+first.Deferred)
			assert.False(t, first.Clean(), "a run that deferred work is not clean")
			assert.Equal(t, clock.Now().Add(time.Minute), first.RetryAt, "the report says when to rerun")
			assert.Len(t, jr.Issues(), items, "every create was carried out once")

			again, err := flow.Push(ctx, findings(items)...)
			require.NoError(t, err)
			assert.Equal(t, first.Deferred, again.Deferred, "a rerun before the search caught up still defers")
			assert.Zero(t, again.Created+again.Adopted)
			assert.Len(t, jr.Issues(), items, "nothing was created again")

			// Once the fake's index caught up (5 s), the marker is found:
			// proof enough, before the rule's minute is up.
			clock.Advance(6 * time.Second)
			last, err := flow.Push(ctx, findings(items)...)
			require.NoError(t, err)
			assert.Equal(t, first.Deferred, last.Adopted, "each deferred item adopts the ticket its lost create made")
			assert.True(t, last.Clean(), last.Summary())

			perMarker, unmarked := ticketsPerMarker(jr)
			assert.Zero(t, duplicates(perMarker), "duplicate tickets")
			assert.Zero(t, unmarked)
			assert.Len(t, perMarker, items)
			assert.Equal(t, len(jr.Issues()), first.Created+last.Adopted, "the reports count the tickets the fake holds")
		})
	}
	t.Run("trusting the lagging search duplicates", func(t *testing.T) {
		t.Parallel()
		// The rule matters: a flow told its target's search is current
		// creates again every ticket whose answer was lost.
		jr, _, flow, lost := run(t, 1, -1)
		_, err := flow.Push(context.Background(), findings(200)...)
		require.NoError(t, err)
		perMarker, _ := ticketsPerMarker(jr)
		require.Positive(t, lost())
		assert.Positive(t, duplicates(perMarker))
	})
}
