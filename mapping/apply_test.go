package mapping

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
)

const valueSpec = `
flows:
  - name: v
    source: s
    target: t
    values:
      priority:
        from: fields.severity
        map: {Critical: Highest, High: High}
        ranges:
          - {gte: 80, to: Highest}
          - {gte: 50, lte: 79.5, to: Medium}
        default: Low
      Severity:
        from: fields.severity
        map: {critical: S1, high: S2}
        unmapped: error
      assignee:
        from: fields.owner
        map: {alice: "5b10ac8d82e05b22cc7d4ef5"}
        unmapped: keep
      status:
        from: status
        map: {Remediated: Done, Open: To Do}
        unmapped: keep
      statusCategory:
        from: status
        map: {Remediated: done}
        default: todo
      resolution:
        from: status
        map: {Remediated: Fixed}
        default: ""
`

func TestValueMaps(t *testing.T) {
	t.Parallel()
	f := mustFlow(t, valueSpec)
	tests := []struct {
		name       string
		in         *tracker.Issue
		priority   string
		severity   any
		assignee   string
		transition *tracker.TransitionTarget
		trace      map[string]string
		err        error
	}{
		{
			name:     "map hit, case-insensitive",
			in:       &tracker.Issue{Status: "remediated", Fields: map[string]any{"severity": "CRITICAL", "owner": "Alice"}},
			priority: "Highest", severity: "S1", assignee: "5b10ac8d82e05b22cc7d4ef5",
			transition: &tracker.TransitionTarget{Status: "Done", Category: tracker.CategoryDone, Resolution: "Fixed"},
			trace: map[string]string{
				"priority": "flows[0].values.priority.map.Critical",
				"Severity": "flows[0].values.Severity.map.critical",
				"status":   "flows[0].values.status.map.Remediated",
			},
		},
		{
			name:     "lower-case hit, keep passes through",
			in:       &tracker.Issue{Status: "Triaged", Fields: map[string]any{"severity": "high", "owner": "bob"}},
			priority: "High", severity: "S2", assignee: "bob",
			transition: &tracker.TransitionTarget{Status: "Triaged", Category: tracker.CategoryToDo},
			trace:      map[string]string{"assignee": "flows[0].values.assignee.unmapped", "statusCategory": "flows[0].values.statusCategory.default"},
		},
		{
			name: "unmapped is an error",
			in:   &tracker.Issue{Fields: map[string]any{"severity": "Medium"}},
			err:  ErrUnmapped,
		},
		{
			name: "absent with unmapped error",
			in:   &tracker.Issue{},
			err:  ErrUnmapped,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := f.Apply(tt.in, testNow)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Contains(t, err.Error(), "flows[0].values.Severity: no mapping for fields.severity")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.priority, res.Issue.Priority)
			assert.Equal(t, tt.severity, res.Issue.Fields["Severity"])
			assert.Equal(t, tt.assignee, res.Issue.Assignee)
			assert.Equal(t, tt.transition, res.Transition)
			for k, v := range tt.trace {
				assert.Equal(t, v, res.Trace[k], k)
			}
		})
	}
}

