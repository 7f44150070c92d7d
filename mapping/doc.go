// Package mapping describes how issues of one tracker become issues of
// another: an ERD-like spec of flows with field maps, value maps,
// templates, defaults, routing, back-mapping and after-create actions.
//
// A spec is YAML or JSON (or Go structs; see [Spec]):
//
//	flows:
//	  - name: extrahop-to-jira
//	    source: extrahop
//	    target: jira
//	    when: {field: fields.risk_score, gte: 30}
//	    routes:
//	      - when: {field: fields.application, equals: payments}
//	        project: PAY
//	    defaults: {project: SEC, type: Task, assignee: secops@example.com, labels: [extrahop]}
//	    fields:
//	      summary: {template: "ExtraHop Detection: {{.ID}}: {{.Summary}}"}
//	      labels: {from: labels}
//	      Severity: {value: High}
//	    values:
//	      priority:
//	        from: fields.risk_score
//	        ranges: [{gte: 80, to: Highest}, {gte: 60, to: High}]
//	        default: Low
//	    back:
//	      fields: {ticket_id: {from: key}}
//	      status:
//	        - when: {field: statusCategory, equals: done}
//	          set: {status: closed, resolution: action_taken}
//	    afterCreate:
//	      ticket_id: {from: key}
//
// [Load], [LoadFile] and [Parse] reject unknown keys and report every
// mistake at once, each with its path and line, in an [*Errors]:
//
//	flows[0].values.priority: "critical" is mapped twice (first as "Critical" on line 14) (line 15)
//
// [Builtin] returns the ready-made specs for the standard scenarios.
//
// # Field references
//
// Rules, from, and value maps name fields of an issue (the source issue in
// a flow's when, routes, fields and values; the target issue in back and
// afterCreate) with one of:
//
//	id key url project type summary description status statusCategory
//	resolution priority assignee reporter labels created updated
//	fields.NAME
//
// fields.NAME reads tracker.Issue.Fields[NAME] verbatim, spaces and case
// included (fields.Severity, fields.risk_score, fields.Due Date).
// statusCategory is "todo", "in_progress" or "done". assignee is the
// assignee's name where the tracker describes the person
// (tracker.Issue.AssigneeUser), else the tracker's id for them; target
// adapters take a name, an email or an id when writing. A reference to an
// empty value (nil, "", an empty list, the zero time) counts as absent.
//
// # Rules
//
// A rule is all: [rules], any: [rules], not: rule, or a field with exactly
// one operator: equals, in, gte, lte, exists, contains or matches (see
// [Rule]). Rules only compare; they run no code. When a flow's rule does
// not match, [Result.Reason] names the rule that failed, or gives the
// rule's own reason: text.
//
// # Target fields
//
// Field maps and value maps name target fields: summary, description,
// priority, assignee and labels are the standard attributes; any other
// name is a custom field by display name ("Severity") and lands in
// tracker.NewIssue.Fields. status and statusCategory value maps give the
// desired status ([Result.Transition]); resolution goes with it. Project,
// type and parent come from routes and defaults.
//
// # Templates
//
// Templates are Go text/template over [TemplateData]: the attributes
// (.ID, .Key, .URL, .Summary, .Description, .Status, .Labels, .Fields, …,
// with .Fields.risk_score or index .Fields "Due Date" for extra fields) and
// .Now, the time of the run. A missing extra field prints "<no value>";
// use default. Functions, besides the text/template built-ins:
//
//	upper S, lower S, title S, trim S  change case, trim spaces
//	join SEP LIST                      {{.Labels | join ", "}}
//	default DEF V                      V, or DEF when V is empty: {{.Assignee | default "nobody"}}
//	truncate N V                       at most N runes, "…" marking a cut
//	date LAYOUT V                      format a time (Go layout, or rfc3339, date, datetime), UTC
//	markdown V                         V as literal Markdown text: it reads as V once rendered (jira/adf.FromMarkdown)
//	urlescape V, pathescape V          escape for a URL query or path segment
//	printf FORMAT ARGS                 as fmt.Sprintf; widths over 1000 and * are refused
//
// call is disabled, and define, block and template are refused at load
// time, so templates cannot recurse or reach other templates. Format and
// AppendFormat are refused too (use date), as a layout fed back into a
// time's Format doubles in length each time. Nothing reads
// files, the environment or the network. Templates are parsed at load time
// and rendered once over an empty issue to catch misspelt attributes.
//
// Each execution is bounded ([Limits]): its output (64 KiB by default;
// [ErrOutputTooLarge]), the bytes its functions make, intermediate values
// included (16 times the output bound; [ErrOutputTooLarge]), its duration (1s; [ErrTimeout]) and the total
// iterations of its range actions, integers included (10000;
// [ErrTooManyLoops]). Execution runs in a goroutine so that the caller
// returns at the deadline; text/template cannot be interrupted, so the run
// is then marked aborted and the goroutine stops at its next write, range
// iteration or function call, and because every loop is budgeted and every function is bounded,
// it cannot run on unnoticed.
//
// # Applying
//
// [FlowSpec.Apply] maps a source issue to a [tracker.NewIssue] plus the set of
// fields the flow owns ([Result.Owned]), which an engine hashes to update
// only what changed and never fields people own. [ChangeFor] turns owned
// fields into a [tracker.Change]. [FlowSpec.ApplyBack] maps the target's state onto
// the source and [FlowSpec.AfterCreate] gives the source change to make once a
// target issue exists. All three are pure: no I/O, and the same input
// gives the same output. [FlowSpec.Check] validates a flow against a target's
// live metadata through [tracker.Describer] before anything syncs.
package mapping
