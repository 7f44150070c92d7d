// Package hosted lets a host application offer its own items (incidents,
// findings, assets) to the sync engine as a tracker, as a source or as a
// target, without writing an adapter.
//
// A [Platform] holds the items in memory. The host puts and edits items
// and comments the way its own users do ([Platform.Put], [Platform.Edit],
// [Platform.Remove], [Platform.Comment], [Platform.EditComment],
// [Platform.RemoveComment]); each such change becomes a [tracker.Event]
// handed to the handlers registered with [Platform.OnPersonChange], which
// usually pass it to the engine's flow (syncer.Flow.Handle). The engine reads and writes through
// the tracker interfaces the Platform implements ([tracker.Tracker],
// [tracker.Searcher], [tracker.Updater], [tracker.Transitioner],
// [tracker.Commenter], [tracker.Creator], [tracker.Deleter],
// [tracker.MarkerFinder], [tracker.Describer]); every change it makes is
// reported to the handlers registered with [Platform.OnEngineChange], so
// the host can persist it or show it to its users.
//
// A host whose items live in its own database keeps them there and mirrors
// them into a Platform on start and on change; the engine's writes, seen
// through OnEngineChange, are written back to the database.
package hosted

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// Person is whoever changes an item or writes a comment: one of the host's
// users, or the engine.
type Person struct {
	// ID identifies the person the way items do (Issue.Assignee,
	// Comment.Author); Name is for display.
	ID   string
	Name string
}

// DefaultEngine is the person engine writes are attributed to unless
// [WithEngine] says otherwise.
var DefaultEngine = Person{ID: "trackbridge", Name: "trackbridge"}

// DefaultStatuses are the statuses of a Platform made without
// [WithStatuses]: open, in_progress and resolved. New items start in the
// first.
func DefaultStatuses() []tracker.StatusInfo {
	return []tracker.StatusInfo{
		{Name: "open", Category: tracker.CategoryToDo},
		{Name: "in_progress", Category: tracker.CategoryInProgress},
		{Name: "resolved", Category: tracker.CategoryDone},
	}
}

// Option configures a [Platform].
type Option func(*Platform)

// WithClock sets the clock that stamps Created and Updated times (default
// time.Now). Stamps strictly increase even when the clock stands still.
func WithClock(now func() time.Time) Option { return func(p *Platform) { p.now = now } }

// WithStatuses sets the statuses items can be in. Any status can be
// reached from any other; new items start in the first. Statuses without
// a name or category are ignored; an empty list keeps [DefaultStatuses].
func WithStatuses(s ...tracker.StatusInfo) Option {
	return func(p *Platform) {
		s = slices.DeleteFunc(slices.Clone(s), func(st tracker.StatusInfo) bool {
			return st.Name == "" || st.Category == tracker.CategoryUnknown
		})
		if len(s) > 0 {
			p.statuses = s
		}
	}
}

// WithEngine sets the person the engine's writes are attributed to
// (default [DefaultEngine]): the author of the comments it adds and the
// Actor of the events it causes.
func WithEngine(who Person) Option { return func(p *Platform) { p.engine = who } }

// WithFields declares the extra fields items carry, for
// [Platform.DescribeFields] and so for a mapping's check of what a flow
// writes back. Items may carry undeclared fields all the same.
func WithFields(f ...tracker.FieldInfo) Option {
	return func(p *Platform) { p.fields = append(p.fields, f...) }
}

// WithURL makes Issue.URL of every item base + "/" + key.
func WithURL(base string) Option {
	return func(p *Platform) { p.base = strings.TrimSuffix(base, "/") }
}

// Platform is an in-memory tracker for a host application's own items. It
// is safe for concurrent use; every item and comment it returns is a copy.
// Handlers run after the change is made, outside the Platform's lock, in
// the goroutine that made the change, so a handler may call back into the
// Platform (and the engine may, through it).
type Platform struct {
	kind     string
	now      func() time.Time
	statuses []tracker.StatusInfo
	engine   Person
	base     string
	fields   []tracker.FieldInfo

	mu       sync.Mutex
	items    map[string]*item // by id
	keys     map[string]string
	seq      int // items stored so far, for ids and stable order
	nextCmt  int
	nextEv   int
	last     time.Time
	onPerson []tracker.EventHandler
	onEngine []func(ctx context.Context, ev tracker.Event)
}

