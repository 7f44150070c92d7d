package jira

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// DecodeProblem is a value Jira sent for a modelled key whose type was not
// the one this package expects (a number where a timestamp belongs, an
// object where a string does). The object holding it is decoded all the
// same: the value is kept as sent (in Extra, or in IssueFields.Other for an
// issue field) and the problem is reported here.
type DecodeProblem struct {
	// Path locates the value from the object the problems were read from:
	// "fields.updated", "fields.project.lead", "transitions[2].to".
	Path string
	// Raw is the value as sent.
	Raw json.RawMessage
	// Err says what did not fit.
	Err error
}

// Error describes the problem.
func (p DecodeProblem) Error() string {
	return fmt.Sprintf("jira: %s: %v", p.Path, p.Err)
}

// Unwrap returns the decoding error.
func (p DecodeProblem) Unwrap() error { return p.Err }

// Extras keeps what Jira sent beyond a type's modelled fields. Types the
// client returns embed it, so nothing Jira sends is lost: keys this package
// does not model are kept raw in Extra, and so is the value of a modelled
// key that came with an unexpected type, which is also reported by
// Problems instead of failing the whole answer.
type Extras struct {
	// Extra holds the keys this package does not model, and modelled keys
	// whose value had an unexpected type, as sent.
	Extra map[string]json.RawMessage `json:"-"`

	problems []DecodeProblem
}

// Problems lists the values of modelled keys, in this object and the
// objects it holds, that had an unexpected type; nil when everything fit.
func (e *Extras) Problems() []DecodeProblem {
	if e == nil {
		return nil
	}
	return e.problems
}

func (e *Extras) decodeProblems() []DecodeProblem { return e.problems }

// problemHolder is implemented by decoded values that report problems.
type problemHolder interface{ decodeProblems() []DecodeProblem }

// structInfo maps JSON keys to struct fields of one type.
type structInfo struct {
	fields map[string][]int // key → field index path
	extras []int            // index path of the embedded Extras, nil if none
}

var structInfos sync.Map // reflect.Type → *structInfo

var extrasType = reflect.TypeFor[Extras]()

func infoOf(t reflect.Type) *structInfo {
	if v, ok := structInfos.Load(t); ok {
		return v.(*structInfo)
	}
	si := &structInfo{fields: map[string][]int{}}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == extrasType && f.Anonymous {
			si.extras = f.Index
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		si.fields[name] = f.Index
	}
	v, _ := structInfos.LoadOrStore(t, si)
	return v.(*structInfo)
}

// decodeLenient decodes a JSON object into the struct dst points at, key by
// key: a key whose value does not fit its field is kept raw in the
// struct's Extras and reported as a problem, keys the struct does not model
// are kept raw, and null leaves a field zero. Only input that is not a
// JSON object at all is an error.
func decodeLenient(data []byte, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return fmt.Errorf("jira: %s: %w", t.Name(), err)
	}
	v.SetZero()
	si := infoOf(t)
	var ex *Extras
	if si.extras != nil {
		ex = v.FieldByIndex(si.extras).Addr().Interface().(*Extras)
	}
	keep := func(k string, raw json.RawMessage) {
		if ex == nil {
			return
		}
		if ex.Extra == nil {
			ex.Extra = map[string]json.RawMessage{}
		}
		ex.Extra[k] = raw
	}
	for k, raw := range all {
		idx, ok := si.fields[k]
		if !ok {
			keep(k, raw)
			continue
		}
		if bytes.Equal(raw, []byte("null")) {
			continue
		}
		fv := v.FieldByIndex(idx)
		if err := json.Unmarshal(raw, fv.Addr().Interface()); err != nil {
			fv.SetZero()
			keep(k, raw)
			if ex != nil {
				ex.problems = append(ex.problems, DecodeProblem{Path: k, Raw: raw, Err: err})
			}
			continue
		}
		if ex != nil {
			ex.problems = liftProblems(ex.problems, k, fv)
		}
	}
	return nil
}

// liftProblems appends the problems of the values held in fv, with their
// paths below key.
func liftProblems(dst []DecodeProblem, key string, fv reflect.Value) []DecodeProblem {
	switch fv.Kind() {
	case reflect.Pointer:
		if fv.IsNil() {
			return dst
		}
		return liftProblems(dst, key, fv.Elem())
	case reflect.Struct:
		if fv.CanAddr() {
			if ph, ok := fv.Addr().Interface().(problemHolder); ok {
				for _, p := range ph.decodeProblems() {
					p.Path = key + "." + p.Path
					dst = append(dst, p)
				}
			}
		}
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.Pointer && fv.Type().Elem().Kind() != reflect.Struct {
			return dst
		}
		for i := range fv.Len() {
			dst = liftProblems(dst, key+"["+strconv.Itoa(i)+"]", fv.Index(i))
		}
	case reflect.Map:
		if fv.Type().Key().Kind() != reflect.String {
			return dst
		}
		ek := fv.Type().Elem().Kind()
		if ek != reflect.Pointer && ek != reflect.Struct {
			return dst
		}
		iter := fv.MapRange()
		for iter.Next() {
			e := iter.Value()
			if e.Kind() == reflect.Struct {
				cp := reflect.New(e.Type()).Elem()
				cp.Set(e)
				e = cp
			}
			dst = liftProblems(dst, key+"."+iter.Key().String(), e)
		}
	}
	return dst
}

// encodeWithExtras writes v (a struct without its own MarshalJSON, passed
// as a value of a method-free alias type) and then the keys of extra that
// v does not set, so a value read, changed and sent back keeps what this
// package does not model.
func encodeWithExtras(v any, extra map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, raw := range extra {
		if _, set := m[k]; !set {
			m[k] = raw
		}
	}
	return json.Marshal(m)
}
