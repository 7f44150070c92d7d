package syncer

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// EventKind says what an [Event] reports.
type EventKind string

// Event kinds.
const (
	// EventCreated: a target ticket was created for a source item.
	EventCreated EventKind = "created"
	// EventAdopted: a ticket carrying the item's marker already existed
	// (left by a run that crashed) and was linked instead of created.
	EventAdopted EventKind = "adopted"
	// EventUpdated: owned fields of the target changed.
	EventUpdated EventKind = "updated"
	// EventTransitioned: the target moved through its workflow.
	EventTransitioned EventKind = "transitioned"
	// EventWroteBack: target state was written onto the source.
	EventWroteBack EventKind = "wrote_back"
	// EventSkipped: nothing was done; Reason says why.
	EventSkipped EventKind = "skipped"
	// EventDeferred: the item could not be acted on yet (another engine
	// holds its lease, or a lost create cannot be resolved until the
	// target's search catches up); RetryAt says from when it can.
	EventDeferred EventKind = "deferred"
	// EventAnswerLost: a write's answer was lost (a 5xx, a reset, a
	// timeout): it may have happened. The engine resolves it (a create by
	// its marker) before sending anything again.
	EventAnswerLost EventKind = "answer_lost"
	// EventRetrying: an attempt failed transiently and will be retried.
	EventRetrying EventKind = "retrying"
	// EventFailed: the item failed this run; it will be retried next run.
	EventFailed EventKind = "failed"
	// EventParked: the item failed too often and is parked until retried.
	EventParked EventKind = "parked"
	// EventCircuitOpen: a configuration error stopped the flow.
	EventCircuitOpen EventKind = "circuit_open"
	// EventDuplicate: more than one ticket carries an item's marker.
	EventDuplicate EventKind = "duplicate"
	// EventClosed: the item or its ticket was deleted and the link closed
	// (see Config.Deletions); Reason says what was done.
	EventClosed EventKind = "closed"
	// EventConflict: a field synced both ways changed on both sides since
	// the last sync; Reason names the field, both values and the policy
	// that settled it.
	EventConflict EventKind = "conflict"
	// EventReplaced: by the recurrence policy, a done ticket's link was
	// dropped for a new ticket (the old one is named in Target).
	EventReplaced EventKind = "replaced"
)

// Event is one decision or outcome of a flow.
type Event struct {
	Flow   string
	Kind   EventKind
	Source tracker.Ref
	// Target is the ticket concerned, when there is one; Key and URL are
	// its human key and web link.
	Target tracker.Ref
	Key    string
	URL    string
	// Reason explains a skip, a failure or a retry.
	Reason string
	// Fields lists the fields written, for updates and write-backs.
	Fields []string
	// Err is the failure, for retrying, failed, parked and circuit_open;
	// for an item deferred because another engine holds its lease, the
	// *store.LeaseHeldError naming the holder.
	Err error
	// Attempt counts attempts at this item in this run, from 1.
	Attempt  int
	Duration time.Duration
	// RetryAt is when a deferred item can go on.
	RetryAt time.Time
	Time    time.Time
	// Done and Total give the batch's progress after this event, for
	// progress bars; Total is 0 when unknown.
	Done, Total int
}

// Observer receives every event of a flow. Observe is called from the
// flow's workers concurrently and must not block for long.
type Observer interface {
	Observe(Event)
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc func(Event)

// Observe calls f(e).
func (f ObserverFunc) Observe(e Event) { f(e) }

// Observers fans events out to several observers in order.
func Observers(obs ...Observer) Observer {
	return ObserverFunc(func(e Event) {
		for _, o := range obs {
			if o != nil {
				o.Observe(e)
			}
		}
	})
}

// SlogObserver logs every event to l: skips at debug level, failures at
// warn, the rest at info.
func SlogObserver(l *slog.Logger) Observer {
	return ObserverFunc(func(e Event) {
		level := slog.LevelInfo
		switch e.Kind {
		case EventSkipped:
			level = slog.LevelDebug
		case EventRetrying, EventFailed, EventParked, EventCircuitOpen, EventDuplicate, EventAnswerLost, EventDeferred:
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{slog.String("flow", e.Flow), slog.String("source", e.Source.String())}
		if !e.Target.IsZero() {
			attrs = append(attrs, slog.String("target", e.Target.String()))
		}
		if e.Key != "" {
			attrs = append(attrs, slog.String("key", e.Key))
		}
		if e.Reason != "" {
			attrs = append(attrs, slog.String("reason", e.Reason))
		}
		if len(e.Fields) > 0 {
			attrs = append(attrs, slog.Any("fields", e.Fields))
		}
		if e.Err != nil {
			attrs = append(attrs, slog.String("error", e.Err.Error()))
		}
		if e.Attempt > 1 {
			attrs = append(attrs, slog.Int("attempt", e.Attempt))
		}
		l.LogAttrs(context.Background(), level, "sync "+string(e.Kind), attrs...)
	})
}

// Counter counts events by kind and keeps skip reasons; the zero value is
// ready to use and safe for concurrent use.
type Counter struct {
	mu      sync.Mutex
	counts  map[EventKind]int
	reasons map[string]int
}

// Observe counts e.
func (c *Counter) Observe(e Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[EventKind]int{}
		c.reasons = map[string]int{}
	}
	c.counts[e.Kind]++
	if e.Kind == EventSkipped {
		c.reasons[e.Reason]++
	}
}

// Count returns how many events of kind were seen.
func (c *Counter) Count(kind EventKind) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[kind]
}

// Counts returns a copy of all counts.
func (c *Counter) Counts() map[EventKind]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[EventKind]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

// SkipReasons returns how often each skip reason was given.
func (c *Counter) SkipReasons() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.reasons))
	for k, v := range c.reasons {
		out[k] = v
	}
	return out
}
