package youtrack_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/youtrack"
)

// allEndpoints is every endpoint the exact-request and error tests cover.
func allEndpoints() []endpoint { return append(endpoints(), moreEndpoints()...) }

// moreEndpoints covers issue links, link types, work items, agile boards
// and sprints. Every list sends $top, so YouTrack's 42-item default never
// applies.
func moreEndpoints() []endpoint {
	top := url.Values{"$top": {"100"}}
	with := func(fields string, extra url.Values) url.Values {
		q := url.Values{"fields": {fields}}
		for k, v := range extra {
			q[k] = v
		}
		return q
	}
	return []endpoint{
		{
			name: "issue links", method: "GET", path: "/youtrack/api/issues/HD-25/links",
			query: with(youtrack.DefaultLinkFields, top),
			resp:  "issue_links.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				list, _, err := c.Links.List(ctx, "HD-25", nil)
				return list, err
			},
			check: func(t *testing.T, got any) {
				list := got.([]*youtrack.IssueLink)
				require.Len(t, list, 3)
				assert.Equal(t, youtrack.DirectionBoth, list[0].Direction)
				assert.Equal(t, "HD-26", list[0].Issues[0].IDReadable)
				assert.Equal(t, "depends on", list[1].LinkType.SourceToTarget)
				assert.Empty(t, list[1].Issues)
				sub := list[2]
				assert.Equal(t, "106-3t", sub.ID)
				assert.True(t, sub.LinkType.Aggregation)
				require.NotNil(t, sub.Issues[0].Resolved)
				assert.Contains(t, sub.Extra, "trimmedIssues")
				assert.Contains(t, sub.LinkType.Extra, "uid")
				for _, l := range list {
					assert.Empty(t, l.Problems)
				}
			},
		},
		{
			name: "add link", method: "POST", path: "/youtrack/api/issues/HD-25/links/106-1s/issues",
			query: url.Values{"fields": {"$type,id,idReadable,summary"}},
			body:  "link_add_request.json",
			resp:  "link_add_response.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				is, _, err := c.Links.Add(ctx, "HD-25", "106-1s", "HD-30")
				return is, err
			},
			check: func(t *testing.T, got any) { assert.Equal(t, "2-22", got.(*youtrack.Issue).ID) },
		},
		{
			name: "remove link", method: "DELETE", path: "/youtrack/api/issues/HD-25/links/106-1s/issues/2-22",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				_, err := c.Links.Remove(ctx, "HD-25", "106-1s", "2-22")
				return nil, err
			},
		},
		{
			name: "link types", method: "GET", path: "/youtrack/api/issueLinkTypes",
			query: with(youtrack.DefaultLinkTypeFields, url.Values{"$top": {"2"}, "$skip": {"1"}}),
			resp:  "link_types.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				list, _, err := c.Links.Types(ctx, &youtrack.ListOptions{Skip: 1, Top: 2})
				return list, err
			},
			check: func(t *testing.T, got any) {
				list := got.([]*youtrack.IssueLinkType)
				require.Len(t, list, 3)
				assert.Equal(t, "is duplicated by", list[2].TargetToSource)
				assert.Equal(t, "Duplicate", list[2].LocalizedName)
				assert.Empty(t, list[0].LocalizedName, "null")
			},
		},
		{
			name: "link type", method: "GET", path: "/youtrack/api/issueLinkTypes/106-1",
			query: url.Values{"fields": {youtrack.DefaultLinkTypeFields}},
			resp:  "link_add_response.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				lt, _, err := c.Links.Type(ctx, "106-1", nil)
				return lt, err
			},
			check: func(t *testing.T, got any) {
				lt := got.(*youtrack.IssueLinkType)
				assert.Equal(t, "2-22", lt.ID)
				assert.Contains(t, lt.Extra, "idReadable", "keys of another shape are kept, not fatal")
			},
		},
		{
			name: "work items", method: "GET", path: "/youtrack/api/issues/HD-25/timeTracking/workItems",
			query: with(youtrack.DefaultWorkItemFields, top),
			resp:  "work_items.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				list, _, err := c.WorkItems.List(ctx, "HD-25", nil)
				return list, err
			},
			check: func(t *testing.T, got any) {
				list := got.([]*youtrack.WorkItem)
				require.Len(t, list, 2)
				w := list[0]
				assert.Equal(t, int64(240), w.Duration.Minutes)
				assert.Equal(t, "4h", w.Duration.Presentation)
				assert.Equal(t, "Development", w.WorkType.Name)
				assert.Equal(t, "IssueWorkItem", w.Type)
				assert.Equal(t, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), w.Date.Time())
				assert.Equal(t, "jdoe", w.Author.Login)
				assert.Equal(t, "HD-25", w.Issue.IDReadable)
				assert.Contains(t, w.Extra, "attributes")
				assert.Nil(t, list[1].WorkType)
				assert.Nil(t, list[1].Creator)
			},
		},
		{
			name: "work items across issues", method: "GET", path: "/youtrack/api/workItems",
			query: with(youtrack.DefaultWorkItemFields, url.Values{"$top": {"100"}, "query": {"project: HD"}}),
			resp:  "work_items.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				var out []*youtrack.WorkItem
				for w, err := range c.WorkItems.SearchAll(ctx, "project: HD", nil) {
					if err != nil {
						return nil, err
					}
					out = append(out, w)
				}
				return out, nil
			},
			check: func(t *testing.T, got any) { assert.Len(t, got.([]*youtrack.WorkItem), 2) },
		},
		{
			name: "add work item", method: "POST", path: "/youtrack/api/issues/HD-25/timeTracking/workItems",
			query: url.Values{"fields": {youtrack.DefaultWorkItemFields}},
			body:  "work_item_add_request.json",
			resp:  "work_item_add_response.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				w, _, err := c.WorkItems.Add(ctx, "HD-25", &youtrack.WorkItemInput{
					Minutes: 90, Text: "Reviewed firewall logs", Date: youtrack.MillisOf(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)),
					TypeID: "69-0", AuthorLogin: "jdoe",
				})
				return w, err
			},
			check: func(t *testing.T, got any) {
				w := got.(*youtrack.WorkItem)
				assert.Equal(t, "168-72", w.ID)
				assert.Equal(t, "1h 30m", w.Duration.Presentation)
			},
		},
		{
			name: "delete work item", method: "DELETE", path: "/youtrack/api/issues/HD-25/timeTracking/workItems/168-72",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				_, err := c.WorkItems.Delete(ctx, "HD-25", "168-72")
				return nil, err
			},
		},
		{
			name: "agiles", method: "GET", path: "/youtrack/api/agiles",
			query: with(youtrack.DefaultAgileFields, top),
			resp:  "agiles_list.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				var out []*youtrack.Agile
				for a, err := range c.Agiles.All(ctx, nil) {
					if err != nil {
						return nil, err
					}
					out = append(out, a)
				}
				return out, nil
			},
			check: func(t *testing.T, got any) {
				list := got.([]*youtrack.Agile)
				require.Len(t, list, 2)
				assert.Equal(t, "Sprint 15", list[0].CurrentSprint.Name)
				assert.Equal(t, "SEC", list[0].Projects[1].ShortName)
				assert.Contains(t, list[0].Extra, "hideOrphansSwimlane")
				assert.Nil(t, list[1].CurrentSprint)
			},
		},
		{
			name: "agile", method: "GET", path: "/youtrack/api/agiles/108-1",
			query: url.Values{"fields": {youtrack.DefaultAgileFields}},
			resp:  "agile_get.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				a, _, err := c.Agiles.Get(ctx, "108-1", nil)
				return a, err
			},
			check: func(t *testing.T, got any) {
				a := got.(*youtrack.Agile)
				assert.Equal(t, "admin", a.Owner.Login)
				assert.Len(t, a.Sprints, 2)
				assert.Contains(t, string(a.Extra["estimationField"]), "Estimation")
			},
		},
		{
			name: "sprints", method: "GET", path: "/youtrack/api/agiles/108-1/sprints",
			query: with(youtrack.DefaultSprintFields, top),
			resp:  "sprints_list.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				var out []*youtrack.Sprint
				for s, err := range c.Agiles.AllSprints(ctx, "108-1", nil) {
					if err != nil {
						return nil, err
					}
					out = append(out, s)
				}
				return out, nil
			},
			check: func(t *testing.T, got any) {
				list := got.([]*youtrack.Sprint)
				require.Len(t, list, 2)
				assert.True(t, list[0].Archived)
				assert.Equal(t, "Close the VPN findings", list[0].Goal)
				assert.True(t, list[1].IsDefault)
				assert.Equal(t, 6, list[1].UnresolvedIssuesCount)
				assert.Equal(t, time.Date(2026, 1, 19, 0, 0, 0, 0, time.UTC), list[1].Finish.Time())
			},
		},
		{
			name: "sprint", method: "GET", path: "/youtrack/api/agiles/108-1/sprints/current",
			query: url.Values{"fields": {youtrack.DefaultSprintFields}},
			resp:  "sprint_get.json",
			run: func(ctx context.Context, c *youtrack.Client) (any, error) {
				s, _, err := c.Agiles.Sprint(ctx, "108-1", "current", nil)
				return s, err
			},
			check: func(t *testing.T, got any) {
				s := got.(*youtrack.Sprint)
				assert.Equal(t, "109-4", s.ID)
				assert.Contains(t, s.Extra, "previousSprint")
			},
		},
	}
}

