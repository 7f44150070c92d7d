package youtrack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/trackbridge/trackbridge/internal/inbound"
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
	// Events, when set, limits the kinds passed to the callback; others
	// are acknowledged and dropped.
	Events []EventKind
	// Logger receives a line per refused delivery.
	Logger *slog.Logger
}

// EventFunc receives decoded events. An error makes the handler answer
// 500, so the sender can retry.
type EventFunc func(ctx context.Context, ev *Event) error

// NewHandler returns an http.Handler for YouTrack notifications: POST only,
// body capped, token compared in constant time, body decoded into an
// [Event]. Statuses: 204 delivered (or filtered out), 401 wrong or missing
// token, 413 too large, 400 malformed, 405 not a POST, 500 when fn fails.
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
	return &inbound.Receiver{
		Name:    "youtrack notification",
		MaxBody: cfg.MaxBody,
		Logger:  cfg.Logger,
		Authenticate: func(r *http.Request, _ []byte) error {
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
		Process: func(ctx context.Context, _ *http.Request, body []byte) error {
			ev, err := DecodeEvent(body)
			if err != nil {
				return err
			}
			if len(cfg.Events) > 0 && !slices.Contains(cfg.Events, ev.Kind) {
				return nil
			}
			return fn(ctx, ev)
		},
	}, nil
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
