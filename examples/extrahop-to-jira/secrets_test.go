package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutputHidesCredentials runs the demo against servers that refuse it
// and echo the credentials they received, in several encodings, in bodies
// and headers: neither the output nor the error may show a secret.
func TestOutputHidesCredentials(t *testing.T) {
	t.Parallel()
	const (
		clientID     = "eh-demo-client"
		clientSecret = "eh/demo+secret=&value"
		email        = "ops@example.com"
		apiToken     = "ATATT-demo/token+value="
		issued       = "issued/access+token="
	)
	pair := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(clientSecret)))
	forms := func(s string) []string {
		q, _ := json.Marshal(s)
		return []string{s, base64.StdEncoding.EncodeToString([]byte(s)), url.QueryEscape(s), url.PathEscape(s), string(q[1 : len(q)-1])}
	}
	var banned []string
	for _, s := range []string{clientSecret, apiToken, issued} {
		banned = append(banned, forms(s)...)
	}
	banned = append(banned, pair, base64.StdEncoding.EncodeToString([]byte(email+":"+apiToken)))

	refuse := func(tokenOK bool) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tokenOK && strings.HasSuffix(r.URL.Path, "/oauth2/token") {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":3600}`, issued)
				return
			}
			auth := r.Header.Get("Authorization")
			_, cred, _ := strings.Cut(auth, " ")
			dec, _ := base64.StdEncoding.DecodeString(cred)
			var echo []string
			for _, s := range []string{auth, cred, string(dec)} {
				echo = append(echo, forms(s)...)
			}
			all := strings.Join(echo, " | ")
			w.Header().Set("X-Echo", all)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			body, _ := json.Marshal(map[string]string{"error": "invalid_client", "error_description": "refused " + all, "message": all})
			_, _ = w.Write(body)
		})
	}
	for _, tokenOK := range []bool{false, true} {
		t.Run(fmt.Sprintf("token issued %v", tokenOK), func(t *testing.T) {
			t.Parallel()
			eh := httptest.NewServer(refuse(tokenOK))
			defer eh.Close()
			jr := httptest.NewServer(refuse(false))
			defer jr.Close()
			env := map[string]string{
				"EXTRAHOP_URL": eh.URL, "EXTRAHOP_CLIENT_ID": clientID, "EXTRAHOP_CLIENT_SECRET": clientSecret,
				"JIRA_URL": jr.URL, "JIRA_EMAIL": email, "JIRA_API_TOKEN": apiToken,
			}
			var out, errOut bytes.Buffer
			err := run(context.Background(), nil, &out, &errOut, func(k string) string { return env[k] })
			require.Error(t, err)
			t.Logf("error: %.300s", err)
			shown := out.String() + errOut.String() + err.Error() + fmt.Sprintf("%+v %#v", err, err)
			assert.Contains(t, shown, "[redacted]", "the servers' echoes reached the output")
			for _, b := range banned {
				assert.NotContains(t, shown, b)
			}
		})
	}
}
