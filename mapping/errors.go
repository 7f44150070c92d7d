package mapping

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrUnmapped is matched (through errors.Is) by the error Apply and ApplyBack
// return when a value map with "unmapped: error" meets a value it does not
// translate.
var ErrUnmapped = errors.New("mapping: value not mapped")

// FieldError is one mistake in a spec, or one mismatch between a spec and a
// tracker's metadata.
type FieldError struct {
	// Path locates the mistake: "flows[0].values.priority.map.Critical".
	Path string
	// Line is the spec line, or 0 when unknown (specs built in Go).
	Line int
	// Offset is the byte offset (from 0) of a mistake in the document as
	// a whole, such as a syntax error, when HasOffset is set.
	Offset    int64
	HasOffset bool
	Msg       string
}

// Error returns "path: msg (line N)", or "msg (line N, byte M)" for a
// mistake in the document as a whole.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	switch {
	case e.Line > 0 && e.HasOffset:
		fmt.Fprintf(&b, " (line %d, byte %d)", e.Line, e.Offset)
	case e.Line > 0:
		fmt.Fprintf(&b, " (line %d)", e.Line)
	}
	return b.String()
}

// Errors is every mistake found in one pass, ordered by line and path.
type Errors struct {
	List []*FieldError
}

// Error lists the mistakes one per line.
func (e *Errors) Error() string {
	if len(e.List) == 1 {
		return "mapping: " + e.List[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "mapping: %d errors:", len(e.List))
	for _, fe := range e.List {
		b.WriteString("\n\t")
		b.WriteString(fe.Error())
	}
	return b.String()
}

// Unwrap returns the mistakes, so errors.As finds a *FieldError.
func (e *Errors) Unwrap() []error {
	errs := make([]error, len(e.List))
	for i, fe := range e.List {
		errs[i] = fe
	}
	return errs
}

// maxErrors bounds the mistakes one pass reports; a hostile document
// could otherwise make its error list huge.
const maxErrors = 100

// collector gathers mistakes with the line of their path.
type collector struct {
	lines map[string]int
	list  []*FieldError
	// count is every mistake seen, reported or not.
	count int
}

func (c *collector) add(path, format string, args ...any) {
	c.addLine(path, c.lineOf(path), format, args...)
}

func (c *collector) addLine(path string, line int, format string, args ...any) {
	c.count++
	switch {
	case c.count < maxErrors:
		c.list = append(c.list, &FieldError{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
}

// lineOf returns the line of path or of its closest recorded parent, the
// document itself included.
func (c *collector) lineOf(path string) int {
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := c.lines[p]; ok {
			return l
		}
	}
	// The document's own line, for a key missing from it.
	return c.lines[""]
}

// err returns nil or the gathered mistakes as *Errors.
func (c *collector) err() error {
	if len(c.list) == 0 {
		return nil
	}
	list := slices.Clone(c.list)
	slices.SortStableFunc(list, func(a, b *FieldError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Path, b.Path))
	})
	if c.count >= maxErrors {
		list = append(list, &FieldError{Msg: fmt.Sprintf("too many mistakes; stopped after %d", len(list))})
	}
	return &Errors{List: list}
}

// parentPath strips the last element of a path: a.b[2] → a.b → a.
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

// keyPath appends a map key to a path, quoting keys that are not plain
// words: fields.Severity, fields["Due Date"].
func keyPath(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return fmt.Sprintf("%s[%q]", path, key)
	case path == "":
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }
