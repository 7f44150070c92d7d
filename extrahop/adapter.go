package extrahop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// The tracker capabilities the adapter offers. It is not a Creator:
// ExtraHop creates detections itself.
var (
	_ tracker.Tracker      = (*Adapter)(nil)
	_ tracker.Searcher     = (*Adapter)(nil)
	_ tracker.Updater      = (*Adapter)(nil)
	_ tracker.Transitioner = (*Adapter)(nil)
	_ tracker.Describer    = (*Adapter)(nil)
)

// Field names the adapter fills in tracker.Issue.Fields, and the ones
// UpdateIssue accepts (FieldTicketID and FieldStatus).
const (
	FieldRiskScore       = "risk_score"
	FieldType            = "type"
	FieldCategories      = "categories"
	FieldMitreTactics    = "mitre_tactics"
	FieldMitreTechniques = "mitre_techniques"
	FieldParticipants    = "participants"
	FieldTicketID        = "ticket_id"
	FieldTicketURL       = "ticket_url"
	FieldURL             = "url"
	FieldStatus          = "status"
	FieldStartTime       = "start_time"
	FieldEndTime         = "end_time"
	FieldCreateTime      = "create_time"
	FieldModTime         = "mod_time"
)

// AdapterConfig configures an [Adapter]. The zero value is ready to use.
type AdapterConfig struct {
	// Filter narrows every search, for example to security categories or
	// a minimum risk score. Query.Statuses and Query.Raw narrow further.
	Filter *DetectionFilter
	// PageSize is the search limit when a Query sets none (default 1000).
	PageSize int
	// TicketURLTemplate is ExtraHop's ticket URL template
	// ("https://jira.example.com/browse/$ticket_id"); when set, it fills
	// the ticket_url field of detections whose server record has none.
	TicketURLTemplate string
	// Usernames maps the people other trackers name (an email, a login,
	// a display name; matched case-insensitively) to the ExtraHop
	// username an assignee is written as ("secops@example.com" →
	// "secops"). See [Adapter.ResolveUser].
	Usernames map[string]string
	// StrictUsernames refuses assignees that Usernames neither maps nor
	// names as a username, with an error matching tracker.ErrUnknownUser;
	// otherwise they are written as they are.
	StrictUsernames bool
}

// Adapter presents ExtraHop detections as tracker issues: Tracker (get),
// Searcher (incremental by mod_time, ascending), Updater (ticket id,
// status, assignee, resolution), Transitioner (status) and Describer. It
// is not a Creator: ExtraHop creates detections itself.
//
// The mapping: ID = Key = the detection id in decimal; Summary = title;
// Description, its console links made absolute ([Client.ConsoleURL]); URL; Status = status ("" when null, shown as Open in
// ExtraHop) with category ToDo for ""/new, InProgress for
// in_progress/acknowledged and Done for closed; Resolution; Assignee;
// Labels = categories; Created = create_time (or start_time); Updated =
// mod_time. Fields: risk_score (int64, nil when absent), type, categories
// ([]string), mitre_tactics and mitre_techniques ([]string of "ID Name"),
// participants ([]map[string]any), ticket_id and ticket_url (string, nil
// when null), url, and start_time, end_time, create_time, mod_time
// (time.Time, nil when null).
type Adapter struct {
	c   *Client
	cfg AdapterConfig
	// usernames maps lower-cased names to usernames; people lower-cased
	// usernames to an email naming them ("" when none does).
	usernames map[string]string
	people    map[string]string
}

// NewAdapter returns an adapter over c. It does no I/O.
func NewAdapter(c *Client, cfg AdapterConfig) (*Adapter, error) {
	if c == nil {
		return nil, errors.New("extrahop: NewAdapter: nil client")
	}
	if cfg.PageSize < 0 || cfg.PageSize > MaxSearchLimit {
		return nil, fmt.Errorf("extrahop: NewAdapter: page size %d: want 0 (default) to %d", cfg.PageSize, MaxSearchLimit)
	}
	if cfg.TicketURLTemplate != "" {
		if _, err := TicketURL(cfg.TicketURLTemplate, "1"); err != nil {
			return nil, fmt.Errorf("extrahop: NewAdapter: %w", err)
		}
	}
	if cfg.Filter != nil {
		f := cloneFilter(cfg.Filter)
		cfg.Filter = &f
	}
	a := &Adapter{c: c, cfg: cfg}
	a.indexUsernames()
	return a, nil
}

