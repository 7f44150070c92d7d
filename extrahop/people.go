package extrahop

import (
	"context"
	"fmt"
	"strings"

	"github.com/trackbridge/trackbridge/tracker"
)

// ResolveUser returns the ExtraHop username a person named by another
// tracker (an email, a login, a display name) is assigned as: the entry of
// [AdapterConfig.Usernames] for that name (case-insensitively), or a
// username the map assigns, or, unless [AdapterConfig.StrictUsernames] is
// set, the name itself, as ExtraHop takes any assignee string. A person it
// cannot resolve is an error matching tracker.ErrUnknownUser, which fails
// that one detection's update.
func (a *Adapter) ResolveUser(_ context.Context, who string) (*tracker.User, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return nil, fmt.Errorf("extrahop: empty user: %w", tracker.ErrUnknownUser)
	}
	if u, ok := a.usernames[strings.ToLower(who)]; ok {
		return a.user(u), nil
	}
	if _, ok := a.people[strings.ToLower(who)]; ok || !a.cfg.StrictUsernames {
		return a.user(who), nil
	}
	return nil, fmt.Errorf("extrahop: no ExtraHop username is configured for %q: %w", who, tracker.ErrUnknownUser)
}

// user describes the ExtraHop username u, with the email the map gives
// for it, if any.
func (a *Adapter) user(u string) *tracker.User {
	out := &tracker.User{ID: u, Login: u, Name: u, Active: true}
	if email, ok := a.people[strings.ToLower(u)]; ok {
		out.Email = email
	}
	return out
}

// indexUsernames builds the lookups of [AdapterConfig.Usernames]: name →
// username, and username → an email naming it.
func (a *Adapter) indexUsernames() {
	a.usernames = map[string]string{}
	a.people = map[string]string{}
	for who, u := range a.cfg.Usernames {
		a.usernames[strings.ToLower(strings.TrimSpace(who))] = u
		key := strings.ToLower(u)
		if prev, ok := a.people[key]; !ok || (!strings.Contains(prev, "@") && strings.Contains(who, "@")) {
			a.people[key] = who
		}
	}
	for key, who := range a.people {
		if !strings.Contains(who, "@") {
			a.people[key] = ""
		}
	}
}
