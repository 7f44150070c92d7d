package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// ReasonBusy is the deferral reason for an item this engine is already
// working on in another call (a webhook and a poll at once).
const ReasonBusy = "this engine is working on it in another call"

// lease takes the item's lease; ok is false when it is held elsewhere (the
// item is then finished as deferred, with the holder's expiry).
//
// The store gives a lease back to its own owner at once, so that an engine
// restarted under its stable Owner reclaims what its killed predecessor
// held. Calls of one Flow share that owner, so the flow keeps its own set
// of keys in use to keep two of its calls off one item.
func (f *Flow) lease(ctx context.Context, r *run, d *Decision) (*store.Lease, bool) {
	key := f.leaseKey(d.Source)
	if !f.claim(key) {
		r.deferUntil(d, f.cfg.Now(), ReasonBusy)
		return nil, false
	}
	l, err := f.cfg.Store.AcquireLease(ctx, key, f.cfg.Owner, f.cfg.LeaseTTL)
	if err != nil {
		f.unclaim(key)
		var held *store.LeaseHeldError
		switch {
		case errors.As(err, &held):
			r.finish(d, Event{Kind: EventDeferred, RetryAt: held.Expires, Err: held,
				Reason: fmt.Sprintf("%s (%s, until %s)", ReasonLeased, held.Owner, held.Expires.UTC().Format(time.RFC3339))})
		case errors.Is(err, store.ErrLeaseHeld):
			r.deferUntil(d, f.cfg.Now().Add(f.cfg.LeaseTTL), ReasonLeased)
		default:
			r.finish(d, Event{Kind: EventFailed, Reason: "acquiring lease", Err: err})
		}
		return nil, false
	}
	return l, true
}

// BreakLease gives back the item lease held names, on behalf of its
// holder, an engine known to be gone: a job runner that has seen the
// holder's process die (riversync's take-over) calls it so that the
// item's work goes on at once rather than when the lease lapses. The
// store gives a lease back to its own owner, so the lease is taken as the
// holder and released. Breaking the lease of an engine that still runs
// lets two engines work on one item; the create markers keep that from
// making a second ticket.
func (f *Flow) BreakLease(ctx context.Context, held *store.LeaseHeldError) error {
	switch {
	case held == nil:
		return errors.New("syncer: BreakLease: no lease")
	case held.Owner == f.cfg.Owner:
		return fmt.Errorf("syncer: flow %q: lease %q is this engine's own", f.cfg.Name, held.Key)
	case !strings.HasPrefix(held.Key, f.cfg.Name+"/"):
		return fmt.Errorf("syncer: flow %q: lease %q is not one of its items'", f.cfg.Name, held.Key)
	}
	l, err := f.cfg.Store.AcquireLease(ctx, held.Key, held.Owner, f.cfg.LeaseTTL)
	if err != nil {
		return fmt.Errorf("syncer: flow %q: breaking lease %q of %q: %w", f.cfg.Name, held.Key, held.Owner, err)
	}
	if err := f.cfg.Store.ReleaseLease(ctx, l); err != nil {
		return fmt.Errorf("syncer: flow %q: breaking lease %q of %q: %w", f.cfg.Name, held.Key, held.Owner, err)
	}
	return nil
}

// claim marks key in use by this flow; it reports false when a call of the
// flow already uses it.
func (f *Flow) claim(key string) bool {
	f.busyMu.Lock()
	defer f.busyMu.Unlock()
	if f.busy[key] {
		return false
	}
	if f.busy == nil {
		f.busy = map[string]bool{}
	}
	f.busy[key] = true
	return true
}

func (f *Flow) unclaim(key string) {
	f.busyMu.Lock()
	defer f.busyMu.Unlock()
	delete(f.busy, key)
}

// keep renews held leases every third of their TTL until stop is called,
// so a slow vendor (a long Retry-After) cannot let a lease expire under
// work in progress and another engine act on the same item. If a lease is
// lost anyway, the returned context is cancelled so the work stops.
func (f *Flow) keep(ctx context.Context, leases ...*store.Lease) (context.Context, func()) {
	return f.keepSet(ctx, &leaseSet{held: leases})
}

// leaseSet is the leases a keep renews; a lease given back early (a bulk
// element finished before the rest) is dropped from it first.
type leaseSet struct {
	mu   sync.Mutex
	held []*store.Lease
}

func (s *leaseSet) drop(l *store.Lease) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held = slices.DeleteFunc(s.held, func(h *store.Lease) bool { return h == l })
}

func (s *leaseSet) has(l *store.Lease) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.held, l)
}

func (s *leaseSet) list() []*store.Lease {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.held)
}

func (f *Flow) keepSet(ctx context.Context, set *leaseSet) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(f.cfg.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				for _, l := range set.list() {
					rctx, rcancel := context.WithTimeout(ctx, f.cfg.LeaseTTL/3)
					err := f.cfg.Store.RenewLease(rctx, l, f.cfg.LeaseTTL)
					rcancel()
					// A lease dropped meanwhile was given back on purpose.
					if errors.Is(err, store.ErrLeaseLost) && set.has(l) {
						cancel()
						return
					}
				}
			}
		}
	}()
	return ctx, func() { close(done); cancel() }
}

// release gives the lease back, detached from the run's context so a
// cancelled run still frees its items at once.
func (f *Flow) release(l *store.Lease) {
	defer f.unclaim(l.Key)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = f.cfg.Store.ReleaseLease(ctx, l)
}

// fresh re-reads the item's link under its lease and decides again if it
// changed since the plan.
func (f *Flow) fresh(ctx context.Context, d *Decision) (*Decision, *store.Link, error) {
	link, err := f.getLink(ctx, d.Source)
	if err != nil {
		return d, nil, err
	}
	if (link != nil) != d.hasLink || (link != nil && link.Version != d.linkVersion) {
		d = f.decide(d.Item, link)
	}
	return d, link, nil
}

// getLink returns the item's link, or nil when it has none.
func (f *Flow) getLink(ctx context.Context, src tracker.Ref) (*store.Link, error) {
	link, err := f.cfg.Store.GetLink(ctx, f.cfg.Name, src)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("syncer: flow %q: reading link of %s: %w", f.cfg.Name, src, err)
	}
	return link, nil
}
