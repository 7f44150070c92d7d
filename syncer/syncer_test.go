package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

// env is an S3-like setup on in-memory trackers: detections in src, tickets
// in dst, the built-in extrahop-to-jira mapping.
type env struct {
	src, dst *trackertest.Memory
	st       store.Store
	flow     *syncer.Flow
	counter  *syncer.Counter
	cfg      syncer.Config
}

func s3Mapping(t testing.TB) *mapping.FlowSpec {
	t.Helper()
	spec, err := mapping.Builtin("extrahop-to-jira")
	require.NoError(t, err)
	return spec.Flows[0]
}

func newEnv(t testing.TB, mod func(*syncer.Config)) *env {
	t.Helper()
	e := &env{
		src:     trackertest.NewMemory("extrahop"),
		dst:     trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low")),
		st:      memory.New(),
		counter: &syncer.Counter{},
	}
	e.cfg = syncer.Config{
		Name:     "s3",
		Source:   e.src,
		Target:   e.dst,
		Mapping:  s3Mapping(t),
		Store:    e.st,
		Observer: e.counter,
		Sleep:    func(time.Duration) <-chan time.Time { return instant() },
	}
	if mod != nil {
		mod(&e.cfg)
	}
	f, err := syncer.New(e.cfg)
	require.NoError(t, err)
	e.flow = f
	return e
}

func instant() <-chan time.Time {
	c := make(chan time.Time, 1)
	c <- time.Time{}
	return c
}

// detection adds a detection-like item to the source and returns it.
func (e *env) detection(t testing.TB, title string, risk int64) *tracker.Issue {
	t.Helper()
	is, err := e.src.CreateIssue(context.Background(), &tracker.NewIssue{
		Summary:     title,
		Description: "Seen on the network.",
		Labels:      []string{"sec.attack"},
		Fields: map[string]any{
			"risk_score":    risk,
			"type":          "rdp_brute_force",
			"mitre_tactics": []string{"TA0006 Credential Access"},
		},
	})
	require.NoError(t, err)
	got, err := e.src.GetIssue(context.Background(), is.ID)
	require.NoError(t, err)
	return got
}

func (e *env) tickets(t testing.TB) []*tracker.Issue {
	t.Helper()
	var out []*tracker.Issue
	for is, err := range e.dst.SearchIssues(context.Background(), tracker.Query{}) {
		require.NoError(t, err)
		out = append(out, is)
	}
	return out
}

func TestPushCreatesTicketsAndWritesBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	hi := e.detection(t, "RDP brute force", 85)
	low := e.detection(t, "Weak cipher", 10)

	rep, err := e.flow.Push(ctx, hi, low)

	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 1, rep.Skipped)
	assert.Contains(t, rep.Outcomes[0].Reason+rep.Outcomes[1].Reason, syncer.ReasonRuleNotMatched)
	tickets := e.tickets(t)
	require.Len(t, tickets, 1)
	tk := tickets[0]
	assert.Equal(t, "ExtraHop Detection: "+hi.ID+": RDP brute force", tk.Summary)
	assert.Equal(t, "Highest", tk.Priority)
	assert.Equal(t, "secops@example.com", tk.Assignee)
	assert.Subset(t, tk.Labels, []string{"extrahop", "sec.attack"})
	assert.Contains(t, tk.Description, "TA0006 Credential Access")

	back, err := e.src.GetIssue(ctx, hi.ID)
	require.NoError(t, err)
	assert.Equal(t, tk.Key, back.Fields["ticket_id"], "ticket id written back onto the detection")
	assert.Equal(t, "secops@example.com", back.Assignee)

	link, err := e.st.GetLink(ctx, "s3", tracker.Ref{Tracker: "extrahop", ID: hi.ID})
	require.NoError(t, err)
	assert.Equal(t, store.StateLinked, link.State)
	assert.Equal(t, tk.ID, link.Target.ID)
	found, err := e.dst.FindByMarker(ctx, link.CorrelationKey)
	require.NoError(t, err)
	assert.Len(t, found, 1, "the ticket carries the link's marker")
}

func TestSecondRunOverUnchangedItemsWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	for i := range 30 {
		e.detection(t, fmt.Sprintf("detection %d", i), 40+int64(i))
	}
	rep, err := e.flow.RunOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 30, rep.Created)

	e.src.ResetCalls()
	e.dst.ResetCalls()
	// The write-back changed the detections, so they come back as updated:
	// their own echo, which must write nothing.
	rep, err = e.flow.RunOnce(ctx)

	require.NoError(t, err)
	assert.Equal(t, 0, e.dst.WriteCalls(), "target writes on the second run: %v", e.dst.Calls())
	assert.Equal(t, 0, e.src.WriteCalls(), "source writes on the second run: %v", e.src.Calls())
	assert.Equal(t, 30, rep.Unchanged)
	assert.True(t, rep.Clean())
}