// item is the stored form of an issue.
type item struct {
	seq      int
	issue    *tracker.Issue
	marker   string
	comments []*comment
}

// comment is a stored comment with its visibility.
type comment struct {
	c          *tracker.Comment
	visibility string
}

// New returns an empty Platform whose [Platform.Kind] is kind (the name
// refs and mapping specs use for it, "incidents").
func New(kind string, opts ...Option) *Platform {
	p := &Platform{
		kind:     kind,
		now:      time.Now,
		statuses: DefaultStatuses(),
		engine:   DefaultEngine,
		items:    map[string]*item{},
		keys:     map[string]string{},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Interface checks.
var (
	_ tracker.Tracker      = (*Platform)(nil)
	_ tracker.Searcher     = (*Platform)(nil)
	_ tracker.Updater      = (*Platform)(nil)
	_ tracker.Transitioner = (*Platform)(nil)
	_ tracker.Commenter    = (*Platform)(nil)
	_ tracker.Creator      = (*Platform)(nil)
	_ tracker.Deleter      = (*Platform)(nil)
	_ tracker.MarkerFinder = (*Platform)(nil)
	_ tracker.Describer    = (*Platform)(nil)
)

// OnPersonChange registers fn to receive an event for every change made
// through the person methods (Put, Edit, Remove, Comment, EditComment,
// RemoveComment): usually a function handing it to the engine's flow.
func (p *Platform) OnPersonChange(fn tracker.EventHandler) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onPerson = append(p.onPerson, fn)
}

// OnEngineChange registers fn to receive an event for every change made
// through the tracker interfaces, that is by the engine: Actor is the
// engine's [Person] ID.
func (p *Platform) OnEngineChange(fn func(ctx context.Context, ev tracker.Event)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onEngine = append(p.onEngine, fn)
}

// Kind returns the kind given to [New].
func (p *Platform) Kind() string { return p.kind }

// Len returns the number of items stored.
func (p *Platform) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.items)
}

// Items returns copies of every item, oldest first.
func (p *Platform) Items() []*tracker.Issue {
	p.mu.Lock()
	defer p.mu.Unlock()
	all := slices.Collect(func(yield func(*item) bool) {
		for _, it := range p.items {
			if !yield(it) {
				return
			}
		}
	})
	slices.SortFunc(all, func(a, b *item) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]*tracker.Issue, len(all))
	for i, it := range all {
		out[i] = it.issue.Clone()
	}
	return out
}

// ---- the person side --------------------------------------------------

// Put stores item as a person (by) creates or replaces it: an item with an
// ID replaces the stored one of that ID (keeping its Created time and
// comments), one without gets the next free ID ("1", "2", …). Key defaults
// to the ID, Status to the first status, and StatusCategory follows Status
// when it names a known status. It returns the stored copy; handlers
// registered with OnPersonChange receive an EventIssueChanged. Their
// errors are returned joined, with the item: the change stands.
func (p *Platform) Put(ctx context.Context, by Person, in *tracker.Issue) (*tracker.Issue, error) {
	if in == nil {
		return nil, fmt.Errorf("hosted: nil item: %w", tracker.ErrInvalid)
	}
	p.mu.Lock()
	is := in.Clone()
	old := p.items[is.ID]
	if old != nil && is.Key == "" {
		is.Key = old.issue.Key
	}
	if is.Key == "" && is.ID != "" {
		is.Key = is.ID
	}
	if owner := p.keys[is.Key]; is.Key != "" && owner != "" && owner != is.ID {
		p.mu.Unlock()
		return nil, fmt.Errorf("hosted: key %q is taken: %w", is.Key, tracker.ErrConflict)
	}
	var before *tracker.Issue
	if old == nil {
		if is.ID == "" {
			is.ID = p.nextID()
		} else {
			p.seq++
		}
		old = &item{seq: p.seq}
		p.items[is.ID] = old
	} else {
		before = old.issue
		is.Created = old.issue.Created
		delete(p.keys, old.issue.Key)
	}
	p.normalise(is)
	now := p.stamp()
	if is.Created.IsZero() {
		is.Created = now
	}
	is.Updated = now
	old.issue = is
	p.keys[is.Key] = is.ID
	ev := p.event(tracker.EventIssueChanged, by, is, nil, "", changed(before, is))
	p.mu.Unlock()
	return is.Clone(), p.person(ctx, ev)
}

