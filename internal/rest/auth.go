package rest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"golang.org/x/oauth2"
)

// Secret is a string that never prints: fmt verbs, String and MarshalText all
// render it as "[redacted]". Use Reveal to get the value.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]".
func (s Secret) String() string { return redacted }

// GoString returns "[redacted]" so %#v hides the value too.
func (s Secret) GoString() string { return redacted }

// Format renders the secret as "[redacted]" for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// MarshalText returns "[redacted]", so encoders cannot leak the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Authenticator adds credentials to an outgoing request. It is called on
// every attempt, so a refreshed token is used by retries too. Implementations
// must not keep the secret where fmt can print it: the ones here hold it in
// a [Secret] behind a pointer.
type Authenticator interface {
	Authenticate(req *http.Request) error
}

// secretHolder is implemented by authenticators that know which strings
// must be scrubbed from error messages and bodies: they register them with
// the client's Redactor.
type secretHolder interface {
	registerSecrets(r *Redactor)
}

// Basic returns HTTP basic authentication (Jira Cloud: email and API token).
func Basic(username, password string) Authenticator {
	return &basicAuth{username: username, password: Secret(password)}
}

type basicAuth struct {
	username string
	password Secret
}

func (a *basicAuth) Authenticate(req *http.Request) error {
	req.SetBasicAuth(a.username, a.password.Reveal())
	return nil
}

func (a *basicAuth) registerSecrets(r *Redactor) { r.AddPair(a.username, a.password.Reveal()) }

// Format prints String for every verb, so %#v cannot reach the secret.
func (a *basicAuth) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

func (a *basicAuth) String() string { return "basic(" + a.username + ", password " + redacted + ")" }

// Bearer returns bearer-token authentication (Jira Data Center PAT, YouTrack
// permanent token, trax postbox token).
func Bearer(token string) Authenticator {
	return &headerAuth{name: "Authorization", prefix: "Bearer ", value: Secret(token)}
}

// Header returns authentication by a fixed header, value = prefix + secret;
// for ExtraHop: Header("Authorization", "ExtraHop apikey=", key).
func Header(name, prefix, secret string) Authenticator {
	return &headerAuth{name: http.CanonicalHeaderKey(name), prefix: prefix, value: Secret(secret)}
}

type headerAuth struct {
	name, prefix string
	value        Secret
}

func (a *headerAuth) Authenticate(req *http.Request) error {
	req.Header.Set(a.name, a.prefix+a.value.Reveal())
	return nil
}

func (a *headerAuth) registerSecrets(r *Redactor) { r.Add(a.value.Reveal()) }

// Format prints String for every verb, so %#v cannot reach the secret.
func (a *headerAuth) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

func (a *headerAuth) String() string { return "header(" + a.name + ": " + a.prefix + redacted + ")" }

// OAuth2 returns authentication by tokens from ts (Jira 3LO, ExtraHop RevealX
// 360 client credentials). ts is wrapped in oauth2.ReuseTokenSource, so a
// token is fetched once and refreshed shortly before it expires. The token
// type is compared case-insensitively ("bearer" is sent as "Bearer").
func OAuth2(ts oauth2.TokenSource) Authenticator {
	return &oauthAuth{ts: oauth2.ReuseTokenSource(nil, ts), red: &Redactor{}}
}

// rememberedTokens is how many of the latest tokens an OAuth2
// authenticator keeps hiding: enough for a token still in flight when it
// was replaced, few enough that a long-running client does not grow.
const rememberedTokens = 4

type oauthAuth struct {
	ts oauth2.TokenSource
	// red hides the latest access and refresh tokens handed out.
	red    *Redactor
	mu     sync.Mutex
	recent []string
}

func (a *oauthAuth) Authenticate(req *http.Request) error {
	tok, err := a.ts.Token()
	if err != nil {
		return fmt.Errorf("oauth2 token: %w", TokenError(a.red, err))
	}
	a.remember(tok.AccessToken, tok.RefreshToken)
	if !strings.EqualFold(tok.Type(), "bearer") {
		return fmt.Errorf("oauth2 token: unsupported token type %q", tok.Type())
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return nil
}

// remember adds tokens to the ones hidden, forgetting the oldest beyond
// rememberedTokens.
func (a *oauthAuth) remember(tokens ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	changed := false
	for _, t := range tokens {
		if len(t) >= minSecretLen && !slices.Contains(a.recent, t) {
			a.recent = append(a.recent, t)
			changed = true
		}
	}
	if !changed {
		return
	}
	if len(a.recent) > rememberedTokens {
		a.recent = slices.Clone(a.recent[len(a.recent)-rememberedTokens:])
	}
	a.red.reset(a.recent...)
}

// registerSecrets shares the token log with the client's Redactor.
func (a *oauthAuth) registerSecrets(r *Redactor) { r.addLinked(a.red) }

// Format prints String for every verb, so %#v cannot reach the secret.
func (a *oauthAuth) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

func (a *oauthAuth) String() string { return "oauth2(token " + redacted + ")" }
