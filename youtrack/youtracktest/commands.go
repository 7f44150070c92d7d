package youtracktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

type commandBody struct {
	Query   string    `json:"query"`
	Issues  []wireRef `json:"issues"`
	Comment string    `json:"comment"`
	Silent  bool      `json:"silent"`
}

// cmdOp is one parsed command: set a field, or tag/untag.
type cmdOp struct {
	field *FieldDef
	value string
	tag   string
	untag bool
}

// parseCommand reads the command subset: "<Field> <value>" (field names
// and values bare or in braces), "<value>" alone when exactly one enum or
// state field has it, "for <login>", "tag <name>", "untag <name>".
// Caller holds the lock.
func (s *Server) parseCommand(q string) ([]cmdOp, *httpErr) {
	toks, err := lex(q)
	if err != nil {
		return nil, errBad("Command [%s] is invalid: %v", q, err)
	}
	var words []token
	for _, t := range toks {
		switch t.kind {
		case tWord, tBraced:
			words = append(words, t)
		case tEOF:
		default:
			return nil, errBad("Command [%s] is invalid: unexpected %q", q, t.text)
		}
	}
	var ops []cmdOp
	for i := 0; i < len(words); {
		w := words[i]
		lower := strings.ToLower(w.text)
		next := func() (string, *httpErr) {
			if i+1 >= len(words) {
				return "", errBad("Command [%s] is invalid: %s needs a value", q, w.text)
			}
			return words[i+1].text, nil
		}
		if w.kind == tWord && (lower == "tag" || lower == "untag" || lower == "for") {
			v, e := next()
			if e != nil {
				return nil, e
			}
			switch lower {
			case "tag":
				ops = append(ops, cmdOp{tag: v})
			case "untag":
				ops = append(ops, cmdOp{tag: v, untag: true})
			default:
				ops = append(ops, cmdOp{field: s.fieldByName("Assignee"), value: v})
			}
			i += 2
			continue
		}
		// Longest field name starting here.
		matched := false
		for j := len(words); j > i; j-- {
			var parts []string
			for _, t := range words[i:j] {
				parts = append(parts, t.text)
			}
			if f := s.fieldByName(strings.Join(parts, " ")); f != nil && j < len(words) {
				ops = append(ops, cmdOp{field: f, value: words[j].text})
				i = j + 1
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		var owner *FieldDef
		for _, f := range s.fields {
			if _, ok := f.value(w.text); ok && (f.Type == FieldState || f.Type == FieldEnum) {
				if owner != nil {
					owner = nil
					break
				}
				owner = f
			}
		}
		if owner == nil {
			return nil, errBad("Command [%s] is invalid: unknown field or value %q", q, w.text)
		}
		ops = append(ops, cmdOp{field: owner, value: w.text})
		i++
	}
	if len(ops) == 0 {
		return nil, errBad("Command is empty")
	}
	return ops, nil
}

// wireValue builds the request form of a command value for field f.
func wireValue(f *FieldDef, v string) (wireField, *httpErr) {
	wf := wireField{Type: issueFieldType(f.Type), Name: f.Name}
	var raw any
	switch f.Type {
	case FieldEnum, FieldState:
		raw = map[string]string{"name": v}
	case FieldMultiEnum:
		raw = []map[string]string{{"name": v}}
	case FieldUser:
		raw = map[string]string{"login": v}
	case FieldDate, FieldDateTime:
		t, err := time.ParseInLocation("2006-01-02", v, time.UTC)
		if err != nil {
			n, err2 := strconv.ParseInt(v, 10, 64)
			if err2 != nil {
				return wf, errBad("Field %s: cannot parse date %q", f.Name, v)
			}
			raw = n
		} else {
			raw = t.Add(12 * time.Hour).UnixMilli()
		}
	case FieldText:
		raw = map[string]string{"text": v}
	case FieldPeriod:
		raw = map[string]string{"presentation": v}
	default:
		raw = v
	}
	if strings.EqualFold(v, "null") || (f.Type == FieldUser && strings.EqualFold(v, "Unassigned")) {
		raw = nil
	}
	b, _ := json.Marshal(raw)
	wf.Value = b
	return wf, nil
}

func (s *Server) applyCommand(w http.ResponseWriter, r *http.Request) {
	var body commandBody
	if !decodeBody(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(body.Issues) == 0 {
		badRequest(w, "Command has no issues")
		return
	}
	var targets []*issue
	for _, ref := range body.Issues {
		id := ref.ID
		if id == "" {
			id = ref.IDReadable
		}
		is := s.findIssue(id)
		if is == nil {
			notFound(w, id)
			return
		}
		targets = append(targets, is)
	}
	ops, e := s.parseCommand(body.Query)
	if e != nil {
		writeErr(w, e)
		return
	}
	// Validate on copies first so a bad command changes nothing.
	type result struct {
		fields map[string]any
		tags   []string
	}
	results := make([]result, len(targets))
	for k, is := range targets {
		probe := &issue{fields: map[string]any{}, tags: slices.Clone(is.tags)}
		for n, v := range is.fields {
			probe.fields[n] = v
		}
		for _, op := range ops {
			if op.field == nil && op.tag == "" {
				writeErr(w, errBad("Command [%s] is invalid", body.Query))
				return
			}
			if op.tag != "" {
				t := s.tagByName(op.tag)
				if op.untag {
					if t != nil {
						probe.tags = slices.DeleteFunc(probe.tags, func(x string) bool { return x == t.ID })
					}
					continue
				}
				if t == nil {
					t = &Tag{ID: s.newID(6), Name: op.tag}
					s.tags = append(s.tags, t)
				}
				if !slices.Contains(probe.tags, t.ID) {
					probe.tags = append(probe.tags, t.ID)
				}
				continue
			}
			wf, e := wireValue(op.field, op.value)
			if e != nil {
				writeErr(w, e)
				return
			}
			if _, e := s.applyFields(probe, []wireField{wf}); e != nil {
				writeErr(w, e)
				return
			}
		}
		results[k] = result{probe.fields, probe.tags}
	}
	for k, is := range targets {
		changed := !slices.Equal(is.tags, results[k].tags) || len(is.fields) != len(results[k].fields)
		for n, v := range results[k].fields {
			if old, ok := is.fields[n]; !ok || !equalValue(old, v) {
				changed = true
			}
		}
		is.fields, is.tags = results[k].fields, results[k].tags
		if changed {
			s.touch(is)
		}
		if strings.TrimSpace(body.Comment) != "" {
			c := &comment{id: s.newID(4), text: body.Comment, usesMarkdown: true, author: s.me, created: s.tick()}
			is.comments = append(is.comments, c)
			is.updated = c.created
		}
	}
	// Without fields YouTrack answers 200 with an empty body.
	w.WriteHeader(http.StatusOK)
}

// equalValue compares stored values, which may hold uncomparable JSON.
func equalValue(a, b any) bool { return fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b) }
