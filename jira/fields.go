package jira

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/internal/jsonscan"
	"github.com/trackbridge/trackbridge/tracker"
)

// Field describes a system or custom field (GET /field).
type Field struct {
	Extras

	ID          string       `json:"id"`
	Key         string       `json:"key,omitempty"`
	Name        string       `json:"name"`
	Custom      bool         `json:"custom"`
	Orderable   bool         `json:"orderable,omitempty"`
	Navigable   bool         `json:"navigable,omitempty"`
	Searchable  bool         `json:"searchable,omitempty"`
	ClauseNames []string     `json:"clauseNames,omitempty"`
	Schema      *FieldSchema `json:"schema,omitempty"`
}

// FieldSchema is a field's data type: Type is string, number, date,
// datetime, option, user, array (of Items), any, or an object name such as
// priority; Custom names the custom field type
// (com.atlassian.jira.plugin.system.customfieldtypes:textarea).
type FieldSchema struct {
	Extras

	Type     string `json:"type"`
	Items    string `json:"items,omitempty"`
	System   string `json:"system,omitempty"`
	Custom   string `json:"custom,omitempty"`
	CustomID int64  `json:"customId,omitempty"`
}

// IsRichText reports whether the field takes ADF on Cloud: description,
// environment and textarea custom fields.
func (s *FieldSchema) IsRichText() bool {
	if s == nil {
		return false
	}
	return s.System == "description" || s.System == "environment" ||
		strings.HasSuffix(s.Custom, ":textarea")
}

// FieldsService lists fields and resolves display names to ids, caching the
// list. Call Invalidate after fields are added or renamed.
type FieldsService struct {
	c *Client

	// loading is a one-slot semaphore: one list request at a time, and
	// callers waiting for it still honour their ctx.
	loading chan struct{}
	mu      sync.Mutex // guards byID and byName
	byID    map[string]*Field
	byName  map[string][]*Field
}

// List returns every field (GET /field).
func (s *FieldsService) List(ctx context.Context) ([]Field, *Response, error) {
	var out []Field
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("field"), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Invalidate drops the cached field list.
func (s *FieldsService) Invalidate() {
	s.mu.Lock()
	s.byID, s.byName = nil, nil
	s.mu.Unlock()
}

func (s *FieldsService) loaded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID != nil
}

// load fills the cache once; concurrent callers wait for one request, or
// until their ctx ends.
func (s *FieldsService) load(ctx context.Context) error {
	if s.loaded() {
		return nil
	}
	select {
	case s.loading <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.loading }()
	if s.loaded() { // loaded by the caller we waited for
		return nil
	}
	list, _, err := s.List(ctx)
	if err != nil {
		return err
	}
	byID := make(map[string]*Field, len(list))
	byName := make(map[string][]*Field, len(list))
	for i := range list {
		f := &list[i]
		byID[f.ID] = f
		k := strings.ToLower(f.Name)
		byName[k] = append(byName[k], f)
	}
	s.mu.Lock()
	s.byID, s.byName = byID, byName
	s.mu.Unlock()
	return nil
}