func TestChangedItemUpdatesOnlyOwnedFieldsAndHumanEditsSurvive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	d := e.detection(t, "Port scan", 45)
	_, err := e.flow.Push(ctx, d)
	require.NoError(t, err)
	tk := e.tickets(t)[0]
	// A person reassigns the ticket and sets a field the mapping does not own.
	require.NoError(t, e.dst.UpdateIssue(ctx, tk.ID, &tracker.Change{Assignee: tracker.Ptr("alice"), Fields: map[string]any{"Team": "blue"}}))
	// The detection's title and risk change at the source.
	require.NoError(t, e.src.UpdateIssue(ctx, d.ID, &tracker.Change{Summary: tracker.Ptr("Port scan (aggressive)"), Fields: map[string]any{"risk_score": int64(70)}}))
	d, err = e.src.GetIssue(ctx, d.ID)
	require.NoError(t, err)

	p, err := e.flow.Plan(ctx, d)
	require.NoError(t, err)
	require.Len(t, p.Decisions, 1)
	assert.Equal(t, syncer.ActionUpdate, p.Decisions[0].Action)
	assert.ElementsMatch(t, []string{"summary", "priority", "description"}, p.Decisions[0].Fields)

	rep, err := e.flow.Apply(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Updated)
	got, err := e.dst.GetIssue(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, "ExtraHop Detection: "+d.ID+": Port scan (aggressive)", got.Summary)
	assert.Equal(t, "High", got.Priority)
	assert.Equal(t, "alice", got.Assignee, "a default is not owned: the human's assignee survives")
	assert.Equal(t, "blue", got.Fields["Team"])
}

func TestPlanIsADryRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	d := e.detection(t, "Beaconing", 90)
	e.src.ResetCalls()

	p, err := e.flow.Plan(ctx, d)

	require.NoError(t, err)
	assert.Equal(t, 1, p.Count(syncer.ActionCreate))
	assert.Contains(t, p.Decisions[0].String(), "create extrahop:"+d.ID)
	assert.Empty(t, e.dst.Calls())
	assert.Empty(t, e.src.Calls())
	_, err = e.st.GetLink(ctx, "s3", tracker.Ref{Tracker: "extrahop", ID: d.ID})
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func TestInterruptedCreateIsAdoptedNotDuplicated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *syncer.Config) { c.BulkSize = 1 })
	ctx := context.Background()
	d := e.detection(t, "Lateral movement", 77)
	src := tracker.Ref{Tracker: "extrahop", ID: d.ID}
	// A crash after the ticket was created, before the link was marked
	// linked: a pending link and a ticket carrying its marker.
	pending := &store.Link{Flow: "s3", Source: src, State: store.StatePending, CorrelationKey: e.flow.Marker(src)}
	require.NoError(t, e.st.PutLink(ctx, pending))
	_, err := e.dst.CreateIssue(ctx, &tracker.NewIssue{Summary: "made before the crash", Marker: pending.CorrelationKey})
	require.NoError(t, err)

	rep, err := e.flow.RunOnce(ctx)

	require.NoError(t, err)
	assert.Equal(t, 1, rep.Adopted)
	assert.Equal(t, 0, rep.Created)
	assert.Len(t, e.tickets(t), 1)
	link, err := e.st.GetLink(ctx, "s3", src)
	require.NoError(t, err)
	assert.Equal(t, store.StateLinked, link.State)
	back, err := e.src.GetIssue(ctx, d.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, back.Fields["ticket_id"], "the write-back the crash missed is done")
}

func TestPendingLinkWithoutTicketCreatesIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	d := e.detection(t, "Exfiltration", 95)
	src := tracker.Ref{Tracker: "extrahop", ID: d.ID}
	require.NoError(t, e.st.PutLink(ctx, &store.Link{Flow: "s3", Source: src, State: store.StatePending, CorrelationKey: e.flow.Marker(src)}))

	rep, err := e.flow.RunOnce(ctx)

	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created)
	assert.Len(t, e.tickets(t), 1)
}

func TestRateLimitedCreateIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	d := e.detection(t, "DNS tunnel", 66)
	e.dst.FailNext(trackertest.OpCreateIssues, fmt.Errorf("429: %w", tracker.ErrRateLimited))

	rep, err := e.flow.Push(ctx, d)

	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 1, e.counter.Count(syncer.EventRetrying))
	assert.Zero(t, e.counter.Count(syncer.EventAnswerLost), "a 429 is a refusal: nothing was created")
	assert.Len(t, e.tickets(t), 1)
}

func TestCreateWithLostAnswerIsResolvedBeforeSendingAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	d := e.detection(t, "DNS tunnel", 66)
	// A 503 that comes before anything was created: the marker search
	// (consistent here) shows no ticket, so the create is sent again.
	e.dst.FailNext(trackertest.OpCreateIssues, fmt.Errorf("503: %w", tracker.ErrUnavailable))

	rep, err := e.flow.Push(ctx, d)

	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created)
	assert.Zero(t, e.counter.Count(syncer.EventRetrying), "a create whose answer was lost is never retried blindly")
	assert.Equal(t, 1, e.counter.Count(syncer.EventAnswerLost))
	assert.Equal(t, 1, e.dst.Calls()[trackertest.OpFindByMarker], "the marker was looked for before the second create")
	assert.Len(t, e.tickets(t), 1)
}

func TestPersistentFailureIsParkedNeverDropped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *syncer.Config) { c.MaxAttempts = 2; c.BulkSize = 1 })
	ctx := context.Background()
	d := e.detection(t, "Ransomware", 99)
	invalid := fmt.Errorf("summary too long: %w", tracker.ErrInvalid)

	e.dst.FailNext(trackertest.OpCreateIssue, invalid)
	rep, err := e.flow.Push(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Failed)
	assert.False(t, rep.Clean())

	e.dst.FailNext(trackertest.OpCreateIssue, invalid)
	rep, err = e.flow.Push(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Parked)

	rep, err = e.flow.Push(ctx, d)
	require.NoError(t, err)
	assert.Contains(t, rep.Outcomes[0].Reason, syncer.ReasonParked)
	var parked []*store.Link
	for l, err := range e.flow.Parked(ctx) {
		require.NoError(t, err)
		parked = append(parked, l)
	}
	require.Len(t, parked, 1)
	assert.Contains(t, parked[0].LastError, "summary too long")
	assert.Empty(t, e.tickets(t))

	rep, err = e.flow.Retry(ctx, parked[0].Source)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created)
	assert.Len(t, e.tickets(t), 1)
}

