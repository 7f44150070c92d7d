package youtrack

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrUnquotable is matched (through errors.Is) by the error of
// [QuoteValue] and [QuoteField] for a value that cannot be quoted safely.
var ErrUnquotable = errors.New("youtrack: value cannot be quoted safely")

// unquotable are the characters no braced value may contain. JetBrains'
// query grammar documents braces around values with spaces, but not how a
// backslash or a double quote inside them is read: a '}' would end the
// group early whether or not "\}" is honoured, a '\' before the closing
// brace might escape it, and a '"' might open a phrase that swallows it.
const unquotable = "{}\\\""

// reserved reports whether s is a query keyword, or the word "me" (the
// current user), which must not stand bare as a value.
func reserved(s string) bool {
	switch strings.ToLower(s) {
	case "and", "or", "not", "has", "sort", "by", "me":
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
// otherwise enclosed in braces ("{In Progress}"), with line breaks and other
// control characters replaced by spaces. A keyword ("or", "has") and the
// word "me", which would mean the current user, are braced too.
//
// A value containing '{', '}', '\' or '"' is refused with an error
// matching [ErrUnquotable]: YouTrack documents no escape inside braces, so
// no spelling of it is sure to stay one value on every server. Whatever
// QuoteValue returns therefore holds no backslash or quote, and braces
// only around the whole value: no value can end the group early, open a
// quoted phrase, or add terms, ranges or sort clauses to the query.
func QuoteValue(v string) (string, error) {
	if isBare(v) {
		return v, nil
	}
	if i := strings.IndexAny(v, unquotable); i >= 0 {
		return "", fmt.Errorf("%w: %q holds %q, which YouTrack queries cannot escape", ErrUnquotable, clipValue(v), v[i])
	}
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('{')
	for _, r := range v {
		if unicode.IsControl(r) {
			r = ' '
		}
		b.WriteRune(r)
	}
	b.WriteByte('}')
	return b.String(), nil
}

// clipValue shortens a refused value for its error message.
func clipValue(v string) string {
	const max = 64
	if len(v) <= max {
		return v
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + "…"
}

// QuoteField returns a field name ready to stand before a colon: as it is
// when it is a plain word, otherwise in braces ("{Due Date}"), refused as
// [QuoteValue] refuses values.
func QuoteField(name string) (string, error) { return QuoteValue(name) }

// QuoteQuery returns the term "field: value" with both parts quoted, for
// example QuoteQuery("Due Date", "In Progress") = "{Due Date}: {In Progress}".
func QuoteQuery(field, value string) (string, error) {
	f, err := QuoteField(field)
	if err != nil {
		return "", err
	}
	v, err := QuoteValue(value)
	if err != nil {
		return "", err
	}
	return f + ": " + v, nil
}

// Query builds a YouTrack search query from terms combined by AND. Every
// value added through its methods is quoted, so the result means exactly
// what the calls say; a value that cannot be quoted is kept out and
// reported by [Query.Build] and [Query.Err].
type Query struct {
	terms []string
	sort  string
	err   error
}

// quote quotes v, recording the first error.
func (q *Query) quote(v string) (string, bool) {
	s, err := QuoteValue(v)
	if err != nil {
		if q.err == nil {
			q.err = err
		}
		return "", false
	}
	return s, true
}

// Field adds "field: v1, v2, …" (any of the values).
func (q *Query) Field(field string, values ...string) *Query {
	if len(values) == 0 {
		return q
	}
	f, ok := q.quote(field)
	if !ok {
		return q
	}
	qs := make([]string, len(values))
	for i, v := range values {
		if qs[i], ok = q.quote(v); !ok {
			return q
		}
	}
	q.terms = append(q.terms, f+": "+strings.Join(qs, ", "))
	return q
}

// Project adds "project: shortName".
func (q *Query) Project(shortName string) *Query { return q.Field("project", shortName) }

// Tag adds "tag: name".
func (q *Query) Tag(name string) *Query { return q.Field("tag", name) }

// Has adds "has: field" (the field is set).
func (q *Query) Has(field string) *Query {
	if f, ok := q.quote(field); ok {
		q.terms = append(q.terms, "has: "+f)
	}
	return q
}

// HasNot adds "has: -field" (the field is empty).
func (q *Query) HasNot(field string) *Query {
	if f, ok := q.quote(field); ok {
		q.terms = append(q.terms, "has: -"+f)
	}
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
	if f, ok := q.quote(field); ok {
		q.sort = "sort by: " + f + " " + dir
	}
	return q
}

// Err returns the first value the query could not quote, as an error
// matching [ErrUnquotable], or nil.
func (q *Query) Err() error { return q.err }

// Build returns the query text, or the error of the first value that
// could not be quoted. Send only what Build returns without error: a
// query missing a refused term matches more than was asked for.
func (q *Query) Build() (string, error) {
	if q.err != nil {
		return "", q.err
	}
	return q.String(), nil
}

// String returns the query text. It leaves out any term whose value could
// not be quoted; see [Query.Build].
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
