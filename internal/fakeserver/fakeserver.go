// Package fakeserver holds what the in-memory fake vendor servers
// (jiratest, youtracktest, extrahoptest, traxtest) share: request counts by
// route ([Recorder]), injected latency and failures ([Faults]), a
// [Middleware] that applies both in front of a vendor's handler, and
// [CloseAtEnd] for the fakes' NewServer(t).
//
// A fake keeps one Recorder and one Faults, wraps its routes with a
// Middleware that names each request and writes the vendor's error body,
// and exposes the counts and FailNext under its own API. Everything here
// is safe for concurrent use, and the zero Recorder and Faults are ready to
// use.
package fakeserver

import (
	"context"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// CloseAtEnd closes srv when the test ends and returns it, so that a fake's
// NewServer(t, opts...) is CloseAtEnd(t, New(opts...)).
func CloseAtEnd[S interface{ Close() }](t testing.TB, srv S) S {
	t.Cleanup(srv.Close)
	return srv
}

// Recorder counts requests by route name. The zero value is ready to use.
type Recorder struct {
	mu     sync.Mutex
	total  int
	counts map[string]int
}

// Record counts one request on route.
func (r *Recorder) Record(route string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = map[string]int{}
	}
	r.total++
	r.counts[route]++
}

// Total returns the number of requests recorded.
func (r *Recorder) Total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

// Count returns the number of requests recorded on route.
func (r *Recorder) Count(route string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[route]
}

// Counts returns a copy of the per-route counts.
func (r *Recorder) Counts() map[string]int {
	_, perRoute := r.Snapshot()
	return perRoute
}

// Snapshot returns the total and a copy of the per-route counts, taken
// together so that they agree.
func (r *Recorder) Snapshot() (total int, perRoute map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	perRoute = make(map[string]int, len(r.counts))
	maps.Copy(perRoute, r.counts)
	return r.total, perRoute
}

// Reset sets every count to zero.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total, r.counts = 0, nil
}

// Failure is one injected failure: the status to answer with and the
// delay to announce in Retry-After (none when not positive).
type Failure struct {
	Status     int
	RetryAfter time.Duration
}

// RetryAfterSeconds returns RetryAfter in whole seconds, rounded up, as the
// Retry-After header carries it; 0 when RetryAfter is not positive.
func (f Failure) RetryAfterSeconds() int {
	if f.RetryAfter <= 0 {
		return 0
	}
	return int((f.RetryAfter + time.Second - 1) / time.Second)
}

// Loss says what becomes of a carried-out request's answer on its way
// back to the client.
type Loss int

// Losses.
const (
	// Deliver sends the answer as the handler wrote it.
	Deliver Loss = iota
	// LoseTo502 replaces the answer with a gateway's 502 page: the change
	// was made, the client is told the server failed.
	LoseTo502
	// LoseToReset closes the connection without an answer: the change was
	// made, the client sees a reset.
	LoseToReset
)

// Faults holds a fake's injected latency, its queue of injected failures
// and its answer-loss rule. The zero value injects nothing.
type Faults struct {
	mu      sync.Mutex
	latency time.Duration
	queue   []Failure
	loss    func(r *http.Request, route string) Loss
}

// SetLoss decides, for every request the fake carries out from now on,
// whether its answer reaches the client (nil: always). It injects the
// faults real gateways produce after the server committed a write.
func (f *Faults) SetLoss(fn func(r *http.Request, route string) Loss) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loss = fn
}

func (f *Faults) lossRule() func(r *http.Request, route string) Loss {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.loss
}

// SetLatency delays every later answer by d (none when d is not positive).
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// Latency returns the injected delay.
func (f *Faults) Latency() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.latency
}

// FailNext queues n failures with status and retryAfter; they answer the
// next n requests that may take one. Calls add to the queue.
func (f *Faults) FailNext(n, status int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.queue = append(f.queue, Failure{Status: status, RetryAfter: retryAfter})
	}
}

// Pending returns the number of queued failures.
func (f *Faults) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.queue)
}

// take removes and returns the first queued failure, if any.
func (f *Faults) take() (Failure, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) == 0 {
		return Failure{}, false
	}
	next := f.queue[0]
	f.queue = f.queue[1:]
	return next, true
}

// Middleware applies a fake's counting, latency and injected failures in
// front of its handler. Every field is optional. A Middleware must not be
// changed once it serves.
type Middleware struct {
	// Recorder counts every request that reaches the middleware; nil
	// counts nothing.
	Recorder *Recorder
	// Faults supplies the latency and the failures; nil injects nothing.
	Faults *Faults
	// RouteOf names a request for counting; nil counts it under
	// r.Pattern, the ServeMux pattern it matched (set when the middleware
	// wraps a single route inside the mux).
	RouteOf func(r *http.Request) string
	// Injectable reports whether a queued failure may answer the request
	// (e.g. not a token request, or only an authenticated one); nil means
	// every request may take one. A request it refuses leaves the queue
	// alone.
	Injectable func(r *http.Request, route string) bool
	// WriteFailure writes the vendor's error answer for f; Retry-After is
	// already set. Nil answers with the status text as plain text.
	WriteFailure func(w http.ResponseWriter, r *http.Request, f Failure)
}

// Wrap returns next behind the middleware. For each request it counts the
// request, takes a queued failure if the request may take one, waits the
// latency (giving up silently when the client goes away), and then either
// writes the failure or calls next.
func (m Middleware) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := r.Pattern
		if m.RouteOf != nil {
			route = m.RouteOf(r)
		}
		if m.Recorder != nil {
			m.Recorder.Record(route)
		}
		if m.Faults == nil {
			next.ServeHTTP(w, r)
			return
		}
		var fail Failure
		failing := false
		if m.Injectable == nil || m.Injectable(r, route) {
			fail, failing = m.Faults.take()
		}
		if !wait(r.Context(), m.Faults.Latency()) {
			return
		}
		if !failing {
			serve(w, r, route, next, m.Faults.lossRule())
			return
		}
		if secs := fail.RetryAfterSeconds(); secs > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
		if m.WriteFailure == nil {
			http.Error(w, http.StatusText(fail.Status), fail.Status)
			return
		}
		m.WriteFailure(w, r, fail)
	})
}

// serve runs next and delivers its answer, or loses it after the fact as
// the loss rule says.
func serve(w http.ResponseWriter, r *http.Request, route string, next http.Handler, rule func(*http.Request, string) Loss) {
	loss := Deliver
	if rule != nil {
		loss = rule(r, route)
	}
	if loss == Deliver {
		next.ServeHTTP(w, r)
		return
	}
	next.ServeHTTP(discard{header: http.Header{}}, r) // the change is made
	if loss == LoseToReset {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"))
}

// discard is a ResponseWriter that drops the answer.
type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}

// wait waits d or until ctx ends; it reports whether d passed.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
