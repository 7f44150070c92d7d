package extrahop_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/internal/contract"
	"github.com/trackbridge/trackbridge/tracker"
)

const (
	host   = "https://eda.example.com"
	apiKey = "k3y-s3cr3t-value"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

func jsonResponder(status int, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(status, body)
		r.Header.Set("Content-Type", "application/json")
		return r, nil
	}
}

// recorded is one request as the mock saw it.
type recorded struct {
	Method, Path, Query, Body, Auth, ContentType string
}

// recordingMock returns a mock transport that answers every request with
// status and body and records what it received.
func recordingMock(status int, body string, got *[]recorded) *httpmock.MockTransport {
	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		var b []byte
		if r.Body != nil {
			b, _ = io.ReadAll(r.Body)
		}
		*got = append(*got, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(b),
			Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type")})
		if status == http.StatusNoContent {
			return httpmock.NewStringResponse(status, ""), nil
		}
		return jsonResponder(status, body)(r)
	})
	return mock
}

func mockClient(t *testing.T, rt http.RoundTripper, opts ...extrahop.Option) *extrahop.Client {
	t.Helper()
	opts = append([]extrahop.Option{extrahop.WithAPIKey(apiKey), extrahop.WithHTTPClient(&http.Client{Transport: rt}),
		extrahop.WithRetryWait(time.Millisecond, 2*time.Millisecond)}, opts...)
	c, err := extrahop.New(host, opts...)
	require.NoError(t, err)
	return c
}

// TestRequestsBuilt checks the exact requests the client sends.
func TestRequestsBuilt(t *testing.T) {
	t.Parallel()
	risk := 70
	tests := []struct {
		name   string
		status int
		body   string
		call   func(c *extrahop.Client) error
		want   recorded
	}{
		{"get", 200, "detection_get.json", func(c *extrahop.Client) error {
			_, _, err := c.Detections.Get(context.Background(), 8589935233, &extrahop.GetOptions{IncludeActivityLog: true})
			return err
		}, recorded{Method: "GET", Path: "/api/v1/detections/8589935233", Query: "include_activity_log=true"}},
		{"search", 200, "detection_search.json", func(c *extrahop.Client) error {
			s := extrahop.ModifiedSince(time.UnixMilli(1763600000000), 500)
			s.Filter = &extrahop.DetectionFilter{Status: []string{extrahop.FilterNone, extrahop.StatusNew}, TicketID: []string{extrahop.FilterNone},
				Categories: []string{"sec.attack"}, Types: []string{"rdp_brute_force"}, RiskScoreMin: &risk, Assignee: []string{".me"}, Resolution: []string{".none"}}
			s.Offset = 1000
			_, _, err := c.Detections.Search(context.Background(), s)
			return err
		}, recorded{Method: "POST", Path: "/api/v1/detections/search", ContentType: "application/json",
			Body: `{"mod_time":1763600000000,"filter":{"status":[".none","new"],"resolution":[".none"],"assignee":[".me"],"ticket_id":[".none"],"categories":["sec.attack"],"types":["rdp_brute_force"],"risk_score_min":70},"sort":[{"field":"mod_time","direction":"asc"},{"field":"id","direction":"asc"}],"limit":500,"offset":1000}`}},
		{"update", 204, "", func(c *extrahop.Client) error {
			_, err := c.Detections.Update(context.Background(), 8589935233, &extrahop.DetectionUpdate{
				TicketID: tracker.Ptr("TK-16982"), Status: tracker.Ptr("new"), Assignee: tracker.Ptr("sally"), Resolution: tracker.Ptr("")})
			return err
		}, recorded{Method: "PATCH", Path: "/api/v1/detections/8589935233", ContentType: "application/json",
			Body: `{"assignee":"sally","resolution":null,"status":"new","ticket_id":"TK-16982"}`}},
		{"update by ticket", 204, "", func(c *extrahop.Client) error {
			_, err := c.Detections.UpdateByTicket(context.Background(), &extrahop.TicketUpdate{
				TicketID: "SEC-9", Status: tracker.Ptr("closed"), Resolution: tracker.Ptr("action_taken")})
			return err
		}, recorded{Method: "PATCH", Path: "/api/v1/detections/tickets", ContentType: "application/json",
			Body: `{"resolution":"action_taken","status":"closed","ticket_id":"SEC-9"}`}},
		{"put note", 204, "", func(c *extrahop.Client) error {
			_, err := c.Detections.PutNote(context.Background(), 22222222222, "See <SEC-9> & co")
			return err
		}, recorded{Method: "PUT", Path: "/api/v1/detections/22222222222/notes", ContentType: "application/json", Body: `{"note":"See <SEC-9> & co"}`}},
		{"delete note", 204, "", func(c *extrahop.Client) error {
			_, err := c.Detections.DeleteNote(context.Background(), 22222222222)
			return err
		}, recorded{Method: "DELETE", Path: "/api/v1/detections/22222222222/notes"}},
		{"formats", 200, "", func(c *extrahop.Client) error {
			_, _, err := c.Detections.Formats(context.Background())
			return err
		}, recorded{Method: "GET", Path: "/api/v1/detections/formats"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := "[]"
			if tc.body != "" {
				body = fixture(t, tc.body)
			}
			var got []recorded
			spec := contract.Load(t, contract.ExtraHop)
			c := mockClient(t, spec.Transport(t, recordingMock(tc.status, body, &got)))
			require.NoError(t, tc.call(c))
			require.Len(t, got, 1)
			tc.want.Auth = "ExtraHop apikey=" + apiKey
			assert.Equal(t, tc.want, got[0])
		})
	}
}

