package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/trackbridge/trackbridge/tracker"
)

const base = "https://tracker.example.com/jira"

// newTestClient returns a client on a fresh mock transport with millisecond
// backoff, so retry tests are quick.
func newTestClient(t *testing.T, mod func(*Config)) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	cfg := Config{
		Vendor:       "test",
		BaseURL:      base,
		HTTPClient:   &http.Client{Transport: mock},
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c, mock
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

func jsonResponder(status int, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(status, body)
		r.Header.Set("Content-Type", "application/json")
		return r, nil
	}
}

func TestPostAnswered500IsSentOnce(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, nil)
	mock.RegisterResponder("POST", base+"/rest/api/3/issue", jsonResponder(500, `{"errorMessages":["boom"]}`))

	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "rest/api/3/issue", Body: map[string]string{"a": "b"}}, nil)

	require.Error(t, err)
	assert.Equal(t, 1, mock.GetTotalCallCount(), "a POST must never be repeated after a 5xx")
	assert.ErrorIs(t, err, tracker.ErrUnavailable)
	assert.Contains(t, err.Error(), "boom")
}

func TestIdempotentPostAnswered503IsRetried(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, nil)
	mock.RegisterResponder("POST", base+"/postbox", httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(503, "busy"),
		httpmock.NewStringResponse(202, ""),
	}))

	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "postbox", Body: []byte(`{}`), Idempotent: true}, nil)

	require.NoError(t, err)
	assert.Equal(t, 2, mock.GetTotalCallCount())
}

func TestPostAnswered429WithRetryAfterIsRetried(t *testing.T) {
	t.Parallel()
	var events []RetryEvent
	c, mock := newTestClient(t, func(cfg *Config) { cfg.OnRetry = func(e RetryEvent) { events = append(events, e) } })
	var bodies []string
	mock.RegisterResponder("POST", base+"/rest/api/3/issue", func(r *http.Request) (*http.Response, error) {
		var b bytes.Buffer
		_, _ = b.ReadFrom(r.Body)
		bodies = append(bodies, b.String())
		if len(bodies) == 1 {
			resp := httpmock.NewStringResponse(429, fixture(t, "jira_429.json"))
			resp.Header.Set("Retry-After", "1")
			return resp, nil
		}
		return httpmock.NewStringResponse(201, `{"id":"10001","key":"SEC-1"}`), nil
	})

	var out struct{ ID, Key string }
	start := time.Now()
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "rest/api/3/issue", Body: map[string]string{"summary": "x"}}, &out)

	require.NoError(t, err)
	assert.Equal(t, "SEC-1", out.Key)
	assert.Equal(t, 2, mock.GetTotalCallCount())
	assert.Equal(t, bodies[0], bodies[1], "the retry must send the same body")
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After is a minimum")
	require.Len(t, events, 1)
	assert.Equal(t, 429, events[0].StatusCode)
	assert.GreaterOrEqual(t, events[0].Wait, time.Second)
}

func TestGetRetriedAfterConnectionFailure(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, nil)
	var calls atomic.Int32
	mock.RegisterResponder("GET", base+"/rest/api/3/myself", func(*http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("connection reset by peer")
		}
		return httpmock.NewStringResponse(200, `{"accountId":"a1"}`), nil
	})

	var me struct{ AccountID string }
	_, err := c.Do(context.Background(), &Request{Path: "rest/api/3/myself"}, &me)

	require.NoError(t, err)
	assert.Equal(t, "a1", me.AccountID)
	assert.EqualValues(t, 2, calls.Load())
}

func TestPostNotRetriedAfterConnectionFailure(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, nil)
	mock.RegisterResponder("POST", base+"/x", httpmock.NewErrorResponder(errors.New("connection reset by peer")))

	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "x", Body: []byte("{}")}, nil)

	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, tracker.ErrUnavailable)
	assert.Equal(t, 1, mock.GetTotalCallCount())
	assert.True(t, tracker.IsAmbiguous(err), "a reset may come after the server acted")
}

