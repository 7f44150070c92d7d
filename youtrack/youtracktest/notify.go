package youtracktest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/trackbridge/trackbridge/internal/inbound/inboundtest"
)

// Notification kinds the fake sends (the "event" member).
const (
	NotifyIssueCreated   = "issueCreated"
	NotifyIssueUpdated   = "issueUpdated"
	NotifyIssueDeleted   = "issueDeleted"
	NotifyCommentAdded   = "commentAdded"
	NotifyCommentUpdated = "commentUpdated"
	NotifyCommentDeleted = "commentDeleted"
)

// Notifications is a notification target registered with
// [Server.AddNotifications].
type Notifications struct {
	// URL receives the notifications.
	URL string
	// Token is sent in Header (default "X-Auth-Token").
	Token  string
	Header string
	// Events limits the kinds sent; empty sends all.
	Events []string
	// Retries is how often a notification the receiver does not accept
	// with a 2xx is sent again, at once.
	Retries int
}

// NotificationDelivery records one attempt to deliver a notification.
type NotificationDelivery = inboundtest.Delivery

// AddNotifications makes the fake POST a notification, as a workflow rule
// or the Webhook Triggers app does, for every issue created, updated
// (fields, commands, tags) or deleted and every comment added, edited or
// deleted through the API: JSON {"event", "issue", "comment"?, "updater"}
// with the whole issue (custom fields and project included), Content-Type
// application/json and the token in its header. Deliveries are sent
// asynchronously, one at a time, in order; [Server.FlushNotifications]
// waits for them. Issues seeded before the call send nothing.
func (s *Server) AddNotifications(n Notifications) {
	header := n.Header
	if header == "" {
		header = "X-Auth-Token"
	}
	s.hooks.Prefix = "youtrack-"
	s.hooks.Add(inboundtest.Target{URL: n.URL, Events: n.Events, Retries: n.Retries, Header: func(string, []byte) http.Header {
		h := http.Header{}
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("User-Agent", "YouTrack")
		if n.Token != "" {
			h.Set(header, n.Token)
		}
		return h
	}})
}

// FlushNotifications waits until every notification due so far was
// delivered (or given up after its retries), or ctx ends.
func (s *Server) FlushNotifications(ctx context.Context) error { return s.hooks.Flush(ctx) }

// NotificationDeliveries returns every delivery attempt so far, oldest
// first.
func (s *Server) NotificationDeliveries() []NotificationDelivery { return s.hooks.Deliveries() }

// notify queues a notification; the caller holds the lock.
func (s *Server) notify(event string, is *issue, c *comment) {
	if !s.hooks.Active() {
		return
	}
	full := &http.Request{URL: &url.URL{}}
	p := map[string]any{"event": event, "issue": s.renderIssue(full, is), "updater": renderUser(s.userByLogin(s.me))}
	if c != nil {
		p["comment"] = s.renderComment(c)
	}
	body, err := json.Marshal(p)
	if err != nil {
		panic("youtracktest: notification: " + err.Error())
	}
	s.hooks.Send(event, body)
}
