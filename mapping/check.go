package mapping

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/trackbridge/trackbridge/tracker"
)

// CheckOption configures [FlowSpec.Check].
type CheckOption func(*checkConfig)

type checkConfig struct {
	source tracker.Describer
}

// CheckSource has Check also validate what the flow writes onto the
// source (back fields, status cases and after-create actions) against the
// source's metadata: fields that exist and values they allow.
func CheckSource(source tracker.Describer) CheckOption {
	return func(c *checkConfig) { c.source = source }
}

// Check validates the flow against the target's live metadata, the "test
// connection", and reports every problem it finds at once:
//
//   - the projects the defaults and routes name exist, and so do their
//     issue types (an unknown type does not hide the other problems);
//   - every mapped target field exists, every required field is set, and
//     constants, defaults and value-map targets are values a closed field
//     allows, lists going to list fields and single values to the others;
//   - the statuses and categories value maps move to, and those the
//     back-mapping's rules test, exist in the project's workflow;
//   - the default and routed parent (epic) exists, when the target is a
//     [tracker.Tracker], and the default and routed assignees are active
//     accounts, when it is a [tracker.UserDirectory];
//   - with [CheckSource], the fields the back-mapping and after-create
//     actions set exist on the source and take the values given.
//
// Each problem is reported once, with its spec path and line, naming the
// projects it concerns. The requests are made without retries
// ([tracker.WithoutRetries]), so an unreachable host or a wrong password
// answers at once: such a failure, which makes every other check
// meaningless, is returned as it is, so errors.Is(err,
// tracker.ErrUnauthorized) still works. Anything else comes back in one
// *Errors.
func (f *FlowSpec) Check(ctx context.Context, target tracker.Describer, opts ...CheckOption) error {
	if err := f.ready(); err != nil {
		return err
	}
	var cfg checkConfig
	for _, o := range opts {
		o(&cfg)
	}
	ctx = tracker.WithoutRetries(ctx)
	ck := &checker{f: f}
	fail := func(what string, err error) error {
		return fmt.Errorf("mapping: flow %q: %s: %w", f.Name, what, err)
	}

	// Projects and their workflows; a project that does not exist is a
	// problem, not a reason to stop.
	missing := map[string]bool{}
	statuses := map[string][]tracker.StatusInfo{}
	for _, p := range f.projectPaths() {
		st, err := target.DescribeStatuses(ctx, p.project)
		switch {
		case errors.Is(err, tracker.ErrNotFound):
			missing[p.project] = true
			ck.add(p.path, "", "project %q does not exist or is not visible", p.project)
		case errors.Is(err, errors.ErrUnsupported):
		case err != nil:
			return fail(fmt.Sprintf("describe statuses of project %q", p.project), err)
		case len(st) > 0: // none listed: nothing to check against
			statuses[p.project] = st
		}
	}
	for _, pt := range f.targets() {
		if missing[pt.project] {
			continue
		}
		fields, err := target.DescribeFields(ctx, pt.project, pt.typ)
		switch {
		case errors.Is(err, tracker.ErrNotFound):
			ck.add(pt.typePath, "", "issue type %q cannot be created in project %q: %v", pt.typ, pt.project, err)
		case err != nil:
			return fail(fmt.Sprintf("describe fields of %s", pt), err)
		default:
			f.checkFields(ck, pt, fields)
		}
	}
	for _, p := range f.projectPaths() {
		if st, ok := statuses[p.project]; ok {
			f.checkStatuses(ck, p.project, st)
		}
	}
	if err := f.checkParents(ctx, ck, target); err != nil {
		return fail("look up parent", err)
	}
	if err := f.checkAssignees(ctx, ck, target); err != nil {
		return fail("list users", err)
	}
	if cfg.source != nil {
		if err := f.checkSource(ctx, ck, cfg.source); err != nil {
			return fail("describe the source", err)
		}
	}
	return ck.err(f.c.lines)
}