func TestFailedDialIsNotSent(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, nil)
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	mock.RegisterResponder("POST", base+"/x", httpmock.NewErrorResponder(dial))

	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "x", Body: []byte("{}")}, nil)

	require.Error(t, err)
	assert.ErrorIs(t, err, tracker.ErrNotSent)
	assert.ErrorIs(t, err, tracker.ErrUnavailable)
	assert.False(t, tracker.IsAmbiguous(err), "a request that never left cannot have created anything")
	assert.Equal(t, 1+DefaultMaxRetries, mock.GetTotalCallCount(), "a write that never left is retried like a read")
}

func TestPostAnswered502IsAmbiguous(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, nil)
	mock.RegisterResponder("POST", base+"/x", httpmock.NewStringResponder(502, "<html><title>502 Bad Gateway</title></html>"))

	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "x", Body: []byte("{}")}, nil)

	require.Error(t, err)
	assert.NotErrorIs(t, err, tracker.ErrNotSent)
	assert.True(t, tracker.IsAmbiguous(err))
	assert.Equal(t, 1, mock.GetTotalCallCount())
}

func TestRetryAfterBeyondCapReturnsRateLimitErrorAtOnce(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, func(cfg *Config) { cfg.MaxRetryAfter = 10 * time.Second })
	mock.RegisterResponder("GET", base+"/rest/api/3/search/jql", func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(429, fixture(t, "jira_429.json"))
		resp.Header.Set("Retry-After", "3600")
		resp.Header.Set("RateLimit-Reason", "jira-quota-tenant-based")
		return resp, nil
	})

	start := time.Now()
	_, err := c.Do(context.Background(), &Request{Path: "rest/api/3/search/jql"}, nil)

	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, time.Hour, rl.RetryAfter)
	assert.Equal(t, "jira-quota-tenant-based", rl.Reason)
	assert.ErrorIs(t, err, tracker.ErrRateLimited)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "a RateLimitError unwraps to the APIError")
	assert.Equal(t, 429, apiErr.StatusCode)
	assert.Equal(t, 1, mock.GetTotalCallCount())
	assert.Less(t, time.Since(start), time.Second)
}

func TestRetriesExhaustedOn429ReturnRateLimitError(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, func(cfg *Config) { cfg.MaxRetries = 2 })
	mock.RegisterResponder("GET", base+"/x", jsonResponder(429, `{}`))

	_, err := c.Do(context.Background(), &Request{Path: "x"}, nil)

	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, 3, mock.GetTotalCallCount())
}

func TestRateLimitResetHeaderIsHonoured(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 26, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{"zero", http.Header{"Retry-After": {"0"}}, 0},
		{"negative", http.Header{"Retry-After": {"-4"}}, 0},
		{"huge", http.Header{"Retry-After": {"99999999999999999"}}, clampSeconds(99999999999999999)},
		{"http date", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		{"jira reset", http.Header{"X-Ratelimit-Reset": {"2026-03-26T16:00Z"}}, time.Hour},
		{"epoch reset", http.Header{"X-Ratelimit-Reset": {fmt.Sprint(now.Add(time.Minute).Unix())}}, time.Minute},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0},
		{"none", http.Header{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, _ := retryAfter(tt.header, now)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestHTMLErrorPageBecomesAPIError(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, func(cfg *Config) { cfg.MaxRetries = -1 })
	mock.RegisterResponder("GET", base+"/rest/api/3/issue/SEC-1", func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(502, fixture(t, "html_502.html"))
		resp.Header.Set("Content-Type", "text/html")
		return resp, nil
	})

	_, err := c.Do(context.Background(), &Request{Path: "rest/api/3/issue/SEC-1"}, &struct{}{})

	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 502, apiErr.StatusCode)
	assert.Equal(t, "502 Bad Gateway", apiErr.Message)
	assert.Contains(t, err.Error(), "502")
	assert.ErrorIs(t, err, tracker.ErrUnavailable)
}

func TestHTMLSuccessPageIsNotDecoded(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, nil)
	mock.RegisterResponder("GET", base+"/x", func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(200, "<html><head><title>Log in</title></head></html>")
		resp.Header.Set("Content-Type", "text/html; charset=utf-8")
		return resp, nil
	})

	_, err := c.Do(context.Background(), &Request{Path: "x"}, &struct{}{})

	require.Error(t, err)
	assert.Contains(t, err.Error(), "not JSON")
	assert.Contains(t, err.Error(), "Log in")
}

