package trax_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/trackbridge/trackbridge/trax"
)

// TestOptionsReusable applies every option value to two clients: options
// capture their arguments and must not change them when applied.
func TestOptionsReusable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  trax.Option
	}{
		{"WithToken", trax.WithToken("token")},
		{"WithHTTPClient", trax.WithHTTPClient(&http.Client{})},
		{"WithLimiter", trax.WithLimiter(rate.NewLimiter(rate.Inf, 1))},
		{"WithMaxRetries(0)", trax.WithMaxRetries(0)},
		{"WithMaxRetries(3)", trax.WithMaxRetries(3)},
		{"WithMaxRetryAfter", trax.WithMaxRetryAfter(time.Minute)},
		{"WithRetryWait", trax.WithRetryWait(time.Millisecond, time.Second)},
		{"WithLogger", trax.WithLogger(slog.New(slog.DiscardHandler))},
		{"WithUserAgent", trax.WithUserAgent("hostapp/1")},
		{"WithMaxConns", trax.WithMaxConns(4)},
		{"WithInsecureHTTP", trax.WithInsecureHTTP()},
		{"WithBatchSize", trax.WithBatchSize(10)},
		{"WithERD", trax.WithERD(trax.DefaultERD())},
		{"WithRecordURL", trax.WithRecordURL("https://trax.example.com/records/{id}")},
		{"WithReadEndpoint", trax.WithReadEndpoint("https://trax.example.com/records/{id}")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i := range 2 {
				c, err := trax.New("https://trax.example.com/postbox/1", tt.opt)
				require.NoError(t, err, "client %d", i+1)
				assert.NotNil(t, c)
			}
		})
	}
}
