package mapping

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// The target field names with a meaning of their own.
const (
	FieldSummary     = "summary"
	FieldDescription = "description"
	FieldPriority    = "priority"
	FieldAssignee    = "assignee"
	FieldLabels      = "labels"
	FieldResolution  = "resolution"
	FieldStatus      = "status"
	FieldCategory    = "statusCategory"
)

// compiled is a checked flow, ready to apply.
type compiled struct {
	lines  map[string]int
	path   string
	limits Limits
	when   *cRule
	routes []cRoute
	fields []cField
	values []cValue
	back   cBack
	after  []cField
	twoWay cTwoWay
	// dpath is the path of the defaults, by attribute and extra field.
	dpath map[string]string
}

type cRoute struct {
	path  string
	rule  *cRule
	route *Route
}

// cField is one checked FieldSpec.
type cField struct {
	name  string
	path  string
	ref   ref
	tpl   *tmpl
	value any
	now   bool
}

type cValue struct {
	name     string
	path     string
	ref      ref
	table    map[string]cEntry // lower-cased source text → target
	ranges   []*Range
	def      *string
	unmapped string
	// Paths precomputed for traces: of ranges[i], default and unmapped.
	rangePath         []string
	defPath, keepPath string
}

type cEntry struct {
	to   string
	path string
	from string
}

type cBack struct {
	fields []cField
	cases  []cCase
}

type cCase struct {
	path string
	rule *cRule
	set  []cField
	tr   *tracker.TransitionTarget
}

// Validate checks a spec built in Go and compiles its templates, reporting
// every mistake at once in an *Errors. Load, LoadFile, Parse and Builtin
// validate already. Validate must be called before any flow is applied and
// the spec must not change afterwards.
func (s *Spec) Validate() error {
	c := &collector{lines: s.lines}
	s.validate(c)
	return c.err()
}

func (s *Spec) validate(c *collector) {
	lim := s.Limits
	if lim.MaxOutput < 0 || lim.MaxOutput > maxOutputCap {
		c.add("limits.maxOutput", "must be between 1 and %d", maxOutputCap)
	}
	if lim.Timeout < 0 || lim.Timeout > maxTimeoutCap {
		c.add("limits.timeout", "must be between 1ns and %v", maxTimeoutCap)
	}
	if lim.MaxIterations < 0 || lim.MaxIterations > maxIterationsCap {
		c.add("limits.maxIterations", "must be between 1 and %d", maxIterationsCap)
	}
	lim.MaxOutput = cmp.Or(lim.MaxOutput, DefaultMaxOutput)
	lim.Timeout = cmp.Or(lim.Timeout, DefaultTimeout)
	lim.MaxIterations = cmp.Or(lim.MaxIterations, DefaultMaxIterations)

	if len(s.Flows) == 0 {
		c.add("flows", "no flows")
	}
	names := map[string]string{}
	for i, f := range s.Flows {
		path := indexPath("flows", i)
		if f == nil {
			c.add(path, "empty flow")
			continue
		}
		if f.Name == "" {
			c.add(keyPath(path, "name"), "missing")
		} else if prev, dup := names[f.Name]; dup {
			c.add(keyPath(path, "name"), "flow %q is also defined at %s", f.Name, prev)
		} else {
			names[f.Name] = path
		}
		f.c = nil
		if cf := f.compile(path, lim, c); cf != nil {
			f.c = cf
		}
	}
}

