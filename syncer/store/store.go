// Package store defines where the syncer keeps its state: links between a
// source item and its target ticket, poll cursors, per-key leases and an
// append-only event log.
//
// Every record carries a version. Writers read a record, change it and write
// it back with the version they read; a write based on a stale version fails
// with [ErrConflict] instead of silently overwriting another writer (compare
// and set). Leases let several replicas share one store: only the holder of
// the lease for an item works on it, and a lease whose holder died expires
// and can be taken over.
//
// Implementations live in sub-packages: memory (tests, single process),
// sqlite (the embedded default) and postgres (many replicas). The storetest
// package is the conformance suite they all pass.
package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// Sentinel errors. ErrNotFound and ErrConflict wrap their tracker
// counterparts, so callers test one set of sentinels for trackers and stores.
var (
	// ErrNotFound: no record with that key.
	ErrNotFound = fmt.Errorf("store: %w", tracker.ErrNotFound)
	// ErrConflict: a compare-and-set lost (the record changed since it was
	// read), an insert found the record already there, or a link claimed a
	// target another link of the flow already has.
	ErrConflict = fmt.Errorf("store: %w", tracker.ErrConflict)
	// ErrLeaseHeld: another holder has the lease and it has not expired.
	// AcquireLease returns it as a *LeaseHeldError that names the holder
	// and the expiry.
	ErrLeaseHeld = errors.New("store: lease held")
	// ErrLeaseLost: the lease was released, or it expired and was taken
	// over; the holder must stop working on the key. It matches ErrConflict.
	ErrLeaseLost = fmt.Errorf("store: lease lost: %w", ErrConflict)
)

// Store is the syncer's state. Implementations are safe for concurrent use
// by many goroutines; the durable ones also by several processes.
//
// Methods that write a record take a pointer and, on success, set the new
// Version (and the timestamps the store maintains) on it, so the caller can
// keep writing without reading again. On failure the record is left as it
// was passed.
type Store interface {
	// GetLink returns the link of a flow's source item, or ErrNotFound.
	GetLink(ctx context.Context, flow string, source tracker.Ref) (*Link, error)
	// GetLinkByTarget returns the link of a flow whose target is the given
	// ticket, or ErrNotFound.
	GetLinkByTarget(ctx context.Context, flow string, target tracker.Ref) (*Link, error)
	// PutLink inserts a link (Version 0; ErrConflict if it exists) or
	// replaces it if its stored version still equals link.Version
	// (ErrConflict otherwise).
	PutLink(ctx context.Context, link *Link) error
	// PutLinks writes several links like PutLink, all or nothing: if one
	// conflicts, none is written.
	PutLinks(ctx context.Context, links ...*Link) error
	// DeleteLink removes a link if its stored version equals link.Version:
	// ErrConflict if it changed, ErrNotFound if it is gone.
	DeleteLink(ctx context.Context, link *Link) error
	// ListLinks yields a flow's links that match the filter, ordered by
	// source ref. The caller may write to the store while iterating; links
	// written during the iteration may or may not be seen.
	ListLinks(ctx context.Context, flow string, filter Filter) iter.Seq2[*Link, error]

	// Cursor returns the cursor of a flow's side; a cursor never set is the
	// zero Cursor for that flow and side (Version 0), ready to be set.
	Cursor(ctx context.Context, flow string, side Side) (*Cursor, error)
	// SetCursor writes a cursor with the same compare-and-set rules as
	// PutLink.
	SetCursor(ctx context.Context, c *Cursor) error

	// AcquireLease takes the lease on key for ttl, or fails with a
	// *LeaseHeldError (matching ErrLeaseHeld) while another owner holds it
	// unexpired. The same owner takes it again at once, with a new token:
	// an engine restarted under its stable owner name reclaims what its
	// dead predecessor held, and that predecessor's lease is lost.
	AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (*Lease, error)
	// RenewLease extends a held lease to now+ttl. It fails with
	// ErrLeaseLost if the lease was released or taken over since.
	RenewLease(ctx context.Context, l *Lease, ttl time.Duration) error
	// ReleaseLease gives a lease up so others can take it at once. It fails
	// with ErrLeaseLost if the lease was already released or taken over.
	ReleaseLease(ctx context.Context, l *Lease) error

	// AppendEvents appends events to the log, setting their Seq and, when
	// zero, their Time.
	AppendEvents(ctx context.Context, events ...*Event) error
	// ListEvents returns up to limit events (all when limit <= 0) with Seq
	// greater than after, in Seq order, of one flow or of all flows when
	// flow is "".
	ListEvents(ctx context.Context, flow string, after int64, limit int) ([]*Event, error)
	// PruneEvents deletes the events older than before and returns how many
	// it deleted.
	PruneEvents(ctx context.Context, before time.Time) (int64, error)

	// Close releases the store's resources. It is safe to call twice.
	Close() error
}

