package extrahoptest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
)

const apiKeyHeader = "ExtraHop apikey=" + extrahoptest.DefaultAPIKey

// do sends a raw request and returns status, headers and body.
func do(t *testing.T, srv *extrahoptest.Server, method, path, auth, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func search(t *testing.T, srv *extrahoptest.Server, body string) []extrahop.Detection {
	t.Helper()
	status, _, out := do(t, srv, "POST", "/api/v1/detections/search", apiKeyHeader, body)
	require.Equal(t, 200, status, out)
	var list []extrahop.Detection
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	return list
}

func TestSeed(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	ids := srv.Seed(40)
	require.Len(t, ids, 40)
	types, cats := map[string]bool{}, map[string]bool{}
	nullRisk := 0
	var prev extrahop.Time
	for i, id := range ids {
		assert.Greater(t, id, int64(1)<<31)
		d, ok := srv.Detection(id)
		require.True(t, ok)
		types[d.Type] = true
		for _, c := range d.Categories {
			cats[c] = true
		}
		if d.RiskScore == nil {
			nullRisk++
		} else {
			assert.GreaterOrEqual(t, *d.RiskScore, 0)
			assert.LessOrEqual(t, *d.RiskScore, 99)
		}
		assert.Nil(t, d.Status)
		assert.Len(t, d.Participants, 2)
		assert.NotEmpty(t, d.URL)
		if i > 0 {
			assert.True(t, d.ModTime.After(prev.Time), "mod_time must strictly increase")
		}
		prev = d.ModTime
	}
	assert.Len(t, types, 8)
	assert.Contains(t, cats, "perf")
	assert.Contains(t, cats, "sec.attack")
	assert.Positive(t, nullRisk, "some detections have no risk score")

	// Deterministic across servers.
	other := extrahoptest.NewServer(t)
	assert.Equal(t, ids, other.Seed(40))
}

func TestSearchFiltersAndPaging(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	ids := srv.Seed(24)
	srv.Update(ids[0], func(d *extrahop.Detection) {
		d.Status, d.TicketID, d.Assignee = ptr("closed"), ptr("SEC-1"), ptr(extrahoptest.Me)
	})
	srv.Update(ids[1], func(d *extrahop.Detection) { d.Status = ptr("in_progress") })

	tests := []struct {
		name string
		body string
		want func(d extrahop.Detection) bool
	}{
		{"status none", `{"filter":{"status":[".none"]}}`, func(d extrahop.Detection) bool { return d.Status == nil }},
		{"status list", `{"filter":{"status":["closed","in_progress"]}}`, func(d extrahop.Detection) bool { return d.Status != nil }},
		{"ticket", `{"filter":{"ticket_id":["SEC-1"]}}`, func(d extrahop.Detection) bool { return d.TicketIDValue() == "SEC-1" }},
		{"no ticket", `{"filter":{"ticket_id":[".none"]}}`, func(d extrahop.Detection) bool { return d.TicketID == nil }},
		{"assignee me", `{"filter":{"assignee":[".me"]}}`, func(d extrahop.Detection) bool { return d.AssigneeValue() == extrahoptest.Me }},
		{"categories", `{"filter":{"categories":["perf"]}}`, func(d extrahop.Detection) bool { return d.RiskScore == nil }},
		{"types", `{"filter":{"types":["dns_tunnel","rdp_brute_force"]}}`, func(d extrahop.Detection) bool {
			return d.Type == "dns_tunnel" || d.Type == "rdp_brute_force"
		}},
		{"risk", `{"filter":{"risk_score_min":90}}`, func(d extrahop.Detection) bool { return d.RiskScore != nil && *d.RiskScore >= 90 }},
	}
	all := search(t, srv, `{}`)
	require.Len(t, all, 24)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := search(t, srv, tc.body)
			want := 0
			for _, d := range all {
				if tc.want(d) {
					want++
				}
			}
			assert.Len(t, got, want)
			assert.Positive(t, want, "the filter should select something")
			for _, d := range got {
				assert.True(t, tc.want(d), "detection %d does not match", d.ID)
			}
		})
	}

	// Default order: most recent modification first.
	assert.Equal(t, ids[1], all[0].ID)
	assert.Equal(t, ids[0], all[1].ID)

	// mod_time is exclusive, limit and offset page.
	asc := `{"sort":[{"field":"mod_time","direction":"asc"}],"limit":10,"offset":%d,"mod_time":%d}`
	since := all[len(all)-1].ModTime.Millis() // the oldest
	var paged []int64
	for off := 0; ; off += 10 {
		page := search(t, srv, fmt.Sprintf(asc, off, since))
		for _, d := range page {
			paged = append(paged, d.ID)
		}
		if len(page) < 10 {
			break
		}
	}
	assert.Len(t, paged, 23, "mod_time selects detections modified strictly after it")
	assert.Equal(t, ids[0], paged[len(paged)-2])
	assert.Equal(t, ids[1], paged[len(paged)-1])
}

