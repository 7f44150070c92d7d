package youtrack_test

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/youtrack"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

func TestQuoteValue(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"High", "High"},
		{"HD-25", "HD-25"},
		{"jane.doe@example.com", "jane.doe@example.com"},
		{"In Progress", "{In Progress}"},
		{"", "{}"},
		{"a}b", `{a\}b}`},
		{"{x}", `{\{x\}}`},
		{`say "hi"`, `{say \"hi\"}`},
		{`back\slash`, `{back\\slash}`},
		{"-5", "{-5}"},
		{"#Unresolved", "{#Unresolved}"},
		{"1..9", "{1..9}"},
		{"or", "{or}"},
		{"line\nbreak", "{line break}"},
		{"Won't fix", "{Won't fix}"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, youtrack.QuoteValue(tt.in), "QuoteValue(%q)", tt.in)
	}
	assert.Equal(t, "{Due Date}: {In Progress}", youtrack.QuoteQuery("Due Date", "In Progress"))
}

func TestQueryBuilder(t *testing.T) {
	t.Parallel()
	var q youtrack.Query
	q.Project("HD").Field("Severity", "High", "Very High").HasNot("Reported").Has("Due Date").Tag("tb:x").Unresolved().
		UpdatedSince(time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC), nil).Raw("for: me").SortBy("updated", true)
	assert.Equal(t, "project: HD Severity: High, {Very High} has: -Reported has: {Due Date} tag: {tb:x} #Unresolved updated: 2026-01-02T03:04:05 .. * (for: me) sort by: updated asc", q.String())

	pq, err := youtracktest.ParseQuery(q.String())
	require.NoError(t, err)
	assert.Len(t, pq.Terms, 8)
	assert.Equal(t, "updated", pq.SortField)
	assert.True(t, pq.SortAsc)
}

// normalize is what a value reads as after quoting: control characters
// become spaces, invalid UTF-8 the replacement character.
func normalize(v string) string {
	var b strings.Builder
	for _, r := range v {
		if unicode.IsControl(r) {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FuzzQuoteValue checks that no value changes the structure of a query: the
// quoted value parses back as exactly one plain value of its field, and the
// terms around it stay as they were.
func FuzzQuoteValue(f *testing.F) {
	for _, s := range []string{
		"High", "In Progress", "", " ", "{x}", "a}b", `a\`, `a\}`, `"quoted"`, "x project: OTHER",
		"a .. b", "-neg", "#Unresolved", "sort by: created desc", "(", ")", ",", ":", "and", "or",
		"\n", "é ü", "tb:finding-42", "} or {", "\\\\}", "2026-01-01T10:00:00", "*", "has: Assignee",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, field := range []string{"Due Date", "Severity"} {
			q := youtrack.QuoteQuery(field, v) + " project: HD sort by: updated asc"
			pq, err := youtracktest.ParseQuery(q)
			require.NoError(t, err, "query %q", q)
			require.Len(t, pq.Terms, 2, "query %q", q)
			term := pq.Terms[0]
			assert.Equal(t, youtracktest.TermField, term.Kind, "query %q", q)
			assert.Equal(t, field, term.Field, "query %q", q)
			require.Len(t, term.Values, 1, "query %q", q)
			assert.Equal(t, youtracktest.Value{Text: normalize(v), Braced: term.Values[0].Braced}, term.Values[0], "query %q", q)
			assert.Equal(t, youtracktest.Term{Kind: youtracktest.TermField, Field: "project", Values: []youtracktest.Value{{Text: "HD"}}}, pq.Terms[1], "query %q", q)
			assert.Equal(t, "updated", pq.SortField)
			assert.True(t, pq.SortAsc)
		}
	})
}
