package access

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// Rule names what a finding violates.
type Rule string

// The rules a review checks.
const (
	// RuleOffboarded: the account of a person the roster lists as
	// offboarded is still active (not banned, not deactivated) after the
	// grace period.
	RuleOffboarded Rule = "offboarded-active"
	// RuleUnidentified: an active account that no roster entry identifies
	// and no exemption covers.
	RuleUnidentified Rule = "unidentified-account"
	// RuleExcessAccess: an active account in a group or role that the
	// person's role does not allow.
	RuleExcessAccess Rule = "excess-access"
	// RuleStale: an active account nobody has used for longer than
	// [Policy.StaleAfter].
	RuleStale Rule = "stale-account"
)

// Rules lists every rule in the order reports sort them.
func Rules() []Rule {
	return []Rule{RuleOffboarded, RuleUnidentified, RuleExcessAccess, RuleStale}
}

func (r Rule) valid() bool { return slices.Contains(Rules(), r) }

func (r Rule) order() int { return slices.Index(Rules(), r) }

// Evidence is why a finding was raised: a sentence a person can read, and
// the facts behind it. Text depends only on the account, the roster entry
// and the policy, not on the day of the review, so that a ticket made from
// it changes only when the facts do.
type Evidence struct {
	// Text explains the finding in a sentence or two.
	Text string `json:"text"`
	// MatchedBy is the key that tied the account to its roster entry.
	MatchedBy MatchKey `json:"matched_by,omitempty"`
	// OffboardedAt and GraceEnds are set for RuleOffboarded when the
	// roster gives a date.
	OffboardedAt time.Time `json:"offboarded_at,omitzero"`
	GraceEnds    time.Time `json:"grace_ends,omitzero"`
	// Disallowed lists, for RuleExcessAccess, the groups and roles the
	// person's role does not allow; RoleKnown is false when the policy
	// does not list the role at all.
	Disallowed []string `json:"disallowed,omitempty"`
	RoleKnown  bool     `json:"role_known,omitempty"`
	// LastAccess and Idle are set for RuleStale: Idle is the time between
	// the last access and the review.
	LastAccess time.Time     `json:"last_access,omitzero"`
	Idle       time.Duration `json:"idle,omitempty"`
}

// Finding is one violation: an account, the roster entry it belongs to if
// any, the rule it breaks and the evidence.
type Finding struct {
	Rule     Rule          `json:"rule"`
	Account  *tracker.User `json:"account"`
	Entry    *Entry        `json:"entry,omitempty"`
	Evidence Evidence      `json:"evidence"`
	// Directory names the tracker the account is in ("YouTrack").
	Directory string `json:"directory"`
}

// Key identifies the finding across reviews: the rule and the account's
// id (its login, then its email, when the directory gives no id), as in
// "offboarded-active:1-5". The same violation found again has the same
// key, so a host or sync engine can de-duplicate on it.
func (f *Finding) Key() string {
	return string(f.Rule) + ":" + accountID(f.Account)
}

// accountID returns the most stable identifier the account has.
func accountID(u *tracker.User) string {
	switch {
	case u.ID != "":
		return u.ID
	case u.Login != "":
		return u.Login
	}
	return strings.ToLower(u.Email)
}

// accountName names the account in messages: its login, else email, else id.
func accountName(u *tracker.User) string {
	switch {
	case u.Login != "":
		return u.Login
	case u.Email != "":
		return u.Email
	}
	return u.ID
}

// Summary is a one-line title for the finding, such as "Offboarded user
// jdoe still active in YouTrack".
func (f *Finding) Summary() string {
	who, dir := accountName(f.Account), f.Directory
	switch f.Rule {
	case RuleOffboarded:
		return fmt.Sprintf("Offboarded user %s still active in %s", who, dir)
	case RuleUnidentified:
		return fmt.Sprintf("Account %s in %s matches no roster entry", who, dir)
	case RuleExcessAccess:
		return fmt.Sprintf("User %s has access in %s their role does not allow: %s", who, dir, strings.Join(f.Evidence.Disallowed, ", "))
	case RuleStale:
		return fmt.Sprintf("Account %s in %s unused since %s", who, dir, f.Evidence.LastAccess.UTC().Format(time.DateOnly))
	}
	return fmt.Sprintf("%s: %s in %s", f.Rule, who, dir)
}

