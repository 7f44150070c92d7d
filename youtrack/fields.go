package youtrack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The $type values of issue custom fields.
const (
	TypeSingleEnum    = "SingleEnumIssueCustomField"
	TypeMultiEnum     = "MultiEnumIssueCustomField"
	TypeState         = "StateIssueCustomField"
	TypeStateMachine  = "StateMachineIssueCustomField"
	TypeSingleUser    = "SingleUserIssueCustomField"
	TypeMultiUser     = "MultiUserIssueCustomField"
	TypeSingleGroup   = "SingleGroupIssueCustomField"
	TypeMultiGroup    = "MultiGroupIssueCustomField"
	TypeSingleVersion = "SingleVersionIssueCustomField"
	TypeMultiVersion  = "MultiVersionIssueCustomField"
	TypeSingleBuild   = "SingleBuildIssueCustomField"
	TypeMultiBuild    = "MultiBuildIssueCustomField"
	TypeSingleOwned   = "SingleOwnedIssueCustomField"
	TypeMultiOwned    = "MultiOwnedIssueCustomField"
	TypeDate          = "DateIssueCustomField"
	TypePeriod        = "PeriodIssueCustomField"
	TypeSimple        = "SimpleIssueCustomField"
	TypeText          = "TextIssueCustomField"
)

// Millis is an instant as YouTrack sends it: milliseconds since the Unix
// epoch, UTC.
type Millis int64

// Time returns m as a UTC time.
func (m Millis) Time() time.Time { return time.UnixMilli(int64(m)).UTC() }

// MillisOf returns t in epoch milliseconds.
func MillisOf(t time.Time) Millis { return Millis(t.UnixMilli()) }

// DateOnly returns noon UTC of t's calendar day (in t's location): the
// instant YouTrack stores for a date-only field.
func DateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
}

