package youtrack_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker/trackertest"
	"github.com/trackbridge/trackbridge/youtrack"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

// newAdapter returns an adapter on a fresh fake.
func newAdapter(t *testing.T, cfg youtrack.AdapterConfig, opts ...youtrack.Option) (*youtrack.Adapter, *youtracktest.Server) {
	t.Helper()
	srv := youtracktest.NewServer(t)
	c, err := youtrack.New(srv.URL(), append([]youtrack.Option{youtrack.WithToken(youtracktest.Token)}, opts...)...)
	require.NoError(t, err)
	a, err := youtrack.NewAdapter(c, cfg)
	require.NoError(t, err)
	return a, srv
}

func TestConformance(t *testing.T) {
	t.Parallel()
	reported := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		cfg  youtrack.AdapterConfig
		opts []youtrack.Option
	}{
		{"tag markers", youtrack.AdapterConfig{}, nil},
		{"field markers and hub users", youtrack.AdapterConfig{MarkerField: youtracktest.FieldNameExternalID}, []youtrack.Option{youtrack.WithUserAPI(youtrack.UserAPIHub)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			trackertest.Run(t, func(t *testing.T) *trackertest.Harness {
				a, _ := newAdapter(t, tc.cfg, tc.opts...)
				return &trackertest.Harness{
					Tracker:     a,
					Project:     "HD",
					Priority:    "Major",
					DoneStatus:  "Fixed",
					Fields:      map[string]any{"Severity": "High", "Reported": reported},
					FieldChange: map[string]any{"Severity": "Low", "Reported": reported.AddDate(0, 0, 3)},
				}
			})
		})
	}
}
