package youtrack

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// Compile-time checks of the capabilities the adapter offers.
var (
	_ tracker.Tracker       = (*Adapter)(nil)
	_ tracker.Creator       = (*Adapter)(nil)
	_ tracker.Updater       = (*Adapter)(nil)
	_ tracker.Deleter       = (*Adapter)(nil)
	_ tracker.Searcher      = (*Adapter)(nil)
	_ tracker.Transitioner  = (*Adapter)(nil)
	_ tracker.Commenter     = (*Adapter)(nil)
	_ tracker.UserDirectory = (*Adapter)(nil)
	_ tracker.MarkerFinder  = (*Adapter)(nil)
	_ tracker.Describer     = (*Adapter)(nil)
)

// AdapterConfig tunes how the adapter maps YouTrack onto the tracker model.
// The zero value suits a project with the default State, Priority, Assignee
// and Type fields and tag markers.
type AdapterConfig struct {
	// StateField, PriorityField, AssigneeField and TypeField name the
	// fields behind Issue.Status, Priority, Assignee and Type (defaults
	// "State", "Priority", "Assignee", "Type").
	StateField    string
	PriorityField string
	AssigneeField string
	TypeField     string
	// MarkerField names a text custom field that holds the correlation
	// marker. Empty means markers are tags.
	MarkerField string
	// InProgressStates names the unresolved states in the InProgress
	// category. Empty means states whose name contains "progress",
	// "review" or "test".
	InProgressStates []string
	// Location is the time zone of the token's user, in which YouTrack
	// reads times in queries; nil means UTC. Results are filtered exactly
	// on the client too, so an earlier zone only fetches more.
	Location *time.Location
	// PageSize is the $top of searches when the query sets none.
	PageSize int
	// PlainTextComments adds comments as YouTrack wiki text instead of
	// Markdown.
	PlainTextComments bool
	// UserCacheTTL is how long the accounts read to resolve people are
	// trusted ([Adapter.ResolveUser]); 0 means [DefaultUserCacheTTL].
	UserCacheTTL time.Duration
}

// Adapter implements the tracker interfaces on a [Client]. It is safe for
// concurrent use.
type Adapter struct {
	c   *Client
	cfg AdapterConfig

	mu        sync.Mutex
	fields    map[string][]*ProjectCustomField // by upper-case project short name
	stateSets map[string][]*BundleElement      // by upper-case project short name
	tags      map[string]string                // lower-case name → id
	// types remembers each custom field's $type, learnt from every issue
	// read. Custom fields are global in YouTrack, so a name has one type,
	// and an update whose types are known needs no read first.
	types map[string]string

	// dir caches the accounts people are resolved against.
	dir directory
}

// learnTypes remembers the $type of each custom field.
func (a *Adapter) learnTypes(fs []CustomField) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.types == nil {
		a.types = map[string]string{}
	}
	for i := range fs {
		if fs[i].Type != "" {
			a.types[fs[i].Name] = fs[i].Type
		}
	}
}

// typeOf returns a custom field's $type, if known.
func (a *Adapter) typeOf(name string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.types[name]
	return t, ok
}

// forgetTypes drops the remembered types of the fields in values.
func (a *Adapter) forgetTypes(values map[string]any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for name := range values {
		delete(a.types, name)
	}
}

// typesKnown reports whether the $type of every field in values is known.
func (a *Adapter) typesKnown(values map[string]any) bool {
	for name := range values {
		if _, ok := a.typeOf(name); !ok {
			return false
		}
	}
	return true
}

