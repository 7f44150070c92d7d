package youtrack_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/internal/inbound/inboundtest"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/youtrack"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

const hookToken = "hook-s3cret-token"

type recorder struct{ events []*youtrack.Event }

func (r *recorder) fn(_ context.Context, ev *youtrack.Event) error {
	r.events = append(r.events, ev)
	return nil
}

// TestHandlerRefusesBadRequests sends every kind of bad request a hostile
// sender can: each is refused with its status and never reaches the
// callback.
func TestHandlerRefusesBadRequests(t *testing.T) {
	t.Parallel()
	valid := []byte(fixture(t, "event_issue_created.json"))
	comment := []byte(fixture(t, "event_comment_added.json"))
	tok := map[string]string{"X-Auth-Token": hookToken}
	body := func(s string) []byte { return []byte(s) }
	huge := body(`{"event":"issueCreated","issue":{"id":"2-1","description":"` + strings.Repeat("x", 5000) + `"}}`)
	badUTF8 := bytes.Replace(valid, []byte("Five"), []byte{'F', 0xff}, 1)
	overlong := bytes.Replace(valid, []byte("Five"), []byte{0xc0, 0xaf}, 1)
	surrogate := bytes.Replace(valid, []byte("Five"), []byte{0xed, 0xa0, 0x80}, 1)
	primed := [][]byte{valid}
	tests := []struct {
		name  string
		prime [][]byte
		req   inboundtest.Request
		want  int
	}{
		{"no token", nil, inboundtest.Request{Body: valid}, 401},
		{"empty token", nil, inboundtest.Request{Body: valid, Header: map[string]string{"X-Auth-Token": ""}}, 401},
		{"forged token", nil, inboundtest.Request{Body: valid, Header: map[string]string{"X-Auth-Token": "guess"}}, 401},
		{"token prefix", nil, inboundtest.Request{Body: valid, Header: map[string]string{"X-Auth-Token": hookToken[:5]}}, 401},
		{"token with suffix", nil, inboundtest.Request{Body: valid, Header: map[string]string{"X-Auth-Token": hookToken + "x"}}, 401},
		{"token in another case", nil, inboundtest.Request{Body: valid, Header: map[string]string{"X-Auth-Token": strings.ToUpper(hookToken)}}, 401},
		{"token in another header", nil, inboundtest.Request{Body: valid, Header: map[string]string{"Authorization": "Bearer " + hookToken}}, 401},
		{"forged query parameter", nil, inboundtest.Request{Target: "/hooks?token=guess", Body: valid}, 401},
		{"query parameter of another name", nil, inboundtest.Request{Target: "/hooks?auth=" + hookToken, Body: valid}, 401},
		{"forged token, slow body", nil, inboundtest.Request{Header: map[string]string{"X-Auth-Token": "guess"}, Slow: true, SlowAfter: time.Hour}, 401},
		{"replay", primed, inboundtest.Request{Body: valid, Header: tok}, 409},
		{"replay with the token in the query", primed, inboundtest.Request{Target: "/hooks?token=" + hookToken, Body: valid}, 409},
		{"replay with other headers", primed, inboundtest.Request{Body: valid, Header: inboundtest.With(tok, "User-Agent", "curl", "X-Request-Id", "r-9", "X-Forwarded-For", "10.1.1.1")}, 409},
		{"replay with another charset spelling", primed, inboundtest.Request{Body: valid, ContentType: "application/json; charset=UTF-8", Header: tok}, 409},
		{"replay of a comment", [][]byte{comment}, inboundtest.Request{Body: comment, Header: tok}, 409},
		{"text/plain", nil, inboundtest.Request{Body: valid, ContentType: "text/plain", Header: tok}, 415},
		{"form", nil, inboundtest.Request{Body: valid, ContentType: "application/x-www-form-urlencoded", Header: tok}, 415},
		{"multipart", nil, inboundtest.Request{Body: valid, ContentType: "multipart/form-data; boundary=b", Header: tok}, 415},
		{"no content type", nil, inboundtest.Request{Body: valid, ContentType: "-", Header: tok}, 415},
		{"utf-16 charset", nil, inboundtest.Request{Body: valid, ContentType: "application/json; charset=utf-16", Header: tok}, 415},
		{"json-ish", nil, inboundtest.Request{Body: valid, ContentType: "application/jsonp", Header: tok}, 415},
		{"deflate encoded", nil, inboundtest.Request{Body: valid, Header: inboundtest.With(tok, "Content-Encoding", "deflate")}, 415},
		{"invalid utf-8", nil, inboundtest.Request{Body: badUTF8, Header: tok}, 400},
		{"overlong utf-8", nil, inboundtest.Request{Body: overlong, Header: tok}, 400},
		{"surrogate half", nil, inboundtest.Request{Body: surrogate, Header: tok}, 400},
		{"oversized", nil, inboundtest.Request{Body: huge, Header: tok}, 413},
		{"oversized by its length", nil, inboundtest.Request{Body: valid, Header: tok, Length: 1 << 30}, 413},
		{"slow body", nil, inboundtest.Request{Header: tok, Slow: true}, 408},
		{"not JSON", nil, inboundtest.Request{Body: body(`<html>`), Header: tok}, 400},
		{"truncated JSON", nil, inboundtest.Request{Body: body(`{"event":"issueCreated","issue":{`), Header: tok}, 400},
		{"empty body", nil, inboundtest.Request{Body: body(``), Header: tok}, 400},
		{"no event", nil, inboundtest.Request{Body: body(`{"issue":{"id":"2-1"}}`), Header: tok}, 400},
		{"event not a string", nil, inboundtest.Request{Body: body(`{"event":7,"issue":{"id":"2-1"}}`), Header: tok}, 400},
		{"issue event without issue id", nil, inboundtest.Request{Body: body(`{"event":"issueUpdated","issue":{}}`), Header: tok}, 400},
		{"comment event without comment", nil, inboundtest.Request{Body: body(`{"event":"commentAdded","issue":{"id":"2-1"}}`), Header: tok}, 400},
		{"issue of the wrong shape", nil, inboundtest.Request{Body: body(`{"event":"issueCreated","issue":"HD-1"}`), Header: tok}, 400},
		{"GET", nil, inboundtest.Request{Method: "GET", Header: tok}, 405},
		{"DELETE", nil, inboundtest.Request{Method: "DELETE", Body: valid, Header: tok}, 405},
	}
	require.GreaterOrEqual(t, len(tests), 30)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var rec recorder
			h, err := youtrack.NewHandler(youtrack.HandlerConfig{Token: hookToken, QueryParam: "token", MaxBody: 4096}, rec.fn)
			require.NoError(t, err)
			for _, p := range tt.prime {
				w := inboundtest.Request{Body: p, Header: tok}.Serve(t, h)
				require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
			}
			w := tt.req.Serve(t, h)
			assert.Equal(t, tt.want, w.Code, w.Body.String())
			assert.Len(t, rec.events, len(tt.prime), "the refused request never reaches the callback")
			assert.NotContains(t, w.Body.String(), hookToken)
		})
	}
}

