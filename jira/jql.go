package jira

import (
	"strings"
	"time"
)

// QuoteJQL returns s as a JQL string literal: wrapped in double quotes,
// with backslashes, quotes and control characters escaped, so a value can
// never end the literal and change the query. Use it for every value put
// into JQL.
func QuoteJQL(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteString(`\u`)
				const hex = "0123456789abcdef"
				b.WriteByte('0')
				b.WriteByte('0')
				b.WriteByte(hex[r>>4])
				b.WriteByte(hex[r&0xf])
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// QuoteJQLList returns values as a parenthesised list of JQL string
// literals, for the in and not in operators.
func QuoteJQLList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = QuoteJQL(v)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// JQLTime formats t as a JQL date-time literal ("2006-01-02 15:04") in loc.
// JQL compares at minute precision in the searching user's time zone, so
// pass that zone and round down; filter finer on the client.
func JQLTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return QuoteJQL(t.In(loc).Format("2006-01-02 15:04"))
}
