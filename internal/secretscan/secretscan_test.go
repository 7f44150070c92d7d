package secretscan_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/internal/rest"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/trax"
	"github.com/trackbridge/trackbridge/youtrack"
)

// The known secrets: distinctive, and full of characters that the
// encodings below change.
const (
	jiraEmail      = "jane.doe@example.com"
	jiraAPIToken   = "ATATT3xFfGF0/jira+cloud=api&token<1>"
	jiraPAT        = "NjQ5ODc0MzI1Mzk2:DC/pat+token=\"x\""
	jiraClientID   = "jira-3lo-client"
	jiraSecret     = "jira 3lo client/secret+value&more=="
	jiraRefresh    = "eyJhbGciOiJIUzI1NiJ9.refresh/token+3lo="
	youtrackToken  = "perm:cm9vdC5hZG1pbg==.NDQtMA==.YouTrackToken/123+x"
	extrahopAPIKey = "ehApiKey/0123+abc==&key<"
	extrahopID     = "eh client id"
	extrahopSecret = "eh-client:secret/with+chars&=é"
	traxToken      = "trax\"quoted<token>&json\\slash/é"
	issuedAccess   = "issued-access-token/AbC+dEf=="
	issuedRefresh  = "issued-refresh-token:XyZ/123+=="
)

// secrets is every string that must never show.
var secrets = []string{
	jiraAPIToken, jiraPAT, jiraSecret, jiraRefresh, youtrackToken,
	extrahopAPIKey, extrahopSecret, traxToken, issuedAccess, issuedRefresh,
}

// pairs are user names and secrets sent as HTTP basic credentials.
var pairs = [][2]string{
	{jiraEmail, jiraAPIToken},
	{extrahopID, extrahopSecret},
	{url.QueryEscape(extrahopID), url.QueryEscape(extrahopSecret)},
	{jiraClientID, jiraSecret},
	{url.QueryEscape(jiraClientID), url.QueryEscape(jiraSecret)},
}

// lowerEscapes rewrites the hex digits of %XX escapes in lower case.
func lowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = bytes.ToLower(b[i+1 : i+2])[0], bytes.ToLower(b[i+2 : i+3])[0]
			i += 2
		}
	}
	return string(b)
}

// encodings returns every form of s the scan looks for, by name.
func encodings(s string) map[string]string {
	q, _ := json.Marshal(s)
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	p := strings.TrimSpace(plain.String())
	return map[string]string{
		"literal":              s,
		"base64":               base64.StdEncoding.EncodeToString([]byte(s)),
		"base64 url":           base64.URLEncoding.EncodeToString([]byte(s)),
		"base64 raw":           base64.RawStdEncoding.EncodeToString([]byte(s)),
		"base64 raw url":       base64.RawURLEncoding.EncodeToString([]byte(s)),
		"query escaped":        url.QueryEscape(s),
		"query escaped lower":  lowerEscapes(url.QueryEscape(s)),
		"path escaped":         url.PathEscape(s),
		"path escaped lower":   lowerEscapes(url.PathEscape(s)),
		"json escaped":         string(q[1 : len(q)-1]),
		"json escaped plain":   p[1 : len(p)-1],
		"base64 query escaped": url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(s))),
	}
}

// form is one encoding of one secret.
type form struct{ secret, enc, text string }

var forms = sync.OnceValue(func() []form {
	var out []form
	for _, s := range secrets {
		for name, text := range encodings(s) {
			out = append(out, form{s, name, text})
		}
	}
	for _, p := range pairs {
		pair := p[0] + ":" + p[1]
		b64 := base64.StdEncoding.EncodeToString([]byte(pair))
		out = append(out,
			form{pair, "basic pair", b64},
			form{pair, "basic pair, query escaped", url.QueryEscape(b64)},
			form{pair, "basic header in base64", base64.StdEncoding.EncodeToString([]byte("Basic " + b64))},
		)
	}
	return out
})

// scan counts renderings and fails the test on any secret in them.
type scan struct {
	t     *testing.T
	mu    sync.Mutex
	count int
	// hidden counts renderings in which something was redacted: proof
	// that the servers' echoes reached what was rendered.
	hidden int
	found  []string
}

// leaks returns the forms of secrets in text.
func leaks(text string) []form {
	var out []form
	for _, f := range forms() {
		if strings.Contains(text, f.text) {
			out = append(out, f)
		}
	}
	return out
}

