package jira

import (
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

// Compile-time checks of the capabilities the adapter offers.
var (
	_ tracker.Tracker       = (*Adapter)(nil)
	_ tracker.Creator       = (*Adapter)(nil)
	_ tracker.BulkCreator   = (*Adapter)(nil)
	_ tracker.Updater       = (*Adapter)(nil)
	_ tracker.Deleter       = (*Adapter)(nil)
	_ tracker.Searcher      = (*Adapter)(nil)
	_ tracker.Transitioner  = (*Adapter)(nil)
	_ tracker.Commenter     = (*Adapter)(nil)
	_ tracker.UserDirectory = (*Adapter)(nil)
	_ tracker.MarkerFinder  = (*Adapter)(nil)
	_ tracker.Describer     = (*Adapter)(nil)
)

// AdapterConfig configures an [Adapter]. The zero value works.
type AdapterConfig struct {
	// IssueType is used when a NewIssue names none; empty means "Task".
	IssueType string
	// MarkerPrefix is put before a NewIssue's Marker to make its label
	// ("sync-" + marker). Empty uses the marker as it is.
	MarkerPrefix string
	// Location is the time zone JQL date literals are read in, which is
	// the searching user's profile time zone. Nil asks Jira (GET /myself)
	// until it answers; while the zone is unknown, searches start early
	// enough to be right in any zone.
	Location *time.Location
	// Markdown, when set, reads Descriptions and comment bodies as the
	// Markdown subset of package adf (Cloud only) and writes them back as
	// Markdown; otherwise they are plain text.
	Markdown bool
	// MarkerSearchLag is how long after a create Jira's search may still
	// miss the new issue's marker label. Searches are eventually
	// consistent, and an issue whose create answer was lost is not among
	// those the adapter can reconcile, since its id is unknown. The sync
	// engine trusts "no issue carries the marker" only once this long has
	// passed since the create (syncer.Config.SearchLag). Zero means 60s on
	// Cloud and 10s on Data Center; a negative value means searches are
	// current.
	MarkerSearchLag time.Duration
}

// MarkerSearchLag reports how long a marker search may lag behind a
// create; see [AdapterConfig.MarkerSearchLag].
func (a *Adapter) MarkerSearchLag() time.Duration {
	switch {
	case a.cfg.MarkerSearchLag < 0:
		return 0
	case a.cfg.MarkerSearchLag > 0:
		return a.cfg.MarkerSearchLag
	case a.c.Deployment() == DataCenter:
		return 10 * time.Second
	}
	return time.Minute
}

// Adapter implements the tracker interfaces on a [Client]: every
// capability of package tracker. Issues map as follows: ID is the issue id
// ("10001"), Key the key, URL the browse link, Project the project key,
// Type the issue type name, Status the status name with StatusCategory
// from its category, Assignee and Reporter the accountId (Cloud) or name
// (Data Center), AssigneeUser the assignee's account with name and email
// (as far as Jira shows it), Fields["assignee_name"] the assignee's display
// name, and every custom field by display name, decoded by its type. A marker is a
// label. People written (NewIssue.Assignee, Change.Assignee) may be named
// by email, display name or id and are resolved with [Adapter.ResolveUser];
// one matching no account fails that item with tracker.ErrUnknownUser.
// Searches on Cloud reconcile the last 50 issues the adapter created,
// so a marker is found right after the create that set it.
type Adapter struct {
	c   *Client
	cfg AdapterConfig

	mu       sync.Mutex
	loc      *time.Location // nil until known
	locExact bool           // loc is the user's zone, not a UTC stand-in
	recent   []int64        // ids of issues this adapter created, newest last

	people people
}

// maxReconcile is how many just-created ids Cloud searches reconcile.
const maxReconcile = 50

// remember notes a created issue so Cloud searches include it at once
// (search/jql is eventually consistent; reconcileIssues makes it read
// our own writes).
func (a *Adapter) remember(id string) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.recent = append(a.recent, n)
	if len(a.recent) > maxReconcile {
		a.recent = slices.Clone(a.recent[len(a.recent)-maxReconcile:])
	}
}

