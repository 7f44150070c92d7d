package jira

import "github.com/trackbridge/trackbridge/internal/rest"

// APIError is the error a request returns when the server answers with a
// status of 400 or more. Use errors.As to read its StatusCode, the server's
// Message, the capped Body and the response Header; errors.Is matches it
// against the tracker sentinels. For Jira, Message is its errorMessages and field errors; the
// sentinels are 404 and 410 tracker.ErrNotFound, 401
// tracker.ErrUnauthorized, 403 tracker.ErrForbidden, 409
// tracker.ErrConflict, 400 and 422 tracker.ErrInvalid, 429
// tracker.ErrRateLimited and 5xx tracker.ErrUnavailable.
//
//	var ae *jira.APIError
//	if errors.As(err, &ae) {
//		log.Print(ae.StatusCode, ae.Message, string(ae.Body), ae.Header.Get("X-Arequestid"))
//	}
type APIError = rest.APIError

// RateLimitError is a 429 the client did not wait out: Jira asked for a
// longer pause than [WithMaxRetryAfter] allows, or the retries ran out. It
// carries the wait Jira asked for (RetryAfter, Reset) and its
// RateLimit-Reason, matches tracker.ErrRateLimited, and unwraps to the
// [APIError] holding status, body and headers, so errors.As finds either:
//
//	var rl *jira.RateLimitError
//	if errors.As(err, &rl) {
//		time.Sleep(rl.RetryAfter)
//	}
type RateLimitError = rest.RateLimitError

// Errors the client returns without asking the server, matched with
// errors.Is: a redirect from https to plain http (credentials are never
// sent in clear), and a response body larger than the client's cap.
var (
	ErrInsecureRedirect = rest.ErrInsecureRedirect
	ErrBodyTooLarge     = rest.ErrBodyTooLarge
)