func TestConfigErrorTripsTheCircuitBreaker(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, func(c *syncer.Config) { c.BulkSize = 1; c.Concurrency = 1; c.Now = clock })
	ctx := context.Background()
	var items []*tracker.Issue
	for i := range 5 {
		items = append(items, e.detection(t, fmt.Sprint("d", i), 50))
	}
	e.dst.FailNext(trackertest.OpCreateIssue, fmt.Errorf("401: %w", tracker.ErrUnauthorized))

	rep, err := e.flow.Push(ctx, items...)

	require.ErrorIs(t, err, syncer.ErrCircuitOpen)
	assert.ErrorIs(t, err, tracker.ErrUnauthorized)
	assert.Equal(t, 1, e.dst.Calls()[trackertest.OpCreateIssue], "one failure, not one per item")
	assert.Equal(t, 4, rep.Skips[syncer.ReasonCircuitOpen])

	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	rep, err = e.flow.Push(ctx, items...)
	require.NoError(t, err, "the breaker closes after its cooldown")
	assert.Equal(t, 5, rep.Created)
}

func TestCursorAdvancesOnlyAfterACleanRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *syncer.Config) { c.BulkSize = 1; c.Retries = -1 })
	ctx := context.Background()
	e.detection(t, "a", 50)
	e.detection(t, "b", 50)
	e.dst.FailNext(trackertest.OpCreateIssue, fmt.Errorf("%w", tracker.ErrUnavailable))

	_, err := e.flow.RunOnce(ctx)
	require.NoError(t, err)
	cur, err := e.st.Cursor(ctx, "s3", store.SideSource)
	require.NoError(t, err)
	assert.True(t, cur.Time.IsZero(), "a failed item keeps the cursor where it was")

	rep, err := e.flow.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created, "the failed item is picked up again")
	cur, err = e.st.Cursor(ctx, "s3", store.SideSource)
	require.NoError(t, err)
	assert.False(t, cur.Time.IsZero())
}

func TestTargetChangesAreWrittenBackOnce(t *testing.T) {
	t.Parallel()
	q := tracker.Query{}
	e := newEnv(t, func(c *syncer.Config) { c.TargetQuery = &q })
	ctx := context.Background()
	d := e.detection(t, "C2 beacon", 88)
	_, err := e.flow.RunOnce(ctx)
	require.NoError(t, err)
	tk := e.tickets(t)[0]

	require.NoError(t, e.dst.Transition(ctx, tk.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}))
	rep, err := e.flow.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.WroteBack)
	back, err := e.src.GetIssue(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, "closed", back.Fields["status"])
	assert.Equal(t, "action_taken", back.Resolution)

	e.src.ResetCalls()
	_, err = e.flow.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, e.src.WriteCalls(), "the write-back's echo writes nothing")
}

