package jiratest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// timeLayout is Jira's timestamp format.
const timeLayout = "2006-01-02T15:04:05.000-0700"

func jiraTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(timeLayout)
}

// rfcTime is the form Atlassian's OpenAPI document requires for comment
// times (format date-time, a colon in the zone). Jira itself sends
// timeLayout there too; the fake follows the document on Cloud.
func (s *Server) commentTime(t time.Time) any {
	if s.dc {
		return jiraTime(t)
	}
	return t.Format("2006-01-02T15:04:05.000Z07:00")
}

func (s *Server) renderUser(u *User) any {
	if u == nil {
		return nil
	}
	m := map[string]any{
		"displayName": u.DisplayName,
		"active":      u.Active,
		"avatarUrls":  map[string]string{"48x48": s.ts.URL + "/avatar/48.png", "24x24": s.ts.URL + "/avatar/24.png", "16x16": s.ts.URL + "/avatar/16.png", "32x32": s.ts.URL + "/avatar/32.png"},
		"timeZone":    u.TimeZone,
	}
	if s.dc {
		m["self"] = s.self("/user?username=%s", u.Name)
		m["name"], m["key"] = u.Name, u.Key
	} else {
		m["self"] = s.self("/user?accountId=%s", u.AccountID)
		m["accountId"], m["accountType"] = u.AccountID, u.AccountType
	}
	if u.Email != "" {
		m["emailAddress"] = u.Email
	}
	return m
}

func (s *Server) renderProject(p *Project) map[string]any {
	return map[string]any{"self": s.self("/project/%s", p.ID), "id": p.ID, "key": p.Key, "name": p.Name,
		"projectTypeKey": "software", "simplified": false}
}

func (s *Server) renderIssueType(t *IssueType) map[string]any {
	level := 0
	if t.Subtask {
		level = -1
	}
	if t.Name == "Epic" {
		level = 1
	}
	return map[string]any{"self": s.self("/issuetype/%s", t.ID), "id": t.ID, "name": t.Name, "description": "",
		"subtask": t.Subtask, "hierarchyLevel": level, "iconUrl": s.ts.URL + "/images/icons/issuetypes/task.svg"}
}

var categoryIDs = map[string]int{"new": 2, "indeterminate": 4, "done": 3, "undefined": 1}
var categoryNames = map[string]string{"new": "To Do", "indeterminate": "In Progress", "done": "Done", "undefined": "No Category"}
var categoryColors = map[string]string{"new": "blue-gray", "indeterminate": "yellow", "done": "green", "undefined": "medium-gray"}

func (s *Server) renderCategory(key string) map[string]any {
	return map[string]any{"self": s.self("/statuscategory/%d", categoryIDs[key]), "id": categoryIDs[key], "key": key,
		"colorName": categoryColors[key], "name": categoryNames[key]}
}

func (s *Server) renderStatus(st *Status) map[string]any {
	return map[string]any{"self": s.self("/status/%s", st.ID), "description": "", "iconUrl": s.ts.URL + "/images/icons/statuses/generic.png",
		"name": st.Name, "id": st.ID, "statusCategory": s.renderCategory(st.Category)}
}

func (s *Server) renderPriority(p *Priority) map[string]any {
	return map[string]any{"self": s.self("/priority/%s", p.ID), "iconUrl": s.ts.URL + "/images/icons/priorities/" + strings.ToLower(p.Name) + ".svg",
		"name": p.Name, "id": p.ID}
}

func (s *Server) renderResolution(r *Resolution) any {
	if r == nil {
		return nil
	}
	return map[string]any{"self": s.self("/resolution/%s", r.ID), "id": r.ID, "name": r.Name, "description": ""}
}

// fieldSelection decides which fields an issue representation includes.
type fieldSelection struct {
	all     bool
	include map[string]bool
	exclude map[string]bool
}

// parseFields reads a fields parameter; def applies when it is empty.
func parseFields(list []string, def string) fieldSelection {
	var items []string
	for _, l := range list {
		for _, f := range strings.Split(l, ",") {
			if f = strings.TrimSpace(f); f != "" {
				items = append(items, f)
			}
		}
	}
	if len(items) == 0 {
		items = []string{def}
	}
	sel := fieldSelection{include: map[string]bool{}, exclude: map[string]bool{}}
	for _, f := range items {
		switch {
		case f == "*all" || f == "*navigable":
			sel.all = true
		case strings.HasPrefix(f, "-"):
			sel.exclude[f[1:]] = true
		default:
			sel.include[f] = true
		}
	}
	return sel
}

