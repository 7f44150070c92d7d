package extrahoptest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/trackbridge/trackbridge/extrahop"
)

// maxBody caps request bodies, as a real appliance would.
const maxBody = 1 << 20

// Search limits the server enforces.
const (
	defaultLimit = 1000
	maxLimit     = 20000
)

// decodeBody decodes the JSON request body into v, refusing unknown keys
// and trailing data; on failure it has answered 400.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, "reading request body: "+err.Error())
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid request body: "+err.Error())
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "invalid request body: trailing data")
		return false
	}
	return true
}

// pathID parses the {id} path value; on failure it has answered.
func pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid detection id %q", r.PathValue(name)))
		return 0, false
	}
	return id, true
}

func notFound(w http.ResponseWriter, id int64) {
	writeError(w, http.StatusNotFound, fmt.Sprintf("Detection %d not found", id))
}

func (s *Server) getDetection(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	d, ok := s.Detection(id)
	if !ok {
		notFound(w, id)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// searchBody is what POST /detections/search accepts.
type searchBody struct {
	From               *int64          `json:"from"`
	Until              *int64          `json:"until"`
	ModTime            *int64          `json:"mod_time"`
	CreateTime         *int64          `json:"create_time"`
	UpdateTime         *int64          `json:"update_time"`
	Filter             *searchFilter   `json:"filter"`
	Sort               []extrahop.Sort `json:"sort"`
	Limit              *int            `json:"limit"`
	Offset             *int            `json:"offset"`
	IDOnly             bool            `json:"id_only"`
	IncludeActivityLog bool            `json:"include_activity_log"`
}

type searchFilter struct {
	Status       []string `json:"status"`
	Resolution   []string `json:"resolution"`
	Assignee     []string `json:"assignee"`
	TicketID     []string `json:"ticket_id"`
	Categories   []string `json:"categories"`
	Types        []string `json:"types"`
	RiskScoreMin *int     `json:"risk_score_min"`
	Recommended  *bool    `json:"recommended"`
	Category     string   `json:"category"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	var q searchBody
	if !decodeBody(w, r, &q) {
		return
	}
	limit, offset := defaultLimit, 0
	if q.Limit != nil {
		limit = *q.Limit
	}
	if q.Offset != nil {
		offset = *q.Offset
	}
	if limit < 0 || limit > maxLimit && !q.IDOnly || offset < 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("limit must be 0 to %d and offset not negative", maxLimit))
		return
	}
	for _, so := range q.Sort {
		if !sortable(so.Field) || so.Direction != "asc" && so.Direction != "desc" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid sort {field: %q, direction: %q}", so.Field, so.Direction))
			return
		}
	}
	sort := q.Sort
	if len(sort) == 0 {
		sort = []extrahop.Sort{{Field: "mod_time", Direction: "desc"}, {Field: "id", Direction: "asc"}}
	}
	now := s.now().UnixMilli()

	// Filter, sort and encode under the lock: the page is encoded from the
	// live records, so nothing is copied but the page's bytes.
	s.mu.Lock()
	var hits []*extrahop.Detection
	for _, d := range s.detections {
		if q.matches(d, now) {
			hits = append(hits, d)
		}
	}
	sortDetections(hits, sort)
	if offset >= len(hits) {
		hits = nil
	} else {
		hits = hits[offset:]
	}
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	var page any = hits
	if q.IDOnly {
		ids := make([]int64, len(hits))
		for i, d := range hits {
			ids[i] = d.ID
		}
		page = ids
	} else if hits == nil {
		page = []*extrahop.Detection{}
	}
	data, err := json.Marshal(page)
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encoding response: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

func sortable(field string) bool {
	switch field {
	case "id", "mod_time", "start_time", "end_time", "update_time", "create_time", "risk_score", "status", "type":
		return true
	}
	return false
}

// matches applies the search's time bounds and filter to d.
func (q *searchBody) matches(d *extrahop.Detection, now int64) bool {
	after := func(t extrahop.Time, bound *int64) bool { return bound == nil || t.Millis() > *bound }
	if !after(d.ModTime, q.ModTime) || !after(d.CreateTime, q.CreateTime) || !after(d.UpdateTime, q.UpdateTime) {
		return false
	}
	if q.From != nil {
		from := *q.From
		if from < 0 {
			from += now
		}
		// Ongoing detections (no end) match any From.
		if !d.EndTime.IsZero() && d.EndTime.Millis() < from {
			return false
		}
	}
	if q.Until != nil {
		until := *q.Until
		if until == 0 {
			until = now
		}
		if d.StartTime.Millis() > until {
			return false
		}
	}
	f := q.Filter
	if f == nil {
		return true
	}
	if !matchNullable(f.Status, d.Status, "") || !matchNullable(f.Resolution, d.Resolution, "") ||
		!matchNullable(f.Assignee, d.Assignee, Me) || !matchNullable(f.TicketID, d.TicketID, "") {
		return false
	}
	if len(f.Types) > 0 && !slices.Contains(f.Types, d.Type) {
		return false
	}
	cats := f.Categories
	if f.Category != "" {
		cats = append(slices.Clone(cats), f.Category)
	}
	if len(cats) > 0 && !slices.ContainsFunc(cats, func(c string) bool { return slices.Contains(d.Categories, c) }) {
		return false
	}
	if f.RiskScoreMin != nil && (d.RiskScore == nil || *d.RiskScore < *f.RiskScoreMin) {
		return false
	}
	if f.Recommended != nil && d.Recommended != *f.Recommended {
		return false
	}
	return true
}

// matchNullable reports whether v is among want, where ".none" matches
// null and ".me" matches me.
func matchNullable(want []string, v *string, me string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		switch {
		case w == extrahop.FilterNone && v == nil:
			return true
		case w == ".me" && me != "" && v != nil && *v == me:
			return true
		case v != nil && *v == w:
			return true
		}
	}
	return false
}

// sortDetections orders list by the sort keys, then by id ascending.
func sortDetections(list []*extrahop.Detection, keys []extrahop.Sort) {
	slices.SortStableFunc(list, func(a, b *extrahop.Detection) int {
		for _, k := range keys {
			c := compareField(a, b, k.Field)
			if k.Direction == "desc" {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

func compareField(a, b *extrahop.Detection, field string) int {
	switch field {
	case "id":
		return cmp.Compare(a.ID, b.ID)
	case "mod_time":
		return cmp.Compare(a.ModTime.Millis(), b.ModTime.Millis())
	case "start_time":
		return cmp.Compare(a.StartTime.Millis(), b.StartTime.Millis())
	case "end_time":
		return cmp.Compare(a.EndTime.Millis(), b.EndTime.Millis())
	case "update_time":
		return cmp.Compare(a.UpdateTime.Millis(), b.UpdateTime.Millis())
	case "create_time":
		return cmp.Compare(a.CreateTime.Millis(), b.CreateTime.Millis())
	case "risk_score":
		return cmp.Compare(riskOf(a), riskOf(b))
	case "status":
		return cmp.Compare(a.StatusValue(), b.StatusValue())
	case "type":
		return cmp.Compare(a.Type, b.Type)
	}
	return 0
}

func riskOf(d *extrahop.Detection) int {
	if d.RiskScore == nil {
		return -1
	}
	return *d.RiskScore
}

// ticketFields is the body of both PATCH operations. Raw messages tell an
// absent key from null.
type ticketFields struct {
	TicketID     json.RawMessage `json:"ticket_id"`
	Status       json.RawMessage `json:"status"`
	Assignee     json.RawMessage `json:"assignee"`
	Resolution   json.RawMessage `json:"resolution"`
	Participants json.RawMessage `json:"participants"`
}

// optString decodes a present key: (nil, true) for null, (&s, true) for a
// string; ok is false when the value is neither.
func optString(raw json.RawMessage) (v *string, ok bool) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, false
	}
	return &s, true
}

// change is a validated ticket update.
type change struct {
	set                                    map[string]bool
	ticketID, status, assignee, resolution *string
	participants                           []extrahop.Participant
}

func parseChange(f *ticketFields) (*change, error) {
	c := &change{set: map[string]bool{}}
	if f.TicketID == nil {
		return nil, errors.New("ticket_id is required")
	}
	for name, p := range map[string]struct {
		raw json.RawMessage
		dst **string
	}{
		"ticket_id":  {f.TicketID, &c.ticketID},
		"status":     {f.Status, &c.status},
		"assignee":   {f.Assignee, &c.assignee},
		"resolution": {f.Resolution, &c.resolution},
	} {
		if p.raw == nil {
			continue
		}
		v, ok := optString(p.raw)
		if !ok {
			return nil, fmt.Errorf("%s must be a string or null", name)
		}
		*p.dst = v
		c.set[name] = true
	}
	if c.status != nil {
		switch *c.status {
		case extrahop.StatusNew, extrahop.StatusInProgress, extrahop.StatusClosed, extrahop.StatusAcknowledged:
		default:
			return nil, fmt.Errorf("invalid status %q", *c.status)
		}
	}
	if c.resolution != nil {
		switch *c.resolution {
		case extrahop.ResolutionActionTaken, extrahop.ResolutionNoActionTaken:
		default:
			return nil, fmt.Errorf("invalid resolution %q", *c.resolution)
		}
	}
	if f.Participants != nil {
		if err := json.Unmarshal(f.Participants, &c.participants); err != nil {
			return nil, fmt.Errorf("participants: %v", err)
		}
	}
	return c, nil
}

// apply writes the change into d.
func (c *change) apply(d *extrahop.Detection) {
	if c.set["ticket_id"] {
		d.TicketID = c.ticketID
	}
	if c.set["status"] {
		d.Status = c.status
	}
	if c.set["assignee"] {
		d.Assignee = c.assignee
	}
	if c.set["resolution"] {
		d.Resolution = c.resolution
	}
	for _, p := range c.participants {
		for i := range d.Participants {
			if d.Participants[i].ID == p.ID {
				if p.Role != "" {
					d.Participants[i].Role = p.Role
				}
				if p.Hostname != "" {
					d.Participants[i].Hostname = p.Hostname
				}
			}
		}
	}
}

func (s *Server) patchDetection(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	var f ticketFields
	if !decodeBody(w, r, &f) {
		return
	}
	c, err := parseChange(&f)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	d, ok := s.detections[id]
	if ok {
		c.apply(d)
		d.ModTime = s.bumpLocked()
		s.triggerLocked(d)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) patchTickets(w http.ResponseWriter, r *http.Request) {
	var f ticketFields
	if !decodeBody(w, r, &f) {
		return
	}
	if f.Participants != nil {
		writeError(w, http.StatusBadRequest, "participants cannot be updated by ticket")
		return
	}
	c, err := parseChange(&f)
	if err == nil && c.ticketID == nil {
		err = errors.New("ticket_id must not be null")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	for _, d := range s.detections {
		if d.TicketID != nil && *d.TicketID == *c.ticketID {
			c.apply(d)
			d.ModTime = s.bumpLocked()
			s.triggerLocked(d)
		}
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// noteBody is what PUT /detections/{id}/notes accepts.
type noteBody struct {
	Note *string `json:"note"`
}

func (s *Server) getNote(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "a")
	if !ok {
		return
	}
	s.mu.Lock()
	_, exists := s.detections[id]
	n := s.notes[id]
	s.mu.Unlock()
	if !exists {
		notFound(w, id)
		return
	}
	if n == nil {
		n = &extrahop.Note{}
	}
	writeJSON(w, http.StatusOK, n)
}

func (s *Server) putNote(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	var b noteBody
	if !decodeBody(w, r, &b) {
		return
	}
	if b.Note == nil {
		writeError(w, http.StatusBadRequest, "note is required")
		return
	}
	s.mu.Lock()
	_, exists := s.detections[id]
	if exists {
		s.notes[id] = &extrahop.Note{Note: *b.Note, Author: Me, UpdateTime: extrahop.TimeOf(s.now())}
	}
	s.mu.Unlock()
	if !exists {
		notFound(w, id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteNote(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	s.mu.Lock()
	_, exists := s.detections[id]
	delete(s.notes, id)
	s.mu.Unlock()
	if !exists {
		notFound(w, id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listFormats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.formats)
}

func (s *Server) getFormat(w http.ResponseWriter, r *http.Request) {
	typ := r.PathValue("b")
	for _, f := range s.formats {
		if f.Type == typ {
			writeJSON(w, http.StatusOK, f)
			return
		}
	}
	writeError(w, http.StatusNotFound, fmt.Sprintf("Detection format %q not found", typ))
}

// cloneDetection returns a deep copy of d's slices, maps and pointers, so
// callers never share state with the server.
func cloneDetection(d *extrahop.Detection) *extrahop.Detection {
	data, err := json.Marshal(d)
	if err != nil {
		c := *d
		return &c
	}
	var c extrahop.Detection
	if err := json.Unmarshal(data, &c); err != nil {
		c = *d
	}
	return &c
}
