package syncer_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/trax"
	"github.com/trackbridge/trackbridge/trax/traxtest"
	"github.com/trackbridge/trackbridge/youtrack"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

func TestS1YouTrackToTraxEndToEnd(t *testing.T) {
	t.Parallel()
	yt := youtracktest.NewServer(t)
	tx := traxtest.NewServer(t, traxtest.WithoutReadEndpoint())
	var high []string
	for i := range 12 {
		sev := []string{"High", "Low", "Medium"}[i%3]
		is, err := yt.AddIssue(youtracktest.NewIssue{Project: "SEC", Summary: fmt.Sprintf("Finding %d", i), Description: "Details.", Fields: map[string]any{"Severity": sev}})
		require.NoError(t, err)
		if sev == "High" {
			high = append(high, is.ID)
		}
	}
	// One high-severity issue was reported before: it must not be posted.
	reported, err := yt.AddIssue(youtracktest.NewIssue{Project: "SEC", Summary: "Old", Fields: map[string]any{"Severity": "High", "Reported": time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)}})
	require.NoError(t, err)

	yc, err := youtrack.New(yt.URL(), youtrack.WithToken(youtracktest.Token))
	require.NoError(t, err)
	source, err := youtrack.NewAdapter(yc, youtrack.AdapterConfig{})
	require.NoError(t, err)
	tc, err := trax.New(tx.URL(), trax.WithToken(traxtest.DefaultToken))
	require.NoError(t, err)
	target, err := trax.NewAdapter(tc, trax.AdapterConfig{})
	require.NoError(t, err)
	spec, err := mapping.Builtin("youtrack-to-trax")
	require.NoError(t, err)
	flow, err := syncer.New(syncer.Config{
		Name:             "youtrack-to-trax",
		Source:           source,
		Target:           target,
		Mapping:          spec.Flows[0],
		Store:            memory.New(),
		IdempotentCreate: true, // trax recognises a repeated record id
	})
	require.NoError(t, err)
	ctx := context.Background()

	rep, err := flow.RunOnce(ctx)
	require.NoError(t, err)
	require.Zero(t, rep.Failed, "failures: %v", failures(rep))
	assert.Equal(t, len(high), rep.Created)
	assert.Equal(t, len(high), tx.Len(), "one record per high-severity issue")
	for _, id := range high {
		is, ok := yt.Issue(id)
		require.True(t, ok)
		assert.NotNil(t, is.Fields["Reported"], "issue %s has its Reported date set", id)
	}
	for _, rec := range tx.Records() {
		assert.Equal(t, "YouTrack", rec.Attributes["source"])
		assert.Equal(t, "High", rec.Attributes["classification"])
		assert.NotEmpty(t, rec.Attributes["issue_url"])
		assert.NotEqual(t, reported.ID, rec.ID)
	}

	// Nothing is sent twice: the second run posts no record.
	before := tx.Requests()
	rep, err = flow.RunOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, rep.Created)
	assert.Equal(t, before, tx.Requests(), "no request reached the postbox")
	assert.Equal(t, len(high), tx.Len())
}

// TestS1LostPostAnswersNeverDuplicate: the postbox stores a third of the
// records and then loses the answer. A trax record is keyed by its id, so
// the engine posts it again under the same id and the postbox recognises
// it: one record per issue, every issue reported.
func TestS1LostPostAnswersNeverDuplicate(t *testing.T) {
	t.Parallel()
	yt := youtracktest.NewServer(t)
	tx := traxtest.NewServer(t, traxtest.WithoutReadEndpoint())
	var posts, lost atomic.Int32
	tx.LoseAnswers(func(r *http.Request) traxtest.AnswerLoss {
		if r.Method != http.MethodPost || posts.Add(1)%3 != 1 {
			return traxtest.Deliver
		}
		lost.Add(1)
		return traxtest.LoseToReset
	})
	for i := range 9 {
		_, err := yt.AddIssue(youtracktest.NewIssue{Project: "SEC", Summary: fmt.Sprintf("Finding %d", i), Description: "Details.", Fields: map[string]any{"Severity": "High"}})
		require.NoError(t, err)
	}
	yc, err := youtrack.New(yt.URL(), youtrack.WithToken(youtracktest.Token))
	require.NoError(t, err)
	source, err := youtrack.NewAdapter(yc, youtrack.AdapterConfig{})
	require.NoError(t, err)
	tc, err := trax.New(tx.URL(), trax.WithToken(traxtest.DefaultToken))
	require.NoError(t, err)
	target, err := trax.NewAdapter(tc, trax.AdapterConfig{})
	require.NoError(t, err)
	spec, err := mapping.Builtin("youtrack-to-trax")
	require.NoError(t, err)
	flow, err := syncer.New(syncer.Config{Name: "youtrack-to-trax", Source: source, Target: target, Mapping: spec.Flows[0],
		Store: memory.New(), IdempotentCreate: true, Sleep: func(time.Duration) <-chan time.Time { return instant() }})
	require.NoError(t, err)

	rep, err := flow.RunOnce(context.Background())

	require.NoError(t, err)
	require.Positive(t, lost.Load())
	assert.True(t, rep.Clean(), rep.Summary())
	assert.Equal(t, 9, rep.Created)
	assert.Equal(t, 9, tx.Len(), "one record per issue")
}
