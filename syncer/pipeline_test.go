package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

// waitFor waits for c, or fails the operation after 10 s: a hook that
// never sees what it waits for makes the run fail rather than hang.
func waitFor(ctx context.Context, c <-chan struct{}, what string) error {
	select {
	case <-c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Second):
		return errors.New("timed out waiting: " + what)
	}
}

// A poll reads its next round while the current batch is applied: the
// first create waits until the second search has begun, which without
// read-ahead would never happen.
func TestPollReadsTheNextRoundWhileApplying(t *testing.T) {
	t.Parallel()
	var searches atomic.Int32
	secondSearch := make(chan struct{})
	src := trackertest.NewMemory("extrahop", trackertest.WithHook(func(ctx context.Context, op string) error {
		if op == trackertest.OpSearchIssues && searches.Add(1) == 2 {
			close(secondSearch)
		}
		return nil
	}))
	var creates atomic.Int32
	var waitErr error
	dst := trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low"),
		trackertest.WithHook(func(ctx context.Context, op string) error {
			if (op == trackertest.OpCreateIssues || op == trackertest.OpCreateIssue) && creates.Add(1) == 1 {
				waitErr = waitFor(ctx, secondSearch, "the next round's search")
			}
			return nil
		}))
	e := &env{src: src, dst: dst}
	for i := range 12 {
		e.detection(t, fmt.Sprintf("detection %d", i), 60)
	}
	f, err := syncer.New(syncer.Config{Name: "s3", Source: src, Target: dst, Mapping: s3Mapping(t), Store: memory.New(),
		BatchSize: 5, Concurrency: 2})
	require.NoError(t, err)

	rep, err := f.RunOnce(context.Background())

	require.NoError(t, err)
	require.NoError(t, waitErr, "the first create waited for the second round's search")
	assert.Equal(t, 12, rep.Created, rep.Summary())
	assert.True(t, rep.Clean())
	assert.Equal(t, 12, dst.Len())
}

// maxBatch records the largest batch an observer was told of.
type maxBatch struct {
	mu  sync.Mutex
	max int
}

func (m *maxBatch) Observe(e syncer.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.max = max(m.max, e.Total)
}

func (m *maxBatch) take() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.max
	m.max = 0
	return n
}

// A second pass whose overlap covers every item re-reads them in batches
// of BatchSize, not all at once, and writes nothing anywhere.
func TestSecondPassReadsTheOverlapInBatches(t *testing.T) {
	t.Parallel()
	batches := &maxBatch{}
	e := newEnv(t, func(c *syncer.Config) { c.BatchSize = 10; c.Observer = batches })
	for i := range 25 {
		e.detection(t, fmt.Sprintf("detection %d", i), 60)
	}
	ctx := context.Background()
	rep, err := e.flow.RunOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 25, rep.Created, rep.Summary())
	assert.LessOrEqual(t, batches.take(), 10, "first pass")
	e.src.ResetCalls()
	e.dst.ResetCalls()

	rep, err = e.flow.RunOnce(ctx)

	require.NoError(t, err)
	assert.True(t, rep.Clean(), rep.Summary())
	assert.Zero(t, rep.Created+rep.Updated+rep.WroteBack, rep.Summary())
	assert.GreaterOrEqual(t, rep.Unchanged, 25, "every item was read again, within the overlap")
	assert.LessOrEqual(t, batches.take(), 10, "second pass")
	assert.Zero(t, e.src.WriteCalls(), "writes to the source")
	assert.Zero(t, e.dst.WriteCalls(), "writes to the target")
}

