package mapping

import (
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// Spec is a set of flows, each mapping issues of one source tracker to
// issues of one target tracker. Build one with [Load], [LoadFile], [Parse]
// or [Builtin], or fill the structs in Go and call [Spec.Validate].
//
// A Spec is read-only once validated: its flows may be applied from many
// goroutines at once.
type Spec struct {
	// Limits bounds template execution; zero fields take the defaults.
	Limits Limits      `yaml:"limits,omitempty" json:"limits,omitempty"`
	Flows  []*FlowSpec `yaml:"flows" json:"flows"`

	// lines maps spec paths ("flows[0].values.priority") to the line they
	// were read from; empty for specs built in Go.
	lines map[string]int
}

// Limits bounds what one template may cost when it renders one field.
type Limits struct {
	// MaxOutput is the most bytes one template may write (default 64 KiB,
	// at most 1 MiB).
	MaxOutput int `yaml:"maxOutput,omitempty" json:"maxOutput,omitempty"`
	// Timeout bounds one execution (default 1s, at most 5s).
	Timeout time.Duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// MaxIterations bounds the total number of range iterations of one
	// execution (default 10000, at most 1000000).
	MaxIterations int `yaml:"maxIterations,omitempty" json:"maxIterations,omitempty"`
}

// FlowSpec maps issues of one source to issues of one target.
type FlowSpec struct {
	// Name identifies the flow within its spec.
	Name string `yaml:"name" json:"name"`
	// Source and Target name the trackers ("youtrack", "jira", "extrahop",
	// "trax"); the mapping only records them, the host wires the adapters.
	Source string `yaml:"source" json:"source"`
	Target string `yaml:"target" json:"target"`

	// When selects the source issues the flow handles; nil selects all.
	When *Rule `yaml:"when,omitempty" json:"when,omitempty"`

	// Routes choose project, issue type, assignee or parent by rule; the
	// first route whose rule matches wins and Defaults is the fallback.
	Routes []*Route `yaml:"routes,omitempty" json:"routes,omitempty"`

	// Defaults fill what neither the field maps nor the routes set. They
	// apply when an issue is created and are not owned: people may change
	// them in the target afterwards and updates leave them alone.
	Defaults Defaults `yaml:"defaults,omitempty" json:"defaults,omitempty"`

	// Fields maps target fields to their source: "summary",
	// "description", "priority", "assignee", "labels", or any other name,
	// which is a custom field by display name ("Severity").
	Fields map[string]*FieldSpec `yaml:"fields,omitempty" json:"fields,omitempty"`

	// Values maps a source value through a table to a target field:
	// "priority", "status", "statusCategory", "resolution", "assignee" or
	// a custom field. "status" and "statusCategory" give the desired
	// target status; "resolution" is recorded with that move.
	Values map[string]*ValueMap `yaml:"values,omitempty" json:"values,omitempty"`

	// Back maps the target's state back onto the source (see
	// [FlowSpec.ApplyBack]).
	Back *BackSpec `yaml:"back,omitempty" json:"back,omitempty"`

	// AfterCreate sets source fields once the target issue exists, keyed by
	// source field name. References and templates read the created target
	// issue; FieldSpec.Now stamps the time, as in Reported: {now: true}
	// (see [FlowSpec.ApplyAfterCreate]).
	AfterCreate map[string]*FieldSpec `yaml:"afterCreate,omitempty" json:"afterCreate,omitempty"`

	// Comments syncs comments between a source item and its ticket; nil
	// syncs none. See [CommentSpec].
	Comments *CommentSpec `yaml:"comments,omitempty" json:"comments,omitempty"`

	// Conflicts settles fields synced both ways (see
	// [FlowSpec.TwoWayFields]) that changed on both sides since the last
	// sync, per target field name or "*" for all: "source-wins" (the
	// default), "target-wins" or "newest-wins". Either way the engine
	// reports the conflict with both values.
	Conflicts map[string]string `yaml:"conflicts,omitempty" json:"conflicts,omitempty"`

	c *compiled
}

// Rule selects issues. A rule is either a combination (All, Any or Not) or
// a test of one field (Field plus exactly one operator). Operators:
//
//   - equals: the value equals (numbers compare by value, times as
//     instants, other values as text);
//   - in: the value equals one of a list;
//   - gte, lte: the value is at least / at most (numbers, times, or text
//     that parses as a number);
//   - exists: true when the value is present and not empty (nil, "", an
//     empty list and the zero time are empty), false for the opposite;
//   - contains: a list holds an element equal to the operand, or a text
//     contains it as a substring;
//   - matches: the value's text matches a regular expression (RE2 syntax,
//     linear in time; anchor it with ^ and $ to match the whole value).
//
// Reason, on any rule, replaces the generated explanation of a failure:
// it is what [Result.Reason] (and an engine's skip reason) says.
type Rule struct {
	All []*Rule `yaml:"all,omitempty" json:"all,omitempty"`
	Any []*Rule `yaml:"any,omitempty" json:"any,omitempty"`
	Not *Rule   `yaml:"not,omitempty" json:"not,omitempty"`

	// Field is a source field reference; see the package documentation.
	Field    string `yaml:"field,omitempty" json:"field,omitempty"`
	Equals   any    `yaml:"equals,omitempty" json:"equals,omitempty"`
	In       []any  `yaml:"in,omitempty" json:"in,omitempty"`
	Gte      any    `yaml:"gte,omitempty" json:"gte,omitempty"`
	Lte      any    `yaml:"lte,omitempty" json:"lte,omitempty"`
	Exists   *bool  `yaml:"exists,omitempty" json:"exists,omitempty"`
	Contains any    `yaml:"contains,omitempty" json:"contains,omitempty"`
	Matches  string `yaml:"matches,omitempty" json:"matches,omitempty"`

	// Reason explains, in the words of the spec's author, why an issue
	// the rule rejects is skipped.
	Reason string `yaml:"reason,omitempty" json:"reason,omitempty"`
}

// Route overrides the defaults for issues its rule selects.
type Route struct {
	When     *Rule  `yaml:"when" json:"when"`
	Project  string `yaml:"project,omitempty" json:"project,omitempty"`
	Type     string `yaml:"type,omitempty" json:"type,omitempty"`
	Assignee string `yaml:"assignee,omitempty" json:"assignee,omitempty"`
	Parent   string `yaml:"parent,omitempty" json:"parent,omitempty"`
}

// Defaults are the values a created issue gets when nothing else sets them.
type Defaults struct {
	Project  string `yaml:"project,omitempty" json:"project,omitempty"`
	Type     string `yaml:"type,omitempty" json:"type,omitempty"`
	Assignee string `yaml:"assignee,omitempty" json:"assignee,omitempty"`
	// Parent is the key of an epic or parent issue.
	Parent string `yaml:"parent,omitempty" json:"parent,omitempty"`
	// Labels are added to the mapped labels.
	Labels []string `yaml:"labels,omitempty" json:"labels,omitempty"`
	// Fields sets extra fields the field maps leave unset.
	Fields map[string]any `yaml:"fields,omitempty" json:"fields,omitempty"`
}

// FieldSpec says where one field's value comes from: exactly one of From
// (a field reference), Template (a text/template), Value (a constant) or
// Now (the time of the run).
type FieldSpec struct {
	From     string `yaml:"from,omitempty" json:"from,omitempty"`
	Template string `yaml:"template,omitempty" json:"template,omitempty"`
	Value    any    `yaml:"value,omitempty" json:"value,omitempty"`
	Now      bool   `yaml:"now,omitempty" json:"now,omitempty"`
}

// ValueMap translates one source value into a target value: through Map
// (keys compare case-insensitively with the value's text) or, for numbers,
// through Ranges (the first range containing the value wins). A value that
// neither translates takes Default, or fails the item when Unmapped is
// "error", or passes through unchanged when Unmapped is "keep". Exactly one
// of Default and Unmapped must be given.
type ValueMap struct {
	From     string            `yaml:"from" json:"from"`
	Map      map[string]string `yaml:"map,omitempty" json:"map,omitempty"`
	Ranges   []*Range          `yaml:"ranges,omitempty" json:"ranges,omitempty"`
	Default  *string           `yaml:"default,omitempty" json:"default,omitempty"`
	Unmapped string            `yaml:"unmapped,omitempty" json:"unmapped,omitempty"`
}

// Range maps the numbers between Gte and Lte (inclusive; a nil bound is
// open) to To.
type Range struct {
	Gte *float64 `yaml:"gte,omitempty" json:"gte,omitempty"`
	Lte *float64 `yaml:"lte,omitempty" json:"lte,omitempty"`
	To  string   `yaml:"to" json:"to"`
}

// BackSpec maps the target issue's state onto source fields. References and
// templates in it read the target issue; now: true and .Now stand for the
// target's Updated time, so that [FlowSpec.ApplyBack] stays deterministic.
type BackSpec struct {
	// Fields sets source fields from the target, keyed by source field
	// name; "summary", "description", "priority", "assignee", "resolution"
	// and "labels" are the standard attributes, other names are extra
	// fields (ticket_id: {from: key}).
	Fields map[string]*FieldSpec `yaml:"fields,omitempty" json:"fields,omitempty"`
	// Status cases are tried in order; the first whose rule matches the
	// target applies.
	Status []*BackCase `yaml:"status,omitempty" json:"status,omitempty"`
}

// BackCase sets source fields, or moves the source issue, when the target
// matches a rule (Done → status closed, resolution action_taken).
type BackCase struct {
	When *Rule `yaml:"when" json:"when"`
	// Set assigns constants to source fields, named as in Back.Fields.
	Set map[string]any `yaml:"set,omitempty" json:"set,omitempty"`
	// Transition moves the source issue through its workflow.
	Transition *Transition `yaml:"transition,omitempty" json:"transition,omitempty"`
}

// Transition names a status or a status category ("todo", "in_progress",
// "done") to move an issue to, with an optional resolution.
type Transition struct {
	Status     string `yaml:"status,omitempty" json:"status,omitempty"`
	Category   string `yaml:"category,omitempty" json:"category,omitempty"`
	Resolution string `yaml:"resolution,omitempty" json:"resolution,omitempty"`
}

// Flow returns the flow with the given name, or nil.
func (s *Spec) Flow(name string) *FlowSpec {
	for _, f := range s.Flows {
		if f != nil && f.Name == name {
			return f
		}
	}
	return nil
}

// target returns the transition target t describes.
func (t *Transition) target() *tracker.TransitionTarget {
	cat, _ := tracker.ParseStatusCategory(t.Category)
	return &tracker.TransitionTarget{Status: t.Status, Category: cat, Resolution: t.Resolution}
}
