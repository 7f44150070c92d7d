package syncer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Config describes a flow. Name, Target, Mapping and Store are required.
type Config struct {
	// Name identifies the flow in the store, events and leases; keep it
	// stable across releases, or links are lost.
	Name string
	// Source is the tracker items come from. It must be a
	// tracker.Searcher for Run and RunOnce; Push works with any source,
	// and with none when SourceKind is set. When the mapping writes back
	// (back-mapping or after-create actions), Source must be a
	// tracker.Updater.
	Source tracker.Tracker
	// SourceKind names the source in refs when Source is nil (items handed
	// in by the host application, such as AppSec findings).
	SourceKind string
	// Target is the tracker tickets are created in: a tracker.Creator,
	// plus tracker.Updater when the mapping owns fields and
	// tracker.Transitioner when it maps status.
	Target tracker.Tracker
	// Mapping is the flow's mapping (one flow of a mapping.Spec).
	Mapping *mapping.FlowSpec
	// Store keeps links, cursors, leases and the event log.
	Store store.Store
	// Observer receives every decision and outcome; nil discards them.
	Observer Observer

	// IdempotentCreate declares that the target recognises a repeated
	// create by its marker (trax records keyed by id), so a pending link
	// can be resolved by creating again when the target cannot search
	// for markers. Without it the target must be a tracker.MarkerFinder.
	IdempotentCreate bool

	// AdoptExisting makes the engine look for a ticket carrying an item's
	// marker before creating one, and link it instead. Markers are stable
	// per flow and item, so a flow whose store was lost, or that runs
	// without a durable store, adopts the tickets it made before instead
	// of filing them again. It costs one marker search per new item and
	// turns off bulk creation; the target must be a tracker.MarkerFinder.
	AdoptExisting bool

	// Query selects the source items Run polls (project, statuses, raw
	// vendor query); UpdatedSince is set by the engine from the cursor.
	Query tracker.Query
	// TargetQuery selects the target tickets polled for write-back on
	// change; zero disables that pass even when the target can search.
	TargetQuery *tracker.Query
	// Overlap is subtracted from the cursor when polling, so items
	// updated while the previous poll ran are seen again (default 1m).
	Overlap time.Duration

	// BatchSize is how many polled items are planned and applied at once
	// before the cursor moves (default 500); it is also the page size asked
	// of the source when Query sets none.
	BatchSize int

	// Concurrency bounds the workers acting on items (default 4).
	Concurrency int
	// BulkSize is the batch size for targets that create in bulk (default
	// 50, Jira's limit); 1 disables bulk creation.
	BulkSize int
	// LeaseTTL is how long an item's lease lasts unless renewed (default
	// 30s). Held leases are renewed every third of it while work runs, so
	// another replica takes over a dead engine's items within one TTL.
	LeaseTTL time.Duration
	// Owner names this engine in leases. It must be stable across
	// restarts and unique among engines running the flow at once: an
	// engine restarted under the same Owner reclaims the leases its
	// killed predecessor held at once instead of waiting them out. The
	// default is "<hostname>/<flow name>", right for one engine per flow
	// and host; replicas sharing a host need distinct Owners.
	Owner string

	// SearchLag is how long after a create the target's marker search may
	// still miss the new ticket (Jira Cloud's search index lags behind
	// writes). A marker search that finds nothing proves that a create did
	// not happen only once SearchLag has passed since it was sent; until
	// then an item whose create answer was lost, or whose engine crashed
	// mid-create, is deferred rather than created again. Zero takes the
	// target's own figure when it reports one (a MarkerSearchLag method),
	// else none; a negative value trusts the search at once.
	SearchLag time.Duration

	// Retries is how often a transient failure is retried within a run
	// (default 2), waiting RetryWait, doubled each time (default 500ms).
	Retries   int
	RetryWait time.Duration
	// MaxAttempts is how many failed runs park an item (default 5).
	MaxAttempts int
	// BreakerCooldown is how long a tripped circuit breaker keeps the flow
	// stopped before it tries again (default 1m).
	BreakerCooldown time.Duration
	// BreakerInvalid trips the breaker when this many items in a row fail
	// with the same invalid-request error (a field not on the screen, an
	// unknown user): a configuration problem, not one item's (default 5).
	BreakerInvalid int

	// Recurrence says what happens when a source item whose ticket is
	// done becomes active again.
	Recurrence Recurrence

	// Deletions says what happens when a linked item or its ticket is
	// deleted (see [Flow.Handle]); by default the link is closed and the
	// other side left alone.
	Deletions Deletions

	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits between retries; nil waits on a timer. Tests pass a
	// function that returns at once.
	Sleep func(d time.Duration) <-chan time.Time
}