// String returns the summary.
func (f *Finding) String() string { return f.Summary() }

// Report is the outcome of a review.
type Report struct {
	// Time is when the review ran (the policy's clock).
	Time time.Time `json:"time"`
	// Directory names the tracker reviewed.
	Directory string `json:"directory"`
	// Accounts and Active count the accounts listed and those active.
	Accounts int `json:"accounts"`
	Active   int `json:"active"`
	// Entries counts the roster entries.
	Entries int `json:"entries"`
	// Findings are sorted by rule (in the order of [Rules]), then by
	// account login.
	Findings []*Finding `json:"findings"`
	// InGrace lists offboarded people's active accounts still within the
	// grace period, as the RuleOffboarded findings they become unless
	// deprovisioning catches up; Evidence.GraceEnds says when.
	InGrace []*Finding `json:"in_grace,omitempty"`
	// UnknownLastAccess lists the active accounts that the stale rule
	// could not judge because the directory does not say when they were
	// last used. It is empty when the rule is off.
	UnknownLastAccess []*tracker.User `json:"unknown_last_access,omitempty"`
	// Exempt lists the active accounts the exemptions covered.
	Exempt []*tracker.User `json:"exempt,omitempty"`
}

// Count returns how many findings break rule.
func (r *Report) Count(rule Rule) int {
	n := 0
	for _, f := range r.Findings {
		if f.Rule == rule {
			n++
		}
	}
	return n
}

// Summary describes the report in one line: "12 accounts (9 active)
// against 10 roster entries: 4 findings (1 offboarded-active,
// 2 unidentified-account, 1 stale-account)".
func (r *Report) Summary() string {
	var parts []string
	for _, rule := range Rules() {
		if n := r.Count(rule); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, rule))
		}
	}
	s := fmt.Sprintf("%d %s (%d active) against %d roster %s: %d %s",
		r.Accounts, plural(r.Accounts, "account", "accounts"), r.Active,
		r.Entries, plural(r.Entries, "entry", "entries"),
		len(r.Findings), plural(len(r.Findings), "finding", "findings"))
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// rosterIndex finds entries by email and login.
type rosterIndex struct {
	byEmail map[string]*Entry
	byLogin map[string]*Entry
}

func newRosterIndex(entries []*Entry) *rosterIndex {
	ix := &rosterIndex{byEmail: map[string]*Entry{}, byLogin: map[string]*Entry{}}
	for _, e := range entries {
		if e == nil {
			continue
		}
		if k := normKey(e.Email); k != "" {
			if _, dup := ix.byEmail[k]; !dup {
				ix.byEmail[k] = e
			}
		}
		if k := normKey(e.Login); k != "" {
			if _, dup := ix.byLogin[k]; !dup {
				ix.byLogin[k] = e
			}
		}
	}
	return ix
}

func normKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// find returns the entry identifying u and the key that found it.
func (ix *rosterIndex) find(u *tracker.User, order []MatchKey) (*Entry, MatchKey) {
	for _, k := range order {
		var e *Entry
		switch k {
		case MatchEmail:
			if v := normKey(u.Email); v != "" {
				e = ix.byEmail[v]
			}
		case MatchLogin:
			if v := normKey(u.Login); v != "" {
				e = ix.byLogin[v]
			}
		}
		if e != nil {
			return e, k
		}
	}
	return nil, ""
}

