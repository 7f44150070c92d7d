package syncer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Action is what a [Decision] does.
type Action string

// Actions.
const (
	// ActionCreate creates a ticket for an item that has none.
	ActionCreate Action = "create"
	// ActionResolve finishes an interrupted create: it adopts the ticket
	// carrying the item's marker, or creates it when there is none.
	ActionResolve Action = "resolve"
	// ActionUpdate writes changed owned fields and moves the ticket.
	ActionUpdate Action = "update"
	// ActionSkip does nothing; the decision's Reason says why.
	ActionSkip Action = "skip"
	// ActionFail records that the item cannot be mapped (Err says why, for
	// example a value an "unmapped: error" map does not know): the item
	// fails, is retried on later runs and parked after MaxAttempts, so a
	// fixed mapping can take it up again with Retry.
	ActionFail Action = "fail"
)

// Skip reasons that callers may want to tell apart.
const (
	ReasonRuleNotMatched = "rule did not match"
	ReasonUnchanged      = "unchanged"
	ReasonParked         = "parked"
	ReasonClosed         = "link closed"
	ReasonLeased         = "another engine is working on it"
	ReasonNoUpdate       = "target cannot update; tickets are created once"
	ReasonCircuitOpen    = "circuit open"
	ReasonRecurrence     = "recurrence policy"
	// ReasonAwaitingItem: a pending link whose item cannot be read and
	// whose ticket was not found waits for the item to be pushed again.
	ReasonAwaitingItem = "create interrupted; waiting for the item to be pushed again"
	// ReasonMappingFailed: the mapping could not map the item.
	ReasonMappingFailed = "mapping failed"
	// ReasonStale: the version given is older than one the flow already
	// handled (a late webhook delivery).
	ReasonStale = "an older version than the flow has handled"
)

// Decision is what the flow will do, or did, with one source item.
type Decision struct {
	Source tracker.Ref
	Item   *tracker.Issue
	Action Action
	// Reason explains a skip, or qualifies another action.
	Reason string
	// Target is the linked ticket, for updates; TargetKey its human key
	// (SEC-12) where the flow recorded one.
	Target    tracker.Ref
	TargetKey string
	// Create is the ticket to create, for create and resolve.
	Create *tracker.NewIssue
	// Fields lists the owned fields whose value changed, for updates.
	Fields []string
	// Change sets those fields on the target.
	Change *tracker.Change
	// Transition moves the target, when its mapped status changed.
	Transition *tracker.TransitionTarget
	// WriteBack is set when write-back onto the source is still due.
	WriteBack bool
	// Replace is set when a recurrence opens a new ticket in place of a
	// done one.
	Replace bool
	// Comments is set when the item's comments are synced with its
	// ticket's: the flow syncs comments and the item changed.
	Comments bool
	// Err is why the item could not be mapped, for a skip.
	Err error

	result      *mapping.Result
	linkVersion int64
	hasLink     bool
	sends       int             // creates sent for the item in this run
	holdBack    map[string]bool // source fields a conflict keeps from the write-back
}

// String describes the decision in one line.
func (d *Decision) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", d.Action, d.Source)
	switch {
	case d.TargetKey != "":
		fmt.Fprintf(&b, " → %s", d.TargetKey)
	case !d.Target.IsZero():
		fmt.Fprintf(&b, " → %s", d.Target)
	}
	if len(d.Fields) > 0 {
		fmt.Fprintf(&b, " fields %s", strings.Join(d.Fields, ","))
	}
	if d.Transition != nil {
		fmt.Fprintf(&b, " to %s", d.Transition)
	}
	if d.Reason != "" {
		fmt.Fprintf(&b, " (%s)", d.Reason)
	}
	return b.String()
}

// Plan is the list of decisions for a batch of items.
type Plan struct {
	Flow      string
	Decisions []*Decision
}

// Count returns how many decisions have the action.
func (p *Plan) Count(a Action) int {
	n := 0
	for _, d := range p.Decisions {
		if d.Action == a {
			n++
		}
	}
	return n
}

