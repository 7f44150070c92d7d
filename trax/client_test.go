package trax_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/internal/rest"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/trax"
)

const (
	postboxURL = "https://trax.example.com/api/v1/postboxes/7c1e/create"
	token      = "s3cr3t-postbox-token"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

// captured is one request the mock transport saw.
type captured struct {
	Method, URL string
	Header      http.Header
	Body        string
}

// recorder captures requests and answers them with its responses in turn
// (the last one repeats).
type recorder struct {
	mu        sync.Mutex
	reqs      []captured
	responses []httpmock.Responder
}

func (r *recorder) respond(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	n := len(r.reqs)
	r.reqs = append(r.reqs, captured{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: string(body)})
	resp := r.responses[min(n, len(r.responses)-1)]
	r.mu.Unlock()
	return resp(req)
}

func (r *recorder) requests() []captured {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]captured(nil), r.reqs...)
}

func bodyResponder(status int, contentType, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		if contentType != "" {
			resp.Header.Set("Content-Type", contentType)
		}
		return resp, nil
	}
}

// newMockClient returns a client on a fresh mock transport whose every
// request goes to rec, with millisecond retry waits.
func newMockClient(t *testing.T, url string, rec *recorder, opts ...trax.Option) (*trax.Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(rec.respond)
	base := []trax.Option{
		trax.WithToken(token),
		trax.WithHTTPClient(&http.Client{Transport: mock}),
		trax.WithRetryWait(time.Millisecond, 5*time.Millisecond),
	}
	c, err := trax.New(url, append(base, opts...)...)
	require.NoError(t, err)
	return c, mock
}

func s1Record(id string) trax.Record {
	return trax.Record{ID: id, Attributes: map[string]any{
		"name":           "Phishing mail with credential form reached finance team",
		"description":    "Reported through the help desk.",
		"source":         "YouTrack",
		"classification": "High",
		"contact":        "soc@example.com",
		"issue_url":      "https://youtrack.example.com/issue/" + id,
	}}
}

func TestCreateBuildsRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		url     string
		opts    []trax.Option
		records []trax.Record
		// wantURL and wantBodies are the requests, in order.
		wantURL    string
		wantBodies []string
	}{
		{
			name:       "one record, default batch",
			url:        postboxURL,
			opts:       []trax.Option{trax.WithERD(trax.DefaultERD())},
			records:    []trax.Record{s1Record("HD-25")},
			wantURL:    postboxURL,
			wantBodies: []string{strings.TrimSpace(fixture(t, "request_one.json"))},
		},
		{
			name:    "default batch is one record per request",
			url:     postboxURL,
			records: []trax.Record{{ID: "HD-1", Attributes: map[string]any{"name": "first & <one>"}}, {ID: "HD-2", Attributes: map[string]any{"name": "second"}}},
			wantURL: postboxURL,
			wantBodies: []string{
				`{"data":[{"id":"HD-1","attributes":{"name":"first & <one>"}}]}`,
				`{"data":[{"id":"HD-2","attributes":{"name":"second"}}]}`,
			},
		},
		{
			name:       "batch of two, HTML not escaped",
			url:        postboxURL,
			opts:       []trax.Option{trax.WithBatchSize(2)},
			records:    []trax.Record{{ID: "HD-1", Attributes: map[string]any{"name": "first & <one>"}}, {ID: "HD-2", Attributes: map[string]any{"name": "second"}}},
			wantURL:    postboxURL,
			wantBodies: []string{strings.TrimSpace(fixture(t, "request_batch.json"))},
		},
		{
			name:    "batches of two over three records",
			url:     postboxURL,
			opts:    []trax.Option{trax.WithBatchSize(2)},
			records: []trax.Record{{ID: "a", Attributes: map[string]any{"n": 1}}, {ID: "b", Attributes: map[string]any{"n": 2.5}}, {ID: "c", Attributes: map[string]any{"ok": true}}},
			wantURL: postboxURL,
			wantBodies: []string{
				`{"data":[{"id":"a","attributes":{"n":1}},{"id":"b","attributes":{"n":2.5}}]}`,
				`{"data":[{"id":"c","attributes":{"ok":true}}]}`,
			},
		},
		{
			name:       "postbox URL with query and escaped segment is used as given",
			url:        "https://trax.example.com/in/box%2F1?tenant=acme",
			records:    []trax.Record{{ID: "x", Attributes: nil}},
			wantURL:    "https://trax.example.com/in/box%2F1?tenant=acme",
			wantBodies: []string{`{"data":[{"id":"x","attributes":{}}]}`},
		},
		{
			name:       "postbox URL ending in a slash",
			url:        "https://trax.example.com/postbox/",
			records:    []trax.Record{{ID: "x", Attributes: map[string]any{"gone": nil, "kept": "v"}}},
			wantURL:    "https://trax.example.com/postbox/",
			wantBodies: []string{`{"data":[{"id":"x","attributes":{"kept":"v"}}]}`},
		},
		{
			name: "dates and times in the ERD's layouts",
			url:  postboxURL,
			opts: []trax.Option{trax.WithERD(&trax.ERD{Fields: []trax.FieldDef{
				{Name: "day", Type: trax.TypeDate}, {Name: "at", Type: trax.TypeDateTime},
			}})},
			records: []trax.Record{{ID: "t", Attributes: map[string]any{
				"day": time.Date(2026, 11, 21, 23, 30, 0, 0, time.UTC),
				"at":  time.Date(2026, 11, 21, 23, 30, 5, 0, time.FixedZone("CET", 3600)),
			}}},
			wantURL:    postboxURL,
			wantBodies: []string{`{"data":[{"id":"t","attributes":{"at":"2026-11-21T23:30:05+01:00","day":"2026-11-21"}}]}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{responses: []httpmock.Responder{bodyResponder(201, "application/json", fixture(t, "create_201.json"))}}
			c, _ := newMockClient(t, tt.url, rec, tt.opts...)
			res, err := c.Create(t.Context(), tt.records...)
			require.NoError(t, err)
			reqs := rec.requests()
			require.Len(t, reqs, len(tt.wantBodies))
			for i, r := range reqs {
				assert.Equal(t, http.MethodPost, r.Method)
				assert.Equal(t, tt.wantURL, r.URL)
				assert.Equal(t, tt.wantBodies[i], r.Body, "body of request %d", i)
				assert.Equal(t, "Bearer "+token, r.Header.Get("Authorization"))
				assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
				assert.Equal(t, "application/json", r.Header.Get("Accept"))
				assert.Contains(t, r.Header.Get("User-Agent"), "trackbridge/")
			}
			var ids []string
			for _, r := range tt.records {
				ids = append(ids, r.ID)
			}
			assert.Equal(t, ids, res.Accepted)
			assert.Empty(t, res.NotAccepted)
			assert.Len(t, res.Responses, len(tt.wantBodies))
		})
	}
}

func TestCreateDecodesSuccessBodiesLeniently(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantIDs     []string
	}{
		{"JSON:API list", 201, "application/vnd.api+json", fixture(t, "create_201.json"), []string{"HD-25"}},
		{"single object", 200, "application/json", fixture(t, "create_200_single.json"), []string{"trax-7f3a9c"}},
		{"numeric id", 200, "application/json", fixture(t, "create_200_batch.json"), []string{"HD-1", "4711"}},
		{"bare list", 200, "application/json", `[{"id":"a"},{"nope":1},"x"]`, []string{"a"}},
		{"text body", 202, "text/plain", fixture(t, "create_202.txt"), nil},
		{"empty body", 204, "", "", nil},
		{"broken JSON", 200, "application/json", `{"data":[{"id":`, nil},
		{"JSON without ids", 200, "application/json", `{"ok":true}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{responses: []httpmock.Responder{bodyResponder(tt.status, tt.contentType, tt.body)}}
			c, _ := newMockClient(t, postboxURL, rec)
			res, err := c.Create(t.Context(), trax.Record{ID: "HD-25", Attributes: map[string]any{"name": "x"}})
			require.NoError(t, err)
			assert.Equal(t, []string{"HD-25"}, res.Accepted)
			assert.Equal(t, tt.wantIDs, res.ReturnedIDs)
			require.Len(t, res.Responses, 1)
			assert.Equal(t, tt.status, res.Responses[0].StatusCode)
		})
	}
}

func TestCreateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		sentinel    error
		wantMsg     string
		wantCalls   int
	}{
		{"401", 401, "application/json", fixture(t, "error_401.json"), tracker.ErrUnauthorized, "missing or invalid API token", 1},
		{"422 with message", 422, "application/json", fixture(t, "error_422.json"), tracker.ErrInvalid, `attribute "classification": value "Urgent" not allowed`, 1},
		{"422 JSON:API errors only", 422, "application/vnd.api+json", fixture(t, "error_422_jsonapi.json"), tracker.ErrInvalid, "/data/0/attributes/issue_url: issue_url must be an absolute URL", 1},
		{"400", 400, "application/json", fixture(t, "error_400.json"), tracker.ErrInvalid, "data must be a list of records", 1},
		{"503 HTML after retries", 503, "text/html", fixture(t, "error_503.html"), tracker.ErrUnavailable, "503 Service Temporarily Unavailable", 3},
		{"429 after retries", 429, "application/json", `{"message":"slow down"}`, tracker.ErrRateLimited, "slow down", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{responses: []httpmock.Responder{bodyResponder(tt.status, tt.contentType, tt.body)}}
			c, _ := newMockClient(t, postboxURL, rec, trax.WithMaxRetries(2))
			res, err := c.Create(t.Context(), trax.Record{ID: "HD-25", Attributes: map[string]any{"name": "x"}})
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.sentinel)
			assert.Contains(t, err.Error(), tt.wantMsg)
			assert.Contains(t, err.Error(), fmt.Sprint(tt.status))
			assert.Contains(t, err.Error(), `"HD-25"`, "the error names the record not accepted")
			assert.NotContains(t, err.Error(), token)
			var ce *trax.CreateError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, []string{"HD-25"}, ce.NotAccepted)
			var ae *rest.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.StatusCode)
			assert.Empty(t, res.Accepted)
			assert.Equal(t, []string{"HD-25"}, res.NotAccepted)
			assert.Len(t, rec.requests(), tt.wantCalls)
		})
	}
}

