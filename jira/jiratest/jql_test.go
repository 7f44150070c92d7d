package jiratest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJQL(t *testing.T) {
	t.Parallel()
	s := New()
	defer s.Close()
	a, _ := s.Put(IssueSpec{Project: "SEC", Summary: "alpha", Labels: []string{"x", "marker-1"}, Priority: "High"})
	b, _ := s.Put(IssueSpec{Project: "SEC", Summary: "beta", Status: "Done"})
	c, _ := s.Put(IssueSpec{Project: "OPS", Summary: "gamma quote\"d", Labels: []string{"x"}, Status: "In Progress", Assignee: "5b10ac8d82e05b22cc7d4ef5"})
	tests := []struct {
		jql  string
		want []string
	}{
		{`project = SEC ORDER BY created ASC`, []string{a, b}},
		{`project = "SEC" ORDER BY key DESC`, []string{b, a}},
		{`project in (SEC, OPS) ORDER BY id ASC`, []string{a, b, c}},
		{`labels = x ORDER BY created ASC`, []string{a, c}},
		{`labels = "marker-1"`, []string{a}},
		{`labels is EMPTY`, []string{b}},
		{`labels is not empty AND project != SEC`, []string{c}},
		{`statusCategory = Done`, []string{b}},
		{`statusCategory in ("To Do", indeterminate) ORDER BY created ASC`, []string{a, c}},
		{`status = "In Progress"`, []string{c}},
		{`key in (SEC-1, OPS-1) ORDER BY key ASC`, []string{c, a}},
		{`project = SEC AND (priority = High OR status = Done) ORDER BY created ASC`, []string{a, b}},
		{`NOT project = SEC`, []string{c}},
		{`summary ~ "quote\"d"`, []string{c}},
		{`assignee = 5b10ac8d82e05b22cc7d4ef5`, []string{c}},
		{`assignee is EMPTY ORDER BY created ASC`, []string{a, b}},
		{`updated >= "2000-01-01 00:00" AND project = OPS`, []string{c}},
		{`updated < "2000/01/01"`, nil},
		{`created >= 2000-01-01 ORDER BY updated ASC`, []string{a, b, c}},
	}
	for _, tt := range tests {
		q, err := parseJQL(tt.jql, time.UTC)
		require.NoError(t, err, tt.jql)
		var got []string
		for _, is := range s.run(q) {
			got = append(got, s.snapshot(is).ID)
		}
		assert.Equal(t, tt.want, got, tt.jql)
	}
	for _, bad := range []string{`project = `, `nosuchfield = 1`, `project = "SEC`, `project SEC`, `updated > "yesterday"`, `project = SEC ORDER BY colour`, `labels in (a, b`, `(project = SEC`} {
		_, err := parseJQL(bad, time.UTC)
		assert.Error(t, err, bad)
	}
}
