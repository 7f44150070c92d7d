package adf

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FromMarkdown converts a Markdown subset to a document: paragraphs
// (separated by blank lines; single line breaks become hardBreak nodes),
// ATX headings (# to ######), bullet lists (-, *, +), ordered lists (1.),
// fenced code blocks (``` with an optional language), horizontal rules
// (---), and inline **bold**, *italic* or _italic_, `code` and
// [text](url) links. A backslash before ASCII punctuation makes it literal
// (\* is a star, \\ a backslash) and numeric character references
// (&#10;, &#x20;) stand for their character, a newline becoming a hard
// break; code spans and blocks are literal. Anything else is kept as
// literal text. No text node ever holds a newline.
func FromMarkdown(s string) *Node {
	lines := strings.Split(normalizeNewlines(s), "\n")
	doc := Doc()
	var para []string
	flush := func() {
		if len(para) > 0 {
			doc.Content = append(doc.Content, &Node{Type: TypeParagraph, Content: inlineLines(para)})
			para = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
		case strings.HasPrefix(trimmed, "```"):
			flush()
			lang := strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))
			var code []string
			i++
			for ; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```"); i++ {
				code = append(code, lines[i])
			}
			blk := &Node{Type: TypeCodeBlock}
			if lang != "" {
				blk.Attrs = map[string]any{"language": lang}
			}
			// Lines become text nodes joined by hardBreaks, so no text node
			// holds a newline.
			blk.Content = codeLines(code)
			doc.Content = append(doc.Content, blk)
		case headingRE.MatchString(trimmed):
			flush()
			m := headingRE.FindStringSubmatch(trimmed)
			h := &Node{Type: TypeHeading, Attrs: map[string]any{"level": len(m[1])}, Content: inline(strings.TrimSpace(m[2]))}
			doc.Content = append(doc.Content, h)
		case trimmed == "---" || trimmed == "***" || trimmed == "___":
			flush()
			doc.Content = append(doc.Content, &Node{Type: TypeRule})
		case bulletRE.MatchString(line) || orderedRE.MatchString(line):
			flush()
			var list *Node
			list, i = parseList(lines, i)
			doc.Content = append(doc.Content, list)
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	if len(doc.Content) == 0 {
		doc.Content = []*Node{Paragraph()}
	}
	return doc
}

var (
	headingRE = regexp.MustCompile(`^(#{1,6})\s+(.*)$`)
	bulletRE  = regexp.MustCompile(`^(\s*)[-*+]\s+(.*)$`)
	orderedRE = regexp.MustCompile(`^(\s*)(\d{1,9})[.)]\s+(.*)$`)
)

// codeLines turns code lines into text nodes separated by hardBreaks, so
// no text node holds a newline.
func codeLines(lines []string) []*Node {
	var out []*Node
	for i, l := range lines {
		if i > 0 {
			out = append(out, HardBreak())
		}
		if l != "" {
			out = append(out, Text(l))
		}
	}
	return out
}

// parseList reads consecutive list lines of one kind starting at i and
// returns the list and the index of its last line. Deeper-indented items
// nest inside the previous item.
func parseList(lines []string, i int) (*Node, int) {
	indent, ordered, _ := listLine(lines[i])
	list := &Node{Type: TypeBulletList}
	if ordered {
		list.Type = TypeOrderedList
		if m := orderedRE.FindStringSubmatch(lines[i]); m != nil {
			if n, err := strconv.Atoi(m[2]); err == nil && n != 1 {
				list.Attrs = map[string]any{"order": n}
			}
		}
	}
	for ; i < len(lines); i++ {
		ind, ord, text := listLine(lines[i])
		if ind < 0 || ind < indent {
			return list, i - 1
		}
		if ind > indent && len(list.Content) > 0 {
			var sub *Node
			sub, i = parseList(lines, i)
			last := list.Content[len(list.Content)-1]
			last.Content = append(last.Content, sub)
			continue
		}
		if ord != ordered {
			return list, i - 1
		}
		list.Content = append(list.Content, &Node{Type: TypeListItem, Content: []*Node{{Type: TypeParagraph, Content: inline(text)}}})
	}
	return list, i - 1
}

// listLine returns a list line's indent, kind and text, or indent -1 when
// the line is not a list item.
func listLine(line string) (int, bool, string) {
	if m := bulletRE.FindStringSubmatch(line); m != nil {
		return len(m[1]), false, m[2]
	}
	if m := orderedRE.FindStringSubmatch(line); m != nil {
		return len(m[1]), true, m[3]
	}
	return -1, false, ""
}

// inlineLines parses paragraph lines joined by hardBreaks.
func inlineLines(lines []string) []*Node {
	var out []*Node
	for i, l := range lines {
		if i > 0 {
			out = append(out, HardBreak())
		}
		out = append(out, inline(l)...)
	}
	return out
}

// inlineRE finds the next inline token: a backslash escape of ASCII
// punctuation, a numeric character reference, a code span, strong, a link,
// or emphasis. Marked text may hold escapes (\\.), so an escaped "*" or "]"
// never closes a mark; code spans are literal, as in CommonMark.
var inlineRE = regexp.MustCompile(`\\([!-/:-@\[-` + "`" + `{-~])` +
	`|&#([0-9]{1,7}|[xX][0-9a-fA-F]{1,6});` +
	"|`([^`]+)`" +
	`|\*\*((?:\\.|[^*\\])+)\*\*` +
	`|\[((?:\\.|[^\]\\])+)\]\(((?:\\.|[^)\s\\])+)\)` +
	`|\*((?:\\.|[^*\s\\])(?:\\.|[^*\\])*)\*` +
	`|\b_((?:\\.|[^_\s\\])(?:\\.|[^_\\])*)_\b`)

// escapeRE matches what [unescape] decodes.
var escapeRE = regexp.MustCompile(`\\([!-/:-@\[-` + "`" + `{-~])|&#([0-9]{1,7}|[xX][0-9a-fA-F]{1,6});`)

// unescape decodes backslash escapes of ASCII punctuation and numeric
// character references (&#10;, &#x20;), as CommonMark does.
func unescape(s string) string {
	if !strings.ContainsAny(s, "\\&") {
		return s
	}
	return escapeRE.ReplaceAllStringFunc(s, func(m string) string {
		if m[0] == '\\' {
			return m[1:]
		}
		return charRef(m[2 : len(m)-1])
	})
}

// charRef decodes the number of a numeric character reference; an invalid
// code point or NUL reads as U+FFFD, as in CommonMark.
func charRef(num string) string {
	base := 10
	if num[0] == 'x' || num[0] == 'X' {
		base, num = 16, num[1:]
	}
	n, err := strconv.ParseUint(num, base, 32)
	if err != nil || n == 0 || n > utf8.MaxRune || !utf8.ValidRune(rune(n)) {
		return "\uFFFD"
	}
	return string(rune(n))
}

// inline parses one line's inline markup. Escaped characters are literal;
// a newline, which only a character reference (&#10;) can put in a line,
// becomes a hardBreak. Adjacent text with the same marks is one node.
func inline(s string) []*Node {
	var out []*Node
	add := func(text string, marks ...*Mark) {
		for i, part := range strings.Split(normalizeNewlines(text), "\n") {
			if i > 0 {
				out = append(out, HardBreak())
			}
			if part == "" {
				continue
			}
			if n := len(out); n > 0 && out[n-1].Type == TypeText && sameMarks(out[n-1].Marks, marks) {
				out[n-1].Text += part
				continue
			}
			out = append(out, Text(part, marks...))
		}
	}
	for s != "" {
		loc := inlineRE.FindStringSubmatchIndex(s)
		if loc == nil {
			add(s)
			break
		}
		add(s[:loc[0]])
		group := func(g int) string { return s[loc[2*g]:loc[2*g+1]] }
		switch {
		case loc[2] >= 0:
			add(group(1))
		case loc[4] >= 0:
			add(charRef(group(2)))
		case loc[6] >= 0:
			add(group(3), &Mark{Type: MarkCode})
		case loc[8] >= 0:
			add(unescape(group(4)), &Mark{Type: MarkStrong})
		case loc[10] >= 0:
			add(unescape(group(5)), Link(unescape(group(6))))
		case loc[14] >= 0:
			add(unescape(group(7)), &Mark{Type: MarkEm})
		case loc[16] >= 0:
			add(unescape(group(8)), &Mark{Type: MarkEm})
		}
		s = s[loc[1]:]
	}
	return out
}

// sameMarks reports whether two text nodes made by inline carry the same
// marks (inline gives each node at most one).
func sameMarks(a, b []*Mark) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] == nil || b[i] == nil || a[i].Type != b[i].Type || a[i].href() != b[i].href() {
			return false
		}
	}
	return true
}

