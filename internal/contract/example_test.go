package contract_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/trackbridge/trackbridge/internal/contract"
)

// A client test routes its HTTP client through the spec, so every request
// it makes and every answer of the fake server is checked. ExtraHop's token
// endpoint is not in its document and is let through explicitly.
func ExampleSpec_Transport() {
	var t *testing.T // the test's t
	spec := contract.Load(t, contract.ExtraHop)
	fake := httptest.NewServer(http.NotFoundHandler()) // the vendor fake
	defer fake.Close()

	client := &http.Client{
		Transport: spec.Transport(t, fake.Client().Transport, contract.Allow("POST", "/oauth2/token")),
	}
	_ = client // hand it to the vendor client under test
}

// Check functions return errors instead of failing a test, for table tests
// and for code that is not a test.
func ExampleSpec_CheckRequest() {
	var t *testing.T // the test's t
	spec := contract.Load(t, contract.Jira)
	req := httptest.NewRequest("GET", "https://acme.atlassian.net/rest/api/3/nope", nil)
	if err := spec.CheckRequest(req); err != nil {
		t.Error(err) // contract: jira: GET /rest/api/3/nope: no operation in the spec has this path
	}
}
