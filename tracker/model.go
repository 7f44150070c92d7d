package tracker

import (
	"fmt"
	"strings"
	"time"
)

// StatusCategory is the vendor-neutral meaning of a status: whether work on
// an issue has not started, is under way, or is finished. Jira calls these
// new, indeterminate and done; YouTrack marks resolved states; ExtraHop has
// new, in_progress and closed.
type StatusCategory string

// The status categories. The zero value means the category is not known.
const (
	CategoryUnknown    StatusCategory = ""
	CategoryToDo       StatusCategory = "todo"
	CategoryInProgress StatusCategory = "in_progress"
	CategoryDone       StatusCategory = "done"
)

// ParseStatusCategory reads a category from its name. It accepts the names of
// the constants ("todo", "in_progress", "done") case-insensitively, along with
// the common spellings "to do", "in progress" and Jira's keys "new",
// "indeterminate" and "done".
func ParseStatusCategory(s string) (StatusCategory, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "todo", "to do", "to_do", "new", "open":
		return CategoryToDo, nil
	case "in_progress", "in progress", "inprogress", "indeterminate":
		return CategoryInProgress, nil
	case "done", "closed", "resolved":
		return CategoryDone, nil
	}
	return CategoryUnknown, fmt.Errorf("tracker: unknown status category %q (want todo, in_progress or done)", s)
}

// String returns the category's name, or "unknown" for the zero value.
func (c StatusCategory) String() string {
	if c == CategoryUnknown {
		return "unknown"
	}
	return string(c)
}

// Ref names one issue in one tracker. Tracker is the adapter's Kind (plus an
// instance name where a host runs several, as in "jira/prod"); ID is the
// tracker's stable issue id (Jira "10001", YouTrack "2-17", ExtraHop
// "8589935233"), not the human key, which changes when an issue moves.
type Ref struct {
	Tracker string `json:"tracker"`
	ID      string `json:"id"`
}

// String returns "tracker:id".
func (r Ref) String() string { return r.Tracker + ":" + r.ID }

// IsZero reports whether r names nothing.
func (r Ref) IsZero() bool { return r.Tracker == "" && r.ID == "" }

// Issue is a ticket, finding or detection in vendor-neutral form.
//
// Fields holds everything the common attributes do not: custom fields keyed
// by their display name ("Severity", "Reported", "risk_score"). Values are
// string, bool, float64, int64, time.Time, []string, map[string]any or nil.
// Adapters document which keys they fill.
type Issue struct {
	// ID is the tracker's stable id; Key the human-readable one (PROJ-12).
	// For trackers without keys, Key equals ID.
	ID  string
	Key string
	// URL links to the issue in the tracker's web UI.
	URL     string
	Project string
	Type    string

	Summary     string
	Description string

	Status         string
	StatusCategory StatusCategory
	Resolution     string
	Priority       string

	// Assignee and Reporter identify users the way the tracker does
	// (Jira Cloud accountId, Jira Data Center name, YouTrack login): the
	// value of [User.Handle] for that user. Empty means unassigned.
	Assignee string
	Reporter string
	// AssigneeUser describes the assignee as the tracker reported it (Name
	// and Email filled where the tracker shows them), so mappings can write
	// a readable name instead of an account id; nil when the tracker did
	// not describe the assignee.
	AssigneeUser *User

	Labels []string
	Fields map[string]any

	Created time.Time
	Updated time.Time
}

// Ref returns the issue's reference in the tracker of the given kind.
func (i *Issue) Ref(trackerKind string) Ref { return Ref{Tracker: trackerKind, ID: i.ID} }

// Field returns the value of an extra field and whether it is present.
func (i *Issue) Field(name string) (any, bool) {
	v, ok := i.Fields[name]
	return v, ok
}

// Clone returns a deep copy of the issue's slices and maps, so the copy can
// be changed without touching the original.
func (i *Issue) Clone() *Issue {
	if i == nil {
		return nil
	}
	c := *i
	c.Labels = append([]string(nil), i.Labels...)
	if i.AssigneeUser != nil {
		u := *i.AssigneeUser
		c.AssigneeUser = &u
	}
	if i.Fields != nil {
		c.Fields = make(map[string]any, len(i.Fields))
		for k, v := range i.Fields {
			c.Fields[k] = CloneValue(v)
		}
	}
	return &c
}

