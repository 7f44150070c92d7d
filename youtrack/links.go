package youtrack

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// DefaultLinkTypeFields is the projection of link type calls.
const DefaultLinkTypeFields = "$type,id,name,localizedName,sourceToTarget,localizedSourceToTarget," +
	"targetToSource,localizedTargetToSource,directed,aggregation,readOnly"

// DefaultLinkFields is the projection of issue link calls.
const DefaultLinkFields = "$type,id,direction,linkType(" + DefaultLinkTypeFields + ")," +
	"issues($type,id,idReadable,summary,resolved)"

// Link directions of an [IssueLink].
const (
	// DirectionOutward: the issue is the source ("depends on", "parent for").
	DirectionOutward = "OUTWARD"
	// DirectionInward: the issue is the target ("is required for",
	// "subtask of").
	DirectionInward = "INWARD"
	// DirectionBoth: the link type is undirected ("relates to").
	DirectionBoth = "BOTH"
)

// IssueLinkType is a kind of link between issues ("Depend", "Subtask",
// "Duplicate", "Relates").
type IssueLinkType struct {
	Type string `json:"$type,omitempty"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// LocalizedName is the name in the server's language, or null.
	LocalizedName string `json:"localizedName,omitempty"`
	// SourceToTarget reads the link from its source ("depends on");
	// TargetToSource from its target ("is required for").
	SourceToTarget          string `json:"sourceToTarget,omitempty"`
	LocalizedSourceToTarget string `json:"localizedSourceToTarget,omitempty"`
	TargetToSource          string `json:"targetToSource,omitempty"`
	LocalizedTargetToSource string `json:"localizedTargetToSource,omitempty"`
	Directed                bool   `json:"directed,omitempty"`
	// Aggregation marks parent/subtask-like types.
	Aggregation bool `json:"aggregation,omitempty"`
	ReadOnly    bool `json:"readOnly,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// IssueLink is the set of issues linked to one issue by one link type in
// one direction.
type IssueLink struct {
	Type string `json:"$type,omitempty"`
	// ID names the link in paths: the link type id, with "s" (the issue
	// is the source) or "t" (the target) appended for directed types.
	ID string `json:"id,omitempty"`
	// Direction is [DirectionOutward], [DirectionInward] or
	// [DirectionBoth].
	Direction string         `json:"direction,omitempty"`
	LinkType  *IssueLinkType `json:"linkType,omitempty"`
	Issues    []Issue        `json:"issues,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// LinksService handles issue links (/api/issues/{id}/links) and link
// types (/api/issueLinkTypes).
type LinksService struct{ c *Client }

// List returns one page of an issue's links, one entry per link type and
// direction, linked issues or not.
func (s *LinksService) List(ctx context.Context, issueID string, o *ListOptions) ([]*IssueLink, *Response, error) {
	if issueID == "" {
		return nil, nil, errors.New("youtrack: Links.List: empty issue id")
	}
	return getList[IssueLink](ctx, s.c, rest.Pathf("api/issues/%s/links", issueID), s.c.listQuery(o, DefaultLinkFields, ""))
}

// All returns every link of an issue, page by page.
func (s *LinksService) All(ctx context.Context, issueID string, o *ListOptions) iter.Seq2[*IssueLink, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*IssueLink, error) {
		list, _, err := s.List(ctx, issueID, po)
		return list, err
	})
}

// Add links target (a database or readable id) to the issue through the
// link linkID ([IssueLink.ID], such as "106-2s") and returns the target.
func (s *LinksService) Add(ctx context.Context, issueID, linkID, target string) (*Issue, *Response, error) {
	if issueID == "" || linkID == "" || target == "" {
		return nil, nil, errors.New("youtrack: Links.Add: issue id, link id and target are required")
	}
	body := map[string]string{"id": target}
	if !IsDatabaseID(target) {
		body = map[string]string{"idReadable": target}
	}
	var out Issue
	resp, err := s.c.do(ctx, http.MethodPost, rest.Pathf("api/issues/%s/links/%s/issues", issueID, linkID), fieldsQuery{"$type,id,idReadable,summary"}, body, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Remove unlinks the issue with database id targetID from the link linkID
// of the issue.
func (s *LinksService) Remove(ctx context.Context, issueID, linkID, targetID string) (*Response, error) {
	if issueID == "" || linkID == "" || targetID == "" {
		return nil, errors.New("youtrack: Links.Remove: issue id, link id and target id are required")
	}
	return s.c.do(ctx, http.MethodDelete, rest.Pathf("api/issues/%s/links/%s/issues/%s", issueID, linkID, targetID), nil, nil, nil)
}

// Types returns one page of the link types.
func (s *LinksService) Types(ctx context.Context, o *ListOptions) ([]*IssueLinkType, *Response, error) {
	return getList[IssueLinkType](ctx, s.c, "api/issueLinkTypes", s.c.listQuery(o, DefaultLinkTypeFields, ""))
}

// AllTypes returns every link type, page by page.
func (s *LinksService) AllTypes(ctx context.Context, o *ListOptions) iter.Seq2[*IssueLinkType, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*IssueLinkType, error) {
		list, _, err := s.Types(ctx, po)
		return list, err
	})
}

// Type returns one link type by id.
func (s *LinksService) Type(ctx context.Context, id string, o *GetOptions) (*IssueLinkType, *Response, error) {
	if id == "" {
		return nil, nil, errors.New("youtrack: Links.Type: empty id")
	}
	return getOne[IssueLinkType](ctx, s.c, rest.Pathf("api/issueLinkTypes/%s", id), fieldsOf(o, DefaultLinkTypeFields))
}
