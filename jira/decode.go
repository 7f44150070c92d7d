package jira

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/trackbridge/trackbridge/internal/jsonscan"
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

// decodeLenient decodes a JSON object into the struct dst points at, in
// one pass over the object's keys: a key whose value does not fit its
// field is kept raw in the struct's Extras and reported as a problem, keys
// the struct does not model are kept raw, and null leaves a field zero.
// Only input that is not a JSON object at all is an error.
func decodeLenient(data []byte, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	v.SetZero()
	si := infoOf(t)
	var ex *Extras
	if si.extras != nil {
		ex = v.FieldByIndex(si.extras).Addr().Interface().(*Extras)
	}
	err := jsonscan.Object(data, func(rawKey, raw []byte) error {
		key, plain := jsonscan.Key(rawKey)
		var idx []int
		if plain {
			idx = si.fields[string(key)]
		}
		if idx == nil {
			if ex != nil {
				return keepRaw(&ex.Extra, rawKey, raw)
			}
			return nil
		}
		if jsonscan.IsNull(raw) {
			return nil
		}
		fv := v.FieldByIndex(idx)
		if err := decodeValue(fv, raw); err != nil {
			fv.SetZero()
			if ex != nil {
				if err := keepRaw(&ex.Extra, rawKey, raw); err != nil {
					return err
				}
				ex.problems = append(ex.problems, DecodeProblem{Path: string(key), Raw: json.RawMessage(ex.Extra[string(key)]), Err: err})
			}
			return nil
		}
		if ex != nil {
			ex.problems = liftProblems(ex.problems, string(key), fv)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("jira: %s: %w", t.Name(), err)
	}
	return nil
}

// keepRaw stores a copy of a value under its key.
func keepRaw(m *map[string]json.RawMessage, rawKey, raw []byte) error {
	k, ok := jsonscan.String(rawKey)
	if !ok {
		return jsonscan.ErrSyntax
	}
	if *m == nil {
		*m = map[string]json.RawMessage{}
	}
	(*m)[k] = append(json.RawMessage(nil), raw...)
	return nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// decodeValue decodes raw (not null) into fv: strings, numbers and bools
// directly, values with an UnmarshalJSON method through it, lists element
// by element, anything else through encoding/json. The input has been
// validated by encoding/json already, so nothing is scanned twice.
func decodeValue(fv reflect.Value, raw []byte) error {
	if fv.Kind() == reflect.Pointer {
		nv := reflect.New(fv.Type().Elem())
		if err := decodeValue(nv.Elem(), raw); err != nil {
			return err
		}
		fv.Set(nv)
		return nil
	}
	if reflect.PointerTo(fv.Type()).Implements(unmarshalerType) {
		return fv.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw)
	}
	switch fv.Kind() {
	case reflect.String:
		s, ok := jsonscan.String(raw)
		if !ok {
			return mismatch(raw, "a string")
		}
		fv.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := jsonscan.Bool(raw)
		if !ok {
			return mismatch(raw, "true or false")
		}
		fv.SetBool(b)
		return nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := jsonscan.Int(raw)
		if !ok || fv.OverflowInt(n) {
			return mismatch(raw, "an integer")
		}
		fv.SetInt(n)
		return nil
	case reflect.Slice:
		if fv.Type().Elem().Kind() == reflect.Uint8 {
			break // []byte and json.RawMessage
		}
		if len(raw) == 0 || raw[0] != '[' {
			return mismatch(raw, "a list")
		}
		fv.Set(reflect.MakeSlice(fv.Type(), 0, 4))
		return jsonscan.Array(raw, func(e []byte) error {
			ev := reflect.New(fv.Type().Elem()).Elem()
			if !jsonscan.IsNull(e) {
				if err := decodeValue(ev, e); err != nil {
					return err
				}
			}
			fv.Set(reflect.Append(fv, ev))
			return nil
		})
	}
	return json.Unmarshal(raw, fv.Addr().Interface())
}

// mismatch describes a value of the wrong JSON type.
func mismatch(raw []byte, want string) error {
	got := "a number"
	switch raw[0] {
	case '"':
		got = "a string"
	case '{':
		got = "an object"
	case '[':
		got = "a list"
	case 't', 'f':
		got = "a boolean"
	}
	return fmt.Errorf("got %s, want %s", got, want)
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
