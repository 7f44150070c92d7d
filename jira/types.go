package jira

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/trackbridge/trackbridge/internal/jsonscan"
)

// User is a Jira account. Cloud identifies users by AccountID; Data Center
// by Name (the login) and Key.
type User struct {
	Extras

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
	// Groups and ApplicationRoles are present when asked for with
	// expand=groups,applicationRoles ([UsersService.Get]).
	Groups           *GroupList           `json:"groups,omitempty"`
	ApplicationRoles *ApplicationRoleList `json:"applicationRoles,omitempty"`
}

// GroupList is the groups of a user.
type GroupList struct {
	Extras

	Size  int     `json:"size"`
	Items []Group `json:"items"`
}

// Group is a group of users. GroupID is Cloud's stable id.
type Group struct {
	Extras

	Name    string `json:"name"`
	GroupID string `json:"groupId,omitempty"`
	Self    string `json:"self,omitempty"`
}

// ApplicationRoleList is the application roles (product access) of a user.
type ApplicationRoleList struct {
	Extras

	Size  int               `json:"size"`
	Items []ApplicationRole `json:"items"`
}

// ApplicationRole is access to a Jira product, such as jira-software.
type ApplicationRole struct {
	Extras

	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
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

// Project is a Jira project. Get returns it in full; lists and issues
// carry fewer of its keys. Keys not modelled here (avatarUrls,
// projectCategory, style, insight, ...) are kept in Extra.
type Project struct {
	Extras

	Self           string      `json:"self,omitempty"`
	ID             string      `json:"id,omitempty"`
	Key            string      `json:"key,omitempty"`
	Name           string      `json:"name,omitempty"`
	Description    string      `json:"description,omitempty"`
	Lead           *User       `json:"lead,omitempty"`
	ProjectTypeKey string      `json:"projectTypeKey,omitempty"`
	Simplified     bool        `json:"simplified,omitempty"`
	IssueTypes     []IssueType `json:"issueTypes,omitempty"`
	Components     []Component `json:"components,omitempty"`
	Versions       []Version   `json:"versions,omitempty"`
	// Roles maps project role names to their REST URLs.
	Roles map[string]string `json:"roles,omitempty"`
	// URL is the project's web link set by an admin, not its REST URL.
	URL string `json:"url,omitempty"`
	// AssigneeType is PROJECT_LEAD or UNASSIGNED: who new issues go to.
	AssigneeType string `json:"assigneeType,omitempty"`
}

// Component is a project component.
type Component struct {
	Extras

	Self         string `json:"self,omitempty"`
	ID           string `json:"id,omitempty"`
	Name         string `json:"name,omitempty"`
	Description  string `json:"description,omitempty"`
	Lead         *User  `json:"lead,omitempty"`
	Assignee     *User  `json:"assignee,omitempty"`
	AssigneeType string `json:"assigneeType,omitempty"`
	Project      string `json:"project,omitempty"`
	ProjectID    int64  `json:"projectId,omitempty"`
}

// Version is a project version (a release).
type Version struct {
	Extras

	Self        string `json:"self,omitempty"`
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Archived    bool   `json:"archived,omitempty"`
	Released    bool   `json:"released,omitempty"`
	Overdue     bool   `json:"overdue,omitempty"`
	StartDate   Date   `json:"startDate,omitempty"`
	ReleaseDate Date   `json:"releaseDate,omitempty"`
	ProjectID   int64  `json:"projectId,omitempty"`
}

// IssueType is an issue type (Bug, Task, Story, Epic).
type IssueType struct {
	Extras

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
	Extras

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
	Extras

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
	Extras

	Self        string `json:"self,omitempty"`
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	IsDefault   bool   `json:"isDefault,omitempty"`
}

// Resolution is an issue resolution (Done, Won't Do).
type Resolution struct {
	Extras

	Self        string `json:"self,omitempty"`
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// IssueRef names another issue (a parent).
type IssueRef struct {
	Extras

	ID   string `json:"id,omitempty"`
	Key  string `json:"key,omitempty"`
	Self string `json:"self,omitempty"`
}

// Issue is an issue as Jira returns it.
type Issue struct {
	Extras

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
	Extras

	ID         string          `json:"id,omitempty"`
	StartAt    int             `json:"startAt,omitempty"`
	MaxResults int             `json:"maxResults,omitempty"`
	Total      int             `json:"total,omitempty"`
	Histories  []ChangeHistory `json:"histories,omitempty"`
	Items      []ChangelogItem `json:"items,omitempty"`
}

// ChangeHistory is one change (several items) in an issue's changelog.
type ChangeHistory struct {
	Extras

	ID      string          `json:"id"`
	Author  *User           `json:"author,omitempty"`
	Created Time            `json:"created"`
	Items   []ChangelogItem `json:"items"`
}

// ChangelogItem is one field change: from and to are ids (status, user),
// FromString and ToString the display values.
type ChangelogItem struct {
	Extras

	Field      string `json:"field"`
	FieldType  string `json:"fieldtype,omitempty"`
	FieldID    string `json:"fieldId,omitempty"`
	From       string `json:"from,omitempty"`
	FromString string `json:"fromString,omitempty"`
	To         string `json:"to,omitempty"`
	ToString   string `json:"toString,omitempty"`
}

// UnmarshalJSON reads a changelog item, where from and to may be null.
func (it *ChangelogItem) UnmarshalJSON(data []byte) error { return decodeLenient(data, it) }

// IssueFields holds an issue's fields: the system fields decoded into
// typed fields, and every other field (custom fields, fields of apps, system
// fields not modelled here) kept as raw JSON in Other, keyed by field id,
// so nothing is lost. Decode those with [IssueFields.Decode] or the typed
// helpers ([IssueFields.String], [IssueFields.Strings], ...). A system
// field whose value has an unexpected type (a number for updated) is left
// zero, kept raw in Other and reported by [IssueFields.Problems]; the other
// fields decode all the same.
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
	// Other holds every other field by id, as sent (null included), and
	// the system fields above whose value had an unexpected type.
	Other map[string]json.RawMessage

	problems []DecodeProblem
}

// Problems lists the fields, and values inside them, that had an
// unexpected type, with paths such as "updated" or "project.lead"; nil
// when everything fit.
func (f *IssueFields) Problems() []DecodeProblem {
	if f == nil {
		return nil
	}
	return f.problems
}

func (f *IssueFields) decodeProblems() []DecodeProblem { return f.problems }

// UnmarshalJSON decodes the known system fields and keeps the rest raw,
// in one pass. Only input that is not a JSON object fails.
func (f *IssueFields) UnmarshalJSON(data []byte) error {
	*f = IssueFields{}
	err := jsonscan.Object(data, func(rawKey, v []byte) error {
		key, plain := jsonscan.Key(rawKey)
		var dst any
		if plain {
			dst = f.known(string(key))
		}
		if dst == nil {
			if f.Other == nil {
				f.Other = make(map[string]json.RawMessage, 16)
			}
			return keepRaw(&f.Other, rawKey, v)
		}
		if jsonscan.IsNull(v) {
			return nil
		}
		fv := reflect.ValueOf(dst).Elem()
		if err := decodeValue(fv, v); err != nil {
			fv.SetZero()
			if err := keepRaw(&f.Other, rawKey, v); err != nil {
				return err
			}
			f.problems = append(f.problems, DecodeProblem{Path: string(key), Raw: f.Other[string(key)], Err: err})
			return nil
		}
		f.problems = liftProblems(f.problems, string(key), fv)
		return nil
	})
	if err != nil {
		return fmt.Errorf("jira: issue fields: %w", err)
	}
	return nil
}

// known returns where the system field id is decoded to, or nil.
func (f *IssueFields) known(id string) any {
	switch id {
	case "summary":
		return &f.Summary
	case "description":
		return &f.Description
	case "environment":
		return &f.Environment
	case "project":
		return &f.Project
	case "issuetype":
		return &f.IssueType
	case "status":
		return &f.Status
	case "priority":
		return &f.Priority
	case "resolution":
		return &f.Resolution
	case "assignee":
		return &f.Assignee
	case "reporter":
		return &f.Reporter
	case "creator":
		return &f.Creator
	case "labels":
		return &f.Labels
	case "parent":
		return &f.Parent
	case "created":
		return &f.Created
	case "updated":
		return &f.Updated
	case "resolutiondate":
		return &f.ResolutionDate
	case "duedate":
		return &f.DueDate
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
