package mapping

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/trackbridge/trackbridge/tracker"
)

// Check validates the flow against the target's live metadata, the "test
// connection": for every project and issue type the flow can create in
// (defaults and routes), it reports required fields nothing sets, target
// fields that do not exist, mapped values a closed field does not allow
// (an unknown priority), and statuses or categories the project's workflow
// lacks. All mismatches come back together in an *Errors; a failure to
// read the metadata is returned as it is, so errors.Is(err,
// tracker.ErrUnauthorized) still works.
func (f *FlowSpec) Check(ctx context.Context, d tracker.Describer) error {
	if err := f.ready(); err != nil {
		return err
	}
	c := &collector{lines: f.c.lines}
	for _, pt := range f.targets() {
		fields, err := d.DescribeFields(ctx, pt.project, pt.typ)
		if err != nil {
			return fmt.Errorf("mapping: flow %q: describe fields of %s: %w", f.Name, pt, err)
		}
		f.checkFields(c, pt, fields)
	}
	if f.mapsStatus() {
		for _, p := range f.projects() {
			statuses, err := d.DescribeStatuses(ctx, p)
			if err != nil {
				return fmt.Errorf("mapping: flow %q: describe statuses of project %q: %w", f.Name, p, err)
			}
			f.checkStatuses(c, p, statuses)
		}
	}
	return c.err()
}

// projectType is one place the flow creates issues in.
type projectType struct {
	project, typ string
	path         string // where the pair comes from
}

func (pt projectType) String() string {
	if pt.typ == "" {
		return fmt.Sprintf("project %q", pt.project)
	}
	return fmt.Sprintf("project %q, type %q", pt.project, pt.typ)
}

// targets lists the distinct (project, type) pairs the defaults and routes
// can produce.
func (f *FlowSpec) targets() []projectType {
	d := f.Defaults
	dpath := keyPath(f.c.path, "defaults")
	out := []projectType{{project: d.Project, typ: d.Type, path: dpath}}
	for _, r := range f.c.routes {
		pt := projectType{project: cmp.Or(r.route.Project, d.Project), typ: cmp.Or(r.route.Type, d.Type), path: r.path}
		if !slices.ContainsFunc(out, func(o projectType) bool { return o.project == pt.project && o.typ == pt.typ }) {
			out = append(out, pt)
		}
	}
	return out
}

func (f *FlowSpec) projects() []string {
	var out []string
	for _, pt := range f.targets() {
		if !slices.Contains(out, pt.project) {
			out = append(out, pt.project)
		}
	}
	return out
}

func (f *FlowSpec) mapsStatus() bool {
	return slices.ContainsFunc(f.c.values, func(v cValue) bool { return v.name == FieldStatus || v.name == FieldCategory })
}

// isAutoField reports whether the tracker or the creation call itself sets
// a field, so that no mapping needs to.
func isAutoField(name string) bool {
	switch strings.ToLower(name) {
	case "project", "issuetype", "type", "reporter", "status", "created", "updated":
		return true
	}
	return false
}

