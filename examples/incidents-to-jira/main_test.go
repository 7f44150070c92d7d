package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/tracker"
)

func noEnv(string) string { return "" }

// outcome is what one demo run on the fakes printed and left behind.
type outcome struct {
	out       string
	tickets   map[string]jiratest.IssueSnapshot // by the incident's id
	parents   map[string]string                 // ticket key → parent key
	incidents map[string]*tracker.Issue
	comments  map[string][]*tracker.Comment // by the incident's id
	all       []jiratest.IssueSnapshot
}

func runDemo(t *testing.T, args ...string) *outcome {
	t.Helper()
	var out, errOut bytes.Buffer
	o := &outcome{tickets: map[string]jiratest.IssueSnapshot{}, parents: map[string]string{}, incidents: map[string]*tracker.Issue{}, comments: map[string][]*tracker.Comment{}}
	err := runThen(context.Background(), append([]string{"-latency", "0"}, args...), &out, &errOut, noEnv, func(sys *systems) {
		o.all = sys.jr.Issues()
		for _, inc := range sys.incidents.Items() {
			o.incidents[inc.ID] = inc
			list, err := sys.incidents.ListComments(context.Background(), inc.ID)
			require.NoError(t, err)
			o.comments[inc.ID] = list
			key, _ := inc.Fields["ticket"].(string)
			if key == "" {
				continue
			}
			snap, ok := sys.jr.Issue(key)
			require.True(t, ok, key)
			o.tickets[inc.ID] = snap
			is, _, err := sys.client.Issues.Get(context.Background(), key, nil)
			require.NoError(t, err)
			if is.Fields.Parent != nil {
				o.parents[key] = is.Fields.Parent.Key
			}
		}
	})
	o.out = out.String()
	require.NoError(t, err, "output:\n%s", o.out)
	assert.Empty(t, errOut.String(), "no progress bar when stderr is not a terminal")
	return o
}

