package access

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// DefaultFindingsKind is the Kind of a [FindingsTracker] made with an empty
// kind.
const DefaultFindingsKind = "access-review"

// The statuses of findings in a [FindingsTracker].
const (
	// FindingOpen: the violation was present in the latest review.
	FindingOpen = "Open"
	// FindingResolved: the violation was present in an earlier review and
	// is gone.
	FindingResolved = "Resolved"
)

// LabelAccessReview is the label every finding issue carries, beside its
// rule.
const LabelAccessReview = "access-review"

// The Fields keys of finding issues.
const (
	FieldRule      = "rule"
	FieldAccountID = "account_id"
	FieldLogin     = "login"
	FieldEmail     = "email"
	FieldName      = "name"
	FieldRole      = "role"
	FieldDirectory = "directory"
)

// FindingsTracker presents the findings of successive reviews as issues, so
// that a sync engine can file one ticket per violation and close it when
// the violation is gone. It implements [tracker.Tracker] and
// [tracker.Searcher].
//
// Each finding is an issue whose ID and Key are [Finding.Key]; Summary is
// [Finding.Summary]; Description gives the evidence, account and roster
// entry; Labels are "access-review" and the rule; Fields hold rule,
// account_id, login, email, name, role and directory. A finding of the
// latest review has status "Open" in [tracker.CategoryToDo]. A finding of
// an earlier review that the latest one no longer has is "Resolved" in
// [tracker.CategoryDone]; it stays so (and searchable by id) until it
// recurs, which opens it again.
//
// Updated is the time of the review that last saw an open finding, or
// that first missed a resolved one, so a poller on an "updated since"
// cursor sees every open finding after each review and each resolution
// once.
//
// The tracker keeps its state in memory. A host that reviews from a
// scheduled job, a new process each time, saves each report (it is plain
// JSON) and records the previous one before the new one:
//
//	ft := access.NewFindingsTracker("")
//	ft.Record(previous) // loaded from last run's file
//	ft.Record(current)  // findings gone since are now Resolved
//
// Sync after every review: a finding that opens and resolves between two
// syncs reaches the engine only as resolved, and becomes a ticket that is
// created and closed at once.
//
// A FindingsTracker is safe for concurrent use.
type FindingsTracker struct {
	kind string

	mu     sync.Mutex
	issues map[string]*tracker.Issue
}

// NewFindingsTracker returns an empty findings tracker whose Kind is kind,
// or DefaultFindingsKind when kind is empty. The kind names the source in
// a sync engine's links: keep it stable.
func NewFindingsTracker(kind string) *FindingsTracker {
	if kind == "" {
		kind = DefaultFindingsKind
	}
	return &FindingsTracker{kind: kind, issues: map[string]*tracker.Issue{}}
}

// Interface checks.
var (
	_ tracker.Tracker  = (*FindingsTracker)(nil)
	_ tracker.Searcher = (*FindingsTracker)(nil)
)

// Changes says what recording a report changed.
type Changes struct {
	// Opened are the keys of findings not open before: new, or recurring
	// after being resolved.
	Opened []string
	// Resolved are the keys of findings open before and absent from the
	// report.
	Resolved []string
	// Open counts the findings open now.
	Open int
}

