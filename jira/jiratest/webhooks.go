package jiratest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/trackbridge/trackbridge/internal/inbound/inboundtest"
)

// Webhook event names the fake sends (webhookEvent).
const (
	WebhookIssueCreated   = "jira:issue_created"
	WebhookIssueUpdated   = "jira:issue_updated"
	WebhookIssueDeleted   = "jira:issue_deleted"
	WebhookCommentCreated = "comment_created"
	WebhookCommentUpdated = "comment_updated"
	WebhookCommentDeleted = "comment_deleted"
)

// Webhook is an admin webhook registered with [Server.AddWebhook].
type Webhook struct {
	// URL receives the deliveries.
	URL string
	// Secret signs each body as Jira does: X-Hub-Signature is
	// "sha256=<hex HMAC-SHA256(secret, body)>". Empty sends no signature.
	Secret []byte
	// Events limits the events sent (the Webhook constants); empty sends
	// all.
	Events []string
	// Retries is how often a delivery the receiver does not accept with a
	// 2xx is sent again (at once, with the same identifier and body).
	Retries int
}

// WebhookDelivery records one attempt to deliver a webhook.
type WebhookDelivery = inboundtest.Delivery

// extra is the state added for webhooks, required fields and comment
// authors; it lives in its own files.
type extra struct {
	hooks      inboundtest.Sender
	required   map[string]bool
	nextChange int64
}

// WithWebhook registers an admin webhook from the start; see
// [Server.AddWebhook].
func WithWebhook(h Webhook) Option { return func(s *Server) { s.addWebhook(h) } }

// AddWebhook registers an admin webhook. From then on every issue
// created (through the API or [Server.Put]), edited, transitioned or
// deleted, and every comment added, edited or deleted, is POSTed to
// h.URL as Jira Cloud does: the v2 payload ({timestamp, webhookEvent,
// issue_event_type_name, user, issue, changelog, comment}, bodies as
// plain strings), Content-Type application/json, X-Hub-Signature and a
// unique X-Atlassian-Webhook-Identifier. Deliveries are sent
// asynchronously, one at a time, in order; [Server.FlushWebhooks] waits
// for them.
func (s *Server) AddWebhook(h Webhook) {
	s.addWebhook(h)
}

func (s *Server) addWebhook(h Webhook) {
	s.extra.hooks.Prefix = "jira-delivery-"
	secret := slices.Clone(h.Secret)
	s.extra.hooks.Add(inboundtest.Target{URL: h.URL, Events: h.Events, Retries: h.Retries, Header: func(id string, body []byte) http.Header {
		hd := http.Header{}
		hd.Set("Content-Type", "application/json; charset=UTF-8")
		hd.Set("User-Agent", "Atlassian Webhook HTTP Client")
		hd.Set("X-Atlassian-Webhook-Identifier", id)
		if len(secret) > 0 {
			mac := hmac.New(sha256.New, secret)
			mac.Write(body)
			hd.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		}
		return hd
	}})
}

// FlushWebhooks waits until every webhook due so far was delivered (or
// given up after its retries), or ctx ends.
func (s *Server) FlushWebhooks(ctx context.Context) error { return s.extra.hooks.Flush(ctx) }

// WebhookDeliveries returns every delivery attempt so far, oldest first.
func (s *Server) WebhookDeliveries() []WebhookDelivery { return s.extra.hooks.Deliveries() }

// v2Text renders a stored body (ADF on Cloud) as the plain string
// webhooks carry.
func (s *Server) v2Text(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	return s.text(raw)
}

// webhookIssue renders an issue as webhooks carry it: every field, bodies
// as strings, self links under /rest/api/2.
func (s *Server) webhookIssue(is *issue) map[string]any {
	out := s.renderIssue(is, parseFields(nil, "*all"), nil)
	out["self"] = s.ts.URL + "/rest/api/2/issue/" + strconv.FormatInt(is.id, 10)
	f := out["fields"].(map[string]any)
	f["description"] = s.v2Text(is.description)
	f["environment"] = s.v2Text(is.environment)
	for _, fd := range s.fields {
		if fd.Custom && fd.CustomT == cft+"textarea" {
			f[fd.ID] = s.v2Text(is.custom[fd.ID])
		}
	}
	return out
}

