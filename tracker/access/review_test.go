package access_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/access"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

// now is the review time of every test.
var now = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func clock() time.Time { return now }

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func directory(users ...*tracker.User) *trackertest.Memory {
	m := trackertest.NewMemory("youtrack")
	for _, u := range users {
		m.AddUser(u)
	}
	return m
}

func user(id, login, email string, mods ...func(*tracker.User)) *tracker.User {
	u := &tracker.User{ID: id, Login: login, Email: email, Name: login, Active: true, LastAccess: now.Add(-day)}
	for _, m := range mods {
		m(u)
	}
	return u
}

func banned(u *tracker.User) { u.Active = false }
func guest(u *tracker.User)  { u.Guest = true }
func bot(u *tracker.User)    { u.Bot = true }
func groups(g ...string) func(*tracker.User) {
	return func(u *tracker.User) { u.Groups = g }
}
func roles(r ...string) func(*tracker.User) {
	return func(u *tracker.User) { u.Roles = r }
}
func lastAccess(t time.Time) func(*tracker.User) {
	return func(u *tracker.User) { u.LastAccess = t }
}

func active(email, login, role string) *access.Entry {
	return &access.Entry{Email: email, Login: login, Status: access.StatusActive, Role: role}
}

func offboarded(email, login, on string) *access.Entry {
	e := &access.Entry{Email: email, Login: login, Status: access.StatusOffboarded}
	if on != "" {
		e.OffboardedAt = date(on)
	}
	return e
}

// got renders findings as "rule login" for comparison.
func got(rep *access.Report) []string {
	out := []string{}
	for _, f := range rep.Findings {
		out = append(out, string(f.Rule)+" "+f.Account.Login)
	}
	return out
}

func logins(us []*tracker.User) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.Login)
	}
	return out
}

func TestReviewRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		users   []*tracker.User
		roster  access.StaticRoster
		policy  func(*accessPolicy)
		want    []string
		grace   []string
		unknown []string
		exempt  []string
	}{
		{
			name:   "offboarded person's active account",
			users:  []*tracker.User{user("1-1", "jdoe", "jdoe@example.com")},
			roster: access.StaticRoster{offboarded("jdoe@example.com", "", "2026-10-01")},
			want:   []string{"offboarded-active jdoe"},
		},
		{
			name:   "offboarded person's banned account is fine",
			users:  []*tracker.User{user("1-1", "jdoe", "jdoe@example.com", banned)},
			roster: access.StaticRoster{offboarded("jdoe@example.com", "", "2026-10-01")},
			want:   []string{},
		},
		{
			name:   "within the grace period",
			users:  []*tracker.User{user("1-1", "jdoe", "jdoe@example.com")},
			roster: access.StaticRoster{offboarded("jdoe@example.com", "", "2026-11-15")},
			policy: func(p *accessPolicy) { p.OffboardingGrace = 7 * day },
			want:   []string{},
			grace:  []string{"jdoe"},
		},
		{
			name:   "grace period over",
			users:  []*tracker.User{user("1-1", "jdoe", "jdoe@example.com")},
			roster: access.StaticRoster{offboarded("jdoe@example.com", "", "2026-11-10")},
			policy: func(p *accessPolicy) { p.OffboardingGrace = 7 * day },
			want:   []string{"offboarded-active jdoe"},
		},
		{
			name:   "grace ends exactly now",
			users:  []*tracker.User{user("1-1", "jdoe", "jdoe@example.com")},
			roster: access.StaticRoster{offboarded("jdoe@example.com", "", "2026-11-13")},
			policy: func(p *accessPolicy) { p.OffboardingGrace = 7*day + 9*time.Hour },
			want:   []string{"offboarded-active jdoe"},
		},
		{
			name:   "offboarded without a date gets no grace",
			users:  []*tracker.User{user("1-1", "jdoe", "jdoe@example.com")},
			roster: access.StaticRoster{offboarded("jdoe@example.com", "", "")},
			policy: func(p *accessPolicy) { p.OffboardingGrace = 30 * day },
			want:   []string{"offboarded-active jdoe"},
		},
		{
			name:   "offboarded account is not also stale or over-privileged",
			users:  []*tracker.User{user("1-1", "jdoe", "jdoe@example.com", groups("admins"), lastAccess(date("2025-01-01")))},
			roster: access.StaticRoster{offboarded("jdoe@example.com", "", "2026-10-01")},
			policy: func(p *accessPolicy) { p.Access = map[string][]string{}; p.StaleAfter = 90 * day },
			want:   []string{"offboarded-active jdoe"},
		},
		{
			name:   "unknown active account",
			users:  []*tracker.User{user("1-9", "mallory", "mallory@evil.example")},
			roster: access.StaticRoster{active("ana@example.com", "ana", "")},
			want:   []string{"unidentified-account mallory"},
		},
		{
			name:   "unknown banned account",
			users:  []*tracker.User{user("1-9", "mallory", "mallory@evil.example", banned)},
			roster: access.StaticRoster{},
			want:   []string{},
		},
		{
			name:   "email matches case-insensitively",
			users:  []*tracker.User{user("1-2", "ana", " Ana.Lima@Example.COM")},
			roster: access.StaticRoster{active("ana.lima@example.com", "", "")},
			want:   []string{},
		},
		{
			name:   "login matches when email does not",
			users:  []*tracker.User{user("1-2", "ANA", "ana@personal.example")},
			roster: access.StaticRoster{active("ana@example.com", "ana", "")},
			want:   []string{},
		},
		{
			name:   "account without email matches by login",
			users:  []*tracker.User{user("1-2", "ana", "")},
			roster: access.StaticRoster{active("ana@example.com", "ana", "")},
			want:   []string{},
		},
		{
			name:   "matching by login only",
			users:  []*tracker.User{user("1-2", "alima", "ana@example.com")},
			roster: access.StaticRoster{active("ana@example.com", "ana", "")},
			policy: func(p *accessPolicy) { p.Match = []access.MatchKey{access.MatchLogin} },
			want:   []string{"unidentified-account alima"},
		},
		{
			name:  "login first finds the other entry",
			users: []*tracker.User{user("1-2", "bo", "ana@example.com")},
			roster: access.StaticRoster{
				active("ana@example.com", "ana", ""),
				offboarded("bo@example.com", "bo", "2026-01-01"),
			},
			policy: func(p *accessPolicy) { p.Match = []access.MatchKey{access.MatchLogin, access.MatchEmail} },
			want:   []string{"offboarded-active bo"},
		},
		{
			name:   "guest account is flagged unless exempt",
			users:  []*tracker.User{user("1-0", "guest", "", guest)},
			roster: access.StaticRoster{},
			want:   []string{"unidentified-account guest"},
		},
		{
			name:   "guest account exempt",
			users:  []*tracker.User{user("1-0", "guest", "", guest)},
			roster: access.StaticRoster{},
			policy: func(p *accessPolicy) { p.Exempt.Guests = true },
			want:   []string{},
			exempt: []string{"guest"},
		},
		{
			name:   "guest exemption does not cover a bot",
			users:  []*tracker.User{user("1-7", "ci-bot", "", bot)},
			roster: access.StaticRoster{},
			policy: func(p *accessPolicy) { p.Exempt.Guests = true },
			want:   []string{"unidentified-account ci-bot"},
		},
		{
			name:   "bot exempt",
			users:  []*tracker.User{user("1-7", "ci-bot", "", bot)},
			roster: access.StaticRoster{},
			policy: func(p *accessPolicy) { p.Exempt.Bots = true },
			want:   []string{},
			exempt: []string{"ci-bot"},
		},
		{
			name: "allow-list by login pattern and by email pattern",
			users: []*tracker.User{
				user("1-7", "SVC-backup", ""),
				user("1-8", "jenkins", "jenkins@bots.example.com"),
				user("1-9", "svcx", "svcx@example.com"),
			},
			roster: access.StaticRoster{},
			policy: func(p *accessPolicy) { p.Exempt.Accounts = []string{"svc-*", "*@bots.example.com"} },
			want:   []string{"unidentified-account svcx"},
			exempt: []string{"SVC-backup", "jenkins"},
		},
		{
			name:   "group the role does not allow",
			users:  []*tracker.User{user("1-2", "ana", "ana@example.com", groups("developers", "admins"))},
			roster: access.StaticRoster{active("ana@example.com", "", "developer")},
			policy: func(p *accessPolicy) { p.Access = map[string][]string{"developer": {"developers"}} },
			want:   []string{"excess-access ana"},
		},
		{
			name:   "role allowed through a wildcard and common groups",
			users:  []*tracker.User{user("1-2", "ana", "ana@example.com", groups("All Users", "Project-Alpha", "project-beta"))},
			roster: access.StaticRoster{active("ana@example.com", "", "Developer")},
			policy: func(p *accessPolicy) {
				p.Access = map[string][]string{"developer": {"project-*"}}
				p.Common = []string{"all users"}
			},
			want: []string{},
		},
		{
			name:   "admin role allows everything",
			users:  []*tracker.User{user("1-2", "root", "root@example.com", groups("admins"), roles("System Admin"))},
			roster: access.StaticRoster{active("root@example.com", "", "admin")},
			policy: func(p *accessPolicy) { p.Access = map[string][]string{"admin": {"*"}} },
			want:   []string{},
		},
		{
			name:   "tracker roles are checked as well as groups",
			users:  []*tracker.User{user("1-2", "ana", "ana@example.com", roles("jira-administrators"))},
			roster: access.StaticRoster{active("ana@example.com", "", "developer")},
			policy: func(p *accessPolicy) { p.Access = map[string][]string{"developer": {"jira-software-users"}} },
			want:   []string{"excess-access ana"},
		},
		{
			name:   "role the policy does not list allows only common groups",
			users:  []*tracker.User{user("1-2", "ana", "ana@example.com", groups("All Users", "developers"))},
			roster: access.StaticRoster{active("ana@example.com", "", "intern")},
			policy: func(p *accessPolicy) {
				p.Access = map[string][]string{"developer": {"developers"}}
				p.Common = []string{"All Users"}
			},
			want: []string{"excess-access ana"},
		},
		{
			name:   "no access policy, no excess-access rule",
			users:  []*tracker.User{user("1-2", "ana", "ana@example.com", groups("admins"))},
			roster: access.StaticRoster{active("ana@example.com", "", "developer")},
			want:   []string{},
		},
		{
			name: "stale account",
			users: []*tracker.User{
				user("1-3", "old", "old@example.com", lastAccess(now.Add(-91*day))),
				user("1-4", "recent", "recent@example.com", lastAccess(now.Add(-89*day))),
				user("1-5", "never", "never@example.com", lastAccess(time.Time{})),
				user("1-6", "gone", "gone@example.com", banned, lastAccess(now.Add(-400*day))),
			},
			roster: access.StaticRoster{
				active("old@example.com", "", ""), active("recent@example.com", "", ""),
				active("never@example.com", "", ""), active("gone@example.com", "", ""),
			},
			policy:  func(p *accessPolicy) { p.StaleAfter = 90 * day },
			want:    []string{"stale-account old"},
			unknown: []string{"never"},
		},
		{
			name:   "stale rule off",
			users:  []*tracker.User{user("1-3", "old", "old@example.com", lastAccess(now.Add(-900*day)))},
			roster: access.StaticRoster{active("old@example.com", "", "")},
			want:   []string{},
		},
		{
			name:   "exempt service account is still flagged when stale",
			users:  []*tracker.User{user("1-7", "svc-backup", "", lastAccess(now.Add(-200*day)))},
			roster: access.StaticRoster{},
			policy: func(p *accessPolicy) { p.Exempt.Accounts = []string{"svc-*"}; p.StaleAfter = 90 * day },
			want:   []string{"stale-account svc-backup"},
			exempt: []string{"svc-backup"},
		},
		{
			name:   "exemption extended to the stale rule",
			users:  []*tracker.User{user("1-7", "svc-backup", "", lastAccess(now.Add(-200*day)))},
			roster: access.StaticRoster{},
			policy: func(p *accessPolicy) {
				p.Exempt.Accounts = []string{"svc-*"}
				p.Exempt.Rules = []access.Rule{access.RuleUnidentified, access.RuleStale}
				p.StaleAfter = 90 * day
			},
			want:   []string{},
			exempt: []string{"svc-backup"},
		},
		{
			name:   "unknown and stale are both reported",
			users:  []*tracker.User{user("1-9", "ghost", "ghost@example.com", lastAccess(now.Add(-200*day)))},
			roster: access.StaticRoster{},
			policy: func(p *accessPolicy) { p.StaleAfter = 90 * day },
			want:   []string{"unidentified-account ghost", "stale-account ghost"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := accessPolicy{Now: clock}
			if tt.policy != nil {
				tt.policy(&p)
			}
			rep, err := access.Review(context.Background(), directory(tt.users...), tt.roster, p)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got(rep))
			var grace []*tracker.User
			for _, f := range rep.InGrace {
				assert.Equal(t, access.RuleOffboarded, f.Rule)
				assert.True(t, now.Before(f.Evidence.GraceEnds), "grace has not ended")
				grace = append(grace, f.Account)
			}
			assert.Equal(t, nonNil(tt.grace), logins(grace), "in grace")
			assert.Equal(t, nonNil(tt.unknown), logins(rep.UnknownLastAccess), "unknown last access")
			assert.Equal(t, nonNil(tt.exempt), logins(rep.Exempt), "exempt")
			assert.Equal(t, len(tt.users), rep.Accounts)
			assert.Equal(t, now, rep.Time)
		})
	}
}

