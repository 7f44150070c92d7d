package jira_test

import (
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
)

// readLiteral reads a JQL string literal at the start of q the way Jira's
// lexer does and returns its value and length.
func readLiteral(q string) (string, int, bool) {
	if q == "" || q[0] != '"' {
		return "", 0, false
	}
	var out []rune
	r := []rune(q)
	for i := 1; i < len(r); i++ {
		switch r[i] {
		case '\\':
			if i+1 >= len(r) {
				return "", 0, false
			}
			i++
			switch r[i] {
			case 'n':
				out = append(out, '\n')
			case 't':
				out = append(out, '\t')
			case 'r':
				out = append(out, '\r')
			case 'u':
				if i+4 >= len(r) {
					return "", 0, false
				}
				n, err := strconv.ParseUint(string(r[i+1:i+5]), 16, 32)
				if err != nil {
					return "", 0, false
				}
				out = append(out, rune(n))
				i += 4
			default:
				out = append(out, r[i])
			}
		case '"':
			return string(out), len(string(r[:i+1])), true
		default:
			out = append(out, r[i])
		}
	}
	return "", 0, false
}

func TestQuoteJQL(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"SEC":            `"SEC"`,
		`a"b`:            `"a\"b"`,
		`back\slash`:     `"back\\slash"`,
		"new\nline":      `"new\nline"`,
		"bell\a":         `"bell\u0007"`,
		`x" OR key != "`: `"x\" OR key != \""`,
	}
	for in, want := range tests {
		assert.Equal(t, want, jira.QuoteJQL(in))
	}
	assert.Equal(t, `("a", "b\"")`, jira.QuoteJQLList([]string{"a", `b"`}))
	assert.Equal(t, `"2025-01-02 04:05"`, jira.JQLTime(time.Date(2025, 1, 2, 3, 5, 0, 0, time.UTC), time.FixedZone("CET", 3600)))
}

func TestQuoteJQLAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	c := newClient(t, srv)
	_, err := srv.Seed("SEC", 3)
	require.NoError(t, err)
	for _, hostile := range []string{`x" OR project = "SEC`, `seeded" OR labels != "`, `\" OR 1=1`} {
		jql := "project = SEC AND labels = " + jira.QuoteJQL(hostile)
		n := 0
		for _, err := range c.Search.All(t.Context(), jql, nil) {
			require.NoError(t, err, jql)
			n++
		}
		assert.Zero(t, n, "the value %q changed the query %s", hostile, jql)
	}
}

func FuzzQuoteJQL(f *testing.F) {
	for _, s := range []string{"", "SEC", `a"b`, `\`, `\"`, "\n\r\t", "\x00\x7f", "ünï", `" OR "1"="1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := jira.QuoteJQL(s)
		val, n, ok := readLiteral(q + " AND x = y")
		if !ok {
			t.Fatalf("QuoteJQL(%q) = %s is not one closed literal", s, q)
		}
		if n != len(q) {
			t.Fatalf("QuoteJQL(%q) = %s ends the literal early (at %d of %d)", s, q, n, len(q))
		}
		if utf8.ValidString(s) && val != s {
			t.Fatalf("QuoteJQL(%q) reads back as %q", s, val)
		}
	})
}
