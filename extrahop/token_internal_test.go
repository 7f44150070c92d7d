package extrahop

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/trackbridge/trackbridge/internal/rest"
)

// TestTokenRequestAlwaysTimesOut checks that a caller's client without a
// timeout still bounds token requests, which no caller's context can
// cancel, and that a client's own timeout is kept.
func TestTokenRequestAlwaysTimesOut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{
		{"no timeout", 0, rest.DefaultTimeout},
		{"own timeout", 5 * time.Second, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hc := &http.Client{Timeout: tt.timeout}
			s := newTokenSource("https://eh.example.com/oauth2/token", "id", "secret", hc, nil)
			got, ok := s.ctx.Value(oauth2.HTTPClient).(*http.Client)
			require.True(t, ok, "the token context carries no *http.Client")
			assert.Equal(t, tt.want, got.Timeout)
			assert.Equal(t, tt.timeout, hc.Timeout, "the caller's client must not be changed")
		})
	}
}