// Tickets changed on the target are written back up to Concurrency at a
// time, and a ticket given twice is handled once.
func TestPushTargetWritesBackConcurrently(t *testing.T) {
	t.Parallel()
	const n = 4
	var armed atomic.Bool
	var writes atomic.Int32
	all := make(chan struct{})
	var waitErr atomic.Value
	src := trackertest.NewMemory("extrahop", trackertest.WithHook(func(ctx context.Context, op string) error {
		if !armed.Load() || (op != trackertest.OpUpdateIssue && op != trackertest.OpTransition) {
			return nil
		}
		switch w := writes.Add(1); {
		case w == n:
			close(all)
		case w < n:
			if err := waitFor(ctx, all, "the other write-backs"); err != nil {
				waitErr.Store(err)
			}
		}
		return nil
	}))
	dst := trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low"))
	e := &env{src: src, dst: dst}
	for i := range n {
		e.detection(t, fmt.Sprintf("detection %d", i), 60)
	}
	f, err := syncer.New(syncer.Config{Name: "s3", Source: src, Target: dst, Mapping: s3Mapping(t), Store: memory.New(), Concurrency: n})
	require.NoError(t, err)
	ctx := context.Background()
	rep, err := f.RunOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, n, rep.Created)
	tickets := e.tickets(t)
	require.Len(t, tickets, n)
	for _, tk := range tickets {
		require.NoError(t, dst.Transition(ctx, tk.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}))
	}
	tickets = e.tickets(t)
	armed.Store(true)

	rep, err = f.PushTarget(ctx, append(tickets, tickets[0])...)

	require.NoError(t, err)
	assert.Nil(t, waitErr.Load(), "write-backs ran one at a time")
	assert.Equal(t, n, rep.WroteBack, rep.Summary())
	assert.Len(t, rep.Outcomes, n, "one outcome per ticket")
}

// A target that cannot update calls an item whose ticket would not change
// unchanged (no event-log line on every pass), and one whose ticket would
// change "created once".
func TestCreateOnlyTargetTellsUnchangedFromNotUpdated(t *testing.T) {
	t.Parallel()
	mem := trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low"))
	target := struct {
		tracker.Tracker
		tracker.Creator
		tracker.MarkerFinder
	}{mem, mem, mem}
	st := memory.New()
	f, err := syncer.New(syncer.Config{Name: "once", SourceKind: "extrahop", Target: target, Mapping: s3Mapping(t), Store: st})
	require.NoError(t, err)
	ctx := context.Background()
	item := &tracker.Issue{ID: "7", Summary: "Port scan", Fields: map[string]any{"risk_score": int64(60)}, Updated: time.Now()}
	rep, err := f.Push(ctx, item)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Created)
	events, err := st.ListEvents(ctx, "once", 0, 100)
	require.NoError(t, err)

	rep, err = f.Push(ctx, item)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Unchanged, rep.Summary())
	again, err := st.ListEvents(ctx, "once", 0, 100)
	require.NoError(t, err)
	assert.Len(t, again, len(events), "no event-log line for an unchanged item")

	changed := item.Clone()
	changed.Summary, changed.Updated = "Port scan, then brute force", item.Updated.Add(time.Second)
	rep, err = f.Push(ctx, changed)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{syncer.ReasonNoUpdate: 1}, rep.Skips, rep.Summary())
	assert.Equal(t, 1, mem.Len(), "nothing created or written")
}

// A batch starts while the one before finishes: the first batch's first
// create waits until a create of the second batch has begun, which would
// never happen if batches ran one after another.
func TestNextBatchFillsWorkersTheLastOneLeavesIdle(t *testing.T) {
	t.Parallel()
	var creates atomic.Int32
	fifth := make(chan struct{})
	var waitErr error
	dst := trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low"),
		trackertest.WithHook(func(ctx context.Context, op string) error {
			if op != trackertest.OpCreateIssue && op != trackertest.OpCreateIssues {
				return nil
			}
			switch creates.Add(1) {
			case 1:
				waitErr = waitFor(ctx, fifth, "a create of the second batch")
			case 5:
				close(fifth)
			}
			return nil
		}))
	src := trackertest.NewMemory("extrahop")
	e := &env{src: src, dst: dst}
	for i := range 8 {
		e.detection(t, fmt.Sprintf("detection %d", i), 60)
	}
	f, err := syncer.New(syncer.Config{Name: "s3", Source: src, Target: dst, Mapping: s3Mapping(t), Store: memory.New(),
		BatchSize: 4, Concurrency: 4, BulkSize: 1})
	require.NoError(t, err)

	rep, err := f.RunOnce(context.Background())

	require.NoError(t, err)
	require.NoError(t, waitErr, "the second batch started while the first finished")
	assert.Equal(t, 8, rep.Created, rep.Summary())
	assert.True(t, rep.Clean())
}

