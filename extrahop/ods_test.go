package extrahop_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
	"github.com/trackbridge/trackbridge/internal/inbound/inboundtest"
	"github.com/trackbridge/trackbridge/tracker"
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

// TestODSReceiverRefusesBadRequests sends every kind of bad request a
// hostile sender can: each is refused with its status and never reaches
// Handle.
func TestODSReceiverRefusesBadRequests(t *testing.T) {
	t.Parallel()
	valid := []byte(odsPayload)
	list := []byte("[" + odsPayload + "," + strings.Replace(odsPayload, "8589935233", "22222222222", 1) + "]")
	sec := map[string]string{extrahop.DefaultODSSecretHeader: odsSecret}
	body := func(s string) []byte { return []byte(s) }
	badUTF8 := bytes.Replace(valid, []byte("Many"), []byte{'M', 0xff}, 1)
	overlong := bytes.Replace(valid, []byte("Many"), []byte{0xc0, 0xaf}, 1)
	truncatedRune := bytes.Replace(valid, []byte("Many"), []byte{0xe2, 0x82}, 1)
	tests := []struct {
		name    string
		prime   [][]byte
		req     inboundtest.Request
		want    int
		message string
	}{
		{"no secret", nil, inboundtest.Request{Body: valid}, 401, "no X-Trackbridge-Secret header"},
		{"empty secret", nil, inboundtest.Request{Body: valid, Header: map[string]string{extrahop.DefaultODSSecretHeader: ""}}, 401, ""},
		{"wrong secret", nil, inboundtest.Request{Body: valid, Header: map[string]string{extrahop.DefaultODSSecretHeader: "guess"}}, 401, "wrong"},
		{"secret prefix", nil, inboundtest.Request{Body: valid, Header: map[string]string{extrahop.DefaultODSSecretHeader: odsSecret[:4]}}, 401, "wrong"},
		{"secret with a suffix", nil, inboundtest.Request{Body: valid, Header: map[string]string{extrahop.DefaultODSSecretHeader: odsSecret + " "}}, 401, "wrong"},
		{"secret as bearer", nil, inboundtest.Request{Body: valid, Header: map[string]string{extrahop.DefaultODSSecretHeader: "Bearer " + odsSecret}}, 401, "wrong"},
		{"secret in another header", nil, inboundtest.Request{Body: valid, Header: map[string]string{"Authorization": odsSecret}}, 401, "no X-Trackbridge-Secret"},
		{"wrong secret, slow body", nil, inboundtest.Request{Header: map[string]string{extrahop.DefaultODSSecretHeader: "guess"}, Slow: true, SlowAfter: time.Hour}, 401, "wrong"},
		{"replay", [][]byte{valid}, inboundtest.Request{Body: valid, Header: sec}, 409, "replayed"},
		{"replay of a list", [][]byte{list}, inboundtest.Request{Body: list, Header: sec}, 409, "replayed"},
		{"replay with other headers", [][]byte{valid}, inboundtest.Request{Body: valid, Header: inboundtest.With(sec, "User-Agent", "x", "X-Request-Id", "2", "X-Forwarded-For", "10.9.9.9")}, 409, "replayed"},
		{"replay with another charset spelling", [][]byte{valid}, inboundtest.Request{Body: valid, ContentType: "application/json; charset=utf8", Header: sec}, 409, "replayed"},
		{"text/plain", nil, inboundtest.Request{Body: valid, ContentType: "text/plain", Header: sec}, 415, "unsupported media type"},
		{"form", nil, inboundtest.Request{Body: valid, ContentType: "application/x-www-form-urlencoded", Header: sec}, 415, ""},
		{"multipart", nil, inboundtest.Request{Body: valid, ContentType: "multipart/form-data; boundary=z", Header: sec}, 415, ""},
		{"no content type", nil, inboundtest.Request{Body: valid, ContentType: "-", Header: sec}, 415, ""},
		{"octet-stream", nil, inboundtest.Request{Body: valid, ContentType: "application/octet-stream", Header: sec}, 415, ""},
		{"ascii charset", nil, inboundtest.Request{Body: valid, ContentType: "application/json; charset=us-ascii", Header: sec}, 415, ""},
		{"gzip encoded", nil, inboundtest.Request{Body: valid, Header: inboundtest.With(sec, "Content-Encoding", "gzip")}, 415, ""},
		{"invalid utf-8", nil, inboundtest.Request{Body: badUTF8, Header: sec}, 400, "UTF-8"},
		{"overlong utf-8", nil, inboundtest.Request{Body: overlong, Header: sec}, 400, "UTF-8"},
		{"truncated rune", nil, inboundtest.Request{Body: truncatedRune, Header: sec}, 400, "UTF-8"},
		{"too large", nil, inboundtest.Request{Body: body(`{"id":1,"description":"` + strings.Repeat("a", 5000) + `"}`), Header: sec}, 413, "too large"},
		{"too large by its length", nil, inboundtest.Request{Body: valid, Header: sec, Length: 1 << 30}, 413, "too large"},
		{"slow body", nil, inboundtest.Request{Header: sec, Slow: true}, 408, "timed out"},
		{"not json", nil, inboundtest.Request{Body: body("<html>"), Header: sec}, 400, "not a JSON object or list"},
		{"broken json", nil, inboundtest.Request{Body: body(`{"id":1,`), Header: sec}, 400, "malformed"},
		{"empty body", nil, inboundtest.Request{Body: body(""), Header: sec}, 400, "empty"},
		{"no id", nil, inboundtest.Request{Body: body(`{"event":"DETECTION_UPDATE","title":"x"}`), Header: sec}, 400, `no positive integer "id"`},
		{"string id", nil, inboundtest.Request{Body: body(`{"id":"12"}`), Header: sec}, 400, "malformed"},
		{"negative id", nil, inboundtest.Request{Body: body(`{"id":-12}`), Header: sec}, 400, "malformed"},
		{"empty list", nil, inboundtest.Request{Body: body(`[]`), Header: sec}, 400, "empty list"},
		{"list with a bad item", nil, inboundtest.Request{Body: body("[" + odsPayload + `,{"id":0}]`), Header: sec}, 400, "item 1"},
		{"event not a string", nil, inboundtest.Request{Body: body(`{"id":1,"event":5}`), Header: sec}, 400, "malformed"},
		{"wrong method", nil, inboundtest.Request{Method: "GET", Header: sec}, 405, "not allowed"},
		{"PATCH", nil, inboundtest.Request{Method: "PATCH", Body: valid, Header: sec}, 405, "not allowed"},
	}
	require.GreaterOrEqual(t, len(tests), 30)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sink := &odsSink{}
			rcv, err := extrahop.NewODSReceiver(extrahop.ODSConfig{Secret: odsSecret, MaxBody: 4096, Handle: sink.handle})
			require.NoError(t, err)
			n := 0
			for _, p := range tc.prime {
				w := inboundtest.Request{Body: p, Header: sec}.Serve(t, rcv)
				require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
				n = len(sink.events)
			}
			w := tc.req.Serve(t, rcv)
			assert.Equal(t, tc.want, w.Code, w.Body.String())
			assert.Len(t, sink.events, n, "the refused request never reaches Handle")
			assert.Contains(t, w.Body.String(), tc.message)
			assert.NotContains(t, w.Body.String(), odsSecret)
		})
	}
}

