package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Format is the syntax of a spec document.
type Format int

// The spec formats. JSON is read as YAML (it is a subset) once it has been
// checked as JSON, so both report the same paths and lines.
const (
	YAML Format = iota
	JSON
)

// MaxSpecSize is the largest spec document Load accepts.
const MaxSpecSize = 1 << 20

// Bounds on what one load visits, so that aliases cannot expand a small
// document into a huge one and deep nesting or long keys cannot make the
// recorded paths huge.
const (
	maxNodes  = 20_000
	maxDepth  = 40
	maxKeyLen = 200
)

// Load reads a spec in the given format, checks it and compiles its
// templates. Every mistake is reported at once in an *Errors, each with
// its path and line; a document that cannot be read at all (too large,
// not UTF-8, holding NUL or other control bytes, empty, malformed) gets
// one error with its line and byte offset.
//
// In a JSON document every scalar must have the JSON type its key wants: a
// number where a string is expected is an error. YAML plain scalars are
// read as the key wants them ("priority: 1" is the string "1").
func Load(r io.Reader, format Format) (*Spec, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSpecSize+1))
	if err != nil {
		return nil, fmt.Errorf("mapping: read spec: %w", err)
	}
	if err := checkDocument(data); err != nil {
		return nil, err
	}
	if format == JSON {
		if err := checkJSON(data); err != nil {
			return nil, err
		}
	}
	return parseSpec(data, format == JSON)
}

// LoadFile reads a spec from a file; names ending in .json are read as
// JSON, others as YAML.
func LoadFile(name string) (*Spec, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	defer f.Close()
	format := YAML
	if strings.EqualFold(filepath.Ext(name), ".json") {
		format = JSON
	}
	s, err := Load(f, format)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// Parse reads a spec from YAML (or JSON) text, checks it and compiles its
// templates. It reports errors as [Load] does for YAML.
func Parse(data []byte) (*Spec, error) {
	if err := checkDocument(data); err != nil {
		return nil, err
	}
	return parseSpec(data, false)
}

func parseSpec(data []byte, strict bool) (*Spec, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(data, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, docError(data, 0, "empty spec: no document")
	}
	d := &decoder{c: &collector{lines: map[string]int{}}, strict: strict}
	s := &Spec{}
	d.decode(&root, reflect.ValueOf(s).Elem(), "")
	s.lines = d.c.lines
	if d.overflow {
		return nil, d.c.err()
	}
	s.validate(d.c)
	if err := d.c.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// docError is a mistake in the document as a whole, at a byte offset.
func docError(data []byte, offset int64, format string, args ...any) error {
	offset = min(max(offset, 0), int64(len(data)))
	return &Errors{List: []*FieldError{{Line: lineAt(data, offset), Offset: offset, HasOffset: true, Msg: fmt.Sprintf(format, args...)}}}
}

// checkDocument refuses what no spec can be: more than MaxSpecSize bytes,
// invalid UTF-8, NUL and other control bytes (tab and line breaks aside),
// and a document of nothing but space and comments.
func checkDocument(data []byte) error {
	if len(data) > MaxSpecSize {
		return docError(data, MaxSpecSize, "spec larger than %d bytes", MaxSpecSize)
	}
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return docError(data, int64(i), "control byte %#02x in spec", c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return docError(data, int64(i), "invalid UTF-8 byte %#02x in spec", c)
		}
		if r == 0xFEFF && i > 0 {
			return docError(data, int64(i), "byte order mark inside the spec")
		}
		i += size
	}
	if blank(data) {
		return docError(data, 0, "empty spec: no document")
	}
	return nil
}

// blank reports whether data holds only white space and comments.
func blank(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	for _, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' {
			return false
		}
	}
	return true
}

// yamlLine finds the line yaml.v3 names in its messages.
var yamlLine = regexp.MustCompile(`\bline (\d+)\b`)

// yamlError turns a yaml.v3 syntax error into one with a line and byte
// offset: the line yaml.v3 names, or the end of the document for the
// errors it reports without one (an unexpected end of input).
func yamlError(data []byte, err error) error {
	msg := cleanYAMLError(err)
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		if n, convErr := strconv.Atoi(msg[m[2]:m[3]]); convErr == nil && n > 0 {
			if m[0] == 0 {
				msg = strings.TrimPrefix(msg[m[1]:], ":")
			}
			return docError(data, offsetOfLine(data, n), "invalid YAML: %s", strings.TrimSpace(msg))
		}
	}
	return docError(data, int64(len(data)), "invalid YAML: %s", msg)
}

