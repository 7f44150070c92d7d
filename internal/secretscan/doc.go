// Package secretscan holds only a test: it builds every client of the SDK
// with every kind of credential and known secrets, provokes every error
// path against hostile test servers that echo what they receive, renders
// everything the SDK can render (errors and their chains, clients,
// options, configs, adapters, results, slog output) and fails on any
// occurrence of any secret in any encoding: literal, base64 (standard,
// URL, unpadded), the base64 "user:secret" pair of HTTP basic
// authentication, URL query and path escaping (either case of hex digit)
// and JSON escaping.
package secretscan
