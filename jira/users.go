package jira

import (
	"context"
	"iter"
	"net/http"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// UsersService lists and finds users.
type UsersService service

// Myself returns the authenticated user; a cheap credentials check.
func (s *UsersService) Myself(ctx context.Context) (*User, *Response, error) {
	var out User
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("myself"), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

type usersPage struct {
	StartAt    int `url:"startAt"`
	MaxResults int `url:"maxResults"`
	// Data Center: username "." matches every user; includeInactive
	// lists deactivated accounts too.
	Username        string `url:"username,omitempty"`
	IncludeInactive bool   `url:"includeInactive,omitempty"`
}

// usersPageSize is the page size of All.
const usersPageSize = 100

// List returns one page of users: on Cloud every account, active or not,
// including apps (GET /users/search); on Data Center every user (GET
// /user/search?username=.&includeInactive=true).
func (s *UsersService) List(ctx context.Context, startAt, maxResults int) ([]*User, *Response, error) {
	q := usersPage{StartAt: startAt, MaxResults: maxResults}
	path := s.c.path("users/search")
	if !s.c.isCloud() {
		q.Username, q.IncludeInactive = ".", true
		path = s.c.path("user/search")
	}
	var out []*User
	resp, err := s.c.do(ctx, http.MethodGet, path, q, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// All iterates over every user, paging until an empty page: the endpoints
// return bare arrays without totals, and a server may cap the page size
// below the one asked for, so a short page does not prove the end.
func (s *UsersService) All(ctx context.Context) iter.Seq2[*User, error] {
	return rest.Paginate(ctx, 0, func(ctx context.Context, startAt int) ([]*User, int, bool, error) {
		users, _, err := s.List(ctx, startAt, usersPageSize)
		if err != nil {
			return nil, 0, false, err
		}
		return users, startAt + len(users), len(users) > 0, nil
	})
}

type userFind struct {
	Query      string `url:"query,omitempty"`
	Username   string `url:"username,omitempty"`
	StartAt    int    `url:"startAt,omitempty"`
	MaxResults int    `url:"maxResults,omitempty"`
}

// Find returns active users whose name or email matches query (GET
// /user/search; Cloud caps it at 1000 matches).
func (s *UsersService) Find(ctx context.Context, query string, maxResults int) ([]*User, *Response, error) {
	q := userFind{Query: query, MaxResults: maxResults}
	if !s.c.isCloud() {
		q.Query, q.Username = "", query
	}
	var out []*User
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("user/search"), q, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// UserGetOptions selects the account Get returns: AccountID on Cloud,
// Username (or Key) on Data Center; and what to expand ("groups",
// "applicationRoles").
type UserGetOptions struct {
	AccountID string   `url:"accountId,omitempty"`
	Username  string   `url:"username,omitempty"`
	Key       string   `url:"key,omitempty"`
	Expand    []string `url:"expand,comma,omitempty"`
}

// Get returns one account (GET /user), with its groups and application
// roles when opts.Expand asks for them. A missing account is an error
// matching tracker.ErrNotFound.
func (s *UsersService) Get(ctx context.Context, opts *UserGetOptions) (*User, *Response, error) {
	var out User
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("user"), opts, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// GroupNames returns the names of the user's groups, if expanded.
func (u *User) GroupNames() []string {
	if u == nil || u.Groups == nil {
		return nil
	}
	out := make([]string, 0, len(u.Groups.Items))
	for _, g := range u.Groups.Items {
		out = append(out, g.Name)
	}
	return out
}

// RoleKeys returns the keys of the user's application roles, if expanded.
func (u *User) RoleKeys() []string {
	if u == nil || u.ApplicationRoles == nil {
		return nil
	}
	out := make([]string, 0, len(u.ApplicationRoles.Items))
	for _, r := range u.ApplicationRoles.Items {
		out = append(out, r.Key)
	}
	return out
}
