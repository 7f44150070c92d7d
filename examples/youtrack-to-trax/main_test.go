package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/trax/traxtest"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

func noEnv(string) string { return "" }

func TestDemoOnFakes(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	start := time.Now().UTC().Format(time.DateOnly)
	err := run(context.Background(), []string{"-latency", "0"}, &out, &errOut, noEnv)
	end := time.Now().UTC().Format(time.DateOnly)
	s := out.String()
	require.NoError(t, err, s)

	assert.Contains(t, s, "with 12 issues in SEC")
	assert.Contains(t, s, "Posted 5 records to trax:")
	for _, name := range []string{
		"Phishing campaign targeting the finance team",
		"Ransomware signature on file server FS-02",
		"Customer export left in a public storage bucket",
		"Admin account signed in from an unusual country",
		"VPN gateway missing the February security update",
	} {
		assert.Regexp(t, `SEC-\d+\s+tb-[0-9a-f]+\s+High\s+`+name+`\s+\d{4}-\d\d-\d\d`, s)
	}
	assert.True(t, strings.Contains(s, start) || strings.Contains(s, end), "the Reported date is set to the day of the run")
	assert.NotContains(t, s, "Laptop stolen from a car", "reported before: not posted again")
	assert.NotContains(t, s, "Domain controller replication failing", "Critical is not High")
	assert.Contains(t, s, "Not posted, 7 issues:")
	assert.Contains(t, s, "1  already reported (its Reported date is set)")
	assert.Contains(t, s, "2  Severity Medium (only High is posted)")
	assert.Contains(t, s, "1  Severity Critical (only High is posted)")
	assert.Contains(t, s, "1  no Severity (only High is posted)")
	assert.Contains(t, s, "Posted 0 records; 0 requests reached the postbox.")
	assert.Empty(t, errOut.String(), "no progress bar when stderr is not a terminal")
}

func TestOtherProjectIsCreatedOnTheFake(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(context.Background(), []string{"-latency", "0", "-project", "IR"}, &out, &out, noEnv)
	require.NoError(t, err, out.String())
	assert.Regexp(t, `IR-\d+\s+tb-`, out.String())
}

func TestRealSystemsNeedBothURLsAndTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"only YouTrack", map[string]string{"YOUTRACK_URL": "https://x.youtrack.cloud"}, "set both YOUTRACK_URL and TRAX_POSTBOX_URL"},
		{"no tokens", map[string]string{"YOUTRACK_URL": "https://x.youtrack.cloud", "TRAX_POSTBOX_URL": "https://trax.example.com/p"}, "set YOUTRACK_TOKEN and TRAX_TOKEN"},
		{"no trax token", map[string]string{"YOUTRACK_URL": "https://x.youtrack.cloud", "TRAX_POSTBOX_URL": "https://trax.example.com/p", "YOUTRACK_TOKEN": "perm:secret"}, "set TRAX_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := run(context.Background(), nil, &out, &out, func(k string) string { return tt.env[k] })
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error()+out.String(), "perm:secret")
		})
	}
}

// TestRealSystemsWithStore runs the real-system path against fakes the
// test starts, twice, sharing a store file: the second posts nothing.
func TestRealSystemsWithStore(t *testing.T) {
	t.Parallel()
	yt := youtracktest.NewServer(t)
	_, err := seed(yt, "SEC")
	require.NoError(t, err)
	tx := traxtest.NewServer(t, traxtest.WithoutReadEndpoint())
	env := map[string]string{
		"YOUTRACK_URL": yt.URL(), "YOUTRACK_TOKEN": youtracktest.Token,
		"TRAX_POSTBOX_URL": tx.URL(), "TRAX_TOKEN": traxtest.DefaultToken,
	}
	getenv := func(k string) string { return env[k] }
	args := []string{"-store", filepath.Join(t.TempDir(), "links.db")}

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), args, &out, &out, getenv), out.String())
	first := out.String()
	assert.Contains(t, first, "Reporting issues of "+yt.URL())
	assert.Contains(t, first, "Posted 5 records to trax:")
	assert.Equal(t, 5, tx.Len())

	before := tx.Requests()
	out.Reset()
	require.NoError(t, run(context.Background(), args, &out, &out, getenv), out.String())
	assert.Contains(t, out.String(), "Posted no records: no High issue is waiting to be reported.")
	assert.Equal(t, before, tx.Requests(), "the second run sends nothing")
	assert.NotContains(t, first+out.String(), youtracktest.Token)
	assert.NotContains(t, first+out.String(), traxtest.DefaultToken)
}
