package jira_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/internal/inbound"
	"github.com/trackbridge/trackbridge/internal/inbound/inboundtest"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/tracker"
)

var webhookSecret = []byte("s3cret-webhook-key")

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func deliver(h http.Handler, body []byte, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/hooks/jira", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestDecodeWebhookIssueUpdated(t *testing.T) {
	t.Parallel()
	ev, err := jira.DecodeWebhook(fixture(t, "webhook_issue_updated.json"))
	require.NoError(t, err)
	assert.Equal(t, jira.EventIssueUpdated, ev.Event)
	assert.Equal(t, "issue_generic", ev.IssueEventType)
	assert.Equal(t, time.UnixMilli(1735689600123).UTC(), ev.Timestamp)
	require.NotNil(t, ev.Issue)
	assert.Equal(t, "10042", ev.Issue.ID)
	assert.Equal(t, "SEC-42", ev.Issue.Key)
	assert.Equal(t, "Line one\nLine two", ev.Issue.Fields.Description.Text(), "webhooks carry v2 string bodies")
	assert.Equal(t, "done", ev.Issue.Fields.Status.CategoryKey())
	assert.Nil(t, ev.Issue.Fields.Assignee)
	sev, ok := ev.Issue.Fields.String("customfield_10042")
	assert.True(t, ok)
	assert.Equal(t, "High", sev)
	st, ok := ev.Changed("status")
	require.True(t, ok)
	assert.Equal(t, jira.ChangelogItem{Field: "status", FieldType: "jira", FieldID: "status", From: "3", FromString: "In Progress", To: "10002", ToString: "Done"}, st)
	res, ok := ev.Changed("Resolution")
	require.True(t, ok)
	assert.Empty(t, res.From, "null from")
	assert.Equal(t, "Done", res.ToString)
	assert.Equal(t, "alice", strings.ToLower(strings.Fields(ev.User.DisplayName)[0]))
}

func TestDecodeWebhookComment(t *testing.T) {
	t.Parallel()
	ev, err := jira.DecodeWebhook(fixture(t, "webhook_comment_created.json"))
	require.NoError(t, err)
	assert.Equal(t, jira.EventCommentCreated, ev.Event)
	require.NotNil(t, ev.Comment)
	assert.Equal(t, "10100", ev.Comment.ID)
	assert.Equal(t, "Contained; *closing* the ticket.", ev.Comment.Body.Text())
	assert.Equal(t, time.Date(2025, 1, 1, 0, 1, 40, 0, time.UTC), ev.Comment.Created.UTC())
	assert.Equal(t, "SEC-42", ev.Issue.Key)
}

func TestDecodeWebhookOtherEvents(t *testing.T) {
	t.Parallel()
	ev, err := jira.DecodeWebhook([]byte(`{"timestamp":1,"webhookEvent":"issue_property_set","issue":{"id":"10042","key":"SEC-42"},"property":{"key":"k","value":1}}`))
	require.NoError(t, err)
	assert.Equal(t, "issue_property_set", ev.Event)
	assert.Equal(t, "SEC-42", ev.Issue.Key)
	assert.Contains(t, string(ev.Raw), `"property"`)
}

func TestDecodeWebhookKeepsAMistypedField(t *testing.T) {
	t.Parallel()
	ev, err := jira.DecodeWebhook([]byte(`{"webhookEvent":"jira:issue_created","issue":{"id":"1","fields":{"created":"yesterday","summary":"s"}}}`))
	require.NoError(t, err)
	assert.Equal(t, "s", ev.Issue.Fields.Summary)
	require.Len(t, ev.Issue.Problems(), 1)
	assert.Equal(t, "fields.created", ev.Issue.Problems()[0].Path)
	assert.JSONEq(t, `"yesterday"`, string(ev.Issue.Fields.Other["created"]))
}