// checker gathers problems, merging the same problem found for several
// projects into one report that names them all.
type checker struct {
	f    *FlowSpec
	list []*problem
}

type problem struct {
	path, msg string
	where     []string
}

// add records a problem at path; where (a project and type) is appended
// to the projects it concerns.
func (ck *checker) add(path, where, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	i := slices.IndexFunc(ck.list, func(p *problem) bool { return p.path == path && p.msg == msg })
	if i < 0 {
		ck.list = append(ck.list, &problem{path: path, msg: msg})
		i = len(ck.list) - 1
	}
	if where != "" && !slices.Contains(ck.list[i].where, where) {
		ck.list[i].where = append(ck.list[i].where, where)
	}
}

func (ck *checker) err(lines map[string]int) error {
	c := &collector{lines: lines}
	for _, p := range ck.list {
		if len(p.where) == 0 {
			c.add(p.path, "%s", p.msg)
			continue
		}
		c.add(p.path, "%s (in %s)", p.msg, strings.Join(p.where, "; "))
	}
	return c.err()
}

// projectType is one place the flow creates issues in.
type projectType struct {
	project, typ string
	// typePath is where the type comes from.
	typePath string
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
	out := []projectType{{project: d.Project, typ: d.Type, typePath: f.c.dpath["type"]}}
	for _, r := range f.c.routes {
		pt := projectType{project: cmp.Or(r.route.Project, d.Project), typ: cmp.Or(r.route.Type, d.Type), typePath: f.c.dpath["type"]}
		if r.route.Type != "" {
			pt.typePath = keyPath(r.path, "type")
		}
		if !slices.ContainsFunc(out, func(o projectType) bool { return o.project == pt.project && o.typ == pt.typ }) {
			out = append(out, pt)
		}
	}
	return out
}

type projectPath struct{ project, path string }

// projectPaths lists the distinct projects with where each is named.
func (f *FlowSpec) projectPaths() []projectPath {
	out := []projectPath{{f.Defaults.Project, f.c.dpath["project"]}}
	for _, r := range f.c.routes {
		if r.route.Project != "" && !slices.ContainsFunc(out, func(p projectPath) bool { return p.project == r.route.Project }) {
			out = append(out, projectPath{r.route.Project, keyPath(r.path, "project")})
		}
	}
	return out
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

// isStandardField reports whether name is one of the attributes the
// mapping sets itself, whatever shape the field has in the tracker.
func isStandardField(name string) bool {
	switch name {
	case FieldSummary, FieldDescription, FieldPriority, FieldAssignee, FieldLabels:
		return true
	}
	return false
}

func (f *FlowSpec) checkFields(ck *checker, pt projectType, fields []tracker.FieldInfo) {
	where := pt.String()
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
			ck.add(path, where, "no field %q", name)
			return nil
		}
		set[strings.ToLower(fi.Name)], set[strings.ToLower(fi.ID)] = true, true
		return fi
	}
	for _, fld := range f.c.fields {
		fi := lookup(fld.name, fld.path)
		if fi != nil && fld.value != nil {
			checkValue(ck, where, fld.name, fi, fld.value, keyPath(fld.path, "value"))
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
					checkValue(ck, where, v.name, fi, to.to, to.path)
				}
			}
			continue
		}
		if fi := lookup(v.name, v.path); fi != nil {
			for _, to := range v.targets() {
				checkValue(ck, where, v.name, fi, to.to, to.path)
			}
		}
	}
	for _, name := range sortedKeys(f.Defaults.Fields) {
		p := f.c.dpath["fields."+name]
		if fi := lookup(name, p); fi != nil {
			checkValue(ck, where, name, fi, shape(f.Defaults.Fields[name]), p)
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
		ck.add(keyPath(f.c.path, "fields"), where, "field %q is required and nothing maps it", fi.Name)
	}
}