// Edit changes the stored item with the given id or key as a person (by)
// does: fn changes a copy, which is then stored as by [Platform.Put]. An
// edit that changes nothing stores nothing and sends no event.
func (p *Platform) Edit(ctx context.Context, by Person, id string, fn func(*tracker.Issue)) (*tracker.Issue, error) {
	p.mu.Lock()
	it, err := p.lookup(id)
	if err != nil {
		p.mu.Unlock()
		return nil, err
	}
	is := it.issue.Clone()
	fn(is)
	is.ID, is.Created, is.Updated = it.issue.ID, it.issue.Created, it.issue.Updated
	p.normalise(is)
	ch := changed(it.issue, is)
	if len(ch) == 0 {
		p.mu.Unlock()
		return is, nil
	}
	if owner := p.keys[is.Key]; owner != "" && owner != is.ID {
		p.mu.Unlock()
		return nil, fmt.Errorf("hosted: key %q is taken: %w", is.Key, tracker.ErrConflict)
	}
	delete(p.keys, it.issue.Key)
	is.Updated = p.stamp()
	it.issue = is
	p.keys[is.Key] = is.ID
	ev := p.event(tracker.EventIssueChanged, by, is, nil, "", ch)
	p.mu.Unlock()
	return is.Clone(), p.person(ctx, ev)
}

// Remove deletes an item and its comments as a person (by) does; handlers
// receive an EventIssueDeleted carrying the item's last state.
func (p *Platform) Remove(ctx context.Context, by Person, id string) error {
	p.mu.Lock()
	it, err := p.lookup(id)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	delete(p.items, it.issue.ID)
	delete(p.keys, it.issue.Key)
	ev := p.event(tracker.EventIssueDeleted, by, it.issue, nil, "", nil)
	p.mu.Unlock()
	return p.person(ctx, ev)
}

// Comment adds a comment by a person (by) to the item with the given id or
// key. Visibility restricts it as "type:value" ("group:responders"); empty
// is public. Handlers receive an EventCommentCreated.
func (p *Platform) Comment(ctx context.Context, by Person, id, body, visibility string) (*tracker.Comment, error) {
	p.mu.Lock()
	it, err := p.lookup(id)
	if err == nil {
		err = checkBody(body)
	}
	if err != nil {
		p.mu.Unlock()
		return nil, err
	}
	c := p.addComment(it, by, body, visibility)
	ev := p.event(tracker.EventCommentCreated, by, it.issue, c.c, visibility, nil)
	p.mu.Unlock()
	return cloneComment(c), p.person(ctx, ev)
}

// EditComment replaces a comment's body and visibility as a person (by)
// does. Handlers receive an EventCommentUpdated, unless nothing changed.
func (p *Platform) EditComment(ctx context.Context, by Person, id, commentID, body, visibility string) (*tracker.Comment, error) {
	p.mu.Lock()
	it, c, err := p.comment(id, commentID)
	if err == nil {
		err = checkBody(body)
	}
	if err != nil {
		p.mu.Unlock()
		return nil, err
	}
	if c.c.Body == body && c.visibility == visibility {
		p.mu.Unlock()
		return cloneComment(c), nil
	}
	p.editComment(it, c, body, visibility)
	ev := p.event(tracker.EventCommentUpdated, by, it.issue, c.c, visibility, nil)
	p.mu.Unlock()
	return cloneComment(c), p.person(ctx, ev)
}

