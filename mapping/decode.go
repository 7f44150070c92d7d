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
	"strings"

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
// templates. Every mistake is reported at once in an *Errors.
func Load(r io.Reader, format Format) (*Spec, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSpecSize+1))
	if err != nil {
		return nil, fmt.Errorf("mapping: read spec: %w", err)
	}
	if len(data) > MaxSpecSize {
		return nil, fmt.Errorf("mapping: spec larger than %d bytes", MaxSpecSize)
	}
	if format == JSON {
		if err := checkJSON(data); err != nil {
			return nil, err
		}
	}
	return Parse(data)
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
// templates.
func Parse(data []byte) (*Spec, error) {
	if len(data) > MaxSpecSize {
		return nil, fmt.Errorf("mapping: spec larger than %d bytes", MaxSpecSize)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, errors.New("mapping: empty spec")
	}
	d := &decoder{c: &collector{lines: map[string]int{}}}
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

// checkJSON reports a JSON syntax error with its line.
func checkJSON(data []byte) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&v)
	if err == nil {
		if _, err2 := dec.Token(); err2 != io.EOF {
			return &Errors{List: []*FieldError{{Line: lineAt(data, dec.InputOffset()), Msg: "invalid JSON: data after the top-level value"}}}
		}
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &Errors{List: []*FieldError{{Line: lineAt(data, se.Offset), Msg: "invalid JSON: " + se.Error()}}}
	}
	return &Errors{List: []*FieldError{{Msg: "invalid JSON: " + err.Error()}}}
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
// anchor there.
func (d *decoder) chargeTree(n *yaml.Node, path string) bool {
	for _, c := range n.Content {
		if !d.chargeNode(c, path) {
			return false
		}
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return d.chargeNode(n.Alias, path)
	}
	return true
}

func (d *decoder) chargeNode(n *yaml.Node, path string) bool {
	d.used++
	if d.used > maxNodes {
		if !d.overflow {
			d.c.addLine(path, n.Line, "spec too large: more than %d nodes after expanding aliases", maxNodes)
			d.overflow = true
		}
		return false
	}
	return d.chargeTree(n, path)
}

func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.c.addLine(path, n.Line, "want a %s, found %s", typeName(v.Type()), kindName(n))
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.c.addLine(path, n.Line, "cannot read %q as a %s", n.Value, typeName(v.Type()))
	}
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
