package trackertest

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// The operation names [Memory.Calls] counts and [Memory.FailNext] accepts,
// one per method of the capability interfaces.
const (
	OpGetIssue         = "GetIssue"
	OpCreateIssue      = "CreateIssue"
	OpCreateIssues     = "CreateIssues"
	OpUpdateIssue      = "UpdateIssue"
	OpDeleteIssue      = "DeleteIssue"
	OpSearchIssues     = "SearchIssues"
	OpTransition       = "Transition"
	OpListComments     = "ListComments"
	OpAddComment       = "AddComment"
	OpUpdateComment    = "UpdateComment"
	OpDeleteComment    = "DeleteComment"
	OpListUsers        = "ListUsers"
	OpFindByMarker     = "FindByMarker"
	OpDescribeFields   = "DescribeFields"
	OpDescribeStatuses = "DescribeStatuses"
)

// isWriteOp reports whether op changes the tracker; see [Memory.WriteCalls].
func isWriteOp(op string) bool {
	switch op {
	case OpCreateIssue, OpCreateIssues, OpUpdateIssue, OpDeleteIssue,
		OpTransition, OpAddComment, OpUpdateComment, OpDeleteComment:
		return true
	}
	return false
}

// defaultPageSize is the page size of a search whose Query.PageSize is 0.
const defaultPageSize = 50

// Memory is an in-memory tracker implementing every capability of package
// tracker. Host applications and engine tests use it in place of a vendor
// adapter; [Memory.Calls] counts the operations made on it and
// [Memory.FailNext] injects failures.
//
// Issues get ids "1", "2", … and keys PROJECT-n; Updated times strictly
// increase even when the clock stands still, so cursors over them work.
// Every issue, comment and user it returns is a copy. A Memory is safe for
// concurrent use.
type Memory struct {
	kind       string
	now        func() time.Time
	workflow   Workflow
	actor      string
	priorities []string
	fields     []tracker.FieldInfo
	hook       func(ctx context.Context, op string) error

	mu        sync.Mutex
	issues    map[string]*memIssue // by id
	keys      map[string]string    // key → id
	nextIssue int
	nextKey   map[string]int // project → last key number
	nextCmt   int
	last      time.Time // latest Updated handed out
	users     []*tracker.User
	calls     map[string]int
	failures  map[string][]error
}

// memIssue is the stored form of an issue.
type memIssue struct {
	seq      int
	issue    *tracker.Issue
	marker   string
	comments []*tracker.Comment
}

// MemoryOption configures a [Memory] tracker.
type MemoryOption func(*Memory)

// WithClock sets the clock that stamps Created and Updated times; the
// default is time.Now. A clock that stands still is fine: each new stamp is
// at least a millisecond after the previous one.
func WithClock(now func() time.Time) MemoryOption {
	return func(m *Memory) { m.now = now }
}

// WithWorkflow replaces [DefaultWorkflow]. An invalid workflow (see
// [Workflow.Validate]) is ignored, leaving the default in place.
func WithWorkflow(w Workflow) MemoryOption {
	return func(m *Memory) {
		if w.Validate() == nil {
			m.workflow = w
		}
	}
}

// WithActor names the user the tracker attributes reported issues and
// comments to; the default is "memory".
func WithActor(login string) MemoryOption {
	return func(m *Memory) { m.actor = login }
}

// WithPriorities sets the priorities issues may have, highest first; the
// default is Highest, High, Medium, Low, Lowest. Other values are refused
// with an error matching [tracker.ErrInvalid], the way a real tracker
// refuses them.
func WithPriorities(p ...string) MemoryOption {
	return func(m *Memory) { m.priorities = slices.Clone(p) }
}

// WithFields declares extra fields for [Memory.DescribeFields]. A declared
// field with Allowed values refuses other string values with an error
// matching [tracker.ErrInvalid]; undeclared fields accept anything.
func WithFields(f ...tracker.FieldInfo) MemoryOption {
	return func(m *Memory) { m.fields = slices.Clone(f) }
}

// WithHook sets a function called at the start of every operation, after it
// is counted. A non-nil error fails the operation with that error. Tests use
// it to block an operation until they are ready, or to fail selectively.
func WithHook(h func(ctx context.Context, op string) error) MemoryOption {
	return func(m *Memory) { m.hook = h }
}