// TestDemoOnFakes runs the demo once and checks each sentence of S5.
func TestDemoOnFakes(t *testing.T) {
	t.Parallel()
	o := runDemo(t)

	t.Run("routing by application to project", func(t *testing.T) {
		for id, project := range map[string]string{"INC-101": "SHOP", "INC-103": "SHOP", "INC-102": "PAY", "INC-104": "SEC"} {
			assert.Equal(t, project, o.tickets[id].Project, id)
		}
		assert.Contains(t, o.out, "INC-102  payments    HIGH      → PAY-2 ")
	})
	t.Run("defaults: project, epic, assignee, issue type, mandatory field", func(t *testing.T) {
		assert.Equal(t, "SEC", o.tickets["INC-104"].Project, "no route: the default project")
		for id, parent := range map[string]string{"INC-101": "SHOP-1", "INC-102": "PAY-1", "INC-104": "SEC-1"} {
			assert.Equal(t, parent, o.parents[o.tickets[id].Key], id)
		}
		assert.Equal(t, jiratest.SecOps().AccountID, o.tickets["INC-104"].Assignee, "the default assignee, by email")
		assert.Equal(t, jiratest.UserCarol, o.tickets["INC-102"].Assignee, "the payments route's assignee")
		for id, snap := range o.tickets {
			assert.Equal(t, "Task", snap.Type, id)
			assert.Contains(t, snap.Labels, "incident", id)
			var systems []map[string]any
			require.NoError(t, json.Unmarshal(snap.Custom[jiratest.FieldAffectedSystems], &systems), id)
			require.Len(t, systems, 1, id)
			assert.Equal(t, "Web", systems[0]["value"], id)
		}
	})
	t.Run("severity to priority", func(t *testing.T) {
		for id, prio := range map[string]string{"INC-101": "Highest", "INC-102": "High", "INC-103": "Medium", "INC-104": "High"} {
			assert.Equal(t, prio, o.tickets[id].Priority, id)
		}
	})
	t.Run("observables in the description", func(t *testing.T) {
		d := o.tickets["INC-101"].Description
		assert.Contains(t, d, "203.0.113.7")
		assert.Contains(t, d, "198.51.100.23")
		assert.Contains(t, d, "https://shop.example.com/checkout?coupon=1' UNION SELECT card_number FROM cards--")
		assert.Contains(t, o.tickets["INC-102"].Description, "https://pay.example.com/invoices/download?file=../../etc/passwd")
		assert.Contains(t, o.out, "- Source IP: `203.0.113.7`")
	})
	t.Run("only chosen severities create tickets", func(t *testing.T) {
		assert.Len(t, o.tickets, 5, "four at first, one for the incident reported later")
		for _, id := range []string{"INC-105", "INC-106"} {
			assert.NotContains(t, o.tickets, id)
			assert.NotContains(t, o.incidents[id].Fields, "ticket", id)
		}
		assert.Len(t, o.all, 3+5, "the three epics and the five tickets")
		assert.Contains(t, o.out, "2  severity LOW and NOTE stay in the incident platform")
	})
	t.Run("test connection report", func(t *testing.T) {
		assert.Regexp(t, `Test connection\n  ✓ Jira reachable at http://127\.0\.0\.1:\d+\n  ✓ login works \(as Ada Admin\)\n  ✓ the mapping fits: projects SEC, SHOP, PAY, type Task, required fields set, priorities allowed, epics SEC-1, SHOP-1, PAY-1 and assignees secops@example.com, carol@example.com exist\n`, o.out)
	})
	t.Run("Done resolves the incident by signed webhook, no poll", func(t *testing.T) {
		assert.Equal(t, "Done", o.tickets["INC-101"].Status)
		assert.Equal(t, StatusResolved, o.incidents["INC-101"].Status)
		assert.Contains(t, o.out, "webhook → flow: incident INC-101 is now resolved (resolution fixed), with 0 search requests: no poll.")
	})
	t.Run("Done resolves the incident by polling", func(t *testing.T) {
		assert.Equal(t, "Done", o.tickets["INC-102"].Status)
		assert.Equal(t, StatusResolved, o.incidents["INC-102"].Status)
		assert.Contains(t, o.out, "incident INC-102 is still open.")
		assert.Contains(t, o.out, "the next poll wrote back onto 1 incident: incident INC-102 is now resolved (resolution fixed).")
		assert.Equal(t, StatusOpen, o.incidents["INC-103"].Status, "other incidents stay open")
	})
	t.Run("a replayed delivery changes nothing", func(t *testing.T) {
		assert.Regexp(t, `The same delivery \(jira-delivery-\d+\), replayed: the receiver answers 409; the event handed to the flow again makes 0 write requests to Jira and 0 changes to the platform\.`, o.out)
	})
	t.Run("comments both ways with attribution", func(t *testing.T) {
		// Carol's Jira comment is on the incident, attributed; Dan's
		// restricted one is not.
		incComments := o.comments["INC-101"]
		require.Len(t, incComments, 1)
		assert.Contains(t, incComments[0].Body, "[Carol Responder in jira] Confirmed: the WAF logged 40 requests from 203.0.113.7.")
		assert.Equal(t, "Jira sync", incComments[0].AuthorName)
		assert.Contains(t, o.out, "Jira sync: [Carol Responder in jira] Confirmed:")
		// Priya's incident comment reached Jira, attributed, and her edit
		// followed it there.
		assert.Contains(t, o.out, "the API user: [Priya Patel in incidents] Blocked 203.0.113.7 and 198.51.100.23 at the edge.\n")
		assert.NotContains(t, o.out, "the API user: [Priya Patel in incidents] Blocked 203.0.113.7 at the edge.")
		// No echo: Jira holds no mirror of a mirror.
		for _, c := range o.tickets["INC-101"].Comments {
			assert.NotContains(t, c.Body, "in jira]", "an echo of a Jira comment came back to Jira")
		}
	})
	t.Run("deleting an incident comment deletes the Jira comment", func(t *testing.T) {
		ticket := o.tickets["INC-101"]
		require.Len(t, ticket.Comments, 2, "Carol's and Dan's comments, not Priya's mirror")
		assert.Equal(t, jiratest.UserCarol, ticket.Comments[0].Author)
		assert.Equal(t, "role:Administrators", ticket.Comments[1].Visibility)
		for _, c := range ticket.Comments {
			assert.NotContains(t, c.Body, "Priya Patel")
		}
		assert.Contains(t, o.out, "INC-101 holds 1 comment and "+o.tickets["INC-101"].Key+" holds 2 comments: each mirror exists once and nothing came back as an echo.")
	})
	t.Run("a new incident becomes a ticket by its event, no poll", func(t *testing.T) {
		require.Contains(t, o.tickets, "INC-107")
		assert.Equal(t, "PAY", o.tickets["INC-107"].Project)
		assert.Equal(t, "Highest", o.tickets["INC-107"].Priority)
		assert.Regexp(t, `event → flow: PAY-3 Highest \[CRITICAL\] payments: Server-side request forgery to the metadata service in PAY, with 0 search requests: no poll\.`, o.out)
	})
	t.Run("a last poll does nothing", func(t *testing.T) {
		assert.Contains(t, o.out, "A last poll: created 0, updated 0, wrote back 0; 0 write requests reached Jira, 0 changes the platform.")
		assert.Contains(t, o.out, "Nothing to do: the story holds.")
	})
}