// CustomField is one custom field of an issue. Value keeps the JSON value as
// the server sent it, so nothing is lost for types this package does not
// know; the methods decode it by Type. Build fields to write with the
// setters ([SingleEnum], [StateValue], [DateValue], …), which set the $type
// YouTrack requires.
type CustomField struct {
	Type string `json:"$type"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
	// Value is the raw JSON value; nil or "null" means empty.
	Value json.RawMessage `json:"value"`
	// ProjectCustomField is filled when the projection asks for it.
	ProjectCustomField *ProjectCustomField `json:"projectCustomField,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// BundleElement is a value of an enum, state, version, build, owned or group
// field.
type BundleElement struct {
	Type        string `json:"$type,omitempty"`
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// IsResolved is set for state values: issues in a resolved state are
	// done.
	IsResolved bool `json:"isResolved,omitempty"`
	Ordinal    int  `json:"ordinal,omitempty"`
	Archived   bool `json:"archived,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// Period is the value of a period field.
type Period struct {
	Type         string `json:"$type,omitempty"`
	ID           string `json:"id,omitempty"`
	Minutes      int64  `json:"minutes,omitempty"`
	Presentation string `json:"presentation,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// TextValue is the value of a text field.
type TextValue struct {
	Type string `json:"$type,omitempty"`
	ID   string `json:"id,omitempty"`
	Text string `json:"text"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// IsMulti reports whether fields of this $type hold a list of values.
func IsMulti(typ string) bool { return strings.HasPrefix(typ, "Multi") }

// isElementType reports whether values of typ are bundle elements.
func isElementType(typ string) bool {
	switch typ {
	case TypeSingleEnum, TypeMultiEnum, TypeState, TypeStateMachine,
		TypeSingleGroup, TypeMultiGroup, TypeSingleVersion, TypeMultiVersion,
		TypeSingleBuild, TypeMultiBuild, TypeSingleOwned, TypeMultiOwned:
		return true
	}
	return false
}

func isUserType(typ string) bool { return typ == TypeSingleUser || typ == TypeMultiUser }

// IsEmpty reports whether the field has no value.
func (f *CustomField) IsEmpty() bool {
	v := bytes.TrimSpace(f.Value)
	return len(v) == 0 || bytes.Equal(v, []byte("null")) || bytes.Equal(v, []byte("[]"))
}

// decodeList decodes a single value or a list into a slice.
func decodeList[T any](raw json.RawMessage) ([]T, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] == '[' {
		var out []T
		err := json.Unmarshal(raw, &out)
		return out, err
	}
	var one T
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	return []T{one}, nil
}

// Elements returns the bundle elements of an enum, state, group, version,
// build or owned field: none when empty, one for single-value fields.
func (f *CustomField) Elements() ([]BundleElement, error) {
	els, err := decodeList[BundleElement](f.Value)
	if err != nil {
		return nil, fmt.Errorf("youtrack: field %q (%s): %w", f.Name, f.Type, err)
	}
	return els, nil
}

// Element returns the value of a single-value bundle field, or nil when it
// is empty.
func (f *CustomField) Element() (*BundleElement, error) {
	els, err := f.Elements()
	if err != nil || len(els) == 0 {
		return nil, err
	}
	return &els[0], nil
}

// Users returns the users of a user field.
func (f *CustomField) Users() ([]User, error) {
	us, err := decodeList[User](f.Value)
	if err != nil {
		return nil, fmt.Errorf("youtrack: field %q (%s): %w", f.Name, f.Type, err)
	}
	return us, nil
}

// Time returns the instant of a date or date-time field; ok is false when
// the field is empty.
func (f *CustomField) Time() (t time.Time, ok bool, err error) {
	if f.IsEmpty() {
		return time.Time{}, false, nil
	}
	var ms int64
	if err := json.Unmarshal(f.Value, &ms); err != nil {
		return time.Time{}, false, fmt.Errorf("youtrack: field %q (%s): not epoch milliseconds: %w", f.Name, f.Type, err)
	}
	return Millis(ms).Time(), true, nil
}

// Text returns the text of a text field, or a simple field's string.
func (f *CustomField) Text() (string, error) {
	if f.IsEmpty() {
		return "", nil
	}
	v := bytes.TrimSpace(f.Value)
	if v[0] == '"' {
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	}
	var tv TextValue
	if err := json.Unmarshal(v, &tv); err != nil {
		return "", fmt.Errorf("youtrack: field %q (%s): %w", f.Name, f.Type, err)
	}
	return tv.Text, nil
}

// Period returns the value of a period field, or nil when empty.
func (f *CustomField) Period() (*Period, error) {
	if f.IsEmpty() {
		return nil, nil
	}
	var p Period
	if err := json.Unmarshal(f.Value, &p); err != nil {
		return nil, fmt.Errorf("youtrack: field %q (%s): %w", f.Name, f.Type, err)
	}
	return &p, nil
}

// Plain returns the field's value in the vendor-neutral form the adapter
// puts into tracker.Issue.Fields: the name of a single bundle value, the
// login of a single user, []string for multi-value fields, time.Time (or
// nil when empty) for dates, the presentation of a period, the text of a
// text field, the value of a simple field (string, int64, float64, bool;
// time.Time for "date and time" fields when the projection includes the
// field type), and for an unknown $type the decoded JSON as is.
func (f *CustomField) Plain() (any, error) {
	switch {
	case isElementType(f.Type):
		els, err := f.Elements()
		if err != nil {
			return nil, err
		}
		if IsMulti(f.Type) {
			names := make([]string, len(els))
			for i, e := range els {
				names[i] = e.Name
			}
			return names, nil
		}
		if len(els) == 0 {
			return nil, nil
		}
		return els[0].Name, nil
	case isUserType(f.Type):
		us, err := f.Users()
		if err != nil {
			return nil, err
		}
		if IsMulti(f.Type) {
			logins := make([]string, len(us))
			for i, u := range us {
				logins[i] = u.Login
			}
			return logins, nil
		}
		if len(us) == 0 {
			return nil, nil
		}
		return us[0].Login, nil
	case f.Type == TypeDate:
		t, ok, err := f.Time()
		if err != nil || !ok {
			return nil, err
		}
		return t, nil
	case f.Type == TypePeriod:
		p, err := f.Period()
		if err != nil || p == nil {
			return nil, err
		}
		return p.Presentation, nil
	case f.Type == TypeText:
		if f.IsEmpty() {
			return nil, nil
		}
		return f.Text()
	}
	if f.IsEmpty() && f.Type == TypeSimple {
		return nil, nil
	}
	if f.Type == TypeSimple && f.FieldTypeID() == "date and time" {
		t, _, err := f.Time()
		return t, err
	}
	if len(bytes.TrimSpace(f.Value)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(f.Value))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("youtrack: field %q (%s): %w", f.Name, f.Type, err)
	}
	return plainNumbers(v), nil
}

// plainNumbers turns json.Numbers into int64 where exact, float64 otherwise.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = plainNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = plainNumbers(x[k])
		}
	}
	return v
}

// FieldTypeID returns the field's type id ("date and time", "enum[1]") when
// the projection asked for projectCustomField(field(fieldType(id))), or "".
func (f *CustomField) FieldTypeID() string {
	if p := f.ProjectCustomField; p != nil && p.Field != nil && p.Field.FieldType != nil {
		return p.Field.FieldType.ID
	}
	return ""
}

// rawJSON marshals v for a setter; the inputs are plain structs that always
// marshal.
func rawJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

type named struct {
	Name string `json:"name"`
}

type byLogin struct {
	Login string `json:"login"`
}

func namesOf(values []string) []named {
	out := make([]named, len(values))
	for i, v := range values {
		out[i] = named{Name: v}
	}
	return out
}

// SingleEnum sets an enum field to the value named value.
func SingleEnum(field, value string) CustomField {
	return CustomField{Type: TypeSingleEnum, Name: field, Value: rawJSON(named{value})}
}

// MultiEnum sets a multi-value enum field to the named values.
func MultiEnum(field string, values ...string) CustomField {
	return CustomField{Type: TypeMultiEnum, Name: field, Value: rawJSON(namesOf(values))}
}

// StateValue sets a state field to the state named value.
func StateValue(field, value string) CustomField {
	return CustomField{Type: TypeState, Name: field, Value: rawJSON(named{value})}
}

// SingleUser sets a user field to the user with the login.
func SingleUser(field, login string) CustomField {
	return CustomField{Type: TypeSingleUser, Name: field, Value: rawJSON(byLogin{login})}
}

// MultiUser sets a multi-user field to the users with the logins.
func MultiUser(field string, logins ...string) CustomField {
	us := make([]byLogin, len(logins))
	for i, l := range logins {
		us[i] = byLogin{l}
	}
	return CustomField{Type: TypeMultiUser, Name: field, Value: rawJSON(us)}
}

// SingleGroup sets a group field to the group named name.
func SingleGroup(field, name string) CustomField {
	return CustomField{Type: TypeSingleGroup, Name: field, Value: rawJSON(named{name})}
}

// MultiGroup sets a multi-group field to the named groups.
func MultiGroup(field string, names ...string) CustomField {
	return CustomField{Type: TypeMultiGroup, Name: field, Value: rawJSON(namesOf(names))}
}

// SingleVersion sets a version field to the version named name.
func SingleVersion(field, name string) CustomField {
	return CustomField{Type: TypeSingleVersion, Name: field, Value: rawJSON(named{name})}
}

// MultiVersion sets a multi-version field to the named versions.
func MultiVersion(field string, names ...string) CustomField {
	return CustomField{Type: TypeMultiVersion, Name: field, Value: rawJSON(namesOf(names))}
}

// DateValue sets a date-only field to t's calendar day, stored as noon UTC
// the way YouTrack does ([DateOnly]).
func DateValue(field string, t time.Time) CustomField {
	return CustomField{Type: TypeDate, Name: field, Value: rawJSON(MillisOf(DateOnly(t)))}
}

// DateTimeValue sets a "date and time" field to the instant t (epoch
// milliseconds; YouTrack types these fields as SimpleIssueCustomField).
func DateTimeValue(field string, t time.Time) CustomField {
	return CustomField{Type: TypeSimple, Name: field, Value: rawJSON(MillisOf(t))}
}

// TextField sets a text field.
func TextField(field, text string) CustomField {
	return CustomField{Type: TypeText, Name: field, Value: rawJSON(TextValue{Text: text})}
}

// SimpleValue sets a simple field (string, integer, float) to v.
func SimpleValue(field string, v any) CustomField {
	return CustomField{Type: TypeSimple, Name: field, Value: rawJSON(v)}
}

// PeriodValue sets a period field from its presentation ("1w 2d").
func PeriodValue(field, presentation string) CustomField {
	return CustomField{Type: TypePeriod, Name: field, Value: rawJSON(Period{Presentation: presentation})}
}

// EmptyValue clears the field of the given $type.
func EmptyValue(field, typ string) CustomField {
	return CustomField{Type: typ, Name: field, Value: json.RawMessage("null")}
}

// FieldByName returns the custom field named name (case-insensitively), or
// nil.
func FieldByName(fields []CustomField, name string) *CustomField {
	for i := range fields {
		if strings.EqualFold(fields[i].Name, name) {
			return &fields[i]
		}
	}
	return nil
}
