package youtrack

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"strings"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// DefaultTagFields is the projection of tag calls.
const DefaultTagFields = "$type,id,name"

// Tag is an issue tag.
type Tag struct {
	Type string `json:"$type,omitempty"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// TagsService handles /api/tags and the tags of issues.
type TagsService struct{ c *Client }

// List returns one page of the tags visible to the token whose names match
// query (empty: all).
func (s *TagsService) List(ctx context.Context, query string, o *ListOptions) ([]*Tag, *Response, error) {
	return getList[Tag](ctx, s.c, "api/tags", s.c.listQuery(o, DefaultTagFields, query))
}

// All returns every tag matching query, page by page.
func (s *TagsService) All(ctx context.Context, query string, o *ListOptions) iter.Seq2[*Tag, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*Tag, error) {
		list, _, err := s.List(ctx, query, po)
		return list, err
	})
}

// ByName returns the tag named name (case-insensitively), or nil when there
// is none.
func (s *TagsService) ByName(ctx context.Context, name string) (*Tag, error) {
	for t, err := range s.All(ctx, name, nil) {
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(t.Name, name) {
			return t, nil
		}
	}
	return nil, nil
}

// Create creates a tag.
func (s *TagsService) Create(ctx context.Context, name string) (*Tag, *Response, error) {
	if strings.TrimSpace(name) == "" {
		return nil, nil, errors.New("youtrack: Tags.Create: empty name")
	}
	var out Tag
	resp, err := s.c.do(ctx, http.MethodPost, "api/tags", fieldsQuery{DefaultTagFields}, Tag{Name: name}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// AddToIssue tags an issue.
func (s *TagsService) AddToIssue(ctx context.Context, issueID, tagID string) (*Response, error) {
	if issueID == "" || tagID == "" {
		return nil, errors.New("youtrack: Tags.AddToIssue: issue id and tag id are required")
	}
	return s.c.do(ctx, http.MethodPost, rest.Pathf("api/issues/%s/tags", issueID), fieldsQuery{DefaultTagFields}, entityRef{ID: tagID}, nil)
}

// RemoveFromIssue removes a tag from an issue.
func (s *TagsService) RemoveFromIssue(ctx context.Context, issueID, tagID string) (*Response, error) {
	if issueID == "" || tagID == "" {
		return nil, errors.New("youtrack: Tags.RemoveFromIssue: issue id and tag id are required")
	}
	return s.c.do(ctx, http.MethodDelete, rest.Pathf("api/issues/%s/tags/%s", issueID, tagID), nil, nil, nil)
}
