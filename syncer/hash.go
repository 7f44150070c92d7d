package syncer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Keys of Link.FieldHashes. Owned target fields are stored under
// "target.<field>", fields written back onto the source under
// "source.<field>"; the "state." keys are bookkeeping.
const (
	targetPrefix     = "target."
	sourcePrefix     = "source."
	keyTargetStatus  = "target.status"
	keySourceStatus  = "source.status"
	keyAfterCreate   = "state.after_create" // "pending" until after-create actions ran
	keyTargetDoneAt  = "state.target_done_at"
	keyTargetResolve = "state.target_resolution"
	keyCreateSent    = "state.create_sent" // when the last create was sent, while pending
	keyClosedAt      = "state.closed_at"
	keyTargetKey     = "state.target_key"     // the ticket's human key, for plans and reports
	keyUnmapped      = "state.unmapped"       // a pending link that only records mapping failures
	keySourceSeen    = "state.source_updated" // the newest item version handled
	keyTargetSeen    = "state.target_updated" // the newest ticket version handled
)

// hashValue returns a short content hash of a mapped value. Values are
// hashed through their JSON form, which is canonical for the types a
// mapping produces (maps have sorted keys).
func hashValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(fmt.Sprintf("%T:%v", v, v))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// changeValues lists what a change sets, by field name, so each can be
// hashed on its own.
func changeValues(ch *tracker.Change) map[string]any {
	out := map[string]any{}
	if ch == nil {
		return out
	}
	set := func(name string, p *string) {
		if p != nil {
			out[name] = *p
		}
	}
	set("summary", ch.Summary)
	set("description", ch.Description)
	set("priority", ch.Priority)
	set("assignee", ch.Assignee)
	set("resolution", ch.Resolution)
	if ch.Labels != nil {
		out["labels"] = *ch.Labels
	}
	if len(ch.AddLabels) > 0 {
		l := slices.Clone(ch.AddLabels)
		slices.Sort(l)
		out["labels+"] = l
	}
	if len(ch.RemoveLabels) > 0 {
		l := slices.Clone(ch.RemoveLabels)
		slices.Sort(l)
		out["labels-"] = l
	}
	for k, v := range ch.Fields {
		if t, ok := v.(time.Time); ok {
			v = t.UTC()
		}
		out[k] = v
	}
	return out
}

// mergeChanges returns a change that sets everything a and b set; b wins
// where both set a field.
func mergeChanges(a, b *tracker.Change) *tracker.Change {
	out := &tracker.Change{}
	for _, c := range []*tracker.Change{a, b} {
		if c == nil {
			continue
		}
		if c.Summary != nil {
			out.Summary = c.Summary
		}
		if c.Description != nil {
			out.Description = c.Description
		}
		if c.Priority != nil {
			out.Priority = c.Priority
		}
		if c.Assignee != nil {
			out.Assignee = c.Assignee
		}
		if c.Resolution != nil {
			out.Resolution = c.Resolution
		}
		if c.Labels != nil {
			out.Labels = c.Labels
		}
		out.AddLabels = append(out.AddLabels, c.AddLabels...)
		out.RemoveLabels = append(out.RemoveLabels, c.RemoveLabels...)
		for k, v := range c.Fields {
			if out.Fields == nil {
				out.Fields = map[string]any{}
			}
			out.Fields[k] = v
		}
	}
	return out
}

// setHash sets m[k] = v, making m when nil, and returns m.
func setHash(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// seen records on the link that a version of one side, updated at t, was
// handled, so that an older version (a late webhook) is recognised.
func seen(link *store.Link, key string, t time.Time) {
	if t.IsZero() {
		return
	}
	if prev, err := time.Parse(time.RFC3339Nano, link.FieldHashes[key]); err == nil && !t.After(prev) {
		return
	}
	link.FieldHashes = setHash(link.FieldHashes, key, t.UTC().Format(time.RFC3339Nano))
}

// stale reports whether a version of one side updated at t is older than
// one the flow already handled.
func stale(link *store.Link, key string, t time.Time) bool {
	prev, err := time.Parse(time.RFC3339Nano, link.FieldHashes[key])
	return err == nil && !t.IsZero() && t.Before(prev)
}

// handled reports whether the version of one side updated at t was
// already handled: it is not newer than the newest recorded.
func handled(link *store.Link, key string, t time.Time) bool {
	prev, err := time.Parse(time.RFC3339Nano, link.FieldHashes[key])
	return err == nil && !t.IsZero() && !t.After(prev)
}
