package youtrack

import (
	"context"
	"errors"
	"iter"
	"net/http"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// DefaultCommentFields is the projection comment calls use unless told
// otherwise.
const DefaultCommentFields = "$type,id,text,usesMarkdown,created,updated,deleted,author($type,id,login,fullName,ringId)"

// Comment is a comment on an issue.
type Comment struct {
	Type         string `json:"$type,omitempty"`
	ID           string `json:"id,omitempty"`
	Text         string `json:"text,omitempty"`
	UsesMarkdown bool   `json:"usesMarkdown,omitempty"`
	Created      Millis `json:"created,omitempty"`
	// Updated is 0 (null on the wire) until the comment is edited.
	Updated Millis `json:"updated,omitempty"`
	Deleted bool   `json:"deleted,omitempty"`
	Author  *User  `json:"author,omitempty"`
}

// CommentInput is the body of adding or editing a comment.
type CommentInput struct {
	Text string `json:"text"`
	// UsesMarkdown, when set, says whether Text is Markdown (true) or
	// YouTrack wiki (false).
	UsesMarkdown *bool `json:"usesMarkdown,omitempty"`
}

// CommentsService handles /api/issues/{id}/comments.
type CommentsService struct{ c *Client }

// List returns one page of an issue's comments.
func (s *CommentsService) List(ctx context.Context, issueID string, o *ListOptions) ([]*Comment, *Response, error) {
	if issueID == "" {
		return nil, nil, errors.New("youtrack: Comments.List: empty issue id")
	}
	var out []*Comment
	resp, err := s.c.do(ctx, http.MethodGet, rest.Pathf("api/issues/%s/comments", issueID), s.c.listQuery(o, DefaultCommentFields, ""), nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// All returns every comment of an issue, page by page.
func (s *CommentsService) All(ctx context.Context, issueID string, o *ListOptions) iter.Seq2[*Comment, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*Comment, error) {
		list, _, err := s.List(ctx, issueID, po)
		return list, err
	})
}

// Add adds a comment to an issue.
func (s *CommentsService) Add(ctx context.Context, issueID string, in *CommentInput) (*Comment, *Response, error) {
	if issueID == "" || in == nil {
		return nil, nil, errors.New("youtrack: Comments.Add: issue id and input are required")
	}
	var out Comment
	resp, err := s.c.do(ctx, http.MethodPost, rest.Pathf("api/issues/%s/comments", issueID), fieldsQuery{DefaultCommentFields}, in, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Update edits a comment.
func (s *CommentsService) Update(ctx context.Context, issueID, commentID string, in *CommentInput) (*Comment, *Response, error) {
	if issueID == "" || commentID == "" || in == nil {
		return nil, nil, errors.New("youtrack: Comments.Update: issue id, comment id and input are required")
	}
	var out Comment
	resp, err := s.c.do(ctx, http.MethodPost, rest.Pathf("api/issues/%s/comments/%s", issueID, commentID), fieldsQuery{DefaultCommentFields}, in, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Delete deletes a comment for good (DELETE; a soft delete is an Update
// with deleted set, which this client does not do).
func (s *CommentsService) Delete(ctx context.Context, issueID, commentID string) (*Response, error) {
	if issueID == "" || commentID == "" {
		return nil, errors.New("youtrack: Comments.Delete: issue id and comment id are required")
	}
	return s.c.do(ctx, http.MethodDelete, rest.Pathf("api/issues/%s/comments/%s", issueID, commentID), nil, nil, nil)
}