func TestValueRanges(t *testing.T) {
	t.Parallel()
	f := mustFlow(t, `
flows:
  - name: r
    source: s
    target: t
    values:
      priority:
        from: fields.risk
        ranges:
          - {gte: 80, to: Highest}
          - {gte: 50, lte: 79.5, to: Medium}
          - {lte: 10, to: Lowest}
        default: Low
`)
	tests := []struct {
		risk any
		want string
	}{
		{int64(99), "Highest"}, {80, "Highest"}, {79.5, "Medium"}, {79.7, "Low"}, {int64(50), "Medium"},
		{"65", "Medium"}, {int64(30), "Low"}, {int64(10), "Lowest"}, {-1.0, "Lowest"}, {nil, "Low"}, {"high", "Low"},
	}
	for _, tt := range tests {
		res, err := f.Apply(&tracker.Issue{Fields: map[string]any{"risk": tt.risk}}, testNow)
		require.NoError(t, err)
		assert.Equal(t, tt.want, res.Issue.Priority, "risk %v", tt.risk)
		assert.Equal(t, tt.want, res.Owned["priority"])
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	f := mustFlow(t, `
flows:
  - name: r
    source: s
    target: t
    routes:
      - when: {field: fields.application, equals: payments}
        project: PAY
        type: Incident
      - when: {field: fields.application, in: [web, mobile]}
        project: APP
        assignee: app-lead
      - when: {field: labels, contains: payments}
        project: PAY2
        parent: PAY-1
    defaults: {project: SEC, type: Bug, assignee: secops, parent: SEC-100}
`)
	tests := []struct {
		name                             string
		in                               *tracker.Issue
		project, typ, assignee, parent   string
		projectTrace, typeTrace, asTrace string
	}{
		{"first route", &tracker.Issue{Labels: []string{"payments"}, Fields: map[string]any{"application": "payments"}},
			"PAY", "Incident", "secops", "SEC-100", "flows[0].routes[0]", "flows[0].routes[0]", "flows[0].defaults.assignee"},
		{"second route", &tracker.Issue{Fields: map[string]any{"application": "mobile"}},
			"APP", "Bug", "app-lead", "SEC-100", "flows[0].routes[1]", "flows[0].defaults.type", "flows[0].routes[1]"},
		{"third route", &tracker.Issue{Labels: []string{"payments"}},
			"PAY2", "Bug", "secops", "PAY-1", "flows[0].routes[2]", "flows[0].defaults.type", "flows[0].defaults.assignee"},
		{"fallback", &tracker.Issue{Fields: map[string]any{"application": "intranet"}},
			"SEC", "Bug", "secops", "SEC-100", "flows[0].defaults.project", "flows[0].defaults.type", "flows[0].defaults.assignee"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := f.Apply(tt.in, testNow)
			require.NoError(t, err)
			in := res.Issue
			assert.Equal(t, []string{tt.project, tt.typ, tt.assignee, tt.parent}, []string{in.Project, in.Type, in.Assignee, in.Parent})
			assert.Equal(t, tt.projectTrace, res.Trace["project"])
			assert.Equal(t, tt.typeTrace, res.Trace["type"])
			assert.Equal(t, tt.asTrace, res.Trace["assignee"])
			assert.Empty(t, res.Owned, "routes and defaults are not owned")
		})
	}
}

func TestRoutingWithoutFallback(t *testing.T) {
	t.Parallel()
	f := mustFlow(t, "flows:\n  - name: r\n    source: s\n    target: t\n    routes: [{when: {field: key, equals: A-1}, project: A}]\n")
	res, err := f.Apply(&tracker.Issue{Key: "B-1"}, testNow)
	require.NoError(t, err)
	assert.Empty(t, res.Issue.Project)
	_, traced := res.Trace["project"]
	assert.False(t, traced)
}

func detection() *tracker.Issue {
	return &tracker.Issue{
		ID: "8589935233", Key: "8589935233", URL: "https://eh.example.com/extrahop/#/detections/detail/8589935233",
		Summary: "SMB/CIFS Brute Force", Description: "A device attempted many logins.",
		Status: "new", Labels: []string{"sec.attack", "sec.caution"},
		Fields: map[string]any{
			"risk_score": int64(72), "type": "smb_brute_force", "categories": []string{"sec.attack", "sec.caution"},
			"mitre_tactics":    []string{"TA0006 Credential Access"},
			"mitre_techniques": []string{"T1110 Brute Force", "T1110.001 Password Guessing"},
			"participants":     []any{map[string]any{"role": "offender", "object_id": int64(12)}},
			"ticket_id":        nil,
			"start_time":       time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		},
	}
}

