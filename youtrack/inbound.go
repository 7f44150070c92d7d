package youtrack

import (
	"bytes"
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

// EventKind is the "event" member of a notification.
type EventKind string

// The notification kinds YouTrack's "Webhook Triggers" app sends (and that
// workflow rules built on the same shape send). Others, such as
// workItemAdded or issueAttachmentAdded, are delivered with their raw
// entities.
const (
	EventIssueCreated   EventKind = "issueCreated"
	EventIssueUpdated   EventKind = "issueUpdated"
	EventIssueDeleted   EventKind = "issueDeleted"
	EventCommentAdded   EventKind = "commentAdded"
	EventCommentUpdated EventKind = "commentUpdated"
	EventCommentDeleted EventKind = "commentDeleted"
)

// DefaultTokenHeader is the header the shared token is read from.
const DefaultTokenHeader = "X-Auth-Token"

// Event is one decoded notification.
type Event struct {
	Kind EventKind
	// Issue is the "issue" entity, when the body has one; required for
	// issue events. Its ID may be a readable id, depending on what the
	// sender put there: use [Event.IssueID].
	Issue *Issue
	// Comment is the "comment" entity; required for comment events.
	Comment *Comment
	// Entities holds every top-level member but "event", raw, for what
	// this package does not model (work items, attachments, changes).
	Entities map[string]json.RawMessage
	// Body is the request body as received.
	Body []byte
	// Digest is "sha256:<hex>" of Body, the key replays are refused on.
	Digest string
}

// IssueID returns the readable id of the event's issue, or its id.
func (e *Event) IssueID() string {
	if e.Issue == nil {
		return ""
	}
	if e.Issue.IDReadable != "" {
		return e.Issue.IDReadable
	}
	return e.Issue.ID
}

// HandlerConfig configures [NewHandler].
type HandlerConfig struct {
	// Token is the shared secret the sender presents; required.
	Token string
	// Header carries the token (default [DefaultTokenHeader]; for
	// "Authorization" a "Bearer " prefix is accepted).
	Header string
	// QueryParam, when set, also accepts the token in this query
	// parameter, for senders configured that way.
	QueryParam string
	// MaxBody caps the body (default 1 MiB).
	MaxBody int64
	// BodyTimeout bounds the time the body may take to arrive (default
	// 10 s); a slower one gets 408.
	BodyTimeout time.Duration
	// Dedup refuses a body accepted before (default: a
	// [tracker.MemoryDeduper] of 100,000 bodies for 24 hours). The token
	// is static, so a captured notification could be replayed for ever;
	// the deduper refuses it within its window, whatever headers come
	// with it. Share one between replicas. Two real changes must never
	// post the same body, or the second is refused: a workflow rule should
	// send the issue's "updated" time.
	Dedup tracker.Deduper
	// Events, when set, limits the kinds passed to the callback; others
	// are acknowledged and dropped.
	Events []EventKind
	// Logger receives a line per refused delivery.
	Logger *slog.Logger
}

// EventFunc receives decoded events. An error makes the handler answer
// 500, so the sender can retry.
type EventFunc func(ctx context.Context, ev *Event) error

// NewHandler returns an http.Handler for YouTrack notifications. In order,
// it answers 405 to anything but POST; 401 when the token is missing or
// wrong (compared in constant time, before any of the body is read); 415
// to a content type other than application/json (charset UTF-8 allowed)
// or an encoded body; 413 to a body over the cap; 408 to a body that does
// not arrive in time; 400 to invalid UTF-8 or a malformed body; 409 to a
// body it accepted before (see HandlerConfig.Dedup); 500 when fn fails
// (the body is then forgotten, so a retry is processed); 204 when
// delivered or filtered out. Serve it with [NewWebhookServer] or the same
// timeouts.
func NewHandler(cfg HandlerConfig, fn EventFunc) (http.Handler, error) {
	if cfg.Token == "" {
		return nil, errors.New("youtrack: NewHandler: a shared token is required")
	}
	if fn == nil {
		return nil, errors.New("youtrack: NewHandler: nil callback")
	}
	if cfg.Header == "" {
		cfg.Header = DefaultTokenHeader
	}
	if cfg.Dedup == nil {
		cfg.Dedup = tracker.NewMemoryDeduper(0, 0)
	}
	return &inbound.Receiver{
		Name:        "youtrack notification",
		MaxBody:     cfg.MaxBody,
		BodyTimeout: cfg.BodyTimeout,
		Logger:      cfg.Logger,
		Dedup:       cfg.Dedup,
		CheckHeaders: func(r *http.Request) error {
			if cfg.QueryParam != "" && r.Header.Get(cfg.Header) == "" {
				if got := r.URL.Query().Get(cfg.QueryParam); got != "" {
					if inbound.TokenEqual(got, cfg.Token) {
						return nil
					}
					return fmt.Errorf("%w: wrong %s parameter", inbound.ErrUnauthenticated, cfg.QueryParam)
				}
			}
			return inbound.CheckToken(r, cfg.Header, cfg.Token)
		},
		Process: func(ctx context.Context, d *inbound.Delivery) error {
			ev, err := DecodeEvent(d.Body)
			if err != nil {
				return err
			}
			ev.Digest = d.Digest
			if len(cfg.Events) > 0 && !slices.Contains(cfg.Events, ev.Kind) {
				return nil
			}
			return fn(ctx, ev)
		},
	}, nil
}

// NewWebhookServer returns an http.Server for addr and h with the
// recommended settings for a public webhook endpoint: ReadHeaderTimeout
// 5 s, ReadTimeout 15 s, WriteTimeout 60 s (the callback's work counts),
// IdleTimeout 60 s, MaxHeaderBytes 64 KiB.
func NewWebhookServer(addr string, h http.Handler) *http.Server { return inbound.NewServer(addr, h) }

// EventHandler returns a [NewHandler] handler that turns issue and comment
// notifications into [tracker.Event] values with [Adapter.Event] and
// passes them to fn; other notifications (work items, attachments) are
// acknowledged and dropped. Statuses are NewHandler's.
func (a *Adapter) EventHandler(cfg HandlerConfig, fn tracker.EventHandler) (http.Handler, error) {
	if fn == nil {
		return nil, errors.New("youtrack: EventHandler: nil callback")
	}
	return NewHandler(cfg, func(ctx context.Context, yev *Event) error {
		ev, ok, err := a.Event(yev)
		if err != nil || !ok {
			return err
		}
		return fn(ctx, ev)
	})
}

// entityID matches YouTrack entity ids ("2-17"), as opposed to readable
// ids ("HD-25").
func entityID(s string) bool {
	a, b, ok := strings.Cut(s, "-")
	return ok && a != "" && b != "" && strings.Trim(a, "0123456789") == "" && strings.Trim(b, "0123456789") == ""
}

// Event converts a notification into a [tracker.Event]; it reports false
// for kinds other than issue and comment events.
//
// issueCreated and issueUpdated become EventIssueChanged, issueDeleted
// EventIssueDeleted, commentAdded, commentUpdated and commentDeleted the
// comment kinds. IssueID is the issue's entity id where the payload has
// one, else its readable id (both work with [Adapter.GetIssue]); IssueKey
// the readable id. Issue is converted exactly as [Adapter.GetIssue]
// converts what it reads, but only when the payload's issue has its
// entity id, readable id, project and custom fields; otherwise nil.
// Comment is converted as [Adapter.ListComments] does; Visibility is
// "group:<names>" or "user:<logins>" for a limited comment. Actor is the
// comment's author or the issue's "updater" login, Changed the "field"
// names of a "changes" list, At the comment's or issue's updated time,
// Delivery the body digest.
func (a *Adapter) Event(yev *Event) (tracker.Event, bool, error) {
	ev := tracker.Event{Tracker: a.Kind(), Delivery: yev.Digest, Raw: yev.Body}
	switch yev.Kind {
	case EventIssueCreated, EventIssueUpdated:
		ev.Kind = tracker.EventIssueChanged
	case EventIssueDeleted:
		ev.Kind = tracker.EventIssueDeleted
	case EventCommentAdded:
		ev.Kind = tracker.EventCommentCreated
	case EventCommentUpdated:
		ev.Kind = tracker.EventCommentUpdated
	case EventCommentDeleted:
		ev.Kind = tracker.EventCommentDeleted
	default:
		return tracker.Event{}, false, nil
	}
	if yev.Issue == nil {
		return tracker.Event{}, false, fmt.Errorf("%w: youtrack notification %s without an issue", inbound.ErrMalformed, yev.Kind)
	}
	is := yev.Issue
	switch {
	case entityID(is.ID):
		ev.IssueID, ev.IssueKey = is.ID, cmp.Or(is.IDReadable, is.ID)
	default:
		ev.IssueID = cmp.Or(is.IDReadable, is.ID)
		ev.IssueKey = ev.IssueID
	}
	if ev.IssueID == "" {
		return tracker.Event{}, false, fmt.Errorf("%w: youtrack notification %s without an issue id", inbound.ErrMalformed, yev.Kind)
	}
	var extra struct {
		CustomFields json.RawMessage `json:"customFields"`
		Updater      *User           `json:"updater"`
	}
	_ = json.Unmarshal(yev.Entities["issue"], &extra) // decoded once already
	if extra.Updater != nil {
		ev.Actor = extra.Updater.Login
	}
	if is.Updated != 0 {
		ev.At = is.Updated.Time()
	}
	if ev.Kind.IsComment() {
		if yev.Comment == nil {
			return tracker.Event{}, false, fmt.Errorf("%w: youtrack notification %s without a comment", inbound.ErrMalformed, yev.Kind)
		}
		ev.Comment = a.toComment(ev.IssueID, yev.Comment)
		ev.Visibility = commentVisibility(yev.Entities["comment"])
		if ev.Comment.Author != "" {
			ev.Actor = ev.Comment.Author
		}
		ev.At = cmp.Or(ev.Comment.Updated, ev.Comment.Created, ev.At)
	} else if entityID(is.ID) && is.IDReadable != "" && is.Project != nil && len(extra.CustomFields) > 0 && !isNull(extra.CustomFields) {
		out, err := a.toTracker(is)
		if err != nil {
			return tracker.Event{}, false, fmt.Errorf("%w: youtrack notification %s: %w", inbound.ErrMalformed, yev.Kind, err)
		}
		ev.Issue = out
	}
	var changes []struct {
		Field string `json:"field"`
		Name  string `json:"name"`
	}
	if raw, ok := yev.Entities["changes"]; ok && json.Unmarshal(raw, &changes) == nil {
		for _, c := range changes {
			if f := cmp.Or(c.Field, c.Name); f != "" && !slices.Contains(ev.Changed, f) {
				ev.Changed = append(ev.Changed, f)
			}
		}
	}
	return ev, true, nil
}

// commentVisibility describes a comment's "visibility" member:
// "group:A,B" for permitted groups, "user:x,y" for permitted users only,
// "" when unlimited or absent.
func commentVisibility(raw json.RawMessage) string {
	var c struct {
		Visibility *struct {
			Type            string `json:"$type"`
			PermittedGroups []struct {
				Name string `json:"name"`
			} `json:"permittedGroups"`
			PermittedUsers []struct {
				Login string `json:"login"`
			} `json:"permittedUsers"`
		} `json:"visibility"`
	}
	if json.Unmarshal(raw, &c) != nil || c.Visibility == nil {
		return ""
	}
	var names []string
	for _, g := range c.Visibility.PermittedGroups {
		names = append(names, g.Name)
	}
	if len(names) > 0 {
		return "group:" + strings.Join(names, ",")
	}
	for _, u := range c.Visibility.PermittedUsers {
		names = append(names, u.Login)
	}
	if len(names) > 0 {
		return "user:" + strings.Join(names, ",")
	}
	if c.Visibility.Type == "LimitedVisibility" {
		return "limited:"
	}
	return ""
}

// DecodeEvent decodes a notification body: a JSON object with a string
// "event" member plus entities. Errors match inbound.ErrMalformed and say
// what was wrong.
func DecodeEvent(body []byte) (*Event, error) {
	malformed := func(format string, args ...any) error {
		return fmt.Errorf("%w: youtrack notification: %s", inbound.ErrMalformed, fmt.Sprintf(format, args...))
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, malformed("body is not a JSON object")
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &members); err != nil {
		return nil, malformed("%v", err)
	}
	var kind string
	if raw, ok := members["event"]; !ok {
		return nil, malformed(`no "event" member`)
	} else if err := json.Unmarshal(raw, &kind); err != nil || kind == "" {
		return nil, malformed(`"event" is not a non-empty string`)
	}
	delete(members, "event")
	ev := &Event{Kind: EventKind(kind), Entities: members, Body: body}
	if raw, ok := members["issue"]; ok && !isNull(raw) {
		var is Issue
		if err := json.Unmarshal(raw, &is); err != nil {
			return nil, malformed(`"issue": %v`, err)
		}
		ev.Issue = &is
	}
	if raw, ok := members["comment"]; ok && !isNull(raw) {
		var c Comment
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, malformed(`"comment": %v`, err)
		}
		ev.Comment = &c
	}
	switch ev.Kind {
	case EventIssueCreated, EventIssueUpdated, EventIssueDeleted:
		if ev.Issue == nil || ev.IssueID() == "" {
			return nil, malformed(`%s without an "issue" that has an id`, kind)
		}
	case EventCommentAdded, EventCommentUpdated, EventCommentDeleted:
		if ev.Comment == nil || ev.Comment.ID == "" {
			return nil, malformed(`%s without a "comment" that has an id`, kind)
		}
	}
	return ev, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
