package jiratest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mw := s.middleware()
	p := s.api()
	h := func(pattern string, fn handler) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.Handle(method+" "+p+path, mw.Wrap(s.wrap(fn)))
	}
	h("GET /myself", s.getMyself)
	h("GET /field", s.getFields)
	h("GET /priority", s.getPriorities)
	h("GET /resolution", s.getResolutions)
	h("GET /status", s.getStatuses)
	h("GET /project", s.getProjects)
	h("GET /project/{project}", s.getProject)
	h("GET /project/{project}/statuses", s.getProjectStatuses)
	h("GET /issue/createmeta/{project}/issuetypes/{type}", s.getCreateMetaFields)
	h("POST /issue", s.createIssue)
	h("POST /issue/bulk", s.bulkCreate)
	h("GET /issue/{key}", s.getIssue)
	h("PUT /issue/{key}", s.editIssue)
	h("DELETE /issue/{key}", s.deleteIssue)
	h("GET /issue/{key}/transitions", s.getTransitions)
	h("POST /issue/{key}/transitions", s.doTransition)
	h("GET /issue/{key}/comment", s.listComments)
	h("POST /issue/{key}/comment", s.addComment)
	// These GETs share a shape with createmeta/{project}/issuetypes, which
	// ServeMux cannot tell apart; one handler dispatches them.
	h("GET /issue/{key}/{sub}/{id}", s.dispatchGet)
	h("PUT /issue/{key}/comment/{id}", s.updateComment)
	h("DELETE /issue/{key}/comment/{id}", s.deleteComment)
	h("PUT /issue/{key}/properties/{prop}", s.putProperty)
	h("DELETE /issue/{key}/properties/{prop}", s.deleteProperty)
	h("GET /issue/{key}/remotelink", s.getRemoteLinks)
	h("POST /issue/{key}/remotelink", s.saveRemoteLink)
	h("DELETE /issue/{key}/remotelink", s.deleteRemoteLink)
	h("GET /user/search", s.findUsers)
	h("GET /user", s.getUser)
	if s.dc {
		h("GET /search", s.searchDC)
		h("POST /search", s.searchDC)
	} else {
		h("GET /search/jql", s.searchCloud)
		h("POST /search/jql", s.searchCloud)
		h("POST /search/approximate-count", s.approximateCount)
		h("GET /users/search", s.listUsers)
		h("GET /project/search", s.searchProjects)
		h("GET /priority/search", s.searchPriorities)
		// The old search is gone from Cloud, for v2 and v3 alike.
		for _, v := range []string{"/rest/api/2", "/rest/api/3"} {
			mux.Handle("GET "+v+"/search", mw.Wrap(s.wrap(s.removedSearch)))
			mux.Handle("POST "+v+"/search", mw.Wrap(s.wrap(s.removedSearch)))
		}
	}
	return mux
}

// routeOf names a request for counting: its mux pattern, or for the GET
// pattern [Server.dispatchGet] serves, the specific route it stands for.
func (s *Server) routeOf(r *http.Request) string {
	p := s.api()
	if r.Pattern != "GET "+p+"/issue/{key}/{sub}/{id}" {
		return r.Pattern
	}
	switch key, sub := r.PathValue("key"), r.PathValue("sub"); {
	case key == "createmeta" && r.PathValue("id") == "issuetypes":
		return "GET " + p + "/issue/createmeta/{project}/issuetypes"
	case sub == "comment":
		return "GET " + p + "/issue/{key}/comment/{id}"
	case sub == "properties":
		return "GET " + p + "/issue/{key}/properties/{prop}"
	}
	return r.Pattern
}

// dispatchGet routes GET /issue/{a}/{b}/{c} to the route routeOf names.
func (s *Server) dispatchGet(w http.ResponseWriter, r *http.Request, body []byte) {
	switch p := s.api(); s.routeOf(r) {
	case "GET " + p + "/issue/createmeta/{project}/issuetypes":
		r.SetPathValue("project", r.PathValue("sub"))
		s.getCreateMetaTypes(w, r, body)
	case "GET " + p + "/issue/{key}/comment/{id}":
		s.getComment(w, r, body)
	case "GET " + p + "/issue/{key}/properties/{prop}":
		r.SetPathValue("prop", r.PathValue("id"))
		s.getProperty(w, r, body)
	default:
		notFound(w, "No resource at "+r.URL.Path)
	}
}

