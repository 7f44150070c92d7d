package hosted

import (
	"maps"
	"reflect"
	"slices"
	"sort"

	"github.com/trackbridge/trackbridge/tracker"
)

// applyChange applies ch to is as tracker.Updater defines it.
func applyChange(is *tracker.Issue, ch *tracker.Change) {
	setIf(&is.Summary, ch.Summary)
	setIf(&is.Description, ch.Description)
	setIf(&is.Priority, ch.Priority)
	setIf(&is.Assignee, ch.Assignee)
	setIf(&is.Resolution, ch.Resolution)
	if ch.Assignee != nil {
		is.AssigneeUser = nil
	}
	if ch.Labels != nil {
		is.Labels = slices.Clone(*ch.Labels)
	}
	for _, l := range ch.AddLabels {
		if !slices.Contains(is.Labels, l) {
			is.Labels = append(is.Labels, l)
		}
	}
	if len(ch.RemoveLabels) > 0 {
		is.Labels = slices.DeleteFunc(is.Labels, func(l string) bool { return slices.Contains(ch.RemoveLabels, l) })
	}
	for k, v := range ch.Fields {
		if v == nil {
			delete(is.Fields, k)
			continue
		}
		setField(is, k, v)
	}
	if len(is.Fields) == 0 {
		is.Fields = nil
	}
}

// setField sets an extra field to a copy of v.
func setField(is *tracker.Issue, name string, v any) {
	if is.Fields == nil {
		is.Fields = map[string]any{}
	}
	is.Fields[name] = tracker.CloneValue(v)
}

// setIf sets *dst to *v when v is not nil.
func setIf(dst, v *string) {
	if v != nil {
		*dst = *v
	}
}

// changed names the attributes that differ between a and b, as events
// report them ("summary", "status", a field's name); nil when a is nil (a
// new item: anything may have changed).
func changed(a, b *tracker.Issue) []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, c := range []struct {
		name string
		a, b string
	}{
		{"key", a.Key, b.Key}, {"project", a.Project, b.Project}, {"type", a.Type, b.Type},
		{"summary", a.Summary, b.Summary}, {"description", a.Description, b.Description},
		{"status", a.Status, b.Status}, {"resolution", a.Resolution, b.Resolution},
		{"priority", a.Priority, b.Priority}, {"assignee", a.Assignee, b.Assignee},
		{"reporter", a.Reporter, b.Reporter}, {"url", a.URL, b.URL},
	} {
		if c.a != c.b {
			out = append(out, c.name)
		}
	}
	if !slices.Equal(a.Labels, b.Labels) && (len(a.Labels) > 0 || len(b.Labels) > 0) {
		out = append(out, "labels")
	}
	names := slices.Collect(maps.Keys(a.Fields))
	for k := range b.Fields {
		if _, ok := a.Fields[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		va, oka := a.Fields[k]
		vb, okb := b.Fields[k]
		if oka != okb || !reflect.DeepEqual(va, vb) {
			out = append(out, k)
		}
	}
	return out
}

// cloneComment returns a copy of a stored comment, its visibility
// included.
func cloneComment(c *comment) *tracker.Comment {
	cc := *c.c
	cc.Visibility = c.visibility
	return &cc
}
