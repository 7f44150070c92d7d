package jiratest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/trackbridge/trackbridge/jira/adf"
)

// Account ids of the users [WithTeam] adds. Carol and Dan have the opaque
// Cloud accountIds of accounts made since 2020 ("712020:<uuid>"); Erin is
// a Service Management customer ("qm:...").
const (
	UserCarol = "712020:3c5e2d4a-8b1f-4f0e-9a7d-1e2f3a4b5c6d"
	UserDan   = "712020:9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
	UserErin  = "qm:8d1c3f5e-2a4b-4c6d-8e0f-1a2b3c4d5e6f:5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
)

// TeamUsers returns the users [WithTeam] adds, so that comments and
// changes can have authors other than the API user.
func TeamUsers() []User {
	return []User{
		{AccountID: UserCarol, AccountType: "atlassian", Name: "carol", Key: "JIRAUSER10300", DisplayName: "Carol Responder", Email: "carol@example.com", Active: true, TimeZone: "America/New_York"},
		{AccountID: UserDan, AccountType: "atlassian", Name: "dan", Key: "JIRAUSER10301", DisplayName: "Dan Developer", Email: "dan@example.com", Active: true, TimeZone: "Asia/Tokyo"},
		{AccountID: UserErin, AccountType: "customer", Name: "erin", Key: "JIRAUSER10302", DisplayName: "Erin Customer", Email: "erin@customer.example", Active: true, TimeZone: "UTC"},
	}
}

// WithTeam adds [TeamUsers] to the default users.
func WithTeam() Option {
	return func(s *Server) {
		for _, u := range TeamUsers() {
			s.users = append(s.users, &u)
		}
	}
}

// WithRequiredFields makes fields (by id, e.g. [FieldSeverity]) required
// on every create screen: create metadata reports them required, and a
// create without them fails with Jira's 400 "<name> is required.".
func WithRequiredFields(ids ...string) Option {
	return func(s *Server) {
		if s.extra.required == nil {
			s.extra.required = map[string]bool{}
		}
		for _, id := range ids {
			s.extra.required[id] = true
		}
	}
}

// checkRequired adds an error for each required field a create lacks.
func (s *Server) checkRequired(in *issueInput, verr *validationError) {
	for id := range s.extra.required {
		if raw, ok := in.Fields[id]; ok && !isNull(raw) {
			continue
		}
		name := id
		if f := s.field(id); f != nil {
			name = f.Name
		}
		verr.errs[id] = name + " is required."
	}
}

// CommentVisibility restricts a comment to a project role or a group.
type CommentVisibility struct {
	// Type is "role" or "group".
	Type  string `json:"type"`
	Value string `json:"value"`
}

// CommentSpec describes a comment made directly in the fake, as a user
// other than the API user would in Jira's UI.
type CommentSpec struct {
	// Author is an accountId on Cloud, a name on Data Center; empty is
	// the API user.
	Author string
	// Body is plain text.
	Body       string
	Visibility *CommentVisibility
}

func (s *Server) storedBody(text string) json.RawMessage {
	var raw json.RawMessage
	if s.dc {
		raw, _ = json.Marshal(text)
	} else {
		raw, _ = json.Marshal(adf.FromText(text))
	}
	return raw
}

func (s *Server) commentAuthor(id string) (*User, error) {
	if id == "" {
		return s.me(), nil
	}
	u := s.user(id)
	if u == nil {
		return nil, fmt.Errorf("jiratest: no user %q", id)
	}
	return u, nil
}

// AddComment adds a comment to an issue without going through the API (a
// comment_created webhook is sent all the same) and returns its id.
func (s *Server) AddComment(issueIDOrKey string, c CommentSpec) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.findIssue(issueIDOrKey)
	if is == nil {
		return "", fmt.Errorf("jiratest: no issue %q", issueIDOrKey)
	}
	author, err := s.commentAuthor(c.Author)
	if err != nil {
		return "", err
	}
	now := s.tick()
	s.nextComment++
	cm := &comment{id: s.nextComment, author: author, body: s.storedBody(c.Body), created: now, updated: now}
	if c.Visibility != nil {
		cm.visibility, _ = json.Marshal(c.Visibility)
	}
	is.comments = append(is.comments, cm)
	is.updated = now
	s.commentEvent(WebhookCommentCreated, is, cm, author)
	return strconv.FormatInt(cm.id, 10), nil
}

func (s *Server) storedComment(issueIDOrKey, commentID string) (*issue, *comment, error) {
	is := s.findIssue(issueIDOrKey)
	if is == nil {
		return nil, nil, fmt.Errorf("jiratest: no issue %q", issueIDOrKey)
	}
	for _, c := range is.comments {
		if strconv.FormatInt(c.id, 10) == commentID {
			return is, c, nil
		}
	}
	return nil, nil, fmt.Errorf("jiratest: no comment %s on %s", commentID, issueIDOrKey)
}

// EditComment replaces a comment's body and visibility as c.Author (empty:
// the API user) without going through the API; a comment_updated webhook
// is sent.
func (s *Server) EditComment(issueIDOrKey, commentID string, c CommentSpec) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, cm, err := s.storedComment(issueIDOrKey, commentID)
	if err != nil {
		return err
	}
	actor, err := s.commentAuthor(c.Author)
	if err != nil {
		return err
	}
	cm.body, cm.visibility = s.storedBody(c.Body), nil
	if c.Visibility != nil {
		cm.visibility, _ = json.Marshal(c.Visibility)
	}
	cm.updated = s.tick()
	is.updated = cm.updated
	s.commentEvent(WebhookCommentUpdated, is, cm, actor)
	return nil
}

// DeleteComment deletes a comment without going through the API; a
// comment_deleted webhook is sent.
func (s *Server) DeleteComment(issueIDOrKey, commentID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, cm, err := s.storedComment(issueIDOrKey, commentID)
	if err != nil {
		return err
	}
	is.comments = slices.DeleteFunc(is.comments, func(o *comment) bool { return o == cm })
	is.updated = s.tick()
	s.commentEvent(WebhookCommentDeleted, is, cm, s.me())
	return nil
}

// visibilityString renders a stored visibility as "type:value".
func visibilityString(raw json.RawMessage) string {
	var v CommentVisibility
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v.Type == "" {
		return ""
	}
	return v.Type + ":" + v.Value
}
