package access

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Status says whether a person on a roster still works for the
// organisation.
type Status string

// The roster statuses.
const (
	StatusActive     Status = "active"
	StatusOffboarded Status = "offboarded"
)

// ParseStatus reads a status case-insensitively, ignoring surrounding
// spaces.
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case StatusActive, StatusOffboarded:
		return st, nil
	}
	return "", fmt.Errorf("status %q is not active or offboarded", s)
}

// Entry is one person on a roster: who they are, whether they are still
// with the organisation, and the role that decides which access they may
// hold.
type Entry struct {
	// Email and Login identify the person's tracker accounts; at least one
	// is set. Both compare case-insensitively.
	Email string `json:"email,omitempty"`
	Login string `json:"login,omitempty"`
	Name  string `json:"name,omitempty"`
	// Status is StatusActive or StatusOffboarded.
	Status Status `json:"status"`
	// OffboardedAt is when an offboarded person left; zero when the roster
	// does not say, in which case their accounts get no grace period.
	OffboardedAt time.Time `json:"offboarded,omitzero"`
	// Role selects the groups the person's accounts may be in
	// (see [Policy.Access]).
	Role string `json:"role,omitempty"`
	// Source locates the entry for evidence, such as "roster.csv:7"; the
	// readers fill it, host rosters may.
	Source string `json:"source,omitempty"`
}

// Offboarded reports whether the person has left.
func (e *Entry) Offboarded() bool { return e.Status == StatusOffboarded }

// String names the person for messages: their name, else email, else login.
func (e *Entry) String() string {
	switch {
	case e == nil:
		return "<none>"
	case e.Name != "":
		return e.Name
	case e.Email != "":
		return e.Email
	}
	return e.Login
}

// Roster supplies the people an access review checks accounts against. A
// host application implements it over its HR system or identity
// provider; [ReadCSV] and [ReadJSON] read files, and [StaticRoster] wraps a
// slice.
//
// Review identifies an account by the first entry whose key matches (see
// [Policy.Match]); when several entries share an email or login, the
// first one wins. The readers reject such duplicates.
type Roster interface {
	Entries(ctx context.Context) ([]*Entry, error)
}

// StaticRoster is a roster held in memory.
type StaticRoster []*Entry

// Entries returns the entries.
func (r StaticRoster) Entries(ctx context.Context) ([]*Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// RosterFunc adapts a function to the [Roster] interface.
type RosterFunc func(ctx context.Context) ([]*Entry, error)

// Entries calls f.
func (f RosterFunc) Entries(ctx context.Context) ([]*Entry, error) { return f(ctx) }
