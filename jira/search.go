package jira

import (
	"context"
	"iter"
	"net/http"
	"strconv"
	"strings"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// SearchService runs JQL searches. On Cloud it uses POST
// /rest/api/3/search/jql (token paging; the old /rest/api/3/search has
// been removed and answers 410), on Data Center POST /rest/api/2/search
// (offset paging). One cursor-based API covers both.
type SearchService service

// SearchOptions tunes a search.
type SearchOptions struct {
	// Fields lists field ids to return; empty means "*navigable" (Cloud
	// would otherwise return only ids).
	Fields []string
	// Expand lists expansions (names, schema, changelog, renderedFields).
	Expand []string
	// Properties lists up to 5 entity property keys to return.
	Properties []string
	// MaxResults is the page size; Jira may return fewer. 0 means 50.
	MaxResults int
	// ReconcileIssues lists up to 50 ids of issues just written, so a
	// Cloud search sees them at once (read your own writes). Ignored on
	// Data Center, which is consistent.
	ReconcileIssues []int64
}

// SearchPage is one page of results. Next is the cursor of the following
// page; empty on the last page.
type SearchPage struct {
	// Extras keeps the answer's keys not modelled here.
	Extras

	Issues []*Issue
	Next   string
	// Total is the number of matches on Data Center; -1 on Cloud, which
	// does not count (see Count).
	Total int
	Names map[string]string
	// WarningMessages are Data Center's notes on the query (a value that
	// does not exist, a field that cannot be searched), which it sends
	// alongside results instead of failing.
	WarningMessages []string
}

type cloudSearchRequest struct {
	JQL             string   `json:"jql"`
	NextPageToken   string   `json:"nextPageToken,omitempty"`
	MaxResults      int      `json:"maxResults,omitempty"`
	Fields          []string `json:"fields,omitempty"`
	Expand          string   `json:"expand,omitempty"`
	Properties      []string `json:"properties,omitempty"`
	ReconcileIssues []int64  `json:"reconcileIssues,omitempty"`
}

type cloudSearchResponse struct {
	Extras

	Issues        []*Issue          `json:"issues"`
	NextPageToken string            `json:"nextPageToken"`
	IsLast        bool              `json:"isLast"`
	Names         map[string]string `json:"names"`
}

type dcSearchRequest struct {
	JQL        string   `json:"jql"`
	StartAt    int      `json:"startAt"`
	MaxResults int      `json:"maxResults,omitempty"`
	Fields     []string `json:"fields,omitempty"`
	Expand     []string `json:"expand,omitempty"`
	Properties []string `json:"properties,omitempty"`
}

type dcSearchResponse struct {
	Extras

	StartAt    int               `json:"startAt"`
	MaxResults int               `json:"maxResults"`
	Total      int               `json:"total"`
	Issues     []*Issue          `json:"issues"`
	Names      map[string]string `json:"names"`
	Warnings   []string          `json:"warningMessages"`
}

// Page fetches the page of jql's results at cursor ("" for the first).
func (s *SearchService) Page(ctx context.Context, jql string, opts *SearchOptions, cursor string) (*SearchPage, *Response, error) {
	if opts == nil {
		opts = &SearchOptions{}
	}
	fields := opts.Fields
	if len(fields) == 0 {
		fields = []string{"*navigable"}
	}
	if s.c.isCloud() {
		body := &cloudSearchRequest{
			JQL: jql, NextPageToken: cursor, MaxResults: opts.MaxResults, Fields: fields,
			Expand: strings.Join(opts.Expand, ","), Properties: opts.Properties, ReconcileIssues: opts.ReconcileIssues,
		}
		var out cloudSearchResponse
		resp, err := s.c.rest.Do(ctx, &rest.Request{Method: http.MethodPost, Path: s.c.path("search/jql"), Body: body, Idempotent: true}, &out)
		if err != nil {
			return nil, resp, err
		}
		page := &SearchPage{Extras: out.Extras, Issues: out.Issues, Total: -1, Names: out.Names}
		if !out.IsLast && len(out.Issues) > 0 {
			page.Next = out.NextPageToken
		}
		return page, resp, nil
	}
	startAt := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return nil, nil, &cursorError{cursor}
		}
		startAt = n
	}
	body := &dcSearchRequest{JQL: jql, StartAt: startAt, MaxResults: opts.MaxResults, Fields: fields, Expand: opts.Expand, Properties: opts.Properties}
	var out dcSearchResponse
	resp, err := s.c.rest.Do(ctx, &rest.Request{Method: http.MethodPost, Path: s.c.path("search"), Body: body, Idempotent: true}, &out)
	if err != nil {
		return nil, resp, err
	}
	page := &SearchPage{Extras: out.Extras, Issues: out.Issues, Total: out.Total, Names: out.Names, WarningMessages: out.Warnings}
	// The server may lower maxResults: advance by what came back.
	if next := out.StartAt + len(out.Issues); len(out.Issues) > 0 && next < out.Total {
		page.Next = strconv.Itoa(next)
	}
	return page, resp, nil
}

type cursorError struct{ cursor string }

func (e *cursorError) Error() string {
	return "jira: search cursor " + strconv.Quote(e.cursor) + " is not a Data Center offset"
}

// All iterates over every issue jql matches, fetching pages as the caller
// ranges and stopping when the caller breaks.
func (s *SearchService) All(ctx context.Context, jql string, opts *SearchOptions) iter.Seq2[*Issue, error] {
	return rest.Paginate(ctx, "", func(ctx context.Context, cursor string) ([]*Issue, string, bool, error) {
		page, _, err := s.Page(ctx, jql, opts, cursor)
		if err != nil {
			return nil, "", false, err
		}
		return page.Issues, page.Next, page.Next != "", nil
	})
}

// Count returns the number of issues jql matches: approximate on Cloud
// (POST /search/approximate-count, which needs a bounded query), exact on
// Data Center (a search for zero issues).
func (s *SearchService) Count(ctx context.Context, jql string) (int64, *Response, error) {
	if s.c.isCloud() {
		var out struct {
			Count int64 `json:"count"`
		}
		resp, err := s.c.rest.Do(ctx, &rest.Request{Method: http.MethodPost, Path: s.c.path("search/approximate-count"),
			Body: map[string]string{"jql": jql}, Idempotent: true}, &out)
		if err != nil {
			return 0, resp, err
		}
		return out.Count, resp, nil
	}
	var out dcSearchResponse
	body := &dcSearchRequest{JQL: jql, Fields: []string{"id"}}
	resp, err := s.c.rest.Do(ctx, &rest.Request{Method: http.MethodPost, Path: s.c.path("search"), Body: struct {
		*dcSearchRequest
		MaxResults int `json:"maxResults"`
	}{body, 0}, Idempotent: true}, &out)
	if err != nil {
		return 0, resp, err
	}
	return int64(out.Total), resp, nil
}
