package contract

import (
	"net/http"
	"strings"
	"testing"
)

// An Option adjusts what [Spec.Transport] checks.
type Option func(*transportConfig)

type transportConfig struct {
	allowed []allowance
}

type allowance struct {
	method string // "" matches any method
	path   string // exact path, or a prefix when it ends in "*"
}

// Allow lets requests with this method and path through unchecked, for
// endpoints the vendor's document does not describe (such as ExtraHop's
// POST /oauth2/token). method "" or "*" matches any method; a path ending
// in "*" matches every path with that prefix. Every other request that
// matches no operation still fails the test.
func Allow(method, path string) Option {
	if method == "*" {
		method = ""
	}
	return func(c *transportConfig) {
		c.allowed = append(c.allowed, allowance{method: strings.ToUpper(method), path: path})
	}
}

func (c *transportConfig) allows(req *http.Request) bool {
	for _, a := range c.allowed {
		if a.method != "" && a.method != req.Method {
			continue
		}
		if prefix, ok := strings.CutSuffix(a.path, "*"); ok {
			if strings.HasPrefix(req.URL.Path, prefix) {
				return true
			}
		} else if a.path == req.URL.Path {
			return true
		}
	}
	return false
}

// Transport returns a RoundTripper that validates every request before
// passing it to next and every response next returns, reporting problems
// through t.Error (safe from the client's goroutines). Wrap an httpmock
// MockTransport, or http.DefaultTransport for a client talking to an
// httptest server. A request matching no operation fails the test unless
// an [Allow] option covers it; its response is then not checked. Transport
// errors from next are returned unchanged. A nil next means
// http.DefaultTransport.
func (s *Spec) Transport(t testing.TB, next http.RoundTripper, opts ...Option) http.RoundTripper {
	cfg := &transportConfig{}
	for _, opt := range opts {
		opt(cfg)
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{spec: s, t: t, next: next, cfg: cfg}
}

type transport struct {
	spec *Spec
	t    testing.TB
	next http.RoundTripper
	cfg  *transportConfig
}

// RoundTrip validates req, sends an equivalent request through the wrapped
// transport, and validates the response. The caller's request is not
// modified beyond consuming and closing its body, as RoundTripper requires.
func (rt *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if rt.cfg.allows(req) {
		return rt.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	body, err := readAndRestore(&out.Body)
	if err != nil {
		return nil, rt.spec.errorf(req, nil, "reading request body: %w", err)
	}
	route, params, routeErr := rt.spec.findRoute(out)
	if routeErr != nil {
		rt.t.Error(routeErr)
	} else if err := rt.spec.checkRequest(out, body, route, params); err != nil {
		rt.t.Error(err)
	}
	resp, err := rt.next.RoundTrip(out)
	if err != nil || routeErr != nil {
		return resp, err
	}
	if err := rt.spec.checkResponse(out, route, params, resp); err != nil {
		rt.t.Error(err)
	}
	return resp, nil
}
