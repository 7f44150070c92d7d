package inbound

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReceiverStatuses(t *testing.T) {
	t.Parallel()
	secret := []byte("hook-secret")
	good := `{"webhookEvent":"jira:issue_created"}`
	tests := []struct {
		name   string
		method string
		body   string
		sig    string
		want   int
		called bool
	}{
		{"valid", "POST", good, SignHMACSHA256(secret, []byte(good)), 204, true},
		{"wrong signature", "POST", good, SignHMACSHA256([]byte("other"), []byte(good)), 401, false},
		{"missing signature", "POST", good, "", 401, false},
		{"not hex", "POST", good, "sha256=zz", 401, false},
		{"wrong algorithm", "POST", good, "sha1=abcd", 401, false},
		{"oversized", "POST", strings.Repeat("x", 2048), "", 413, false},
		{"malformed", "POST", `{`, SignHMACSHA256(secret, []byte(`{`)), 400, true},
		{"get", "GET", "", "", 405, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			called := false
			rc := &Receiver{
				MaxBody: 1024,
				Authenticate: func(r *http.Request, body []byte) error {
					return VerifyHMACSHA256(secret, body, r.Header.Get("X-Hub-Signature"))
				},
				Process: func(_ context.Context, _ *http.Request, body []byte) error {
					called = true
					if body[len(body)-1] != '}' {
						return fmt.Errorf("%w: truncated JSON", ErrMalformed)
					}
					return nil
				},
			}
			req := httptest.NewRequest(tt.method, "/hook", strings.NewReader(tt.body))
			if tt.sig != "" {
				req.Header.Set("X-Hub-Signature", tt.sig)
			}
			rec := httptest.NewRecorder()
			rc.ServeHTTP(rec, req)
			assert.Equal(t, tt.want, rec.Code)
			assert.Equal(t, tt.called, called)
			assert.NotContains(t, rec.Body.String(), string(secret))
		})
	}
}

func TestReceiverProcessFailureIs500(t *testing.T) {
	t.Parallel()
	rc := &Receiver{Process: func(context.Context, *http.Request, []byte) error { return errors.New("store down") }}
	rec := httptest.NewRecorder()
	rc.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader("{}")))
	assert.Equal(t, 500, rec.Code, "a failure the sender can retry")
}

func TestCheckToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header, value string
		ok            bool
	}{
		{"X-Auth-Token", "tok", true},
		{"X-Auth-Token", "tok2", false},
		{"X-Auth-Token", "", false},
		{"Authorization", "Bearer tok", true},
		{"Authorization", "bearer tok", true},
		{"Authorization", "Bearer nope", false},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("POST", "/", nil)
		if tt.value != "" {
			req.Header.Set(tt.header, tt.value)
		}
		err := CheckToken(req, tt.header, "tok")
		if tt.ok {
			assert.NoError(t, err, tt)
		} else {
			assert.ErrorIs(t, err, ErrUnauthenticated, tt)
			if err != nil {
				assert.NotContains(t, err.Error(), "tok ")
			}
		}
	}
	assert.False(t, TokenEqual("", ""), "an empty expected token never matches")
}

func TestDedup(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := NewDedup(2, time.Hour, func() time.Time { return now })
	assert.False(t, d.Seen("a"))
	assert.True(t, d.Seen("a"))
	assert.False(t, d.Seen(""))
	assert.False(t, d.Seen(""))
	d.Forget("a")
	assert.False(t, d.Seen("a"), "forgotten ids are accepted again")
	assert.False(t, d.Seen("b"))
	assert.False(t, d.Seen("c"))
	assert.False(t, d.Seen("a"), "the oldest id is evicted past the bound")
	now = now.Add(2 * time.Hour)
	assert.False(t, d.Seen("c"), "ids expire after the ttl")
}

func TestReadBodyHonoursContentLength(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest("POST", "/", strings.NewReader("small"))
	req.ContentLength = 10 << 20
	_, err := ReadBody(req, 1024)
	require.ErrorIs(t, err, ErrTooLarge)
}
