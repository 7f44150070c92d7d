package syncer

import (
	"context"
	"fmt"
	"slices"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Fields synced both ways (mapping.FlowSpec.TwoWayFields: owned by the
// flow and read back onto the source) can change on both sides between two
// syncs. The link's "target.<field>" hash is the value both sides last
// agreed on, so each side's change is told by comparing its current value
// with it: the source's as the mapping maps it, the target's as read. When
// both changed, the flow's conflict policy decides, and an EventConflict
// reports the field, both values and the winner. Nothing is overwritten
// silently.

// conflict is one field that changed on both sides.
type conflict struct {
	field          string
	source, target any
	winner         string // "source" or "target"
	policy         mapping.ConflictPolicy
}

// targetValue reads a target field as the forward mapping names it.
func targetValue(t *tracker.Issue, field string) any {
	switch field {
	case mapping.FieldSummary:
		return t.Summary
	case mapping.FieldDescription:
		return t.Description
	case mapping.FieldPriority:
		return t.Priority
	case mapping.FieldAssignee:
		return t.Assignee
	case mapping.FieldLabels:
		return t.Labels
	}
	return t.Fields[field]
}

// settle decides a conflict on field by the flow's policy; sourceUpdated
// and targetUpdated are the two sides' updated times for newest-wins.
func (f *Flow) settle(field string, src, tgt any, source, target *tracker.Issue) conflict {
	c := conflict{field: field, source: src, target: tgt, policy: f.cfg.Mapping.Conflict(field), winner: "source"}
	switch c.policy {
	case mapping.TargetWins:
		c.winner = "target"
	case mapping.NewestWins:
		if source != nil && target != nil && target.Updated.After(source.Updated) {
			c.winner = "target"
		}
	}
	return c
}

// report emits the conflict to the observer and the report.
func (c conflict) report(r *run, d *Decision, link *store.Link) {
	r.note(Event{Kind: EventConflict, Source: d.Source, Target: link.Target, Fields: []string{c.field},
		Reason: fmt.Sprintf("%s changed on both sides: source %v, target %v; %s: the %s's value is kept", c.field, c.source, c.target, c.policy, c.winner)})
}

// sourceSideConflicts runs before an update writes the fields the source
// changed: a two-way field the target changed too is settled. A field the
// target wins is dropped from the update and its value written back onto
// the source. It returns whether a write-back is now due.
func (f *Flow) sourceSideConflicts(ctx context.Context, r *run, d *Decision, link *store.Link) (target *tracker.Issue, writeBack bool, err error) {
	twoWay := f.cfg.Mapping.TwoWayFields()
	var both []string
	for _, name := range d.Fields {
		if _, ok := twoWay[name]; ok {
			both = append(both, name)
		}
	}
	if len(both) == 0 {
		return nil, false, nil
	}
	if target, err = f.getTarget(ctx, r, d, link); err != nil {
		return nil, false, err
	}
	for _, name := range both {
		cur := targetValue(target, name)
		if hashValue(cur) == link.FieldHashes[targetPrefix+name] || hashValue(cur) == hashValue(d.result.Owned[name]) {
			continue // only the source changed, or both to the same value
		}
		c := f.settle(name, d.result.Owned[name], cur, d.Item, target)
		c.report(r, d, link)
		if c.winner == "target" {
			d.Fields = slices.DeleteFunc(d.Fields, func(s string) bool { return s == name })
			link.FieldHashes = setHash(link.FieldHashes, targetPrefix+name, hashValue(cur))
			writeBack = true
		}
	}
	if writeBack {
		d.Change = nil
		if len(d.Fields) > 0 {
			d.Change = d.result.ChangeFor(d.Fields)
		}
	}
	return target, writeBack, nil
}

// targetSideConflicts runs before the target's state is written back onto
// the source: a two-way field the source changed too is settled, reading
// the source item once. A field the source wins is written onto the
// target instead of back. It returns the fields whose write-back must be
// held back.
func (f *Flow) targetSideConflicts(ctx context.Context, r *run, d *Decision, link *store.Link, t *tracker.Issue) (hold map[string]bool, err error) {
	twoWay := f.cfg.Mapping.TwoWayFields()
	if len(twoWay) == 0 || f.cfg.Source == nil {
		return nil, nil
	}
	var changed []string
	for name := range twoWay {
		if hashValue(targetValue(t, name)) != link.FieldHashes[targetPrefix+name] {
			changed = append(changed, name)
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	slices.Sort(changed)
	var item *tracker.Issue
	err = f.try(ctx, r, d, "get item", func() error {
		var err error
		item, err = f.cfg.Source.GetIssue(ctx, link.Source.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s to compare fields synced both ways: %w", link.Source, err)
	}
	d.Item = item
	res, err := f.cfg.Mapping.Apply(item, f.cfg.Now())
	if err != nil || !res.Match {
		return nil, err
	}
	var push []string
	for _, name := range changed {
		cur, want := targetValue(t, name), res.Owned[name]
		if hashValue(want) == link.FieldHashes[targetPrefix+name] || hashValue(want) == hashValue(cur) {
			// Only the target changed (or both alike): its value is the
			// one both sides agree on once written back.
			link.FieldHashes = setHash(link.FieldHashes, targetPrefix+name, hashValue(cur))
			continue
		}
		c := f.settle(name, want, cur, item, t)
		c.report(r, d, link)
		if c.winner == "source" {
			if hold == nil {
				hold = map[string]bool{}
			}
			hold[twoWay[name]] = true
			push = append(push, name)
		} else {
			link.FieldHashes = setHash(link.FieldHashes, targetPrefix+name, hashValue(cur))
		}
	}
	if len(push) > 0 && f.updater != nil {
		ch := res.ChangeFor(push)
		if err := f.try(ctx, r, d, "update", func() error { return f.updater.UpdateIssue(ctx, link.Target.ID, ch) }); err != nil {
			return nil, fmt.Errorf("writing the source's values onto %s: %w", link.Target, err)
		}
		// Both sides now hold the source's values: record them as what
		// the target has and what the back-mapping of it gives the source.
		after := t.Clone()
		for _, name := range push {
			link.FieldHashes = setHash(link.FieldHashes, targetPrefix+name, hashValue(res.Owned[name]))
			setTargetValue(after, name, res.Owned[name])
		}
		if back, err := f.cfg.Mapping.ApplyBack(after); err == nil {
			vals := changeValues(back.Change)
			for field := range hold {
				if v, ok := vals[field]; ok {
					link.FieldHashes = setHash(link.FieldHashes, sourcePrefix+field, hashValue(v))
				}
			}
		}
	}
	return hold, nil
}

// setTargetValue sets a target field on an issue, as targetValue reads it.
func setTargetValue(t *tracker.Issue, field string, v any) {
	s, _ := v.(string)
	switch field {
	case mapping.FieldSummary:
		t.Summary = s
	case mapping.FieldDescription:
		t.Description = s
	case mapping.FieldPriority:
		t.Priority = s
	case mapping.FieldAssignee:
		t.Assignee = s
	case mapping.FieldLabels:
		t.Labels, _ = v.([]string)
	default:
		if t.Fields == nil {
			t.Fields = map[string]any{}
		}
		t.Fields[field] = v
	}
}