// Recurrence is the policy for items that come back after their ticket was
// done.
type Recurrence struct {
	// ReopenWithin reopens a done ticket when the item recurs within this
	// long of the ticket being done; 0 means always reopen, unless
	// NewTicket is set.
	ReopenWithin time.Duration
	// NeverReopen lists resolutions (Won't Fix, Duplicate) whose tickets
	// are never reopened: the recurrence is skipped.
	NeverReopen []string
	// NewTicket opens a new ticket instead of reopening when the window
	// has passed.
	NewTicket bool
}

// Flow is a configured sync flow. It is safe for concurrent use; two Flows
// (in one process or many) may share a store.
type Flow struct {
	cfg        Config
	sourceKind string
	targetKind string

	creator   tracker.Creator
	bulk      tracker.BulkCreator
	updater   tracker.Updater
	trans     tracker.Transitioner
	finder    tracker.MarkerFinder
	srcSearch tracker.Searcher
	srcUpdate tracker.Updater
	srcTrans  tracker.Transitioner
	tgtSearch tracker.Searcher
	srcComm   tracker.Commenter
	tgtComm   tracker.Commenter

	comments mapping.CommentPolicy

	searchLag time.Duration

	busyMu sync.Mutex
	busy   map[string]bool // lease keys a call of this flow is working on

	breakerMu    sync.Mutex
	tripErr      error
	breakerTill  time.Time
	lastInvalid  string
	invalidCount int
}

