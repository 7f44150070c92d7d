package mapping

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// Result is what a flow makes of one source issue.
type Result struct {
	// Match is false when the flow's when rule does not select the issue;
	// Reason then names the rule that failed and nothing else is set.
	Match  bool
	Reason string

	// Issue is the target issue to create: mapped fields, routing and
	// defaults.
	Issue *tracker.NewIssue

	// Owned holds the target fields this flow owns, by name ("summary",
	// "description", "priority", "assignee", "labels" or a custom field
	// name), with their canonical value: a string, a sorted list of
	// labels, or a custom field's value. An engine hashes each entry to
	// find what changed and updates only those; fields not listed here,
	// defaults included, are never overwritten.
	Owned map[string]any

	// Transition is the desired target status when the flow maps status
	// or statusCategory; nil otherwise.
	Transition *tracker.TransitionTarget

	// Trace names, for each target field set ("project", "summary",
	// "status", …), the spec path that produced it.
	Trace map[string]string
}

// Apply maps a source issue to a target issue. It is pure: it reads only
// its arguments, and now stands for the current time wherever the spec
// asks for it. It fails when a value map with "unmapped: error" meets an
// unknown value (matching ErrUnmapped), or when a template fails.
func (f *FlowSpec) Apply(src *tracker.Issue, now time.Time) (*Result, error) {
	if err := f.ready(); err != nil {
		return nil, err
	}
	if src == nil {
		return nil, fmt.Errorf("mapping: flow %q: nil source issue", f.Name)
	}
	c := f.c
	res := &Result{}
	if c.when != nil {
		if ok, why := c.when.match(src); !ok {
			res.Reason = why
			return res, nil
		}
	}
	src = f.templateView(src, c.fields)
	res.Match = true
	in := &tracker.NewIssue{}
	res.Issue = in
	res.Owned = make(map[string]any, len(c.fields)+len(c.values))
	res.Trace = make(map[string]string, len(c.fields)+len(c.values)+4)

	for _, fld := range c.fields {
		v, err := f.produce(fld, src, now)
		if err != nil {
			return nil, err
		}
		setTarget(res, fld.name, fld.path, v)
	}
	for i := range c.values {
		v := &c.values[i]
		to, path, ok, err := v.lookup(src)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		switch v.name {
		case FieldStatus, FieldCategory, FieldResolution:
			if res.Transition == nil {
				res.Transition = &tracker.TransitionTarget{}
			}
			switch v.name {
			case FieldStatus:
				res.Transition.Status = to
			case FieldCategory:
				res.Transition.Category, _ = tracker.ParseStatusCategory(to)
			default:
				res.Transition.Resolution = to
			}
			res.Trace[v.name] = path
		default:
			setTarget(res, v.name, path, to)
		}
	}
	if t := res.Transition; t != nil && t.Status == "" && t.Category == tracker.CategoryUnknown {
		// A resolution alone is not a move.
		res.Transition = nil
	}
	f.route(res, src)
	return res, nil
}

// produce computes one FieldSpec's value.
func (f *FlowSpec) produce(fld cField, is *tracker.Issue, now time.Time) (any, error) {
	switch {
	case fld.tpl != nil:
		s, err := render(fld.tpl, is, now, f.c.limits)
		if err != nil {
			return nil, fmt.Errorf("mapping: %s: %w", fld.path, err)
		}
		return s, nil
	case fld.now:
		return now, nil
	case fld.value != nil:
		return tracker.CloneValue(fld.value), nil
	}
	v, _ := fld.ref.get(is)
	return tracker.CloneValue(shape(v)), nil
}

// setTarget stores a value in the new issue and the owned set.
func setTarget(res *Result, name, path string, v any) {
	in := res.Issue
	switch name {
	case FieldSummary, FieldDescription, FieldPriority, FieldAssignee:
		s := text(v)
		switch name {
		case FieldSummary:
			in.Summary = s
		case FieldDescription:
			in.Description = s
		case FieldPriority:
			in.Priority = s
		default:
			in.Assignee = s
		}
		res.Owned[name] = s
	case FieldLabels:
		labels := canonicalLabels(stringList(v))
		in.Labels = labels
		res.Owned[name] = slices.Clone(labels)
	default:
		if in.Fields == nil {
			in.Fields = map[string]any{}
		}
		in.Fields[name] = v
		res.Owned[name] = tracker.CloneValue(v)
	}
	res.Trace[name] = path
}

