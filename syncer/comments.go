package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/tracker"
)

// Comment sync pairs every comment a person wrote (the original) with the
// copy the engine makes on the other side (the mirror), in the link's
// comment map:
//
//   - a new original is mirrored once: its map entry is stored pending,
//     with the marker the mirror will carry, before the mirror is created;
//     an interrupted or unanswered create is resolved by finding the
//     marker in the other side's comments before anything is posted again;
//   - an edited original (its content hash changed) updates its mirror;
//   - a deleted original deletes its mirror, and a deleted mirror its
//     original when comments move both ways; the pair becomes a tombstone
//     and is never created again;
//   - a mirror is recognised by the map or by its marker, whoever the
//     author is, so the engine's own comments are never mirrored back;
//   - restricted comments stay on their side unless the flow mirrors them.
//
// Markers are derived from the flow, the item and the original, so a flow
// that lost its store still recognises the mirrors it made. They are
// written into the mirror's body as zero-width characters, which trackers
// keep and readers do not see.

// commentSides is one item's comments on both sides, read once per sync.
type commentSides struct {
	source, target []*tracker.Comment
}

// commentCounts tallies the comment writes of one item; dirty is set when
// the link's comment map changed, written or not.
type commentCounts struct {
	created, edited, deleted int
	dirty                    bool
}

func (c commentCounts) total() int { return c.created + c.edited + c.deleted }

// syncComments brings the comments of d's item and its ticket in step, as
// the flow's comment policy says. It runs under the item's lease; the link
// is changed in memory and stored by the caller, except that new pending
// entries are stored before their mirrors are created. source and target
// are the two issues as far as known (nil to read them when a mirror's
// attribution needs them).
func (f *Flow) syncComments(ctx context.Context, r *run, d *Decision, link *store.Link, source, target *tracker.Issue) (commentCounts, error) {
	var n commentCounts
	if !f.comments.Syncs() {
		return n, nil
	}
	sides, err := f.readComments(ctx, r, d, link)
	if err != nil {
		return n, err
	}
	cs := &commentSync{f: f, r: r, d: d, link: link, sides: sides, source: source, target: target}
	before := slices.Clone(link.Comments)
	err = cs.pairs(ctx, &n)
	if err == nil {
		err = cs.newOriginals(ctx, &n)
	}
	n.dirty = !slices.Equal(before, link.Comments)
	return n, err
}

func (f *Flow) readComments(ctx context.Context, r *run, d *Decision, link *store.Link) (commentSides, error) {
	var s commentSides
	err := f.try(ctx, r, d, "list source comments", func() error {
		var err error
		s.source, err = f.srcComm.ListComments(ctx, link.Source.ID)
		return err
	})
	if err != nil {
		return s, fmt.Errorf("listing comments of %s: %w", link.Source, err)
	}
	err = f.try(ctx, r, d, "list ticket comments", func() error {
		var err error
		s.target, err = f.tgtComm.ListComments(ctx, link.Target.ID)
		return err
	})
	if err != nil {
		return s, fmt.Errorf("listing comments of %s: %w", link.Target, err)
	}
	return s, nil
}

// commentSync is one item's comment sync in progress.
type commentSync struct {
	f              *Flow
	r              *run
	d              *Decision
	link           *store.Link
	sides          commentSides
	source, target *tracker.Issue
}

// side names one side of the flow with what the sync needs of it.
type side struct {
	name     store.Side
	tracker  string
	comm     tracker.Commenter
	issueID  string
	comments []*tracker.Comment
	writable bool // the policy lets the engine write comments here
}

func (cs *commentSync) sideOf(s store.Side) side {
	f, pol := cs.f, cs.f.comments
	if s == store.SideTarget {
		return side{name: s, tracker: f.targetKind, comm: f.tgtComm, issueID: cs.link.Target.ID, comments: cs.sides.target, writable: pol.ToTarget}
	}
	return side{name: s, tracker: f.sourceKind, comm: f.srcComm, issueID: cs.link.Source.ID, comments: cs.sides.source, writable: pol.ToSource}
}

