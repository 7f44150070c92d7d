package mapping_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/tracker"
)

// jiraTarget is a Jira adapter over a fresh fake Jira.
func jiraTarget(t *testing.T) (*jiratest.Server, *jira.Adapter) {
	t.Helper()
	srv := jiratest.NewServer(t)
	jc, err := jira.New(srv.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken), jira.WithMaxRetries(0))
	require.NoError(t, err)
	a, err := jira.NewAdapter(jc, jira.AdapterConfig{Markdown: true})
	require.NoError(t, err)
	return srv, a
}

// TestListValuesCreateAndCheck: YAML lists, as defaults and as constant
// values, reach Jira in the shape its list fields take, and Check agrees
// with what the create sends.
func TestListValuesCreateAndCheck(t *testing.T) {
	t.Parallel()
	spec, err := mapping.Parse([]byte(`
flows:
  - name: incidents
    source: app
    target: jira
    defaults:
      project: SEC
      type: Task
      fields:
        Affected Systems: [Network]
    fields:
      summary: {from: summary}
      Severity: {value: High}
      labels: {value: [incident, "42"]}
`))
	require.NoError(t, err)
	f := spec.Flows[0]
	srv, target := jiraTarget(t)
	ctx := context.Background()

	require.NoError(t, f.Check(ctx, target), "a list default of an allowed option passes Check")

	res, err := f.Apply(&tracker.Issue{ID: "1", Summary: "Outage"}, time.Now())
	require.NoError(t, err)
	assert.Equal(t, []string{"Network"}, res.Issue.Fields["Affected Systems"])
	created, err := target.CreateIssue(ctx, res.Issue)
	require.NoError(t, err, "Jira accepts the list")

	snap, ok := srv.Issue(created.Key)
	require.True(t, ok)
	var systems []struct{ Value string }
	require.NoError(t, json.Unmarshal(snap.Custom[jiratest.FieldAffectedSystems], &systems))
	require.Len(t, systems, 1)
	assert.Equal(t, "Network", systems[0].Value)
	assert.Subset(t, snap.Labels, []string{"incident", "42"})
}

// TestCheckListValues: Check reports each element of a list a closed list
// field does not allow, and a list given to a field that takes one value.
func TestCheckListValues(t *testing.T) {
	t.Parallel()
	spec, err := mapping.Parse([]byte(`
flows:
  - name: incidents
    source: app
    target: jira
    defaults:
      project: SEC
      type: Task
      fields:
        Affected Systems: [Network, Mainframe]
        Severity: [High]
    fields:
      summary: {from: summary}
`))
	require.NoError(t, err)
	_, target := jiraTarget(t)
	err = spec.Flows[0].Check(context.Background(), target)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"Mainframe" is not an allowed Affected Systems`)
	assert.NotContains(t, err.Error(), `"Network" is not`)
	assert.Contains(t, err.Error(), `Severity takes one value, not a list`)

	// A single value for a list field would be refused by Jira, too.
	spec, err = mapping.Parse([]byte(`
flows:
  - name: incidents
    source: app
    target: jira
    defaults: {project: SEC, type: Task}
    fields:
      summary: {from: summary}
      Affected Systems: {value: Network}
`))
	require.NoError(t, err)
	err = spec.Flows[0].Check(context.Background(), target)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `flows[0].fields["Affected Systems"].value: Affected Systems takes a list: write [Network]`)
}

// TestCheckReportsEveryProblemOnce is the "test connection" against a fake
// Jira and the ExtraHop adapter as source: seven different problems, one
// of them (an unknown issue type) the kind that used to stop the check,
// and two found in both projects, come back in one error, each once, with
// its path and line.
func TestCheckReportsEveryProblemOnce(t *testing.T) {
	t.Parallel()
	spec, err := mapping.Parse([]byte(`
flows:
  - name: s5
    source: extrahop
    target: jira
    routes:
      - when: {field: fields.app, equals: legacy}
        project: NOPE
      - when: {field: fields.app, equals: typo}
        type: Tsk
      - when: {field: fields.app, equals: ops}
        project: OPS
    defaults:
      project: SEC
      type: Task
      assignee: nobody@example.com
      parent: SEC-999
    fields:
      summary: {from: summary}
    values:
      priority:
        from: fields.severity
        map: {critical: Urgent, high: High}
        default: Low
      status:
        from: status
        map: {closed: Closed}
        default: To Do
    back:
      status:
        - when: {field: statusCategory, equals: done}
          set: {status: finished}
`))
	require.NoError(t, err)
	_, target := jiraTarget(t)
	ec, err := extrahop.New("https://eda.example.com", extrahop.WithAPIKey("key"))
	require.NoError(t, err)
	source, err := extrahop.NewAdapter(ec, extrahop.AdapterConfig{})
	require.NoError(t, err)

	err = spec.Flows[0].Check(context.Background(), target, mapping.CheckSource(source))
	require.Error(t, err)
	var errs *mapping.Errors
	require.ErrorAs(t, err, &errs, "%v", err)
	want := map[string]string{
		"flows[0].routes[0].project":            `project "NOPE" does not exist`,
		"flows[0].routes[1].type":               `issue type "Tsk" cannot be created in project "SEC"`,
		"flows[0].defaults.assignee":            `assignee "nobody@example.com" is not a user`,
		"flows[0].defaults.parent":              `parent "SEC-999" does not exist`,
		"flows[0].values.priority.map.critical": `"Urgent" is not an allowed priority`,
		"flows[0].values.status.map.closed":     `no status "Closed"`,
		"flows[0].back.status[0].set.status":    `"finished" is not an allowed status`,
	}
	got := map[string]int{}
	for _, fe := range errs.List {
		got[fe.Path]++
		assert.Positive(t, fe.Line, "%s has its line", fe.Path)
		if w, ok := want[fe.Path]; assert.True(t, ok, "unexpected problem: %v", fe) {
			assert.Contains(t, fe.Msg, w)
		}
	}
	for path := range want {
		assert.Equal(t, 1, got[path], "%s reported once:\n%v", path, err)
	}
	assert.Contains(t, err.Error(), `(in project "SEC", type "Task"; project "OPS", type "Task")`,
		"a problem of both projects names both, once")
}

// TestCheckDeadHostAnswersAtOnce: the test connection makes no retries,
// so an unreachable Jira is reported in well under a second.
func TestCheckDeadHostAnswersAtOnce(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	jc, err := jira.New(dead, jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	require.NoError(t, err, "default retries")
	target, err := jira.NewAdapter(jc, jira.AdapterConfig{})
	require.NoError(t, err)
	f, err := mapping.Builtin("extrahop-to-jira")
	require.NoError(t, err)

	start := time.Now()
	err = f.Flows[0].Check(context.Background(), target)
	elapsed := time.Since(start)
	require.Error(t, err)
	var errs *mapping.Errors
	assert.False(t, errors.As(err, &errs), "an unreachable host is not a mapping problem: %v", err)
	assert.Less(t, elapsed, 500*time.Millisecond)
}

// TestCheckWrongPassword: a login failure comes back as it is, at once.
func TestCheckWrongPassword(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	jc, err := jira.New(srv.URL(), jira.WithBasicAuth(jiratest.Email, "wrong"))
	require.NoError(t, err)
	target, err := jira.NewAdapter(jc, jira.AdapterConfig{})
	require.NoError(t, err)
	f, err := mapping.Builtin("extrahop-to-jira")
	require.NoError(t, err)
	err = f.Flows[0].Check(context.Background(), target)
	assert.ErrorIs(t, err, tracker.ErrUnauthorized)
}
