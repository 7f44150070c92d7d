// Package tracker is the vendor-neutral contract of trackbridge: the issue
// model, small capability interfaces and the sentinel errors every adapter
// returns.
//
// A tracker adapter (jira, youtrack, extrahop, trax) implements [Tracker] and
// whichever of the capability interfaces its vendor supports: [Creator],
// [BulkCreator], [Updater], [Deleter], [Searcher], [Transitioner],
// [Commenter], [UserDirectory], [MarkerFinder], [PageLimiter] and
// [Describer]. Callers
// discover capabilities by type assertion, the way net/http discovers
// [net/http.Flusher], or all at once with [Require], which names what is
// missing.
//
// Errors returned by adapters match the sentinels in this package through
// [errors.Is]: a Jira 404 is a tracker.ErrNotFound, a YouTrack 401 a
// tracker.ErrUnauthorized, a 429 past the retry budget a tracker.ErrRateLimited.
//
// This package imports nothing else of trackbridge.
package tracker
