package youtrack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
)

// DefaultUserCacheTTL is how long the adapter trusts the directory it read
// to resolve people before it reads it again on a miss.
const DefaultUserCacheTTL = 10 * time.Minute

// directory is the adapter's cache of accounts, keyed by every name a
// person can be given by.
type directory struct {
	mu     sync.Mutex
	loaded time.Time
	// byKey maps lower-cased logins, emails, ids and ring ids to their
	// account; byName lower-cased full names to every account with it.
	byKey  map[string]*User
	byName map[string][]*User
}

func (d *directory) lookup(who string) (u *User, ambiguous int) {
	key := strings.ToLower(who)
	if u, ok := d.byKey[key]; ok {
		return u, 0
	}
	switch list := d.byName[key]; len(list) {
	case 0:
		return nil, 0
	case 1:
		return list[0], 0
	default:
		return nil, len(list)
	}
}

// load reads every account through the client's user API.
func (a *Adapter) loadDirectory(ctx context.Context) error {
	byKey := map[string]*User{}
	byName := map[string][]*User{}
	for u, err := range a.c.Users.List(ctx, nil) {
		if err != nil {
			return fmt.Errorf("youtrack: reading users to resolve people: %w", err)
		}
		for _, k := range []string{u.Login, u.Email, u.ID, u.RingID} {
			if k != "" {
				byKey[strings.ToLower(k)] = u
			}
		}
		if n := u.DisplayName(); n != "" {
			byName[strings.ToLower(n)] = append(byName[strings.ToLower(n)], u)
		}
	}
	a.dir.byKey, a.dir.byName, a.dir.loaded = byKey, byName, time.Now()
	return nil
}

// ResolveUser finds the account a person is named by: a login, an email
// address, a YouTrack or Hub id, or a full name that only one account has
// (all case-insensitive). The directory is read through the client's user
// API ([WithUserAPI]) once and kept; a name it does not know makes the
// adapter read it again, at most once per [AdapterConfig.UserCacheTTL]. A
// person matching no account, or a full name several accounts share, is an
// error matching tracker.ErrUnknownUser: a fault of the one item that
// names them.
func (a *Adapter) ResolveUser(ctx context.Context, who string) (*User, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return nil, fmt.Errorf("youtrack: empty user: %w", tracker.ErrUnknownUser)
	}
	a.dir.mu.Lock()
	defer a.dir.mu.Unlock()
	fresh := false
	if a.dir.byKey == nil || time.Since(a.dir.loaded) > a.cfg.UserCacheTTL {
		if err := a.loadDirectory(ctx); err != nil {
			return nil, err
		}
		fresh = true
	}
	u, many := a.dir.lookup(who)
	if u == nil && many == 0 && !fresh && time.Since(a.dir.loaded) > time.Minute {
		// Someone may have joined since: read again, but not on every
		// miss.
		if err := a.loadDirectory(ctx); err != nil {
			return nil, err
		}
		u, many = a.dir.lookup(who)
	}
	switch {
	case many > 1:
		return nil, fmt.Errorf("youtrack: user %q: %d accounts have that name: %w", who, many, tracker.ErrUnknownUser)
	case u == nil:
		return nil, fmt.Errorf("youtrack: no YouTrack account has the login, email, id or name %q: %w", who, tracker.ErrUnknownUser)
	}
	c := *u
	return &c, nil
}

// login resolves the person named who to the login YouTrack user fields
// take. A token that may not list users cannot resolve anyone: the value
// is then sent as a login, as it is, and YouTrack judges it.
func (a *Adapter) login(ctx context.Context, field, who string) (string, error) {
	u, err := a.ResolveUser(ctx, who)
	if errors.Is(err, tracker.ErrForbidden) {
		return who, nil
	}
	if err != nil {
		return "", fmt.Errorf("youtrack: %s: %w", field, err)
	}
	return u.Login, nil
}

// resolvePeople replaces the people named in the user fields of values
// (by the field types typeOf knows) with their logins.
func (a *Adapter) resolvePeople(ctx context.Context, values map[string]any, typeOf func(string) (string, bool)) error {
	for name, v := range values {
		typ, ok := typeOf(name)
		if !ok || !isUserType(typ) || v == nil {
			continue
		}
		switch x := v.(type) {
		case string:
			if x == "" {
				continue
			}
			l, err := a.login(ctx, name, x)
			if err != nil {
				return err
			}
			values[name] = l
		case []string:
			out := make([]string, len(x))
			for i, who := range x {
				l, err := a.login(ctx, name, who)
				if err != nil {
					return err
				}
				out[i] = l
			}
			values[name] = out
		case []any:
			out := make([]string, len(x))
			for i, e := range x {
				who, ok := e.(string)
				if !ok {
					return fmt.Errorf("youtrack: field %q: list holds %T, want strings: %w", name, e, tracker.ErrInvalid)
				}
				l, err := a.login(ctx, name, who)
				if err != nil {
					return err
				}
				out[i] = l
			}
			values[name] = out
		}
	}
	return nil
}

// assigneeUser describes the user of a user field for
// tracker.Issue.AssigneeUser.
func assigneeUser(f *CustomField) *tracker.User {
	us, err := f.Users()
	if err != nil || len(us) == 0 {
		return nil
	}
	u := us[0]
	return &tracker.User{ID: u.ID, Login: u.Login, Name: u.DisplayName(), Email: u.Email, Active: !u.Banned, Guest: u.Guest}
}

// unknownUserError is YouTrack refusing a request because a user in it
// is invalid (an error child "User-is-invalid"): a fault of the item that
// named the person, like a person the adapter could not resolve. It
// matches tracker.ErrUnknownUser only, not tracker.ErrInvalid, and
// errors.As still gives the *APIError.
type unknownUserError struct{ api *APIError }

func (e *unknownUserError) Error() string {
	return e.api.Error() + ": " + tracker.ErrUnknownUser.Error()
}

// Is matches tracker.ErrUnknownUser.
func (e *unknownUserError) Is(target error) bool { return target == tracker.ErrUnknownUser }

// As gives the *APIError.
func (e *unknownUserError) As(target any) bool {
	if p, ok := target.(**APIError); ok {
		*p = e.api
		return true
	}
	return false
}

// classifyUserError turns a 400 whose error children name an invalid user
// into an unknownUserError; other errors are returned as they are.
func classifyUserError(err error) error {
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || !strings.Contains(string(ae.Body), `"User-is-invalid"`) {
		return err
	}
	return &unknownUserError{api: ae}
}
