package jiratest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// ref is a reference by id, key, name, value or accountId.
type ref struct {
	ID        string `json:"id"`
	Key       string `json:"key"`
	Name      string `json:"name"`
	Value     string `json:"value"`
	AccountID string `json:"accountId"`
}

func (r ref) any() string {
	for _, s := range []string{r.ID, r.Key, r.Name, r.Value, r.AccountID} {
		if s != "" {
			return s
		}
	}
	return ""
}

func isNull(r json.RawMessage) bool {
	return len(r) == 0 || bytes.Equal(bytes.TrimSpace(r), []byte("null"))
}

// richText checks a rich-text value: an ADF doc on Cloud, a string on Data
// Center.
func (s *Server) richText(field string, raw json.RawMessage) (json.RawMessage, string) {
	if isNull(raw) {
		return nil, ""
	}
	if s.dc {
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return nil, fmt.Sprintf("Field '%s' must be a string.", field)
		}
		if str == "" {
			return nil, ""
		}
		return raw, ""
	}
	var doc struct {
		Type    string            `json:"type"`
		Version int               `json:"version"`
		Content []json.RawMessage `json:"content"`
	}
	if json.Unmarshal(raw, &doc) != nil || doc.Type != "doc" || doc.Version != 1 {
		return nil, "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
	}
	if msg := checkADF(raw); msg != "" {
		return nil, msg
	}
	return raw, ""
}

// checkADF rejects text nodes that are empty or span lines, which Jira's
// ADF validator refuses too.
func checkADF(raw json.RawMessage) string {
	// Decoded once, whole: decoding each node's content again at every
	// level made a large description the fake's largest cost.
	var n adfNode
	if json.Unmarshal(raw, &n) != nil {
		return "INVALID_INPUT: node without a type"
	}
	return n.check()
}

// adfNode is what the fake checks of an ADF node.
type adfNode struct {
	Type    string    `json:"type"`
	Text    *string   `json:"text"`
	Content []adfNode `json:"content"`
}

func (n *adfNode) check() string {
	if n.Type == "" {
		return "INVALID_INPUT: node without a type"
	}
	if n.Type == "text" && (n.Text == nil || *n.Text == "" || strings.ContainsAny(*n.Text, "\n\r")) {
		return "INVALID_INPUT: text nodes must be non-empty and hold no line break"
	}
	for i := range n.Content {
		if msg := n.Content[i].check(); msg != "" {
			return msg
		}
	}
	return ""
}

// setField validates and applies one field to is; it returns an error
// message for the field, or "".
func (s *Server) setField(is *issue, id string, raw json.RawMessage) string {
	switch id {
	case "summary":
		var str string
		if json.Unmarshal(raw, &str) != nil || strings.TrimSpace(str) == "" {
			return "You must specify a summary of the issue."
		}
		if strings.ContainsAny(str, "\n\r") {
			return "The summary is invalid because it contains newline characters."
		}
		if len(str) > 255 {
			return "Summary must be less than 255 characters."
		}
		is.summary = str
	case "description", "environment":
		v, msg := s.richText(id, raw)
		if msg != "" {
			return msg
		}
		if id == "description" {
			is.description = v
		} else {
			is.environment = v
		}
	case "priority":
		if isNull(raw) {
			is.priority = nil
			return ""
		}
		var r ref
		_ = json.Unmarshal(raw, &r)
		p := s.priority(r.any())
		if p == nil {
			return "Specify a valid 'id' or 'name' for Priority"
		}
		is.priority = p
	case "assignee", "reporter":
		var u *User
		if !isNull(raw) {
			var r ref
			_ = json.Unmarshal(raw, &r)
			key := r.AccountID
			if s.dc {
				key = r.Name
			}
			if u = s.user(key); u == nil || !u.Active {
				if s.dc {
					return fmt.Sprintf("User '%s' does not exist.", r.any())
				}
				return "Specified user does not exist or you do not have required permissions"
			}
		}
		if id == "assignee" {
			is.assignee = u
		} else {
			is.reporter = u
		}
	case "labels":
		var labels []string
		if !isNull(raw) {
			if json.Unmarshal(raw, &labels) != nil {
				return "Labels must be a list of strings."
			}
		}
		for _, l := range labels {
			if msg := checkLabel(l); msg != "" {
				return msg
			}
		}
		is.labels = dedupe(labels)
	case "parent":
		if isNull(raw) {
			is.parent = ""
			return ""
		}
		var r ref
		_ = json.Unmarshal(raw, &r)
		p := s.findIssue(r.any())
		if p == nil {
			return "Could not find issue by id or key."
		}
		is.parent = p.key
	case "duedate":
		if isNull(raw) {
			is.duedate = ""
			return ""
		}
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return "Error parsing date string: " + string(raw)
		}
		if _, err := time.Parse("2006-01-02", str); err != nil {
			return "Error parsing date string: " + str
		}
		is.duedate = str
	case "resolution":
		if isNull(raw) {
			is.resolution, is.resolvedAt = nil, time.Time{}
			return ""
		}
		var r ref
		_ = json.Unmarshal(raw, &r)
		res := s.resolution(r.any())
		if res == nil {
			return "Could not find resolution by id or name."
		}
		is.resolution = res
	default:
		f := s.field(id)
		if f == nil || !f.Custom {
			return fmt.Sprintf("Field '%s' cannot be set. It is not on the appropriate screen, or unknown.", id)
		}
		v, msg := s.customValue(f, raw)
		if msg != "" {
			return msg
		}
		if is.custom == nil {
			is.custom = map[string]json.RawMessage{}
		}
		if v == nil {
			delete(is.custom, id)
		} else {
			is.custom[id] = v
		}
	}
	return ""
}

