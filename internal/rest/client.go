package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-querystring/query"

	"github.com/trackbridge/trackbridge/tracker"
)

// Version is trackbridge's version, sent in the User-Agent.
const Version = "0.1.0"

// Defaults for a zero [Config].
const (
	DefaultMaxRetries       = 4
	DefaultRetryWaitMin     = 500 * time.Millisecond
	DefaultRetryWaitMax     = 30 * time.Second
	DefaultMaxRetryAfter    = 2 * time.Minute
	DefaultMaxConns         = 16
	DefaultMaxBodyBytes     = 32 << 20
	DefaultMaxErrorBodySize = 64 << 10
	DefaultTimeout          = 60 * time.Second
)

// Limiter paces requests. *golang.org/x/time/rate.Limiter implements it.
// Share one Limiter between all clients of one base URL to keep to a
// per-tenant budget.
type Limiter interface {
	Wait(ctx context.Context) error
}

// RetryEvent describes a retry about to happen; see [Config.OnRetry].
type RetryEvent struct {
	Vendor  string
	Method  string
	URL     string // sanitised
	Attempt int    // 1 for the first retry
	// StatusCode is the status that caused the retry, 0 for transport errors.
	StatusCode int
	Err        error
	Wait       time.Duration
}

// Config configures a [Client]. The zero value of every field but BaseURL
// has a sensible default.
type Config struct {
	// Vendor names the client in errors and logs ("jira").
	Vendor string
	// BaseURL is the API root; its path is kept as a prefix of every request
	// path ("https://host/jira/" + "rest/api/2/issue").
	BaseURL string
	// Auth adds credentials to every attempt; nil sends none. Its secrets
	// are redacted from every error the client returns.
	Auth Authenticator
	// Secrets are more strings to redact from every error and log line, in
	// every encoding [Redactor] knows: an OAuth2 client secret the client
	// never sees itself, say. They print as "[redacted]".
	Secrets []Secret
	// AllowInsecureHTTP permits credentials over plain http:// to a host
	// other than loopback. Off by default: tokens are refused on the wire.
	AllowInsecureHTTP bool
	// HTTPClient, when set, supplies the transport and timeout; its
	// Transport is wrapped for auth and limiting.
	HTTPClient *http.Client
	// MaxConns sizes the idle connection pool per host to the concurrency
	// in use (Go's default keeps only 2 idle connections per host).
	MaxConns int
	// UserAgent is prepended to "trackbridge/<version>".
	UserAgent string
	// Header holds extra headers sent with every request.
	Header http.Header
	// MaxRetries bounds retries after the first attempt. Negative disables
	// retries.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff, and
	// RetryWaitMin is the floor for a Retry-After of 0.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRetryAfter caps how long the client waits when a server says
	// Retry-After; past it a *RateLimitError is returned at once.
	MaxRetryAfter time.Duration
	// Limiter, when set, paces every attempt.
	Limiter Limiter
	// MaxBodyBytes caps a decoded success body; MaxErrorBodyBytes an error
	// body kept in an *APIError.
	MaxBodyBytes      int64
	MaxErrorBodyBytes int64
	// Logger receives debug lines for requests and retries; nil logs nothing.
	Logger *slog.Logger
	// OnRetry is called before every retry, for observers and metrics.
	OnRetry func(RetryEvent)
	// Now is the clock used for X-RateLimit-Reset; nil means time.Now.
	Now func() time.Time
}

// Client sends requests to one base URL. It is safe for concurrent use.
type Client struct {
	cfg   Config
	red   *Redactor
	base  *url.URL
	hc    *http.Client
	agent string
	// agentHdr is the User-Agent header value, shared by every request.
	agentHdr []string
	errBody  int64
}

