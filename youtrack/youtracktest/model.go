package youtracktest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Field types of the fake's custom fields, as YouTrack names them.
const (
	FieldEnum      = "enum[1]"
	FieldMultiEnum = "enum[*]"
	FieldState     = "state[1]"
	FieldUser      = "user[1]"
	FieldDate      = "date"
	FieldDateTime  = "date and time"
	FieldText      = "text"
	FieldString    = "string"
	FieldPeriod    = "period"
)

// issueFieldType maps a field type to the $type of issue custom fields.
func issueFieldType(ft string) string {
	switch ft {
	case FieldEnum:
		return "SingleEnumIssueCustomField"
	case FieldMultiEnum:
		return "MultiEnumIssueCustomField"
	case FieldState:
		return "StateIssueCustomField"
	case FieldUser:
		return "SingleUserIssueCustomField"
	case FieldDate:
		return "DateIssueCustomField"
	case FieldText:
		return "TextIssueCustomField"
	case FieldPeriod:
		return "PeriodIssueCustomField"
	}
	return "SimpleIssueCustomField"
}

// projectFieldType maps a field type to the $type of project custom
// fields.
func projectFieldType(ft string) string {
	switch ft {
	case FieldEnum, FieldMultiEnum:
		return "EnumProjectCustomField"
	case FieldState:
		return "StateProjectCustomField"
	case FieldUser:
		return "UserProjectCustomField"
	case FieldText:
		return "TextProjectCustomField"
	case FieldPeriod:
		return "PeriodProjectCustomField"
	}
	return "SimpleProjectCustomField"
}

// BundleValue is a value of an enum or state field.
type BundleValue struct {
	ID          string
	Name        string
	Description string
	// IsResolved marks resolved states.
	IsResolved bool
}

// FieldDef defines a custom field every project of the fake has.
type FieldDef struct {
	// ID is the field's id; ProjectFieldID the id of its project setting,
	// which is also the id of the issue custom field.
	ID, ProjectFieldID string
	Name               string
	// Type is one of the Field* constants.
	Type       string
	CanBeEmpty bool
	// EmptyText is shown for an empty value ("No Severity").
	EmptyText string
	BundleID  string
	Values    []BundleValue
	// Default is the value a new issue gets when the create sets none.
	Default string
}

func (f *FieldDef) bundleType() string {
	switch f.Type {
	case FieldState:
		return "StateBundle"
	case FieldEnum, FieldMultiEnum:
		return "EnumBundle"
	case FieldUser:
		return "UserBundle"
	}
	return ""
}

func (f *FieldDef) bundleKind() string {
	switch f.Type {
	case FieldState:
		return "state"
	case FieldEnum, FieldMultiEnum:
		return "enum"
	case FieldUser:
		return "user"
	}
	return ""
}

func (f *FieldDef) value(name string) (*BundleValue, bool) {
	for i := range f.Values {
		if strings.EqualFold(f.Values[i].Name, name) {
			return &f.Values[i], true
		}
	}
	return nil, false
}

// Project is a project of the fake.
type Project struct {
	// ID is the entity id ("0-1").
	ID        string
	ShortName string
	Name      string
	Archived  bool
}

// User is an account on both the YouTrack and the Hub API of the fake.
type User struct {
	// ID is the YouTrack id ("1-3"); RingID the Hub id.
	ID, RingID string
	Login      string
	FullName   string
	Email      string
	Banned     bool
	BanReason  string
	Guest      bool
	Online     bool
	Created    time.Time
	// LastAccess is zero for accounts that never logged in.
	LastAccess time.Time
	Groups     []string
}

// Tag is an issue tag.
type Tag struct {
	ID, Name string
}

// Comment is a comment of an issue.
type Comment struct {
	ID           string
	Text         string
	UsesMarkdown bool
	Author       string
	Created      time.Time
	// Updated is zero until the comment is edited.
	Updated time.Time
}