// CloneValue copies the mutable kinds of field value ([]string, []any,
// map[string]any, nested to any depth) and returns others as they are.
func CloneValue(v any) any {
	switch v := v.(type) {
	case []string:
		return append([]string(nil), v...)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = CloneValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = CloneValue(e)
		}
		return out
	}
	return v
}

// NewIssue is what a [Creator] needs to open an issue.
type NewIssue struct {
	Project     string
	Type        string
	Summary     string
	Description string
	Priority    string
	Assignee    string
	Labels      []string
	// Parent is the key or id of an epic or parent issue, when the tracker
	// has one.
	Parent string
	// Fields sets extra and custom fields by display name.
	Fields map[string]any
	// Marker is a correlation key the tracker stores with the issue so that
	// [MarkerFinder] can find it again (a Jira label, a YouTrack tag or text
	// field, a trax record id). Empty means no marker. See [CheckMarker].
	Marker string
}

// Change says which attributes of an issue to set. A nil pointer or an
// absent Fields key leaves that attribute as it is, so concurrent human edits
// to other attributes survive. A Fields entry with a nil value clears the
// field.
type Change struct {
	Summary     *string
	Description *string
	Priority    *string
	// Assignee set to "" unassigns.
	Assignee   *string
	Resolution *string
	// Labels replaces the whole set; AddLabels and RemoveLabels edit it.
	Labels       *[]string
	AddLabels    []string
	RemoveLabels []string
	Fields       map[string]any
}

// IsEmpty reports whether the change sets nothing.
func (c *Change) IsEmpty() bool {
	return c == nil || (c.Summary == nil && c.Description == nil && c.Priority == nil &&
		c.Assignee == nil && c.Resolution == nil && c.Labels == nil &&
		len(c.AddLabels) == 0 && len(c.RemoveLabels) == 0 && len(c.Fields) == 0)
}

// Ptr returns a pointer to v; handy for filling a [Change].
func Ptr[T any](v T) *T { return &v }

// Comment is one comment on an issue.
type Comment struct {
	ID      string
	IssueID string
	// Author identifies the user as the tracker does; AuthorName is for display.
	Author     string
	AuthorName string
	Body       string
	// Visibility is the restriction the tracker puts on the comment, as
	// "type:value" ("role:Administrators", "group:jira-admins"); empty
	// when everyone who can see the issue can see the comment.
	Visibility string
	Created    time.Time
	Updated    time.Time
}

// User is an account in a tracker, as an access review needs it.
type User struct {
	// ID is the tracker's stable account id (Jira Cloud accountId, Jira
	// Data Center user key, YouTrack user id); Login the name people sign
	// in with, empty where the tracker has none (Jira Cloud).
	ID    string
	Login string
	Name  string
	Email string
	// Active is false for banned, deactivated or deleted accounts.
	Active bool
	// Guest marks anonymous or guest accounts; Bot marks apps, integrations
	// and service accounts where the tracker says so.
	Guest bool
	Bot   bool
	// LastAccess is zero when the tracker does not report it.
	LastAccess time.Time
	Created    time.Time
	Groups     []string
	Roles      []string
}

// Handle returns the identifier issues use for this user in
// Issue.Assignee and Issue.Reporter: the Login where the tracker has
// logins, else the ID.
func (u *User) Handle() string {
	if u.Login != "" {
		return u.Login
	}
	return u.ID
}

// Query selects issues for a [Searcher]. Zero fields do not filter.
type Query struct {
	Project string
	// UpdatedSince selects issues updated at or after this instant.
	// Searchers return results in ascending Updated order (ties in any
	// stable order) so a caller can advance a cursor.
	UpdatedSince time.Time
	Statuses     []string
	// Raw is passed through to the tracker as a query in its own language
	// (JQL, a YouTrack query) and combined with the other fields by AND.
	// It is the caller's responsibility; the typed fields are escaped.
	Raw string
	// PageSize is the number of issues fetched per request; 0 lets the
	// adapter choose.
	PageSize int
}

// TransitionTarget is where [Transitioner.Transition] should move an issue:
// a status by name or, when Status is empty, any status in Category.
type TransitionTarget struct {
	Status   string
	Category StatusCategory
	// Resolution, when set, is recorded with the move where the tracker
	// supports it.
	Resolution string
	// Comment, when set, is added with the move.
	Comment string
}

// String describes the target for error messages.
func (t TransitionTarget) String() string {
	if t.Status != "" {
		return fmt.Sprintf("status %q", t.Status)
	}
	return fmt.Sprintf("category %s", t.Category)
}
