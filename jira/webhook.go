package jira

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/internal/inbound"
	"github.com/trackbridge/trackbridge/tracker"
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
	// DeliveryID is the X-Atlassian-Webhook-Identifier header. It is not
	// signed: use it for logs, never to decide what is a replay.
	DeliveryID string
	// Digest is "sha256:<hex>" of the body, the key replays are refused
	// on.
	Digest string
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
	maxBody     int64
	bodyTimeout time.Duration
	maxAge      time.Duration
	now         func() time.Time
	logger      *slog.Logger
	dedup       tracker.Deduper
	unsigned    bool
}

// Defaults of [WebhookHandler].
const (
	// DefaultWebhookMaxAge is how old a delivery's timestamp may be.
	DefaultWebhookMaxAge = time.Hour
	// WebhookClockSkew is how far in the future a delivery's timestamp
	// may be.
	WebhookClockSkew = 5 * time.Minute
)

// WithWebhookMaxBody caps the body (default 1 MiB); larger deliveries get
// 413.
func WithWebhookMaxBody(n int64) WebhookOption { return func(c *webhookConfig) { c.maxBody = n } }

// WithWebhookBodyTimeout bounds the time the body may take to arrive
// (default 10 s); a slower one gets 408.
func WithWebhookBodyTimeout(d time.Duration) WebhookOption {
	return func(c *webhookConfig) { c.bodyTimeout = d }
}

// WithWebhookMaxAge sets how old a delivery's signed timestamp may be
// (default [DefaultWebhookMaxAge]); older ones, and ones dated more than
// [WebhookClockSkew] ahead, get 400. The default deduper remembers bodies
// for maxAge plus the skew, so every replay is refused either as stale or
// as seen. Jira retries a failed delivery for a while: a retry past maxAge
// is refused, and polling picks the change up.
func WithWebhookMaxAge(d time.Duration) WebhookOption { return func(c *webhookConfig) { c.maxAge = d } }

// WithWebhookClock replaces time.Now for the staleness check; for tests.
func WithWebhookClock(now func() time.Time) WebhookOption {
	return func(c *webhookConfig) { c.now = now }
}

// WithWebhookLogger logs refused and failed deliveries.
func WithWebhookLogger(l *slog.Logger) WebhookOption { return func(c *webhookConfig) { c.logger = l } }

// WithWebhookDedup replaces the replay filter (default: a
// [tracker.MemoryDeduper] of 100,000 bodies for the max age plus the
// skew), for example to share one between replicas. Its window must be at
// least the max age plus [WebhookClockSkew], or a replay inside the age
// limit is accepted.
func WithWebhookDedup(d tracker.Deduper) WebhookOption { return func(c *webhookConfig) { c.dedup = d } }

// WithUnsignedWebhooks accepts deliveries without a signature. Only for
// webhooks that cannot be signed and are protected otherwise (a secret
// URL behind a gateway); never the default.
func WithUnsignedWebhooks() WebhookOption { return func(c *webhookConfig) { c.unsigned = true } }

// WebhookHandler returns an http.Handler for Jira admin webhooks. In order,
// it answers 405 to anything but POST; 415 to a content type other than
// application/json (charset UTF-8 allowed) or an encoded body; 413 to a
// body over the cap; 408 to a body that does not arrive in time; 400 to
// invalid UTF-8; 401 when X-Hub-Signature (sha256=<hex HMAC-SHA256 of the
// raw body with secret>, compared in constant time) is missing or wrong;
// 409 to a body it accepted before (replays are recognised by the digest
// of the signed body, so changing or dropping X-Atlassian-Webhook-Identifier
// or any other header does not help); 400 to a malformed body or a
// "timestamp" older than the max age or ahead by more than the skew; 500
// when fn fails (the body is then forgotten, so Jira's retry is
// processed); 204 otherwise. An empty secret is refused unless
// WithUnsignedWebhooks is given. Serve it with [NewWebhookServer] or the
// same timeouts.
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
	if cfg.maxAge <= 0 {
		cfg.maxAge = DefaultWebhookMaxAge
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.dedup == nil {
		cfg.dedup = tracker.NewMemoryDeduper(0, cfg.maxAge+WebhookClockSkew)
	}
	secret = append([]byte(nil), secret...)
	rc := &inbound.Receiver{
		Name:        "jira webhook",
		MaxBody:     cfg.maxBody,
		BodyTimeout: cfg.bodyTimeout,
		Logger:      cfg.logger,
		Dedup:       cfg.dedup,
		Authenticate: func(r *http.Request, body []byte) error {
			if len(secret) == 0 {
				return nil
			}
			return inbound.VerifyHMACSHA256(secret, body, r.Header.Get("X-Hub-Signature"))
		},
		Process: func(ctx context.Context, d *inbound.Delivery) error {
			ev, err := DecodeWebhook(d.Body)
			if err != nil {
				return err
			}
			if err := inbound.CheckTime(ev.Timestamp, cfg.now(), cfg.maxAge, WebhookClockSkew); err != nil {
				return fmt.Errorf("jira webhook %s: %w", ev.Event, err)
			}
			ev.DeliveryID = d.Request.Header.Get("X-Atlassian-Webhook-Identifier")
			ev.Digest = d.Digest
			if err := fn(ctx, ev); err != nil {
				return fmt.Errorf("jira webhook %s: %w", ev.Event, err)
			}
			return nil
		},
	}
	return rc, nil
}