// Record makes rep the latest review: its findings become (or stay) open,
// and findings open before that rep does not contain become resolved, as
// of rep.Time. Record ignores a nil report.
func (t *FindingsTracker) Record(rep *Report) Changes {
	var ch Changes
	if rep == nil {
		return ch
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	seen := make(map[string]bool, len(rep.Findings))
	for _, f := range rep.Findings {
		if f == nil || f.Account == nil {
			continue
		}
		is := findingIssue(f)
		is.Created, is.Updated = rep.Time, rep.Time
		if old, ok := t.issues[is.ID]; ok {
			is.Created = old.Created
			if old.StatusCategory != tracker.CategoryToDo {
				ch.Opened = append(ch.Opened, is.ID)
			}
		} else {
			ch.Opened = append(ch.Opened, is.ID)
		}
		if !seen[is.ID] {
			ch.Open++
		}
		seen[is.ID] = true
		t.issues[is.ID] = is
	}
	for id, is := range t.issues {
		if seen[id] || is.StatusCategory == tracker.CategoryDone {
			continue
		}
		is.Status, is.StatusCategory, is.Updated = FindingResolved, tracker.CategoryDone, rep.Time
		ch.Resolved = append(ch.Resolved, id)
	}
	slices.Sort(ch.Opened)
	slices.Sort(ch.Resolved)
	return ch
}

// Forget drops resolved findings resolved before the instant, to bound
// the memory of a long-running tracker. Do it only once the sync engine
// has closed their tickets. It returns how many it dropped.
func (t *FindingsTracker) Forget(before time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for id, is := range t.issues {
		if is.StatusCategory == tracker.CategoryDone && is.Updated.Before(before) {
			delete(t.issues, id)
			n++
		}
	}
	return n
}

// Kind returns the kind given to [NewFindingsTracker].
func (t *FindingsTracker) Kind() string { return t.kind }

// GetIssue returns a copy of the finding with the given key, or an error
// matching tracker.ErrNotFound.
func (t *FindingsTracker) GetIssue(ctx context.Context, id string) (*tracker.Issue, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	is, ok := t.issues[id]
	if !ok {
		return nil, fmt.Errorf("access: finding %q: %w", id, tracker.ErrNotFound)
	}
	return is.Clone(), nil
}

// Issues returns copies of every finding, open and resolved, in the order
// SearchIssues yields them.
func (t *FindingsTracker) Issues() []*tracker.Issue {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*tracker.Issue, 0, len(t.issues))
	for _, is := range t.issues {
		out = append(out, is.Clone())
	}
	slices.SortFunc(out, func(a, b *tracker.Issue) int {
		return cmp.Or(a.Updated.Compare(b.Updated), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// SearchIssues yields copies of the findings that match q, in ascending
// Updated order (then by key). It honours UpdatedSince and Statuses
// ("Open", "Resolved", case-insensitively); Project is ignored, as
// findings belong to no project; a Raw query is unsupported.
func (t *FindingsTracker) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return func(yield func(*tracker.Issue, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return
		}
		if q.Raw != "" {
			yield(nil, fmt.Errorf("access: findings cannot be searched with a raw query: %w", tracker.ErrUnsupported))
			return
		}
		for _, is := range t.Issues() {
			if !q.UpdatedSince.IsZero() && is.Updated.Before(q.UpdatedSince) {
				continue
			}
			if len(q.Statuses) > 0 && !slices.ContainsFunc(q.Statuses, func(s string) bool { return strings.EqualFold(s, is.Status) }) {
				continue
			}
			if !yield(is, nil) {
				return
			}
		}
	}
}

// findingIssue renders an open finding as an issue.
func findingIssue(f *Finding) *tracker.Issue {
	u := f.Account
	key := f.Key()
	fields := map[string]any{
		FieldRule:      string(f.Rule),
		FieldAccountID: u.ID,
		FieldLogin:     u.Login,
		FieldEmail:     u.Email,
		FieldName:      u.Name,
		FieldDirectory: f.Directory,
	}
	if f.Entry != nil {
		fields[FieldRole] = f.Entry.Role
		if fields[FieldName] == "" {
			fields[FieldName] = f.Entry.Name
		}
	}
	return &tracker.Issue{
		ID:             key,
		Key:            key,
		Type:           "Access finding",
		Summary:        f.Summary(),
		Description:    Describe(f),
		Status:         FindingOpen,
		StatusCategory: tracker.CategoryToDo,
		Labels:         []string{LabelAccessReview, string(f.Rule)},
		Fields:         fields,
	}
}

// Describe renders a finding as a plain-text ticket description: the
// evidence, then the account and the roster entry. Like Evidence.Text it
// does not depend on the day of the review.
func Describe(f *Finding) string {
	var b strings.Builder
	b.WriteString(f.Evidence.Text)
	b.WriteString("\n\n")
	u := f.Account
	fmt.Fprintf(&b, "Account: %s", accountName(u))
	var about []string
	if u.Name != "" {
		about = append(about, u.Name)
	}
	if u.Email != "" && u.Email != accountName(u) {
		about = append(about, u.Email)
	}
	if u.ID != "" {
		about = append(about, "id "+u.ID)
	}
	if len(about) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(about, ", "))
	}
	b.WriteString("\n")
	if len(u.Groups) > 0 {
		fmt.Fprintf(&b, "Groups: %s\n", strings.Join(u.Groups, ", "))
	}
	if len(u.Roles) > 0 {
		fmt.Fprintf(&b, "Roles: %s\n", strings.Join(u.Roles, ", "))
	}
	if e := f.Entry; e != nil {
		fmt.Fprintf(&b, "Roster: %s, %s", e.String(), e.Status)
		if !e.OffboardedAt.IsZero() {
			fmt.Fprintf(&b, " on %s", e.OffboardedAt.UTC().Format(time.DateOnly))
		}
		if e.Role != "" {
			fmt.Fprintf(&b, ", role %s", e.Role)
		}
		fmt.Fprintf(&b, " (%s", sourceOf(e))
		if f.Evidence.MatchedBy != "" {
			fmt.Fprintf(&b, ", matched by %s", f.Evidence.MatchedBy)
		}
		b.WriteString(")\n")
	} else {
		b.WriteString("Roster: no entry\n")
	}
	fmt.Fprintf(&b, "Rule: %s\nFinding: %s", f.Rule, f.Key())
	return b.String()
}
