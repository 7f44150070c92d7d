package extrahop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/trackbridge/trackbridge/internal/lenient"
)

// FieldError reports a field of a decoded value whose JSON did not fit its
// Go type. Decoding never fails for such a field: the field stays zero, the
// value's Problems lists it (with its path, such as "risk_score" or
// "participants[1].object_id") and its raw JSON, and everything else is
// decoded. Callers that must not accept such a value check Problems.
type FieldError = lenient.FieldError

// Time is an instant ExtraHop sends as int64 epoch milliseconds. The zero
// Time stands for null (or an absent value) and encodes as null.
type Time struct {
	time.Time
}

// TimeOf returns t as a Time, truncated to the millisecond ExtraHop keeps.
func TimeOf(t time.Time) Time {
	if t.IsZero() {
		return Time{}
	}
	return Time{t.Truncate(time.Millisecond)}
}

// Millis returns t as epoch milliseconds, 0 for the zero Time.
func (t Time) Millis() int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// MarshalJSON encodes t as epoch milliseconds, or null when t is zero.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, t.UnixMilli(), 10), nil
}

// UnmarshalJSON decodes epoch milliseconds (an integer, or a float with a
// fraction some builds send) or null.
func (t *Time) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		*t = Time{}
		return nil
	}
	if len(data) > 1 && data[0] == '"' {
		// A number sent as a string; accept digits only.
		data = data[1 : len(data)-1]
	}
	if ms, err := strconv.ParseInt(string(data), 10, 64); err == nil {
		*t = Time{time.UnixMilli(ms).UTC()}
		return nil
	}
	f, err := strconv.ParseFloat(string(data), 64)
	if err != nil || f != f || f > 1<<62 || f < -(1<<62) {
		return fmt.Errorf("extrahop: time %q is not epoch milliseconds", clipBytes(data, 40))
	}
	*t = Time{time.UnixMilli(int64(f)).UTC()}
	return nil
}

// Status values of a detection. A null status shows as "Open" in ExtraHop;
// "new" can be set only through the REST API.
const (
	StatusNew          = "new"
	StatusInProgress   = "in_progress"
	StatusClosed       = "closed"
	StatusAcknowledged = "acknowledged"
)

// Resolution values; a resolution is meaningful only with status closed.
const (
	ResolutionActionTaken   = "action_taken"
	ResolutionNoActionTaken = "no_action_taken"
)

// FilterNone matches a null value in a search filter (status, resolution,
// assignee, ticket id).
const FilterNone = ".none"

// Mitre is a MITRE ATT&CK tactic or technique a detection is tied to.
type Mitre struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
	// LegacyIDs lists a technique's former ids; tactics have none.
	LegacyIDs []string `json:"legacy_ids,omitempty"`
	// Extra keeps the keys this package does not know.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type.
	Problems []FieldError `json:"-"`
}

var mitreID = regexp.MustCompile(`^(TA|T)\d{4}(\.\d{3})?$`)

// UnmarshalJSON accepts the object ExtraHop sends and, for documents that
// show tactics as plain strings, a string (an id such as "TA0008" or a
// name).
func (m *Mitre) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*m = Mitre{}
		if mitreID.MatchString(s) {
			m.ID = s
		} else {
			m.Name = s
		}
		return nil
	}
	type plain Mitre
	*m = Mitre{}
	var err error
	m.Extra, m.Problems, err = lenient.Decode(data, (*plain)(m))
	return err
}

// MarshalJSON encodes the object form with its Extra keys and the raw
// values of its Problems.
func (m Mitre) MarshalJSON() ([]byte, error) {
	type plain Mitre
	return lenient.Encode(plain(m), m.Extra, m.Problems)
}

// String returns "ID Name" ("TA0008 Lateral Movement").
func (m Mitre) String() string {
	switch {
	case m.ID == "":
		return m.Name
	case m.Name == "":
		return m.ID
	}
	return m.ID + " " + m.Name
}

// Participant is a device, IP address or application a detection involves.
type Participant struct {
	ID int64 `json:"id"`
	// Role is "offender" or "victim".
	Role string `json:"role,omitempty"`
	// ObjectType is "device", "ipaddr" or "application".
	ObjectType string `json:"object_type,omitempty"`
	// ObjectID is the device or application id; ObjectValue the IP address.
	ObjectID    int64  `json:"object_id,omitempty"`
	ObjectValue string `json:"object_value,omitempty"`
	Hostname    string `json:"hostname,omitempty"`
	External    bool   `json:"external"`
	// Endpoint is "client", "server" or empty.
	Endpoint       string `json:"endpoint,omitempty"`
	ScannerService string `json:"scanner_service,omitempty"`
	Username       string `json:"username,omitempty"`
	// Extra keeps the keys this package does not know.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type.
	Problems []FieldError `json:"-"`
}

// UnmarshalJSON decodes a participant leniently: nulls are accepted, a
// value of an unexpected type is reported in Problems instead of failing,
// and unknown keys are kept in Extra.
func (p *Participant) UnmarshalJSON(data []byte) error {
	if p.decodeFast(data) == nil {
		return nil
	}
	return p.decodeLenient(data)
}

