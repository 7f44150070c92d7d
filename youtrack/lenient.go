package youtrack

import "github.com/trackbridge/trackbridge/internal/lenient"

// FieldError reports a field of a decoded value whose JSON did not fit its
// Go type. Decoding never fails for such a field: the field stays zero, the
// value's Problems lists it (with its path, such as "reporter.login" or
// "customFields[2].value") and its raw JSON, and everything else is
// decoded. Callers that must not accept such a value check Problems.
type FieldError = lenient.FieldError

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *Issue) UnmarshalJSON(data []byte) error {
	type plain Issue
	*v = Issue{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v Issue) MarshalJSON() ([]byte, error) {
	type plain Issue
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *Comment) UnmarshalJSON(data []byte) error {
	type plain Comment
	*v = Comment{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v Comment) MarshalJSON() ([]byte, error) {
	type plain Comment
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *Attachment) UnmarshalJSON(data []byte) error {
	type plain Attachment
	*v = Attachment{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v Attachment) MarshalJSON() ([]byte, error) {
	type plain Attachment
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *CustomField) UnmarshalJSON(data []byte) error {
	type plain CustomField
	*v = CustomField{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v CustomField) MarshalJSON() ([]byte, error) {
	type plain CustomField
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *BundleElement) UnmarshalJSON(data []byte) error {
	type plain BundleElement
	*v = BundleElement{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v BundleElement) MarshalJSON() ([]byte, error) {
	type plain BundleElement
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *Period) UnmarshalJSON(data []byte) error {
	type plain Period
	*v = Period{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v Period) MarshalJSON() ([]byte, error) {
	type plain Period
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *TextValue) UnmarshalJSON(data []byte) error {
	type plain TextValue
	*v = TextValue{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v TextValue) MarshalJSON() ([]byte, error) {
	type plain TextValue
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *Project) UnmarshalJSON(data []byte) error {
	type plain Project
	*v = Project{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v Project) MarshalJSON() ([]byte, error) {
	type plain Project
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *ProjectCustomField) UnmarshalJSON(data []byte) error {
	type plain ProjectCustomField
	*v = ProjectCustomField{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v ProjectCustomField) MarshalJSON() ([]byte, error) {
	type plain ProjectCustomField
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *FieldDef) UnmarshalJSON(data []byte) error {
	type plain FieldDef
	*v = FieldDef{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v FieldDef) MarshalJSON() ([]byte, error) {
	type plain FieldDef
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *FieldType) UnmarshalJSON(data []byte) error {
	type plain FieldType
	*v = FieldType{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v FieldType) MarshalJSON() ([]byte, error) {
	type plain FieldType
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *Bundle) UnmarshalJSON(data []byte) error {
	type plain Bundle
	*v = Bundle{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v Bundle) MarshalJSON() ([]byte, error) {
	type plain Bundle
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *Tag) UnmarshalJSON(data []byte) error {
	type plain Tag
	*v = Tag{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v Tag) MarshalJSON() ([]byte, error) {
	type plain Tag
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *User) UnmarshalJSON(data []byte) error {
	type plain User
	*v = User{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v User) MarshalJSON() ([]byte, error) {
	type plain User
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *Group) UnmarshalJSON(data []byte) error {
	type plain Group
	*v = Group{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v Group) MarshalJSON() ([]byte, error) {
	type plain Group
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *HubUser) UnmarshalJSON(data []byte) error {
	type plain HubUser
	*v = HubUser{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v HubUser) MarshalJSON() ([]byte, error) {
	type plain HubUser
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *HubProfile) UnmarshalJSON(data []byte) error {
	type plain HubProfile
	*v = HubProfile{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v HubProfile) MarshalJSON() ([]byte, error) {
	type plain HubProfile
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *HubEmail) UnmarshalJSON(data []byte) error {
	type plain HubEmail
	*v = HubEmail{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v HubEmail) MarshalJSON() ([]byte, error) {
	type plain HubEmail
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *HubGroup) UnmarshalJSON(data []byte) error {
	type plain HubGroup
	*v = HubGroup{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v HubGroup) MarshalJSON() ([]byte, error) {
	type plain HubGroup
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *IssueLinkType) UnmarshalJSON(data []byte) error {
	type plain IssueLinkType
	*v = IssueLinkType{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v IssueLinkType) MarshalJSON() ([]byte, error) {
	type plain IssueLinkType
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *IssueLink) UnmarshalJSON(data []byte) error {
	type plain IssueLink
	*v = IssueLink{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v IssueLink) MarshalJSON() ([]byte, error) {
	type plain IssueLink
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *WorkItem) UnmarshalJSON(data []byte) error {
	type plain WorkItem
	*v = WorkItem{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v WorkItem) MarshalJSON() ([]byte, error) {
	type plain WorkItem
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *WorkItemType) UnmarshalJSON(data []byte) error {
	type plain WorkItemType
	*v = WorkItemType{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v WorkItemType) MarshalJSON() ([]byte, error) {
	type plain WorkItemType
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *Agile) UnmarshalJSON(data []byte) error {
	type plain Agile
	*v = Agile{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v Agile) MarshalJSON() ([]byte, error) {
	type plain Agile
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}

// UnmarshalJSON decodes leniently: unknown keys are kept in Extra and a
// mistyped field is reported in Problems instead of failing the decode.
func (v *Sprint) UnmarshalJSON(data []byte) error {
	type plain Sprint
	*v = Sprint{}
	var err error
	v.Extra, v.Problems, err = lenient.Decode(data, (*plain)(v))
	return err
}

// MarshalJSON encodes the value with its Extra keys and the raw values of
// its Problems, so what was read is written back unchanged.
func (v Sprint) MarshalJSON() ([]byte, error) {
	type plain Sprint
	return lenient.Encode(plain(v), v.Extra, v.Problems)
}
