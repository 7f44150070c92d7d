package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/trackbridge/trackbridge/tracker"
)

func TestLoadReportsEveryMistake(t *testing.T) {
	t.Parallel()
	_, err := LoadFile("testdata/mistakes.yaml")
	require.Error(t, err)
	var errs *Errors
	require.True(t, errors.As(err, &errs), "want *Errors, got %T", err)

	want := []struct {
		path string
		line int
		msg  string
	}{
		{"flows[0].colour", 5, `unknown key "colour"`},
		{"flows[0].when.gte", 8, `"high" is neither a number nor a time`},
		{"flows[0].routes[0]", 10, "route needs a when rule"},
		{"flows[0].fields.summary.template", 12, "unclosed action"},
		{"flows[0].fields.description.from", 13, `unknown field "riskscore"`},
		{"flows[0].fields.status", 14, "values.status"},
		{"flows[0].values.priority", 16, "needs a default or unmapped"},
		{"flows[0].values.priority", 20, `"critical" is mapped twice (first as "Critical" on line 19)`},
		{"flows[0].values.resolution", 21, "needs a default or unmapped"},
	}
	require.Len(t, errs.List, len(want), err.Error())
	for i, w := range want {
		got := errs.List[i]
		assert.Equal(t, w.path, got.Path, "error %d: %v", i, got)
		assert.Equal(t, w.line, got.Line, "error %d: %v", i, got)
		assert.Contains(t, got.Msg, w.msg, "error %d", i)
	}
	assert.Contains(t, err.Error(), "mapping: 9 errors:")
	assert.Contains(t, err.Error(), `flows[0].colour: unknown key "colour" (line 5)`)
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec string
		want string
	}{
		{"empty", "", "empty spec"},
		{"no flows", "flows: []", "flows: no flows"},
		{"syntax", "flows: [", "invalid YAML: did not find expected node content (line 1, byte 0)"},
		{"flows not a list", "flows: 3", `flows: want a list, found "3" (line 1)`},
		{"suggestion", "flows:\n  - name: a\n    source: s\n    target: t\n    after_create: {}", `did you mean "afterCreate"?`},
		{"repeated key", "flows:\n  - name: a\n    name: b\n    source: s\n    target: t", `key "name" repeated (first on line 2)`},
		{"duplicate flow", "flows:\n  - {name: a, source: s, target: t}\n  - {name: a, source: s, target: t}", `flows[1].name: flow "a" is also defined at flows[0] (line 3)`},
		{"missing names", "flows:\n  - {name: a}", "flows[0].source: missing"},
		{"two operators", "flows:\n  - name: a\n    source: s\n    target: t\n    when: {field: status, equals: x, exists: true}", "rule has equals and exists"},
		{"operator without field", "flows:\n  - name: a\n    source: s\n    target: t\n    when: {equals: x}", "equals needs a field"},
		{"empty in", "flows:\n  - name: a\n    source: s\n    target: t\n    when: {field: key, in: []}", "flows[0].when.in: empty list"},
		{"empty all", "flows:\n  - name: a\n    source: s\n    target: t\n    when: {all: []}", "flows[0].when.all: empty list"},
		{"field on all", "flows:\n  - name: a\n    source: s\n    target: t\n    when: {field: status, all: [{field: key, exists: true}]}", "all does not take a field"},
		{"two sources", "flows:\n  - name: a\n    source: s\n    target: t\n    fields: {summary: {from: summary, value: x}}", "give only one of from, value"},
		{"no source", "flows:\n  - name: a\n    source: s\n    target: t\n    fields: {summary: {}}", "give one of from, template, value or now"},
		{"define refused", "flows:\n  - name: a\n    source: s\n    target: t\n    fields: {summary: {template: '{{define \"x\"}}y{{end}}'}}", "define and block are not allowed"},
		{"template call refused", "flows:\n  - name: a\n    source: s\n    target: t\n    fields: {summary: {template: '{{template \"x\"}}'}}", "calling templates is not allowed"},
		{"misspelt attribute", "flows:\n  - name: a\n    source: s\n    target: t\n    fields: {summary: {template: '{{.Sumary}}'}}", "can't evaluate field Sumary"},
		{"unknown func", "flows:\n  - name: a\n    source: s\n    target: t\n    fields: {summary: {template: '{{env \"HOME\"}}'}}", `function "env" not defined`},
		{"bad category", "flows:\n  - name: a\n    source: s\n    target: t\n    values: {statusCategory: {from: status, map: {x: finished}, default: todo}}", `"finished" is not a status category`},
		{"default and unmapped", "flows:\n  - name: a\n    source: s\n    target: t\n    values: {priority: {from: status, map: {x: y}, default: z, unmapped: error}}", "either default or unmapped"},
		{"bad unmapped", "flows:\n  - name: a\n    source: s\n    target: t\n    values: {priority: {from: status, map: {x: y}, unmapped: guess}}", `"guess" is not error or keep`},
		{"empty range", "flows:\n  - name: a\n    source: s\n    target: t\n    values: {priority: {from: status, ranges: [{to: x}], default: z}}", "range needs gte, lte or both"},
		{"inverted range", "flows:\n  - name: a\n    source: s\n    target: t\n    values: {priority: {from: status, ranges: [{gte: 5, lte: 1, to: x}], default: z}}", "gte 5 is above lte 1"},
		{"mapped twice across sections", "flows:\n  - name: a\n    source: s\n    target: t\n    fields: {priority: {value: High}}\n    values: {priority: {from: status, map: {x: y}, default: z}}", `"priority" is mapped twice: in fields and in values`},
		{"route sets nothing", "flows:\n  - name: a\n    source: s\n    target: t\n    routes: [{when: {field: key, exists: true}}]", "route sets nothing"},
		{"back case without action", "flows:\n  - name: a\n    source: s\n    target: t\n    back: {status: [{when: {field: key, exists: true}}]}", "case needs set, transition or both"},
		{"back transition category", "flows:\n  - name: a\n    source: s\n    target: t\n    back: {status: [{when: {field: key, exists: true}, transition: {category: later}}]}", `"later" is not a status category`},
		{"wrong scalar type", "flows:\n  - name: a\n    source: s\n    target: t\n    fields: {summary: {now: maybe}}", `cannot read "maybe" as a boolean`},
		{"limits", "limits: {maxOutput: 999999999}\nflows:\n  - {name: a, source: s, target: t}", "limits.maxOutput: must be between"},
		{"empty label", "flows:\n  - name: a\n    source: s\n    target: t\n    defaults: {labels: ['']}", "flows[0].defaults.labels[0]: empty label"},
		{"quoted key path", "flows:\n  - name: a\n    source: s\n    target: t\n    fields: {Due Date: {}}", `flows[0].fields["Due Date"]: give one of`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.spec))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLoadJSON(t *testing.T) {
	t.Parallel()
	s, err := LoadFile("testdata/s3.json")
	require.NoError(t, err)
	require.NotNil(t, s.Flow("json-flow"))
	assert.Nil(t, s.Flow("missing"))

	_, err = Load(strings.NewReader("{\n  \"flows\": [\n    {\"name\": \"a\",}\n  ]\n}"), JSON)
	require.Error(t, err)
	var errs *Errors
	require.ErrorAs(t, err, &errs)
	assert.Equal(t, 3, errs.List[0].Line)
	assert.Contains(t, err.Error(), "invalid JSON")

	_, err = Load(strings.NewReader(`{"flows": []} {}`), JSON)
	assert.ErrorContains(t, err, "data after the top-level value")

	_, err = Load(strings.NewReader(`{"flows": [{"name": "a", "source": "s", "target": "t", "color": 1}]}`), JSON)
	assert.ErrorContains(t, err, `flows[0].color: unknown key "color" (line 1)`)
}