func TestCreateReportsPartialResults(t *testing.T) {
	t.Parallel()
	rec := &recorder{responses: []httpmock.Responder{
		bodyResponder(201, "application/json", `{"data":[{"id":"a"},{"id":"b"}]}`),
		bodyResponder(422, "application/json", fixture(t, "error_422.json")),
	}}
	c, _ := newMockClient(t, postboxURL, rec, trax.WithBatchSize(2))
	recs := []trax.Record{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}, {ID: "e"}}
	res, err := c.Create(t.Context(), recs...)
	require.Error(t, err)
	assert.ErrorIs(t, err, tracker.ErrInvalid)
	assert.Equal(t, []string{"a", "b"}, res.Accepted)
	assert.Equal(t, []string{"c", "d", "e"}, res.NotAccepted, "the failed batch and the unsent one")
	assert.Equal(t, []string{"e"}, res.NotSent, "only the batch after the failed one")
	assert.Equal(t, []string{"a", "b"}, res.ReturnedIDs)
	assert.Len(t, rec.requests(), 2, "nothing is sent after a failed batch")
	var ce *trax.CreateError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, res.Accepted, ce.Accepted)
	assert.Equal(t, res.NotSent, ce.NotSent)
	assert.Contains(t, err.Error(), `3 of 5 records not accepted ("c", "d", "e")`)
}

