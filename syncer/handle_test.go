package syncer_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

const incidentsSpec = `
flows:
  - name: incidents
    source: incidents
    target: jira
    defaults: {project: SEC, type: Task}
    fields:
      summary: {from: summary}
    back:
      status:
        - when: {field: statusCategory, equals: done}
          transition: {category: done}
`

// TestSignedWebhookResolvesTheIncidentWithoutAPoll: the fake Jira posts a
// signed webhook when the analyst moves the ticket to Done; the receiver
// hands the event to the flow, which resolves the incident. The same
// delivery replayed changes nothing.
func TestSignedWebhookResolvesTheIncidentWithoutAPoll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	secret := []byte("webhook secret")
	jr := jiratest.NewServer(t)
	target := jiraTarget(t, jr)
	spec, err := mapping.Parse([]byte(incidentsSpec))
	require.NoError(t, err)
	src := trackertest.NewMemory("incidents")
	flow, err := syncer.New(syncer.Config{Name: "incidents", Source: src, Target: target, Mapping: spec.Flows[0], Store: memory.New(),
		Sleep: func(time.Duration) <-chan time.Time { return instant() }})
	require.NoError(t, err)

	handled := make(chan *syncer.Report, 16)
	h, err := target.EventHandler(secret, func(ctx context.Context, ev tracker.Event) error {
		rep, err := flow.Handle(ctx, ev)
		handled <- rep
		return err
	})
	require.NoError(t, err)
	receiver := httptest.NewServer(h)
	t.Cleanup(receiver.Close)

	incident, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: "SQL injection in /search"})
	require.NoError(t, err)
	rep, err := flow.Push(ctx, incident)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Created)
	ticket := jr.Issues()[0]

	jr.AddWebhook(jiratest.Webhook{URL: receiver.URL, Secret: secret, Events: []string{"jira:issue_updated"}})
	require.NoError(t, target.Transition(ctx, ticket.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}))
	require.NoError(t, jr.FlushWebhooks(ctx))

	var last *syncer.Report
	for len(handled) > 0 {
		last = <-handled
	}
	require.NotNil(t, last, "the webhook reached the flow")
	got, err := src.GetIssue(ctx, incident.ID)
	require.NoError(t, err)
	assert.Equal(t, tracker.CategoryDone, got.StatusCategory, "the incident is resolved, with no poll")
	assert.Equal(t, 1, last.WrittenBack)

	deliveries := jr.WebhookDeliveries()
	require.NotEmpty(t, deliveries)
	d := deliveries[len(deliveries)-1]
	require.True(t, d.OK(), "status %d %s", d.Status, d.Err)
	src.ResetCalls()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, receiver.URL, bytes.NewReader(d.Body))
	require.NoError(t, err)
	req.Header = d.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "the receiver recognises the replay")
	assert.Zero(t, src.WriteCalls(), "the replay changes nothing")

	// Past the receiver's memory, the engine is idempotent on its own.
	ev, ok, err := target.Event(ctx, mustDecodeWebhook(t, d.Body))
	require.NoError(t, err)
	require.True(t, ok)
	rep, err = flow.Handle(ctx, ev)
	require.NoError(t, err)
	assert.Zero(t, src.WriteCalls(), "handling the same event again writes nothing: %s", rep.Summary())
}