// accessPolicy shortens the table above.
type accessPolicy = access.Policy

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestReviewEvidence(t *testing.T) {
	t.Parallel()
	dir := directory(
		user("1-1", "jdoe", "jdoe@example.com", func(u *tracker.User) { u.Name = "John Doe" }),
		user("1-2", "ana", "ANA@example.com", groups("developers", "admins", "auditors")),
		user("1-3", "old", "old@example.com", lastAccess(date("2026-05-01"))),
		user("1-4", "mallory", "mallory@evil.example"),
	)
	roster := access.StaticRoster{
		{Email: "jdoe@example.com", Name: "John Doe", Status: access.StatusOffboarded, OffboardedAt: date("2026-10-01"), Role: "developer", Source: "roster.csv:4"},
		{Email: "ana@example.com", Name: "Ana Lima", Status: access.StatusActive, Role: "developer", Source: "roster.csv:2"},
		{Email: "old@example.com", Status: access.StatusActive, Role: "developer"},
	}
	rep, err := access.Review(context.Background(), dir, roster, access.Policy{
		Directory:        "YouTrack",
		OffboardingGrace: 7 * day,
		Access:           map[string][]string{"developer": {"developers"}},
		StaleAfter:       90 * day,
		Now:              clock,
	})
	require.NoError(t, err)
	require.Len(t, rep.Findings, 4)
	off, unknown, excess, stale := rep.Findings[0], rep.Findings[1], rep.Findings[2], rep.Findings[3]

	assert.Equal(t, access.RuleOffboarded, off.Rule)
	assert.Equal(t, "offboarded-active:1-1", off.Key())
	assert.Equal(t, "Offboarded user jdoe still active in YouTrack", off.Summary())
	assert.Equal(t, "The roster lists John Doe as offboarded on 2026-10-01 (roster.csv:4), but account jdoe is still active in YouTrack after the 7 days grace period.", off.Evidence.Text)
	assert.Equal(t, date("2026-10-08"), off.Evidence.GraceEnds)
	assert.Equal(t, access.MatchEmail, off.Evidence.MatchedBy)
	assert.Same(t, roster[0], off.Entry)

	assert.Equal(t, access.RuleUnidentified, unknown.Rule)
	assert.Nil(t, unknown.Entry)
	assert.Equal(t, "Account mallory in YouTrack matches no roster entry", unknown.Summary())
	assert.Contains(t, unknown.Evidence.Text, "by email mallory@evil.example or login mallory")

	assert.Equal(t, access.RuleExcessAccess, excess.Rule)
	assert.Equal(t, []string{"admins", "auditors"}, excess.Evidence.Disallowed)
	assert.True(t, excess.Evidence.RoleKnown)
	assert.Equal(t, `Ana Lima has role "developer", which does not allow "admins", "auditors".`, excess.Evidence.Text)
	assert.Equal(t, "User ana has access in YouTrack their role does not allow: admins, auditors", excess.Summary())

	assert.Equal(t, access.RuleStale, stale.Rule)
	assert.Equal(t, "Account old in YouTrack unused since 2026-05-01", stale.Summary())
	assert.Equal(t, now.Sub(date("2026-05-01")), stale.Evidence.Idle)
	assert.Equal(t, "The account was last used on 2026-05-01; accounts unused for more than 90 days are stale.", stale.Evidence.Text)

	assert.Equal(t, "4 accounts (4 active) against 3 roster entries: 4 findings (1 offboarded-active, 1 unidentified-account, 1 excess-access, 1 stale-account)", rep.Summary())
}