func decode(w http.ResponseWriter, body []byte, v any) bool {
	if err := json.Unmarshal(body, v); err != nil {
		writeErrors(w, http.StatusBadRequest, []string{"Unexpected character in the request body: " + err.Error()}, nil)
		return false
	}
	return true
}

func intParam(r *http.Request, name string, def int) int {
	if v := r.URL.Query().Get(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			return n
		}
	}
	return def
}

// page bounds [startAt, startAt+max) to n items.
func page(n, startAt, max int) (int, int) {
	if startAt > n {
		startAt = n
	}
	return startAt, min(n, startAt+max)
}

// offsetPage is the page of a list an offset-paged request asked for,
// rendered.
type offsetPage[R any] struct {
	values  []R
	startAt int
	max     int
	last    bool
}

// pageOf renders the page of items a request asks for with startAt and
// maxResults (def when absent, capped by WithMaxResults).
func pageOf[T, R any](s *Server, r *http.Request, items []T, def int, render func(T) R) offsetPage[R] {
	startAt, max := intParam(r, "startAt", 0), s.capMax(intParam(r, "maxResults", def), def)
	from, to := page(len(items), startAt, max)
	return offsetPage[R]{values: renderAll(items[from:to], render), startAt: from, max: max, last: to >= len(items)}
}

// renderAll renders every item, as the endpoints answering bare arrays do.
func renderAll[T, R any](items []T, render func(T) R) []R {
	out := make([]R, 0, len(items))
	for _, it := range items {
		out = append(out, render(it))
	}
	return out
}

func (s *Server) capMax(n, def int) int {
	if n <= 0 {
		n = def
	}
	return min(n, s.maxResults)
}

func (s *Server) getMyself(w http.ResponseWriter, r *http.Request, _ []byte) {
	writeJSON(w, http.StatusOK, s.renderUser(s.me()))
}

func (s *Server) getFields(w http.ResponseWriter, r *http.Request, _ []byte) {
	writeJSON(w, http.StatusOK, renderAll(s.fields, s.renderField))
}

func (s *Server) getPriorities(w http.ResponseWriter, r *http.Request, _ []byte) {
	writeJSON(w, http.StatusOK, renderAll(s.priorities, s.renderPriority))
}

func (s *Server) searchPriorities(w http.ResponseWriter, r *http.Request, _ []byte) {
	pg := pageOf(s, r, s.priorities, 50, s.renderPriority)
	writeJSON(w, http.StatusOK, map[string]any{"startAt": pg.startAt, "maxResults": pg.max, "total": len(s.priorities), "isLast": pg.last, "values": pg.values})
}

func (s *Server) getResolutions(w http.ResponseWriter, r *http.Request, _ []byte) {
	writeJSON(w, http.StatusOK, renderAll(s.resolutions, s.renderResolution))
}

func (s *Server) getStatuses(w http.ResponseWriter, r *http.Request, _ []byte) {
	writeJSON(w, http.StatusOK, renderAll(s.statuses, s.renderStatus))
}

func (s *Server) getProjects(w http.ResponseWriter, r *http.Request, _ []byte) {
	writeJSON(w, http.StatusOK, renderAll(s.projects, s.renderProject))
}

