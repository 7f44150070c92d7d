package access_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker/access"
)

func TestReadPolicy(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/policy.json")
	require.NoError(t, err)
	defer f.Close()
	p, err := access.ReadPolicy(f, access.ReadOptions{Name: "policy.json"})
	require.NoError(t, err)
	assert.Equal(t, access.Policy{
		Directory:        "YouTrack",
		Match:            []access.MatchKey{access.MatchEmail, access.MatchLogin},
		OffboardingGrace: 7 * day,
		StaleAfter:       90 * day,
		Access:           map[string][]string{"admin": {"*"}, "developer": {"Developers", "project-*"}},
		Common:           []string{"All Users"},
		Exempt: access.Exemptions{
			Accounts: []string{"svc-*"}, Bots: true, Guests: true,
			Rules: []access.Rule{access.RuleUnidentified, access.RuleStale},
		},
	}, p)

	p, err = access.ReadPolicy(strings.NewReader(`{}`), access.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, access.Policy{}, p)
}

func TestReadPolicyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{``, []string{"policy.json: empty"}},
		{`{"stale": "90d"}`, []string{`policy.json: json: unknown field "stale"`}},
		{`{"stale_after": "90 days", "offboarding_grace": "-1h"}`, []string{
			`policy.json: stale_after: "90 days" is neither a number of days (90d) nor a duration (36h)`,
			`policy.json: offboarding_grace: "-1h" is neither`,
		}},
		{`{"stale_after": "xd"}`, []string{`stale_after: "xd" is not a number of days`}},
		{`{"match": ["name"], "exempt": {"rules": ["stale"]}}`, []string{`unknown match key "name"`, `unknown rule "stale"`}},
		{`{"access": {"dev": "Developers"}}`, []string{"policy.json: json: cannot unmarshal string"}},
		{`{} {}`, []string{"policy.json: data after the policy object"}},
	}
	for _, tt := range tests {
		_, err := access.ReadPolicy(strings.NewReader(tt.in), access.ReadOptions{Name: "policy.json"})
		require.Error(t, err, tt.in)
		for _, w := range tt.want {
			assert.Contains(t, err.Error(), w, tt.in)
		}
	}
	_, err := access.ReadPolicy(strings.NewReader(`{"directory": "`+strings.Repeat("x", 100)+`"}`), access.ReadOptions{MaxBytes: 50})
	assert.ErrorContains(t, err, "policy: larger than 50 bytes")
}

func TestParseDays(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"": 0, "0d": 0, "90d": 90 * day, " 36h ": 36 * time.Hour, "1h30m": 90 * time.Minute} {
		got, err := access.ParseDays(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"d", "-1d", "1.5d", "99999d", "soon", "-5m"} {
		_, err := access.ParseDays(in)
		assert.Error(t, err, in)
	}
}