func TestNewNamesMissingCapabilities(t *testing.T) {
	t.Parallel()
	target := struct {
		tracker.Tracker
		tracker.Creator
	}{trackertest.NewMemory("postbox"), trackertest.NewMemory("postbox")}
	_, err := syncer.New(syncer.Config{Name: "x", Source: trackertest.NewMemory("extrahop"), Target: target, Mapping: s3Mapping(t), Store: memory.New()})
	require.ErrorIs(t, err, tracker.ErrUnsupported)
	assert.Contains(t, err.Error(), "MarkerFinder")

	_, err = syncer.New(syncer.Config{Name: "x", SourceKind: "findings", Target: target, Mapping: s3Mapping(t), Store: memory.New(), IdempotentCreate: true})
	assert.NoError(t, err, "a create-only target works when creates are idempotent")

	_, err = syncer.New(syncer.Config{})
	require.Error(t, err)
	for _, want := range []string{"no name", "no target", "no mapping", "no store"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestRecurrencePolicy(t *testing.T) {
	t.Parallel()
	spec, err := mapping.Parse([]byte(`
flows:
  - name: findings
    source: appsec
    target: jira
    defaults: {project: SEC, type: Bug}
    fields:
      summary: {from: summary}
    values:
      statusCategory:
        from: status
        map: {Open: todo, Remediated: done}
        default: todo
`))
	require.NoError(t, err)
	hour := time.Hour
	tests := []struct {
		name       string
		policy     syncer.Recurrence
		resolution string        // recorded from the target, as a poll or webhook would
		after      time.Duration // since the ticket was done
		want       syncer.Action
		reason     string
	}{
		{"reopen by default", syncer.Recurrence{}, "", 48 * hour, syncer.ActionUpdate, ""},
		{"never for won't fix", syncer.Recurrence{NeverReopen: []string{"Won't Fix"}}, "won't fix", hour, syncer.ActionSkip, `resolved "won't fix" is never reopened`},
		{"other resolutions reopen", syncer.Recurrence{NeverReopen: []string{"Won't Fix"}}, "Done", hour, syncer.ActionUpdate, ""},
		{"reopen within the window", syncer.Recurrence{ReopenWithin: 24 * hour}, "", 23 * hour, syncer.ActionUpdate, ""},
		{"skip past the window", syncer.Recurrence{ReopenWithin: 24 * hour}, "", 25 * hour, syncer.ActionSkip, "past the 24h0m0s reopen window"},
		{"new ticket past the window", syncer.Recurrence{ReopenWithin: 24 * hour, NewTicket: true}, "", 25 * hour, syncer.ActionCreate, ""},
		{"reopen within the window, not a new ticket", syncer.Recurrence{ReopenWithin: 24 * hour, NewTicket: true}, "", hour, syncer.ActionUpdate, ""},
		{"new ticket always", syncer.Recurrence{NewTicket: true}, "", hour, syncer.ActionCreate, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			src := trackertest.NewMemory("appsec")
			dst := trackertest.NewMemory("jira")
			f, err := syncer.New(syncer.Config{Name: "findings", Source: src, Target: dst, Mapping: spec.Flows[0], Store: memory.New(), Recurrence: tt.policy, Now: clock.Now})
			require.NoError(t, err)
			ctx := context.Background()
			item := &tracker.Issue{ID: "F-1", Summary: "SQL injection", Status: "Remediated"}
			rep, err := f.Push(ctx, item)
			require.NoError(t, err)
			require.Equal(t, 1, rep.Created)
			if tt.resolution != "" {
				ticket, err := dst.GetIssue(ctx, rep.Outcomes[0].Target.ID)
				require.NoError(t, err)
				require.Equal(t, tracker.CategoryDone, ticket.StatusCategory)
				ticket.Resolution = tt.resolution
				_, err = f.PushTarget(ctx, ticket)
				require.NoError(t, err)
			}
			clock.Advance(tt.after)
			item.Status = "Open"
			p, err := f.Plan(ctx, item)
			require.NoError(t, err)
			d := p.Decisions[0]
			assert.Equal(t, tt.want, d.Action, d.String())
			assert.Contains(t, d.Reason, tt.reason)
			if tt.want == syncer.ActionUpdate {
				require.NotNil(t, d.Transition, "the ticket is reopened")
				assert.Equal(t, tracker.CategoryToDo, d.Transition.Category)
			}
			assert.Equal(t, tt.want == syncer.ActionCreate, d.Replace, "a new ticket replaces the done one")
		})
	}
}

func TestTwoEnginesOnOneStoreCreateEachTicketOnce(t *testing.T) {
	t.Parallel()
	src := trackertest.NewMemory("extrahop")
	dst := trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low"))
	st := memory.New()
	ctx := context.Background()
	var items []*tracker.Issue
	for i := range 200 {
		is, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: fmt.Sprint("d", i), Fields: map[string]any{"risk_score": int64(50)}})
		require.NoError(t, err)
		items = append(items, is)
	}
	var wg sync.WaitGroup
	for i := range 2 {
		f, err := syncer.New(syncer.Config{Name: "s3", Source: src, Target: dst, Mapping: s3Mapping(t), Store: st, Owner: fmt.Sprint("engine", i), Concurrency: 8, BulkSize: 10})
		require.NoError(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				_, _ = f.Push(ctx, items...)
			}
		}()
	}
	wg.Wait()
	// A last pass picks up anything skipped because the other engine held it.
	f, err := syncer.New(syncer.Config{Name: "s3", Source: src, Target: dst, Mapping: s3Mapping(t), Store: st})
	require.NoError(t, err)
	_, err = f.Push(ctx, items...)
	require.NoError(t, err)

	assert.Equal(t, 200, dst.Len(), "every item has exactly one ticket")
}

func TestObserversSeeProgress(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var last syncer.Event
	obs := syncer.ObserverFunc(func(e syncer.Event) { mu.Lock(); last = e; mu.Unlock() })
	e := newEnv(t, func(c *syncer.Config) { c.Observer = obs })
	ctx := context.Background()
	var items []*tracker.Issue
	for i := range 7 {
		items = append(items, e.detection(t, fmt.Sprint("d", i), 50))
	}
	_, err := e.flow.Push(ctx, items...)
	require.NoError(t, err)
	assert.Equal(t, 7, last.Total)
	assert.Equal(t, 7, last.Done)

	evs, err := e.st.ListEvents(ctx, "s3", 0, 0)
	require.NoError(t, err)
	assert.NotEmpty(t, evs, "decisions are kept in the store's event log")
}

func TestMappingErrorsAreReportedNotSilent(t *testing.T) {
	t.Parallel()
	spec, err := mapping.Parse([]byte(`
flows:
  - name: strict
    source: appsec
    target: jira
    defaults: {project: SEC}
    fields:
      summary: {from: summary}
    values:
      priority:
        from: priority
        map: {P1: High}
        unmapped: error
`))
	require.NoError(t, err)
	f, err := syncer.New(syncer.Config{Name: "strict", SourceKind: "appsec", Target: trackertest.NewMemory("jira"), Mapping: spec.Flows[0], Store: memory.New()})
	require.NoError(t, err)
	rep, err := f.Push(context.Background(), &tracker.Issue{ID: "1", Summary: "x", Priority: "P7"})
	require.NoError(t, err)
	require.Len(t, rep.Outcomes, 1)
	assert.Equal(t, syncer.EventFailed, rep.Outcomes[0].Result, "a mapping failure is a failure, not a skip")
	assert.Equal(t, syncer.ReasonMappingFailed, rep.Outcomes[0].Reason)
	assert.True(t, errors.Is(rep.Outcomes[0].Err, mapping.ErrUnmapped))
	assert.False(t, rep.Clean(), "the cursor must not move past it")
}

