package adf

import (
	"regexp"
	"strconv"
	"strings"
)

// FromMarkdown converts a Markdown subset to a document: paragraphs
// (separated by blank lines; single line breaks become hardBreak nodes),
// ATX headings (# to ######), bullet lists (-, *, +), ordered lists (1.),
// fenced code blocks (``` with an optional language), horizontal rules
// (---), and inline **bold**, *italic* or _italic_, `code` and
// [text](url) links. Anything else is kept as literal text. No text node
// ever holds a newline.
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

var inlineRE = regexp.MustCompile("`([^`]+)`|\\*\\*([^*]+)\\*\\*|\\[([^\\]]+)\\]\\(([^)\\s]+)\\)|\\*([^*\\s][^*]*)\\*|\\b_([^_\\s][^_]*)_\\b")

// inline parses one line's inline markup.
func inline(s string) []*Node {
	var out []*Node
	add := func(text string, marks ...*Mark) {
		if text != "" {
			out = append(out, Text(text, marks...))
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
			add(group(1), &Mark{Type: MarkCode})
		case loc[4] >= 0:
			add(group(2), &Mark{Type: MarkStrong})
		case loc[6] >= 0:
			add(group(3), Link(group(4)))
		case loc[10] >= 0:
			add(group(5), &Mark{Type: MarkEm})
		case loc[12] >= 0:
			add(group(6), &Mark{Type: MarkEm})
		}
		s = s[loc[1]:]
	}
	return out
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
		text := strings.ReplaceAll(normalizeNewlines(n.Text), "\n", "\n"+indent)
		var href string
		pre, post := "", ""
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