// NewAdapter returns an adapter over c. It does no I/O.
func NewAdapter(c *Client, cfg AdapterConfig) (*Adapter, error) {
	if c == nil {
		return nil, errors.New("youtrack: NewAdapter: nil client")
	}
	if cfg.StateField == "" {
		cfg.StateField = "State"
	}
	if cfg.PriorityField == "" {
		cfg.PriorityField = "Priority"
	}
	if cfg.AssigneeField == "" {
		cfg.AssigneeField = "Assignee"
	}
	if cfg.TypeField == "" {
		cfg.TypeField = "Type"
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.PageSize < 0 {
		return nil, fmt.Errorf("youtrack: NewAdapter: negative page size %d", cfg.PageSize)
	}
	if cfg.UserCacheTTL < 0 {
		return nil, fmt.Errorf("youtrack: NewAdapter: negative user cache TTL %s", cfg.UserCacheTTL)
	}
	if cfg.UserCacheTTL == 0 {
		cfg.UserCacheTTL = DefaultUserCacheTTL
	}
	return &Adapter{c: c, cfg: cfg, fields: map[string][]*ProjectCustomField{}, stateSets: map[string][]*BundleElement{}, tags: map[string]string{}}, nil
}

// Kind returns "youtrack".
func (a *Adapter) Kind() string { return Vendor }

// Client returns the adapter's client.
func (a *Adapter) Client() *Client { return a.c }

// GetIssue returns the issue with database id or readable id.
func (a *Adapter) GetIssue(ctx context.Context, id string) (*tracker.Issue, error) {
	is, _, err := a.c.Issues.Get(ctx, id, nil)
	if err != nil {
		return nil, err
	}
	return a.toTracker(is)
}

// category returns the status category of a state.
func (a *Adapter) category(name string, resolved bool) tracker.StatusCategory {
	if resolved {
		return tracker.CategoryDone
	}
	if len(a.cfg.InProgressStates) > 0 {
		if slices.ContainsFunc(a.cfg.InProgressStates, func(s string) bool { return strings.EqualFold(s, name) }) {
			return tracker.CategoryInProgress
		}
		return tracker.CategoryToDo
	}
	l := strings.ToLower(name)
	if strings.Contains(l, "progress") || strings.Contains(l, "review") || strings.Contains(l, "test") {
		return tracker.CategoryInProgress
	}
	return tracker.CategoryToDo
}

// toTracker maps a YouTrack issue onto the tracker model.
func (a *Adapter) toTracker(is *Issue) (*tracker.Issue, error) {
	out := &tracker.Issue{
		ID: is.ID, Key: is.IDReadable, URL: a.c.IssueURL(is.IDReadable),
		Summary: is.Summary, Description: is.Description,
		Fields: map[string]any{},
	}
	if is.Created != 0 {
		out.Created = is.Created.Time()
	}
	if is.Updated != 0 {
		out.Updated = is.Updated.Time()
	}
	if is.Project != nil {
		out.Project = is.Project.ShortName
	}
	if is.Reporter != nil {
		out.Reporter = is.Reporter.Login
	}
	for _, t := range is.Tags {
		out.Labels = append(out.Labels, t.Name)
	}
	a.learnTypes(is.CustomFields)
	for i := range is.CustomFields {
		f := &is.CustomFields[i]
		v, err := f.Plain()
		if err != nil {
			return nil, err
		}
		out.Fields[f.Name] = v
		s, _ := v.(string)
		switch {
		case strings.EqualFold(f.Name, a.cfg.StateField):
			out.Status = s
			el, _ := f.Element()
			out.StatusCategory = a.category(s, (el != nil && el.IsResolved) || is.Resolved != nil)
		case strings.EqualFold(f.Name, a.cfg.PriorityField):
			out.Priority = s
		case strings.EqualFold(f.Name, a.cfg.AssigneeField):
			out.Assignee = s
			out.AssigneeUser = assigneeUser(f)
		case strings.EqualFold(f.Name, a.cfg.TypeField):
			out.Type = s
		}
	}
	return out, nil
}

// projectFields returns a project's custom field settings, cached.
func (a *Adapter) projectFields(ctx context.Context, project string) ([]*ProjectCustomField, error) {
	key := strings.ToUpper(project)
	a.mu.Lock()
	cached, ok := a.fields[key]
	a.mu.Unlock()
	if ok {
		return cached, nil
	}
	p, err := a.c.Projects.ByShortName(ctx, project)
	if err != nil {
		return nil, err
	}
	var list []*ProjectCustomField
	for f, err := range a.c.Projects.AllCustomFields(ctx, p.ID, nil) {
		if err != nil {
			return nil, err
		}
		list = append(list, f)
	}
	a.mu.Lock()
	a.fields[key] = list
	a.mu.Unlock()
	return list, nil
}

// issueFieldTypeOf maps a project field's type id to the $type of the
// issue custom field.
func issueFieldTypeOf(pcf *ProjectCustomField) string {
	if pcf.Field == nil || pcf.Field.FieldType == nil {
		return ""
	}
	id := pcf.Field.FieldType.ID
	multi := strings.HasSuffix(id, "[*]")
	base, _, _ := strings.Cut(id, "[")
	pick := func(single, many string) string {
		if multi {
			return many
		}
		return single
	}
	switch base {
	case "enum":
		return pick(TypeSingleEnum, TypeMultiEnum)
	case "state":
		return TypeState
	case "user":
		return pick(TypeSingleUser, TypeMultiUser)
	case "group":
		return pick(TypeSingleGroup, TypeMultiGroup)
	case "version":
		return pick(TypeSingleVersion, TypeMultiVersion)
	case "build":
		return pick(TypeSingleBuild, TypeMultiBuild)
	case "ownedField":
		return pick(TypeSingleOwned, TypeMultiOwned)
	case "date":
		return TypeDate
	case "period":
		return TypePeriod
	case "text":
		return TypeText
	}
	// Numbers, strings and "date and time" are simple fields.
	return TypeSimple
}

func typeByName(fields []*ProjectCustomField, name string) (string, bool) {
	for _, f := range fields {
		if f.Field != nil && strings.EqualFold(f.Field.Name, name) {
			return issueFieldTypeOf(f), true
		}
	}
	return "", false
}

// FieldValue builds the custom field named name of the given $type from a
// vendor-neutral value: nil clears; strings name bundle values, users
// (logins) and groups; []string fills multi-value fields; time.Time sets
// dates (date-only fields at noon UTC) and date-time fields; strings set
// text and period ("1w 2d") fields; simple fields take the value as is.
func FieldValue(name, typ string, v any) (CustomField, error) {
	if v == nil {
		return EmptyValue(name, typ), nil
	}
	list := func() ([]string, error) {
		switch x := v.(type) {
		case string:
			return []string{x}, nil
		case []string:
			return x, nil
		case []any:
			out := make([]string, len(x))
			for i, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("youtrack: field %q: list holds %T, want strings", name, e)
				}
				out[i] = s
			}
			return out, nil
		}
		return nil, fmt.Errorf("youtrack: field %q (%s): want a string or []string, got %T", name, typ, v)
	}
	one := func() (string, error) {
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("youtrack: field %q (%s): want a string, got %T", name, typ, v)
		}
		return s, nil
	}
	switch {
	case isElementType(typ) || isUserType(typ):
		if IsMulti(typ) {
			l, err := list()
			if err != nil {
				return CustomField{}, err
			}
			if isUserType(typ) {
				return MultiUser(name, l...), nil
			}
			f := MultiEnum(name, l...)
			f.Type = typ
			return f, nil
		}
		s, err := one()
		if err != nil {
			return CustomField{}, err
		}
		if isUserType(typ) {
			return SingleUser(name, s), nil
		}
		f := SingleEnum(name, s)
		f.Type = typ
		return f, nil
	case typ == TypeDate:
		switch x := v.(type) {
		case time.Time:
			return DateValue(name, x), nil
		case string:
			t, err := time.Parse("2006-01-02", x)
			if err != nil {
				return CustomField{}, fmt.Errorf("youtrack: field %q: date %q is not YYYY-MM-DD", name, x)
			}
			return DateValue(name, t), nil
		case int64:
			return CustomField{Type: TypeDate, Name: name, Value: rawJSON(x)}, nil
		}
		return CustomField{}, fmt.Errorf("youtrack: field %q (date): want time.Time, got %T", name, v)
	case typ == TypeText:
		s, err := one()
		if err != nil {
			return CustomField{}, err
		}
		return TextField(name, s), nil
	case typ == TypePeriod:
		s, err := one()
		if err != nil {
			return CustomField{}, err
		}
		return PeriodValue(name, s), nil
	case typ == TypeSimple:
		if t, ok := v.(time.Time); ok {
			return DateTimeValue(name, t), nil
		}
		return SimpleValue(name, v), nil
	}
	return CustomField{}, fmt.Errorf("youtrack: field %q: cannot write fields of type %q", name, typ)
}

