package traxtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/trax"
	"github.com/trackbridge/trackbridge/trax/traxtest"
)

// post sends body to the fake's Create endpoint with the given headers
// and returns the status, headers and decoded JSON body.
func post(t *testing.T, srv *traxtest.Server, body string, header map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL(), strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if len(data) > 0 {
		require.NoError(t, json.Unmarshal(data, &out), "body %s", data)
	}
	return resp.StatusCode, resp.Header, out
}

const validBody = `{"data":[{"id":"HD-1","attributes":{"name":"Phishing","source":"YouTrack"}}]}`

func TestServerEnforcesTheContract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		body       string
		header     map[string]string
		wantStatus int
		wantMsg    string
		wantPtr    string
	}{
		{"valid", validBody, nil, 201, "", ""},
		{"no token", validBody, map[string]string{"Authorization": ""}, 401, "missing or invalid API token", ""},
		{"wrong token", validBody, map[string]string{"Authorization": "Bearer nope"}, 401, "missing or invalid API token", ""},
		{"token without Bearer", validBody, map[string]string{"Authorization": traxtest.DefaultToken}, 401, "missing or invalid API token", ""},
		{"lower-case bearer", validBody, map[string]string{"Authorization": "bearer " + traxtest.DefaultToken}, 201, "", ""},
		{"form content type", validBody, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "is not application/json", ""},
		{"JSON:API content type", validBody, map[string]string{"Content-Type": "application/vnd.api+json; charset=utf-8"}, 201, "", ""},
		{"XML only accepted", validBody, map[string]string{"Accept": "application/xml"}, 406, "accept application/json", ""},
		{"not JSON", `data=1`, nil, 400, "body is not a JSON object", ""},
		{"extra member", `{"data":[],"meta":{}}`, nil, 400, `unknown member "meta"`, "/meta"},
		{"no data", `{}`, nil, 400, "missing member data", "/data"},
		{"data not a list", `{"data":{"id":"x"}}`, nil, 400, "data must be a list", "/data"},
		{"empty data", `{"data":[]}`, nil, 400, "data holds no records", "/data"},
		{"numeric id", `{"data":[{"id":5,"attributes":{"name":"n"}}]}`, nil, 400, "record id must be a non-empty string", "/data/0/id"},
		{"no attributes", `{"data":[{"id":"x"}]}`, nil, 400, "record attributes must be an object", "/data/0/attributes"},
		{"unknown record member", `{"data":[{"id":"x","attributes":{},"links":{}}]}`, nil, 400, `unknown member "links"`, "/data/0/links"},
		{"repeated id", `{"data":[{"id":"x","attributes":{"name":"a"}},{"id":"x","attributes":{"name":"b"}}]}`, nil, 400, `record id "x" repeated`, "/data/1/id"},
		{"ERD: missing name", `{"data":[{"id":"x","attributes":{"source":"s"}}]}`, nil, 422, `record "x": attribute "name": required attribute missing`, "/data/0/attributes/name"},
		{"ERD: unknown attribute", `{"data":[{"id":"x","attributes":{"name":"n","Severity":"High"}}]}`, nil, 422, `attribute "Severity": unknown attribute`, "/data/0/attributes/Severity"},
		{"ERD: too long", `{"data":[{"id":"x","attributes":{"name":"` + strings.Repeat("ä", 256) + `"}}]}`, nil, 422, `attribute "name": too long: 256 characters`, "/data/0/attributes/name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := traxtest.NewServer(t)
			status, hdr, body := post(t, srv, tt.body, tt.header)
			assert.Equal(t, tt.wantStatus, status)
			if tt.wantStatus == 201 {
				assert.Equal(t, map[string]any{"data": []any{map[string]any{"id": "HD-1", "type": "records"}}}, body)
				assert.Equal(t, 1, srv.Len())
				return
			}
			assert.Equal(t, "application/json", hdr.Get("Content-Type"))
			assert.Contains(t, body["message"], tt.wantMsg)
			errs, _ := body["errors"].([]any)
			require.NotEmpty(t, errs, "a JSON:API errors list")
			first := errs[0].(map[string]any)
			assert.Equal(t, fmt.Sprint(tt.wantStatus), first["status"])
			if tt.wantPtr != "" {
				assert.Equal(t, map[string]any{"pointer": tt.wantPtr}, first["source"])
			}
			if status == 401 {
				assert.Equal(t, `Bearer realm="trax"`, hdr.Get("WWW-Authenticate"))
			}
			assert.Zero(t, srv.Len(), "nothing is stored from a refused post")
		})
	}
}