// searchOptions returns the options of the adapter's searches.
func (a *Adapter) searchOptions(pageSize int) *SearchOptions {
	a.mu.Lock()
	defer a.mu.Unlock()
	opts := &SearchOptions{MaxResults: pageSize}
	if a.c.isCloud() && len(a.recent) > 0 {
		opts.ReconcileIssues = slices.Clone(a.recent)
	}
	return opts
}

// NewAdapter returns an adapter over c. It does no I/O.
func NewAdapter(c *Client, cfg AdapterConfig) (*Adapter, error) {
	if c == nil {
		return nil, errors.New("jira: NewAdapter needs a client")
	}
	if cfg.IssueType == "" {
		cfg.IssueType = "Task"
	}
	if cfg.MarkerPrefix != "" {
		if err := tracker.CheckMarker(cfg.MarkerPrefix); err != nil {
			return nil, fmt.Errorf("jira: MarkerPrefix: %w", err)
		}
	}
	return &Adapter{c: c, cfg: cfg, loc: cfg.Location, locExact: cfg.Location != nil}, nil
}

// Client returns the adapter's client.
func (a *Adapter) Client() *Client { return a.c }

// Kind returns "jira".
func (a *Adapter) Kind() string { return "jira" }

// GetIssue returns an issue by id or key.
func (a *Adapter) GetIssue(ctx context.Context, id string) (*tracker.Issue, error) {
	is, _, err := a.c.Issues.Get(ctx, id, nil)
	if err != nil {
		return nil, err
	}
	return a.toIssue(ctx, is)
}

func (a *Adapter) toText(rt *RichText) string {
	if rt == nil {
		return ""
	}
	if a.cfg.Markdown && rt.Doc != nil {
		return docMarkdown(rt)
	}
	return rt.Text()
}

func (a *Adapter) fromText(s string) *RichText {
	if a.cfg.Markdown {
		return Markdown(s)
	}
	return Plain(s)
}

// toIssue converts an issue; custom fields are named through the field
// cache, and a field the list does not hold is kept by id. It fails when
// the field list cannot be loaded: reporting fields by id for a transient
// reason would look like the named fields had been cleared.
func (a *Adapter) toIssue(ctx context.Context, is *Issue) (*tracker.Issue, error) {
	out := &tracker.Issue{ID: is.ID, Key: is.Key, URL: a.c.BrowseURL(is.Key), Fields: map[string]any{}}
	f := is.Fields
	if f == nil {
		return out, nil
	}
	out.Summary = f.Summary
	out.Description = a.toText(f.Description)
	if f.Project != nil {
		out.Project = f.Project.Key
	}
	if f.IssueType != nil {
		out.Type = f.IssueType.Name
	}
	if f.Status != nil {
		out.Status = f.Status.Name
		out.StatusCategory = categoryOf(f.Status.CategoryKey())
	}
	if f.Resolution != nil {
		out.Resolution = f.Resolution.Name
	}
	if f.Priority != nil {
		out.Priority = f.Priority.Name
	}
	if f.Assignee != nil {
		out.Assignee = f.Assignee.ID()
		out.AssigneeUser = trackerUser(f.Assignee)
		out.Fields["assignee_name"] = f.Assignee.DisplayName
	}
	if f.Reporter != nil {
		out.Reporter = f.Reporter.ID()
	}
	out.Labels = append([]string(nil), f.Labels...)
	out.Created, out.Updated = f.Created.Time, f.Updated.Time
	for id := range f.Other {
		if !strings.HasPrefix(id, "customfield_") {
			continue
		}
		if err := a.c.Fields.load(ctx); err != nil {
			return nil, err
		}
		fd, known := a.c.Fields.lookup(id)
		if !known {
			// A field the list does not show (hidden, new): keep it by id.
			if v := f.Value(id, nil); v != nil {
				out.Fields[id] = v
			}
			continue
		}
		if v := f.Value(id, fd.Schema); v != nil {
			out.Fields[fd.Name] = v
		}
	}
	return out, nil
}

