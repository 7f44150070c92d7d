package extrahop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/internal/lenient"
	"github.com/trackbridge/trackbridge/internal/rest"
)

// Search limits.
const (
	// DefaultSearchLimit is the server's page size when a search sets none.
	DefaultSearchLimit = 1000
	// MaxSearchLimit is the largest limit the server accepts.
	MaxSearchLimit = 20000
)

// DetectionsService reads detections and writes their ticket-tracking
// fields and notes.
type DetectionsService struct {
	c *Client
}

// GetOptions are the query parameters of [DetectionsService.Get].
type GetOptions struct {
	// IncludeActivityLog adds an activity_log to the detection (kept in
	// Detection.Extra).
	IncludeActivityLog bool `url:"include_activity_log,omitempty"`
}

// Get returns one detection (GET /api/v1/detections/{id}). A missing
// detection is an error matching tracker.ErrNotFound.
func (s *DetectionsService) Get(ctx context.Context, id int64, opts *GetOptions) (*Detection, *Response, error) {
	req := &rest.Request{Method: http.MethodGet, Path: rest.Pathf("detections/%d", id)}
	if opts != nil {
		req.Query = opts
	}
	var d Detection
	resp, err := s.c.do(ctx, req, &d)
	if err != nil {
		return nil, resp, err
	}
	return &d, resp, nil
}

// DetectionFilter narrows a search; every field is optional and the
// fields combine by AND. In the string lists, [FilterNone] matches a null
// value, and for Assignee ".me" matches the caller.
type DetectionFilter struct {
	Status     []string `json:"status,omitempty"`
	Resolution []string `json:"resolution,omitempty"`
	Assignee   []string `json:"assignee,omitempty"`
	TicketID   []string `json:"ticket_id,omitempty"`
	// Categories ("sec.attack") and Types ("rdp_brute_force") match any of
	// the listed values.
	Categories []string `json:"categories,omitempty"`
	Types      []string `json:"types,omitempty"`
	// RiskScoreMin matches detections whose risk score is at least this.
	RiskScoreMin *int `json:"risk_score_min,omitempty"`
	// Recommended matches detections recommended for triage (consoles only).
	Recommended *bool `json:"recommended,omitempty"`
}

// Sort orders search results by one field.
type Sort struct {
	// Field is "mod_time", "start_time", "risk_score", "id" and so on.
	Field string `json:"field"`
	// Direction is "asc" or "desc".
	Direction string `json:"direction"`
}

// DetectionSearch is the body of POST /api/v1/detections/search. Times are
// epoch milliseconds on the wire; nil fields are not sent. Without Sort the
// server orders by most recent update time, then id ascending.
type DetectionSearch struct {
	// From and Until bound when detections happened. A negative From is
	// relative to now; Until 0 means now. They are raw epoch milliseconds
	// so those forms can be expressed.
	From  *int64 `json:"from,omitempty"`
	Until *int64 `json:"until,omitempty"`
	// ModTime returns detections modified after this instant.
	ModTime *Time `json:"mod_time,omitempty"`
	// CreateTime returns detections created after this instant.
	CreateTime *Time `json:"create_time,omitempty"`
	// UpdateTime returns detections with related events after this instant.
	UpdateTime *Time `json:"update_time,omitempty"`

	Filter *DetectionFilter `json:"filter,omitempty"`
	Sort   []Sort           `json:"sort,omitempty"`

	// Limit is the page size (server default 1000, at most 20000); Offset
	// skips that many results.
	Limit  int `json:"limit,omitempty"`
	Offset int `json:"offset,omitempty"`

	// IncludeActivityLog adds an activity_log to every detection (kept in
	// Detection.Extra).
	IncludeActivityLog bool `json:"include_activity_log,omitempty"`
}

// ModifiedSince returns the search a sync loop runs: detections modified
// after since (all of them when since is zero), oldest modification first,
// limit per page.
func ModifiedSince(since time.Time, limit int) *DetectionSearch {
	s := &DetectionSearch{
		Sort:  []Sort{{Field: "mod_time", Direction: "asc"}, {Field: "id", Direction: "asc"}},
		Limit: limit,
	}
	if !since.IsZero() {
		t := TimeOf(since)
		s.ModTime = &t
	}
	return s
}

func (q *DetectionSearch) validate() error {
	if q.Limit < 0 || q.Limit > MaxSearchLimit {
		return fmt.Errorf("extrahop: search limit %d: want 0 (server default) to %d", q.Limit, MaxSearchLimit)
	}
	if q.Offset < 0 {
		return fmt.Errorf("extrahop: search offset %d is negative", q.Offset)
	}
	for i, s := range q.Sort {
		if s.Field == "" {
			return fmt.Errorf("extrahop: search sort[%d] has no field", i)
		}
		if s.Direction != "asc" && s.Direction != "desc" {
			return fmt.Errorf("extrahop: search sort[%d] direction %q: want asc or desc", i, s.Direction)
		}
	}
	return nil
}