// TestUnmappedValueIsParkedAndRetriedAfterTheFix: a severity the mapping
// does not know fails the item on every poll until it is parked; the
// cursor moves on past a parked item only. Once the mapping is fixed,
// Retry creates its ticket.
func TestUnmappedValueIsParkedAndRetriedAfterTheFix(t *testing.T) {
	t.Parallel()
	const strict = `
flows:
  - name: strict
    source: appsec
    target: jira
    defaults: {project: SEC}
    fields:
      summary: {from: summary}
    values:
      priority:
        from: fields.severity
        map: {critical: Highest, high: High%s}
        unmapped: error
`
	ctx := context.Background()
	src := trackertest.NewMemory("appsec")
	dst := trackertest.NewMemory("jira")
	st := memory.New()
	flow := func(extra string) *syncer.Flow {
		spec, err := mapping.Parse([]byte(fmt.Sprintf(strict, extra)))
		require.NoError(t, err)
		f, err := syncer.New(syncer.Config{Name: "strict", Source: src, Target: dst, Mapping: spec.Flows[0], Store: st, MaxAttempts: 3})
		require.NoError(t, err)
		return f
	}
	broken := flow("")
	item, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: "Open redirect", Fields: map[string]any{"severity": "moderate"}})
	require.NoError(t, err)

	for attempt := 1; attempt <= 3; attempt++ {
		rep, err := broken.RunOnce(ctx)
		require.NoError(t, err)
		if attempt < 3 {
			assert.Equal(t, 1, rep.Failed, "attempt %d: %s", attempt, rep.Summary())
			assert.False(t, rep.Clean())
		} else {
			assert.Equal(t, 1, rep.Parked, "attempt %d: %s", attempt, rep.Summary())
			assert.True(t, rep.Clean(), "a parked item lets the cursor move")
		}
	}
	var parked []*store.Link
	for l, err := range broken.Parked(ctx) {
		require.NoError(t, err)
		parked = append(parked, l)
	}
	require.Len(t, parked, 1)
	assert.Contains(t, parked[0].LastError, "moderate")
	rep, err := broken.RunOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, rep.Failed+rep.Created, "a parked item waits for Retry")

	fixed := flow(", moderate: Medium")
	rep, err = fixed.Retry(ctx, fixed.SourceRef(item))
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created, rep.Summary())
	tk := firstIssue(t, dst)
	assert.Equal(t, "Medium", tk.Priority)
}

// TestRescanReevaluatesItemsTheCursorPassed: after a rule change, items
// the cursor already passed are read again from the time given.
func TestRescanReevaluatesItemsTheCursorPassed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newFakeClock()
	src := trackertest.NewMemory("appsec", trackertest.WithClock(clock.Now))
	dst := trackertest.NewMemory("jira")
	st := memory.New()
	flow := func(min string) *syncer.Flow {
		spec, err := mapping.Parse([]byte(`
flows:
  - name: findings
    source: appsec
    target: jira
    when: {field: fields.score, gte: ` + min + `}
    defaults: {project: SEC}
    fields: {summary: {from: summary}}
`))
		require.NoError(t, err)
		f, err := syncer.New(syncer.Config{Name: "findings", Source: src, Target: dst, Mapping: spec.Flows[0], Store: st, Now: clock.Now})
		require.NoError(t, err)
		return f
	}
	start := clock.Now()
	_, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: "low", Fields: map[string]any{"score": int64(40)}})
	require.NoError(t, err)
	clock.Advance(30 * time.Minute)
	_, err = src.CreateIssue(ctx, &tracker.NewIssue{Summary: "high", Fields: map[string]any{"score": int64(90)}})
	require.NoError(t, err)
	clock.Advance(time.Hour)
	rep, err := flow("50").RunOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Skipped)
	require.Equal(t, 1, rep.Created)

	clock.Advance(time.Hour)
	lowered := flow("30")
	rep, err = lowered.RunOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, rep.Created, "the cursor passed the item")
	require.NoError(t, lowered.Rescan(ctx, start))
	rep, err = lowered.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created, "rescanned under the new rule: %s", rep.Summary())
	rep, err = lowered.RunOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, rep.Created, "nothing twice")
}

func TestRepeatedInvalidErrorTripsTheBreaker(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *syncer.Config) { c.BulkSize = 1; c.Concurrency = 1; c.BreakerInvalid = 3 })
	ctx := context.Background()
	var items []*tracker.Issue
	for i := range 10 {
		items = append(items, e.detection(t, fmt.Sprint("d", i), 50))
		e.dst.FailNext(trackertest.OpCreateIssue, fmt.Errorf("input %d: Field 'customfield_10042' cannot be set. It is not on the appropriate screen: %w", i, tracker.ErrInvalid))
	}

	rep, err := e.flow.Push(ctx, items...)

	require.ErrorIs(t, err, syncer.ErrCircuitOpen)
	assert.Equal(t, 3, e.dst.Calls()[trackertest.OpCreateIssue], "three identical failures, then the flow stops")
	assert.Equal(t, 7, rep.Skips[syncer.ReasonCircuitOpen])
	assert.Equal(t, 3, rep.Failed, "the failed items are kept for the next run")
}

// offsetPaged wraps a tracker so its search pages by offset over a live
// sort by Updated, as YouTrack's $skip and Jira Data Center's startAt do:
// an item updated between pages moves to the end and shifts the rest.
type offsetPaged struct {
	*trackertest.Memory
	mu    sync.Mutex
	pages int
	later int // pages past the first that held items
}

