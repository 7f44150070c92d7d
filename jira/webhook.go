package jira

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/internal/inbound"
)

// Webhook event names (webhookEvent).
const (
	EventIssueCreated   = "jira:issue_created"
	EventIssueUpdated   = "jira:issue_updated"
	EventIssueDeleted   = "jira:issue_deleted"
	EventCommentCreated = "comment_created"
	EventCommentUpdated = "comment_updated"
	EventCommentDeleted = "comment_deleted"
)

// WebhookEvent is one decoded delivery. Issue and Comment bodies are in the
// v2 shape even on Cloud: descriptions and comment bodies are strings.
type WebhookEvent struct {
	// DeliveryID is the X-Atlassian-Webhook-Identifier header.
	DeliveryID string
	// Event is webhookEvent, one of the Event constants.
	Event string
	// IssueEventType is issue_event_type_name (issue_updated,
	// issue_assigned, issue_commented, ...), where sent.
	IssueEventType string
	Timestamp      time.Time
	User           *User
	Issue          *Issue
	Changelog      *Changelog
	Comment        *Comment
	// Raw is the body as received.
	Raw json.RawMessage
}

// Changed returns the changelog item for a field (matched by field id or
// name, case-insensitively), if the delivery changed it.
func (e *WebhookEvent) Changed(field string) (ChangelogItem, bool) {
	if e.Changelog == nil {
		return ChangelogItem{}, false
	}
	for _, it := range e.Changelog.Items {
		if strings.EqualFold(it.FieldID, field) || strings.EqualFold(it.Field, field) {
			return it, true
		}
	}
	return ChangelogItem{}, false
}