// RemoveComment deletes a comment as a person (by) does; handlers receive
// an EventCommentDeleted.
func (p *Platform) RemoveComment(ctx context.Context, by Person, id, commentID string) error {
	p.mu.Lock()
	it, c, err := p.comment(id, commentID)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	p.removeComment(it, c)
	ev := p.event(tracker.EventCommentDeleted, by, it.issue, c.c, c.visibility, nil)
	p.mu.Unlock()
	return p.person(ctx, ev)
}

// ---- the engine side --------------------------------------------------

// GetIssue returns a copy of the item with the given id or key, or an
// error matching tracker.ErrNotFound.
func (p *Platform) GetIssue(ctx context.Context, id string) (*tracker.Issue, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	it, err := p.lookup(id)
	if err != nil {
		return nil, err
	}
	return it.issue.Clone(), nil
}

// SearchIssues yields the items matching q (Project, UpdatedSince,
// Statuses) in ascending Updated order. It takes a snapshot when iteration
// starts, and checks ctx before every q.PageSize items (default 50), as an
// adapter does before fetching a page. A non-empty q.Raw yields an error matching
// tracker.ErrUnsupported.
func (p *Platform) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	statuses := slices.Clone(q.Statuses)
	return func(yield func(*tracker.Issue, error) bool) {
		if q.Raw != "" {
			yield(nil, fmt.Errorf("hosted: raw query %q: %w", q.Raw, tracker.ErrUnsupported))
			return
		}
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return
		}
		p.mu.Lock()
		var match []*item
		for _, it := range p.items {
			is := it.issue
			if q.Project != "" && is.Project != q.Project ||
				!q.UpdatedSince.IsZero() && is.Updated.Before(q.UpdatedSince) ||
				len(statuses) > 0 && !slices.ContainsFunc(statuses, func(s string) bool { return strings.EqualFold(s, is.Status) }) {
				continue
			}
			match = append(match, &item{seq: it.seq, issue: is.Clone()})
		}
		p.mu.Unlock()
		slices.SortFunc(match, func(a, b *item) int {
			return cmp.Or(a.issue.Updated.Compare(b.issue.Updated), cmp.Compare(a.seq, b.seq))
		})
		size := cmp.Or(max(q.PageSize, 0), 50)
		for i, it := range match {
			if i%size == 0 && i > 0 {
				if err := ctx.Err(); err != nil {
					yield(nil, err)
					return
				}
			}
			if !yield(it.issue, nil) {
				return
			}
		}
	}
}

// CreateIssue stores a new item on the engine's behalf, in the first
// status, reported by the engine, with in.Parent kept as the field
// "Parent" and in.Marker stored beside it for [Platform.FindByMarker].
func (p *Platform) CreateIssue(ctx context.Context, in *tracker.NewIssue) (*tracker.Issue, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in == nil || strings.TrimSpace(in.Summary) == "" {
		return nil, fmt.Errorf("hosted: item has no summary: %w", tracker.ErrInvalid)
	}
	if in.Marker != "" {
		if err := tracker.CheckMarker(in.Marker); err != nil {
			return nil, fmt.Errorf("hosted: %w: %w", err, tracker.ErrInvalid)
		}
	}
	p.mu.Lock()
	id := p.nextID()
	is := &tracker.Issue{ID: id, Key: id, Project: in.Project, Type: in.Type, Summary: in.Summary,
		Description: in.Description, Priority: in.Priority, Assignee: in.Assignee,
		Reporter: p.engine.ID, Labels: slices.Clone(in.Labels)}
	for k, v := range in.Fields {
		if v != nil {
			setField(is, k, v)
		}
	}
	if in.Parent != "" {
		setField(is, "Parent", in.Parent)
	}
	p.normalise(is)
	is.Created = p.stamp()
	is.Updated = is.Created
	p.items[id] = &item{seq: p.seq, issue: is, marker: in.Marker}
	p.keys[is.Key] = id
	ev := p.event(tracker.EventIssueChanged, p.engine, is, nil, "", nil)
	p.mu.Unlock()
	p.engineChanged(ctx, ev)
	return is.Clone(), nil
}

