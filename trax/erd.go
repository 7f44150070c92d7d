package trax

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/trackbridge/trackbridge/tracker"
)

// FieldType is the type of one postbox attribute.
type FieldType string

// The attribute types an [ERD] can declare, and the Go values each accepts:
//
//   - string, text: a string (text is long-form, string a single line).
//   - number: any Go integer or float type or a json.Number; NaN and the
//     infinities are refused.
//   - integer: as number, but the value must be integral.
//   - boolean: a bool.
//   - date: a time.Time (sent as 2006-01-02) or a string in that form.
//   - datetime: a time.Time (sent as RFC 3339) or an RFC 3339 string.
//   - url: an absolute http or https URL string.
//   - email: a bare address string (alice@example.com).
//   - enum: a string, one of the field's Allowed values.
const (
	TypeString   FieldType = "string"
	TypeText     FieldType = "text"
	TypeNumber   FieldType = "number"
	TypeInteger  FieldType = "integer"
	TypeBoolean  FieldType = "boolean"
	TypeDate     FieldType = "date"
	TypeDateTime FieldType = "datetime"
	TypeURL      FieldType = "url"
	TypeEmail    FieldType = "email"
	TypeEnum     FieldType = "enum"
)

// typeList names the valid types for error messages.
const typeList = "string, text, number, integer, boolean, date, datetime, url, email, enum"

// known reports whether t is one of the types above.
func (t FieldType) known() bool {
	switch t {
	case TypeString, TypeText, TypeNumber, TypeInteger, TypeBoolean, TypeDate, TypeDateTime, TypeURL, TypeEmail, TypeEnum:
		return true
	}
	return false
}

// isTextual reports whether values of the type are strings, to which
// MaxLength and Allowed apply.
func (t FieldType) isTextual() bool {
	switch t {
	case TypeString, TypeText, TypeURL, TypeEmail, TypeEnum:
		return true
	}
	return false
}

// ERD is an External Resource Definition: the attributes a trax postbox
// captures and how each maps onto a CIP issue. The client checks every
// record against it before sending (see [WithERD]), so nothing the postbox
// would refuse leaves the host.
//
// An ERD is loaded from YAML or JSON with [ParseERD] or [LoadERD], or built
// in Go; [ERD.Check] reports definition mistakes.
type ERD struct {
	// Name names the definition, for messages.
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Description says what the postbox is for.
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	// AllowUnknown lets records carry attributes the ERD does not define;
	// by default they are refused.
	AllowUnknown bool `json:"allow_unknown,omitempty" yaml:"allow_unknown,omitempty"`
	// Fields defines the attributes, in the order they are reported.
	Fields []FieldDef `json:"fields" yaml:"fields"`
}