func TestApplyS3(t *testing.T) {
	t.Parallel()
	f := mustBuiltin(t, "extrahop-to-jira")
	src := detection()
	before := src.Clone()
	res, err := f.Apply(src, testNow)
	require.NoError(t, err)
	require.True(t, res.Match)
	assert.Equal(t, before, src, "Apply must not change its input")

	in := res.Issue
	assert.Equal(t, "SEC", in.Project)
	assert.Equal(t, "Task", in.Type)
	assert.Equal(t, "ExtraHop Detection: 8589935233: SMB/CIFS Brute Force", in.Summary)
	assert.Equal(t, "High", in.Priority)
	assert.Equal(t, "secops@example.com", in.Assignee, "the spec names the assignee by email")
	assert.Equal(t, []string{"extrahop", "sec.attack", "sec.caution"}, in.Labels)
	assert.Equal(t, `A device attempted many logins.

- **Detection:** [8589935233](https://eh.example.com/extrahop/#/detections/detail/8589935233)
- **Type:** smb\_brute\_force
- **Risk score:** 72
- **Categories:** sec.attack, sec.caution
- **Started:** 2026-03-01T12:00:00Z

**MITRE ATT&CK**
- Tactic: TA0006 Credential Access
- Technique: T1110 Brute Force
- Technique: T1110.001 Password Guessing`, in.Description)
	assert.Nil(t, res.Transition)

	assert.Equal(t, map[string]any{
		"summary": in.Summary, "description": in.Description, "priority": "High",
		"labels": []string{"sec.attack", "sec.caution"},
	}, res.Owned)
	assert.Equal(t, map[string]string{
		"summary": "flows[0].fields.summary", "description": "flows[0].fields.description",
		"labels": "flows[0].fields.labels", "priority": "flows[0].values.priority.ranges[1]",
		"project": "flows[0].defaults.project", "type": "flows[0].defaults.type",
		"assignee": "flows[0].defaults.assignee",
	}, res.Trace)

	// Deterministic: the same input gives the same result.
	again, err := f.Apply(src, testNow)
	require.NoError(t, err)
	assert.Equal(t, res, again)

	// A detection without tactics and below the threshold.
	low := detection()
	low.Fields["risk_score"] = int64(12)
	res, err = f.Apply(low, testNow)
	require.NoError(t, err)
	assert.False(t, res.Match)
	assert.Equal(t, `flows[0].when.all[0]: want fields.risk_score gte 30, have "12"`, res.Reason)

	bare := &tracker.Issue{ID: "1", Fields: map[string]any{"risk_score": int64(95)}}
	res, err = f.Apply(bare, testNow)
	require.NoError(t, err)
	assert.Equal(t, "Highest", res.Issue.Priority)
	assert.Contains(t, res.Issue.Description, "- **Detection:** 1\n")
	assert.Contains(t, res.Issue.Description, "- No tactics reported")
	assert.Contains(t, res.Issue.Description, "- **Started:** unknown")
}

func TestBackS3(t *testing.T) {
	t.Parallel()
	f := mustBuiltin(t, "extrahop-to-jira")
	tests := []struct {
		name     string
		ticket   *tracker.Issue
		fields   map[string]any
		res      *string
		assignee *string
	}{
		{"done closes", &tracker.Issue{Key: "SEC-12", Status: "Done", StatusCategory: tracker.CategoryDone, Assignee: "jdoe"},
			map[string]any{"ticket_id": "SEC-12", "status": "closed"}, tracker.Ptr("action_taken"), tracker.Ptr("jdoe")},
		{"in progress", &tracker.Issue{Key: "SEC-12", Status: "In Progress", StatusCategory: tracker.CategoryInProgress},
			map[string]any{"ticket_id": "SEC-12", "status": "in_progress"}, nil, tracker.Ptr("")},
		{"to do leaves status", &tracker.Issue{Key: "SEC-12", Status: "To Do", StatusCategory: tracker.CategoryToDo, Assignee: "x"},
			map[string]any{"ticket_id": "SEC-12"}, nil, tracker.Ptr("x")},
		{"a described assignee writes back the name", &tracker.Issue{Key: "SEC-12", StatusCategory: tracker.CategoryToDo,
			Assignee: "712020:3f1c2a9e-7b4d-4e0a-9c55-1d2e3f405162", AssigneeUser: &tracker.User{ID: "712020:3f1c2a9e-7b4d-4e0a-9c55-1d2e3f405162", Name: "SecOps Team", Email: "secops@example.com"}},
			map[string]any{"ticket_id": "SEC-12"}, nil, tracker.Ptr("SecOps Team")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			back, err := f.ApplyBack(tt.ticket)
			require.NoError(t, err)
			assert.Equal(t, tt.fields, back.Change.Fields)
			assert.Equal(t, tt.res, back.Change.Resolution)
			assert.Equal(t, tt.assignee, back.Change.Assignee)
			assert.Nil(t, back.Transition)
			assert.Equal(t, "flows[0].back.fields.ticket_id", back.Trace["ticket_id"])
			if tt.fields["status"] != nil {
				assert.Contains(t, back.Trace["status"], "flows[0].back.status[")
			}
		})
	}
}

