package extrahop_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/trackbridge/trackbridge/extrahop"
)

// TestOptionsReusable applies every option value to two clients: options
// capture their arguments and must not change them when applied.
func TestOptionsReusable(t *testing.T) {
	t.Parallel()
	apiKey := extrahop.WithAPIKey("key")
	tests := []struct {
		name string
		opts []extrahop.Option
	}{
		{"WithAPIKey", []extrahop.Option{apiKey}},
		{"WithClientCredentials", []extrahop.Option{extrahop.WithClientCredentials("id", "secret")}},
		{"WithTokenURL", []extrahop.Option{extrahop.WithClientCredentials("id", "secret"), extrahop.WithTokenURL("https://auth.example.com/oauth2/token")}},
		{"WithClock", []extrahop.Option{apiKey, extrahop.WithClock(time.Now)}},
		{"WithIntegration", []extrahop.Option{apiKey, extrahop.WithIntegration("hostapp")}},
		{"WithHTTPClient", []extrahop.Option{apiKey, extrahop.WithHTTPClient(&http.Client{})}},
		{"WithLimiter", []extrahop.Option{apiKey, extrahop.WithLimiter(rate.NewLimiter(rate.Inf, 1))}},
		{"WithMaxRetries(0)", []extrahop.Option{apiKey, extrahop.WithMaxRetries(0)}},
		{"WithMaxRetries(3)", []extrahop.Option{apiKey, extrahop.WithMaxRetries(3)}},
		{"WithMaxRetryAfter", []extrahop.Option{apiKey, extrahop.WithMaxRetryAfter(time.Minute)}},
		{"WithRetryWait", []extrahop.Option{apiKey, extrahop.WithRetryWait(time.Millisecond, time.Second)}},
		{"WithLogger", []extrahop.Option{apiKey, extrahop.WithLogger(slog.New(slog.DiscardHandler))}},
		{"WithUserAgent", []extrahop.Option{apiKey, extrahop.WithUserAgent("hostapp/1")}},
		{"WithMaxConns", []extrahop.Option{apiKey, extrahop.WithMaxConns(4)}},
		{"WithInsecureHTTP", []extrahop.Option{apiKey, extrahop.WithInsecureHTTP()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i := range 2 {
				c, err := extrahop.New("https://eda.example.com", tt.opts...)
				require.NoError(t, err, "client %d", i+1)
				assert.NotNil(t, c)
			}
		})
	}
}