// New checks cfg, including the capabilities the mapping needs from each
// tracker, and returns the flow. It does no I/O. The error names every
// problem at once.
func New(cfg Config) (*Flow, error) {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if cfg.Name == "" {
		add("syncer: flow has no name")
	}
	if cfg.Target == nil {
		add("syncer: flow %q has no target", cfg.Name)
	}
	if cfg.Mapping == nil {
		add("syncer: flow %q has no mapping", cfg.Name)
	}
	if cfg.Store == nil {
		add("syncer: flow %q has no store", cfg.Name)
	}
	if cfg.Source == nil && cfg.SourceKind == "" {
		add("syncer: flow %q has neither a source tracker nor a SourceKind", cfg.Name)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	f := &Flow{cfg: cfg, targetKind: cfg.Target.Kind(), sourceKind: cfg.SourceKind}
	if f.sourceKind == "" {
		f.sourceKind = cfg.Source.Kind()
	}
	fillDefaults(&f.cfg)

	var missing []string
	need := func(t tracker.Tracker, side string, c tracker.Capability, why string) {
		if t == nil || !tracker.Has(t, c) {
			kind := "none"
			if t != nil {
				kind = t.Kind()
			}
			missing = append(missing, fmt.Sprintf("%s %s lacks %s (%s)", side, kind, c, why))
		}
	}
	// Updates and transitions are optional: a create-only target (a trax
	// postbox) gets each ticket once, and the plan says why it skips.
	need(cfg.Target, "target", tracker.CanCreate, "to create tickets")
	if !cfg.IdempotentCreate {
		need(cfg.Target, "target", tracker.CanFindMarkers, "to resolve interrupted creates; or set IdempotentCreate")
	} else if cfg.AdoptExisting {
		need(cfg.Target, "target", tracker.CanFindMarkers, "AdoptExisting searches for markers")
	}
	if writesBack(cfg.Mapping) && cfg.Source != nil {
		need(cfg.Source, "source", tracker.CanUpdate, "the mapping writes back onto the source")
	}
	if cfg.TargetQuery != nil {
		need(cfg.Target, "target", tracker.CanSearch, "TargetQuery polls the target")
	}
	if cfg.Mapping.CommentPolicy().Syncs() {
		need(cfg.Target, "target", tracker.CanComment, "the mapping syncs comments")
		need(cfg.Source, "source", tracker.CanComment, "the mapping syncs comments")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("syncer: flow %q: %s: %w", cfg.Name, strings.Join(missing, "; "), tracker.ErrUnsupported)
	}
	f.creator, _ = cfg.Target.(tracker.Creator)
	f.bulk, _ = cfg.Target.(tracker.BulkCreator)
	f.updater, _ = cfg.Target.(tracker.Updater)
	f.trans, _ = cfg.Target.(tracker.Transitioner)
	f.finder, _ = cfg.Target.(tracker.MarkerFinder)
	f.tgtSearch, _ = cfg.Target.(tracker.Searcher)
	if cfg.Source != nil {
		f.srcSearch, _ = cfg.Source.(tracker.Searcher)
		f.srcUpdate, _ = cfg.Source.(tracker.Updater)
		f.srcTrans, _ = cfg.Source.(tracker.Transitioner)
		f.srcComm, _ = cfg.Source.(tracker.Commenter)
	}
	f.tgtComm, _ = cfg.Target.(tracker.Commenter)
	f.comments = cfg.Mapping.CommentPolicy()
	if f.cfg.BulkSize <= 1 || f.cfg.AdoptExisting {
		f.bulk = nil
	}
	f.searchLag = f.cfg.SearchLag
	if lagger, ok := cfg.Target.(interface{ MarkerSearchLag() time.Duration }); ok && f.searchLag == 0 {
		f.searchLag = lagger.MarkerSearchLag()
	}
	return f, nil
}

// writesBack reports whether the mapping changes the source: back-mapping
// or after-create actions.
func writesBack(m *mapping.FlowSpec) bool {
	return len(m.AfterCreate) > 0 || (m.Back != nil && (len(m.Back.Fields) > 0 || len(m.Back.Status) > 0))
}

func fillDefaults(c *Config) {
	if c.Overlap <= 0 {
		c.Overlap = time.Minute
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 500
	}
	if c.BulkSize == 0 {
		c.BulkSize = 50
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 30 * time.Second
	}
	if c.Owner == "" {
		c.Owner = defaultOwner(c.Name)
	}
	if c.Retries == 0 {
		c.Retries = 2
	} else if c.Retries < 0 {
		c.Retries = 0
	}
	if c.RetryWait <= 0 {
		c.RetryWait = 500 * time.Millisecond
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.BreakerCooldown <= 0 {
		c.BreakerCooldown = time.Minute
	}
	if c.BreakerInvalid <= 0 {
		c.BreakerInvalid = 5
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = time.After
	}
	if c.Observer == nil {
		c.Observer = ObserverFunc(func(Event) {})
	}
}

// defaultOwner is the engine's stable identity: the same after a restart,
// so the restarted engine reclaims its leases at once.
func defaultOwner(flow string) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return host + "/" + flow
}

// Owner returns the name this engine holds leases under (Config.Owner or
// its default).
func (f *Flow) Owner() string { return f.cfg.Owner }

// Name returns the flow's name.
func (f *Flow) Name() string { return f.cfg.Name }

// SourceRef returns the ref of a source item in this flow.
func (f *Flow) SourceRef(item *tracker.Issue) tracker.Ref {
	return tracker.Ref{Tracker: f.sourceKind, ID: item.ID}
}

// Marker returns the correlation key stamped on the ticket made from a
// source item: stable for the flow and item, so every attempt, in any
// process, uses the same one.
func (f *Flow) Marker(source tracker.Ref) string {
	sum := sha256.Sum256([]byte(f.cfg.Name + "\x00" + source.Tracker + "\x00" + source.ID))
	return "tb-" + hex.EncodeToString(sum[:10])
}

func (f *Flow) leaseKey(source tracker.Ref) string {
	return f.cfg.Name + "/" + source.String()
}
