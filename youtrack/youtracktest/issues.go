package youtracktest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var entityID = regexp.MustCompile(`^[0-9]+-[0-9]+$`)

// renderUser is a user as a YouTrack entity.
func renderUser(u *User) map[string]any {
	if u == nil {
		return nil
	}
	m := map[string]any{
		"$type": "User", "id": u.ID, "login": u.Login, "fullName": u.FullName,
		"email": nullable(u.Email), "ringId": u.RingID, "banned": u.Banned, "guest": u.Guest,
		"online": u.Online,
		// YouTrack's User has no banReason, creationTime or lastAccessTime:
		// those are Hub attributes, served by /hub/api/rest/users only.
	}
	return m
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timeOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func msOrNull(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// renderValue renders a stored custom field value the way YouTrack sends
// it; caller holds the lock.
func (s *Server) renderValue(f *FieldDef, v any) any {
	if v == nil {
		if f.Type == FieldMultiEnum {
			return []any{}
		}
		return nil
	}
	elem := func(name string) any {
		bv, ok := f.value(name)
		if !ok {
			return map[string]any{"$type": "EnumBundleElement", "name": name}
		}
		m := map[string]any{"$type": "EnumBundleElement", "id": bv.ID, "name": bv.Name, "description": nullable(bv.Description)}
		if f.Type == FieldState {
			m["$type"] = "StateBundleElement"
			m["isResolved"] = bv.IsResolved
		}
		return m
	}
	switch f.Type {
	case FieldEnum, FieldState:
		return elem(v.(string))
	case FieldMultiEnum:
		var out []any
		for _, n := range v.([]string) {
			out = append(out, elem(n))
		}
		return out
	case FieldUser:
		return renderUser(s.userByLogin(v.(string)))
	case FieldText:
		return map[string]any{"$type": "TextFieldValue", "id": f.ID + "-text", "text": v}
	case FieldPeriod:
		return map[string]any{"$type": "PeriodValue", "id": f.ID + "-period", "presentation": v, "minutes": periodMinutes(v.(string))}
	}
	return v
}

// periodMinutes reads "1w 2d 3h 4m" with 5-day weeks and 8-hour days.
func periodMinutes(p string) int64 {
	var total int64
	for _, part := range strings.Fields(p) {
		if len(part) < 2 {
			continue
		}
		n, err := strconv.ParseInt(part[:len(part)-1], 10, 64)
		if err != nil {
			continue
		}
		switch part[len(part)-1] {
		case 'w':
			total += n * 5 * 8 * 60
		case 'd':
			total += n * 8 * 60
		case 'h':
			total += n * 60
		case 'm':
			total += n
		}
	}
	return total
}

func renderProject(p *Project) map[string]any {
	return map[string]any{"$type": "Project", "id": p.ID, "shortName": p.ShortName, "name": p.Name, "archived": p.Archived}
}

func (s *Server) renderProjectField(f *FieldDef) map[string]any {
	m := map[string]any{
		"$type": projectFieldType(f.Type), "id": f.ProjectFieldID, "canBeEmpty": f.CanBeEmpty,
		"emptyFieldText": f.EmptyText,
		"field": map[string]any{
			"$type": "CustomField", "id": f.ID, "name": f.Name,
			"fieldType": map[string]any{"$type": "FieldType", "id": f.Type},
		},
	}
	if bt := f.bundleType(); bt != "" {
		var vals []any
		for _, v := range f.Values {
			vals = append(vals, s.renderBundleValue(f, &v))
		}
		m["bundle"] = map[string]any{"$type": bt, "id": f.BundleID, "name": f.Name + " bundle", "values": vals}
		defaults := []any{}
		if v, ok := f.value(f.Default); ok && f.Default != "" {
			defaults = append(defaults, s.renderBundleValue(f, v))
		}
		m["defaultValues"] = defaults
	}
	return m
}

func (s *Server) renderBundleValue(f *FieldDef, v *BundleValue) map[string]any {
	m := map[string]any{"$type": "EnumBundleElement", "id": v.ID, "name": v.Name, "description": nullable(v.Description), "archived": false}
	if f.Type == FieldState {
		m["$type"] = "StateBundleElement"
		m["isResolved"] = v.IsResolved
	}
	for i := range f.Values {
		if f.Values[i].ID == v.ID {
			m["ordinal"] = i
		}
	}
	return m
}

// renderIssue renders an issue in full, but for the costly project field
// settings, which it renders only when r's projection asks for them; the
// caller holds the lock.
func (s *Server) renderIssue(r *http.Request, is *issue) map[string]any {
	var cfs []any
	withSettings := strings.Contains(r.URL.Query().Get("fields"), "projectCustomField")
	for _, f := range s.fields {
		cf := map[string]any{
			"$type": issueFieldType(f.Type), "id": f.ProjectFieldID, "name": f.Name,
			"value": s.renderValue(f, is.fields[f.Name]),
		}
		if withSettings {
			cf["projectCustomField"] = s.renderProjectField(f)
		}
		cfs = append(cfs, cf)
	}
	tags := []any{}
	for _, id := range is.tags {
		if t := s.tagByID(id); t != nil {
			tags = append(tags, map[string]any{"$type": "IssueTag", "id": t.ID, "name": t.Name})
		}
	}
	return map[string]any{
		"$type": "Issue", "id": is.id, "idReadable": is.idReadable, "numberInProject": is.number(),
		"summary": is.summary, "description": nullable(is.description),
		"created": is.created, "updated": is.updated, "resolved": msOrNull(is.resolved),
		"wikifiedDescription": preview(is.description),
		"project":             renderProject(is.project),
		"reporter":            renderUser(s.userByLogin(is.reporter)),
		"updater":             renderUser(s.userByLogin(s.updaterOf(is))),
		"commentsCount":       len(is.comments),
		"customFields":        cfs,
		"tags":                tags,
	}
}

func (is *issue) number() int {
	_, n, _ := strings.Cut(is.idReadable, "-")
	v, _ := strconv.Atoi(n)
	return v
}

func (s *Server) listIssues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("query")
	pq, err := ParseQuery(q)
	if err != nil {
		badRequest(w, "Cannot parse search query: %v", err)
		return
	}
	s.mu.Lock()
	s.lastQuery = q
	var hits []*issue
	for _, is := range s.sortedIssues() {
		ok, err := s.matchAll(is, pq.Terms)
		if err != nil {
			s.mu.Unlock()
			badRequest(w, "%v", err)
			return
		}
		if ok {
			hits = append(hits, is)
		}
	}
	if pq.SortField != "" {
		key := strings.ToLower(pq.SortField)
		if key != "updated" && key != "created" {
			s.mu.Unlock()
			badRequest(w, "The fake sorts by updated or created only, not %q", pq.SortField)
			return
		}
		slices.SortStableFunc(hits, func(a, b *issue) int {
			x, y := a.updated, b.updated
			if key == "created" {
				x, y = a.created, b.created
			}
			c := cmp.Compare(x, y)
			if !pq.SortAsc {
				c = -c
			}
			return c
		})
	}
	pg, err := page(r, hits)
	if err != nil {
		s.mu.Unlock()
		badRequest(w, "%v", err)
		return
	}
	out := make([]any, len(pg))
	for i, is := range pg {
		out[i] = s.renderIssue(r, is)
	}
	s.mu.Unlock()
	writeJSON(w, r, out)
}

func (s *Server) getIssue(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	is := s.findIssue(r.PathValue("id"))
	if is == nil {
		s.mu.Unlock()
		notFound(w, r.PathValue("id"))
		return
	}
	out := s.renderIssue(r, is)
	s.mu.Unlock()
	writeJSON(w, r, out)
}

// wireField is a custom field in a request body.
type wireField struct {
	Type  string          `json:"$type"`
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

type wireRef struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	IDReadable string `json:"idReadable"`
}

type issueBody struct {
	Project      *wireRef    `json:"project"`
	Summary      *string     `json:"summary"`
	Description  *string     `json:"description"`
	CustomFields []wireField `json:"customFields"`
	Tags         *[]wireRef  `json:"tags"`
}

// httpErr is an error with the status and code to answer it with.
type httpErr struct {
	status int
	code   string
	desc   string
}

func (e *httpErr) Error() string { return e.desc }

func errBad(format string, args ...any) *httpErr {
	return &httpErr{http.StatusBadRequest, "bad_request", fmt.Sprintf(format, args...)}
}

func writeErr(w http.ResponseWriter, e *httpErr) { apiError(w, e.status, e.code, e.desc) }

// decodeFieldValue turns a written custom field value into its stored
// form; nil means empty. Caller holds the lock.
func (s *Server) decodeFieldValue(f *FieldDef, wf wireField) (any, *httpErr) {
	if wf.Type == "" {
		return nil, errBad("Field %s: $type is required for custom field values", f.Name)
	}
	if want := issueFieldType(f.Type); wf.Type != want {
		return nil, &httpErr{http.StatusInternalServerError, "server_error",
			fmt.Sprintf("Incompatible field type: %s for field %s of type %s", wf.Type, f.Name, want)}
	}
	raw := strings.TrimSpace(string(wf.Value))
	if raw == "" || raw == "null" || raw == "[]" {
		if !f.CanBeEmpty {
			return nil, errBad("Field %s is required", f.Name)
		}
		return nil, nil
	}
	elem := func(m json.RawMessage) (string, *httpErr) {
		var ref wireRef
		if err := json.Unmarshal(m, &ref); err != nil {
			return "", errBad("Field %s: invalid value: %v", f.Name, err)
		}
		for _, v := range f.Values {
			if (ref.ID != "" && v.ID == ref.ID) || (ref.Name != "" && strings.EqualFold(v.Name, ref.Name)) {
				return v.Name, nil
			}
		}
		return "", errBad("Field %s: no value %q in the bundle", f.Name, ref.Name+ref.ID)
	}
	switch f.Type {
	case FieldEnum, FieldState:
		return elem(wf.Value)
	case FieldMultiEnum:
		var list []json.RawMessage
		if err := json.Unmarshal(wf.Value, &list); err != nil {
			return nil, errBad("Field %s: expected a list: %v", f.Name, err)
		}
		var names []string
		for _, m := range list {
			n, e := elem(m)
			if e != nil {
				return nil, e
			}
			names = append(names, n)
		}
		return names, nil
	case FieldUser:
		var ref struct {
			ID    string `json:"id"`
			Login string `json:"login"`
		}
		if err := json.Unmarshal(wf.Value, &ref); err != nil {
			return nil, errBad("Field %s: invalid user: %v", f.Name, err)
		}
		u := s.userByLogin(ref.Login)
		if ref.ID != "" {
			u = s.userByID(ref.ID)
		}
		if u == nil {
			return nil, errBad("Field %s: unknown user %q", f.Name, ref.Login+ref.ID)
		}
		return u.Login, nil
	case FieldDate, FieldDateTime:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, errBad("Field %s: expected epoch milliseconds, got %s", f.Name, raw)
		}
		return n, nil
	case FieldText:
		var tv struct {
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(wf.Value, &tv); err != nil || tv.Text == nil {
			return nil, errBad("Field %s: expected {\"text\": …}", f.Name)
		}
		if *tv.Text == "" {
			return nil, nil
		}
		return *tv.Text, nil
	case FieldPeriod:
		var pv struct {
			Presentation string `json:"presentation"`
		}
		if err := json.Unmarshal(wf.Value, &pv); err != nil || pv.Presentation == "" {
			return nil, errBad("Field %s: expected {\"presentation\": …}", f.Name)
		}
		return pv.Presentation, nil
	}
	var v any
	if err := json.Unmarshal(wf.Value, &v); err != nil {
		return nil, errBad("Field %s: %v", f.Name, err)
	}
	return v, nil
}

// applyFields writes custom fields into is; it reports whether anything
// changed. Caller holds the lock.
func (s *Server) applyFields(is *issue, fields []wireField) (bool, *httpErr) {
	changed := false
	type write struct {
		f *FieldDef
		v any
	}
	var writes []write
	for _, wf := range fields {
		var f *FieldDef
		if wf.ID != "" {
			f = s.fieldByProjectID(wf.ID)
		}
		if f == nil {
			f = s.fieldByName(wf.Name)
		}
		if f == nil {
			return false, errBad("Unknown custom field %q", wf.Name+wf.ID)
		}
		v, e := s.decodeFieldValue(f, wf)
		if e != nil {
			return false, e
		}
		writes = append(writes, write{f, v})
	}
	for _, w := range writes {
		old, had := is.fields[w.f.Name]
		if w.v == nil {
			if had {
				delete(is.fields, w.f.Name)
				changed = true
			}
			continue
		}
		if !had || !equalValue(old, w.v) {
			is.fields[w.f.Name] = w.v
			changed = true
		}
	}
	return changed, nil
}

// touch marks is updated and recomputes resolved; caller holds the lock.
func (s *Server) touch(is *issue) {
	is.updated = s.tick()
	resolved := s.stateResolved(is)
	switch {
	case resolved && is.resolved == 0:
		is.resolved = is.updated
	case !resolved:
		is.resolved = 0
	}
	s.notify(NotifyIssueUpdated, is, nil)
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request) {
	var body issueBody
	if !decodeBody(w, r, &body) {
		return
	}
	s.mu.Lock()
	is, e := s.create(&body)
	if e != nil {
		s.mu.Unlock()
		writeErr(w, e)
		return
	}
	out := s.renderIssue(r, is)
	s.mu.Unlock()
	writeJSON(w, r, out)
}

// create makes an issue from a request body; caller holds the lock.
func (s *Server) create(body *issueBody) (*issue, *httpErr) {
	if body.Project == nil || body.Project.ID == "" {
		return nil, errBad("Project is required")
	}
	if !entityID.MatchString(body.Project.ID) {
		return nil, errBad("Invalid structure of entity id: %s", body.Project.ID)
	}
	var p *Project
	for _, x := range s.projects {
		if x.ID == body.Project.ID {
			p = x
		}
	}
	if p == nil {
		return nil, &httpErr{http.StatusNotFound, "Not Found", "Entity with id " + body.Project.ID + " not found"}
	}
	if body.Summary == nil || strings.TrimSpace(*body.Summary) == "" {
		return nil, errBad("Summary is required")
	}
	is := &issue{project: p, summary: *body.Summary, reporter: s.me, fields: map[string]any{}}
	if body.Description != nil {
		is.description = *body.Description
	}
	for _, f := range s.fields {
		if f.Default != "" {
			is.fields[f.Name] = f.Default
		}
	}
	if _, e := s.applyFields(is, body.CustomFields); e != nil {
		return nil, e
	}
	if body.Tags != nil {
		for _, t := range *body.Tags {
			tag := s.tagByID(t.ID)
			if tag == nil && t.Name != "" {
				tag = s.tagByName(t.Name)
			}
			if tag == nil {
				return nil, &httpErr{http.StatusNotFound, "Not Found", "Tag " + t.ID + t.Name + " not found"}
			}
			if !slices.Contains(is.tags, tag.ID) {
				is.tags = append(is.tags, tag.ID)
			}
		}
	}
	s.seq[p.ShortName]++
	is.id = s.newID(2)
	is.idReadable = fmt.Sprintf("%s-%d", p.ShortName, s.seq[p.ShortName])
	is.created = s.tick()
	is.updated = is.created
	if s.stateResolved(is) {
		is.resolved = is.created
	}
	s.issues[is.id] = is
	s.order = append(s.order, is.id)
	s.notify(NotifyIssueCreated, is, nil)
	return is, nil
}

func (s *Server) updateIssue(w http.ResponseWriter, r *http.Request) {
	var body issueBody
	if !decodeBody(w, r, &body) {
		return
	}
	s.mu.Lock()
	is := s.findIssue(r.PathValue("id"))
	if is == nil {
		s.mu.Unlock()
		notFound(w, r.PathValue("id"))
		return
	}
	// Validate everything before changing anything.
	probe := &issue{fields: map[string]any{}}
	for k, v := range is.fields {
		probe.fields[k] = v
	}
	fieldsChanged, e := s.applyFields(probe, body.CustomFields)
	if e != nil {
		s.mu.Unlock()
		writeErr(w, e)
		return
	}
	var tags []string
	if body.Tags != nil {
		for _, t := range *body.Tags {
			tag := s.tagByID(t.ID)
			if tag == nil {
				s.mu.Unlock()
				notFound(w, t.ID)
				return
			}
			tags = append(tags, tag.ID)
		}
	}
	changed := fieldsChanged
	is.fields = probe.fields
	if body.Summary != nil && *body.Summary != is.summary {
		if strings.TrimSpace(*body.Summary) == "" {
			s.mu.Unlock()
			badRequest(w, "Summary is required")
			return
		}
		is.summary, changed = *body.Summary, true
	}
	if body.Description != nil && *body.Description != is.description {
		is.description, changed = *body.Description, true
	}
	if body.Tags != nil && !slices.Equal(tags, is.tags) {
		is.tags, changed = tags, true
	}
	if changed {
		s.touch(is)
	}
	out := s.renderIssue(r, is)
	s.mu.Unlock()
	writeJSON(w, r, out)
}

func (s *Server) deleteIssue(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.findIssue(r.PathValue("id"))
	if is == nil {
		notFound(w, r.PathValue("id"))
		return
	}
	delete(s.issues, is.id)
	s.removeFromOrder(is.id)
	s.notify(NotifyIssueDeleted, is, nil)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) updateCustomField(w http.ResponseWriter, r *http.Request) {
	var wf wireField
	if !decodeBody(w, r, &wf) {
		return
	}
	s.mu.Lock()
	is := s.findIssue(r.PathValue("id"))
	if is == nil {
		s.mu.Unlock()
		notFound(w, r.PathValue("id"))
		return
	}
	f := s.fieldByProjectID(r.PathValue("fid"))
	if f == nil {
		s.mu.Unlock()
		notFound(w, r.PathValue("fid"))
		return
	}
	wf.Name, wf.ID = f.Name, f.ProjectFieldID
	changed, e := s.applyFields(is, []wireField{wf})
	if e != nil {
		s.mu.Unlock()
		writeErr(w, e)
		return
	}
	if changed {
		s.touch(is)
	}
	out := map[string]any{"$type": issueFieldType(f.Type), "id": f.ProjectFieldID, "name": f.Name, "value": s.renderValue(f, is.fields[f.Name])}
	s.mu.Unlock()
	writeJSON(w, r, out)
}
