// Package jira is a client for the Jira REST API, Cloud (v3, Atlassian
// Document Format bodies) and Server/Data Center (v2, string bodies) behind
// one API, plus an [Adapter] implementing the interfaces of package tracker
// and a webhook receiver ([WebhookHandler], or [Adapter.EventHandler] for
// vendor-neutral tracker.Event values) that verifies signatures, refuses
// replays, stale deliveries and anything but JSON, and bounds slow bodies;
// serve it with [NewWebhookServer].
//
// Create a client for a Cloud site with an API token:
//
//	c, err := jira.New("https://acme.atlassian.net", jira.WithBasicAuth("me@acme.com", token))
//
// or for Data Center with a personal access token:
//
//	c, err := jira.New("https://jira.acme.com", jira.WithDataCenter(), jira.WithToken(pat))
//
// Services hang off the client (c.Issues, c.Search, c.Transitions,
// c.Comments, c.Users, c.Fields, c.Projects, c.Workflow, c.Properties,
// c.RemoteLinks) and return (*T, *Response, error).
//
// # Errors
//
// An answer outside 2xx is an [*APIError]: errors.As gives its StatusCode,
// Body (the raw error body), Header (request id, rate-limit headers) and
// Message (Jira's errorMessages and field errors). A 429 the client did
// not wait out is a [*RateLimitError], which unwraps to the *APIError.
// Both match the tracker sentinels (tracker.ErrNotFound,
// tracker.ErrUnauthorized, tracker.ErrRateLimited, ...) through errors.Is:
//
//	var ae *jira.APIError
//	if errors.As(err, &ae) {
//		fmt.Println(ae.StatusCode, string(ae.Body), ae.Header.Get("Retry-After"))
//	}
//	if errors.Is(err, tracker.ErrNotFound) { ... }
//
// # Decoding
//
// Every type the client returns embeds [Extras]: keys this package does
// not model are kept raw in Extra, and a modelled key whose value has an
// unexpected type (a number where a timestamp belongs, a plain string in a
// field's allowedValues) is kept raw too and reported by Problems, with a
// path such as "fields.updated", instead of failing the issue or the page:
//
//	for _, p := range issue.Problems() {
//		log.Printf("%s: %s kept as %s", issue.Key, p.Path, p.Raw)
//	}
//
// # People
//
// The [Adapter] takes people by email, display name or id (Cloud
// accountId; Data Center user name or key) wherever it writes one, resolves
// them through the user search ([Adapter.ResolveUser], cached), and fails
// only the item naming a person no account matches, with
// tracker.ErrUnknownUser. Reads describe the assignee with name and email
// (tracker.Issue.AssigneeUser).
//
// Searches on Cloud use /rest/api/3/search/jql with nextPageToken paging
// (the old /rest/api/3/search is gone); on Data Center /rest/api/2/search
// with startAt. [SearchService.All] iterates over either. Put values into
// JQL only through [QuoteJQL].
//
// Fields may be named by display name ("Severity") instead of id
// ("customfield_10042"): the client resolves names through a cached field
// list. Rich text ([RichText]) is converted to ADF on Cloud; see package
// jira/adf for the document model and the Markdown subset.
package jira
