package youtracktest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Names of the fake's custom fields.
const (
	FieldNameState      = "State"
	FieldNamePriority   = "Priority"
	FieldNameSeverity   = "Severity"
	FieldNameAssignee   = "Assignee"
	FieldNameReported   = "Reported"
	FieldNameExternalID = "External ID"
	FieldNameEstimation = "Estimation"
)

// defaultFields returns the custom fields every project of the fake has.
func defaultFields() []*FieldDef {
	return []*FieldDef{
		{ID: "58-1", ProjectFieldID: "92-1", Name: FieldNameState, Type: FieldState, BundleID: "70-1", Default: "Open", EmptyText: "No state",
			Values: []BundleValue{
				{ID: "71-1", Name: "Open"}, {ID: "71-2", Name: "In Progress"}, {ID: "71-3", Name: "In Review"},
				{ID: "71-4", Name: "Fixed", IsResolved: true}, {ID: "71-5", Name: "Won't fix", IsResolved: true},
				{ID: "71-6", Name: "Duplicate", IsResolved: true},
			}},
		{ID: "58-2", ProjectFieldID: "92-2", Name: FieldNamePriority, Type: FieldEnum, BundleID: "70-2", Default: "Normal", EmptyText: "No priority",
			Values: []BundleValue{{ID: "72-1", Name: "Critical"}, {ID: "72-2", Name: "Major"}, {ID: "72-3", Name: "Normal"}, {ID: "72-4", Name: "Minor"}}},
		{ID: "58-3", ProjectFieldID: "92-3", Name: FieldNameSeverity, Type: FieldEnum, BundleID: "70-3", CanBeEmpty: true, EmptyText: "No severity",
			Values: []BundleValue{{ID: "73-1", Name: "Low"}, {ID: "73-2", Name: "Medium"}, {ID: "73-3", Name: "High"}, {ID: "73-4", Name: "Critical"}}},
		{ID: "58-4", ProjectFieldID: "92-4", Name: FieldNameAssignee, Type: FieldUser, BundleID: "70-4", CanBeEmpty: true, EmptyText: "Unassigned"},
		{ID: "58-5", ProjectFieldID: "92-5", Name: FieldNameReported, Type: FieldDate, CanBeEmpty: true, EmptyText: "Not reported"},
		{ID: "58-6", ProjectFieldID: "92-6", Name: FieldNameExternalID, Type: FieldText, CanBeEmpty: true, EmptyText: "No external id"},
		{ID: "58-7", ProjectFieldID: "92-7", Name: FieldNameEstimation, Type: FieldPeriod, CanBeEmpty: true, EmptyText: "?"},
	}
}

// seedEpoch is the instant seeded times are relative to.
var seedEpoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// seed fills in projects, users and tags.
func (s *Server) seed() {
	s.projects = []*Project{
		{ID: "0-1", ShortName: "HD", Name: "Helpdesk"},
		{ID: "0-2", ShortName: "SEC", Name: "Security"},
		{ID: "0-3", ShortName: "OLD", Name: "Legacy", Archived: true},
	}
	day := 24 * time.Hour
	s.users = []*User{
		{ID: "1-1", RingID: "b1f0a6c2-0001-4d7e-9a55-1c1e2f3a4b01", Login: "admin", FullName: "Ada Admin", Email: "admin@example.com",
			Created: seedEpoch.Add(-400 * day), LastAccess: seedEpoch.Add(-time.Hour), Online: true, Groups: []string{"All Users", "Administrators"}},
		{ID: "1-2", RingID: "b1f0a6c2-0002-4d7e-9a55-1c1e2f3a4b02", Login: "jdoe", FullName: "Jane Doe", Email: "jane.doe@example.com",
			Created: seedEpoch.Add(-300 * day), LastAccess: seedEpoch.Add(-2 * day), Groups: []string{"All Users", "Security Team"}},
		{ID: "1-3", RingID: "b1f0a6c2-0003-4d7e-9a55-1c1e2f3a4b03", Login: "bsmith", FullName: "Bob Smith", Email: "bob.smith@example.com",
			Created: seedEpoch.Add(-200 * day), LastAccess: seedEpoch.Add(-90 * day), Banned: true, BanReason: "Left the company", Groups: []string{"All Users"}},
		{ID: "1-4", RingID: "b1f0a6c2-0004-4d7e-9a55-1c1e2f3a4b04", Login: "cwu", FullName: "Chen Wu", Email: "chen.wu@example.com",
			Created: seedEpoch.Add(-20 * day), Groups: []string{"All Users", "Helpdesk"}},
		{ID: "1-5", RingID: "b1f0a6c2-0005-4d7e-9a55-1c1e2f3a4b05", Login: "guest", FullName: "Guest", Guest: true,
			Created: seedEpoch.Add(-400 * day), Groups: []string{"Anonymous"}},
	}
	s.me = "admin"
	s.tags = []*Tag{{ID: "6-1", Name: "Star"}, {ID: "6-2", Name: "Security"}, {ID: "6-3", Name: "isms-reported"}}
}