func (s *Server) searchProjects(w http.ResponseWriter, r *http.Request, _ []byte) {
	pg := pageOf(s, r, s.projects, 50, s.renderProject)
	writeJSON(w, http.StatusOK, map[string]any{"self": s.self("/project/search"), "startAt": pg.startAt, "maxResults": pg.max,
		"total": len(s.projects), "isLast": pg.last, "values": pg.values})
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request, _ []byte) {
	p := s.project(r.PathValue("project"))
	if p == nil {
		notFound(w, fmt.Sprintf("No project could be found with key '%s'.", r.PathValue("project")))
		return
	}
	out := s.renderProject(p)
	out["issueTypes"] = renderAll(s.issueTypes, s.renderIssueType)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getProjectStatuses(w http.ResponseWriter, r *http.Request, _ []byte) {
	if s.project(r.PathValue("project")) == nil {
		notFound(w, fmt.Sprintf("No project could be found with key '%s'.", r.PathValue("project")))
		return
	}
	sts := renderAll(s.statuses, s.renderStatus)
	writeJSON(w, http.StatusOK, renderAll(s.issueTypes, func(t *IssueType) map[string]any {
		return map[string]any{"self": s.self("/issuetype/%s", t.ID), "id": t.ID, "name": t.Name, "subtask": t.Subtask, "statuses": sts}
	}))
}

// pageKey is "values" on Data Center and the given name on Cloud.
func (s *Server) pageKey(cloud string) string {
	if s.dc {
		return "values"
	}
	return cloud
}

func (s *Server) getCreateMetaTypes(w http.ResponseWriter, r *http.Request, _ []byte) {
	if s.project(r.PathValue("project")) == nil {
		notFound(w, fmt.Sprintf("No project could be found with key '%s'.", r.PathValue("project")))
		return
	}
	pg := pageOf(s, r, s.issueTypes, 50, s.renderIssueType)
	writeJSON(w, http.StatusOK, map[string]any{"startAt": pg.startAt, "maxResults": pg.max, "total": len(s.issueTypes), s.pageKey("issueTypes"): pg.values})
}

// createFields are the fields on every create screen.
func (s *Server) createFields() []map[string]any {
	required := map[string]bool{"project": true, "issuetype": true, "summary": true}
	var out []map[string]any
	for _, f := range s.fields {
		switch f.ID {
		case "status", "created", "updated", "resolution", "parent":
			continue
		}
		rf := s.renderField(f)
		m := map[string]any{"fieldId": f.ID, "key": f.ID, "name": f.Name, "required": required[f.ID] || s.extra.required[f.ID], "schema": rf["schema"],
			"operations": []string{"set"}, "hasDefaultValue": f.ID == "priority"}
		switch {
		case f.ID == "priority":
			var av []any
			for _, p := range s.priorities {
				av = append(av, s.renderPriority(p))
			}
			m["allowedValues"] = av
		case f.ID == "labels":
			m["operations"] = []string{"add", "set", "remove"}
		case len(f.Options) > 0:
			var av []any
			for i, o := range f.Options {
				av = append(av, map[string]any{"self": s.self("/customFieldOption/%d", 10100+i), "value": o, "id": strconv.Itoa(10100 + i)})
			}
			m["allowedValues"] = av
		}
		out = append(out, m)
	}
	return out
}

func (s *Server) getCreateMetaFields(w http.ResponseWriter, r *http.Request, _ []byte) {
	if s.project(r.PathValue("project")) == nil {
		notFound(w, fmt.Sprintf("No project could be found with key '%s'.", r.PathValue("project")))
		return
	}
	if t := s.issueType(r.PathValue("type")); t == nil || t.ID != r.PathValue("type") {
		notFound(w, "Issue type with id '"+r.PathValue("type")+"' does not exist.")
		return
	}
	all := s.createFields()
	pg := pageOf(s, r, all, 50, func(f map[string]any) map[string]any { return f })
	writeJSON(w, http.StatusOK, map[string]any{"startAt": pg.startAt, "maxResults": pg.max, "total": len(all), s.pageKey("fields"): pg.values})
}

// store assigns id, key and times and keeps the issue.
func (s *Server) store(is *issue) {
	s.nextIssue++
	is.id = s.nextIssue
	s.keySeq[is.project.Key]++
	is.key = fmt.Sprintf("%s-%d", is.project.Key, s.keySeq[is.project.Key])
	now := s.tick()
	is.created, is.updated = now, now
	for _, c := range is.comments {
		c.created, c.updated = now, now
	}
	s.issues = append(s.issues, is)
	s.issueCreated(is)
}

func (s *Server) created(is *issue) map[string]any {
	id := strconv.FormatInt(is.id, 10)
	return map[string]any{"id": id, "key": is.key, "self": s.self("/issue/%s", id)}
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request, body []byte) {
	var in issueInput
	if !decode(w, body, &in) {
		return
	}
	is, verr := s.newIssue(&in)
	if verr != nil {
		writeValidation(w, verr)
		return
	}
	s.store(is)
	writeJSON(w, http.StatusCreated, s.created(is))
}

func (s *Server) bulkCreate(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		IssueUpdates []issueInput `json:"issueUpdates"`
	}
	if !decode(w, body, &in) {
		return
	}
	if len(in.IssueUpdates) > 50 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"issues": []any{}, "errors": []any{map[string]any{
			"status": 400, "failedElementNumber": 50,
			"elementErrors": map[string]any{"errorMessages": []string{"Bulk create limit of 50 issues exceeded."}, "errors": map[string]string{}}}}})
		return
	}
	issues, errs := []any{}, []any{}
	for i := range in.IssueUpdates {
		is, verr := s.newIssue(&in.IssueUpdates[i])
		if verr != nil {
			msgs := verr.messages
			if msgs == nil {
				msgs = []string{}
			}
			errs = append(errs, map[string]any{"status": 400, "failedElementNumber": i,
				"elementErrors": map[string]any{"errorMessages": msgs, "errors": verr.errs, "status": 400}})
			continue
		}
		s.store(is)
		issues = append(issues, s.created(is))
	}
	status := http.StatusCreated
	if len(issues) == 0 && len(errs) > 0 {
		status = http.StatusBadRequest
	}
	writeJSON(w, status, map[string]any{"issues": issues, "errors": errs})
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) *issue {
	is := s.findIssue(r.PathValue("key"))
	if is == nil {
		notFound(w, "Issue does not exist or you do not have permission to see it.")
	}
	return is
}