// State is where a link is in its lifecycle.
type State string

// Link states.
const (
	// StatePending: the target ticket is being created, carrying the link's
	// CorrelationKey as a marker; Target is still zero. A pending link found
	// after a restart is resolved by searching for the marker before
	// anything is created again.
	StatePending State = "pending"
	// StateLinked: the target exists and the two are kept in sync.
	StateLinked State = "linked"
	// StateClosed: the link is kept for its history but no longer synced.
	StateClosed State = "closed"
)

// Valid reports whether s is one of the defined states.
func (s State) Valid() bool {
	return s == StatePending || s == StateLinked || s == StateClosed
}

// Link joins a flow's source item to the target ticket made from it.
type Link struct {
	// Flow names the flow; with Source it is the link's key.
	Flow string
	// Source is the item the flow reads from.
	Source tracker.Ref
	// Target is the ticket the flow writes to, zero while pending.
	Target tracker.Ref
	// State is where the link is in its lifecycle.
	State State
	// CorrelationKey is the marker stamped in the target ticket.
	CorrelationKey string
	// FieldHashes holds the content hash of each field as last synced,
	// under keys the engine chooses ("target.summary"). A change whose hash
	// equals the stored one is the syncer's own echo. Never nil on read.
	FieldHashes map[string]string
	// Comments pairs the item's comments with their mirrors.
	Comments []CommentLink

	// Attempts counts consecutive failed attempts to sync the link.
	Attempts int
	// LastError is the last failure's message.
	LastError string
	// Parked marks a link that kept failing and is no longer retried
	// until someone retries it explicitly.
	Parked bool

	// Created and Updated are set by the store.
	Created, Updated time.Time
	// Version is the record's version for compare-and-set: 0 for a link
	// never written, then set by the store on every write.
	Version int64
}

// CommentLink pairs a comment with its mirror on the other side: the
// comment written by a person (the original, on the Origin side) and the
// copy the engine made of it.
type CommentLink struct {
	// SourceID and TargetID are the comments' ids in their trackers. The
	// mirror's id is empty while Pending.
	SourceID, TargetID string
	// Origin is the side the original was written on; empty reads as
	// SideSource.
	Origin Side
	// Hash is the content hash of the original as last synced.
	Hash string
	// Marker is the correlation marker the mirror carries, so that a
	// mirror whose create was interrupted is found before it is created
	// again.
	Marker string
	// Pending marks a mirror whose create was begun and not confirmed.
	Pending bool
	// Deleted is a tombstone: the comment was deleted on one side and
	// the deletion synced, so it must not be created again.
	Deleted bool
	// DeletedAt is when the tombstone was set.
	DeletedAt time.Time
}

// FromTarget reports whether the original was written on the target.
func (c CommentLink) FromTarget() bool { return c.Origin == SideTarget }

// Clone returns a deep copy of l. FieldHashes of the copy is never nil and
// Comments is nil when empty, the shape stores return.
func (l *Link) Clone() *Link {
	c := *l
	c.FieldHashes = make(map[string]string, len(l.FieldHashes))
	maps.Copy(c.FieldHashes, l.FieldHashes)
	c.Comments = nil
	if len(l.Comments) > 0 {
		c.Comments = slices.Clone(l.Comments)
	}
	return &c
}