// customFields turns neutral values into $type-tagged fields; typeOf
// returns the $type of a field by name.
func customFields(values map[string]any, typeOf func(string) (string, bool)) ([]CustomField, error) {
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	slices.Sort(names) // a stable body
	var out []CustomField
	for _, name := range names {
		typ, ok := typeOf(name)
		if !ok {
			return nil, fmt.Errorf("youtrack: no custom field %q: %w", name, tracker.ErrInvalid)
		}
		f, err := FieldValue(name, typ, values[name])
		if err != nil {
			return nil, fmt.Errorf("%w: %w", err, tracker.ErrInvalid)
		}
		out = append(out, f)
	}
	return out, nil
}

// tagID returns the id of the tag named name, creating it when create is
// set; "" when it does not exist and create is not set.
func (a *Adapter) tagID(ctx context.Context, name string, create bool) (string, error) {
	key := strings.ToLower(name)
	a.mu.Lock()
	id, ok := a.tags[key]
	a.mu.Unlock()
	if ok {
		return id, nil
	}
	t, err := a.c.Tags.ByName(ctx, name)
	if err != nil {
		return "", err
	}
	if t == nil && create {
		t, _, err = a.c.Tags.Create(ctx, name)
		if err != nil {
			// Someone else may have created it meanwhile.
			if t2, err2 := a.c.Tags.ByName(ctx, name); err2 == nil && t2 != nil {
				t, err = t2, nil
			} else {
				return "", err
			}
		}
	}
	if t == nil {
		return "", nil
	}
	a.mu.Lock()
	a.tags[key] = t.ID
	a.mu.Unlock()
	return t.ID, nil
}