// Projects returns the fake's projects.
func (s *Server) Projects() []Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Project, len(s.projects))
	for i, p := range s.projects {
		out[i] = *p
	}
	return out
}

// Fields returns the custom field definitions every project has.
func (s *Server) Fields() []FieldDef {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]FieldDef, len(s.fields))
	for i, f := range s.fields {
		out[i] = *f
		out[i].Values = slices.Clone(f.Values)
	}
	return out
}

// Users returns the fake's accounts.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = *u
		out[i].Groups = slices.Clone(u.Groups)
	}
	return out
}

// AddProject adds a project; an empty ID gets a fresh one.
func (s *Server) AddProject(p Project) Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == "" {
		p.ID = s.newID(0)
	}
	s.projects = append(s.projects, &p)
	return p
}

// AddUser adds an account; empty ids get fresh ones.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = s.newID(1)
	}
	if u.RingID == "" {
		u.RingID = "ring-" + u.ID
	}
	u.Groups = slices.Clone(u.Groups)
	s.users = append(s.users, &u)
	return u
}

// AddTag adds a tag and returns it.
func (s *Server) AddTag(name string) Tag {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tagByName(name); t != nil {
		return *t
	}
	t := &Tag{ID: s.newID(6), Name: name}
	s.tags = append(s.tags, t)
	return *t
}

// NewIssue describes an issue to seed with [Server.AddIssue].
type NewIssue struct {
	// Project is the short name.
	Project     string
	Summary     string
	Description string
	// Fields sets custom fields by name: strings for enum, state, user
	// (login), text and period fields, []string for multi-value fields,
	// time.Time for dates.
	Fields map[string]any
	// Tags are tag names; missing tags are created.
	Tags []string
}

// AddIssue stores an issue directly, bypassing the API, and returns it.
func (s *Server) AddIssue(in NewIssue) (Issue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projectByID(in.Project)
	if p == nil {
		return Issue{}, fmt.Errorf("youtracktest: no project %q", in.Project)
	}
	body := &issueBody{Project: &wireRef{ID: p.ID}, Summary: &in.Summary, Description: &in.Description}
	for name, v := range in.Fields {
		f := s.fieldByName(name)
		if f == nil {
			return Issue{}, fmt.Errorf("youtracktest: no field %q", name)
		}
		var wf wireField
		var e *httpErr
		switch x := v.(type) {
		case time.Time:
			wf = wireField{Type: issueFieldType(f.Type), Name: f.Name, Value: []byte(fmt.Sprint(x.UnixMilli()))}
		case []string:
			wf = wireField{Type: issueFieldType(f.Type), Name: f.Name, Value: []byte("[]")}
			var parts []string
			for _, n := range x {
				parts = append(parts, fmt.Sprintf(`{"name":%q}`, n))
			}
			wf.Value = []byte("[" + strings.Join(parts, ",") + "]")
		case string:
			wf, e = wireValue(f, x)
		default:
			return Issue{}, fmt.Errorf("youtracktest: field %q: unsupported value %T", name, v)
		}
		if e != nil {
			return Issue{}, errors.New(e.desc)
		}
		body.CustomFields = append(body.CustomFields, wf)
	}
	var tags []wireRef
	for _, name := range in.Tags {
		t := s.tagByName(name)
		if t == nil {
			t = &Tag{ID: s.newID(6), Name: name}
			s.tags = append(s.tags, t)
		}
		tags = append(tags, wireRef{ID: t.ID})
	}
	body.Tags = &tags
	is, e := s.create(body)
	if e != nil {
		return Issue{}, errors.New(e.desc)
	}
	return s.snapshot(is), nil
}

// SeedIssues adds n issues to a project with realistic summaries and a mix
// of severities and states, and returns their ids.
func (s *Server) SeedIssues(project string, n int) ([]string, error) {
	sev := []string{"Low", "Medium", "High", "Critical"}
	states := []string{"Open", "In Progress", "Open", "Fixed"}
	ids := make([]string, 0, n)
	for i := range n {
		is, err := s.AddIssue(NewIssue{
			Project:     project,
			Summary:     fmt.Sprintf("Suspicious login from host %d", i+1),
			Description: fmt.Sprintf("Detected %d failed logins followed by a success.", 5+i%7),
			Fields:      map[string]any{FieldNameSeverity: sev[i%len(sev)], FieldNameState: states[i%len(states)]},
		})
		if err != nil {
			return ids, err
		}
		ids = append(ids, is.ID)
	}
	return ids, nil
}

// Issue returns a snapshot of the issue with database or readable id.
func (s *Server) Issue(id string) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.findIssue(id)
	if is == nil {
		return Issue{}, false
	}
	return s.snapshot(is), true
}

// Issues returns snapshots of every issue in creation order.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Issue
	for _, is := range s.sortedIssues() {
		out = append(out, s.snapshot(is))
	}
	return out
}
