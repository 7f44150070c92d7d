package extrahop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbridge/trackbridge/internal/rest"
	"github.com/trackbridge/trackbridge/tracker"
)

// Vendor is the name the client uses in errors and the adapter's Kind.
const Vendor = "extrahop"

// Response is a completed HTTP response; see rest.Response.
type Response = rest.Response

// APIError is the error a request returns when the server answers with a
// status of 400 or more. Use errors.As to read its StatusCode, the server's
// Message, the capped Body and the response Header; errors.Is matches it
// against the tracker sentinels. For ExtraHop, Message is its error_message; the
// sentinels are 404 and 410 tracker.ErrNotFound, 401
// tracker.ErrUnauthorized, 403 tracker.ErrForbidden, 409
// tracker.ErrConflict, 400 and 422 tracker.ErrInvalid, 429
// tracker.ErrRateLimited and 5xx tracker.ErrUnavailable.
//
//	var ae *extrahop.APIError
//	if errors.As(err, &ae) {
//		log.Print(ae.StatusCode, ae.Message, string(ae.Body), ae.Header.Get("X-Request-Id"))
//	}
type APIError = rest.APIError

// RateLimitError is a 429 the client did not wait out: ExtraHop asked for
// a longer pause than WithMaxRetryAfter allows, or the retries ran out. It
// carries the wait asked for (RetryAfter, Reset), matches
// tracker.ErrRateLimited, and unwraps to the [APIError] holding status,
// body and headers, so errors.As finds either:
//
//	var rl *extrahop.RateLimitError
//	if errors.As(err, &rl) {
//		time.Sleep(rl.RetryAfter)
//	}
type RateLimitError = rest.RateLimitError

// Errors the client returns without asking the server, matched with
// errors.Is: a redirect from https to plain http (credentials are never
// sent in clear), and a response body larger than the client's cap.
var (
	ErrInsecureRedirect = rest.ErrInsecureRedirect
	ErrBodyTooLarge     = rest.ErrBodyTooLarge
)

// apiPath is what New appends to the host URL.
const apiPath = "api/v1/"

// Option configures a [Client].
type Option func(*options) error

type options struct {
	cfg        rest.Config
	apiKey     string
	clientID   string
	secret     string
	tokenURL   string
	now        func() time.Time
	authGiven  int
	integrator string
}

// WithAPIKey authenticates with the API key of a self-managed sensor or
// console, sent as "Authorization: ExtraHop apikey=<key>".
func WithAPIKey(key string) Option {
	return func(o *options) error {
		if strings.TrimSpace(key) == "" {
			return errors.New("extrahop: WithAPIKey: empty key")
		}
		if strings.ContainsAny(key, "\r\n") {
			return errors.New("extrahop: WithAPIKey: line break in key")
		}
		o.apiKey = key
		o.authGiven++
		return nil
	}
}

// WithClientCredentials authenticates with RevealX 360 OAuth2 client
// credentials (the ID and secret of the API Access page). The client posts
// grant_type=client_credentials to <host>/oauth2/token with the credentials
// in a Basic Authorization header, sends the token as a bearer token, reuses
// it for every call and fetches a new one shortly before it expires.
func WithClientCredentials(clientID, clientSecret string) Option {
	return func(o *options) error {
		if strings.TrimSpace(clientID) == "" || clientSecret == "" {
			return errors.New("extrahop: WithClientCredentials: empty client id or secret")
		}
		o.clientID, o.secret = clientID, clientSecret
		o.authGiven++
		return nil
	}
}

// WithTokenURL overrides where client credentials are exchanged for a token
// (default: <host>/oauth2/token, the host being the base URL without
// "api/v1").
func WithTokenURL(tokenURL string) Option {
	return func(o *options) error {
		u, err := url.Parse(tokenURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("extrahop: WithTokenURL: %q is not an http(s) URL", rest.SanitizeURL(u))
		}
		if u.User != nil {
			return errors.New("extrahop: WithTokenURL: the URL must not carry credentials")
		}
		o.tokenURL = u.String()
		return nil
	}
}

// WithClock sets the clock that decides when an OAuth2 token is due for
// renewal and that reads rate-limit reset times. Tests share a fake clock
// with the fake server; the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("extrahop: WithClock: nil clock")
		}
		o.now = now
		return nil
	}
}

// WithIntegration sends "ExtraHop-Integration: <name>" with every request,
// as partner integrations do ("trackbridge-1.0").
func WithIntegration(name string) Option {
	return func(o *options) error {
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "\r\n") {
			return errors.New("extrahop: WithIntegration: empty name or line break")
		}
		o.integrator = name
		return nil
	}
}