func TestDecodeFixtures(t *testing.T) {
	t.Parallel()
	spec := contract.Load(t, contract.ExtraHop)
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("GET", host+"/api/v1/detections/8589935233", jsonResponder(200, fixture(t, "detection_get.json")))
	mock.RegisterResponder("POST", host+"/api/v1/detections/search", jsonResponder(200, fixture(t, "detection_search.json")))
	c := mockClient(t, spec.Transport(t, mock))
	ctx := context.Background()

	d, resp, err := c.Detections.Get(ctx, 8589935233, nil)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, int64(8589935233), d.ID)
	assert.Equal(t, int64(3), d.ApplianceID)
	require.NotNil(t, d.RiskScore)
	assert.Equal(t, 84, *d.RiskScore)
	assert.Equal(t, "in_progress", d.StatusValue())
	assert.Nil(t, d.Resolution)
	assert.Equal(t, "54799", d.TicketIDValue())
	assert.True(t, d.CreateTime.Equal(time.UnixMilli(1763700000123)), "create_time keeps milliseconds")
	assert.Equal(t, []extrahop.Mitre{{ID: "TA0006", Name: "Credential Access", URL: "https://attack.mitre.org/tactics/TA0006"}}, d.MitreTactics)
	assert.Equal(t, "T1110 Brute Force", d.MitreTechniques[0].String())
	require.Len(t, d.Participants, 2)
	assert.Equal(t, "203.0.113.7", d.Participants[0].ObjectValue)
	assert.Equal(t, int64(42), d.Participants[1].ObjectID)
	assert.JSONEq(t, `{"country":"DE"}`, string(d.Participants[1].Extra["geo"]), "unknown participant keys are kept")
	assert.JSONEq(t, `[77]`, string(d.Extra["investigation_ids"]), "unknown detection keys are kept")
	assert.Equal(t, []string{"high_risk", "rare_type"}, d.RecommendedFactors)
	assert.Equal(t, []any{"RDP:3389"}, d.Properties["ports"])

	list, _, err := c.Detections.Search(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list, 3)
	assert.Equal(t, int64(22222222222), list[0].ID)
	assert.True(t, list[0].EndTime.IsZero(), "null end_time")
	assert.Nil(t, list[0].Status)
	assert.Nil(t, list[1].RiskScore, "null risk score")
	assert.Equal(t, "no_action_taken", list[1].ResolutionValue())
	assert.Equal(t, int64(9007199254740993), list[2].ID, "ids above 2^53 stay exact")
	assert.Nil(t, list[2].RiskScore, "absent risk score")
	assert.Contains(t, list[2].Extra, "some_future_field")
}

func TestErrorFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, fixture string
		status        int
		is            error
		message       string
	}{
		{"bad api key", "error_401.json", 401, tracker.ErrUnauthorized, "Invalid API key"},
		{"expired token", "error_401_token.json", 401, tracker.ErrUnauthorized, "Invalid access token"},
		{"missing", "error_404.json", 404, tracker.ErrNotFound, "Detection 42 not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock := httpmock.NewMockTransport()
			mock.RegisterResponder("GET", host+"/api/v1/detections/42", jsonResponder(tc.status, fixture(t, tc.fixture)))
			c := mockClient(t, mock)
			_, resp, err := c.Detections.Get(context.Background(), 42, nil)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.is)
			var apiErr *extrahop.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.NotContains(t, err.Error(), apiKey)
			assert.Equal(t, 1, mock.GetTotalCallCount(), "errors other than 429/5xx are not retried")
		})
	}
}

