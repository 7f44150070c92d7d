package extrahop_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
)

const odsSecret = "ods-shared-s3cret"

const odsPayload = `{"event":"DETECTION_UPDATE","id":8589935233,"title":"RDP Brute Force","description":"Many passwords.",
"type":"rdp_brute_force","categories":["sec","sec.attack"],"risk_score":84,"status":null,"ticket_id":null,
"start_time":1763700000000,"mitre_tactics":[{"id":"TA0006","name":"Credential Access"}],"is_custom":false}`

type odsSink struct {
	mu     sync.Mutex
	events []*extrahop.DetectionEvent
	err    error
}

func (s *odsSink) handle(_ context.Context, ev *extrahop.DetectionEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.events = append(s.events, ev)
	return nil
}

func TestODSReceiver(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		method  string
		header  string
		value   string
		body    string
		status  int
		events  int
		message string
	}{
		{"one event", "POST", extrahop.DefaultODSSecretHeader, odsSecret, odsPayload, 204, 1, ""},
		{"a list", "POST", extrahop.DefaultODSSecretHeader, odsSecret, "[" + odsPayload + "," + strings.Replace(odsPayload, "8589935233", "22222222222", 1) + "]", 204, 2, ""},
		{"wrong secret", "POST", extrahop.DefaultODSSecretHeader, "guess", odsPayload, 401, 0, "wrong"},
		{"no secret", "POST", "", "", odsPayload, 401, 0, "no X-Trackbridge-Secret header"},
		{"secret in another header", "POST", "Authorization", odsSecret, odsPayload, 401, 0, "no X-Trackbridge-Secret"},
		{"not json", "POST", extrahop.DefaultODSSecretHeader, odsSecret, "<html>", 400, 0, "not a JSON object or list"},
		{"broken json", "POST", extrahop.DefaultODSSecretHeader, odsSecret, `{"id":1,`, 400, 0, "malformed"},
		{"no id", "POST", extrahop.DefaultODSSecretHeader, odsSecret, `{"event":"DETECTION_UPDATE","title":"x"}`, 400, 0, `no positive integer "id"`},
		{"string id", "POST", extrahop.DefaultODSSecretHeader, odsSecret, `{"id":"12"}`, 400, 0, "malformed"},
		{"empty list", "POST", extrahop.DefaultODSSecretHeader, odsSecret, `[]`, 400, 0, "empty list"},
		{"too large", "POST", extrahop.DefaultODSSecretHeader, odsSecret, `{"id":1,"description":"` + strings.Repeat("a", 5000) + `"}`, 413, 0, "too large"},
		{"wrong method", "GET", extrahop.DefaultODSSecretHeader, odsSecret, "", 405, 0, "not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sink := &odsSink{}
			rcv, err := extrahop.NewODSReceiver(extrahop.ODSConfig{Secret: odsSecret, MaxBody: 4096, Handle: sink.handle})
			require.NoError(t, err)
			req := httptest.NewRequest(tc.method, "/extrahop/detections", strings.NewReader(tc.body))
			if tc.header != "" {
				req.Header.Set(tc.header, tc.value)
			}
			w := httptest.NewRecorder()
			rcv.ServeHTTP(w, req)
			assert.Equal(t, tc.status, w.Code, w.Body.String())
			assert.Len(t, sink.events, tc.events)
			assert.Contains(t, w.Body.String(), tc.message)
			assert.NotContains(t, w.Body.String(), odsSecret)
		})
	}
}

func TestODSReceiverDecodesTheDetection(t *testing.T) {
	t.Parallel()
	sink := &odsSink{}
	rcv, err := extrahop.NewODSReceiver(extrahop.ODSConfig{Secret: odsSecret, Header: "Authorization", Handle: sink.handle})
	require.NoError(t, err)
	req := httptest.NewRequest("POST", "/", strings.NewReader(odsPayload))
	req.Header.Set("Authorization", "Bearer "+odsSecret)
	w := httptest.NewRecorder()
	rcv.ServeHTTP(w, req)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	require.Len(t, sink.events, 1)
	ev := sink.events[0]
	assert.Equal(t, extrahop.EventDetectionUpdate, ev.Event)
	assert.Equal(t, int64(8589935233), ev.Detection.ID)
	assert.Equal(t, "RDP Brute Force", ev.Detection.Title)
	require.NotNil(t, ev.Detection.RiskScore)
	assert.Equal(t, 84, *ev.Detection.RiskScore)
	assert.Nil(t, ev.Detection.Status)
	assert.Equal(t, "TA0006 Credential Access", ev.Detection.MitreTactics[0].String())
	assert.NotContains(t, ev.Detection.Extra, "event", "event is lifted out of Extra")
	assert.Contains(t, ev.Detection.Extra, "is_custom", "unknown keys are kept")
	assert.JSONEq(t, odsPayload, string(ev.Raw))

	// The adapter turns an event into the issue the syncer works with.
	a, err := extrahop.NewAdapter(mockClient(t, http.DefaultTransport), extrahop.AdapterConfig{})
	require.NoError(t, err)
	is := a.Issue(ev.Detection)
	assert.Equal(t, "8589935233", is.ID)
	assert.Equal(t, int64(84), is.Fields["risk_score"])
}