func categoryOf(key string) tracker.StatusCategory {
	switch key {
	case CategoryNew:
		return tracker.CategoryToDo
	case CategoryIndeterminate:
		return tracker.CategoryInProgress
	case CategoryDone:
		return tracker.CategoryDone
	}
	return tracker.CategoryUnknown
}

func categoryKey(c tracker.StatusCategory) string {
	switch c {
	case tracker.CategoryToDo:
		return CategoryNew
	case tracker.CategoryInProgress:
		return CategoryIndeterminate
	case tracker.CategoryDone:
		return CategoryDone
	}
	return ""
}

func (a *Adapter) markerLabel(m string) string { return a.cfg.MarkerPrefix + m }

// createUpdate builds the create body for in, and returns the assignee's
// account when in names one.
func (a *Adapter) createUpdate(ctx context.Context, in *tracker.NewIssue) (*IssueUpdate, *User, error) {
	if in.Marker != "" {
		if err := tracker.CheckMarker(in.Marker); err != nil {
			return nil, nil, err
		}
	}
	typ := in.Type
	if typ == "" {
		typ = a.cfg.IssueType
	}
	f := Fields{
		"project":   map[string]string{"key": in.Project},
		"issuetype": map[string]string{"name": typ},
		"summary":   in.Summary,
	}
	if in.Description != "" {
		f["description"] = a.fromText(in.Description)
	}
	if in.Priority != "" {
		f["priority"] = map[string]string{"name": in.Priority}
	}
	var assignee *User
	if in.Assignee != "" {
		v, u, err := a.userValue(ctx, "assignee", in.Assignee)
		if err != nil {
			return nil, nil, err
		}
		f["assignee"], assignee = v, u
	}
	if in.Parent != "" {
		f["parent"] = map[string]string{"key": in.Parent}
	}
	labels := append([]string(nil), in.Labels...)
	if in.Marker != "" {
		labels = append(labels, a.markerLabel(in.Marker))
	}
	if len(labels) > 0 {
		f["labels"] = labels
	}
	if err := a.customFields(ctx, f, in.Fields); err != nil {
		return nil, nil, err
	}
	return &IssueUpdate{Fields: f}, assignee, nil
}

// customFields resolves tracker field names and converts values by type;
// people in user fields are resolved like the assignee.
func (a *Adapter) customFields(ctx context.Context, dst Fields, src map[string]any) error {
	for name, v := range src {
		fd, err := a.c.Fields.Resolve(ctx, name)
		if err != nil {
			return err
		}
		if v, err = a.resolvePeople(ctx, fd, v); err != nil {
			return err
		}
		dst[fd.ID] = a.fieldValue(fd, v)
	}
	return nil
}

// resolvePeople replaces the people a user field names (an email, a
// display name) with their account ids.
func (a *Adapter) resolvePeople(ctx context.Context, fd *Field, v any) (any, error) {
	s := fd.Schema
	if s == nil || !(s.Type == "user" || s.Type == "array" && s.Items == "user") {
		return v, nil
	}
	one := func(who string) (string, error) {
		if who == "" {
			return "", nil
		}
		u, err := a.ResolveUser(ctx, who)
		if err != nil {
			return "", fmt.Errorf("jira: %s: %w", fd.Name, err)
		}
		return u.ID(), nil
	}
	switch x := v.(type) {
	case string:
		return one(x)
	case []string:
		out := make([]string, len(x))
		for i, who := range x {
			id, err := one(who)
			if err != nil {
				return nil, err
			}
			out[i] = id
		}
		return out, nil
	}
	return v, nil
}