func (s *scan) render(label, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	if strings.Contains(text, "[redacted]") {
		s.hidden++
	}
	for _, f := range leaks(text) {
		s.found = append(s.found, fmt.Sprintf("%s: %s of %q", label, f.enc, f.secret))
		s.t.Errorf("%s shows the %s of %q:\n%s", label, f.enc, f.secret, text)
	}
}

// value renders v with every verb.
func (s *scan) value(label string, v any) {
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		s.render(label+" "+verb, fmt.Sprintf(verb, v))
	}
}

// slogged renders v as an attribute of a log line, with the text and the
// JSON handler.
func (s *scan) slogged(label string, v any) {
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Error("failed", "err", v, "value", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Error("failed", "err", v, "value", v)
	s.render(label+" slog text", text.String())
	s.render(label+" slog json", js.String())
}

// err renders an error, every error in its chain, and the fields of any
// API error in it.
func (s *scan) err(label string, err error) {
	if err == nil {
		return
	}
	s.render(label+" Error()", err.Error())
	s.value(label, err)
	s.slogged(label, err)
	seen := map[error]bool{}
	var walk func(e error, depth int)
	walk = func(e error, depth int) {
		if e == nil || depth > 20 || !reflect.TypeOf(e).Comparable() || seen[e] {
			return
		}
		seen[e] = true
		l := fmt.Sprintf("%s chain[%d] %T", label, depth, e)
		s.render(l+" Error()", e.Error())
		s.value(l, e)
		if u, ok := e.(interface{ Unwrap() []error }); ok {
			for _, c := range u.Unwrap() {
				walk(c, depth+1)
			}
		}
		walk(errors.Unwrap(e), depth+1)
	}
	walk(errors.Unwrap(err), 1)
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		for _, c := range u.Unwrap() {
			walk(c, 1)
		}
	}
	var ae *rest.APIError
	if errors.As(err, &ae) {
		s.render(label+" APIError.Body", string(ae.Body))
		s.render(label+" APIError.Message", ae.Message)
		s.value(label+" APIError.Header", ae.Header)
	}
	var te *rest.TransportError
	if errors.As(err, &te) {
		s.value(label+" TransportError.Err", te.Err)
	}
}

// material is what a request carried that a careless server echoes: the
// Authorization header, its decoded parts, and secret form values.
func material(r *http.Request) []string {
	var m []string
	if a := r.Header.Get("Authorization"); a != "" {
		m = append(m, a)
		scheme, cred, _ := strings.Cut(a, " ")
		switch strings.ToLower(scheme) {
		case "basic":
			if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
				m = append(m, string(dec))
				user, pass, _ := strings.Cut(string(dec), ":")
				m = append(m, pass)
				if u, err := url.QueryUnescape(user); err == nil {
					m = append(m, u)
				}
				if p, err := url.QueryUnescape(pass); err == nil {
					m = append(m, p)
				}
			}
		default:
			_, key, found := strings.Cut(cred, "apikey=")
			if !found {
				key = cred
			}
			m = append(m, cred, key)
		}
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, _ := io.ReadAll(r.Body)
		m = append(m, string(body))
		if v, err := url.ParseQuery(string(body)); err == nil {
			for _, k := range []string{"client_secret", "refresh_token", "client_id"} {
				if x := v.Get(k); x != "" {
					m = append(m, x)
				}
			}
		}
	}
	return m
}

// echo writes every form of every piece of material.
func echo(m []string) []string {
	var out []string
	for _, x := range m {
		for _, e := range encodings(x) {
			out = append(out, e)
		}
	}
	return out
}

// A mode is how a hostile server answers.
type mode struct {
	name string
	// tokenOK: the token endpoint issues a token; otherwise it fails the
	// way the API does.
	tokenOK bool
	// fail answers an API (or failing token) request.
	fail func(w http.ResponseWriter, r *http.Request, m []string)
}

func echoHeaders(w http.ResponseWriter, m []string) {
	for i, e := range echo(m) {
		w.Header().Add("X-Echo", e)
		if i < 3 {
			w.Header().Add("Www-Authenticate", `Bearer error="invalid_token", token="`+e+`"`)
			w.Header().Add("X-Seen-Credentials", e)
			w.Header().Add("Set-Cookie", "session="+url.QueryEscape(e))
		}
	}
	if len(m) > 0 {
		w.Header().Set("X-RateLimit-Reason", m[0])
	}
}

