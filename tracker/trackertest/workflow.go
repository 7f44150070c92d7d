package trackertest

import (
	"fmt"
	"strings"

	"github.com/trackbridge/trackbridge/tracker"
)

// Workflow is the set of statuses a [Memory] tracker's issues move through
// and the transitions allowed between them. New issues start in the first
// status.
type Workflow struct {
	Statuses    []tracker.StatusInfo
	Transitions []Transition
}

// Transition is one allowed move between two statuses, named as in
// [Workflow.Statuses].
type Transition struct {
	From, To string
}

// DefaultWorkflow returns the workflow a [Memory] tracker uses unless told
// otherwise: "To Do" → "In Progress" → "Done", and "Done" → "To Do" to
// reopen.
func DefaultWorkflow() Workflow {
	return Workflow{
		Statuses: []tracker.StatusInfo{
			{Name: "To Do", Category: tracker.CategoryToDo},
			{Name: "In Progress", Category: tracker.CategoryInProgress},
			{Name: "Done", Category: tracker.CategoryDone},
		},
		Transitions: []Transition{
			{From: "To Do", To: "In Progress"},
			{From: "In Progress", To: "Done"},
			{From: "Done", To: "To Do"},
		},
	}
}

// Validate reports a workflow without statuses, a status without a name or
// category, a status named twice (names compare case-insensitively) and a
// transition naming an unknown status.
func (w Workflow) Validate() error {
	if len(w.Statuses) == 0 {
		return fmt.Errorf("trackertest: workflow has no statuses")
	}
	seen := make(map[string]bool, len(w.Statuses))
	for i, s := range w.Statuses {
		if s.Name == "" {
			return fmt.Errorf("trackertest: workflow status %d has no name", i)
		}
		if s.Category == tracker.CategoryUnknown {
			return fmt.Errorf("trackertest: workflow status %q has no category", s.Name)
		}
		k := strings.ToLower(s.Name)
		if seen[k] {
			return fmt.Errorf("trackertest: workflow status %q appears twice", s.Name)
		}
		seen[k] = true
	}
	for i, t := range w.Transitions {
		if !seen[strings.ToLower(t.From)] || !seen[strings.ToLower(t.To)] {
			return fmt.Errorf("trackertest: workflow transition %d (%q → %q) names an unknown status", i, t.From, t.To)
		}
	}
	return nil
}

// status returns the declared status with the given name, compared
// case-insensitively.
func (w Workflow) status(name string) (tracker.StatusInfo, bool) {
	for _, s := range w.Statuses {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return tracker.StatusInfo{}, false
}

// Path returns the shortest sequence of statuses leading from the status
// named from to the target (a status by name or, when to.Status is empty,
// the nearest status in to.Category), excluding from itself. It returns an
// empty path when from already satisfies the target, and an error matching
// [tracker.ErrNoTransition] when no path exists.
func (w Workflow) Path(from string, to tracker.TransitionTarget) ([]string, error) {
	start, ok := w.status(from)
	if !ok {
		return nil, fmt.Errorf("trackertest: unknown status %q: %w", from, tracker.ErrNoTransition)
	}
	reached := func(s tracker.StatusInfo) bool {
		if to.Status != "" {
			return strings.EqualFold(s.Name, to.Status)
		}
		return to.Category != tracker.CategoryUnknown && s.Category == to.Category
	}
	if reached(start) {
		return nil, nil
	}
	// Breadth-first search over status names; prev records how each status
	// was first reached so the path can be read back.
	prev := map[string]string{start.Name: ""}
	queue := []string{start.Name}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, t := range w.Transitions {
			if !strings.EqualFold(t.From, cur) {
				continue
			}
			next, ok := w.status(t.To)
			if !ok {
				continue
			}
			if _, seen := prev[next.Name]; seen {
				continue
			}
			prev[next.Name] = cur
			if reached(next) {
				var path []string
				for s := next.Name; s != start.Name; s = prev[s] {
					path = append([]string{s}, path...)
				}
				return path, nil
			}
			queue = append(queue, next.Name)
		}
	}
	return nil, fmt.Errorf("trackertest: no path from %q to %s: %w", start.Name, to, tracker.ErrNoTransition)
}