// checkValue checks a constant the flow sends to field name the way the
// create sends it: a list to a list field, element by element, one value
// to the others.
func checkValue(ck *checker, where, name string, fi *tracker.FieldInfo, v any, path string) {
	list, isList := v.([]string)
	switch {
	case isStandardField(name):
		if isList && name != FieldLabels {
			ck.add(path, "", "%s takes one value, not a list", fi.Name)
			return
		}
	case isList && fi.Type != "" && fi.Type != "array":
		ck.add(path, where, "%s takes one value, not a list", fi.Name)
		return
	case !isList && fi.Type == "array":
		ck.add(path, where, "%s takes a list: write [%s]", fi.Name, text(v))
		return
	}
	if !isList {
		list = []string{text(v)}
	}
	if len(fi.Allowed) == 0 {
		return
	}
	for _, e := range list {
		if e == "" || slices.ContainsFunc(fi.Allowed, func(a string) bool { return strings.EqualFold(a, e) }) {
			continue
		}
		ck.add(path, where, "%q is not an allowed %s (allowed: %s)", e, fi.Name, strings.Join(fi.Allowed, ", "))
	}
}

// checkStatuses checks that the statuses and categories value maps move
// to, and those the back-mapping's rules test, exist in the project.
func (f *FlowSpec) checkStatuses(ck *checker, project string, statuses []tracker.StatusInfo) {
	where := fmt.Sprintf("project %q", project)
	names := make([]string, len(statuses))
	for i, s := range statuses {
		names[i] = s.Name
	}
	hasStatus := func(name string) bool {
		return slices.ContainsFunc(statuses, func(s tracker.StatusInfo) bool { return strings.EqualFold(s.Name, name) })
	}
	hasCategory := func(cat tracker.StatusCategory) bool {
		return slices.ContainsFunc(statuses, func(s tracker.StatusInfo) bool { return s.Category == cat })
	}
	for _, v := range f.c.values {
		for _, to := range v.targets() {
			switch v.name {
			case FieldStatus:
				if !hasStatus(to.to) {
					ck.add(to.path, where, "no status %q (statuses: %s)", to.to, strings.Join(names, ", "))
				}
			case FieldCategory:
				if cat, _ := tracker.ParseStatusCategory(to.to); !hasCategory(cat) {
					ck.add(to.path, where, "no status in category %s", cat)
				}
			}
		}
	}
	for _, cc := range f.c.back.cases {
		walkRule(cc.rule, func(r *cRule) {
			if r.ref.kind != refStatus && r.ref.kind != refStatusCategory {
				return
			}
			for _, o := range ruleOperands(r) {
				s := text(o.v)
				if r.ref.kind == refStatus && !hasStatus(s) {
					ck.add(o.path, where, "no status %q (statuses: %s)", s, strings.Join(names, ", "))
				}
				if cat, err := tracker.ParseStatusCategory(s); r.ref.kind == refStatusCategory && (err != nil || !hasCategory(cat)) {
					ck.add(o.path, where, "no status in category %q", s)
				}
			}
		})
	}
}

// walkRule calls fn for r and every rule under it.
func walkRule(r *cRule, fn func(*cRule)) {
	if r == nil {
		return
	}
	fn(r)
	for _, s := range r.subs {
		walkRule(s, fn)
	}
}

type operand struct {
	v    any
	path string
}

// ruleOperands lists the values an equals or in rule compares with.
func ruleOperands(r *cRule) []operand {
	switch r.op {
	case opEquals:
		return []operand{{r.operand, keyPath(r.path, "equals")}}
	case opIn:
		out := make([]operand, len(r.list))
		for i, v := range r.list {
			out[i] = operand{v, indexPath(keyPath(r.path, "in"), i)}
		}
		return out
	}
	return nil
}