func TestHandlerAcceptsGoodDeliveries(t *testing.T) {
	t.Parallel()
	var rec recorder
	h, err := youtrack.NewHandler(youtrack.HandlerConfig{
		Token: hookToken, QueryParam: "token",
		Events: []youtrack.EventKind{youtrack.EventIssueCreated, youtrack.EventIssueUpdated, youtrack.EventCommentAdded},
	}, rec.fn)
	require.NoError(t, err)
	tok := map[string]string{"X-Auth-Token": hookToken}
	for i, r := range []inboundtest.Request{
		{Body: []byte(fixture(t, "event_issue_created.json")), Header: tok},
		{Target: "/hooks?token=" + hookToken, Body: []byte(fixture(t, "event_issue_updated.json")), ContentType: "application/json; charset=utf-8"},
		{Body: []byte(fixture(t, "event_comment_added.json")), Header: inboundtest.With(tok, "Content-Encoding", "identity")},
		{Body: []byte(fixture(t, "event_work_item_added.json")), Header: tok}, // filtered out
	} {
		w := r.Serve(t, h)
		assert.Equal(t, http.StatusNoContent, w.Code, "delivery %d: %s", i, w.Body.String())
	}
	require.Len(t, rec.events, 3)
	assert.True(t, strings.HasPrefix(rec.events[0].Digest, "sha256:"))
}