// UpdateIssue applies the change on the engine's behalf. Attributes the
// change does not set keep their values; Updated moves, and an event is
// sent, only when something changed.
func (p *Platform) UpdateIssue(ctx context.Context, id string, ch *tracker.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	it, err := p.lookup(id)
	if err != nil || ch.IsEmpty() {
		p.mu.Unlock()
		return err
	}
	is := it.issue.Clone()
	applyChange(is, ch)
	return p.engineStore(ctx, it, is)
}

// Transition moves the item to a status by name (any status can be
// reached from any other) or, when to.Status is empty, to the first status
// of to.Category, on the engine's behalf. Moving into a done status
// records to.Resolution (or "Done"); moving out of one clears it.
// to.Comment is added as the engine's comment. A move to where the item is
// already changes nothing. An unknown status or category fails with an
// error matching tracker.ErrNoTransition.
func (p *Platform) Transition(ctx context.Context, id string, to tracker.TransitionTarget) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	it, err := p.lookup(id)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	dest, ok := p.destination(it.issue, to)
	if !ok {
		p.mu.Unlock()
		return fmt.Errorf("hosted: item %s: no %s: %w", it.issue.Key, to, tracker.ErrNoTransition)
	}
	if to.Comment != "" {
		p.mu.Unlock()
		if _, err := p.AddComment(ctx, id, to.Comment); err != nil {
			return err
		}
		p.mu.Lock()
		if it, err = p.lookup(id); err != nil {
			p.mu.Unlock()
			return err
		}
	}
	// The move applies to the item as it is now, so that a change made
	// while the comment was added is kept.
	is := it.issue.Clone()
	is.Status, is.StatusCategory = dest.Name, dest.Category
	switch {
	case dest.Category != tracker.CategoryDone:
		is.Resolution = ""
	case to.Resolution != "":
		is.Resolution = to.Resolution
	case is.Resolution == "":
		is.Resolution = "Done"
	}
	return p.engineStore(ctx, it, is)
}

// destination finds the status a transition target names; p.mu is held.
func (p *Platform) destination(cur *tracker.Issue, to tracker.TransitionTarget) (tracker.StatusInfo, bool) {
	if to.Status != "" {
		i := slices.IndexFunc(p.statuses, func(s tracker.StatusInfo) bool { return strings.EqualFold(s.Name, to.Status) })
		if i < 0 {
			return tracker.StatusInfo{}, false
		}
		return p.statuses[i], true
	}
	if cur.StatusCategory == to.Category && to.Category != tracker.CategoryUnknown {
		return tracker.StatusInfo{Name: cur.Status, Category: cur.StatusCategory}, true
	}
	i := slices.IndexFunc(p.statuses, func(s tracker.StatusInfo) bool { return s.Category == to.Category })
	if i < 0 {
		return tracker.StatusInfo{}, false
	}
	return p.statuses[i], true
}

// engineStore replaces it's issue with is when they differ and reports the
// change; p.mu is held on entry and released.
func (p *Platform) engineStore(ctx context.Context, it *item, is *tracker.Issue) error {
	ch := changed(it.issue, is)
	if len(ch) == 0 {
		p.mu.Unlock()
		return nil
	}
	is.Updated = p.stamp()
	it.issue = is
	ev := p.event(tracker.EventIssueChanged, p.engine, is, nil, "", ch)
	p.mu.Unlock()
	p.engineChanged(ctx, ev)
	return nil
}

// DeleteIssue removes the item and its comments on the engine's behalf.
func (p *Platform) DeleteIssue(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	it, err := p.lookup(id)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	delete(p.items, it.issue.ID)
	delete(p.keys, it.issue.Key)
	ev := p.event(tracker.EventIssueDeleted, p.engine, it.issue, nil, "", nil)
	p.mu.Unlock()
	p.engineChanged(ctx, ev)
	return nil
}

// FindByMarker returns copies of the items the engine created with the
// marker, oldest first, or an empty slice.
func (p *Platform) FindByMarker(ctx context.Context, marker string) ([]*tracker.Issue, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var found []*item
	for _, it := range p.items {
		if marker != "" && it.marker == marker {
			found = append(found, it)
		}
	}
	slices.SortFunc(found, func(a, b *item) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]*tracker.Issue, 0, len(found))
	for _, it := range found {
		out = append(out, it.issue.Clone())
	}
	return out, nil
}