// NewMemory returns an empty in-memory tracker whose [Memory.Kind] is kind.
func NewMemory(kind string, opts ...MemoryOption) *Memory {
	m := &Memory{
		kind:       kind,
		now:        time.Now,
		workflow:   DefaultWorkflow(),
		actor:      "memory",
		priorities: []string{"Highest", "High", "Medium", "Low", "Lowest"},
		issues:     make(map[string]*memIssue),
		keys:       make(map[string]string),
		nextKey:    make(map[string]int),
		calls:      make(map[string]int),
		failures:   make(map[string][]error),
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Interface checks: Memory implements every capability.
var (
	_ tracker.Tracker       = (*Memory)(nil)
	_ tracker.Creator       = (*Memory)(nil)
	_ tracker.BulkCreator   = (*Memory)(nil)
	_ tracker.Updater       = (*Memory)(nil)
	_ tracker.Deleter       = (*Memory)(nil)
	_ tracker.Searcher      = (*Memory)(nil)
	_ tracker.Transitioner  = (*Memory)(nil)
	_ tracker.Commenter     = (*Memory)(nil)
	_ tracker.UserDirectory = (*Memory)(nil)
	_ tracker.MarkerFinder  = (*Memory)(nil)
	_ tracker.Describer     = (*Memory)(nil)
)

// Kind returns the kind given to [NewMemory].
func (m *Memory) Kind() string { return m.kind }

// Calls returns how many times each operation (OpGetIssue, …) was called
// since the tracker was made or [Memory.ResetCalls] last ran. A search
// counts one OpSearchIssues per page it fetches, as a vendor adapter makes
// one request per page. Failed calls count too.
func (m *Memory) Calls() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int, len(m.calls))
	for op, n := range m.calls {
		out[op] = n
	}
	return out
}

// WriteCalls returns how many calls of operations that change the tracker
// (create, update, delete, transition, comment writes) were made; a sync
// engine's second run over unchanged data should make none.
func (m *Memory) WriteCalls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for op, c := range m.calls {
		if isWriteOp(op) {
			n += c
		}
	}
	return n
}

// ResetCalls sets every count of [Memory.Calls] back to zero.
func (m *Memory) ResetCalls() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.calls)
}

// FailNext makes the next call of op fail with err, without any effect on
// the stored data. Calling it several times queues several failures, used
// up in order. For OpSearchIssues the failure hits the next page fetched.
func (m *Memory) FailNext(op string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failures[op] = append(m.failures[op], err)
}

// AddUser adds an account to the directory [Memory.ListUsers] lists.
func (m *Memory) AddUser(u *tracker.User) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.users = append(m.users, cloneUser(u))
}

// Len returns the number of issues stored.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.issues)
}

// begin counts a call of op and returns the error it must fail with: the
// context's, an injected one or the hook's. It must be called without m.mu
// held.
func (m *Memory) begin(ctx context.Context, op string) error {
	m.mu.Lock()
	m.calls[op]++
	var injected error
	if q := m.failures[op]; len(q) > 0 {
		injected, m.failures[op] = q[0], q[1:]
	}
	m.mu.Unlock()
	if injected != nil {
		return injected
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.hook != nil {
		return m.hook(ctx, op)
	}
	return nil
}

// stamp returns the next Updated time: the clock's, or a millisecond after
// the last stamp if the clock has not moved past it. m.mu must be held.
func (m *Memory) stamp() time.Time {
	t := m.now()
	if !t.After(m.last) {
		t = m.last.Add(time.Millisecond)
	}
	m.last = t
	return t
}

// lookup finds an issue by id or key. m.mu must be held.
func (m *Memory) lookup(id string) (*memIssue, error) {
	if s, ok := m.issues[id]; ok {
		return s, nil
	}
	if real, ok := m.keys[id]; ok {
		if s, ok := m.issues[real]; ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("memory: issue %q: %w", id, tracker.ErrNotFound)
}

// GetIssue returns a copy of the issue with the given id or key.
func (m *Memory) GetIssue(ctx context.Context, id string) (*tracker.Issue, error) {
	if err := m.begin(ctx, OpGetIssue); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.lookup(id)
	if err != nil {
		return nil, err
	}
	return s.issue.Clone(), nil
}

// CreateIssue opens an issue in the workflow's first status, reported by
// the actor (see [WithActor]), of type "Task" unless in.Type says otherwise,
// with in.Parent kept as the field "Parent". It refuses an empty summary, an
// unknown priority, a value a closed field does not allow and an invalid
// marker with an error matching [tracker.ErrInvalid]. The marker is stored
// beside the issue, not in its labels or fields.
func (m *Memory) CreateIssue(ctx context.Context, in *tracker.NewIssue) (*tracker.Issue, error) {
	if err := m.begin(ctx, OpCreateIssue); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.create(in)
}

// CreateIssues opens each issue as [Memory.CreateIssue] does, in one call.
func (m *Memory) CreateIssues(ctx context.Context, in []*tracker.NewIssue) ([]tracker.BulkResult, error) {
	if err := m.begin(ctx, OpCreateIssues); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]tracker.BulkResult, len(in))
	for i, n := range in {
		out[i].Issue, out[i].Err = m.create(n)
	}
	return out, nil
}