// ToMarkdown renders a document in the Markdown subset FromMarkdown reads.
// Unknown nodes contribute their text as ToText does.
func ToMarkdown(n *Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	mdBlocks(&b, n.Content, "")
	return b.String()
}

func mdBlocks(b *strings.Builder, blocks []*Node, indent string) {
	first := true
	for _, blk := range blocks {
		if blk == nil {
			continue
		}
		if !first {
			b.WriteString("\n\n")
			b.WriteString(indent)
		}
		first = false
		mdBlock(b, blk, indent)
	}
}

func mdBlock(b *strings.Builder, n *Node, indent string) {
	switch n.Type {
	case TypeParagraph:
		mdInline(b, n.Content, indent)
	case TypeHeading:
		l := headingLevel(n)
		if l < 1 || l > 6 {
			l = 1
		}
		b.WriteString(strings.Repeat("#", l) + " ")
		mdInline(b, n.Content, indent)
	case TypeCodeBlock:
		b.WriteString("```")
		if lang, _ := n.Attrs["language"].(string); lang != "" {
			b.WriteString(lang)
		}
		b.WriteString("\n" + indent)
		writeInline(b, n.Content, indent)
		b.WriteString("\n" + indent + "```")
	case TypeRule:
		b.WriteString("---")
	case TypeBulletList, TypeOrderedList:
		for i, item := range n.Content {
			if i > 0 {
				b.WriteString("\n" + indent)
			}
			marker := "- "
			if n.Type == TypeOrderedList {
				marker = strconv.Itoa(i+1) + ". "
			}
			b.WriteString(marker)
			sub := indent + strings.Repeat(" ", len(marker))
			if item == nil {
				continue
			}
			for j, c := range item.Content {
				if j > 0 {
					b.WriteString("\n" + sub)
				}
				mdBlock(b, c, sub)
			}
		}
	case TypeText, TypeHardBreak:
		mdInline(b, []*Node{n}, indent)
	default:
		if len(n.Content) > 0 && isInline(n.Content[0]) {
			mdInline(b, n.Content, indent)
		} else {
			mdBlocks(b, n.Content, indent)
		}
	}
}

