package youtrack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"regexp"
	"strings"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// DefaultIssueFields is the projection issue calls use unless told
// otherwise: the attributes the adapter maps, custom fields with their
// values, and tags.
const DefaultIssueFields = "$type,id,idReadable,summary,description,wikifiedDescription,created,updated,resolved," +
	"project($type,id,shortName,name),reporter($type,id,login,fullName,ringId),updater($type,id,login,fullName,ringId),commentsCount," +
	"customFields($type,id,name,value($type,id,name,login,fullName,email,ringId,isResolved,text,presentation,minutes)," +
	"projectCustomField($type,field($type,name,fieldType($type,id))))," +
	"tags($type,id,name)"

// Issue is a YouTrack issue as far as the projection asked for it.
type Issue struct {
	Type        string `json:"$type,omitempty"`
	ID          string `json:"id,omitempty"`
	IDReadable  string `json:"idReadable,omitempty"`
	Summary     string `json:"summary,omitempty"`
	Description string `json:"description,omitempty"`
	// WikifiedDescription is the description rendered to HTML by YouTrack
	// (read-only).
	WikifiedDescription string  `json:"wikifiedDescription,omitempty"`
	Created             Millis  `json:"created,omitempty"`
	Updated             Millis  `json:"updated,omitempty"`
	Resolved            *Millis `json:"resolved,omitempty"`
	// Project carries at least the id and shortName in the default projection.
	Project  *Project `json:"project,omitempty"`
	Reporter *User    `json:"reporter,omitempty"`
	// Updater is the user who last updated the issue.
	Updater *User `json:"updater,omitempty"`
	// CommentsCount is the number of comments (read-only).
	CommentsCount int           `json:"commentsCount,omitempty"`
	CustomFields  []CustomField `json:"customFields,omitempty"`
	Tags          []Tag         `json:"tags,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// Field returns the custom field named name, or nil.
func (i *Issue) Field(name string) *CustomField { return FieldByName(i.CustomFields, name) }

// IssueCreate is what [IssuesService.Create] needs.
type IssueCreate struct {
	// Project is the project's short name ("HD"); the client resolves it to
	// the entity id YouTrack requires and caches the answer. An entity id
	// ("0-1") there, or in ProjectID, is used as is.
	Project   string
	ProjectID string
	Summary   string
	// Description is Markdown or YouTrack wiki, as the project is set up.
	Description  string
	CustomFields []CustomField
	// Tags are tag entity ids ("6-0") the issue gets from its creation on.
	Tags []string
	// MuteUpdateNotifications asks YouTrack not to notify watchers.
	MuteUpdateNotifications bool
}

// IssueUpdate changes an issue; nil and empty members are left as they are.
type IssueUpdate struct {
	Summary      *string
	Description  *string
	CustomFields []CustomField
	// Tags, when set, replaces the issue's tags (entity ids).
	Tags *[]string
}

type entityRef struct {
	ID string `json:"id"`
}

// issueWrite is the body of create and update.
type issueWrite struct {
	Project      *entityRef    `json:"project,omitempty"`
	Summary      *string       `json:"summary,omitempty"`
	Description  *string       `json:"description,omitempty"`
	CustomFields []CustomField `json:"customFields,omitempty"`
	Tags         *[]entityRef  `json:"tags,omitempty"`
}

func refs(ids []string) *[]entityRef {
	out := make([]entityRef, len(ids))
	for i, id := range ids {
		out[i] = entityRef{ID: id}
	}
	return &out
}

// IssuesService handles /api/issues.
type IssuesService struct{ c *Client }

// Get returns the issue with database id ("2-17") or readable id ("HD-25").
func (s *IssuesService) Get(ctx context.Context, id string, o *GetOptions) (*Issue, *Response, error) {
	if id == "" {
		return nil, nil, errors.New("youtrack: Issues.Get: empty id")
	}
	var is Issue
	resp, err := s.c.do(ctx, http.MethodGet, rest.Pathf("api/issues/%s", id), fieldsOf(o, DefaultIssueFields), nil, &is)
	if err != nil {
		return nil, resp, err
	}
	return &is, resp, nil
}

// List returns one page of the issues matching a YouTrack query (empty
// matches all issues the token can see).
func (s *IssuesService) List(ctx context.Context, query string, o *ListOptions) ([]*Issue, *Response, error) {
	return getList[Issue](ctx, s.c, "api/issues", s.c.listQuery(o, DefaultIssueFields, query))
}

// Search returns every issue matching a YouTrack query, fetching pages of
// o.Top (default: the client's page size) from o.Skip on as the caller
// ranges, until a short page.
func (s *IssuesService) Search(ctx context.Context, query string, o *ListOptions) iter.Seq2[*Issue, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*Issue, error) {
		list, _, err := s.List(ctx, query, po)
		return list, err
	})
}

type createQuery struct {
	Fields string `url:"fields,omitempty"`
	Mute   bool   `url:"muteUpdateNotifications,omitempty"`
}

// Create opens an issue and returns it in the projection o (default
// [DefaultIssueFields]).
func (s *IssuesService) Create(ctx context.Context, in *IssueCreate, o *GetOptions) (*Issue, *Response, error) {
	if in == nil || strings.TrimSpace(in.Summary) == "" {
		return nil, nil, errors.New("youtrack: Issues.Create: summary is required")
	}
	projectID := in.ProjectID
	if projectID == "" && IsDatabaseID(in.Project) {
		projectID = in.Project
	}
	if projectID == "" {
		if in.Project == "" {
			return nil, nil, errors.New("youtrack: Issues.Create: project is required")
		}
		p, err := s.c.Projects.ByShortName(ctx, in.Project)
		if err != nil {
			return nil, nil, err
		}
		projectID = p.ID
	}
	body := issueWrite{Project: &entityRef{ID: projectID}, Summary: &in.Summary, CustomFields: in.CustomFields}
	if in.Description != "" {
		body.Description = &in.Description
	}
	if len(in.Tags) > 0 {
		body.Tags = refs(in.Tags)
	}
	q := createQuery{Fields: fieldsOf(o, DefaultIssueFields).Fields, Mute: in.MuteUpdateNotifications}
	var is Issue
	resp, err := s.c.do(ctx, http.MethodPost, "api/issues", q, body, &is)
	if err != nil {
		return nil, resp, err
	}
	return &is, resp, nil
}

// Update changes an issue with a partial POST (YouTrack updates with POST,
// not PUT or PATCH) and returns it in the projection o.
func (s *IssuesService) Update(ctx context.Context, id string, in *IssueUpdate, o *GetOptions) (*Issue, *Response, error) {
	if id == "" {
		return nil, nil, errors.New("youtrack: Issues.Update: empty id")
	}
	if in == nil {
		in = &IssueUpdate{}
	}
	body := issueWrite{Summary: in.Summary, Description: in.Description, CustomFields: in.CustomFields}
	if in.Tags != nil {
		body.Tags = refs(*in.Tags)
	}
	var is Issue
	resp, err := s.c.do(ctx, http.MethodPost, rest.Pathf("api/issues/%s", id), fieldsOf(o, DefaultIssueFields), body, &is)
	if err != nil {
		return nil, resp, err
	}
	return &is, resp, nil
}

// Delete deletes an issue.
func (s *IssuesService) Delete(ctx context.Context, id string) (*Response, error) {
	if id == "" {
		return nil, errors.New("youtrack: Issues.Delete: empty id")
	}
	return s.c.do(ctx, http.MethodDelete, rest.Pathf("api/issues/%s", id), nil, nil, nil)
}

// DefaultCustomFieldFields is the projection of custom field calls.
const DefaultCustomFieldFields = "$type,id,name,value($type,id,name,login,fullName,email,ringId,isResolved,text,presentation,minutes)"

// UpdateCustomField sets one custom field of an issue through
// /api/issues/{id}/customFields/{fieldId}. f.Type must be the field's
// $type (YouTrack answers 500 otherwise). When f.ID is empty the field is
// looked up on the issue by name first.
func (s *IssuesService) UpdateCustomField(ctx context.Context, issueID string, f CustomField) (*CustomField, *Response, error) {
	if issueID == "" || f.Type == "" {
		return nil, nil, errors.New("youtrack: Issues.UpdateCustomField: issue id and field $type are required")
	}
	if f.ID == "" {
		is, resp, err := s.Get(ctx, issueID, &GetOptions{Fields: "id,customFields($type,id,name)"})
		if err != nil {
			return nil, resp, err
		}
		cur := is.Field(f.Name)
		if cur == nil {
			return nil, resp, fmt.Errorf("youtrack: issue %s has no custom field %q", issueID, f.Name)
		}
		f.ID = cur.ID
	}
	body := struct {
		Type  string `json:"$type"`
		Value any    `json:"value"`
	}{f.Type, f.Value}
	var out CustomField
	resp, err := s.c.do(ctx, http.MethodPost, rest.Pathf("api/issues/%s/customFields/%s", issueID, f.ID), fieldsQuery{DefaultCustomFieldFields}, body, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

var databaseID = regexp.MustCompile(`^[0-9]+-[0-9]+$`)

// IsDatabaseID reports whether id looks like a database id ("2-17") rather
// than a readable id ("HD-25").
func IsDatabaseID(id string) bool { return databaseID.MatchString(id) }