// Kind returns "extrahop".
func (a *Adapter) Kind() string { return Vendor }

// parseID reads a detection id; an id that is not one cannot name a
// detection, so it is reported as not found.
func parseID(id string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("extrahop: detection %q: not a detection id: %w", id, tracker.ErrNotFound)
	}
	return n, nil
}

// GetIssue returns the detection with the given id as an issue.
func (a *Adapter) GetIssue(ctx context.Context, id string) (*tracker.Issue, error) {
	n, err := parseID(id)
	if err != nil {
		return nil, err
	}
	d, _, err := a.c.Detections.Get(ctx, n, nil)
	if err != nil {
		return nil, err
	}
	return a.Issue(d), nil
}

// MaxPageSize returns MaxSearchLimit, the largest limit one detection
// search accepts (tracker.PageLimiter).
func (a *Adapter) MaxPageSize() int { return MaxSearchLimit }

// SearchIssues ranges over detections modified at or after
// q.UpdatedSince, oldest modification first (see
// [DetectionsService.SearchAll] for how it pages). Statuses
// are ExtraHop statuses ("" or "open" for a null status). Raw, when set,
// is a JSON [DetectionFilter] ({"risk_score_min":70,"categories":
// ["sec.attack"]}) combined by AND with the adapter's Filter and Statuses.
// ExtraHop has no projects: a Query with a Project is refused.
func (a *Adapter) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return func(yield func(*tracker.Issue, error) bool) {
		s, post, err := a.searchFor(q)
		if err != nil {
			yield(nil, err)
			return
		}
		if s == nil {
			return // the filters exclude every detection
		}
		for d, err := range a.c.Detections.SearchAll(ctx, s) {
			if err != nil {
				yield(nil, err)
				return
			}
			if post != nil && !post(d) {
				continue
			}
			if !yield(a.Issue(d), nil) {
				return
			}
		}
	}
}

// searchFor builds the search for q, and a filter the results must also
// pass where the server cannot AND two conditions; a nil search means
// nothing can match.
func (a *Adapter) searchFor(q tracker.Query) (*DetectionSearch, func(*Detection) bool, error) {
	if q.Project != "" {
		return nil, nil, fmt.Errorf("extrahop: search: ExtraHop has no projects (Query.Project %q); leave it empty: %w", q.Project, tracker.ErrInvalid)
	}
	limit := q.PageSize
	if limit <= 0 {
		limit = a.cfg.PageSize
	}
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)
	since := q.UpdatedSince
	if !since.IsZero() {
		// The server returns detections modified strictly after mod_time;
		// one millisecond earlier makes UpdatedSince inclusive.
		since = since.Truncate(time.Millisecond).Add(-time.Millisecond)
	}
	s := ModifiedSince(since, limit)
	var f DetectionFilter
	if a.cfg.Filter != nil {
		f = cloneFilter(a.cfg.Filter)
	}
	var post func(*Detection) bool
	if raw := strings.TrimSpace(q.Raw); raw != "" {
		var rf DetectionFilter
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rf); err != nil {
			return nil, nil, fmt.Errorf("extrahop: search: Query.Raw must be a JSON detection filter: %v: %w", err, tracker.ErrInvalid)
		}
		if len(f.Categories) > 0 && len(rf.Categories) > 0 {
			// A detection has several categories: both lists must match
			// one of them, which one server filter cannot say.
			cats := rf.Categories
			post = func(d *Detection) bool {
				return slices.ContainsFunc(cats, func(c string) bool { return slices.Contains(d.Categories, c) })
			}
			rf.Categories = nil
		}
		var ok bool
		if f, ok = andFilters(f, rf); !ok {
			return nil, nil, nil
		}
	}
	if len(q.Statuses) > 0 {
		st := make([]string, 0, len(q.Statuses))
		for _, name := range q.Statuses {
			v, ok := statusName(name)
			if !ok {
				return nil, nil, fmt.Errorf("extrahop: search: unknown status %q (want new, in_progress, acknowledged, closed or open): %w", name, tracker.ErrInvalid)
			}
			if v == "" {
				v = FilterNone
			}
			st = append(st, v)
		}
		var ok bool
		if f, ok = andFilters(f, DetectionFilter{Status: st}); !ok {
			return nil, nil, nil
		}
	}
	if !filterEmpty(f) {
		s.Filter = &f
	}
	return s, post, nil
}