func TestCreateRetriesCarryTheSameID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		first httpmock.Responder
	}{
		{"503", bodyResponder(503, "text/html", fixture(t, "error_503.html"))},
		{"429 with Retry-After 0", func(*http.Request) (*http.Response, error) {
			r := httpmock.NewStringResponse(429, `{"message":"slow down"}`)
			r.Header.Set("Retry-After", "0")
			return r, nil
		}},
		{"transport error", httpmock.NewErrorResponder(errors.New("connection reset by peer"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{responses: []httpmock.Responder{tt.first, bodyResponder(201, "application/json", fixture(t, "create_201.json"))}}
			c, _ := newMockClient(t, postboxURL, rec)
			res, err := c.Create(t.Context(), s1Record("HD-25"))
			require.NoError(t, err)
			assert.Equal(t, []string{"HD-25"}, res.Accepted)
			reqs := rec.requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, reqs[0].Body, reqs[1].Body, "the retry must repeat the post byte for byte")
			assert.Contains(t, reqs[1].Body, `"id":"HD-25"`)
		})
	}
}

func TestCreateRefusesInvalidRecordsBeforeSending(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 256)
	tests := []struct {
		name    string
		records []trax.Record
		want    []string
	}{
		{"missing required", []trax.Record{s1Record("ok"), {ID: "HD-2", Attributes: map[string]any{"source": "YouTrack"}}},
			[]string{`record "HD-2": attribute "name": required attribute missing`}},
		{"too long counted in runes", []trax.Record{{ID: "HD-3", Attributes: map[string]any{"name": long}}},
			[]string{`record "HD-3": attribute "name": too long: 256 characters, at most 255`}},
		{"wrong type and unknown attribute", []trax.Record{{ID: "HD-4", Attributes: map[string]any{"name": 42, "severity": "High"}}},
			[]string{`attribute "name": want a string, got int`, `attribute "severity": unknown attribute`}},
		{"bad URL in the last record", []trax.Record{s1Record("a"), s1Record("b"), {ID: "c", Attributes: map[string]any{"name": "n", "issue_url": "javascript:alert(1)"}}},
			[]string{`record "c": attribute "issue_url": "javascript:alert(1)" is not an absolute http or https URL`}},
		{"empty id", []trax.Record{{ID: "", Attributes: map[string]any{"name": "n"}}}, []string{`record "": empty id`}},
		{"repeated id", []trax.Record{s1Record("a"), s1Record("a")}, []string{`record "a": id repeated in one call`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{responses: []httpmock.Responder{bodyResponder(201, "", "")}}
			c, mock := newMockClient(t, postboxURL, rec, trax.WithERD(trax.DefaultERD()))
			res, err := c.Create(t.Context(), tt.records...)
			require.Error(t, err)
			assert.ErrorIs(t, err, tracker.ErrInvalid)
			var ve *trax.ValidationError
			require.ErrorAs(t, err, &ve)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Zero(t, mock.GetTotalCallCount(), "no request may be sent")
			assert.Empty(t, res.Accepted)
			assert.Len(t, res.NotAccepted, len(tt.records))
		})
	}
}