func TestOAuth2Fixtures(t *testing.T) {
	t.Parallel()
	const id, secret = "client-id", "client-s3cr3t"
	newOAuthClient := func(t *testing.T, rt http.RoundTripper) *extrahop.Client {
		c, err := extrahop.New("https://acme.api.cloud.extrahop.com/api/v1", extrahop.WithClientCredentials(id, secret),
			extrahop.WithHTTPClient(&http.Client{Transport: rt}))
		require.NoError(t, err)
		return c
	}

	t.Run("token", func(t *testing.T) {
		t.Parallel()
		spec := contract.Load(t, contract.ExtraHop)
		mock := httpmock.NewMockTransport()
		var tokenReq *http.Request
		var tokenBody string
		mock.RegisterResponder("POST", "https://acme.api.cloud.extrahop.com/oauth2/token", func(r *http.Request) (*http.Response, error) {
			b, _ := io.ReadAll(r.Body)
			tokenReq, tokenBody = r, string(b)
			return jsonResponder(200, fixture(t, "oauth2_token.json"))(r)
		})
		var auths []string
		mock.RegisterResponder("GET", "https://acme.api.cloud.extrahop.com/api/v1/detections/8589935233", func(r *http.Request) (*http.Response, error) {
			auths = append(auths, r.Header.Get("Authorization"))
			return jsonResponder(200, fixture(t, "detection_get.json"))(r)
		})
		c := newOAuthClient(t, spec.Transport(t, mock, contract.Allow("POST", "/oauth2/token")))
		for range 3 {
			_, _, err := c.Detections.Get(context.Background(), 8589935233, nil)
			require.NoError(t, err)
		}
		require.NotNil(t, tokenReq)
		assert.Equal(t, 1, mock.GetCallCountInfo()["POST https://acme.api.cloud.extrahop.com/oauth2/token"], "one token for three calls")
		gotID, gotSecret, ok := tokenReq.BasicAuth()
		assert.True(t, ok, "client credentials go in a Basic header")
		assert.Equal(t, id, gotID)
		assert.Equal(t, secret, gotSecret)
		assert.Equal(t, "application/x-www-form-urlencoded", tokenReq.Header.Get("Content-Type"))
		assert.Equal(t, "grant_type=client_credentials", tokenBody)
		want := "Bearer eyJraWQiOiJ0ZXN0IiwiYWxnIjoiUlMyNTYifQ.payload.signature"
		assert.Equal(t, []string{want, want, want}, auths)
	})

	t.Run("refused token", func(t *testing.T) {
		t.Parallel()
		mock := httpmock.NewMockTransport()
		mock.RegisterResponder("POST", "https://acme.api.cloud.extrahop.com/oauth2/token", jsonResponder(200, fixture(t, "oauth2_token.json")))
		mock.RegisterResponder("GET", "https://acme.api.cloud.extrahop.com/api/v1/detections/1", jsonResponder(401, fixture(t, "error_401_token.json")))
		c := newOAuthClient(t, mock)
		_, _, err := c.Detections.Get(context.Background(), 1, nil)
		assert.ErrorIs(t, err, tracker.ErrUnauthorized)
		assert.Contains(t, err.Error(), "Invalid access token")
		assert.NotContains(t, err.Error(), "eyJraWQ", "the token never shows in errors")
		info := mock.GetCallCountInfo()
		assert.Equal(t, 2, info["GET https://acme.api.cloud.extrahop.com/api/v1/detections/1"], "one retry with a new token, no more")
		assert.Equal(t, 2, info["POST https://acme.api.cloud.extrahop.com/oauth2/token"])
	})

	// RevealX 360 sometimes refuses a stale token with a 400 and a text
	// body; that is retried once with a new token, other 400s are not.
	t.Run("400 for the token or for the request", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name      string
			body      string
			wantGets  int
			wantToken int
			wantErr   bool
		}{
			{"stale token", "The specified access token is invalid", 2, 2, false},
			{"bad request", "Invalid detection id", 1, 1, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				mock := httpmock.NewMockTransport()
				mock.RegisterResponder("POST", "https://acme.api.cloud.extrahop.com/oauth2/token", jsonResponder(200, fixture(t, "oauth2_token.json")))
				mock.RegisterResponder("GET", "https://acme.api.cloud.extrahop.com/api/v1/detections/8589935233",
					httpmock.NewStringResponder(400, tt.body).Then(jsonResponder(200, fixture(t, "detection_get.json"))))
				c := newOAuthClient(t, mock)
				_, _, err := c.Detections.Get(context.Background(), 8589935233, nil)
				if tt.wantErr {
					require.Error(t, err)
					assert.Contains(t, err.Error(), tt.body, "the server's message is kept")
				} else {
					require.NoError(t, err)
				}
				info := mock.GetCallCountInfo()
				assert.Equal(t, tt.wantGets, info["GET https://acme.api.cloud.extrahop.com/api/v1/detections/8589935233"])
				assert.Equal(t, tt.wantToken, info["POST https://acme.api.cloud.extrahop.com/oauth2/token"])
			})
		}
	})

	t.Run("invalid_client", func(t *testing.T) {
		t.Parallel()
		mock := httpmock.NewMockTransport()
		mock.RegisterResponder("POST", "https://acme.api.cloud.extrahop.com/oauth2/token", jsonResponder(400, fixture(t, "oauth2_invalid_client.json")))
		c := newOAuthClient(t, mock)
		_, _, err := c.Detections.Get(context.Background(), 1, nil)
		require.Error(t, err)
		assert.ErrorIs(t, err, tracker.ErrUnauthorized)
		assert.Contains(t, err.Error(), "400 invalid_client")
		assert.NotContains(t, err.Error(), secret)
		assert.Equal(t, 1, mock.GetTotalCallCount(), "no API call without a token, and no retry of a refused client")
	})
}

