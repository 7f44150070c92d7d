package jira

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/trackbridge/trackbridge/tracker"
)

// WorkflowService lists priorities and statuses.
type WorkflowService service

// Priorities returns every priority (GET /priority). Atlassian marks it
// deprecated in favour of /priority/search, which Data Center lacks; on
// Cloud, when /priority answers 404 or 410, the paged /priority/search is
// used instead.
func (s *WorkflowService) Priorities(ctx context.Context) ([]*Priority, *Response, error) {
	var out []*Priority
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("priority"), nil, nil, &out)
	if err != nil && s.c.isCloud() && resp != nil && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone) {
		return s.searchPriorities(ctx)
	}
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

func (s *WorkflowService) searchPriorities(ctx context.Context) ([]*Priority, *Response, error) {
	return allValues[*Priority](ctx, s.c, s.c.path("priority/search"))
}

// Statuses returns every status the site has, with its category (GET
// /status).
func (s *WorkflowService) Statuses(ctx context.Context) ([]*Status, *Response, error) {
	var out []*Status
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("status"), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// ProjectStatuses returns the statuses of a project's workflows, per issue
// type (GET /project/{key}/statuses).
func (s *WorkflowService) ProjectStatuses(ctx context.Context, project string) ([]*IssueTypeStatuses, *Response, error) {
	var out []*IssueTypeStatuses
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("project/%s/statuses", project), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// IssueTypeStatuses lists the statuses an issue type can have.
type IssueTypeStatuses struct {
	Extras

	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Subtask  bool      `json:"subtask"`
	Statuses []*Status `json:"statuses"`
}

func (s *WorkflowService) checkStatusExists(ctx context.Context, name string) error {
	list, _, err := s.Statuses(ctx)
	if err != nil {
		return err
	}
	for _, st := range list {
		if strings.EqualFold(st.Name, name) {
			return nil
		}
	}
	return fmt.Errorf("no status is named %q: %w", name, tracker.ErrNoTransition)
}

// Resolutions returns every resolution (GET /resolution). On Cloud, where
// Atlassian deprecates it, a 404 or 410 falls back to the paged
// /resolution/search.
func (s *WorkflowService) Resolutions(ctx context.Context) ([]*Resolution, *Response, error) {
	var out []*Resolution
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("resolution"), nil, nil, &out)
	if err != nil && s.c.isCloud() && resp != nil && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone) {
		return allValues[*Resolution](ctx, s.c, s.c.path("resolution/search"))
	}
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// StatusCategories returns the status categories (GET /statuscategory),
// on Cloud and Data Center alike.
func (s *WorkflowService) StatusCategories(ctx context.Context) ([]*StatusCategory, *Response, error) {
	var out []*StatusCategory
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("statuscategory"), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// WorkflowStatus is a status as the Cloud status search returns it: its
// category is a constant (TODO, IN_PROGRESS, DONE) and its scope says
// whether it is global or belongs to one team-managed project.
type WorkflowStatus struct {
	Extras

	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// StatusCategory is TODO, IN_PROGRESS or DONE.
	StatusCategory string       `json:"statusCategory,omitempty"`
	Scope          *StatusScope `json:"scope,omitempty"`
}

// The status categories of a [WorkflowStatus].
const (
	StatusCategoryToDo       = "TODO"
	StatusCategoryInProgress = "IN_PROGRESS"
	StatusCategoryDone       = "DONE"
)

// StatusScope is where a status applies: Type GLOBAL, or PROJECT with the
// project's id.
type StatusScope struct {
	Extras

	Type    string `json:"type"`
	Project *struct {
		ID string `json:"id"`
	} `json:"project,omitempty"`
}

// StatusSearchOptions filters SearchStatuses. Zero fields do not filter.
type StatusSearchOptions struct {
	// ProjectID selects the statuses of one project (Cloud only).
	ProjectID string `url:"projectId,omitempty"`
	// SearchString matches part of the name, case-insensitively.
	SearchString string `url:"searchString,omitempty"`
	// StatusCategory is TODO, IN_PROGRESS or DONE.
	StatusCategory string `url:"statusCategory,omitempty"`
}

// SearchStatuses returns the statuses matching opts: on Cloud every page
// of GET /rest/api/3/statuses/search; on Data Center, which has no such
// endpoint, GET /status filtered here (ProjectID is ignored there and every
// status's scope is GLOBAL).
func (s *WorkflowService) SearchStatuses(ctx context.Context, opts *StatusSearchOptions) ([]*WorkflowStatus, *Response, error) {
	if opts == nil {
		opts = &StatusSearchOptions{}
	}
	if !s.c.isCloud() {
		all, resp, err := s.Statuses(ctx)
		if err != nil {
			return nil, resp, err
		}
		var out []*WorkflowStatus
		for _, st := range all {
			ws := &WorkflowStatus{ID: st.ID, Name: st.Name, Description: st.Description,
				StatusCategory: workflowCategory(st.CategoryKey()), Scope: &StatusScope{Type: "GLOBAL"}}
			if opts.SearchString != "" && !strings.Contains(strings.ToLower(st.Name), strings.ToLower(opts.SearchString)) {
				continue
			}
			if opts.StatusCategory != "" && !strings.EqualFold(opts.StatusCategory, ws.StatusCategory) {
				continue
			}
			out = append(out, ws)
		}
		return out, resp, nil
	}
	var out []*WorkflowStatus
	var last *Response
	for startAt := 0; ; {
		q := struct {
			*StatusSearchOptions
			offsetQuery
		}{opts, offsetQuery{startAt, 200}}
		var page struct {
			StartAt int               `json:"startAt"`
			IsLast  bool              `json:"isLast"`
			Values  []*WorkflowStatus `json:"values"`
		}
		resp, err := s.c.do(ctx, http.MethodGet, s.c.path("statuses/search"), q, nil, &page)
		last = resp
		if err != nil {
			return nil, resp, err
		}
		out = append(out, page.Values...)
		if page.IsLast || len(page.Values) == 0 {
			return out, last, nil
		}
		startAt = page.StartAt + len(page.Values)
	}
}

// workflowCategory maps a status category key to the constant the status
// search uses.
func workflowCategory(key string) string {
	switch key {
	case CategoryNew:
		return StatusCategoryToDo
	case CategoryIndeterminate:
		return StatusCategoryInProgress
	case CategoryDone:
		return StatusCategoryDone
	}
	return ""
}
