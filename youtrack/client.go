package youtrack

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
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
)

// Vendor is the name the client uses in errors and the adapter's Kind.
const Vendor = "youtrack"

// DefaultPageSize is the $top the client sends when the caller sets none.
const DefaultPageSize = 100

// Response is a completed HTTP response; see rest.Response.
type Response = rest.Response

// APIError is the error a request returns when the server answers with a
// status of 400 or more. Use errors.As to read its StatusCode, the server's
// Message, the capped Body and the response Header; errors.Is matches it
// against the tracker sentinels. For YouTrack, Message is its error_description, with error_children; the
// sentinels are 404 and 410 tracker.ErrNotFound, 401
// tracker.ErrUnauthorized, 403 tracker.ErrForbidden, 409
// tracker.ErrConflict, 400 and 422 tracker.ErrInvalid, 429
// tracker.ErrRateLimited and 5xx tracker.ErrUnavailable.
//
//	var ae *youtrack.APIError
//	if errors.As(err, &ae) {
//		log.Print(ae.StatusCode, ae.Message, string(ae.Body), ae.Header.Get("X-Request-Id"))
//	}
type APIError = rest.APIError

// RateLimitError is a 429 the client did not wait out: YouTrack asked for
// a longer pause than WithMaxRetryAfter allows, or the retries ran out. It
// carries the wait asked for (RetryAfter, Reset), matches
// tracker.ErrRateLimited, and unwraps to the [APIError] holding status,
// body and headers, so errors.As finds either:
//
//	var rl *youtrack.RateLimitError
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

// UserAPI selects where [UsersService.List] reads accounts from.
type UserAPI int

const (
	// UserAPIYouTrack lists users through /api/users (YouTrack 2026.1 and
	// later manage users there). That API has no ban reason, creation or
	// last access time: without [WithHubUserDetails] every account's
	// LastAccessTime is 0, so an access review cannot tell stale accounts
	// (it lists them as of unknown last access instead).
	UserAPIYouTrack UserAPI = iota
	// UserAPIHub lists users through the Hub REST API
	// (/hub/api/rest/users), which also reports ban reasons, creation and
	// last access times and groups on every version.
	UserAPIHub
)

// Option configures a [Client].
type Option func(*options) error

type options struct {
	cfg        rest.Config
	userAPI    UserAPI
	hubDetails bool
	pageSize   int
}

// WithToken authenticates with a YouTrack permanent token
// ("perm:…"), sent as "Authorization: Bearer <token>".
func WithToken(token string) Option {
	return func(o *options) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("youtrack: WithToken: empty token")
		}
		o.cfg.Auth = rest.Bearer(token)
		return nil
	}
}

// common adapts a shared rest option to a youtrack [Option].
func common(o rest.ConfigOption) Option {
	return func(opts *options) error {
		if err := o(&opts.cfg); err != nil {
			return fmt.Errorf("youtrack: %w", err)
		}
		return nil
	}
}

// WithHTTPClient sets the HTTP client whose transport and timeout are used.
func WithHTTPClient(hc *http.Client) Option { return common(rest.WithHTTPClient(hc)) }

// WithLimiter paces every request; share one limiter between all clients of
// one YouTrack instance.
func WithLimiter(l *rate.Limiter) Option { return common(rest.WithLimiter(l)) }

// WithMaxRetries bounds the retries after the first attempt; 0 disables
// retries.
func WithMaxRetries(n int) Option { return common(rest.WithMaxRetries(n)) }

// WithMaxRetryAfter caps how long the client waits when the server asks for
// a pause; beyond it a *RateLimitError is returned.
func WithMaxRetryAfter(d time.Duration) Option { return common(rest.WithMaxRetryAfter(d)) }

// WithRetryWait bounds the exponential backoff between retries.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return common(rest.WithRetryWait(minWait, maxWait))
}

// WithLogger receives debug lines for requests and retries.
func WithLogger(l *slog.Logger) Option { return common(rest.WithLogger(l)) }

// WithUserAgent is prepended to the User-Agent header.
func WithUserAgent(ua string) Option { return common(rest.WithUserAgent(ua)) }

// WithMaxConns sizes the idle connection pool to the concurrency in use.
func WithMaxConns(n int) Option { return common(rest.WithMaxConns(n)) }

