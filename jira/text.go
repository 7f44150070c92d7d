package jira

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/trackbridge/trackbridge/internal/jsonscan"
	"github.com/trackbridge/trackbridge/jira/adf"
)

// RichText is a rich-text value: a description, an environment, a comment
// body or a textarea custom field. Jira Cloud (v3) sends and takes an ADF
// document; Data Center (v2) and webhooks a wiki-markup string. RichText
// reads either, and the client writes the form its deployment expects,
// converting plain text to ADF on Cloud.
type RichText struct {
	// Doc is the ADF document, when the value came as one or was built
	// as one.
	Doc *adf.Node
	// Raw is the string form, when the value came as a string or was
	// given as text.
	Raw string
}

// Plain returns a RichText holding text; on Cloud the client sends it as an
// ADF document built with adf.FromText.
func Plain(text string) *RichText { return &RichText{Raw: text} }

// Markdown returns a RichText from the Markdown subset adf.FromMarkdown
// reads. On Data Center the Markdown is sent as it is.
func Markdown(md string) *RichText { return &RichText{Doc: adf.FromMarkdown(md), Raw: md} }

// Text returns the value as plain text.
func (t *RichText) Text() string {
	if t == nil {
		return ""
	}
	if t.Doc != nil {
		return adf.ToText(t.Doc)
	}
	return t.Raw
}

// UnmarshalJSON reads an ADF document, a string or null.
func (t *RichText) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*t = RichText{}
	case len(data) > 0 && data[0] == '"':
		s, ok := jsonscan.String(data)
		if !ok {
			return fmt.Errorf("jira: rich text: malformed string")
		}
		*t = RichText{Raw: s}
	default:
		// encoding/json has validated data: decode the document directly.
		doc := new(adf.Node)
		if err := doc.UnmarshalJSON(data); err != nil {
			return fmt.Errorf("jira: rich text: %w", err)
		}
		*t = RichText{Doc: doc}
	}
	return nil
}

// MarshalJSON writes the document when there is one, else the string.
func (t RichText) MarshalJSON() ([]byte, error) {
	if t.Doc != nil {
		return json.Marshal(t.Doc)
	}
	return json.Marshal(t.Raw)
}

// forWire returns the form the deployment takes: ADF on Cloud, a string on
// Data Center.
func (t *RichText) forWire(cloud bool) any {
	if t == nil {
		return nil
	}
	if cloud {
		if t.Doc != nil {
			return t.Doc
		}
		return adf.FromText(t.Raw)
	}
	if t.Raw != "" || t.Doc == nil {
		return t.Raw
	}
	return adf.ToText(t.Doc)
}

// docMarkdown renders rich text as Markdown.
func docMarkdown(t *RichText) string {
	if t.Doc != nil {
		return adf.ToMarkdown(t.Doc)
	}
	return t.Raw
}