// TestMappingFromFile runs the demo with -mapping naming the example's own
// spec, as a user starting from it would.
func TestMappingFromFile(t *testing.T) {
	t.Parallel()
	o := runDemo(t, "-mapping", filepath.Join(".", "mapping.yaml"))
	assert.Contains(t, o.out, "Created 4 tickets")
}

// TestMappingDoesNotFit points the default project at one the fake lacks:
// the test connection lists the problem and nothing is filed.
func TestMappingDoesNotFit(t *testing.T) {
	t.Parallel()
	spec, err := os.ReadFile("mapping.yaml")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(path, bytes.Replace(spec, []byte("project: SEC"), []byte("project: NOPE"), 1), 0o600))
	var out bytes.Buffer
	err = run(context.Background(), []string{"-latency", "0", "-mapping", path}, &out, &out, noEnv)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test connection: the mapping does not fit Jira")
	assert.Contains(t, out.String(), "✗ the mapping does not fit:")
	assert.Contains(t, out.String(), `project "NOPE" does not exist`)
	assert.NotContains(t, out.String(), "Created")
}

func TestRealJiraNeedsCredentials(t *testing.T) {
	t.Parallel()
	env := map[string]string{"JIRA_URL": "https://example.atlassian.net"}
	err := run(context.Background(), nil, &bytes.Buffer{}, &bytes.Buffer{}, func(k string) string { return env[k] })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "JIRA_EMAIL")
}

// TestConnectionReport points the demo at Jira servers that do not answer
// or refuse the login: the report says which step failed, and nothing is
// filed.
func TestConnectionReport(t *testing.T) {
	t.Parallel()
	jr := jiratest.NewServer(t)
	closed := jiratest.New()
	closedURL := closed.URL()
	closed.Close()
	tests := []struct {
		name    string
		url     string
		want    []string
		wantErr string
	}{
		{name: "unreachable", url: closedURL, want: []string{"  ✗ Jira reachable at " + closedURL}, wantErr: "does not answer"},
		{name: "wrong password", url: jr.URL(), want: []string{"  ✓ Jira reachable at " + jr.URL(), "  ✗ login:"}, wantErr: "the credentials do not log in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"JIRA_URL": tt.url, "JIRA_EMAIL": jiratest.Email, "JIRA_API_TOKEN": "wrong-token"}
			var out bytes.Buffer
			err := run(context.Background(), nil, &out, &out, func(k string) string { return env[k] })
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), "wrong-token", "no credential in the error")
			for _, w := range tt.want {
				assert.Contains(t, out.String(), w)
			}
			assert.NotContains(t, out.String(), "Run 1")
		})
	}
}