func TestBackTransition(t *testing.T) {
	t.Parallel()
	f := mustFlow(t, `
flows:
  - name: b
    source: youtrack
    target: jira
    back:
      fields:
        Ticket: {template: "{{.Key}} ({{.Status}})"}
        labels: {value: [synced]}
        Synced: {now: true}
      status:
        - when: {field: resolution, in: [Won't Do, Duplicate]}
          transition: {category: done, resolution: Won't fix}
        - when: {field: statusCategory, equals: done}
          transition: {status: Fixed}
`)
	back, err := f.ApplyBack(&tracker.Issue{Key: "SEC-1", Status: "Done", StatusCategory: tracker.CategoryDone, Resolution: "Duplicate", Updated: testNow})
	require.NoError(t, err)
	assert.Equal(t, testNow, back.Change.Fields["Synced"], "now in back is the target's Updated time")
	assert.Equal(t, &tracker.TransitionTarget{Category: tracker.CategoryDone, Resolution: "Won't fix"}, back.Transition)
	assert.Equal(t, "SEC-1 (Done)", back.Change.Fields["Ticket"])
	assert.Equal(t, []string{"synced"}, back.Change.AddLabels)
	assert.Equal(t, "flows[0].back.status[0].transition", back.Trace["status"])

	back, err = f.ApplyBack(&tracker.Issue{Key: "SEC-1", StatusCategory: tracker.CategoryDone})
	require.NoError(t, err)
	assert.Equal(t, &tracker.TransitionTarget{Status: "Fixed"}, back.Transition)

	noBack := mustFlow(t, "flows:\n  - {name: n, source: s, target: t}\n")
	back, err = noBack.ApplyBack(&tracker.Issue{})
	require.NoError(t, err)
	assert.True(t, back.Change.IsEmpty())
	assert.Nil(t, back.Transition)

	_, err = noBack.ApplyBack(nil)
	assert.Error(t, err)
}

func TestApplyS1AndAfterCreate(t *testing.T) {
	t.Parallel()
	f := mustBuiltin(t, "youtrack-to-trax")
	src := &tracker.Issue{
		ID: "2-17", Key: "SEC-17", URL: "https://yt.example.com/issue/SEC-17", Summary: "Exposed admin panel",
		Description: "Found during review.", Reporter: "alice",
		Fields: map[string]any{"Severity": "High", "Reported": nil, "State": "Open"},
	}
	res, err := f.Apply(src, testNow)
	require.NoError(t, err)
	require.True(t, res.Match, res.Reason)
	assert.Equal(t, "Exposed admin panel", res.Issue.Summary)
	assert.Equal(t, "Found during review.", res.Issue.Description)
	assert.Equal(t, map[string]any{
		"source": "YouTrack", "classification": "High", "contact": "alice",
		"issue_url": "https://yt.example.com/issue/SEC-17",
	}, res.Issue.Fields)

	ch, err := f.ApplyAfterCreate(src, &tracker.Issue{ID: "rec-1", Key: "rec-1"}, testNow)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"Reported": testNow}, ch.Fields)

	src.Fields["Reported"] = testNow
	res, err = f.Apply(src, testNow)
	require.NoError(t, err)
	assert.False(t, res.Match)

	s3 := mustBuiltin(t, "extrahop-to-jira")
	ch, err = s3.ApplyAfterCreate(detection(), &tracker.Issue{ID: "10001", Key: "SEC-9"}, testNow)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"ticket_id": "SEC-9"}, ch.Fields)

	_, err = s3.ApplyAfterCreate(detection(), nil, testNow)
	assert.Error(t, err)
}

