package mapping_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/tracker"
)

const twoWaySpec = `
flows:
  - name: incidents
    source: incidents
    target: jira
    defaults: {project: SEC, type: Bug}
    fields:
      summary: {from: summary}
    values:
      priority:
        from: fields.severity
        map: {critical: Highest, high: High, medium: Medium}
        default: Low
    back:
      fields:
        severity_label: {from: priority}
        summary: {from: summary}
    comments:
      direction: both
      deletions: false
      attribution: '{{.Comment.AuthorName}} ({{.Comment.Tracker}}, {{.Key}}): {{.Comment.Body}}'
    conflicts:
      priority: target-wins
      "*": newest-wins
`

func TestCommentsAndConflictsLoad(t *testing.T) {
	t.Parallel()
	spec, err := mapping.Parse([]byte(twoWaySpec))
	require.NoError(t, err)
	f := spec.Flows[0]

	assert.Equal(t, mapping.CommentPolicy{ToTarget: true, ToSource: true, Edits: true}, f.CommentPolicy())
	assert.Equal(t, map[string]string{"priority": "severity_label", "summary": "summary"}, f.TwoWayFields())
	assert.Equal(t, mapping.TargetWins, f.Conflict("priority"))
	assert.Equal(t, mapping.NewestWins, f.Conflict("summary"), "the * policy")

	body, err := f.RenderComment(&tracker.Issue{ID: "7", Key: "INC-7"},
		mapping.CommentData{Author: "ana", AuthorName: "Ana Ruiz", Body: "Blocked the IP.", Tracker: "incidents"}, time.Now())
	require.NoError(t, err)
	assert.Equal(t, "Ana Ruiz (incidents, INC-7): Blocked the IP.", body)
}

func TestCommentDefaults(t *testing.T) {
	t.Parallel()
	spec, err := mapping.Parse([]byte(`
flows:
  - name: f
    source: extrahop
    target: jira
    defaults: {project: SEC}
    fields: {summary: {from: summary}}
    comments: {}
`))
	require.NoError(t, err)
	f := spec.Flows[0]
	assert.Equal(t, mapping.CommentPolicy{ToTarget: true, Edits: true, Deletions: true}, f.CommentPolicy())
	assert.Empty(t, f.TwoWayFields())
	assert.Equal(t, mapping.SourceWins, f.Conflict("summary"))
	body, err := f.RenderComment(&tracker.Issue{ID: "1"}, mapping.CommentData{Author: "jdoe", Body: "Looking.", Tracker: "extrahop"}, time.Now())
	require.NoError(t, err)
	assert.Equal(t, "[jdoe in extrahop] Looking.", body, "the author's id stands in for a missing name")

	none, err := mapping.Parse([]byte(`
flows:
  - name: f
    source: extrahop
    target: jira
    defaults: {project: SEC}
    fields: {summary: {from: summary}}
`))
	require.NoError(t, err)
	assert.False(t, none.Flows[0].CommentPolicy().Syncs(), "no comments block, no comment sync")
}

func TestCommentAndConflictMistakes(t *testing.T) {
	t.Parallel()
	_, err := mapping.Parse([]byte(`
flows:
  - name: f
    source: extrahop
    target: jira
    defaults: {project: SEC}
    fields: {summary: {from: summary}}
    back:
      fields: {title: {from: summary}}
    comments:
      direction: sideways
      private: publish
      attribution: '{{.Comment.Body'
    conflicts:
      summary: loudest-wins
      priority: source-wins
`))
	var errs *mapping.Errors
	require.True(t, errors.As(err, &errs), "%v", err)
	msg := err.Error()
	for _, want := range []string{
		`flows[0].comments.direction`, `"sideways"`,
		`flows[0].comments.private`, `"publish"`,
		`flows[0].comments.attribution`,
		`flows[0].conflicts.summary`, `"loudest-wins": want source-wins, target-wins or newest-wins`,
		`flows[0].conflicts.priority`, `"priority" is not synced both ways`,
	} {
		assert.Contains(t, msg, want)
	}
	assert.Regexp(t, `line \d+`, msg, "errors name their line")
}
