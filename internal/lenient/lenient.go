// Package lenient decodes JSON objects into structs field by field, so one
// value of an unexpected type costs that field only, never the object
// around it, and keys the struct does not model are kept raw.
//
// A vendor type uses it from its UnmarshalJSON and MarshalJSON:
//
//	type Issue struct {
//		Summary  string                     `json:"summary"`
//		Extra    map[string]json.RawMessage `json:"-"`
//		Problems []lenient.FieldError       `json:"-"`
//	}
//
//	func (i *Issue) UnmarshalJSON(data []byte) error {
//		type plain Issue
//		*i = Issue{}
//		var err error
//		i.Extra, i.Problems, err = lenient.Decode(data, (*plain)(i))
//		return err
//	}
//
//	func (i Issue) MarshalJSON() ([]byte, error) {
//		type plain Issue
//		return lenient.Encode(plain(i), i.Extra, i.Problems)
//	}
//
// Encoding puts every kept key back and writes a mistyped field's raw value
// instead of its zero value, so decoding and encoding loses nothing.
package lenient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// FieldError reports a known field whose value could not be decoded into
// its Go type. The field keeps its zero value; Raw keeps what was sent.
type FieldError struct {
	// Field is the JSON path of the field below the decoded object
	// ("updated", "reporter.login", "customFields[2].value").
	Field string
	// Raw is the value as the server sent it.
	Raw json.RawMessage
	// Err says why the value did not fit.
	Err error
}

// Error names the field and the problem.
func (e FieldError) Error() string {
	return fmt.Sprintf("field %s: %v", e.Field, e.Err)
}

// Unwrap returns the decoding error.
func (e FieldError) Unwrap() error { return e.Err }

// Join returns the problems as one error (nil when there are none), for
// callers that want to fail on them after all.
func Join(problems []FieldError) error {
	if len(problems) == 0 {
		return nil
	}
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// ErrNotObject is returned by [Decode] for JSON that is not an object.
var ErrNotObject = errors.New("not a JSON object")

type fieldInfo struct {
	name  string
	index []int
}

type structInfo struct {
	fields map[string]fieldInfo
	// folded maps lower-cased names to fields, for keys that match only
	// case-insensitively.
	folded map[string]fieldInfo
	// nested lists the fields whose values may report problems of their
	// own: structs, pointers to them, and lists of them.
	nested []fieldInfo
}

// field returns the field key goes to, as encoding/json would pick it.
func (si *structInfo) field(key string) (fieldInfo, bool) {
	if f, ok := si.fields[key]; ok {
		return f, true
	}
	f, ok := si.folded[strings.ToLower(key)]
	return f, ok
}

// mayNest reports whether values of t can hold a Problems list.
func mayNest(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	f, ok := t.FieldByName("Problems")
	return ok && f.Type == fieldErrorsType
}

var cache sync.Map // reflect.Type → *structInfo

var fieldErrorsType = reflect.TypeFor[[]FieldError]()

func infoOf(t reflect.Type) *structInfo {
	if v, ok := cache.Load(t); ok {
		return v.(*structInfo)
	}
	si := &structInfo{fields: map[string]fieldInfo{}}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			continue // its fields are visible on their own
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := si.fields[name]; dup && len(f.Index) > len(si.fields[name].index) {
			continue // the shallower field wins, as in encoding/json
		}
		si.fields[name] = fieldInfo{name: name, index: f.Index}
	}
	si.folded = make(map[string]fieldInfo, len(si.fields))
	for name, fi := range si.fields {
		if _, ok := si.folded[strings.ToLower(name)]; !ok || name == strings.ToLower(name) {
			si.folded[strings.ToLower(name)] = fi
		}
		if mayNest(t.FieldByIndex(fi.index).Type) {
			si.nested = append(si.nested, fi)
		}
	}
	slices.SortFunc(si.nested, func(a, b fieldInfo) int { return strings.Compare(a.name, b.name) })
	v, _ := cache.LoadOrStore(t, si)
	return v.(*structInfo)
}