func queryList(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func (s *Server) getIssue(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	writeJSON(w, http.StatusOK, s.renderIssue(is, parseFields(queryList(r, "fields"), "*all"), queryList(r, "properties")))
}

// clone copies an issue so a failed edit leaves the original alone.
func (is *issue) clone() *issue {
	c := *is
	c.labels = slices.Clone(is.labels)
	c.comments = slices.Clone(is.comments)
	c.custom = make(map[string]json.RawMessage, len(is.custom))
	for k, v := range is.custom {
		c.custom[k] = v
	}
	c.properties = make(map[string]json.RawMessage, len(is.properties))
	for k, v := range is.properties {
		c.properties[k] = v
	}
	return &c
}

// edited applies in's fields and field operations to a copy of is, so a
// refused edit or transition leaves is alone. A field onScreen refuses
// gets Jira's "cannot be set" error.
func (s *Server) edited(is *issue, in *issueInput, onScreen func(id string) bool) (*issue, *validationError) {
	next := is.clone()
	verr := &validationError{errs: map[string]string{}}
	for id, raw := range in.Fields {
		if !onScreen(id) {
			verr.errs[id] = fmt.Sprintf("Field '%s' cannot be set. It is not on the appropriate screen, or unknown.", id)
			continue
		}
		if msg := s.setField(next, id, raw); msg != "" {
			verr.errs[id] = msg
		}
	}
	if e := s.applyUpdate(next, in.Update); e != nil {
		maps.Copy(verr.errs, e.errs)
	}
	if len(verr.errs) > 0 {
		return nil, verr
	}
	return next, nil
}

func (s *Server) editIssue(w http.ResponseWriter, r *http.Request, body []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	var in issueInput
	if !decode(w, body, &in) {
		return
	}
	next, verr := s.edited(is, &in, func(id string) bool { return id != "project" && id != "issuetype" && id != "status" })
	if verr != nil {
		writeValidation(w, verr)
		return
	}
	for _, p := range in.Properties {
		next.properties[p.Key] = p.Value
	}
	next.updated = s.tick()
	before := *is
	*is = *next
	s.issueChanged(&before, is, "issue_updated")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteIssue(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	for _, o := range s.issues {
		if o.parent == is.key && r.URL.Query().Get("deleteSubtasks") != "true" {
			writeErrors(w, http.StatusBadRequest, []string{"The issue has subtasks; set deleteSubtasks to delete them too."}, nil)
			return
		}
	}
	s.issues = slices.DeleteFunc(s.issues, func(o *issue) bool {
		if o == is || o.parent == is.key {
			s.issueDeleted(o)
			return true
		}
		return false
	})
	w.WriteHeader(http.StatusNoContent)
}

// available returns the transitions from the issue's status.
func (s *Server) available(is *issue) []*Transition {
	var out []*Transition
	for _, t := range s.transitions {
		if strings.EqualFold(t.To, is.status.Name) && len(t.From) == 0 {
			continue
		}
		if len(t.From) == 0 || slices.ContainsFunc(t.From, func(f string) bool { return strings.EqualFold(f, is.status.Name) }) {
			out = append(out, t)
		}
	}
	return out
}

func (s *Server) getTransitions(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	withFields := slices.Contains(queryList(r, "expand"), "transitions.fields")
	list := []any{}
	for _, t := range s.available(is) {
		to := s.status(t.To)
		if to == nil {
			continue
		}
		m := map[string]any{"id": t.ID, "name": t.Name, "to": s.renderStatus(to), "hasScreen": len(t.Screen) > 0,
			"isGlobal": len(t.From) == 0, "isInitial": false, "isAvailable": true, "isConditional": false, "isLooped": false}
		if withFields {
			fields := map[string]any{}
			for _, id := range t.Screen {
				fields[id] = s.screenField(id)
			}
			m["fields"] = fields
		}
		list = append(list, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"expand": "transitions", "transitions": list})
}

func (s *Server) screenField(id string) map[string]any {
	m := map[string]any{"required": false, "name": id, "key": id, "operations": []string{"set"}, "schema": map[string]any{"type": id, "system": id}}
	if id == "resolution" {
		m["name"] = "Resolution"
		m["required"] = true
		var av []any
		for _, r := range s.resolutions {
			av = append(av, s.renderResolution(r))
		}
		m["allowedValues"] = av
	}
	return m
}

func (s *Server) doTransition(w http.ResponseWriter, r *http.Request, body []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	var in issueInput
	if !decode(w, body, &in) {
		return
	}
	if in.Transition == nil || in.Transition.ID == "" {
		writeErrors(w, http.StatusBadRequest, []string{"Missing 'transition' identifier"}, nil)
		return
	}
	var tr *Transition
	for _, t := range s.available(is) {
		if t.ID == in.Transition.ID {
			tr = t
		}
	}
	if tr == nil {
		writeErrors(w, http.StatusBadRequest, []string{fmt.Sprintf("Transition id '%s' is not valid for this issue.", in.Transition.ID)}, nil)
		return
	}
	next, verr := s.edited(is, &in, func(id string) bool { return slices.Contains(tr.Screen, id) })
	if verr != nil {
		writeValidation(w, verr)
		return
	}
	to := s.status(tr.To)
	now := s.tick()
	if to.Category == "done" {
		if next.resolution == nil {
			next.resolution = s.resolutions[0]
		}
		next.resolvedAt = now
	} else {
		next.resolution, next.resolvedAt = nil, time.Time{}
	}
	next.status = to
	next.updated = now
	before := *is
	*is = *next
	s.issueChanged(&before, is, "issue_generic")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	list := slices.Clone(is.comments)
	if r.URL.Query().Get("orderBy") == "-created" {
		slices.Reverse(list)
	}
	pg := pageOf(s, r, list, 5000, func(c *comment) map[string]any { return s.renderComment(is, c) })
	writeJSON(w, http.StatusOK, map[string]any{"startAt": pg.startAt, "maxResults": pg.max, "total": len(list), "comments": pg.values})
}

type commentInput struct {
	Body       json.RawMessage `json:"body"`
	Visibility json.RawMessage `json:"visibility"`
}

func (s *Server) commentBody(w http.ResponseWriter, body []byte) (*commentInput, bool) {
	var in commentInput
	if !decode(w, body, &in) {
		return nil, false
	}
	v, msg := s.richText("body", in.Body)
	if msg != "" || v == nil {
		if msg == "" {
			msg = "Comment body can not be empty!"
		}
		writeValidation(w, fieldErr("comment", msg))
		return nil, false
	}
	in.Body = v
	if !isNull(in.Visibility) {
		var vis struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		}
		if json.Unmarshal(in.Visibility, &vis) != nil || (vis.Type != "role" && vis.Type != "group") {
			writeValidation(w, fieldErr("commentLevel", "Visibility type must be role or group."))
			return nil, false
		}
	} else {
		in.Visibility = nil
	}
	return &in, true
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request, body []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	in, ok := s.commentBody(w, body)
	if !ok {
		return
	}
	now := s.tick()
	s.nextComment++
	c := &comment{id: s.nextComment, author: s.me(), body: in.Body, created: now, updated: now, visibility: in.Visibility}
	is.comments = append(is.comments, c)
	is.updated = now
	s.commentEvent(WebhookCommentCreated, is, c, c.author)
	writeJSON(w, http.StatusCreated, s.renderComment(is, c))
}

func (s *Server) findComment(w http.ResponseWriter, r *http.Request) (*issue, *comment) {
	is := s.lookup(w, r)
	if is == nil {
		return nil, nil
	}
	for _, c := range is.comments {
		if strconv.FormatInt(c.id, 10) == r.PathValue("id") {
			return is, c
		}
	}
	notFound(w, "Can not find a comment for the id: "+r.PathValue("id")+".")
	return nil, nil
}

func (s *Server) getComment(w http.ResponseWriter, r *http.Request, _ []byte) {
	is, c := s.findComment(w, r)
	if c == nil {
		return
	}
	writeJSON(w, http.StatusOK, s.renderComment(is, c))
}

func (s *Server) updateComment(w http.ResponseWriter, r *http.Request, body []byte) {
	is, c := s.findComment(w, r)
	if c == nil {
		return
	}
	in, ok := s.commentBody(w, body)
	if !ok {
		return
	}
	c.body, c.visibility = in.Body, in.Visibility
	c.updated = s.tick()
	is.updated = c.updated
	s.commentEvent(WebhookCommentUpdated, is, c, s.me())
	writeJSON(w, http.StatusOK, s.renderComment(is, c))
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request, _ []byte) {
	is, c := s.findComment(w, r)
	if c == nil {
		return
	}
	is.comments = slices.DeleteFunc(is.comments, func(o *comment) bool { return o == c })
	is.updated = s.tick()
	s.commentEvent(WebhookCommentDeleted, is, c, s.me())
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getProperty(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	v, ok := is.properties[r.PathValue("prop")]
	if !ok {
		notFound(w, "The property with key '"+r.PathValue("prop")+"' does not exist.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"key": r.PathValue("prop"), "value": v})
}

func (s *Server) putProperty(w http.ResponseWriter, r *http.Request, body []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	if !json.Valid(body) {
		writeErrors(w, http.StatusBadRequest, []string{"The property value must be valid JSON."}, nil)
		return
	}
	if len(body) > 32768 {
		writeErrors(w, http.StatusBadRequest, []string{"The property value is too long: the maximum is 32768 characters."}, nil)
		return
	}
	key := r.PathValue("prop")
	_, existed := is.properties[key]
	if is.properties == nil {
		is.properties = map[string]json.RawMessage{}
	}
	is.properties[key] = append(json.RawMessage(nil), body...)
	status := http.StatusCreated
	if existed {
		status = http.StatusOK
	}
	writeJSON(w, status, map[string]any{})
}

func (s *Server) deleteProperty(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	if _, ok := is.properties[r.PathValue("prop")]; !ok {
		notFound(w, "The property with key '"+r.PathValue("prop")+"' does not exist.")
		return
	}
	delete(is.properties, r.PathValue("prop"))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) renderLink(is *issue, l *remoteLink) map[string]any {
	m := map[string]any{}
	for k, v := range l.body {
		m[k] = v
	}
	m["id"] = l.id
	m["self"] = s.self("/issue/%s/remotelink/%d", is.key, l.id)
	return m
}

func (s *Server) getRemoteLinks(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	if gid := r.URL.Query().Get("globalId"); gid != "" {
		for _, l := range is.links {
			if linkGlobalID(l) == gid {
				writeJSON(w, http.StatusOK, s.renderLink(is, l))
				return
			}
		}
		notFound(w, "No remote link with globalId '"+gid+"'.")
		return
	}
	out := []any{}
	for _, l := range is.links {
		out = append(out, s.renderLink(is, l))
	}
	writeJSON(w, http.StatusOK, out)
}

func linkGlobalID(l *remoteLink) string {
	var g string
	_ = json.Unmarshal(l.body["globalId"], &g)
	return g
}

func (s *Server) saveRemoteLink(w http.ResponseWriter, r *http.Request, body []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	var in map[string]json.RawMessage
	if !decode(w, body, &in) {
		return
	}
	var obj struct {
		URL   string `json:"url"`
		Title string `json:"title"`
	}
	if json.Unmarshal(in["object"], &obj) != nil || obj.URL == "" || obj.Title == "" {
		writeValidation(w, fieldErr("object", "The remote link needs an object with url and title."))
		return
	}
	delete(in, "id")
	delete(in, "self")
	l := &remoteLink{body: in}
	if gid := linkGlobalID(l); gid != "" {
		if len(gid) > 255 {
			writeValidation(w, fieldErr("globalId", "globalId is longer than 255 characters."))
			return
		}
		for _, old := range is.links {
			if linkGlobalID(old) == gid {
				old.body = in
				writeJSON(w, http.StatusOK, map[string]any{"id": old.id, "self": s.self("/issue/%s/remotelink/%d", is.key, old.id)})
				return
			}
		}
	}
	s.nextLink++
	l.id = s.nextLink
	is.links = append(is.links, l)
	writeJSON(w, http.StatusCreated, map[string]any{"id": l.id, "self": s.self("/issue/%s/remotelink/%d", is.key, l.id)})
}

func (s *Server) deleteRemoteLink(w http.ResponseWriter, r *http.Request, _ []byte) {
	is := s.lookup(w, r)
	if is == nil {
		return
	}
	gid := r.URL.Query().Get("globalId")
	n := len(is.links)
	is.links = slices.DeleteFunc(is.links, func(l *remoteLink) bool { return linkGlobalID(l) == gid })
	if gid == "" || len(is.links) == n {
		notFound(w, "No remote link with globalId '"+gid+"'.")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ []byte) {
	writeJSON(w, http.StatusOK, pageOf(s, r, s.users, 50, s.renderUser).values)
}

func (s *Server) findUsers(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	needle := strings.ToLower(q.Get("query"))
	if s.dc {
		needle = strings.ToLower(q.Get("username"))
	}
	inactive := s.dc && q.Get("includeInactive") == "true"
	var match []*User
	for _, u := range s.users {
		if !u.Active && !inactive {
			continue
		}
		if needle == "." || needle == "" && !s.dc ||
			strings.Contains(strings.ToLower(u.DisplayName), needle) ||
			strings.HasPrefix(strings.ToLower(u.Email), needle) ||
			s.dc && strings.HasPrefix(strings.ToLower(u.Name), needle) {
			match = append(match, u)
		}
	}
	writeJSON(w, http.StatusOK, pageOf(s, r, match, 50, s.renderUser).values)
}

func (s *Server) removedSearch(w http.ResponseWriter, r *http.Request, _ []byte) {
	writeErrors(w, http.StatusGone, []string{"The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"}, nil)
}

// searchParams is the union of the GET and POST forms of both searches.
type searchParams struct {
	JQL             string   `json:"jql"`
	NextPageToken   string   `json:"nextPageToken"`
	StartAt         int      `json:"startAt"`
	MaxResults      *int     `json:"maxResults"`
	Fields          []string `json:"fields"`
	Properties      []string `json:"properties"`
	ReconcileIssues []int64  `json:"reconcileIssues"`
}

func (s *Server) searchParams(w http.ResponseWriter, r *http.Request, body []byte) (*searchParams, bool) {
	p := &searchParams{}
	if r.Method == http.MethodPost {
		if !decode(w, body, p) {
			return nil, false
		}
		return p, true
	}
	q := r.URL.Query()
	p.JQL, p.NextPageToken = q.Get("jql"), q.Get("nextPageToken")
	p.StartAt = intParam(r, "startAt", 0)
	if v := q.Get("maxResults"); v != "" {
		n := intParam(r, "maxResults", 50)
		p.MaxResults = &n
	}
	p.Fields, p.Properties = queryList(r, "fields"), queryList(r, "properties")
	return p, true
}

func (s *Server) query(w http.ResponseWriter, jql string) (*query, bool) {
	q, err := parseJQL(jql, time.UTC)
	if err != nil {
		writeErrors(w, http.StatusBadRequest, []string{err.Error()}, nil)
		return nil, false
	}
	return q, true
}

func (s *Server) searchCloud(w http.ResponseWriter, r *http.Request, body []byte) {
	p, ok := s.searchParams(w, r, body)
	if !ok {
		return
	}
	if strings.TrimSpace(p.JQL) == "" || !strings.Contains(strings.ToLower(p.JQL), "=") && !strings.Contains(strings.ToLower(p.JQL), " in ") {
		writeErrors(w, http.StatusBadRequest, []string{"Unbounded JQL queries are not allowed here. Please add a search restriction to your query."}, nil)
		return
	}
	q, ok := s.query(w, p.JQL)
	if !ok {
		return
	}
	start := 0
	if p.NextPageToken != "" {
		n, ok := decodeToken(p.NextPageToken, p.JQL)
		if !ok {
			writeErrors(w, http.StatusBadRequest, []string{"The provided next page token is invalid or expired."}, nil)
			return
		}
		start = n
	}
	max := 50
	if p.MaxResults != nil {
		max = *p.MaxResults
	}
	max = s.capMax(max, 50)
	all := s.indexed(s.run(q), p.ReconcileIssues)
	from, to := page(len(all), start, max)
	sel := parseFields(p.Fields, "id")
	issues := []any{}
	for _, is := range all[from:to] {
		issues = append(issues, s.renderIssue(is, sel, p.Properties))
	}
	out := map[string]any{"issues": issues, "isLast": to >= len(all)}
	if to < len(all) {
		out["nextPageToken"] = encodeToken(to, p.JQL)
	}
	writeJSON(w, http.StatusOK, out)
}

func encodeToken(offset int, jql string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset) + "|" + jql))
}

func decodeToken(tok, jql string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	n, q, ok := strings.Cut(string(b), "|")
	if !ok || q != jql {
		return 0, false
	}
	off, err := strconv.Atoi(n)
	return off, err == nil && off >= 0
}

func (s *Server) approximateCount(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		JQL string `json:"jql"`
	}
	if !decode(w, body, &in) {
		return
	}
	q, ok := s.query(w, in.JQL)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(s.run(q))})
}

func (s *Server) searchDC(w http.ResponseWriter, r *http.Request, body []byte) {
	p, ok := s.searchParams(w, r, body)
	if !ok {
		return
	}
	q, ok := s.query(w, p.JQL)
	if !ok {
		return
	}
	max := 50
	if p.MaxResults != nil {
		max = *p.MaxResults
	}
	if max > 0 {
		max = s.capMax(max, 50)
	}
	all := s.indexed(s.run(q), nil)
	from, to := page(len(all), p.StartAt, max)
	sel := parseFields(p.Fields, "*navigable")
	issues := []any{}
	for _, is := range all[from:to] {
		issues = append(issues, s.renderIssue(is, sel, p.Properties))
	}
	writeJSON(w, http.StatusOK, map[string]any{"expand": "schema,names", "startAt": from, "maxResults": max, "total": len(all), "issues": issues})
}