// route fills project, type, assignee and parent from the first matching
// route and then the defaults, and adds the default labels and fields.
func (f *FlowSpec) route(res *Result, src *tracker.Issue) {
	in, d, dpath := res.Issue, &f.Defaults, f.c.dpath
	fill := func(dst *string, name, v, path string) {
		if *dst == "" && v != "" {
			*dst = v
			res.Trace[name] = path
		}
	}
	for _, r := range f.c.routes {
		if ok, _ := r.rule.match(src); ok {
			fill(&in.Project, "project", r.route.Project, r.path)
			fill(&in.Type, "type", r.route.Type, r.path)
			fill(&in.Assignee, FieldAssignee, r.route.Assignee, r.path)
			fill(&in.Parent, "parent", r.route.Parent, r.path)
			break
		}
	}
	fill(&in.Project, "project", d.Project, dpath["project"])
	fill(&in.Type, "type", d.Type, dpath["type"])
	fill(&in.Assignee, FieldAssignee, d.Assignee, dpath[FieldAssignee])
	fill(&in.Parent, "parent", d.Parent, dpath["parent"])
	if len(d.Labels) > 0 {
		in.Labels = canonicalLabels(append(slices.Clone(in.Labels), d.Labels...))
		if _, owned := res.Trace[FieldLabels]; !owned {
			res.Trace[FieldLabels] = dpath[FieldLabels]
		}
	}
	for name := range d.Fields {
		if _, set := in.Fields[name]; set {
			continue
		}
		if in.Fields == nil {
			in.Fields = map[string]any{}
		}
		in.Fields[name] = tracker.CloneValue(shape(d.Fields[name]))
		res.Trace[name] = dpath["fields."+name]
	}
}

// lookup translates the source value. ok is false when the value map has
// nothing to say (no default and the value is absent with "keep").
func (v *cValue) lookup(src *tracker.Issue) (to, path string, ok bool, err error) {
	raw, present := v.ref.get(src)
	if present {
		if len(v.ranges) > 0 {
			if x, isNum := number(raw); isNum {
				for i, r := range v.ranges {
					if (r.Gte == nil || x >= *r.Gte) && (r.Lte == nil || x <= *r.Lte) {
						return r.To, v.rangePath[i], true, nil
					}
				}
			}
		}
		if len(v.table) > 0 {
			if e, hit := v.table[strings.ToLower(text(raw))]; hit {
				return e.to, e.path, true, nil
			}
		}
	}
	switch {
	case v.def != nil:
		return *v.def, v.defPath, true, nil
	case v.unmapped == "keep":
		if !present {
			return "", "", false, nil
		}
		return text(raw), v.keepPath, true, nil
	}
	return "", "", false, fmt.Errorf("%w: %s: no mapping for %s %s", ErrUnmapped, v.path, v.ref.text, show(raw, present))
}

// canonicalLabels sorts labels and drops blanks and repeats.
func canonicalLabels(labels []string) []string {
	out := make([]string, 0, len(labels))
	for _, l := range labels {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// cloneValue copies lists and maps so results never share memory with the
// spec or the source issue.
// shape gives a value read from YAML or JSON the type adapters take: a
// list of scalars ([Network], [1, 2]) becomes a []string, as list fields
// (labels, multi-selects, user lists) expect; other values are unchanged.
func shape(v any) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]string, len(list))
	for i, e := range list {
		switch e.(type) {
		case []any, map[string]any, nil:
			return v
		}
		out[i] = text(e)
	}
	return out
}

// ChangeFor turns the named owned fields into a change for the target:
// standard names set the matching attribute, others go to Fields. Labels
// are added (AddLabels), never replaced, so labels people or the engine's
// marker put on the issue survive. Names not in owned are ignored.
func ChangeFor(owned map[string]any, names []string) *tracker.Change {
	ch := &tracker.Change{}
	for _, name := range names {
		v, ok := owned[name]
		if !ok {
			continue
		}
		setChange(ch, name, v)
	}
	return ch
}

// ChangeFor is [ChangeFor] over the result's owned fields.
func (r *Result) ChangeFor(names []string) *tracker.Change { return ChangeFor(r.Owned, names) }

// setChange sets one attribute of a change: the standard attributes by
// name, everything else as an extra field.
func setChange(ch *tracker.Change, name string, v any) {
	switch name {
	case FieldSummary:
		ch.Summary = tracker.Ptr(text(v))
	case FieldDescription:
		ch.Description = tracker.Ptr(text(v))
	case FieldPriority:
		ch.Priority = tracker.Ptr(text(v))
	case FieldAssignee:
		ch.Assignee = tracker.Ptr(text(v))
	case FieldResolution:
		ch.Resolution = tracker.Ptr(text(v))
	case FieldLabels:
		ch.AddLabels = append(ch.AddLabels, stringList(v)...)
	default:
		if ch.Fields == nil {
			ch.Fields = map[string]any{}
		}
		ch.Fields[name] = tracker.CloneValue(v)
	}
}

// BackResult is what a flow makes of the target issue for its source.
type BackResult struct {
	// Change sets source fields; empty when nothing maps.
	Change *tracker.Change
	// Transition moves the source issue, when a status case asks to.
	Transition *tracker.TransitionTarget
	// Trace names, for each source field set, the spec path that set it.
	Trace map[string]string
}

// ApplyBack maps the target issue's state onto the source: the back fields, and
// the first status case whose rule matches the target. It is pure; in back
// fields, now: true and a template's .Now stand for the target's Updated
// time. A flow without back-mapping returns an empty change.
func (f *FlowSpec) ApplyBack(target *tracker.Issue) (*BackResult, error) {
	if err := f.ready(); err != nil {
		return nil, err
	}
	if target == nil {
		return nil, fmt.Errorf("mapping: flow %q: nil target issue", f.Name)
	}
	res := &BackResult{Change: &tracker.Change{}, Trace: map[string]string{}}
	target = f.templateView(target, f.c.back.fields)
	for _, fld := range f.c.back.fields {
		v, err := f.produce(fld, target, target.Updated)
		if err != nil {
			return nil, err
		}
		setChange(res.Change, fld.name, v)
		res.Trace[fld.name] = fld.path
	}
	for _, cc := range f.c.back.cases {
		if ok, _ := cc.rule.match(target); !ok {
			continue
		}
		for _, fld := range cc.set {
			setChange(res.Change, fld.name, fld.value)
			res.Trace[fld.name] = fld.path
		}
		if cc.tr != nil {
			t := *cc.tr
			res.Transition = &t
			res.Trace[FieldStatus] = keyPath(cc.path, "transition")
		}
		break
	}
	return res, nil
}

// ApplyAfterCreate returns the change to make to the source once the target
// issue exists (afterCreate in the spec): Reported = now, ticket_id = the
// target's key. References and templates read the target issue; src is
// accepted for symmetry and future rules. The change is empty when the flow
// has no after-create actions.
func (f *FlowSpec) ApplyAfterCreate(src, target *tracker.Issue, now time.Time) (*tracker.Change, error) {
	if err := f.ready(); err != nil {
		return nil, err
	}
	if target == nil {
		return nil, fmt.Errorf("mapping: flow %q: nil target issue", f.Name)
	}
	ch := &tracker.Change{}
	target = f.templateView(target, f.c.after)
	for _, fld := range f.c.after {
		v, err := f.produce(fld, target, now)
		if err != nil {
			return nil, err
		}
		setChange(ch, fld.name, v)
	}
	return ch, nil
}

// templateView returns the issue templates should read: a deep copy when
// any of the fields renders a template. A template that runs past its
// deadline is abandoned, not stopped (see render), and must not read memory
// the caller may change once Apply has returned.
func (f *FlowSpec) templateView(is *tracker.Issue, fields []cField) *tracker.Issue {
	for _, fld := range fields {
		if fld.tpl != nil {
			c := *is
			c.Labels = slices.Clone(is.Labels)
			if is.Fields != nil {
				c.Fields = tracker.CloneValue(is.Fields).(map[string]any)
			}
			return &c
		}
	}
	return is
}
