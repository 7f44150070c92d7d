package jiratest

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// query is a parsed JQL query.
type query struct {
	where expr // nil matches everything
	order []orderKey
}

type orderKey struct {
	field string
	desc  bool
}

type expr interface {
	match(s *Server, is *issue) bool
}

type andExpr struct{ l, r expr }
type orExpr struct{ l, r expr }
type notExpr struct{ e expr }

func (e andExpr) match(s *Server, is *issue) bool { return e.l.match(s, is) && e.r.match(s, is) }
func (e orExpr) match(s *Server, is *issue) bool  { return e.l.match(s, is) || e.r.match(s, is) }
func (e notExpr) match(s *Server, is *issue) bool { return !e.e.match(s, is) }

// clause is field op value(s).
type clause struct {
	field  string
	op     string // = != > >= < <= ~ !~ in "not in" "is" "is not"
	values []string
	times  []time.Time
}

type token struct {
	kind string // word, string, op, lparen, rparen, comma, eof
	text string
}

func lex(q string) ([]token, error) {
	var out []token
	r := []rune(q)
	for i := 0; i < len(r); {
		c := r[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(':
			out = append(out, token{"lparen", "("})
			i++
		case c == ')':
			out = append(out, token{"rparen", ")"})
			i++
		case c == ',':
			out = append(out, token{"comma", ","})
			i++
		case c == '"' || c == '\'':
			quote := c
			var b strings.Builder
			i++
			closed := false
			for i < len(r) {
				if r[i] == '\\' && i+1 < len(r) {
					switch r[i+1] {
					case 'n':
						b.WriteRune('\n')
					case 't':
						b.WriteRune('\t')
					case 'r':
						b.WriteRune('\r')
					case 'u':
						if i+5 < len(r) {
							n, err := strconv.ParseUint(string(r[i+2:i+6]), 16, 32)
							if err != nil {
								return nil, jqlErr("bad unicode escape")
							}
							b.WriteRune(rune(n))
							i += 6
							continue
						}
						return nil, jqlErr("bad unicode escape")
					default:
						b.WriteRune(r[i+1])
					}
					i += 2
					continue
				}
				if r[i] == quote {
					closed = true
					i++
					break
				}
				b.WriteRune(r[i])
				i++
			}
			if !closed {
				return nil, jqlErr("the quoted string starting at character %d is not closed", len(out))
			}
			out = append(out, token{"string", b.String()})
		case strings.ContainsRune("=!<>~", c):
			j := i + 1
			if j < len(r) && (r[j] == '=' || r[j] == '~') {
				j++
			}
			out = append(out, token{"op", string(r[i:j])})
			i = j
		default:
			j := i
			for j < len(r) && !unicode.IsSpace(r[j]) && !strings.ContainsRune("()\",'=!<>~", r[j]) {
				j++
			}
			if j == i {
				return nil, jqlErr("unexpected character %q", c)
			}
			out = append(out, token{"word", string(r[i:j])})
			i = j
		}
	}
	return append(out, token{"eof", ""}), nil
}

type parser struct {
	toks []token
	pos  int
	loc  *time.Location
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token { t := p.toks[p.pos]; p.pos++; return t }
func (p *parser) keyword(k string) bool {
	t := p.peek()
	if t.kind == "word" && strings.EqualFold(t.text, k) {
		p.pos++
		return true
	}
	return false
}

// parseJQL parses the subset the fake supports.
func parseJQL(q string, loc *time.Location) (*query, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, jqlErr("Error in the JQL Query: %v", err)
	}
	p := &parser{toks: toks, loc: loc}
	out := &query{}
	if !(p.peek().kind == "word" && strings.EqualFold(p.peek().text, "order")) && p.peek().kind != "eof" {
		if out.where, err = p.or(); err != nil {
			return nil, err
		}
	}
	if p.keyword("order") {
		if !p.keyword("by") {
			return nil, jqlErr("Error in the JQL Query: expecting 'by' after 'order'")
		}
		for {
			t := p.next()
			if t.kind != "word" && t.kind != "string" {
				return nil, jqlErr("Error in the JQL Query: expecting a field name after 'order by'")
			}
			k := orderKey{field: strings.ToLower(t.text)}
			if !slices.Contains([]string{"updated", "created", "key", "id", "issuekey", "priority", "summary"}, k.field) {
				return nil, jqlErr("Not able to sort using field '%s'.", t.text)
			}
			if p.keyword("desc") {
				k.desc = true
			} else {
				p.keyword("asc")
			}
			out.order = append(out.order, k)
			if p.peek().kind != "comma" {
				break
			}
			p.next()
		}
	}
	if t := p.peek(); t.kind != "eof" {
		return nil, jqlErr("Error in the JQL Query: unexpected '%s'", t.text)
	}
	return out, nil
}

func (p *parser) or() (expr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = orExpr{l, r}
	}
	return l, nil
}