// New validates cfg and returns a client. It does no I/O.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, fmt.Errorf("%s: base URL is empty", vendorName(cfg.Vendor))
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("%s: base URL: %w", vendorName(cfg.Vendor), err)
	}
	if base.Scheme != "https" && base.Scheme != "http" {
		return nil, fmt.Errorf("%s: base URL %q: scheme must be https or http", vendorName(cfg.Vendor), SanitizeURL(base))
	}
	if base.Host == "" {
		return nil, fmt.Errorf("%s: base URL %q has no host", vendorName(cfg.Vendor), SanitizeURL(base))
	}
	if base.User != nil {
		return nil, fmt.Errorf("%s: base URL must not carry credentials; use an authentication option", vendorName(cfg.Vendor))
	}
	if base.Scheme == "http" && cfg.Auth != nil && !cfg.AllowInsecureHTTP && !IsLoopback(base.Hostname()) {
		return nil, fmt.Errorf("%s: refusing to send credentials over plain http to %s; use https or opt in to insecure http", vendorName(cfg.Vendor), base.Host)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	base.RawPath = ""
	base.RawQuery, base.Fragment = "", ""
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	} else if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		return nil, fmt.Errorf("%s: RetryWaitMax %s is less than RetryWaitMin %s", vendorName(cfg.Vendor), cfg.RetryWaitMax, cfg.RetryWaitMin)
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxErrorBodyBytes <= 0 {
		cfg.MaxErrorBodyBytes = DefaultMaxErrorBodySize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{cfg: cfg, base: base, errBody: cfg.MaxErrorBodyBytes, red: &Redactor{}}
	for _, sec := range cfg.Secrets {
		c.red.Add(sec.Reveal())
	}
	c.cfg.Secrets = nil
	if h, ok := cfg.Auth.(secretHolder); ok {
		h.registerSecrets(c.red)
	}
	c.agent = "trackbridge/" + Version
	if cfg.UserAgent != "" {
		c.agent = cfg.UserAgent + " " + c.agent
	}
	c.agentHdr = []string{c.agent}
	var next http.RoundTripper
	timeout := DefaultTimeout
	var checkRedirect func(*http.Request, []*http.Request) error
	if cfg.HTTPClient != nil {
		next = cfg.HTTPClient.Transport
		timeout = cfg.HTTPClient.Timeout
		checkRedirect = cfg.HTTPClient.CheckRedirect
	}
	if next == nil {
		next = NewTransport(cfg.MaxConns)
	}
	c.hc = &http.Client{
		Transport:     &authTransport{next: next, auth: cfg.Auth, limiter: cfg.Limiter, scheme: base.Scheme, host: base.Host},
		Timeout:       timeout,
		CheckRedirect: refuseDowngrade(checkRedirect),
	}
	return c, nil
}

// NewTransport returns an http.Transport like http.DefaultTransport whose
// idle pool keeps maxConns connections per host, so a worker pool of that
// size reuses connections instead of opening new ones.
func NewTransport(maxConns int) *http.Transport {
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxConns
	if t.MaxIdleConns < 2*maxConns {
		t.MaxIdleConns = 2 * maxConns
	}
	return t
}

// IsLoopback reports whether host (no port) is localhost or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func vendorName(v string) string {
	if v == "" {
		return "rest"
	}
	return v
}

// BaseURL returns a copy of the client's base URL (with a trailing slash).
func (c *Client) BaseURL() *url.URL {
	u := *c.base
	return &u
}

// HTTPClient returns the client's *http.Client, with authentication and
// limiting but without retries; for calls such as OAuth2 token requests
// that must share the connection pool.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// String describes the client without its credentials.
func (c *Client) String() string {
	auth := "none"
	if c.cfg.Auth != nil {
		if s, ok := c.cfg.Auth.(fmt.Stringer); ok {
			auth = s.String()
		} else {
			auth = fmt.Sprintf("%T", c.cfg.Auth)
		}
	}
	return fmt.Sprintf("rest.Client{vendor: %s, base: %s, auth: %s}", vendorName(c.cfg.Vendor), SanitizeURL(c.base), auth)
}

// Format prints the client as String does for every verb, so %+v and %#v
// cannot reach the credentials.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// Redact removes the client's secrets from s, in every encoding
// [Redactor] knows. Vendor packages use it on any text they build from
// server responses.
func (c *Client) Redact(s string) string { return c.red.Redact(s) }

// Redactor returns the client's Redactor, which knows its credentials and
// [Config.Secrets].
func (c *Client) Redactor() *Redactor { return c.red }

// Request describes one call.
type Request struct {
	Method string
	// Path is relative to the base URL; a leading slash is ignored so the
	// base URL's path prefix is always kept. Build it with [Pathf] so
	// values are escaped. Segments ".." are refused.
	Path string
	// Query is a go-querystring tagged struct, url.Values, or nil.
	Query any
	// Body is JSON-encoded (without HTML escaping) unless it is []byte or
	// an io.Reader, which are sent as they are with ContentType.
	Body        any
	ContentType string
	// Header holds extra headers for this request.
	Header http.Header
	// Idempotent marks a POST or PATCH as safe to repeat, so 5xx and
	// transport failures are retried (for example a trax post whose record
	// id makes a repeat harmless). GET, HEAD, OPTIONS, PUT and DELETE are
	// idempotent anyway.
	Idempotent bool
}

