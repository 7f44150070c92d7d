package tracker

import "context"

// noRetriesKey marks a context under which clients make one attempt.
type noRetriesKey struct{}

// WithoutRetries returns a context under which the vendor clients make a
// single attempt per request: no retry after a transport error, a 5xx or a
// 429. A connection test uses it so that an unreachable host or a wrong
// password is reported at once instead of after the retry backoff.
func WithoutRetries(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRetriesKey{}, true)
}

// RetriesDisabled reports whether ctx comes from [WithoutRetries].
func RetriesDisabled(ctx context.Context) bool {
	v, _ := ctx.Value(noRetriesKey{}).(bool)
	return v
}