func TestLoadLimits(t *testing.T) {
	t.Parallel()
	_, err := Load(strings.NewReader(strings.Repeat(" ", MaxSpecSize+1)), YAML)
	assert.ErrorContains(t, err, "spec larger than")

	// Billion-laughs documents: each level doubles the nodes.
	for _, leaf := range []string{"{field: key, exists: true}", "{field: key, in: [a, b]}"} {
		var b strings.Builder
		b.WriteString("x:\n  - &r0 " + leaf + "\n")
		for i := 1; i < 8; i++ {
			fmt.Fprintf(&b, "  - &r%d {any: [%s]}\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*r%d, ", i-1), 10), ", "))
		}
		b.WriteString("flows:\n  - name: a\n    source: s\n    target: t\n    when: *r7\n")
		_, err = Parse([]byte(b.String()))
		assert.ErrorContains(t, err, "spec too large")
	}

	// Free-form values (defaults.fields) decoded through yaml.v3 count
	// their expanded aliases too: 100 references to a 5000-item anchor,
	// each padded ahead of the alias to pass yaml.v3's
	// own alias-ratio check.
	var b strings.Builder
	b.WriteString("flows:\n  - name: a\n    source: s\n    target: t\n    defaults:\n      fields:\n")
	fmt.Fprintf(&b, "        big: &big [%s]\n", strings.TrimSuffix(strings.Repeat("1, ", 5000), ", "))
	pad := strings.Repeat("0, ", 100)
	for i := range 100 {
		fmt.Fprintf(&b, "        f%d: [%s*big]\n", i, pad)
	}
	_, err = Parse([]byte(b.String()))
	assert.ErrorContains(t, err, "spec too large")

	_, err = LoadFile("testdata/no-such-file.yaml")
	assert.ErrorContains(t, err, "no-such-file")
}

