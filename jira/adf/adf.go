// Package adf models the Atlassian Document Format, the JSON rich-text
// representation Jira Cloud uses for descriptions, comments and textarea
// custom fields, and converts it to and from plain text and a Markdown
// subset.
//
// A [Node] keeps every attribute and every key it does not know, so a
// document read from Jira and written back is unchanged, whatever node types
// Atlassian adds.
package adf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/trackbridge/trackbridge/internal/jsonscan"
	"sort"
)

// Node types used by the converters. Other types round-trip untouched.
const (
	TypeDoc         = "doc"
	TypeParagraph   = "paragraph"
	TypeText        = "text"
	TypeHardBreak   = "hardBreak"
	TypeHeading     = "heading"
	TypeBulletList  = "bulletList"
	TypeOrderedList = "orderedList"
	TypeListItem    = "listItem"
	TypeCodeBlock   = "codeBlock"
	TypeRule        = "rule"
	TypeBlockquote  = "blockquote"
)

// Mark types used by the converters.
const (
	MarkStrong = "strong"
	MarkEm     = "em"
	MarkCode   = "code"
	MarkLink   = "link"
)

// Node is one node of a document: the document itself (type "doc"), a
// block (paragraph, heading, list) or an inline (text, hardBreak, mention).
type Node struct {
	Type    string         `json:"type"`
	Version int            `json:"version,omitempty"`
	Attrs   map[string]any `json:"attrs,omitempty"`
	Content []*Node        `json:"content,omitempty"`
	Text    string         `json:"text,omitempty"`
	Marks   []*Mark        `json:"marks,omitempty"`
	// Extra holds keys this package does not know, written back as read.
	Extra map[string]json.RawMessage `json:"-"`
}

// Mark decorates a text node: strong, em, code, link (attrs.href) and
// others, which round-trip untouched.
type Mark struct {
	Type  string                     `json:"type"`
	Attrs map[string]any             `json:"attrs,omitempty"`
	Extra map[string]json.RawMessage `json:"-"`
}

var nodeKeys = map[string]bool{"type": true, "version": true, "attrs": true, "content": true, "text": true, "marks": true}
var markKeys = map[string]bool{"type": true, "attrs": true}

type plainNode Node
type plainMark Mark

// UnmarshalJSON decodes a node in one pass, keeping unknown keys in Extra.
func (n *Node) UnmarshalJSON(data []byte) error {
	*n = Node{}
	return jsonscan.Object(data, func(rawKey, v []byte) error {
		key, ok := jsonscan.Key(rawKey)
		if !ok || jsonscan.IsNull(v) && !nodeKeys[string(key)] {
			return keepExtra(&n.Extra, rawKey, v)
		}
		if jsonscan.IsNull(v) {
			return nil
		}
		var good bool
		switch string(key) {
		case "type":
			n.Type, good = jsonscan.String(v)
		case "text":
			n.Text, good = jsonscan.String(v)
		case "version":
			var x int64
			x, good = jsonscan.Int(v)
			n.Version = int(x)
		case "attrs":
			good = json.Unmarshal(v, &n.Attrs) == nil
		case "content":
			good = jsonscan.Array(v, func(e []byte) error {
				if jsonscan.IsNull(e) {
					n.Content = append(n.Content, nil)
					return nil
				}
				c := new(Node)
				if err := c.UnmarshalJSON(e); err != nil {
					return err
				}
				n.Content = append(n.Content, c)
				return nil
			}) == nil
		case "marks":
			good = jsonscan.Array(v, func(e []byte) error {
				if jsonscan.IsNull(e) {
					n.Marks = append(n.Marks, nil)
					return nil
				}
				m := new(Mark)
				if err := m.UnmarshalJSON(e); err != nil {
					return err
				}
				n.Marks = append(n.Marks, m)
				return nil
			}) == nil
		default:
			return keepExtra(&n.Extra, rawKey, v)
		}
		if !good {
			return fmt.Errorf("adf: node key %s: unexpected value %.40s", key, v)
		}
		return nil
	})
}

// keepExtra stores a copy of an unknown key's value.
func keepExtra(extra *map[string]json.RawMessage, rawKey, v []byte) error {
	k, ok := jsonscan.String(rawKey)
	if !ok {
		return jsonscan.ErrSyntax
	}
	if *extra == nil {
		*extra = map[string]json.RawMessage{}
	}
	(*extra)[k] = append(json.RawMessage(nil), v...)
	return nil
}