func TestDecodeWebhookRejects(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"not json":         `{"webhookEvent":`,
		"array":            `[]`,
		"no event":         `{"issue":{"id":"1"}}`,
		"issue without id": `{"webhookEvent":"jira:issue_created","issue":{"key":"SEC-1"}}`,
		"comment no id":    `{"webhookEvent":"comment_deleted","comment":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := jira.DecodeWebhook([]byte(body))
			assert.ErrorIs(t, err, inbound.ErrMalformed)
		})
	}
}

// fixtureNow is one minute after the fixtures' timestamps, so they are
// fresh for handlers built with WithWebhookClock(fixtureClock).
var fixtureNow = time.UnixMilli(1735689600123).Add(time.Minute)

func fixtureClock() time.Time { return fixtureNow }

func signed(body []byte) map[string]string {
	return map[string]string{"X-Hub-Signature": inbound.SignHMACSHA256(webhookSecret, body)}
}

// TestWebhookHandlerRefusesBadRequests sends every kind of bad request a
// hostile sender can: each is refused with its status and never reaches
// the callback, while the good deliveries before it are accepted.
func TestWebhookHandlerRefusesBadRequests(t *testing.T) {
	t.Parallel()
	issue := fixture(t, "webhook_issue_updated.json")
	comment := fixture(t, "webhook_comment_created.json")
	retimed := func(ms int64) []byte {
		return bytes.Replace(issue, []byte("1735689600123"), []byte(strconv.FormatInt(ms, 10)), 1)
	}
	ts := fixtureNow.UnixMilli()
	stale2001 := retimed(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	staleJust := retimed(ts - (jira.DefaultWebhookMaxAge + time.Second).Milliseconds())
	future := retimed(ts + time.Hour.Milliseconds())
	badUTF8 := bytes.Replace(issue, []byte("Line one"), []byte("Line \xff\xfe"), 1)
	badUTF8 = bytes.ReplaceAll(badUTF8, []byte("\\xff\\xfe"), []byte{0xff, 0xfe})
	overlong := bytes.Replace(issue, []byte("Line one"), []byte{'L', 0xc0, 0xaf}, 1)
	huge := append(bytes.Clone(issue[:len(issue)-2]), bytes.Repeat([]byte(" "), 5000)...)
	huge = append(huge, '}')
	noEvent := []byte(`{"timestamp":` + strconv.FormatInt(ts, 10) + `,"issue":{"id":"1"}}`)
	noIssueID := []byte(`{"timestamp":` + strconv.FormatInt(ts, 10) + `,"webhookEvent":"jira:issue_created","issue":{"key":"SEC-1"}}`)
	noCommentID := []byte(`{"timestamp":` + strconv.FormatInt(ts, 10) + `,"webhookEvent":"comment_deleted","comment":{}}`)
	other := inbound.SignHMACSHA256([]byte("not-the-secret"), issue)
	good := signed(issue)
	replayPrime := [][]byte{issue}

	tests := []struct {
		name  string
		prime [][]byte // delivered (and accepted) first
		req   inboundtest.Request
		want  int
	}{
		{"no signature", nil, inboundtest.Request{Body: issue}, 401},
		{"no signature with identifier", nil, inboundtest.Request{Body: issue, Header: map[string]string{"X-Atlassian-Webhook-Identifier": "d-1"}}, 401},
		{"empty signature", nil, inboundtest.Request{Body: issue, Header: map[string]string{"X-Hub-Signature": "sha256="}}, 401},
		{"wrong secret", nil, inboundtest.Request{Body: issue, Header: map[string]string{"X-Hub-Signature": other}}, 401},
		{"signature of another body", nil, inboundtest.Request{Body: comment, Header: good}, 401},
		{"body changed after signing", nil, inboundtest.Request{Body: append(bytes.Clone(issue), ' '), Header: good}, 401},
		{"sha1 signature", nil, inboundtest.Request{Body: issue, Header: map[string]string{"X-Hub-Signature": "sha1=" + strings.Repeat("a", 40)}}, 401},
		{"no algorithm", nil, inboundtest.Request{Body: issue, Header: map[string]string{"X-Hub-Signature": strings.TrimPrefix(good["X-Hub-Signature"], "sha256=")}}, 401},
		{"not hex", nil, inboundtest.Request{Body: issue, Header: map[string]string{"X-Hub-Signature": "sha256=" + strings.Repeat("z", 64)}}, 401},
		{"truncated signature", nil, inboundtest.Request{Body: issue, Header: map[string]string{"X-Hub-Signature": good["X-Hub-Signature"][:40]}}, 401},
		{"signature in another header", nil, inboundtest.Request{Body: issue, Header: map[string]string{"X-Hub-Signature-256": good["X-Hub-Signature"]}}, 401},
		{"replay", replayPrime, inboundtest.Request{Body: issue, Header: good}, 409},
		{"replay with a new identifier", replayPrime, inboundtest.Request{Body: issue, Header: inboundtest.With(good, "X-Atlassian-Webhook-Identifier", "fresh-id")}, 409},
		{"replay without identifier", replayPrime, inboundtest.Request{Body: issue, Header: good}, 409},
		{"replay with other headers", replayPrime, inboundtest.Request{Body: issue, Header: inboundtest.With(good, "User-Agent", "curl", "X-Forwarded-For", "10.0.0.9", "X-Request-Id", "r-2")}, 409},
		{"replay with another charset spelling", replayPrime, inboundtest.Request{Body: issue, ContentType: "application/json; charset=utf-8", Header: good}, 409},
		{"replay with an uppercase signature", replayPrime, inboundtest.Request{Body: issue, Header: map[string]string{"X-Hub-Signature": "sha256=" + strings.ToUpper(good["X-Hub-Signature"][7:])}}, 409},
		{"dated 2001", nil, inboundtest.Request{Body: stale2001, Header: signed(stale2001)}, 400},
		{"just past the max age", nil, inboundtest.Request{Body: staleJust, Header: signed(staleJust)}, 400},
		{"dated in the future", nil, inboundtest.Request{Body: future, Header: signed(future)}, 400},
		{"text/plain", nil, inboundtest.Request{Body: issue, ContentType: "text/plain", Header: good}, 415},
		{"form", nil, inboundtest.Request{Body: issue, ContentType: "application/x-www-form-urlencoded", Header: good}, 415},
		{"multipart", nil, inboundtest.Request{Body: issue, ContentType: "multipart/form-data; boundary=x", Header: good}, 415},
		{"no content type", nil, inboundtest.Request{Body: issue, ContentType: "-", Header: good}, 415},
		{"latin1 charset", nil, inboundtest.Request{Body: issue, ContentType: "application/json; charset=iso-8859-1", Header: good}, 415},
		{"xml", nil, inboundtest.Request{Body: issue, ContentType: "application/xml", Header: good}, 415},
		{"gzip encoded", nil, inboundtest.Request{Body: issue, Header: inboundtest.With(good, "Content-Encoding", "gzip")}, 415},
		{"invalid utf-8", nil, inboundtest.Request{Body: badUTF8, Header: signed(badUTF8)}, 400},
		{"overlong utf-8", nil, inboundtest.Request{Body: overlong, Header: signed(overlong)}, 400},
		{"oversized", nil, inboundtest.Request{Body: huge, Header: signed(huge)}, 413},
		{"oversized by its length", nil, inboundtest.Request{Body: issue, Header: good, Length: 1 << 30}, 413},
		{"slow body", nil, inboundtest.Request{Header: good, Slow: true}, 408},
		{"truncated json", nil, inboundtest.Request{Body: issue[:100], Header: signed(issue[:100])}, 400},
		{"json array", nil, inboundtest.Request{Body: []byte(`[]`), Header: signed([]byte(`[]`))}, 400},
		{"empty body", nil, inboundtest.Request{Body: []byte{}, Header: signed([]byte{})}, 400},
		{"no webhookEvent", nil, inboundtest.Request{Body: noEvent, Header: signed(noEvent)}, 400},
		{"issue event without id", nil, inboundtest.Request{Body: noIssueID, Header: signed(noIssueID)}, 400},
		{"comment event without id", nil, inboundtest.Request{Body: noCommentID, Header: signed(noCommentID)}, 400},
		{"GET", nil, inboundtest.Request{Method: http.MethodGet, Header: good}, 405},
		{"PUT", nil, inboundtest.Request{Method: http.MethodPut, Body: issue, Header: good}, 405},
	}
	require.GreaterOrEqual(t, len(tests), 30)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			h, err := jira.WebhookHandler(webhookSecret, func(ctx context.Context, ev *jira.WebhookEvent) error {
				calls.Add(1)
				return nil
			}, jira.WithWebhookMaxBody(4096), jira.WithWebhookClock(fixtureClock))
			require.NoError(t, err)
			for _, p := range tt.prime {
				rec := inboundtest.Request{Body: p, Header: inboundtest.With(signed(p), "X-Atlassian-Webhook-Identifier", "first")}.Serve(t, h)
				require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
			}
			rec := tt.req.Serve(t, h)
			assert.Equal(t, tt.want, rec.Code, rec.Body.String())
			assert.Equal(t, int32(len(tt.prime)), calls.Load(), "the refused request never reaches the callback")
			assert.NotContains(t, rec.Body.String(), string(webhookSecret))
		})
	}
}

func TestWebhookHandlerAcceptsGoodDeliveries(t *testing.T) {
	t.Parallel()
	issue := fixture(t, "webhook_issue_updated.json")
	comment := fixture(t, "webhook_comment_created.json")
	deleted := bytes.Replace(issue, []byte(`"jira:issue_updated"`), []byte(`"jira:issue_deleted"`), 1)
	var got []string
	h, err := jira.WebhookHandler(webhookSecret, func(ctx context.Context, ev *jira.WebhookEvent) error {
		got = append(got, ev.Event+" "+ev.DeliveryID)
		assert.True(t, strings.HasPrefix(ev.Digest, "sha256:"))
		return nil
	}, jira.WithWebhookClock(fixtureClock))
	require.NoError(t, err)
	for i, hr := range []inboundtest.Request{
		{Body: issue, Header: inboundtest.With(signed(issue), "X-Atlassian-Webhook-Identifier", "d-1")},
		{Body: comment, ContentType: "application/json; charset=UTF-8", Header: signed(comment)},
		{Body: deleted, ContentType: "application/json;charset=utf-8", Header: inboundtest.With(signed(deleted), "Content-Encoding", "identity")},
	} {
		rec := hr.Serve(t, h)
		assert.Equal(t, http.StatusNoContent, rec.Code, "delivery %d: %s", i, rec.Body.String())
	}
	assert.Equal(t, []string{"jira:issue_updated d-1", "comment_created ", "jira:issue_deleted "}, got)
}

func TestWebhookHandlerRetriesAFailedDelivery(t *testing.T) {
	t.Parallel()
	body := fixture(t, "webhook_comment_created.json")
	hdr := inboundtest.With(signed(body), "X-Atlassian-Webhook-Identifier", "delivery-7")
	var calls atomic.Int32
	fail := atomic.Bool{}
	fail.Store(true)
	h, err := jira.WebhookHandler(webhookSecret, func(ctx context.Context, ev *jira.WebhookEvent) error {
		calls.Add(1)
		assert.Equal(t, "delivery-7", ev.DeliveryID)
		if fail.Load() {
			return errors.New("store unavailable")
		}
		return nil
	}, jira.WithWebhookClock(fixtureClock))
	require.NoError(t, err)

	// A failed callback answers 500 and forgets the delivery, so Jira's
	// retry is processed.
	assert.Equal(t, http.StatusInternalServerError, deliver(h, body, hdr).Code)
	fail.Store(false)
	assert.Equal(t, http.StatusNoContent, deliver(h, body, hdr).Code)
	assert.Equal(t, http.StatusConflict, deliver(h, body, hdr).Code, "a replay is refused")
	assert.Equal(t, int32(2), calls.Load(), "the same delivery reaches the callback once after it succeeded")
}

func TestWebhookHandlerSharedDeduper(t *testing.T) {
	t.Parallel()
	body := fixture(t, "webhook_issue_updated.json")
	d := tracker.NewMemoryDeduper(10, 2*time.Hour)
	noop := func(context.Context, *jira.WebhookEvent) error { return nil }
	replicaA, err := jira.WebhookHandler(webhookSecret, noop, jira.WithWebhookDedup(d), jira.WithWebhookClock(fixtureClock))
	require.NoError(t, err)
	replicaB, err := jira.WebhookHandler(webhookSecret, noop, jira.WithWebhookDedup(d), jira.WithWebhookClock(fixtureClock))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, deliver(replicaA, body, signed(body)).Code)
	assert.Equal(t, http.StatusConflict, deliver(replicaB, body, signed(body)).Code, "a replay to another replica sharing the deduper")
	assert.Equal(t, 1, d.Len())
}

func TestWebhookHandlerNeedsSecret(t *testing.T) {
	t.Parallel()
	noop := func(context.Context, *jira.WebhookEvent) error { return nil }
	_, err := jira.WebhookHandler(nil, noop)
	assert.Error(t, err)
	_, err = jira.WebhookHandler(webhookSecret, nil)
	assert.Error(t, err)
	h, err := jira.WebhookHandler(nil, noop, jira.WithUnsignedWebhooks(), jira.WithWebhookClock(fixtureClock))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, deliver(h, fixture(t, "webhook_comment_created.json"), nil).Code)
}

func TestNewWebhookServer(t *testing.T) {
	t.Parallel()
	s := jira.NewWebhookServer(":8080", http.NotFoundHandler())
	assert.Equal(t, ":8080", s.Addr)
	assert.Positive(t, s.ReadHeaderTimeout)
	assert.Positive(t, s.ReadTimeout)
	assert.Positive(t, s.IdleTimeout)
	assert.Positive(t, s.MaxHeaderBytes)
}

func FuzzDecodeWebhook(f *testing.F) {
	f.Add(fixture(f, "webhook_issue_updated.json"))
	f.Add(fixture(f, "webhook_comment_created.json"))
	f.Add([]byte(`{"webhookEvent":"jira:issue_deleted","issue":{"id":"1","fields":{"description":{"type":"doc","version":1}}}}`))
	f.Add([]byte(`{"webhookEvent":"comment_updated","comment":{"id":"1","body":null}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := jira.DecodeWebhook(body)
		if err != nil {
			if !errors.Is(err, inbound.ErrMalformed) {
				t.Fatalf("error does not match ErrMalformed: %v", err)
			}
			return
		}
		if ev.Event == "" {
			t.Fatal("decoded an event without a name")
		}
		switch ev.Event {
		case jira.EventIssueCreated, jira.EventIssueUpdated, jira.EventIssueDeleted:
			if ev.Issue == nil || ev.Issue.ID == "" {
				t.Fatal("decoded an issue event without an issue id")
			}
		case jira.EventCommentCreated, jira.EventCommentUpdated, jira.EventCommentDeleted:
			if ev.Comment == nil || ev.Comment.ID == "" {
				t.Fatal("decoded a comment event without a comment id")
			}
		}
		if ev.Issue != nil && ev.Issue.Fields != nil {
			_ = ev.Issue.Fields.Description.Text()
		}
	})
}