// FieldDef defines one attribute of a postbox record.
type FieldDef struct {
	// Name is the attribute's key in the record ("issue_url").
	Name string `json:"name" yaml:"name"`
	// Type is the attribute's type; see [FieldType].
	Type FieldType `json:"type" yaml:"type"`
	// Required attributes must be present and, when textual, not blank.
	Required bool `json:"required,omitempty" yaml:"required,omitempty"`
	// MaxLength bounds textual values, counted in characters (runes);
	// 0 means no bound.
	MaxLength int `json:"max_length,omitempty" yaml:"max_length,omitempty"`
	// Allowed lists the values a textual attribute may take; empty means
	// any. An enum must list them.
	Allowed []string `json:"allowed,omitempty" yaml:"allowed,omitempty"`
	// Target is the CIP issue attribute this attribute maps onto in trax
	// ("title", "external_reference"); informational for the client.
	Target string `json:"target,omitempty" yaml:"target,omitempty"`
	// Description says what the attribute holds.
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

// The attributes of the default ERD, as the S1 flow (high-severity tickets
// feeding an ISMS) fills them.
const (
	AttrName           = "name"
	AttrDescription    = "description"
	AttrSource         = "source"
	AttrClassification = "classification"
	AttrContact        = "contact"
	AttrIssueURL       = "issue_url"
)

// DefaultERD returns the definition of a postbox capturing the S1
// attributes: name (required), description, source, classification,
// contact and issue_url. Each call returns a fresh copy the caller may
// change.
func DefaultERD() *ERD {
	return &ERD{
		Name:        "trackbridge-default",
		Description: "Issues reported to the ISMS from an issue tracker.",
		Fields: []FieldDef{
			{Name: AttrName, Type: TypeString, Required: true, MaxLength: 255, Target: "title", Description: "Short title of the issue."},
			{Name: AttrDescription, Type: TypeText, MaxLength: 65535, Target: "description", Description: "What happened, in the tracker's words."},
			{Name: AttrSource, Type: TypeString, MaxLength: 255, Target: "source", Description: "The system the issue comes from."},
			{Name: AttrClassification, Type: TypeString, MaxLength: 255, Target: "classification", Description: "Severity or classification given by the source."},
			{Name: AttrContact, Type: TypeString, MaxLength: 255, Target: "contact", Description: "Who to ask about the issue."},
			{Name: AttrIssueURL, Type: TypeURL, MaxLength: 2048, Target: "external_reference", Description: "Link to the issue in the source tracker."},
		},
	}
}

// Field returns the definition of the named attribute.
func (e *ERD) Field(name string) (FieldDef, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return FieldDef{}, false
}

// Check reports mistakes in the definition itself: fields without a name
// or with a repeated one, unknown types, negative lengths, enums without
// allowed values and allowed values on non-textual types. The error is an
// *ERDError naming each mistake by its path.
func (e *ERD) Check() error {
	var errs ERDError
	e.check(&errs, nil)
	return errs.orNil()
}

// check adds the definition's mistakes to errs; lines, when set, gives the
// source line of a path.
func (e *ERD) check(errs *ERDError, lines map[string]int) {
	add := func(path, format string, args ...any) {
		errs.Problems = append(errs.Problems, ERDProblem{Path: path, Line: lineOf(lines, path), Message: fmt.Sprintf(format, args...)})
	}
	if len(e.Fields) == 0 {
		add("fields", "no fields defined")
	}
	seen := map[string]int{}
	for i, f := range e.Fields {
		p := fmt.Sprintf("fields[%d]", i)
		switch {
		case strings.TrimSpace(f.Name) == "":
			add(p+".name", "field has no name")
		case seen[f.Name] > 0:
			add(p+".name", "field %q is already defined by fields[%d]", f.Name, seen[f.Name]-1)
		default:
			seen[f.Name] = i + 1
		}
		if !f.Type.known() {
			if f.Type == "" {
				add(p+".type", "field has no type (want one of %s)", typeList)
			} else {
				add(p+".type", "unknown type %q (want one of %s)", f.Type, typeList)
			}
		}
		if f.MaxLength < 0 {
			add(p+".max_length", "negative maximum length %d", f.MaxLength)
		} else if f.MaxLength > 0 && !f.Type.isTextual() && f.Type.known() {
			add(p+".max_length", "maximum length applies only to textual types, not %s", f.Type)
		}
		if f.Type == TypeEnum && len(f.Allowed) == 0 {
			add(p+".allowed", "an enum needs allowed values")
		}
		if len(f.Allowed) > 0 && !f.Type.isTextual() && f.Type.known() {
			add(p+".allowed", "allowed values apply only to textual types, not %s", f.Type)
		}
		for j, a := range f.Allowed {
			if f.MaxLength > 0 && utf8.RuneCountInString(a) > f.MaxLength {
				add(fmt.Sprintf("%s.allowed[%d]", p, j), "allowed value %q is longer than max_length %d", a, f.MaxLength)
			}
		}
	}
}

// lineOf returns the line of path or, when the path is absent from the
// source (a missing key), of its nearest ancestor.
func lineOf(lines map[string]int, path string) int {
	for path != "" {
		if l, ok := lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// ERDProblem is one mistake in an ERD.
type ERDProblem struct {
	// Path locates the mistake ("fields[2].type").
	Path string
	// Line is the source line, 0 when unknown (an ERD built in Go).
	Line    int
	Message string
}

// String returns "line N: path: message", without the line when unknown.
func (p ERDProblem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", p.Line, p.Path, p.Message)
	}
	return p.Path + ": " + p.Message
}

// ERDError lists every mistake found in an ERD.
type ERDError struct {
	// Source names the file or input, when known.
	Source   string
	Problems []ERDProblem
}

// Error lists every problem, one per line when there are several.
func (e *ERDError) Error() string {
	var b strings.Builder
	b.WriteString("trax: ERD")
	if e.Source != "" {
		b.WriteString(" " + e.Source)
	}
	if len(e.Problems) == 1 {
		b.WriteString(": " + e.Problems[0].String())
		return b.String()
	}
	fmt.Fprintf(&b, ": %d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n\t" + p.String())
	}
	return b.String()
}

func (e *ERDError) orNil() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}

