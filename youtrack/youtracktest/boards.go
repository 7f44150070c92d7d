package youtracktest

import (
	"net/http"
	"slices"
	"strings"
)

// This file serves issue links and link types, work items, agile boards
// and sprints. The fake starts with YouTrack's four built-in link types
// and, when seeded, one board over HD and SEC with two sprints.

// linkType is an issue link type.
type linkType struct {
	id, name                       string
	sourceToTarget, targetToSource string
	directed, aggregation          bool
}

// link joins two issues (database ids) by a link type; for directed
// types from is the source.
type link struct {
	typeID, from, to string
}

// workItem is time spent on an issue.
type workItem struct {
	id, issueID, text, author, typeID string
	minutes, date, created, updated   int64
}

// sprint is a sprint of a board.
type sprint struct {
	id, name, goal string
	start, finish  int64
	archived, def  bool
}

// agile is an agile board.
type agile struct {
	id, name, owner string
	projects        []string // short names
	sprints         []*sprint
}

// boards is the fake's state for this file.
type boards struct {
	linkTypes []*linkType
	links     []*link
	workItems []*workItem
	agiles    []*agile
}

func defaultLinkTypes() []*linkType {
	return []*linkType{
		{id: "106-0", name: "Relates", sourceToTarget: "relates to"},
		{id: "106-1", name: "Depend", sourceToTarget: "depends on", targetToSource: "is required for", directed: true},
		{id: "106-2", name: "Duplicate", sourceToTarget: "duplicates", targetToSource: "is duplicated by", directed: true, aggregation: true},
		{id: "106-3", name: "Subtask", sourceToTarget: "parent for", targetToSource: "subtask of", directed: true, aggregation: true},
	}
}

// seedBoards adds the seeded board; caller holds the lock.
func (s *Server) seedBoards() {
	start := seedEpoch.UnixMilli()
	week := int64(7 * 24 * 3600 * 1000)
	s.boards.agiles = []*agile{{
		id: "108-1", name: "Security board", owner: "admin", projects: []string{"HD", "SEC"},
		sprints: []*sprint{
			{id: "109-1", name: "Sprint 1", goal: "Triage the backlog", start: start - 2*week, finish: start, archived: true},
			{id: "109-2", name: "Sprint 2", start: start, finish: start + 2*week, def: true},
		},
	}}
}

func (s *Server) renderLinkType(t *linkType) map[string]any {
	return map[string]any{
		"$type": "IssueLinkType", "id": t.id, "name": t.name, "localizedName": nil,
		"sourceToTarget": t.sourceToTarget, "localizedSourceToTarget": nil,
		"targetToSource": t.targetToSource, "localizedTargetToSource": nil,
		"directed": t.directed, "aggregation": t.aggregation, "readOnly": true,
	}
}

func (s *Server) linkTypeByID(id string) *linkType {
	for _, t := range s.boards.linkTypes {
		if t.id == id {
			return t
		}
	}
	return nil
}

func (s *Server) listLinkTypes(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	pg, err := page(r, s.boards.linkTypes)
	out := []any{}
	for _, t := range pg {
		out = append(out, s.renderLinkType(t))
	}
	s.mu.Unlock()
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	writeJSON(w, r, out)
}

func (s *Server) getLinkType(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t := s.linkTypeByID(r.PathValue("lt"))
	var out map[string]any
	if t != nil {
		out = s.renderLinkType(t)
	}
	s.mu.Unlock()
	if t == nil {
		notFound(w, r.PathValue("lt"))
		return
	}
	writeJSON(w, r, out)
}

func (s *Server) renderLinkedIssue(is *issue) map[string]any {
	return map[string]any{"$type": "Issue", "id": is.id, "idReadable": is.idReadable, "summary": is.summary, "resolved": msOrNull(is.resolved)}
}