// fieldValue converts a tracker value to the JSON the field's type takes.
func (a *Adapter) fieldValue(fd *Field, v any) any {
	if v == nil {
		return nil
	}
	s := fd.Schema
	if s == nil {
		return v
	}
	cloud := a.c.isCloud()
	switch s.Type {
	case "option":
		if str, ok := v.(string); ok {
			return SelectValue(str).fieldJSON(cloud)
		}
	case "user":
		if str, ok := v.(string); ok {
			return userRef(str, cloud)
		}
	case "date":
		if t, ok := v.(time.Time); ok {
			return t.Format(DateLayout)
		}
	case "datetime":
		if t, ok := v.(time.Time); ok {
			return FormatTime(t)
		}
	case "string":
		if str, ok := v.(string); ok && s.IsRichText() {
			return a.fromText(str).forWire(cloud)
		}
	case "array":
		if list, ok := v.([]string); ok && s.Items == "option" {
			return MultiSelectValue(list...).fieldJSON(cloud)
		}
		if list, ok := v.([]string); ok && s.Items == "user" {
			out := make([]any, len(list))
			for i, u := range list {
				out[i] = userRef(u, cloud)
			}
			return out
		}
	}
	return v
}

// createdIssue is what CreateIssue returns without reading the issue back:
// the assignee as the account it was resolved to.
func (a *Adapter) createdIssue(ci *CreatedIssue, in *tracker.NewIssue, assignee *User) *tracker.Issue {
	typ := in.Type
	if typ == "" {
		typ = a.cfg.IssueType
	}
	out := &tracker.Issue{
		ID: ci.ID, Key: ci.Key, URL: a.c.BrowseURL(ci.Key), Project: in.Project, Type: typ,
		Summary: in.Summary, Description: in.Description, Priority: in.Priority, Assignee: in.Assignee,
		Labels: append([]string(nil), in.Labels...), Fields: map[string]any{},
	}
	if assignee != nil {
		out.Assignee, out.AssigneeUser = assignee.ID(), trackerUser(assignee)
	}
	if in.Marker != "" {
		out.Labels = append(out.Labels, a.markerLabel(in.Marker))
	}
	for k, v := range in.Fields {
		out.Fields[k] = v
	}
	return out
}

// CreateIssue opens an issue; a Marker becomes a label set in the same
// request. The returned issue carries what was sent plus ID, Key and URL.
func (a *Adapter) CreateIssue(ctx context.Context, in *tracker.NewIssue) (*tracker.Issue, error) {
	u, assignee, err := a.createUpdate(ctx, in)
	if err != nil {
		return nil, err
	}
	ci, _, err := a.c.Issues.Create(ctx, u)
	if err != nil {
		return nil, err
	}
	a.remember(ci.ID)
	return a.createdIssue(ci, in, assignee), nil
}

// CreateIssues opens issues through bulk create, 50 per request.
func (a *Adapter) CreateIssues(ctx context.Context, in []*tracker.NewIssue) ([]tracker.BulkResult, error) {
	out := make([]tracker.BulkResult, len(in))
	var updates []*IssueUpdate
	var index []int // updates[i] is in[index[i]]
	assignees := make([]*User, len(in))
	for i, n := range in {
		u, who, err := a.createUpdate(ctx, n)
		if err != nil {
			out[i].Err = err
			continue
		}
		updates = append(updates, u)
		index = append(index, i)
		assignees[i] = who
	}
	res, err := a.c.Issues.CreateBulk(ctx, updates)
	for j, r := range res {
		i := index[j]
		switch {
		case r.Issue != nil:
			a.remember(r.Issue.ID)
			out[i].Issue = a.createdIssue(r.Issue, in[i], assignees[i])
		case r.Err != nil:
			var be *BulkElementError
			if errors.As(r.Err, &be) {
				// Name the caller's index, not the bulk request's.
				cp := *be
				cp.Index = i
				out[i].Err = &cp
			} else {
				out[i].Err = r.Err
			}
		case err != nil:
			out[i].Err = err
		}
	}
	return out, err
}