func (s *Server) webhookComment(is *issue, c *comment) map[string]any {
	m := s.renderComment(is, c)
	m["self"] = s.ts.URL + "/rest/api/2/issue/" + strconv.FormatInt(is.id, 10) + "/comment/" + strconv.FormatInt(c.id, 10)
	m["body"] = s.v2Text(c.body)
	m["created"], m["updated"] = jiraTime(c.created), jiraTime(c.updated)
	return m
}

// emit queues a delivery; it runs with s.mu held, so the payload is a
// consistent snapshot.
func (s *Server) emit(event, typeName string, is *issue, c *comment, changelog []map[string]any, actor *User) {
	if !s.extra.hooks.Active() {
		return
	}
	at := s.last
	if c != nil {
		at = c.updated
	}
	p := map[string]any{"timestamp": at.UnixMilli(), "webhookEvent": event, "user": s.renderUser(actor), "issue": s.webhookIssue(is)}
	if typeName != "" {
		p["issue_event_type_name"] = typeName
	}
	if c != nil {
		p["comment"] = s.webhookComment(is, c)
	}
	if len(changelog) > 0 {
		s.extra.nextChange++
		p["changelog"] = map[string]any{"id": strconv.FormatInt(10000+s.extra.nextChange, 10), "items": changelog}
	}
	body, err := json.Marshal(p)
	if err != nil {
		panic("jiratest: webhook payload: " + err.Error())
	}
	s.extra.hooks.Send(event, body)
}

// issueCreated is called by store.
func (s *Server) issueCreated(is *issue) {
	s.emit(WebhookIssueCreated, "issue_created", is, nil, nil, is.reporter)
}

// issueChanged is called after an edit or transition replaced before
// with is.
func (s *Server) issueChanged(before, is *issue, typeName string) {
	s.emit(WebhookIssueUpdated, typeName, is, nil, s.changelog(before, is), s.me())
}

func (s *Server) issueDeleted(is *issue) {
	s.emit(WebhookIssueDeleted, "issue_deleted", is, nil, nil, s.me())
}

func (s *Server) commentEvent(event string, is *issue, c *comment, actor *User) {
	s.emit(event, "", is, c, nil, actor)
}

// changelog lists the fields that differ between two versions of an issue,
// as Jira's changelog items.
func (s *Server) changelog(a, b *issue) []map[string]any {
	var items []map[string]any
	item := func(field, id, from, fromS, to, toS string) {
		m := map[string]any{"field": field, "fieldtype": "jira", "fieldId": id, "from": nilIfEmpty(from), "fromString": nilIfEmpty(fromS), "to": nilIfEmpty(to), "toString": nilIfEmpty(toS)}
		items = append(items, m)
	}
	if a.summary != b.summary {
		item("summary", "summary", "", a.summary, "", b.summary)
	}
	if s.text(a.description) != s.text(b.description) {
		item("description", "description", "", s.text(a.description), "", s.text(b.description))
	}
	if a.status != b.status {
		item("status", "status", a.status.ID, a.status.Name, b.status.ID, b.status.Name)
	}
	if a.resolution != b.resolution {
		var fid, fn, tid, tn string
		if a.resolution != nil {
			fid, fn = a.resolution.ID, a.resolution.Name
		}
		if b.resolution != nil {
			tid, tn = b.resolution.ID, b.resolution.Name
		}
		item("resolution", "resolution", fid, fn, tid, tn)
	}
	if a.priority != b.priority {
		var fid, fn, tid, tn string
		if a.priority != nil {
			fid, fn = a.priority.ID, a.priority.Name
		}
		if b.priority != nil {
			tid, tn = b.priority.ID, b.priority.Name
		}
		item("priority", "priority", fid, fn, tid, tn)
	}
	if a.assignee != b.assignee {
		item("assignee", "assignee", s.userID(a.assignee), displayName(a.assignee), s.userID(b.assignee), displayName(b.assignee))
	}
	if !slices.Equal(a.labels, b.labels) {
		item("labels", "labels", "", joinSpace(a.labels), "", joinSpace(b.labels))
	}
	for _, fd := range s.fields {
		if fd.Custom && string(a.custom[fd.ID]) != string(b.custom[fd.ID]) {
			item(fd.Name, fd.ID, "", string(a.custom[fd.ID]), "", string(b.custom[fd.ID]))
		}
	}
	return items
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func displayName(u *User) string {
	if u == nil {
		return ""
	}
	return u.DisplayName
}

func joinSpace(l []string) string {
	out := ""
	for i, s := range l {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