func TestReviewEvidenceDoesNotDependOnTheDay(t *testing.T) {
	t.Parallel()
	dir := directory(user("1-3", "old", "old@example.com", lastAccess(date("2026-05-01"))), user("1-1", "jdoe", "jdoe@example.com"))
	roster := access.StaticRoster{active("old@example.com", "", ""), offboarded("jdoe@example.com", "", "2026-10-01")}
	review := func(at time.Time) *access.Report {
		rep, err := access.Review(context.Background(), dir, roster, access.Policy{StaleAfter: 90 * day, Now: func() time.Time { return at }})
		require.NoError(t, err)
		require.Len(t, rep.Findings, 2)
		return rep
	}
	a, b := review(now), review(now.Add(30*day))
	for i := range a.Findings {
		assert.Equal(t, a.Findings[i].Key(), b.Findings[i].Key())
		assert.Equal(t, a.Findings[i].Evidence.Text, b.Findings[i].Evidence.Text)
		assert.Equal(t, a.Findings[i].Summary(), b.Findings[i].Summary())
		assert.Equal(t, access.Describe(a.Findings[i]), access.Describe(b.Findings[i]))
	}
}

func TestFindingKeyFallsBackToLogin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		user *tracker.User
		want string
	}{
		{&tracker.User{ID: "1-5", Login: "x"}, "stale-account:1-5"},
		{&tracker.User{Login: "x", Email: "X@e.com"}, "stale-account:x"},
		{&tracker.User{Email: "X@e.com"}, "stale-account:x@e.com"},
	}
	for _, tt := range tests {
		f := &access.Finding{Rule: access.RuleStale, Account: tt.user}
		assert.Equal(t, tt.want, f.Key())
	}
}