// ListComments returns copies of the item's comments, oldest first.
func (p *Platform) ListComments(ctx context.Context, id string) ([]*tracker.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	it, err := p.lookup(id)
	if err != nil {
		return nil, err
	}
	out := make([]*tracker.Comment, len(it.comments))
	for i, c := range it.comments {
		out[i] = cloneComment(c)
	}
	return out, nil
}

// AddComment adds a public comment by the engine.
func (p *Platform) AddComment(ctx context.Context, id, body string) (*tracker.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	it, err := p.lookup(id)
	if err == nil {
		err = checkBody(body)
	}
	if err != nil {
		p.mu.Unlock()
		return nil, err
	}
	c := p.addComment(it, p.engine, body, "")
	ev := p.event(tracker.EventCommentCreated, p.engine, it.issue, c.c, "", nil)
	p.mu.Unlock()
	p.engineChanged(ctx, ev)
	return cloneComment(c), nil
}

// UpdateComment replaces a comment's body on the engine's behalf, keeping
// its visibility.
func (p *Platform) UpdateComment(ctx context.Context, id, commentID, body string) (*tracker.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	it, c, err := p.comment(id, commentID)
	if err == nil {
		err = checkBody(body)
	}
	if err != nil {
		p.mu.Unlock()
		return nil, err
	}
	if c.c.Body == body {
		p.mu.Unlock()
		return cloneComment(c), nil
	}
	p.editComment(it, c, body, c.visibility)
	ev := p.event(tracker.EventCommentUpdated, p.engine, it.issue, c.c, c.visibility, nil)
	p.mu.Unlock()
	p.engineChanged(ctx, ev)
	return cloneComment(c), nil
}

// DeleteComment removes a comment on the engine's behalf.
func (p *Platform) DeleteComment(ctx context.Context, id, commentID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	it, c, err := p.comment(id, commentID)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	p.removeComment(it, c)
	ev := p.event(tracker.EventCommentDeleted, p.engine, it.issue, c.c, c.visibility, nil)
	p.mu.Unlock()
	p.engineChanged(ctx, ev)
	return nil
}

// DescribeFields returns the standard attributes followed by the fields
// declared with [WithFields], the same for every project and type.
func (p *Platform) DescribeFields(ctx context.Context, project, issueType string) ([]tracker.FieldInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []tracker.FieldInfo
	for _, n := range []string{"summary", "description", "priority", "assignee", "labels", "resolution", "status"} {
		out = append(out, tracker.FieldInfo{ID: n, Name: n, Type: "string", Required: n == "summary"})
	}
	for _, f := range p.fields {
		f.Allowed = slices.Clone(f.Allowed)
		out = append(out, f)
	}
	return out, nil
}

// DescribeStatuses returns the statuses (see [WithStatuses]); every
// project shares them.
func (p *Platform) DescribeStatuses(ctx context.Context, project string) ([]tracker.StatusInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return slices.Clone(p.statuses), nil
}

// ---- shared helpers ---------------------------------------------------

// lookup finds an item by id or key; p.mu is held.
func (p *Platform) lookup(id string) (*item, error) {
	if it, ok := p.items[id]; ok {
		return it, nil
	}
	if it, ok := p.items[p.keys[id]]; ok {
		return it, nil
	}
	return nil, fmt.Errorf("hosted: item %q: %w", id, tracker.ErrNotFound)
}

// nextID advances p.seq to the next number free as an id and key and
// returns it; p.mu is held.
func (p *Platform) nextID() string {
	for {
		p.seq++
		id := strconv.Itoa(p.seq)
		if p.items[id] == nil && p.keys[id] == "" {
			return id
		}
	}
}

// comment finds a comment of an item; p.mu is held.
func (p *Platform) comment(id, commentID string) (*item, *comment, error) {
	it, err := p.lookup(id)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range it.comments {
		if c.c.ID == commentID {
			return it, c, nil
		}
	}
	return nil, nil, fmt.Errorf("hosted: comment %q on item %s: %w", commentID, it.issue.Key, tracker.ErrNotFound)
}

