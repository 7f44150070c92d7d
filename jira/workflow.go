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