// statusName normalises a status name: "In Progress" → in_progress, and
// "open" or "" → "" (null). ok is false for names ExtraHop does not have.
func statusName(s string) (string, bool) {
	v := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_")
	switch v {
	case "", "open", FilterNone:
		return "", true
	case StatusNew, StatusInProgress, StatusClosed, StatusAcknowledged:
		return v, true
	}
	return "", false
}

// UpdateIssue writes ticket-tracking fields with one PATCH:
// Change.Assignee ("" clears), Change.Resolution (action_taken or
// no_action_taken, "" clears), Fields["ticket_id"] (a string; nil clears)
// and Fields["status"] (an ExtraHop status; "" or nil sets null, shown as
// Open). Anything else (summary, description, priority, labels, other
// fields) is refused with an error matching tracker.ErrUnsupported, since
// ExtraHop owns those. ExtraHop requires ticket_id in every update, so
// when the change does not set it, the detection's current ticket id is
// read first and sent back. A resolution needs status closed: set in the
// same change, or already the detection's status; a status other than
// closed without a resolution clears the resolution.
func (a *Adapter) UpdateIssue(ctx context.Context, id string, ch *tracker.Change) error {
	n, err := parseID(id)
	if err != nil {
		return err
	}
	if ch.IsEmpty() {
		return nil
	}
	if err := checkChange(id, ch); err != nil {
		return err
	}
	u := &DetectionUpdate{Assignee: ch.Assignee, Resolution: ch.Resolution}
	if ch.Assignee != nil && *ch.Assignee != "" {
		who, err := a.ResolveUser(ctx, *ch.Assignee)
		if err != nil {
			return fmt.Errorf("extrahop: detection %s: assignee: %w", id, err)
		}
		u.Assignee = &who.Login
	}
	if v, ok := ch.Fields[FieldTicketID]; ok {
		tid, err := ticketIDValue(v)
		if err != nil {
			return fmt.Errorf("extrahop: detection %s: %w", id, err)
		}
		u.TicketID = &tid
	}
	if v, ok := ch.Fields[FieldStatus]; ok {
		st, err := statusValue(v)
		if err != nil {
			return fmt.Errorf("extrahop: detection %s: %w", id, err)
		}
		u.Status = &st
		if st != StatusClosed && u.Resolution == nil {
			// A resolution belongs to a closed detection: leaving closed
			// clears it, as Transition does, so a reopened detection does
			// not show "Closed with Action Taken" leftovers.
			u.Resolution = tracker.Ptr("")
		}
	}
	needsResolutionStatus := u.Resolution != nil && *u.Resolution != "" && u.Status == nil
	if u.TicketID == nil || needsResolutionStatus {
		d, _, err := a.c.Detections.Get(ctx, n, nil)
		if err != nil {
			return err
		}
		if u.TicketID == nil {
			u.TicketID = tracker.Ptr(d.TicketIDValue())
		}
		if needsResolutionStatus {
			if d.StatusValue() != StatusClosed {
				return fmt.Errorf("extrahop: detection %s is %s: %w; set Fields[%q] = %q in the same change",
					id, describe(d.Status), ErrResolutionNeedsClosed, FieldStatus, StatusClosed)
			}
			u.Status = tracker.Ptr(StatusClosed)
		}
	}
	_, err = a.c.Detections.Update(ctx, n, u)
	return err
}

