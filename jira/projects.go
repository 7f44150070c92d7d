package jira

import (
	"context"
	"iter"
	"net/http"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// ProjectsService reads projects and their create metadata.
type ProjectsService service

// Get returns a project by id or key, with its issue types.
func (s *ProjectsService) Get(ctx context.Context, idOrKey string) (*Project, *Response, error) {
	var out Project
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("project/%s", idOrKey), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// List returns every project visible to the caller: paged GET
// /project/search on Cloud, GET /project on Data Center.
func (s *ProjectsService) List(ctx context.Context) ([]*Project, error) {
	if !s.c.isCloud() {
		var out []*Project
		_, err := s.c.do(ctx, http.MethodGet, s.c.path("project"), nil, nil, &out)
		return out, err
	}
	out, _, err := allValues[*Project](ctx, s.c, s.c.path("project/search"))
	return out, err
}

// allValues collects every item of a paged GET answering Jira's
// {startAt, isLast, values} shape (project/search, priority/search), 100
// a page, advancing by what came back since the server may send fewer.
// The *Response is the last one received.
func allValues[T any](ctx context.Context, c *Client, path string) ([]T, *Response, error) {
	var out []T
	var last *Response
	for v, err := range rest.Paginate(ctx, 0, func(ctx context.Context, startAt int) ([]T, int, bool, error) {
		var page struct {
			StartAt int  `json:"startAt"`
			IsLast  bool `json:"isLast"`
			Values  []T  `json:"values"`
		}
		resp, err := c.do(ctx, http.MethodGet, path, offsetQuery{startAt, 100}, nil, &page)
		last = resp
		if err != nil {
			return nil, 0, false, err
		}
		return page.Values, page.StartAt + len(page.Values), !page.IsLast, nil
	}) {
		if err != nil {
			return nil, last, err
		}
		out = append(out, v)
	}
	return out, last, nil
}

// offsetQuery is the query of an offset-paged request.
type offsetQuery struct {
	StartAt    int `url:"startAt"`
	MaxResults int `url:"maxResults"`
}

// CreateIssueTypes iterates over the issue types one can create in a
// project (GET /issue/createmeta/{project}/issuetypes).
func (s *ProjectsService) CreateIssueTypes(ctx context.Context, project string) iter.Seq2[*IssueType, error] {
	return rest.Paginate(ctx, 0, func(ctx context.Context, startAt int) ([]*IssueType, int, bool, error) {
		var page struct {
			StartAt    int          `json:"startAt"`
			Total      int          `json:"total"`
			IssueTypes []*IssueType `json:"issueTypes"`
			Values     []*IssueType `json:"values"` // Data Center's name
		}
		if _, err := s.c.do(ctx, http.MethodGet, s.c.path("issue/createmeta/%s/issuetypes", project), offsetQuery{startAt, 200}, nil, &page); err != nil {
			return nil, 0, false, err
		}
		items := append(page.IssueTypes, page.Values...)
		next := page.StartAt + len(items)
		return items, next, next < page.Total, nil
	})
}

// CreateFields iterates over the fields of a project's create screen for
// an issue type, with whether each is required and its allowed values (GET
// /issue/createmeta/{project}/issuetypes/{issueTypeId}).
func (s *ProjectsService) CreateFields(ctx context.Context, project, issueTypeID string) iter.Seq2[*FieldMetadata, error] {
	return rest.Paginate(ctx, 0, func(ctx context.Context, startAt int) ([]*FieldMetadata, int, bool, error) {
		var page struct {
			StartAt int              `json:"startAt"`
			Total   int              `json:"total"`
			Fields  []*FieldMetadata `json:"fields"`
			Values  []*FieldMetadata `json:"values"` // Data Center's name
		}
		if _, err := s.c.do(ctx, http.MethodGet, s.c.path("issue/createmeta/%s/issuetypes/%s", project, issueTypeID), offsetQuery{startAt, 200}, nil, &page); err != nil {
			return nil, 0, false, err
		}
		items := append(page.Fields, page.Values...)
		next := page.StartAt + len(items)
		return items, next, next < page.Total, nil
	})
}