func TestODSReceiverAcceptsGoodDeliveries(t *testing.T) {
	t.Parallel()
	sink := &odsSink{}
	rcv, err := extrahop.NewODSReceiver(extrahop.ODSConfig{Secret: odsSecret, Handle: sink.handle})
	require.NoError(t, err)
	sec := map[string]string{extrahop.DefaultODSSecretHeader: odsSecret}
	list := "[" + strings.Replace(odsPayload, "8589935233", "1", 1) + "," + strings.Replace(odsPayload, "8589935233", "2", 1) + "]"
	for i, r := range []inboundtest.Request{
		{Body: []byte(odsPayload), Header: sec},
		{Body: []byte(list), ContentType: "application/json; charset=UTF-8", Header: sec},
		{Body: []byte(strings.Replace(odsPayload, `"risk_score":84`, `"risk_score":85`, 1)), Header: inboundtest.With(sec, "Content-Encoding", "identity")},
	} {
		w := r.Serve(t, rcv)
		assert.Equal(t, http.StatusNoContent, w.Code, "delivery %d: %s", i, w.Body.String())
	}
	require.Len(t, sink.events, 4)
	assert.True(t, strings.HasPrefix(sink.events[0].Delivery, "sha256:"))
	assert.True(t, strings.HasSuffix(sink.events[2].Delivery, "#1"), "items of a list have their own delivery ids")
	assert.NotEqual(t, sink.events[1].Delivery, sink.events[2].Delivery)
}