func TestHugeErrorBodyIsCapped(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, nil)
	huge := strings.Repeat("x", 10<<20)
	mock.RegisterResponder("GET", base+"/x", httpmock.NewStringResponder(400, huge))

	_, err := c.Do(context.Background(), &Request{Path: "x"}, nil)

	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Len(t, apiErr.Body, DefaultMaxErrorBodySize)
	assert.True(t, apiErr.Truncated)
	assert.LessOrEqual(t, len(err.Error()), 1024, "the message is clipped")
}

func TestHugeSuccessBodyIsRefused(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, func(cfg *Config) { cfg.MaxBodyBytes = 1 << 10 })
	mock.RegisterResponder("GET", base+"/x", httpmock.NewStringResponder(200, `"`+strings.Repeat("x", 2<<10)+`"`))

	var s string
	_, err := c.Do(context.Background(), &Request{Path: "x"}, &s)

	assert.ErrorIs(t, err, ErrBodyTooLarge)
}

func TestStatusesMatchSentinels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status  int
		body    string
		want    error
		message string
	}{
		{404, fixture(t, "jira_404.json"), tracker.ErrNotFound, "Issue does not exist or you do not have permission to see it."},
		{410, `{"errorMessages":["The requested API has been removed."]}`, tracker.ErrNotFound, "The requested API has been removed."},
		{401, fixture(t, "extrahop_401.json"), tracker.ErrUnauthorized, "Invalid access token"},
		{403, `{"message":"no"}`, tracker.ErrForbidden, "no"},
		{409, `{}`, tracker.ErrConflict, ""},
		{400, fixture(t, "jira_400.json"), tracker.ErrInvalid, "priority: Priority name 'Urgent' is not valid; summary: Field 'summary' cannot be set. It is not on the appropriate screen, or unknown."},
		{400, fixture(t, "youtrack_400.json"), tracker.ErrInvalid, "Incompatible field type: SingleEnumIssueCustomField (bad_request)"},
		{422, `plain text reason`, tracker.ErrInvalid, "plain text reason"},
		{422, fixture(t, "jsonapi_422.json"), tracker.ErrInvalid, "/data/0/attributes/classification: \"Top\" is not an allowed value; Record rejected"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			t.Parallel()
			c, mock := newTestClient(t, nil)
			mock.RegisterResponder("GET", base+"/x", jsonResponder(tt.status, tt.body))

			_, err := c.Do(context.Background(), &Request{Path: "x"}, nil)

			assert.ErrorIs(t, err, tt.want)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.message, apiErr.Message)
			for _, other := range []error{tracker.ErrNotFound, tracker.ErrUnauthorized, tracker.ErrForbidden, tracker.ErrConflict, tracker.ErrInvalid, tracker.ErrRateLimited} {
				if other != tt.want {
					assert.NotErrorIs(t, err, other)
				}
			}
		})
	}
}

func TestSecretsNeverShow(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-T0ken-value"
	tests := []struct {
		name string
		auth Authenticator
	}{
		{"basic", Basic("me@example.com", secret)},
		{"bearer", Bearer(secret)},
		{"header", Header("Authorization", "ExtraHop apikey=", secret)},
		{"oauth2", OAuth2(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: secret, TokenType: "bearer"}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock := newTestClient(t, func(cfg *Config) { cfg.Auth = tt.auth; cfg.MaxRetries = -1 })
			// A server that echoes what it got, as some do in error pages.
			mock.RegisterResponder("GET", base+"/echo", func(r *http.Request) (*http.Response, error) {
				return httpmock.NewStringResponse(401, `{"message":"bad credentials: `+r.Header.Get("Authorization")+` `+secret+`"}`), nil
			})
			mock.RegisterResponder("GET", base+"/down", httpmock.NewErrorResponder(errors.New("dial: "+secret)))

			_, err1 := c.Do(context.Background(), &Request{Path: "echo"}, nil)
			_, err2 := c.Do(context.Background(), &Request{Path: "down", Query: url.Values{"api_key": {secret}}}, nil)

			require.Error(t, err1)
			require.Error(t, err2)
			for _, s := range []string{err1.Error(), err2.Error(), fmt.Sprintf("%+v", err1), fmt.Sprintf("%#v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", tt.auth), fmt.Sprintf("%#v", tt.auth), fmt.Sprintf("%+v", c.cfg)} {
				assert.NotContains(t, s, secret)
				assert.NotContains(t, s, "czNjcjN0LVQwa2VuLXZhbHVl", "base64 of the secret")
			}
			var apiErr *APIError
			require.ErrorAs(t, err1, &apiErr)
			assert.NotContains(t, string(apiErr.Body), secret)
			assert.ErrorIs(t, err1, tracker.ErrUnauthorized)
		})
	}
}

