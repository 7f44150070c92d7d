package trax_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/trax"
)

func TestDefaultERD(t *testing.T) {
	t.Parallel()
	e := trax.DefaultERD()
	require.NoError(t, e.Check())
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"name", "description", "source", "classification", "contact", "issue_url"}, names)
	assert.NoError(t, e.Validate(s1Record("HD-25")))
	e.Fields[0].Name = "changed"
	assert.Equal(t, "name", trax.DefaultERD().Fields[0].Name, "each call returns a fresh copy")
}

// intakeERD is the ERD of testdata/erd.yaml and erd.json.
func intakeERD() *trax.ERD {
	return &trax.ERD{
		Name:        "isms-intake",
		Description: "High-severity tickets reported to the ISMS.",
		Fields: []trax.FieldDef{
			{Name: "name", Type: trax.TypeString, Required: true, MaxLength: 120, Target: "title"},
			{Name: "severity", Type: trax.TypeEnum, Required: true, Allowed: []string{"Low", "Medium", "High", "Critical"}, Target: "severity"},
			{Name: "score", Type: trax.TypeInteger},
			{Name: "reported", Type: trax.TypeDate},
			{Name: "issue_url", Type: trax.TypeURL, Target: "external_reference", Description: "Link to the source ticket."},
		},
	}
}

func TestParseERD(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"erd.yaml", "erd.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, err := trax.LoadERD(filepath.Join("testdata", name))
			require.NoError(t, err)
			assert.Equal(t, intakeERD(), e)
		})
	}
}

func TestParseERDSkipsByteOrderMark(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"erd.yaml", "erd.json"} {
		data := append([]byte("\xef\xbb\xbf"), fixture(t, name)...)
		e, err := trax.ParseERD(data)
		require.NoError(t, err, name)
		assert.Equal(t, intakeERD(), e, name)
	}
}

func TestERDRoundTrips(t *testing.T) {
	t.Parallel()
	want := intakeERD()
	js, err := json.Marshal(want)
	require.NoError(t, err)
	fromJSON, err := trax.ParseERD(js)
	require.NoError(t, err)
	assert.Equal(t, want, fromJSON)
	ym, err := yaml.Marshal(want)
	require.NoError(t, err)
	fromYAML, err := trax.ParseERD(ym)
	require.NoError(t, err)
	assert.Equal(t, want, fromYAML)
}

func TestParseERDErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"YAML with several mistakes", fixture(t, "erd_bad.yaml"), []string{
			`5 problems:
	line 4: fields[0].type: unknown type "strng" (want one of string, text, number, integer, boolean, date, datetime, url, email, enum)
	line 5: fields[0].maxlen: unknown key (want one of name, type, required, max_length, allowed, target, description)
	line 6: fields[1].name: field "name" is already defined by fields[0]
	line 6: fields[1].allowed: an enum needs allowed values
	line 10: fields[2].max_length: want an integer, got the string "ten"`,
		}},
		{"JSON unknown key and wrong kind", fixture(t, "erd_bad.json"), []string{
			`line 3: colour: unknown key`,
			`line 5: fields[0].required: want true or false, got the string "yes"`,
		}},
		{"JSON syntax", `{"fields": [}`, []string{"(document): line 1"}},
		{"JSON trailing data", `{"fields": []} {}`, []string{"data after the document"}},
		{"YAML syntax", "fields: [\n", []string{"(document):"}},
		{"empty", "", []string{"(document): empty document"}},
		{"not a mapping", "- a\n- b\n", []string{"want a mapping, got a list"}},
		{"fields not a list", "fields: {name: x}\n", []string{"fields: want a list of fields, got a mapping"}},
		{"no fields", "name: empty\nfields: []\n", []string{"fields: no fields defined"}},
		{"field not a mapping", "fields:\n  - name\n", []string{"fields[0]: want a mapping"}},
		{"null name", "fields:\n  - name: ~\n    type: string\n", []string{"fields[0].name: want a string, got null"}},
		{"repeated key", "fields:\n  - name: a\n    name: b\n    type: string\n", []string{"key"}},
		{"length on a boolean", "fields:\n  - {name: a, type: boolean, max_length: 3, allowed: [x]}\n", []string{
			"fields[0].max_length: maximum length applies only to textual types, not boolean",
			"fields[0].allowed: allowed values apply only to textual types, not boolean",
		}},
		{"allowed longer than max", "fields:\n  - {name: a, type: enum, max_length: 2, allowed: [ok, toolong]}\n", []string{
			`line 2: fields[0].allowed[1]: allowed value "toolong" is longer than max_length 2`,
		}},
		{"negative length", "fields:\n  - {name: a, type: string, max_length: -1}\n", []string{"negative maximum length -1"}},
		{"missing type", "fields:\n  - {name: a}\n", []string{"fields[0].type: field has no type"}},
		{"alias", "x: &a [1]\nfields: *a\n", []string{"fields: want a list of fields, got an alias", "x: unknown key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := trax.ParseERD([]byte(tt.doc))
			require.Error(t, err)
			var ee *trax.ERDError
			require.ErrorAs(t, err, &ee)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestLoadERDNamesTheFile(t *testing.T) {
	t.Parallel()
	_, err := trax.LoadERD("testdata/erd_bad.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "trax: ERD testdata/erd_bad.yaml: 5 problems:")
	_, err = trax.LoadERD(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestValidate(t *testing.T) {
	t.Parallel()
	e := &trax.ERD{Name: "all-types", Fields: []trax.FieldDef{
		{Name: "s", Type: trax.TypeString, MaxLength: 3},
		{Name: "req", Type: trax.TypeText, Required: true},
		{Name: "num", Type: trax.TypeNumber},
		{Name: "int", Type: trax.TypeInteger},
		{Name: "bool", Type: trax.TypeBoolean},
		{Name: "day", Type: trax.TypeDate},
		{Name: "at", Type: trax.TypeDateTime},
		{Name: "link", Type: trax.TypeURL},
		{Name: "mail", Type: trax.TypeEmail},
		{Name: "sev", Type: trax.TypeEnum, Allowed: []string{"Low", "High"}},
		{Name: "cls", Type: trax.TypeString, Allowed: []string{"internal", "secret"}},
	}}
	require.NoError(t, e.Check())
	tests := []struct {
		name  string
		attrs map[string]any
		want  []string // problems, by attribute: message part
	}{
		{"all valid", map[string]any{
			"s": "äöü", "req": "x", "num": 1.5, "int": int64(7), "bool": false,
			"day": "2026-11-21", "at": time.Now(), "link": "https://example.com/a?b=c", "mail": "soc@example.com",
			"sev": "High", "cls": "secret",
		}, nil},
		{"JSON-decoded forms", map[string]any{"req": "x", "int": 7.0, "num": json.Number("2.5"), "at": "2026-11-21T10:00:00Z", "day": time.Now()}, nil},
		{"nil counts as absent", map[string]any{"req": "x", "s": nil}, nil},
		{"optional url and email may be empty", map[string]any{"req": "x", "link": "", "mail": ""}, nil},
		{"missing required", map[string]any{}, []string{`"req": required attribute missing`}},
		{"nil required", map[string]any{"req": nil}, []string{`"req": required attribute missing`}},
		{"blank required", map[string]any{"req": "  "}, []string{`"req": required attribute is blank`}},
		{"too long in runes", map[string]any{"req": "x", "s": "äöüß"}, []string{`"s": too long: 4 characters, at most 3`}},
		{"invalid UTF-8", map[string]any{"req": "x", "s": "\xff"}, []string{`"s": not valid UTF-8`}},
		{"wrong types", map[string]any{"req": 1, "num": "1", "int": 1.5, "bool": "true", "day": 20261121, "sev": []string{"High"}}, []string{
			`"req": want a text, got int`, `"num": want a number, got string`, `"int": 1.5 is not an integer`,
			`"bool": want a boolean, got string`, `"day": want a date (time.Time or string), got int`, `"sev": want an enum, got []string`,
		}},
		{"not finite", map[string]any{"req": "x", "num": math.Inf(1), "int": math.NaN()}, []string{`"num": +Inf is not a finite number`, `"int": NaN is not a finite number`}},
		{"bad formats", map[string]any{"req": "x", "day": "21.11.2026", "at": "2026-11-21 10:00", "link": "example.com/x", "mail": "Alice <a@example.com>"}, []string{
			`"day": "21.11.2026" is not a date (2006-01-02)`, `"at": "2026-11-21 10:00" is not a datetime`,
			`"link": "example.com/x" is not an absolute http or https URL`, `"mail": "Alice <a@example.com>" is not an email address`,
		}},
		{"zero time", map[string]any{"req": "x", "at": time.Time{}}, []string{`"at": zero time`}},
		{"not allowed", map[string]any{"req": "x", "sev": "Urgent", "cls": "public"}, []string{
			`"sev": value "Urgent" not allowed (want one of Low, High)`, `"cls": value "public" not allowed`,
		}},
		{"unknown attributes, sorted", map[string]any{"req": "x", "zeta": 1, "alpha": 2}, []string{
			`"alpha": unknown attribute (ERD "all-types" defines s, req,`, `"zeta": unknown attribute`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := e.Validate(trax.Record{ID: "r1", Attributes: tt.attrs})
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tracker.ErrInvalid)
			var ve *trax.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Len(t, ve.Problems, len(tt.want), "problems: %v", err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), `record "r1": attribute `+w)
			}
			for _, p := range ve.Problems {
				assert.Equal(t, "r1", p.RecordID)
				assert.NotEmpty(t, p.Attribute)
			}
		})
	}
}

func TestValidateAllowsUnknownWhenTold(t *testing.T) {
	t.Parallel()
	e := &trax.ERD{AllowUnknown: true, Fields: []trax.FieldDef{{Name: "name", Type: trax.TypeString}}}
	assert.NoError(t, e.Validate(trax.Record{ID: "r", Attributes: map[string]any{"name": "n", "extra": []int{1}}}))
	f, ok := e.Field("name")
	assert.True(t, ok)
	assert.Equal(t, trax.TypeString, f.Type)
	_, ok = e.Field("extra")
	assert.False(t, ok)
}

func TestValidateClipsLongValues(t *testing.T) {
	t.Parallel()
	e := &trax.ERD{Fields: []trax.FieldDef{{Name: "sev", Type: trax.TypeEnum, Allowed: []string{"Low"}}}}
	err := e.Validate(trax.Record{ID: "r", Attributes: map[string]any{"sev": strings.Repeat("x", 10_000)}})
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 300, "a hostile value must not blow up the message")
}

func FuzzParseERD(f *testing.F) {
	for _, name := range []string{"erd.yaml", "erd.json", "erd_bad.yaml", "erd_bad.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"fields":[{"name":"a","type":"enum","allowed":["x"]}]}`))
	f.Add([]byte("fields:\n  - {name: a, type: integer}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := trax.ParseERD(data)
		if err != nil {
			require.Nil(t, e)
			require.NotEmpty(t, err.Error())
			return
		}
		// Whatever parses is a sound definition that validates records
		// without panicking.
		require.NoError(t, e.Check())
		_ = e.Validate(trax.Record{ID: "r", Attributes: map[string]any{"a": "x", "name": 1}})
	})
}