func (p *parser) and() (expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = andExpr{l, r}
	}
	return l, nil
}

func (p *parser) unary() (expr, error) {
	if p.keyword("not") {
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notExpr{e}, nil
	}
	if p.peek().kind == "lparen" {
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next().kind != "rparen" {
			return nil, jqlErr("Error in the JQL Query: expecting ')'")
		}
		return e, nil
	}
	return p.clause()
}

var jqlFields = []string{"project", "labels", "updated", "created", "status", "statuscategory", "key", "issuekey", "id", "issuetype", "type", "priority", "assignee", "reporter", "summary", "text", "resolution"}

func (p *parser) clause() (expr, error) {
	t := p.next()
	if t.kind != "word" && t.kind != "string" {
		return nil, jqlErr("Error in the JQL Query: expecting a field name but got '%s'", t.text)
	}
	c := &clause{field: strings.ToLower(t.text)}
	if !slices.Contains(jqlFields, c.field) {
		return nil, jqlErr("Field '%s' does not exist or you do not have permission to view it.", t.text)
	}
	switch op := p.next(); {
	case op.kind == "op":
		c.op = op.text
	case op.kind == "word" && strings.EqualFold(op.text, "in"):
		c.op = "in"
	case op.kind == "word" && strings.EqualFold(op.text, "not") && p.keyword("in"):
		c.op = "not in"
	case op.kind == "word" && strings.EqualFold(op.text, "is"):
		c.op = "is"
		if p.keyword("not") {
			c.op = "is not"
		}
		if !p.keyword("empty") && !p.keyword("null") {
			return nil, jqlErr("Error in the JQL Query: expecting EMPTY after IS")
		}
		return c, nil
	default:
		return nil, jqlErr("Error in the JQL Query: expecting an operator after '%s'", t.text)
	}
	if !slices.Contains([]string{"=", "!=", ">", ">=", "<", "<=", "~", "!~", "in", "not in"}, c.op) {
		return nil, jqlErr("Error in the JQL Query: unknown operator '%s'", c.op)
	}
	if c.op == "in" || c.op == "not in" {
		if p.next().kind != "lparen" {
			return nil, jqlErr("Error in the JQL Query: expecting '(' after IN")
		}
		for {
			v := p.next()
			if v.kind != "word" && v.kind != "string" {
				return nil, jqlErr("Error in the JQL Query: expecting a value in the list")
			}
			c.values = append(c.values, v.text)
			sep := p.next()
			if sep.kind == "rparen" {
				break
			}
			if sep.kind != "comma" {
				return nil, jqlErr("Error in the JQL Query: expecting ',' or ')'")
			}
		}
	} else {
		v := p.next()
		if v.kind != "word" && v.kind != "string" {
			return nil, jqlErr("Error in the JQL Query: expecting a value after '%s'", c.op)
		}
		c.values = []string{v.text}
	}
	if c.field == "updated" || c.field == "created" {
		for _, v := range c.values {
			tm, err := parseJQLDate(v, p.loc)
			if err != nil {
				return nil, err
			}
			c.times = append(c.times, tm)
		}
	}
	return c, nil
}

func parseJQLDate(v string, loc *time.Location) (time.Time, error) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil && len(v) > 8 {
		return time.UnixMilli(ms), nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006/01/02 15:04", "2006-01-02", "2006/01/02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, jqlErr("Date value '%s' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.", v)
}