// MarshalJSON encodes a node with its unknown keys.
func (n *Node) MarshalJSON() ([]byte, error) { return withExtra((*plainNode)(n), n.Extra) }

// UnmarshalJSON decodes a mark in one pass, keeping unknown keys in Extra.
func (m *Mark) UnmarshalJSON(data []byte) error {
	*m = Mark{}
	return jsonscan.Object(data, func(rawKey, v []byte) error {
		key, ok := jsonscan.Key(rawKey)
		if !ok || !markKeys[string(key)] {
			return keepExtra(&m.Extra, rawKey, v)
		}
		if jsonscan.IsNull(v) {
			return nil
		}
		var good bool
		switch string(key) {
		case "type":
			m.Type, good = jsonscan.String(v)
		case "attrs":
			good = json.Unmarshal(v, &m.Attrs) == nil
		}
		if !good {
			return fmt.Errorf("adf: mark key %s: unexpected value %.40s", key, v)
		}
		return nil
	})
}

// MarshalJSON encodes a mark with its unknown keys.
func (m *Mark) MarshalJSON() ([]byte, error) { return withExtra((*plainMark)(m), m.Extra) }

func withExtra(v any, extra map[string]json.RawMessage) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return data, err
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.Write(data[:len(data)-1])
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		if !json.Valid(extra[k]) {
			return nil, fmt.Errorf("adf: extra key %q holds invalid JSON", k)
		}
		b.WriteByte(',')
		b.Write(kb)
		b.WriteByte(':')
		b.Write(extra[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Doc returns a document holding the given blocks.
func Doc(blocks ...*Node) *Node {
	return &Node{Type: TypeDoc, Version: 1, Content: blocks}
}

// Paragraph returns a paragraph of inline nodes.
func Paragraph(inline ...*Node) *Node { return &Node{Type: TypeParagraph, Content: inline} }

// Text returns a text node with marks. Text must not be empty and should
// not hold a newline; use [HardBreak] between lines.
func Text(s string, marks ...*Mark) *Node { return &Node{Type: TypeText, Text: s, Marks: marks} }

// HardBreak returns a line break inside a paragraph.
func HardBreak() *Node { return &Node{Type: TypeHardBreak} }

// Link returns a link mark to href.
func Link(href string) *Mark { return &Mark{Type: MarkLink, Attrs: map[string]any{"href": href}} }

// Parse decodes a document.
func Parse(data []byte) (*Node, error) {
	var n Node
	if err := json.Unmarshal(data, &n); err != nil {
		return nil, fmt.Errorf("adf: %w", err)
	}
	return &n, nil
}

// Validate checks the invariants Jira enforces and this package relies on:
// a doc at the root with version 1, no text node that is empty or holds a
// line break, and heading levels 1 to 6.
func (n *Node) Validate() error {
	if n == nil || n.Type != TypeDoc {
		return fmt.Errorf("adf: root is not a doc node")
	}
	if n.Version != 1 {
		return fmt.Errorf("adf: doc version %d, want 1", n.Version)
	}
	return validate(n, "doc")
}

func validate(n *Node, path string) error {
	for i, c := range n.Content {
		p := fmt.Sprintf("%s.content[%d]", path, i)
		if c == nil {
			return fmt.Errorf("adf: %s is null", p)
		}
		switch c.Type {
		case "":
			return fmt.Errorf("adf: %s has no type", p)
		case TypeText:
			if c.Text == "" {
				return fmt.Errorf("adf: %s is an empty text node", p)
			}
			if bytes.ContainsAny([]byte(c.Text), "\n\r") {
				return fmt.Errorf("adf: %s is a text node holding a line break", p)
			}
		case TypeHeading:
			if l := headingLevel(c); l < 1 || l > 6 {
				return fmt.Errorf("adf: %s has heading level %d", p, l)
			}
		}
		if err := validate(c, p); err != nil {
			return err
		}
	}
	return nil
}

func headingLevel(n *Node) int {
	switch v := n.Attrs["level"].(type) {
	case int:
		return v
	case float64:
		return int(v)
	case json.Number:
		i, _ := v.Int64()
		return int(i)
	}
	return 0
}

func (m *Mark) href() string {
	s, _ := m.Attrs["href"].(string)
	return s
}
