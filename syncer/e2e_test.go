package syncer_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
)

// s3Fakes wires ExtraHop and Jira fakes to their real adapters.
type s3Fakes struct {
	eh     *extrahoptest.Server
	jr     *jiratest.Server
	source *extrahop.Adapter
	target *jira.Adapter
}

func newS3Fakes(t testing.TB, ehOpts []extrahoptest.Option, jrOpts []jiratest.Option, ehClientOpts []extrahop.Option, jiraOpts ...jira.Option) *s3Fakes {
	t.Helper()
	f := &s3Fakes{eh: extrahoptest.NewServer(t, ehOpts...), jr: jiratest.NewServer(t, jrOpts...)}
	ec, err := extrahop.New(f.eh.URL(), append([]extrahop.Option{extrahop.WithAPIKey(extrahoptest.DefaultAPIKey), extrahop.WithRetryWait(time.Millisecond, 5*time.Millisecond)}, ehClientOpts...)...)
	require.NoError(t, err)
	f.source, err = extrahop.NewAdapter(ec, extrahop.AdapterConfig{})
	require.NoError(t, err)
	opts := append([]jira.Option{jira.WithBasicAuth(jiratest.Email, jiratest.APIToken)}, jiraOpts...)
	jc, err := jira.New(f.jr.URL(), opts...)
	require.NoError(t, err)
	f.target, err = jira.NewAdapter(jc, jira.AdapterConfig{})
	require.NoError(t, err)
	return f
}

// writes counts the requests that change something on either fake.
func (f *s3Fakes) writes() int {
	n := 0
	_, perRoute := f.jr.Requests()
	for route, c := range perRoute {
		if !isRead(route) {
			n += c
		}
	}
	for route, c := range f.eh.RequestCounts() {
		if !isRead(route) && route != "POST /api/v1/detections/search" {
			n += c
		}
	}
	return n
}

func isRead(route string) bool {
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		if len(route) > len(m) && route[:len(m)+1] == m+" " {
			return true
		}
	}
	// Jira's search by POST reads.
	return route == "POST /rest/api/3/search/jql" || route == "POST /rest/api/3/search/approximate-count"
}

func TestS3ExtraHopToJiraEndToEnd(t *testing.T) {
	t.Parallel()
	f := newS3Fakes(t, nil, nil, nil)
	ids := f.eh.Seed(60)
	flow, err := syncer.New(syncer.Config{
		Name:        "extrahop-to-jira",
		Source:      f.source,
		Target:      f.target,
		Mapping:     s3Mapping(t),
		Store:       memory.New(),
		TargetQuery: &tracker.Query{Project: "SEC"},
	})
	require.NoError(t, err)
	ctx := context.Background()

	rep, err := flow.RunOnce(ctx)
	require.NoError(t, err)
	require.Zero(t, rep.Failed, "failures: %v", failures(rep))
	require.NotZero(t, rep.Created)

	created := 0
	for _, id := range ids {
		d, ok := f.eh.Detection(id)
		require.True(t, ok)
		risk := -1
		if d.RiskScore != nil {
			risk = *d.RiskScore
		}
		if risk < 30 {
			assert.Nil(t, d.TicketID, "detection %d (risk %d) is below the rule", id, risk)
			continue
		}
		created++
		require.NotNil(t, d.TicketID, "detection %d has its ticket id written back", id)
		issue, ok := f.jr.Issue(*d.TicketID)
		require.True(t, ok, "ticket %s exists", *d.TicketID)
		assert.Equal(t, "ExtraHop Detection: "+strconv.FormatInt(id, 10)+": "+d.Title, issue.Summary)
		require.NotNil(t, d.Assignee)
		assert.Equal(t, "SecOps Team", *d.Assignee, "the assignee's name, not the accountId, is written back")
		assert.Equal(t, jiratest.SecOpsAccountID, issue.Assignee, "the spec's email resolved to the opaque accountId")
	}
	assert.Equal(t, created, rep.Created)

	// A second run over unchanged detections writes nothing anywhere.
	f.jr.ResetRequests()
	f.eh.ResetRequests()
	rep, err = flow.RunOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, rep.Created)
	assert.Zero(t, f.writes(), "second run wrote: jira %v", f.eh.RequestCounts())

	// Work on a ticket moves its detection: In Progress, then Done closes
	// it as action taken.
	var first *extrahop.Detection
	for _, id := range ids {
		if d, _ := f.eh.Detection(id); d.TicketID != nil {
			first = d
			break
		}
	}
	require.NotNil(t, first)
	require.NoError(t, f.target.Transition(ctx, *first.TicketID, tracker.TransitionTarget{Category: tracker.CategoryInProgress}))
	rep, err = flow.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.WroteBack)
	d, _ := f.eh.Detection(first.ID)
	require.NotNil(t, d.Status)
	assert.Equal(t, "in_progress", *d.Status)

	require.NoError(t, f.target.Transition(ctx, *first.TicketID, tracker.TransitionTarget{Category: tracker.CategoryDone}))
	rep, err = flow.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.WroteBack)
	d, _ = f.eh.Detection(first.ID)
	require.NotNil(t, d.Status)
	assert.Equal(t, "closed", *d.Status)
	require.NotNil(t, d.Resolution)
	assert.Equal(t, "action_taken", *d.Resolution)

	// And the echo of that write-back writes nothing.
	f.jr.ResetRequests()
	f.eh.ResetRequests()
	_, err = flow.RunOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, f.writes())
}

// failures lists the failed outcomes of a report, for messages.
func failures(rep *syncer.Report) []string {
	var out []string
	for _, o := range rep.Outcomes {
		if o.Err != nil {
			out = append(out, o.Source.String()+": "+o.Err.Error())
		}
	}
	return out
}

// TestRunOnceMissesNothingWhenWriteBackReordersTheSource is the regression
// test for offset paging over a sort key the engine itself changes: the
// write-back bumps each detection's mod_time, which moves it to the end of
// ExtraHop's mod_time-sorted, offset-paged search. Read as one long search,
// every page after the first skipped items while the cursor moved past
// them.
func TestRunOnceMissesNothingWhenWriteBackReordersTheSource(t *testing.T) {
	t.Parallel()
	f := newS3Fakes(t, nil, nil, nil)
	seedRisky(t, f.eh, 300)
	flow, err := syncer.New(syncer.Config{
		Name: "reorder", Source: f.source, Target: f.target, Mapping: s3Mapping(t), Store: memory.New(),
		BatchSize: 40, Query: tracker.Query{PageSize: 25},
	})
	require.NoError(t, err)

	rep, err := flow.RunOnce(context.Background())

	require.NoError(t, err)
	assert.Equal(t, 300, rep.Created)
	assert.Equal(t, 300, len(f.jr.Issues()))
	for _, d := range f.eh.Detections() {
		assert.NotNil(t, d.TicketID, "detection %d has a ticket", d.ID)
	}
}
