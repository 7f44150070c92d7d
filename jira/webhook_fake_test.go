package jira_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/tracker"
)

type eventSink struct {
	mu     sync.Mutex
	events []tracker.Event
}

func (s *eventSink) handle(_ context.Context, ev tracker.Event) error {
	if err := ev.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, ev)
	return nil
}

func (s *eventSink) take() []tracker.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.events
	s.events = nil
	return out
}

// TestFakeWebhooksReachTheReceiver has the fake Jira post signed webhooks
// for every issue and comment change to the adapter's receiver: each
// yields a tracker.Event, issue events with the issue converted exactly as
// GetIssue converts it.
func TestFakeWebhooksReachTheReceiver(t *testing.T) {
	t.Parallel()
	for _, dc := range []bool{false, true} {
		t.Run(map[bool]string{false: "cloud", true: "datacenter"}[dc], func(t *testing.T) {
			t.Parallel()
			opts := []jiratest.Option{jiratest.WithTeam()}
			carol := jiratest.UserCarol
			if dc {
				opts = append(opts, jiratest.WithDataCenter())
				carol = "carol"
			}
			a, srv := newAdapter(t, jira.AdapterConfig{}, opts...)
			ctx := t.Context()
			secret := []byte("fake-webhook-secret")
			sink := &eventSink{}
			h, err := a.EventHandler(secret, sink.handle)
			require.NoError(t, err)
			rcv := httptest.NewServer(h)
			t.Cleanup(rcv.Close)
			srv.AddWebhook(jiratest.Webhook{URL: rcv.URL, Secret: secret})

			created, err := a.CreateIssue(ctx, &tracker.NewIssue{Project: "SEC", Summary: "Suspicious login", Description: "from 10.0.0.7", Priority: "High", Labels: []string{"incident"}})
			require.NoError(t, err)
			require.NoError(t, a.UpdateIssue(ctx, created.ID, &tracker.Change{Summary: tracker.Ptr("Suspicious login (confirmed)")}))
			require.NoError(t, a.Transition(ctx, created.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}))
			require.NoError(t, srv.FlushWebhooks(ctx))

			evs := sink.take()
			require.GreaterOrEqual(t, len(evs), 3, "one event per write at least")
			current, err := a.GetIssue(ctx, created.ID)
			require.NoError(t, err)
			for _, ev := range evs {
				assert.Equal(t, tracker.EventIssueChanged, ev.Kind)
				assert.Equal(t, created.ID, ev.IssueID)
				assert.Equal(t, created.Key, ev.IssueKey)
				require.NotNil(t, ev.Issue)
			}
			last := evs[len(evs)-1]
			assert.Equal(t, current, last.Issue, "the last delivery holds the issue as GetIssue reads it")
			assert.Contains(t, last.Changed, "status")
			assert.Equal(t, tracker.CategoryDone, last.Issue.StatusCategory)
			assert.True(t, slices.ContainsFunc(evs, func(ev tracker.Event) bool { return slices.Equal(ev.Changed, []string{"summary"}) }), "the edit names the summary")

			// Comments: by the API user, by another user with a
			// restriction, edited and deleted.
			c1, err := a.AddComment(ctx, created.ID, "Looking into it.")
			require.NoError(t, err)
			c2, err := srv.AddComment(created.Key, jiratest.CommentSpec{Author: carol, Body: "Internal note", Visibility: &jiratest.CommentVisibility{Type: "role", Value: "Administrators"}})
			require.NoError(t, err)
			_, err = a.UpdateComment(ctx, created.ID, c1.ID, "Looking into it: contained.")
			require.NoError(t, err)
			require.NoError(t, a.DeleteComment(ctx, created.ID, c2))
			require.NoError(t, srv.FlushWebhooks(ctx))
			evs = sink.take()
			require.Len(t, evs, 4)
			kinds := []tracker.EventKind{evs[0].Kind, evs[1].Kind, evs[2].Kind, evs[3].Kind}
			assert.Equal(t, []tracker.EventKind{tracker.EventCommentCreated, tracker.EventCommentCreated, tracker.EventCommentUpdated, tracker.EventCommentDeleted}, kinds)
			assert.Equal(t, "Looking into it.", evs[0].Comment.Body)
			assert.Equal(t, c1.Author, evs[0].Comment.Author)
			assert.Equal(t, carol, evs[1].Comment.Author, "a comment by another user")
			assert.Equal(t, carol, evs[1].Actor)
			assert.Equal(t, "role:Administrators", evs[1].Visibility)
			assert.Equal(t, "Looking into it: contained.", evs[2].Comment.Body)
			assert.Equal(t, c2, evs[3].Comment.ID)
			for _, ev := range evs {
				assert.Equal(t, created.ID, ev.IssueID)
				assert.Equal(t, created.ID, ev.Comment.IssueID)
			}

			require.NoError(t, a.DeleteIssue(ctx, created.ID))
			require.NoError(t, srv.FlushWebhooks(ctx))
			evs = sink.take()
			require.Len(t, evs, 1)
			assert.Equal(t, tracker.EventIssueDeleted, evs[0].Kind)

			for _, d := range srv.WebhookDeliveries() {
				assert.Equal(t, 204, d.Status, "%s %s", d.Event, d.Err)
				assert.NotEmpty(t, d.Header.Get("X-Hub-Signature"))
				assert.NotEmpty(t, d.Header.Get("X-Atlassian-Webhook-Identifier"))
			}
		})
	}
}

