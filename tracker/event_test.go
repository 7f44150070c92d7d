package tracker_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/trackbridge/trackbridge/tracker"
)

func TestEventValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ev   tracker.Event
		bad  string // substring of the error, "" for valid
	}{
		{"issue changed", tracker.Event{Kind: tracker.EventIssueChanged, Tracker: "jira", IssueID: "10001"}, ""},
		{"issue with body", tracker.Event{Kind: tracker.EventIssueChanged, Tracker: "jira", IssueID: "1", Issue: &tracker.Issue{ID: "1"}}, ""},
		{"issue deleted", tracker.Event{Kind: tracker.EventIssueDeleted, Tracker: "youtrack", IssueID: "2-17"}, ""},
		{"comment deleted with id", tracker.Event{Kind: tracker.EventCommentDeleted, Tracker: "jira", IssueID: "1", Comment: &tracker.Comment{ID: "7"}}, ""},
		{"unknown kind", tracker.Event{Kind: "issue_moved", Tracker: "jira", IssueID: "1"}, "unknown kind"},
		{"no kind", tracker.Event{Tracker: "jira", IssueID: "1"}, "unknown kind"},
		{"no tracker", tracker.Event{Kind: tracker.EventIssueChanged, IssueID: "1"}, "no tracker"},
		{"no issue id", tracker.Event{Kind: tracker.EventIssueChanged, Tracker: "jira"}, "no issue id"},
		{"comment without comment", tracker.Event{Kind: tracker.EventCommentCreated, Tracker: "jira", IssueID: "1"}, "without a comment id"},
		{"comment without id", tracker.Event{Kind: tracker.EventCommentUpdated, Tracker: "jira", IssueID: "1", Comment: &tracker.Comment{Body: "x"}}, "without a comment id"},
		{"issue mismatch", tracker.Event{Kind: tracker.EventIssueChanged, Tracker: "jira", IssueID: "1", Issue: &tracker.Issue{ID: "2"}}, "does not match"},
		{"comment issue mismatch", tracker.Event{Kind: tracker.EventCommentCreated, Tracker: "jira", IssueID: "1", Comment: &tracker.Comment{ID: "7", IssueID: "2"}}, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.ev.Validate()
			if tt.bad == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.bad)
		})
	}
}

func TestEventKindAndString(t *testing.T) {
	t.Parallel()
	assert.True(t, tracker.EventCommentDeleted.IsComment())
	assert.False(t, tracker.EventIssueDeleted.IsComment())
	assert.True(t, tracker.EventIssueDeleted.Known())
	assert.False(t, tracker.EventKind("x").Known())
	ev := tracker.Event{Kind: tracker.EventCommentCreated, Tracker: "jira", IssueID: "10001",
		Comment: &tracker.Comment{ID: "7", Body: "secret body"}}
	assert.Equal(t, "comment_created jira:10001 comment 7", ev.String())
	assert.Equal(t, tracker.Ref{Tracker: "jira", ID: "10001"}, ev.Ref())
}
