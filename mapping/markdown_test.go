package mapping_test

import (
	"strings"
	"testing"
	"testing/quick"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira/adf"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/tracker"
)

// escapeFlow renders one extra field through the markdown function, alone
// and inside a list item as the built-in specs use it.
const escapeFlow = `
flows:
  - name: escape
    source: s
    target: t
    fields:
      description: {template: '{{.Fields.v | markdown}}'}
      Item: {template: "- Type: {{.Fields.v | markdown}}\n- Next"}
`

// roundTrip renders s through the markdown template function and converts
// the result with adf.FromMarkdown, returning the document's text and the
// list item's text.
func roundTrip(t testing.TB, f *mapping.FlowSpec, s string) (desc, item string) {
	t.Helper()
	res, err := f.Apply(&tracker.Issue{ID: "1", Fields: map[string]any{"v": s}}, time.Time{})
	require.NoError(t, err)
	desc = adf.ToText(adf.FromMarkdown(res.Issue.Description))
	doc := adf.FromMarkdown(res.Issue.Fields["Item"].(string))
	require.Len(t, doc.Content, 1, "the value stays inside its list item: %q", s)
	item = adf.ToText(doc)
	return desc, item
}

// readable is what s reads as in Jira: line breaks are "\n" and invalid
// UTF-8 is U+FFFD, as JSON would carry it.
func readable(s string) string {
	s = string([]rune(s))
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// itemText is what the list item "- Type: s" reads as: ToText indents the
// lines after a hard break under the item.
func itemText(s string) string {
	return "- Type: " + strings.ReplaceAll(readable(s), "\n", "\n  ") + "\n- Next"
}

func escapeSpec(t testing.TB) *mapping.FlowSpec {
	t.Helper()
	s, err := mapping.Parse([]byte(escapeFlow))
	require.NoError(t, err)
	return s.Flows[0]
}

func TestMarkdownEscapeRoundTrip(t *testing.T) {
	t.Parallel()
	f := escapeSpec(t)
	cases := []string{
		"", " ", "rdp_brute_force", "host412.corp.example", `\ ` + "` * _ { } [ ] ( ) # + - . ! | < > ~ &",
		"# heading", "- item", "+ item", "* item", "1. first", "12) x", "---", "***", "___", "```go",
		"**bold** *em* _em_ `code` [link](https://x.example)", `C:\Temp\*.txt`, `a\`, `\\`, "&#10; &amp; &#x41;",
		"line\nbreak", "para\n\npara", "\n", "a\r\nb\rc", "  indented", "trailing  ", "\ttab", "a\u00a0",
		"<script>alert(1)</script>", "![img](x)", "| a | b |", "~~strike~~", "a_b_", "_a_", "*a\\*b*",
	}
	for _, s := range cases {
		desc, item := roundTrip(t, f, s)
		assert.Equal(t, readable(s), desc, "%q", s)
		assert.Equal(t, itemText(s), item, "%q", s)
	}
}

func TestMarkdownEscapeRoundTripProperty(t *testing.T) {
	t.Parallel()
	f := escapeSpec(t)
	// Mix Markdown syntax into the random strings, so escapes next to
	// each other and to ordinary text are exercised.
	const specials = "\\`*_{}[]()#+-.!|<>~&;\n\r \t0123456789ax"
	prop := func(s string, pick []uint8) bool {
		var b strings.Builder
		for i, r := range s {
			b.WriteRune(r)
			if i < len(pick) {
				b.WriteByte(specials[int(pick[i])%len(specials)])
			}
		}
		in := b.String()
		desc, item := roundTrip(t, f, in)
		return desc == readable(in) && item == itemText(in)
	}
	assert.NoError(t, quick.Check(prop, &quick.Config{MaxCount: 2000}))
}

func FuzzMarkdownEscapeRoundTrip(f *testing.F) {
	for _, s := range []string{"", "rdp_brute_force", "# x", "a\nb", `\*`, "&#10;", " x "} {
		f.Add(s)
	}
	fl := escapeSpec(f)
	f.Fuzz(func(t *testing.T, s string) {
		desc, item := roundTrip(t, fl, s)
		if desc != readable(s) || item != itemText(s) {
			t.Fatalf("%q reads as %q and %q", s, desc, item)
		}
	})
}
