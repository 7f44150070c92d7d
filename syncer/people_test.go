package syncer_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
)

// TestUnknownAssigneeFailsItemsNotTheFlow runs S3 with a default assignee
// no Jira account has: every item fails with tracker.ErrUnknownUser, one by
// one, and the invalid-request circuit breaker stays closed however many
// items fail alike.
func TestUnknownAssigneeFailsItemsNotTheFlow(t *testing.T) {
	t.Parallel()
	f := newS3Fakes(t, nil, nil, nil)
	f.eh.Seed(60)
	spec, err := mapping.Builtin("extrahop-to-jira")
	require.NoError(t, err)
	spec.Flows[0].Defaults.Assignee = "nobody@example.com"
	require.NoError(t, spec.Validate())
	var mu sync.Mutex
	var circuit []syncer.Event
	flow, err := syncer.New(syncer.Config{
		Name:        "extrahop-to-jira",
		Source:      f.source,
		Target:      f.target,
		Mapping:     spec.Flows[0],
		Store:       memory.New(),
		TargetQuery: &tracker.Query{Project: "SEC"},
		Observer: syncer.ObserverFunc(func(ev syncer.Event) {
			if ev.Kind == syncer.EventCircuitOpen {
				mu.Lock()
				circuit = append(circuit, ev)
				mu.Unlock()
			}
		}),
	})
	require.NoError(t, err)

	rep, err := flow.RunOnce(context.Background())
	require.NoError(t, err)
	require.Greater(t, rep.Failed, 5, "more items fail than the breaker's threshold")
	assert.Zero(t, rep.Created)
	for _, o := range rep.Outcomes {
		if o.Result == syncer.EventFailed {
			assert.True(t, errors.Is(o.Err, tracker.ErrUnknownUser), "%v", o.Err)
			assert.Contains(t, o.Err.Error(), "nobody@example.com")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, circuit, "an unknown person is not a configuration error")
	assert.Empty(t, f.jr.Issues(), "no ticket without its assignee")
}
