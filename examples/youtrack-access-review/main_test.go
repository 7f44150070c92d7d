package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func noEnv(string) string { return "" }

func TestRunOnTheFakes(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out, &out, noEnv))
	got := out.String()
	table := []string{
		"RULE                  ACCOUNT     NAME         ROSTER                   DETAIL",
		"offboarded-active     jdoe        Jane Doe     roster.csv:7 developer   offboarded 2026-10-15, grace ended 2026-10-22",
		"unidentified-account  vic.vendor  Vic Vendor   -                        no roster entry for vic@vendor.example or vic.vendor",
		"excess-access         cwu         Chen Wu      roster.csv:9 support     role support does not allow Administrators",
		"stale-account         mlopez      Maria Lopez  roster.csv:10 developer  last access 2026-05-04, 200 days before the review",
	}
	assert.Contains(t, got, strings.Join(table, "\n")+"\n")
	assert.Contains(t, got, "Within the offboarding grace period: kpatel (until 2026-11-24)\n")
	assert.Contains(t, got, "Exempt (service, bot and guest accounts): guest, svc-backup\n")
	assert.True(t, strings.HasSuffix(got, "Reviewed YouTrack: 11 accounts (10 active) against 8 roster entries: 4 findings (1 offboarded-active, 1 unidentified-account, 1 excess-access, 1 stale-account)\n"), got)
	assert.NotContains(t, got, "bsmith", "banned accounts are fine")
	assert.NotContains(t, got, "Filing tickets")
}

func TestRunTicket(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"--ticket", "-v"}, &out, &out, noEnv))
	got := out.String()
	assert.Contains(t, got, "Offboarded user jdoe still active in YouTrack")
	assert.Contains(t, got, "The roster lists Jane Doe as offboarded on 2026-10-15 (roster.csv:7)")
	for _, key := range []string{"SEC-1", "SEC-2", "SEC-3", "SEC-4"} {
		assert.Contains(t, got, "  "+key+"  ")
	}
	assert.NotContains(t, got, "SEC-5")
	assert.Contains(t, got, "Created 4 tickets.\n")
	assert.Contains(t, got, "Reviewed again: 0 new tickets, 4 unchanged (one ticket per violation).\n")
	assert.Regexp(t, `vic.vendor added to the roster: SEC-\d \(unidentified-account:[^)]+\) is now Done\.`, got)
}

func TestRunWithFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	roster := filepath.Join(dir, "people.csv")
	require.NoError(t, os.WriteFile(roster, []byte("email,status\nadmin@example.com,active\n"), 0o600))
	policy := filepath.Join(dir, "policy.json")
	require.NoError(t, os.WriteFile(policy, []byte(`{"directory": "Acme YouTrack", "exempt": {"guests": true}}`), 0o600))

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"--roster", roster, "--policy", policy, "--user-api", "youtrack"}, &out, &out, noEnv))
	got := out.String()
	assert.Contains(t, got, "against 1 roster entry: 8 findings (8 unidentified-account)")
	assert.Contains(t, got, "Reviewed Acme YouTrack:")
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("email,status\na@example.com,gone\n,active\n"), 0o600))
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--roster", bad}, nil, "bad.csv:2: status \"gone\" is not active or offboarded\nbad.csv:3: neither email nor login is set"},
		{[]string{"--policy", filepath.Join(dir, "missing.json")}, nil, "missing.json"},
		{[]string{"--user-api", "ldap"}, nil, `--user-api "ldap": want hub or youtrack`},
		{[]string{"extra"}, nil, "unexpected arguments"},
		{nil, map[string]string{"YOUTRACK_URL": "https://example.youtrack.cloud"}, "YOUTRACK_URL is set but YOUTRACK_TOKEN is not"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := run(context.Background(), tt.args, &out, &out, func(k string) string { return tt.env[k] })
		require.Error(t, err, tt.args)
		assert.Contains(t, err.Error(), tt.want)
	}
}

func TestTokenNeverPrinted(t *testing.T) {
	t.Parallel()
	const token = "perm:c2VjcmV0.dG9rZW4=.doNotLeakMe"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"Unauthorized","error_description":"The token is invalid or expired"}`))
	}))
	defer srv.Close()
	env := map[string]string{"YOUTRACK_URL": srv.URL, "YOUTRACK_TOKEN": token}
	var out bytes.Buffer
	err := run(context.Background(), nil, &out, &out, func(k string) string { return env[k] })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "The token is invalid or expired", "the server's message is kept")
	assert.NotContains(t, err.Error(), token)
	assert.NotContains(t, out.String(), token)
}

// With the YouTrack user API, which has no last access times, the review
// reads them from Hub, so stale accounts are still found.
func TestRunYouTrackUserAPIFindsStaleAccounts(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"--user-api", "youtrack"}, &out, &out, noEnv))
	got := out.String()
	assert.Contains(t, got, "stale-account         mlopez      Maria Lopez  roster.csv:10 developer  last access 2026-05-04, 200 days before the review")
	assert.Contains(t, got, "4 findings (1 offboarded-active, 1 unidentified-account, 1 excess-access, 1 stale-account)")
}
