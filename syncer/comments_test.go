package syncer_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

const commentsSpec = `
flows:
  - name: incidents
    source: incidents
    target: jira
    defaults: {project: SEC, type: Bug}
    fields:
      summary: {from: summary}
    comments:
      direction: %s
`

func commentFlow(t testing.TB, direction string, mod func(*syncer.Config)) (src, dst *trackertest.Memory, st store.Store, f *syncer.Flow) {
	t.Helper()
	spec, err := mapping.Parse([]byte(fmt.Sprintf(commentsSpec, direction)))
	require.NoError(t, err)
	src = trackertest.NewMemory("incidents")
	dst = trackertest.NewMemory("jira")
	st = memory.New()
	cfg := syncer.Config{Name: "incidents", Source: src, Target: dst, Mapping: spec.Flows[0], Store: st,
		Sleep: func(time.Duration) <-chan time.Time { return instant() }}
	if mod != nil {
		mod(&cfg)
	}
	f, err = syncer.New(cfg)
	require.NoError(t, err)
	return src, dst, st, f
}

// bodies returns the comment bodies of an issue, markers stripped.
func bodies(t testing.TB, m *trackertest.Memory, issueID string) []string {
	t.Helper()
	list, err := m.ListComments(context.Background(), issueID)
	require.NoError(t, err)
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = strings.TrimRight(c.Body, "\u2060\u200b\u200c")
	}
	return out
}

func TestCommentsSyncBothWaysWithEditsAndDeletions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, dst, st, f := commentFlow(t, "both", nil)
	item, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: "Credential stuffing on /login"})
	require.NoError(t, err)
	first, err := src.Comment(item.ID, "ana", "", "Seen from 203.0.113.7.")
	require.NoError(t, err)

	push := func() *syncer.Report {
		t.Helper()
		it, err := src.GetIssue(ctx, item.ID)
		require.NoError(t, err)
		rep, err := f.Push(ctx, it)
		require.NoError(t, err)
		require.True(t, rep.Clean(), rep.Summary())
		return rep
	}
	pushTarget := func(ticketID string) *syncer.Report {
		t.Helper()
		tk, err := dst.GetIssue(ctx, ticketID)
		require.NoError(t, err)
		rep, err := f.PushTarget(ctx, tk)
		require.NoError(t, err)
		require.True(t, rep.Clean(), rep.Summary())
		return rep
	}

	t.Run("a comment on the item appears once on the new ticket, attributed", func(t *testing.T) {
		rep := push()
		require.Equal(t, 1, rep.Created)
		assert.Equal(t, 1, rep.CommentsCreated)
	})
	ticket := firstIssue(t, dst)
	assert.Equal(t, []string{"[ana in incidents] Seen from 203.0.113.7."}, bodies(t, dst, ticket.ID))

	t.Run("the engine's own comment is never mirrored back", func(t *testing.T) {
		rep := pushTarget(ticket.ID)
		assert.Zero(t, rep.CommentsCreated)
		rep = push()
		assert.Zero(t, rep.CommentsCreated+rep.CommentsEdited+rep.CommentsDeleted)
		assert.Equal(t, 1, rep.Unchanged)
		assert.Len(t, bodies(t, src, item.ID), 1)
	})

	t.Run("a comment on the ticket appears on the item", func(t *testing.T) {
		_, err := dst.Comment(ticket.ID, "carol", "", "Blocked at the WAF.")
		require.NoError(t, err)
		rep := pushTarget(ticket.ID)
		assert.Equal(t, 1, rep.CommentsCreated)
		assert.Equal(t, []string{"Seen from 203.0.113.7.", "[carol in jira] Blocked at the WAF."}, bodies(t, src, item.ID))
	})

	t.Run("an edit updates the mirror", func(t *testing.T) {
		_, err := src.UpdateComment(ctx, item.ID, first.ID, "Seen from 203.0.113.7 and .8.")
		require.NoError(t, err)
		rep := push()
		assert.Equal(t, 1, rep.CommentsEdited)
		assert.Equal(t, "[ana in incidents] Seen from 203.0.113.7 and .8.", bodies(t, dst, ticket.ID)[0])
	})

	t.Run("a private comment stays on its side", func(t *testing.T) {
		_, err := dst.Comment(ticket.ID, "carol", "role:Administrators", "Internal: attacker linked to case 42.")
		require.NoError(t, err)
		rep := pushTarget(ticket.ID)
		assert.Zero(t, rep.CommentsCreated)
		assert.Len(t, bodies(t, src, item.ID), 2)
	})

	t.Run("a deletion deletes the mirror and is never undone", func(t *testing.T) {
		require.NoError(t, src.DeleteComment(ctx, item.ID, first.ID))
		rep := push()
		assert.Equal(t, 1, rep.CommentsDeleted)
		assert.Len(t, bodies(t, dst, ticket.ID), 2, "the analyst's comment and the private one remain")
		rep = push()
		assert.Zero(t, rep.CommentsCreated+rep.CommentsDeleted, "a tombstone is never re-created")
	})

	t.Run("deleting a mirror deletes its original when comments move both ways", func(t *testing.T) {
		list, err := src.ListComments(ctx, item.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.NoError(t, src.DeleteComment(ctx, item.ID, list[0].ID))
		rep := push()
		assert.Equal(t, 1, rep.CommentsDeleted)
		assert.Equal(t, []string{"Internal: attacker linked to case 42."}, bodies(t, dst, ticket.ID))
	})

	t.Run("a further run writes nothing", func(t *testing.T) {
		src.ResetCalls()
		dst.ResetCalls()
		push()
		pushTarget(ticket.ID)
		assert.Zero(t, src.WriteCalls()+dst.WriteCalls(), "source %v, target %v", src.Calls(), dst.Calls())
	})

	link, err := st.GetLink(ctx, "incidents", f.SourceRef(item))
	require.NoError(t, err)
	tombstones := 0
	for _, c := range link.Comments {
		if c.Deleted {
			tombstones++
		}
	}
	assert.Equal(t, 2, tombstones)
}

