package mapping

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"text/template/parse"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trackbridge/trackbridge/tracker"
)

// Template limits.
const (
	// DefaultMaxOutput is the default cap on one template's output.
	DefaultMaxOutput = 64 << 10
	// DefaultTimeout is the default bound on one template execution.
	DefaultTimeout = time.Second
	// DefaultMaxIterations is the default bound on the range iterations
	// of one execution.
	DefaultMaxIterations = 10_000

	maxTemplateSource = 16 << 10
	maxOutputCap      = 1 << 20
	maxTimeoutCap     = 5 * time.Second
	maxIterationsCap  = 1_000_000
	maxFormatWidth    = 1000
	// madeFactor bounds the bytes functions may make in one execution,
	// as a multiple of MaxOutput: intermediate values are discarded or
	// cut, so they may exceed the output, but not without bound.
	madeFactor = 16
)

// Template execution errors, matched through errors.Is.
var (
	ErrOutputTooLarge = errors.New("mapping: template output too large")
	ErrTimeout        = errors.New("mapping: template ran too long")
	ErrTooManyLoops   = errors.New("mapping: template iterated too often")
)

// guardFunc is the hidden function every range pipeline is routed through,
// and tickFunc the one every range iteration starts with.
const (
	guardFunc = "_rangeguard"
	tickFunc  = "_rangetick"
)

// templateName names every template; errors replace it with "template line".
const templateName = "tpl"

// TemplateData is what a template sees as dot: the issue's attributes
// (.ID, .Key, .URL, .Summary, .Fields.risk_score, …; see [tracker.Issue])
// and Now, the time of the run. It is a flat copy of the issue, so that
// templates cannot call the issue's methods and field lookups stay cheap.
type TemplateData struct {
	ID, Key, URL   string
	Project, Type  string
	Summary        string
	Description    string
	Status         string
	StatusCategory tracker.StatusCategory
	Resolution     string
	Priority       string
	Assignee       string
	Reporter       string
	Labels         []string
	Fields         map[string]any
	Created        time.Time
	Updated        time.Time
	Now            time.Time
	// Comment is the comment being mirrored, in a comment attribution
	// template; nil elsewhere.
	Comment *CommentData

	run *run
}

func newTemplateData(is *tracker.Issue, now time.Time, r *run) *TemplateData {
	return &TemplateData{
		ID: is.ID, Key: is.Key, URL: is.URL, Project: is.Project, Type: is.Type,
		Summary: is.Summary, Description: is.Description, Status: is.Status,
		StatusCategory: is.StatusCategory, Resolution: is.Resolution, Priority: is.Priority,
		Assignee: is.Assignee, Reporter: is.Reporter, Labels: is.Labels, Fields: is.Fields,
		Created: is.Created, Updated: is.Updated, Now: now, run: r,
	}
}

// run is the state of one execution: the budget and the abort flag that
// stops the goroutine once the caller has given up.
type run struct {
	limits  Limits
	started time.Time
	loops   int
	written int
	made    int
	aborted atomic.Bool
}

// check fails once the execution is aborted or past its deadline.
func (r *run) check() error {
	if r.aborted.Load() {
		return ErrTimeout
	}
	if time.Since(r.started) > r.limits.Timeout {
		r.aborted.Store(true)
		return fmt.Errorf("%w: over %v", ErrTimeout, r.limits.Timeout)
	}
	return nil
}

// Write accepts output until the cap, then fails, which stops execution.
func (r *run) Write(p []byte) (int, error) {
	if err := r.check(); err != nil {
		return 0, err
	}
	if r.written+len(p) > r.limits.MaxOutput {
		return 0, fmt.Errorf("%w: over %d bytes", ErrOutputTooLarge, r.limits.MaxOutput)
	}
	r.written += len(p)
	return len(p), nil
}

// binding is the run a template clone's functions charge; render sets it
// for one execution. A nil binding serves parsing, which needs only the
// functions' names and signatures.
type binding struct{ r *run }