func TestCreateUnencodableValueSendsNothing(t *testing.T) {
	t.Parallel()
	rec := &recorder{responses: []httpmock.Responder{bodyResponder(201, "", "")}}
	c, mock := newMockClient(t, postboxURL, rec)
	_, err := c.Create(t.Context(), trax.Record{ID: "a", Attributes: map[string]any{"n": 1}}, trax.Record{ID: "b", Attributes: map[string]any{"ch": make(chan int)}})
	require.Error(t, err)
	assert.ErrorIs(t, err, tracker.ErrInvalid)
	assert.Contains(t, err.Error(), `"b"`)
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestCreateNothing(t *testing.T) {
	t.Parallel()
	rec := &recorder{responses: []httpmock.Responder{bodyResponder(201, "", "")}}
	c, mock := newMockClient(t, postboxURL, rec)
	res, err := c.Create(t.Context())
	require.NoError(t, err)
	assert.Empty(t, res.Accepted)
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestCreateCancelled(t *testing.T) {
	t.Parallel()
	rec := &recorder{responses: []httpmock.Responder{bodyResponder(201, "", "")}}
	c, _ := newMockClient(t, postboxURL, rec)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, err := c.Create(ctx, trax.Record{ID: "a"})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []string{"a"}, res.NotAccepted)
}

func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
		opts []trax.Option
		want string
	}{
		{"empty token", postboxURL, []trax.Option{trax.WithToken(" ")}, "empty token"},
		{"nil HTTP client", postboxURL, []trax.Option{trax.WithHTTPClient(nil)}, "trax: WithHTTPClient: nil client"},
		{"zero batch", postboxURL, []trax.Option{trax.WithBatchSize(0)}, "batch size 0"},
		{"negative retries", postboxURL, []trax.Option{trax.WithMaxRetries(-1)}, "trax: WithMaxRetries(-1): negative"},
		{"retry bounds", postboxURL, []trax.Option{trax.WithRetryWait(time.Second, time.Millisecond)}, "trax: WithRetryWait(1s, 1ms): want 0 < min <= max"},
		{"nil limiter", postboxURL, []trax.Option{trax.WithLimiter(nil)}, "trax: WithLimiter: nil limiter"},
		{"nil logger", postboxURL, []trax.Option{trax.WithLogger(nil)}, "trax: WithLogger: nil logger"},
		{"nil ERD", postboxURL, []trax.Option{trax.WithERD(nil)}, "nil ERD"},
		{"broken ERD", postboxURL, []trax.Option{trax.WithERD(&trax.ERD{Fields: []trax.FieldDef{{Name: "x", Type: "blob"}}})}, `fields[0].type: unknown type "blob"`},
		{"record URL without id", postboxURL, []trax.Option{trax.WithRecordURL("https://trax.example.com/records")}, "must contain {id}"},
		{"relative record URL", postboxURL, []trax.Option{trax.WithRecordURL("/records/{id}")}, "not an absolute"},
		{"read endpoint without id", postboxURL, []trax.Option{trax.WithReadEndpoint("https://trax.example.com/records")}, "must contain {id}"},
		{"relative read endpoint", postboxURL, []trax.Option{trax.WithReadEndpoint("records/{id}")}, "not an absolute URL"},
		{"read endpoint id in query", postboxURL, []trax.Option{trax.WithReadEndpoint("https://trax.example.com/records?id={id}")}, "in its path"},
		{"token over plain http", "http://trax.example.com/create", []trax.Option{trax.WithToken(token)}, "refusing to send credentials over plain http"},
		{"no host", "https:///create", nil, "has no host"},
		{"bad scheme", "ftp://trax.example.com/create", nil, "scheme must be https or http"},
		{"credentials in URL", "https://u:p@trax.example.com/create", nil, "must not carry credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := trax.New(tt.url, tt.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), token)
		})
	}
	c, err := trax.New("http://trax.example.com/create", trax.WithToken(token), trax.WithInsecureHTTP())
	require.NoError(t, err, "WithInsecureHTTP opts in")
	assert.Equal(t, trax.DefaultBatchSize, c.BatchSize())
	assert.False(t, c.CanRead())
	assert.Nil(t, c.ERD())
}

func TestClientNeverPrintsTheToken(t *testing.T) {
	t.Parallel()
	c, err := trax.New(postboxURL+"?api_key="+token, trax.WithToken(token), trax.WithERD(trax.DefaultERD()),
		trax.WithReadEndpoint("https://trax.example.com/records/{id}"))
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(verb, c)
		assert.NotContains(t, out, token, verb)
		assert.Contains(t, out, "trax.Client", verb)
	}
	assert.Contains(t, c.String(), `erd: "trackbridge-default"`)
}

func TestRecordURL(t *testing.T) {
	t.Parallel()
	c, err := trax.New(postboxURL, trax.WithRecordURL("https://trax.example.com/cip/records/{id}/view"))
	require.NoError(t, err)
	assert.Equal(t, "https://trax.example.com/cip/records/HD-25/view", c.RecordURL("HD-25"))
	assert.Equal(t, "https://trax.example.com/cip/records/a%2F..%2Fb/view", c.RecordURL("a/../b"))
	plain, err := trax.New(postboxURL)
	require.NoError(t, err)
	assert.Empty(t, plain.RecordURL("HD-25"))
}

