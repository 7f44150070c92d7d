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
		{"-5", "{-5}"},
		{"#Unresolved", "{#Unresolved}"},
		{"1..9", "{1..9}"},
		{"or", "{or}"},
		{"me", "{me}"},
		{"Me", "{Me}"},
		{"line\nbreak", "{line break}"},
		{"Won't fix", "{Won't fix}"},
		{"a) or (b", "{a) or (b}"},
	}
	for _, tt := range tests {
		got, err := youtrack.QuoteValue(tt.in)
		require.NoError(t, err, "QuoteValue(%q)", tt.in)
		assert.Equal(t, tt.want, got, "QuoteValue(%q)", tt.in)
	}
	term, err := youtrack.QuoteQuery("Due Date", "In Progress")
	require.NoError(t, err)
	assert.Equal(t, "{Due Date}: {In Progress}", term)
}

func TestQuoteValueRefusesWhatItCannotEscape(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"a}b", "{x}", "a} or #Unresolved {b", `say "hi"`, `back\slash`, `a\`, `\}`, "{"} {
		got, err := youtrack.QuoteValue(in)
		require.ErrorIs(t, err, youtrack.ErrUnquotable, "QuoteValue(%q)", in)
		assert.Empty(t, got)
		assert.Contains(t, err.Error(), "cannot escape")
		_, err = youtrack.QuoteField(in)
		assert.ErrorIs(t, err, youtrack.ErrUnquotable)
		_, err = youtrack.QuoteQuery("State", in)
		assert.ErrorIs(t, err, youtrack.ErrUnquotable)
		_, err = youtrack.QuoteQuery(in, "x")
		assert.ErrorIs(t, err, youtrack.ErrUnquotable)
	}
	var q youtrack.Query
	q.Project("HD").Field("State", "Open", "a}b").Has("x{").HasNot("y\\").SortBy(`"z`, true)
	_, err := q.Build()
	require.ErrorIs(t, err, youtrack.ErrUnquotable)
	assert.ErrorIs(t, q.Err(), youtrack.ErrUnquotable)
	assert.Equal(t, "project: HD", q.String(), "refused terms are left out")
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

// FuzzQuoteValue checks that no value changes the structure of a query,
// however the server reads backslashes and quotes inside braces: a value
// is either refused or quoted into text with no backslash or double quote
// and braces only around the whole, which parses back (with the fake's
// grammar) as exactly one plain value of its field, the terms around it
// unchanged.
func FuzzQuoteValue(f *testing.F) {
	for _, s := range []string{
		"High", "In Progress", "", " ", "{x}", "a}b", `a\`, `a\}`, `"quoted"`, "x project: OTHER",
		"a .. b", "-neg", "#Unresolved", "sort by: created desc", "(", ")", ",", ":", "and", "or",
		"\n", "é ü", "tb:finding-42", "} or {", "\\\\}", "2026-01-01T10:00:00", "*", "has: Assignee",
		"me", "ME", "a} or #Unresolved {b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		quoted, err := youtrack.QuoteValue(v)
		if err != nil {
			require.ErrorIs(t, err, youtrack.ErrUnquotable)
			assert.True(t, strings.ContainsAny(v, "{}\\\""), "%q refused without cause", v)
			return
		}
		assert.False(t, strings.ContainsAny(quoted, "\\\""), "%q quoted as %q", v, quoted)
		if strings.HasPrefix(quoted, "{") {
			inner := quoted[1:]
			require.True(t, strings.HasSuffix(inner, "}"), "%q quoted as %q", v, quoted)
			assert.False(t, strings.ContainsAny(inner[:len(inner)-1], "{}"), "%q quoted as %q", v, quoted)
		} else {
			assert.NotEqual(t, "me", strings.ToLower(quoted), "a bare me is the current user")
			assert.False(t, strings.ContainsAny(quoted, "{} \t,:()#"), "%q left bare as %q", v, quoted)
		}
		for _, field := range []string{"Due Date", "Severity"} {
			term, err := youtrack.QuoteQuery(field, v)
			require.NoError(t, err)
			q := term + " project: HD sort by: updated asc"
			pq, err := youtracktest.ParseQuery(q)
			require.NoError(t, err, "query %q", q)
			require.Len(t, pq.Terms, 2, "query %q", q)
			term0 := pq.Terms[0]
			assert.Equal(t, youtracktest.TermField, term0.Kind, "query %q", q)
			assert.Equal(t, field, term0.Field, "query %q", q)
			require.Len(t, term0.Values, 1, "query %q", q)
			assert.Equal(t, youtracktest.Value{Text: normalize(v), Braced: term0.Values[0].Braced}, term0.Values[0], "query %q", q)
			assert.Equal(t, youtracktest.Term{Kind: youtracktest.TermField, Field: "project", Values: []youtracktest.Value{{Text: "HD"}}}, pq.Terms[1], "query %q", q)
			assert.Equal(t, "updated", pq.SortField)
			assert.True(t, pq.SortAsc)
		}
	})
}