func mdInline(b *strings.Builder, inline []*Node, indent string) {
	for _, n := range inline {
		if n == nil {
			continue
		}
		if n.Type != TypeText {
			writeInline(b, []*Node{n}, indent)
			continue
		}
		text := normalizeNewlines(n.Text)
		var href string
		pre, post := "", ""
		code := false
		for _, m := range n.Marks {
			if m != nil && m.Type == MarkCode {
				code = true
			}
		}
		if !code {
			text = escapeInline(text)
		}
		text = strings.ReplaceAll(text, "\n", "\n"+indent)
		for _, m := range n.Marks {
			if m == nil {
				continue
			}
			switch m.Type {
			case MarkStrong:
				pre, post = pre+"**", "**"+post
			case MarkEm:
				pre, post = pre+"*", "*"+post
			case MarkCode:
				pre, post = pre+"`", "`"+post
			case MarkLink:
				href = m.href()
			}
		}
		text = pre + text + post
		if href != "" {
			text = "[" + text + "](" + href + ")"
		}
		b.WriteString(text)
	}
}

// escapeInline backslash-escapes the characters FromMarkdown would read as
// inline markup, so that text survives ToMarkdown and FromMarkdown. An
// underscore inside a word (rdp_brute_force) cannot start emphasis and is
// left alone.
func escapeInline(s string) string {
	if !strings.ContainsAny(s, "\\`*_[]&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' && i > 0 && isWordByte(s[i-1]):
		case strings.IndexByte("\\`*_[]", c) >= 0, c == '&' && i+1 < len(s) && s[i+1] == '#':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