func (o *offsetPaged) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	size := q.PageSize
	if size == 0 {
		size = 10
	}
	return func(yield func(*tracker.Issue, error) bool) {
		for offset := 0; ; offset += size {
			var all []*tracker.Issue
			q2 := q
			q2.PageSize = 1000
			for is, err := range o.Memory.SearchIssues(ctx, q2) {
				if err != nil {
					yield(nil, err)
					return
				}
				all = append(all, is)
			}
			o.mu.Lock()
			o.pages++
			if offset > 0 && offset < len(all) {
				o.later++
			}
			o.mu.Unlock()
			if offset >= len(all) {
				return
			}
			for _, is := range all[offset:min(offset+size, len(all))] {
				if !yield(is, nil) {
					return
				}
			}
		}
	}
}

func TestRunOnceSurvivesOffsetPagingOverItsOwnWrites(t *testing.T) {
	t.Parallel()
	src := &offsetPaged{Memory: trackertest.NewMemory("extrahop")}
	dst := trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low"))
	ctx := context.Background()
	for i := range 100 {
		_, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: fmt.Sprint("d", i), Fields: map[string]any{"risk_score": int64(50)}})
		require.NoError(t, err)
	}
	f, err := syncer.New(syncer.Config{Name: "offset", Source: src, Target: dst, Mapping: s3Mapping(t), Store: memory.New(),
		BatchSize: 15, Query: tracker.Query{PageSize: 10}})
	require.NoError(t, err)

	rep, err := f.RunOnce(ctx)

	require.NoError(t, err)
	assert.Equal(t, 100, rep.Created, "every item is seen although the write-back reorders the source")
	assert.Equal(t, 100, dst.Len())
	// The poll reads while it writes back: a search it reads page after
	// page by offset would shift under it. Each page is a search of its own.
	assert.Zero(t, src.later, "pages read at an offset")
}

// A burst: more items than a batch inside the overlap window, with no
// write-back to move them. Every round must still move the cursor.
func TestRunOnceMovesThroughABurstWithoutWriteBack(t *testing.T) {
	t.Parallel()
	spec, err := mapping.Parse([]byte(`
flows:
  - name: burst
    source: appsec
    target: jira
    defaults: {project: SEC}
    fields:
      summary: {from: summary}
`))
	require.NoError(t, err)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	src := trackertest.NewMemory("appsec", trackertest.WithClock(func() time.Time { return now }))
	dst := trackertest.NewMemory("jira")
	ctx := context.Background()
	add := func(n int) {
		for i := range n {
			_, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: fmt.Sprint("finding ", i)})
			require.NoError(t, err)
		}
	}
	add(100)
	st := memory.New()
	f, err := syncer.New(syncer.Config{Name: "burst", Source: src, Target: dst, Mapping: spec.Flows[0], Store: st,
		BatchSize: 15, Query: tracker.Query{PageSize: 10}, Now: func() time.Time { return now }})
	require.NoError(t, err)

	rep, err := f.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 100, rep.Created)

	// Thirty more in the same minute: all inside the overlap window with
	// the first hundred.
	add(30)
	rep, err = f.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 30, rep.Created)
	assert.Equal(t, 130, dst.Len())
	assert.Zero(t, rep.Failed)
}

// A webhook from the target goes through the same path as the target
// poll: the back-mapped change is written once, its echo not at all.
func TestPushTargetFromAWebhook(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	d := e.detection(t, "Beacon", 75)
	_, err := e.flow.Push(ctx, d)
	require.NoError(t, err)
	tk := e.tickets(t)[0]
	require.NoError(t, e.dst.Transition(ctx, tk.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}))
	changed, err := e.dst.GetIssue(ctx, tk.ID)
	require.NoError(t, err)
	stranger := &tracker.Issue{ID: "not-ours", StatusCategory: tracker.CategoryDone}

	rep, err := e.flow.PushTarget(ctx, changed, stranger)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.WroteBack)
	back, err := e.src.GetIssue(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, "closed", back.Fields["status"])

	e.src.ResetCalls()
	rep, err = e.flow.PushTarget(ctx, changed) // the webhook delivered twice
	require.NoError(t, err)
	assert.Zero(t, rep.WroteBack)
	assert.Zero(t, e.src.WriteCalls())
}

// A write-back that fails after the ticket was created leaves the item
// failed: the cursor stays and the next run writes back, creating nothing.
func TestWriteBackFailureIsRetriedNextRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *syncer.Config) { c.Retries = -1 })
	ctx := context.Background()
	d := e.detection(t, "Exfil", 90)
	e.src.FailNext(trackertest.OpUpdateIssue, fmt.Errorf("503: %w", tracker.ErrUnavailable))

	rep, err := e.flow.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Failed)
	assert.Zero(t, rep.Created)
	require.Len(t, e.tickets(t), 1, "the ticket exists")
	cur, err := e.st.Cursor(ctx, "s3", store.SideSource)
	require.NoError(t, err)
	assert.True(t, cur.Time.IsZero(), "the cursor did not move past the failed item")

	rep, err = e.flow.RunOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, rep.Created)
	assert.Equal(t, 1, rep.WroteBack, "the write-back is done")
	back, err := e.src.GetIssue(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, e.tickets(t)[0].Key, back.Fields["ticket_id"])
	assert.Len(t, e.tickets(t), 1)
}

// renewSignal wraps a store and reports every lease renewal.
type renewSignal struct {
	store.Store
	renewed chan struct{}
}

func (s *renewSignal) RenewLease(ctx context.Context, l *store.Lease, ttl time.Duration) error {
	err := s.Store.RenewLease(ctx, l, ttl)
	select {
	case s.renewed <- struct{}{}:
	default:
	}
	return err
}