// maxERDBytes caps an ERD document; real ones are a few kilobytes.
const maxERDBytes = 1 << 20

// LoadERD reads an ERD from a YAML or JSON file (see [ParseERD]).
func LoadERD(path string) (*ERD, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("trax: ERD: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxERDBytes+1))
	if err != nil {
		return nil, fmt.Errorf("trax: ERD %s: %w", path, err)
	}
	e, err := ParseERD(data)
	var ee *ERDError
	if errors.As(err, &ee) {
		ee.Source = path
	}
	return e, err
}

// ParseERD reads an ERD from YAML or JSON (a document starting with '{' is
// read as JSON). Keys are those of the struct tags (name, description,
// allow_unknown, fields; per field name, type, required, max_length,
// allowed, target, description). Unknown keys, values of the wrong kind and
// definition mistakes (see [ERD.Check]) are all reported at once, each with
// its path and line, in an *ERDError.
func ParseERD(data []byte) (*ERD, error) {
	if len(data) > maxERDBytes {
		return nil, &ERDError{Problems: []ERDProblem{{Path: "(document)", Message: fmt.Sprintf("larger than %d bytes", maxERDBytes)}}}
	}
	var root *yaml.Node
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		n, err := jsonNode(data)
		if err != nil {
			return nil, &ERDError{Problems: []ERDProblem{{Path: "(document)", Message: err.Error()}}}
		}
		root = n
	} else {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, &ERDError{Problems: []ERDProblem{{Path: "(document)", Message: strings.TrimPrefix(err.Error(), "yaml: ")}}}
		}
		if len(doc.Content) == 0 {
			return nil, &ERDError{Problems: []ERDProblem{{Path: "(document)", Message: "empty document"}}}
		}
		root = doc.Content[0]
	}
	d := &erdDecoder{lines: map[string]int{}}
	e := d.erd(root)
	e.check(&d.errs, d.lines)
	sort.SliceStable(d.errs.Problems, func(i, j int) bool { return d.errs.Problems[i].Line < d.errs.Problems[j].Line })
	if err := d.errs.orNil(); err != nil {
		return nil, err
	}
	return e, nil
}

// erdDecoder walks a YAML node tree (JSON is converted to one) into an ERD,
// collecting every problem with its path.
type erdDecoder struct {
	errs  ERDError
	lines map[string]int
}

func (d *erdDecoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs.Problems = append(d.errs.Problems, ERDProblem{Path: path, Line: n.Line, Message: fmt.Sprintf(format, args...)})
}

// mapping calls fn for each key of a mapping node, refusing unknown and
// repeated keys.
func (d *erdDecoder) mapping(n *yaml.Node, path string, known []string, fn func(key string, v *yaml.Node, p string)) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping, got %s", kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := joinPath(path, k.Value)
		switch {
		case k.Kind != yaml.ScalarNode:
			d.fail(k, path, "keys must be strings")
		case !slices.Contains(known, k.Value):
			d.fail(k, p, "unknown key (want one of %s)", strings.Join(known, ", "))
		case seen[k.Value]:
			d.fail(k, p, "key repeated")
		default:
			seen[k.Value] = true
			d.lines[p] = v.Line
			fn(k.Value, v, p)
		}
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *erdDecoder) erd(n *yaml.Node) *ERD {
	e := &ERD{}
	d.mapping(n, "", []string{"name", "description", "allow_unknown", "fields"}, func(key string, v *yaml.Node, p string) {
		switch key {
		case "name":
			e.Name = d.str(v, p)
		case "description":
			e.Description = d.str(v, p)
		case "allow_unknown":
			e.AllowUnknown = d.boolean(v, p)
		case "fields":
			if v.Kind != yaml.SequenceNode {
				d.fail(v, p, "want a list of fields, got %s", kindName(v))
				return
			}
			for i, fn := range v.Content {
				fp := fmt.Sprintf("%s[%d]", p, i)
				d.lines[fp] = fn.Line
				e.Fields = append(e.Fields, d.field(fn, fp))
			}
		}
	})
	return e
}