// create stores a new issue. m.mu must be held.
func (m *Memory) create(in *tracker.NewIssue) (*tracker.Issue, error) {
	if in == nil {
		return nil, fmt.Errorf("memory: nil issue: %w", tracker.ErrInvalid)
	}
	if strings.TrimSpace(in.Summary) == "" {
		return nil, fmt.Errorf("memory: issue has no summary: %w", tracker.ErrInvalid)
	}
	if in.Marker != "" {
		if err := tracker.CheckMarker(in.Marker); err != nil {
			return nil, fmt.Errorf("memory: %w: %w", err, tracker.ErrInvalid)
		}
	}
	if err := m.checkPriority(in.Priority); err != nil {
		return nil, err
	}
	if err := m.checkFields(in.Fields); err != nil {
		return nil, err
	}
	m.nextIssue++
	id := strconv.Itoa(m.nextIssue)
	prefix := in.Project
	if prefix == "" {
		prefix = "MEM"
	}
	m.nextKey[prefix]++
	key := prefix + "-" + strconv.Itoa(m.nextKey[prefix])
	typ := in.Type
	if typ == "" {
		typ = "Task"
	}
	first := m.workflow.Statuses[0]
	now := m.stamp()
	is := &tracker.Issue{
		ID:             id,
		Key:            key,
		URL:            "memory://" + m.kind + "/issues/" + key,
		Project:        in.Project,
		Type:           typ,
		Summary:        in.Summary,
		Description:    in.Description,
		Status:         first.Name,
		StatusCategory: first.Category,
		Priority:       in.Priority,
		Assignee:       in.Assignee,
		Reporter:       m.actor,
		Labels:         dedupe(nil, in.Labels),
		Created:        now,
		Updated:        now,
	}
	for k, v := range in.Fields {
		if v == nil {
			continue
		}
		if is.Fields == nil {
			is.Fields = make(map[string]any)
		}
		is.Fields[k] = tracker.CloneValue(v)
	}
	if in.Parent != "" {
		if is.Fields == nil {
			is.Fields = make(map[string]any)
		}
		is.Fields["Parent"] = in.Parent
	}
	m.issues[id] = &memIssue{seq: m.nextIssue, issue: is, marker: in.Marker}
	m.keys[key] = id
	return is.Clone(), nil
}

// checkPriority refuses a priority not in the configured list.
func (m *Memory) checkPriority(p string) error {
	if p == "" || slices.Contains(m.priorities, p) {
		return nil
	}
	return fmt.Errorf("memory: priority %q is not one of %s: %w", p, strings.Join(m.priorities, ", "), tracker.ErrInvalid)
}

// checkFields refuses string values of declared closed fields that are not
// allowed.
func (m *Memory) checkFields(fields map[string]any) error {
	for _, f := range m.fields {
		if len(f.Allowed) == 0 {
			continue
		}
		v, ok := fields[f.Name]
		if !ok {
			v, ok = fields[f.ID]
		}
		s, isString := v.(string)
		if ok && isString && !slices.Contains(f.Allowed, s) {
			return fmt.Errorf("memory: field %q: value %q is not one of %s: %w", f.Name, s, strings.Join(f.Allowed, ", "), tracker.ErrInvalid)
		}
	}
	return nil
}