// issueLinks renders an issue's links: one entry per link type and
// direction, as YouTrack lists them; caller holds the lock.
func (s *Server) issueLinks(is *issue) []any {
	out := []any{}
	for _, t := range s.boards.linkTypes {
		dirs := []string{""}
		if t.directed {
			dirs = []string{"s", "t"}
		}
		for _, d := range dirs {
			issues := []any{}
			for _, l := range s.boards.links {
				if l.typeID != t.id {
					continue
				}
				other := ""
				switch {
				case d != "t" && l.from == is.id:
					other = l.to
				case d != "s" && l.to == is.id:
					other = l.from
				}
				if o := s.issues[other]; o != nil {
					issues = append(issues, s.renderLinkedIssue(o))
				}
			}
			dir := map[string]string{"": "BOTH", "s": "OUTWARD", "t": "INWARD"}[d]
			out = append(out, map[string]any{"$type": "IssueLink", "id": t.id + d, "direction": dir, "linkType": s.renderLinkType(t), "issues": issues})
		}
	}
	return out
}

func (s *Server) listIssueLinks(w http.ResponseWriter, r *http.Request) {
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		all := s.issueLinks(is)
		pg, err := page(r, all)
		if err != nil {
			return nil, errBad("%v", err)
		}
		return pg, nil
	})
}

// parseLinkID splits "106-1s" into the link type and the end the issue
// is at ("s" source, "t" target, "" undirected).
func (s *Server) parseLinkID(id string) (*linkType, string) {
	if t := s.linkTypeByID(id); t != nil && !t.directed {
		return t, ""
	}
	if end := id[len(id)-1:]; end == "s" || end == "t" {
		if t := s.linkTypeByID(id[:len(id)-1]); t != nil && t.directed {
			return t, end
		}
	}
	return nil, ""
}

