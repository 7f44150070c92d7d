package jira_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
)

func TestMarkerSearchLag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dc   bool
		set  time.Duration
		want time.Duration
	}{
		{"Cloud's index lags", false, 0, time.Minute},
		{"Data Center's less", true, 0, 10 * time.Second},
		{"configured", false, 5 * time.Second, 5 * time.Second},
		{"declared current", false, -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := []jira.Option{jira.WithToken("t")}
			if tt.dc {
				opts = append(opts, jira.WithDataCenter())
			}
			c, err := jira.New("https://jira.example.com", opts...)
			require.NoError(t, err)
			a, err := jira.NewAdapter(c, jira.AdapterConfig{MarkerSearchLag: tt.set})
			require.NoError(t, err)
			assert.Equal(t, tt.want, a.MarkerSearchLag())
		})
	}
}
