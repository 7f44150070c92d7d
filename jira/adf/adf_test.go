package adf_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira/adf"
)

func TestFromTextRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "one line", "a\nb", "a\n\nb", "a\n\n\nb", "\n", "\n\n", "trailing\n", " spaced  out ", "tab\there", "ünïcödé ✓"} {
		doc := adf.FromText(s)
		require.NoError(t, doc.Validate(), "%q", s)
		assert.Equal(t, s, adf.ToText(doc), "%q", s)
	}
	assert.Equal(t, "a\nb", adf.ToText(adf.FromText("a\r\nb")))
}

func TestFromTextShape(t *testing.T) {
	t.Parallel()
	got, err := json.Marshal(adf.FromText("Line one\nLine two\n\nNext"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"doc","version":1,"content":[
		{"type":"paragraph","content":[{"type":"text","text":"Line one"},{"type":"hardBreak"},{"type":"text","text":"Line two"}]},
		{"type":"paragraph","content":[{"type":"text","text":"Next"}]}]}`, string(got))
}

func TestUnknownNodesRoundTrip(t *testing.T) {
	t.Parallel()
	in := `{"type":"doc","version":1,"content":[
		{"type":"panel","attrs":{"panelType":"warning"},"content":[{"type":"paragraph","content":[{"type":"text","text":"careful","marks":[{"type":"textColor","attrs":{"color":"#ff0000"}}]}]}]},
		{"type":"mediaSingle","attrs":{"layout":"center"},"content":[{"type":"media","attrs":{"id":"abc","type":"file","collection":"c"}}],"localId":"x1"},
		{"type":"paragraph","content":[{"type":"mention","attrs":{"id":"5b10","text":"@Alice"}},{"type":"text","text":" see "},{"type":"emoji","attrs":{"shortName":":tada:","text":"🎉"}}]}
	],"futureKey":{"a":1}}`
	doc, err := adf.Parse([]byte(in))
	require.NoError(t, err)
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	assert.JSONEq(t, in, string(out))
	assert.Equal(t, "careful\n\n\n\n@Alice see 🎉", adf.ToText(doc))
}

func TestMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, md, want string
	}{
		{"paragraphs and breaks", "one\ntwo\n\nthree", `[{"type":"paragraph","content":[{"type":"text","text":"one"},{"type":"hardBreak"},{"type":"text","text":"two"}]},{"type":"paragraph","content":[{"type":"text","text":"three"}]}]`},
		{"heading", "## Title", `[{"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Title"}]}]`},
		{"inline marks", "a **b** *c* _d_ `e` [f](https://x.example/y)", `[{"type":"paragraph","content":[
			{"type":"text","text":"a "},{"type":"text","text":"b","marks":[{"type":"strong"}]},{"type":"text","text":" "},
			{"type":"text","text":"c","marks":[{"type":"em"}]},{"type":"text","text":" "},{"type":"text","text":"d","marks":[{"type":"em"}]},
			{"type":"text","text":" "},{"type":"text","text":"e","marks":[{"type":"code"}]},{"type":"text","text":" "},
			{"type":"text","text":"f","marks":[{"type":"link","attrs":{"href":"https://x.example/y"}}]}]}]`},
		{"bullet list", "- a\n- b", `[{"type":"bulletList","content":[
			{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]}]},
			{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"b"}]}]}]}]`},
		{"ordered list", "1. a\n2. b", `[{"type":"orderedList","content":[
			{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]}]},
			{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"b"}]}]}]}]`},
		{"nested list", "- a\n  - b", `[{"type":"bulletList","content":[
			{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]},
				{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"b"}]}]}]}]}]}]`},
		{"code block", "```go\nx := 1\n\ny()\n```", `[{"type":"codeBlock","attrs":{"language":"go"},"content":[
			{"type":"text","text":"x := 1"},{"type":"hardBreak"},{"type":"hardBreak"},{"type":"text","text":"y()"}]}]`},
		{"rule", "a\n\n---\n\nb", `[{"type":"paragraph","content":[{"type":"text","text":"a"}]},{"type":"rule"},{"type":"paragraph","content":[{"type":"text","text":"b"}]}]`},
		{"empty", "", `[{"type":"paragraph"}]`},
		{"backslash escapes", `Type: rdp\_brute\_force on host\.corp \*not em\* \\ \a`, `[{"type":"paragraph","content":[
			{"type":"text","text":"Type: rdp_brute_force on host.corp *not em* \\ \\a"}]}]`},
		{"escaped block markers", "\\# h\n\\- i\n1\\. x", `[{"type":"paragraph","content":[
			{"type":"text","text":"# h"},{"type":"hardBreak"},{"type":"text","text":"- i"},{"type":"hardBreak"},{"type":"text","text":"1. x"}]}]`},
		{"escapes inside marks", `**a\*b** *c\*d* [e\]f](https://x.example/\(g\))`, `[{"type":"paragraph","content":[
			{"type":"text","text":"a*b","marks":[{"type":"strong"}]},{"type":"text","text":" "},
			{"type":"text","text":"c*d","marks":[{"type":"em"}]},{"type":"text","text":" "},
			{"type":"text","text":"e]f","marks":[{"type":"link","attrs":{"href":"https://x.example/(g)"}}]}]}]`},
		{"code is literal", "`a\\_b`", `[{"type":"paragraph","content":[{"type":"text","text":"a\\_b","marks":[{"type":"code"}]}]}]`},
		{"character references", "&#32;a&#10;b&#x41;&#0;&amp;", `[{"type":"paragraph","content":[
			{"type":"text","text":" a"},{"type":"hardBreak"},{"type":"text","text":"bA\ufffd&amp;"}]}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := adf.FromMarkdown(tt.md)
			require.NoError(t, doc.Validate())
			got, err := json.Marshal(doc.Content)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got))
		})
	}
}