// Search returns one page of detections matching q (POST
// /api/v1/detections/search). The server answers with a bare list and no
// total; a page shorter than the limit is the last one.
func (s *DetectionsService) Search(ctx context.Context, q *DetectionSearch) ([]*Detection, *Response, error) {
	if q == nil {
		q = &DetectionSearch{}
	}
	if err := q.validate(); err != nil {
		return nil, nil, err
	}
	var out []*Detection
	// A search changes nothing, so repeating it after a 5xx is safe.
	resp, err := s.c.do(ctx, &rest.Request{Method: http.MethodPost, Path: "detections/search", Body: q, Idempotent: true}, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// SearchAll ranges over every detection matching q (q.Limit per request,
// the server's 1000 when 0) until a page comes back short. q is copied.
// An error is yielded once, as (nil, err), and ends the sequence.
//
// A search sorted by mod_time then id, both ascending (as [ModifiedSince]
// builds it), pages by modification time: each request asks for
// detections modified after the previous page's newest mod_time less a
// millisecond, and drops the ones of that millisecond it has already
// yielded. Writing to detections while ranging (the ticket write-back of
// a sync loop moves each written one to the end) therefore never makes a
// page skip a detection; a detection changed during the iteration comes
// again at the end, with its new mod_time. Only when a whole page shares
// one millisecond does it move on by offset within it. Any other search
// pages by offset alone, starting at q.Offset.
func (s *DetectionsService) SearchAll(ctx context.Context, q *DetectionSearch) iter.Seq2[*Detection, error] {
	var base DetectionSearch
	if q != nil {
		base = *q
		base.Sort = slices.Clone(q.Sort)
	}
	limit := base.Limit
	if limit == 0 {
		limit = DefaultSearchLimit
	}
	keyset := len(base.Sort) >= 2 && base.Sort[0] == (Sort{Field: "mod_time", Direction: "asc"}) &&
		base.Sort[1] == (Sort{Field: "id", Direction: "asc"})
	first := pageCursor{mod: base.ModTime, offset: base.Offset}
	return rest.Paginate(ctx, first, func(ctx context.Context, cur pageCursor) ([]*Detection, pageCursor, bool, error) {
		for {
			page := base
			page.ModTime, page.Offset = cur.mod, cur.offset
			raw, _, err := s.Search(ctx, &page)
			if err != nil {
				return nil, cur, false, err
			}
			more := len(raw) >= limit
			if !keyset {
				return raw, pageCursor{mod: cur.mod, offset: cur.offset + len(raw)}, more, nil
			}
			fresh := raw[:0:0]
			for _, d := range raw {
				if !(cur.seen[d.ID] && d.ModTime.Millis() == cur.boundary) {
					fresh = append(fresh, d)
				}
			}
			next := cur
			if len(raw) > 0 {
				next = cur.next(raw)
			}
			if len(fresh) > 0 || !more {
				return fresh, next, more, nil
			}
			cur = next // a full page of repeats: ask for the next one
		}
	})
}

// pageCursor is where the next page of a mod_time search starts:
// detections modified after mod (all when nil), skipping offset of them
// and dropping the ids in seen whose mod_time is the boundary millisecond.
type pageCursor struct {
	mod      *Time
	offset   int
	boundary int64
	seen     map[int64]bool
}

// next returns the cursor after page, a non-empty page sorted by mod_time
// then id ascending.
func (c pageCursor) next(page []*Detection) pageCursor {
	newest := page[len(page)-1].ModTime.Millis()
	if page[0].ModTime.Millis() == newest {
		// The whole page is one millisecond: no later mod_time to move to,
		// so skip by offset within it.
		seen := make(map[int64]bool, len(page)+len(c.seen))
		if c.mod != nil && newest-1 <= c.mod.Millis() {
			for id := range c.seen {
				seen[id] = true
			}
			for _, d := range page {
				seen[d.ID] = true
			}
			return pageCursor{mod: c.mod, offset: c.offset + len(page), boundary: newest, seen: seen}
		}
		for _, d := range page {
			seen[d.ID] = true
		}
		from := Time{time.UnixMilli(newest - 1).UTC()}
		return pageCursor{mod: &from, offset: len(page), boundary: newest, seen: seen}
	}
	seen := map[int64]bool{}
	for i := len(page) - 1; i >= 0 && page[i].ModTime.Millis() == newest; i-- {
		seen[page[i].ID] = true
	}
	from := Time{time.UnixMilli(newest - 1).UTC()}
	return pageCursor{mod: &from, boundary: newest, seen: seen}
}

// DetectionUpdate is the body of a ticket-tracking update (PATCH
// /api/v1/detections/{id}). A nil field is not sent and stays as it is; a
// pointer to "" sends null, which clears the field (a null status shows as
// "Open").
//
// ExtraHop requires ticket_id in every update, so TicketID must be set:
// pass the detection's current ticket id to change only the other fields,
// or "" when it has none. Ticket fields can be written only once ticket
// tracking is enabled on the appliance.
type DetectionUpdate struct {
	TicketID *string
	// Status is one of the Status constants.
	Status *string
	// Assignee is any string; it need not be an ExtraHop account.
	Assignee *string
	// Resolution is one of the Resolution constants and requires Status
	// closed in the same update.
	Resolution *string
	// Participants, when non-nil, updates fields of existing participants
	// (ExtraHop cannot add participants this way).
	Participants []Participant
}

// TicketUpdate is the body of PATCH /api/v1/detections/tickets, which
// updates every detection linked to TicketID. Nil fields are not sent; a
// pointer to "" sends null.
type TicketUpdate struct {
	// TicketID is required and names the ticket.
	TicketID   string
	Status     *string
	Assignee   *string
	Resolution *string
}

// validStatus reports whether s is a status an update may set ("" = null).
func validStatus(s string) bool {
	switch s {
	case "", StatusNew, StatusInProgress, StatusClosed, StatusAcknowledged:
		return true
	}
	return false
}

func validResolution(s string) bool {
	switch s {
	case "", ResolutionActionTaken, ResolutionNoActionTaken:
		return true
	}
	return false
}

// ErrResolutionNeedsClosed is returned, before anything is sent, for an
// update that sets a resolution without setting status closed with it.
var ErrResolutionNeedsClosed = errors.New("extrahop: a resolution can be set only together with status closed")

// ticketBody checks the ticket fields and builds the JSON body.
func ticketBody(body map[string]any, status, assignee, resolution *string) error {
	if status != nil {
		if !validStatus(*status) {
			return fmt.Errorf("extrahop: status %q: want new, in_progress, closed, acknowledged or \"\" (null)", *status)
		}
		body["status"] = nullable(*status)
	}
	if resolution != nil {
		if !validResolution(*resolution) {
			return fmt.Errorf("extrahop: resolution %q: want action_taken, no_action_taken or \"\" (null)", *resolution)
		}
		if *resolution != "" && (status == nil || *status != StatusClosed) {
			return fmt.Errorf("%w (resolution %q, status %s)", ErrResolutionNeedsClosed, *resolution, describe(status))
		}
		body["resolution"] = nullable(*resolution)
	}
	if assignee != nil {
		body["assignee"] = nullable(*assignee)
	}
	return nil
}

func describe(p *string) string {
	switch {
	case p == nil:
		return "not set"
	case *p == "":
		return "null"
	}
	return fmt.Sprintf("%q", *p)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Update writes ticket-tracking fields of one detection (PATCH
// /api/v1/detections/{id}, answered 204). It refuses, before sending, an
// update without TicketID, an unknown status or resolution, and a
// resolution without status closed ([ErrResolutionNeedsClosed]).
func (s *DetectionsService) Update(ctx context.Context, id int64, u *DetectionUpdate) (*Response, error) {
	if u == nil {
		return nil, errors.New("extrahop: update detection: nil update")
	}
	if u.TicketID == nil {
		return nil, fmt.Errorf("extrahop: update detection %d: ExtraHop requires ticket_id in every update; pass the current ticket id, or \"\" for none", id)
	}
	body := map[string]any{"ticket_id": nullable(*u.TicketID)}
	if err := ticketBody(body, u.Status, u.Assignee, u.Resolution); err != nil {
		return nil, fmt.Errorf("extrahop: update detection %d: %w", id, err)
	}
	if u.Participants != nil {
		body["participants"] = u.Participants
	}
	return s.c.do(ctx, &rest.Request{Method: http.MethodPatch, Path: rest.Pathf("detections/%d", id), Body: body, Idempotent: true}, nil)
}

// UpdateByTicket writes ticket fields of every detection linked to
// u.TicketID (PATCH /api/v1/detections/tickets, answered 204), with the
// same checks as [DetectionsService.Update].
func (s *DetectionsService) UpdateByTicket(ctx context.Context, u *TicketUpdate) (*Response, error) {
	if u == nil || strings.TrimSpace(u.TicketID) == "" {
		return nil, errors.New("extrahop: update by ticket: a ticket id is required")
	}
	body := map[string]any{"ticket_id": u.TicketID}
	if err := ticketBody(body, u.Status, u.Assignee, u.Resolution); err != nil {
		return nil, fmt.Errorf("extrahop: update by ticket %q: %w", u.TicketID, err)
	}
	return s.c.do(ctx, &rest.Request{Method: http.MethodPatch, Path: "detections/tickets", Body: body, Idempotent: true}, nil)
}

// Note is the note of a detection tracked from an external ticketing
// system.
type Note struct {
	Note string `json:"note"`
	// Author and UpdateTime are filled where the server reports them.
	Author     string `json:"author,omitempty"`
	UpdateTime Time   `json:"update_time,omitzero"`
	// Extra keeps the keys this package does not know.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type.
	Problems []FieldError `json:"-"`
}

// UnmarshalJSON decodes leniently: unknown keys go to Extra, a mistyped
// field to Problems.
func (n *Note) UnmarshalJSON(data []byte) error {
	type plain Note
	*n = Note{}
	var err error
	n.Extra, n.Problems, err = lenient.Decode(data, (*plain)(n))
	return err
}

// MarshalJSON encodes the note with its Extra keys.
func (n Note) MarshalJSON() ([]byte, error) {
	type plain Note
	return lenient.Encode(plain(n), n.Extra, n.Problems)
}

// GetNote returns the note of a detection (GET
// /api/v1/detections/{id}/notes).
func (s *DetectionsService) GetNote(ctx context.Context, id int64) (*Note, *Response, error) {
	var n Note
	resp, err := s.c.do(ctx, &rest.Request{Method: http.MethodGet, Path: rest.Pathf("detections/%d/notes", id)}, &n)
	if err != nil {
		return nil, resp, err
	}
	return &n, resp, nil
}

// PutNote creates or replaces the note of a detection (PUT
// /api/v1/detections/{id}/notes, answered 204).
func (s *DetectionsService) PutNote(ctx context.Context, id int64, note string) (*Response, error) {
	return s.c.do(ctx, &rest.Request{Method: http.MethodPut, Path: rest.Pathf("detections/%d/notes", id), Body: map[string]string{"note": note}}, nil)
}

// DeleteNote deletes the note of a detection (DELETE
// /api/v1/detections/{id}/notes, answered 204).
func (s *DetectionsService) DeleteNote(ctx context.Context, id int64) (*Response, error) {
	return s.c.do(ctx, &rest.Request{Method: http.MethodDelete, Path: rest.Pathf("detections/%d/notes", id)}, nil)
}

// Format describes a detection type: its display name, categories and
// MITRE technique ids.
type Format struct {
	Type            string   `json:"type"`
	DisplayName     string   `json:"display_name"`
	Author          string   `json:"author,omitempty"`
	Categories      []string `json:"categories,omitempty"`
	MitreCategories []string `json:"mitre_categories,omitempty"`
	IsUserCreated   bool     `json:"is_user_created"`
	// Extra keeps the keys this package does not know.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type.
	Problems []FieldError `json:"-"`
}

// UnmarshalJSON decodes leniently: unknown keys go to Extra, a mistyped
// field to Problems.
func (f *Format) UnmarshalJSON(data []byte) error {
	type plain Format
	*f = Format{}
	var err error
	f.Extra, f.Problems, err = lenient.Decode(data, (*plain)(f))
	return err
}

// MarshalJSON encodes the format with its Extra keys.
func (f Format) MarshalJSON() ([]byte, error) {
	type plain Format
	return lenient.Encode(plain(f), f.Extra, f.Problems)
}

// Formats lists the detection formats, the catalogue of detection types
// (GET /api/v1/detections/formats).
func (s *DetectionsService) Formats(ctx context.Context) ([]*Format, *Response, error) {
	var out []*Format
	resp, err := s.c.do(ctx, &rest.Request{Method: http.MethodGet, Path: "detections/formats"}, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Format returns one detection format by its type (GET
// /api/v1/detections/formats/{type}).
func (s *DetectionsService) Format(ctx context.Context, detectionType string) (*Format, *Response, error) {
	if detectionType == "" {
		return nil, nil, errors.New("extrahop: format: empty detection type")
	}
	var f Format
	resp, err := s.c.do(ctx, &rest.Request{Method: http.MethodGet, Path: rest.Pathf("detections/formats/%s", detectionType)}, &f)
	if err != nil {
		return nil, resp, err
	}
	return &f, resp, nil
}
