package adf

import (
	"strconv"
	"strings"
)

// FromText converts plain text to a document. Paragraphs are separated by
// a blank line ("\n\n"); other line breaks become hardBreak nodes, so no
// text node ever holds a newline. ToText(FromText(s)) == s for every s
// without carriage returns ("\r\n" and "\r" are read as "\n").
func FromText(s string) *Node {
	s = normalizeNewlines(s)
	doc := Doc()
	for _, para := range strings.Split(s, "\n\n") {
		p := Paragraph()
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				p.Content = append(p.Content, HardBreak())
			}
			if line != "" {
				p.Content = append(p.Content, Text(line))
			}
		}
		doc.Content = append(doc.Content, p)
	}
	return doc
}

func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// ToText renders a document as plain text: blocks separated by a blank
// line, hard breaks as newlines, list items prefixed "- " or "1. ", marks
// dropped, link targets kept only through their text. Unknown inline nodes
// contribute their text or attrs.text (mentions, emoji), unknown blocks
// their children.
func ToText(n *Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	writeBlocks(&b, n.Content, "")
	return b.String()
}

// writeBlocks writes blocks separated by a blank line, each line after the
// first prefixed by indent.
func writeBlocks(b *strings.Builder, blocks []*Node, indent string) {
	for i, blk := range blocks {
		if i > 0 {
			b.WriteString("\n\n")
			b.WriteString(indent)
		}
		writeBlock(b, blk, indent)
	}
}

func writeBlock(b *strings.Builder, n *Node, indent string) {
	if n == nil {
		return
	}
	switch n.Type {
	case TypeParagraph, TypeHeading, TypeCodeBlock:
		writeInline(b, n.Content, indent)
	case TypeBulletList, TypeOrderedList:
		for i, item := range n.Content {
			if i > 0 {
				b.WriteString("\n")
				b.WriteString(indent)
			}
			marker := "- "
			if n.Type == TypeOrderedList {
				marker = strconv.Itoa(i+1) + ". "
			}
			b.WriteString(marker)
			writeListItem(b, item, indent+strings.Repeat(" ", len(marker)))
		}
	case TypeRule:
		b.WriteString("---")
	case TypeText, TypeHardBreak:
		writeInline(b, []*Node{n}, indent)
	default:
		if len(n.Content) > 0 && isInline(n.Content[0]) {
			writeInline(b, n.Content, indent)
		} else {
			writeBlocks(b, n.Content, indent)
		}
	}
}

func writeListItem(b *strings.Builder, item *Node, indent string) {
	if item == nil {
		return
	}
	for i, c := range item.Content {
		if i > 0 {
			b.WriteString("\n")
			b.WriteString(indent)
		}
		writeBlock(b, c, indent)
	}
}

func isInline(n *Node) bool {
	if n == nil {
		return false
	}
	switch n.Type {
	case TypeText, TypeHardBreak, "mention", "emoji", "inlineCard", "status", "date":
		return true
	}
	return false
}

func writeInline(b *strings.Builder, inline []*Node, indent string) {
	for _, n := range inline {
		if n == nil {
			continue
		}
		switch n.Type {
		case TypeText:
			b.WriteString(strings.ReplaceAll(normalizeNewlines(n.Text), "\n", "\n"+indent))
		case TypeHardBreak:
			b.WriteString("\n")
			b.WriteString(indent)
		default:
			if s, ok := n.Attrs["text"].(string); ok {
				b.WriteString(s)
			} else if s, ok := n.Attrs["url"].(string); ok {
				b.WriteString(s)
			} else {
				writeInline(b, n.Content, indent)
			}
		}
	}
}
