package rest

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
)

func TestWithoutRetriesMakesOneAttempt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ctx  context.Context
		want int
	}{
		{"default retries", context.Background(), 1 + 2},
		{"without retries", tracker.WithoutRetries(context.Background()), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock := newTestClient(t, func(cfg *Config) { cfg.MaxRetries = 2 })
			mock.RegisterResponder("GET", base+"/rest/api/3/myself", jsonResponder(503, `{"errorMessages":["down"]}`))
			_, err := c.Do(tt.ctx, &Request{Method: "GET", Path: "rest/api/3/myself"}, nil)
			require.Error(t, err)
			assert.Equal(t, tt.want, mock.GetTotalCallCount())
		})
	}
}

func TestWithoutRetriesDeadHostAnswersAtOnce(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there any more
	c, err := New(Config{Vendor: "test", BaseURL: dead, HTTPClient: &http.Client{}})
	require.NoError(t, err)
	start := time.Now()
	_, err = c.Do(tracker.WithoutRetries(context.Background()), &Request{Method: "GET", Path: "x"}, nil)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 500*time.Millisecond, "no backoff before the answer")
}