func odsRequest(body, header, value string) *http.Request {
	req := httptest.NewRequest("POST", "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(header, value)
	return req
}

func TestODSReceiverDecodesTheDetection(t *testing.T) {
	t.Parallel()
	sink := &odsSink{}
	rcv, err := extrahop.NewODSReceiver(extrahop.ODSConfig{Secret: odsSecret, Header: "Authorization", Handle: sink.handle})
	require.NoError(t, err)
	req := odsRequest(odsPayload, "Authorization", "Bearer "+odsSecret)
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
	req := odsRequest(odsPayload, extrahop.DefaultODSSecretHeader, odsSecret)
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
		req := odsRequest(body, extrahop.DefaultODSSecretHeader, odsSecret)
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

func TestAdapterEventReceiver(t *testing.T) {
	t.Parallel()
	a, err := extrahop.NewAdapter(mockClient(t, http.DefaultTransport), extrahop.AdapterConfig{})
	require.NoError(t, err)
	var got []tracker.Event
	rcv, err := a.EventReceiver(extrahop.ODSConfig{Secret: odsSecret}, func(_ context.Context, ev tracker.Event) error {
		require.NoError(t, ev.Validate())
		got = append(got, ev)
		return nil
	})
	require.NoError(t, err)
	full := strings.Replace(odsPayload, `"ticket_id":null,`, `"ticket_id":null,"resolution":null,"assignee":"ana","mod_time":1763700500000,`, 1)
	partial := `{"event":"DETECTION_UPDATE","id":42,"title":"Only a title","update_time":1763700600000}`
	other := `{"event":"DEVICE_UPDATE","id":43}`
	for _, b := range []string{full, partial, other} {
		w := inboundtest.Request{Body: []byte(b), Header: map[string]string{extrahop.DefaultODSSecretHeader: odsSecret}}.Serve(t, rcv)
		require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	}
	require.Len(t, got, 2, "other trigger events are acknowledged, not passed on")

	ev := got[0]
	assert.Equal(t, tracker.EventIssueChanged, ev.Kind)
	assert.Equal(t, "extrahop", ev.Tracker)
	assert.Equal(t, "8589935233", ev.IssueID)
	assert.Equal(t, "8589935233", ev.IssueKey)
	assert.Equal(t, time.UnixMilli(1763700500000).UTC(), ev.At.UTC())
	require.NotNil(t, ev.Issue, "the payload has every member the conversion shows")
	assert.Equal(t, "RDP Brute Force", ev.Issue.Summary)
	assert.Equal(t, "ana", ev.Issue.Assignee)
	assert.Equal(t, int64(84), ev.Issue.Fields["risk_score"])
	assert.Contains(t, string(ev.Raw), `"is_custom"`, "unknown keys are kept")

	p := got[1]
	assert.Equal(t, "42", p.IssueID)
	assert.Nil(t, p.Issue, "a partial payload is not passed as a whole issue")
	assert.Equal(t, time.UnixMilli(1763700600000).UTC(), p.At.UTC())
}

// TestFakeODSReachesTheReceiver has the fake appliance post its trigger
// payloads to the adapter's receiver: each yields a tracker.Event whose
// issue converts as GetIssue converts the detection.
func TestFakeODSReachesTheReceiver(t *testing.T) {
	t.Parallel()
	srv := extrahoptest.NewServer(t)
	a := newAdapter(t, srv, extrahop.AdapterConfig{})
	ctx := t.Context()
	var mu sync.Mutex
	var got []tracker.Event
	rcv, err := a.EventReceiver(extrahop.ODSConfig{Secret: odsSecret}, func(_ context.Context, ev tracker.Event) error {
		if err := ev.Validate(); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev)
		return nil
	})
	require.NoError(t, err)
	hs := httptest.NewServer(rcv)
	t.Cleanup(hs.Close)
	srv.AddODSTarget(extrahoptest.ODSTarget{URL: hs.URL, Secret: odsSecret})

	risk := 84
	id := srv.Add(extrahop.Detection{Title: "RDP Brute Force", Description: "Many passwords.", Type: "rdp_brute_force",
		Categories: []string{"sec.attack"}, RiskScore: &risk, StartTime: extrahop.TimeOf(time.UnixMilli(1763700000000))})
	sid := strconv.FormatInt(id, 10)
	require.NoError(t, a.UpdateIssue(ctx, sid, &tracker.Change{Fields: map[string]any{"ticket_id": "SEC-7"}}))
	require.NoError(t, a.Transition(ctx, sid, tracker.TransitionTarget{Category: tracker.CategoryDone, Resolution: extrahop.ResolutionActionTaken}))
	require.NoError(t, srv.FlushODS(ctx))

	mu.Lock()
	defer mu.Unlock()
	require.GreaterOrEqual(t, len(got), 3, "one payload per change")
	for _, ev := range got {
		assert.Equal(t, tracker.EventIssueChanged, ev.Kind)
		assert.Equal(t, sid, ev.IssueID)
		require.NotNil(t, ev.Issue, "the default payload carries the whole detection")
	}
	read, err := a.GetIssue(ctx, sid)
	require.NoError(t, err)
	assert.Equal(t, read, got[len(got)-1].Issue, "the last payload converts as a read detection does")
	for _, d := range srv.ODSDeliveries() {
		assert.Equal(t, http.StatusNoContent, d.Status, d.Err)
		assert.Equal(t, odsSecret, d.Header.Get(extrahop.DefaultODSSecretHeader))
	}
}

func FuzzAdapterEvent(f *testing.F) {
	f.Add([]byte(odsPayload))
	f.Add([]byte("[" + odsPayload + `,{"id":2,"event":"OTHER"}]`))
	f.Add([]byte(`{"id":3,"title":"t","description":"d","type":"x","categories":[],"risk_score":null,"status":"closed","resolution":null,"assignee":null,"ticket_id":"A-1"}`))
	c, err := extrahop.New(host, extrahop.WithAPIKey(apiKey))
	require.NoError(f, err)
	a, err := extrahop.NewAdapter(c, extrahop.AdapterConfig{})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := extrahop.DecodeODS(body)
		if err != nil {
			return
		}
		for _, dev := range events {
			ev, ok, err := a.Event(dev)
			require.NoError(t, err, "decoded events always have an id")
			if !ok {
				continue
			}
			require.NoError(t, ev.Validate(), "an event the adapter produces is valid")
		}
	})
}
