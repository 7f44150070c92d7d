package youtracktest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

func (s *Server) renderComment(c *comment) map[string]any {
	return map[string]any{
		"$type": "IssueComment", "id": c.id, "text": c.text, "usesMarkdown": c.usesMarkdown,
		"textPreview": preview(c.text),
		"created":     c.created, "updated": msOrNull(c.updated), "deleted": false,
		"author":      renderUser(s.userByLogin(c.author)),
		"attachments": []any{},
	}
}

// withIssue runs f with the issue named in the path, under the lock, or
// answers 404.
func (s *Server) withIssue(w http.ResponseWriter, r *http.Request, f func(is *issue) (any, *httpErr)) {
	s.mu.Lock()
	is := s.findIssue(r.PathValue("id"))
	if is == nil {
		s.mu.Unlock()
		notFound(w, r.PathValue("id"))
		return
	}
	out, e := f(is)
	s.mu.Unlock()
	if e != nil {
		writeErr(w, e)
		return
	}
	if out == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, r, out)
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		pg, err := page(r, is.comments)
		if err != nil {
			return nil, errBad("%v", err)
		}
		out := []any{}
		for _, c := range pg {
			out = append(out, s.renderComment(c))
		}
		return out, nil
	})
}

type commentBody struct {
	Text         *string `json:"text"`
	UsesMarkdown *bool   `json:"usesMarkdown"`
	Deleted      *bool   `json:"deleted"`
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request) {
	var body commentBody
	if !decodeBody(w, r, &body) {
		return
	}
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		if body.Text == nil || strings.TrimSpace(*body.Text) == "" {
			return nil, errBad("Comment text is required")
		}
		c := &comment{id: s.newID(4), text: *body.Text, usesMarkdown: true, author: s.me, created: s.tick()}
		if body.UsesMarkdown != nil {
			c.usesMarkdown = *body.UsesMarkdown
		}
		is.comments = append(is.comments, c)
		is.updated = c.created
		s.notify(NotifyCommentAdded, is, c)
		return s.renderComment(c), nil
	})
}

func findComment(is *issue, id string) (int, *comment) {
	for i, c := range is.comments {
		if c.id == id {
			return i, c
		}
	}
	return -1, nil
}

func (s *Server) updateComment(w http.ResponseWriter, r *http.Request) {
	var body commentBody
	if !decodeBody(w, r, &body) {
		return
	}
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		i, c := findComment(is, r.PathValue("cid"))
		if c == nil {
			return nil, &httpErr{http.StatusNotFound, "Not Found", "Entity with id " + r.PathValue("cid") + " not found"}
		}
		if body.Deleted != nil && *body.Deleted {
			is.comments = slices.Delete(is.comments, i, i+1)
			is.updated = s.tick()
			s.notify(NotifyCommentDeleted, is, c)
			return s.renderComment(c), nil
		}
		if body.Text != nil {
			c.text = *body.Text
		}
		if body.UsesMarkdown != nil {
			c.usesMarkdown = *body.UsesMarkdown
		}
		c.updated = s.tick()
		is.updated = c.updated
		s.notify(NotifyCommentUpdated, is, c)
		return s.renderComment(c), nil
	})
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request) {
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		i, c := findComment(is, r.PathValue("cid"))
		if c == nil {
			return nil, &httpErr{http.StatusNotFound, "Not Found", "Entity with id " + r.PathValue("cid") + " not found"}
		}
		is.comments = slices.Delete(is.comments, i, i+1)
		is.updated = s.tick()
		s.notify(NotifyCommentDeleted, is, c)
		return nil, nil
	})
}

func renderTag(t *Tag) map[string]any {
	return map[string]any{"$type": "IssueTag", "id": t.ID, "name": t.Name}
}

func (s *Server) listIssueTags(w http.ResponseWriter, r *http.Request) {
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		out := []any{}
		for _, id := range is.tags {
			if t := s.tagByID(id); t != nil {
				out = append(out, renderTag(t))
			}
		}
		return out, nil
	})
}

func (s *Server) addIssueTag(w http.ResponseWriter, r *http.Request) {
	var ref wireRef
	if !decodeBody(w, r, &ref) {
		return
	}
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		t := s.tagByID(ref.ID)
		if t == nil && ref.Name != "" {
			t = s.tagByName(ref.Name)
		}
		if t == nil {
			return nil, &httpErr{http.StatusNotFound, "Not Found", "Entity with id " + ref.ID + " not found"}
		}
		if !slices.Contains(is.tags, t.ID) {
			is.tags = append(is.tags, t.ID)
			is.updated = s.tick()
		}
		return renderTag(t), nil
	})
}

func (s *Server) removeIssueTag(w http.ResponseWriter, r *http.Request) {
	s.withIssue(w, r, func(is *issue) (any, *httpErr) {
		id := r.PathValue("tid")
		if !slices.Contains(is.tags, id) {
			return nil, &httpErr{http.StatusNotFound, "Not Found", "Entity with id " + id + " not found"}
		}
		is.tags = slices.DeleteFunc(is.tags, func(x string) bool { return x == id })
		is.updated = s.tick()
		return nil, nil
	})
}

