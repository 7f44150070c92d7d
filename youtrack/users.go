package youtrack

import (
	"context"
	"iter"
	"net/http"
)

// DefaultUserFields is the projection of /api/users calls. lastAccessTime
// and creationTime come with the user management YouTrack took over from
// Hub in 2026.1; pass Fields without them, or use [UserAPIHub], for older
// servers.
const DefaultUserFields = "$type,id,login,fullName,email,ringId,banned,banReason,guest,online,creationTime,lastAccessTime"

// DefaultHubUserFields is the projection of Hub user calls.
const DefaultHubUserFields = "type,id,login,name,banned,banReason,guest,creationTime,lastAccessTime,profile(email(email,verified)),groups(id,name)"

// User is a YouTrack account (also the value of user fields, reporters and
// comment authors).
type User struct {
	Type     string `json:"$type,omitempty"`
	ID       string `json:"id,omitempty"`
	Login    string `json:"login,omitempty"`
	FullName string `json:"fullName,omitempty"`
	Email    string `json:"email,omitempty"`
	// RingID is the user's Hub id.
	RingID    string `json:"ringId,omitempty"`
	Banned    bool   `json:"banned,omitempty"`
	BanReason string `json:"banReason,omitempty"`
	Guest     bool   `json:"guest,omitempty"`
	Online    bool   `json:"online,omitempty"`
	// CreationTime and LastAccessTime are 0 when not reported.
	CreationTime   Millis `json:"creationTime,omitempty"`
	LastAccessTime Millis `json:"lastAccessTime,omitempty"`
	// Groups is filled from Hub's groups when listed through [UserAPIHub].
	Groups []Group `json:"groups,omitempty"`
}

// Group is a user group.
type Group struct {
	Type string `json:"$type,omitempty"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// HubUser is a user as the Hub REST API returns it.
type HubUser struct {
	Type           string      `json:"type,omitempty"`
	ID             string      `json:"id,omitempty"`
	Login          string      `json:"login,omitempty"`
	Name           string      `json:"name,omitempty"`
	Banned         bool        `json:"banned,omitempty"`
	BanReason      string      `json:"banReason,omitempty"`
	Guest          bool        `json:"guest,omitempty"`
	CreationTime   Millis      `json:"creationTime,omitempty"`
	LastAccessTime Millis      `json:"lastAccessTime,omitempty"`
	Profile        *HubProfile `json:"profile,omitempty"`
	Groups         []HubGroup  `json:"groups,omitempty"`
}

// HubProfile is a Hub user's profile.
type HubProfile struct {
	Email *HubEmail `json:"email,omitempty"`
}

// HubEmail is a Hub user's email address.
type HubEmail struct {
	Email    string `json:"email,omitempty"`
	Verified bool   `json:"verified,omitempty"`
}

// HubGroup is a Hub user group.
type HubGroup struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// User converts a Hub user to the common [User]: the Hub id becomes both
// ID and RingID.
func (h *HubUser) User() *User {
	u := &User{
		ID: h.ID, RingID: h.ID, Login: h.Login, FullName: h.Name,
		Banned: h.Banned, BanReason: h.BanReason, Guest: h.Guest,
		CreationTime: h.CreationTime, LastAccessTime: h.LastAccessTime,
	}
	if h.Profile != nil && h.Profile.Email != nil {
		u.Email = h.Profile.Email.Email
	}
	for _, g := range h.Groups {
		u.Groups = append(u.Groups, Group{ID: g.ID, Name: g.Name})
	}
	return u
}

// HubListOptions pages Hub users and filters them with a Hub query
// ("not is:banned", "login: jdoe").
type HubListOptions struct {
	ListOptions
	Query   string
	OrderBy string
}

type hubQuery struct {
	Fields  string `url:"fields,omitempty"`
	Query   string `url:"query,omitempty"`
	OrderBy string `url:"orderBy,omitempty"`
	Skip    int    `url:"$skip,omitempty"`
	Top     int    `url:"$top"`
}

// hubUsersPage is Hub's envelope: the list is under "users".
type hubUsersPage struct {
	Type  string     `json:"type,omitempty"`
	Skip  int        `json:"skip,omitempty"`
	Top   int        `json:"top,omitempty"`
	Total int        `json:"total,omitempty"`
	Users []*HubUser `json:"users"`
}

// UsersService lists accounts.
type UsersService struct{ c *Client }

// ListYouTrack returns one page of users from /api/users.
func (s *UsersService) ListYouTrack(ctx context.Context, o *ListOptions) ([]*User, *Response, error) {
	var out []*User
	resp, err := s.c.do(ctx, http.MethodGet, "api/users", s.c.listQuery(o, DefaultUserFields, ""), nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// ListHub returns one page of users from the Hub REST API
// (/hub/api/rest/users).
func (s *UsersService) ListHub(ctx context.Context, o *HubListOptions) ([]*HubUser, *Response, error) {
	var lo *ListOptions
	q := hubQuery{}
	if o != nil {
		lo = &o.ListOptions
		q.Query, q.OrderBy = o.Query, o.OrderBy
	}
	lq := s.c.listQuery(lo, DefaultHubUserFields, "")
	q.Fields, q.Skip, q.Top = lq.Fields, lq.Skip, lq.Top
	var page hubUsersPage
	resp, err := s.c.do(ctx, http.MethodGet, "hub/api/rest/users", q, nil, &page)
	if err != nil {
		return nil, resp, err
	}
	return page.Users, resp, nil
}

// Me returns the token's own user.
func (s *UsersService) Me(ctx context.Context) (*User, *Response, error) {
	var u User
	resp, err := s.c.do(ctx, http.MethodGet, "api/users/me", fieldsQuery{"$type,id,login,fullName,email,ringId,banned,guest"}, nil, &u)
	if err != nil {
		return nil, resp, err
	}
	return &u, resp, nil
}

// List returns every user, page by page, from the API chosen with
// [WithUserAPI]. o.Fields, when set, must suit that API.
func (s *UsersService) List(ctx context.Context, o *ListOptions) iter.Seq2[*User, error] {
	if s.c.userAPI == UserAPIHub {
		return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*User, error) {
			hub, _, err := s.ListHub(ctx, &HubListOptions{ListOptions: *po})
			if err != nil {
				return nil, err
			}
			out := make([]*User, len(hub))
			for i, h := range hub {
				out[i] = h.User()
			}
			return out, nil
		})
	}
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*User, error) {
		list, _, err := s.ListYouTrack(ctx, po)
		return list, err
	})
}