// decodeLenient decodes a participant field by field.
func (p *Participant) decodeLenient(data []byte) error {
	type plain struct {
		ID             int64   `json:"id"`
		Role           *string `json:"role"`
		ObjectType     *string `json:"object_type"`
		ObjectID       *int64  `json:"object_id"`
		ObjectValue    *string `json:"object_value"`
		Hostname       *string `json:"hostname"`
		External       *bool   `json:"external"`
		Endpoint       *string `json:"endpoint"`
		ScannerService *string `json:"scanner_service"`
		Username       *string `json:"username"`
	}
	var v plain
	extra, problems, err := lenient.Decode(data, &v)
	if err != nil {
		return fmt.Errorf("extrahop: participant: %w", err)
	}
	*p = Participant{
		ID: v.ID, Role: str(v.Role), ObjectType: str(v.ObjectType), ObjectValue: str(v.ObjectValue),
		Hostname: str(v.Hostname), Endpoint: str(v.Endpoint), ScannerService: str(v.ScannerService),
		Username: str(v.Username), Extra: extra, Problems: problems,
	}
	if v.ObjectID != nil {
		p.ObjectID = *v.ObjectID
	}
	if v.External != nil {
		p.External = *v.External
	}
	return nil
}

// MarshalJSON encodes the participant with its Extra keys and the raw
// values of its Problems.
func (p Participant) MarshalJSON() ([]byte, error) {
	type plain Participant
	return lenient.Encode(plain(p), p.Extra, p.Problems)
}

// Detection is an ExtraHop detection, as GET /detections/{id} and POST
// /detections/search return it.
type Detection struct {
	// ID is int64: real ids exceed 2^31.
	ID          int64  `json:"id"`
	ApplianceID int64  `json:"appliance_id,omitempty"`
	Title       string `json:"title"`
	// Description is Markdown with links relative to the console
	// ("#/metrics/devices/...").
	Description string `json:"description"`
	// Type is the detection type ("rdp_brute_force"); see
	// [DetectionsService.Formats].
	Type string `json:"type"`
	// Categories are "sec", "sec.attack", "perf", "perf.auth" and so on.
	Categories []string `json:"categories"`
	// RiskScore is 0–99, or nil when the detection has none (some
	// performance detections).
	RiskScore *int `json:"risk_score"`

	StartTime Time `json:"start_time"`
	EndTime   Time `json:"end_time"`
	// UpdateTime is when related events last happened.
	UpdateTime Time `json:"update_time"`
	// ModTime is when the record last changed; sync by it.
	ModTime    Time `json:"mod_time"`
	CreateTime Time `json:"create_time"`

	// Status is nil (shown as "Open"), or one of the Status constants.
	Status *string `json:"status"`
	// Resolution is nil or one of the Resolution constants.
	Resolution *string `json:"resolution"`
	// Assignee is any string: ExtraHop accepts non-ExtraHop accounts.
	Assignee *string `json:"assignee"`
	// TicketID is a string even when numeric ("54799").
	TicketID  *string `json:"ticket_id"`
	TicketURL *string `json:"ticket_url,omitempty"`

	Participants    []Participant  `json:"participants"`
	Properties      map[string]any `json:"properties,omitempty"`
	MitreTactics    []Mitre        `json:"mitre_tactics"`
	MitreTechniques []Mitre        `json:"mitre_techniques"`

	// Recommended and RecommendedFactors are set by consoles only.
	Recommended        bool     `json:"recommended,omitempty"`
	RecommendedFactors []string `json:"recommended_factors,omitempty"`
	IsUserCreated      bool     `json:"is_user_created"`
	// URL links to the detection in the ExtraHop console.
	URL string `json:"url,omitempty"`

	// Extra keeps the keys this package does not know (activity_log, newer
	// fields), so nothing the server sent is lost.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type (a
	// risk score "high", a time "soon", properties sent as a list): they
	// are left zero here, their raw value is kept in the FieldError, and
	// the rest of the detection is decoded.
	Problems []FieldError `json:"-"`
}

// detectionJSON decodes a Detection leniently: nulls are allowed where the
// Go field is a plain value.
type detectionJSON struct {
	ID                 json.RawMessage `json:"id"`
	ApplianceID        *int64          `json:"appliance_id"`
	Title              *string         `json:"title"`
	Description        *string         `json:"description"`
	Type               *string         `json:"type"`
	Categories         []string        `json:"categories"`
	RiskScore          *json.Number    `json:"risk_score"`
	StartTime          Time            `json:"start_time"`
	EndTime            Time            `json:"end_time"`
	UpdateTime         Time            `json:"update_time"`
	ModTime            Time            `json:"mod_time"`
	CreateTime         Time            `json:"create_time"`
	Status             *string         `json:"status"`
	Resolution         *string         `json:"resolution"`
	Assignee           *string         `json:"assignee"`
	TicketID           *string         `json:"ticket_id"`
	TicketURL          *string         `json:"ticket_url"`
	Participants       []Participant   `json:"participants"`
	Properties         json.RawMessage `json:"properties"`
	MitreTactics       []Mitre         `json:"mitre_tactics"`
	MitreTechniques    []Mitre         `json:"mitre_techniques"`
	Recommended        *bool           `json:"recommended"`
	RecommendedFactors []string        `json:"recommended_factors"`
	IsUserCreated      *bool           `json:"is_user_created"`
	URL                *string         `json:"url"`
}