// Items whose echoes (the write-back's new versions) land in the next
// batch wait for the batch holding them: small batches over many items
// end clean, with no item deferred to the engine's own work and one
// ticket each.
func TestEchoesInTheNextBatchWaitForTheirItem(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *syncer.Config) { c.BatchSize = 3; c.Concurrency = 4 })
	for i := range 30 {
		e.detection(t, fmt.Sprintf("detection %d", i), 60)
	}
	rep, err := e.flow.RunOnce(context.Background())
	require.NoError(t, err)
	assert.True(t, rep.Clean(), rep.Summary())
	assert.Zero(t, rep.Deferred, rep.Summary())
	assert.Equal(t, 30, rep.Created)
	assert.Len(t, e.tickets(t), 30)
}

// An item changed while the batch holding it is still being applied comes
// again in the next batch; it waits for the first to finish instead of
// being deferred to the engine's own work in flight.
func TestItemInTwoBatchesWaitsForTheFirst(t *testing.T) {
	t.Parallel()
	var src *trackertest.Memory
	var searches atomic.Int32
	var x string // the item changed between the first and second read
	src = trackertest.NewMemory("extrahop", trackertest.WithHook(func(ctx context.Context, op string) error {
		if op == trackertest.OpSearchIssues && searches.Add(1) == 2 {
			title := "changed while the first batch is applied"
			return src.UpdateIssue(ctx, x, &tracker.Change{Summary: &title})
		}
		return nil
	}))
	// Every create waits until three are in flight: the first batch's two
	// (a full read of three gives its last item back to the next round)
	// and the second batch's new item, so the first batch is still being
	// applied when the second starts.
	three := make(chan struct{})
	var creates atomic.Int32
	var waitErr atomic.Value
	dst := trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low"),
		trackertest.WithHook(func(ctx context.Context, op string) error {
			if op != trackertest.OpCreateIssue {
				return nil
			}
			switch n := creates.Add(1); {
			case n == 3:
				close(three)
			case n < 3:
				if err := waitFor(ctx, three, "three creates in flight"); err != nil {
					waitErr.Store(err)
				}
			}
			return nil
		}))
	e := &env{src: src, dst: dst}
	e.detection(t, "a", 60)
	x = e.detection(t, "x", 60).ID
	e.detection(t, "d", 60)
	f, err := syncer.New(syncer.Config{Name: "s3", Source: src, Target: dst, Mapping: s3Mapping(t), Store: memory.New(),
		BatchSize: 3, Concurrency: 5, BulkSize: 1})
	require.NoError(t, err)

	rep, err := f.RunOnce(context.Background())

	require.NoError(t, err)
	assert.Nil(t, waitErr.Load())
	assert.Zero(t, rep.Deferred, rep.Summary())
	assert.True(t, rep.Clean(), rep.Summary())
	assert.Equal(t, 3, rep.Created, rep.Summary())
	assert.Equal(t, 3, dst.Len())
}