func TestCommentsOneWayLeaveTheOtherSideAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, dst, _, f := commentFlow(t, "to-target", nil)
	item, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: "Port scan"})
	require.NoError(t, err)
	_, err = f.Push(ctx, item)
	require.NoError(t, err)
	ticket := firstIssue(t, dst)
	_, err = dst.Comment(ticket.ID, "carol", "", "Only here.")
	require.NoError(t, err)
	tk, err := dst.GetIssue(ctx, ticket.ID)
	require.NoError(t, err)
	rep, err := f.PushTarget(ctx, tk)
	require.NoError(t, err)
	assert.Zero(t, rep.CommentsCreated)
	assert.Empty(t, bodies(t, src, item.ID))
}

// TestPendingCommentIsResolvedByItsMarker: a crash left a comment's entry
// pending. If the mirror was made, the next run finds it by its marker and
// posts nothing; if not, the next run makes it.
func TestPendingCommentIsResolvedByItsMarker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, made := range []bool{true, false} {
		t.Run(fmt.Sprintf("mirror made %v", made), func(t *testing.T) {
			t.Parallel()
			src, dst, st, f := commentFlow(t, "to-target", nil)
			item, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: "Beaconing"})
			require.NoError(t, err)
			_, err = f.Push(ctx, item)
			require.NoError(t, err)
			ticket := firstIssue(t, dst)
			_, err = src.Comment(item.ID, "ana", "", "First look.")
			require.NoError(t, err)
			// Let the engine mirror the comment, then roll the link back to
			// the pending entry it stored before the create; without the
			// mirror the crash came before the create was sent.
			link, err := st.GetLink(ctx, "incidents", f.SourceRef(item))
			require.NoError(t, err)
			it, _ := src.GetIssue(ctx, item.ID)
			_, err = f.Push(ctx, it)
			require.NoError(t, err)
			after, err := st.GetLink(ctx, "incidents", f.SourceRef(item))
			require.NoError(t, err)
			require.Len(t, after.Comments, 1)
			pending := after.Comments[0]
			pending.TargetID, pending.Pending = "", true
			link.Comments = []store.CommentLink{pending}
			link.Version = after.Version
			require.NoError(t, st.PutLink(ctx, link))
			if !made {
				list, err := dst.ListComments(ctx, ticket.ID)
				require.NoError(t, err)
				require.NoError(t, dst.DeleteComment(ctx, ticket.ID, list[0].ID))
			}

			rep, err := f.Push(ctx, it)
			require.NoError(t, err)
			assert.Len(t, bodies(t, dst, ticket.ID), 1, "exactly one mirror")
			if made {
				assert.Zero(t, rep.CommentsCreated, "found by its marker")
			} else {
				assert.Equal(t, 1, rep.CommentsCreated)
			}
			final, err := st.GetLink(ctx, "incidents", f.SourceRef(item))
			require.NoError(t, err)
			assert.False(t, final.Comments[0].Pending)
			assert.NotEmpty(t, final.Comments[0].TargetID)
		})
	}
}

// TestLostCommentAnswersNeverDuplicate: the fake Jira makes the comment
// and loses the answer; the engine finds the mirror by its marker.
func TestLostCommentAnswersNeverDuplicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	jr := jiratest.NewServer(t)
	lost := 0
	jr.LoseAnswers(func(route string, _ *http.Request) jiratest.AnswerLoss {
		if route == "POST /rest/api/3/issue/{key}/comment" && lost < 3 {
			lost++
			return jiratest.LoseTo502
		}
		return jiratest.Deliver
	})
	spec, err := mapping.Parse([]byte(fmt.Sprintf(commentsSpec, "to-target")))
	require.NoError(t, err)
	src := trackertest.NewMemory("incidents")
	f, err := syncer.New(syncer.Config{Name: "incidents", Source: src, Target: jiraTarget(t, jr), Mapping: spec.Flows[0],
		Store: memory.New(), Sleep: func(time.Duration) <-chan time.Time { return instant() }})
	require.NoError(t, err)
	item, err := src.CreateIssue(ctx, &tracker.NewIssue{Summary: "Exfiltration over DNS"})
	require.NoError(t, err)
	for i := range 3 {
		_, err := src.Comment(item.ID, "ana", "", fmt.Sprintf("Note %d.", i))
		require.NoError(t, err)
	}

	rep, err := f.Push(ctx, item)
	require.NoError(t, err)
	require.True(t, rep.Clean(), rep.Summary())
	assert.Equal(t, 3, lost)
	assert.Equal(t, 3, rep.CommentsCreated)
	tk := jr.Issues()[0]
	assert.Len(t, tk.Comments, 3, "one mirror per comment, though three answers were lost")
}

func firstIssue(t testing.TB, m *trackertest.Memory) *tracker.Issue {
	t.Helper()
	for is, err := range m.SearchIssues(context.Background(), tracker.Query{}) {
		require.NoError(t, err)
		return is
	}
	t.Fatal("no issue")
	return nil
}