func TestAuthIsSentOnEveryAttemptAndOnlyToTheBaseHost(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	ts := oauth2TokenSourceFunc(func() (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: fmt.Sprintf("tok%d", n.Add(1)), TokenType: "Bearer", Expiry: time.Now().Add(-time.Second)}, nil
	})
	c, mock := newTestClient(t, func(cfg *Config) { cfg.Auth = OAuth2(ts) })
	var seen []string
	mock.RegisterResponder("GET", base+"/x", func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.Header.Get("Authorization"))
		if len(seen) == 1 {
			return httpmock.NewStringResponse(503, ""), nil
		}
		resp := httpmock.NewStringResponse(302, "")
		resp.Header.Set("Location", "https://elsewhere.example.net/y")
		return resp, nil
	})
	var elsewhere string
	mock.RegisterResponder("GET", "https://elsewhere.example.net/y", func(r *http.Request) (*http.Response, error) {
		elsewhere = r.Header.Get("Authorization")
		return httpmock.NewStringResponse(200, `{}`), nil
	})

	_, err := c.Do(context.Background(), &Request{Path: "x"}, nil)

	require.NoError(t, err)
	assert.Equal(t, []string{"Bearer tok1", "Bearer tok2"}, seen, "an expired token is refreshed for the retry")
	assert.Empty(t, elsewhere, "credentials never follow a redirect to another host")
}

type oauth2TokenSourceFunc func() (*oauth2.Token, error)

func (f oauth2TokenSourceFunc) Token() (*oauth2.Token, error) { return f() }

func TestOAuth2FailureIsUnauthorizedAndNotRetried(t *testing.T) {
	t.Parallel()
	ts := oauth2TokenSourceFunc(func() (*oauth2.Token, error) { return nil, errors.New(`oauth2: "invalid_client"`) })
	c, mock := newTestClient(t, func(cfg *Config) { cfg.Auth = OAuth2(ts) })
	mock.RegisterResponder("GET", base+"/x", httpmock.NewStringResponder(200, `{}`))

	_, err := c.Do(context.Background(), &Request{Path: "x"}, nil)

	assert.ErrorIs(t, err, tracker.ErrUnauthorized)
	assert.Contains(t, err.Error(), "invalid_client")
	assert.Equal(t, 0, mock.GetTotalCallCount())
}

func TestRequestBuilding(t *testing.T) {
	t.Parallel()
	type opts struct {
		JQL        string   `url:"jql,omitempty"`
		MaxResults int      `url:"maxResults,omitempty"`
		Fields     []string `url:"fields,comma,omitempty"`
	}
	c, mock := newTestClient(t, func(cfg *Config) { cfg.UserAgent = "hostapp/1.2" })
	var got *http.Request
	var body string
	mock.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		got = r
		if r.Body != nil {
			var b bytes.Buffer
			_, _ = b.ReadFrom(r.Body)
			body = b.String()
		}
		return httpmock.NewStringResponse(204, ""), nil
	})

	_, err := c.Do(context.Background(), &Request{
		Method: "POST",
		Path:   "/" + Pathf("rest/api/3/issue/%s/comment", "SEC 1/../x?y"),
		Query:  opts{JQL: `project = "A&B"`, MaxResults: 50, Fields: []string{"summary", "status"}},
		Body:   map[string]string{"body": "<b>&</b>"},
	}, nil)

	require.NoError(t, err)
	assert.Equal(t, "/jira/rest/api/3/issue/SEC%201%2F..%2Fx%3Fy/comment", got.URL.EscapedPath(), "base path kept, id escaped as one segment")
	assert.Equal(t, `project = "A&B"`, got.URL.Query().Get("jql"))
	assert.Equal(t, "summary,status", got.URL.Query().Get("fields"))
	assert.Equal(t, `{"body":"<b>&</b>"}`, body, "no HTML escaping")
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "hostapp/1.2 trackbridge/"+Version, got.Header.Get("User-Agent"))
}

