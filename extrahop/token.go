package extrahop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/trackbridge/trackbridge/internal/rest"
	"github.com/trackbridge/trackbridge/tracker"
)

// maxRenewMargin is how long before its expiry a token is renewed, at most;
// short-lived tokens are renewed a quarter of their lifetime early instead.
const maxRenewMargin = 10 * time.Second

// tokenSource fetches RevealX 360 tokens with client credentials and keeps
// the current one until it is due for renewal by its own clock.
//
// rest.OAuth2 calls Token without a context, from inside a request, so the
// token request runs under a context of its own: a background context
// carrying the client's *http.Client (its transport and timeout), never the
// context of whichever call happened to need a token, whose cancellation
// would fail the fetch for every concurrent caller.
//
// The tokens handed out carry an Expiry of "now", so the reuse layer in
// rest.OAuth2 (which judges expiry by the wall clock) always asks this source,
// and this source alone decides by the injected clock; that keeps token
// renewal testable with a fake clock. Token is serialised by that layer's
// mutex and by mu here.
type tokenSource struct {
	conf *clientcredentials.Config
	// url is the sanitised token URL, for errors.
	url string
	ctx context.Context
	now func() time.Time
	// red hides the client secret, alone and in the Basic pair, in
	// token errors; rest.OAuth2 hides the tokens fetched.
	red *rest.Redactor

	mu      sync.Mutex
	tok     *oauth2.Token
	renewAt time.Time
	// gen counts fetched tokens, so a failed call drops only the token it
	// was sent with, not a newer one another call already fetched.
	gen uint64
}

// generation returns the number of the token a request sent now will
// carry: the current one while it is fresh, else the next one fetched.
func (s *tokenSource) generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.now().Before(s.renewAt) {
		return s.gen
	}
	return s.gen + 1
}

// invalidate drops the current token if it is still token number gen, so
// the next call fetches a new one; for tokens the server revoked early.
func (s *tokenSource) invalidate(gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen == gen {
		s.tok = nil
	}
}

func newTokenSource(tokenURL, clientID, secret string, hc *http.Client, now func() time.Time) *tokenSource {
	if now == nil {
		now = time.Now
	}
	// The token request follows no caller's context, so it always runs
	// under a timeout, even when the caller's client has none: a token
	// endpoint that never answers would otherwise hold mu, and with it
	// every request of the client, for good.
	tc := *hc
	if tc.Timeout <= 0 {
		tc.Timeout = rest.DefaultTimeout
	}
	// The token request carries the client credentials: never follow a
	// redirect to plain http with them.
	tc.CheckRedirect = rest.CheckRedirect(tc.CheckRedirect)
	red := &rest.Redactor{}
	red.AddPair(clientID, secret)
	return &tokenSource{
		conf: &clientcredentials.Config{
			ClientID:     clientID,
			ClientSecret: secret,
			TokenURL:     tokenURL,
			AuthStyle:    oauth2.AuthStyleInHeader,
		},
		url: sanitizedURL(tokenURL),
		ctx: context.WithValue(context.Background(), oauth2.HTTPClient, &tc),
		now: now,
		red: red,
	}
}

// Token returns the current token, fetching a new one when there is none or
// it is due for renewal.
func (s *tokenSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.tok == nil || !now.Before(s.renewAt) {
		// conf.Token builds a fresh source, so nothing below us caches by
		// the wall clock.
		tok, err := s.conf.Token(s.ctx)
		if err != nil {
			return nil, fmt.Errorf("extrahop: client credentials: %w", s.failure(err))
		}
		life := lifetime(tok)
		s.tok = tok
		s.gen++
		if life <= 0 {
			s.renewAt = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // no expiry given
		} else {
			s.renewAt = now.Add(life - min(maxRenewMargin, life/4))
		}
	}
	out := *s.tok
	out.Expiry = time.Now() // see the type's comment: always ask this source
	return &out, nil
}

// failure classifies a failed token request. An answer of the token
// endpoint becomes a *tokenRequestError holding an *APIError (status,
// scrubbed body and headers); anything else (the endpoint unreachable) is
// the scrubbed error.
func (s *tokenSource) failure(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return rest.TokenError(s.red, err)
	}
	body := re.Body
	truncated := len(body) > rest.DefaultMaxErrorBodySize
	if truncated {
		body = body[:rest.DefaultMaxErrorBodySize]
	}
	body = []byte(s.red.Redact(string(body)))
	ae := &APIError{
		Vendor:     Vendor,
		Method:     http.MethodPost,
		URL:        s.url,
		StatusCode: re.Response.StatusCode,
		Message:    s.red.Redact(rest.ErrorMessage(body)),
		Body:       body,
		Truncated:  truncated,
		Header:     s.red.RedactHeader(re.Response.Header),
	}
	return &tokenRequestError{msg: rest.TokenError(s.red, err).Error(), api: ae}
}

// tokenRequestError is a token request the endpoint refused. A refusal
// (400 invalid_client, 401, 403) is a configuration error and matches
// tracker.ErrUnauthorized; a 429 or 5xx is transient and matches what its
// status does (tracker.ErrRateLimited, tracker.ErrUnavailable). errors.As
// gives the *APIError.
type tokenRequestError struct {
	msg string
	api *APIError
}

// Error says what the token endpoint answered.
func (e *tokenRequestError) Error() string { return e.msg }

// Is classifies the refusal by its status.
func (e *tokenRequestError) Is(target error) bool {
	if e.transient() {
		return e.api.Is(target)
	}
	return target == tracker.ErrUnauthorized
}

func (e *tokenRequestError) transient() bool {
	return e.api.StatusCode == http.StatusTooManyRequests || e.api.StatusCode >= 500
}

// As gives the *APIError. There is no Unwrap: the error must not match
// tracker.ErrInvalid through the 400 of a refused client.
func (e *tokenRequestError) As(target any) bool {
	if p, ok := target.(**APIError); ok {
		*p = e.api
		return true
	}
	return false
}

func sanitizedURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return rest.SanitizeURL(u)
}

// lifetime reads expires_in from the token response, falling back to the
// expiry the oauth2 package computed from it.
func lifetime(tok *oauth2.Token) time.Duration {
	switch v := tok.Extra("expires_in").(type) {
	case float64:
		return time.Duration(v * float64(time.Second))
	case string:
		if d, err := time.ParseDuration(strings.TrimSpace(v) + "s"); err == nil {
			return d
		}
	}
	if tok.Expiry.IsZero() {
		return 0
	}
	return time.Until(tok.Expiry).Round(time.Second)
}