func (d *erdDecoder) field(n *yaml.Node, path string) FieldDef {
	var f FieldDef
	known := []string{"name", "type", "required", "max_length", "allowed", "target", "description"}
	d.mapping(n, path, known, func(key string, v *yaml.Node, p string) {
		switch key {
		case "name":
			f.Name = d.str(v, p)
		case "type":
			f.Type = FieldType(strings.ToLower(d.str(v, p)))
		case "required":
			f.Required = d.boolean(v, p)
		case "max_length":
			f.MaxLength = d.integer(v, p)
		case "allowed":
			if v.Kind != yaml.SequenceNode {
				d.fail(v, p, "want a list of strings, got %s", kindName(v))
				return
			}
			for i, a := range v.Content {
				ap := fmt.Sprintf("%s[%d]", p, i)
				d.lines[ap] = a.Line
				f.Allowed = append(f.Allowed, d.str(a, ap))
			}
		case "target":
			f.Target = d.str(v, p)
		case "description":
			f.Description = d.str(v, p)
		}
	})
	return f
}

func (d *erdDecoder) str(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.fail(n, path, "want a string, got %s", kindName(n))
		return ""
	}
	return n.Value
}

func (d *erdDecoder) boolean(n *yaml.Node, path string) bool {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err == nil {
			return b
		}
	}
	d.fail(n, path, "want true or false, got %s", kindName(n))
	return false
}

func (d *erdDecoder) integer(n *yaml.Node, path string) int {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 32)
		if err == nil {
			return int(i)
		}
	}
	d.fail(n, path, "want an integer, got %s", kindName(n))
	return 0
}

// kindName describes a node for messages, quoting short scalars.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!str":
			return fmt.Sprintf("the string %q", v)
		}
		return fmt.Sprintf("%s %s", strings.TrimPrefix(n.Tag, "!!"), v)
	}
	return "nothing"
}

// jsonNode parses a JSON document into a YAML node tree with line numbers,
// so JSON and YAML share one decoder and one set of messages.
func jsonNode(data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// line returns the line of the next token: the offset is just past
	// the previous one, so separators are skipped first.
	line := func() int {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		return 1 + bytes.Count(data[:off], []byte("\n"))
	}
	var value func(depth int) (*yaml.Node, error)
	value = func(depth int) (*yaml.Node, error) {
		if depth > 64 {
			return nil, errors.New("nested too deeply")
		}
		ln := line()
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", ln, err)
		}
		switch t := tok.(type) {
		case json.Delim:
			n := &yaml.Node{Line: ln}
			if t == '{' {
				n.Kind, n.Tag = yaml.MappingNode, "!!map"
				for dec.More() {
					kl := line()
					k, err := dec.Token()
					if err != nil {
						return nil, fmt.Errorf("line %d: %w", kl, err)
					}
					v, err := value(depth + 1)
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.(string), Line: kl}, v)
				}
			} else {
				n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
				for dec.More() {
					v, err := value(depth + 1)
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, v)
				}
			}
			if _, err := dec.Token(); err != nil { // the closing delimiter
				return nil, fmt.Errorf("line %d: %w", line(), err)
			}
			return n, nil
		case string:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t, Line: ln}, nil
		case bool:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t), Line: ln}, nil
		case json.Number:
			tag := "!!float"
			if _, err := t.Int64(); err == nil {
				tag = "!!int"
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: t.String(), Line: ln}, nil
		case nil:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: ln}, nil
		}
		return nil, fmt.Errorf("line %d: unexpected token %v", ln, tok)
	}
	n, err := value(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("line %d: data after the document", line())
	}
	return n, nil
}

// Problem is one way a record breaks its ERD.
type Problem struct {
	// RecordID is the record's id.
	RecordID string
	// Attribute names the attribute at fault; empty for a problem with the
	// record itself (its id).
	Attribute string
	Message   string
}

// String returns `record "id": attribute "name": message`.
func (p Problem) String() string {
	if p.Attribute == "" {
		return fmt.Sprintf("record %q: %s", p.RecordID, p.Message)
	}
	return fmt.Sprintf("record %q: attribute %q: %s", p.RecordID, p.Attribute, p.Message)
}

// ValidationError lists every problem found in the records of one call. It
// matches tracker.ErrInvalid. The client returns it before sending anything.
type ValidationError struct {
	Problems []Problem
}

// Error lists every problem, separated by semicolons.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "trax: invalid " + strings.Join(parts, "; ")
}

// Is matches tracker.ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == tracker.ErrInvalid }

