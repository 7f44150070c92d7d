package jira

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

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// Response is the HTTP response of a call, with its rate-limit headers
// parsed. Its body has been read and closed.
type Response = rest.Response

// Deployment says which Jira product a [Client] talks to.
type Deployment int

// The deployments. Cloud is the default.
const (
	// Cloud is Jira Cloud: REST API v3, rich text as Atlassian Document
	// Format, users by accountId, search through /rest/api/3/search/jql.
	Cloud Deployment = iota
	// DataCenter is Jira Server or Data Center: REST API v2, rich text as
	// wiki-markup strings, users by name, search through /rest/api/2/search.
	DataCenter
)

// String returns "cloud" or "datacenter".
func (d Deployment) String() string {
	if d == DataCenter {
		return "datacenter"
	}
	return "cloud"
}

// Option configures a [Client]. Options validate their arguments; New
// returns the first error.
type Option func(*options) error

type options struct {
	deployment    Deployment
	deploymentSet bool
	cfg           rest.Config
	siteURL       string
}

// WithCloud selects Jira Cloud (the default): REST v3 and ADF bodies.
func WithCloud() Option {
	return func(o *options) error {
		if o.deploymentSet && o.deployment != Cloud {
			return errors.New("jira: WithCloud conflicts with WithDataCenter")
		}
		o.deployment, o.deploymentSet = Cloud, true
		return nil
	}
}

// WithDataCenter selects Jira Server or Data Center: REST v2 and string
// bodies.
func WithDataCenter() Option {
	return func(o *options) error {
		if o.deploymentSet && o.deployment != DataCenter {
			return errors.New("jira: WithDataCenter conflicts with WithCloud")
		}
		o.deployment, o.deploymentSet = DataCenter, true
		return nil
	}
}

func setAuth(o *options, a rest.Authenticator) error {
	if o.cfg.Auth != nil {
		return errors.New("jira: more than one authentication option")
	}
	o.cfg.Auth = a
	return nil
}

// WithBasicAuth authenticates with an Atlassian account's email and an API
// token (Jira Cloud), or a Data Center user name and password.
func WithBasicAuth(email, token string) Option {
	return func(o *options) error {
		if email == "" || token == "" {
			return errors.New("jira: WithBasicAuth needs an email and a token")
		}
		return setAuth(o, rest.Basic(email, token))
	}
}

// WithToken authenticates with a bearer token: a Data Center personal
// access token, or an OAuth 2.0 access token that never needs refreshing.
func WithToken(token string) Option {
	return func(o *options) error {
		if token == "" {
			return errors.New("jira: WithToken needs a token")
		}
		return setAuth(o, rest.Bearer(token))
	}
}

// WithTokenSource authenticates with OAuth 2.0 (3LO) access tokens from ts,
// refreshed as they expire. The base URL is then
// https://api.atlassian.com/ex/jira/{cloudId}; see [CloudIDFor].
//
// The client never sees the OAuth2 client secret or refresh token behind
// ts, yet an error from ts (x/oauth2 quotes the token endpoint's answer)
// may carry them: pass them as secrets, and they are redacted, in every
// encoding, from every error and log line of the client. Errors from ts
// keep only the endpoint's status, error code and description.
func WithTokenSource(ts oauth2.TokenSource, secrets ...string) Option {
	return func(o *options) error {
		if ts == nil {
			return errors.New("jira: WithTokenSource needs a token source")
		}
		if err := rest.WithSecrets(secrets...)(&o.cfg); err != nil {
			return fmt.Errorf("jira: WithTokenSource: %w", err)
		}
		return setAuth(o, rest.OAuth2(ts))
	}
}

// common adapts a shared rest option to a jira [Option].
func common(o rest.ConfigOption) Option {
	return func(opts *options) error {
		if err := o(&opts.cfg); err != nil {
			return fmt.Errorf("jira: %w", err)
		}
		return nil
	}
}

// WithHTTPClient sets the HTTP client whose transport and timeout the client
// uses.
func WithHTTPClient(hc *http.Client) Option { return common(rest.WithHTTPClient(hc)) }

// WithLimiter paces every request. Share one limiter between all clients of
// one site so they keep to its budget together.
func WithLimiter(l *rate.Limiter) Option { return common(rest.WithLimiter(l)) }

// WithMaxRetries bounds retries after the first attempt; 0 disables them.
func WithMaxRetries(n int) Option { return common(rest.WithMaxRetries(n)) }

// WithMaxRetryAfter caps how long the client waits when Jira asks for a
// pause (Retry-After, X-RateLimit-Reset); beyond it a rate-limit error is
// returned at once.
func WithMaxRetryAfter(d time.Duration) Option { return common(rest.WithMaxRetryAfter(d)) }

// WithRetryWait bounds the exponential backoff between retries.
func WithRetryWait(min, max time.Duration) Option { return common(rest.WithRetryWait(min, max)) }

// WithLogger receives debug lines for requests and retries.
func WithLogger(l *slog.Logger) Option { return common(rest.WithLogger(l)) }

// WithUserAgent is prepended to the User-Agent header.
func WithUserAgent(ua string) Option { return common(rest.WithUserAgent(ua)) }