// UpdateIssue sends only what ch sets. Resolution is set as a field, which
// Jira accepts only where the edit screen has it; prefer a transition.
func (a *Adapter) UpdateIssue(ctx context.Context, id string, ch *tracker.Change) error {
	if ch.IsEmpty() {
		return nil
	}
	u := &IssueUpdate{Fields: Fields{}, Update: map[string][]FieldOperation{}}
	if ch.Summary != nil {
		u.Fields["summary"] = *ch.Summary
	}
	if ch.Description != nil {
		u.Fields["description"] = a.fromText(*ch.Description)
	}
	if ch.Priority != nil {
		u.Fields["priority"] = map[string]string{"name": *ch.Priority}
	}
	if ch.Assignee != nil {
		v, _, err := a.userValue(ctx, "assignee", *ch.Assignee)
		if err != nil {
			return err
		}
		u.Fields["assignee"] = v
	}
	if ch.Resolution != nil {
		if *ch.Resolution == "" {
			u.Fields["resolution"] = nil
		} else {
			u.Fields["resolution"] = map[string]string{"name": *ch.Resolution}
		}
	}
	if ch.Labels != nil {
		// Jira refuses a field in both fields and update: apply the
		// edits to the new set here.
		set := slices.Clone(*ch.Labels)
		for _, l := range ch.AddLabels {
			if !slices.Contains(set, l) {
				set = append(set, l)
			}
		}
		set = slices.DeleteFunc(set, func(l string) bool { return slices.Contains(ch.RemoveLabels, l) })
		u.Fields["labels"] = LabelsValue(set...)
	} else {
		for _, l := range ch.AddLabels {
			u.Update["labels"] = append(u.Update["labels"], AddOp(l))
		}
		for _, l := range ch.RemoveLabels {
			u.Update["labels"] = append(u.Update["labels"], RemoveOp(l))
		}
	}
	if err := a.customFields(ctx, u.Fields, ch.Fields); err != nil {
		return err
	}
	_, err := a.c.Issues.Edit(ctx, id, u, nil)
	return err
}

// DeleteIssue deletes an issue (not one with subtasks).
func (a *Adapter) DeleteIssue(ctx context.Context, id string) error {
	_, err := a.c.Issues.Delete(ctx, id, nil)
	return err
}

// location returns the time zone Jira reads JQL date literals in, and
// whether it is the user's own zone (exact) or UTC standing in for a zone
// Jira did not name. A failed lookup is not remembered: a transient error
// must not fix the zone for the adapter's lifetime.
func (a *Adapter) location(ctx context.Context) (loc *time.Location, exact bool) {
	a.mu.Lock()
	loc, exact = a.loc, a.locExact
	a.mu.Unlock()
	if loc != nil {
		return loc, exact
	}
	me, _, err := a.c.Users.Myself(ctx)
	if err != nil {
		return time.UTC, false
	}
	loc = time.UTC
	if me.TimeZone != "" {
		if l, err := time.LoadLocation(me.TimeZone); err == nil {
			loc, exact = l, true
		}
	}
	a.mu.Lock()
	a.loc, a.locExact = loc, exact
	a.mu.Unlock()
	return loc, exact
}

// maxZoneOffset is how far west of UTC a user's zone can be (UTC-12), with
// margin: a literal written in UTC but read in such a zone names an
// instant up to this much later.
const maxZoneOffset = 14 * time.Hour

