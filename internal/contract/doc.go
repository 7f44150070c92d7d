// Package contract checks HTTP traffic in tests against the vendors' OpenAPI
// documents, so that a client cannot invent an endpoint, send a body the
// server would reject, or be tested against a fake that answers in a shape
// the real server never uses.
//
// The documents are not part of the repository. They live in a directory
// named shared/specs beside the repository checkout (found by walking up
// from the working directory to the module root, the directory holding
// go.mod), or wherever the TRACKBRIDGE_SPECS_DIR environment variable points.
// When the directory is missing, [Load] skips the test with a message, or
// fails it when CI=true.
//
// Typical use in a client test:
//
//	spec := contract.Load(t, "jira")
//	mock := httpmock.NewMockTransport()
//	httpClient := &http.Client{Transport: spec.Transport(t, mock)}
//
// Every request the client sends and every response the mock or fake
// server returns is then validated; a mismatch fails the test with the
// operation and the reason.
package contract