// Resolve returns the field with the given id or display name (compared
// case-insensitively). An unknown name, or a name two fields share, is an
// error naming the candidates that matches tracker.ErrInvalid; a failure
// to load the field list keeps its own class (unauthorized, unavailable).
func (s *FieldsService) Resolve(ctx context.Context, nameOrID string) (*Field, error) {
	if err := s.load(ctx); err != nil {
		return nil, fmt.Errorf("jira: resolving field %q: %w", nameOrID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.byID[nameOrID]; ok {
		return f, nil
	}
	cands := s.byName[strings.ToLower(nameOrID)]
	switch len(cands) {
	case 0:
		return nil, fmt.Errorf("jira: no field is named %q: %w", nameOrID, tracker.ErrInvalid)
	case 1:
		return cands[0], nil
	}
	ids := make([]string, len(cands))
	for i, f := range cands {
		ids[i] = f.ID
	}
	return nil, fmt.Errorf("jira: field name %q is ambiguous (%s); use the id: %w", nameOrID, strings.Join(ids, ", "), tracker.ErrInvalid)
}

// ByID returns the cached field with this id, loading the list if needed.
// An id the list does not hold is an error matching tracker.ErrNotFound.
func (s *FieldsService) ByID(ctx context.Context, id string) (*Field, error) {
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	f, ok := s.lookup(id)
	if !ok {
		return nil, fmt.Errorf("jira: no field has id %q: %w", id, tracker.ErrNotFound)
	}
	return f, nil
}

// lookup finds a field in the loaded list.
func (s *FieldsService) lookup(id string) (*Field, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.byID[id]
	return f, ok
}

// FieldValue is a typed value for a field in a create or edit request. The
// client renders it in the form the deployment expects (a user is an
// accountId on Cloud and a name on Data Center).
type FieldValue interface {
	fieldJSON(cloud bool) any
}

type valueFunc func(cloud bool) any

func (f valueFunc) fieldJSON(cloud bool) any { return f(cloud) }

// TextValue sets a single-line text field (a plain string on both
// deployments).
func TextValue(s string) FieldValue { return valueFunc(func(bool) any { return s }) }

// TextAreaValue sets a multi-line text field: ADF on Cloud, a string on
// Data Center.
func TextAreaValue(s string) FieldValue {
	return valueFunc(func(cloud bool) any { return Plain(s).forWire(cloud) })
}

// NumberValue sets a number field.
func NumberValue(n float64) FieldValue { return valueFunc(func(bool) any { return n }) }

// SelectValue sets a single-select (option) field by the option's value.
func SelectValue(option string) FieldValue {
	return valueFunc(func(bool) any { return map[string]string{"value": option} })
}

// MultiSelectValue sets a multi-select field by the options' values.
func MultiSelectValue(options ...string) FieldValue {
	return valueFunc(func(bool) any {
		out := make([]map[string]string, len(options))
		for i, o := range options {
			out[i] = map[string]string{"value": o}
		}
		return out
	})
}

// UserValue sets a user field: id is an accountId on Cloud, a user name on
// Data Center. An empty id clears the field.
func UserValue(id string) FieldValue {
	return valueFunc(func(cloud bool) any { return userRef(id, cloud) })
}

func userRef(id string, cloud bool) any {
	if id == "" {
		return nil
	}
	if cloud {
		return map[string]string{"accountId": id}
	}
	return map[string]string{"name": id}
}

// DateValue sets a date field (YYYY-MM-DD, the date of t as it is).
func DateValue(t time.Time) FieldValue {
	return valueFunc(func(bool) any { return t.Format(DateLayout) })
}

// DateTimeValue sets a date-time field in Jira's timestamp format.
func DateTimeValue(t time.Time) FieldValue {
	return valueFunc(func(bool) any { return FormatTime(t) })
}

// LabelsValue sets a labels field to exactly these labels.
func LabelsValue(labels ...string) FieldValue {
	return valueFunc(func(bool) any {
		if labels == nil {
			return []string{}
		}
		return labels
	})
}

// RawValue sets a field to JSON as it is, for types without a setter.
func RawValue(raw json.RawMessage) FieldValue { return valueFunc(func(bool) any { return raw }) }

// Fields maps field ids or display names to values in a create or edit
// request. Values are FieldValue, *RichText, or anything that encodes to
// the JSON Jira expects; names are resolved to ids through the client's
// field cache, and plain strings for rich-text fields become ADF on Cloud.
type Fields map[string]any

// systemFieldIDs need no lookup.
var systemFieldIDs = map[string]bool{
	"summary": true, "description": true, "environment": true, "project": true, "issuetype": true,
	"priority": true, "assignee": true, "reporter": true, "labels": true, "parent": true,
	"duedate": true, "components": true, "fixVersions": true, "versions": true, "resolution": true,
	"security": true, "timetracking": true,
}

// encodeFields resolves names and renders values for the wire.
func (c *Client) encodeFields(ctx context.Context, in Fields) (map[string]any, error) {
	if in == nil {
		return nil, nil
	}
	out := make(map[string]any, len(in))
	for k, v := range in {
		id := k
		var schema *FieldSchema
		if !systemFieldIDs[k] {
			f, err := c.Fields.Resolve(ctx, k)
			if err != nil {
				return nil, err
			}
			id, schema = f.ID, f.Schema
		} else if k == "description" || k == "environment" {
			schema = &FieldSchema{System: k}
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("jira: field %s is set twice (as %q and by another name)", id, k)
		}
		out[id] = c.encodeValue(v, schema)
	}
	return out, nil
}

func (c *Client) encodeValue(v any, schema *FieldSchema) any {
	cloud := c.isCloud()
	switch x := v.(type) {
	case FieldValue:
		return x.fieldJSON(cloud)
	case *RichText:
		return x.forWire(cloud)
	case RichText:
		return x.forWire(cloud)
	case string:
		if schema.IsRichText() {
			return Plain(x).forWire(cloud)
		}
	case time.Time:
		if schema != nil && schema.Type == "date" {
			return x.Format(DateLayout)
		}
		return FormatTime(x)
	}
	return v
}

// Decode decodes the field with this id into v. It reports false when the
// issue has no such field or it is null.
func (f *IssueFields) Decode(id string, v any) (bool, error) {
	if f == nil {
		return false, nil
	}
	raw, ok := f.Other[id]
	if !ok || string(raw) == "null" {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("jira: field %s: %w", id, err)
	}
	return true, nil
}

// String returns a text field, an option's value (or an object's name),
// or a rich-text field as plain text.
func (f *IssueFields) String(id string) (string, bool) {
	raw, ok := f.raw(id)
	if !ok {
		return "", false
	}
	if raw[0] == '"' {
		return jsonscan.String(raw)
	}
	typ, value, name, ok := probeObject(raw)
	if !ok {
		return "", false
	}
	switch {
	case typ == "doc":
		var rt RichText
		if rt.UnmarshalJSON(raw) != nil {
			return "", false
		}
		return rt.Text(), true
	case value != "":
		return value, true
	}
	return name, true
}

// raw returns a field's JSON, or false when it is absent or null.
func (f *IssueFields) raw(id string) (json.RawMessage, bool) {
	if f == nil {
		return nil, false
	}
	raw, ok := f.Other[id]
	if !ok || len(raw) == 0 || jsonscan.IsNull(raw) {
		return nil, false
	}
	return raw, true
}

// probeObject reads the type, value and name (or accountId, as name) of
// an object in one pass; ok is false when raw is not an object.
func probeObject(raw []byte) (typ, value, name string, ok bool) {
	if raw[0] != '{' {
		return "", "", "", false
	}
	var account string
	err := jsonscan.Object(raw, func(k, v []byte) error {
		key, _ := jsonscan.Key(k)
		switch string(key) {
		case "type":
			typ, _ = jsonscan.String(v)
		case "value":
			value, _ = jsonscan.String(v)
		case "name":
			name, _ = jsonscan.String(v)
		case "accountId":
			account, _ = jsonscan.String(v)
		}
		return nil
	})
	if err != nil {
		return "", "", "", false
	}
	if name == "" {
		name = account
	}
	return typ, value, name, true
}

// Float returns a number field.
func (f *IssueFields) Float(id string) (float64, bool) {
	raw, ok := f.raw(id)
	if !ok || raw[0] == '"' || raw[0] == '{' || raw[0] == '[' {
		return 0, false
	}
	n, err := strconv.ParseFloat(string(raw), 64)
	return n, err == nil
}

// Strings returns a multi-value field (labels, multi-select options,
// versions) as strings: option values, names, or the strings themselves.
func (f *IssueFields) Strings(id string) ([]string, bool) {
	raw, ok := f.raw(id)
	if !ok || raw[0] != '[' {
		return nil, false
	}
	out := make([]string, 0, 4)
	err := jsonscan.Array(raw, func(r []byte) error {
		s, ok := scalarString(r)
		if !ok {
			return jsonscan.ErrSyntax
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, false
	}
	return out, true
}

// scalarString reads a string, or the value/accountId/name of an object.
func scalarString(r []byte) (string, bool) {
	if len(r) > 0 && r[0] == '"' {
		return jsonscan.String(r)
	}
	if len(r) == 0 || r[0] != '{' {
		return "", false
	}
	var value, name, account string
	err := jsonscan.Object(r, func(k, v []byte) error {
		key, _ := jsonscan.Key(k)
		switch string(key) {
		case "value":
			value, _ = jsonscan.String(v)
		case "name":
			name, _ = jsonscan.String(v)
		case "accountId":
			account, _ = jsonscan.String(v)
		}
		return nil
	})
	if err != nil {
		return "", false
	}
	switch {
	case value != "":
		return value, true
	case account != "":
		return account, true
	}
	return name, true
}

// User returns a user field.
func (f *IssueFields) User(id string) (*User, bool) {
	var u User
	ok, err := f.Decode(id, &u)
	return &u, ok && err == nil
}

// Time returns a date-time field.
func (f *IssueFields) Time(id string) (time.Time, bool) {
	raw, ok := f.raw(id)
	if !ok {
		return time.Time{}, false
	}
	var t Time
	err := t.UnmarshalJSON(raw)
	return t.Time, err == nil
}

// Date returns a date-only field as midnight UTC.
func (f *IssueFields) Date(id string) (time.Time, bool) {
	raw, ok := f.raw(id)
	if !ok {
		return time.Time{}, false
	}
	var d Date
	err := d.UnmarshalJSON(raw)
	return d.Time, err == nil
}

// Value decodes a field by its schema into the Go value package tracker
// uses: string, float64, time.Time, []string, a user's id, or, for types it
// does not know, whatever encoding/json makes of it. It returns nil for an
// absent or null field, and on nil fields (an issue fetched with fields
// that exclude them) as the other accessors do.
func (f *IssueFields) Value(id string, schema *FieldSchema) any {
	if f == nil {
		return nil
	}
	raw, ok := f.Other[id]
	if !ok || string(raw) == "null" {
		return nil
	}
	typ := ""
	if schema != nil {
		typ = schema.Type
	}
	switch typ {
	case "string":
		if s, ok := f.String(id); ok {
			return s
		}
	case "number":
		if n, ok := f.Float(id); ok {
			return n
		}
	case "date":
		if t, ok := f.Date(id); ok {
			return t
		}
	case "datetime":
		if t, ok := f.Time(id); ok {
			return t
		}
	case "option", "priority", "resolution", "status":
		if s, ok := f.String(id); ok {
			return s
		}
	case "user":
		if u, ok := f.User(id); ok {
			return u.ID()
		}
	case "array":
		if l, ok := f.Strings(id); ok {
			return l
		}
	}
	v, _ := decodeAny(raw)
	return v
}

// decodeAny decodes a JSON value as encoding/json does into an any
// (string, float64, bool, nil, []any, map[string]any), in one pass.
func decodeAny(raw []byte) (any, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case '"':
		return jsonscan.String(raw)
	case '{':
		m := make(map[string]any)
		err := jsonscan.Object(raw, func(k, v []byte) error {
			key, ok := jsonscan.String(k)
			if !ok {
				return jsonscan.ErrSyntax
			}
			val, ok := decodeAny(v)
			if !ok {
				return jsonscan.ErrSyntax
			}
			m[key] = val
			return nil
		})
		return m, err == nil
	case '[':
		l := make([]any, 0, 4)
		err := jsonscan.Array(raw, func(v []byte) error {
			val, ok := decodeAny(v)
			if !ok {
				return jsonscan.ErrSyntax
			}
			l = append(l, val)
			return nil
		})
		return l, err == nil
	case 't', 'f':
		return jsonscan.Bool(raw)
	case 'n':
		return nil, jsonscan.IsNull(raw)
	}
	n, err := strconv.ParseFloat(string(raw), 64)
	return n, err == nil
}