// Pathf formats a path, escaping every string argument as one path segment
// (url.PathEscape), so an id cannot add segments or a query.
func Pathf(format string, args ...any) string {
	esc := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			esc[i] = url.PathEscape(v)
		case fmt.Stringer:
			esc[i] = url.PathEscape(v.String())
		default:
			esc[i] = a
		}
	}
	return fmt.Sprintf(format, esc...)
}

// Response is a completed HTTP response whose body has been read and closed.
type Response struct {
	*http.Response
	// RateLimit holds the rate-limit headers of the response, where sent.
	RateLimit RateLimit
}

// RateLimit is what a response said about the caller's budget.
type RateLimit struct {
	Limit     int
	Remaining int
	Reset     time.Time
	NearLimit bool
}

// containsFold reports whether sub (lower case ASCII) is in s, ignoring
// ASCII case, without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// plainPath reports whether p is made only of unreserved path characters
// and "/", without "." or ".." segments, so it needs no parsing.
func plainPath(p string) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '~':
		case c == '/':
		case c == '.':
			// Allowed inside a segment, not as a whole one.
			start := i == 0 || p[i-1] == '/'
			end := i+1 == len(p) || p[i+1] == '/' || (p[i+1] == '.' && (i+2 == len(p) || p[i+2] == '/'))
			if start && end {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// URL resolves r's path and query against the base URL.
func (c *Client) URL(r *Request) (*url.URL, error) {
	p := strings.TrimLeft(r.Path, "/")
	if r.Query == nil && plainPath(p) {
		// Nothing to parse, escape or check: join it to the base.
		u := *c.base
		u.Path += p
		return &u, nil
	}
	rel, err := url.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("%s: path %q: %w", vendorName(c.cfg.Vendor), p, err)
	}
	if rel.IsAbs() || rel.Host != "" {
		return nil, fmt.Errorf("%s: path %q must be relative to the base URL", vendorName(c.cfg.Vendor), p)
	}
	// Check each escaped segment, so an id escaped by Pathf ("a%2F..")
	// stays one harmless segment while "..", "." and "%2e%2e" are refused.
	for _, seg := range strings.Split(rel.EscapedPath(), "/") {
		if dec, err := url.PathUnescape(seg); err != nil || dec == ".." || dec == "." {
			return nil, fmt.Errorf("%s: path %q has a %q segment", vendorName(c.cfg.Vendor), p, seg)
		}
	}
	u := c.base.ResolveReference(&url.URL{Path: rel.Path, RawPath: rel.RawPath})
	q := rel.Query()
	switch v := r.Query.(type) {
	case nil:
	case url.Values:
		for k, vs := range v {
			q[k] = append(q[k], vs...)
		}
	default:
		vals, err := query.Values(v)
		if err != nil {
			return nil, fmt.Errorf("%s: query: %w", vendorName(c.cfg.Vendor), err)
		}
		for k, vs := range vals {
			q[k] = append(q[k], vs...)
		}
	}
	u.RawQuery = q.Encode()
	return u, nil
}

// encodeBody returns the bytes to send for r and their content type.
func (c *Client) encodeBody(r *Request, u *url.URL) ([]byte, string, error) {
	contentType := r.ContentType
	switch b := r.Body.(type) {
	case nil:
		return nil, contentType, nil
	case []byte:
		return b, contentType, nil
	case io.Reader:
		// Read it once so every retry sends the same bytes.
		data, err := io.ReadAll(b)
		if err != nil {
			return nil, "", fmt.Errorf("%s: reading request body: %w", vendorName(c.cfg.Vendor), err)
		}
		return data, contentType, nil
	default:
		e := encoders.Get().(*bodyEncoder)
		defer encoders.Put(e)
		e.buf.Reset()
		if err := e.enc.Encode(b); err != nil {
			return nil, "", fmt.Errorf("%s: encoding %s %s body: %w", vendorName(c.cfg.Vendor), r.Method, u.Path, err)
		}
		if contentType == "" {
			contentType = "application/json"
		}
		return bytes.Clone(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))), contentType, nil
	}
}

// bodyEncoder is a JSON encoder without HTML escaping and its buffer,
// pooled so that encoding a body allocates only the bytes it keeps.
type bodyEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := &bodyEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