// UpdateIssue applies the change. Attributes the change does not set keep
// their values; Updated moves only when something actually changed.
func (m *Memory) UpdateIssue(ctx context.Context, id string, ch *tracker.Change) error {
	if err := m.begin(ctx, OpUpdateIssue); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.lookup(id)
	if err != nil {
		return err
	}
	if ch.IsEmpty() {
		return nil
	}
	if ch.Priority != nil {
		if err := m.checkPriority(*ch.Priority); err != nil {
			return err
		}
	}
	if err := m.checkFields(ch.Fields); err != nil {
		return err
	}
	is := s.issue
	before := is.Clone()
	setIf(&is.Summary, ch.Summary)
	setIf(&is.Description, ch.Description)
	setIf(&is.Priority, ch.Priority)
	setIf(&is.Assignee, ch.Assignee)
	setIf(&is.Resolution, ch.Resolution)
	if ch.Labels != nil {
		is.Labels = dedupe(nil, *ch.Labels)
	}
	is.Labels = dedupe(is.Labels, ch.AddLabels)
	if len(ch.RemoveLabels) > 0 {
		is.Labels = slices.DeleteFunc(is.Labels, func(l string) bool { return slices.Contains(ch.RemoveLabels, l) })
	}
	for k, v := range ch.Fields {
		if v == nil {
			delete(is.Fields, k)
			continue
		}
		if is.Fields == nil {
			is.Fields = make(map[string]any)
		}
		is.Fields[k] = tracker.CloneValue(v)
	}
	if len(is.Fields) == 0 {
		is.Fields = nil
	}
	if !sameIssue(before, is) {
		is.Updated = m.stamp()
	}
	return nil
}

// DeleteIssue removes the issue and its comments.
func (m *Memory) DeleteIssue(ctx context.Context, id string) error {
	if err := m.begin(ctx, OpDeleteIssue); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.lookup(id)
	if err != nil {
		return err
	}
	delete(m.issues, s.issue.ID)
	delete(m.keys, s.issue.Key)
	return nil
}

// SearchIssues yields the issues matching q in ascending Updated order,
// fetching q.PageSize (default 50) at a time and checking ctx before each
// page. It pages by keyset on (Updated, id), so an issue updated during the
// iteration is yielded again further on, as a real tracker would.
// A non-empty q.Raw yields an error matching [tracker.ErrUnsupported].
func (m *Memory) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	q.Statuses = slices.Clone(q.Statuses)
	size := q.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	return func(yield func(*tracker.Issue, error) bool) {
		if q.Raw != "" {
			yield(nil, fmt.Errorf("memory: raw query %q: %w", q.Raw, tracker.ErrUnsupported))
			return
		}
		var after *memIssue // keyset cursor: last issue yielded
		var afterUpdated time.Time
		for {
			if err := m.begin(ctx, OpSearchIssues); err != nil {
				yield(nil, err)
				return
			}
			page, more := m.page(q, after, afterUpdated, size)
			for _, s := range page {
				if !yield(s.issue, nil) {
					return
				}
			}
			if !more || len(page) == 0 {
				return
			}
			after, afterUpdated = page[len(page)-1], page[len(page)-1].issue.Updated
		}
	}
}

// page returns up to size copies of matching issues after the cursor and
// whether more may follow.
func (m *Memory) page(q tracker.Query, after *memIssue, afterUpdated time.Time, size int) ([]*memIssue, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var match []*memIssue
	for _, s := range m.issues {
		is := s.issue
		if q.Project != "" && is.Project != q.Project {
			continue
		}
		if !q.UpdatedSince.IsZero() && is.Updated.Before(q.UpdatedSince) {
			continue
		}
		if len(q.Statuses) > 0 && !slices.ContainsFunc(q.Statuses, func(st string) bool { return strings.EqualFold(st, is.Status) }) {
			continue
		}
		if after != nil {
			if c := is.Updated.Compare(afterUpdated); c < 0 || c == 0 && s.seq <= after.seq {
				continue
			}
		}
		match = append(match, s)
	}
	slices.SortFunc(match, func(a, b *memIssue) int {
		return cmp.Or(a.issue.Updated.Compare(b.issue.Updated), cmp.Compare(a.seq, b.seq))
	})
	more := len(match) > size
	match = match[:min(size, len(match))]
	out := make([]*memIssue, len(match))
	for i, s := range match {
		// Copies, with the cursor data taken while the lock is held.
		out[i] = &memIssue{seq: s.seq, issue: s.issue.Clone()}
	}
	return out, more
}

