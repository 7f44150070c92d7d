package syncer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/sqlite"
	"github.com/trackbridge/trackbridge/tracker"
)

// Environment of a comment-stress child process.
const (
	commentChildEnv  = "TRACKBRIDGE_COMMENT_CHILD"
	commentSourceEnv = "TRACKBRIDGE_COMMENT_SOURCE"
	commentTargetEnv = "TRACKBRIDGE_COMMENT_TARGET"
	commentDBEnv     = "TRACKBRIDGE_COMMENT_DB"
)

// commentStressSpec syncs one Jira's issues and comments with another's.
const commentStressSpec = `
flows:
  - name: stress
    source: jira
    target: jira
    defaults: {project: SEC, type: Task}
    fields:
      summary: {from: summary}
    comments:
      direction: both
      attribution: '[mirror] {{.Comment.Body}}'
`

// commentChild is the engine process the comment stress test kills: one
// poll of both sides, a line per item whose comments it wrote, then its
// report. It exits crashUnclean when work is left.
func commentChild() int {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, os.Getenv(commentDBEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "open store:", err)
		return crashBroken
	}
	defer st.Close()
	side := func(url string) (*jira.Adapter, error) {
		c, err := jira.New(url, jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
		if err != nil {
			return nil, err
		}
		return jira.NewAdapter(c, jira.AdapterConfig{Location: time.UTC})
	}
	source, err := side(os.Getenv(commentSourceEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return crashBroken
	}
	target, err := side(os.Getenv(commentTargetEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return crashBroken
	}
	spec, err := mapping.Parse([]byte(commentStressSpec))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return crashBroken
	}
	flow, err := syncer.New(syncer.Config{
		Name: "stress", Source: source, Target: target, Mapping: spec.Flows[0], Store: st,
		Query: tracker.Query{Project: "SEC"}, TargetQuery: &tracker.Query{Project: "SEC"},
		Concurrency: 4, SearchLag: -1,
		Observer: syncer.ObserverFunc(func(e syncer.Event) {
			if e.Kind == syncer.EventCreated || slices.Contains(e.Fields, "comments") {
				fmt.Fprintln(os.Stdout, e.Kind, e.Source.ID) // the parent kills us between these
			}
		}),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return crashBroken
	}
	rep, err := flow.RunOnce(ctx)
	fmt.Fprintln(os.Stdout, "report", rep.Summary())
	if err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		return crashFailedIO
	}
	if !rep.Clean() || rep.Created+rep.CommentsCreated+rep.CommentsEdited+rep.CommentsDeleted > 0 {
		return crashUnclean // not settled yet: another run has work
	}
	return crashClean
}

// TestCommentStress: 100 linked issue pairs, 1,000 comments created,
// edited and deleted at random on both sides, with an engine process that
// polls between bursts and is SIGKILLed at random points in five of its
// runs, restarted at once. Afterwards both sides hold the same comments
// (attribution aside), with no duplicate, no echo (no mirror of a mirror)
// and every deletion carried over, and a further run makes no write.
func TestCommentStress(t *testing.T) {
	t.Parallel()
	const items, ops = 100, 1000
	// A little latency keeps the other workers mid-item when the engine
	// is killed after one item's line.
	srcJira := jiratest.NewServer(t, jiratest.WithLatency(2*time.Millisecond))
	dstJira := jiratest.NewServer(t, jiratest.WithLatency(2*time.Millisecond))
	db := filepath.Join(t.TempDir(), "comments.db")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 99))
	t.Logf("seed %d", seed)

	run := func(killAfter int) (code int, report string, killed bool) {
		return runEngine(t, killAfter, commentChildEnv+"=1", commentSourceEnv+"="+srcJira.URL(), commentTargetEnv+"="+dstJira.URL(), commentDBEnv+"="+db)
	}
	settle := func() string {
		for range 10 {
			code, report, _ := run(0)
			if code == crashClean {
				return report
			}
		}
		t.Fatal("the engine did not settle in 10 runs")
		return ""
	}

	var keys []string
	for i := range items {
		id, err := srcJira.Put(jiratest.IssueSpec{Summary: fmt.Sprintf("item %03d", i)})
		require.NoError(t, err)
		keys = append(keys, id)
	}
	settle()
	ticketOf := map[string]string{} // source summary → target id
	for _, is := range dstJira.Issues() {
		ticketOf[is.Summary] = is.ID
	}
	require.Len(t, ticketOf, items)

	// originals the test wrote, to edit or delete later: side → issue → comment ids
	type ref struct{ side, issue, id string }
	var originals []ref
	kills, runs := 0, 0
	for op := range ops {
		i := rng.IntN(items)
		srcID := keys[i]
		dstID := ticketOf[fmt.Sprintf("item %03d", i)]
		srv, side, issue := srcJira, "source", srcID
		if rng.IntN(2) == 1 {
			srv, side, issue = dstJira, "target", dstID
		}
		switch x := rng.IntN(10); {
		case x < 6 || len(originals) == 0: // create
			id, err := srv.AddComment(issue, jiratest.CommentSpec{Body: fmt.Sprintf("op %04d on the %s", op, side)})
			require.NoError(t, err)
			originals = append(originals, ref{side, issue, id})
		case x < 8: // edit an original
			k := rng.IntN(len(originals))
			o := originals[k]
			s := srcJira
			if o.side == "target" {
				s = dstJira
			}
			if err := s.EditComment(o.issue, o.id, jiratest.CommentSpec{Body: fmt.Sprintf("op %04d edited on the %s", op, o.side)}); err != nil {
				originals = slices.Delete(originals, k, k+1) // deleted meanwhile (its mirror was deleted)
			}
		default: // delete any comment of the issue, original or mirror
			is, ok := srv.Issue(issue)
			require.True(t, ok)
			if len(is.Comments) > 0 {
				c := is.Comments[rng.IntN(len(is.Comments))]
				require.NoError(t, srv.DeleteComment(issue, c.ID))
			}
		}
		if op%100 == 99 {
			runs++
			if kills < 5 && (rng.IntN(2) == 0 || 10-runs < 5-kills) {
				if _, _, killed := run(1 + rng.IntN(20)); killed {
					kills++
				}
				continue
			}
			run(0)
		}
	}
	report := settle()
	t.Logf("%d runs, %d killed; the last: %s", runs, kills, report)
	require.Equal(t, 5, kills, "the engine is really killed five times")

	strip := func(body string) (text string, mirror bool) {
		body = strings.TrimRight(body, "\u2060\u200b\u200c")
		if rest, ok := strings.CutPrefix(body, "[mirror] "); ok {
			return rest, true
		}
		return body, false
	}
	pairs, mirrors := 0, 0
	for _, src := range srcJira.Issues() {
		dst, ok := dstJira.Issue(ticketOf[src.Summary])
		require.True(t, ok)
		var left, right []string // every comment's text, originals and mirrors, per side
		for _, c := range src.Comments {
			text, m := strip(c.Body)
			assert.False(t, strings.HasPrefix(text, "[mirror]"), "a mirror of a mirror on %s: %q", src.Summary, c.Body)
			left = append(left, text)
			if m {
				mirrors++
			}
		}
		for _, c := range dst.Comments {
			text, m := strip(c.Body)
			assert.False(t, strings.HasPrefix(text, "[mirror]"), "a mirror of a mirror on %s: %q", dst.Summary, c.Body)
			right = append(right, text)
			if m {
				mirrors++
			}
		}
		slices.Sort(left)
		slices.Sort(right)
		assert.Equal(t, left, right, "%s: both sides hold the same comments", src.Summary)
		pairs += len(left)
	}
	t.Logf("%d comment pairs remain, %d of their sides mirrors", pairs, mirrors)
	assert.Equal(t, pairs, mirrors, "every remaining comment has exactly one mirror")

	srcJira.ResetRequests()
	dstJira.ResetRequests()
	code, last, _ := run(0)
	assert.Equal(t, crashClean, code, last)
	for _, srv := range []*jiratest.Server{srcJira, dstJira} {
		_, perRoute := srv.Requests()
		for route, n := range perRoute {
			if !strings.HasPrefix(route, "GET ") && !strings.HasPrefix(route, "POST /rest/api/3/search/") {
				assert.Zero(t, n, "%s on a further run", route)
			}
		}
	}
}
