package youtrack

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
)

// DefaultUserFields is the projection of /api/users calls: the attributes
// the YouTrack User entity has. Ban reasons, creation and last access
// times are Hub attributes that /api/users does not know; read them with
// [UserAPIHub] or [WithHubUserDetails].
const DefaultUserFields = "$type,id,login,fullName,email,ringId,banned,guest,online"

// DefaultHubUserFields is the projection of Hub user calls.
const DefaultHubUserFields = "type,id,login,name,banned,banReason,guest,creationTime,lastAccessTime,profile(email(email,verified)),groups(id,name)"

// User is a YouTrack account (also the value of user fields, reporters and
// comment authors).
type User struct {
	Type     string `json:"$type,omitempty"`
	ID       string `json:"id,omitempty"`
	Login    string `json:"login,omitempty"`
	FullName string `json:"fullName,omitempty"`
	// Name is the display name user values carry when a projection asks
	// for value(name) (custom fields, bundles); accounts read from
	// /api/users have FullName instead. [User.DisplayName] picks either.
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	// RingID is the user's Hub id.
	RingID string `json:"ringId,omitempty"`
	Banned bool   `json:"banned,omitempty"`
	Guest  bool   `json:"guest,omitempty"`
	Online bool   `json:"online,omitempty"`
	// BanReason, CreationTime and LastAccessTime are Hub attributes, filled
	// when users are listed through [UserAPIHub] or with
	// [WithHubUserDetails]; /api/users does not report them. The times are
	// 0 when not reported.
	BanReason      string `json:"banReason,omitempty"`
	CreationTime   Millis `json:"creationTime,omitempty"`
	LastAccessTime Millis `json:"lastAccessTime,omitempty"`
	// Groups is filled from Hub's groups, like BanReason.
	Groups []Group `json:"groups,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// DisplayName returns the user's full name, or the name a user value
// carried, or the login when neither is known.
func (u *User) DisplayName() string {
	switch {
	case u.FullName != "":
		return u.FullName
	case u.Name != "":
		return u.Name
	}
	return u.Login
}

// Group is a user group.
type Group struct {
	Type string `json:"$type,omitempty"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
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
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// HubProfile is a Hub user's profile.
type HubProfile struct {
	Email *HubEmail `json:"email,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// HubEmail is a Hub user's email address.
type HubEmail struct {
	Email    string `json:"email,omitempty"`
	Verified bool   `json:"verified,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// HubGroup is a Hub user group.
type HubGroup struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
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

// hubUsersPage is Hub's envelope: the list is under "users". Its paging
// siblings (skip, top, total) are not read, so their shape cannot matter.
type hubUsersPage struct {
	Users []*HubUser `json:"users"`
}

// UsersService lists accounts.
type UsersService struct{ c *Client }

// ListYouTrack returns one page of users from /api/users.
func (s *UsersService) ListYouTrack(ctx context.Context, o *ListOptions) ([]*User, *Response, error) {
	return getList[User](ctx, s.c, "api/users", s.c.listQuery(o, DefaultUserFields, ""))
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

// hubDetailFields is the Hub projection [WithHubUserDetails] reads.
const hubDetailFields = "type,id,banReason,creationTime,lastAccessTime,groups(id,name)"

// hubDetails returns every Hub user by Hub id, with the attributes
// /api/users lacks.
func (s *UsersService) hubDetails(ctx context.Context) (map[string]*HubUser, error) {
	out := map[string]*HubUser{}
	next := pages(ctx, &ListOptions{Fields: hubDetailFields}, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*HubUser, error) {
		list, _, err := s.ListHub(ctx, &HubListOptions{ListOptions: *po})
		return list, err
	})
	for h, err := range next {
		if err != nil {
			return nil, fmt.Errorf("youtrack: reading user details from Hub: %w", err)
		}
		out[h.ID] = h
	}
	return out, nil
}

// withHubDetails fills the Hub attributes of u from h.
func withHubDetails(u *User, h *HubUser) {
	u.BanReason, u.CreationTime, u.LastAccessTime = h.BanReason, h.CreationTime, h.LastAccessTime
	u.Groups = nil
	for _, g := range h.Groups {
		u.Groups = append(u.Groups, Group{ID: g.ID, Name: g.Name})
	}
}

// List returns every user, page by page, from the API chosen with
// [WithUserAPI]. o.Fields, when set, must suit that API. With
// [WithHubUserDetails] and [UserAPIYouTrack], the Hub attributes of each
// user (ban reason, creation and last access times, groups) are read from
// Hub first and filled in by the user's ringId.
func (s *UsersService) List(ctx context.Context, o *ListOptions) iter.Seq2[*User, error] {
	if s.c.userAPI == UserAPIYouTrack && s.c.hubDetails {
		return func(yield func(*User, error) bool) {
			details, err := s.hubDetails(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			for u, err := range s.list(ctx, o) {
				if err == nil && u.RingID != "" {
					if h, ok := details[u.RingID]; ok {
						withHubDetails(u, h)
					}
				}
				if !yield(u, err) || err != nil {
					return
				}
			}
		}
	}
	return s.list(ctx, o)
}

// list is List without the Hub details.
func (s *UsersService) list(ctx context.Context, o *ListOptions) iter.Seq2[*User, error] {
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