func TestLoadAliasesAndMerge(t *testing.T) {
	t.Parallel()
	spec := `
base: &base
  source: extrahop
  target: jira
flows:
  - <<: *base
    name: merged
    defaults: {project: SEC}
    fields:
      summary: {from: summary}
`
	_, err := Parse([]byte(spec))
	// "base" is not a spec key, but the merge itself works.
	require.ErrorContains(t, err, `unknown key "base"`)
	var errs *Errors
	require.ErrorAs(t, err, &errs)
	assert.Len(t, errs.List, 1)
}

func TestValidateGoSpec(t *testing.T) {
	t.Parallel()
	s := &Spec{Flows: []*FlowSpec{{
		Name: "go", Source: "a", Target: "b",
		Fields: map[string]*FieldSpec{"summary": {From: "sumary"}},
	}}}
	err := s.Validate()
	require.Error(t, err)
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "flows[0].fields.summary.from", fe.Path)
	assert.Zero(t, fe.Line)
	assert.Contains(t, err.Error(), `did you mean "summary"?`)

	_, err = s.Flows[0].Apply(nil, testNow)
	assert.ErrorIs(t, err, errNotValidated)

	s.Flows[0].Fields["summary"].From = "summary"
	require.NoError(t, s.Validate())
}

func TestBuiltin(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"extrahop-to-jira", "findings-to-jira", "youtrack-to-trax"}, BuiltinNames())
	for _, name := range BuiltinNames() {
		s, err := Builtin(name)
		require.NoError(t, err, name)
		require.NotNil(t, s.Flow(name), name)
	}
	_, err := Builtin("nope")
	assert.ErrorContains(t, err, `no built-in spec "nope" (have extrahop-to-jira`)
}