// Header values shared by every request; net/http only reads them.
var (
	acceptJSON      = []string{"application/json"}
	contentTypeJSON = []string{"application/json"}
)

// newAttempt builds the *http.Request of one attempt. Attempts are cheap
// to rebuild, so a retry never sends a body a failed attempt consumed.
func (c *Client) newAttempt(ctx context.Context, method, target string, body []byte, contentType string, extra http.Header) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, 4+len(c.cfg.Header)+len(extra))
	h["User-Agent"] = c.agentHdr
	h["Accept"] = acceptJSON
	switch contentType {
	case "":
	case "application/json":
		h["Content-Type"] = contentTypeJSON
	default:
		h["Content-Type"] = []string{contentType}
	}
	for k, vs := range c.cfg.Header {
		h[k] = append([]string(nil), vs...)
	}
	for k, vs := range extra {
		h[k] = append([]string(nil), vs...)
	}
	req.Header = h
	return req, nil
}

// Do sends r, retrying as the policy allows, and decodes a 2xx JSON body
// into out when out is non-nil (a *[]byte receives the raw body). A non-2xx
// answer is returned as an *APIError (or *RateLimitError); a request that
// never got an answer as a *TransportError. The returned *Response is
// non-nil whenever the server answered.
func (c *Client) Do(ctx context.Context, r *Request, out any) (*Response, error) {
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	u, err := c.URL(r)
	if err != nil {
		return nil, err
	}
	body, contentType, err := c.encodeBody(r, u)
	if err != nil {
		return nil, err
	}
	pol := retryPolicy{c: c, method: r.Method, idempotent: r.Idempotent || isIdempotent(r.Method), u: u}
	retries := c.cfg.MaxRetries
	if tracker.RetriesDisabled(ctx) {
		retries = 0
	}
	hresp, err := c.send(ctx, &pol, retries, r, u.String(), body, contentType)
	if err != nil {
		if hresp != nil && hresp.Body != nil {
			hresp.Body.Close()
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s: %s %s: %w", vendorName(c.cfg.Vendor), r.Method, pol.url(), ctxErr)
		}
		inner := unwrapURLError(err)
		var ae *authError
		if errors.As(inner, &ae) {
			if api := (*APIError)(nil); errors.As(ae, &api) {
				// The token endpoint's answer, scrubbed where it was
				// built: it says itself how it classifies.
				return nil, &redactedChain{msg: fmt.Sprintf("%s: %s %s: %s", vendorName(c.cfg.Vendor), r.Method, pol.url(), c.Redact(ae.Error())), err: ae}
			}
			return nil, fmt.Errorf("%s: %s %s: %w: %s", vendorName(c.cfg.Vendor), r.Method, pol.url(), tracker.ErrUnauthorized, c.Redact(ae.Error()))
		}
		return nil, &TransportError{Vendor: c.cfg.Vendor, Method: r.Method, URL: pol.url(), Err: c.red.Error(inner), NotSent: neverSent(inner)}
	}
	defer hresp.Body.Close()
	resp := &Response{Response: hresp, RateLimit: parseRateLimit(hresp.Header)}
	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		return resp, c.apiError(hresp, r.Method, pol.url())
	}
	if out == nil || hresp.StatusCode == http.StatusNoContent {
		// Drain a little so the connection can be reused.
		_, _ = io.CopyN(io.Discard, hresp.Body, 4<<10)
		return resp, nil
	}
	data, err := readCapped(hresp.Body, c.cfg.MaxBodyBytes)
	if err != nil {
		return resp, fmt.Errorf("%s: %s %s: reading response: %w", vendorName(c.cfg.Vendor), r.Method, pol.url(), err)
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return resp, nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return resp, nil
	}
	if ct := hresp.Header.Get("Content-Type"); ct != "" && !containsFold(ct, "json") {
		return resp, fmt.Errorf("%s: %s %s: %d answered with %s, not JSON: %q", vendorName(c.cfg.Vendor), r.Method, pol.url(), hresp.StatusCode, ct, c.Redact(ErrorMessage(data)))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return resp, fmt.Errorf("%s: %s %s: decoding response: %w", vendorName(c.cfg.Vendor), r.Method, pol.url(), err)
	}
	return resp, nil
}

