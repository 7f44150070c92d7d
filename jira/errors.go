package jira

import "github.com/trackbridge/trackbridge/internal/rest"

// APIError is an answer of Jira with a status outside 2xx. It keeps the
// status code, the method and sanitised URL, Jira's message (its
// errorMessages and field errors), the raw body and the response headers,
// and matches the tracker sentinels through errors.Is (404 and 410
// tracker.ErrNotFound, 401 tracker.ErrUnauthorized, 403
// tracker.ErrForbidden, 409 tracker.ErrConflict, 400 and 422
// tracker.ErrInvalid, 429 tracker.ErrRateLimited, 5xx
// tracker.ErrUnavailable). Get it from any error a method returns with
// errors.As:
//
//	var ae *jira.APIError
//	if errors.As(err, &ae) {
//		log.Print(ae.StatusCode, string(ae.Body), ae.Header.Get("X-Arequestid"))
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
