package rest

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"time"
)

// ConfigOption sets one field of a [Config] after checking its argument.
// Vendor packages wrap these constructors as their own options, adding the
// vendor's name to the error, so every client validates the common options
// the same way and none keeps a copy of them.
type ConfigOption func(*Config) error

// WithHTTPClient sets the HTTP client whose transport and timeout the client
// uses; see [Config.HTTPClient]. A nil client is an error.
func WithHTTPClient(hc *http.Client) ConfigOption {
	return func(c *Config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil client")
		}
		c.HTTPClient = hc
		return nil
	}
}

// WithLimiter paces every attempt with l; see [Config.Limiter]. A nil
// limiter, including a typed nil such as a (*rate.Limiter)(nil), is an
// error.
func WithLimiter(l Limiter) ConfigOption {
	return func(c *Config) error {
		if isNil(l) {
			return errors.New("WithLimiter: nil limiter")
		}
		c.Limiter = l
		return nil
	}
}

// isNil reports whether l is nil or an interface holding a nil pointer,
// which would panic on the first Wait.
func isNil(l Limiter) bool {
	if l == nil {
		return true
	}
	switch v := reflect.ValueOf(l); v.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// WithMaxRetries bounds the retries after the first attempt; 0 disables
// them. A negative n is an error.
func WithMaxRetries(n int) ConfigOption {
	return func(c *Config) error {
		if n < 0 {
			return fmt.Errorf("WithMaxRetries(%d): negative", n)
		}
		// Config.MaxRetries: 0 means the default, negative disables. The
		// captured n is left alone so the option can be applied again.
		c.MaxRetries = n
		if n == 0 {
			c.MaxRetries = -1
		}
		return nil
	}
}

// WithMaxRetryAfter caps how long the client waits when a server asks for a
// pause (Retry-After, X-RateLimit-Reset); beyond it a *[RateLimitError] is
// returned at once. d must be positive.
func WithMaxRetryAfter(d time.Duration) ConfigOption {
	return func(c *Config) error {
		if d <= 0 {
			return fmt.Errorf("WithMaxRetryAfter(%s): want a positive duration", d)
		}
		c.MaxRetryAfter = d
		return nil
	}
}

// WithRetryWait bounds the exponential backoff between retries; it needs
// 0 < minWait <= maxWait.
func WithRetryWait(minWait, maxWait time.Duration) ConfigOption {
	return func(c *Config) error {
		if minWait <= 0 || maxWait < minWait {
			return fmt.Errorf("WithRetryWait(%s, %s): want 0 < min <= max", minWait, maxWait)
		}
		c.RetryWaitMin, c.RetryWaitMax = minWait, maxWait
		return nil
	}
}

// WithLogger sends debug lines for requests and retries to l. A nil logger
// is an error; leaving the option out logs nothing.
func WithLogger(l *slog.Logger) ConfigOption {
	return func(c *Config) error {
		if l == nil {
			return errors.New("WithLogger: nil logger")
		}
		c.Logger = l
		return nil
	}
}

// WithUserAgent prepends ua to the User-Agent header; see
// [Config.UserAgent]. A line break, which would split the header, is an
// error.
func WithUserAgent(ua string) ConfigOption {
	return func(c *Config) error {
		if strings.ContainsAny(ua, "\r\n") {
			return fmt.Errorf("WithUserAgent(%q): line break in user agent", ua)
		}
		c.UserAgent = ua
		return nil
	}
}

// WithMaxConns sizes the idle connection pool per host to the concurrency
// in use; n must be positive.
func WithMaxConns(n int) ConfigOption {
	return func(c *Config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxConns(%d): want a positive count", n)
		}
		c.MaxConns = n
		return nil
	}
}

// WithInsecureHTTP permits credentials over plain http to a host other than
// loopback; see [Config.AllowInsecureHTTP]. Only for lab installations.
func WithInsecureHTTP() ConfigOption {
	return func(c *Config) error {
		c.AllowInsecureHTTP = true
		return nil
	}
}

// WithSecrets adds strings to redact from every error and log line of the
// client, in every encoding a [Redactor] knows; see [Config.Secrets]. Use
// it for secrets the client does not hold itself, such as the client
// secret behind an OAuth2 token source. Strings shorter than four bytes
// are an error: they would match ordinary text.
func WithSecrets(secrets ...string) ConfigOption {
	return func(c *Config) error {
		for i, s := range secrets {
			if len(s) < minSecretLen {
				return fmt.Errorf("WithSecrets: secret %d is shorter than %d bytes", i, minSecretLen)
			}
		}
		for _, s := range secrets {
			c.Secrets = append(c.Secrets, Secret(s))
		}
		return nil
	}
}