// funcs returns the template function set bound to b. See the package
// documentation. Every function that makes a string charges it to the run,
// and print, println, html, js and urlquery replace the built-ins for the
// same reason: without that, {{$a = printf "%s%s" $a $a}} repeated a few
// dozen times would allocate gigabytes before the first write is checked.
func funcs(b *binding) template.FuncMap {
	return template.FuncMap{
		"upper":      b.text1(strings.ToUpper),
		"lower":      b.text1(strings.ToLower),
		"title":      b.text1(title),
		"trim":       strings.TrimSpace,
		"join":       b.join,
		"default":    dflt,
		"truncate":   truncate,
		"date":       date,
		"markdown":   b.textAny(markdownEscape),
		"urlescape":  b.text1(url.QueryEscape),
		"pathescape": b.text1(url.PathEscape),
		"printf":     b.printf,
		"print":      b.print(fmt.Sprint),
		"println":    b.print(fmt.Sprintln),
		"html":       b.print(template.HTMLEscaper),
		"js":         b.print(template.JSEscaper),
		"urlquery":   b.print(template.URLQueryEscaper),
		"call":       noCall,
		guardFunc:    rangeGuard,
		tickFunc:     b.tick,
	}
}

// produce charges bytes a function is about to make or has made against
// the run's budget, and stops the run once it is aborted or late.
func (b *binding) produce(n int) error {
	if b == nil || b.r == nil {
		return errors.New("function called outside a mapping run")
	}
	r := b.r
	if err := r.check(); err != nil {
		return err
	}
	r.made += n
	if limit := r.limits.MaxOutput * madeFactor; r.made > limit {
		return fmt.Errorf("%w: functions made over %d bytes", ErrOutputTooLarge, limit)
	}
	return nil
}

// tick stops a range once the run is aborted or late: an iteration need
// not write or call a function, and builtins such as eq over large values
// would otherwise keep an abandoned goroutine busy to the loop's end.
func (b *binding) tick() (string, error) {
	return "", b.produce(0)
}

// text1 charges the result of a string function.
func (b *binding) text1(f func(string) string) func(string) (string, error) {
	return func(s string) (string, error) {
		if err := b.produce(len(s)); err != nil {
			return "", err
		}
		out := f(s)
		return out, b.produce(len(out))
	}
}

// textAny is text1 for functions that take any value.
func (b *binding) textAny(f func(any) string) func(any) (string, error) {
	return func(v any) (string, error) {
		if err := b.produce(argSize(v)); err != nil {
			return "", err
		}
		out := f(v)
		return out, b.produce(len(out))
	}
}

// print charges the arguments before formatting them, so that one call
// over many large arguments fails before it allocates, and the result.
func (b *binding) print(f func(...any) string) func(...any) (string, error) {
	return func(args ...any) (string, error) {
		for _, a := range args {
			if err := b.produce(argSize(a)); err != nil {
				return "", err
			}
		}
		out := f(args...)
		return out, b.produce(len(out))
	}
}

// printf is fmt.Sprintf without "*" widths and with widths and precisions
// capped, charged like print.
func (b *binding) printf(format string, args ...any) (string, error) {
	if err := checkFormat(format); err != nil {
		return "", err
	}
	if err := b.produce(len(format)); err != nil {
		return "", err
	}
	return b.print(func(a ...any) string { return fmt.Sprintf(format, a...) })(args...)
}

// join joins a list with a separator: {{.Labels | join ", "}}.
func (b *binding) join(sep string, v any) (string, error) {
	list := stringList(v)
	n := len(sep) * len(list)
	for _, s := range list {
		n += len(s)
	}
	if err := b.produce(n); err != nil {
		return "", err
	}
	return strings.Join(list, sep), nil
}

// argSize is about the length of a value's text, without formatting
// strings, which are most arguments.
func argSize(v any) int {
	switch v := v.(type) {
	case string:
		return len(v)
	case []byte:
		return len(v)
	case nil:
		return 0
	}
	return len(fmt.Sprint(v))
}

// tmpl is a parsed template with a pool of clones whose functions are
// bound to a binding, so that an execution charges its own run without
// cloning the template each time.
type tmpl struct {
	base *template.Template
	pool sync.Pool
}

