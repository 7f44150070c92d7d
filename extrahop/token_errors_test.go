package extrahop_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/tracker"
)

const (
	tokenURL  = "https://acme.api.cloud.extrahop.com/oauth2/token"
	oauthBase = "https://acme.api.cloud.extrahop.com/api/v1"
	oauthID   = "client-id"
	oauthKey  = "client-s3cr3t"
)

func newTokenClient(t *testing.T, mock *httpmock.MockTransport) *extrahop.Client {
	t.Helper()
	c, err := extrahop.New(oauthBase, extrahop.WithClientCredentials(oauthID, oauthKey),
		extrahop.WithHTTPClient(&http.Client{Transport: mock}), extrahop.WithMaxRetries(0))
	require.NoError(t, err)
	return c
}

// A 400 "The specified access token is invalid" that a new token does not
// cure is a configuration error, not an invalid request.
func TestStaleTokenRefusedTwiceIsUnauthorized(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("POST", tokenURL, jsonResponder(200, fixture(t, "oauth2_token.json")))
	mock.RegisterResponder("GET", oauthBase+"/detections/8589935233", httpmock.NewStringResponder(400, fixture(t, "error_400_token_text.txt")))
	c := newTokenClient(t, mock)
	_, _, err := c.Detections.Get(context.Background(), 8589935233, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, tracker.ErrUnauthorized)
	assert.NotErrorIs(t, err, tracker.ErrInvalid)
	assert.True(t, tracker.IsConfigError(err))
	var ae *extrahop.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusBadRequest, ae.StatusCode)
	assert.Equal(t, "The specified access token is invalid", ae.Message)
	info := mock.GetCallCountInfo()
	assert.Equal(t, 2, info["GET "+oauthBase+"/detections/8589935233"], "one re-fetch, no more")
	assert.Equal(t, 2, info["POST "+tokenURL])
}

func TestTokenRequestFailureCarriesAPIError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		fixture     string
		contentType string
		want        error
		notWant     error
		message     string
	}{
		{"invalid client", 400, "oauth2_invalid_client.json", "application/json", tracker.ErrUnauthorized, tracker.ErrInvalid, "invalid_client"},
		{"secret echoed", 401, "oauth2_invalid_client_echo.json", "application/json", tracker.ErrUnauthorized, nil, "Client authentication failed for [redacted] (invalid_client)"},
		{"endpoint down", 503, "oauth2_unavailable.html", "text/html", tracker.ErrUnavailable, tracker.ErrUnauthorized, "503 Service Temporarily Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mock := httpmock.NewMockTransport()
			mock.RegisterResponder("POST", tokenURL, func(*http.Request) (*http.Response, error) {
				r := httpmock.NewStringResponse(tt.status, fixture(t, tt.fixture))
				r.Header.Set("Content-Type", tt.contentType)
				r.Header.Set("X-Request-Id", "req-42")
				return r, nil
			})
			c := newTokenClient(t, mock)
			_, _, err := c.Detections.Get(context.Background(), 1, nil)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			if tt.notWant != nil {
				assert.NotErrorIs(t, err, tt.notWant)
			}
			var ae *extrahop.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.StatusCode)
			assert.Equal(t, http.MethodPost, ae.Method)
			assert.Equal(t, tokenURL, ae.URL)
			assert.Equal(t, tt.message, ae.Message)
			assert.Equal(t, "req-42", ae.Header.Get("X-Request-Id"))
			assert.NotEmpty(t, ae.Body)
			for _, text := range []string{err.Error(), string(ae.Body), ae.Message} {
				assert.NotContains(t, text, oauthKey)
			}
			assert.Zero(t, mock.GetCallCountInfo()["GET "+oauthBase+"/detections/1"], "no API call without a token")
		})
	}
}
