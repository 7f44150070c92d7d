package mapping

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/trackbridge/trackbridge/tracker"
)

// op is a rule operator.
type op int

const (
	opAll op = iota
	opAny
	opNot
	opEquals
	opIn
	opGte
	opLte
	opExists
	opContains
	opMatches
)

// maxPattern bounds the length of a matches pattern.
const maxPattern = 1000

// cRule is a checked rule, ready to evaluate.
type cRule struct {
	path    string
	op      op
	ref     ref
	operand any
	list    []any
	subs    []*cRule
	re      *regexp.Regexp
	// reason replaces the generated explanation when the rule fails.
	reason string
}

// compileRule checks a rule and everything under it.
func compileRule(r *Rule, path string, c *collector) *cRule {
	if r == nil {
		c.add(path, "empty rule")
		return nil
	}
	var ops []string
	cr := &cRule{path: path, reason: strings.TrimSpace(r.Reason)}
	if r.All != nil {
		ops, cr.op = append(ops, "all"), opAll
	}
	if r.Any != nil {
		ops, cr.op = append(ops, "any"), opAny
	}
	if r.Not != nil {
		ops, cr.op = append(ops, "not"), opNot
	}
	if r.Equals != nil {
		ops, cr.op, cr.operand = append(ops, "equals"), opEquals, r.Equals
	}
	if r.In != nil {
		ops, cr.op, cr.list = append(ops, "in"), opIn, r.In
	}
	if r.Gte != nil {
		ops, cr.op, cr.operand = append(ops, "gte"), opGte, r.Gte
	}
	if r.Lte != nil {
		ops, cr.op, cr.operand = append(ops, "lte"), opLte, r.Lte
	}
	if r.Exists != nil {
		ops, cr.op, cr.operand = append(ops, "exists"), opExists, *r.Exists
	}
	if r.Contains != nil {
		ops, cr.op, cr.operand = append(ops, "contains"), opContains, r.Contains
	}
	if r.Matches != "" {
		ops, cr.op, cr.operand = append(ops, "matches"), opMatches, r.Matches
	}
	switch {
	case len(ops) == 0:
		c.add(path, "rule needs one of all, any, not, or field with equals, in, gte, lte, exists, contains or matches")
		return nil
	case len(ops) > 1:
		c.add(path, "rule has %s; give one operator per rule and combine rules with all or any", strings.Join(ops, " and "))
		return nil
	}
	switch cr.op {
	case opAll, opAny:
		subs := r.All
		name := "all"
		if cr.op == opAny {
			subs, name = r.Any, "any"
		}
		if r.Field != "" {
			c.add(keyPath(path, "field"), "%s does not take a field; put it in each rule", name)
		}
		if len(subs) == 0 {
			c.add(keyPath(path, name), "empty list")
		}
		ok := true
		for i, sub := range subs {
			s := compileRule(sub, indexPath(keyPath(path, name), i), c)
			ok = ok && s != nil
			cr.subs = append(cr.subs, s)
		}
		if !ok {
			return nil
		}
		return cr
	case opNot:
		if r.Field != "" {
			c.add(keyPath(path, "field"), "not does not take a field; put it in the negated rule")
		}
		s := compileRule(r.Not, keyPath(path, "not"), c)
		if s == nil {
			return nil
		}
		cr.subs = []*cRule{s}
		return cr
	}
	if r.Field == "" {
		c.add(path, "%s needs a field", ops[0])
		return nil
	}
	ref, err := parseRef(r.Field)
	if err != nil {
		c.add(keyPath(path, "field"), "%v", err)
		return nil
	}
	cr.ref = ref
	if cr.op == opMatches {
		if len(r.Matches) > maxPattern {
			c.add(keyPath(path, "matches"), "pattern longer than %d bytes", maxPattern)
			return nil
		}
		re, err := regexp.Compile(r.Matches)
		if err != nil {
			c.add(keyPath(path, "matches"), "%v", err)
			return nil
		}
		cr.re = re
	}
	if cr.op == opIn && len(cr.list) == 0 {
		c.add(keyPath(path, "in"), "empty list")
		return nil
	}
	if cr.op == opGte || cr.op == opLte {
		_, isNum := number(cr.operand)
		_, isTime := instant(cr.operand)
		if !isNum && !isTime {
			c.add(keyPath(path, ops[0]), "%q is neither a number nor a time", text(cr.operand))
			return nil
		}
	}
	return cr
}

// match evaluates the rule against an issue. When it does not match, the
// reason is the rule's own reason, or names the innermost rule that
// decided.
func (r *cRule) match(is *tracker.Issue) (bool, string) {
	ok, why := r.eval(is)
	if !ok && r.reason != "" {
		why = r.reason
	}
	return ok, why
}

func (r *cRule) eval(is *tracker.Issue) (bool, string) {
	switch r.op {
	case opAll:
		for _, s := range r.subs {
			if ok, why := s.match(is); !ok {
				return false, why
			}
		}
		return true, ""
	case opAny:
		// The reason lists the first few failures only, to stay short
		// however large the rule.
		const shown = 3
		whys := make([]string, 0, shown+1)
		for i, s := range r.subs {
			ok, why := s.match(is)
			if ok {
				return true, ""
			}
			if i < shown {
				whys = append(whys, why)
			}
		}
		if extra := len(r.subs) - shown; extra > 0 {
			whys = append(whys, fmt.Sprintf("and %d more", extra))
		}
		return false, fmt.Sprintf("%s: none matched (%s)", r.path, strings.Join(whys, "; "))
	case opNot:
		if ok, _ := r.subs[0].match(is); ok {
			return false, fmt.Sprintf("%s: negated rule matched", r.path)
		}
		return true, ""
	}
	v, present := r.ref.get(is)
	var ok bool
	switch r.op {
	case opEquals:
		ok = present && equal(v, r.operand)
	case opIn:
		for _, o := range r.list {
			if present && equal(v, o) {
				ok = true
				break
			}
		}
	case opGte, opLte:
		if present {
			cmp, comparable := compare(v, r.operand)
			ok = comparable && (r.op == opGte && cmp >= 0 || r.op == opLte && cmp <= 0)
		}
	case opExists:
		ok = present == r.operand.(bool)
	case opContains:
		ok = present && contains(v, r.operand)
	case opMatches:
		ok = present && r.re.MatchString(text(v))
	}
	if ok {
		return true, ""
	}
	return false, fmt.Sprintf("%s: want %s %s, have %s", r.path, r.ref.text, r.describe(), show(v, present))
}

func (r *cRule) describe() string {
	switch r.op {
	case opEquals:
		return fmt.Sprintf("equals %q", text(r.operand))
	case opIn:
		items := make([]string, len(r.list))
		for i, o := range r.list {
			items[i] = fmt.Sprintf("%q", text(o))
		}
		return "in [" + strings.Join(items, ", ") + "]"
	case opGte:
		return fmt.Sprintf("gte %s", text(r.operand))
	case opLte:
		return fmt.Sprintf("lte %s", text(r.operand))
	case opExists:
		return fmt.Sprintf("exists %t", r.operand)
	case opContains:
		return fmt.Sprintf("contains %q", text(r.operand))
	case opMatches:
		return fmt.Sprintf("matches %q", r.re.String())
	}
	return ""
}

// show quotes a value for a reason, keeping it short.
func show(v any, present bool) string {
	if !present {
		return "absent"
	}
	s := text(v)
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