func TestSearchRefusesBadBodies(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	for _, body := range []string{`{"limit":20001}`, `{"offset":-1}`, `{"bogus":1}`, `{"filter":{"nope":[]}}`, `{"sort":[{"field":"x","direction":"asc"}]}`, `{`, `{}{}`} {
		status, _, out := do(t, srv, "POST", "/api/v1/detections/search", apiKeyHeader, body)
		assert.Equal(t, 400, status, body)
		assert.Contains(t, out, `"error_message"`, body)
	}
}

func TestPatchSemantics(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	id := srv.Seed(1)[0]
	path := fmt.Sprintf("/api/v1/detections/%d", id)
	before, _ := srv.Detection(id)

	status, _, body := do(t, srv, "PATCH", path, apiKeyHeader, `{"ticket_id":"T-1","status":"closed","resolution":"action_taken","assignee":"bob"}`)
	require.Equal(t, 204, status, body)
	assert.Empty(t, body)
	d, _ := srv.Detection(id)
	assert.Equal(t, "T-1", d.TicketIDValue())
	assert.Equal(t, "closed", d.StatusValue())
	assert.Equal(t, "action_taken", d.ResolutionValue())
	assert.Equal(t, "bob", d.AssigneeValue())
	assert.True(t, d.ModTime.After(before.ModTime.Time))

	// Absent keys stay, null clears.
	status, _, _ = do(t, srv, "PATCH", path, apiKeyHeader, `{"ticket_id":"T-1","assignee":null}`)
	require.Equal(t, 204, status)
	d, _ = srv.Detection(id)
	assert.Nil(t, d.Assignee)
	assert.Equal(t, "closed", d.StatusValue())

	for _, bad := range []string{`{"status":"closed"}`, `{"ticket_id":"T","status":"done"}`, `{"ticket_id":"T","resolution":"fixed"}`, `{"ticket_id":"T","title":"x"}`, `{"ticket_id":5}`} {
		status, _, out := do(t, srv, "PATCH", path, apiKeyHeader, bad)
		assert.Equal(t, 400, status, bad)
		assert.Contains(t, out, "error_message", bad)
	}
	status, _, out := do(t, srv, "PATCH", "/api/v1/detections/5", apiKeyHeader, `{"ticket_id":"T"}`)
	assert.Equal(t, 404, status)
	assert.JSONEq(t, `{"error_message":"Detection 5 not found"}`, out)
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	clock := extrahoptest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := extrahoptest.NewServer(t, extrahoptest.WithAPIKey("k1"), extrahoptest.WithClientCredentials("id", "secret"),
		extrahoptest.WithTokenTTL(30*time.Second), extrahoptest.WithClock(clock.Now))
	id := srv.Seed(1)[0]
	path := fmt.Sprintf("/api/v1/detections/%d", id)

	status, _, out := do(t, srv, "GET", path, "ExtraHop apikey=k1", "")
	assert.Equal(t, 200, status, out)
	status, _, out = do(t, srv, "GET", path, apiKeyHeader, "")
	assert.Equal(t, 401, status, "the default key is off once keys are configured")
	assert.JSONEq(t, `{"error_message":"Invalid API key"}`, out)
	status, _, _ = do(t, srv, "GET", path, "", "")
	assert.Equal(t, 401, status)

	token := func(user, pass, form string) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL()+"/oauth2/token", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(user, pass)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, out = token("id", "wrong", "grant_type=client_credentials")
	assert.Equal(t, 400, status)
	assert.JSONEq(t, `{"error":"invalid_client"}`, out)
	req, _ := http.NewRequest("POST", srv.URL()+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode, "no client authentication at all")
	assert.NotEmpty(t, resp.Header.Get("WWW-Authenticate"))
	status, out = token("id", "secret", "grant_type=password")
	assert.Equal(t, 400, status)
	assert.JSONEq(t, `{"error":"unsupported_grant_type"}`, out)
	status, out = token("id", "secret", url.Values{"grant_type": {"client_credentials"}}.Encode())
	require.Equal(t, 200, status, out)
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &tok))
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.Equal(t, 30, tok.ExpiresIn)

	status, _, _ = do(t, srv, "GET", path, "Bearer "+tok.AccessToken, "")
	assert.Equal(t, 200, status)
	clock.Advance(30 * time.Second)
	status, _, out = do(t, srv, "GET", path, "Bearer "+tok.AccessToken, "")
	assert.Equal(t, 401, status, "the token expires by the server's clock")
	assert.JSONEq(t, `{"error_message":"Invalid access token"}`, out)
	assert.Equal(t, 1, srv.TokensIssued())
}