func (s *Server) addIssueLink(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ID         string `json:"id"`
		IDReadable string `json:"idReadable"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		t, end := s.parseLinkID(r.PathValue("lid"))
		if t == nil {
			return nil, errNotFound("Entity with id " + r.PathValue("lid") + " not found")
		}
		target := s.findIssue(body.ID)
		if target == nil {
			target = s.findIssue(body.IDReadable)
		}
		if target == nil {
			return nil, errBad("%s", "No issue "+body.ID+body.IDReadable+" to link")
		}
		l := &link{typeID: t.id, from: is.id, to: target.id}
		if end == "t" {
			l.from, l.to = target.id, is.id
		}
		if !slices.ContainsFunc(s.boards.links, func(x *link) bool { return *x == *l }) {
			s.boards.links = append(s.boards.links, l)
		}
		return s.renderLinkedIssue(target), nil
	})
}

func (s *Server) removeIssueLink(w http.ResponseWriter, r *http.Request) {
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		t, end := s.parseLinkID(r.PathValue("lid"))
		target := s.findIssue(r.PathValue("tid"))
		if t == nil || target == nil {
			return nil, errNotFound("Entity with id " + r.PathValue("tid") + " not found")
		}
		s.boards.links = slices.DeleteFunc(s.boards.links, func(l *link) bool {
			if l.typeID != t.id {
				return false
			}
			fwd := l.from == is.id && l.to == target.id
			back := l.from == target.id && l.to == is.id
			return (end != "t" && fwd) || (end != "s" && back)
		})
		return nil, nil
	})
}

func (s *Server) renderWorkItem(wi *workItem) map[string]any {
	var typ any
	if wi.typeID != "" {
		typ = map[string]any{"$type": "WorkItemType", "id": wi.typeID, "name": "Development"}
	}
	out := map[string]any{
		"$type": "IssueWorkItem", "id": wi.id, "text": nullable(wi.text), "textPreview": preview(wi.text), "usesMarkdown": true,
		"date": wi.date, "created": wi.created, "updated": msOrNull(wi.updated),
		"duration": map[string]any{"$type": "DurationValue", "minutes": wi.minutes, "presentation": presentMinutes(wi.minutes)},
		"type":     typ,
		"author":   renderUser(s.userByLogin(wi.author)),
		"creator":  renderUser(s.userByLogin(s.me)),
	}
	if is := s.issues[wi.issueID]; is != nil {
		out["issue"] = map[string]any{"$type": "Issue", "id": is.id, "idReadable": is.idReadable}
	}
	return out
}

// presentMinutes writes minutes as YouTrack presents durations ("1h 30m").
func presentMinutes(m int64) string {
	var parts []string
	if h := m / 60; h > 0 {
		parts = append(parts, itoa(h)+"h")
	}
	if r := m % 60; r > 0 || m == 0 {
		parts = append(parts, itoa(r)+"m")
	}
	return strings.Join(parts, " ")
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func (s *Server) issueWorkItems(issueID string) []*workItem {
	var out []*workItem
	for _, wi := range s.boards.workItems {
		if wi.issueID == issueID {
			out = append(out, wi)
		}
	}
	return out
}

func (s *Server) listWorkItems(w http.ResponseWriter, r *http.Request) {
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		pg, err := page(r, s.issueWorkItems(is.id))
		if err != nil {
			return nil, errBad("%v", err)
		}
		out := []any{}
		for _, wi := range pg {
			out = append(out, s.renderWorkItem(wi))
		}
		return out, nil
	})
}

type workItemBody struct {
	Duration *struct {
		Minutes int64 `json:"minutes"`
	} `json:"duration"`
	Text *string `json:"text"`
	Date *int64  `json:"date"`
	Type *struct {
		ID string `json:"id"`
	} `json:"type"`
	Author *struct {
		Login string `json:"login"`
	} `json:"author"`
}

func (s *Server) applyWorkItem(wi *workItem, b *workItemBody) *httpErr {
	if b.Duration != nil {
		if b.Duration.Minutes <= 0 {
			return errBad("%s", "Duration must be positive")
		}
		wi.minutes = b.Duration.Minutes
	}
	if b.Text != nil {
		wi.text = *b.Text
	}
	if b.Date != nil {
		wi.date = *b.Date
	}
	if b.Type != nil {
		wi.typeID = b.Type.ID
	}
	if b.Author != nil {
		if s.userByLogin(b.Author.Login) == nil {
			return errBad("%s", b.Author.Login+" is not a valid user login.")
		}
		wi.author = b.Author.Login
	}
	return nil
}

func (s *Server) addWorkItem(w http.ResponseWriter, r *http.Request) {
	var body workItemBody
	if !decodeBody(w, r, &body) {
		return
	}
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		if body.Duration == nil {
			return nil, errBad("%s", "Work item duration is required")
		}
		now := s.now().UnixMilli()
		wi := &workItem{id: s.newID(168), issueID: is.id, author: s.me, created: now, date: now - now%(24*3600*1000)}
		if err := s.applyWorkItem(wi, &body); err != nil {
			return nil, err
		}
		s.boards.workItems = append(s.boards.workItems, wi)
		return s.renderWorkItem(wi), nil
	})
}

func (s *Server) findWorkItem(is *issue, id string) *workItem {
	for _, wi := range s.issueWorkItems(is.id) {
		if wi.id == id {
			return wi
		}
	}
	return nil
}

func (s *Server) getWorkItem(w http.ResponseWriter, r *http.Request) {
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		wi := s.findWorkItem(is, r.PathValue("wid"))
		if wi == nil {
			return nil, errNotFound("Entity with id " + r.PathValue("wid") + " not found")
		}
		return s.renderWorkItem(wi), nil
	})
}

func (s *Server) updateWorkItem(w http.ResponseWriter, r *http.Request) {
	var body workItemBody
	if !decodeBody(w, r, &body) {
		return
	}
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		wi := s.findWorkItem(is, r.PathValue("wid"))
		if wi == nil {
			return nil, errNotFound("Entity with id " + r.PathValue("wid") + " not found")
		}
		if err := s.applyWorkItem(wi, &body); err != nil {
			return nil, err
		}
		wi.updated = s.now().UnixMilli()
		return s.renderWorkItem(wi), nil
	})
}

func (s *Server) deleteWorkItem(w http.ResponseWriter, r *http.Request) {
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		if s.findWorkItem(is, r.PathValue("wid")) == nil {
			return nil, errNotFound("Entity with id " + r.PathValue("wid") + " not found")
		}
		s.boards.workItems = slices.DeleteFunc(s.boards.workItems, func(wi *workItem) bool { return wi.id == r.PathValue("wid") })
		return nil, nil
	})
}

// searchWorkItems serves /api/workItems: the work items of the issues a
// query matches.
func (s *Server) searchWorkItems(w http.ResponseWriter, r *http.Request) {
	pq, err := ParseQuery(r.URL.Query().Get("query"))
	if err != nil {
		badRequest(w, "Cannot parse search query: %v", err)
		return
	}
	s.mu.Lock()
	var hits []*workItem
	for _, wi := range s.boards.workItems {
		is := s.issues[wi.issueID]
		if is == nil {
			continue
		}
		ok, err := s.matchAll(is, pq.Terms)
		if err != nil {
			s.mu.Unlock()
			badRequest(w, "%v", err)
			return
		}
		if ok {
			hits = append(hits, wi)
		}
	}
	pg, err := page(r, hits)
	out := []any{}
	for _, wi := range pg {
		out = append(out, s.renderWorkItem(wi))
	}
	s.mu.Unlock()
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	writeJSON(w, r, out)
}

func renderSprint(sp *sprint, unresolved int) map[string]any {
	return map[string]any{
		"$type": "Sprint", "id": sp.id, "name": sp.name, "goal": nullable(sp.goal),
		"start": msOrNull(sp.start), "finish": msOrNull(sp.finish), "archived": sp.archived,
		"isDefault": sp.def, "unresolvedIssuesCount": unresolved,
	}
}

func (s *Server) renderAgile(a *agile) map[string]any {
	projects := []any{}
	for _, short := range a.projects {
		for _, p := range s.projects {
			if p.ShortName == short {
				projects = append(projects, renderProject(p))
			}
		}
	}
	sprints := []any{}
	var current any
	for _, sp := range a.sprints {
		sprints = append(sprints, renderSprint(sp, 0))
		if sp.def {
			current = renderSprint(sp, 0)
		}
	}
	return map[string]any{
		"$type": "Agile", "id": a.id, "name": a.name, "owner": renderUser(s.userByLogin(a.owner)),
		"projects": projects, "sprints": sprints, "currentSprint": current,
	}
}

func (s *Server) agileByID(id string) *agile {
	for _, a := range s.boards.agiles {
		if a.id == id {
			return a
		}
	}
	return nil
}

func (s *Server) listAgiles(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	pg, err := page(r, s.boards.agiles)
	out := []any{}
	for _, a := range pg {
		out = append(out, s.renderAgile(a))
	}
	s.mu.Unlock()
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	writeJSON(w, r, out)
}

func (s *Server) getAgile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a := s.agileByID(r.PathValue("aid"))
	var out map[string]any
	if a != nil {
		out = s.renderAgile(a)
	}
	s.mu.Unlock()
	if a == nil {
		notFound(w, r.PathValue("aid"))
		return
	}
	writeJSON(w, r, out)
}

func (s *Server) listSprints(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a := s.agileByID(r.PathValue("aid"))
	if a == nil {
		s.mu.Unlock()
		notFound(w, r.PathValue("aid"))
		return
	}
	pg, err := page(r, a.sprints)
	out := []any{}
	for _, sp := range pg {
		out = append(out, renderSprint(sp, 0))
	}
	s.mu.Unlock()
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	writeJSON(w, r, out)
}

func (s *Server) getSprint(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var out map[string]any
	if a := s.agileByID(r.PathValue("aid")); a != nil {
		for _, sp := range a.sprints {
			if sp.id == r.PathValue("sid") || (r.PathValue("sid") == "current" && sp.def) {
				out = renderSprint(sp, 0)
			}
		}
	}
	s.mu.Unlock()
	if out == nil {
		notFound(w, r.PathValue("sid"))
		return
	}
	writeJSON(w, r, out)
}

func errNotFound(desc string) *httpErr {
	return &httpErr{http.StatusNotFound, "Not Found", desc}
}