// Validate checks a record's attributes against the ERD: each required
// attribute present (and, when textual, not blank), each value of its
// field's type, no longer than MaxLength runes, one of Allowed where set,
// and no attribute the ERD does not define unless AllowUnknown. A nil
// value counts as absent. It returns a *ValidationError naming every
// problem, or nil.
func (e *ERD) Validate(r Record) error {
	probs := e.problems(r)
	if len(probs) == 0 {
		return nil
	}
	return &ValidationError{Problems: probs}
}

func (e *ERD) problems(r Record) []Problem {
	var probs []Problem
	add := func(attr, format string, args ...any) {
		probs = append(probs, Problem{RecordID: r.ID, Attribute: attr, Message: fmt.Sprintf(format, args...)})
	}
	for _, f := range e.Fields {
		v, ok := r.Attributes[f.Name]
		if !ok || v == nil {
			if f.Required {
				add(f.Name, "required attribute missing")
			}
			continue
		}
		if msg := f.check(v); msg != "" {
			add(f.Name, "%s", msg)
		}
	}
	if !e.AllowUnknown {
		var unknown []string
		for k := range r.Attributes {
			if _, ok := e.Field(k); !ok {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		for _, k := range unknown {
			add(k, "unknown attribute (ERD %s defines %s)", e.label(), e.fieldList())
		}
	}
	return probs
}

func (e *ERD) label() string {
	if e.Name == "" {
		return "(unnamed)"
	}
	return strconv.Quote(e.Name)
}

func (e *ERD) fieldList() string {
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// check returns what is wrong with a present value, or "".
func (f FieldDef) check(v any) string {
	if f.Type.isTextual() {
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("want %s, got %s", article(f.Type), goType(v))
		}
		if !utf8.ValidString(s) {
			return "not valid UTF-8"
		}
		if f.Required && strings.TrimSpace(s) == "" {
			return "required attribute is blank"
		}
		if n := utf8.RuneCountInString(s); f.MaxLength > 0 && n > f.MaxLength {
			return fmt.Sprintf("too long: %d characters, at most %d", n, f.MaxLength)
		}
		if len(f.Allowed) > 0 && !slices.Contains(f.Allowed, s) {
			return fmt.Sprintf("value %q not allowed (want one of %s)", clipValue(s), strings.Join(f.Allowed, ", "))
		}
		switch f.Type {
		case TypeURL:
			if s == "" && !f.Required {
				return ""
			}
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Sprintf("%q is not an absolute http or https URL", clipValue(s))
			}
		case TypeEmail:
			if s == "" && !f.Required {
				return ""
			}
			a, err := mail.ParseAddress(s)
			if err != nil || a.Address != s {
				return fmt.Sprintf("%q is not an email address", clipValue(s))
			}
		}
		return ""
	}
	switch f.Type {
	case TypeBoolean:
		if _, ok := v.(bool); !ok {
			return "want a boolean, got " + goType(v)
		}
	case TypeNumber, TypeInteger:
		x, ok := toFloat(v)
		if !ok {
			return fmt.Sprintf("want %s, got %s", article(f.Type), goType(v))
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprintf("%v is not a finite number", x)
		}
		if f.Type == TypeInteger && x != math.Trunc(x) {
			return fmt.Sprintf("%v is not an integer", x)
		}
	case TypeDate, TypeDateTime:
		switch t := v.(type) {
		case time.Time:
			if t.IsZero() {
				return "zero time"
			}
		case string:
			layout := time.DateOnly
			if f.Type == TypeDateTime {
				layout = time.RFC3339
			}
			if _, err := time.Parse(layout, t); err != nil {
				return fmt.Sprintf("%q is not a %s (%s)", clipValue(t), f.Type, layout)
			}
		default:
			return fmt.Sprintf("want %s (time.Time or string), got %s", article(f.Type), goType(v))
		}
	}
	return ""
}

// wireValue converts a valid value to the form sent on the wire: dates and
// times as strings in the field's layout.
func (f FieldDef) wireValue(v any) any {
	t, ok := v.(time.Time)
	if !ok {
		return v
	}
	if f.Type == TypeDate {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}

func article(t FieldType) string {
	switch t {
	case TypeInteger, TypeEmail, TypeEnum, TypeURL:
		return "an " + string(t)
	}
	return "a " + string(t)
}

func goType(v any) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func clipValue(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:60]) + "…"
}

// toFloat returns a numeric value as a float64.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}
