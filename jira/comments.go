package jira

import (
	"context"
	"iter"
	"net/http"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// CommentsService reads and writes issue comments.
type CommentsService service

// Comment is a comment on an issue.
type Comment struct {
	Extras

	Self         string      `json:"self,omitempty"`
	ID           string      `json:"id"`
	Author       *User       `json:"author,omitempty"`
	Body         *RichText   `json:"body,omitempty"`
	UpdateAuthor *User       `json:"updateAuthor,omitempty"`
	Created      Time        `json:"created"`
	Updated      Time        `json:"updated"`
	Visibility   *Visibility `json:"visibility,omitempty"`
	JSDPublic    bool        `json:"jsdPublic,omitempty"`
}

// Visibility restricts a comment to a project role or a group.
type Visibility struct {
	Extras

	// Type is "role" or "group".
	Type  string `json:"type"`
	Value string `json:"value,omitempty"`
	// Identifier is the group id (Cloud) for Type "group".
	Identifier string `json:"identifier,omitempty"`
}

// CommentInput is the body of a new or edited comment.
type CommentInput struct {
	Body       *RichText
	Visibility *Visibility
}

type wireComment struct {
	Body       any         `json:"body"`
	Visibility *Visibility `json:"visibility,omitempty"`
}

func (c *Client) commentBody(in *CommentInput) *wireComment {
	return &wireComment{Body: in.Body.forWire(c.isCloud()), Visibility: in.Visibility}
}

// CommentListOptions pages and orders List.
type CommentListOptions struct {
	StartAt    int `url:"startAt,omitempty"`
	MaxResults int `url:"maxResults,omitempty"`
	// OrderBy is "created" or "-created".
	OrderBy string `url:"orderBy,omitempty"`
}

// CommentPage is one page of comments.
type CommentPage struct {
	Extras

	StartAt    int        `json:"startAt"`
	MaxResults int        `json:"maxResults"`
	Total      int        `json:"total"`
	Comments   []*Comment `json:"comments"`
}

// List returns one page of an issue's comments.
func (s *CommentsService) List(ctx context.Context, issue string, opts *CommentListOptions) (*CommentPage, *Response, error) {
	var out CommentPage
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("issue/%s/comment", issue), opts, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// All iterates over all of an issue's comments, oldest first, fetching
// pages as the caller ranges.
func (s *CommentsService) All(ctx context.Context, issue string) iter.Seq2[*Comment, error] {
	return rest.Paginate(ctx, 0, func(ctx context.Context, startAt int) ([]*Comment, int, bool, error) {
		page, _, err := s.List(ctx, issue, &CommentListOptions{StartAt: startAt, MaxResults: 100, OrderBy: "created"})
		if err != nil {
			return nil, 0, false, err
		}
		next := page.StartAt + len(page.Comments)
		return page.Comments, next, next < page.Total, nil
	})
}

// Get returns one comment.
func (s *CommentsService) Get(ctx context.Context, issue, id string) (*Comment, *Response, error) {
	var out Comment
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("issue/%s/comment/%s", issue, id), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Add adds a comment.
func (s *CommentsService) Add(ctx context.Context, issue string, in *CommentInput) (*Comment, *Response, error) {
	var out Comment
	resp, err := s.c.do(ctx, http.MethodPost, s.c.path("issue/%s/comment", issue), nil, s.c.commentBody(in), &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Update replaces a comment's body (and visibility).
func (s *CommentsService) Update(ctx context.Context, issue, id string, in *CommentInput) (*Comment, *Response, error) {
	var out Comment
	resp, err := s.c.do(ctx, http.MethodPut, s.c.path("issue/%s/comment/%s", issue, id), nil, s.c.commentBody(in), &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Delete deletes a comment.
func (s *CommentsService) Delete(ctx context.Context, issue, id string) (*Response, error) {
	return s.c.do(ctx, http.MethodDelete, s.c.path("issue/%s/comment/%s", issue, id), nil, nil, nil)
}
