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
	assert.Contains(t, d.asked, "statuses SEC", "projects are looked up")
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
	// A problem found in both projects is reported once, naming both.
	want := []string{
		`flows[0].defaults.fields.Team: "red" is not an allowed Team (allowed: blue) (in project "SEC", type "Task") (line 9)`,
		`flows[0].defaults.fields.Team: no field "Team" (in project "PAY", type "Task") (line 9)`,
		`flows[0].fields: field "summary" is required and nothing maps it (in project "SEC", type "Task"; project "PAY", type "Task") (line 10)`,
		`flows[0].fields: field "Environment" is required and nothing maps it (in project "SEC", type "Task") (line 10)`,
		`flows[0].fields.Severity: no field "Severity" (in project "PAY", type "Task") (line 12)`,
		`flows[0].fields.Severity.value: "Sev1" is not an allowed Severity (allowed: S1, S2) (in project "SEC", type "Task") (line 12)`,
		`flows[0].fields.Severty: no field "Severty" (in project "SEC", type "Task"; project "PAY", type "Task") (line 13)`,
		`flows[0].values.priority.ranges[0].to: "Critical" is not an allowed priority (allowed: High, Low) (in project "SEC", type "Task") (line 17)`,
		`flows[0].values.status.map.closed: no status "Closed" (statuses: To Do, In Progress, Done) (in project "SEC") (line 21)`,
		`flows[0].values.status.default: no status "To Do" (statuses: Open, Closed) (in project "PAY") (line 22)`,
		`flows[0].values.statusCategory.map.closed: no status in category done (in project "PAY") (line 25)`,
		`flows[0].values.resolution.map.closed: "Fixed" is not an allowed resolution (allowed: Done, Won't Do) (in project "SEC", type "Task") (line 29)`,
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

	// An unknown issue type is a problem of the mapping, reported with
	// the others.
	err = f.Check(context.Background(), &fakeDescriber{})
	require.ErrorAs(t, err, &errs)
	require.Len(t, errs.List, 1)
	assert.Equal(t, "flows[0].defaults.type", errs.List[0].Path)
	assert.Contains(t, errs.List[0].Msg, `issue type "Task" cannot be created in project "SEC"`)
}