// Validate reports what is missing or wrong in a link about to be written.
func (l *Link) Validate() error {
	switch {
	case l == nil:
		return errors.New("store: nil link")
	case l.Flow == "":
		return errors.New("store: link has no flow")
	case l.Source.Tracker == "" || l.Source.ID == "":
		return fmt.Errorf("store: link of flow %q has an incomplete source %q", l.Flow, l.Source)
	case !l.State.Valid():
		return fmt.Errorf("store: link %s has invalid state %q", l.Source, l.State)
	case l.State == StateLinked && (l.Target.Tracker == "" || l.Target.ID == ""):
		return fmt.Errorf("store: linked link %s has no target", l.Source)
	case l.Version < 0:
		return fmt.Errorf("store: link %s has negative version %d", l.Source, l.Version)
	}
	return nil
}

// Filter selects links in ListLinks. The zero Filter selects all.
type Filter struct {
	// State, when set, selects links in that state.
	State State
	// Parked, when non-nil, selects parked (true) or unparked (false) links.
	Parked *bool
}

// Match reports whether l passes the filter.
func (f Filter) Match(l *Link) bool {
	return (f.State == "" || l.State == f.State) && (f.Parked == nil || l.Parked == *f.Parked)
}

// Side is one end of a flow.
type Side string

// Flow sides.
const (
	SideSource Side = "source"
	SideTarget Side = "target"
)

// Cursor records how far a flow has read one side's changes.
type Cursor struct {
	// Flow and Side are the cursor's key.
	Flow string
	Side Side
	// Value is an opaque position (a page token, an id).
	Value string
	// Time is the update time the next poll starts from (minus overlap).
	Time time.Time
	// Version is the record's version, as for Link.
	Version int64
}

// Validate reports what is missing in a cursor about to be written.
func (c *Cursor) Validate() error {
	switch {
	case c == nil:
		return errors.New("store: nil cursor")
	case c.Flow == "":
		return errors.New("store: cursor has no flow")
	case c.Side != SideSource && c.Side != SideTarget:
		return fmt.Errorf("store: cursor of flow %q has invalid side %q", c.Flow, c.Side)
	case c.Version < 0:
		return fmt.Errorf("store: cursor of flow %q has negative version %d", c.Flow, c.Version)
	}
	return nil
}

// Lease is a held lease on a key.
type Lease struct {
	// Key is what the lease guards, for example a flow and source ref.
	Key string
	// Owner names the holder, for logs and for RenewLease/ReleaseLease.
	Owner string
	// Token grows every time the key's lease is acquired, so two holders
	// of the same key, one after the other, never share a token (a fencing
	// token).
	Token int64
	// Expires is when the lease ends unless renewed.
	Expires time.Time
}

// LeaseHeldError is AcquireLease's refusal: another owner holds the lease
// until Expires (unless renewed). It matches ErrLeaseHeld.
type LeaseHeldError struct {
	Key, Owner string
	Expires    time.Time
}

// Error names the key, the holder and the expiry.
func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("store: lease %q held by %q until %s", e.Key, e.Owner, e.Expires.UTC().Format(time.RFC3339))
}

// Is matches ErrLeaseHeld.
func (e *LeaseHeldError) Is(target error) bool { return target == ErrLeaseHeld }

// CheckLease validates AcquireLease's arguments.
func CheckLease(key, owner string, ttl time.Duration) error {
	switch {
	case key == "":
		return errors.New("store: lease has no key")
	case owner == "":
		return fmt.Errorf("store: lease %q has no owner", key)
	case ttl <= 0:
		return fmt.Errorf("store: lease %q has non-positive ttl %s", key, ttl)
	}
	return nil
}

// Event is one entry of the event log: a decision the syncer made.
type Event struct {
	// Seq is the event's position in the log, set by the store; it only
	// grows.
	Seq int64
	// Flow names the flow the event belongs to.
	Flow string
	// Time is when it happened; the store sets it when zero.
	Time time.Time
	// Kind says what happened ("created", "skipped", "failed").
	Kind string
	// Source and Target name the items concerned, if any.
	Source, Target tracker.Ref
	// Message is a human-readable detail (a skip reason, an error).
	Message string
	// Attrs holds further details.
	Attrs map[string]string
}

// Clone returns a deep copy of e. Attrs of the copy is nil when empty.
func (e *Event) Clone() *Event {
	c := *e
	c.Attrs = nil
	if len(e.Attrs) > 0 {
		c.Attrs = maps.Clone(e.Attrs)
	}
	return &c
}
