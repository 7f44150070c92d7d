package fakeserver_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/internal/fakeserver"
)

// fake is a minimal vendor fake: two routes behind the middleware, with a
// vendor error body.
type fake struct {
	requests fakeserver.Recorder
	faults   fakeserver.Faults
	ts       *httptest.Server
}

func newFake(t *testing.T, mw func(*fakeserver.Middleware)) *fake {
	t.Helper()
	f := &fake{}
	m := fakeserver.Middleware{
		Recorder: &f.requests,
		Faults:   &f.faults,
		WriteFailure: func(w http.ResponseWriter, _ *http.Request, fail fakeserver.Failure) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(fail.Status)
			fmt.Fprintf(w, `{"vendor_error":%d}`, fail.Status)
		},
	}
	if mw != nil {
		mw(&m)
	}
	mux := http.NewServeMux()
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.Handle("GET /items/{id}", m.Wrap(ok))
	mux.Handle("POST /token", m.Wrap(ok))
	f.ts = httptest.NewServer(mux)
	t.Cleanup(f.ts.Close)
	return f
}

func (f *fake) get(t *testing.T, method, path string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.ts.URL+path, nil)
	require.NoError(t, err)
	resp, err := f.ts.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(body)
}

func TestRecorderZeroValueAndReset(t *testing.T) {
	t.Parallel()
	var r fakeserver.Recorder
	assert.Zero(t, r.Total())
	assert.Zero(t, r.Count("GET /x"))
	assert.Empty(t, r.Counts())

	r.Record("GET /x")
	r.Record("GET /x")
	r.Record("POST /y")
	total, per := r.Snapshot()
	assert.Equal(t, 3, total)
	assert.Equal(t, map[string]int{"GET /x": 2, "POST /y": 1}, per)
	per["GET /x"] = 99
	assert.Equal(t, 2, r.Count("GET /x"), "Snapshot returns a copy")

	r.Reset()
	assert.Zero(t, r.Total())
	assert.Empty(t, r.Counts())
	r.Record("GET /x")
	assert.Equal(t, 1, r.Count("GET /x"), "counting goes on after a reset")
}

func TestRetryAfterSeconds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Duration
		want int
	}{
		{0, 0},
		{-time.Second, 0},
		{time.Millisecond, 1},
		{time.Second, 1},
		{1500 * time.Millisecond, 2},
		{2 * time.Second, 2},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, fakeserver.Failure{RetryAfter: tc.in}.RetryAfterSeconds(), tc.in.String())
	}
}

func TestFailNextAnswersInOrderThenPasses(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	f.faults.FailNext(2, http.StatusTooManyRequests, 1500*time.Millisecond)
	f.faults.FailNext(1, http.StatusServiceUnavailable, 0)
	assert.Equal(t, 3, f.faults.Pending())

	status, h, body := f.get(t, "GET", "/items/1")
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "2", h.Get("Retry-After"), "rounded up to whole seconds")
	assert.JSONEq(t, `{"vendor_error":429}`, body, "the vendor writes the body")

	status, _, _ = f.get(t, "GET", "/items/2")
	assert.Equal(t, http.StatusTooManyRequests, status)

	status, h, body = f.get(t, "POST", "/token")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Empty(t, h.Get("Retry-After"))
	assert.JSONEq(t, `{"vendor_error":503}`, body)

	status, _, body = f.get(t, "GET", "/items/3")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok", body)
	assert.Zero(t, f.faults.Pending())

	assert.Equal(t, 4, f.requests.Total(), "failed requests are counted too")
	assert.Equal(t, map[string]int{"GET /items/{id}": 3, "POST /token": 1}, f.requests.Counts())
}

func TestInjectableLeavesTheQueueAlone(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(m *fakeserver.Middleware) {
		m.Injectable = func(_ *http.Request, route string) bool { return route != "POST /token" }
	})
	f.faults.FailNext(1, http.StatusServiceUnavailable, 0)

	status, _, _ := f.get(t, "POST", "/token")
	assert.Equal(t, http.StatusOK, status, "the token route never fails")
	assert.Equal(t, 1, f.faults.Pending())

	status, _, _ = f.get(t, "GET", "/items/1")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Zero(t, f.faults.Pending())
}

func TestRouteOfAndDefaultFailureBody(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(m *fakeserver.Middleware) {
		m.RouteOf = func(r *http.Request) string { return "item " + r.PathValue("id") }
		m.WriteFailure = nil
	})
	f.faults.FailNext(1, http.StatusServiceUnavailable, time.Second)
	status, h, body := f.get(t, "GET", "/items/7")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, "1", h.Get("Retry-After"))
	assert.Contains(t, body, "Service Unavailable")
	assert.Equal(t, 1, f.requests.Count("item 7"))
}