func TestBaseURLForms(t *testing.T) {
	t.Parallel()
	tests := []struct{ base, want string }{
		{"https://eda.example.com", "https://eda.example.com/api/v1/detections/1"},
		{"https://eda.example.com/", "https://eda.example.com/api/v1/detections/1"},
		{"https://eda.example.com/api/v1", "https://eda.example.com/api/v1/detections/1"},
		{"https://eda.example.com/api/v1/", "https://eda.example.com/api/v1/detections/1"},
		{"https://proxy.example.com/extrahop", "https://proxy.example.com/extrahop/api/v1/detections/1"},
	}
	for _, tc := range tests {
		t.Run(tc.base, func(t *testing.T) {
			t.Parallel()
			mock := httpmock.NewMockTransport()
			mock.RegisterResponder("GET", tc.want, jsonResponder(200, `{"id":1}`))
			c, err := extrahop.New(tc.base, extrahop.WithAPIKey(apiKey), extrahop.WithHTTPClient(&http.Client{Transport: mock}))
			require.NoError(t, err)
			_, _, err = c.Detections.Get(context.Background(), 1, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want[:strings.Index(tc.want, "detections")], c.BaseURL().String())
		})
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		base    string
		opts    []extrahop.Option
		message string
	}{
		{"no auth", host, nil, "exactly one of"},
		{"two auths", host, []extrahop.Option{extrahop.WithAPIKey("k"), extrahop.WithClientCredentials("i", "s")}, "exactly one of"},
		{"empty key", host, []extrahop.Option{extrahop.WithAPIKey(" ")}, "empty key"},
		{"empty secret", host, []extrahop.Option{extrahop.WithClientCredentials("id", "")}, "empty client id or secret"},
		{"plain http key", "http://eda.example.com", []extrahop.Option{extrahop.WithAPIKey("k")}, "plain http"},
		{"plain http oauth", "http://eda.example.com", []extrahop.Option{extrahop.WithClientCredentials("i", "s")}, "plain http"},
		{"not a url", "eda.example.com", []extrahop.Option{extrahop.WithAPIKey("k")}, "want https://host"},
		{"nil http client", host, []extrahop.Option{extrahop.WithAPIKey("k"), extrahop.WithHTTPClient(nil)}, "nil client"},
		{"bad retries", host, []extrahop.Option{extrahop.WithAPIKey("k"), extrahop.WithMaxRetries(-1)}, "negative"},
		{"nil limiter", host, []extrahop.Option{extrahop.WithAPIKey("k"), extrahop.WithLimiter(nil)}, "extrahop: WithLimiter: nil limiter"},
		{"zero max conns", host, []extrahop.Option{extrahop.WithAPIKey("k"), extrahop.WithMaxConns(0)}, "extrahop: WithMaxConns(0)"},
		{"bad token url", host, []extrahop.Option{extrahop.WithClientCredentials("i", "s"), extrahop.WithTokenURL("ftp://x")}, "not an http(s) URL"},
		{"header injection", host, []extrahop.Option{extrahop.WithAPIKey("k\r\nX: y")}, "line break"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := extrahop.New(tc.base, tc.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.message)
		})
	}
	_, err := extrahop.New("http://127.0.0.1:8080", extrahop.WithAPIKey("k"))
	assert.NoError(t, err, "loopback may use plain http")
	_, err = extrahop.New("http://eda.example.com", extrahop.WithAPIKey("k"), extrahop.WithInsecureHTTP())
	assert.NoError(t, err)
}