// Transition moves the issue along the shortest path through the workflow
// to the target. Moving into a Done status records to.Resolution (or
// "Done"); moving out of one clears the resolution. to.Comment, when set, is
// added as a comment. A move to where the issue already is changes nothing,
// though it counts as a call.
func (m *Memory) Transition(ctx context.Context, id string, to tracker.TransitionTarget) error {
	if err := m.begin(ctx, OpTransition); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.lookup(id)
	if err != nil {
		return err
	}
	path, err := m.workflow.Path(s.issue.Status, to)
	if err != nil {
		return fmt.Errorf("memory: issue %s: %w", s.issue.Key, err)
	}
	if len(path) == 0 {
		return nil
	}
	dest, _ := m.workflow.status(path[len(path)-1])
	is := s.issue
	is.Status, is.StatusCategory = dest.Name, dest.Category
	switch {
	case dest.Category != tracker.CategoryDone:
		is.Resolution = ""
	case to.Resolution != "":
		is.Resolution = to.Resolution
	case is.Resolution == "":
		is.Resolution = "Done"
	}
	is.Updated = m.stamp()
	if to.Comment != "" {
		m.addComment(s, to.Comment)
	}
	return nil
}

// ListComments returns copies of the issue's comments, oldest first.
func (m *Memory) ListComments(ctx context.Context, issueID string) ([]*tracker.Comment, error) {
	if err := m.begin(ctx, OpListComments); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.lookup(issueID)
	if err != nil {
		return nil, err
	}
	out := make([]*tracker.Comment, len(s.comments))
	for i, c := range s.comments {
		out[i] = cloneComment(c)
	}
	return out, nil
}