// WithInsecureHTTP allows sending the token over plain http to a host other
// than loopback.
func WithInsecureHTTP() Option { return common(rest.WithInsecureHTTP()) }

// WithUserAPI chooses the user API [UsersService.List] reads; the default
// is [UserAPIYouTrack].
func WithUserAPI(api UserAPI) Option {
	return func(o *options) error {
		if api != UserAPIYouTrack && api != UserAPIHub {
			return fmt.Errorf("youtrack: WithUserAPI: unknown API %d", api)
		}
		o.userAPI = api
		return nil
	}
}

// WithHubUserDetails makes [UsersService.List] with [UserAPIYouTrack]
// also read the bundled Hub's user list (/hub/api/rest/users, one paged
// listing per List) for what /api/users lacks: ban reasons, creation and
// last access times, and groups, matched by the user's ringId. The token
// must be allowed to read Hub users. With [UserAPIHub] it changes nothing.
func WithHubUserDetails() Option {
	return func(o *options) error {
		o.hubDetails = true
		return nil
	}
}

// WithPageSize sets the $top of every paged call whose options set none
// (default [DefaultPageSize]).
func WithPageSize(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("youtrack: WithPageSize: %d is not positive", n)
		}
		o.pageSize = n
		return nil
	}
}

// Client talks to one YouTrack instance. It is safe for concurrent use.
type Client struct {
	rc         *rest.Client
	service    string
	userAPI    UserAPI
	hubDetails bool
	pageSize   int

	// Issues reads and writes issues and their custom fields.
	Issues *IssuesService
	// Comments reads and writes issue comments.
	Comments *CommentsService
	// Commands applies YouTrack commands ("State Fixed") to issues.
	Commands *CommandsService
	// Projects lists projects, their custom field settings and bundles.
	Projects *ProjectsService
	// Users lists accounts through YouTrack or Hub.
	Users *UsersService
	// Tags lists, creates and attaches tags.
	Tags *TagsService
	// Links reads and writes issue links and lists link types.
	Links *LinksService
	// WorkItems reads and records time spent on issues.
	WorkItems *WorkItemsService
	// Agiles lists agile boards and their sprints.
	Agiles *AgilesService
}