func TestAdapterEventHandler(t *testing.T) {
	t.Parallel()
	a, _ := newAdapter(t, jira.AdapterConfig{})
	issue := fixture(t, "webhook_issue_updated.json")
	comment := fixture(t, "webhook_comment_created.json")
	restricted := bytes.Replace(comment, []byte(`"jsdPublic": true`), []byte(`"visibility": {"type": "role", "value": "Administrators"}`), 1)
	deleted := bytes.Replace(issue, []byte(`"jira:issue_updated"`), []byte(`"jira:issue_deleted"`), 1)
	property := []byte(`{"timestamp":1735689600123,"webhookEvent":"issue_property_set","issue":{"id":"10042","key":"SEC-42"}}`)
	var got []tracker.Event
	h, err := a.EventHandler(webhookSecret, func(_ context.Context, ev tracker.Event) error {
		require.NoError(t, ev.Validate())
		got = append(got, ev)
		return nil
	}, jira.WithWebhookClock(fixtureClock))
	require.NoError(t, err)
	for _, b := range [][]byte{issue, restricted, deleted, property} {
		rec := deliver(h, b, inboundtest.With(signed(b), "X-Atlassian-Webhook-Identifier", "id-"+strconv.Itoa(len(b))))
		require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	}
	require.Len(t, got, 3, "issue_property_set is acknowledged, not passed on")

	changed := got[0]
	assert.Equal(t, tracker.EventIssueChanged, changed.Kind)
	assert.Equal(t, "jira", changed.Tracker)
	assert.Equal(t, "10042", changed.IssueID)
	assert.Equal(t, "SEC-42", changed.IssueKey)
	assert.Equal(t, "5b10ac8d82e05b22cc7d4ef5", changed.Actor)
	assert.Equal(t, []string{"status", "resolution"}, changed.Changed)
	assert.Equal(t, time.UnixMilli(1735689600123).UTC(), changed.At)
	assert.Equal(t, "id-"+strconv.Itoa(len(issue)), changed.Delivery)
	assert.Equal(t, issue, changed.Raw)
	require.NotNil(t, changed.Issue, "the payload carries the whole issue")
	assert.Equal(t, "10042", changed.Issue.ID)
	assert.Equal(t, "Done", changed.Issue.Status)
	assert.Equal(t, tracker.CategoryDone, changed.Issue.StatusCategory)
	assert.Equal(t, "Done", changed.Issue.Resolution)
	assert.Equal(t, "High", changed.Issue.Priority)
	assert.Equal(t, "Line one\nLine two", changed.Issue.Description)
	assert.Equal(t, []string{"extrahop-8589935233"}, changed.Issue.Labels)
	assert.Equal(t, "High", changed.Issue.Fields["Severity"], "custom fields are named as the adapter names them")

	c := got[1]
	assert.Equal(t, tracker.EventCommentCreated, c.Kind)
	assert.Nil(t, c.Issue, "comment payloads describe the issue in part")
	require.NotNil(t, c.Comment)
	assert.Equal(t, tracker.Comment{ID: "10100", IssueID: "10042", Author: "5b10ac8d82e05b22cc7d4ef5", AuthorName: "Alice Analyst",
		Body: "Contained; *closing* the ticket.", Visibility: "role:Administrators",
		Created: time.Date(2025, 1, 1, 0, 1, 40, 0, time.UTC), Updated: time.Date(2025, 1, 1, 0, 1, 40, 0, time.UTC)},
		*normalise(c.Comment))
	assert.Equal(t, "role:Administrators", c.Visibility)
	assert.Equal(t, "5b10ac8d82e05b22cc7d4ef5", c.Actor)

	d := got[2]
	assert.Equal(t, tracker.EventIssueDeleted, d.Kind)
	assert.Equal(t, "10042", d.IssueID)
	require.NotNil(t, d.Issue, "the last state, as Jira sends it")
}

