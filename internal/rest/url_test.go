package rest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/internal/rest"
)

func TestURLPlainAndParsedPathsAgree(t *testing.T) {
	t.Parallel()
	c, err := rest.New(rest.Config{Vendor: "v", BaseURL: "https://h.example/ctx"})
	require.NoError(t, err)
	tests := []struct {
		path, want string
		refused    bool
	}{
		{path: "rest/api/3/issue", want: "https://h.example/ctx/rest/api/3/issue"},
		{path: "/rest/api/2/issue/SEC-1", want: "https://h.example/ctx/rest/api/2/issue/SEC-1"},
		{path: "a.b/c..d/...", want: "https://h.example/ctx/a.b/c..d/..."},
		{path: "issue/a%2Fb", want: "https://h.example/ctx/issue/a%2Fb"},
		{path: "issue/x?y=1", want: "https://h.example/ctx/issue/x?y=1"},
		{path: "a/../b", refused: true},
		{path: "a/./b", refused: true},
		{path: "..", refused: true},
		{path: "a/..", refused: true},
		{path: "a/%2e%2e/b", refused: true},
	}
	for _, tt := range tests {
		u, err := c.URL(&rest.Request{Path: tt.path})
		if tt.refused {
			assert.Error(t, err, tt.path)
			continue
		}
		require.NoError(t, err, tt.path)
		assert.Equal(t, tt.want, u.String(), tt.path)
	}
}