func checkLabel(l string) string {
	switch {
	case l == "":
		return "Labels cannot be empty."
	case strings.ContainsAny(l, " \t\n\r"):
		return fmt.Sprintf("The label '%s' contains spaces which is invalid.", l)
	case len(l) > 255:
		return "The label must not exceed 255 characters."
	}
	return ""
}

func dedupe(list []string) []string {
	var out []string
	for _, l := range list {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// customValue validates a custom field value by type and returns it in the
// form Jira stores and returns.
func (s *Server) customValue(f *Field, raw json.RawMessage) (json.RawMessage, string) {
	if isNull(raw) {
		return nil, ""
	}
	bad := func(want string) (json.RawMessage, string) {
		return nil, fmt.Sprintf("Field '%s' expects %s.", f.Name, want)
	}
	switch {
	case f.CustomT == cft+"textarea":
		return s.richText(f.ID, raw)
	case f.Type == "string":
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return bad("a string")
		}
		if len(str) > 255 {
			return nil, "The entered text is too long. It exceeds the allowed limit of 255 characters."
		}
		return raw, ""
	case f.Type == "number":
		var n float64
		if json.Unmarshal(raw, &n) != nil {
			return bad("a number")
		}
		return raw, ""
	case f.Type == "date":
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return bad("a date (yyyy-MM-dd)")
		}
		if _, err := time.Parse("2006-01-02", str); err != nil {
			return nil, "Error parsing date string: " + str
		}
		return raw, ""
	case f.Type == "datetime":
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return bad("a date-time")
		}
		t, err := time.Parse(timeLayout, str)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, str); err != nil {
				return nil, "Error parsing date string: " + str
			}
		}
		out, _ := json.Marshal(t.Format(timeLayout))
		return out, ""
	case f.Type == "option":
		var r ref
		if json.Unmarshal(raw, &r) != nil {
			return bad(`an option {"value": ...}`)
		}
		return s.option(f, r)
	case f.Type == "array" && f.Items == "option":
		var rs []ref
		if json.Unmarshal(raw, &rs) != nil {
			return bad(`a list of options [{"value": ...}]`)
		}
		var parts []json.RawMessage
		for _, r := range rs {
			v, msg := s.option(f, r)
			if msg != "" {
				return nil, msg
			}
			parts = append(parts, v)
		}
		out, _ := json.Marshal(parts)
		return out, ""
	case f.Type == "user":
		var r ref
		_ = json.Unmarshal(raw, &r)
		key := r.AccountID
		if s.dc {
			key = r.Name
		}
		u := s.user(key)
		if u == nil {
			return nil, "Specified user does not exist or you do not have required permissions"
		}
		out, _ := json.Marshal(s.renderUser(u))
		return out, ""
	case f.Type == "array" && f.Items == "string":
		var list []string
		if json.Unmarshal(raw, &list) != nil {
			return bad("a list of strings")
		}
		return raw, ""
	}
	return raw, ""
}

