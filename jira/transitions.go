package jira

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/trackbridge/trackbridge/tracker"
)

// TransitionsService lists and performs workflow transitions.
type TransitionsService service

// Transition is a transition available from an issue's current status.
type Transition struct {
	Extras

	ID            string                    `json:"id"`
	Name          string                    `json:"name"`
	To            *Status                   `json:"to,omitempty"`
	HasScreen     bool                      `json:"hasScreen,omitempty"`
	IsGlobal      bool                      `json:"isGlobal,omitempty"`
	IsInitial     bool                      `json:"isInitial,omitempty"`
	IsAvailable   bool                      `json:"isAvailable,omitempty"`
	IsConditional bool                      `json:"isConditional,omitempty"`
	Fields        map[string]*FieldMetadata `json:"fields,omitempty"`
}

// FieldMetadata describes a field on a transition or create screen.
type FieldMetadata struct {
	Extras

	FieldID       string         `json:"fieldId,omitempty"`
	Key           string         `json:"key,omitempty"`
	Name          string         `json:"name"`
	Required      bool           `json:"required"`
	Schema        *FieldSchema   `json:"schema,omitempty"`
	Operations    []string       `json:"operations,omitempty"`
	AllowedValues []AllowedValue `json:"allowedValues,omitempty"`
	HasDefault    bool           `json:"hasDefaultValue,omitempty"`
}