// SearchJQL returns the JQL SearchIssues runs for q.
func (a *Adapter) SearchJQL(ctx context.Context, q tracker.Query) string {
	var clauses []string
	if q.Project != "" {
		clauses = append(clauses, "project = "+QuoteJQL(q.Project))
	}
	if !q.UpdatedSince.IsZero() {
		// JQL compares at minute precision; round down and filter the
		// rest here.
		since := q.UpdatedSince.Truncate(time.Minute)
		loc, exact := a.location(ctx)
		if !exact {
			// Jira reads the literal in a zone we do not know: start
			// early enough for any zone; SearchIssues drops the extra.
			since = since.Add(-maxZoneOffset)
		}
		clauses = append(clauses, "updated >= "+JQLTime(since, loc))
	}
	if len(q.Statuses) > 0 {
		clauses = append(clauses, "status in "+QuoteJQLList(q.Statuses))
	}
	if strings.TrimSpace(q.Raw) != "" {
		clauses = append(clauses, "("+q.Raw+")")
	}
	return strings.Join(clauses, " AND ") + " ORDER BY updated ASC, key ASC"
}

// SearchIssues lists issues in ascending Updated order.
func (a *Adapter) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	return func(yield func(*tracker.Issue, error) bool) {
		jql := a.SearchJQL(ctx, q)
		for is, err := range a.c.Search.All(ctx, jql, a.searchOptions(q.PageSize)) {
			if err != nil {
				yield(nil, err)
				return
			}
			ti, err := a.toIssue(ctx, is)
			if err != nil {
				yield(nil, err)
				return
			}
			if !q.UpdatedSince.IsZero() && ti.Updated.Before(q.UpdatedSince) {
				continue
			}
			if !yield(ti, nil) {
				return
			}
		}
	}
}

// Transition moves an issue through the workflow; see
// TransitionsService.MoveTo.
func (a *Adapter) Transition(ctx context.Context, id string, to tracker.TransitionTarget) error {
	t := Target{Status: to.Status, Category: categoryKey(to.Category), Resolution: to.Resolution, Comment: to.Comment}
	_, err := a.c.Transitions.MoveTo(ctx, id, t)
	return err
}

func (a *Adapter) toComment(issueID string, c *Comment) *tracker.Comment {
	out := &tracker.Comment{ID: c.ID, IssueID: issueID, Body: a.toText(c.Body), Created: c.Created.Time, Updated: c.Updated.Time}
	if c.Author != nil {
		out.Author, out.AuthorName = c.Author.ID(), c.Author.DisplayName
	}
	if v := c.Visibility; v != nil && v.Type != "" {
		out.Visibility = v.Type + ":" + v.Value
	}
	return out
}

// ListComments returns all of an issue's comments, oldest first.
func (a *Adapter) ListComments(ctx context.Context, issueID string) ([]*tracker.Comment, error) {
	var out []*tracker.Comment
	for c, err := range a.c.Comments.All(ctx, issueID) {
		if err != nil {
			return nil, err
		}
		out = append(out, a.toComment(issueID, c))
	}
	return out, nil
}

// AddComment adds a comment.
func (a *Adapter) AddComment(ctx context.Context, issueID, body string) (*tracker.Comment, error) {
	c, _, err := a.c.Comments.Add(ctx, issueID, &CommentInput{Body: a.fromText(body)})
	if err != nil {
		return nil, err
	}
	return a.toComment(issueID, c), nil
}

// UpdateComment replaces a comment's body.
func (a *Adapter) UpdateComment(ctx context.Context, issueID, commentID, body string) (*tracker.Comment, error) {
	c, _, err := a.c.Comments.Update(ctx, issueID, commentID, &CommentInput{Body: a.fromText(body)})
	if err != nil {
		return nil, err
	}
	return a.toComment(issueID, c), nil
}

// DeleteComment deletes a comment.
func (a *Adapter) DeleteComment(ctx context.Context, issueID, commentID string) error {
	_, err := a.c.Comments.Delete(ctx, issueID, commentID)
	return err
}