// While a slow create runs, the engine renews the item's lease, so another
// engine cannot take the item over and create a second ticket.
func TestLeaseIsRenewedDuringSlowWork(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	st := &renewSignal{Store: memory.New(memory.WithClock(clock)), renewed: make(chan struct{}, 1)}
	entered, release := make(chan struct{}), make(chan struct{})
	dst := trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low"),
		trackertest.WithHook(func(ctx context.Context, op string) error {
			if op == trackertest.OpCreateIssue {
				close(entered)
				<-release
			}
			return nil
		}))
	const ttl = 30 * time.Millisecond
	f, err := syncer.New(syncer.Config{Name: "slow", SourceKind: "appsec", Target: dst, Mapping: s3Mapping(t), Store: st,
		LeaseTTL: ttl, BulkSize: 1, Owner: "slow-engine"})
	require.NoError(t, err)
	item := &tracker.Issue{ID: "F-1", Summary: "slow", Fields: map[string]any{"risk_score": int64(50)}}
	done := make(chan error)
	go func() { _, err := f.Push(context.Background(), item); done <- err }()

	// Without renewals this test would hang; it fails instead.
	wait := func(c <-chan struct{}, what string) {
		t.Helper()
		select {
		case <-c:
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s within 10s", what)
		}
	}
	wait(entered, "create call")
	// Three lease lifetimes pass on the store's clock while the create
	// hangs; each time the engine has renewed in between.
	for range 6 {
		wait(st.renewed, "lease renewal")
		advance(ttl / 2)
	}
	wait(st.renewed, "lease renewal")
	_, err = st.AcquireLease(context.Background(), "slow/appsec:F-1", "other-engine", ttl)
	assert.ErrorIs(t, err, store.ErrLeaseHeld, "the slow engine still holds the item")

	close(release)
	require.NoError(t, <-done)
	assert.Equal(t, 1, dst.Len())
}

// Items a host pushes have no source tracker to read them back from; an
// interrupted create of one is still adopted by its marker at start-up.
func TestResolvePendingAdoptsOrphans(t *testing.T) {
	t.Parallel()
	dst := trackertest.NewMemory("jira")
	st := memory.New()
	f, err := syncer.New(syncer.Config{Name: "pushed", SourceKind: "appsec", Target: dst, Mapping: s3Mapping(t), Store: st})
	require.NoError(t, err)
	ctx := context.Background()
	src := tracker.Ref{Tracker: "appsec", ID: "F-9"}
	require.NoError(t, st.PutLink(ctx, &store.Link{Flow: "pushed", Source: src, State: store.StatePending, CorrelationKey: f.Marker(src)}))
	tk, err := dst.CreateIssue(ctx, &tracker.NewIssue{Summary: "made before the crash", Marker: f.Marker(src)})
	require.NoError(t, err)
	other := tracker.Ref{Tracker: "appsec", ID: "F-10"} // its create never happened
	require.NoError(t, st.PutLink(ctx, &store.Link{Flow: "pushed", Source: other, State: store.StatePending, CorrelationKey: f.Marker(other)}))

	rep, err := f.ResolvePending(ctx)

	require.NoError(t, err)
	assert.Equal(t, 1, rep.Adopted)
	link, err := st.GetLink(ctx, "pushed", src)
	require.NoError(t, err)
	assert.Equal(t, store.StateLinked, link.State)
	assert.Equal(t, tk.ID, link.Target.ID)
	link, err = st.GetLink(ctx, "pushed", other)
	require.NoError(t, err)
	assert.Equal(t, store.StatePending, link.State, "created when the host pushes it again")
}

// A flow whose store was lost adopts the tickets it made before, found by
// their markers, instead of filing them again.
func TestAdoptExistingAfterTheStoreIsLost(t *testing.T) {
	t.Parallel()
	dst := trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low"))
	ctx := context.Background()
	var items []*tracker.Issue
	for i := range 5 {
		items = append(items, &tracker.Issue{ID: fmt.Sprint("F-", i), Summary: fmt.Sprint("finding ", i), Fields: map[string]any{"risk_score": int64(50)}})
	}
	first, err := syncer.New(syncer.Config{Name: "findings", SourceKind: "appsec", Target: dst, Mapping: s3Mapping(t), Store: memory.New()})
	require.NoError(t, err)
	_, err = first.Push(ctx, items...)
	require.NoError(t, err)
	require.Equal(t, 5, dst.Len())

	items = append(items, &tracker.Issue{ID: "F-new", Summary: "new finding", Fields: map[string]any{"risk_score": int64(50)}})
	again, err := syncer.New(syncer.Config{Name: "findings", SourceKind: "appsec", Target: dst, Mapping: s3Mapping(t), Store: memory.New(), AdoptExisting: true})
	require.NoError(t, err)
	rep, err := again.Push(ctx, items...)

	require.NoError(t, err)
	assert.Equal(t, 5, rep.Adopted)
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 6, dst.Len(), "nothing filed twice")
}

// laggingSource is a source whose search index lags behind its updates:
// items in hidden are left out of search results until the test shows
// them, as a real search index catches up seconds after a write.
type laggingSource struct {
	*trackertest.Memory
	mu     sync.Mutex
	hidden map[string]bool
}

func (s *laggingSource) show(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hidden, id)
}