// WithMaxConns sizes the connection pool to the concurrency in use.
func WithMaxConns(n int) Option { return common(rest.WithMaxConns(n)) }

// WithInsecureHTTP permits credentials over plain http to a host other than
// loopback. Only for lab installations.
func WithInsecureHTTP() Option { return common(rest.WithInsecureHTTP()) }

// WithSiteURL sets the site's web address (https://acme.atlassian.net) when
// the base URL is not it, as with the OAuth 2.0 gateway
// https://api.atlassian.com/ex/jira/{cloudId}. Issue URLs (/browse/KEY) are
// built from it.
func WithSiteURL(site string) Option {
	return func(o *options) error {
		u, err := url.Parse(site)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("jira: WithSiteURL(%q): not an http(s) URL", site)
		}
		o.siteURL = strings.TrimSuffix(u.String(), "/")
		return nil
	}
}

// Client talks to one Jira site. It is safe for concurrent use. Services
// hang off it: client.Issues.Get, client.Search.All and so on.
type Client struct {
	rest       *rest.Client
	deployment Deployment
	api        string // "rest/api/3" or "rest/api/2"
	site       string // web address without trailing slash

	common service

	// Issues reads and writes issues, including bulk create.
	Issues *IssuesService
	// Transitions lists and performs workflow transitions.
	Transitions *TransitionsService
	// Comments reads and writes issue comments.
	Comments *CommentsService
	// Search runs JQL searches.
	Search *SearchService
	// Users lists and finds users.
	Users *UsersService
	// Fields lists fields and resolves display names to ids.
	Fields *FieldsService
	// Projects lists projects and their create metadata.
	Projects *ProjectsService
	// Workflow lists priorities, statuses and status categories.
	Workflow *WorkflowService
	// Properties reads and writes issue entity properties.
	Properties *PropertiesService
	// RemoteLinks reads and writes issue remote links.
	RemoteLinks *RemoteLinksService
}

type service struct{ c *Client }

// New returns a client for the Jira site at baseURL: the site root
// (https://acme.atlassian.net, https://jira.example.com/jira) or, for OAuth
// 2.0, https://api.atlassian.com/ex/jira/{cloudId}. A trailing /rest/api/2
// or /rest/api/3 is accepted and dropped. The deployment is Cloud unless
// [WithDataCenter] is given; a base URL ending in /rest/api/2 without
// either option also selects Data Center. New does no I/O.
func New(baseURL string, opts ...Option) (*Client, error) {
	o := &options{}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	base := strings.TrimRight(baseURL, "/")
	if b, ok := strings.CutSuffix(base, "/rest/api/2"); ok {
		if o.deploymentSet && o.deployment == Cloud {
			return nil, errors.New("jira: base URL names REST API v2 but WithCloud uses v3")
		}
		base, o.deployment = b, DataCenter
	} else if b, ok := strings.CutSuffix(base, "/rest/api/3"); ok {
		if o.deployment == DataCenter {
			return nil, errors.New("jira: base URL names REST API v3, which Data Center does not have")
		}
		base = b
	}
	o.cfg.Vendor, o.cfg.BaseURL = "jira", base
	rc, err := rest.New(o.cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{rest: rc, deployment: o.deployment, api: "rest/api/3", site: o.siteURL}
	if c.deployment == DataCenter {
		c.api = "rest/api/2"
	}
	if c.site == "" {
		c.site = strings.TrimSuffix(rest.SanitizeURL(rc.BaseURL()), "/")
	}
	c.common.c = c
	c.Issues = (*IssuesService)(&c.common)
	c.Transitions = (*TransitionsService)(&c.common)
	c.Comments = (*CommentsService)(&c.common)
	c.Search = (*SearchService)(&c.common)
	c.Users = (*UsersService)(&c.common)
	c.Fields = &FieldsService{c: c, loading: make(chan struct{}, 1)}
	c.Projects = (*ProjectsService)(&c.common)
	c.Workflow = (*WorkflowService)(&c.common)
	c.Properties = (*PropertiesService)(&c.common)
	c.RemoteLinks = (*RemoteLinksService)(&c.common)
	return c, nil
}

// Deployment reports whether the client talks to Cloud or Data Center.
func (c *Client) Deployment() Deployment { return c.deployment }

// SiteURL returns the site's web address, without a trailing slash.
func (c *Client) SiteURL() string { return c.site }

// BrowseURL returns the web address of an issue.
func (c *Client) BrowseURL(key string) string { return c.site + "/browse/" + url.PathEscape(key) }

// String describes the client without its credentials.
func (c *Client) String() string {
	return fmt.Sprintf("jira.Client{deployment: %s, %s}", c.deployment, c.rest)
}

// Format prints the client as String does for every verb, so %+v and %#v
// cannot reach the credentials.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// path joins the API prefix and a path built with rest.Pathf.
func (c *Client) path(format string, args ...any) string {
	return c.api + "/" + rest.Pathf(format, args...)
}

// do sends a request to an API path.
func (c *Client) do(ctx context.Context, method, path string, query, body, out any) (*Response, error) {
	return c.rest.Do(ctx, &rest.Request{Method: method, Path: path, Query: query, Body: body}, out)
}

// isCloud reports whether the client speaks REST v3.
func (c *Client) isCloud() bool { return c.deployment == Cloud }