// Decode decodes the JSON object data into the struct v points to. Each
// key goes to the exported field whose json tag (or name) it matches,
// exactly or else case-insensitively as encoding/json does; a value that
// does not fit leaves the field zero and is reported in problems, together
// with the problems nested values report in a Problems []FieldError field
// of their own. Keys no field takes are returned in extra. null leaves v
// untouched. The error is non-nil only when data is not a JSON object.
//
// Objects whose values all fit are decoded in one pass of encoding/json;
// only an object with a misfit is decoded again field by field.
func Decode(data []byte, v any) (extra map[string]json.RawMessage, problems []FieldError, err error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, nil, fmt.Errorf("lenient: Decode needs a non-nil struct pointer, got %T", v)
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.Equal(trimmed, []byte("null")) {
		return nil, nil, nil
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, nil, fmt.Errorf("%w: %s", ErrNotObject, clip(trimmed))
	}
	elem := rv.Elem()
	si := infoOf(elem.Type())
	if json.Unmarshal(trimmed, v) == nil {
		// Every value fitted: only the unknown keys and the problems of
		// nested values are left to collect.
		eachMember(trimmed, func(key []byte, escaped bool, raw []byte) {
			if !escaped {
				if _, ok := si.fields[string(key)]; ok { // no allocation
					return
				}
			}
			k := memberKey(key, escaped)
			if _, ok := si.field(k); !ok {
				if extra == nil {
					extra = make(map[string]json.RawMessage)
				}
				extra[k] = append(json.RawMessage(nil), raw...)
			}
		})
		for _, f := range si.nested {
			if fv, ok := fieldByIndex(elem, f.index); ok {
				problems = nested(problems, f.name, fv)
			}
		}
		slices.SortFunc(problems, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
		return extra, problems, nil
	}
	elem.SetZero()
	var all map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &all); err != nil {
		return nil, nil, err
	}
	for key, raw := range all {
		fi, ok := si.field(key)
		if !ok {
			if extra == nil {
				extra = make(map[string]json.RawMessage)
			}
			extra[key] = raw
			continue
		}
		fv, ok := fieldByIndex(elem, fi.index)
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, fv.Addr().Interface()); err != nil {
			fv.SetZero()
			problems = append(problems, FieldError{Field: key, Raw: raw, Err: cleanErr(err)})
			continue
		}
		problems = nested(problems, key, fv)
	}
	slices.SortFunc(problems, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return extra, problems, nil
}

// eachMember calls f with every key of the valid JSON object data, as the
// bytes between its quotes and whether they hold escapes, and the raw
// bytes of its value. It allocates nothing.
func eachMember(data []byte, f func(key []byte, escaped bool, raw []byte)) {
	i := skipSpace(data, 1)
	for i < len(data) && data[i] == '"' {
		end, escaped := stringEnd(data, i)
		key := data[i+1 : end-1]
		i = skipSpace(data, end)
		i = skipSpace(data, i+1) // the colon
		vend := valueEnd(data, i)
		f(key, escaped, data[i:vend])
		i = skipSpace(data, vend)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
}

// memberKey returns a key eachMember found as a string, unescaped.
func memberKey(key []byte, escaped bool) string {
	if !escaped {
		return string(key)
	}
	var k string
	quoted := make([]byte, 0, len(key)+2)
	quoted = append(append(append(quoted, '"'), key...), '"')
	_ = json.Unmarshal(quoted, &k)
	return k
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the string starting at data[i] and
// whether it holds escapes.
func stringEnd(data []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped
		}
	}
	return len(data), escaped
}

// valueEnd returns the index after the value starting at data[i].
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		end, _ := stringEnd(data, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, _ := stringEnd(data, j)
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(data)
	}
	j := i
	for j < len(data) && data[j] != ',' && data[j] != '}' && data[j] != ']' && data[j] != ' ' &&
		data[j] != '\t' && data[j] != '\n' && data[j] != '\r' {
		j++
	}
	return j
}

// fieldByIndex walks index, allocating embedded struct pointers.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// nested appends the problems values inside v reported, prefixed by path.
func nested(problems []FieldError, path string, v reflect.Value) []FieldError {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return problems
		}
		return nested(problems, path, v.Elem())
	case reflect.Struct:
		p := v.FieldByName("Problems")
		if !p.IsValid() || p.Type() != fieldErrorsType {
			return problems
		}
		for _, fe := range p.Interface().([]FieldError) {
			fe.Field = path + "." + fe.Field
			problems = append(problems, fe)
		}
	case reflect.Slice, reflect.Array:
		et := v.Type().Elem()
		for et.Kind() == reflect.Pointer {
			et = et.Elem()
		}
		if et.Kind() != reflect.Struct {
			return problems
		}
		for i := range v.Len() {
			problems = nested(problems, path+"["+strconv.Itoa(i)+"]", v.Index(i))
		}
	}
	return problems
}

// cleanErr drops encoding/json's mention of the Go types involved, which
// names our internal decoding types, and keeps what was wrong.
func cleanErr(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("a JSON %s does not fit %s", te.Value, kindName(te.Type))
	}
	return err
}

func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

func clip(b []byte) string {
	const n = 40
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// Encode marshals v (a struct value without a MarshalJSON of its own, such
// as a method-less copy of the vendor type) and adds the extra keys it does
// not hold, then writes each problem's raw value over its field, so a
// decoded value encodes to what was received.
func Encode(v any, extra map[string]json.RawMessage, problems []FieldError) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil || (len(extra) == 0 && len(problems) == 0) {
		return data, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, err
	}
	for k, raw := range extra {
		if _, ok := obj[k]; !ok && json.Valid(raw) {
			obj[k] = raw
		}
	}
	for _, p := range problems {
		// Nested problems are written back by the nested value itself.
		if !strings.ContainsAny(p.Field, ".[") && json.Valid(p.Raw) {
			obj[p.Field] = p.Raw
		}
	}
	return json.Marshal(obj)
}
