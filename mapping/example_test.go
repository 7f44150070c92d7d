package mapping_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/tracker"
)

// Load a spec and apply its flow to one source issue.
func Example() {
	spec, err := mapping.Load(strings.NewReader(`
flows:
  - name: detections
    source: extrahop
    target: jira
    when: {field: fields.risk_score, gte: 30}
    defaults: {project: SEC, type: Task}
    fields:
      summary: {template: "ExtraHop Detection: {{.ID}}: {{.Summary}}"}
      labels: {from: labels}
    values:
      priority:
        from: fields.risk_score
        ranges: [{gte: 80, to: Highest}, {gte: 60, to: High}]
        default: Medium
`), mapping.YAML)
	if err != nil {
		fmt.Println(err)
		return
	}
	det := &tracker.Issue{
		ID: "8589935233", Summary: "SMB/CIFS Brute Force", Labels: []string{"sec.attack"},
		Fields: map[string]any{"risk_score": int64(72)},
	}
	res, err := spec.Flow("detections").Apply(det, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Issue.Project, res.Issue.Type, res.Issue.Priority)
	fmt.Println(res.Issue.Summary)
	fmt.Println(res.Trace["priority"])
	// Output:
	// SEC Task High
	// ExtraHop Detection: 8589935233: SMB/CIFS Brute Force
	// flows[0].values.priority.ranges[1]
}

// Every mistake in a spec is reported at once, with its path and line.
func ExampleParse_errors() {
	_, err := mapping.Parse([]byte(`
flows:
  - name: bad
    source: extrahop
    target: jira
    when: {field: riskscore, gte: 30}
    values:
      priority:
        from: fields.severity
        map: {Critical: Highest, critical: High}
        default: Low
`))
	fmt.Println(err)
	// Output:
	// mapping: 2 errors:
	// 	flows[0].when.field: unknown field "riskscore" (want one of id, key, url, project, type, summary, description, status, statusCategory, resolution, priority, assignee, reporter, labels, created, updated, or fields.NAME) (line 6)
	// 	flows[0].values.priority: "critical" is mapped twice (first as "Critical" on line 10) (line 10)
}

// The S3 spec maps a Jira ticket's state back onto its ExtraHop detection.
func ExampleFlowSpec_ApplyBack() {
	spec, err := mapping.Builtin("extrahop-to-jira")
	if err != nil {
		fmt.Println(err)
		return
	}
	ticket := &tracker.Issue{Key: "SEC-12", Status: "Done", StatusCategory: tracker.CategoryDone, Assignee: "jdoe"}
	back, err := spec.Flow("extrahop-to-jira").ApplyBack(ticket)
	if err != nil {
		fmt.Println(err)
		return
	}
	ch := back.Change
	fmt.Println(ch.Fields["ticket_id"], ch.Fields["status"], *ch.Resolution, *ch.Assignee)
	// Output: SEC-12 closed action_taken jdoe
}

// ChangeFor turns the owned fields that changed into an update.
func ExampleChangeFor() {
	owned := map[string]any{"summary": "New title", "priority": "High", "Severity": "S1"}
	ch := mapping.ChangeFor(owned, []string{"priority", "Severity"})
	fmt.Println(ch.Summary == nil, *ch.Priority, ch.Fields["Severity"])
	// Output: true High S1
}

// staticDescriber is a stand-in for a tracker adapter's metadata.
type staticDescriber struct{}

func (staticDescriber) DescribeFields(_ context.Context, project, issueType string) ([]tracker.FieldInfo, error) {
	return []tracker.FieldInfo{
		{ID: "summary", Name: "summary", Required: true},
		{ID: "description", Name: "description"},
		{ID: "priority", Name: "priority", Allowed: []string{"High", "Medium", "Low"}},
		{ID: "assignee", Name: "assignee"},
		{ID: "labels", Name: "labels"},
		{ID: "customfield_10050", Name: "Detection Type", Required: true},
	}, nil
}

func (staticDescriber) DescribeStatuses(_ context.Context, project string) ([]tracker.StatusInfo, error) {
	return []tracker.StatusInfo{{Name: "Open", Category: tracker.CategoryToDo}, {Name: "Closed", Category: tracker.CategoryDone}}, nil
}

// Check is the "test connection": it compares a flow with the target's
// live metadata and reports every mismatch before anything syncs.
func ExampleFlowSpec_Check() {
	spec, err := mapping.Builtin("extrahop-to-jira")
	if err != nil {
		fmt.Println(err)
		return
	}
	err = spec.Flow("extrahop-to-jira").Check(context.Background(), staticDescriber{})
	fmt.Println(err)
	// Output:
	// mapping: 3 errors:
	// 	flows[0].fields: field "Detection Type" is required and nothing maps it (in project "SEC", type "Task") (line 34)
	// 	flows[0].values.priority.ranges[0].to: "Highest" is not an allowed priority (allowed: High, Medium, Low) (in project "SEC", type "Task") (line 61)
	// 	flows[0].back.status[1].when.equals: no status in category "in_progress" (in project "SEC") (line 72)
}
