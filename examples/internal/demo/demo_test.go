package demo

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/tracker"
)

func TestProgressDrawsEachPercentOnceAndStartsANewBarPerPass(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	p := NewProgress(&b, "items", "write-back")
	for _, e := range []syncer.Event{
		{Done: 1, Total: 2},
		{Done: 1, Total: 2}, // same percentage: not redrawn
		{Done: 2, Total: 2},
		{Done: 1, Total: 4}, // the write-back pass
		{Done: 5},           // total unknown: ignored
	} {
		p.Observe(e)
	}
	p.Finish()
	want := "\ritems       [###############...............]  1/2" +
		"\ritems       [##############################]  2/2\n" +
		"\rwrite-back  [#######.......................]  1/4\n"
	assert.Equal(t, want, b.String())

	b.Reset()
	p.Finish()
	assert.Empty(t, b.String(), "no bar, no newline")

	// The next run starts with the first label again.
	p.Observe(syncer.Event{Done: 1, Total: 1})
	assert.Equal(t, "\ritems       [##############################]  1/1", b.String())
}

func TestSkipsCountsItemsOnlySkipped(t *testing.T) {
	t.Parallel()
	ref := func(id string) tracker.Ref { return tracker.Ref{Tracker: "extrahop", ID: id} }
	rep := &syncer.Report{Outcomes: []syncer.Outcome{
		{Source: ref("1"), Result: syncer.EventCreated},
		{Source: ref("1"), Result: syncer.EventSkipped, Reason: syncer.ReasonUnchanged}, // the target pass
		{Source: ref("2"), Result: syncer.EventSkipped, Reason: "rule did not match"},
		{Source: ref("3"), Result: syncer.EventSkipped, Reason: "rule did not match"},
		{Source: ref("4"), Result: syncer.EventSkipped, Reason: syncer.ReasonUnchanged},
	}}
	skips := Skips(rep)
	assert.Equal(t, map[string]int{"rule did not match": 2, syncer.ReasonUnchanged: 1}, skips)
	assert.Equal(t, 3, Total(skips))

	var b bytes.Buffer
	PrintSkips(&b, "  ", skips)
	assert.Equal(t, "     2  rule did not match\n     1  unchanged\n", b.String())
}

func TestFailures(t *testing.T) {
	t.Parallel()
	assert.NoError(t, Failures(&syncer.Report{Outcomes: []syncer.Outcome{{Result: syncer.EventCreated}}}))
	boom := errors.New("boom")
	err := Failures(&syncer.Report{Flow: "f", Err: boom, Outcomes: []syncer.Outcome{
		{Source: tracker.Ref{Tracker: "x", ID: "7"}, Result: syncer.EventParked, Reason: "creating", Err: boom},
	}})
	require.Error(t, err)
	assert.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "f stopped early")
	assert.Contains(t, err.Error(), "parked")
}

func TestPlural(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "1 ticket", Plural(1, "ticket"))
	assert.Equal(t, "0 tickets", Plural(0, "ticket"))
	assert.Equal(t, "3 tickets", Plural(3, "ticket"))
}

func TestMissingEnvNamesVariablesNotValues(t *testing.T) {
	t.Parallel()
	env := map[string]string{"A_TOKEN": "s3cret"}
	getenv := func(k string) string { return env[k] }
	assert.NoError(t, MissingEnv(getenv, "A_TOKEN"))
	err := MissingEnv(getenv, "A_TOKEN", "B_URL", "C_TOKEN")
	require.Error(t, err)
	assert.Equal(t, "set B_URL and C_TOKEN in the environment", err.Error())
}

func TestOpenStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, closeStore, err := OpenStore(ctx, "")
	require.NoError(t, err)
	require.NotNil(t, st)
	require.NoError(t, closeStore())

	st, closeStore, err = OpenStore(ctx, filepath.Join(t.TempDir(), "links.db"))
	require.NoError(t, err)
	require.NotNil(t, st)
	require.NoError(t, closeStore())

	_, _, err = OpenStore(ctx, filepath.Join(t.TempDir(), "missing", "dir", "links.db"))
	assert.Error(t, err)
}

func TestTerminal(t *testing.T) {
	t.Parallel()
	assert.False(t, Terminal(&bytes.Buffer{}))
}

func TestCheckStore(t *testing.T) {
	t.Parallel()
	assert.NoError(t, CheckStore(true, ""))
	assert.NoError(t, CheckStore(false, "links.db"))
	assert.ErrorContains(t, CheckStore(true, "links.db"), "-store is for real systems")
}