func TestServerBatchIsAllOrNothing(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	status, _, _ := post(t, srv, `{"data":[{"id":"ok","attributes":{"name":"n"}},{"id":"bad","attributes":{}}]}`, nil)
	assert.Equal(t, 422, status)
	assert.Zero(t, srv.Len())
}

func TestServerOptions(t *testing.T) {
	t.Parallel()
	t.Run("without ERD", func(t *testing.T) {
		t.Parallel()
		srv := traxtest.NewServer(t, traxtest.WithoutERD())
		status, _, _ := post(t, srv, `{"data":[{"id":"x","attributes":{"anything":[1,2]}}]}`, nil)
		assert.Equal(t, 201, status)
	})
	t.Run("own ERD", func(t *testing.T) {
		t.Parallel()
		srv := traxtest.NewServer(t, traxtest.WithERD(&trax.ERD{Fields: []trax.FieldDef{{Name: "score", Type: trax.TypeInteger, Required: true}}}))
		status, _, body := post(t, srv, `{"data":[{"id":"x","attributes":{"score":1.5}}]}`, nil)
		assert.Equal(t, 422, status)
		assert.Contains(t, body["message"], `attribute "score": 1.5 is not an integer`)
	})
	t.Run("token", func(t *testing.T) {
		t.Parallel()
		srv := traxtest.NewServer(t, traxtest.WithToken("other"))
		assert.Equal(t, "other", srv.Token())
		status, _, _ := post(t, srv, validBody, nil)
		assert.Equal(t, 201, status)
	})
	t.Run("max batch", func(t *testing.T) {
		t.Parallel()
		srv := traxtest.NewServer(t, traxtest.WithMaxBatch(1))
		status, _, body := post(t, srv, `{"data":[{"id":"a","attributes":{"name":"n"}},{"id":"b","attributes":{"name":"n"}}]}`, nil)
		assert.Equal(t, 400, status)
		assert.Contains(t, body["message"], "2 records in one request, at most 1")
	})
	t.Run("204", func(t *testing.T) {
		t.Parallel()
		srv := traxtest.NewServer(t, traxtest.WithCreateStatus(http.StatusNoContent))
		status, _, body := post(t, srv, validBody, nil)
		assert.Equal(t, 204, status)
		assert.Nil(t, body)
	})
	t.Run("latency", func(t *testing.T) {
		t.Parallel()
		srv := traxtest.NewServer(t, traxtest.WithLatency(30*time.Millisecond))
		start := time.Now()
		status, _, _ := post(t, srv, validBody, nil)
		assert.Equal(t, 201, status)
		assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
		srv.SetLatency(0)
	})
	t.Run("without read endpoint", func(t *testing.T) {
		t.Parallel()
		srv := traxtest.NewServer(t, traxtest.WithoutReadEndpoint())
		srv.Seed(traxtest.SampleRecords(1)...)
		status, _, body := get(t, srv, "HD-1")
		assert.Equal(t, 404, status)
		assert.Contains(t, body["message"], "no such endpoint")
	})
}

func get(t *testing.T, srv *traxtest.Server, id string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, strings.Replace(srv.ReadURL(), "{id}", id, 1), nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	return do(t, req)
}

func TestServerFailNext(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	srv.FailNext(1, 429, 1500*time.Millisecond)
	srv.FailNext(1, 503, 0)
	status, hdr, body := post(t, srv, validBody, nil)
	assert.Equal(t, 429, status)
	assert.Equal(t, "2", hdr.Get("Retry-After"), "rounded up to whole seconds")
	assert.Contains(t, body["message"], "Too Many Requests")
	status, hdr, _ = post(t, srv, validBody, nil)
	assert.Equal(t, 503, status)
	assert.Empty(t, hdr.Get("Retry-After"))
	status, _, _ = post(t, srv, validBody, nil)
	assert.Equal(t, 201, status)

	att := srv.Attempts()
	require.Len(t, att, 3)
	for i, want := range []int{429, 503, 201} {
		assert.Equal(t, want, att[i].Status)
		assert.Equal(t, []string{"HD-1"}, att[i].IDs)
		assert.Equal(t, http.MethodPost, att[i].Method)
		assert.Equal(t, traxtest.CreatePath, att[i].Path)
	}
}

