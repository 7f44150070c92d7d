package youtrack_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/youtrack"
)

const hookToken = "hook-s3cret-token"

type recorder struct{ events []*youtrack.Event }

func (r *recorder) fn(_ context.Context, ev *youtrack.Event) error {
	r.events = append(r.events, ev)
	return nil
}

func TestHandler(t *testing.T) {
	t.Parallel()
	valid := fixture(t, "event_issue_created.json")
	tests := []struct {
		name   string
		method string
		target string
		header map[string]string
		body   string
		status int
		events int
	}{
		{"valid", "POST", "/hook", map[string]string{"X-Auth-Token": hookToken}, valid, 204, 1},
		{"valid in query parameter", "POST", "/hook?token=" + hookToken, nil, valid, 204, 1},
		{"forged token", "POST", "/hook", map[string]string{"X-Auth-Token": "guess"}, valid, 401, 0},
		{"forged query parameter", "POST", "/hook?token=guess", nil, valid, 401, 0},
		{"no token", "POST", "/hook", nil, valid, 401, 0},
		{"token in another header", "POST", "/hook", map[string]string{"Authorization": "Bearer " + hookToken}, valid, 401, 0},
		{"oversized", "POST", "/hook", map[string]string{"X-Auth-Token": hookToken}, `{"event":"issueCreated","issue":{"id":"2-1","description":"` + strings.Repeat("x", 5000) + `"}}`, 413, 0},
		{"not JSON", "POST", "/hook", map[string]string{"X-Auth-Token": hookToken}, `<html>`, 400, 0},
		{"truncated JSON", "POST", "/hook", map[string]string{"X-Auth-Token": hookToken}, `{"event":"issueCreated","issue":{`, 400, 0},
		{"no event", "POST", "/hook", map[string]string{"X-Auth-Token": hookToken}, `{"issue":{"id":"2-1"}}`, 400, 0},
		{"event not a string", "POST", "/hook", map[string]string{"X-Auth-Token": hookToken}, `{"event":7,"issue":{"id":"2-1"}}`, 400, 0},
		{"issue event without issue id", "POST", "/hook", map[string]string{"X-Auth-Token": hookToken}, `{"event":"issueUpdated","issue":{}}`, 400, 0},
		{"comment event without comment", "POST", "/hook", map[string]string{"X-Auth-Token": hookToken}, `{"event":"commentAdded","issue":{"id":"2-1"}}`, 400, 0},
		{"issue of the wrong shape", "POST", "/hook", map[string]string{"X-Auth-Token": hookToken}, `{"event":"issueCreated","issue":"HD-1"}`, 400, 0},
		{"filtered out", "POST", "/hook", map[string]string{"X-Auth-Token": hookToken}, fixture(t, "event_work_item_added.json"), 204, 0},
		{"GET", "GET", "/hook", map[string]string{"X-Auth-Token": hookToken}, "", 405, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var rec recorder
			h, err := youtrack.NewHandler(youtrack.HandlerConfig{
				Token: hookToken, QueryParam: "token", MaxBody: 4096,
				Events: []youtrack.EventKind{youtrack.EventIssueCreated, youtrack.EventIssueUpdated, youtrack.EventCommentAdded},
			}, rec.fn)
			require.NoError(t, err)
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			assert.Equal(t, tt.status, w.Code, w.Body.String())
			assert.Len(t, rec.events, tt.events)
			assert.NotContains(t, w.Body.String(), hookToken)
		})
	}
}

func TestHandlerDecodesEvents(t *testing.T) {
	t.Parallel()
	var rec recorder
	h, err := youtrack.NewHandler(youtrack.HandlerConfig{Token: hookToken}, rec.fn)
	require.NoError(t, err)
	for _, f := range []string{"event_issue_created.json", "event_issue_updated.json", "event_comment_added.json", "event_comment_deleted.json", "event_work_item_added.json"} {
		req := httptest.NewRequest("POST", "/hook", strings.NewReader(fixture(t, f)))
		req.Header.Set("X-Auth-Token", hookToken)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		require.Equal(t, http.StatusNoContent, w.Code, f)
	}
	require.Len(t, rec.events, 5)

	created := rec.events[0]
	assert.Equal(t, youtrack.EventIssueCreated, created.Kind)
	assert.Equal(t, "HD-25", created.IssueID())
	assert.Equal(t, "HD", created.Issue.Project.ShortName)
	sev, err := created.Issue.Field("Severity").Plain()
	require.NoError(t, err)
	assert.Equal(t, "High", sev)

	updated := rec.events[1]
	assert.Equal(t, youtrack.EventIssueUpdated, updated.Kind)
	assert.Equal(t, "HD-25", updated.IssueID(), "a readable id in the id member")
	assert.JSONEq(t, `[{"field":"summary"}]`, string(updated.Entities["changes"]))

	added := rec.events[2]
	assert.Equal(t, youtrack.EventCommentAdded, added.Kind)
	assert.Equal(t, "4-3", added.Comment.ID)
	assert.Equal(t, "jdoe", added.Comment.Author.Login)
	assert.Equal(t, "Password reset done.", added.Comment.Text)

	deleted := rec.events[3]
	assert.Equal(t, youtrack.EventCommentDeleted, deleted.Kind)
	assert.Equal(t, "4-3", deleted.Comment.ID)

	other := rec.events[4]
	assert.Equal(t, youtrack.EventKind("workItemAdded"), other.Kind)
	assert.Contains(t, other.Entities, "workItem")
}

func TestHandlerCallbackFailureIs500(t *testing.T) {
	t.Parallel()
	h, err := youtrack.NewHandler(youtrack.HandlerConfig{Token: hookToken, Header: "X-Webhook-Token"}, func(context.Context, *youtrack.Event) error {
		return errors.New("store down")
	})
	require.NoError(t, err)
	req := httptest.NewRequest("POST", "/hook", strings.NewReader(fixture(t, "event_comment_added.json")))
	req.Header.Set("X-Webhook-Token", hookToken)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	assert.Equal(t, http.StatusInternalServerError, w.Code)
}

func TestNewHandlerValidates(t *testing.T) {
	t.Parallel()
	_, err := youtrack.NewHandler(youtrack.HandlerConfig{}, func(context.Context, *youtrack.Event) error { return nil })
	assert.ErrorContains(t, err, "token is required")
	_, err = youtrack.NewHandler(youtrack.HandlerConfig{Token: "x"}, nil)
	assert.ErrorContains(t, err, "nil callback")
}

func FuzzDecodeEvent(f *testing.F) {
	for _, name := range []string{"event_issue_created.json", "event_issue_updated.json", "event_comment_added.json", "event_comment_deleted.json", "event_work_item_added.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"event":"issueCreated","issue":null}`))
	f.Add([]byte(`{"event":""}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := youtrack.DecodeEvent(body)
		if err != nil {
			assert.Nil(t, ev)
			return
		}
		require.NotNil(t, ev)
		assert.NotEmpty(t, ev.Kind)
		switch ev.Kind {
		case youtrack.EventIssueCreated, youtrack.EventIssueUpdated, youtrack.EventIssueDeleted:
			assert.NotEmpty(t, ev.IssueID())
		case youtrack.EventCommentAdded, youtrack.EventCommentUpdated, youtrack.EventCommentDeleted:
			assert.NotEmpty(t, ev.Comment.ID)
		}
	})
}
