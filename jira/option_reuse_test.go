package jira_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/trackbridge/trackbridge/jira"
)

// TestOptionsReusable applies every option value to two clients: options
// capture their arguments and must not change them when applied.
func TestOptionsReusable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  jira.Option
	}{
		{"WithCloud", jira.WithCloud()},
		{"WithDataCenter", jira.WithDataCenter()},
		{"WithBasicAuth", jira.WithBasicAuth("me@example.com", "token")},
		{"WithToken", jira.WithToken("pat")},
		{"WithTokenSource", jira.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"}))},
		{"WithHTTPClient", jira.WithHTTPClient(&http.Client{})},
		{"WithLimiter", jira.WithLimiter(rate.NewLimiter(rate.Inf, 1))},
		{"WithMaxRetries(0)", jira.WithMaxRetries(0)},
		{"WithMaxRetries(3)", jira.WithMaxRetries(3)},
		{"WithMaxRetryAfter", jira.WithMaxRetryAfter(time.Minute)},
		{"WithRetryWait", jira.WithRetryWait(time.Millisecond, time.Second)},
		{"WithLogger", jira.WithLogger(slog.New(slog.DiscardHandler))},
		{"WithUserAgent", jira.WithUserAgent("hostapp/1")},
		{"WithMaxConns", jira.WithMaxConns(4)},
		{"WithInsecureHTTP", jira.WithInsecureHTTP()},
		{"WithSiteURL", jira.WithSiteURL("https://example.atlassian.net")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i := range 2 {
				c, err := jira.New("https://example.atlassian.net", tt.opt)
				require.NoError(t, err, "client %d", i+1)
				assert.NotNil(t, c)
			}
		})
	}
}