func TestFailuresLatencyAndCounting(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t, extrahoptest.WithLatency(20*time.Millisecond))
	id := srv.Seed(1)[0]
	path := fmt.Sprintf("/api/v1/detections/%d", id)

	srv.FailNext(1, 429, 1500*time.Millisecond)
	srv.FailNext(1, 503, 0)
	status, h, out := do(t, srv, "GET", path, apiKeyHeader, "")
	assert.Equal(t, 429, status)
	assert.Equal(t, "2", h.Get("Retry-After"), "rounded up to whole seconds")
	assert.Contains(t, out, "error_message")
	status, h, _ = do(t, srv, "GET", path, apiKeyHeader, "")
	assert.Equal(t, 503, status)
	assert.Empty(t, h.Get("Retry-After"))

	start := time.Now()
	status, _, _ = do(t, srv, "GET", path, apiKeyHeader, "")
	assert.Equal(t, 200, status)
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond, "latency is injected")

	assert.Equal(t, 3, srv.Requests())
	assert.Equal(t, 3, srv.RequestCount("GET /api/v1/detections/{id}"))
	do(t, srv, "GET", "/api/v1/nope", apiKeyHeader, "")
	assert.Equal(t, 1, srv.RequestCount("UNMATCHED"))
	srv.ResetRequests()
	assert.Zero(t, srv.Requests())
	assert.Empty(t, srv.RequestCounts())
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	ids := srv.Seed(16)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			path := fmt.Sprintf("/api/v1/detections/%d", id)
			status, _, _ := do(t, srv, "PATCH", path, apiKeyHeader, fmt.Sprintf(`{"ticket_id":"T-%d","status":"new"}`, i))
			assert.Equal(t, 204, status)
			search(t, srv, `{"limit":5}`)
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for i, id := range ids {
		d, _ := srv.Detection(id)
		assert.Equal(t, fmt.Sprintf("T-%d", i), d.TicketIDValue())
		assert.False(t, seen[d.ModTime.Millis()], "two changes share a mod_time")
		seen[d.ModTime.Millis()] = true
	}
}

func ptr(s string) *string { return &s }

// The fake runs without a *testing.T, for example programs.
func Example() {
	srv := extrahoptest.New()
	defer srv.Close()
	ids := srv.Seed(2)

	c, err := extrahop.New(srv.URL(), extrahop.WithAPIKey(extrahoptest.DefaultAPIKey))
	if err != nil {
		log.Fatal(err)
	}
	_ = c // hand the client to the code under test
	d, _ := srv.Detection(ids[1])
	fmt.Println(ids[1], d.Title, srv.Requests())
	// Output: 8589935240 Weak Cipher Suite 0
}
