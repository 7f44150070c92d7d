package jira_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
)

func TestInsecureRedirectIsRefusedAndMatchable(t *testing.T) {
	t.Parallel()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request reached the plain-http server: %s %s", r.Method, r.URL)
	}))
	t.Cleanup(plain.Close)
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(secure.Close)
	c, err := jira.New(secure.URL, jira.WithBasicAuth("me@example.com", "token"), jira.WithHTTPClient(secure.Client()), jira.WithMaxRetries(0))
	require.NoError(t, err)

	_, _, err = c.Issues.Get(context.Background(), "SEC-1", nil)

	require.Error(t, err)
	assert.True(t, errors.Is(err, jira.ErrInsecureRedirect), "%v", err)
}
