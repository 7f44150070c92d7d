// Package extrahop is a client for the ExtraHop RevealX REST API v1, as far
// as trackbridge needs it: detections (get, search, the ticket-tracking
// write-back of ticket id, status, assignee and resolution, notes and
// detection formats), a receiver for the detection events an ExtraHop
// trigger posts through an HTTP Open Data Stream, and an [Adapter] that
// presents detections as tracker issues.
//
// # Connecting
//
// [New] takes the appliance or tenant host and adds "api/v1/" itself:
//
//	// A self-managed sensor or console, with an API key.
//	c, err := extrahop.New("https://eda.example.com", extrahop.WithAPIKey(key))
//
//	// RevealX 360, with the client credentials of its API Access page.
//	c, err := extrahop.New("https://acme.api.cloud.extrahop.com",
//		extrahop.WithClientCredentials(id, secret))
//
// With client credentials the client fetches a token from
// <host>/oauth2/token, reuses it for every call and fetches a new one
// shortly before it expires.
//
// # Detections
//
// Ids are int64: real detection ids exceed 2^31. Times are epoch
// milliseconds on the wire and [Time] in Go. Status, resolution, assignee,
// ticket id and risk score may be null and are pointers; keys this package
// does not know are kept in Detection.Extra, and a known field of an
// unexpected type (a risk score "high") fails only that field: it is left
// zero and listed with its raw value in Detection.Problems ([FieldError]),
// so one odd detection never fails a search page. For a sync loop, search by
// modification time in ascending order until a short page comes back;
// [DetectionsService.SearchAll] pages such a search by mod_time, so
// writing to detections while ranging skips none:
//
//	s := extrahop.ModifiedSince(checkpoint, 1000)
//	for d, err := range c.Detections.SearchAll(ctx, s) { ... }
//
// Ticket tracking (Administration → System Configuration → Detection
// Tracking → "Track detections from an external ticketing system") must be
// enabled before ticket fields can be written; see
// [DetectionsService.Update].
//
// # Errors
//
// An answer outside 2xx is an [*APIError]: errors.As gives its StatusCode,
// Body (the raw error body), Header (request id, rate-limit headers) and
// Message (ExtraHop's own message). A 429 the client did not wait out is a
// [*RateLimitError], which unwraps to the *APIError. Both match the
// tracker sentinels (tracker.ErrNotFound, tracker.ErrUnauthorized,
// tracker.ErrRateLimited, ...) through errors.Is:
//
//	var ae *extrahop.APIError
//	if errors.As(err, &ae) {
//		fmt.Println(ae.StatusCode, string(ae.Body), ae.Header.Get("Retry-After"))
//	}
//	if errors.Is(err, tracker.ErrNotFound) { ... }
//
// With client credentials, a failed token request is an *APIError too
// (the token endpoint's status, scrubbed body and headers); a refused
// client or token matches tracker.ErrUnauthorized, so a sync engine treats
// it as configuration, as it does a request whose token is refused again
// (401, or 400 "The specified access token is invalid") after one fresh
// token. A token endpoint that is down matches tracker.ErrUnavailable.
//
// # People
//
// Detections are assigned to any string, usually an ExtraHop username.
// [AdapterConfig.Usernames] maps the people other trackers name (an email,
// a display name) to usernames; see [Adapter.ResolveUser].
package extrahop
