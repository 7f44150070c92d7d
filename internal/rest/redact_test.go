package rest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/trackbridge/trackbridge/tracker"
)

// encodings returns s as servers have been seen to echo it.
func encodings(s string) map[string]string {
	q, _ := json.Marshal(s)
	return map[string]string{
		"literal":        s,
		"base64 std":     base64.StdEncoding.EncodeToString([]byte(s)),
		"base64 url":     base64.URLEncoding.EncodeToString([]byte(s)),
		"base64 raw":     base64.RawStdEncoding.EncodeToString([]byte(s)),
		"base64 raw url": base64.RawURLEncoding.EncodeToString([]byte(s)),
		"query escaped":  url.QueryEscape(s),
		"path escaped":   url.PathEscape(s),
		"lower escapes":  lowerEscapes(url.QueryEscape(s)),
		"json escaped":   string(q[1 : len(q)-1]),
		"json slash":     strings.ReplaceAll(string(q[1:len(q)-1]), "/", `\/`),
	}
}

func TestRedactorEncodings(t *testing.T) {
	t.Parallel()
	secrets := []string{
		"perm:cm9vdA==.NDctMA==.SecretYouTrackToken",
		`p&ss/w<rd>+"quoted"\slash é`,
		"plainSecretValue1234",
		"abcd",
	}
	r := NewRedactor(secrets...)
	for _, sec := range secrets {
		for name, enc := range encodings(sec) {
			for _, wrap := range []string{"%s", "prefix %s suffix", "x%sx", `{"message":"%s"}`} {
				in := fmt.Sprintf(wrap, enc)
				out := r.Redact(in)
				assert.NotContains(t, out, enc, "%s of %q in %q", name, sec, in)
				assert.Contains(t, out, redacted, "%s of %q in %q", name, sec, in)
			}
		}
	}
	assert.Equal(t, "nothing to hide", r.Redact("nothing to hide"))
	assert.Equal(t, "abc", NewRedactor("abc").Redact("abc"), "too short to be a secret")
	var zero Redactor
	assert.Equal(t, "plainSecretValue1234", zero.Redact("plainSecretValue1234"))
	var nilR *Redactor
	assert.Equal(t, "x", nilR.Redact("x"))
}

func TestRedactorBasicPairs(t *testing.T) {
	t.Parallel()
	tests := []struct{ user, secret string }{
		{"jane@example.com", "ATATT3xFfGF0-api-token"},
		{"x", "client secret/with+odd=chars"},
		{"client-id-1", "s3cr3t"},
		{"ab", "0123456789abcdef"},
	}
	for _, tt := range tests {
		r := &Redactor{}
		r.AddPair(tt.user, tt.secret)
		pair := base64.StdEncoding.EncodeToString([]byte(tt.user + ":" + tt.secret))
		escaped := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(tt.user) + ":" + url.QueryEscape(tt.secret)))
		header := "Basic " + pair
		for _, in := range []string{header, "Authorization: Basic " + escaped, pair + "trailing", url.QueryEscape(header), strings.ToLower(url.PathEscape(header))} {
			out := r.Redact(in)
			assert.NotContains(t, out, pair, "%q", in)
			assert.NotContains(t, out, url.QueryEscape(pair), "%q", in)
			assert.NotContains(t, out, escaped, "%q", in)
			assert.NotContains(t, out, tt.secret, "%q", in)
		}
		// The whole header echoed in base64 again.
		double := base64.StdEncoding.EncodeToString([]byte(header))
		assert.NotContains(t, r.Redact("echo "+double), double)
		// base64 of the secret at any offset inside a longer run.
		for k := range 3 {
			run := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("z", k) + tt.secret + "tail"))
			assert.NotContains(t, r.Redact(run), base64.RawStdEncoding.EncodeToString([]byte(tt.secret))[:4], "offset %d", k)
		}
	}
}