// checkChange refuses what ExtraHop cannot store.
func checkChange(id string, ch *tracker.Change) error {
	var bad []string
	if ch.Summary != nil {
		bad = append(bad, "Summary")
	}
	if ch.Description != nil {
		bad = append(bad, "Description")
	}
	if ch.Priority != nil {
		bad = append(bad, "Priority")
	}
	if ch.Labels != nil || len(ch.AddLabels) > 0 || len(ch.RemoveLabels) > 0 {
		bad = append(bad, "Labels")
	}
	for k := range ch.Fields {
		if k != FieldTicketID && k != FieldStatus {
			bad = append(bad, fmt.Sprintf("Fields[%q]", k))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	return fmt.Errorf("extrahop: detection %s: cannot set %s: ExtraHop detections take only Assignee, Resolution, Fields[%q] and Fields[%q]: %w",
		id, strings.Join(bad, ", "), FieldTicketID, FieldStatus, tracker.ErrUnsupported)
}

func ticketIDValue(v any) (string, error) {
	switch t := v.(type) {
	case nil:
		return "", nil
	case string:
		return t, nil
	case int:
		return strconv.Itoa(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case fmt.Stringer:
		return t.String(), nil
	}
	return "", fmt.Errorf("field %q is a %T; want a string", FieldTicketID, v)
}

func statusValue(v any) (string, error) {
	s, ok := v.(string)
	if v != nil && !ok {
		return "", fmt.Errorf("field %q is a %T; want a status name", FieldStatus, v)
	}
	st, ok := statusName(s)
	if !ok {
		return "", fmt.Errorf("field %q = %q: want new, in_progress, acknowledged, closed or open: %w", FieldStatus, s, tracker.ErrInvalid)
	}
	return st, nil
}

// Transition sets the detection's status: a status name as it is (new,
// in_progress, acknowledged, closed, or open for null; "In Progress" is
// read as in_progress), or for a category Done → closed, InProgress →
// in_progress, ToDo → new. ExtraHop has no workflow, so every status is
// one step away; an unknown name is an error matching
// tracker.ErrNoTransition. A detection already there (for a category: in
// any of its statuses) is left alone. to.Resolution is written with
// status closed and refused otherwise; leaving closed clears the
// resolution. to.Comment is ignored: detections have no comments.
func (a *Adapter) Transition(ctx context.Context, id string, to tracker.TransitionTarget) error {
	n, err := parseID(id)
	if err != nil {
		return err
	}
	var target string
	if to.Status != "" {
		st, ok := statusName(to.Status)
		if !ok {
			return fmt.Errorf("extrahop: detection %s: no status %q (want new, in_progress, acknowledged, closed or open): %w", id, to.Status, tracker.ErrNoTransition)
		}
		target = st
	} else {
		switch to.Category {
		case tracker.CategoryDone:
			target = StatusClosed
		case tracker.CategoryInProgress:
			target = StatusInProgress
		case tracker.CategoryToDo:
			target = StatusNew
		default:
			return fmt.Errorf("extrahop: detection %s: transition to %s: %w", id, to, tracker.ErrNoTransition)
		}
	}
	if to.Resolution != "" {
		if target != StatusClosed {
			return fmt.Errorf("extrahop: detection %s: resolution %q with status %q: %w", id, to.Resolution, target, ErrResolutionNeedsClosed)
		}
		if !validResolution(to.Resolution) {
			return fmt.Errorf("extrahop: detection %s: resolution %q: want %s or %s: %w", id, to.Resolution, ResolutionActionTaken, ResolutionNoActionTaken, tracker.ErrInvalid)
		}
	}
	d, _, err := a.c.Detections.Get(ctx, n, nil)
	if err != nil {
		return err
	}
	current := d.StatusValue()
	there := current == target
	if to.Status == "" {
		there = statusCategory(current) == to.Category
	}
	if there && (to.Resolution == "" || d.ResolutionValue() == to.Resolution) {
		return nil
	}
	if there {
		target = current
	}
	u := &DetectionUpdate{TicketID: tracker.Ptr(d.TicketIDValue()), Status: &target}
	switch {
	case to.Resolution != "":
		u.Resolution = &to.Resolution
	case target != StatusClosed && d.Resolution != nil:
		u.Resolution = tracker.Ptr("")
	}
	_, err = a.c.Detections.Update(ctx, n, u)
	return err
}

// statusCategory maps an ExtraHop status onto a tracker category.
func statusCategory(status string) tracker.StatusCategory {
	switch status {
	case "", StatusNew:
		return tracker.CategoryToDo
	case StatusInProgress, StatusAcknowledged:
		return tracker.CategoryInProgress
	case StatusClosed:
		return tracker.CategoryDone
	}
	return tracker.CategoryUnknown
}

// Issue converts a detection into a tracker issue, as GetIssue and
// SearchIssues do; use it for detections from other sources, such as
// [ODSReceiver] events.
func (a *Adapter) Issue(d *Detection) *tracker.Issue {
	id := strconv.FormatInt(d.ID, 10)
	is := &tracker.Issue{
		ID:             id,
		Key:            id,
		URL:            d.URL,
		Summary:        d.Title,
		Description:    a.c.absoluteLinks(d.Description),
		Status:         d.StatusValue(),
		StatusCategory: statusCategory(d.StatusValue()),
		Resolution:     d.ResolutionValue(),
		Assignee:       d.AssigneeValue(),
		AssigneeUser:   a.assigneeUser(d),
		Labels:         slices.Clone(d.Categories),
		Created:        d.CreateTime.Time,
		Updated:        d.ModTime.Time,
	}
	if is.Created.IsZero() {
		is.Created = d.StartTime.Time
	}
	var risk any
	if d.RiskScore != nil {
		risk = int64(*d.RiskScore)
	}
	ticketURL := nullableField(d.TicketURL)
	if ticketURL == nil && a.cfg.TicketURLTemplate != "" && d.TicketIDValue() != "" {
		if u, err := TicketURL(a.cfg.TicketURLTemplate, d.TicketIDValue()); err == nil {
			ticketURL = u
		}
	}
	is.Fields = map[string]any{
		FieldRiskScore:       risk,
		FieldType:            d.Type,
		FieldCategories:      slices.Clone(d.Categories),
		FieldMitreTactics:    mitreStrings(d.MitreTactics),
		FieldMitreTechniques: mitreStrings(d.MitreTechniques),
		FieldParticipants:    participantMaps(d.Participants),
		FieldTicketID:        nullableField(d.TicketID),
		FieldTicketURL:       ticketURL,
		FieldURL:             d.URL,
		FieldStartTime:       timeField(d.StartTime),
		FieldEndTime:         timeField(d.EndTime),
		FieldCreateTime:      timeField(d.CreateTime),
		FieldModTime:         timeField(d.ModTime),
	}
	if is.Labels == nil {
		is.Labels = []string{}
	}
	return is
}

// assigneeUser describes the detection's assignee, a username.
func (a *Adapter) assigneeUser(d *Detection) *tracker.User {
	if d.AssigneeValue() == "" {
		return nil
	}
	return a.user(d.AssigneeValue())
}

func nullableField(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func timeField(t Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Time
}

func mitreStrings(list []Mitre) []string {
	out := make([]string, 0, len(list))
	for _, m := range list {
		if s := m.String(); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func participantMaps(list []Participant) []map[string]any {
	out := make([]map[string]any, 0, len(list))
	for _, p := range list {
		m := map[string]any{"id": p.ID, "external": p.External}
		set := func(k, v string) {
			if v != "" {
				m[k] = v
			}
		}
		set("role", p.Role)
		set("object_type", p.ObjectType)
		set("object_value", p.ObjectValue)
		set("hostname", p.Hostname)
		set("endpoint", p.Endpoint)
		set("scanner_service", p.ScannerService)
		set("username", p.Username)
		if p.ObjectID != 0 {
			m["object_id"] = p.ObjectID
		}
		for k, raw := range p.Extra {
			var v any
			if json.Unmarshal(raw, &v) == nil {
				m[k] = v
			}
		}
		out = append(out, m)
	}
	return out
}

// cloneFilter returns a deep copy of f.
func cloneFilter(f *DetectionFilter) DetectionFilter {
	c := *f
	c.Status, c.Resolution, c.Assignee = slices.Clone(f.Status), slices.Clone(f.Resolution), slices.Clone(f.Assignee)
	c.TicketID, c.Categories, c.Types = slices.Clone(f.TicketID), slices.Clone(f.Categories), slices.Clone(f.Types)
	if f.RiskScoreMin != nil {
		c.RiskScoreMin = tracker.Ptr(*f.RiskScoreMin)
	}
	if f.Recommended != nil {
		c.Recommended = tracker.Ptr(*f.Recommended)
	}
	return c
}

// andFilters combines two filters so a detection must match both: lists
// of single-valued fields intersect (categories are the caller's
// business), the higher minimum risk score wins. ok is false when nothing
// can match (disjoint lists or contradicting flags).
func andFilters(a, b DetectionFilter) (DetectionFilter, bool) {
	ok := true
	both := func(x, y []string) []string {
		switch {
		case len(x) == 0:
			return slices.Clone(y)
		case len(y) == 0:
			return x
		}
		var out []string
		for _, v := range x {
			if slices.Contains(y, v) {
				out = append(out, v)
			}
		}
		if len(out) == 0 {
			ok = false
		}
		return out
	}
	a.Status = both(a.Status, b.Status)
	a.Resolution = both(a.Resolution, b.Resolution)
	a.Assignee = both(a.Assignee, b.Assignee)
	a.TicketID = both(a.TicketID, b.TicketID)
	a.Categories = both(a.Categories, b.Categories)
	a.Types = both(a.Types, b.Types)
	if b.RiskScoreMin != nil && (a.RiskScoreMin == nil || *b.RiskScoreMin > *a.RiskScoreMin) {
		a.RiskScoreMin = tracker.Ptr(*b.RiskScoreMin)
	}
	if b.Recommended != nil {
		if a.Recommended != nil && *a.Recommended != *b.Recommended {
			ok = false
		}
		a.Recommended = tracker.Ptr(*b.Recommended)
	}
	return a, ok
}

// filterEmpty reports whether f filters nothing.
func filterEmpty(f DetectionFilter) bool {
	data, _ := json.Marshal(f)
	return bytes.Equal(data, []byte("{}"))
}

// DescribeFields returns the fields UpdateIssue writes: assignee (any
// string), resolution, ticket_id and status, with the allowed values of
// the closed ones. ExtraHop has no projects or issue types, so both
// arguments are ignored, and the answer needs no request.
func (a *Adapter) DescribeFields(_ context.Context, _, _ string) ([]tracker.FieldInfo, error) {
	return []tracker.FieldInfo{
		{ID: "assignee", Name: "assignee", Type: "string"},
		{ID: "resolution", Name: "resolution", Type: "string", Allowed: []string{ResolutionActionTaken, ResolutionNoActionTaken}},
		{ID: FieldTicketID, Name: FieldTicketID, Type: "string"},
		{ID: FieldStatus, Name: FieldStatus, Type: "string", Allowed: []string{StatusNew, StatusInProgress, StatusAcknowledged, StatusClosed}},
	}, nil
}

// DescribeStatuses returns ExtraHop's detection statuses with their
// categories: open (the null status) and new are ToDo, in_progress and
// acknowledged InProgress, closed Done. It needs no request.
func (a *Adapter) DescribeStatuses(_ context.Context, _ string) ([]tracker.StatusInfo, error) {
	return []tracker.StatusInfo{
		{Name: "open", Category: tracker.CategoryToDo},
		{Name: StatusNew, Category: tracker.CategoryToDo},
		{Name: StatusInProgress, Category: tracker.CategoryInProgress},
		{Name: StatusAcknowledged, Category: tracker.CategoryInProgress},
		{Name: StatusClosed, Category: tracker.CategoryDone},
	}, nil
}