func normalise(c *tracker.Comment) *tracker.Comment {
	out := *c
	out.Created, out.Updated = c.Created.UTC(), c.Updated.UTC()
	return &out
}

func TestAdapterEventCommentWithoutIssue(t *testing.T) {
	t.Parallel()
	a, _ := newAdapter(t, jira.AdapterConfig{})
	wev, err := jira.DecodeWebhook([]byte(`{"timestamp":1,"webhookEvent":"comment_deleted","comment":{"id":"7","self":"https://x/rest/api/2/issue/10042/comment/7"}}`))
	require.NoError(t, err)
	ev, ok, err := a.Event(t.Context(), wev)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "10042", ev.IssueID, "read from the comment's self link")
	assert.Equal(t, "7", ev.Comment.ID)

	wev, err = jira.DecodeWebhook([]byte(`{"timestamp":1,"webhookEvent":"comment_deleted","comment":{"id":"7"}}`))
	require.NoError(t, err)
	_, _, err = a.Event(t.Context(), wev)
	assert.ErrorIs(t, err, inbound.ErrMalformed)
}

func FuzzAdapterEvent(f *testing.F) {
	f.Add(fixture(f, "webhook_issue_updated.json"))
	f.Add(fixture(f, "webhook_comment_created.json"))
	f.Add([]byte(`{"webhookEvent":"comment_deleted","comment":{"id":"7","self":"https://x/rest/api/2/issue/10042/comment/7","visibility":{"type":"group","value":"g"}}}`))
	f.Add([]byte(`{"webhookEvent":"jira:issue_deleted","issue":{"id":"1","fields":{"customfield_1":{"value":"x"}}},"user":{"name":"u"}}`))
	srv := jiratest.New()
	f.Cleanup(srv.Close)
	c, err := jira.New(srv.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	require.NoError(f, err)
	a, err := jira.NewAdapter(c, jira.AdapterConfig{})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		wev, err := jira.DecodeWebhook(body)
		if err != nil {
			return
		}
		ev, ok, err := a.Event(t.Context(), wev)
		if err != nil || !ok {
			return
		}
		require.NoError(t, ev.Validate(), "an event the adapter produces is valid")
		assert.Equal(t, "jira", ev.Tracker)
	})
}