// common adapts a shared rest option to a extrahop [Option].
func common(o rest.ConfigOption) Option {
	return func(opts *options) error {
		if err := o(&opts.cfg); err != nil {
			return fmt.Errorf("extrahop: %w", err)
		}
		return nil
	}
}

// WithHTTPClient sets the HTTP client whose transport and timeout are used,
// for API calls and token requests alike.
func WithHTTPClient(hc *http.Client) Option { return common(rest.WithHTTPClient(hc)) }

// WithLimiter paces every request; share one limiter between all clients of
// one tenant, whose rate limit is per tenant.
func WithLimiter(l *rate.Limiter) Option { return common(rest.WithLimiter(l)) }

// WithMaxRetries bounds the retries after the first attempt; 0 disables
// retries.
func WithMaxRetries(n int) Option { return common(rest.WithMaxRetries(n)) }

// WithMaxRetryAfter caps how long the client waits when the server asks for
// a pause (429 with Retry-After); beyond it a *RateLimitError is
// returned.
func WithMaxRetryAfter(d time.Duration) Option { return common(rest.WithMaxRetryAfter(d)) }

// WithRetryWait bounds the exponential backoff between retries.
func WithRetryWait(min, max time.Duration) Option { return common(rest.WithRetryWait(min, max)) }

// WithLogger receives debug lines for requests and retries.
func WithLogger(l *slog.Logger) Option { return common(rest.WithLogger(l)) }

// WithUserAgent is prepended to the User-Agent header.
func WithUserAgent(ua string) Option { return common(rest.WithUserAgent(ua)) }

// WithMaxConns sizes the idle connection pool to the concurrency in use.
func WithMaxConns(n int) Option { return common(rest.WithMaxConns(n)) }

// WithInsecureHTTP allows sending credentials over plain http to a host
// other than loopback.
func WithInsecureHTTP() Option { return common(rest.WithInsecureHTTP()) }

// Client talks to one ExtraHop appliance or RevealX 360 tenant. It is safe
// for concurrent use.
type Client struct {
	rc *rest.Client
	// host is the base URL without "api/v1/", with a trailing slash; the
	// console and token endpoint live under it.
	host string
	// tokens is the OAuth2 token source, nil with an API key.
	tokens *tokenSource

	// Detections reads detections and writes their ticket fields and notes.
	Detections *DetectionsService
}