// offsetOfLine returns the byte offset at which line n (from 1) starts.
func offsetOfLine(data []byte, n int) int64 {
	off := 0
	for line := 1; line < n; line++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return int64(len(data))
		}
		off += i + 1
	}
	return int64(off)
}

// checkJSON reports a JSON syntax error with its line and byte offset.
func checkJSON(data []byte) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&v)
	if err == nil {
		if _, err2 := dec.Token(); err2 != io.EOF {
			return docError(data, dec.InputOffset(), "invalid JSON: data after the top-level value")
		}
		return nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return docError(data, se.Offset, "invalid JSON: %s", se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return docError(data, int64(len(data)), "invalid JSON: document ends early (truncated?)")
	}
	return docError(data, dec.InputOffset(), "invalid JSON: %s", err.Error())
}

func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// decoder fills Go values from a YAML node tree the way yaml.v3 would, but
// keeps going after a mistake so that all of them are reported, rejects
// unknown keys and records the line of every path.
type decoder struct {
	c        *collector
	used     int
	depth    int
	overflow bool
	// strict refuses scalars whose type differs from the wanted one (a
	// JSON number where a string is wanted).
	strict bool
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.used++
	if d.used > maxNodes {
		if !d.overflow {
			d.c.addLine(path, n.Line, "spec too large: more than %d nodes after expanding aliases", maxNodes)
			d.overflow = true
		}
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			d.decode(n.Content[0], v, path)
		}
		return
	case yaml.AliasNode:
		d.decode(n.Alias, v, path)
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		if !d.overflow {
			d.c.addLine(path, n.Line, "nested more than %d levels deep", maxDepth)
			d.overflow = true
		}
		return
	}
	if _, ok := d.c.lines[path]; !ok {
		d.c.lines[path] = n.Line
	}
	if isNull(n) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		if v.Type() == timeType {
			d.scalar(n, v, path)
			return
		}
		d.structure(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.c.addLine(path, n.Line, "want a list, found %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), indexPath(path, i))
		}
		v.Set(s)
	case reflect.Map:
		d.mapping(n, v, path)
	case reflect.Interface:
		if !d.chargeTree(n, path) {
			return
		}
		var x any
		if err := n.Decode(&x); err != nil {
			d.c.addLine(path, n.Line, "%s", cleanYAMLError(err))
			return
		}
		v.Set(reflect.ValueOf(normalize(x)))
	default:
		d.scalar(n, v, path)
	}
}

// chargeTree counts the nodes below n, aliases expanded, against the
// node budget before yaml.v3 decodes n into a free-form value: each alias
// of a large anchor would otherwise cost one node here and the whole
// anchor there. The depth and key-length limits hold below n too.
func (d *decoder) chargeTree(n *yaml.Node, path string) bool {
	return d.chargeBelow(n, path, d.depth)
}

func (d *decoder) chargeBelow(n *yaml.Node, path string, depth int) bool {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return d.chargeNode(n.Alias, path, depth)
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 && d.longKey(c, path) {
			d.overflow = true
			return false
		}
		if !d.chargeNode(c, path, depth+1) {
			return false
		}
	}
	return true
}

func (d *decoder) chargeNode(n *yaml.Node, path string, depth int) bool {
	d.used++
	if d.used > maxNodes {
		if !d.overflow {
			d.c.addLine(path, n.Line, "spec too large: more than %d nodes after expanding aliases", maxNodes)
			d.overflow = true
		}
		return false
	}
	if depth > maxDepth {
		if !d.overflow {
			d.c.addLine(path, n.Line, "nested more than %d levels deep", maxDepth)
			d.overflow = true
		}
		return false
	}
	return d.chargeBelow(n, path, depth)
}

func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.c.addLine(path, n.Line, "want a %s, found %s", typeName(v.Type()), kindName(n))
		return
	}
	if d.strict && v.Kind() == reflect.String && n.ShortTag() != "!!str" {
		d.c.addLine(path, n.Line, "want a string, found %s %s", jsonKind(n), n.Value)
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.c.addLine(path, n.Line, "cannot read %q as a %s", n.Value, typeName(v.Type()))
	}
}