func TestLoadHostileShapes(t *testing.T) {
	t.Parallel()
	deep := "flows:\n  - name: a\n    source: s\n    target: t\n    when: " + strings.Repeat("{not: ", 500) + "{field: key, exists: true}" + strings.Repeat("}", 500) + "\n"
	_, err := Parse([]byte(deep))
	assert.ErrorContains(t, err, "nested more than 40 levels deep")

	long := "flows:\n  - name: a\n    source: s\n    target: t\n    fields: {" + strings.Repeat("k", 500) + ": {from: key}}\n"
	_, err = Parse([]byte(long))
	assert.ErrorContains(t, err, "longer than 200 bytes")
	assert.Less(t, len(err.Error()), 200)

	var many strings.Builder
	many.WriteString("flows:\n  - name: a\n    source: s\n    target: t\n")
	for i := range 500 {
		fmt.Fprintf(&many, "    bad%d: x\n", i)
	}
	_, err = Parse([]byte(many.String()))
	var errs *Errors
	require.ErrorAs(t, err, &errs)
	assert.Len(t, errs.List, maxErrors)
	assert.Equal(t, "too many mistakes; stopped after 99", errs.List[maxErrors-1].Msg)
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range BuiltinNames() {
		s, err := Builtin(name)
		require.NoError(t, err)
		want, err := s.Flow(name).Apply(detection(), testNow)
		require.NoError(t, err)

		asJSON, err := json.Marshal(s)
		require.NoError(t, err)
		fromJSON, err := Load(bytes.NewReader(asJSON), JSON)
		require.NoError(t, err, "%s", asJSON)

		asYAML, err := yaml.Marshal(s)
		require.NoError(t, err)
		fromYAML, err := Parse(asYAML)
		require.NoError(t, err, "%s", asYAML)

		for _, again := range []*Spec{fromJSON, fromYAML} {
			got, err := again.Flow(name).Apply(detection(), testNow)
			require.NoError(t, err)
			got.Trace, want.Trace = nil, nil // paths are the same, lines are not
			assert.Equal(t, want, got, name)
		}
	}
}

func TestGoSpecApplies(t *testing.T) {
	t.Parallel()
	yes := true
	s := &Spec{Flows: []*FlowSpec{{
		Name: "go", Source: "extrahop", Target: "jira",
		When:     &Rule{Field: "fields.risk_score", Exists: &yes},
		Defaults: Defaults{Project: "SEC", Type: "Task"},
		Fields: map[string]*FieldSpec{
			"summary":  {Template: "{{.Summary | upper}}"},
			"Severity": {Value: "High"},
		},
		Values: map[string]*ValueMap{
			"priority": {From: "fields.risk_score", Ranges: []*Range{{Gte: tracker.Ptr(50.0), To: "High"}}, Default: tracker.Ptr("Low")},
		},
	}}}
	require.NoError(t, s.Validate())
	res, err := s.Flow("go").Apply(detection(), testNow)
	require.NoError(t, err)
	assert.Equal(t, "SMB/CIFS BRUTE FORCE", res.Issue.Summary)
	assert.Equal(t, "High", res.Issue.Priority)
	assert.Equal(t, map[string]any{"Severity": "High"}, res.Issue.Fields)
}