func TestRedactHeader(t *testing.T) {
	t.Parallel()
	const secret = "hdr-secret-value"
	r := NewRedactor(secret)
	h := http.Header{
		"Www-Authenticate": {`Bearer realm="x", error="invalid_token"`},
		"Set-Cookie":       {"session=abc"},
		"X-Echo":           {"you sent " + url.QueryEscape(secret)},
		"X-Api-Key":        {"whatever"},
		"X-Request-Id":     {"req-42"},
	}
	out := r.RedactHeader(h)
	assert.Equal(t, []string{redacted}, out["Www-Authenticate"])
	assert.Equal(t, []string{redacted}, out["Set-Cookie"])
	assert.Equal(t, []string{redacted}, out["X-Api-Key"])
	assert.Equal(t, []string{"you sent " + redacted}, out["X-Echo"])
	assert.Equal(t, []string{"req-42"}, out["X-Request-Id"])
	assert.Equal(t, "you sent hdr-secret-value", h.Get("X-Echo"), "the original is left alone")
	assert.Nil(t, r.RedactHeader(nil))
}

func TestRedactorErrorKeepsSentinels(t *testing.T) {
	t.Parallel()
	r := NewRedactor("tok-123456")
	err := r.Error(fmt.Errorf("bad tok-123456: %w", tracker.ErrUnauthorized))
	assert.Equal(t, "bad [redacted]: tracker: unauthorized", err.Error())
	assert.ErrorIs(t, err, tracker.ErrUnauthorized)
	assert.NotErrorIs(t, err, tracker.ErrNotFound)
	assert.NoError(t, r.Error(nil))
}

func TestTokenError(t *testing.T) {
	t.Parallel()
	const secret = "client-secret-xyz"
	r := NewRedactor(secret)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"code and description", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 401}, ErrorCode: "invalid_client", ErrorDescription: "secret " + secret + " is wrong"},
			"token endpoint answered 401 invalid_client: secret [redacted] is wrong"},
		{"code only", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 400}, ErrorCode: "invalid_grant"}, "token endpoint answered 400 invalid_grant"},
		{"body echo", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 500}, Body: []byte("<html><title>boom client_secret=" + url.QueryEscape(secret) + "</title></html>")},
			"token endpoint answered 500 Internal Server Error: boom client_secret=[redacted]"},
		{"other", errors.New("dial tcp: " + secret), "dial tcp: [redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := TokenError(r, tt.err)
			assert.Equal(t, tt.want, err.Error())
			var re *oauth2.RetrieveError
			assert.False(t, errors.As(err, &re), "the raw RetrieveError, body and all, is not kept")
		})
	}
	assert.NoError(t, TokenError(r, nil))
}

func TestAPIErrorHeaderAndBodyRedacted(t *testing.T) {
	t.Parallel()
	const secret = "perm:dG9rZW4=.YWJj.Zm9vYmFy"
	c, mock := newTestClient(t, func(cfg *Config) { cfg.Auth = Bearer(secret); cfg.MaxRetries = -1 })
	mock.RegisterResponder("GET", base+"/x", func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(401, `{"error":"denied","error_description":"token `+url.QueryEscape(secret)+` unknown"}`)
		resp.Header.Set("X-Echo-Token", secret)
		resp.Header.Set("X-Seen", strings.ToLower(url.PathEscape(secret)))
		resp.Header.Set("Www-Authenticate", "Bearer "+secret)
		return resp, nil
	})
	_, err := c.Do(context.Background(), &Request{Path: "x"}, nil)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", ae), fmt.Sprintf("%#v", ae), string(ae.Body), fmt.Sprint(ae.Header)} {
		for name, enc := range encodings(secret) {
			assert.NotContains(t, s, enc, name)
		}
	}
	assert.Equal(t, "token [redacted] unknown (denied)", ae.Message)
}