// ListUsers lists every account, active or not, with its groups and
// application roles (one GET /user?expand=groups,applicationRoles per
// account, as the user lists carry neither). ID is the accountId on Cloud
// and the user key on Data Center; Login the Data Center user name; Groups
// the group names; Roles the application role keys (jira-software,
// jira-servicedesk, ...). App accounts are marked Bot, customer (service
// desk) accounts Guest.
func (a *Adapter) ListUsers(ctx context.Context) iter.Seq2[*tracker.User, error] {
	return func(yield func(*tracker.User, error) bool) {
		for u, err := range a.c.Users.All(ctx) {
			if err != nil {
				yield(nil, err)
				return
			}
			opts := &UserGetOptions{AccountID: u.AccountID, Expand: []string{"groups", "applicationRoles"}}
			if u.AccountID == "" {
				opts.Username = u.Name
			}
			full, _, err := a.c.Users.Get(ctx, opts)
			switch {
			case err == nil:
				u = full
			case errors.Is(err, tracker.ErrNotFound):
				// Deleted since the list was read: report what the list said.
			default:
				yield(nil, fmt.Errorf("jira: reading the groups of %s: %w", u.ID(), err))
				return
			}
			if !yield(trackerUser(u), nil) {
				return
			}
		}
	}
}

// FindByMarker finds the issues labelled with the marker.
func (a *Adapter) FindByMarker(ctx context.Context, marker string) ([]*tracker.Issue, error) {
	if err := tracker.CheckMarker(marker); err != nil {
		return nil, err
	}
	jql := "labels = " + QuoteJQL(a.markerLabel(marker)) + " ORDER BY created ASC"
	out := []*tracker.Issue{}
	for is, err := range a.c.Search.All(ctx, jql, a.searchOptions(0)) {
		if err != nil {
			return nil, err
		}
		ti, err := a.toIssue(ctx, is)
		if err != nil {
			return nil, err
		}
		out = append(out, ti)
	}
	return out, nil
}

// DescribeFields lists the create-screen fields of a project and issue type
// from the create metadata. System fields are named by their id
// ("priority"), custom fields by display name.
func (a *Adapter) DescribeFields(ctx context.Context, project, issueType string) ([]tracker.FieldInfo, error) {
	if issueType == "" {
		issueType = a.cfg.IssueType
	}
	typeID := ""
	var names []string
	for it, err := range a.c.Projects.CreateIssueTypes(ctx, project) {
		if err != nil {
			return nil, err
		}
		names = append(names, it.Name)
		if strings.EqualFold(it.Name, issueType) || it.ID == issueType {
			typeID = it.ID
			break
		}
	}
	if typeID == "" {
		return nil, fmt.Errorf("jira: project %s has no issue type %q (it has %s): %w", project, issueType, strings.Join(names, ", "), tracker.ErrNotFound)
	}
	var out []tracker.FieldInfo
	for f, err := range a.c.Projects.CreateFields(ctx, project, typeID) {
		if err != nil {
			return nil, err
		}
		id := f.FieldID
		if id == "" {
			id = f.Key
		}
		fi := tracker.FieldInfo{ID: id, Name: f.Name, Required: f.Required}
		if !strings.HasPrefix(id, "customfield_") {
			fi.Name = id
		}
		if f.Schema != nil {
			fi.Type = f.Schema.Type
		}
		for _, v := range f.AllowedValues {
			if l := v.Label(); l != "" {
				fi.Allowed = append(fi.Allowed, l)
			}
		}
		out = append(out, fi)
	}
	return out, nil
}

// DescribeStatuses lists the statuses of the project's workflows.
func (a *Adapter) DescribeStatuses(ctx context.Context, project string) ([]tracker.StatusInfo, error) {
	types, _, err := a.c.Workflow.ProjectStatuses(ctx, project)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []tracker.StatusInfo
	for _, it := range types {
		for _, st := range it.Statuses {
			if seen[st.Name] {
				continue
			}
			seen[st.Name] = true
			out = append(out, tracker.StatusInfo{Name: st.Name, Category: categoryOf(st.CategoryKey())})
		}
	}
	return out, nil
}
