package demo

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/syncer/store/sqlite"
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
	p := NewProgress(io.Discard)
	obs := p.Observer(false) // no bar, still a tally
	for _, e := range []syncer.Event{
		{Source: ref("1"), Kind: syncer.EventCreated},
		{Source: ref("1"), Kind: syncer.EventSkipped, Reason: syncer.ReasonUnchanged}, // the target pass
		{Source: ref("2"), Kind: syncer.EventSkipped, Reason: "rule did not match"},
		{Source: ref("3"), Kind: syncer.EventSkipped, Reason: "rule did not match"},
		{Source: ref("4"), Kind: syncer.EventSkipped, Reason: syncer.ReasonUnchanged},
	} {
		obs.Observe(e)
	}
	assert.Empty(t, p.Skips(), "counted when the run is finished")
	p.Finish()
	skips := p.Skips()
	assert.Equal(t, map[string]int{"rule did not match": 2, syncer.ReasonUnchanged: 1}, skips)
	assert.Equal(t, 3, Total(skips))

	var b bytes.Buffer
	PrintSkips(&b, "  ", skips)
	assert.Equal(t, "     2  rule did not match\n     1  unchanged\n", b.String())
}

func TestUnfinished(t *testing.T) {
	t.Parallel()
	assert.NoError(t, Unfinished(&syncer.Report{Outcomes: []syncer.Outcome{{Result: syncer.EventCreated}}}))
	boom := errors.New("boom")
	err := Unfinished(&syncer.Report{Flow: "f", Err: boom, Outcomes: []syncer.Outcome{
		{Source: tracker.Ref{Tracker: "x", ID: "7"}, Result: syncer.EventParked, Reason: "creating", Err: boom},
	}})
	require.Error(t, err)
	assert.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "f stopped early")
	assert.Contains(t, err.Error(), "parked")

	at := time.Date(2026, 12, 3, 14, 5, 0, 0, time.Local)
	err = Unfinished(&syncer.Report{Flow: "f", Deferred: 2, RetryAt: at, Outcomes: []syncer.Outcome{
		{Result: syncer.EventDeferred, Reason: syncer.ReasonLeased + " (other, until 14:05)", RetryAt: at},
		{Result: syncer.EventDeferred, Reason: syncer.ReasonLeased + " (other, until 14:05)", RetryAt: at},
	}})
	require.Error(t, err, "a run that deferred work is not finished")
	assert.Equal(t, "2 items deferred, not done: run again after 14:05:00 ("+syncer.ReasonLeased+")", err.Error())
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

func TestSyncFlagsOpenStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	open := func(path string) (store.Store, error) {
		f := &SyncFlags{Store: path}
		st, closeStore, err := f.OpenStore(ctx)
		if err == nil {
			require.NoError(t, closeStore())
		}
		return st, err
	}
	st, err := open("")
	require.NoError(t, err)
	assert.IsType(t, &memory.Store{}, st)

	st, err = open(filepath.Join(t.TempDir(), "links.db"))
	require.NoError(t, err)
	assert.IsType(t, &sqlite.Store{}, st)

	_, err = open(filepath.Join(t.TempDir(), "missing", "dir", "links.db"))
	assert.ErrorContains(t, err, "opening store")
}

func TestSyncFlagsCheckStore(t *testing.T) {
	t.Parallel()
	assert.NoError(t, (&SyncFlags{}).CheckStore(true))
	assert.NoError(t, (&SyncFlags{Store: "links.db"}).CheckStore(false))
	assert.ErrorContains(t, (&SyncFlags{Store: "links.db"}).CheckStore(true), "-store is for real systems")
}

func TestSyncFlags(t *testing.T) {
	t.Parallel()
	var f SyncFlags
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	f.Register(fs, "detections and tickets", "extrahop-to-jira")
	require.NoError(t, Parse(fs, []string{"-store", "a.db", "-progress=false"}))
	assert.Equal(t, SyncFlags{Store: "a.db", builtin: "extrahop-to-jira"}, f)
	spec, err := f.LoadMapping()
	require.NoError(t, err)
	assert.Len(t, spec.Flows, 1)

	f.Mapping = filepath.Join(t.TempDir(), "missing.yaml")
	_, err = f.LoadMapping()
	assert.Error(t, err)

	fs = flag.NewFlagSet("x", flag.ContinueOnError)
	(&SyncFlags{}).Register(fs, "a and b", "extrahop-to-jira")
	assert.ErrorContains(t, Parse(fs, []string{"-store", "a.db", "extra"}), `unexpected arguments ["extra"]`)
}

func TestJiraAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		ok   bool
	}{
		{"cloud", map[string]string{"JIRA_EMAIL": "me@example.com", "JIRA_API_TOKEN": "t0k3n"}, true},
		{"data center", map[string]string{"JIRA_TOKEN": "t0k3n"}, true},
		{"email without token", map[string]string{"JIRA_EMAIL": "me@example.com"}, false},
		{"none", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opt, err := JiraAuth(func(k string) string { return tt.env[k] })
			if tt.ok {
				assert.NoError(t, err)
				assert.NotNil(t, opt)
				return
			}
			assert.ErrorContains(t, err, "set JIRA_EMAIL and JIRA_API_TOKEN")
			assert.NotContains(t, err.Error(), "me@example.com")
		})
	}
}

func TestProgressDrawsOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	p := NewProgress(&b)
	for _, show := range []bool{true, false} {
		obs := p.Observer(show)
		require.NotNil(t, obs, "the tally is always kept")
		obs.Observe(syncer.Event{Done: 1, Total: 2})
	}
	p.Finish()
	assert.Empty(t, b.String(), "a buffer is no terminal: no bar")
}