func TestReviewDefaultDirectoryName(t *testing.T) {
	t.Parallel()
	rep, err := access.Review(context.Background(), directory(user("1", "x", "")), access.StaticRoster{}, access.Policy{Now: clock})
	require.NoError(t, err)
	assert.Equal(t, "youtrack", rep.Directory, "the directory's kind")
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, "Account x in youtrack matches no roster entry", rep.Findings[0].Summary())

	rep, err = access.Review(context.Background(), listOnly{}, access.StaticRoster{}, access.Policy{Now: clock})
	require.NoError(t, err)
	assert.Equal(t, "the tracker", rep.Directory)
}

// listOnly is a directory that is not a tracker.Tracker.
type listOnly struct{}

func (listOnly) ListUsers(ctx context.Context) iter.Seq2[*tracker.User, error] {
	return func(yield func(*tracker.User, error) bool) {}
}

func TestReviewSortsFindings(t *testing.T) {
	t.Parallel()
	dir := directory(
		user("1", "zed", "", lastAccess(now.Add(-100*day))),
		user("2", "Bob", ""),
		user("3", "amy", ""),
		user("4", "carl", "carl@example.com"),
	)
	roster := access.StaticRoster{offboarded("carl@example.com", "", "")}
	rep, err := access.Review(context.Background(), dir, roster, access.Policy{StaleAfter: 90 * day, Now: clock})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"offboarded-active carl",
		"unidentified-account amy", "unidentified-account Bob", "unidentified-account zed",
		"stale-account zed",
	}, got(rep))
}

func TestReviewErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	boom := errors.New("boom")

	_, err := access.Review(ctx, directory(), access.StaticRoster{}, access.Policy{
		Match:            []access.MatchKey{"name"},
		OffboardingGrace: -time.Hour,
		StaleAfter:       -time.Hour,
		Exempt:           access.Exemptions{Rules: []access.Rule{"nope"}},
		Access:           map[string][]string{"Dev": nil, "dev": nil},
	})
	require.Error(t, err)
	for _, want := range []string{`unknown match key "name"`, "negative offboarding grace", "negative StaleAfter", `unknown rule "nope"`, `roles "Dev" and "dev" differ only in case`} {
		assert.Contains(t, err.Error(), want)
	}

	_, err = access.Review(ctx, nil, access.StaticRoster{}, access.Policy{})
	assert.Error(t, err)

	_, err = access.Review(ctx, directory(), access.RosterFunc(func(context.Context) ([]*access.Entry, error) { return nil, boom }), access.Policy{})
	assert.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "reading the roster")

	dir := directory(user("1", "x", ""))
	dir.FailNext(trackertest.OpListUsers, fmt.Errorf("listing: %w", tracker.ErrUnauthorized))
	_, err = access.Review(ctx, dir, access.StaticRoster{}, access.Policy{Directory: "YouTrack"})
	assert.ErrorIs(t, err, tracker.ErrUnauthorized)
	assert.Contains(t, err.Error(), "listing YouTrack users")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = access.Review(cancelled, directory(user("1", "x", "")), access.StaticRoster{}, access.Policy{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestReviewSkipsNilUsersAndEntries(t *testing.T) {
	t.Parallel()
	dir := seqDirectory{nil, user("1", "ana", "ana@example.com")}
	rep, err := access.Review(context.Background(), dir, access.StaticRoster{nil, active("ana@example.com", "", "")}, access.Policy{Now: clock})
	require.NoError(t, err)
	assert.Empty(t, rep.Findings)
	assert.Equal(t, 1, rep.Accounts)
}

// seqDirectory yields its users, nil ones included.
type seqDirectory []*tracker.User

func (d seqDirectory) ListUsers(ctx context.Context) iter.Seq2[*tracker.User, error] {
	return func(yield func(*tracker.User, error) bool) {
		for _, u := range d {
			if !yield(u, nil) {
				return
			}
		}
	}
}

func TestReportCount(t *testing.T) {
	t.Parallel()
	rep := &access.Report{Accounts: 1, Active: 1, Entries: 0, Findings: []*access.Finding{{Rule: access.RuleStale, Account: &tracker.User{Login: "x"}}}}
	assert.Equal(t, 1, rep.Count(access.RuleStale))
	assert.Equal(t, 0, rep.Count(access.RuleOffboarded))
	assert.Equal(t, "1 account (1 active) against 0 roster entries: 1 finding (1 stale-account)", rep.Summary())
	assert.True(t, slices.Equal(access.Rules(), []access.Rule{access.RuleOffboarded, access.RuleUnidentified, access.RuleExcessAccess, access.RuleStale}))
	assert.True(t, strings.HasPrefix(rep.Findings[0].String(), "Account x"))
}

func TestReviewInGraceEvidence(t *testing.T) {
	t.Parallel()
	dir := directory(user("1-1", "kpatel", "kiran@example.com"))
	roster := access.StaticRoster{{Email: "kiran@example.com", Name: "Kiran Patel", Status: access.StatusOffboarded, OffboardedAt: date("2026-11-17"), Source: "roster.csv:9"}}
	rep, err := access.Review(context.Background(), dir, roster, access.Policy{Directory: "YouTrack", OffboardingGrace: 7 * day, Now: clock})
	require.NoError(t, err)
	assert.Empty(t, rep.Findings)
	require.Len(t, rep.InGrace, 1)
	f := rep.InGrace[0]
	assert.Equal(t, date("2026-11-24"), f.Evidence.GraceEnds)
	assert.Equal(t, access.MatchEmail, f.Evidence.MatchedBy)
	assert.Equal(t, "The roster lists Kiran Patel as offboarded on 2026-11-17 (roster.csv:9), but account kpatel is still active in YouTrack; the 7 days grace period ends 2026-11-24T00:00:00Z.", f.Evidence.Text)
}
