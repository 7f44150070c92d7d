package youtrack

import (
	"strings"
	"time"
	"unicode"
)

// reserved reports whether s is a query keyword, which must not stand
// bare as a value.
func reserved(s string) bool {
	switch strings.ToLower(s) {
	case "and", "or", "not", "has", "sort", "by":
		return true
	}
	return false
}

// isBare reports whether s can stand in a query without braces: letters,
// digits and '_', with inner '-', '.', '@' and '+' (but no ".." range), not
// starting with a character that has a meaning ('-', '#').
func isBare(s string) bool {
	if s == "" || reserved(s) || strings.Contains(s, "..") {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_':
		case i > 0 && (r == '-' || r == '.' || r == '@' || r == '+'):
		default:
			return false
		}
	}
	return true
}

// QuoteValue returns v ready to stand as one value in a YouTrack query or
// command: as it is when it is a plain word ("High", "HD", "jdoe"),
// otherwise enclosed in braces ("{In Progress}"), with '\', '{', '}' and
// '"' escaped by a backslash and line breaks and other control characters
// replaced by spaces, so no value can end the brace group early, open a
// quoted phrase, or add terms, ranges or sort clauses to the query.
func QuoteValue(v string) string {
	if isBare(v) {
		return v
	}
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('{')
	for _, r := range v {
		switch {
		case r == '\\' || r == '{' || r == '}' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.IsControl(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('}')
	return b.String()
}

// QuoteField returns a field name ready to stand before a colon: as it is
// when it is a plain word, otherwise in braces ("{Due Date}"), escaped as
// [QuoteValue] does.
func QuoteField(name string) string { return QuoteValue(name) }

// QuoteQuery returns the term "field: value" with both parts quoted, for
// example QuoteQuery("Due Date", "In Progress") = "{Due Date}: {In Progress}".
func QuoteQuery(field, value string) string {
	return QuoteField(field) + ": " + QuoteValue(value)
}

// Query builds a YouTrack search query from terms combined by AND. Every
// value added through its methods is quoted, so the result means exactly
// what the calls say.
type Query struct {
	terms []string
	sort  string
}

// Field adds "field: v1, v2, …" (any of the values).
func (q *Query) Field(field string, values ...string) *Query {
	if len(values) == 0 {
		return q
	}
	qs := make([]string, len(values))
	for i, v := range values {
		qs[i] = QuoteValue(v)
	}
	q.terms = append(q.terms, QuoteField(field)+": "+strings.Join(qs, ", "))
	return q
}

// Project adds "project: shortName".
func (q *Query) Project(shortName string) *Query { return q.Field("project", shortName) }

// Tag adds "tag: name".
func (q *Query) Tag(name string) *Query { return q.Field("tag", name) }

// Has adds "has: field" (the field is set).
func (q *Query) Has(field string) *Query {
	q.terms = append(q.terms, "has: "+QuoteField(field))
	return q
}

// HasNot adds "has: -field" (the field is empty).
func (q *Query) HasNot(field string) *Query {
	q.terms = append(q.terms, "has: -"+QuoteField(field))
	return q
}

// Unresolved adds "#Unresolved".
func (q *Query) Unresolved() *Query {
	q.terms = append(q.terms, "#Unresolved")
	return q
}

// queryTime is the date-time layout YouTrack accepts in queries.
const queryTime = "2006-01-02T15:04:05"

// UpdatedSince adds "updated: <t> .. *": issues updated at or after t,
// to the second. YouTrack reads the time in the token user's time zone,
// so t is written in loc (nil means UTC).
func (q *Query) UpdatedSince(t time.Time, loc *time.Location) *Query {
	if loc == nil {
		loc = time.UTC
	}
	q.terms = append(q.terms, "updated: "+t.In(loc).Truncate(time.Second).Format(queryTime)+" .. *")
	return q
}

// Raw adds a query written by the caller, in parentheses so it combines by
// AND with the other terms. It is not escaped.
func (q *Query) Raw(raw string) *Query {
	if strings.TrimSpace(raw) != "" {
		q.terms = append(q.terms, "("+raw+")")
	}
	return q
}

// SortBy sets "sort by: field asc|desc".
func (q *Query) SortBy(field string, asc bool) *Query {
	dir := "desc"
	if asc {
		dir = "asc"
	}
	q.sort = "sort by: " + QuoteField(field) + " " + dir
	return q
}

// String returns the query text.
func (q *Query) String() string {
	s := strings.Join(q.terms, " ")
	if q.sort != "" {
		if s != "" {
			s += " "
		}
		s += q.sort
	}
	return s
}
