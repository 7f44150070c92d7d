package jira

import (
	"context"
	"errors"
	"net/http"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// RemoteLinksService reads and writes links from issues to outside objects.
type RemoteLinksService service

// RemoteLink links an issue to an object elsewhere. A link with a GlobalID
// is unique per issue: saving it again updates it, which makes Save
// idempotent.
type RemoteLink struct {
	Extras

	ID           int64              `json:"id,omitempty"`
	Self         string             `json:"self,omitempty"`
	GlobalID     string             `json:"globalId,omitempty"`
	Application  *RemoteApplication `json:"application,omitempty"`
	Relationship string             `json:"relationship,omitempty"`
	Object       RemoteObject       `json:"object"`
}

// RemoteApplication names the application owning the linked object.
type RemoteApplication struct {
	Extras

	Type string `json:"type,omitempty"`
	Name string `json:"name,omitempty"`
}

// RemoteObject is the linked object.
type RemoteObject struct {
	Extras

	URL     string        `json:"url"`
	Title   string        `json:"title"`
	Summary string        `json:"summary,omitempty"`
	Icon    *RemoteIcon   `json:"icon,omitempty"`
	Status  *RemoteStatus `json:"status,omitempty"`
}

// RemoteStatus says whether the linked object is resolved, with an icon
// showing its state.
type RemoteStatus struct {
	Extras

	Resolved bool        `json:"resolved"`
	Icon     *RemoteIcon `json:"icon,omitempty"`
}

// RemoteIcon is a 16×16 icon shown with a remote link or its status, with
// a tooltip (Title) and an optional link.
type RemoteIcon struct {
	Extras

	URL16x16 string `json:"url16x16,omitempty"`
	Title    string `json:"title,omitempty"`
	Link     string `json:"link,omitempty"`
}

// MarshalJSON writes the link with the keys it was read with, so a link
// read, changed and saved keeps what this package does not model.
func (l RemoteLink) MarshalJSON() ([]byte, error) {
	type plain RemoteLink
	return encodeWithExtras(plain(l), l.Extra)
}

// MarshalJSON writes the application and the keys it was read with.
func (a RemoteApplication) MarshalJSON() ([]byte, error) {
	type plain RemoteApplication
	return encodeWithExtras(plain(a), a.Extra)
}

// MarshalJSON writes the object and the keys it was read with.
func (o RemoteObject) MarshalJSON() ([]byte, error) {
	type plain RemoteObject
	return encodeWithExtras(plain(o), o.Extra)
}

// MarshalJSON writes the status and the keys it was read with.
func (s RemoteStatus) MarshalJSON() ([]byte, error) {
	type plain RemoteStatus
	return encodeWithExtras(plain(s), s.Extra)
}

// MarshalJSON writes the icon and the keys it was read with.
func (i RemoteIcon) MarshalJSON() ([]byte, error) {
	type plain RemoteIcon
	return encodeWithExtras(plain(i), i.Extra)
}

// RemoteLinkRef is the id of a created or updated link.
type RemoteLinkRef struct {
	Extras

	ID   int64  `json:"id"`
	Self string `json:"self,omitempty"`
}

// Save creates the link, or updates the issue's link with the same
// GlobalID (fields left out are cleared). With a GlobalID a repeat is
// harmless, so failed attempts are retried like a PUT.
func (s *RemoteLinksService) Save(ctx context.Context, issue string, link *RemoteLink) (*RemoteLinkRef, *Response, error) {
	body := *link
	body.ID, body.Self = 0, ""
	var out RemoteLinkRef
	resp, err := s.c.rest.Do(ctx, &rest.Request{Method: http.MethodPost, Path: s.c.path("issue/%s/remotelink", issue),
		Body: &body, Idempotent: link.GlobalID != ""}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

type globalIDQuery struct {
	GlobalID string `url:"globalId,omitempty"`
}

// List returns an issue's remote links; a non-empty globalID selects one.
func (s *RemoteLinksService) List(ctx context.Context, issue, globalID string) ([]RemoteLink, *Response, error) {
	var out []RemoteLink
	if globalID != "" {
		var one RemoteLink
		resp, err := s.c.do(ctx, http.MethodGet, s.c.path("issue/%s/remotelink", issue), globalIDQuery{globalID}, nil, &one)
		if err != nil {
			return nil, resp, err
		}
		return []RemoteLink{one}, resp, nil
	}
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("issue/%s/remotelink", issue), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// DeleteByGlobalID removes the issue's link with this GlobalID, which
// must not be empty.
func (s *RemoteLinksService) DeleteByGlobalID(ctx context.Context, issue, globalID string) (*Response, error) {
	if globalID == "" {
		return nil, errors.New("jira: DeleteByGlobalID needs a global id")
	}
	return s.c.do(ctx, http.MethodDelete, s.c.path("issue/%s/remotelink", issue), globalIDQuery{globalID}, nil, nil)
}
