package jira

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/sync/singleflight"

	"github.com/trackbridge/trackbridge/tracker"
)

// people caches the accounts the adapter has resolved, by the lower-cased
// text they were named with. Callers asking for one person at once share
// one lookup: a batch of tickets for one assignee starts with every worker
// missing the cache together.
type people struct {
	mu      sync.Mutex
	byIn    map[string]*User
	lookups singleflight.Group
}

func (p *people) get(who string) *User {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byIn[strings.ToLower(who)]
}

func (p *people) put(who string, u *User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byIn == nil {
		p.byIn = map[string]*User{}
	}
	p.byIn[strings.ToLower(who)] = u
}

// ResolveUser finds the account a person is named by: on Cloud an email,
// a display name or an accountId (through /user/search?query=, then
// /user?accountId=); on Data Center a user name, email or display name
// (through /user/search?username=) or a user key (/user?key=). Matches are exact and
// case-insensitive; a query for an email that Jira answers with exactly one
// account is taken even where privacy settings hide the address. Results
// are cached for the adapter's lifetime, and callers asking for one person
// at once share one lookup. A person matching no account, or
// several by display name, is an error matching tracker.ErrUnknownUser.
func (a *Adapter) ResolveUser(ctx context.Context, who string) (*User, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return nil, fmt.Errorf("jira: empty user: %w", tracker.ErrUnknownUser)
	}
	for {
		if u := a.people.get(who); u != nil {
			return u, nil
		}
		ch := a.people.lookups.DoChan(strings.ToLower(who), func() (any, error) {
			u, err := a.lookupUser(ctx, who)
			if err == nil {
				a.people.put(who, u)
			}
			return u, err
		})
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("jira: looking up user %q: %w", who, ctx.Err())
		case res := <-ch:
			if res.Err != nil && ctx.Err() == nil && (errors.Is(res.Err, context.Canceled) || errors.Is(res.Err, context.DeadlineExceeded)) {
				continue // the caller that looked ran out of time; this one has not
			}
			if res.Err != nil {
				return nil, res.Err
			}
			return res.Val.(*User), nil
		}
	}
}

func (a *Adapter) lookupUser(ctx context.Context, who string) (*User, error) {
	found, _, err := a.c.Users.Find(ctx, who, 50)
	if err != nil {
		return nil, fmt.Errorf("jira: looking up user %q: %w", who, err)
	}
	var byID, byEmail, byName []*User
	for _, u := range found {
		switch {
		case u.AccountID != "" && u.AccountID == who, u.AccountID == "" && (strings.EqualFold(u.Name, who) || u.Key == who):
			byID = append(byID, u)
		case u.EmailAddress != "" && strings.EqualFold(u.EmailAddress, who):
			byEmail = append(byEmail, u)
		case strings.EqualFold(u.DisplayName, who):
			byName = append(byName, u)
		}
	}
	switch {
	case len(byID) > 0:
		return byID[0], nil
	case len(byEmail) == 1:
		return byEmail[0], nil
	case len(byEmail) == 0 && len(byName) == 1:
		return byName[0], nil
	case len(byEmail) > 1 || len(byName) > 1:
		return nil, fmt.Errorf("jira: user %q matches %d accounts: %w", who, len(byEmail)+len(byName), tracker.ErrUnknownUser)
	case strings.Contains(who, "@") && len(found) == 1:
		// Jira matched the address but does not show it.
		return found[0], nil
	}
	if !strings.ContainsAny(who, "@ ") {
		// The search matches names and addresses, not account ids or
		// Data Center user keys.
		opts := &UserGetOptions{AccountID: who}
		if !a.c.isCloud() {
			opts = &UserGetOptions{Key: who}
		}
		u, _, err := a.c.Users.Get(ctx, opts)
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, tracker.ErrNotFound) && !errors.Is(err, tracker.ErrInvalid) {
			return nil, fmt.Errorf("jira: looking up user %q: %w", who, err)
		}
	}
	return nil, fmt.Errorf("jira: no Jira account has the email, name or id %q: %w", who, tracker.ErrUnknownUser)
}

// userValue resolves a person and returns the JSON naming the account in
// a field: {"accountId": ...} on Cloud, {"name": ...} on Data Center; nil
// (unassign) for "".
func (a *Adapter) userValue(ctx context.Context, field, who string) (any, *User, error) {
	if who == "" {
		return nil, nil, nil
	}
	u, err := a.ResolveUser(ctx, who)
	if err != nil {
		return nil, nil, fmt.Errorf("jira: %s: %w", field, err)
	}
	return userRef(u.ID(), a.c.isCloud()), u, nil
}

// trackerUser converts an account for tracker.Issue.AssigneeUser and
// ListUsers. ID is the accountId on Cloud and the user key on Data Center;
// Login the Data Center user name.
func trackerUser(u *User) *tracker.User {
	if u == nil {
		return nil
	}
	tu := &tracker.User{ID: u.AccountID, Login: u.Name, Name: u.DisplayName, Email: u.EmailAddress, Active: u.Active,
		Bot: u.AccountType == "app", Guest: u.AccountType == "customer", Groups: u.GroupNames(), Roles: u.RoleKeys()}
	if tu.ID == "" {
		tu.ID = u.Key
	}
	return tu
}