// New returns a client for the YouTrack service at serviceURL
// ("https://example.youtrack.cloud", "https://host/youtrack"). The client
// adds "api/" to it; a URL that already ends in "/api" is accepted too.
// New does no I/O.
func New(serviceURL string, opts ...Option) (*Client, error) {
	o := options{pageSize: DefaultPageSize}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	u, err := url.Parse(strings.TrimSpace(serviceURL))
	if err != nil {
		return nil, fmt.Errorf("youtrack: service URL: %w", err)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api")
	o.cfg.Vendor = Vendor
	o.cfg.BaseURL = u.String()
	rc, err := rest.New(o.cfg)
	if err != nil {
		return nil, err
	}
	service := rc.BaseURL()
	c := &Client{
		rc:         rc,
		service:    strings.TrimSuffix(service.String(), "/"),
		userAPI:    o.userAPI,
		hubDetails: o.hubDetails,
		pageSize:   o.pageSize,
	}
	c.Issues = &IssuesService{c: c}
	c.Comments = &CommentsService{c: c}
	c.Commands = &CommandsService{c: c}
	c.Projects = &ProjectsService{c: c, byShort: map[string]*Project{}}
	c.Users = &UsersService{c: c}
	c.Tags = &TagsService{c: c}
	c.Links = &LinksService{c: c}
	c.WorkItems = &WorkItemsService{c: c}
	c.Agiles = &AgilesService{c: c}
	return c, nil
}

// ServiceURL returns the service URL without a trailing slash; issue links
// are ServiceURL + "/issue/" + idReadable.
func (c *Client) ServiceURL() string { return c.service }

// IssueURL returns the web link of the issue with readable id key.
func (c *Client) IssueURL(key string) string { return c.service + "/issue/" + url.PathEscape(key) }

// String describes the client without its credentials.
func (c *Client) String() string {
	return "youtrack.Client{" + c.rc.String() + "}"
}

// Format prints the client as String does for every verb, so %+v and %#v
// cannot reach the token.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// getOne reads one resource at path.
func getOne[T any](ctx context.Context, c *Client, path string, query any) (*T, *Response, error) {
	var out T
	resp, err := c.do(ctx, http.MethodGet, path, query, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// getList reads one page of a list at path.
func getList[T any](ctx context.Context, c *Client, path string, query any) ([]*T, *Response, error) {
	var out []*T
	resp, err := c.do(ctx, http.MethodGet, path, query, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// do sends one request through the shared HTTP core.
func (c *Client) do(ctx context.Context, method, path string, query, body, out any) (*Response, error) {
	resp, err := c.rc.Do(ctx, &rest.Request{Method: method, Path: path, Query: query, Body: body}, out)
	if err != nil {
		explainChildren(err)
	}
	return resp, err
}

// errorBody is YouTrack's error answer; error_children says which part of
// the request failed ("Issue-is-invalid", "User-is-invalid").
type errorBody struct {
	Error       string      `json:"error"`
	Description string      `json:"error_description"`
	Children    []errorBody `json:"error_children"`
}

// explainChildren adds the error_children of a YouTrack error body to the
// APIError's message ("...; child Issue-is-invalid: ..."), so the error
// says which child failed. The body was scrubbed before it got here.
func explainChildren(err error) {
	var ae *APIError
	if !errors.As(err, &ae) || !bytes.Contains(ae.Body, []byte(`"error_children"`)) {
		return
	}
	var body errorBody
	if json.Unmarshal(ae.Body, &body) != nil {
		return
	}
	var parts []string
	var walk func(parent string, children []errorBody)
	walk = func(parent string, children []errorBody) {
		for _, ch := range children {
			part := "child " + cmp.Or(ch.Error, "(unnamed)")
			if ch.Description != "" && ch.Description != parent {
				part += ": " + ch.Description
			}
			parts = append(parts, part)
			walk(ch.Description, ch.Children)
		}
	}
	walk(body.Description, body.Children)
	if len(parts) > 0 {
		ae.Message = strings.TrimPrefix(ae.Message+"; "+strings.Join(parts, "; "), "; ")
	}
}

// top returns n, or the client's page size when n is not positive.
func (c *Client) top(n int) int {
	if n > 0 {
		return n
	}
	return c.pageSize
}

// ListOptions pages a collection. Top 0 means the client's page size; the
// client always sends $top, so the server's silent 42-item default never
// applies.
type ListOptions struct {
	// Fields replaces the default projection of the call.
	Fields string
	Skip   int
	Top    int
}

// listQuery is the wire form of ListOptions plus an optional query.
type listQuery struct {
	Fields string `url:"fields,omitempty"`
	Query  string `url:"query,omitempty"`
	Skip   int    `url:"$skip,omitempty"`
	Top    int    `url:"$top"`
}

func (c *Client) listQuery(o *ListOptions, defFields, q string) listQuery {
	lq := listQuery{Fields: defFields, Query: q, Top: c.pageSize}
	if o != nil {
		if o.Fields != "" {
			lq.Fields = o.Fields
		}
		lq.Skip = max(o.Skip, 0)
		lq.Top = c.top(o.Top)
	}
	return lq
}

// fieldsQuery is the query of single-entity calls.
type fieldsQuery struct {
	Fields string `url:"fields,omitempty"`
}

// GetOptions chooses the projection of a single-entity call.
type GetOptions struct {
	// Fields replaces the default projection.
	Fields string
}

func fieldsOf(o *GetOptions, def string) fieldsQuery {
	if o != nil && o.Fields != "" {
		return fieldsQuery{Fields: o.Fields}
	}
	return fieldsQuery{Fields: def}
}

// pages returns an iterator over a $skip/$top paged collection: fetch
// returns one page at skip; paging stops on a short page.
func pages[T any](ctx context.Context, o *ListOptions, pageSize int, fetch func(ctx context.Context, o *ListOptions) ([]T, error)) func(yield func(T, error) bool) {
	opts := ListOptions{}
	if o != nil {
		opts = *o
	}
	if opts.Top <= 0 {
		opts.Top = pageSize
	}
	return rest.Paginate(ctx, max(opts.Skip, 0), func(ctx context.Context, skip int) ([]T, int, bool, error) {
		po := opts
		po.Skip = skip
		items, err := fetch(ctx, &po)
		if err != nil {
			return nil, 0, false, err
		}
		return items, skip + len(items), len(items) >= opts.Top, nil
	})
}
