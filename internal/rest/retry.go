package rest

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryPolicy is the per-request retry state: the client's send loop asks
// it whether to retry (check) and waits as long as it says (wait). check computes the wait
// so that Retry-After is honoured and observers learn the real wait.
type retryPolicy struct {
	c          *Client
	method     string
	idempotent bool
	u          *url.URL
	sanitized  string // u as errors and logs show it, made when first needed
	attempt    int
	wait       time.Duration
}

// url returns the request's URL as errors and logs show it (see
// SanitizeURL). It is made only when one of them needs it: a successful
// call never does.
func (p *retryPolicy) url() string {
	if p.sanitized == "" {
		p.sanitized = SanitizeURL(p.u)
	}
	return p.sanitized
}

// authError marks a failure to obtain credentials; it is never retried.
type authError struct{ err error }

func (e *authError) Error() string { return e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

func (p *retryPolicy) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var ae *authError
	if errors.As(err, &ae) || errors.Is(err, ErrInsecureRedirect) {
		return false, err
	}
	cfg := &p.c.cfg
	var retry bool
	var minWait time.Duration
	status := 0
	switch {
	case err != nil:
		// A write that never left (the dial failed) can be sent again
		// safely; one that may have reached the server cannot.
		if !p.idempotent && !neverSent(err) {
			return false, err
		}
		// The default policy knows which transport errors are permanent
		// (bad scheme, TLS certificate, too many redirects).
		retry, _ = retryablehttp.DefaultRetryPolicy(ctx, nil, err)
	case resp.StatusCode == http.StatusTooManyRequests:
		status = resp.StatusCode
		ra, _ := retryAfter(resp.Header, cfg.Now())
		if ra > cfg.MaxRetryAfter {
			return false, nil // Do turns the 429 into a *RateLimitError.
		}
		retry, minWait = true, ra
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		status = resp.StatusCode
		if !p.idempotent {
			return false, nil
		}
		ra, _ := retryAfter(resp.Header, cfg.Now())
		if ra > cfg.MaxRetryAfter {
			return false, nil
		}
		retry, minWait = true, ra
	}
	if !retry || p.attempt >= cfg.MaxRetries {
		return false, nil
	}
	p.attempt++
	p.wait = max(minWait, p.expBackoff())
	if cfg.OnRetry != nil {
		cfg.OnRetry(RetryEvent{Vendor: cfg.Vendor, Method: p.method, URL: p.url(), Attempt: p.attempt, StatusCode: status, Err: p.c.red.Error(unwrapURLError(err)), Wait: p.wait})
	}
	if cfg.Logger != nil {
		cfg.Logger.DebugContext(ctx, "http retry", "vendor", cfg.Vendor, "method", p.method, "url", p.url(), "attempt", p.attempt, "status", status, "wait", p.wait)
	}
	return true, nil
}

// expBackoff is RetryWaitMin·2^(attempt-1) with full jitter in its upper
// half, capped at RetryWaitMax.
func (p *retryPolicy) expBackoff() time.Duration {
	cfg := &p.c.cfg
	d := cfg.RetryWaitMin << (p.attempt - 1)
	if d <= 0 || d > cfg.RetryWaitMax {
		d = cfg.RetryWaitMax
	}
	half := d / 2
	return half + rand.N(half+1)
}

// retryAfter reads how long the server asked us to wait: Retry-After as
// seconds or an HTTP date, else X-RateLimit-Reset as an ISO-8601 instant
// (Jira: 2026-03-26T16:00Z) or epoch seconds. A zero or past value means
// "now", which the caller floors at RetryWaitMin. The reset instant is
// returned when the server gave one.
func retryAfter(h http.Header, now time.Time) (time.Duration, time.Time) {
	var reset time.Time
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		reset = parseReset(v)
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
			if secs < 0 {
				secs = 0
			}
			return clampSeconds(secs), reset
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), reset
		}
	}
	if !reset.IsZero() {
		return max(reset.Sub(now), 0), reset
	}
	return 0, reset
}

// clampSeconds converts seconds to a Duration without overflowing.
func clampSeconds(secs int64) time.Duration {
	const maxSecs = int64(1<<63-1) / int64(time.Second)
	if secs > maxSecs {
		secs = maxSecs
	}
	return time.Duration(secs) * time.Second
}

func parseReset(v string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 1_000_000_000 {
		if n > 1_000_000_000_000 { // epoch milliseconds
			return time.UnixMilli(n)
		}
		return time.Unix(n, 0)
	}
	return time.Time{}
}

func parseRateLimit(h http.Header) RateLimit {
	var rl RateLimit
	// Most answers carry none of these headers: skip strconv, whose error
	// for "" would be built and thrown away.
	if v := h.Get("X-RateLimit-Limit"); v != "" {
		rl.Limit, _ = strconv.Atoi(v)
	}
	if v := h.Get("X-RateLimit-Remaining"); v != "" {
		rl.Remaining, _ = strconv.Atoi(v)
	}
	if v := h.Get("X-RateLimit-Reset"); v != "" {
		rl.Reset = parseReset(strings.TrimSpace(v))
	}
	rl.NearLimit = strings.EqualFold(h.Get("X-RateLimit-NearLimit"), "true")
	return rl
}