// send makes the attempts of one call: it sends, asks the policy whether
// to retry, and waits as the policy says, at most retries times. It
// returns the last response (whatever its status) when the policy stops,
// or the error that ended the call.
func (c *Client) send(ctx context.Context, pol *retryPolicy, retries int, r *Request, target string, body []byte, contentType string) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := c.newAttempt(ctx, r.Method, target, body, contentType, r.Header)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", vendorName(c.cfg.Vendor), unwrapURLError(err))
		}
		if c.cfg.Logger != nil {
			c.cfg.Logger.DebugContext(ctx, "http request", "vendor", c.cfg.Vendor, "method", r.Method, "url", pol.url(), "attempt", attempt)
		}
		resp, doErr := c.hc.Do(req)
		retry, checkErr := pol.check(ctx, resp, doErr)
		if checkErr != nil {
			return resp, checkErr
		}
		if !retry || attempt >= retries {
			if doErr != nil {
				return resp, doErr
			}
			return resp, nil
		}
		if resp != nil {
			// Drain a little so the connection can be reused.
			_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
			resp.Body.Close()
		}
		t := time.NewTimer(pol.wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// ErrBodyTooLarge is returned when a response body exceeds the client's cap.
var ErrBodyTooLarge = errors.New("response body too large")

func readCapped(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, max)
	}
	return data, nil
}

func (c *Client) apiError(resp *http.Response, method, url string) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, c.errBody+1))
	truncated := int64(len(data)) > c.errBody
	if truncated {
		data = data[:c.errBody]
	}
	body := []byte(c.Redact(string(data)))
	e := &APIError{
		Vendor:     c.cfg.Vendor,
		Method:     method,
		URL:        url,
		StatusCode: resp.StatusCode,
		Message:    c.Redact(ErrorMessage(body)),
		Body:       body,
		Truncated:  truncated,
		Header:     c.red.RedactHeader(resp.Header),
	}
	if resp.StatusCode == http.StatusTooManyRequests || (resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "") {
		wait, reset := retryAfter(resp.Header, c.cfg.Now())
		rl := &RateLimitError{APIError: e, RetryAfter: wait, Reset: reset, Reason: c.Redact(resp.Header.Get("RateLimit-Reason"))}
		if rl.Reason == "" {
			rl.Reason = c.Redact(resp.Header.Get("X-RateLimit-Reason"))
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			return rl
		}
		// A 503 asked us to wait too: it is unavailability with a hint.
		return e
	}
	return e
}

func isIdempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodTrace:
		return true
	}
	return false
}

// maxRedirects is how many redirects one request follows, as net/http's
// default policy.
const maxRedirects = 10

// ErrInsecureRedirect is returned for a redirect from https to plain http,
// which would send the request, and any data in it, in clear text.
var ErrInsecureRedirect = errors.New("redirect from https to http refused")

// CheckRedirect returns a redirect policy for an http.Client that refuses
// an https → http redirect (wrapping [ErrInsecureRedirect]) and otherwise
// applies next, or net/http's default limit of ten redirects when next is
// nil. Clients built by [New] use it; give it to any other client that
// sends credentials, such as one for OAuth2 token requests.
func CheckRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return refuseDowngrade(next)
}

// refuseDowngrade returns a redirect policy that refuses an https → http
// redirect and then applies next (or net/http's default limit of ten).
func refuseDowngrade(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: to %s", ErrInsecureRedirect, SanitizeURL(req.URL))
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
}

// authTransport adds credentials and pacing to every attempt, and only for
// the base URL's scheme and host: a redirect to another host, port or
// scheme (https → http) never receives the credentials.
type authTransport struct {
	next    http.RoundTripper
	auth    Authenticator
	limiter Limiter
	scheme  string
	host    string
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.limiter != nil {
		if err := t.limiter.Wait(req.Context()); err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
	}
	if t.auth == nil || req.URL.Host != t.host || req.URL.Scheme != t.scheme {
		return t.next.RoundTrip(req)
	}
	// A shallow copy with its own header map: Authenticate sets headers
	// (replacing value slices, never writing into them), and the caller's
	// request must stay without credentials.
	r2 := new(http.Request)
	*r2 = *req
	r2.Header = make(http.Header, len(req.Header)+1)
	for k, vs := range req.Header {
		r2.Header[k] = vs
	}
	if err := t.auth.Authenticate(r2); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &authError{fmt.Errorf("authenticating: %w", err)}
	}
	resp, err := t.next.RoundTrip(r2)
	if resp != nil {
		// The response names the request without its credentials, so
		// resp.Request can be printed or logged.
		resp.Request = req
	}
	return resp, err
}
