package jira

import (
	"encoding/json"
	"fmt"
)

// User is a Jira account. Cloud identifies users by AccountID; Data Center
// by Name (the login) and Key.
type User struct {
	Self         string `json:"self,omitempty"`
	AccountID    string `json:"accountId,omitempty"`
	AccountType  string `json:"accountType,omitempty"`
	Name         string `json:"name,omitempty"`
	Key          string `json:"key,omitempty"`
	EmailAddress string `json:"emailAddress,omitempty"`
	DisplayName  string `json:"displayName,omitempty"`
	Active       bool   `json:"active"`
	TimeZone     string `json:"timeZone,omitempty"`
	Locale       string `json:"locale,omitempty"`
}

// ID returns the identifier the deployment uses: AccountID on Cloud, else
// Name.
func (u *User) ID() string {
	if u == nil {
		return ""
	}
	if u.AccountID != "" {
		return u.AccountID
	}
	return u.Name
}

// Project is a Jira project.
type Project struct {
	Self           string      `json:"self,omitempty"`
	ID             string      `json:"id,omitempty"`
	Key            string      `json:"key,omitempty"`
	Name           string      `json:"name,omitempty"`
	ProjectTypeKey string      `json:"projectTypeKey,omitempty"`
	Simplified     bool        `json:"simplified,omitempty"`
	IssueTypes     []IssueType `json:"issueTypes,omitempty"`
}

// IssueType is an issue type (Bug, Task, Story, Epic).
type IssueType struct {
	Self           string `json:"self,omitempty"`
	ID             string `json:"id,omitempty"`
	Name           string `json:"name,omitempty"`
	Description    string `json:"description,omitempty"`
	Subtask        bool   `json:"subtask"`
	HierarchyLevel int    `json:"hierarchyLevel,omitempty"`
}

// StatusCategory is one of Jira's three status categories, told apart by
// Key: "new", "indeterminate" or "done" ("undefined" on some old sites).
type StatusCategory struct {
	Self      string `json:"self,omitempty"`
	ID        int64  `json:"id,omitempty"`
	Key       string `json:"key,omitempty"`
	ColorName string `json:"colorName,omitempty"`
	Name      string `json:"name,omitempty"`
}

// The status category keys.
const (
	CategoryNew           = "new"
	CategoryIndeterminate = "indeterminate"
	CategoryDone          = "done"
)

// Status is a workflow status.
type Status struct {
	Self           string          `json:"self,omitempty"`
	ID             string          `json:"id,omitempty"`
	Name           string          `json:"name,omitempty"`
	Description    string          `json:"description,omitempty"`
	StatusCategory *StatusCategory `json:"statusCategory,omitempty"`
}

// CategoryKey returns the status's category key, or "".
func (s *Status) CategoryKey() string {
	if s == nil || s.StatusCategory == nil {
		return ""
	}
	return s.StatusCategory.Key
}

// Priority is an issue priority.
type Priority struct {
	Self        string `json:"self,omitempty"`
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	IsDefault   bool   `json:"isDefault,omitempty"`
}