// NewWebhookServer returns an http.Server for addr and h with the
// recommended settings for a public webhook endpoint: ReadHeaderTimeout
// 5 s, ReadTimeout 15 s, WriteTimeout 60 s (the callback's work counts),
// IdleTimeout 60 s, MaxHeaderBytes 64 KiB. Set TLSConfig or put it behind
// a TLS-terminating proxy.
func NewWebhookServer(addr string, h http.Handler) *http.Server { return inbound.NewServer(addr, h) }

// EventHandler returns a [WebhookHandler] that turns every issue and
// comment delivery into a [tracker.Event] with [Adapter.Event] and passes
// it to fn; other deliveries (issue_property_set, worklogs, ...) are
// acknowledged and dropped. Statuses and options are WebhookHandler's.
func (a *Adapter) EventHandler(secret []byte, fn tracker.EventHandler, opts ...WebhookOption) (http.Handler, error) {
	if fn == nil {
		return nil, errors.New("jira: EventHandler needs a callback")
	}
	return WebhookHandler(secret, func(ctx context.Context, wev *WebhookEvent) error {
		ev, ok, err := a.Event(ctx, wev)
		if err != nil || !ok {
			return err
		}
		return fn(ctx, ev)
	}, opts...)
}

// Event converts a decoded delivery into a [tracker.Event]. It reports
// false for deliveries that are not about an issue or a comment.
//
// jira:issue_created and jira:issue_updated become EventIssueChanged and
// jira:issue_deleted EventIssueDeleted, with Issue converted exactly as
// [Adapter.GetIssue] converts what it reads (custom fields named through
// the cached field list, which may take one request the first time);
// comment_created, comment_updated and comment_deleted become the comment
// kinds with Comment converted as [Adapter.ListComments] does and
// Visibility "role:<name>" or "group:<name>". Actor is the delivery's user
// (else the comment's last author), Changed the changelog's field names,
// At the delivery's timestamp, Delivery its identifier header (else the
// body digest).
func (a *Adapter) Event(ctx context.Context, wev *WebhookEvent) (tracker.Event, bool, error) {
	ev := tracker.Event{Tracker: a.Kind(), At: wev.Timestamp, Delivery: cmp.Or(wev.DeliveryID, wev.Digest), Raw: wev.Raw}
	switch wev.Event {
	case EventIssueCreated, EventIssueUpdated:
		ev.Kind = tracker.EventIssueChanged
	case EventIssueDeleted:
		ev.Kind = tracker.EventIssueDeleted
	case EventCommentCreated:
		ev.Kind = tracker.EventCommentCreated
	case EventCommentUpdated:
		ev.Kind = tracker.EventCommentUpdated
	case EventCommentDeleted:
		ev.Kind = tracker.EventCommentDeleted
	default:
		return tracker.Event{}, false, nil
	}
	if wev.Issue != nil {
		ev.IssueID, ev.IssueKey = wev.Issue.ID, wev.Issue.Key
	}
	if ev.Kind.IsComment() {
		if wev.Comment == nil {
			return tracker.Event{}, false, fmt.Errorf("%w: jira webhook %s without a comment", inbound.ErrMalformed, wev.Event)
		}
		if ev.IssueID == "" {
			ev.IssueID = issueIDFromCommentSelf(wev.Comment.Self)
		}
		ev.Comment = a.toComment(ev.IssueID, wev.Comment)
		if v := wev.Comment.Visibility; v != nil && v.Type != "" {
			ev.Visibility = v.Type + ":" + cmp.Or(v.Value, v.Identifier)
		}
		ev.Actor = cmp.Or(wev.Comment.UpdateAuthor.ID(), wev.Comment.Author.ID())
	} else if wev.Issue != nil && wev.Issue.Fields != nil {
		is, err := a.toIssue(ctx, wev.Issue)
		if err != nil {
			return tracker.Event{}, false, fmt.Errorf("jira webhook %s: converting issue %s: %w", wev.Event, wev.Issue.ID, err)
		}
		ev.Issue = is
	}
	if ev.IssueID == "" {
		return tracker.Event{}, false, fmt.Errorf("%w: jira webhook %s without an issue id", inbound.ErrMalformed, wev.Event)
	}
	if ev.IssueKey == "" {
		ev.IssueKey = ev.IssueID
	}
	if u := wev.User.ID(); u != "" {
		ev.Actor = u
	}
	if wev.Changelog != nil {
		for _, it := range wev.Changelog.Items {
			if name := cmp.Or(it.Field, it.FieldID); name != "" && !slices.Contains(ev.Changed, name) {
				ev.Changed = append(ev.Changed, name)
			}
		}
	}
	return ev, true, nil
}

// issueIDFromCommentSelf reads the issue id from a comment's self link
// (".../issue/10042/comment/10100"); "" when it has none.
func issueIDFromCommentSelf(self string) string {
	_, rest, ok := strings.Cut(self, "/issue/")
	if !ok {
		return ""
	}
	id, _, ok := strings.Cut(rest, "/comment/")
	if !ok || id == "" || strings.ContainsAny(id, "/?#") {
		return ""
	}
	return id
}