// boundClone is one clone of a tmpl and the binding its functions read.
type boundClone struct {
	t *template.Template
	b *binding
}

func (t *tmpl) get() (*boundClone, error) {
	if c, ok := t.pool.Get().(*boundClone); ok {
		return c, nil
	}
	c, err := t.base.Clone()
	if err != nil {
		return nil, err
	}
	b := &binding{}
	c.Funcs(funcs(b))
	return &boundClone{t: c, b: b}, nil
}

// parseTemplate parses and checks one template: no define, block or
// template actions, a bounded source, and every range routed through the
// iteration guard.
func parseTemplate(src string) (*tmpl, error) {
	if len(src) > maxTemplateSource {
		return nil, fmt.Errorf("template longer than %d bytes", maxTemplateSource)
	}
	t, err := template.New(templateName).Funcs(funcs(nil)).Option("missingkey=zero").Parse(src)
	if err != nil {
		return nil, errors.New(cleanTemplateError(err))
	}
	if len(t.Templates()) > 1 {
		return nil, errors.New("define and block are not allowed")
	}
	if t.Tree != nil && t.Root != nil {
		if err := guardTree(t.Tree, t.Root); err != nil {
			return nil, err
		}
	}
	return &tmpl{base: t}, nil
}

// guardTree rejects template calls and the methods checkIdents names,
// appends "| _rangeguard $" to every range pipeline, so that the guard
// sees what is ranged over and can charge it against the run's budget, and
// starts every range body with {{_rangetick}}.
func guardTree(tree *parse.Tree, n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := guardTree(tree, c); err != nil {
				return err
			}
		}
	case *parse.TemplateNode:
		return fmt.Errorf("template %q: calling templates is not allowed", n.Name)
	case *parse.ActionNode:
		return checkPipe(n.Pipe)
	case *parse.IfNode:
		return guardBranch(tree, &n.BranchNode)
	case *parse.WithNode:
		return guardBranch(tree, &n.BranchNode)
	case *parse.RangeNode:
		if err := checkPipe(n.Pipe); err != nil {
			return err
		}
		id := parse.NewIdentifier(guardFunc).SetTree(tree).SetPos(n.Pipe.Pos)
		dollar := &parse.VariableNode{NodeType: parse.NodeVariable, Pos: n.Pipe.Pos, Ident: []string{"$"}}
		n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{
			NodeType: parse.NodeCommand, Pos: n.Pipe.Pos, Args: []parse.Node{id, dollar},
		})
		if err := guardBranch(tree, &n.BranchNode); err != nil {
			return err
		}
		// {{_rangetick}} first in the body, which prints nothing.
		tick := parse.NewIdentifier(tickFunc).SetTree(tree).SetPos(n.List.Pos)
		n.List.Nodes = slices.Insert(n.List.Nodes, 0, parse.Node(&parse.ActionNode{
			NodeType: parse.NodeAction, Pos: n.List.Pos, Line: n.Line,
			Pipe: &parse.PipeNode{NodeType: parse.NodePipe, Pos: n.List.Pos, Line: n.Line, Cmds: []*parse.CommandNode{{
				NodeType: parse.NodeCommand, Pos: n.List.Pos, Args: []parse.Node{tick},
			}}},
		}))
		return nil
	}
	return nil
}