// UnmarshalJSON decodes a detection. Ids stay exact int64, a missing or
// null risk score leaves RiskScore nil, nulls are accepted everywhere,
// unknown keys go to Extra, and a value of an unexpected type is reported
// in Problems instead of failing the detection (or the search page it came
// in). Only an id that is not an integer fails: without it the detection
// is nobody.
func (d *Detection) UnmarshalJSON(data []byte) error {
	if d.decodeFast(data) == nil {
		return nil
	}
	return d.decodeLenient(data)
}

// decodeLenient decodes a detection field by field (see UnmarshalJSON).
func (d *Detection) decodeLenient(data []byte) error {
	var v detectionJSON
	extra, problems, err := lenient.Decode(data, &v)
	if err != nil {
		return fmt.Errorf("extrahop: detection: %w", err)
	}
	var id int64
	if len(v.ID) > 0 {
		if err := json.Unmarshal(v.ID, &id); err != nil {
			return fmt.Errorf("extrahop: detection: id %s is not an integer", clipBytes(v.ID, 40))
		}
	}
	raw := func(key string) json.RawMessage {
		var all map[string]json.RawMessage
		_ = json.Unmarshal(data, &all)
		return all[key]
	}
	risk, err := riskScore(v.RiskScore)
	if err != nil {
		problems = append(problems, FieldError{Field: "risk_score", Raw: raw("risk_score"), Err: err})
	}
	props, err := properties(v.Properties)
	if err != nil {
		// Old builds and some documents send a list here: keep it raw.
		problems = append(problems, FieldError{Field: "properties", Raw: v.Properties, Err: err})
	}
	*d = Detection{
		ID: id, Title: str(v.Title), Description: str(v.Description), Type: str(v.Type),
		Categories: v.Categories, RiskScore: risk,
		StartTime: v.StartTime, EndTime: v.EndTime, UpdateTime: v.UpdateTime, ModTime: v.ModTime, CreateTime: v.CreateTime,
		Status: v.Status, Resolution: v.Resolution, Assignee: v.Assignee, TicketID: v.TicketID, TicketURL: v.TicketURL,
		Participants: v.Participants, Properties: props,
		MitreTactics: v.MitreTactics, MitreTechniques: v.MitreTechniques,
		RecommendedFactors: v.RecommendedFactors, URL: str(v.URL), Extra: extra, Problems: problems,
	}
	if v.ApplianceID != nil {
		d.ApplianceID = *v.ApplianceID
	}
	if v.Recommended != nil {
		d.Recommended = *v.Recommended
	}
	if v.IsUserCreated != nil {
		d.IsUserCreated = *v.IsUserCreated
	}
	return nil
}

// MarshalJSON encodes the detection as ExtraHop does, with its Extra keys.
func (d Detection) MarshalJSON() ([]byte, error) {
	type plain Detection
	p := plain(d)
	if p.Categories == nil {
		p.Categories = []string{}
	}
	if p.Participants == nil {
		p.Participants = []Participant{}
	}
	if p.MitreTactics == nil {
		p.MitreTactics = []Mitre{}
	}
	if p.MitreTechniques == nil {
		p.MitreTechniques = []Mitre{}
	}
	return lenient.Encode(p, d.Extra, d.Problems)
}

// riskScore reads a risk score, accepting a whole number written as a
// float (84.0) and rounding a fractional one.
func riskScore(n *json.Number) (*int, error) {
	if n == nil {
		return nil, nil
	}
	if i, err := n.Int64(); err == nil && i >= -1<<31 && i < 1<<31 {
		r := int(i)
		return &r, nil
	}
	f, err := n.Float64()
	if err != nil || f != f || f < -1<<31 || f >= 1<<31 {
		return nil, fmt.Errorf("risk_score %s is not a score", clipBytes([]byte(n.String()), 40))
	}
	r := int(math.Round(f))
	return &r, nil
}

// properties decodes the type-specific properties object; null gives nil.
func properties(raw json.RawMessage) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// StatusValue returns the status, "" when it is null (shown as "Open").
func (d *Detection) StatusValue() string { return str(d.Status) }

// ResolutionValue returns the resolution, "" when it is null.
func (d *Detection) ResolutionValue() string { return str(d.Resolution) }

// AssigneeValue returns the assignee, "" when it is null.
func (d *Detection) AssigneeValue() string { return str(d.Assignee) }

// TicketIDValue returns the ticket id, "" when it is null.
func (d *Detection) TicketIDValue() string { return str(d.TicketID) }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func clipBytes(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