// addComment stores a comment and moves the item's Updated; p.mu is held.
func (p *Platform) addComment(it *item, by Person, body, visibility string) *comment {
	p.nextCmt++
	now := p.stamp()
	c := &comment{c: &tracker.Comment{ID: strconv.Itoa(p.nextCmt), IssueID: it.issue.ID, Author: by.ID,
		AuthorName: cmp.Or(by.Name, by.ID), Body: body, Created: now, Updated: now}, visibility: visibility}
	it.comments = append(it.comments, c)
	it.issue = touched(it.issue, now)
	return c
}

// editComment changes a comment; p.mu is held.
func (p *Platform) editComment(it *item, c *comment, body, visibility string) {
	now := p.stamp()
	nc := *c.c
	nc.Body, nc.Updated = body, now
	c.c, c.visibility = &nc, visibility
	it.issue = touched(it.issue, now)
}

// removeComment deletes a comment; p.mu is held.
func (p *Platform) removeComment(it *item, c *comment) {
	it.comments = slices.DeleteFunc(it.comments, func(o *comment) bool { return o == c })
	it.issue = touched(it.issue, p.stamp())
}

// touched returns a copy of is updated at t, so that issues handed out in
// events are never changed afterwards.
func touched(is *tracker.Issue, t time.Time) *tracker.Issue {
	c := is.Clone()
	c.Updated = t
	return c
}

// normalise fills Key, Status, StatusCategory and URL; p.mu is held.
func (p *Platform) normalise(is *tracker.Issue) {
	if is.Key == "" {
		is.Key = is.ID
	}
	if is.Status == "" {
		is.Status, is.StatusCategory = p.statuses[0].Name, p.statuses[0].Category
	}
	if i := slices.IndexFunc(p.statuses, func(s tracker.StatusInfo) bool { return strings.EqualFold(s.Name, is.Status) }); i >= 0 {
		is.StatusCategory = p.statuses[i].Category
	}
	switch {
	case p.base != "":
		is.URL = p.base + "/" + is.Key
	case is.URL == "":
		is.URL = "hosted://" + p.kind + "/" + is.Key
	}
}

// stamp returns the next Updated time; p.mu is held.
func (p *Platform) stamp() time.Time {
	t := p.now()
	if !t.After(p.last) {
		t = p.last.Add(time.Millisecond)
	}
	p.last = t
	return t
}

// event describes a change; p.mu is held.
func (p *Platform) event(kind tracker.EventKind, by Person, is *tracker.Issue, c *tracker.Comment, visibility string, fields []string) tracker.Event {
	p.nextEv++
	ev := tracker.Event{Kind: kind, Tracker: p.kind, IssueID: is.ID, IssueKey: is.Key, Actor: by.ID,
		Changed: fields, At: p.last, Delivery: p.kind + "-" + strconv.Itoa(p.nextEv)}
	if c != nil {
		ev.Comment, ev.Visibility = cloneComment(&comment{c: c, visibility: visibility}), visibility
	} else {
		ev.Issue = is.Clone()
	}
	return ev
}

// person hands ev to the OnPersonChange handlers and joins their errors.
func (p *Platform) person(ctx context.Context, ev tracker.Event) error {
	p.mu.Lock()
	hs := slices.Clone(p.onPerson)
	p.mu.Unlock()
	var errs []error
	for _, h := range hs {
		if err := h(ctx, ev); err != nil {
			errs = append(errs, fmt.Errorf("hosted: handling %s: %w", ev, err))
		}
	}
	return errors.Join(errs...)
}

// engineChanged hands ev to the OnEngineChange handlers.
func (p *Platform) engineChanged(ctx context.Context, ev tracker.Event) {
	p.mu.Lock()
	hs := slices.Clone(p.onEngine)
	p.mu.Unlock()
	for _, h := range hs {
		h(ctx, ev)
	}
}

// checkBody refuses an empty comment.
func checkBody(body string) error {
	if strings.TrimSpace(body) == "" {
		return fmt.Errorf("hosted: empty comment: %w", tracker.ErrInvalid)
	}
	return nil
}