func TestHandleDeletions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	spec, err := mapping.Parse([]byte(incidentsSpec))
	require.NoError(t, err)
	setup := func(t *testing.T, del syncer.Deletions) (*trackertest.Memory, *trackertest.Memory, store.Store, *syncer.Flow, *tracker.Issue, *tracker.Issue) {
		src := trackertest.NewMemory("incidents")
		dst := trackertest.NewMemory("jira")
		st := memory.New()
		flow, err := syncer.New(syncer.Config{Name: "incidents", Source: src, Target: dst, Mapping: spec.Flows[0], Store: st, Deletions: del})
		require.NoError(t, err)
		item, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: "XSS in /profile"})
		require.NoError(t, err)
		rep, err := flow.Push(ctx, item)
		require.NoError(t, err)
		require.Equal(t, 1, rep.Created)
		ticket, err := dst.GetIssue(ctx, rep.Outcomes[0].Target.ID)
		require.NoError(t, err)
		return src, dst, st, flow, item, ticket
	}

	t.Run("a deleted item closes its ticket with a comment", func(t *testing.T) {
		t.Parallel()
		src, dst, st, flow, item, ticket := setup(t, syncer.Deletions{CloseTicket: true, Comment: "The incident was deleted."})
		require.NoError(t, src.DeleteIssue(ctx, item.ID))
		rep, err := flow.Handle(ctx, tracker.Event{Kind: tracker.EventIssueDeleted, Tracker: "incidents", IssueID: item.ID})
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Closed, rep.Summary())
		got, err := dst.GetIssue(ctx, ticket.ID)
		require.NoError(t, err)
		assert.Equal(t, tracker.CategoryDone, got.StatusCategory)
		assert.Equal(t, []string{"The incident was deleted."}, bodies(t, dst, ticket.ID))
		link, err := st.GetLink(ctx, "incidents", flow.SourceRef(item))
		require.NoError(t, err)
		assert.Equal(t, store.StateClosed, link.State)

		rep, err = flow.Handle(ctx, tracker.Event{Kind: tracker.EventIssueDeleted, Tracker: "incidents", IssueID: item.ID})
		require.NoError(t, err)
		assert.Zero(t, rep.Closed, "a replay finds the link closed")
	})

	t.Run("by default the ticket is left as it is", func(t *testing.T) {
		t.Parallel()
		_, dst, _, flow, item, ticket := setup(t, syncer.Deletions{})
		rep, err := flow.Handle(ctx, tracker.Event{Kind: tracker.EventIssueDeleted, Tracker: "incidents", IssueID: item.ID})
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Closed)
		got, err := dst.GetIssue(ctx, ticket.ID)
		require.NoError(t, err)
		assert.NotEqual(t, tracker.CategoryDone, got.StatusCategory)
	})

	t.Run("a deleted ticket closes the link and tells the item", func(t *testing.T) {
		t.Parallel()
		src, dst, _, flow, item, ticket := setup(t, syncer.Deletions{SourceChange: &tracker.Change{Fields: map[string]any{"ticket": "deleted"}}})
		require.NoError(t, dst.DeleteIssue(ctx, ticket.ID))
		rep, err := flow.Handle(ctx, tracker.Event{Kind: tracker.EventIssueDeleted, Tracker: "jira", IssueID: ticket.ID})
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Closed)
		got, err := src.GetIssue(ctx, item.ID)
		require.NoError(t, err)
		assert.Equal(t, "deleted", got.Fields["ticket"])

		// The item changes later: its closed link makes no new ticket.
		rep, err = flow.Push(ctx, got)
		require.NoError(t, err)
		assert.Zero(t, rep.Created)
	})

	t.Run("another tracker's events are not the flow's", func(t *testing.T) {
		t.Parallel()
		_, _, _, flow, _, _ := setup(t, syncer.Deletions{})
		rep, err := flow.Handle(ctx, tracker.Event{Kind: tracker.EventIssueDeleted, Tracker: "youtrack", IssueID: "2-1"})
		require.NoError(t, err)
		assert.Zero(t, rep.Closed)
		_, err = flow.Handle(ctx, tracker.Event{Kind: "bogus", Tracker: "jira"})
		require.Error(t, err, "an invalid event is refused")
	})
}

func mustDecodeWebhook(t testing.TB, body []byte) *jira.WebhookEvent {
	t.Helper()
	ev, err := jira.DecodeWebhook(body)
	require.NoError(t, err)
	return ev
}

// TestHandleBetweenTwoTrackersOfOneKind: two Jira sites; an event names
// an issue by id only, and the flow tells a ticket it made from an item.
func TestHandleBetweenTwoTrackersOfOneKind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	spec, err := mapping.Parse([]byte(incidentsSpec))
	require.NoError(t, err)
	src := trackertest.NewMemory("jira")
	dst := trackertest.NewMemory("jira")
	flow, err := syncer.New(syncer.Config{Name: "sites", Source: src, Target: dst, Mapping: spec.Flows[0], Store: memory.New(),
		Deletions: syncer.Deletions{SourceChange: &tracker.Change{Fields: map[string]any{"mirror": "deleted"}}}})
	require.NoError(t, err)
	// Both sites number their issues alike: create a second item first so
	// that the ticket's id differs from the item's.
	_, err = src.CreateIssue(ctx, &tracker.NewIssue{Summary: "unrelated"})
	require.NoError(t, err)
	item, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: "Phishing wave"})
	require.NoError(t, err)
	rep, err := flow.Handle(ctx, tracker.Event{Kind: tracker.EventIssueChanged, Tracker: "jira", IssueID: item.ID})
	require.NoError(t, err)
	require.Equal(t, 1, rep.Created, "an issue the flow has no ticket for is an item")
	ticketID := rep.Outcomes[0].Target.ID
	require.NotEqual(t, item.ID, ticketID)

	require.NoError(t, dst.DeleteIssue(ctx, ticketID))
	rep, err = flow.Handle(ctx, tracker.Event{Kind: tracker.EventIssueDeleted, Tracker: "jira", IssueID: ticketID})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Closed, "the flow's ticket is the target's: %s", rep.Summary())
	got, err := src.GetIssue(ctx, item.ID)
	require.NoError(t, err)
	assert.Equal(t, "deleted", got.Fields["mirror"])
}