// jsonKind names the JSON type of a scalar that is not a string.
func jsonKind(n *yaml.Node) string {
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "the number"
	case "!!bool":
		return "the boolean"
	}
	return "the value"
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.c.addLine(path, n.Line, "want a mapping, found %s", kindName(n))
		return
	}
	fields := structFields(v.Type())
	seen := map[string]int{}
	d.pairs(n, path, func(k, val *yaml.Node) {
		key := k.Value
		if d.longKey(k, path) {
			return
		}
		p := keyPath(path, key)
		idx, ok := fields[key]
		if !ok {
			d.c.addLine(p, k.Line, "unknown key %q%s", key, suggest(key, fields))
			return
		}
		if prev, dup := seen[key]; dup {
			d.c.addLine(p, k.Line, "key %q repeated (first on line %d)", key, prev)
			return
		}
		seen[key] = k.Line
		d.c.lines[p] = k.Line
		d.decode(val, v.Field(idx), p)
	})
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.c.addLine(path, n.Line, "want a mapping, found %s", kindName(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		d.c.addLine(path, n.Line, "unsupported map key type")
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(v.Type(), len(n.Content)/2))
	}
	seen := map[string]int{}
	d.pairs(n, path, func(k, val *yaml.Node) {
		key := k.Value
		if d.longKey(k, path) {
			return
		}
		p := keyPath(path, key)
		if prev, dup := seen[key]; dup {
			d.c.addLine(p, k.Line, "%q is mapped twice (first on line %d)", key, prev)
			return
		}
		seen[key] = k.Line
		d.c.lines[p] = k.Line
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, elem, p)
		v.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), elem)
	})
}

// longKey reports (and rejects) a key too long to be a name.
func (d *decoder) longKey(k *yaml.Node, path string) bool {
	if len(k.Value) <= maxKeyLen {
		return false
	}
	d.c.addLine(path, k.Line, "key %q… longer than %d bytes", k.Value[:20], maxKeyLen)
	return true
}

// pairs calls fn for every key and value of a mapping, expanding "<<"
// merge keys first so that explicit keys override merged ones.
func (d *decoder) pairs(n *yaml.Node, path string, fn func(k, v *yaml.Node)) {
	var own [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.c.addLine(path, k.Line, "keys must be plain values, found %s", kindName(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			d.merge(val, path, fn)
			continue
		}
		own = append(own, [2]*yaml.Node{k, val})
	}
	for _, kv := range own {
		fn(kv[0], kv[1])
	}
}

func (d *decoder) merge(n *yaml.Node, path string, fn func(k, v *yaml.Node)) {
	d.used++
	if d.used > maxNodes {
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		if !d.overflow {
			d.c.addLine(path, n.Line, "nested more than %d levels deep", maxDepth)
			d.overflow = true
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		d.pairs(n, path, fn)
	case yaml.SequenceNode:
		for _, m := range n.Content {
			d.merge(m, path, fn)
		}
	default:
		d.c.addLine(path, n.Line, "a merge key needs a mapping, found %s", kindName(n))
	}
}

// structFields maps the yaml names of a struct's fields to their index.
func structFields(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = i
	}
	return m
}

// suggest proposes the known key closest to a misspelt one.
func suggest(key string, fields map[string]int) string {
	for _, name := range sortedKeys(fields) {
		if similar(name, key) {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
	}
	return ""
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64:
		if t == durationType {
			return "duration"
		}
		return "integer"
	case reflect.Float64, reflect.Float32:
		return "number"
	case reflect.String:
		return "string"
	}
	if t == timeType {
		return "time"
	}
	return t.String()
}

// cleanYAMLError strips yaml.v3's "yaml: unmarshal errors:" framing.
func cleanYAMLError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "yaml: unmarshal errors:\n")
	return strings.TrimSpace(strings.TrimPrefix(s, "yaml: "))
}

// normalize turns yaml's int into int64, as tracker.Issue.Fields holds.
func normalize(x any) any {
	switch v := x.(type) {
	case int:
		return int64(v)
	case []any:
		for i := range v {
			v[i] = normalize(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = normalize(v[k])
		}
	}
	return x
}