// A source that reports its largest page (tracker.PageLimiter, as the
// ExtraHop adapter does) is read a batch per search rather than in pages
// of 100: every search is a request in the poll's path.
func TestPollReadsABatchPerSearchWhenTheSourceAllowsIt(t *testing.T) {
	t.Parallel()
	f := newS3Fakes(t, nil, nil, nil)
	seedRisky(t, f.eh, 1000)
	f.eh.ResetRequests()
	flow, err := syncer.New(syncer.Config{
		Name: "pages", Source: f.source, Target: f.target, Mapping: s3Mapping(t),
		Store: memory.New(), Concurrency: 8, BatchSize: 500,
	})
	require.NoError(t, err)

	rep, err := flow.RunOnce(context.Background())

	require.NoError(t, err)
	require.Equal(t, 1000, rep.Created, rep.Summary())
	// 1,000 new detections and their 1,000 echoes after the write-backs,
	// in batches of 500 (the first is 4 × Concurrency): about 5 searches,
	// and 20 or more in pages of 100.
	searches := f.eh.RequestCount("POST /api/v1/detections/search")
	assert.LessOrEqual(t, searches, 8, "searches")
	assert.Equal(t, extrahop.MaxSearchLimit, f.source.MaxPageSize())
}

// skipWatch closes seen once the observer reports an item of want
// skipped.
type skipWatch struct {
	want string
	once sync.Once
	seen chan struct{}
}

func (s *skipWatch) Observe(e syncer.Event) {
	if e.Kind == syncer.EventSkipped && e.Source.ID == s.want {
		s.once.Do(func() { close(s.seen) })
	}
}

// Pages with nothing to do (the echoes of the engine's own write-backs,
// mostly) are decided while the batch before them runs rather than one at
// a time after it: the first create of a poll waits until an item two
// pages later has been skipped, which without it would never happen.
func TestPagesWithNothingToDoAreDecidedWhileTheBatchBeforeRuns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var hold atomic.Bool
	watch := &skipWatch{seen: make(chan struct{})}
	var waitErr error
	var creates atomic.Int32
	src := trackertest.NewMemory("extrahop")
	dst := trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low"),
		trackertest.WithHook(func(ctx context.Context, op string) error {
			if hold.Load() && (op == trackertest.OpCreateIssues || op == trackertest.OpCreateIssue) && creates.Add(1) == 1 {
				waitErr = waitFor(ctx, watch.seen, "a skip two pages on")
			}
			return nil
		}))
	e := &env{src: src, dst: dst}
	var synced []*tracker.Issue
	for i := range 10 {
		synced = append(synced, e.detection(t, fmt.Sprintf("synced %d", i), 60))
	}
	st := memory.New()
	f, err := syncer.New(syncer.Config{Name: "s3", Source: src, Target: dst, Mapping: s3Mapping(t), Store: st,
		BatchSize: 5, Concurrency: 2, Observer: watch})
	require.NoError(t, err)
	rep, err := f.RunOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 10, rep.Created, rep.Summary())

	// Four new detections, then the ten synced ones touched in a field
	// the mapping does not read: the next poll reads the new four first
	// (a batch of 5 gives its last item back to the next round), then
	// three pages with nothing to do.
	for i := range 4 {
		e.detection(t, fmt.Sprintf("new %d", i), 60)
	}
	for _, it := range synced {
		require.NoError(t, src.UpdateIssue(ctx, it.ID, &tracker.Change{Fields: map[string]any{"note": "looked at"}}))
	}
	watch.want = synced[len(synced)-1].ID
	hold.Store(true)

	rep, err = f.RunOnce(ctx)

	require.NoError(t, err)
	require.NoError(t, waitErr, "the first create waited for a skip two pages on")
	assert.Equal(t, 4, rep.Created, rep.Summary())
	assert.GreaterOrEqual(t, rep.Unchanged, 10, rep.Summary())
	assert.True(t, rep.Clean(), rep.Summary())
	cur, err := st.Cursor(ctx, "s3", store.SideSource)
	require.NoError(t, err)
	last, err := src.GetIssue(ctx, watch.want)
	require.NoError(t, err)
	assert.False(t, cur.Time.Before(last.Updated), "the cursor moved past the pages with nothing to do")
}