func TestDotDotSegmentsAreRefused(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, nil)
	for _, p := range []string{"rest/../admin", "../x", "a/./b", "a/%2e%2e/b", Pathf("issue/%s", "..")} {
		_, err := c.Do(context.Background(), &Request{Path: p}, nil)
		assert.Error(t, err, p)
	}
	_, err := c.Do(context.Background(), &Request{Path: "https://evil.example/x"}, nil)
	assert.Error(t, err)
	assert.Equal(t, 0, mock.GetTotalCallCount())
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"https", Config{BaseURL: "https://x.example", Auth: Bearer("t")}, true},
		{"http loopback", Config{BaseURL: "http://127.0.0.1:8080", Auth: Bearer("t")}, true},
		{"http localhost", Config{BaseURL: "http://localhost:8080", Auth: Bearer("t")}, true},
		{"http no auth", Config{BaseURL: "http://x.example"}, true},
		{"http with auth", Config{BaseURL: "http://x.example", Auth: Bearer("t")}, false},
		{"http opted in", Config{BaseURL: "http://x.example", Auth: Bearer("t"), AllowInsecureHTTP: true}, true},
		{"empty", Config{}, false},
		{"no host", Config{BaseURL: "https:///x"}, false},
		{"ftp", Config{BaseURL: "ftp://x.example"}, false},
		{"userinfo", Config{BaseURL: "https://u:p@x.example"}, false},
		{"waits", Config{BaseURL: "https://x.example", RetryWaitMin: time.Second, RetryWaitMax: time.Millisecond}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.cfg)
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
				if err != nil {
					assert.NotContains(t, err.Error(), ":p@")
				}
			}
		})
	}
}

type countingLimiter struct{ n atomic.Int32 }

func (l *countingLimiter) Wait(ctx context.Context) error { l.n.Add(1); return ctx.Err() }

func TestLimiterPacesEveryAttempt(t *testing.T) {
	t.Parallel()
	lim := &countingLimiter{}
	c, mock := newTestClient(t, func(cfg *Config) { cfg.Limiter = lim })
	mock.RegisterResponder("GET", base+"/x", httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(500, ""), httpmock.NewStringResponse(200, "{}"),
	}))

	_, err := c.Do(context.Background(), &Request{Path: "x"}, nil)

	require.NoError(t, err)
	assert.EqualValues(t, 2, lim.n.Load())
}

func TestCancelledContextStopsRetries(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	c, mock := newTestClient(t, nil)
	mock.RegisterResponder("GET", base+"/x", func(*http.Request) (*http.Response, error) {
		cancel()
		return httpmock.NewStringResponse(503, ""), nil
	})

	_, err := c.Do(ctx, &Request{Path: "x"}, nil)

	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, mock.GetTotalCallCount())
}

func TestNewTransportSizesIdlePool(t *testing.T) {
	t.Parallel()
	tr := NewTransport(32)
	assert.Equal(t, 32, tr.MaxIdleConnsPerHost)
	assert.GreaterOrEqual(t, tr.MaxIdleConns, 64)
}

func TestSanitizeURL(t *testing.T) {
	t.Parallel()
	u, err := url.Parse("https://user:pw@h.example/p?token=abc&jql=x&API_KEY=k&sig=s")
	require.NoError(t, err)
	got := SanitizeURL(u)
	assert.NotContains(t, got, "pw")
	assert.NotContains(t, got, "abc")
	assert.NotContains(t, got, "=k")
	assert.Contains(t, got, "jql=x")
}