func TestHandlerRetriesAFailedDelivery(t *testing.T) {
	t.Parallel()
	fail := true
	calls := 0
	h, err := youtrack.NewHandler(youtrack.HandlerConfig{Token: hookToken, Header: "X-Webhook-Token"}, func(context.Context, *youtrack.Event) error {
		calls++
		if fail {
			return errors.New("store down")
		}
		return nil
	})
	require.NoError(t, err)
	r := inboundtest.Request{Body: []byte(fixture(t, "event_comment_added.json")), Header: map[string]string{"X-Webhook-Token": hookToken}}
	assert.Equal(t, http.StatusInternalServerError, r.Serve(t, h).Code)
	fail = false
	assert.Equal(t, http.StatusNoContent, r.Serve(t, h).Code, "the retry of a failed delivery")
	assert.Equal(t, http.StatusConflict, r.Serve(t, h).Code, "a replay")
	assert.Equal(t, 2, calls)
}

func TestHandlerDecodesEvents(t *testing.T) {
	t.Parallel()
	var rec recorder
	h, err := youtrack.NewHandler(youtrack.HandlerConfig{Token: hookToken}, rec.fn)
	require.NoError(t, err)
	for _, f := range []string{"event_issue_created.json", "event_issue_updated.json", "event_comment_added.json", "event_comment_deleted.json", "event_work_item_added.json"} {
		w := inboundtest.Request{Body: []byte(fixture(t, f)), Header: map[string]string{"X-Auth-Token": hookToken}}.Serve(t, h)
		require.Equal(t, http.StatusNoContent, w.Code, f)
	}
	require.Len(t, rec.events, 5)

	created := rec.events[0]
	assert.Equal(t, youtrack.EventIssueCreated, created.Kind)
	assert.Equal(t, "HD-25", created.IssueID())
	assert.Equal(t, "HD", created.Issue.Project.ShortName)
	sev, err := created.Issue.Field("Severity").Plain()
	require.NoError(t, err)
	assert.Equal(t, "High", sev)

	updated := rec.events[1]
	assert.Equal(t, youtrack.EventIssueUpdated, updated.Kind)
	assert.Equal(t, "HD-25", updated.IssueID(), "a readable id in the id member")
	assert.JSONEq(t, `[{"field":"summary"}]`, string(updated.Entities["changes"]))

	added := rec.events[2]
	assert.Equal(t, youtrack.EventCommentAdded, added.Kind)
	assert.Equal(t, "4-3", added.Comment.ID)
	assert.Equal(t, "jdoe", added.Comment.Author.Login)
	assert.Equal(t, "Password reset done.", added.Comment.Text)

	deleted := rec.events[3]
	assert.Equal(t, youtrack.EventCommentDeleted, deleted.Kind)
	assert.Equal(t, "4-3", deleted.Comment.ID)

	other := rec.events[4]
	assert.Equal(t, youtrack.EventKind("workItemAdded"), other.Kind)
	assert.Contains(t, other.Entities, "workItem")
}

func TestNewHandlerValidates(t *testing.T) {
	t.Parallel()
	_, err := youtrack.NewHandler(youtrack.HandlerConfig{}, func(context.Context, *youtrack.Event) error { return nil })
	assert.ErrorContains(t, err, "token is required")
	_, err = youtrack.NewHandler(youtrack.HandlerConfig{Token: "x"}, nil)
	assert.ErrorContains(t, err, "nil callback")
}

