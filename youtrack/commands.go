package youtrack

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// IssueRef names an issue in a command: by database id or readable id.
type IssueRef struct {
	ID         string `json:"id,omitempty"`
	IDReadable string `json:"idReadable,omitempty"`
}

// RefOf returns the reference for id, by database id when it looks like one
// ("2-17") and by readable id otherwise ("HD-25").
func RefOf(id string) IssueRef {
	if IsDatabaseID(id) {
		return IssueRef{ID: id}
	}
	return IssueRef{IDReadable: id}
}

// Command is a YouTrack command applied to issues, such as "State Fixed",
// "for jdoe" or "tag Security".
type Command struct {
	// Query is the command text. Values in it should go through
	// [QuoteValue].
	Query  string     `json:"query"`
	Issues []IssueRef `json:"issues"`
	// Comment is added to the issues with the command.
	Comment string `json:"comment,omitempty"`
	// Silent suppresses notifications.
	Silent bool `json:"silent,omitempty"`
	// RunAs is the login to apply the command as, where permitted.
	RunAs string `json:"runAs,omitempty"`
}

// CommandsService handles /api/commands.
type CommandsService struct{ c *Client }

// Apply applies a command. YouTrack answers 200 with an empty body.
func (s *CommandsService) Apply(ctx context.Context, cmd *Command) (*Response, error) {
	if cmd == nil || strings.TrimSpace(cmd.Query) == "" || len(cmd.Issues) == 0 {
		return nil, errors.New("youtrack: Commands.Apply: query and at least one issue are required")
	}
	return s.c.do(ctx, http.MethodPost, "api/commands", nil, cmd, nil)
}
