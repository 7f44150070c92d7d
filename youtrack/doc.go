// Package youtrack is a typed client of the JetBrains YouTrack REST API (and
// the user listing of its bundled Hub), a trackbridge tracker adapter built on
// it, and an http.Handler for YouTrack's outbound notifications.
//
// # Client
//
// [New] takes the service URL ("https://example.youtrack.cloud" or
// "https://host/youtrack"); the client adds "api/" itself and also accepts a
// URL that already ends in "/api". Authentication is a permanent token sent
// as a bearer token ([WithToken]). Services hang off [Client] in the
// go-github style:
//
//	c, err := youtrack.New("https://example.youtrack.cloud", youtrack.WithToken(token))
//	issue, _, err := c.Issues.Get(ctx, "HD-25", nil)
//
// YouTrack returns only the attributes named in the fields parameter; every
// call has a sensible default projection (see [DefaultIssueFields]) that the
// caller can replace per call. Collections are paged with $top and $skip;
// the client always sends $top, because YouTrack silently stops at 42 items
// without it. Iterators ([IssuesService.Search] and friends) fetch pages
// as the caller ranges over them and stop on a short page.
//
// Custom fields are modelled by their $type ([CustomField]): reads are
// lossless (the raw value is kept, unknown types included) and typed
// setters such as [SingleEnum], [StateValue], [SingleUser] and [DateValue]
// build the $type-tagged JSON YouTrack requires on writes.
//
// Values put into YouTrack queries go through [QuoteValue] and [QuoteField],
// so a value can never change the structure of a query.
//
// # Adapter
//
// [Adapter] implements the tracker interfaces (see [NewAdapter]). It maps a
// YouTrack issue onto tracker.Issue as follows: ID is the database id
// ("2-17"), Key the readable id ("HD-25"), URL "<service>/issue/<key>",
// Project the project's short name, Status the value of the State field,
// StatusCategory Done when that state is resolved, InProgress for states
// named like "In Progress" or "In Review", otherwise ToDo; Priority the
// Priority field, Assignee the Assignee login (AssigneeUser the assignee
// with its full name), Reporter the reporter login, Labels the tag names,
// and Fields every custom field by name ([CustomField.Plain]).
//
// People: an assignee or a user field value may name a person by login,
// email, id or full name; the adapter resolves it to the login YouTrack
// takes ([Adapter.ResolveUser], against the accounts read once through
// the user API and cached). Someone it cannot resolve fails that one issue
// with an error matching tracker.ErrUnknownUser.
//
// Decoding is lenient and lossless: every type the client returns keeps
// the keys it does not model in Extra, and a value of an unexpected type
// fails only its field, which Problems reports ([FieldError]) with the raw
// value, never the issue or the page it came in.
//
// # Notifications
//
// [NewHandler] returns an http.Handler for YouTrack workflow and "Webhook
// Triggers" notifications, authenticated by a shared token header checked
// before the body is read; it accepts only JSON, refuses a body it accepted
// before (the token is static, so replays are recognised by the body's
// digest) and bounds slow bodies. [Adapter.EventHandler] turns
// notifications into tracker.Event values; serve either with
// [NewWebhookServer].
//
// # Errors
//
// An answer outside 2xx is an [*APIError]: errors.As gives its StatusCode,
// Body (the raw error body), Header (request id, rate-limit headers) and
// Message (YouTrack's own message). A 429 the client did not wait out is a
// [*RateLimitError], which unwraps to the *APIError. Both match the
// tracker sentinels (tracker.ErrNotFound, tracker.ErrUnauthorized,
// tracker.ErrRateLimited, ...) through errors.Is:
//
//	var ae *youtrack.APIError
//	if errors.As(err, &ae) {
//		fmt.Println(ae.StatusCode, string(ae.Body), ae.Header.Get("Retry-After"))
//	}
//	if errors.Is(err, tracker.ErrNotFound) { ... }
//
// YouTrack nests the part of a request that failed in error_children
// ("Issue-is-invalid", "User-is-invalid"); Message lists each child after
// the server's own description.
package youtrack
