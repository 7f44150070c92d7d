package access

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// MatchKey names an account attribute that identifies its roster entry.
type MatchKey string

// The match keys. Both compare case-insensitively, ignoring surrounding
// spaces.
const (
	MatchEmail MatchKey = "email"
	MatchLogin MatchKey = "login"
)

// Policy says what an access review checks. The zero Policy checks
// offboarded people's accounts (with no grace period) and accounts no
// roster entry identifies, matching by email then login; the other rules
// are off until configured.
type Policy struct {
	// Directory names the tracker in findings ("YouTrack"). Empty means
	// the directory's Kind when it is a tracker.Tracker, else "the
	// tracker".
	Directory string

	// Match lists the keys that tie an account to a roster entry, tried in
	// order; the first key that finds an entry decides. Empty means email,
	// then login.
	Match []MatchKey

	// OffboardingGrace is how long an offboarded person's account may
	// stay active after the offboarded date before it is a finding: time
	// for the deprovisioning job to run. Entries without a date get none.
	OffboardingGrace time.Duration

	// Access maps a roster role (compared case-insensitively) to the
	// groups and roles its people's accounts may hold, as names or
	// patterns in which '*' matches any run of characters ("project-*",
	// or "*" for everything). Names compare case-insensitively. A role
	// missing from the map may hold only Common. A nil map turns the
	// excess-access rule off.
	Access map[string][]string
	// Common lists the groups and roles every identified account may hold
	// whatever its role ("All Users", "jira-software-users"); patterns
	// as in Access.
	Common []string

	// StaleAfter flags active accounts whose last access is longer ago
	// than this; 0 turns the rule off. Accounts whose directory does not
	// report a last access (zero LastAccess) are not flagged: the report
	// lists them in [Report.UnknownLastAccess] so that a person can look.
	StaleAfter time.Duration

	// Exempt lists the accounts some rules do not apply to: service
	// accounts, integrations, bots and guests.
	Exempt Exemptions

	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Exemptions select accounts that some rules skip. An account is exempt
// when its login or email matches one of Accounts, when Bots is set and
// the directory marks it as a bot, or when Guests is set and the
// directory marks it as a guest.
type Exemptions struct {
	// Accounts are logins or emails, or patterns of them in which '*'
	// matches any run of characters ("svc-*", "*@bots.example.com");
	// compared case-insensitively.
	Accounts []string
	// Bots exempts accounts with tracker.User.Bot set.
	Bots bool
	// Guests exempts accounts with tracker.User.Guest set.
	Guests bool
	// Rules lists the rules exempt accounts skip. Empty means only
	// RuleUnidentified: a service account needs no roster entry, but is
	// still flagged when stale.
	Rules []Rule
}

// covers reports whether the exemptions waive rule for u.
func (x *Exemptions) covers(u *tracker.User, rule Rule) bool {
	rules := x.Rules
	if len(rules) == 0 {
		rules = []Rule{RuleUnidentified}
	}
	return slices.Contains(rules, rule) && x.exempt(u) != ""
}

// exempt returns why u is exempt ("bot", "guest", "allow-list svc-*"),
// or "".
func (x *Exemptions) exempt(u *tracker.User) string {
	switch {
	case x.Bots && u.Bot:
		return "bot"
	case x.Guests && u.Guest:
		return "guest"
	}
	for _, pat := range x.Accounts {
		if (u.Login != "" && matchPattern(pat, u.Login)) || (u.Email != "" && matchPattern(pat, u.Email)) {
			return "allow-list " + pat
		}
	}
	return ""
}

// validate reports every problem with the policy.
func (p *Policy) validate() error {
	var errs []error
	for _, k := range p.Match {
		if k != MatchEmail && k != MatchLogin {
			errs = append(errs, fmt.Errorf("access: policy: unknown match key %q (want email or login)", k))
		}
	}
	if p.OffboardingGrace < 0 {
		errs = append(errs, fmt.Errorf("access: policy: negative offboarding grace %s", p.OffboardingGrace))
	}
	if p.StaleAfter < 0 {
		errs = append(errs, fmt.Errorf("access: policy: negative StaleAfter %s", p.StaleAfter))
	}
	roles := map[string]string{}
	for r := range p.Access {
		k := strings.ToLower(strings.TrimSpace(r))
		if other, dup := roles[k]; dup {
			a, b := min(r, other), max(r, other)
			errs = append(errs, fmt.Errorf("access: policy: roles %q and %q differ only in case", a, b))
		}
		roles[k] = r
	}
	for _, r := range p.Exempt.Rules {
		if !r.valid() {
			errs = append(errs, fmt.Errorf("access: policy: exemption names unknown rule %q", r))
		}
	}
	return errors.Join(errs...)
}

func (p *Policy) matchOrder() []MatchKey {
	if len(p.Match) == 0 {
		return []MatchKey{MatchEmail, MatchLogin}
	}
	return p.Match
}

func (p *Policy) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

// allowed returns the patterns a role allows, and whether the policy
// knows the role.
func (p *Policy) allowed(role string) ([]string, bool) {
	for r, pats := range p.Access {
		if strings.EqualFold(strings.TrimSpace(r), strings.TrimSpace(role)) {
			return pats, true
		}
	}
	return nil, false
}

// matchPattern reports whether s matches pattern, in which '*' matches
// any run of characters, case-insensitively.
func matchPattern(pattern, s string) bool {
	p := strings.ToLower(strings.TrimSpace(pattern))
	t := strings.ToLower(strings.TrimSpace(s))
	// Iterative glob matching with backtracking to the last star: linear
	// in practice, and never exponential.
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case pi < len(p) && p[pi] == t[ti]:
			pi++
			ti++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// anyMatch reports whether s matches one of the patterns.
func anyMatch(patterns []string, s string) bool {
	for _, p := range patterns {
		if matchPattern(p, s) {
			return true
		}
	}
	return false
}