func TestGet(t *testing.T) {
	t.Parallel()
	const readURL = "https://trax.example.com/api/v1/records/{id}?view=full"
	mock := httpmock.NewMockTransport()
	var gotURL, gotAuth string
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		gotURL, gotAuth = req.URL.String(), req.Header.Get("Authorization")
		if strings.Contains(req.URL.Path, "HD-404") {
			return bodyResponder(404, "application/json", fixture(t, "read_404.json"))(req)
		}
		return bodyResponder(200, "application/json", fixture(t, "read_200.json"))(req)
	})
	c, err := trax.New(postboxURL, trax.WithToken(token), trax.WithReadEndpoint(readURL),
		trax.WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)
	require.True(t, c.CanRead())

	rec, resp, err := c.Get(t.Context(), "HD-25")
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "https://trax.example.com/api/v1/records/HD-25?view=full", gotURL)
	assert.Equal(t, "Bearer "+token, gotAuth)
	assert.Equal(t, "HD-25", rec.ID)
	assert.Equal(t, "YouTrack", rec.Attributes["source"])
	assert.Equal(t, "received", rec.Meta["status"])

	_, _, err = c.Get(t.Context(), "a/b")
	require.NoError(t, err)
	assert.Equal(t, "https://trax.example.com/api/v1/records/a%2Fb?view=full", gotURL, "the id is one escaped segment")

	_, _, err = c.Get(t.Context(), "HD-404")
	assert.ErrorIs(t, err, tracker.ErrNotFound)
	assert.Contains(t, err.Error(), `record "HD-404" not found`)

	_, _, err = c.Get(t.Context(), "")
	assert.ErrorIs(t, err, tracker.ErrInvalid)

	noRead, err := trax.New(postboxURL)
	require.NoError(t, err)
	_, _, err = noRead.Get(t.Context(), "HD-25")
	assert.ErrorIs(t, err, tracker.ErrUnsupported)
	assert.ErrorIs(t, err, errors.ErrUnsupported)
}

func TestGetDecodesRecordShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		wantErr    error
		wantName   any
	}{
		{"bare record", `{"id":"r","attributes":{"name":"bare"}}`, nil, "bare"},
		{"list with the record", `{"data":[{"id":"other"},{"id":"r","attributes":{"name":"listed"}}]}`, nil, "listed"},
		{"list without the record", `{"data":[{"id":"other"}]}`, tracker.ErrNotFound, nil},
		{"record without id", `{"data":{"attributes":{"name":"anon"}}}`, nil, "anon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mock := httpmock.NewMockTransport()
			mock.RegisterNoResponder(bodyResponder(200, "application/json", tt.body))
			c, err := trax.New(postboxURL, trax.WithReadEndpoint("https://trax.example.com/records/{id}"), trax.WithHTTPClient(&http.Client{Transport: mock}))
			require.NoError(t, err)
			rec, _, err := c.Get(t.Context(), "r")
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "r", rec.ID)
			assert.Equal(t, tt.wantName, rec.Attributes["name"])
		})
	}
}

func TestCheckID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"HD-25", "tb-0a1b", "2-17", "ünïcode id"} {
		assert.NoError(t, trax.CheckID(id), id)
	}
	for _, id := range []string{"", strings.Repeat("x", trax.MaxIDLen+1), "bad\nid", "\xff"} {
		assert.Error(t, trax.CheckID(id), "%q", id)
	}
}

// The body sent is the one encoded before the first attempt; a body reader
// is never consumed twice.
func TestCreateBodyIsReplayable(t *testing.T) {
	t.Parallel()
	var bodies [][]byte
	var mu sync.Mutex
	mock := httpmock.NewMockTransport()
	calls := 0
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		mu.Lock()
		defer mu.Unlock()
		bodies = append(bodies, b)
		calls++
		if calls < 3 {
			return httpmock.NewStringResponse(502, "bad gateway"), nil
		}
		return httpmock.NewStringResponse(202, ""), nil
	})
	c, err := trax.New(postboxURL, trax.WithHTTPClient(&http.Client{Transport: mock}), trax.WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c.Create(t.Context(), s1Record("HD-7"))
	require.NoError(t, err)
	require.Len(t, bodies, 3)
	assert.True(t, bytes.Equal(bodies[0], bodies[2]))
}