func other(s store.Side) store.Side {
	if s == store.SideTarget {
		return store.SideSource
	}
	return store.SideTarget
}

// ids returns the entry's original and mirror ids.
func ids(e *store.CommentLink) (orig, mirror string) {
	if e.FromTarget() {
		return e.TargetID, e.SourceID
	}
	return e.SourceID, e.TargetID
}

func setMirror(e *store.CommentLink, id string) {
	if e.FromTarget() {
		e.SourceID = id
	} else {
		e.TargetID = id
	}
}

func find(list []*tracker.Comment, id string) *tracker.Comment {
	if id == "" {
		return nil
	}
	for _, c := range list {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func findMarked(list []*tracker.Comment, marker string) *tracker.Comment {
	for _, c := range list {
		if m, ok := commentMarkerOf(c.Body); ok && m == marker {
			return c
		}
	}
	return nil
}

// pairs carries edits and deletions of the comments already paired, and
// finishes the mirrors whose create was interrupted.
func (cs *commentSync) pairs(ctx context.Context, n *commentCounts) error {
	pol := cs.f.comments
	for i := range cs.link.Comments {
		e := &cs.link.Comments[i]
		if e.Deleted {
			continue
		}
		origSide := cs.sideOf(store.SideSource)
		if e.FromTarget() {
			origSide = cs.sideOf(store.SideTarget)
		}
		mirrorSide := cs.sideOf(other(origSide.name))
		origID, mirrorID := ids(e)
		orig := find(origSide.comments, origID)
		var mirror *tracker.Comment
		if e.Pending {
			if mirror = findMarked(mirrorSide.comments, e.Marker); mirror != nil {
				setMirror(e, mirror.ID)
				e.Pending = false
			}
		} else {
			mirror = find(mirrorSide.comments, mirrorID)
		}
		switch {
		case orig == nil && mirror == nil:
			cs.tombstone(e)
		case orig == nil:
			// The original was deleted: so is its mirror.
			if pol.Deletions && mirrorSide.writable {
				if err := cs.delete(ctx, mirrorSide, mirror.ID); err != nil {
					return err
				}
				n.deleted++
			}
			cs.tombstone(e)
		case mirror == nil && e.Pending:
			// The mirror's create was interrupted before it was made.
			if err := cs.createMirror(ctx, e, orig, origSide, mirrorSide, n); err != nil {
				return err
			}
		case mirror == nil:
			// A person deleted the mirror: delete the original too when
			// comments move both ways, and never mirror it again.
			if pol.Deletions && pol.ToTarget && pol.ToSource {
				if err := cs.delete(ctx, origSide, orig.ID); err != nil {
					return err
				}
				n.deleted++
			}
			cs.tombstone(e)
		case commentHash(orig.Body) != e.Hash:
			if pol.Edits {
				body, err := cs.render(ctx, orig, origSide, e.Marker)
				if err != nil {
					return err
				}
				err = cs.f.try(ctx, cs.r, cs.d, "update comment", func() error {
					_, err := mirrorSide.comm.UpdateComment(ctx, mirrorSide.issueID, mirror.ID, body)
					return err
				})
				if err != nil {
					return fmt.Errorf("updating comment %s of %s: %w", mirror.ID, mirrorSide.tracker, err)
				}
				n.edited++
			}
			e.Hash = commentHash(orig.Body)
		}
	}
	return nil
}

// newOriginals mirrors comments that have no entry yet. Their pending
// entries are stored before the mirrors are created.
func (cs *commentSync) newOriginals(ctx context.Context, n *commentCounts) error {
	known := map[string]bool{} // "side:id" of every comment in the map
	for _, e := range cs.link.Comments {
		if e.SourceID != "" {
			known["source:"+e.SourceID] = true
		}
		if e.TargetID != "" {
			known["target:"+e.TargetID] = true
		}
	}
	type todo struct {
		e                 store.CommentLink
		orig              *tracker.Comment
		origSide, mirSide side
		alreadyMirroredIn *tracker.Comment
	}
	var work []todo
	for _, s := range []store.Side{store.SideSource, store.SideTarget} {
		origSide, mirSide := cs.sideOf(s), cs.sideOf(other(s))
		if !mirSide.writable {
			continue
		}
		for _, c := range origSide.comments {
			if known[string(s)+":"+c.ID] {
				continue
			}
			if _, mirror := commentMarkerOf(c.Body); mirror {
				continue // a mirror the engine made, never an original
			}
			if c.Visibility != "" && !cs.f.comments.MirrorPrivate {
				continue // restricted: stays on its side
			}
			e := store.CommentLink{Origin: s, Hash: commentHash(c.Body), Marker: cs.f.commentMarker(cs.link.Source, s, c.ID), Pending: true}
			if s == store.SideTarget {
				e.TargetID = c.ID
			} else {
				e.SourceID = c.ID
			}
			// A mirror made before the store lost its entry carries the
			// same marker: adopt it.
			work = append(work, todo{e: e, orig: c, origSide: origSide, mirSide: mirSide, alreadyMirroredIn: findMarked(mirSide.comments, e.Marker)})
		}
	}
	if len(work) == 0 {
		return nil
	}
	for _, w := range work {
		cs.link.Comments = append(cs.link.Comments, w.e)
	}
	start := len(cs.link.Comments) - len(work)
	// The entries are stored pending before any mirror is created.
	if err := cs.f.cfg.Store.PutLink(ctx, cs.link); err != nil {
		cs.link.Comments = cs.link.Comments[:start]
		return fmt.Errorf("storing pending comment entries: %w", err)
	}
	for i, w := range work {
		e := &cs.link.Comments[start+i]
		if m := w.alreadyMirroredIn; m != nil {
			setMirror(e, m.ID)
			e.Pending = false
			continue
		}
		if err := cs.createMirror(ctx, e, w.orig, w.origSide, w.mirSide, n); err != nil {
			return err
		}
	}
	return nil
}

// createMirror posts the mirror of orig; its entry is pending and stored.
// A create whose answer is lost is looked for by its marker before it is
// posted again.
func (cs *commentSync) createMirror(ctx context.Context, e *store.CommentLink, orig *tracker.Comment, origSide, mirSide side, n *commentCounts) error {
	body, err := cs.render(ctx, orig, origSide, e.Marker)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		var made *tracker.Comment
		err := cs.f.tryCreate(ctx, cs.r, cs.d, "add comment", func() error {
			var err error
			made, err = mirSide.comm.AddComment(ctx, mirSide.issueID, body)
			return err
		})
		if err == nil {
			setMirror(e, made.ID)
			e.Pending = false
			n.created++
			return nil
		}
		if !tracker.IsAmbiguous(err) {
			return fmt.Errorf("adding comment to %s %s: %w", mirSide.tracker, mirSide.issueID, err)
		}
		cs.r.note(Event{Kind: EventAnswerLost, Source: cs.d.Source, Reason: "comment; resolving by marker", Err: err})
		// A comment list is read directly, not through a search index:
		// no marker in it means no mirror.
		var list []*tracker.Comment
		lerr := cs.f.try(ctx, cs.r, cs.d, "list comments", func() error {
			var err error
			list, err = mirSide.comm.ListComments(ctx, mirSide.issueID)
			return err
		})
		if lerr != nil {
			return fmt.Errorf("resolving a lost comment create on %s %s: %w", mirSide.tracker, mirSide.issueID, errors.Join(err, lerr))
		}
		if m := findMarked(list, e.Marker); m != nil {
			setMirror(e, m.ID)
			e.Pending = false
			n.created++
			return nil
		}
		if attempt >= cs.f.cfg.Retries {
			return fmt.Errorf("adding comment to %s %s: %w", mirSide.tracker, mirSide.issueID, err)
		}
	}
}

func (cs *commentSync) delete(ctx context.Context, s side, id string) error {
	err := cs.f.try(ctx, cs.r, cs.d, "delete comment", func() error {
		return s.comm.DeleteComment(ctx, s.issueID, id)
	})
	if err != nil && !errors.Is(err, tracker.ErrNotFound) {
		return fmt.Errorf("deleting comment %s of %s: %w", id, s.tracker, err)
	}
	return nil
}

func (cs *commentSync) tombstone(e *store.CommentLink) {
	e.Deleted, e.Pending, e.DeletedAt = true, false, cs.f.cfg.Now().UTC()
}

// render makes the mirror's body: the attribution template over the
// original, then the marker.
func (cs *commentSync) render(ctx context.Context, c *tracker.Comment, s side, marker string) (string, error) {
	on, err := cs.issueOf(ctx, s.name)
	if err != nil {
		return "", err
	}
	body, err := cs.f.cfg.Mapping.RenderComment(on, mapping.CommentData{
		Author: c.Author, AuthorName: c.AuthorName, Body: c.Body, Tracker: s.tracker, Created: c.Created,
	}, cs.f.cfg.Now())
	if err != nil {
		return "", fmt.Errorf("rendering comment %s: %w", c.ID, err)
	}
	return body + encodeCommentMarker(marker), nil
}

// issueOf returns the issue on one side, reading it once when the caller
// did not have it.
func (cs *commentSync) issueOf(ctx context.Context, s store.Side) (*tracker.Issue, error) {
	p, t, id := &cs.source, cs.f.cfg.Source, cs.link.Source.ID
	if s == store.SideTarget {
		p, t, id = &cs.target, cs.f.cfg.Target, cs.link.Target.ID
	}
	if *p != nil {
		return *p, nil
	}
	var is *tracker.Issue
	err := cs.f.try(ctx, cs.r, cs.d, "get issue", func() error {
		var err error
		is, err = t.GetIssue(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s for a comment's attribution: %w", id, err)
	}
	*p = is
	return is, nil
}

// commentHash is the content hash of a comment body.
func commentHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:12])
}