func (sel fieldSelection) has(id string) bool {
	if sel.exclude[id] {
		return false
	}
	return sel.all || sel.include[id]
}

// renderIssue returns the issue in Jira's shape.
func (s *Server) renderIssue(is *issue, sel fieldSelection, props []string) map[string]any {
	id := strconv.FormatInt(is.id, 10)
	out := map[string]any{"expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations", "id": id, "self": s.self("/issue/%s", id), "key": is.key}
	f := map[string]any{}
	put := func(k string, v any) {
		// Jira sends null for empty fields; Atlassian's OpenAPI document
		// allows no null field values, so on Cloud they are left out.
		if sel.has(k) && (v != nil || s.dc) {
			f[k] = v
		}
	}
	put("summary", is.summary)
	put("description", rawOrNil(is.description))
	put("environment", rawOrNil(is.environment))
	put("project", s.renderProject(is.project))
	put("issuetype", s.renderIssueType(is.typ))
	put("status", s.renderStatus(is.status))
	if is.priority != nil {
		put("priority", s.renderPriority(is.priority))
	} else {
		put("priority", nil)
	}
	put("resolution", s.renderResolution(is.resolution))
	put("resolutiondate", jiraTime(is.resolvedAt))
	put("assignee", s.renderUser(is.assignee))
	put("reporter", s.renderUser(is.reporter))
	put("creator", s.renderUser(is.reporter))
	labels := is.labels
	if labels == nil {
		labels = []string{}
	}
	put("labels", labels)
	put("created", jiraTime(is.created))
	put("updated", jiraTime(is.updated))
	if is.duedate != "" {
		put("duedate", is.duedate)
	} else {
		put("duedate", nil)
	}
	if is.parent != "" {
		if p := s.findIssue(is.parent); p != nil {
			put("parent", map[string]any{"id": strconv.FormatInt(p.id, 10), "key": p.key, "self": s.self("/issue/%d", p.id)})
		}
	}
	for _, fd := range s.fields {
		if !fd.Custom {
			continue
		}
		put(fd.ID, rawOrNil(is.custom[fd.ID]))
	}
	out["fields"] = f
	if len(props) > 0 {
		pm := map[string]any{}
		for _, p := range props {
			for k, v := range is.properties {
				if p == "*all" || p == k {
					pm[k] = v
				}
			}
		}
		out["properties"] = pm
	}
	return out
}

func rawOrNil(r json.RawMessage) any {
	if len(r) == 0 {
		return nil
	}
	return r
}

func (s *Server) renderComment(is *issue, c *comment) map[string]any {
	m := map[string]any{
		"self":         s.self("/issue/%d/comment/%d", is.id, c.id),
		"id":           strconv.FormatInt(c.id, 10),
		"author":       s.renderUser(c.author),
		"body":         c.body,
		"updateAuthor": s.renderUser(c.author),
		"created":      s.commentTime(c.created),
		"updated":      s.commentTime(c.updated),
	}
	if !s.dc {
		m["jsdPublic"] = true
	}
	if len(c.visibility) > 0 {
		m["visibility"] = c.visibility
	}
	return m
}

func (s *Server) renderField(f *Field) map[string]any {
	schema := map[string]any{"type": f.Type}
	if f.Items != "" {
		schema["items"] = f.Items
	}
	if f.Custom {
		schema["custom"] = f.CustomT
		if n, err := strconv.Atoi(strings.TrimPrefix(f.ID, "customfield_")); err == nil {
			schema["customId"] = n
		}
	} else {
		schema["system"] = f.System
	}
	clause := []string{f.ID}
	if f.Custom {
		clause = []string{"cf[" + strings.TrimPrefix(f.ID, "customfield_") + "]", f.Name}
	}
	return map[string]any{"id": f.ID, "key": f.ID, "name": f.Name, "custom": f.Custom, "orderable": true,
		"navigable": true, "searchable": true, "clauseNames": clause, "schema": schema}
}
