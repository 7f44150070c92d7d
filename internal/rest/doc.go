// Package rest is the one HTTP core every trackbridge vendor client uses:
// retries that never duplicate a write, rate-limit handling, authentication,
// request building, size-capped JSON decoding, errors that keep the server's
// message and never a secret, and a generic pager.
//
// Vendor packages (jira, youtrack, extrahop, trax) build a [Client] from a
// [Config] and describe each call as a [Request]; they must not grow HTTP
// code of their own.
package rest