// option resolves an option by value or id.
func (s *Server) option(f *Field, r ref) (json.RawMessage, string) {
	for i, o := range f.Options {
		id := fmt.Sprintf("%d", 10100+i)
		if (r.Value != "" && r.Value == o) || (r.ID != "" && r.ID == id) {
			out, _ := json.Marshal(map[string]string{"self": s.self("/customFieldOption/%s", id), "value": o, "id": id})
			return out, ""
		}
	}
	return nil, fmt.Sprintf("Option value '%s' is not valid", r.any())
}

// issueInput is IssueUpdateDetails.
type issueInput struct {
	Fields     map[string]json.RawMessage              `json:"fields"`
	Update     map[string][]map[string]json.RawMessage `json:"update"`
	Properties []struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	} `json:"properties"`
	Transition *ref `json:"transition"`
}

// newIssue validates a create request and returns the issue, not yet
// stored.
func (s *Server) newIssue(in *issueInput) (*issue, *validationError) {
	verr := &validationError{errs: map[string]string{}}
	is := &issue{reporter: s.me(), properties: map[string]json.RawMessage{}}
	var pr, tr ref
	if raw, ok := in.Fields["project"]; ok {
		_ = json.Unmarshal(raw, &pr)
	}
	if is.project = s.project(pr.any()); is.project == nil {
		verr.errs["project"] = "valid project is required"
	}
	if raw, ok := in.Fields["issuetype"]; ok {
		_ = json.Unmarshal(raw, &tr)
	}
	if is.typ = s.issueType(tr.any()); is.typ == nil {
		verr.errs["issuetype"] = "valid issue type is required"
	}
	if _, ok := in.Fields["summary"]; !ok {
		verr.errs["summary"] = "You must specify a summary of the issue."
	}
	for id, raw := range in.Fields {
		if id == "project" || id == "issuetype" {
			continue
		}
		if msg := s.setField(is, id, raw); msg != "" {
			verr.errs[id] = msg
		}
	}
	if e := s.applyUpdate(is, in.Update); e != nil {
		maps.Copy(verr.errs, e.errs)
	}
	for _, p := range in.Properties {
		is.properties[p.Key] = p.Value
	}
	s.checkRequired(in, verr)
	if len(verr.errs) > 0 {
		return nil, verr
	}
	is.status = s.statuses[0]
	return is, nil
}

// applyUpdate applies field operations: add, remove and set on labels,
// set on any field, add on comment.
func (s *Server) applyUpdate(is *issue, update map[string][]map[string]json.RawMessage) *validationError {
	verr := &validationError{errs: map[string]string{}}
	for id, ops := range update {
		for _, op := range ops {
			for verb, raw := range op {
				switch {
				case id == "labels" && (verb == "add" || verb == "remove"):
					var l string
					if json.Unmarshal(raw, &l) != nil {
						verr.errs[id] = "Labels must be strings."
						continue
					}
					if msg := checkLabel(l); msg != "" {
						verr.errs[id] = msg
						continue
					}
					if verb == "add" {
						is.labels = dedupe(append(is.labels, l))
					} else {
						is.labels = slices.DeleteFunc(slices.Clone(is.labels), func(x string) bool { return x == l })
					}
				case id == "comment" && verb == "add":
					var c struct {
						Body       json.RawMessage `json:"body"`
						Visibility json.RawMessage `json:"visibility"`
					}
					if json.Unmarshal(raw, &c) != nil {
						verr.errs["comment"] = "Comment body is invalid."
						continue
					}
					body, msg := s.richText("comment", c.Body)
					if msg != "" || body == nil {
						verr.errs["comment"] = "Comment body can not be empty!"
						continue
					}
					now := s.tick()
					s.nextComment++
					is.comments = append(is.comments, &comment{id: s.nextComment, author: s.me(), body: body, created: now, updated: now, visibility: c.Visibility})
				case verb == "set":
					if msg := s.setField(is, id, raw); msg != "" {
						verr.errs[id] = msg
					}
				default:
					verr.errs[id] = fmt.Sprintf("Field '%s' does not support operation '%s'.", id, verb)
				}
			}
		}
	}
	if len(verr.errs) > 0 {
		return verr
	}
	return nil
}