// commentMarker is the marker of the mirror of an original: stable for the
// flow, the item, the side and the original.
func (f *Flow) commentMarker(item tracker.Ref, origin store.Side, id string) string {
	sum := sha256.Sum256([]byte(f.cfg.Name + "\x00" + item.String() + "\x00" + string(origin) + "\x00" + id))
	return hex.EncodeToString(sum[:8])
}

// The marker is written as zero-width characters between two word
// joiners: zero-width space for a 0 bit, zero-width non-joiner for a 1.
const (
	zwDelim = '\u2060'
	zwZero  = '\u200b'
	zwOne   = '\u200c'
)

// encodeCommentMarker returns hex marker m as invisible characters.
func encodeCommentMarker(m string) string {
	raw, err := hex.DecodeString(m)
	if err != nil {
		return ""
	}
	var b strings.Builder
	b.WriteRune(zwDelim)
	for _, by := range raw {
		for bit := 7; bit >= 0; bit-- {
			if by&(1<<bit) != 0 {
				b.WriteRune(zwOne)
			} else {
				b.WriteRune(zwZero)
			}
		}
	}
	b.WriteRune(zwDelim)
	return b.String()
}

// commentMarkerOf returns the marker a mirror's body carries, if any.
func commentMarkerOf(body string) (string, bool) {
	i := strings.LastIndex(body, string(zwDelim))
	if i < 0 {
		return "", false
	}
	j := strings.LastIndex(body[:i], string(zwDelim))
	if j < 0 {
		return "", false
	}
	bits := []rune(body[j+len(string(zwDelim)) : i])
	if len(bits) == 0 || len(bits)%8 != 0 {
		return "", false
	}
	raw := make([]byte, len(bits)/8)
	for k, r := range bits {
		switch r {
		case zwOne:
			raw[k/8] |= 1 << (7 - k%8)
		case zwZero:
		default:
			return "", false
		}
	}
	return hex.EncodeToString(raw), true
}