func TestClientNeverPrintsSecrets(t *testing.T) {
	t.Parallel()
	for _, opt := range []extrahop.Option{extrahop.WithAPIKey(apiKey), extrahop.WithClientCredentials("client-id", apiKey)} {
		c, err := extrahop.New(host, opt)
		require.NoError(t, err)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			out := fmt.Sprintf(verb, c)
			assert.NotContains(t, out, apiKey, verb)
			assert.Contains(t, out, "extrahop", verb)
		}
		out := fmt.Sprintf("%+v %#v", *c, c.Detections)
		assert.NotContains(t, out, apiKey)
	}
}

func TestUpdateRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	var got []recorded
	c := mockClient(t, recordingMock(204, "", &got))
	ctx := context.Background()
	tests := []struct {
		name    string
		u       *extrahop.DetectionUpdate
		is      error
		message string
	}{
		{"resolution without status", &extrahop.DetectionUpdate{TicketID: tracker.Ptr("T-1"), Resolution: tracker.Ptr("action_taken")}, extrahop.ErrResolutionNeedsClosed, "status not set"},
		{"resolution with in_progress", &extrahop.DetectionUpdate{TicketID: tracker.Ptr("T-1"), Status: tracker.Ptr("in_progress"), Resolution: tracker.Ptr("no_action_taken")}, extrahop.ErrResolutionNeedsClosed, `status "in_progress"`},
		{"no ticket id", &extrahop.DetectionUpdate{Status: tracker.Ptr("closed")}, nil, "requires ticket_id"},
		{"bad status", &extrahop.DetectionUpdate{TicketID: tracker.Ptr("T-1"), Status: tracker.Ptr("resolved")}, nil, `status "resolved"`},
		{"bad resolution", &extrahop.DetectionUpdate{TicketID: tracker.Ptr("T-1"), Status: tracker.Ptr("closed"), Resolution: tracker.Ptr("fixed")}, nil, `resolution "fixed"`},
	}
	for _, tc := range tests {
		_, err := c.Detections.Update(ctx, 1, tc.u)
		require.Error(t, err, tc.name)
		if tc.is != nil {
			assert.ErrorIs(t, err, tc.is, tc.name)
		}
		assert.Contains(t, err.Error(), tc.message, tc.name)
	}
	_, err := c.Detections.UpdateByTicket(ctx, &extrahop.TicketUpdate{TicketID: "T-1", Resolution: tracker.Ptr("action_taken")})
	assert.ErrorIs(t, err, extrahop.ErrResolutionNeedsClosed)
	_, err = c.Detections.UpdateByTicket(ctx, &extrahop.TicketUpdate{Status: tracker.Ptr("closed")})
	assert.ErrorContains(t, err, "ticket id is required")
	_, _, err = c.Detections.Search(ctx, &extrahop.DetectionSearch{Limit: 20001})
	assert.ErrorContains(t, err, "limit 20001")
	_, _, err = c.Detections.Search(ctx, &extrahop.DetectionSearch{Sort: []extrahop.Sort{{Field: "mod_time", Direction: "up"}}})
	assert.ErrorContains(t, err, `direction "up"`)
	assert.Empty(t, got, "refused requests must not be sent")
}