func TestODSReceiverHandlerFailureAsksForRetry(t *testing.T) {
	t.Parallel()
	sink := &odsSink{err: errors.New("store down")}
	rcv, err := extrahop.NewODSReceiver(extrahop.ODSConfig{Secret: odsSecret, Handle: sink.handle})
	require.NoError(t, err)
	req := httptest.NewRequest("POST", "/", strings.NewReader(odsPayload))
	req.Header.Set(extrahop.DefaultODSSecretHeader, odsSecret)
	w := httptest.NewRecorder()
	rcv.ServeHTTP(w, req)
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Contains(t, w.Body.String(), "handling detection 8589935233: store down")
}

func TestODSReceiverCustomDecoder(t *testing.T) {
	t.Parallel()
	// A trigger that posts the Jira-shaped payload of ExtraHop's ticketing
	// example, with the detection id in a field of its own.
	decode := func(body []byte) ([]*extrahop.DetectionEvent, error) {
		if !strings.Contains(string(body), `"detection_id"`) {
			return nil, errors.New("no detection_id")
		}
		return []*extrahop.DetectionEvent{{Event: "custom", Detection: &extrahop.Detection{ID: 7}}}, nil
	}
	sink := &odsSink{}
	rcv, err := extrahop.NewODSReceiver(extrahop.ODSConfig{Secret: odsSecret, Decode: decode, Handle: sink.handle})
	require.NoError(t, err)
	for body, want := range map[string]int{`{"detection_id":7,"fields":{"summary":"x"}}`: 204, `{"fields":{}}`: 400} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set(extrahop.DefaultODSSecretHeader, odsSecret)
		w := httptest.NewRecorder()
		rcv.ServeHTTP(w, req)
		assert.Equal(t, want, w.Code, body)
	}
	require.Len(t, sink.events, 1)
	assert.Equal(t, int64(7), sink.events[0].Detection.ID)
}

func TestNewODSReceiverValidates(t *testing.T) {
	t.Parallel()
	h := func(context.Context, *extrahop.DetectionEvent) error { return nil }
	for name, cfg := range map[string]extrahop.ODSConfig{
		"no secret":   {Handle: h},
		"no handler":  {Secret: "s"},
		"bad header":  {Secret: "s", Handle: h, Header: "X Bad"},
		"negative ca": {Secret: "s", Handle: h, MaxBody: -1},
	} {
		_, err := extrahop.NewODSReceiver(cfg)
		assert.Error(t, err, name)
	}
}

func FuzzDecodeODS(f *testing.F) {
	f.Add([]byte(odsPayload))
	f.Add([]byte("[" + odsPayload + "]"))
	f.Add([]byte(`{"id":1,"event":5}`))
	f.Add([]byte(`{"id":9007199254740993,"risk_score":null,"mod_time":1.5e12}`))
	f.Add([]byte(`[{"id":1},{"id":0}]`))
	f.Add([]byte(`{"id":1,"mitre_tactics":["TA0001","Initial Access"],"participants":[{"id":2,"geo":null}]}`))
	f.Add([]byte(`{"id":-1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := extrahop.DecodeODS(body)
		if err != nil {
			assert.Nil(t, events)
			return
		}
		require.NotEmpty(t, events)
		for _, ev := range events {
			require.NotNil(t, ev.Detection)
			assert.Positive(t, ev.Detection.ID)
			assert.NotContains(t, ev.Detection.Extra, "event")
			// What decoded must encode, and decode again to the same id.
			data, err := ev.Detection.MarshalJSON()
			require.NoError(t, err)
			again, err := extrahop.DecodeODS(data)
			require.NoError(t, err, "%s", data)
			assert.Equal(t, ev.Detection.ID, again[0].Detection.ID)
		}
	})
}