// values returns the issue's values for a field, for comparison.
func (c *clause) issueValues(s *Server, is *issue) []string {
	switch c.field {
	case "project":
		return []string{is.project.Key, is.project.ID, is.project.Name}
	case "labels":
		return is.labels
	case "status":
		return []string{is.status.Name, is.status.ID}
	case "statuscategory":
		return []string{is.status.Category, categoryNames[is.status.Category], strconv.Itoa(categoryIDs[is.status.Category])}
	case "key", "issuekey":
		return []string{is.key, strconv.FormatInt(is.id, 10)}
	case "id":
		return []string{strconv.FormatInt(is.id, 10), is.key}
	case "issuetype", "type":
		return []string{is.typ.Name, is.typ.ID}
	case "priority":
		if is.priority == nil {
			return nil
		}
		return []string{is.priority.Name, is.priority.ID}
	case "resolution":
		if is.resolution == nil {
			return nil
		}
		return []string{is.resolution.Name, is.resolution.ID}
	case "assignee", "reporter":
		u := is.assignee
		if c.field == "reporter" {
			u = is.reporter
		}
		if u == nil {
			return nil
		}
		if s.dc {
			return []string{u.Name, u.Key}
		}
		return []string{u.AccountID}
	case "summary":
		return []string{is.summary}
	case "text":
		return []string{is.summary, string(is.description)}
	}
	return nil
}

func (c *clause) match(s *Server, is *issue) bool {
	if c.field == "updated" || c.field == "created" {
		t := is.updated
		if c.field == "created" {
			t = is.created
		}
		// JQL compares at minute precision.
		t = t.Truncate(time.Minute)
		switch c.op {
		case "is":
			return false
		case "is not":
			return true
		}
		v := c.times[0]
		switch c.op {
		case "=":
			return t.Equal(v)
		case "!=":
			return !t.Equal(v)
		case ">":
			return t.After(v)
		case ">=":
			return !t.Before(v)
		case "<":
			return t.Before(v)
		case "<=":
			return !t.After(v)
		}
		return false
	}
	have := c.issueValues(s, is)
	eq := func(v string) bool {
		return slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, v) })
	}
	switch c.op {
	case "is":
		return len(have) == 0
	case "is not":
		return len(have) > 0
	case "=":
		return eq(c.values[0])
	case "!=":
		return !eq(c.values[0])
	case "in":
		return slices.ContainsFunc(c.values, eq)
	case "not in":
		return !slices.ContainsFunc(c.values, eq)
	case "~", "!~":
		found := false
		for _, h := range have {
			if strings.Contains(strings.ToLower(h), strings.ToLower(strings.Trim(c.values[0], "*"))) {
				found = true
			}
		}
		return found == (c.op == "~")
	}
	// Ordered comparisons on keys and ids compare numbers.
	want, err := strconv.ParseInt(c.values[0], 10, 64)
	if err != nil {
		return false
	}
	switch c.op {
	case ">":
		return is.id > want
	case ">=":
		return is.id >= want
	case "<":
		return is.id < want
	case "<=":
		return is.id <= want
	}
	return false
}

// run evaluates the query over the stored issues.
func (s *Server) run(q *query) []*issue {
	var out []*issue
	for _, is := range s.issues {
		if q.where == nil || q.where.match(s, is) {
			out = append(out, is)
		}
	}
	order := q.order
	if len(order) == 0 {
		order = []orderKey{{field: "created", desc: true}}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		for _, k := range order {
			c := compare(a, b, k.field)
			if c == 0 {
				continue
			}
			if k.desc {
				return c > 0
			}
			return c < 0
		}
		return a.id < b.id
	})
	return out
}

func compare(a, b *issue, field string) int {
	switch field {
	case "updated":
		return a.updated.Compare(b.updated)
	case "created":
		return a.created.Compare(b.created)
	case "key", "issuekey":
		if c := strings.Compare(a.project.Key, b.project.Key); c != 0 {
			return c
		}
		return cmp.Compare(keyNum(a.key), keyNum(b.key))
	case "id":
		return cmp.Compare(a.id, b.id)
	case "priority":
		return strings.Compare(priorityID(a), priorityID(b))
	case "summary":
		return strings.Compare(a.summary, b.summary)
	}
	return 0
}

func priorityID(is *issue) string {
	if is.priority == nil {
		return ""
	}
	return is.priority.ID
}

func keyNum(key string) int64 {
	_, n, _ := strings.Cut(key, "-")
	v, _ := strconv.ParseInt(n, 10, 64)
	return v
}

// jqlError carries a message worded as Jira words it.
type jqlError struct{ msg string }

func (e *jqlError) Error() string { return e.msg }

func jqlErr(format string, args ...any) error { return &jqlError{fmt.Sprintf(format, args...)} }