func (s *Server) listTags(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(r.URL.Query().Get("query"))
	s.mu.Lock()
	var hits []*Tag
	for _, t := range s.tags {
		if q == "" || strings.Contains(strings.ToLower(t.Name), q) {
			hits = append(hits, t)
		}
	}
	s.mu.Unlock()
	pg, err := page(r, hits)
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	out := []any{}
	for _, t := range pg {
		out = append(out, renderTag(t))
	}
	writeJSON(w, r, out)
}

func (s *Server) createTag(w http.ResponseWriter, r *http.Request) {
	var ref wireRef
	if !decodeBody(w, r, &ref) {
		return
	}
	if strings.TrimSpace(ref.Name) == "" {
		badRequest(w, "Tag name is required")
		return
	}
	s.mu.Lock()
	if s.tagByName(ref.Name) != nil {
		s.mu.Unlock()
		badRequest(w, "Tag with name %s already exists", ref.Name)
		return
	}
	t := &Tag{ID: s.newID(6), Name: ref.Name}
	s.tags = append(s.tags, t)
	s.mu.Unlock()
	writeJSON(w, r, renderTag(t))
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	pg, err := page(r, s.projects)
	out := []any{}
	for _, p := range pg {
		out = append(out, renderProject(p))
	}
	s.mu.Unlock()
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	writeJSON(w, r, out)
}

func (s *Server) listProjectFields(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p := s.projectByID(r.PathValue("id"))
	if p == nil {
		s.mu.Unlock()
		notFound(w, r.PathValue("id"))
		return
	}
	pg, err := page(r, s.fields)
	out := []any{}
	for _, f := range pg {
		out = append(out, s.renderProjectField(f))
	}
	s.mu.Unlock()
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	writeJSON(w, r, out)
}

func (s *Server) listBundleValues(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var f *FieldDef
	for _, x := range s.fields {
		if x.BundleID == r.PathValue("id") && x.bundleKind() == r.PathValue("kind") {
			f = x
		}
	}
	if f == nil {
		s.mu.Unlock()
		notFound(w, r.PathValue("id"))
		return
	}
	pg, err := page(r, f.Values)
	out := []any{}
	for i := range pg {
		out = append(out, s.renderBundleValue(f, &pg[i]))
	}
	s.mu.Unlock()
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	writeJSON(w, r, out)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	pg, err := page(r, s.users)
	out := []any{}
	for _, u := range pg {
		out = append(out, renderUser(u))
	}
	s.mu.Unlock()
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	writeJSON(w, r, out)
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	u := s.userByLogin(s.me)
	s.mu.Unlock()
	if u == nil {
		notFound(w, "me")
		return
	}
	writeJSON(w, r, renderUser(u))
}

func renderHubUser(u *User) map[string]any {
	groups := []any{}
	for _, g := range u.Groups {
		groups = append(groups, map[string]any{"type": "userGroup", "id": "g-" + strings.ToLower(strings.ReplaceAll(g, " ", "-")), "name": g})
	}
	m := map[string]any{
		"type": "user", "id": u.RingID, "login": u.Login, "name": u.FullName,
		"banned": u.Banned, "banReason": nullable(u.BanReason), "guest": u.Guest,
		"creationTime": timeOrNull(u.Created), "lastAccessTime": timeOrNull(u.LastAccess),
		"groups": groups,
	}
	if u.Email != "" {
		m["profile"] = map[string]any{"type": "profile", "email": map[string]any{"type": "EmailJSON", "email": u.Email, "verified": true}}
	}
	return m
}

// hubMatch applies the Hub query subset: "is:banned", "not is:banned",
// "login: x".
func hubMatch(u *User, q string) bool {
	q = strings.TrimSpace(strings.ToLower(q))
	switch {
	case q == "":
		return true
	case q == "is:banned":
		return u.Banned
	case q == "not is:banned":
		return !u.Banned
	case strings.HasPrefix(q, "login:"):
		return strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(q, "login:")), u.Login)
	}
	return strings.Contains(strings.ToLower(u.Login+" "+u.FullName+" "+u.Email), q)
}

func (s *Server) listHubUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("query")
	s.mu.Lock()
	var hits []*User
	for _, u := range s.users {
		if hubMatch(u, q) {
			hits = append(hits, u)
		}
	}
	s.mu.Unlock()
	pg, err := page(r, hits)
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	users := []any{}
	for _, u := range pg {
		users = append(users, renderHubUser(u))
	}
	p, err := requestProjection(r)
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	// Hub applies fields to the users; the envelope is always there.
	skip, _ := strconv.Atoi(r.URL.Query().Get("$skip"))
	writeRaw(w, map[string]any{"type": "UserPage", "skip": skip, "top": len(pg), "total": len(hits), "users": p.apply(users)})
}

// writeRaw writes v as JSON without a projection.
func writeRaw(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}