func TestWithSecrets(t *testing.T) {
	t.Parallel()
	c, mock := newTestClient(t, func(cfg *Config) {
		require.NoError(t, WithSecrets("registered-secret")(cfg))
		cfg.MaxRetries = -1
	})
	mock.RegisterResponder("GET", base+"/x", httpmock.NewStringResponder(500, "failed: cmVnaXN0ZXJlZC1zZWNyZXQ="))
	_, err := c.Do(context.Background(), &Request{Path: "x"}, nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "cmVnaXN0ZXJlZC1zZWNyZXQ")
	assert.Error(t, WithSecrets("abc")(&Config{}))
}

func TestRedirectsKeepCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, location string
		wantErr        error
	}{
		{"https to http on the same host", "http://tracker.example.com/jira/y", ErrInsecureRedirect},
		{"another host", "https://evil.example.net/y", nil},
		{"another port", "https://tracker.example.com:8443/y", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock := newTestClient(t, func(cfg *Config) { cfg.Auth = Bearer("redirect-secret") })
			mock.RegisterResponder("GET", base+"/x", func(*http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(307, "")
				resp.Header.Set("Location", tt.location)
				return resp, nil
			})
			var got []string
			mock.RegisterResponder("GET", tt.location, func(r *http.Request) (*http.Response, error) {
				got = append(got, r.Header.Get("Authorization"))
				return httpmock.NewStringResponse(200, `{}`), nil
			})
			_, err := c.Do(context.Background(), &Request{Path: "x"}, nil)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Empty(t, got, "the downgraded request is never sent")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{""}, got, "no credentials after the redirect")
		})
	}
}

// FuzzRedact checks that a registered secret, in any of the encodings
// servers echo, never survives redaction whatever text surrounds it, and
// that user names sent with it stay readable.
func FuzzRedact(f *testing.F) {
	f.Add("perm:cm9vdA==.NDctMA==.token", "jane@example.com", "prefix ", " suffix")
	f.Add(`p&ss/w<rd>+"q"\s é`, "client id", `{"message":"`, `"}`)
	f.Add("aaaaaaaa", "a", "aaaa", "aaaa")
	f.Add("0123456789", "", "Basic ", "")
	f.Fuzz(func(t *testing.T, secret, user, prefix, suffix string) {
		if len(secret) < 8 || strings.ContainsAny(secret, "[]") || !utf8.ValidString(secret) {
			return
		}
		r := &Redactor{}
		r.AddPair(user, secret)
		texts := encodings(secret)
		pair := user + ":" + secret
		texts["basic pair"] = base64.StdEncoding.EncodeToString([]byte(pair))
		texts["basic header query escaped"] = url.QueryEscape("Basic " + texts["basic pair"])
		for name, enc := range texts {
			out := r.Redact(prefix + enc + suffix)
			if strings.Contains(out, enc) {
				t.Fatalf("%s of %q survives in %q", name, secret, out)
			}
		}
		plain := "user " + user
		for _, f := range r.forms {
			if strings.Contains(plain, f) {
				return
			}
		}
		assert.Equal(t, plain, r.Redact(plain), "a user name alone is not a secret")
	})
}

func TestOAuth2HidesRecentTokensOnly(t *testing.T) {
	t.Parallel()
	n := 0
	ts := oauth2TokenSourceFunc(func() (*oauth2.Token, error) {
		n++
		return &oauth2.Token{AccessToken: fmt.Sprintf("access-token-%03d", n), TokenType: "Bearer", Expiry: time.Now().Add(-time.Second)}, nil
	})
	a := OAuth2(ts).(*oauthAuth)
	r := &Redactor{}
	a.registerSecrets(r)
	for range 10 {
		require.NoError(t, a.Authenticate(httptest.NewRequest("GET", "https://x.example.com/", nil)))
	}
	assert.Equal(t, "[redacted]", r.Redact("access-token-010"))
	assert.Equal(t, "[redacted]", r.Redact("access-token-007"))
	assert.Equal(t, "access-token-001", r.Redact("access-token-001"), "old tokens are forgotten, so the list stays bounded")
	assert.Len(t, a.recent, rememberedTokens)
}