func unauthorized(w http.ResponseWriter, _ *http.Request, m []string) {
	echoHeaders(w, m)
	e := echo(m)
	all := strings.Join(e, " | ")
	body, _ := json.Marshal(map[string]any{
		"errorMessages":     e,
		"errors":            map[string]string{"token": all},
		"error":             "invalid_token",
		"error_description": "token not accepted: " + all,
		"error_message":     all,
		"message":           all,
	})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write(body)
}

func badGateway(w http.ResponseWriter, _ *http.Request, m []string) {
	echoHeaders(w, m)
	all := strings.Join(echo(m), " | ")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadGateway)
	fmt.Fprintf(w, "<html><head><title>502 Bad Gateway: %s</title></head><body><h1>Upstream refused %s</h1></body></html>", all, all)
}

func htmlOK(w http.ResponseWriter, _ *http.Request, m []string) {
	echoHeaders(w, m)
	all := strings.Join(echo(m), " | ")
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprintf(w, "<html><title>Sign in again, %s</title></html>", all)
}

func tooMany(w http.ResponseWriter, _ *http.Request, m []string) {
	echoHeaders(w, m)
	w.Header().Set("Retry-After", "3600")
	all := strings.Join(echo(m), " | ")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprintf(w, `{"message":%q}`, all)
}

// partial answers a bulk create with one element refused and an echo, and
// any other write with a JSON:API refusal.
func partial(w http.ResponseWriter, r *http.Request, m []string) {
	echoHeaders(w, m)
	e := echo(m)
	all := strings.Join(e, " | ")
	w.Header().Set("Content-Type", "application/json")
	if strings.HasSuffix(r.URL.Path, "/issue/bulk") {
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issues": []any{map[string]any{"id": "10001", "key": "SEC-1", "self": "http://x/rest/api/3/issue/10001"}},
			"errors": []any{map[string]any{"status": 400, "failedElementNumber": 1, "elementErrors": map[string]any{
				"errorMessages": e, "errors": map[string]string{"summary": all},
			}}},
		})
		return
	}
	var errs []any
	for _, x := range e {
		errs = append(errs, map[string]any{"title": "refused", "detail": "credential " + x, "source": map[string]string{"pointer": "/data/0/" + x}})
	}
	w.WriteHeader(http.StatusUnprocessableEntity)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": errs})
}

var modes = []mode{
	{"401 echo", false, unauthorized},
	{"502 HTML", false, badGateway},
	{"200 HTML", false, htmlOK},
	{"token then 401 echo", true, unauthorized},
	{"token then 502 HTML", true, badGateway},
	{"token then 200 HTML", true, htmlOK},
	{"token then 429 echo", true, tooMany},
	{"token then partial failure", true, partial},
}

// hostile returns a handler answering as m, recording what it received.
func hostile(m mode, received *[]string, mu *sync.Mutex) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mat := material(r)
		mu.Lock()
		*received = append(*received, mat...)
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/token") && m.tokenOK {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": issuedAccess, "refresh_token": issuedRefresh, "token_type": "bearer", "expires_in": 3600})
			return
		}
		m.fail(w, r, mat)
	})
}

// echoTransport fails every request with an error quoting what it carried,
// as a hostile proxy or a careless transport might.
type echoTransport struct{}

func (echoTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		defer r.Body.Close()
	}
	return nil, fmt.Errorf("proxy refused %s: %s", r.URL, strings.Join(echo(material(r)), " | "))
}

// subject is one client with one kind of credential.
type subject struct {
	name string
	// oauth: the client fetches tokens from base + "/token" paths.
	oauth bool
	// build returns the client, its adapter, its option values and configs
	// for rendering, and the calls that provoke errors.
	build func(t *testing.T, base string, hc *http.Client, log *slog.Logger) built
}

type built struct {
	client, adapter any
	options         []any
	calls           []call
}

type call struct {
	name string
	do   func(ctx context.Context) (any, error)
}

func adapterCall(a tracker.Tracker) call {
	return call{"adapter GetIssue", func(ctx context.Context) (any, error) { return a.GetIssue(ctx, "SEC-1") }}
}