func TestApplyS2(t *testing.T) {
	t.Parallel()
	f := mustBuiltin(t, "findings-to-jira")
	finding := func(sev, app, status string) *tracker.Issue {
		return &tracker.Issue{
			ID: "F-1", Summary: "SQL injection in /login", Description: "User input reaches a query.", Status: status,
			Labels: []string{"sast"},
			Fields: map[string]any{"severity": sev, "application": app, "cwe": "89", "location": "login.go:42"},
		}
	}
	res, err := f.Apply(finding("Critical", "payments", "Open"), testNow)
	require.NoError(t, err)
	require.True(t, res.Match, res.Reason)
	assert.Equal(t, "PAY", res.Issue.Project)
	assert.Equal(t, "Bug", res.Issue.Type)
	assert.Equal(t, "Highest", res.Issue.Priority)
	assert.Equal(t, "[Critical] SQL injection in /login", res.Issue.Summary)
	assert.Equal(t, []string{"appsec", "sast"}, res.Issue.Labels)
	assert.Contains(t, res.Issue.Description, "- **CWE:** [89](https://cwe.mitre.org/data/definitions/89.html)")
	assert.Contains(t, res.Issue.Description, "- **Location:** `login.go:42`")
	assert.Equal(t, &tracker.TransitionTarget{Status: "To Do"}, res.Transition)

	res, err = f.Apply(finding("High", "web", "Remediated"), testNow)
	require.NoError(t, err)
	assert.Equal(t, "APP", res.Issue.Project)
	assert.Equal(t, &tracker.TransitionTarget{Status: "Done", Resolution: "Done"}, res.Transition)

	res, err = f.Apply(finding("Low", "web", "Open"), testNow)
	require.NoError(t, err)
	assert.False(t, res.Match)

	// The rule passes "High" regardless of case in the map, but the rule
	// itself compares exactly; an unknown severity that passes the rule
	// would fail the priority map.
	res, err = f.Apply(finding("High", "intranet", "Open"), testNow)
	require.NoError(t, err)
	assert.Equal(t, "SEC", res.Issue.Project)
}

func TestChangeFor(t *testing.T) {
	t.Parallel()
	owned := map[string]any{
		"summary": "s", "description": "d", "priority": "High", "assignee": "", "labels": []string{"a", "b"},
		"Severity": "S1", "tags": []string{"x"},
	}
	ch := ChangeFor(owned, []string{"summary", "labels", "Severity", "assignee", "missing"})
	assert.Equal(t, &tracker.Change{
		Summary: tracker.Ptr("s"), Assignee: tracker.Ptr(""), AddLabels: []string{"a", "b"},
		Fields: map[string]any{"Severity": "S1"},
	}, ch)
	assert.True(t, ChangeFor(owned, nil).IsEmpty())

	all := (&Result{Owned: owned}).ChangeFor(sortedKeys(owned))
	assert.Equal(t, tracker.Ptr("d"), all.Description)
	assert.Equal(t, tracker.Ptr("High"), all.Priority)
	all.Fields["tags"].([]string)[0] = "changed"
	assert.Equal(t, []string{"x"}, owned["tags"], "the change must not share memory with owned")
}

func TestApplyFieldKinds(t *testing.T) {
	t.Parallel()
	f := mustFlow(t, `
flows:
  - name: k
    source: s
    target: t
    defaults:
      labels: [base]
      fields: {Team: secops, Score: 1, Detected: x}
    fields:
      labels: {value: [b, a, b, " "]}
      Score: {from: fields.score}
      Detected: {now: true}
      Due Date: {from: fields.due}
      assignee: {from: fields.owner}
`)
	src := &tracker.Issue{Fields: map[string]any{"score": int64(5), "owner": int64(42)}}
	res, err := f.Apply(src, testNow)
	require.NoError(t, err)
	in := res.Issue
	assert.Equal(t, []string{"a", "b", "base"}, in.Labels)
	assert.Equal(t, []string{"a", "b"}, res.Owned["labels"])
	assert.Equal(t, "42", in.Assignee)
	assert.Equal(t, map[string]any{"Score": int64(5), "Detected": testNow, "Due Date": nil, "Team": "secops"}, in.Fields)
	assert.Equal(t, "flows[0].defaults.fields.Team", res.Trace["Team"])
	assert.Equal(t, `flows[0].fields["Due Date"]`, res.Trace["Due Date"])

	_, err = f.Apply(nil, testNow)
	assert.Error(t, err)
}

func TestApplyConcurrent(t *testing.T) {
	t.Parallel()
	f := mustBuiltin(t, "extrahop-to-jira")
	want, err := f.Apply(detection(), testNow)
	require.NoError(t, err)
	var wg sync.WaitGroup
	results := make([]*Result, 8)
	for i := range results {
		wg.Go(func() {
			results[i], _ = f.Apply(detection(), testNow)
		})
	}
	wg.Wait()
	for _, r := range results {
		assert.Equal(t, want, r)
	}
}
