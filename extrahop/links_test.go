package extrahop_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
)

func TestAdapterDescriptionLinksAreAbsolute(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	tests := []struct{ name, in, want string }{
		{"device links", "[10.0.0.5](#/metrics/devices/abc.123) tried [dc01](#/metrics/devices/abc.456).",
			"[10.0.0.5](" + srv.URL() + "/extrahop/#/metrics/devices/abc.123) tried [dc01](" + srv.URL() + "/extrahop/#/metrics/devices/abc.456)."},
		{"absolute links stay", "[x](https://example.com/#/a)", "[x](https://example.com/#/a)"},
		{"no links", "Many passwords.", "Many passwords."},
	}
	a := newAdapter(t, srv, extrahop.AdapterConfig{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id := srv.Add(extrahop.Detection{Title: "t", Description: tt.in})
			is, err := a.GetIssue(context.Background(), strconv.FormatInt(id, 10))
			require.NoError(t, err)
			assert.Equal(t, tt.want, is.Description)
		})
	}
}

func TestClientConsoleURL(t *testing.T) {
	t.Parallel()
	c, err := extrahop.New("https://eda.example.com", extrahop.WithAPIKey("key"))
	require.NoError(t, err)
	assert.Equal(t, "https://eda.example.com/extrahop/#/metrics/devices/12", c.ConsoleURL("#/metrics/devices/12"))
}