func jiraSubject(name string, auth func(ctx context.Context, base string, hc *http.Client) []jira.Option) subject {
	return subject{name: name, oauth: strings.Contains(name, "OAuth2"), build: func(t *testing.T, base string, hc *http.Client, log *slog.Logger) built {
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, hc)
		opts := append(auth(ctx, base, hc), jira.WithHTTPClient(hc), jira.WithMaxRetries(0), jira.WithLogger(log), jira.WithInsecureHTTP())
		c, err := jira.New(base, opts...)
		require.NoError(t, err)
		cfg := jira.AdapterConfig{IssueType: "Bug", MarkerPrefix: "tb"}
		a, err := jira.NewAdapter(c, cfg)
		require.NoError(t, err)
		var optVals []any
		for _, o := range opts {
			optVals = append(optVals, o)
		}
		return built{client: c, adapter: a, options: append(optVals, cfg), calls: []call{
			{"Issues.Get", func(ctx context.Context) (any, error) {
				is, resp, err := c.Issues.Get(ctx, "SEC-1", nil)
				return []any{is, resp}, err
			}},
			{"Issues.CreateBulk", func(ctx context.Context) (any, error) {
				return c.Issues.CreateBulk(ctx, []*jira.IssueUpdate{{}, {}})
			}},
			adapterCall(a),
		}}
	}}
}

var subjects = []subject{
	jiraSubject("jira Cloud basic", func(context.Context, string, *http.Client) []jira.Option {
		return []jira.Option{jira.WithBasicAuth(jiraEmail, jiraAPIToken)}
	}),
	jiraSubject("jira DC bearer", func(context.Context, string, *http.Client) []jira.Option {
		return []jira.Option{jira.WithDataCenter(), jira.WithToken(jiraPAT)}
	}),
	jiraSubject("jira OAuth2 token source", func(ctx context.Context, base string, _ *http.Client) []jira.Option {
		conf := &oauth2.Config{ClientID: jiraClientID, ClientSecret: jiraSecret, Endpoint: oauth2.Endpoint{TokenURL: base + "/oauth/token"}}
		ts := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: jiraRefresh})
		return []jira.Option{jira.WithTokenSource(ts, jiraSecret, jiraRefresh)}
	}),
	{name: "youtrack token", build: func(t *testing.T, base string, hc *http.Client, log *slog.Logger) built {
		opts := []youtrack.Option{youtrack.WithToken(youtrackToken), youtrack.WithHTTPClient(hc), youtrack.WithMaxRetries(0), youtrack.WithLogger(log), youtrack.WithInsecureHTTP()}
		c, err := youtrack.New(base, opts...)
		require.NoError(t, err)
		cfg := youtrack.AdapterConfig{}
		a, err := youtrack.NewAdapter(c, cfg)
		require.NoError(t, err)
		return built{client: c, adapter: a, options: []any{opts, cfg}, calls: []call{
			{"Issues.Get", func(ctx context.Context) (any, error) {
				is, resp, err := c.Issues.Get(ctx, "HD-1", nil)
				return []any{is, resp}, err
			}},
			adapterCall(a),
		}}
	}},
	{name: "extrahop API key", build: func(t *testing.T, base string, hc *http.Client, log *slog.Logger) built {
		return extrahopBuilt(t, base, extrahop.WithAPIKey(extrahopAPIKey), hc, log)
	}},
	{name: "extrahop client credentials", oauth: true, build: func(t *testing.T, base string, hc *http.Client, log *slog.Logger) built {
		return extrahopBuilt(t, base, extrahop.WithClientCredentials(extrahopID, extrahopSecret), hc, log)
	}},
	{name: "trax token", build: func(t *testing.T, base string, hc *http.Client, log *slog.Logger) built {
		opts := []trax.Option{trax.WithToken(traxToken), trax.WithHTTPClient(hc), trax.WithMaxRetries(0), trax.WithLogger(log), trax.WithInsecureHTTP()}
		c, err := trax.New(base+"/postbox", opts...)
		require.NoError(t, err)
		cfg := trax.AdapterConfig{}
		a, err := trax.NewAdapter(c, cfg)
		require.NoError(t, err)
		return built{client: c, adapter: a, options: []any{opts, cfg}, calls: []call{
			{"Create", func(ctx context.Context) (any, error) {
				return c.Create(ctx, trax.Record{ID: "rec-1", Attributes: map[string]any{"name": "x"}}, trax.Record{ID: "rec-2", Attributes: map[string]any{"name": "y"}})
			}},
			{"adapter CreateIssue", func(ctx context.Context) (any, error) {
				return a.CreateIssue(ctx, &tracker.NewIssue{Summary: "s", Description: "d"})
			}},
		}}
	}},
}

