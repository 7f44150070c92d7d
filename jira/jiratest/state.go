package jiratest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/trackbridge/trackbridge/jira/adf"
)

// IssueSnapshot is a copy of a stored issue, for assertions.
type IssueSnapshot struct {
	ID, Key, Project, Type string
	Summary                string
	// Description is the description as plain text (ADF converted).
	Description    string
	Status         string
	StatusCategory string
	Priority       string
	Resolution     string
	// Assignee and Reporter are accountIds on Cloud, names on Data Center.
	Assignee, Reporter string
	Labels             []string
	Created, Updated   time.Time
	// Custom holds custom field values by id, as Jira returns them.
	Custom      map[string]json.RawMessage
	Properties  map[string]json.RawMessage
	Comments    []CommentSnapshot
	RemoteLinks int
}

// CommentSnapshot is a copy of a stored comment.
type CommentSnapshot struct {
	ID   string
	Body string // plain text
	// Author is the author's accountId on Cloud, name on Data Center.
	Author string
	// Visibility is "role:<name>" or "group:<name>"; empty for everyone.
	Visibility string
}

func (s *Server) text(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	if s.dc {
		var str string
		_ = json.Unmarshal(raw, &str)
		return str
	}
	doc, err := adf.Parse(raw)
	if err != nil {
		return ""
	}
	return adf.ToText(doc)
}

func (s *Server) userID(u *User) string {
	if u == nil {
		return ""
	}
	if s.dc {
		return u.Name
	}
	return u.AccountID
}

func (s *Server) snapshot(is *issue) IssueSnapshot {
	out := IssueSnapshot{
		ID: strconv.FormatInt(is.id, 10), Key: is.key, Project: is.project.Key, Type: is.typ.Name,
		Summary: is.summary, Description: s.text(is.description), Status: is.status.Name, StatusCategory: is.status.Category,
		Assignee: s.userID(is.assignee), Reporter: s.userID(is.reporter), Labels: slices.Clone(is.labels),
		Created: is.created, Updated: is.updated, Custom: map[string]json.RawMessage{}, Properties: map[string]json.RawMessage{},
		RemoteLinks: len(is.links),
	}
	if is.priority != nil {
		out.Priority = is.priority.Name
	}
	if is.resolution != nil {
		out.Resolution = is.resolution.Name
	}
	for k, v := range is.custom {
		out.Custom[k] = slices.Clone(v)
	}
	for k, v := range is.properties {
		out.Properties[k] = slices.Clone(v)
	}
	for _, c := range is.comments {
		out.Comments = append(out.Comments, CommentSnapshot{ID: strconv.FormatInt(c.id, 10), Body: s.text(c.body), Author: s.userID(c.author), Visibility: visibilityString(c.visibility)})
	}
	return out
}

// Issue returns a copy of the issue with this id or key.
func (s *Server) Issue(idOrKey string) (IssueSnapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.findIssue(idOrKey)
	if is == nil {
		return IssueSnapshot{}, false
	}
	return s.snapshot(is), true
}

// Issues returns copies of every issue, oldest first.
func (s *Server) Issues() []IssueSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]IssueSnapshot, len(s.issues))
	for i, is := range s.issues {
		out[i] = s.snapshot(is)
	}
	return out
}

// IssueSpec describes an issue to put into the fake directly.
type IssueSpec struct {
	Project     string // key; default SEC
	Type        string // name; default Task
	Summary     string
	Description string // plain text
	Status      string // name; default the workflow's first status
	Priority    string
	Assignee    string // accountId on Cloud, name on Data Center
	Labels      []string
	// Custom sets custom fields by id to JSON values as Jira returns them.
	Custom map[string]json.RawMessage
}

// Put stores an issue without going through the API and returns its id.
func (s *Server) Put(spec IssueSpec) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if spec.Project == "" {
		spec.Project = "SEC"
	}
	if spec.Type == "" {
		spec.Type = "Task"
	}
	is := &issue{summary: spec.Summary, reporter: s.me(), labels: slices.Clone(spec.Labels), custom: map[string]json.RawMessage{}, properties: map[string]json.RawMessage{}}
	if is.project = s.project(spec.Project); is.project == nil {
		return "", fmt.Errorf("jiratest: no project %q", spec.Project)
	}
	if is.typ = s.issueType(spec.Type); is.typ == nil {
		return "", fmt.Errorf("jiratest: no issue type %q", spec.Type)
	}
	is.status = s.statuses[0]
	if spec.Status != "" {
		if is.status = s.status(spec.Status); is.status == nil {
			return "", fmt.Errorf("jiratest: no status %q", spec.Status)
		}
	}
	if spec.Priority != "" {
		if is.priority = s.priority(spec.Priority); is.priority == nil {
			return "", fmt.Errorf("jiratest: no priority %q", spec.Priority)
		}
	}
	if spec.Assignee != "" {
		if is.assignee = s.user(spec.Assignee); is.assignee == nil {
			return "", fmt.Errorf("jiratest: no user %q", spec.Assignee)
		}
	}
	if spec.Description != "" {
		if s.dc {
			is.description, _ = json.Marshal(spec.Description)
		} else {
			is.description, _ = json.Marshal(adf.FromText(spec.Description))
		}
	}
	for k, v := range spec.Custom {
		is.custom[k] = slices.Clone(v)
	}
	s.store(is)
	return strconv.FormatInt(is.id, 10), nil
}

// Seed stores n issues in project (default SEC) with summaries "Seeded
// issue 1" ... and strictly increasing created and updated times, and
// returns their ids.
func (s *Server) Seed(project string, n int) ([]string, error) {
	ids := make([]string, n)
	for i := range n {
		id, err := s.Put(IssueSpec{Project: project, Summary: fmt.Sprintf("Seeded issue %d", i+1), Description: "Seeded by jiratest.", Labels: []string{"seeded"}})
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}