// Plan decides what to do with each item without changing anything: it
// reads links from the store and applies the mapping. It is the dry run.
// Items are decided in order; an item given twice is decided once, by its
// last copy.
func (f *Flow) Plan(ctx context.Context, items ...*tracker.Issue) (*Plan, error) {
	p := &Plan{Flow: f.cfg.Name}
	seen := map[string]int{}
	for _, it := range items {
		if it == nil || it.ID == "" {
			return nil, fmt.Errorf("syncer: flow %q: item without an id", f.cfg.Name)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		src := f.SourceRef(it)
		link, err := f.getLink(ctx, src)
		if err != nil {
			return nil, err
		}
		d := f.decide(it, link)
		if i, ok := seen[src.ID]; ok {
			p.Decisions[i] = d
			continue
		}
		seen[src.ID] = len(p.Decisions)
		p.Decisions = append(p.Decisions, d)
	}
	return p, nil
}

// decide is the pure heart of the engine: the item and its link (nil when
// none) in, the decision out.
func (f *Flow) decide(item *tracker.Issue, link *store.Link) *Decision {
	d := &Decision{Source: f.SourceRef(item), Item: item}
	if link != nil {
		d.hasLink, d.linkVersion, d.Target, d.TargetKey = true, link.Version, link.Target, link.FieldHashes[keyTargetKey]
	}
	if link != nil && link.Parked {
		d.Action, d.Reason = ActionSkip, ReasonParked+": "+link.LastError
		return d
	}
	res, err := f.cfg.Mapping.Apply(item, f.cfg.Now())
	if err != nil {
		d.Action, d.Reason, d.Err = ActionFail, ReasonMappingFailed, err
		return d
	}
	d.result = res
	if link == nil {
		if !res.Match {
			d.Action, d.Reason = ActionSkip, ReasonRuleNotMatched+": "+res.Reason
			return d
		}
		d.Action, d.Create = ActionCreate, res.Issue
		return d
	}
	if link.Parked {
		d.Action, d.Reason = ActionSkip, ReasonParked+": "+link.LastError
		return d
	}
	if stale(link, keySourceSeen, item.Updated) {
		d.Action, d.Reason = ActionSkip, ReasonStale
		return d
	}
	switch link.State {
	case store.StatePending:
		d.Action, d.Create = ActionResolve, res.Issue
		return d
	case store.StateClosed:
		d.Action, d.Reason = ActionSkip, ReasonClosed
		return d
	}
	d.WriteBack = link.FieldHashes[keyAfterCreate] == "pending"
	// Comments are read for a version of the item the flow has not
	// handled yet: not for one the poll's overlap reads again.
	d.Comments = f.comments.Syncs() && !handled(link, keySourceSeen, item.Updated)
	if !res.Match {
		if d.WriteBack || d.Comments {
			d.Action = ActionUpdate
			return d
		}
		d.Action, d.Reason = ActionSkip, ReasonRuleNotMatched+": "+res.Reason
		return d
	}
	for name, v := range res.Owned {
		if link.FieldHashes[targetPrefix+name] != hashValue(v) {
			d.Fields = append(d.Fields, name)
		}
	}
	slices.Sort(d.Fields)
	// A target that cannot update has its tickets created once: a changed
	// field is not written, and the item says so rather than "unchanged".
	noUpdate := f.updater == nil && len(d.Fields) > 0
	if noUpdate {
		d.Fields = nil
	}
	if res.Transition != nil && f.trans != nil && link.FieldHashes[keyTargetStatus] != hashValue(res.Transition) {
		d.Transition = res.Transition
		if skip, replace := f.recurrence(link, res.Transition); skip != "" {
			d.Action, d.Reason = ActionSkip, ReasonRecurrence+": "+skip
			return d
		} else if replace {
			d.Action, d.Replace, d.Create = ActionCreate, true, res.Issue
			return d
		}
	}
	if len(d.Fields) == 0 && d.Transition == nil && !d.WriteBack && !d.Comments {
		d.Action, d.Reason = ActionSkip, ReasonUnchanged
		if noUpdate {
			d.Reason = ReasonNoUpdate
		}
		return d
	}
	d.Action = ActionUpdate
	if len(d.Fields) > 0 {
		d.Change = res.ChangeFor(d.Fields)
	}
	return d
}

// recurrence applies the recurrence policy when a done ticket is asked to
// move out of done. It returns a skip reason, or whether to open a new
// ticket instead; neither means reopen.
func (f *Flow) recurrence(link *store.Link, to *tracker.TransitionTarget) (skip string, replace bool) {
	doneAt := link.FieldHashes[keyTargetDoneAt]
	if doneAt == "" || to.Category == tracker.CategoryDone {
		return "", false
	}
	pol := f.cfg.Recurrence
	res := link.FieldHashes[keyTargetResolve]
	for _, r := range pol.NeverReopen {
		if strings.EqualFold(r, res) {
			return fmt.Sprintf("ticket resolved %q is never reopened", res), false
		}
	}
	if pol.ReopenWithin <= 0 {
		if pol.NewTicket {
			return "", true
		}
		return "", false
	}
	t, err := time.Parse(time.RFC3339Nano, doneAt)
	if err != nil || f.cfg.Now().Sub(t) <= pol.ReopenWithin {
		return "", false
	}
	if pol.NewTicket {
		return "", true
	}
	return fmt.Sprintf("ticket done since %s, past the %s reopen window", t.Format(time.RFC3339), pol.ReopenWithin), false
}