// compile checks one flow. It returns nil when the flow has mistakes.
func (f *FlowSpec) compile(path string, lim Limits, c *collector) *compiled {
	before := c.count
	cf := &compiled{lines: c.lines, path: path, limits: lim, dpath: map[string]string{}}
	dp := keyPath(path, "defaults")
	for _, name := range []string{"project", "type", FieldAssignee, "parent", FieldLabels} {
		cf.dpath[name] = keyPath(dp, name)
	}
	for name := range f.Defaults.Fields {
		cf.dpath["fields."+name] = keyPath(keyPath(dp, "fields"), name)
	}
	if f.Source == "" {
		c.add(keyPath(path, "source"), "missing")
	}
	if f.Target == "" {
		c.add(keyPath(path, "target"), "missing")
	}
	if f.When != nil {
		cf.when = compileRule(f.When, keyPath(path, "when"), c)
	}
	for i, r := range f.Routes {
		p := indexPath(keyPath(path, "routes"), i)
		if r == nil {
			c.add(p, "empty route")
			continue
		}
		if r.When == nil {
			c.add(p, "route needs a when rule")
		} else {
			cf.routes = append(cf.routes, cRoute{path: p, rule: compileRule(r.When, keyPath(p, "when"), c), route: r})
		}
		if r.Project == "" && r.Type == "" && r.Assignee == "" && r.Parent == "" {
			c.add(p, "route sets nothing; give project, type, assignee or parent")
		}
	}
	for i, l := range f.Defaults.Labels {
		if strings.TrimSpace(l) == "" {
			c.add(indexPath(keyPath(keyPath(path, "defaults"), "labels"), i), "empty label")
		}
	}
	fieldsPath := keyPath(path, "fields")
	for _, name := range sortedKeys(f.Fields) {
		p := keyPath(fieldsPath, name)
		switch name {
		case FieldStatus, FieldCategory, FieldResolution:
			c.add(p, "%s is set through values.%s, not fields", name, name)
			continue
		case "project", "type", "parent":
			c.add(p, "%s is set through defaults or routes, not fields", name)
			continue
		case "":
			c.add(p, "empty field name")
			continue
		}
		if _, dup := f.Values[name]; dup {
			c.add(p, "%q is mapped twice: in fields and in values", name)
		}
		if cfld, ok := compileField(name, p, f.Fields[name], c); ok {
			if name == FieldLabels && cfld.value != nil && stringList(cfld.value) == nil {
				c.add(keyPath(p, "value"), "labels need a list of texts")
			}
			cf.fields = append(cf.fields, cfld)
		}
	}
	valuesPath := keyPath(path, "values")
	for _, name := range sortedKeys(f.Values) {
		p := keyPath(valuesPath, name)
		if name == FieldLabels || name == "project" || name == "type" || name == "parent" || name == "" {
			c.add(p, "a value map cannot set %q", name)
			continue
		}
		if v, ok := compileValueMap(name, p, f.Values[name], c); ok {
			cf.values = append(cf.values, v)
		}
	}
	if f.Back != nil {
		bp := keyPath(path, "back")
		for _, name := range sortedKeys(f.Back.Fields) {
			if cfld, ok := compileField(name, keyPath(keyPath(bp, "fields"), name), f.Back.Fields[name], c); ok {
				cf.back.fields = append(cf.back.fields, cfld)
			}
		}
		for i, bc := range f.Back.Status {
			p := indexPath(keyPath(bp, "status"), i)
			if cc, ok := compileCase(p, bc, c); ok {
				cf.back.cases = append(cf.back.cases, cc)
			}
		}
	}
	ap := keyPath(path, "afterCreate")
	for _, name := range sortedKeys(f.AfterCreate) {
		if cfld, ok := compileField(name, keyPath(ap, name), f.AfterCreate[name], c); ok {
			cf.after = append(cf.after, cfld)
		}
	}
	f.compileTwoWay(path, cf, c)
	if c.count > before {
		return nil
	}
	return cf
}

// compileField checks that a FieldSpec has exactly one source and compiles
// it.
func compileField(name, path string, fs *FieldSpec, c *collector) (cField, bool) {
	cfld := cField{name: name, path: path}
	if fs == nil {
		c.add(path, "empty; give from, template, value or now")
		return cfld, false
	}
	var given []string
	if fs.From != "" {
		given = append(given, "from")
	}
	if fs.Template != "" {
		given = append(given, "template")
	}
	if fs.Value != nil {
		given = append(given, "value")
	}
	if fs.Now {
		given = append(given, "now")
	}
	switch len(given) {
	case 0:
		c.add(path, "give one of from, template, value or now")
		return cfld, false
	case 1:
	default:
		c.add(path, "give only one of %s", strings.Join(given, ", "))
		return cfld, false
	}
	ok := true
	switch {
	case fs.From != "":
		r, err := parseRef(fs.From)
		if err != nil {
			c.add(keyPath(path, "from"), "%v", err)
			ok = false
		}
		cfld.ref = r
	case fs.Template != "":
		t, err := checkTemplate(fs.Template)
		if err != nil {
			c.add(keyPath(path, "template"), "%v", err)
			ok = false
		}
		cfld.tpl = t
	case fs.Now:
		cfld.now = true
	default:
		cfld.value = shape(fs.Value)
	}
	return cfld, ok
}

// checkTemplate parses a template and renders it once over an empty issue
// to catch misspelt attributes (.Sumary) at load time.
func checkTemplate(src string) (*tmpl, error) {
	t, err := parseTemplate(src)
	if err != nil {
		return nil, err
	}
	// A small budget: the dry run only looks for misspelt attributes, and
	// a spec may hold many templates.
	lim := Limits{MaxOutput: DefaultMaxOutput, Timeout: 10 * time.Millisecond, MaxIterations: 100}
	_, err = render(t, &tracker.Issue{Fields: map[string]any{}}, time.Time{}, lim)
	if err != nil && strings.Contains(err.Error(), "can't evaluate field") {
		return nil, err
	}
	return t, nil
}

