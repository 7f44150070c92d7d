package jiratest_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira/jiratest"
)

const createBody = `{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"summary":"lost answer","labels":["tb-1"]}}`

func TestLostAnswersStillCommit(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(t)
	srv.LoseAnswers(func(route string, _ *http.Request) jiratest.AnswerLoss {
		if route == "POST /rest/api/3/issue" {
			return jiratest.LoseTo502
		}
		return jiratest.Deliver
	})

	resp, body := call(t, srv, "POST", "/rest/api/3/issue", createBody, true)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Contains(t, string(body), "Bad Gateway")
	require.Len(t, srv.Issues(), 1, "the create was carried out")

	srv.LoseAnswers(nil)
	resp, _ = call(t, srv, "POST", "/rest/api/3/issue", createBody, true)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Len(t, srv.Issues(), 2)
}

func TestSearchLagsBehindCreates(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := jiratest.NewServer(t, jiratest.WithClock(clock), jiratest.WithSearchLag(5*time.Second))

	resp, body := call(t, srv, "POST", "/rest/api/3/issue", createBody, true)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	var created struct{ ID, Key string }
	require.NoError(t, json.Unmarshal(body, &created))

	found := func(extra string) int {
		resp, body := call(t, srv, "POST", "/rest/api/3/search/jql", `{"jql":"labels = \"tb-1\""`+extra+`}`, true)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var page struct{ Issues []json.RawMessage }
		require.NoError(t, json.Unmarshal(body, &page))
		return len(page.Issues)
	}
	assert.Zero(t, found(""), "the index has not caught up")
	assert.Equal(t, 1, found(`,"reconcileIssues":[`+created.ID+`]`), "reconciled issues are current")
	resp, _ = call(t, srv, "GET", "/rest/api/3/issue/"+created.Key, "", true)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a get by key is never stale")

	mu.Lock()
	now = now.Add(5*time.Second + time.Second)
	mu.Unlock()
	assert.Equal(t, 1, found(""), "the index caught up")
}
