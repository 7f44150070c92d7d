package mapping

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

// refKind is a standard attribute of tracker.Issue, or refField for an
// entry of Issue.Fields.
type refKind int

const (
	refInvalid refKind = iota
	refID
	refKey
	refURL
	refProject
	refType
	refSummary
	refDescription
	refStatus
	refStatusCategory
	refResolution
	refPriority
	refAssignee
	refReporter
	refLabels
	refCreated
	refUpdated
	refField
)

// refNames lists the standard references, in the documented order.
var refNames = [...]struct {
	name string
	kind refKind
}{
	{"id", refID}, {"key", refKey}, {"url", refURL}, {"project", refProject},
	{"type", refType}, {"summary", refSummary}, {"description", refDescription},
	{"status", refStatus}, {"statusCategory", refStatusCategory},
	{"resolution", refResolution}, {"priority", refPriority},
	{"assignee", refAssignee}, {"reporter", refReporter}, {"labels", refLabels},
	{"created", refCreated}, {"updated", refUpdated},
}

// ref is a parsed field reference.
type ref struct {
	kind  refKind
	field string // for refField
	text  string
}

// parseRef reads a field reference: a standard name or fields.NAME.
func parseRef(s string) (ref, error) {
	if name, ok := strings.CutPrefix(s, "fields."); ok {
		if name == "" {
			return ref{}, fmt.Errorf("empty field name in %q", s)
		}
		return ref{kind: refField, field: name, text: s}, nil
	}
	for _, r := range refNames {
		if r.name == s {
			return ref{kind: r.kind, text: s}, nil
		}
	}
	hint := ""
	for _, r := range refNames {
		if similar(r.name, s) {
			hint = fmt.Sprintf(" (did you mean %q?)", r.name)
			break
		}
	}
	if hint == "" {
		hint = fmt.Sprintf(" (want one of %s, or fields.NAME)", refList())
	}
	return ref{}, fmt.Errorf("unknown field %q%s", s, hint)
}

func refList() string {
	names := make([]string, len(refNames))
	for i, r := range refNames {
		names[i] = r.name
	}
	return strings.Join(names, ", ")
}

// get returns the referenced value of an issue and whether it is present.
// Standard text attributes are present when not empty.
func (r ref) get(is *tracker.Issue) (any, bool) {
	str := func(s string) (any, bool) { return s, s != "" }
	switch r.kind {
	case refID:
		return str(is.ID)
	case refKey:
		return str(is.Key)
	case refURL:
		return str(is.URL)
	case refProject:
		return str(is.Project)
	case refType:
		return str(is.Type)
	case refSummary:
		return str(is.Summary)
	case refDescription:
		return str(is.Description)
	case refStatus:
		return str(is.Status)
	case refStatusCategory:
		return str(string(is.StatusCategory))
	case refResolution:
		return str(is.Resolution)
	case refPriority:
		return str(is.Priority)
	case refAssignee:
		// A readable name where the tracker described the person, so a
		// back-mapping writes "SecOps Team", not an opaque account id.
		if u := is.AssigneeUser; u != nil && u.Name != "" {
			return str(u.Name)
		}
		return str(is.Assignee)
	case refReporter:
		return str(is.Reporter)
	case refLabels:
		return is.Labels, len(is.Labels) > 0
	case refCreated:
		return is.Created, !is.Created.IsZero()
	case refUpdated:
		return is.Updated, !is.Updated.IsZero()
	case refField:
		v, ok := is.Fields[r.field]
		return v, ok && !isEmpty(v)
	}
	return nil, false
}

// isEmpty reports whether a value counts as absent: nil, "", an empty list
// or map, the zero time, a nil pointer.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	case time.Time:
		return x.IsZero()
	case *time.Time:
		return x == nil || x.IsZero()
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	case reflect.Slice, reflect.Map:
		return rv.Len() == 0
	}
	return false
}

// similar reports whether two names differ by case, underscores or at most
// two edits: the usual typos.
func similar(a, b string) bool {
	norm := func(s string) []rune { return []rune(strings.ToLower(strings.ReplaceAll(s, "_", ""))) }
	x, y := norm(a), norm(b)
	if len(x) > 64 || len(y) > 64 {
		return false
	}
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(y)] <= min(2, len(x)/3+1)
}
