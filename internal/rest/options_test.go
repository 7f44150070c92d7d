package rest

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// limiterFunc is a Limiter that is not a pointer.
type limiterFunc func(context.Context) error

func (f limiterFunc) Wait(ctx context.Context) error { return f(ctx) }

func TestConfigOptions(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	rl := rate.NewLimiter(rate.Inf, 1)
	logger := slog.New(slog.DiscardHandler)
	tests := []struct {
		name string
		opt  ConfigOption
		want Config
	}{
		{"http client", WithHTTPClient(hc), Config{HTTPClient: hc}},
		{"rate limiter", WithLimiter(rl), Config{Limiter: rl}},
		{"retries", WithMaxRetries(3), Config{MaxRetries: 3}},
		{"zero retries disables", WithMaxRetries(0), Config{MaxRetries: -1}},
		{"max retry after", WithMaxRetryAfter(time.Minute), Config{MaxRetryAfter: time.Minute}},
		{"retry wait", WithRetryWait(time.Second, 2*time.Second), Config{RetryWaitMin: time.Second, RetryWaitMax: 2 * time.Second}},
		{"equal retry wait", WithRetryWait(time.Second, time.Second), Config{RetryWaitMin: time.Second, RetryWaitMax: time.Second}},
		{"logger", WithLogger(logger), Config{Logger: logger}},
		{"user agent", WithUserAgent("hostapp/2"), Config{UserAgent: "hostapp/2"}},
		{"max conns", WithMaxConns(16), Config{MaxConns: 16}},
		{"insecure", WithInsecureHTTP(), Config{AllowInsecureHTTP: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The same option value configures any number of clients.
			for range 2 {
				var cfg Config
				require.NoError(t, tt.opt(&cfg))
				assert.Equal(t, tt.want, cfg)
			}
		})
	}
}

func TestConfigOptionsLimiterFunc(t *testing.T) {
	t.Parallel()
	var called bool
	var cfg Config
	require.NoError(t, WithLimiter(limiterFunc(func(context.Context) error { called = true; return nil }))(&cfg))
	require.NotNil(t, cfg.Limiter)
	require.NoError(t, cfg.Limiter.Wait(t.Context()))
	assert.True(t, called, "the configured limiter is the one given")
}

func TestConfigOptionsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  ConfigOption
		want string
	}{
		{"nil http client", WithHTTPClient(nil), "WithHTTPClient: nil client"},
		{"nil limiter", WithLimiter(nil), "WithLimiter: nil limiter"},
		{"typed nil limiter", WithLimiter((*rate.Limiter)(nil)), "WithLimiter: nil limiter"},
		{"nil limiter func", WithLimiter(limiterFunc(nil)), "WithLimiter: nil limiter"},
		{"negative retries", WithMaxRetries(-1), "WithMaxRetries(-1): negative"},
		{"zero max retry after", WithMaxRetryAfter(0), "WithMaxRetryAfter(0s): want a positive duration"},
		{"negative max retry after", WithMaxRetryAfter(-time.Second), "WithMaxRetryAfter(-1s): want a positive duration"},
		{"zero retry wait", WithRetryWait(0, 0), "WithRetryWait(0s, 0s): want 0 < min <= max"},
		{"max below min", WithRetryWait(time.Second, time.Millisecond), "WithRetryWait(1s, 1ms): want 0 < min <= max"},
		{"nil logger", WithLogger(nil), "WithLogger: nil logger"},
		{"line feed in user agent", WithUserAgent("app\nX-Evil: 1"), `WithUserAgent("app\nX-Evil: 1"): line break in user agent`},
		{"carriage return in user agent", WithUserAgent("app\r"), `WithUserAgent("app\r"): line break in user agent`},
		{"zero max conns", WithMaxConns(0), "WithMaxConns(0): want a positive count"},
		{"negative max conns", WithMaxConns(-2), "WithMaxConns(-2): want a positive count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cfg Config
			err := tt.opt(&cfg)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.Equal(t, Config{}, cfg, "a refused option leaves the config alone")
		})
	}
}