func FuzzDecodeEvent(f *testing.F) {
	for _, name := range []string{"event_issue_created.json", "event_issue_updated.json", "event_comment_added.json", "event_comment_deleted.json", "event_work_item_added.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"event":"issueCreated","issue":null}`))
	f.Add([]byte(`{"event":""}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := youtrack.DecodeEvent(body)
		if err != nil {
			assert.Nil(t, ev)
			return
		}
		require.NotNil(t, ev)
		assert.NotEmpty(t, ev.Kind)
		switch ev.Kind {
		case youtrack.EventIssueCreated, youtrack.EventIssueUpdated, youtrack.EventIssueDeleted:
			assert.NotEmpty(t, ev.IssueID())
		case youtrack.EventCommentAdded, youtrack.EventCommentUpdated, youtrack.EventCommentDeleted:
			assert.NotEmpty(t, ev.Comment.ID)
		}
	})
}

func TestAdapterEventHandler(t *testing.T) {
	t.Parallel()
	a, _ := newAdapter(t, youtrack.AdapterConfig{})
	var got []tracker.Event
	h, err := a.EventHandler(youtrack.HandlerConfig{Token: hookToken}, func(_ context.Context, ev tracker.Event) error {
		require.NoError(t, ev.Validate())
		got = append(got, ev)
		return nil
	})
	require.NoError(t, err)
	limited := `{"event":"commentUpdated","issue":{"id":"2-17","idReadable":"HD-25"},"comment":{"id":"4-3","text":"internal","updated":1767605000000,` +
		`"author":{"login":"jdoe"},"visibility":{"$type":"LimitedVisibility","permittedGroups":[{"name":"Developers"}]}}}`
	for _, b := range []string{
		fixture(t, "event_issue_created.json"), fixture(t, "event_issue_updated.json"), fixture(t, "event_comment_added.json"),
		fixture(t, "event_comment_deleted.json"), limited, fixture(t, "event_work_item_added.json"),
		`{"event":"issueDeleted","issue":{"id":"2-17","idReadable":"HD-25"}}`,
	} {
		w := inboundtest.Request{Body: []byte(b), Header: map[string]string{"X-Auth-Token": hookToken}}.Serve(t, h)
		require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	}
	require.Len(t, got, 6, "work items are acknowledged, not passed on")

	created := got[0]
	assert.Equal(t, tracker.EventIssueChanged, created.Kind)
	assert.Equal(t, "youtrack", created.Tracker)
	assert.Equal(t, "2-17", created.IssueID)
	assert.Equal(t, "HD-25", created.IssueKey)
	require.NotNil(t, created.Issue, "the payload carries the whole issue")
	assert.Equal(t, "Suspicious login from 10.0.0.7", created.Issue.Summary)
	assert.Equal(t, "HD", created.Issue.Project)
	assert.Equal(t, "admin", created.Issue.Reporter)
	assert.Equal(t, "High", created.Issue.Fields["Severity"])
	assert.Equal(t, time.UnixMilli(1767603600000).UTC(), created.At.UTC())
	assert.True(t, strings.HasPrefix(created.Delivery, "sha256:"))

	updated := got[1]
	assert.Equal(t, "HD-25", updated.IssueID, "only a readable id in the payload")
	assert.Nil(t, updated.Issue, "a partial issue is not passed as a whole one")
	assert.Equal(t, []string{"summary"}, updated.Changed)

	added := got[2]
	assert.Equal(t, tracker.EventCommentCreated, added.Kind)
	assert.Equal(t, "2-17", added.IssueID)
	assert.Equal(t, "jdoe", added.Actor)
	assert.Equal(t, &tracker.Comment{ID: "4-3", IssueID: "2-17", Author: "jdoe", AuthorName: "Jane Doe", Body: "Password reset done.", Created: time.UnixMilli(1767604000000).UTC()}, added.Comment)
	assert.Empty(t, added.Visibility)

	deleted := got[3]
	assert.Equal(t, tracker.EventCommentDeleted, deleted.Kind)
	assert.Equal(t, "HD-25", deleted.IssueID)
	assert.Equal(t, "4-3", deleted.Comment.ID)

	assert.Equal(t, "group:Developers", got[4].Visibility)
	assert.Equal(t, tracker.EventCommentUpdated, got[4].Kind)
	assert.Equal(t, tracker.EventIssueDeleted, got[5].Kind)
	assert.Equal(t, "2-17", got[5].IssueID)
}

// TestFakeNotificationsReachTheReceiver has the fake YouTrack post its
// notifications to the adapter's receiver: each yields a tracker.Event,
// issue events with the issue converted as GetIssue converts it.
func TestFakeNotificationsReachTheReceiver(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, youtrack.AdapterConfig{})
	ctx := t.Context()
	var mu sync.Mutex
	var got []tracker.Event
	h, err := a.EventHandler(youtrack.HandlerConfig{Token: hookToken}, func(_ context.Context, ev tracker.Event) error {
		if err := ev.Validate(); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev)
		return nil
	})
	require.NoError(t, err)
	rcv := httptest.NewServer(h)
	t.Cleanup(rcv.Close)
	srv.AddNotifications(youtracktest.Notifications{URL: rcv.URL, Token: hookToken})

	is, err := a.CreateIssue(ctx, &tracker.NewIssue{Project: "HD", Summary: "Suspicious login", Priority: "Major"})
	require.NoError(t, err)
	require.NoError(t, a.UpdateIssue(ctx, is.ID, &tracker.Change{Summary: tracker.Ptr("Suspicious login (confirmed)")}))
	c, err := a.AddComment(ctx, is.ID, "Password reset done.")
	require.NoError(t, err)
	_, err = a.UpdateComment(ctx, is.ID, c.ID, "Password reset done; MFA on.")
	require.NoError(t, err)
	require.NoError(t, a.DeleteComment(ctx, is.ID, c.ID))
	require.NoError(t, a.DeleteIssue(ctx, is.ID))
	require.NoError(t, srv.FlushNotifications(ctx))

	mu.Lock()
	defer mu.Unlock()
	var kinds []tracker.EventKind
	for _, ev := range got {
		kinds = append(kinds, ev.Kind)
		assert.Equal(t, is.ID, ev.IssueID)
		assert.Equal(t, is.Key, ev.IssueKey)
	}
	require.NotEmpty(t, kinds)
	assert.Equal(t, tracker.EventIssueChanged, kinds[0])
	assert.Contains(t, kinds, tracker.EventCommentCreated)
	assert.Contains(t, kinds, tracker.EventCommentUpdated)
	assert.Contains(t, kinds, tracker.EventCommentDeleted)
	assert.Equal(t, tracker.EventIssueDeleted, kinds[len(kinds)-1])
	require.NotNil(t, got[0].Issue, "notifications carry the whole issue")
	assert.Equal(t, "Suspicious login", got[0].Issue.Summary)
	assert.Equal(t, "Major", got[0].Issue.Priority)
	for _, ev := range got {
		if ev.Kind == tracker.EventCommentUpdated {
			assert.Equal(t, "Password reset done; MFA on.", ev.Comment.Body)
			assert.Equal(t, c.ID, ev.Comment.ID)
		}
	}
	for _, d := range srv.NotificationDeliveries() {
		assert.Equal(t, http.StatusNoContent, d.Status, "%s %s", d.Event, d.Err)
	}
}

func TestFakeNotificationMatchesGetIssue(t *testing.T) {
	t.Parallel()
	a, srv := newAdapter(t, youtrack.AdapterConfig{})
	ctx := t.Context()
	var last tracker.Event
	h, err := a.EventHandler(youtrack.HandlerConfig{Token: hookToken}, func(_ context.Context, ev tracker.Event) error {
		last = ev
		return nil
	})
	require.NoError(t, err)
	rcv := httptest.NewServer(h)
	t.Cleanup(rcv.Close)
	srv.AddNotifications(youtracktest.Notifications{URL: rcv.URL, Token: hookToken, Events: []string{youtracktest.NotifyIssueCreated}})
	is, err := a.CreateIssue(ctx, &tracker.NewIssue{Project: "HD", Summary: "Compare", Description: "d", Priority: "Critical"})
	require.NoError(t, err)
	require.NoError(t, srv.FlushNotifications(ctx))
	read, err := a.GetIssue(ctx, is.ID)
	require.NoError(t, err)
	require.NotNil(t, last.Issue)
	assert.Equal(t, read, last.Issue, "the notification's issue converts as a read one does")
}

func FuzzAdapterEvent(f *testing.F) {
	for _, name := range []string{"event_issue_created.json", "event_issue_updated.json", "event_comment_added.json", "event_comment_deleted.json"} {
		b, err := os.ReadFile("testdata/" + name)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"event":"commentUpdated","issue":{"id":"2-1"},"comment":{"id":"4-1","visibility":{"$type":"LimitedVisibility","permittedUsers":[{"login":"x"}]}},"changes":[{"name":"State"}]}`))
	f.Add([]byte(`{"event":"issueUpdated","issue":{"id":"2-1","idReadable":"HD-1","project":{"shortName":"HD"},"customFields":[{"$type":"StateIssueCustomField","name":"State","value":{"name":"Fixed","isResolved":true}}]},"updater":{"login":"u"}}`))
	c, err := youtrack.New("http://127.0.0.1:1", youtrack.WithToken("t"))
	require.NoError(f, err)
	a, err := youtrack.NewAdapter(c, youtrack.AdapterConfig{})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		yev, err := youtrack.DecodeEvent(body)
		if err != nil {
			return
		}
		ev, ok, err := a.Event(yev)
		if err != nil || !ok {
			return
		}
		require.NoError(t, ev.Validate(), "an event the adapter produces is valid")
		if ev.Issue != nil {
			assert.Equal(t, ev.IssueID, ev.Issue.ID)
		}
	})
}