// Review checks every account dir lists against the roster and the
// policy, and reports the violations:
//
//   - [RuleOffboarded]: the roster entry is offboarded, the account is
//     active, and the grace period after the offboarded date is over;
//   - [RuleUnidentified]: the account is active and no roster entry
//     identifies it, unless an exemption covers it;
//   - [RuleExcessAccess]: the account is active, its person's entry is
//     active, and it holds a group or role (both are checked, in one
//     namespace) that neither the person's role nor Policy.Common allows;
//   - [RuleStale]: the account is active and its last access is older than
//     Policy.StaleAfter.
//
// Inactive accounts (banned, deactivated) break no rule. The account of an
// offboarded person is checked only against RuleOffboarded. Review reads
// the roster once and ranges over the directory once; it fails on the
// first error either returns, and on an invalid policy.
func Review(ctx context.Context, dir tracker.UserDirectory, roster Roster, policy Policy) (*Report, error) {
	if err := policy.validate(); err != nil {
		return nil, err
	}
	if dir == nil || roster == nil {
		return nil, fmt.Errorf("access: review needs a directory and a roster")
	}
	entries, err := roster.Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("access: reading the roster: %w", err)
	}
	now := policy.now()
	rep := &Report{Time: now, Directory: directoryName(dir, policy.Directory), Entries: len(entries), Findings: []*Finding{}}
	ix := newRosterIndex(entries)
	order := policy.matchOrder()

	for u, err := range dir.ListUsers(ctx) {
		if err != nil {
			return nil, fmt.Errorf("access: listing %s users: %w", rep.Directory, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if u == nil {
			continue
		}
		rep.Accounts++
		if !u.Active {
			continue
		}
		rep.Active++
		entry, by := ix.find(u, order)
		add := func(rule Rule, ev Evidence) {
			ev.MatchedBy = by
			rep.Findings = append(rep.Findings, &Finding{Rule: rule, Account: u, Entry: entry, Evidence: ev, Directory: rep.Directory})
		}
		if policy.Exempt.exempt(u) != "" {
			rep.Exempt = append(rep.Exempt, u)
		}

		if entry != nil && entry.Offboarded() {
			ev, over := offboardedEvidence(u, entry, policy.OffboardingGrace, now, rep.Directory)
			ev.MatchedBy = by
			f := &Finding{Rule: RuleOffboarded, Account: u, Entry: entry, Evidence: ev, Directory: rep.Directory}
			if over {
				rep.Findings = append(rep.Findings, f)
			} else {
				rep.InGrace = append(rep.InGrace, f)
			}
			continue
		}
		if entry == nil && !policy.Exempt.covers(u, RuleUnidentified) {
			add(RuleUnidentified, unidentifiedEvidence(u, order, rep.Directory))
		}
		if entry != nil && policy.Access != nil && !policy.Exempt.covers(u, RuleExcessAccess) {
			if ev, ok := excessEvidence(u, entry, &policy); ok {
				add(RuleExcessAccess, ev)
			}
		}
		if policy.StaleAfter > 0 && !policy.Exempt.covers(u, RuleStale) {
			switch {
			case u.LastAccess.IsZero():
				rep.UnknownLastAccess = append(rep.UnknownLastAccess, u)
			case now.Sub(u.LastAccess) > policy.StaleAfter:
				add(RuleStale, Evidence{
					Text: fmt.Sprintf("The account was last used on %s; accounts unused for more than %s are stale.",
						u.LastAccess.UTC().Format(time.DateOnly), days(policy.StaleAfter)),
					LastAccess: u.LastAccess,
					Idle:       now.Sub(u.LastAccess),
				})
			}
		}
	}
	slices.SortStableFunc(rep.Findings, func(a, b *Finding) int {
		return cmp.Or(cmp.Compare(a.Rule.order(), b.Rule.order()),
			cmp.Compare(strings.ToLower(accountName(a.Account)), strings.ToLower(accountName(b.Account))))
	})
	return rep, nil
}

// directoryName picks the name findings use for the tracker.
func directoryName(dir tracker.UserDirectory, name string) string {
	if name != "" {
		return name
	}
	if t, ok := dir.(tracker.Tracker); ok && t.Kind() != "" {
		return t.Kind()
	}
	return "the tracker"
}

// offboardedEvidence returns the evidence against an offboarded person's
// active account, and whether the grace period is over.
func offboardedEvidence(u *tracker.User, e *Entry, grace time.Duration, now time.Time, dir string) (Evidence, bool) {
	ev := Evidence{OffboardedAt: e.OffboardedAt}
	who := e.String()
	if e.OffboardedAt.IsZero() {
		ev.Text = fmt.Sprintf("The roster lists %s as offboarded (%s, no date given), but account %s is still active in %s.",
			who, sourceOf(e), accountName(u), dir)
		return ev, true
	}
	ev.GraceEnds = e.OffboardedAt.Add(grace)
	ev.Text = fmt.Sprintf("The roster lists %s as offboarded on %s (%s), but account %s is still active in %s",
		who, e.OffboardedAt.UTC().Format(time.DateOnly), sourceOf(e), accountName(u), dir)
	over := !now.Before(ev.GraceEnds)
	switch {
	case over && grace > 0:
		ev.Text += fmt.Sprintf(" after the %s grace period.", days(grace))
	case over:
		ev.Text += "."
	default:
		ev.Text += fmt.Sprintf("; the %s grace period ends %s.", days(grace), ev.GraceEnds.UTC().Format(time.RFC3339))
	}
	return ev, over
}

func sourceOf(e *Entry) string {
	if e.Source != "" {
		return e.Source
	}
	return "host roster"
}

// unidentifiedEvidence explains why no entry matched.
func unidentifiedEvidence(u *tracker.User, order []MatchKey, dir string) Evidence {
	var tried []string
	for _, k := range order {
		switch {
		case k == MatchEmail && u.Email != "":
			tried = append(tried, fmt.Sprintf("email %s", u.Email))
		case k == MatchLogin && u.Login != "":
			tried = append(tried, fmt.Sprintf("login %s", u.Login))
		}
	}
	kind := "account"
	switch {
	case u.Bot:
		kind = "bot account"
	case u.Guest:
		kind = "guest account"
	}
	text := fmt.Sprintf("Active %s %s in %s matches no roster entry", kind, accountName(u), dir)
	if len(tried) > 0 {
		text += " by " + strings.Join(tried, " or ")
	} else {
		text += ": it has no email or login to match by"
	}
	return Evidence{Text: text + "; add the person to the roster, or the account to the exemptions if it is a service account."}
}

// excessEvidence returns the evidence when u holds groups or roles the
// entry's role does not allow.
func excessEvidence(u *tracker.User, e *Entry, p *Policy) (Evidence, bool) {
	allowed, known := p.allowed(e.Role)
	var bad []string
	for _, list := range [][]string{u.Groups, u.Roles} {
		for _, g := range list {
			if !anyMatch(allowed, g) && !anyMatch(p.Common, g) && !slices.Contains(bad, g) {
				bad = append(bad, g)
			}
		}
	}
	if len(bad) == 0 {
		return Evidence{}, false
	}
	slices.Sort(bad)
	role := e.Role
	if role == "" {
		role = "(none)"
	}
	text := fmt.Sprintf("%s has role %q, which does not allow %s.", e.String(), role, quoteList(bad))
	if !known {
		text = fmt.Sprintf("%s has role %q, which the policy does not list, so only the common groups are allowed; not allowed: %s.", e.String(), role, quoteList(bad))
	}
	return Evidence{Text: text, Disallowed: bad, RoleKnown: known}, true
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// days renders a duration of whole days as "30 days", else as Go does.
func days(d time.Duration) string {
	const day = 24 * time.Hour
	if d%day == 0 {
		n := int(d / day)
		return fmt.Sprintf("%d %s", n, plural(n, "day", "days"))
	}
	return d.String()
}