func (s *laggingSource) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return func(yield func(*tracker.Issue, error) bool) {
		for is, err := range s.Memory.SearchIssues(ctx, q) {
			s.mu.Lock()
			hide := is != nil && s.hidden[is.ID]
			s.mu.Unlock()
			if !hide && !yield(is, err) {
				return
			}
		}
	}
}

// TestPollOverlapCatchesItemsTheSearchShowedLate: an item updated just
// before another shows up in the source's search only after the cursor
// moved past the other. The poll's overlap reads it all the same.
func TestPollOverlapCatchesItemsTheSearchShowedLate(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	src := &laggingSource{Memory: trackertest.NewMemory("extrahop", trackertest.WithClock(clock.Now)), hidden: map[string]bool{}}
	dst := trackertest.NewMemory("jira", trackertest.WithPriorities("Highest", "High", "Medium", "Low"))
	f, err := syncer.New(syncer.Config{Name: "s3", Source: src, Target: dst, Mapping: findingsSpec(t), Store: memory.New(), Now: clock.Now})
	require.NoError(t, err)
	ctx := context.Background()
	late, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: "written first, indexed late"})
	require.NoError(t, err)
	clock.Advance(10 * time.Second)
	_, err = src.CreateIssue(ctx, &tracker.NewIssue{Summary: "written second, indexed at once"})
	require.NoError(t, err)
	src.hidden[late.ID] = true

	rep, err := f.RunOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Created, "only the indexed item is seen")

	src.show(late.ID)
	clock.Advance(time.Second)
	rep, err = f.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created, "the item the search showed late is synced: %s", rep.Summary())
	n := 0
	for _, err := range dst.SearchIssues(ctx, tracker.Query{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n)
}

func TestItemHeldByAnotherEngineIsDeferredUntilItsLeaseEnds(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	st := memory.New(memory.WithClock(clock.Now))
	e := newEnv(t, func(c *syncer.Config) { c.Store = st; c.Now = clock.Now; c.BulkSize = 1 })
	ctx := context.Background()
	d := e.detection(t, "Beaconing", 70)
	held, err := st.AcquireLease(ctx, "s3/"+e.flow.SourceRef(d).String(), "other-engine", time.Minute)
	require.NoError(t, err)

	rep, err := e.flow.Push(ctx, d)

	require.NoError(t, err)
	assert.Equal(t, 1, rep.Deferred)
	assert.False(t, rep.Clean(), "work was left undone")
	assert.True(t, rep.RetryAt.Equal(held.Expires), "the report says when the other engine's lease ends: %v", rep.RetryAt)
	assert.Contains(t, rep.Outcomes[0].Reason, "other-engine")
	assert.Contains(t, rep.Summary(), "deferred 1 until")
	assert.Empty(t, e.tickets(t))

	// The same engine restarted (same Owner) is not held up by its own lease.
	_, err = st.AcquireLease(ctx, "s3/"+e.flow.SourceRef(d).String(), e.flow.Owner(), time.Minute)
	require.ErrorIs(t, err, store.ErrLeaseHeld, "the other engine still holds it")
	require.NoError(t, st.ReleaseLease(ctx, held))
	mine, err := st.AcquireLease(ctx, "s3/"+e.flow.SourceRef(d).String(), e.flow.Owner(), time.Minute)
	require.NoError(t, err, "a lease this engine's predecessor left behind")
	_ = mine // never released: the engine was killed
	rep, err = e.flow.Push(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created, "an engine reclaims its own lease at once: %s", rep.Summary())
}

// An engine known to be gone (its process died) holds an item's lease:
// the deferral names the holder, and BreakLease frees the item at once.
func TestBreakLeaseOfAGoneEngine(t *testing.T) {
	t.Parallel()
	st := memory.New()
	e := newEnv(t, func(c *syncer.Config) { c.Store = st; c.BulkSize = 1 })
	ctx := context.Background()
	d := e.detection(t, "Beaconing", 70)
	key := "s3/" + e.flow.SourceRef(d).String()
	_, err := st.AcquireLease(ctx, key, "gone-engine", time.Hour)
	require.NoError(t, err)

	rep, err := e.flow.Push(ctx, d)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Deferred, rep.Summary())
	var held *store.LeaseHeldError
	require.ErrorAs(t, rep.Outcomes[0].Err, &held, "the deferral names the holder")
	assert.Equal(t, "gone-engine", held.Owner)
	assert.Equal(t, key, held.Key)

	require.NoError(t, e.flow.BreakLease(ctx, held))
	rep, err = e.flow.Push(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created, rep.Summary())

	for name, bad := range map[string]*store.LeaseHeldError{
		"no lease":           nil,
		"this engine's own":  {Key: key, Owner: e.flow.Owner()},
		"another flow's key": {Key: "other/" + e.flow.SourceRef(d).String(), Owner: "gone-engine"},
	} {
		assert.Error(t, e.flow.BreakLease(ctx, bad), name)
	}
}

func TestPlanNamesTicketsByKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	d := e.detection(t, "Beaconing", 70)
	rep, err := e.flow.Push(ctx, d)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Created)
	require.NoError(t, e.src.UpdateIssue(ctx, d.ID, &tracker.Change{Summary: tracker.Ptr("Beaconing to a new host")}))
	changed, err := e.src.GetIssue(ctx, d.ID)
	require.NoError(t, err)

	p, err := e.flow.Plan(ctx, changed)

	require.NoError(t, err)
	require.Len(t, p.Decisions, 1)
	assert.Equal(t, rep.Outcomes[0].Key, p.Decisions[0].TargetKey)
	assert.Contains(t, p.Decisions[0].String(), "→ "+rep.Outcomes[0].Key)
}
