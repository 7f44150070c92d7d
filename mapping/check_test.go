package mapping

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
)

// fakeDescriber serves metadata from maps keyed by "project/type" and
// project, and records what it was asked.
type fakeDescriber struct {
	fields   map[string][]tracker.FieldInfo
	statuses map[string][]tracker.StatusInfo
	err      error
	asked    []string
}

func (d *fakeDescriber) DescribeFields(_ context.Context, project, issueType string) ([]tracker.FieldInfo, error) {
	d.asked = append(d.asked, "fields "+project+"/"+issueType)
	if d.err != nil {
		return nil, d.err
	}
	fs, ok := d.fields[project+"/"+issueType]
	if !ok {
		return nil, fmt.Errorf("no such project: %w", tracker.ErrNotFound)
	}
	return fs, nil
}

func (d *fakeDescriber) DescribeStatuses(_ context.Context, project string) ([]tracker.StatusInfo, error) {
	d.asked = append(d.asked, "statuses "+project)
	return d.statuses[project], nil
}

func jiraFields(priorities ...string) []tracker.FieldInfo {
	return []tracker.FieldInfo{
		{ID: "project", Name: "project", Required: true},
		{ID: "issuetype", Name: "issuetype", Required: true},
		{ID: "summary", Name: "summary", Required: true},
		{ID: "description", Name: "description"},
		{ID: "priority", Name: "priority", Allowed: priorities},
		{ID: "assignee", Name: "assignee"},
		{ID: "labels", Name: "labels"},
		{ID: "reporter", Name: "reporter", Required: true},
	}
}

func jiraStatuses() []tracker.StatusInfo {
	return []tracker.StatusInfo{
		{Name: "To Do", Category: tracker.CategoryToDo},
		{Name: "In Progress", Category: tracker.CategoryInProgress},
		{Name: "Done", Category: tracker.CategoryDone},
	}
}

func TestCheckBuiltinsPass(t *testing.T) {
	t.Parallel()
	all := jiraFields("Highest", "High", "Medium", "Low", "Lowest")
	d := &fakeDescriber{
		fields: map[string][]tracker.FieldInfo{
			"SEC/Task": all, "SEC/Bug": all, "PAY/Bug": all, "APP/Bug": all,
			// trax: the adapter sends summary as the record's name.
			"/": {
				{ID: "summary", Name: "summary", Required: true},
				{ID: "description", Name: "description"}, {ID: "source", Name: "source"},
				{ID: "classification", Name: "classification", Allowed: []string{"High", "Critical"}},
				{ID: "contact", Name: "contact"}, {ID: "issue_url", Name: "issue_url"},
			},
		},
		statuses: map[string][]tracker.StatusInfo{"SEC": jiraStatuses(), "PAY": jiraStatuses(), "APP": jiraStatuses()},
	}
	for _, name := range BuiltinNames() {
		assert.NoError(t, mustBuiltin(t, name).Check(context.Background(), d), name)
	}
	assert.Contains(t, d.asked, "fields PAY/Bug")
	assert.Contains(t, d.asked, "statuses APP")
	assert.NotContains(t, d.asked, "statuses ", "S1 maps no status")
}

func TestCheckReportsAllMismatches(t *testing.T) {
	t.Parallel()
	f := mustFlow(t, `
flows:
  - name: c
    source: extrahop
    target: jira
    routes:
      - when: {field: fields.app, equals: pay}
        project: PAY
    defaults: {project: SEC, type: Task, fields: {Team: red}}
    fields:
      description: {from: description}
      Severity: {value: Sev1}
      Severty: {value: x}
    values:
      priority:
        from: fields.risk_score
        ranges: [{gte: 80, to: Critical}]
        default: Low
      status:
        from: status
        map: {closed: Closed}
        default: To Do
      statusCategory:
        from: status
        map: {closed: done}
        default: todo
      resolution:
        from: status
        map: {closed: Fixed}
        default: Done
`)
	fields := append(jiraFields("High", "Low"),
		tracker.FieldInfo{ID: "customfield_10001", Name: "Severity", Allowed: []string{"S1", "S2"}},
		tracker.FieldInfo{ID: "customfield_10002", Name: "Team", Required: true, Allowed: []string{"blue"}},
		tracker.FieldInfo{ID: "customfield_10003", Name: "Environment", Required: true},
		tracker.FieldInfo{ID: "resolution", Name: "resolution", Allowed: []string{"Done", "Won't Do"}},
	)
	d := &fakeDescriber{
		fields: map[string][]tracker.FieldInfo{"SEC/Task": fields, "PAY/Task": jiraFields("High", "Low", "Critical")},
		statuses: map[string][]tracker.StatusInfo{
			"SEC": jiraStatuses(),
			"PAY": {{Name: "Open", Category: tracker.CategoryToDo}, {Name: "Closed", Category: tracker.CategoryInProgress}},
		},
	}
	err := f.Check(context.Background(), d)
	require.Error(t, err)
	var errs *Errors
	require.ErrorAs(t, err, &errs)
	var msgs []string
	for _, e := range errs.List {
		msgs = append(msgs, e.Error())
	}
	want := []string{
		`flows[0].defaults.fields.Team: "red" is not an allowed Team in project "SEC", type "Task" (allowed: blue) (line 9)`,
		`flows[0].fields: project "SEC", type "Task" requires field "summary", which nothing maps (line 10)`,
		`flows[0].fields: project "SEC", type "Task" requires field "Environment", which nothing maps (line 10)`,
		`flows[0].fields: project "PAY", type "Task" requires field "summary", which nothing maps (line 10)`,
		`flows[0].fields.Severity.value: "Sev1" is not an allowed Severity in project "SEC", type "Task" (allowed: S1, S2) (line 12)`,
		`flows[0].fields.Severity: project "PAY", type "Task" has no field "Severity" (line 12)`,
		`flows[0].fields.Severty: project "SEC", type "Task" has no field "Severty" (line 13)`,
		`flows[0].fields.Severty: project "PAY", type "Task" has no field "Severty" (line 13)`,
		`flows[0].defaults.fields.Team: project "PAY", type "Task" has no field "Team" (line 9)`,
		`flows[0].values.priority.ranges[0].to: "Critical" is not an allowed priority in project "SEC", type "Task" (allowed: High, Low) (line 17)`,
		`flows[0].values.status.map.closed: project "SEC" has no status "Closed" (statuses: To Do, In Progress, Done) (line 21)`,
		`flows[0].values.status.default: project "PAY" has no status "To Do" (statuses: Open, Closed) (line 22)`,
		`flows[0].values.statusCategory.map.closed: project "PAY" has no status in category done (line 25)`,
		`flows[0].values.resolution.map.closed: "Fixed" is not an allowed resolution in project "SEC", type "Task" (allowed: Done, Won't Do) (line 29)`,
	}
	assert.Len(t, msgs, len(want), "%q", msgs)
	for _, w := range want {
		assert.Contains(t, msgs, w)
	}
}

func TestCheckDescriberFailure(t *testing.T) {
	t.Parallel()
	f := mustBuiltin(t, "extrahop-to-jira")
	err := f.Check(context.Background(), &fakeDescriber{err: tracker.ErrUnauthorized})
	require.ErrorIs(t, err, tracker.ErrUnauthorized)
	var errs *Errors
	assert.False(t, errors.As(err, &errs))

	err = f.Check(context.Background(), &fakeDescriber{})
	assert.ErrorIs(t, err, tracker.ErrNotFound)
}