func extrahopBuilt(t *testing.T, base string, auth extrahop.Option, hc *http.Client, log *slog.Logger) built {
	opts := []extrahop.Option{auth, extrahop.WithHTTPClient(hc), extrahop.WithMaxRetries(0), extrahop.WithLogger(log), extrahop.WithInsecureHTTP()}
	c, err := extrahop.New(base, opts...)
	require.NoError(t, err)
	cfg := extrahop.AdapterConfig{}
	a, err := extrahop.NewAdapter(c, cfg)
	require.NoError(t, err)
	return built{client: c, adapter: a, options: []any{opts, cfg}, calls: []call{
		{"Detections.Get", func(ctx context.Context) (any, error) {
			d, resp, err := c.Detections.Get(ctx, 42, nil)
			return []any{d, resp}, err
		}},
		adapterCall(a),
	}}
}

// exercise builds s against base, runs its calls and renders everything.
func exercise(t *testing.T, sc *scan, label string, s subject, base string, hc *http.Client) (errs int) {
	var logBuf bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: &logBuf, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := s.build(t, base, hc, log)
	sc.value(label+" client", b.client)
	sc.value(label+" adapter", b.adapter)
	sc.slogged(label+" client", b.client)
	for i, o := range b.options {
		sc.value(fmt.Sprintf("%s option %d", label, i), o)
	}
	for _, c := range b.calls {
		l := label + " " + c.name
		out, err := c.do(t.Context())
		if err != nil {
			errs++
		}
		sc.err(l, err)
		sc.value(l+" result", out)
		if parts, ok := out.([]any); ok {
			for _, p := range parts {
				if resp, ok := p.(*rest.Response); ok && resp != nil && resp.Request != nil {
					// The header and URL, not the whole request, whose
					// context the transport's goroutines still touch.
					sc.value(l+" response request header", resp.Request.Header)
					sc.value(l+" response request URL", resp.Request.URL)
				}
			}
		}
		if results, ok := out.([]jira.BulkResult); ok {
			for i, r := range results {
				sc.err(fmt.Sprintf("%s result[%d]", l, i), r.Err)
			}
		}
	}
	if target, ok := b.adapter.(tracker.Creator); ok {
		push(t, sc, label, target.(tracker.Tracker))
	}
	logMu.Lock()
	sc.render(label+" debug log", logBuf.String())
	logMu.Unlock()
	return errs
}