// AddComment adds a comment by the tracker's actor (see [WithActor]).
func (m *Memory) AddComment(ctx context.Context, issueID, body string) (*tracker.Comment, error) {
	if err := m.begin(ctx, OpAddComment); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.lookup(issueID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(body) == "" {
		return nil, fmt.Errorf("memory: empty comment: %w", tracker.ErrInvalid)
	}
	return cloneComment(m.addComment(s, body)), nil
}

// Comment adds a comment as a person would: by author, with an optional
// visibility ("role:Administrators"; empty for public). It is the test's
// way to comment; the engine under test uses AddComment.
func (m *Memory) Comment(issueID, author, visibility, body string) (*tracker.Comment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.lookup(issueID)
	if err != nil {
		return nil, err
	}
	c := m.addComment(s, body)
	c.Author, c.AuthorName, c.Visibility = author, author, visibility
	return cloneComment(c), nil
}

// addComment stores a comment and moves the issue's Updated. m.mu must be
// held.
func (m *Memory) addComment(s *memIssue, body string) *tracker.Comment {
	m.nextCmt++
	now := m.stamp()
	c := &tracker.Comment{
		ID:         strconv.Itoa(m.nextCmt),
		IssueID:    s.issue.ID,
		Author:     m.actor,
		AuthorName: m.actor,
		Body:       body,
		Created:    now,
		Updated:    now,
	}
	s.comments = append(s.comments, c)
	s.issue.Updated = now
	return c
}

// UpdateComment replaces a comment's body.
func (m *Memory) UpdateComment(ctx context.Context, issueID, commentID, body string) (*tracker.Comment, error) {
	if err := m.begin(ctx, OpUpdateComment); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, i, err := m.comment(issueID, commentID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(body) == "" {
		return nil, fmt.Errorf("memory: empty comment: %w", tracker.ErrInvalid)
	}
	c := s.comments[i]
	if c.Body != body {
		c.Body = body
		c.Updated = m.stamp()
		s.issue.Updated = c.Updated
	}
	return cloneComment(c), nil
}

// DeleteComment removes a comment.
func (m *Memory) DeleteComment(ctx context.Context, issueID, commentID string) error {
	if err := m.begin(ctx, OpDeleteComment); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, i, err := m.comment(issueID, commentID)
	if err != nil {
		return err
	}
	s.comments = slices.Delete(s.comments, i, i+1)
	s.issue.Updated = m.stamp()
	return nil
}

// comment finds a comment of an issue. m.mu must be held.
func (m *Memory) comment(issueID, commentID string) (*memIssue, int, error) {
	s, err := m.lookup(issueID)
	if err != nil {
		return nil, 0, err
	}
	i := slices.IndexFunc(s.comments, func(c *tracker.Comment) bool { return c.ID == commentID })
	if i < 0 {
		return nil, 0, fmt.Errorf("memory: comment %q on issue %s: %w", commentID, s.issue.Key, tracker.ErrNotFound)
	}
	return s, i, nil
}

// ListUsers yields copies of the users added with [Memory.AddUser], in the
// order they were added.
func (m *Memory) ListUsers(ctx context.Context) iter.Seq2[*tracker.User, error] {
	return func(yield func(*tracker.User, error) bool) {
		if err := m.begin(ctx, OpListUsers); err != nil {
			yield(nil, err)
			return
		}
		m.mu.Lock()
		users := make([]*tracker.User, len(m.users))
		for i, u := range m.users {
			users[i] = cloneUser(u)
		}
		m.mu.Unlock()
		for _, u := range users {
			if !yield(u, nil) {
				return
			}
		}
	}
}

// FindByMarker returns copies of the issues created with the marker, oldest
// first, or an empty slice.
func (m *Memory) FindByMarker(ctx context.Context, marker string) ([]*tracker.Issue, error) {
	if err := m.begin(ctx, OpFindByMarker); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var found []*memIssue
	for _, s := range m.issues {
		if marker != "" && s.marker == marker {
			found = append(found, s)
		}
	}
	slices.SortFunc(found, func(a, b *memIssue) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]*tracker.Issue, 0, len(found))
	for _, s := range found {
		out = append(out, s.issue.Clone())
	}
	return out, nil
}

// DescribeFields returns the system fields (summary, description, priority
// with the allowed priorities, assignee, labels) followed by those declared
// with [WithFields]. Every project and issue type has the same fields.
func (m *Memory) DescribeFields(ctx context.Context, project, issueType string) ([]tracker.FieldInfo, error) {
	if err := m.begin(ctx, OpDescribeFields); err != nil {
		return nil, err
	}
	out := []tracker.FieldInfo{
		{ID: "summary", Name: "summary", Type: "string", Required: true},
		{ID: "description", Name: "description", Type: "string"},
		{ID: "priority", Name: "priority", Type: "option", Allowed: slices.Clone(m.priorities)},
		{ID: "assignee", Name: "assignee", Type: "user"},
		{ID: "labels", Name: "labels", Type: "array"},
	}
	for _, f := range m.fields {
		f.Allowed = slices.Clone(f.Allowed)
		out = append(out, f)
	}
	return out, nil
}

// DescribeStatuses returns the workflow's statuses; every project shares
// them.
func (m *Memory) DescribeStatuses(ctx context.Context, project string) ([]tracker.StatusInfo, error) {
	if err := m.begin(ctx, OpDescribeStatuses); err != nil {
		return nil, err
	}
	return slices.Clone(m.workflow.Statuses), nil
}

// setIf sets *dst to *v when v is not nil.
func setIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// dedupe appends the labels of add missing from have.
func dedupe(have, add []string) []string {
	for _, l := range add {
		if !slices.Contains(have, l) {
			have = append(have, l)
		}
	}
	return have
}

// sameIssue reports whether the attributes an update can change are equal.
func sameIssue(a, b *tracker.Issue) bool {
	if a.Summary != b.Summary || a.Description != b.Description || a.Priority != b.Priority ||
		a.Assignee != b.Assignee || a.Resolution != b.Resolution || !slices.Equal(a.Labels, b.Labels) ||
		len(a.Fields) != len(b.Fields) {
		return false
	}
	for k, v := range a.Fields {
		w, ok := b.Fields[k]
		if !ok || !valuesEqual(v, w) {
			return false
		}
	}
	return true
}

// cloneComment copies a comment.
func cloneComment(c *tracker.Comment) *tracker.Comment {
	cc := *c
	return &cc
}

// cloneUser copies a user.
func cloneUser(u *tracker.User) *tracker.User {
	c := *u
	c.Groups = slices.Clone(u.Groups)
	c.Roles = slices.Clone(u.Roles)
	return &c
}
