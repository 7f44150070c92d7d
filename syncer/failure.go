package syncer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// ErrCircuitOpen is returned while a flow is stopped by a configuration
// error; it wraps that error.
var ErrCircuitOpen = errors.New("syncer: circuit open")

// try runs an idempotent operation (a read, an update, a transition),
// retrying transient failures with exponential backoff. Repeating an
// idempotent write whose answer was lost does no harm.
func (f *Flow) try(ctx context.Context, r *run, d *Decision, what string, op func() error) error {
	return f.retry(ctx, r, d, what, tracker.IsTransient, op)
}

// tryCreate runs a create, retrying only failures that prove nothing was
// created: a rate limit, or a request that never left. A create whose
// answer was lost is not sent again here; the caller resolves it by its
// marker first.
func (f *Flow) tryCreate(ctx context.Context, r *run, d *Decision, what string, op func() error) error {
	return f.retry(ctx, r, d, what, func(err error) bool {
		return tracker.IsTransient(err) && !tracker.IsAmbiguous(err)
	}, op)
}

func (f *Flow) retry(ctx context.Context, r *run, d *Decision, what string, retryable func(error) bool, op func() error) error {
	wait := f.cfg.RetryWait
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil || !retryable(err) || attempt > f.cfg.Retries || ctx.Err() != nil {
			return err
		}
		r.emit(Event{Kind: EventRetrying, Source: d.Source, Target: d.Target, Reason: what, Err: err, Attempt: attempt + 1})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-f.cfg.Sleep(wait):
		}
		wait *= 2
	}
}

// failed records a failure on the link: counted, parked after MaxAttempts,
// never dropped. Configuration errors trip the flow's circuit breaker.
func (f *Flow) failed(ctx context.Context, r *run, d *Decision, link *store.Link, what string, err error) {
	if tracker.IsConfigError(err) || f.repeatedInvalid(err) {
		f.trip(err)
		r.emit(Event{Kind: EventCircuitOpen, Source: d.Source, Reason: what, Err: err})
	}
	link.Attempts++
	link.LastError = what + ": " + err.Error()
	kind := EventFailed
	if link.Attempts >= f.cfg.MaxAttempts && !tracker.IsConfigError(err) {
		link.Parked = true
		kind = EventParked
	}
	// A detached context: the bookkeeping must survive a cancelled run.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if perr := f.cfg.Store.PutLink(sctx, link); perr != nil {
		err = errors.Join(err, fmt.Errorf("recording the failure: %w", perr))
	}
	r.finish(d, Event{Kind: kind, Target: link.Target, Reason: what, Err: err, Attempt: link.Attempts})
}

// repeatedInvalid counts items failing in a row with the same
// invalid-request error (numbers such as input indexes ignored) and reports
// when there have been BreakerInvalid of them.
func (f *Flow) repeatedInvalid(err error) bool {
	f.breakerMu.Lock()
	defer f.breakerMu.Unlock()
	if !errors.Is(err, tracker.ErrInvalid) {
		f.lastInvalid, f.invalidCount = "", 0
		return false
	}
	key := digits.ReplaceAllString(err.Error(), "#")
	if key == f.lastInvalid {
		f.invalidCount++
	} else {
		f.lastInvalid, f.invalidCount = key, 1
	}
	return f.invalidCount >= f.cfg.BreakerInvalid
}

var digits = regexp.MustCompile(`[0-9]+`)

// succeeded resets the count of repeated invalid-request errors.
func (f *Flow) succeeded() {
	f.breakerMu.Lock()
	f.lastInvalid, f.invalidCount = "", 0
	f.breakerMu.Unlock()
}

func (f *Flow) trip(err error) {
	f.breakerMu.Lock()
	defer f.breakerMu.Unlock()
	if f.tripErr == nil || f.cfg.Now().After(f.breakerTill) {
		f.tripErr = err
		f.breakerTill = f.cfg.Now().Add(f.cfg.BreakerCooldown)
	}
}

// breakerErr returns the error that opened the circuit, or nil when it is
// closed (never tripped, or its cooldown has passed).
func (f *Flow) breakerErr() error {
	f.breakerMu.Lock()
	defer f.breakerMu.Unlock()
	if f.tripErr == nil || f.cfg.Now().After(f.breakerTill) {
		f.tripErr = nil
		return nil
	}
	return fmt.Errorf("%w: flow %q: %w", ErrCircuitOpen, f.cfg.Name, f.tripErr)
}