// push runs a sync flow into target and renders its events (logged and
// as values) and its report.
func push(t *testing.T, sc *scan, label string, target tracker.Tracker) {
	spec, err := mapping.Parse([]byte(`
flows:
  - name: findings
    source: appsec
    target: ` + target.Kind() + `
    defaults: {project: SEC, type: Bug}
    fields:
      summary: {template: '{{.Summary}}'}
`))
	require.NoError(t, err)
	var text, js bytes.Buffer
	var mu sync.Mutex
	var events []syncer.Event
	obs := syncer.Observers(
		syncer.SlogObserver(slog.New(slog.NewTextHandler(&lockedWriter{w: &text, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		syncer.SlogObserver(slog.New(slog.NewJSONHandler(&lockedWriter{w: &js, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		syncer.ObserverFunc(func(e syncer.Event) {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		}),
	)
	_, canFind := target.(tracker.MarkerFinder)
	immediate := func(time.Duration) <-chan time.Time {
		ch := make(chan time.Time, 1)
		ch <- time.Time{}
		return ch
	}
	flow, err := syncer.New(syncer.Config{
		Name: "findings", SourceKind: "appsec", Target: target, Mapping: spec.Flows[0], Store: memory.New(),
		Observer: obs, IdempotentCreate: !canFind, Sleep: immediate,
	})
	require.NoError(t, err, label)
	rep, err := flow.Push(t.Context(), &tracker.Issue{ID: "F-1", Summary: "finding"})
	l := label + " sync"
	sc.err(l, err)
	if rep != nil {
		sc.value(l+" report", rep)
		sc.err(l+" report.Err", rep.Err)
		for i, o := range rep.Outcomes {
			sc.value(fmt.Sprintf("%s outcome[%d]", l, i), o)
			sc.err(fmt.Sprintf("%s outcome[%d].Err", l, i), o.Err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i, e := range events {
		sc.value(fmt.Sprintf("%s event[%d]", l, i), e)
		sc.err(fmt.Sprintf("%s event[%d].Err", l, i), e.Err)
	}
	sc.render(l+" slog text", text.String())
	sc.render(l+" slog json", js.String())
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestNoSecretInAnyRendering(t *testing.T) {
	sc := &scan{t: t}
	var echoed int
	for _, s := range subjects {
		for _, m := range modes {
			if m.tokenOK && !s.oauth && m.name != "token then partial failure" && m.name != "token then 429 echo" {
				continue // the same as the mode without a token endpoint
			}
			var mu sync.Mutex
			var received []string
			srv := httptest.NewServer(hostile(m, &received, &mu))
			errs := exercise(t, sc, s.name+" / "+m.name, s, srv.URL, srv.Client())
			srv.Close()
			if !(m.name == "200 HTML" && strings.HasPrefix(s.name, "trax")) { // any 2xx is a trax success
				assert.Positive(t, errs, "%s / %s: no call failed", s.name, m.name)
			}
			mu.Lock()
			if len(received) > 0 {
				echoed++
			}
			mu.Unlock()
		}

		// A transport that quotes the request in its error.
		errs := exercise(t, sc, s.name+" / transport error", s, "http://127.0.0.1:9", &http.Client{Transport: echoTransport{}})
		assert.Positive(t, errs, "%s / transport error", s.name)

		// Redirects: to plain http, and to another host. Neither may
		// receive the credentials; both echo what they got.
		for _, tlsBack := range []bool{false, true} {
			var mu sync.Mutex
			var atBack, atFront []string
			back := httptest.NewUnstartedServer(hostile(modes[0], &atBack, &mu))
			if tlsBack {
				back.StartTLS()
			} else {
				back.Start()
			}
			front := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if s.oauth && strings.HasSuffix(r.URL.Path, "/token") {
					hostile(modes[3], &atFront, &mu).ServeHTTP(w, r)
					return
				}
				http.Redirect(w, r, back.URL+r.URL.Path, http.StatusTemporaryRedirect)
			}))
			label := s.name + " / redirect to http"
			if tlsBack {
				label = s.name + " / redirect to another host"
			}
			errs := exercise(t, sc, label, s, front.URL, front.Client())
			assert.Positive(t, errs, label)
			mu.Lock()
			for _, got := range atBack {
				assert.Empty(t, leaks(got), "%s: the redirect target received credentials", label)
			}
			if !tlsBack {
				assert.Empty(t, atBack, "%s: the downgraded request was sent", label)
			}
			mu.Unlock()
			front.Close()
			back.Close()
		}
	}

	// Configs and authenticators as the SDK holds them.
	cfg := rest.Config{Vendor: "x", BaseURL: "https://x.example.com", Auth: rest.Basic(jiraEmail, jiraAPIToken), Secrets: []rest.Secret{rest.Secret(jiraSecret)}}
	for _, v := range []any{cfg, &cfg, rest.Bearer(youtrackToken), rest.Header("Authorization", "ExtraHop apikey=", extrahopAPIKey), rest.Secret(traxToken), rest.NewRedactor(jiraRefresh)} {
		sc.value("config", v)
		sc.slogged("config", v)
	}

	assert.Positive(t, echoed, "the hostile servers received credentials to echo")
	t.Logf("%d renderings checked for %d secrets in %d forms; %d with redactions; %d leaks", sc.count, len(secrets), len(forms()), sc.hidden, len(sc.found))
	assert.GreaterOrEqual(t, sc.count, 500)
	assert.Greater(t, sc.hidden, sc.count/4, "most error renderings had an echoed secret to hide")
	assert.Empty(t, sc.found)
}

// TestScanFindsEveryForm proves the scan itself: every form of every
// secret, inside other text, is found.
func TestScanFindsEveryForm(t *testing.T) {
	t.Parallel()
	for _, f := range forms() {
		got := leaks("before " + f.text + " after")
		assert.NotEmpty(t, got, "%s of %q", f.enc, f.secret)
	}
	for _, p := range pairs {
		hdr := "Basic " + base64.StdEncoding.EncodeToString([]byte(p[0]+":"+p[1]))
		assert.NotEmpty(t, leaks(hdr), "pair %q", p[0])
	}
	assert.Empty(t, leaks("[redacted] nothing to see"))
}