func TestServerReject(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	srv.Reject("HD-1", "closed as duplicate")
	status, _, body := post(t, srv, validBody, nil)
	assert.Equal(t, 422, status)
	assert.Equal(t, `record "HD-1": closed as duplicate`, body["message"])
}

func TestServerIsIdempotentByID(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	for range 3 {
		status, _, _ := post(t, srv, validBody, nil)
		require.Equal(t, 201, status)
	}
	status, _, _ := post(t, srv, `{"data":[{"id":"HD-1","attributes":{"name":"changed"}}]}`, nil)
	require.Equal(t, 201, status)
	assert.Equal(t, 1, srv.Len())
	assert.Equal(t, 4, srv.Deliveries("HD-1"))
	rec, ok := srv.Record("HD-1")
	require.True(t, ok)
	assert.Equal(t, "Phishing", rec.Attributes["name"], "a repeat keeps the first content")
	assert.Zero(t, srv.Deliveries("nope"))
	_, ok = srv.Record("nope")
	assert.False(t, ok)
}

func TestServerReadEndpoint(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	srv := traxtest.NewServer(t, traxtest.WithClock(func() time.Time { return now }))
	srv.Seed(traxtest.SampleRecords(3)...)
	status, _, body := get(t, srv, "HD-3")
	require.Equal(t, 200, status)
	data := body["data"].(map[string]any)
	assert.Equal(t, "HD-3", data["id"])
	assert.Equal(t, "https://youtrack.example.com/issue/HD-3", data["attributes"].(map[string]any)["issue_url"])
	assert.Equal(t, map[string]any{"status": "received", "created": "2026-11-21T08:00:00Z", "updated": "2026-11-21T08:00:00Z", "deliveries": 1.0}, data["meta"])

	status, _, body = get(t, srv, "HD-9")
	assert.Equal(t, 404, status)
	assert.Equal(t, `record "HD-9" not found`, body["message"])

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, strings.Replace(srv.ReadURL(), "{id}", "HD-1", 1), nil)
	require.NoError(t, err)
	status, _, _ = do(t, req)
	assert.Equal(t, 401, status, "reading needs the token too")
}

func TestServerCountsRequests(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	post(t, srv, validBody, nil)
	post(t, srv, validBody, map[string]string{"Authorization": ""})
	get(t, srv, "HD-1")
	assert.Equal(t, 3, srv.Requests())
	assert.Equal(t, 2, srv.RequestsTo("POST "+traxtest.CreatePath))
	assert.Equal(t, 1, srv.RequestsTo("GET "+traxtest.ReadPattern))
	assert.Equal(t, map[string]int{"POST /postbox/create": 2, "GET /records/{id}": 1}, srv.RequestCounts())
	srv.ResetRequests()
	assert.Zero(t, srv.Requests())
	assert.Empty(t, srv.Attempts())
	assert.Equal(t, 1, srv.Len(), "resetting counts keeps the records")
}

func TestServerIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := traxtest.NewServer(t)
	c, err := trax.New(srv.URL(), trax.WithToken(srv.Token()), trax.WithERD(trax.DefaultERD()), trax.WithMaxConns(16))
	require.NoError(t, err)
	recs := traxtest.SampleRecords(64)
	var wg sync.WaitGroup
	errs := make(chan error, len(recs))
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(recs); i += 16 {
				_, err := c.Create(t.Context(), recs[i])
				errs <- err
				_ = srv.Len()
				_ = srv.Records()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 64, srv.Len())
	assert.Equal(t, 64, srv.Requests())
}

func TestSampleRecordsAreValid(t *testing.T) {
	t.Parallel()
	e := trax.DefaultERD()
	recs := traxtest.SampleRecords(7)
	require.Len(t, recs, 7)
	for _, r := range recs {
		assert.NoError(t, e.Validate(r))
	}
	assert.Equal(t, "HD-7", recs[6].ID)
	// Returned records are copies.
	srv := traxtest.NewServer(t)
	srv.Seed(recs[0])
	got := srv.Records()
	got[0].Attributes["name"] = "changed"
	again, _ := srv.Record("HD-1")
	assert.NotEqual(t, "changed", again.Attributes["name"])
}

func TestNewWithoutTesting(t *testing.T) {
	t.Parallel()
	srv := traxtest.New()
	defer srv.Close()
	assert.True(t, strings.HasPrefix(srv.URL(), "http://127.0.0.1:"))
	assert.True(t, strings.HasSuffix(srv.URL(), traxtest.CreatePath))
	assert.True(t, strings.HasSuffix(srv.ReadURL(), "/records/{id}"))
}
