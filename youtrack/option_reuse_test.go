package youtrack_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/trackbridge/trackbridge/youtrack"
)

// TestOptionsReusable applies every option value to two clients: options
// capture their arguments and must not change them when applied.
func TestOptionsReusable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  youtrack.Option
	}{
		{"WithToken", youtrack.WithToken("perm:abc")},
		{"WithHTTPClient", youtrack.WithHTTPClient(&http.Client{})},
		{"WithLimiter", youtrack.WithLimiter(rate.NewLimiter(rate.Inf, 1))},
		{"WithMaxRetries(0)", youtrack.WithMaxRetries(0)},
		{"WithMaxRetries(3)", youtrack.WithMaxRetries(3)},
		{"WithMaxRetryAfter", youtrack.WithMaxRetryAfter(time.Minute)},
		{"WithRetryWait", youtrack.WithRetryWait(time.Millisecond, time.Second)},
		{"WithLogger", youtrack.WithLogger(slog.New(slog.DiscardHandler))},
		{"WithUserAgent", youtrack.WithUserAgent("hostapp/1")},
		{"WithMaxConns", youtrack.WithMaxConns(4)},
		{"WithInsecureHTTP", youtrack.WithInsecureHTTP()},
		{"WithUserAPI", youtrack.WithUserAPI(youtrack.UserAPIHub)},
		{"WithPageSize", youtrack.WithPageSize(50)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i := range 2 {
				c, err := youtrack.New("https://youtrack.example.com", tt.opt)
				require.NoError(t, err, "client %d", i+1)
				assert.NotNil(t, c)
			}
		})
	}
}