func TestSearchAllStopsAndReportsErrors(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	page := func(ids ...int64) string {
		var ds []map[string]any
		for _, id := range ids {
			ds = append(ds, map[string]any{"id": id, "mod_time": id})
		}
		b, _ := json.Marshal(ds)
		return string(b)
	}
	var offsets []int
	mock.RegisterResponder("POST", host+"/api/v1/detections/search", func(r *http.Request) (*http.Response, error) {
		var body struct{ Offset int }
		_ = json.NewDecoder(r.Body).Decode(&body)
		offsets = append(offsets, body.Offset)
		switch body.Offset {
		case 0:
			return jsonResponder(200, page(1, 2))(r)
		case 2:
			return jsonResponder(200, page(3, 4))(r)
		}
		return jsonResponder(400, `{"error_message":"offset too large"}`)(r)
	})
	c := mockClient(t, mock)
	var ids []int64
	var errs []error
	for d, err := range c.Detections.SearchAll(context.Background(), &extrahop.DetectionSearch{Limit: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []int64{1, 2, 3, 4}, ids)
	assert.Equal(t, []int{0, 2, 4}, offsets)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], tracker.ErrInvalid)
	assert.Contains(t, errs[0].Error(), "offset too large")
}

// tiedServer answers searches over detections whose mod_times tie, the way
// ExtraHop does: mod_time exclusive, sorted by mod_time then id, then
// offset and limit. It records each request's mod_time and offset.
func tiedServer(mods map[int64]int64, got *[][2]int64) *httpmock.MockTransport {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("POST", host+"/api/v1/detections/search", func(r *http.Request) (*http.Response, error) {
		var body struct {
			ModTime *int64 `json:"mod_time"`
			Offset  int    `json:"offset"`
			Limit   int    `json:"limit"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return nil, err
		}
		from := int64(-1)
		if body.ModTime != nil {
			from = *body.ModTime
		}
		*got = append(*got, [2]int64{from, int64(body.Offset)})
		var ids []int64
		for id, m := range mods {
			if m > from {
				ids = append(ids, id)
			}
		}
		slices.SortFunc(ids, func(a, b int64) int { return cmp.Or(cmp.Compare(mods[a], mods[b]), cmp.Compare(a, b)) })
		ids = ids[min(body.Offset, len(ids)):]
		ids = ids[:min(body.Limit, len(ids))]
		var page []map[string]int64
		for _, id := range ids {
			page = append(page, map[string]int64{"id": id, "mod_time": mods[id]})
		}
		b, _ := json.Marshal(page)
		return jsonResponder(200, cmp.Or(string(b), "[]"))(r)
	})
	return mock
}

func TestSearchAllPagesByModTimeThroughTies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		mods  map[int64]int64
		limit int
		want  [][2]int64 // mod_time (-1: none) and offset of each request
	}{
		{"ties across pages", map[int64]int64{1: 10, 2: 10, 3: 10, 4: 10, 5: 11, 6: 11, 7: 12}, 3,
			[][2]int64{{-1, 0}, {9, 3}, {10, 0}, {11, 0}}},
		{"a page in one millisecond", map[int64]int64{1: 10, 2: 10, 3: 10, 4: 10, 5: 10}, 2,
			[][2]int64{{-1, 0}, {9, 2}, {9, 4}}},
		{"no ties", map[int64]int64{1: 10, 2: 11, 3: 12, 4: 13}, 2,
			[][2]int64{{-1, 0}, {10, 0}, {11, 0}, {12, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var reqs [][2]int64
			c := mockClient(t, tiedServer(tc.mods, &reqs))
			var ids []int64
			for d, err := range c.Detections.SearchAll(context.Background(), extrahop.ModifiedSince(time.Time{}, tc.limit)) {
				require.NoError(t, err)
				ids = append(ids, d.ID)
			}
			want := slices.Sorted(maps.Keys(tc.mods))
			slices.SortStableFunc(want, func(a, b int64) int { return cmp.Compare(tc.mods[a], tc.mods[b]) })
			assert.Equal(t, want, ids, "every detection exactly once, in mod_time order")
			assert.Equal(t, tc.want, reqs)
		})
	}
}

func TestIntegrationHeader(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	var got http.Header
	mock.RegisterResponder("GET", host+"/api/v1/detections/formats", func(r *http.Request) (*http.Response, error) {
		got = r.Header.Clone()
		return jsonResponder(200, `[]`)(r)
	})
	c := mockClient(t, mock, extrahop.WithIntegration("trackbridge-0.1"), extrahop.WithUserAgent("hostapp/2"))
	_, _, err := c.Detections.Formats(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "trackbridge-0.1", got.Get("ExtraHop-Integration"))
	assert.True(t, strings.HasPrefix(got.Get("User-Agent"), "hostapp/2 trackbridge/"), got.Get("User-Agent"))
}
