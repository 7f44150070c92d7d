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
	index []int
}

type structInfo struct {
	fields map[string]fieldInfo
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
		si.fields[name] = fieldInfo{index: f.Index}
	}
	v, _ := cache.LoadOrStore(t, si)
	return v.(*structInfo)
}

// Decode decodes the JSON object data into the struct v points to. Each
// key goes to the exported field whose json tag (or name) it matches
// exactly; a value that does not fit leaves the field zero and is reported
// in problems, together with the problems nested values report in a
// Problems []FieldError field of their own. Keys no field takes are
// returned in extra. null leaves v untouched. The error is non-nil only
// when data is not a JSON object.
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
	var all map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &all); err != nil {
		return nil, nil, err
	}
	elem := rv.Elem()
	si := infoOf(elem.Type())
	for key, raw := range all {
		fi, ok := si.fields[key]
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