// checkPipe applies checkIdents to every field, variable and chain in a
// pipeline, parenthesised pipelines included.
func checkPipe(p *parse.PipeNode) error {
	if p == nil {
		return nil
	}
	for _, c := range p.Cmds {
		for _, arg := range c.Args {
			if err := checkArg(arg); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkArg(n parse.Node) error {
	switch n := n.(type) {
	case *parse.FieldNode:
		return checkIdents(n.Ident)
	case *parse.VariableNode:
		return checkIdents(n.Ident[1:])
	case *parse.ChainNode:
		if err := checkIdents(n.Field); err != nil {
			return err
		}
		return checkArg(n.Node)
	case *parse.PipeNode:
		return checkPipe(n)
	}
	return nil
}

// checkIdents refuses the methods through which a template could grow
// text without the function budget seeing it: time.Time's Format and
// AppendFormat turn a layout into up to twice its length ("2" into "21"),
// so a layout fed back into them doubles each time. Templates format times
// with date; an extra field named Format is reached with index.
func checkIdents(idents []string) error {
	for _, id := range idents {
		if id == "Format" || id == "AppendFormat" {
			return fmt.Errorf("%s is not allowed: format times with date, reach a field of that name with index", id)
		}
	}
	return nil
}

func guardBranch(tree *parse.Tree, b *parse.BranchNode) error {
	if err := checkPipe(b.Pipe); err != nil {
		return err
	}
	if err := guardTree(tree, b.List); err != nil {
		return err
	}
	if b.ElseList != nil {
		return guardTree(tree, b.ElseList)
	}
	return nil
}

// rangeGuard charges what a range is about to iterate over against the
// run's budget; it receives the run through $ (the TemplateData).
func rangeGuard(data any, v any) (any, error) {
	d, ok := data.(*TemplateData)
	if !ok || d.run == nil {
		return nil, errors.New("range outside a mapping run")
	}
	r := d.run
	if err := r.check(); err != nil {
		return nil, err
	}
	n := 0
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n = int(min(max(rv.Int(), 0), int64(maxIterationsCap)+1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n = int(min(rv.Uint(), uint64(maxIterationsCap)+1))
	case reflect.Slice, reflect.Array, reflect.Map, reflect.String:
		n = rv.Len()
	case reflect.Chan, reflect.Func:
		return nil, fmt.Errorf("cannot range over a %s", rv.Kind())
	}
	r.loops += n
	if r.loops > r.limits.MaxIterations {
		return nil, fmt.Errorf("%w: over %d iterations", ErrTooManyLoops, r.limits.MaxIterations)
	}
	return v, nil
}

// render executes a template with the limits. Execution runs in its own
// goroutine so that the caller can return at the deadline; the goroutine
// then stops at its next write, range iteration or function call, because
// the run is marked aborted: every range iteration starts with a check, and
// every function charges what it makes.
// Callers hand render an issue nobody else changes (FlowSpec.templateView), so
// an abandoned goroutine cannot race with them.
func render(tp *tmpl, is *tracker.Issue, now time.Time, lim Limits) (string, error) {
	return renderWith(tp, is, nil, now, lim)
}

// renderWith is render with .Comment set (nil for field templates).
func renderWith(tp *tmpl, is *tracker.Issue, comment *CommentData, now time.Time, lim Limits) (string, error) {
	r := &run{limits: lim, started: time.Now()}
	c, err := tp.get()
	if err != nil {
		return "", err
	}
	c.b.r = r
	var out strings.Builder
	w := &limitWriter{r: r, b: &out}
	data := newTemplateData(is, now, r)
	data.Comment = comment
	done := make(chan error, 1)
	go func() {
		done <- c.t.Execute(w, data)
	}()
	timer := time.NewTimer(lim.Timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		// The goroutine is done with the clone; an abandoned one keeps
		// its clone, which is then never reused.
		c.b.r = nil
		tp.pool.Put(c)
		if err != nil {
			return "", unwrapExec(err)
		}
		if err := r.check(); err != nil {
			return "", err
		}
		return out.String(), nil
	case <-timer.C:
		r.aborted.Store(true)
		return "", fmt.Errorf("%w: over %v", ErrTimeout, lim.Timeout)
	}
}

// limitWriter writes to a builder through the run's checks; the builder
// is only read once the goroutine has finished.
type limitWriter struct {
	r *run
	b *strings.Builder
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if _, err := w.r.Write(p); err != nil {
		return 0, err
	}
	return w.b.Write(p)
}

// unwrapExec keeps our sentinels matchable through text/template's error
// wrapping and drops its internal framing.
func unwrapExec(err error) error {
	for _, s := range []error{ErrOutputTooLarge, ErrTimeout, ErrTooManyLoops} {
		if errors.Is(err, s) {
			return err
		}
	}
	return errors.New(cleanTemplateError(err))
}

func cleanTemplateError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "template: ")
	s = strings.Replace(s, templateName+":", "template line ", 1)
	s = strings.ReplaceAll(s, ` "`+templateName+`"`, "")
	return strings.ReplaceAll(s, " | "+guardFunc+" $", "")
}

// title upper-cases the first letter of every word.
func title(s string) string {
	prev := ' '
	return strings.Map(func(r rune) rune {
		up := unicode.IsSpace(prev) || prev == '-' || prev == '_'
		prev = r
		if up {
			return unicode.ToTitle(r)
		}
		return r
	}, s)
}

// dflt returns v, or def when v is empty: {{.Assignee | default "nobody"}}.
func dflt(def, v any) any {
	if isEmpty(v) {
		return def
	}
	if b, ok := v.(bool); ok && !b {
		return def
	}
	return v
}

// truncate shortens a text to at most n runes, ending it with "…" when
// cut: {{.Summary | truncate 80}}.
func truncate(n int, v any) string {
	s := text(v)
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
			break
		}
		count++
	}
	return s[:i] + "…"
}

