package mapping

import (
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// CommentSpec says how a flow syncs the comments of a source item and its
// ticket (comments in YAML). A flow without one syncs no comments.
type CommentSpec struct {
	// Direction is "to-target" (the default: source comments are mirrored
	// onto the ticket), "to-source" or "both".
	Direction string `yaml:"direction,omitempty" json:"direction,omitempty"`
	// Edits mirrors a synced comment's edits (default true).
	Edits *bool `yaml:"edits,omitempty" json:"edits,omitempty"`
	// Deletions deletes the mirror of a deleted comment (default true).
	Deletions *bool `yaml:"deletions,omitempty" json:"deletions,omitempty"`
	// Attribution is the template of a mirrored comment's body. Its dot
	// is the issue the comment was written on, as for field templates,
	// with .Comment set (see [CommentData]). The default is
	// DefaultAttribution.
	Attribution string `yaml:"attribution,omitempty" json:"attribution,omitempty"`
	// Private says what becomes of restricted comments (Jira visibility,
	// YouTrack visibility groups): "skip" (the default) keeps them on their
	// side; "mirror" copies them, unrestricted, to the other side.
	Private string `yaml:"private,omitempty" json:"private,omitempty"`
}

// DefaultAttribution names the author and the tracker a comment was
// written in before its body.
const DefaultAttribution = "[{{.Comment.AuthorName}} in {{.Comment.Tracker}}] {{.Comment.Body}}"

// Comment directions.
const (
	ToTarget = "to-target"
	ToSource = "to-source"
	Both     = "both"
)

// CommentData is what an attribution template sees as .Comment.
type CommentData struct {
	// Author identifies the author in the tracker the comment was written
	// in; AuthorName is their display name (Author when there is none).
	Author, AuthorName string
	// Body is the comment's text.
	Body string
	// Tracker names the tracker the comment was written in, as the flow
	// names it (source or target, "extrahop", "jira").
	Tracker string
	// Created is when the comment was written.
	Created time.Time
}

// CommentPolicy is a flow's comment sync as an engine applies it.
type CommentPolicy struct {
	// ToTarget and ToSource are the directions comments move in; with
	// neither, the flow syncs no comments.
	ToTarget, ToSource bool
	// Edits and Deletions carry edits and deletions of synced comments.
	Edits, Deletions bool
	// MirrorPrivate copies restricted comments too.
	MirrorPrivate bool
}

// Syncs reports whether the flow syncs comments at all.
func (p CommentPolicy) Syncs() bool { return p.ToTarget || p.ToSource }

// ConflictPolicy settles a field synced both ways that changed on both
// sides since the last sync.
type ConflictPolicy string

// Conflict policies.
const (
	// SourceWins writes the source's value onto the target (the default).
	SourceWins ConflictPolicy = "source-wins"
	// TargetWins keeps the target's value and writes it back onto the
	// source.
	TargetWins ConflictPolicy = "target-wins"
	// NewestWins keeps the value of the side updated last, by each side's
	// updated time.
	NewestWins ConflictPolicy = "newest-wins"
)

// cTwoWay is the compiled comment and conflict configuration.
type cTwoWay struct {
	comments  CommentPolicy
	attrib    *tmpl
	twoWay    map[string]string // target field → source field
	conflicts map[string]ConflictPolicy
}

// compileTwoWay checks the comments and conflicts of a flow whose fields
// and back-mapping are compiled in cf.
func (f *FlowSpec) compileTwoWay(path string, cf *compiled, c *collector) {
	if cs := f.Comments; cs != nil {
		p := keyPath(path, "comments")
		pol := CommentPolicy{Edits: cs.Edits == nil || *cs.Edits, Deletions: cs.Deletions == nil || *cs.Deletions}
		switch cs.Direction {
		case "", ToTarget:
			pol.ToTarget = true
		case ToSource:
			pol.ToSource = true
		case Both:
			pol.ToTarget, pol.ToSource = true, true
		default:
			c.add(keyPath(p, "direction"), "%q: want %s, %s or %s", cs.Direction, ToTarget, ToSource, Both)
		}
		switch cs.Private {
		case "", "skip":
		case "mirror":
			pol.MirrorPrivate = true
		default:
			c.add(keyPath(p, "private"), "%q: want skip or mirror", cs.Private)
		}
		src := cs.Attribution
		if src == "" {
			src = DefaultAttribution
		}
		t, err := checkTemplate(src)
		if err != nil {
			c.add(keyPath(p, "attribution"), "%v", err)
		}
		cf.twoWay.comments, cf.twoWay.attrib = pol, t
	}

	// A target field is synced both ways when the flow owns it (fields or
	// values) and the back-mapping reads it into a source field.
	owned := map[string]bool{}
	for _, fld := range cf.fields {
		owned[fld.name] = true
	}
	for _, v := range cf.values {
		owned[v.name] = true
	}
	for _, fld := range cf.back.fields {
		if name := targetFieldOf(fld.ref); name != "" && owned[name] {
			if cf.twoWay.twoWay == nil {
				cf.twoWay.twoWay = map[string]string{}
			}
			cf.twoWay.twoWay[name] = fld.name
		}
	}
	cp := keyPath(path, "conflicts")
	for _, field := range sortedKeys(f.Conflicts) {
		p := keyPath(cp, field)
		if _, ok := cf.twoWay.twoWay[field]; !ok && field != "*" {
			c.add(p, "%q is not synced both ways: a field the flow maps (fields or values) and reads back (back.fields from the same field)", field)
			continue
		}
		switch pol := ConflictPolicy(f.Conflicts[field]); pol {
		case SourceWins, TargetWins, NewestWins:
			if cf.twoWay.conflicts == nil {
				cf.twoWay.conflicts = map[string]ConflictPolicy{}
			}
			cf.twoWay.conflicts[field] = pol
		default:
			c.add(p, "%q: want %s, %s or %s", f.Conflicts[field], SourceWins, TargetWins, NewestWins)
		}
	}
}

// targetFieldOf names the target field a reference reads, as forward
// field maps name it ("priority", a custom field's display name), or ""
// for attributes no field map owns.
func targetFieldOf(r ref) string {
	switch r.kind {
	case refField:
		return r.field
	case refSummary:
		return FieldSummary
	case refDescription:
		return FieldDescription
	case refPriority:
		return FieldPriority
	case refAssignee:
		return FieldAssignee
	case refLabels:
		return FieldLabels
	}
	return ""
}

// CommentPolicy returns the flow's comment sync; the zero policy (no
// direction) when the flow has no comments block.
func (f *FlowSpec) CommentPolicy() CommentPolicy {
	if f.c == nil {
		return CommentPolicy{}
	}
	return f.c.twoWay.comments
}

// RenderComment renders the mirrored body of comment c, written on issue
// on, through the flow's attribution template.
func (f *FlowSpec) RenderComment(on *tracker.Issue, c CommentData, now time.Time) (string, error) {
	if err := f.ready(); err != nil {
		return "", err
	}
	t := f.c.twoWay.attrib
	if t == nil {
		var err error
		if t, err = checkTemplate(DefaultAttribution); err != nil {
			return "", err
		}
	}
	if c.AuthorName == "" {
		c.AuthorName = c.Author
	}
	view := on.Clone()
	return renderWith(t, view, &c, now, f.c.limits)
}

// TwoWayFields lists the target fields the flow syncs both ways, each
// with the source field the back-mapping writes it to: fields the flow
// owns (fields or values) that back.fields also reads. Empty when there
// are none.
func (f *FlowSpec) TwoWayFields() map[string]string {
	if f.c == nil {
		return nil
	}
	return f.c.twoWay.twoWay
}

// Conflict returns the policy for a field synced both ways:
// conflicts[field], else conflicts["*"], else SourceWins.
func (f *FlowSpec) Conflict(field string) ConflictPolicy {
	if f.c == nil {
		return SourceWins
	}
	if p, ok := f.c.twoWay.conflicts[field]; ok {
		return p
	}
	if p, ok := f.c.twoWay.conflicts["*"]; ok {
		return p
	}
	return SourceWins
}
