package youtrack

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// DefaultWorkItemFields is the projection of work item calls.
const DefaultWorkItemFields = "$type,id,text,textPreview,usesMarkdown,date,created,updated," +
	"duration($type,id,minutes,presentation),type($type,id,name)," +
	"author($type,id,login,fullName,ringId),creator($type,id,login,fullName,ringId),issue($type,id,idReadable)"

// WorkItem is time spent on an issue.
type WorkItem struct {
	Type        string `json:"$type,omitempty"`
	ID          string `json:"id,omitempty"`
	Text        string `json:"text,omitempty"`
	TextPreview string `json:"textPreview,omitempty"`
	// UsesMarkdown says whether Text is Markdown.
	UsesMarkdown bool `json:"usesMarkdown,omitempty"`
	// Date is the day the work was done (midnight UTC).
	Date    Millis `json:"date,omitempty"`
	Created Millis `json:"created,omitempty"`
	Updated Millis `json:"updated,omitempty"`
	// Duration holds the minutes and their presentation ("1h 30m").
	Duration *Period `json:"duration,omitempty"`
	// WorkType is the work item type ("Development"), or nil.
	WorkType *WorkItemType `json:"type,omitempty"`
	// Author is who did the work; Creator who recorded it.
	Author  *User  `json:"author,omitempty"`
	Creator *User  `json:"creator,omitempty"`
	Issue   *Issue `json:"issue,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// WorkItemType is a kind of work ("Development", "Testing").
type WorkItemType struct {
	Type string `json:"$type,omitempty"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// WorkItemInput is the body of adding or editing a work item.
type WorkItemInput struct {
	// Minutes is the time spent; required when adding.
	Minutes int64
	Text    string
	// Date is the day of the work; zero means today (on the server).
	Date Millis
	// TypeID is the work item type's id, empty for none.
	TypeID string
	// AuthorLogin attributes the work to another user, empty for the
	// token's own.
	AuthorLogin  string
	UsesMarkdown *bool
}

type workItemWrite struct {
	Duration     *Period    `json:"duration,omitempty"`
	Text         string     `json:"text,omitempty"`
	Date         Millis     `json:"date,omitempty"`
	Type         *entityRef `json:"type,omitempty"`
	Author       *byLogin   `json:"author,omitempty"`
	UsesMarkdown *bool      `json:"usesMarkdown,omitempty"`
}

func (in *WorkItemInput) body() workItemWrite {
	w := workItemWrite{Text: in.Text, Date: in.Date, UsesMarkdown: in.UsesMarkdown}
	if in.Minutes > 0 {
		w.Duration = &Period{Minutes: in.Minutes}
	}
	if in.TypeID != "" {
		w.Type = &entityRef{ID: in.TypeID}
	}
	if in.AuthorLogin != "" {
		w.Author = &byLogin{Login: in.AuthorLogin}
	}
	return w
}

// WorkItemsService handles the work items of issues
// (/api/issues/{id}/timeTracking/workItems) and across issues
// (/api/workItems).
type WorkItemsService struct{ c *Client }

// List returns one page of an issue's work items.
func (s *WorkItemsService) List(ctx context.Context, issueID string, o *ListOptions) ([]*WorkItem, *Response, error) {
	if issueID == "" {
		return nil, nil, errors.New("youtrack: WorkItems.List: empty issue id")
	}
	return getList[WorkItem](ctx, s.c, rest.Pathf("api/issues/%s/timeTracking/workItems", issueID), s.c.listQuery(o, DefaultWorkItemFields, ""))
}

// All returns every work item of an issue, page by page.
func (s *WorkItemsService) All(ctx context.Context, issueID string, o *ListOptions) iter.Seq2[*WorkItem, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*WorkItem, error) {
		list, _, err := s.List(ctx, issueID, po)
		return list, err
	})
}

// Search returns one page of the work items of the issues matching a
// YouTrack query (empty: all the token can see) through /api/workItems.
func (s *WorkItemsService) Search(ctx context.Context, query string, o *ListOptions) ([]*WorkItem, *Response, error) {
	return getList[WorkItem](ctx, s.c, "api/workItems", s.c.listQuery(o, DefaultWorkItemFields, query))
}

// SearchAll returns every work item Search finds, page by page.
func (s *WorkItemsService) SearchAll(ctx context.Context, query string, o *ListOptions) iter.Seq2[*WorkItem, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*WorkItem, error) {
		list, _, err := s.Search(ctx, query, po)
		return list, err
	})
}

// Get returns one work item of an issue.
func (s *WorkItemsService) Get(ctx context.Context, issueID, itemID string, o *GetOptions) (*WorkItem, *Response, error) {
	if issueID == "" || itemID == "" {
		return nil, nil, errors.New("youtrack: WorkItems.Get: issue id and work item id are required")
	}
	return getOne[WorkItem](ctx, s.c, rest.Pathf("api/issues/%s/timeTracking/workItems/%s", issueID, itemID), fieldsOf(o, DefaultWorkItemFields))
}

// Add records time spent on an issue.
func (s *WorkItemsService) Add(ctx context.Context, issueID string, in *WorkItemInput) (*WorkItem, *Response, error) {
	if issueID == "" || in == nil || in.Minutes <= 0 {
		return nil, nil, errors.New("youtrack: WorkItems.Add: issue id and a positive duration are required")
	}
	var out WorkItem
	resp, err := s.c.do(ctx, http.MethodPost, rest.Pathf("api/issues/%s/timeTracking/workItems", issueID), fieldsQuery{DefaultWorkItemFields}, in.body(), &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Update edits a work item; zero members of in are left as they are.
func (s *WorkItemsService) Update(ctx context.Context, issueID, itemID string, in *WorkItemInput) (*WorkItem, *Response, error) {
	if issueID == "" || itemID == "" || in == nil {
		return nil, nil, errors.New("youtrack: WorkItems.Update: issue id, work item id and input are required")
	}
	var out WorkItem
	resp, err := s.c.do(ctx, http.MethodPost, rest.Pathf("api/issues/%s/timeTracking/workItems/%s", issueID, itemID), fieldsQuery{DefaultWorkItemFields}, in.body(), &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Delete deletes a work item.
func (s *WorkItemsService) Delete(ctx context.Context, issueID, itemID string) (*Response, error) {
	if issueID == "" || itemID == "" {
		return nil, errors.New("youtrack: WorkItems.Delete: issue id and work item id are required")
	}
	return s.c.do(ctx, http.MethodDelete, rest.Pathf("api/issues/%s/timeTracking/workItems/%s", issueID, itemID), nil, nil, nil)
}
