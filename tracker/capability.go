package tracker

import (
	"context"
	"fmt"
	"iter"
	"strings"
)

// Tracker is the least every adapter offers: its kind and reading one issue.
type Tracker interface {
	// Kind names the vendor ("jira", "youtrack", "extrahop", "trax",
	// "memory"); it becomes the Tracker of every [Ref] into this tracker.
	Kind() string
	// GetIssue returns the issue with the given id or key, or an error
	// matching ErrNotFound.
	GetIssue(ctx context.Context, id string) (*Issue, error)
}

// Creator opens issues.
type Creator interface {
	// CreateIssue opens an issue and returns it with at least ID, Key and
	// URL filled. When in.Marker is set the issue carries it from the first
	// moment it exists, so a crash after the request cannot leave an
	// unmarked duplicate behind.
	CreateIssue(ctx context.Context, in *NewIssue) (*Issue, error)
}

// BulkCreator opens many issues in few requests (Jira: 50 per call). The
// result has one entry per input, in order: an issue or that input's error.
type BulkCreator interface {
	CreateIssues(ctx context.Context, in []*NewIssue) ([]BulkResult, error)
}

// BulkResult is the outcome of one input of [BulkCreator.CreateIssues].
type BulkResult struct {
	Issue *Issue
	Err   error
}

// Updater changes issue attributes. Only what the [Change] sets is sent.
type Updater interface {
	UpdateIssue(ctx context.Context, id string, ch *Change) error
}

// Deleter deletes issues.
type Deleter interface {
	DeleteIssue(ctx context.Context, id string) error
}

// Searcher lists issues matching a query, page by page as the caller ranges
// over the result. Iteration stops when the caller breaks; an error is
// yielded once, as (nil, err), and ends the sequence.
type Searcher interface {
	SearchIssues(ctx context.Context, q Query) iter.Seq2[*Issue, error]
}

// PageLimiter is implemented by searchers that know the largest page one
// search request of their vendor returns. A caller that must not page by
// offset (an engine reading while it writes) asks for pages no larger,
// so that each is one request; without it, callers assume 100.
type PageLimiter interface {
	// MaxPageSize returns the most issues one search request returns.
	MaxPageSize() int
}

// Transitioner moves issues through the tracker's workflow, finding a path
// of transitions when no single one reaches the target. It returns an error
// matching ErrNoTransition when the target cannot be reached; moving an
// issue that is already there is a no-op.
type Transitioner interface {
	Transition(ctx context.Context, id string, to TransitionTarget) error
}

// Commenter reads and writes comments.
type Commenter interface {
	ListComments(ctx context.Context, issueID string) ([]*Comment, error)
	AddComment(ctx context.Context, issueID, body string) (*Comment, error)
	UpdateComment(ctx context.Context, issueID, commentID, body string) (*Comment, error)
	DeleteComment(ctx context.Context, issueID, commentID string) error
}

// UserDirectory lists the tracker's accounts, active or not.
type UserDirectory interface {
	ListUsers(ctx context.Context) iter.Seq2[*User, error]
}

// MarkerFinder finds the issues that carry a correlation marker set through
// [NewIssue.Marker]. It returns an empty slice when none does; more than one
// means duplicates that a caller should converge.
type MarkerFinder interface {
	FindByMarker(ctx context.Context, marker string) ([]*Issue, error)
}

// Capability names one of the optional interfaces.
type Capability string

// The capabilities [Require] can check.
const (
	CanCreate      Capability = "Creator"
	CanBulkCreate  Capability = "BulkCreator"
	CanUpdate      Capability = "Updater"
	CanDelete      Capability = "Deleter"
	CanSearch      Capability = "Searcher"
	CanTransition  Capability = "Transitioner"
	CanComment     Capability = "Commenter"
	CanListUsers   Capability = "UserDirectory"
	CanFindMarkers Capability = "MarkerFinder"
	CanDescribe    Capability = "Describer"
)

// Has reports whether t implements the capability.
func Has(t Tracker, c Capability) bool {
	var ok bool
	switch c {
	case CanCreate:
		_, ok = t.(Creator)
	case CanBulkCreate:
		_, ok = t.(BulkCreator)
	case CanUpdate:
		_, ok = t.(Updater)
	case CanDelete:
		_, ok = t.(Deleter)
	case CanSearch:
		_, ok = t.(Searcher)
	case CanTransition:
		_, ok = t.(Transitioner)
	case CanComment:
		_, ok = t.(Commenter)
	case CanListUsers:
		_, ok = t.(UserDirectory)
	case CanFindMarkers:
		_, ok = t.(MarkerFinder)
	case CanDescribe:
		_, ok = t.(Describer)
	}
	return ok
}

// Require returns nil when t implements every listed capability, and
// otherwise an error matching ErrUnsupported that names the tracker and each
// missing capability.
func Require(t Tracker, caps ...Capability) error {
	var missing []string
	for _, c := range caps {
		if !Has(t, c) {
			missing = append(missing, string(c))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%s tracker lacks %s: %w", t.Kind(), strings.Join(missing, ", "), ErrUnsupported)
}