// AllowedValue is one value a closed field accepts (an option, priority,
// resolution or version); which of its names is set depends on the type.
// Jira Server and some Cloud screens list plain strings instead of
// objects; such a value is read into Value.
type AllowedValue struct {
	Extras

	ID    string `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Value string `json:"value,omitempty"`
}

// UnmarshalJSON reads an object, or a plain string into Value.
func (v *AllowedValue) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		*v = AllowedValue{}
		return json.Unmarshal(data, &v.Value)
	}
	return decodeLenient(data, v)
}

// Label returns the value's display text.
func (v AllowedValue) Label() string {
	if v.Value != "" {
		return v.Value
	}
	return v.Name
}

// List returns the transitions available from the issue's current status,
// with the fields of their screens.
func (s *TransitionsService) List(ctx context.Context, issue string) ([]*Transition, *Response, error) {
	var out struct {
		Transitions []*Transition `json:"transitions"`
	}
	q := struct {
		Expand string `url:"expand"`
	}{"transitions.fields"}
	resp, err := s.c.do(ctx, http.MethodGet, s.c.path("issue/%s/transitions", issue), q, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Transitions, resp, nil
}

// TransitionInput performs a transition: its id, fields of its screen
// (such as resolution), field operations, an optional comment, and
// optional history metadata describing the change in the issue's history.
type TransitionInput struct {
	ID              string
	Fields          Fields
	Update          map[string][]FieldOperation
	Comment         *CommentInput
	HistoryMetadata *HistoryMetadata
}

// HistoryMetadata describes a change in an issue's history: what made it
// (Type, Description), who (Actor), through what (Generator) and why
// (Cause).
type HistoryMetadata struct {
	Type                   string                      `json:"type,omitempty"`
	Description            string                      `json:"description,omitempty"`
	DescriptionKey         string                      `json:"descriptionKey,omitempty"`
	ActivityDescription    string                      `json:"activityDescription,omitempty"`
	ActivityDescriptionKey string                      `json:"activityDescriptionKey,omitempty"`
	EmailDescription       string                      `json:"emailDescription,omitempty"`
	EmailDescriptionKey    string                      `json:"emailDescriptionKey,omitempty"`
	Actor                  *HistoryMetadataParticipant `json:"actor,omitempty"`
	Generator              *HistoryMetadataParticipant `json:"generator,omitempty"`
	Cause                  *HistoryMetadataParticipant `json:"cause,omitempty"`
	ExtraData              map[string]string           `json:"extraData,omitempty"`
}

// HistoryMetadataParticipant is a user, system or application taking part
// in a change.
type HistoryMetadataParticipant struct {
	ID             string `json:"id,omitempty"`
	DisplayName    string `json:"displayName,omitempty"`
	DisplayNameKey string `json:"displayNameKey,omitempty"`
	Type           string `json:"type,omitempty"`
	AvatarURL      string `json:"avatarUrl,omitempty"`
	URL            string `json:"url,omitempty"`
}

// Do performs a transition (POST /issue/{idOrKey}/transitions).
func (s *TransitionsService) Do(ctx context.Context, issue string, in *TransitionInput) (*Response, error) {
	u := &IssueUpdate{Fields: in.Fields, Update: in.Update}
	if in.Comment != nil {
		if u.Update == nil {
			u.Update = map[string][]FieldOperation{}
		} else {
			cp := make(map[string][]FieldOperation, len(u.Update)+1)
			for k, v := range u.Update {
				cp[k] = v
			}
			u.Update = cp
		}
		u.Update["comment"] = append(u.Update["comment"], AddOp(in.Comment))
	}
	w, err := s.c.encodeUpdate(ctx, u)
	if err != nil {
		return nil, err
	}
	body := struct {
		Transition map[string]string `json:"transition"`
		*wireUpdate
		HistoryMetadata *HistoryMetadata `json:"historyMetadata,omitempty"`
	}{map[string]string{"id": in.ID}, w, in.HistoryMetadata}
	return s.c.do(ctx, http.MethodPost, s.c.path("issue/%s/transitions", issue), nil, body, nil)
}

// Target is where MoveTo takes an issue: a status by name (compared
// case-insensitively) or, when Status is empty, any status of Category
// ("new", "indeterminate", "done").
type Target struct {
	Status   string
	Category string
	// Resolution is set on the last transition when its screen has the
	// resolution field.
	Resolution string
	// Comment is added with the last transition.
	Comment string
}

func (t Target) matches(st *Status) bool {
	if st == nil {
		return false
	}
	if t.Status != "" {
		return strings.EqualFold(st.Name, t.Status)
	}
	return st.CategoryKey() == t.Category
}

// String describes the target for error messages.
func (t Target) String() string {
	if t.Status != "" {
		return fmt.Sprintf("status %q", t.Status)
	}
	return fmt.Sprintf("category %q", t.Category)
}

// maxMoves bounds how many transitions MoveTo makes.
const maxMoves = 20

// categoryRank orders categories along the usual direction of work.
func categoryRank(key string) int {
	switch key {
	case CategoryNew:
		return 0
	case CategoryIndeterminate:
		return 1
	case CategoryDone:
		return 2
	}
	return 1
}

// MoveTo moves an issue to the target through the workflow, one transition
// at a time. Jira only shows the transitions from an issue's current
// status, so MoveTo learns the workflow as it goes: from each status it
// lists the transitions, takes one that reaches the target if there is
// one, else follows the shortest known path (breadth-first over what it has
// seen) to the target or to a status it has not explored yet, preferring
// statuses whose category lies towards the target. An issue already at the
// target is left alone. When the target cannot be reached the error
// matches tracker.ErrNoTransition; a target status that does not exist on
// the site fails before anything moves (checked only when no transition
// leads to it directly). It returns the number of transitions made.
func (s *TransitionsService) MoveTo(ctx context.Context, issue string, to Target) (int, error) {
	if to.Status == "" && to.Category == "" {
		return 0, fmt.Errorf("jira: move %s: target names neither status nor category", issue)
	}
	cur, _, err := s.c.Issues.Get(ctx, issue, &GetOptions{Fields: []string{"status"}})
	if err != nil {
		return 0, err
	}
	if cur.Fields != nil && to.matches(cur.Fields.Status) {
		return 0, nil
	}
	wantRank := categoryRank(to.Category)
	edges := map[string][]*Transition{} // status id → transitions seen from it
	statusOf := map[string]*Status{}
	var here *Status
	if cur.Fields != nil {
		here = cur.Fields.Status
	}
	moves := 0
	for moves < maxMoves {
		list, _, err := s.List(ctx, issue)
		if err != nil {
			return moves, err
		}
		hereID := ""
		if here != nil {
			hereID = here.ID
			statusOf[hereID] = here
		}
		edges[hereID] = list
		for _, t := range list {
			if t.To != nil {
				statusOf[t.To.ID] = t.To
			}
		}
		next := s.nextStep(hereID, to, edges, statusOf, wantRank)
		final := next != nil && to.matches(next.To)
		if !final && moves == 0 && to.Status != "" {
			// Before the first step of a longer walk, make sure the
			// status exists at all; a direct transition proves it.
			if err := s.c.Workflow.checkStatusExists(ctx, to.Status); err != nil {
				return 0, fmt.Errorf("jira: move %s to %s: %w", issue, to, err)
			}
		}
		if next == nil {
			return moves, fmt.Errorf("jira: move %s to %s: no path from status %q: %w", issue, to, statusName(here), tracker.ErrNoTransition)
		}
		in := &TransitionInput{ID: next.ID}
		if final {
			if to.Resolution != "" && next.Fields["resolution"] != nil {
				in.Fields = Fields{"resolution": map[string]string{"name": to.Resolution}}
			}
			if to.Comment != "" {
				in.Comment = &CommentInput{Body: Plain(to.Comment)}
			}
		}
		if _, err := s.Do(ctx, issue, in); err != nil {
			return moves, fmt.Errorf("jira: move %s to %s: transition %q: %w", issue, to, next.Name, err)
		}
		moves++
		here = next.To
		if final {
			return moves, nil
		}
	}
	return moves, fmt.Errorf("jira: move %s to %s: gave up after %d transitions: %w", issue, to, maxMoves, tracker.ErrNoTransition)
}

func statusName(s *Status) string {
	if s == nil {
		return ""
	}
	return s.Name
}

// nextStep returns the first transition of the best known path: to the
// target if a path is known, else to the nearest unexplored status,
// preferring statuses whose category is closest to the wanted one.
func (s *TransitionsService) nextStep(from string, to Target, edges map[string][]*Transition, statusOf map[string]*Status, wantRank int) *Transition {
	type hop struct {
		status string
		first  *Transition
	}
	seen := map[string]bool{from: true}
	queue := []hop{{status: from}}
	var explore *Transition
	exploreDist := -1
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		out, known := edges[h.status]
		if !known {
			if h.first != nil {
				st := statusOf[h.status]
				d := abs(categoryRank(st.CategoryKey()) - wantRank)
				if to.Status != "" {
					d = 0
				}
				if explore == nil || d < exploreDist {
					explore, exploreDist = h.first, d
				}
			}
			continue
		}
		for _, t := range out {
			if t.To == nil || seen[t.To.ID] {
				continue
			}
			first := h.first
			if first == nil {
				first = t
			}
			if to.matches(t.To) {
				return first
			}
			seen[t.To.ID] = true
			queue = append(queue, hop{status: t.To.ID, first: first})
		}
	}
	return explore
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