func TestNewEndpointsCheckInputsBeforeIO(t *testing.T) {
	t.Parallel()
	c, mock := newMockClient(t)
	ctx := context.Background()
	errs := []error{}
	add := func(err error) { errs = append(errs, err) }
	_, _, err := c.Links.List(ctx, "", nil)
	add(err)
	_, _, err = c.Links.Add(ctx, "HD-1", "", "HD-2")
	add(err)
	_, err = c.Links.Remove(ctx, "HD-1", "106-0", "")
	add(err)
	_, _, err = c.Links.Type(ctx, "", nil)
	add(err)
	_, _, err = c.WorkItems.List(ctx, "", nil)
	add(err)
	_, _, err = c.WorkItems.Add(ctx, "HD-1", &youtrack.WorkItemInput{})
	add(err)
	_, _, err = c.WorkItems.Update(ctx, "HD-1", "", &youtrack.WorkItemInput{})
	add(err)
	_, _, err = c.WorkItems.Get(ctx, "", "1", nil)
	add(err)
	_, err = c.WorkItems.Delete(ctx, "HD-1", "")
	add(err)
	_, _, err = c.Agiles.Get(ctx, "", nil)
	add(err)
	_, _, err = c.Agiles.Sprints(ctx, "", nil)
	add(err)
	_, _, err = c.Agiles.Sprint(ctx, "108-1", "", nil)
	add(err)
	for i, err := range errs {
		assert.Error(t, err, "call %d", i)
	}
	assert.Zero(t, mock.GetTotalCallCount())
}