func TestLoadDocumentErrors(t *testing.T) {
	t.Parallel()
	const flow = "flows:\n  - name: a\n    source: s\n    target: t\n"
	deepYAML := flow + "    defaults:\n      fields:\n        x: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"
	deepJSON := `{"flows": [{"name": "a", "source": "s", "target": "t", "defaults": {"fields": {"x": ` + strings.Repeat(`{"a":`, 1000) + "1" + strings.Repeat("}", 1000) + `}}}]}`
	big := flow + "    # " + strings.Repeat("x", MaxSpecSize) + "\n"
	tests := []struct {
		name   string
		spec   string
		format Format
		path   string
		line   int
		offset int64 // -1: no offset
		want   string
	}{
		{"over 1 MiB", big, YAML, "", 5, MaxSpecSize, "spec larger than 1048576 bytes"},
		{"over 1 MiB JSON", `{"flows": [], "x": "` + strings.Repeat("y", MaxSpecSize) + `"}`, JSON, "", 1, MaxSpecSize, "spec larger than 1048576 bytes"},
		{"invalid UTF-8", flow + "    description: caf\xe9\n", YAML, "", 5, int64(len(flow)) + 20, "invalid UTF-8 byte 0xe9"},
		{"invalid UTF-8 JSON", "{\"flows\": [{\"name\": \"\xc3\x28\"}]}", JSON, "", 1, 21, "invalid UTF-8 byte 0xc3"},
		{"NUL byte", "flows:\x00\n", YAML, "", 1, 6, "control byte 0x00"},
		{"NUL byte JSON", "{\n\"flows\": [\x00]}", JSON, "", 2, 12, "control byte 0x00"},
		{"empty", "", YAML, "", 1, 0, "empty spec"},
		{"only comments", "# nothing\n   \n# here\n", YAML, "", 1, 0, "empty spec"},
		{"empty JSON", "  \n", JSON, "", 1, 0, "empty spec"},
		{"truncated JSON", "{\"flows\": [\n  {\"name\": \"a\"", JSON, "", 2, 26, "document ends early"},
		{"truncated JSON string", `{"flows": [{"name": "a`, JSON, "", 1, 22, "document ends early"},
		{"truncated YAML", flow + "    when: {field: key, exists: tr", YAML, "", 4, -2, "invalid YAML"},
		{"number for a string", `{"flows": [{"name": 5, "source": "s", "target": "t"}]}`, JSON, "flows[0].name", 1, -1, "want a string, found the number 5"},
		{"boolean for a string", "{\"flows\": [{\"name\": \"a\", \"source\": \"s\",\n \"target\": true}]}", JSON, "flows[0].target", 2, -1, "want a string, found the boolean true"},
		{"number in a value map", `{"flows": [{"name": "a", "source": "s", "target": "t", "values": {"priority": {"from": "status", "map": {"x": 1}, "default": "y"}}}]}`, JSON, "flows[0].values.priority.map.x", 1, -1, "want a string, found the number 1"},
		{"10k deep free-form YAML", deepYAML, YAML, "flows[0].defaults.fields.x", 7, -1, "nested more than 40 levels deep"},
		{"1k deep free-form JSON", deepJSON, JSON, "flows[0].defaults.fields.x", 1, -1, "nested more than 40 levels deep"},
		{"10k deep JSON", `{"flows": [{"name": "a", "source": "s", "target": "t", "defaults": {"fields": {"x": ` + strings.Repeat("[", 10001), JSON, "", 1, -2, "exceeded max depth"},
		{"long key in free-form", flow + "    defaults:\n      fields:\n        x: {" + strings.Repeat("k", 300) + ": 1}\n", YAML, "flows[0].defaults.fields.x", 7, -1, "longer than 200 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Load(strings.NewReader(tt.spec), tt.format)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), tt.want)
			var errs *Errors
			require.ErrorAs(t, err, &errs)
			fe := errs.List[0]
			assert.Equal(t, tt.path, fe.Path, fe.Error())
			assert.Equal(t, tt.line, fe.Line, fe.Error())
			switch tt.offset {
			case -1:
				assert.False(t, fe.HasOffset, fe.Error())
				assert.NotEmpty(t, fe.Path, "a mistake inside the document names its path")
			case -2:
				assert.True(t, fe.HasOffset, fe.Error())
			default:
				assert.True(t, fe.HasOffset, fe.Error())
				assert.Equal(t, tt.offset, fe.Offset, fe.Error())
				assert.Contains(t, err.Error(), fmt.Sprintf("(line %d, byte %d)", tt.line, tt.offset))
			}
		})
	}
}

func TestYAMLScalarsStayLenient(t *testing.T) {
	t.Parallel()
	s, err := Parse([]byte("flows:\n  - name: 2026\n    source: s\n    target: t\n    values: {priority: {from: status, map: {x: 1}, default: 2}}\n"))
	require.NoError(t, err)
	assert.Equal(t, "2026", s.Flows[0].Name)
}
