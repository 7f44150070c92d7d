package trax

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// Kind is the adapter's tracker kind.
const Kind = "trax"

// AdapterConfig configures an adapter. The zero value suits the default
// ERD.
type AdapterConfig struct {
	// SummaryAttribute and DescriptionAttribute name the attributes that
	// receive an issue's Summary and Description when its Fields do not set
	// them, and from which a read record's Summary and Description come
	// (default "name" and "description").
	SummaryAttribute     string
	DescriptionAttribute string
	// IDPrefix starts the ids derived from a record's content when an
	// issue has no marker (default "tb-").
	IDPrefix string
}

// PostboxTracker is what [NewAdapter] returns: a tracker that creates
// issues one at a time and in bulk. Its dynamic type is *Adapter, or
// *ReadAdapter when the client has a read endpoint.
type PostboxTracker interface {
	tracker.Tracker
	tracker.Creator
	tracker.BulkCreator
}

// Adapter makes a trax postbox a create-only tracker: it implements
// tracker.Creator and tracker.BulkCreator, and its GetIssue returns an
// error matching tracker.ErrUnsupported.
//
// An issue becomes a record whose attributes are the issue's Fields, with
// "name" and "description" taken from Summary and Description when Fields
// does not set them (see [AdapterConfig]); Project, Type, Priority,
// Assignee, Labels and Parent have no place in a record and are ignored.
// The record id is the issue's Marker or, when it has none, a hash of the
// attributes, so the same content posted twice is the same record. The
// returned issue has ID = Key = the record id and a URL only when the
// client has a record URL template.
type Adapter struct {
	c   *Client
	cfg AdapterConfig
}

// ReadAdapter is an [Adapter] of a client with a read endpoint (see
// [WithReadEndpoint]): GetIssue reads records back, and it implements
// tracker.MarkerFinder, since a marker is a record id.
type ReadAdapter struct {
	*Adapter
}

// Compile-time checks of the capabilities each type offers.
var (
	_ PostboxTracker       = (*Adapter)(nil)
	_ PostboxTracker       = (*ReadAdapter)(nil)
	_ tracker.MarkerFinder = (*ReadAdapter)(nil)
)

// NewAdapter returns the adapter of c: a *ReadAdapter when c has a read
// endpoint, else an *Adapter. So tracker.Has(a, tracker.CanFindMarkers) is
// true exactly when records can be read back.
func NewAdapter(c *Client, cfg AdapterConfig) (PostboxTracker, error) {
	if c == nil {
		return nil, errors.New("trax: nil client")
	}
	if cfg.SummaryAttribute == "" {
		cfg.SummaryAttribute = AttrName
	}
	if cfg.DescriptionAttribute == "" {
		cfg.DescriptionAttribute = AttrDescription
	}
	if cfg.IDPrefix == "" {
		cfg.IDPrefix = "tb-"
	}
	if cfg.SummaryAttribute == cfg.DescriptionAttribute {
		return nil, fmt.Errorf("trax: summary and description both map to attribute %q", cfg.SummaryAttribute)
	}
	a := &Adapter{c: c, cfg: cfg}
	if c.CanRead() {
		return &ReadAdapter{Adapter: a}, nil
	}
	return a, nil
}

// Kind returns "trax".
func (a *Adapter) Kind() string { return Kind }

// Client returns the adapter's client.
func (a *Adapter) Client() *Client { return a.c }

// Record returns the record an issue becomes; see [Adapter].
func (a *Adapter) Record(in *tracker.NewIssue) (Record, error) {
	if in == nil {
		return Record{}, fmt.Errorf("trax: nil issue: %w", tracker.ErrInvalid)
	}
	attrs := make(map[string]any, len(in.Fields)+2)
	for k, v := range in.Fields {
		if v != nil {
			attrs[k] = v
		}
	}
	if _, ok := attrs[a.cfg.SummaryAttribute]; !ok && in.Summary != "" {
		attrs[a.cfg.SummaryAttribute] = in.Summary
	}
	if _, ok := attrs[a.cfg.DescriptionAttribute]; !ok && in.Description != "" {
		attrs[a.cfg.DescriptionAttribute] = in.Description
	}
	id := in.Marker
	if id != "" {
		if err := tracker.CheckMarker(id); err != nil {
			return Record{}, fmt.Errorf("trax: %w: %w", err, tracker.ErrInvalid)
		}
	} else {
		var err error
		if id, err = a.contentID(attrs); err != nil {
			return Record{}, err
		}
	}
	return Record{ID: id, Attributes: attrs}, nil
}

// contentID derives a stable id from the attributes: JSON encodes map keys
// in sorted order, so equal content gives equal ids.
func (a *Adapter) contentID(attrs map[string]any) (string, error) {
	data, err := json.Marshal(a.c.wire(attrs))
	if err != nil {
		return "", fmt.Errorf("trax: encoding attributes: %w: %w", err, tracker.ErrInvalid)
	}
	sum := sha256.Sum256(data)
	return a.cfg.IDPrefix + hex.EncodeToString(sum[:16]), nil
}