func TestToMarkdownRoundTrip(t *testing.T) {
	t.Parallel()
	for _, md := range []string{
		"# Title\n\nsome **bold** and *em* and `code` and [link](https://x.example)",
		"- one\n- two\n\n1. first\n2. second",
		"```sh\nls -l\n```",
		"line\nbreak",
		"rdp_brute_force \\_x_ \\*y\\* \\` a\\\\b \\[z\\] \\&#10;",
	} {
		assert.Equal(t, md, adf.ToMarkdown(adf.FromMarkdown(md)), "%q", md)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	bad := []*adf.Node{
		nil,
		{Type: "paragraph"},
		{Type: "doc", Version: 2},
		adf.Doc(adf.Paragraph(adf.Text(""))),
		adf.Doc(adf.Paragraph(adf.Text("a\nb"))),
		adf.Doc(&adf.Node{Type: "heading", Attrs: map[string]any{"level": 9}}),
		adf.Doc(&adf.Node{}),
	}
	for i, n := range bad {
		assert.Error(t, n.Validate(), "case %d", i)
	}
}

func FuzzConversions(f *testing.F) {
	for _, s := range []string{"", "a\nb", "# h\n\n- x\n  - y\n1. z\n```\ncode\n```", "**b** *i* `c` [l](u)", "\r\n\r", "- \n-", "```", "[a](b c)", "_x_y_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc := adf.FromText(s)
		if err := doc.Validate(); err != nil {
			t.Fatalf("FromText(%q) is invalid: %v", s, err)
		}
		want := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		if got := adf.ToText(doc); got != want {
			t.Fatalf("ToText(FromText(%q)) = %q", s, got)
		}
		md := adf.FromMarkdown(s)
		if err := md.Validate(); err != nil {
			t.Fatalf("FromMarkdown(%q) is invalid: %v", s, err)
		}
		_ = adf.ToMarkdown(md)
		_ = adf.ToText(md)
		data, err := json.Marshal(md)
		if err != nil {
			t.Fatal(err)
		}
		back, err := adf.Parse(data)
		if err != nil {
			t.Fatalf("cannot parse own output: %v", err)
		}
		// JSON replaces invalid UTF-8, so only valid text survives exactly.
		if utf8.ValidString(s) && adf.ToText(back) != adf.ToText(md) {
			t.Fatal("JSON round trip changed the text")
		}
	})
}
