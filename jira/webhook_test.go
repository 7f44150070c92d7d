package jira_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/internal/inbound"
	"github.com/trackbridge/trackbridge/jira"
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

func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	body := fixture(t, "webhook_issue_updated.json")
	sig := inbound.SignHMACSHA256(webhookSecret, body)
	tests := []struct {
		name   string
		body   []byte
		header map[string]string
		want   int
		calls  int32
	}{
		{"valid", body, map[string]string{"X-Hub-Signature": sig, "X-Atlassian-Webhook-Identifier": "d-1"}, http.StatusNoContent, 1},
		{"missing signature", body, map[string]string{"X-Atlassian-Webhook-Identifier": "d-2"}, http.StatusUnauthorized, 0},
		{"wrong signature", body, map[string]string{"X-Hub-Signature": inbound.SignHMACSHA256([]byte("other"), body)}, http.StatusUnauthorized, 0},
		{"signature of another body", append(bytes.Clone(body), ' '), map[string]string{"X-Hub-Signature": sig}, http.StatusUnauthorized, 0},
		{"not sha256", body, map[string]string{"X-Hub-Signature": "sha1=abc"}, http.StatusUnauthorized, 0},
		{"oversized", bytes.Repeat([]byte(" "), 5000), map[string]string{"X-Hub-Signature": inbound.SignHMACSHA256(webhookSecret, bytes.Repeat([]byte(" "), 5000))}, http.StatusRequestEntityTooLarge, 0},
		{"malformed", []byte(`{"webhookEvent":`), map[string]string{"X-Hub-Signature": inbound.SignHMACSHA256(webhookSecret, []byte(`{"webhookEvent":`))}, http.StatusBadRequest, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			h, err := jira.WebhookHandler(webhookSecret, func(ctx context.Context, ev *jira.WebhookEvent) error {
				calls.Add(1)
				assert.Equal(t, "SEC-42", ev.Issue.Key)
				return nil
			}, jira.WithWebhookMaxBody(4096))
			require.NoError(t, err)
			rec := deliver(h, tt.body, tt.header)
			assert.Equal(t, tt.want, rec.Code, rec.Body.String())
			assert.Equal(t, tt.calls, calls.Load())
			assert.NotContains(t, rec.Body.String(), string(webhookSecret))
		})
	}
}

func TestWebhookHandlerDeduplicates(t *testing.T) {
	t.Parallel()
	body := fixture(t, "webhook_comment_created.json")
	hdr := map[string]string{"X-Hub-Signature": inbound.SignHMACSHA256(webhookSecret, body), "X-Atlassian-Webhook-Identifier": "delivery-7"}
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
	})
	require.NoError(t, err)

	// A failed callback answers 500 and forgets the delivery, so Jira's
	// retry is processed.
	assert.Equal(t, http.StatusInternalServerError, deliver(h, body, hdr).Code)
	fail.Store(false)
	assert.Equal(t, http.StatusNoContent, deliver(h, body, hdr).Code)
	assert.Equal(t, http.StatusNoContent, deliver(h, body, hdr).Code, "a duplicate is acknowledged")
	assert.Equal(t, int32(2), calls.Load(), "the same delivery reaches the callback once after it succeeded")
}

func TestWebhookHandlerDeduplicatesWithoutIdentifier(t *testing.T) {
	t.Parallel()
	body := fixture(t, "webhook_issue_updated.json")
	hdr := map[string]string{"X-Hub-Signature": inbound.SignHMACSHA256(webhookSecret, body)}
	var calls atomic.Int32
	h, err := jira.WebhookHandler(webhookSecret, func(context.Context, *jira.WebhookEvent) error {
		calls.Add(1)
		return nil
	})
	require.NoError(t, err)
	for range 2 {
		assert.Equal(t, http.StatusNoContent, deliver(h, body, hdr).Code)
	}
	assert.Equal(t, int32(1), calls.Load(), "same event, issue and timestamp")
}

func TestWebhookHandlerNeedsSecret(t *testing.T) {
	t.Parallel()
	noop := func(context.Context, *jira.WebhookEvent) error { return nil }
	_, err := jira.WebhookHandler(nil, noop)
	assert.Error(t, err)
	_, err = jira.WebhookHandler(webhookSecret, nil)
	assert.Error(t, err)
	h, err := jira.WebhookHandler(nil, noop, jira.WithUnsignedWebhooks())
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, deliver(h, fixture(t, "webhook_comment_created.json"), nil).Code)
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