func compileValueMap(name, path string, vm *ValueMap, c *collector) (cValue, bool) {
	cv := cValue{name: name, path: path, defPath: keyPath(path, "default"), keepPath: keyPath(path, "unmapped")}
	if vm == nil {
		c.add(path, "empty value map")
		return cv, false
	}
	before := c.count
	if vm.From == "" {
		c.add(path, "missing from: which source field to map")
	} else if r, err := parseRef(vm.From); err != nil {
		c.add(keyPath(path, "from"), "%v", err)
	} else {
		cv.ref = r
	}
	if len(vm.Map) == 0 && len(vm.Ranges) == 0 {
		c.add(path, "give map or ranges")
	}
	checkTo := func(p, to string) {
		if name != FieldCategory {
			return
		}
		if _, err := tracker.ParseStatusCategory(to); err != nil {
			c.add(p, "%q is not a status category (todo, in_progress, done)", to)
		}
	}
	cv.table = make(map[string]cEntry, len(vm.Map))
	mapPath := keyPath(path, "map")
	for _, from := range sortedKeys(vm.Map) {
		p := keyPath(mapPath, from)
		low := strings.ToLower(from)
		if prev, dup := cv.table[low]; dup {
			c.addLine(path, c.lineOf(p), "%q is mapped twice (first as %q on line %d)", from, prev.from, c.lineOf(prev.path))
			continue
		}
		to := vm.Map[from]
		checkTo(p, to)
		cv.table[low] = cEntry{to: to, path: p, from: from}
	}
	for i, r := range vm.Ranges {
		p := indexPath(keyPath(path, "ranges"), i)
		switch {
		case r == nil:
			c.add(p, "empty range")
		case r.Gte == nil && r.Lte == nil:
			c.add(p, "range needs gte, lte or both")
		case r.Gte != nil && r.Lte != nil && *r.Gte > *r.Lte:
			c.add(p, "gte %v is above lte %v", *r.Gte, *r.Lte)
		}
		if r != nil {
			checkTo(keyPath(p, "to"), r.To)
		}
	}
	cv.ranges = vm.Ranges
	for i := range vm.Ranges {
		cv.rangePath = append(cv.rangePath, indexPath(keyPath(path, "ranges"), i))
	}
	switch vm.Unmapped {
	case "", "error", "keep":
	default:
		c.add(keyPath(path, "unmapped"), "%q is not error or keep", vm.Unmapped)
	}
	switch {
	case vm.Default == nil && vm.Unmapped == "":
		c.add(path, "needs a default or unmapped: error (or keep)")
	case vm.Default != nil && vm.Unmapped != "":
		c.add(path, "give either default or unmapped, not both")
	case vm.Default != nil:
		checkTo(keyPath(path, "default"), *vm.Default)
	case vm.Unmapped == "keep" && name == FieldCategory:
		c.add(keyPath(path, "unmapped"), "keep cannot be used for statusCategory")
	}
	cv.def = vm.Default
	cv.unmapped = vm.Unmapped
	return cv, c.count == before
}

func compileCase(path string, bc *BackCase, c *collector) (cCase, bool) {
	cc := cCase{path: path}
	if bc == nil {
		c.add(path, "empty case")
		return cc, false
	}
	before := c.count
	if bc.When == nil {
		c.add(path, "case needs a when rule")
	} else {
		cc.rule = compileRule(bc.When, keyPath(path, "when"), c)
	}
	if len(bc.Set) == 0 && bc.Transition == nil {
		c.add(path, "case needs set, transition or both")
	}
	for _, name := range sortedKeys(bc.Set) {
		p := keyPath(keyPath(path, "set"), name)
		if bc.Set[name] == nil {
			c.add(p, "empty value")
			continue
		}
		cc.set = append(cc.set, cField{name: name, path: p, value: shape(bc.Set[name])})
	}
	if t := bc.Transition; t != nil {
		p := keyPath(path, "transition")
		switch {
		case t.Status == "" && t.Category == "":
			c.add(p, "give status or category")
		case t.Category != "":
			if _, err := tracker.ParseStatusCategory(t.Category); err != nil {
				c.add(keyPath(p, "category"), "%q is not a status category (todo, in_progress, done)", t.Category)
			}
		}
		cc.tr = t.target()
	}
	return cc, c.count == before
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// errNotValidated is returned by flows used before Spec.Validate.
var errNotValidated = errors.New("mapping: flow not validated; load the spec or call Spec.Validate")

func (f *FlowSpec) ready() error {
	if f == nil {
		return errors.New("mapping: nil flow")
	}
	if f.c == nil {
		return fmt.Errorf("%w (flow %q)", errNotValidated, f.Name)
	}
	return nil
}
