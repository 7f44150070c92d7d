package access_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/tracker/access"
)

// TestReviewOfAJiraDirectory reviews the accounts of the Jira fake, with
// the groups and application roles the adapter reads for each, against a
// roster: every rule Jira can feed fires. Jira reports no last access, so
// the stale rule lists the accounts as unknown instead of guessing.
func TestReviewOfAJiraDirectory(t *testing.T) {
	t.Parallel()
	for _, dc := range []bool{false, true} {
		t.Run(map[bool]string{false: "cloud", true: "datacenter"}[dc], func(t *testing.T) {
			t.Parallel()
			var opts []jiratest.Option
			auth := jira.WithBasicAuth(jiratest.Email, jiratest.APIToken)
			if dc {
				opts = append(opts, jiratest.WithDataCenter())
				auth = jira.WithToken(jiratest.PAT)
			}
			srv := jiratest.NewServer(t, opts...)
			// An account nobody in the roster owns.
			srv.AddUser(jiratest.User{AccountID: "712020:0b6d3c1e-5f2a-4c7b-9e8d-a1b2c3d4e5f6", AccountType: "atlassian",
				Name: "mallory", Key: "JIRAUSER10300", DisplayName: "Mallory", Email: "mallory@example.com", Active: true,
				Groups: []string{"jira-software-users"}, ApplicationRoles: []string{"jira-software"}})
			clientOpts := []jira.Option{jira.WithHTTPClient(&http.Client{Transport: srv.Client().Transport}), auth}
			if dc {
				clientOpts = append(clientOpts, jira.WithDataCenter())
			}
			c, err := jira.New(srv.URL(), clientOpts...)
			require.NoError(t, err)
			a, err := jira.NewAdapter(c, jira.AdapterConfig{})
			require.NoError(t, err)

			roster := access.StaticRoster{
				// Admin rights for a developer: excess access.
				{Email: jiratest.Email, Name: "Ada Admin", Status: access.StatusActive, Role: "developer"},
				// Left a month ago, account still active: offboarded.
				{Email: "alice@example.com", Name: "Alice Analyst", Status: access.StatusOffboarded, OffboardedAt: now.Add(-30 * day), Role: "developer"},
				// Left, and the account is deactivated: no finding.
				{Email: "bob@example.com", Name: "Bob Former", Status: access.StatusOffboarded, OffboardedAt: now.Add(-30 * day), Role: "developer"},
				{Email: jiratest.SecOpsEmail, Name: "SecOps Team", Status: access.StatusActive, Role: "secops"},
			}
			rep, err := access.Review(t.Context(), a, roster, access.Policy{
				Directory:        "Jira",
				OffboardingGrace: 7 * day,
				Access: map[string][]string{
					"developer": {"jira-software-users"},
					"secops":    {"jira-software-users", "secops"},
				},
				Common:     []string{"jira-software"},
				StaleAfter: 90 * day,
				Exempt:     access.Exemptions{Bots: !dc, Accounts: []string{"automation"}},
				Now:        clock,
			})
			require.NoError(t, err)

			assert.Equal(t, 6, rep.Accounts)
			assert.Equal(t, 5, rep.Active)
			byRule := map[access.Rule][]string{}
			for _, f := range rep.Findings {
				byRule[f.Rule] = append(byRule[f.Rule], f.Account.Email)
			}
			assert.Equal(t, map[access.Rule][]string{
				access.RuleOffboarded:   {"alice@example.com"},
				access.RuleUnidentified: {"mallory@example.com"},
				access.RuleExcessAccess: {jiratest.Email},
			}, byRule)
			for _, f := range rep.Findings {
				if f.Rule == access.RuleExcessAccess {
					assert.Equal(t, []string{"jira-administrators"}, f.Evidence.Disallowed)
				}
			}
			assert.Len(t, rep.UnknownLastAccess, 4, "Jira does not report last access, so the stale rule cannot judge")
			for _, u := range rep.UnknownLastAccess {
				assert.True(t, u.LastAccess.Equal(time.Time{}))
			}
		})
	}
}
