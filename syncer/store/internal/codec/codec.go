// Package codec encodes the parts of store records that SQL stores keep
// as JSON text: field hashes, comment maps and event attributes.
package codec

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
)

// comment is the stored form of a store.CommentLink. Its field names are
// part of the database format: never rename them.
type comment struct {
	SourceID  string     `json:"source_id"`
	TargetID  string     `json:"target_id"`
	Origin    string     `json:"origin,omitempty"`
	Hash      string     `json:"hash,omitempty"`
	Marker    string     `json:"marker,omitempty"`
	Pending   bool       `json:"pending,omitempty"`
	Deleted   bool       `json:"deleted,omitempty"`
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
}

// Map encodes a string map as a JSON object ("{}" when empty).
func Map(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// ParseMap decodes what Map encoded, returning an empty, non-nil map for
// "{}" or "".
func ParseMap(s string) (map[string]string, error) {
	m := map[string]string{}
	if s == "" {
		return m, nil
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decoding stored map: %w", err)
	}
	return m, nil
}

// Comments encodes a comment map as a JSON array ("[]" when empty).
func Comments(cs []store.CommentLink) (string, error) {
	if len(cs) == 0 {
		return "[]", nil
	}
	out := make([]comment, len(cs))
	for i, c := range cs {
		out[i] = comment{SourceID: c.SourceID, TargetID: c.TargetID, Origin: string(c.Origin), Hash: c.Hash, Marker: c.Marker, Pending: c.Pending, Deleted: c.Deleted}
		if !c.DeletedAt.IsZero() {
			at := c.DeletedAt.UTC()
			out[i].DeletedAt = &at
		}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// ParseComments decodes what Comments encoded, returning nil when empty.
func ParseComments(s string) ([]store.CommentLink, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var in []comment
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decoding stored comments: %w", err)
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]store.CommentLink, len(in))
	for i, c := range in {
		out[i] = store.CommentLink{SourceID: c.SourceID, TargetID: c.TargetID, Origin: store.Side(c.Origin), Hash: c.Hash, Marker: c.Marker, Pending: c.Pending, Deleted: c.Deleted}
		if c.DeletedAt != nil {
			out[i].DeletedAt = c.DeletedAt.UTC()
		}
	}
	return out, nil
}

// Nanos encodes t as Unix nanoseconds, the zero time as 0.
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromNanos decodes what Nanos encoded, in UTC.
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