func TestZeroMiddlewarePassesThrough(t *testing.T) {
	t.Parallel()
	h := fakeserver.Middleware{}.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, http.StatusTeapot, rec.Code)
}

func TestLatency(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	f.faults.SetLatency(30 * time.Millisecond)
	assert.Equal(t, 30*time.Millisecond, f.faults.Latency())
	start := time.Now()
	status, _, _ := f.get(t, "GET", "/items/1")
	assert.Equal(t, http.StatusOK, status)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
}

func TestLatencyGivesUpWhenTheClientLeaves(t *testing.T) {
	t.Parallel()
	var faults fakeserver.Faults
	faults.SetLatency(time.Hour)
	called := false
	h := fakeserver.Middleware{Recorder: &fakeserver.Recorder{}, Faults: &faults}.Wrap(
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	req := httptest.NewRequestWithContext(ctx, "GET", "/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req) // returns at once: the context is already done
	assert.False(t, called)
	assert.Empty(t, rec.Body.String())
}

func TestConcurrentRequestsAndReset(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	const n = 40
	f.faults.FailNext(n/4, http.StatusTooManyRequests, 0)

	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			status, _, _ := f.get(t, "GET", fmt.Sprintf("/items/%d", i))
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
		wg.Go(func() { f.requests.Counts(); f.faults.Pending() })
	}
	wg.Wait()
	assert.Equal(t, map[int]int{http.StatusOK: n - n/4, http.StatusTooManyRequests: n / 4}, statuses,
		"each queued failure answers exactly one request")
	total, per := f.requests.Snapshot()
	assert.Equal(t, n, total)
	assert.Equal(t, n, per["GET /items/{id}"])

	f.requests.Reset()
	assert.Zero(t, f.requests.Total())
}

// A fake names its routes, writes its vendor's error body, and hands its
// counts and FailNext to tests.
func ExampleMiddleware() {
	var (
		requests fakeserver.Recorder
		faults   fakeserver.Faults
	)
	mw := fakeserver.Middleware{
		Recorder: &requests,
		Faults:   &faults,
		WriteFailure: func(w http.ResponseWriter, _ *http.Request, f fakeserver.Failure) {
			w.WriteHeader(f.Status)
			fmt.Fprintf(w, `{"error":%q}`, http.StatusText(f.Status))
		},
	}
	mux := http.NewServeMux()
	mux.Handle("GET /ping", mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "pong")
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	faults.FailNext(1, http.StatusTooManyRequests, 2*time.Second)
	for range 2 {
		resp, err := srv.Client().Get(srv.URL + "/ping")
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"), string(body))
	}
	fmt.Println(requests.Count("GET /ping"))
	// Output:
	// 429 2 {"error":"Too Many Requests"}
	// 200  pong
	// 2
}

type closer struct{ closed bool }

func (c *closer) Close() { c.closed = true }

func TestCloseAtEnd(t *testing.T) {
	t.Parallel()
	c := &closer{}
	t.Run("inner", func(t *testing.T) {
		got := fakeserver.CloseAtEnd(t, c)
		assert.Same(t, c, got)
		assert.False(t, c.closed, "still open while the test runs")
	})
	assert.True(t, c.closed, "closed when the test ended")
}

func TestLostAnswersAreLostAfterTheHandlerRan(t *testing.T) {
	t.Parallel()
	var ran sync.WaitGroup
	var mu sync.Mutex
	served := 0
	m := fakeserver.Middleware{Faults: &fakeserver.Faults{}}
	m.Faults.SetLoss(func(r *http.Request, route string) fakeserver.Loss {
		switch r.URL.Query().Get("loss") {
		case "502":
			return fakeserver.LoseTo502
		case "reset":
			return fakeserver.LoseToReset
		}
		return fakeserver.Deliver
	})
	ts := httptest.NewServer(m.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		defer ran.Done()
		mu.Lock()
		served++
		mu.Unlock()
		_, _ = io.WriteString(w, "committed")
	})))
	t.Cleanup(ts.Close)
	do := func(q string) (*http.Response, error) {
		ran.Add(1)
		req, err := http.NewRequestWithContext(t.Context(), "POST", ts.URL+"/?loss="+q, nil)
		require.NoError(t, err)
		return ts.Client().Do(req)
	}

	resp, err := do("502")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Contains(t, string(body), "Bad Gateway")

	_, err = do("reset")
	require.Error(t, err, "the connection closes without an answer")

	resp, err = do("")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "committed", string(body))

	ran.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 3, served, "every request was carried out, answered or not")
}
