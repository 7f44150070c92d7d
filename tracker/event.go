package tracker

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// EventKind says what happened to an issue or one of its comments.
type EventKind string

// The event kinds every webhook receiver produces. Creation and update of an
// issue are one kind: a consumer syncs the issue's current state either way,
// and deliveries can arrive out of order.
const (
	// EventIssueChanged: an issue was created or changed.
	EventIssueChanged EventKind = "issue_changed"
	// EventIssueDeleted: an issue was deleted.
	EventIssueDeleted EventKind = "issue_deleted"
	// EventCommentCreated: a comment was added to an issue.
	EventCommentCreated EventKind = "comment_created"
	// EventCommentUpdated: a comment's body (or visibility) was edited.
	EventCommentUpdated EventKind = "comment_updated"
	// EventCommentDeleted: a comment was deleted.
	EventCommentDeleted EventKind = "comment_deleted"
)

// IsComment reports whether k is one of the comment kinds.
func (k EventKind) IsComment() bool {
	return k == EventCommentCreated || k == EventCommentUpdated || k == EventCommentDeleted
}

// Known reports whether k is one of the kinds above.
func (k EventKind) Known() bool {
	return k == EventIssueChanged || k == EventIssueDeleted || k.IsComment()
}

// Event is one change a tracker reported through a webhook or notification,
// in vendor-neutral form. Each vendor's receiver (Jira webhooks, YouTrack
// notifications, ExtraHop ODS triggers) turns its payload into an Event
// after authenticating it and dropping replays, so one consumer serves all
// of them.
//
// An Event is a hint, not the truth: a consumer should treat it as "look at
// this issue now" and stay idempotent, because senders retry and polling
// sees the same changes. When Issue is set the payload carried the whole
// issue and the consumer needs no read; when it is nil, read the issue by
// IssueID.
type Event struct {
	// Kind is what happened.
	Kind EventKind
	// Tracker is the kind of the tracker that sent the event, as its
	// adapter's Kind returns it ("jira", "youtrack", "extrahop"), so
	// Ref{Tracker, IssueID} names the issue.
	Tracker string
	// IssueID is the tracker's stable issue id (Jira "10001", YouTrack
	// "2-17", ExtraHop detection id). Always set.
	IssueID string
	// IssueKey is the human key (PROJ-12) where the payload has one; for
	// trackers without keys it equals IssueID.
	IssueKey string
	// Issue is the issue as the payload describes it, converted the same
	// way the adapter converts issues it reads; nil unless the payload
	// carries enough to fill it. For EventIssueDeleted it is the issue's
	// last state where the payload has one. Nil for comment kinds, whose
	// payloads describe the issue only in part.
	Issue *Issue
	// Comment is the comment for comment kinds: the full comment for
	// created and updated, at least Comment.ID for deleted. Nil for issue
	// kinds.
	Comment *Comment
	// Visibility, for comment kinds, is the restriction the tracker put on
	// the comment, as "type:value" ("role:Administrators",
	// "group:jira-admins", YouTrack "group:Developers"); empty means the
	// comment is visible to everyone who can see the issue.
	Visibility string
	// Actor identifies the user who made the change, as [User.Handle]
	// would for that user (Jira Cloud accountId, YouTrack login); empty
	// when the payload does not say. A consumer uses it to recognise its
	// own writes.
	Actor string
	// Changed lists the fields the payload says changed (Jira changelog
	// field names, YouTrack field names); empty when the payload does not
	// say, which means "anything may have changed".
	Changed []string
	// At is when the change happened according to the payload; zero when
	// the payload has no time.
	At time.Time
	// Delivery identifies the delivery: the sender's delivery id where it
	// sends one, else "sha256:<hex>" of the body. Receivers de-duplicate
	// on the body digest; Delivery is for logs and idempotency keys.
	Delivery string
	// Raw is the payload as received, so fields the model has no place for
	// are not lost. Consumers must not change it.
	Raw []byte
}

// Ref returns the reference of the issue the event is about.
func (e Event) Ref() Ref { return Ref{Tracker: e.Tracker, ID: e.IssueID} }

// Validate reports what makes e unusable: an unknown kind, no tracker, no
// issue id, a comment kind without a comment id, or an Issue or Comment
// that names a different issue.
func (e Event) Validate() error {
	var errs []error
	if !e.Kind.Known() {
		errs = append(errs, fmt.Errorf("unknown kind %q", e.Kind))
	}
	if e.Tracker == "" {
		errs = append(errs, errors.New("no tracker"))
	}
	if e.IssueID == "" {
		errs = append(errs, errors.New("no issue id"))
	}
	if e.Kind.IsComment() && (e.Comment == nil || e.Comment.ID == "") {
		errs = append(errs, fmt.Errorf("%s without a comment id", e.Kind))
	}
	if e.Issue != nil && e.IssueID != "" && e.Issue.ID != e.IssueID {
		errs = append(errs, fmt.Errorf("issue %q does not match issue id %q", e.Issue.ID, e.IssueID))
	}
	if e.Comment != nil && e.Comment.IssueID != "" && e.IssueID != "" && e.Comment.IssueID != e.IssueID {
		errs = append(errs, fmt.Errorf("comment of issue %q does not match issue id %q", e.Comment.IssueID, e.IssueID))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("tracker: invalid event: %w", err)
	}
	return nil
}

// String describes the event for logs: kind, reference and comment id.
// It never includes bodies.
func (e Event) String() string {
	s := string(e.Kind) + " " + e.Ref().String()
	if e.Comment != nil && e.Comment.ID != "" {
		s += " comment " + e.Comment.ID
	}
	return s
}

// EventHandler consumes events; a receiver calls it once per accepted
// delivery. A non-nil error makes the receiver answer with a server error,
// so the sender retries the delivery later.
type EventHandler func(ctx context.Context, ev Event) error