// checkParents looks up the default and routed parents when the target
// can get issues.
func (f *FlowSpec) checkParents(ctx context.Context, ck *checker, target tracker.Describer) error {
	tr, ok := target.(tracker.Tracker)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	check := func(key, path string) error {
		if key == "" || seen[key] {
			return nil
		}
		seen[key] = true
		_, err := tr.GetIssue(ctx, key)
		if errors.Is(err, tracker.ErrNotFound) {
			ck.add(path, "", "parent %q does not exist or is not visible", key)
			return nil
		}
		return err
	}
	if err := check(f.Defaults.Parent, f.c.dpath["parent"]); err != nil {
		return err
	}
	for _, r := range f.c.routes {
		if err := check(r.route.Parent, keyPath(r.path, "parent")); err != nil {
			return err
		}
	}
	return nil
}

// checkAssignees looks the default and routed assignees up in the
// target's users, when it lists them. A directory the account may not
// read is no problem of the mapping.
func (f *FlowSpec) checkAssignees(ctx context.Context, ck *checker, target tracker.Describer) error {
	dir, ok := target.(tracker.UserDirectory)
	if !ok {
		return nil
	}
	type named struct{ who, path string }
	var want []named
	if f.Defaults.Assignee != "" {
		want = append(want, named{f.Defaults.Assignee, f.c.dpath[FieldAssignee]})
	}
	for _, r := range f.c.routes {
		if r.route.Assignee != "" {
			want = append(want, named{r.route.Assignee, keyPath(r.path, FieldAssignee)})
		}
	}
	if len(want) == 0 {
		return nil
	}
	var users []*tracker.User
	for u, err := range dir.ListUsers(ctx) {
		if errors.Is(err, tracker.ErrForbidden) || errors.Is(err, errors.ErrUnsupported) {
			return nil
		}
		if err != nil {
			return err
		}
		users = append(users, u)
	}
	for _, w := range want {
		i := slices.IndexFunc(users, func(u *tracker.User) bool {
			return slices.ContainsFunc([]string{u.ID, u.Login, u.Email, u.Name}, func(s string) bool { return s != "" && strings.EqualFold(s, w.who) })
		})
		switch {
		case i < 0:
			ck.add(w.path, "", "assignee %q is not a user of the target", w.who)
		case !users[i].Active:
			ck.add(w.path, "", "assignee %q is deactivated", w.who)
		}
	}
	return nil
}

// checkSource checks what the back-mapping and after-create actions set
// on the source against the source's fields and statuses.
func (f *FlowSpec) checkSource(ctx context.Context, ck *checker, source tracker.Describer) error {
	if len(f.c.back.fields) == 0 && len(f.c.back.cases) == 0 && len(f.c.after) == 0 {
		return nil
	}
	fields, err := source.DescribeFields(ctx, "", "")
	if err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	statuses, err := source.DescribeStatuses(ctx, "")
	if err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	where := fmt.Sprintf("source %q", f.Source)
	byName := map[string]*tracker.FieldInfo{}
	for i := range fields {
		byName[strings.ToLower(fields[i].Name)] = &fields[i]
		byName[strings.ToLower(fields[i].ID)] = &fields[i]
	}
	lookup := func(name, path string) *tracker.FieldInfo {
		if len(fields) == 0 {
			return nil
		}
		fi := byName[strings.ToLower(name)]
		if fi == nil {
			ck.add(path, where, "no field %q", name)
		}
		return fi
	}
	for _, fld := range slices.Concat(f.c.back.fields, f.c.after) {
		if fi := lookup(fld.name, fld.path); fi != nil && fld.value != nil {
			checkValue(ck, where, fld.name, fi, fld.value, keyPath(fld.path, "value"))
		}
	}
	for _, cc := range f.c.back.cases {
		for _, fld := range cc.set {
			if fi := lookup(fld.name, fld.path); fi != nil {
				checkValue(ck, where, fld.name, fi, fld.value, fld.path)
			}
		}
		if cc.tr != nil && cc.tr.Status != "" && len(statuses) > 0 &&
			!slices.ContainsFunc(statuses, func(s tracker.StatusInfo) bool { return strings.EqualFold(s.Name, cc.tr.Status) }) {
			ck.add(keyPath(keyPath(cc.path, "transition"), "status"), where, "no status %q", cc.tr.Status)
		}
	}
	return nil
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