func TestFakeWebhookReplayIsRefused(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, jira.AdapterConfig{})
	secret := []byte("s")
	sink := &eventSink{}
	h, err := a.EventHandler(secret, sink.handle)
	require.NoError(t, err)
	rcv := httptest.NewServer(h)
	t.Cleanup(rcv.Close)
	// The same webhook registered twice delivers every body twice, with
	// different identifiers: the second copy is a replay.
	srv.AddWebhook(jiratest.Webhook{URL: rcv.URL, Secret: secret})
	srv.AddWebhook(jiratest.Webhook{URL: rcv.URL, Secret: secret})
	_, err = a.CreateIssue(t.Context(), &tracker.NewIssue{Project: "SEC", Summary: "once"})
	require.NoError(t, err)
	require.NoError(t, srv.FlushWebhooks(t.Context()))
	assert.Len(t, sink.take(), 1)
	ds := srv.WebhookDeliveries()
	require.Len(t, ds, 2)
	assert.NotEqual(t, ds[0].ID, ds[1].ID)
	assert.Equal(t, []int{204, 409}, []int{ds[0].Status, ds[1].Status})
}

func TestFakeWebhookRetriesAFailedDelivery(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, jira.AdapterConfig{})
	secret := []byte("s")
	fails := 1
	h, err := a.EventHandler(secret, func(context.Context, tracker.Event) error {
		if fails > 0 {
			fails--
			return assert.AnError
		}
		return nil
	})
	require.NoError(t, err)
	rcv := httptest.NewServer(h)
	t.Cleanup(rcv.Close)
	srv.AddWebhook(jiratest.Webhook{URL: rcv.URL, Secret: secret, Retries: 2, Events: []string{jiratest.WebhookIssueCreated}})
	_, err = a.CreateIssue(t.Context(), &tracker.NewIssue{Project: "SEC", Summary: "retried"})
	require.NoError(t, err)
	require.NoError(t, srv.FlushWebhooks(t.Context()))
	ds := srv.WebhookDeliveries()
	require.Len(t, ds, 2)
	assert.Equal(t, []int{500, 204}, []int{ds[0].Status, ds[1].Status})
	assert.Equal(t, ds[0].ID, ds[1].ID, "a retry keeps its identifier")
}

func TestFakeRequiredFields(t *testing.T) {
	t.Parallel()
	a, _ := newAdapter(t, jira.AdapterConfig{}, jiratest.WithRequiredFields(jiratest.FieldSeverity))
	ctx := t.Context()
	fields, err := a.DescribeFields(ctx, "SEC", "Task")
	require.NoError(t, err)
	var sev *tracker.FieldInfo
	for i := range fields {
		if fields[i].Name == "Severity" {
			sev = &fields[i]
		}
	}
	require.NotNil(t, sev)
	assert.True(t, sev.Required)
	_, err = a.CreateIssue(ctx, &tracker.NewIssue{Project: "SEC", Summary: "no severity"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Severity is required.")
	_, err = a.CreateIssue(ctx, &tracker.NewIssue{Project: "SEC", Summary: "with severity", Fields: map[string]any{"Severity": "High"}})
	require.NoError(t, err)
}