// issue returns the issue a posted record became.
func (a *Adapter) issue(r Record) *tracker.Issue {
	is := &tracker.Issue{ID: r.ID, Key: r.ID, URL: a.c.RecordURL(r.ID), Fields: maps.Clone(r.Attributes)}
	is.Summary, _ = r.Attributes[a.cfg.SummaryAttribute].(string)
	is.Description, _ = r.Attributes[a.cfg.DescriptionAttribute].(string)
	return is
}

// CreateIssue posts the issue as one record and returns it with ID = Key =
// the record id. A record the client's ERD refuses is not sent; the error
// matches tracker.ErrInvalid and names the attribute.
func (a *Adapter) CreateIssue(ctx context.Context, in *tracker.NewIssue) (*tracker.Issue, error) {
	r, err := a.Record(in)
	if err != nil {
		return nil, err
	}
	if _, err := a.c.Create(ctx, r); err != nil {
		return nil, err
	}
	return a.issue(r), nil
}

// CreateIssues posts the issues in the client's batches and returns one
// result per input, in order. Inputs that cannot become a valid record, or
// repeat the record id of an earlier input, fail alone with an error
// matching tracker.ErrInvalid; the others are posted. When a batch fails,
// its records carry the batch's error, and those of later batches, which
// are not sent, say so and wrap the same error. The error return is
// reserved for failures of the call as a whole and is nil.
func (a *Adapter) CreateIssues(ctx context.Context, in []*tracker.NewIssue) ([]tracker.BulkResult, error) {
	out := make([]tracker.BulkResult, len(in))
	var recs []Record
	var idx []int
	seen := map[string]int{}
	for i, n := range in {
		r, err := a.Record(n)
		if err == nil {
			err = a.c.Validate(r)
		}
		if err == nil {
			if j, dup := seen[r.ID]; dup {
				err = fmt.Errorf("trax: record id %q repeats that of input %d: %w", r.ID, j, tracker.ErrInvalid)
			}
		}
		if err != nil {
			out[i].Err = err
			continue
		}
		seen[r.ID] = i
		recs = append(recs, r)
		idx = append(idx, i)
	}
	if len(recs) == 0 {
		return out, nil
	}
	// Every record was checked above, so post sends them without checking
	// them again.
	res, err := a.c.post(ctx, recs)
	batchErr, notSent := err, map[string]bool{}
	var ce *CreateError
	if errors.As(err, &ce) {
		batchErr = ce.Err
		for _, id := range ce.NotSent {
			notSent[id] = true
		}
	}
	accepted := make(map[string]bool, len(res.Accepted))
	for _, id := range res.Accepted {
		accepted[id] = true
	}
	for k, r := range recs {
		i := idx[k]
		switch {
		case accepted[r.ID]:
			out[i].Issue = a.issue(r)
		case notSent[r.ID]:
			out[i].Err = fmt.Errorf("trax: record %q not sent: an earlier batch failed: %w", r.ID, batchErr)
		default:
			out[i].Err = fmt.Errorf("trax: record %q not accepted: %w", r.ID, batchErr)
		}
	}
	return out, nil
}

// GetIssue reads a record back through the read endpoint. Without one it
// returns an error matching tracker.ErrUnsupported: a postbox is write-only.
//
// The issue has ID = Key = the record id, Summary and Description from
// their attributes, every attribute in Fields (numbers as float64), Status
// from the record's meta "status" (default "accepted"; its category when
// the name is a known one), and Created and Updated from meta "created" and
// "updated" when they are RFC 3339 times.
func (a *Adapter) GetIssue(ctx context.Context, id string) (*tracker.Issue, error) {
	rec, _, err := a.c.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	is := a.issue(rec.Record)
	if is.Fields == nil {
		is.Fields = map[string]any{}
	}
	is.Status = "accepted"
	if s, ok := rec.Meta["status"].(string); ok && s != "" {
		is.Status = s
	}
	is.StatusCategory, _ = tracker.ParseStatusCategory(is.Status)
	is.Created = metaTime(rec.Meta, "created")
	is.Updated = metaTime(rec.Meta, "updated")
	if is.Updated.IsZero() {
		is.Updated = is.Created
	}
	return is, nil
}

func metaTime(meta map[string]any, key string) time.Time {
	s, _ := meta[key].(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// FindByMarker returns the record whose id is the marker, or none.
func (a *ReadAdapter) FindByMarker(ctx context.Context, marker string) ([]*tracker.Issue, error) {
	if err := tracker.CheckMarker(marker); err != nil {
		return nil, fmt.Errorf("trax: %w: %w", err, tracker.ErrInvalid)
	}
	is, err := a.GetIssue(ctx, marker)
	if errors.Is(err, tracker.ErrNotFound) {
		return []*tracker.Issue{}, nil
	}
	if err != nil {
		return nil, err
	}
	return []*tracker.Issue{is}, nil
}
