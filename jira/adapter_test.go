package jira_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/internal/contract"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

// newClient returns a client for srv. On Cloud every request and response
// goes through the contract check against Atlassian's OpenAPI document;
// Data Center's v2 paths are not in that document and are not checked.
func newClient(t *testing.T, srv *jiratest.Server, opts ...jira.Option) *jira.Client {
	t.Helper()
	transport := srv.Client().Transport
	if !srv.DataCenter() {
		transport = contract.Load(t, contract.Jira).Transport(t, transport)
	}
	base := []jira.Option{
		jira.WithHTTPClient(&http.Client{Transport: transport, Timeout: 10 * time.Second}),
		jira.WithRetryWait(time.Millisecond, 5*time.Millisecond),
	}
	if srv.DataCenter() {
		base = append(base, jira.WithDataCenter(), jira.WithToken(jiratest.PAT))
	} else {
		base = append(base, jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	}
	c, err := jira.New(srv.URL(), append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func conformance(t *testing.T, opts ...jiratest.Option) {
	trackertest.Run(t, func(t *testing.T) *trackertest.Harness {
		srv := jiratest.NewServer(t, opts...)
		a, err := jira.NewAdapter(newClient(t, srv), jira.AdapterConfig{})
		require.NoError(t, err)
		return &trackertest.Harness{
			Tracker:    a,
			Project:    "SEC",
			IssueType:  "Task",
			MissingID:  "SEC-9999",
			DoneStatus: "Done",
			Priority:   "High",
			Fields: map[string]any{
				"Severity":         "High",
				"Story Points":     5.0,
				"Reported":         time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC),
				"Affected Systems": []string{"Web", "API"},
				"External ID":      "EH-1234",
			},
			FieldChange: map[string]any{"Severity": "Critical", "Story Points": 8.0},
		}
	})
}

func TestConformanceCloud(t *testing.T) {
	t.Parallel()
	conformance(t)
}

func TestConformanceDataCenter(t *testing.T) {
	t.Parallel()
	conformance(t, jiratest.WithDataCenter())
}