func (f *FlowSpec) checkFields(c *collector, pt projectType, fields []tracker.FieldInfo) {
	byName := make(map[string]*tracker.FieldInfo, len(fields)*2)
	for i := range fields {
		fi := &fields[i]
		byName[strings.ToLower(fi.Name)] = fi
		if fi.ID != "" {
			byName[strings.ToLower(fi.ID)] = fi
		}
	}
	set := map[string]bool{}
	// lookup finds the metadata of a mapped target field or reports it
	// missing.
	lookup := func(name, path string) *tracker.FieldInfo {
		set[strings.ToLower(name)] = true
		fi := byName[strings.ToLower(name)]
		if fi == nil {
			c.add(path, "%s has no field %q", pt, name)
			return nil
		}
		set[strings.ToLower(fi.Name)], set[strings.ToLower(fi.ID)] = true, true
		return fi
	}
	for _, fld := range f.c.fields {
		fi := lookup(fld.name, fld.path)
		if fi != nil && fld.value != nil {
			f.checkAllowed(c, pt, fi, text(fld.value), keyPath(fld.path, "value"))
		}
	}
	for _, v := range f.c.values {
		if v.name == FieldStatus || v.name == FieldCategory {
			continue
		}
		if v.name == FieldResolution {
			// Resolutions go with a transition; check them where the
			// tracker lists them, but do not require the field.
			if fi := byName[FieldResolution]; fi != nil {
				for _, to := range v.targets() {
					f.checkAllowed(c, pt, fi, to.to, to.path)
				}
			}
			continue
		}
		if fi := lookup(v.name, v.path); fi != nil {
			for _, to := range v.targets() {
				f.checkAllowed(c, pt, fi, to.to, to.path)
			}
		}
	}
	dpath := keyPath(f.c.path, "defaults")
	for _, name := range sortedKeys(f.Defaults.Fields) {
		p := keyPath(keyPath(dpath, "fields"), name)
		if fi := lookup(name, p); fi != nil {
			f.checkAllowed(c, pt, fi, text(f.Defaults.Fields[name]), p)
		}
	}
	if f.Defaults.Assignee != "" || slices.ContainsFunc(f.c.routes, func(r cRoute) bool { return r.route.Assignee != "" }) {
		set[FieldAssignee] = true
	}
	if len(f.Defaults.Labels) > 0 {
		set[FieldLabels] = true
	}
	if f.Defaults.Parent != "" || slices.ContainsFunc(f.c.routes, func(r cRoute) bool { return r.route.Parent != "" }) {
		set["parent"] = true
	}
	for _, fi := range fields {
		if !fi.Required || set[strings.ToLower(fi.Name)] || set[strings.ToLower(fi.ID)] ||
			isAutoField(fi.ID) || isAutoField(fi.Name) {
			continue
		}
		c.add(keyPath(f.c.path, "fields"), "%s requires field %q, which nothing maps", pt, fi.Name)
	}
}

func (f *FlowSpec) checkAllowed(c *collector, pt projectType, fi *tracker.FieldInfo, v, path string) {
	if len(fi.Allowed) == 0 || v == "" {
		return
	}
	for _, a := range fi.Allowed {
		if strings.EqualFold(a, v) {
			return
		}
	}
	c.add(path, "%q is not an allowed %s in %s (allowed: %s)", v, fi.Name, pt, strings.Join(fi.Allowed, ", "))
}

func (f *FlowSpec) checkStatuses(c *collector, project string, statuses []tracker.StatusInfo) {
	names := make([]string, len(statuses))
	for i, s := range statuses {
		names[i] = s.Name
	}
	for _, v := range f.c.values {
		for _, to := range v.targets() {
			switch v.name {
			case FieldStatus:
				if !slices.ContainsFunc(statuses, func(s tracker.StatusInfo) bool { return strings.EqualFold(s.Name, to.to) }) {
					c.add(to.path, "project %q has no status %q (statuses: %s)", project, to.to, strings.Join(names, ", "))
				}
			case FieldCategory:
				cat, _ := tracker.ParseStatusCategory(to.to)
				if !slices.ContainsFunc(statuses, func(s tracker.StatusInfo) bool { return s.Category == cat }) {
					c.add(to.path, "project %q has no status in category %s", project, cat)
				}
			}
		}
	}
}

// targets lists every value the map can produce, with its path.
func (v *cValue) targets() []cEntry {
	out := make([]cEntry, 0, len(v.table)+len(v.ranges)+1)
	for _, k := range sortedKeys(v.table) {
		out = append(out, v.table[k])
	}
	for i, r := range v.ranges {
		out = append(out, cEntry{to: r.To, path: keyPath(indexPath(keyPath(v.path, "ranges"), i), "to")})
	}
	if v.def != nil {
		out = append(out, cEntry{to: *v.def, path: keyPath(v.path, "default")})
	}
	return out
}
