package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira/jiratest"
)

func noEnv(string) string { return "" }

func runDemo(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut, noEnv)
	assert.Empty(t, errOut.String(), "no progress bar when stderr is not a terminal")
	return out.String(), err
}

func TestExportAllOnTheFake(t *testing.T) {
	t.Parallel()
	out, err := runDemo(t)
	require.NoError(t, err, out)

	assert.Contains(t, out, "exporting all 12 findings")
	assert.Contains(t, out, "Created 8 tickets, updated 0 tickets")
	// Routing, priority and status maps. Findings routed to one project
	// are created concurrently, so which of them gets PAY-1 is not fixed.
	m := regexp.MustCompile(`F-101\s+(PAY-\d)\s+Highest\s+To Do\s+\[Critical\] SQL injection in order search`).FindStringSubmatch(out)
	require.Len(t, m, 2, out)
	assert.Regexp(t, `F-103\s+APP-\d\s+High\s+To Do`, out)
	assert.Regexp(t, `F-104\s+APP-\d\s+High\s+Done \(Done\)`, out)
	assert.Regexp(t, `F-106\s+SEC-\d\s+Highest`, out)
	assert.Regexp(t, `F-107\s+SEC-\d\s+High\s+In Progress`, out)
	assert.Regexp(t, `F-109\s+PAY-\d\s+High\s+Done \(Won't Do\)`, out)
	assert.Regexp(t, m[1]+`  http://127\.0\.0\.1:\d+/browse/`+m[1]+`\n`, out)
	assert.Contains(t, out, "Skipped 4 findings:")
	assert.Contains(t, out, "3  severity Medium (the mapping exports High, Critical only)")
	assert.Contains(t, out, "1  severity Low (the mapping exports High, Critical only)")
	assert.Contains(t, out, "Exporting the same findings again: 0 created, 0 updated, 8 unchanged.")
}

func TestDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	out, err := runDemo(t, "-dry-run")
	require.NoError(t, err, out)
	assert.Contains(t, out, "Dry run: nothing is sent to Jira.")
	assert.Regexp(t, `F-104\s+create\s+APP\s+Bug\s+High\s+Done \(Done\)`, out)
	assert.Regexp(t, `F-105\s+skip\s+severity Medium`, out)
	assert.Contains(t, out, "8 to create, 0 to update, 4 to skip.")
	assert.NotContains(t, out, "Created")
	assert.Contains(t, out, "Checked against Jira (read only)")
}

// TestDryRunConsultsJira: a dry run against a Jira without the projects
// the findings route to says so, and creates nothing.
func TestDryRunConsultsJira(t *testing.T) {
	t.Parallel()
	jr := jiratest.NewServer(t) // has SEC, not PAY or APP
	env := map[string]string{"JIRA_URL": jr.URL(), "JIRA_EMAIL": jiratest.Email, "JIRA_API_TOKEN": jiratest.APIToken}
	var out bytes.Buffer
	err := run(context.Background(), []string{"-dry-run"}, &out, &out, func(k string) string { return env[k] })
	require.Error(t, err)
	assert.Contains(t, out.String(), "Jira would refuse some of it")
	assert.Contains(t, out.String(), "PAY")
	assert.Empty(t, jr.Issues(), "a dry run writes nothing")
}

func TestExportSelected(t *testing.T) {
	t.Parallel()
	out, err := runDemo(t, "-export", "F-101, F-107,F-105")
	require.NoError(t, err, out)
	assert.Contains(t, out, "exporting F-101, F-107, F-105")
	assert.Contains(t, out, "Created 2 tickets")
	assert.Regexp(t, `F-101\s+PAY-1`, out)
	assert.Regexp(t, `F-107\s+SEC-1`, out)
	assert.NotContains(t, out, "F-102")
	assert.Contains(t, out, "Skipped 1 finding:")
}

func TestExportUnknownFinding(t *testing.T) {
	t.Parallel()
	_, err := runDemo(t, "-export", "F-101,F-999")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no finding F-999")
}

func TestReportFromFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "scan.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"scanner":"Scan","generated":"2026-01-02T00:00:00Z","findings":[
		{"id":"X-1","title":"Path traversal","severity":"High","status":"Open","application":"web","cwe":"CWE-22"}]}`), 0o600))
	out, err := runDemo(t, "-report", path)
	require.NoError(t, err, out)
	assert.Contains(t, out, "Report from Scan, generated 2026-01-02: exporting its finding.")
	assert.Regexp(t, `X-1\s+APP-1\s+High\s+To Do\s+\[High\] Path traversal`, out)
}

func TestParseReportRejectsBadFindings(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ json, want string }{
		"not json":     {`{"findings":`, "bad.json"},
		"no id":        {`{"findings":[{"title":"t","severity":"High"}]}`, "finding 1 has no id"},
		"duplicate id": {`{"findings":[{"id":"A","title":"t","severity":"High"},{"id":"A","title":"u","severity":"Low"}]}`, `"A" appears twice`},
		"no title":     {`{"findings":[{"id":"A","severity":"High"}]}`, "A has no title"},
		"no severity":  {`{"findings":[{"id":"A","title":"t"}]}`, "A has no severity"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := parseReport([]byte(tt.json), "bad.json")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestFindingIssue(t *testing.T) {
	t.Parallel()
	f := Finding{ID: "F-1", Title: "T", Severity: "High", Status: "Remediated", Application: "payments", Component: "orders api",
		CWE: "cwe-89", Location: "a.go:1", Description: "D.", Remediation: "R.", URL: "https://appsec.example.com/findings/F-1"}
	is := f.Issue()
	assert.Equal(t, "F-1", is.ID)
	assert.Equal(t, "T", is.Summary)
	assert.Equal(t, "D.\n\n**Remediation:** R.", is.Description)
	assert.Equal(t, "Remediated", is.Status)
	assert.Equal(t, []string{"orders-api", "cwe-89"}, is.Labels)
	assert.Equal(t, map[string]any{"severity": "High", "application": "payments", "cwe": "89", "location": "a.go:1"}, is.Fields)
}

func TestRealJiraNeedsCredentials(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(context.Background(), nil, &out, &out, func(k string) string {
		return map[string]string{"JIRA_URL": "https://example.atlassian.net", "JIRA_EMAIL": "me@example.com"}[k]
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "JIRA_API_TOKEN")
}

// TestRealJiraWithStore runs the real-system path against a fake Jira the
// test starts, twice, sharing a store file: the second files nothing.
func TestRealJiraWithStore(t *testing.T) {
	t.Parallel()
	jr := jiratest.NewServer(t)
	jr.AddProject("PAY", "Payments")
	jr.AddProject("APP", "Apps")
	env := map[string]string{"JIRA_URL": jr.URL(), "JIRA_EMAIL": jiratest.Email, "JIRA_API_TOKEN": jiratest.APIToken}
	getenv := func(k string) string { return env[k] }
	args := []string{"-store", filepath.Join(t.TempDir(), "links.db")}

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), args, &out, &out, getenv), out.String())
	first := out.String()
	assert.Contains(t, first, "Exporting into "+jr.URL())
	assert.Contains(t, first, "Created 8 tickets")
	assert.NotContains(t, first, "Exporting the same findings again", "the rerun is shown on the fake only")
	require.Len(t, jr.Issues(), 8)
	for _, is := range jr.Issues() {
		assert.NotContains(t, is.Description, `\`, "%s: the description reads without escapes", is.Key)
		assert.Contains(t, is.Description, "Application: ", is.Key)
	}

	out.Reset()
	require.NoError(t, run(context.Background(), args, &out, &out, getenv), out.String())
	assert.Contains(t, out.String(), "Created 0 tickets, updated 0 tickets.")
	assert.Contains(t, out.String(), "8  unchanged since the last export")
	assert.Len(t, jr.Issues(), 8, "the second export files nothing")
	assert.NotContains(t, first+out.String(), jiratest.APIToken)
}

// TestRealJiraTwiceWithoutStore exports twice with no store: the second
// export keeps no links from the first, adopts each ticket by its marker,
// says so, and sends Jira no write.
func TestRealJiraTwiceWithoutStore(t *testing.T) {
	t.Parallel()
	jr := jiratest.NewServer(t)
	jr.AddProject("PAY", "Payments")
	jr.AddProject("APP", "Apps")
	env := map[string]string{"JIRA_URL": jr.URL(), "JIRA_EMAIL": jiratest.Email, "JIRA_API_TOKEN": jiratest.APIToken}
	getenv := func(k string) string { return env[k] }

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out, &out, getenv), out.String())
	require.Contains(t, out.String(), "Created 8 tickets")
	require.Len(t, jr.Issues(), 8)

	jr.ResetRequests()
	out.Reset()
	require.NoError(t, run(context.Background(), nil, &out, &out, getenv), out.String())
	assert.Contains(t, out.String(), "Created 0 tickets, updated 0 tickets, adopted 8 tickets filed by an earlier export")
	_, perRoute := jr.Requests()
	for route, n := range perRoute {
		if !strings.HasPrefix(route, "GET ") && !strings.HasPrefix(route, "POST /rest/api/3/search/") {
			assert.Zero(t, n, "%s requests on the second export", route)
		}
	}
	assert.Len(t, jr.Issues(), 8, "the second export files nothing")
}