// Issue is a snapshot of an issue of the fake.
type Issue struct {
	ID, IDReadable string
	// Project is the short name.
	Project     string
	Summary     string
	Description string
	Reporter    string
	Created     time.Time
	Updated     time.Time
	// Resolved is zero while the issue is unresolved.
	Resolved time.Time
	// Fields holds custom field values by name: string for enum, state,
	// user (login), text and period (presentation) fields, []string for
	// multi-value fields, time.Time for dates, and the JSON value for
	// simple fields. Empty fields are absent.
	Fields map[string]any
	// Tags are tag names.
	Tags     []string
	Comments []Comment
}

// issue is the stored form.
type issue struct {
	id, idReadable   string
	project          *Project
	summary          string
	description      string
	reporter         string
	created, updated int64
	resolved         int64
	fields           map[string]any // name → string | []string | int64 (dates) | any
	tags             []string       // tag ids
	comments         []*comment
}

type comment struct {
	id           string
	text         string
	usesMarkdown bool
	author       string
	created      int64
	updated      int64
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// snapshot copies an issue out of the store; the caller holds the lock.
func (s *Server) snapshot(is *issue) Issue {
	out := Issue{
		ID: is.id, IDReadable: is.idReadable, Project: is.project.ShortName,
		Summary: is.summary, Description: is.description, Reporter: is.reporter,
		Created: fromMS(is.created), Updated: fromMS(is.updated), Resolved: fromMS(is.resolved),
		Fields: map[string]any{},
	}
	for _, f := range s.fields {
		v, ok := is.fields[f.Name]
		if !ok {
			continue
		}
		switch x := v.(type) {
		case []string:
			out.Fields[f.Name] = slices.Clone(x)
		case int64:
			if f.Type == FieldDate || f.Type == FieldDateTime {
				out.Fields[f.Name] = fromMS(x)
			} else {
				out.Fields[f.Name] = x
			}
		default:
			out.Fields[f.Name] = v
		}
	}
	for _, id := range is.tags {
		if t := s.tagByID(id); t != nil {
			out.Tags = append(out.Tags, t.Name)
		}
	}
	for _, c := range is.comments {
		out.Comments = append(out.Comments, Comment{ID: c.id, Text: c.text, UsesMarkdown: c.usesMarkdown, Author: c.author, Created: fromMS(c.created), Updated: fromMS(c.updated)})
	}
	return out
}

func (s *Server) tagByID(id string) *Tag {
	for _, t := range s.tags {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func (s *Server) tagByName(name string) *Tag {
	for _, t := range s.tags {
		if strings.EqualFold(t.Name, name) {
			return t
		}
	}
	return nil
}

func (s *Server) userByLogin(login string) *User {
	for _, u := range s.users {
		if strings.EqualFold(u.Login, login) {
			return u
		}
	}
	return nil
}

func (s *Server) userByID(id string) *User {
	for _, u := range s.users {
		if u.ID == id || u.RingID == id {
			return u
		}
	}
	return nil
}

func (s *Server) fieldByName(name string) *FieldDef {
	for _, f := range s.fields {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

func (s *Server) fieldByProjectID(id string) *FieldDef {
	for _, f := range s.fields {
		if f.ProjectFieldID == id {
			return f
		}
	}
	return nil
}

func (s *Server) projectByID(id string) *Project {
	for _, p := range s.projects {
		if p.ID == id || strings.EqualFold(p.ShortName, id) {
			return p
		}
	}
	return nil
}

// findIssue finds an issue by database or readable id; the caller holds
// the lock.
func (s *Server) findIssue(id string) *issue {
	if is, ok := s.issues[id]; ok {
		return is
	}
	for _, is := range s.issues {
		if strings.EqualFold(is.idReadable, id) {
			return is
		}
	}
	return nil
}

// stateResolved reports whether the issue's State is a resolved one.
func (s *Server) stateResolved(is *issue) bool {
	for _, f := range s.fields {
		if f.Type != FieldState {
			continue
		}
		if name, ok := is.fields[f.Name].(string); ok {
			if v, ok := f.value(name); ok && v.IsResolved {
				return true
			}
		}
	}
	return false
}

// plainString renders a stored value for matching.
func plainStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	case nil:
		return nil
	}
	return []string{fmt.Sprint(v)}
}
