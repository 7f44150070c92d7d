package youtrack

import (
	"context"
	"encoding/json"
	"errors"
	"iter"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// DefaultSprintFields is the projection of sprint calls.
const DefaultSprintFields = "$type,id,name,goal,start,finish,archived,isDefault,unresolvedIssuesCount"

// DefaultAgileFields is the projection of agile board calls.
const DefaultAgileFields = "$type,id,name,owner($type,id,login,fullName,ringId),projects($type,id,shortName,name)," +
	"sprints($type,id,name),currentSprint($type,id,name)"

// Agile is an agile board.
type Agile struct {
	Type     string    `json:"$type,omitempty"`
	ID       string    `json:"id,omitempty"`
	Name     string    `json:"name,omitempty"`
	Owner    *User     `json:"owner,omitempty"`
	Projects []Project `json:"projects,omitempty"`
	// Sprints lists the board's sprints in the projection's detail.
	Sprints       []Sprint `json:"sprints,omitempty"`
	CurrentSprint *Sprint  `json:"currentSprint,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// Sprint is a sprint of an agile board.
type Sprint struct {
	Type string `json:"$type,omitempty"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Goal string `json:"goal,omitempty"`
	// Start and Finish are 0 for boards without scheduled sprints.
	Start    Millis `json:"start,omitempty"`
	Finish   Millis `json:"finish,omitempty"`
	Archived bool   `json:"archived,omitempty"`
	// IsDefault marks the sprint new issues go to.
	IsDefault             bool `json:"isDefault,omitempty"`
	UnresolvedIssuesCount int  `json:"unresolvedIssuesCount,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// AgilesService handles agile boards (/api/agiles) and their sprints.
type AgilesService struct{ c *Client }

// List returns one page of the agile boards the token can see.
func (s *AgilesService) List(ctx context.Context, o *ListOptions) ([]*Agile, *Response, error) {
	return getList[Agile](ctx, s.c, "api/agiles", s.c.listQuery(o, DefaultAgileFields, ""))
}

// All returns every agile board, page by page.
func (s *AgilesService) All(ctx context.Context, o *ListOptions) iter.Seq2[*Agile, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*Agile, error) {
		list, _, err := s.List(ctx, po)
		return list, err
	})
}

// Get returns one agile board.
func (s *AgilesService) Get(ctx context.Context, agileID string, o *GetOptions) (*Agile, *Response, error) {
	if agileID == "" {
		return nil, nil, errors.New("youtrack: Agiles.Get: empty agile id")
	}
	return getOne[Agile](ctx, s.c, rest.Pathf("api/agiles/%s", agileID), fieldsOf(o, DefaultAgileFields))
}

// Sprints returns one page of a board's sprints.
func (s *AgilesService) Sprints(ctx context.Context, agileID string, o *ListOptions) ([]*Sprint, *Response, error) {
	if agileID == "" {
		return nil, nil, errors.New("youtrack: Agiles.Sprints: empty agile id")
	}
	return getList[Sprint](ctx, s.c, rest.Pathf("api/agiles/%s/sprints", agileID), s.c.listQuery(o, DefaultSprintFields, ""))
}

// AllSprints returns every sprint of a board, page by page.
func (s *AgilesService) AllSprints(ctx context.Context, agileID string, o *ListOptions) iter.Seq2[*Sprint, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*Sprint, error) {
		list, _, err := s.Sprints(ctx, agileID, po)
		return list, err
	})
}

// Sprint returns one sprint of a board; sprintID "current" names the
// board's current sprint.
func (s *AgilesService) Sprint(ctx context.Context, agileID, sprintID string, o *GetOptions) (*Sprint, *Response, error) {
	if agileID == "" || sprintID == "" {
		return nil, nil, errors.New("youtrack: Agiles.Sprint: agile id and sprint id are required")
	}
	return getOne[Sprint](ctx, s.c, rest.Pathf("api/agiles/%s/sprints/%s", agileID, sprintID), fieldsOf(o, DefaultSprintFields))
}
