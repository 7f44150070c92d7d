package tracker

import (
	"errors"
	"fmt"
)

// Sentinel errors. Adapters wrap them (or return errors whose Is method
// matches them), so callers test with errors.Is and still see the server's
// message in err.Error().
var (
	// ErrNotFound: the issue, comment or user does not exist or is not
	// visible to the caller (trackers do not tell the two apart).
	ErrNotFound = errors.New("tracker: not found")
	// ErrConflict: a stale write, an edit conflict or a marker carried by
	// more than one issue.
	ErrConflict = errors.New("tracker: conflict")
	// ErrRateLimited: the tracker asked us to slow down for longer than the
	// client was willing to wait.
	ErrRateLimited = errors.New("tracker: rate limited")
	// ErrUnauthorized: missing or wrong credentials (HTTP 401).
	ErrUnauthorized = errors.New("tracker: unauthorized")
	// ErrForbidden: the credentials lack a permission (HTTP 403).
	ErrForbidden = errors.New("tracker: forbidden")
	// ErrInvalid: the tracker refused the request as invalid (HTTP 400, 422),
	// for example a field missing from a screen or a value not allowed.
	ErrInvalid = errors.New("tracker: invalid request")
	// ErrUnavailable: the tracker failed or could not be reached (HTTP 5xx,
	// transport errors); worth retrying later.
	ErrUnavailable = errors.New("tracker: unavailable")
	// ErrUnknownUser: a person named in an issue or change (an email,
	// login, display name or account id) matches no account of the
	// tracker, or matches several. It is a fault of that one item, not of
	// the request's form or the flow's configuration: it matches neither
	// ErrInvalid nor ErrNotFound, so a sync engine fails the item without
	// counting it towards its invalid-request circuit breaker.
	ErrUnknownUser = errors.New("tracker: unknown user")
	// ErrNoTransition: the workflow has no path from the status to
	// the requested status or category.
	ErrNoTransition = errors.New("tracker: no transition path")
	// ErrNotSent: the request certainly never reached the tracker (the
	// connection could not be made), so a write it carried did not happen.
	// Errors that match it also match ErrUnavailable.
	ErrNotSent = errors.New("tracker: request not sent")
	// ErrUnsupported: the tracker cannot do this. It wraps
	// errors.ErrUnsupported, so either sentinel matches.
	ErrUnsupported = fmt.Errorf("tracker: %w", errors.ErrUnsupported)
)

// IsTransient reports whether err is worth retrying later unchanged: a rate
// limit or an unavailable server. Authentication, permission and validation
// errors are not: retrying them fails the same way.
func IsTransient(err error) bool {
	return errors.Is(err, ErrRateLimited) || errors.Is(err, ErrUnavailable)
}

// IsAmbiguous reports whether a write that failed with err may have been
// carried out all the same: its answer was lost. That is every failure
// except a refusal the tracker answered (400, 401, 403, 404, 409, 422, 429),
// a person no account matches (ErrUnknownUser, found before anything is
// sent) and a request that never left (ErrNotSent): a 5xx from a gateway, a reset
// connection, a timeout or cancellation while waiting, an answer that could
// not be read. The outcome of such a write is unknown, not failed: a create
// must not be sent again until a lookup (by the marker the ticket carries)
// has shown it did not happen.
func IsAmbiguous(err error) bool {
	if err == nil {
		return false
	}
	for _, definite := range []error{ErrNotSent, ErrInvalid, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict, ErrRateLimited, ErrNoTransition, ErrUnsupported, ErrUnknownUser} {
		if errors.Is(err, definite) {
			return false
		}
	}
	return true
}

// IsConfigError reports whether err points at configuration rather than at
// one item: wrong credentials, a missing permission. A sync engine stops a
// flow on these instead of failing every item the same way.
func IsConfigError(err error) bool {
	return errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrForbidden)
}
