package tracker

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Deduper remembers the deliveries a webhook receiver accepted, so that a
// replay of one inside the deduper's window is refused. Receivers key it on
// a digest of the authenticated body (never on headers a sender or an
// attacker can change), prefixed with the receiver's name, so one Deduper
// can serve several receivers.
//
// Implementations must be safe for concurrent use. A host running several
// replicas behind a load balancer shares one Deduper between them (a small
// table in its database or cache); [NewMemoryDeduper] serves one process.
type Deduper interface {
	// Seen records key and reports whether it was recorded already (and
	// not forgotten) within the window. An error makes the receiver
	// answer with a server error, so the sender retries.
	Seen(ctx context.Context, key string) (bool, error)
	// Forget removes key, so a delivery whose processing failed is
	// accepted when the sender retries it.
	Forget(ctx context.Context, key string) error
}

// MemoryDeduper is the in-memory [Deduper]: it keeps at most a fixed number
// of keys for at most a window. When more distinct deliveries arrive within
// the window than it may keep, the oldest keys are dropped first, and a
// replay of a dropped key is no longer recognised: size it for the
// deliveries a window holds (about 100 bytes per key).
type MemoryDeduper struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	order  *list.List // of dedupEntry, oldest first
	seen   map[string]*list.Element
}

type dedupEntry struct {
	key string
	at  time.Time
}

// Default bounds of [NewMemoryDeduper].
const (
	DefaultDedupKeys   = 100_000
	DefaultDedupWindow = 24 * time.Hour
)

// NewMemoryDeduper returns a MemoryDeduper keeping at most max keys
// (DefaultDedupKeys when max <= 0) for window (DefaultDedupWindow when
// window <= 0).
func NewMemoryDeduper(max int, window time.Duration) *MemoryDeduper {
	if max <= 0 {
		max = DefaultDedupKeys
	}
	if window <= 0 {
		window = DefaultDedupWindow
	}
	return &MemoryDeduper{max: max, window: window, now: time.Now, order: list.New(), seen: map[string]*list.Element{}}
}

// Window returns how long a key is remembered.
func (d *MemoryDeduper) Window() time.Duration { return d.window }

// Len returns the number of keys held.
func (d *MemoryDeduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.order.Len()
}

// Seen implements [Deduper]. An empty key is never a duplicate. It never
// fails.
func (d *MemoryDeduper) Seen(_ context.Context, key string) (bool, error) {
	if key == "" {
		return false, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	for e := d.order.Front(); e != nil && now.Sub(e.Value.(dedupEntry).at) >= d.window; e = d.order.Front() {
		d.drop(e)
	}
	if _, ok := d.seen[key]; ok {
		return true, nil
	}
	for d.order.Len() >= d.max {
		d.drop(d.order.Front())
	}
	d.seen[key] = d.order.PushBack(dedupEntry{key: key, at: now})
	return false, nil
}

func (d *MemoryDeduper) drop(e *list.Element) {
	d.order.Remove(e)
	delete(d.seen, e.Value.(dedupEntry).key)
}

// Forget implements [Deduper]. It never fails.
func (d *MemoryDeduper) Forget(_ context.Context, key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.seen[key]; ok {
		d.drop(e)
	}
	return nil
}