// New returns a client for the ExtraHop appliance or RevealX 360 tenant at
// baseURL ("https://eda.example.com", "https://acme.api.cloud.extrahop.com").
// The client adds "api/v1/" to it; a URL that already ends in "/api/v1" is
// accepted too. Exactly one of [WithAPIKey] and [WithClientCredentials] is
// required. New does no I/O.
func New(baseURL string, opts ...Option) (*Client, error) {
	var o options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.authGiven != 1 {
		return nil, errors.New("extrahop: New: give exactly one of WithAPIKey and WithClientCredentials")
	}
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil {
		return nil, fmt.Errorf("extrahop: base URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("extrahop: base URL %q: want https://host", rest.SanitizeURL(u))
	}
	p := strings.TrimSuffix(u.Path, "/")
	p = strings.TrimSuffix(p, "/api/v1")
	u.Path, u.RawPath, u.RawQuery, u.Fragment = p+"/", "", "", ""
	host := u.String()
	o.cfg.Vendor = Vendor
	o.cfg.BaseURL = host + apiPath
	if o.now != nil {
		o.cfg.Now = o.now
	}
	if o.integrator != "" {
		o.cfg.Header = http.Header{"Extrahop-Integration": {o.integrator}}
	}
	// One transport for API calls and token requests, so both share the
	// connection pool and the caller's HTTP client.
	hc := &http.Client{Timeout: rest.DefaultTimeout}
	if o.cfg.HTTPClient != nil {
		hc.Transport, hc.Timeout = o.cfg.HTTPClient.Transport, o.cfg.HTTPClient.Timeout
	}
	if hc.Transport == nil {
		hc.Transport = rest.NewTransport(o.cfg.MaxConns)
	}
	o.cfg.HTTPClient = hc
	var tokens *tokenSource
	switch {
	case o.apiKey != "":
		o.cfg.Auth = rest.Header("Authorization", "ExtraHop apikey=", o.apiKey)
	default:
		tokenURL := o.tokenURL
		if tokenURL == "" {
			tokenURL = host + "oauth2/token"
		}
		tu, _ := url.Parse(tokenURL)
		if tu.Scheme == "http" && !o.cfg.AllowInsecureHTTP && !rest.IsLoopback(tu.Hostname()) {
			return nil, fmt.Errorf("extrahop: refusing to send client credentials over plain http to %s; use https or WithInsecureHTTP", tu.Host)
		}
		tokens = newTokenSource(tokenURL, o.clientID, o.secret, hc, o.now)
		o.cfg.Auth = rest.OAuth2(tokens)
		for _, s := range rest.PairSecrets(o.clientID, o.secret) {
			o.cfg.Secrets = append(o.cfg.Secrets, rest.Secret(s))
		}
	}
	rc, err := rest.New(o.cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{rc: rc, host: host, tokens: tokens}
	c.Detections = &DetectionsService{c: c}
	return c, nil
}

// do sends r. With OAuth2, an answer saying the token is no longer valid
// (revoked or expired early: 401, or 400 "The specified access token is
// invalid") drops the token and sends r once more with a new one; the
// refused request was not processed, so repeating it is safe.
func (c *Client) do(ctx context.Context, r *rest.Request, out any) (*Response, error) {
	if c.tokens == nil {
		return c.rc.Do(ctx, r, out)
	}
	gen := c.tokens.generation()
	resp, err := c.rc.Do(ctx, r, out)
	if !tokenRefused(err) {
		return resp, err
	}
	c.tokens.invalidate(gen)
	resp, err = c.rc.Do(ctx, r, out)
	if tokenRefused(err) {
		// A freshly fetched token refused as well: the credentials or the
		// tenant's API access are wrong, whatever status said so.
		var ae *APIError
		errors.As(err, &ae)
		return resp, &tokenRefusedError{err: err, api: ae}
	}
	return resp, err
}

// tokenRefusedError is a request refused for its token again after a new
// token was fetched. ExtraHop says so with a 401 or with a 400 "The
// specified access token is invalid"; either way it is an authentication
// failure, so it matches tracker.ErrUnauthorized (and nothing else), and
// errors.As still finds the *APIError with the status, body and headers.
type tokenRefusedError struct {
	err error
	api *APIError
}

// Error is the refused request's error.
func (e *tokenRefusedError) Error() string {
	return e.err.Error() + " (refused again with a new token)"
}

// Is matches tracker.ErrUnauthorized.
func (e *tokenRefusedError) Is(target error) bool { return target == tracker.ErrUnauthorized }

// As gives the *APIError of the refused request.
func (e *tokenRefusedError) As(target any) bool {
	if p, ok := target.(**APIError); ok && e.api != nil {
		*p = e.api
		return true
	}
	return false
}

// tokenRefused reports whether err is the server refusing a bearer token.
func tokenRefused(err error) bool {
	var ae *rest.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.StatusCode {
	case http.StatusUnauthorized:
		return true
	case http.StatusBadRequest:
		return strings.Contains(strings.ToLower(ae.Message), "access token")
	}
	return false
}

// BaseURL returns the API root the client sends requests to, ending in
// "/api/v1/".
func (c *Client) BaseURL() *url.URL { return c.rc.BaseURL() }

// String describes the client without its credentials.
func (c *Client) String() string {
	return "extrahop.Client{" + c.rc.String() + "}"
}

// Format prints the client as String does for every verb, so %+v and %#v
// cannot reach the credentials.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// ConsoleURL returns the absolute address of a console location given as
// ExtraHop writes it in detection descriptions ("#/metrics/devices/123"):
// the host's /extrahop/ page with that fragment.
func (c *Client) ConsoleURL(fragment string) string {
	return c.host + "extrahop/" + fragment
}

// absoluteLinks makes the relative console links of a detection
// description (Markdown link targets starting "#/") absolute, so that they
// work wherever the text is shown (a Jira ticket, an email). It builds the
// new text in one pass.
func (c *Client) absoluteLinks(md string) string {
	const open = "](#/"
	i := strings.Index(md, open)
	if i < 0 {
		return md
	}
	var b strings.Builder
	b.Grow(len(md) + 4*(len(c.host)+len("extrahop/")))
	for i >= 0 {
		start := i + 2 // the '#'
		end := start
		for end < len(md) && md[end] != ')' && !isSpace(md[end]) {
			end++
		}
		if end == len(md) || md[end] != ')' {
			// Not a link target: keep it as it is.
			b.WriteString(md[:start])
			md = md[start:]
		} else {
			b.WriteString(md[:start])
			b.WriteString(c.host)
			b.WriteString("extrahop/")
			b.WriteString(md[start:end])
			md = md[end:]
		}
		i = strings.Index(md, open)
	}
	b.WriteString(md)
	return b.String()
}

// isSpace reports whether c is white space as regexp's \s has it.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}
