package youtrack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"

	"github.com/trackbridge/trackbridge/internal/rest"
	"github.com/trackbridge/trackbridge/tracker"
)

// DefaultProjectFields is the projection of project calls.
const DefaultProjectFields = "$type,id,shortName,name,archived"

// DefaultProjectCustomFieldFields is the projection of a project's custom
// field settings.
const DefaultProjectCustomFieldFields = "$type,id,canBeEmpty,emptyFieldText,field($type,id,name,fieldType($type,id)),bundle($type,id,name),defaultValues($type,id,name)"

// DefaultBundleValueFields is the projection of bundle values.
const DefaultBundleValueFields = "$type,id,name,description,isResolved,ordinal,archived"

// Project is a YouTrack project.
type Project struct {
	Type string `json:"$type,omitempty"`
	// ID is the entity id ("0-1") request bodies must use.
	ID        string `json:"id,omitempty"`
	ShortName string `json:"shortName,omitempty"`
	Name      string `json:"name,omitempty"`
	Archived  bool   `json:"archived,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// ProjectCustomField is a custom field's settings in one project.
type ProjectCustomField struct {
	Type           string    `json:"$type,omitempty"`
	ID             string    `json:"id,omitempty"`
	Field          *FieldDef `json:"field,omitempty"`
	Bundle         *Bundle   `json:"bundle,omitempty"`
	CanBeEmpty     bool      `json:"canBeEmpty,omitempty"`
	EmptyFieldText string    `json:"emptyFieldText,omitempty"`
	// DefaultValues are what a new issue gets when the create sets none
	// (bundle fields only).
	DefaultValues []BundleElement `json:"defaultValues,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// FieldDef is a custom field's global definition.
type FieldDef struct {
	Type      string     `json:"$type,omitempty"`
	ID        string     `json:"id,omitempty"`
	Name      string     `json:"name,omitempty"`
	FieldType *FieldType `json:"fieldType,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// FieldType names a field's value type: "enum[1]", "enum[*]", "state[1]",
// "user[1]", "date", "date and time", "string", "text", "period", …
type FieldType struct {
	Type string `json:"$type,omitempty"`
	ID   string `json:"id,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// Bundle is the set of values of a bundle field.
type Bundle struct {
	Type   string          `json:"$type,omitempty"`
	ID     string          `json:"id,omitempty"`
	Name   string          `json:"name,omitempty"`
	Values []BundleElement `json:"values,omitempty"`
	// Extra keeps the keys this package does not model, as sent.
	Extra map[string]json.RawMessage `json:"-"`
	// Problems lists the fields whose value had an unexpected type; they
	// are left zero here and their raw value is kept in the FieldError.
	Problems []FieldError `json:"-"`
}

// Kind returns the bundle's path segment in
// /api/admin/customFieldSettings/bundles/{kind}: "state", "enum",
// "version", "build", "ownedField" or "user"; "" when unknown.
func (b *Bundle) Kind() string {
	switch b.Type {
	case "StateBundle":
		return "state"
	case "EnumBundle":
		return "enum"
	case "VersionBundle":
		return "version"
	case "BuildBundle":
		return "build"
	case "OwnedBundle":
		return "ownedField"
	case "UserBundle":
		return "user"
	}
	return ""
}

// ProjectsService handles /api/admin/projects and value bundles. It caches
// the short name → entity id mapping, which never changes for a project.
type ProjectsService struct {
	c       *Client
	mu      sync.Mutex
	byShort map[string]*Project
}

// List returns one page of projects.
func (s *ProjectsService) List(ctx context.Context, o *ListOptions) ([]*Project, *Response, error) {
	return getList[Project](ctx, s.c, "api/admin/projects", s.c.listQuery(o, DefaultProjectFields, ""))
}

// All returns every project, page by page.
func (s *ProjectsService) All(ctx context.Context, o *ListOptions) iter.Seq2[*Project, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*Project, error) {
		list, _, err := s.List(ctx, po)
		return list, err
	})
}

// ByShortName returns the project with the short name ("HD"),
// case-insensitively. The first call lists the projects; later calls are
// answered from the cache. An unknown name gives an error matching
// tracker.ErrNotFound.
func (s *ProjectsService) ByShortName(ctx context.Context, shortName string) (*Project, error) {
	key := strings.ToUpper(shortName)
	s.mu.Lock()
	p, ok := s.byShort[key]
	s.mu.Unlock()
	if ok {
		c := *p
		return &c, nil
	}
	found := map[string]*Project{}
	for p, err := range s.All(ctx, &ListOptions{Fields: "$type,id,shortName,name"}) {
		if err != nil {
			return nil, err
		}
		found[strings.ToUpper(p.ShortName)] = p
	}
	s.mu.Lock()
	for k, v := range found {
		s.byShort[k] = v
	}
	s.mu.Unlock()
	if p, ok := found[key]; ok {
		c := *p
		return &c, nil
	}
	return nil, fmt.Errorf("youtrack: project %q: %w", shortName, tracker.ErrNotFound)
}

// CustomFields returns one page of a project's custom field settings;
// projectID is the entity id or the short name.
func (s *ProjectsService) CustomFields(ctx context.Context, projectID string, o *ListOptions) ([]*ProjectCustomField, *Response, error) {
	if projectID == "" {
		return nil, nil, errors.New("youtrack: Projects.CustomFields: empty project id")
	}
	return getList[ProjectCustomField](ctx, s.c, rest.Pathf("api/admin/projects/%s/customFields", projectID), s.c.listQuery(o, DefaultProjectCustomFieldFields, ""))
}

// AllCustomFields returns every custom field setting of a project.
func (s *ProjectsService) AllCustomFields(ctx context.Context, projectID string, o *ListOptions) iter.Seq2[*ProjectCustomField, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*ProjectCustomField, error) {
		list, _, err := s.CustomFields(ctx, projectID, po)
		return list, err
	})
}

// BundleValues returns one page of a bundle's values; kind is the bundle's
// [Bundle.Kind] ("state", "enum", …).
func (s *ProjectsService) BundleValues(ctx context.Context, kind, bundleID string, o *ListOptions) ([]*BundleElement, *Response, error) {
	if kind == "" || bundleID == "" {
		return nil, nil, errors.New("youtrack: Projects.BundleValues: bundle kind and id are required")
	}
	return getList[BundleElement](ctx, s.c, rest.Pathf("api/admin/customFieldSettings/bundles/%s/%s/values", kind, bundleID), s.c.listQuery(o, DefaultBundleValueFields, ""))
}

// AllBundleValues returns every value of a bundle.
func (s *ProjectsService) AllBundleValues(ctx context.Context, kind, bundleID string, o *ListOptions) iter.Seq2[*BundleElement, error] {
	return pages(ctx, o, s.c.pageSize, func(ctx context.Context, po *ListOptions) ([]*BundleElement, error) {
		list, _, err := s.BundleValues(ctx, kind, bundleID, po)
		return list, err
	})
}