// DecodeWebhook decodes a webhook body. It fails, with an error matching
// inbound.ErrMalformed, on malformed JSON, a missing webhookEvent, and an
// issue or comment event without the issue or comment id. Other events
// (issue_property_set, worklog_updated, ...) are decoded as far as they
// share the envelope, with Raw holding the whole body.
func DecodeWebhook(body []byte) (*WebhookEvent, error) {
	var raw struct {
		Timestamp      *int64     `json:"timestamp"`
		WebhookEvent   string     `json:"webhookEvent"`
		IssueEventType string     `json:"issue_event_type_name"`
		User           *User      `json:"user"`
		Issue          *Issue     `json:"issue"`
		Changelog      *Changelog `json:"changelog"`
		Comment        *Comment   `json:"comment"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("%w: jira webhook: %w", inbound.ErrMalformed, err)
	}
	ev := &WebhookEvent{Event: raw.WebhookEvent, IssueEventType: raw.IssueEventType, User: raw.User,
		Issue: raw.Issue, Changelog: raw.Changelog, Comment: raw.Comment, Raw: json.RawMessage(body)}
	if raw.Timestamp != nil {
		ev.Timestamp = time.UnixMilli(*raw.Timestamp).UTC()
	}
	switch ev.Event {
	case EventIssueCreated, EventIssueUpdated, EventIssueDeleted:
		if ev.Issue == nil || ev.Issue.ID == "" {
			return nil, fmt.Errorf("%w: jira webhook %s without an issue id", inbound.ErrMalformed, ev.Event)
		}
	case EventCommentCreated, EventCommentUpdated, EventCommentDeleted:
		if ev.Comment == nil || ev.Comment.ID == "" {
			return nil, fmt.Errorf("%w: jira webhook %s without a comment id", inbound.ErrMalformed, ev.Event)
		}
	case "":
		return nil, fmt.Errorf("%w: jira webhook without webhookEvent", inbound.ErrMalformed)
	}
	return ev, nil
}

// WebhookOption configures a [WebhookHandler].
type WebhookOption func(*webhookConfig)

type webhookConfig struct {
	maxBody  int64
	logger   *slog.Logger
	dedup    *inbound.Dedup
	unsigned bool
}

// WithWebhookMaxBody caps the body (default 1 MiB); larger deliveries get
// 413.
func WithWebhookMaxBody(n int64) WebhookOption { return func(c *webhookConfig) { c.maxBody = n } }

// WithWebhookLogger logs refused and failed deliveries.
func WithWebhookLogger(l *slog.Logger) WebhookOption { return func(c *webhookConfig) { c.logger = l } }

// WithWebhookDedup replaces the delivery de-duplicator (default: 10,000 ids
// for 72 hours), for example to share one between handlers.
func WithWebhookDedup(d *inbound.Dedup) WebhookOption { return func(c *webhookConfig) { c.dedup = d } }

// WithUnsignedWebhooks accepts deliveries without a signature. Only for
// webhooks that cannot be signed and are protected otherwise (a secret
// URL behind a gateway); never the default.
func WithUnsignedWebhooks() WebhookOption { return func(c *webhookConfig) { c.unsigned = true } }

// dedupKey is the delivery id, or, for senders that omit it, the event,
// its issue and comment ids and its timestamp; empty (no dedupe) when
// there is no timestamp either.
func dedupKey(ev *WebhookEvent) string {
	if ev.DeliveryID != "" {
		return "id:" + ev.DeliveryID
	}
	if ev.Timestamp.IsZero() {
		return ""
	}
	var issue, comment string
	if ev.Issue != nil {
		issue = ev.Issue.ID
	}
	if ev.Comment != nil {
		comment = ev.Comment.ID
	}
	return fmt.Sprintf("ev:%s/%s/%s/%d", ev.Event, issue, comment, ev.Timestamp.UnixMilli())
}

// WebhookHandler returns an http.Handler for Jira admin webhooks. It checks
// X-Hub-Signature (sha256=<hex HMAC-SHA256 of the raw body with secret>) in
// constant time, caps the body, decodes the delivery, drops a delivery
// whose X-Atlassian-Webhook-Identifier it has seen (without the header:
// the same event, issue, comment and timestamp), and calls fn. Answers:
// 204 accepted, 401 unsigned or forged, 413 too large, 400 malformed, 405
// not a POST, 500 when fn fails (the delivery is then forgotten, so Jira's
// retry is processed). An empty secret is refused unless
// WithUnsignedWebhooks is given.
func WebhookHandler(secret []byte, fn func(ctx context.Context, ev *WebhookEvent) error, opts ...WebhookOption) (http.Handler, error) {
	if fn == nil {
		return nil, errors.New("jira: WebhookHandler needs a callback")
	}
	cfg := &webhookConfig{}
	for _, o := range opts {
		o(cfg)
	}
	if len(secret) == 0 && !cfg.unsigned {
		return nil, errors.New("jira: WebhookHandler needs a secret (or WithUnsignedWebhooks)")
	}
	if cfg.dedup == nil {
		cfg.dedup = inbound.NewDedup(10000, 72*time.Hour, nil)
	}
	secret = append([]byte(nil), secret...)
	rc := &inbound.Receiver{
		Name:    "jira webhook",
		MaxBody: cfg.maxBody,
		Logger:  cfg.logger,
		Authenticate: func(r *http.Request, body []byte) error {
			if len(secret) == 0 {
				return nil
			}
			return inbound.VerifyHMACSHA256(secret, body, r.Header.Get("X-Hub-Signature"))
		},
		Process: func(ctx context.Context, r *http.Request, body []byte) error {
			ev, err := DecodeWebhook(body)
			if err != nil {
				return err
			}
			ev.DeliveryID = r.Header.Get("X-Atlassian-Webhook-Identifier")
			key := dedupKey(ev)
			if cfg.dedup.Seen(key) {
				return nil
			}
			if err := fn(ctx, ev); err != nil {
				cfg.dedup.Forget(key)
				return fmt.Errorf("jira webhook %s: %w", ev.Event, err)
			}
			return nil
		},
	}
	return rc, nil
}
