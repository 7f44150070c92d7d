package youtrack

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// DefaultCommentFields is the projection comment calls use unless told
// otherwise.
const DefaultCommentFields = "$type,id,text,textPreview,usesMarkdown,created,updated,deleted,author($type,id,login,fullName,ringId)," +
	"attachments($type,id,name,url,size,mimeType,created,removed,author($type,id,login,fullName,ringId))," +
	"visibility($type,permittedGroups($type,name),permittedUsers($type,login))"

// Comment is a comment on an issue.
type Comment struct {
	Type string `json:"$type,omitempty"`
	ID   string `json:"id,omitempty"`
	Text string `json:"text,omitempty"`
	// TextPreview is the text rendered to HTML by YouTrack (read-only).
	TextPreview  string `json:"textPreview,omitempty"`
	UsesMarkdown bool   `json:"usesMarkdown,omitempty"`
	Created      Millis `json:"created,omitempty"`
	// Updated is 0 (null on the wire) until the comment is edited.
	Updated Millis `json:"updated,omitempty"`
	Deleted bool   `json:"deleted,omitempty"`
	Author  *User  `json:"author,omitempty"`
	// Attachments are the files attached to the comment.
	Attachments []Attachment `json:"attachments,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// Attachment is a file attached to an issue or a comment.
type Attachment struct {
	Type string `json:"$type,omitempty"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// URL is relative to the service URL and carries a signature that lets
	// its holder download the file.
	URL      string `json:"url,omitempty"`
	Size     int64  `json:"size,omitempty"`
	MimeType string `json:"mimeType,omitempty"`
	Created  Millis `json:"created,omitempty"`
	Removed  bool   `json:"removed,omitempty"`
	Author   *User  `json:"author,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
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
	return getList[Comment](ctx, s.c, rest.Pathf("api/issues/%s/comments", issueID), s.c.listQuery(o, DefaultCommentFields, ""))
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