// Resolution is an issue resolution (Done, Won't Do).
type Resolution struct {
	Self        string `json:"self,omitempty"`
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// IssueRef names another issue (a parent).
type IssueRef struct {
	ID   string `json:"id,omitempty"`
	Key  string `json:"key,omitempty"`
	Self string `json:"self,omitempty"`
}

// Issue is an issue as Jira returns it.
type Issue struct {
	ID     string       `json:"id"`
	Key    string       `json:"key"`
	Self   string       `json:"self,omitempty"`
	Expand string       `json:"expand,omitempty"`
	Fields *IssueFields `json:"fields,omitempty"`
	// Names maps field ids to display names (expand=names).
	Names map[string]string `json:"names,omitempty"`
	// Properties holds the entity properties asked for with properties=.
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
	// Changelog is present with expand=changelog and in webhooks.
	Changelog *Changelog `json:"changelog,omitempty"`
}

// Changelog lists changes made to an issue.
type Changelog struct {
	ID         string          `json:"id,omitempty"`
	StartAt    int             `json:"startAt,omitempty"`
	MaxResults int             `json:"maxResults,omitempty"`
	Total      int             `json:"total,omitempty"`
	Histories  []ChangeHistory `json:"histories,omitempty"`
	Items      []ChangelogItem `json:"items,omitempty"`
}

// ChangeHistory is one change (several items) in an issue's changelog.
type ChangeHistory struct {
	ID      string          `json:"id"`
	Author  *User           `json:"author,omitempty"`
	Created Time            `json:"created"`
	Items   []ChangelogItem `json:"items"`
}

// ChangelogItem is one field change: from and to are ids (status, user),
// FromString and ToString the display values.
type ChangelogItem struct {
	Field      string `json:"field"`
	FieldType  string `json:"fieldtype,omitempty"`
	FieldID    string `json:"fieldId,omitempty"`
	From       string `json:"from,omitempty"`
	FromString string `json:"fromString,omitempty"`
	To         string `json:"to,omitempty"`
	ToString   string `json:"toString,omitempty"`
}

// UnmarshalJSON reads a changelog item, where from and to may be null.
func (it *ChangelogItem) UnmarshalJSON(data []byte) error {
	var raw struct {
		Field      string  `json:"field"`
		FieldType  string  `json:"fieldtype"`
		FieldID    string  `json:"fieldId"`
		From       *string `json:"from"`
		FromString *string `json:"fromString"`
		To         *string `json:"to"`
		ToString   *string `json:"toString"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	*it = ChangelogItem{Field: raw.Field, FieldType: raw.FieldType, FieldID: raw.FieldID,
		From: s(raw.From), FromString: s(raw.FromString), To: s(raw.To), ToString: s(raw.ToString)}
	return nil
}

// IssueFields holds an issue's fields: the system fields decoded into
// typed fields, and every other field (custom fields, fields of apps, system
// fields not modelled here) kept as raw JSON in Other, keyed by field id,
// so nothing is lost. Decode those with [IssueFields.Decode] or the typed
// helpers ([IssueFields.String], [IssueFields.Strings], ...).
type IssueFields struct {
	Summary        string
	Description    *RichText
	Environment    *RichText
	Project        *Project
	IssueType      *IssueType
	Status         *Status
	Priority       *Priority
	Resolution     *Resolution
	Assignee       *User
	Reporter       *User
	Creator        *User
	Labels         []string
	Parent         *IssueRef
	Created        Time
	Updated        Time
	ResolutionDate Time
	DueDate        Date
	// Other holds every other field by id, as sent (null included).
	Other map[string]json.RawMessage
}

// UnmarshalJSON decodes the known system fields and keeps the rest raw.
func (f *IssueFields) UnmarshalJSON(data []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	*f = IssueFields{}
	known := map[string]any{
		"summary": &f.Summary, "description": &f.Description, "environment": &f.Environment,
		"project": &f.Project, "issuetype": &f.IssueType, "status": &f.Status,
		"priority": &f.Priority, "resolution": &f.Resolution, "assignee": &f.Assignee,
		"reporter": &f.Reporter, "creator": &f.Creator, "labels": &f.Labels, "parent": &f.Parent,
		"created": &f.Created, "updated": &f.Updated, "resolutiondate": &f.ResolutionDate,
		"duedate": &f.DueDate,
	}
	for k, v := range all {
		dst, ok := known[k]
		if !ok {
			if f.Other == nil {
				f.Other = map[string]json.RawMessage{}
			}
			f.Other[k] = v
			continue
		}
		if string(v) == "null" {
			continue
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return fmt.Errorf("jira: field %s: %w", k, err)
		}
	}
	return nil
}

// MarshalJSON writes the fields back in Jira's shape.
func (f IssueFields) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	for k, v := range f.Other {
		m[k] = v
	}
	set := func(k string, v any, present bool) {
		if present {
			m[k] = v
		}
	}
	set("summary", f.Summary, f.Summary != "")
	set("description", f.Description, f.Description != nil)
	set("environment", f.Environment, f.Environment != nil)
	set("project", f.Project, f.Project != nil)
	set("issuetype", f.IssueType, f.IssueType != nil)
	set("status", f.Status, f.Status != nil)
	set("priority", f.Priority, f.Priority != nil)
	set("resolution", f.Resolution, f.Resolution != nil)
	set("assignee", f.Assignee, f.Assignee != nil)
	set("reporter", f.Reporter, f.Reporter != nil)
	set("creator", f.Creator, f.Creator != nil)
	set("labels", f.Labels, f.Labels != nil)
	set("parent", f.Parent, f.Parent != nil)
	set("created", f.Created, !f.Created.IsZero())
	set("updated", f.Updated, !f.Updated.IsZero())
	set("resolutiondate", f.ResolutionDate, !f.ResolutionDate.IsZero())
	set("duedate", f.DueDate, !f.DueDate.IsZero())
	return json.Marshal(m)
}