func (a *Adapter) tagIDs(ctx context.Context, names []string) ([]string, error) {
	var ids []string
	for _, n := range names {
		id, err := a.tagID(ctx, n, true)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// CreateIssue opens an issue. Priority, Assignee and Type go into the
// configured fields, Labels become tags, Fields are set by name with the
// $type the project declares, and Marker becomes a tag (or the marker
// field) in the same request, so the issue carries it from its creation.
// Parent is not supported and must be empty.
func (a *Adapter) CreateIssue(ctx context.Context, in *tracker.NewIssue) (*tracker.Issue, error) {
	if in == nil {
		return nil, errors.New("youtrack: CreateIssue: nil input")
	}
	if in.Parent != "" {
		return nil, fmt.Errorf("youtrack: CreateIssue: parent links: %w", tracker.ErrUnsupported)
	}
	if in.Marker != "" {
		if err := tracker.CheckMarker(in.Marker); err != nil {
			return nil, err
		}
	}
	pf, err := a.projectFields(ctx, in.Project)
	if err != nil {
		return nil, err
	}
	values := map[string]any{}
	for k, v := range in.Fields {
		values[k] = v
	}
	if in.Priority != "" {
		values[a.cfg.PriorityField] = in.Priority
	}
	if in.Assignee != "" {
		values[a.cfg.AssigneeField] = in.Assignee
	}
	if in.Type != "" {
		if _, ok := typeByName(pf, a.cfg.TypeField); ok {
			values[a.cfg.TypeField] = in.Type
		}
	}
	labels := slices.Clone(in.Labels)
	if in.Marker != "" {
		if a.cfg.MarkerField != "" {
			values[a.cfg.MarkerField] = in.Marker
		} else {
			labels = append(labels, in.Marker)
		}
	}
	typeOf := func(n string) (string, bool) { return typeByName(pf, n) }
	if err := a.resolvePeople(ctx, values, typeOf); err != nil {
		return nil, err
	}
	cfs, err := customFields(values, typeOf)
	if err != nil {
		return nil, err
	}
	tags, err := a.tagIDs(ctx, labels)
	if err != nil {
		return nil, err
	}
	is, _, err := a.c.Issues.Create(ctx, &IssueCreate{
		Project: in.Project, Summary: in.Summary, Description: in.Description,
		CustomFields: cfs, Tags: tags,
	}, nil)
	if err != nil {
		return nil, classifyUserError(err)
	}
	return a.toTracker(is)
}

// currentFields is the projection used before updates: field types and
// tags of the issue.
const currentFields = "$type,id,idReadable,project($type,id,shortName),customFields($type,id,name,value($type,name,isResolved)),tags($type,id,name)"

// UpdateIssue changes what ch sets in one POST (plus one request per added
// or removed tag). Resolution is not a YouTrack attribute (states carry
// it) and is refused.
func (a *Adapter) UpdateIssue(ctx context.Context, id string, ch *tracker.Change) error {
	return a.update(ctx, id, ch, true)
}

// update is UpdateIssue; cached says whether field types learnt earlier
// may stand in for reading the issue first.
func (a *Adapter) update(ctx context.Context, id string, ch *tracker.Change, cached bool) error {
	if ch.IsEmpty() {
		return nil
	}
	if ch.Resolution != nil {
		return fmt.Errorf("youtrack: UpdateIssue: resolution is set through the state (Transition): %w", tracker.ErrUnsupported)
	}
	values := map[string]any{}
	for k, v := range ch.Fields {
		values[k] = v
	}
	if ch.Priority != nil {
		values[a.cfg.PriorityField] = *ch.Priority
	}
	if ch.Assignee != nil {
		if *ch.Assignee == "" {
			values[a.cfg.AssigneeField] = nil
		} else {
			values[a.cfg.AssigneeField] = *ch.Assignee
		}
	}
	// The issue is read first only when the change needs what only it can
	// tell: a field type not seen yet, or the tags for a label diff. The
	// sync engine's write-backs (a Reported date) usually need neither.
	var cur *Issue
	fromCache := cached && len(ch.AddLabels) == 0 && len(ch.RemoveLabels) == 0 && a.typesKnown(values)
	if !fromCache {
		got, _, err := a.c.Issues.Get(ctx, id, &GetOptions{Fields: currentFields})
		if err != nil {
			return err
		}
		cur = got
		a.learnTypes(cur.CustomFields)
		id = cur.ID
	}
	if err := a.resolvePeople(ctx, values, a.typeOf); err != nil {
		return err
	}
	cfs, err := customFields(values, a.typeOf)
	if err != nil {
		return err
	}
	up := &IssueUpdate{Summary: ch.Summary, Description: ch.Description, CustomFields: cfs}
	if ch.Labels != nil {
		ids, err := a.tagIDs(ctx, *ch.Labels)
		if err != nil {
			return err
		}
		up.Tags = &ids
	}
	if up.Summary != nil || up.Description != nil || len(up.CustomFields) > 0 || up.Tags != nil {
		if _, _, err := a.c.Issues.Update(ctx, id, up, &GetOptions{Fields: "id"}); err != nil {
			if fromCache && (errors.Is(err, tracker.ErrInvalid) || errors.Is(err, tracker.ErrUnavailable)) {
				// YouTrack answers a wrong $type with 400 or 500: a field
				// may have changed type since we learnt it. Read and retry.
				a.forgetTypes(values)
				return a.update(ctx, id, ch, false)
			}
			return classifyUserError(err)
		}
	}
	if ch.Labels != nil || cur == nil {
		return nil // replaced as a whole, or no label to edit
	}
	have := map[string]string{}
	for _, t := range cur.Tags {
		have[strings.ToLower(t.Name)] = t.ID
	}
	for _, l := range ch.AddLabels {
		if _, ok := have[strings.ToLower(l)]; ok {
			continue
		}
		tid, err := a.tagID(ctx, l, true)
		if err != nil {
			return err
		}
		if _, err := a.c.Tags.AddToIssue(ctx, cur.ID, tid); err != nil {
			return err
		}
	}
	for _, l := range ch.RemoveLabels {
		tid, ok := have[strings.ToLower(l)]
		if !ok {
			continue
		}
		if _, err := a.c.Tags.RemoveFromIssue(ctx, cur.ID, tid); err != nil {
			return err
		}
	}
	return nil
}

// DeleteIssue deletes an issue.
func (a *Adapter) DeleteIssue(ctx context.Context, id string) error {
	_, err := a.c.Issues.Delete(ctx, id)
	return err
}

// SearchQuery returns the YouTrack query SearchIssues sends for q, or an
// error matching [ErrUnquotable] when a status in q cannot be quoted.
func (a *Adapter) SearchQuery(q tracker.Query) (string, error) {
	var b Query
	if q.Project != "" {
		b.Project(q.Project)
	}
	if !q.UpdatedSince.IsZero() {
		b.UpdatedSince(q.UpdatedSince, a.cfg.Location)
	}
	if len(q.Statuses) > 0 {
		b.Field(a.cfg.StateField, q.Statuses...)
	}
	b.Raw(q.Raw)
	b.SortBy("updated", true)
	return b.Build()
}

// SearchIssues lists the issues matching q in ascending updated order.
// UpdatedSince is applied to the millisecond on the client, as YouTrack
// queries resolve seconds.
func (a *Adapter) SearchIssues(ctx context.Context, q tracker.Query) iter.Seq2[*tracker.Issue, error] {
	top := q.PageSize
	if top <= 0 {
		top = a.cfg.PageSize
	}
	query, qerr := a.SearchQuery(q)
	return func(yield func(*tracker.Issue, error) bool) {
		if qerr != nil {
			yield(nil, qerr)
			return
		}
		for is, err := range a.c.Issues.Search(ctx, query, &ListOptions{Top: top}) {
			if err != nil {
				yield(nil, err)
				return
			}
			ti, err := a.toTracker(is)
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

// states returns the values of the project's state field, cached like
// the project's fields, so a transition costs no bundle request.
func (a *Adapter) states(ctx context.Context, project string) ([]*BundleElement, error) {
	key := strings.ToUpper(project)
	a.mu.Lock()
	cached, ok := a.stateSets[key]
	a.mu.Unlock()
	if ok {
		return cached, nil
	}
	pf, err := a.projectFields(ctx, project)
	if err != nil {
		return nil, err
	}
	for _, f := range pf {
		if f.Field == nil || !strings.EqualFold(f.Field.Name, a.cfg.StateField) || f.Bundle == nil {
			continue
		}
		var out []*BundleElement
		for v, err := range a.c.Projects.AllBundleValues(ctx, f.Bundle.Kind(), f.Bundle.ID, nil) {
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		a.mu.Lock()
		a.stateSets[key] = out
		a.mu.Unlock()
		return out, nil
	}
	return nil, fmt.Errorf("youtrack: project %s has no state field %q: %w", project, a.cfg.StateField, tracker.ErrNoTransition)
}

// Transition sets the issue's state: to.Status by name, or the first state
// (in bundle order) of to.Category — a resolved state for Done. YouTrack
// workflows allow any state, so the move is one command; to.Comment is
// added with it. An issue already there is left alone.
func (a *Adapter) Transition(ctx context.Context, id string, to tracker.TransitionTarget) error {
	cur, _, err := a.c.Issues.Get(ctx, id, &GetOptions{Fields: currentFields})
	if err != nil {
		return err
	}
	project := ""
	if cur.Project != nil {
		project = cur.Project.ShortName
	}
	states, err := a.states(ctx, project)
	if err != nil {
		return err
	}
	curState := ""
	curResolved := false
	if f := cur.Field(a.cfg.StateField); f != nil {
		if el, _ := f.Element(); el != nil {
			curState, curResolved = el.Name, el.IsResolved
		}
	}
	var target string
	if to.Status != "" {
		for _, s := range states {
			if strings.EqualFold(s.Name, to.Status) {
				target = s.Name
			}
		}
		if target == "" {
			return fmt.Errorf("youtrack: issue %s: no state %q in project %s: %w", id, to.Status, project, tracker.ErrNoTransition)
		}
		if strings.EqualFold(curState, target) {
			return nil
		}
	} else {
		if curState != "" && a.category(curState, curResolved) == to.Category {
			return nil
		}
		for _, s := range states {
			if !s.Archived && a.category(s.Name, s.IsResolved) == to.Category {
				target = s.Name
				break
			}
		}
		if target == "" {
			return fmt.Errorf("youtrack: issue %s: no state in category %s in project %s: %w", id, to.Category, project, tracker.ErrNoTransition)
		}
	}
	field, err := QuoteField(a.cfg.StateField)
	if err != nil {
		return err
	}
	value, err := QuoteValue(target)
	if err != nil {
		return err
	}
	_, err = a.c.Commands.Apply(ctx, &Command{
		Query:   field + " " + value,
		Issues:  []IssueRef{{ID: cur.ID}},
		Comment: to.Comment,
	})
	return err
}

func (a *Adapter) toComment(issueID string, c *Comment) *tracker.Comment {
	out := &tracker.Comment{ID: c.ID, IssueID: issueID, Body: c.Text}
	if v, ok := c.Extra["visibility"]; ok {
		// Kept raw by the decoder; read as the notification receiver does.
		out.Visibility = commentVisibility(append(append([]byte(`{"visibility":`), v...), '}'))
	}
	if c.Author != nil {
		out.Author, out.AuthorName = c.Author.Login, c.Author.FullName
	}
	if c.Created != 0 {
		out.Created = c.Created.Time()
	}
	if c.Updated != 0 {
		out.Updated = c.Updated.Time()
	}
	return out
}

// ListComments returns the issue's comments, oldest first, without deleted
// ones.
func (a *Adapter) ListComments(ctx context.Context, issueID string) ([]*tracker.Comment, error) {
	var out []*tracker.Comment
	for c, err := range a.c.Comments.All(ctx, issueID, nil) {
		if err != nil {
			return nil, err
		}
		if !c.Deleted {
			out = append(out, a.toComment(issueID, c))
		}
	}
	return out, nil
}

func (a *Adapter) commentInput(body string) *CommentInput {
	md := !a.cfg.PlainTextComments
	return &CommentInput{Text: body, UsesMarkdown: &md}
}

// AddComment adds a comment (Markdown unless PlainTextComments is set).
func (a *Adapter) AddComment(ctx context.Context, issueID, body string) (*tracker.Comment, error) {
	c, _, err := a.c.Comments.Add(ctx, issueID, a.commentInput(body))
	if err != nil {
		return nil, err
	}
	return a.toComment(issueID, c), nil
}

// UpdateComment edits a comment.
func (a *Adapter) UpdateComment(ctx context.Context, issueID, commentID, body string) (*tracker.Comment, error) {
	c, _, err := a.c.Comments.Update(ctx, issueID, commentID, a.commentInput(body))
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

// ToTrackerUser maps a YouTrack account onto the tracker model: Active is
// false for banned accounts.
func ToTrackerUser(u *User) *tracker.User {
	out := &tracker.User{
		ID: u.ID, Login: u.Login, Name: u.DisplayName(), Email: u.Email,
		Active: !u.Banned, Guest: u.Guest,
	}
	if u.LastAccessTime != 0 {
		out.LastAccess = u.LastAccessTime.Time()
	}
	if u.CreationTime != 0 {
		out.Created = u.CreationTime.Time()
	}
	for _, g := range u.Groups {
		out.Groups = append(out.Groups, g.Name)
	}
	return out
}

// ListUsers lists every account through the client's user API
// ([WithUserAPI]).
func (a *Adapter) ListUsers(ctx context.Context) iter.Seq2[*tracker.User, error] {
	return func(yield func(*tracker.User, error) bool) {
		for u, err := range a.c.Users.List(ctx, nil) {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(ToTrackerUser(u), nil) {
				return
			}
		}
	}
}

// FindByMarker finds the issues carrying marker: the tag of that name, or
// the marker field with exactly that text.
func (a *Adapter) FindByMarker(ctx context.Context, marker string) ([]*tracker.Issue, error) {
	if err := tracker.CheckMarker(marker); err != nil {
		return nil, err
	}
	var q Query
	if a.cfg.MarkerField != "" {
		q.Field(a.cfg.MarkerField, marker)
	} else {
		// A query naming an unknown tag is an error on YouTrack.
		id, err := a.tagID(ctx, marker, false)
		if err != nil || id == "" {
			return nil, err
		}
		q.Tag(marker)
	}
	query, err := q.Build()
	if err != nil {
		return nil, err
	}
	out := []*tracker.Issue{}
	for is, err := range a.c.Issues.Search(ctx, query, &ListOptions{Top: a.cfg.PageSize}) {
		if err != nil {
			return nil, err
		}
		ti, err := a.toTracker(is)
		if err != nil {
			return nil, err
		}
		// YouTrack matches text by words: keep exact carriers only.
		if a.cfg.MarkerField != "" {
			if v, _ := ti.Fields[fieldKey(ti.Fields, a.cfg.MarkerField)].(string); v != marker {
				continue
			}
		} else if !slices.Contains(ti.Labels, marker) {
			continue
		}
		out = append(out, ti)
	}
	return out, nil
}

// fieldKey returns the key of fields matching name case-insensitively.
func fieldKey(fields map[string]any, name string) string {
	for k := range fields {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// DescribeFields returns the summary and description plus the project's
// custom fields with their value sets; the priority field is reported as
// "priority". issueType is ignored: YouTrack fields are per project.
func (a *Adapter) DescribeFields(ctx context.Context, project, _ string) ([]tracker.FieldInfo, error) {
	pf, err := a.projectFields(ctx, project)
	if err != nil {
		return nil, err
	}
	out := []tracker.FieldInfo{
		{ID: "summary", Name: "summary", Type: "string", Required: true},
		{ID: "description", Name: "description", Type: "text"},
	}
	for _, f := range pf {
		if f.Field == nil {
			continue
		}
		// A field that cannot be empty but has a default is filled in by
		// YouTrack, so a create need not set it.
		fi := tracker.FieldInfo{ID: f.Field.ID, Name: f.Field.Name, Required: !f.CanBeEmpty && len(f.DefaultValues) == 0}
		if f.Field.FieldType != nil {
			fi.Type = f.Field.FieldType.ID
		}
		if strings.EqualFold(f.Field.Name, a.cfg.PriorityField) {
			fi.Name = "priority"
		}
		if f.Bundle != nil && f.Bundle.Kind() != "" && f.Bundle.Kind() != "user" {
			for v, err := range a.c.Projects.AllBundleValues(ctx, f.Bundle.Kind(), f.Bundle.ID, nil) {
				if err != nil {
					return nil, err
				}
				if !v.Archived {
					fi.Allowed = append(fi.Allowed, v.Name)
				}
			}
		}
		out = append(out, fi)
	}
	return out, nil
}

// DescribeStatuses returns the values of the project's state field with
// their categories.
func (a *Adapter) DescribeStatuses(ctx context.Context, project string) ([]tracker.StatusInfo, error) {
	states, err := a.states(ctx, project)
	if err != nil {
		return nil, err
	}
	out := make([]tracker.StatusInfo, 0, len(states))
	for _, s := range states {
		out = append(out, tracker.StatusInfo{Name: s.Name, Category: a.category(s.Name, s.IsResolved)})
	}
	return out, nil
}