// date formats a time with a Go layout; empty times give "". Layout names
// "rfc3339", "date" and "datetime" are accepted as shorthands.
func date(layout string, v any) (string, error) {
	t, ok := instant(v)
	if !ok {
		if isEmpty(v) {
			return "", nil
		}
		if ms, isNum := v.(int64); isNum {
			t = time.UnixMilli(ms)
		} else {
			return "", fmt.Errorf("date: %q is not a time", text(v))
		}
	}
	switch layout {
	case "rfc3339":
		layout = time.RFC3339
	case "date":
		layout = time.DateOnly
	case "datetime":
		layout = "2006-01-02 15:04 MST"
	}
	if len(layout) > 100 {
		return "", errors.New("date: layout too long")
	}
	return t.UTC().Format(layout), nil
}

// markdownEscape makes v literal text in Markdown, so that any value reads
// the same once a Markdown renderer (jira/adf.FromMarkdown) has turned it
// into text: it backslash-escapes the characters of inline markup
// (\\ ` * _ { } [ ] ( ) < > # | ~ &), and what would start a block at the
// start of a line (- + and the "." of "1."); it writes line breaks
// ("\n", "\r\n", "\r") as &#10; and whitespace at either end as a
// character reference, so the value stays one line of Markdown that no
// renderer trims. "." "-" and "+" elsewhere are left alone.
func markdownEscape(v any) string {
	s := strings.ReplaceAll(text(v), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	b.Grow(len(s))
	digits := true // only ASCII digits so far
	first, last := 0, len(s)
	if last > 0 {
		_, n := utf8.DecodeLastRuneInString(s)
		last -= n
	}
	for i, r := range s {
		switch {
		case r == '\n':
			b.WriteString("&#10;")
		case (i == first || i == last) && unicode.IsSpace(r):
			fmt.Fprintf(&b, "&#%d;", r)
		case strings.ContainsRune("\\`*_{}[]()<>#|~&", r),
			i == first && (r == '-' || r == '+'),
			r == '.' && i > first && digits:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		digits = digits && '0' <= r && r <= '9'
	}
	return b.String()
}

// checkFormat refuses "*" widths and widths or precisions over
// maxFormatWidth, so that a format cannot allocate without bound.
func checkFormat(f string) error {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
	verb:
		for i++; i < len(f); i++ {
			c := f[i]
			switch {
			case c == '*':
				return errors.New("printf: * widths are not allowed")
			case c >= '0' && c <= '9':
				j := i
				for j < len(f) && f[j] >= '0' && f[j] <= '9' {
					j++
				}
				if n, err := strconv.Atoi(f[i:j]); err != nil || n > maxFormatWidth {
					return fmt.Errorf("printf: width or precision over %d", maxFormatWidth)
				}
				i = j - 1
			case strings.IndexByte("+-# .[]", c) >= 0:
			default:
				break verb
			}
		}
	}
	return nil
}

func noCall(...any) (any, error) {
	return nil, errors.New("call is not allowed")
}
