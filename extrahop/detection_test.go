package extrahop_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
)

func TestDetectionDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		json  string
		check func(t *testing.T, d *extrahop.Detection)
	}{
		{"id above 2^31", `{"id":8589935233}`, func(t *testing.T, d *extrahop.Detection) {
			assert.Equal(t, int64(8589935233), d.ID)
		}},
		{"id above 2^53 stays exact", `{"id":9007199254740993}`, func(t *testing.T, d *extrahop.Detection) {
			assert.Equal(t, int64(9007199254740993), d.ID)
		}},
		{"absent risk score", `{"id":1}`, func(t *testing.T, d *extrahop.Detection) { assert.Nil(t, d.RiskScore) }},
		{"null risk score", `{"id":1,"risk_score":null}`, func(t *testing.T, d *extrahop.Detection) { assert.Nil(t, d.RiskScore) }},
		{"zero risk score", `{"id":1,"risk_score":0}`, func(t *testing.T, d *extrahop.Detection) {
			require.NotNil(t, d.RiskScore)
			assert.Zero(t, *d.RiskScore)
		}},
		{"nulls everywhere", `{"id":1,"title":null,"description":null,"type":null,"categories":null,"appliance_id":null,
			"status":null,"resolution":null,"assignee":null,"ticket_id":null,"url":null,"is_user_created":null,
			"start_time":null,"end_time":null,"mod_time":null,"participants":null,"properties":null}`, func(t *testing.T, d *extrahop.Detection) {
			assert.Empty(t, d.Title)
			assert.Nil(t, d.Status)
			assert.True(t, d.StartTime.IsZero())
			assert.Empty(t, d.Extra)
		}},
		{"unknown keys kept", `{"id":1,"activity_log":[{"start_time":1}],"new_field":"x"}`, func(t *testing.T, d *extrahop.Detection) {
			assert.JSONEq(t, `[{"start_time":1}]`, string(d.Extra["activity_log"]))
			assert.JSONEq(t, `"x"`, string(d.Extra["new_field"]))
			assert.Len(t, d.Extra, 2)
		}},
		{"epoch milliseconds", `{"id":1,"mod_time":1763701000123,"start_time":1.763700000e12,"end_time":"1763700600000"}`, func(t *testing.T, d *extrahop.Detection) {
			assert.True(t, d.ModTime.Equal(time.Date(2025, 11, 21, 4, 56, 40, 123e6, time.UTC)), d.ModTime.String())
			assert.Equal(t, int64(1763700000000), d.StartTime.Millis())
			assert.Equal(t, int64(1763700600000), d.EndTime.Millis())
		}},
		{"risk score written as a float", `{"id":1,"risk_score":84.0}`, func(t *testing.T, d *extrahop.Detection) {
			require.NotNil(t, d.RiskScore)
			assert.Equal(t, 84, *d.RiskScore)
		}},
		{"properties as a list are kept raw", `{"id":1,"properties":["ports"]}`, func(t *testing.T, d *extrahop.Detection) {
			assert.Nil(t, d.Properties)
			require.Len(t, d.Problems, 1)
			assert.JSONEq(t, `["ports"]`, string(d.Problems[0].Raw))
		}},
		{"mitre as strings", `{"id":1,"mitre_tactics":["TA0008","Lateral Movement"],"mitre_techniques":[]}`, func(t *testing.T, d *extrahop.Detection) {
			assert.Equal(t, []extrahop.Mitre{{ID: "TA0008"}, {Name: "Lateral Movement"}}, d.MitreTactics)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d extrahop.Detection
			require.NoError(t, json.Unmarshal([]byte(tc.json), &d))
			tc.check(t, &d)
		})
	}
}

func TestDetectionDecodingErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{"id":"x"}`, `[1]`, `{"id":1.5}`, `"detection"`} {
		var d extrahop.Detection
		err := json.Unmarshal([]byte(in), &d)
		assert.Error(t, err, in)
	}
}

// A field of an unexpected type is reported, never fatal, and kept raw.
func TestDetectionDecodingReportsMistypedFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		fields map[string]string
	}{
		{`{"id":1,"mod_time":"soon","title":"t"}`, map[string]string{"mod_time": `"soon"`}},
		{`{"id":1,"risk_score":"high","title":"t"}`, map[string]string{"risk_score": `"high"`}},
		{`{"id":1,"categories":"sec","title":"t"}`, map[string]string{"categories": `"sec"`}},
		{`{"id":1,"properties":["ports"],"title":"t"}`, map[string]string{"properties": `["ports"]`}},
		{`{"id":1,"participants":[{"id":2,"object_id":"dev-7"}],"title":"t"}`, map[string]string{"participants[0].object_id": `"dev-7"`}},
		{`{"id":1,"mitre_tactics":[{"id":"TA0008","name":7}],"title":"t"}`, map[string]string{"mitre_tactics[0].name": `7`}},
	}
	for _, tt := range tests {
		var d extrahop.Detection
		require.NoError(t, json.Unmarshal([]byte(tt.in), &d), tt.in)
		assert.Equal(t, int64(1), d.ID)
		assert.Equal(t, "t", d.Title, "the rest is decoded")
		got := map[string]string{}
		for _, p := range d.Problems {
			got[p.Field] = string(p.Raw)
			assert.Error(t, p.Err)
		}
		assert.Equal(t, tt.fields, got, tt.in)
		out, err := json.Marshal(d)
		require.NoError(t, err)
		var back map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(out, &back))
		for f, raw := range tt.fields {
			if !strings.ContainsAny(f, ".[") {
				assert.JSONEq(t, raw, string(back[f]), "%s is written back as received", f)
			}
		}
	}
}

func TestDetectionRoundTrip(t *testing.T) {
	t.Parallel()
	in := `{"id":8589935233,"title":"t","description":"d","type":"x","categories":["sec"],"risk_score":null,
		"start_time":1763700000000,"end_time":null,"update_time":null,"mod_time":1763701000000,"create_time":null,
		"status":"closed","resolution":"action_taken","assignee":null,"ticket_id":"54799",
		"participants":[{"id":2,"role":"victim","external":false,"geo":"DE"}],"mitre_tactics":[],"mitre_techniques":[],
		"is_user_created":false,"future":{"a":1}}`
	var d extrahop.Detection
	require.NoError(t, json.Unmarshal([]byte(in), &d))
	out, err := json.Marshal(d)
	require.NoError(t, err)
	assert.JSONEq(t, in, string(out), "encoding gives back what was decoded, unknown keys included")
}

func TestTimeJSON(t *testing.T) {
	t.Parallel()
	var zero extrahop.Time
	b, err := json.Marshal(zero)
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
	tm := extrahop.TimeOf(time.Date(2026, 11, 21, 12, 0, 0, 123456789, time.UTC))
	b, err = json.Marshal(tm)
	require.NoError(t, err)
	assert.Equal(t, "1795262400123", string(b), "truncated to milliseconds")
	var back extrahop.Time
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, back.Equal(tm.Time))
	assert.Error(t, json.Unmarshal([]byte(`NaN`), &back))
	assert.Error(t, json.Unmarshal([]byte(`1e300`), &back))
}

func TestTicketURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		template, id, want, err string
	}{
		{"https://jira.example.com/browse/$ticket_id", "SEC-12", "https://jira.example.com/browse/SEC-12", ""},
		{"https://jira.example.com/browse/$ticket_id", "54799", "https://jira.example.com/browse/54799", ""},
		{"https://t.example.com/$ticket_id/view", "a/../b?x#y", "https://t.example.com/a%2F..%2Fb%3Fx%23y/view", ""},
		{"https://t.example.com/show?id=$ticket_id&v=1", "1&admin=true", "https://t.example.com/show?id=1%26admin%3Dtrue&v=1", ""},
		{"https://t.example.com/browse/", "1", "", "no $ticket_id"},
		{"https://t.example.com/$ticket_id", "", "", "empty ticket id"},
		{"$ticket_id", "evil.example.com", "", "http(s) URL"},
		{"javascript:alert($ticket_id)", "1", "", "http(s) URL"},
	}
	for _, tc := range tests {
		got, err := extrahop.TicketURL(tc.template, tc.id)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, "%s with %s", tc.template, tc.id)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
}

func FuzzTicketURL(f *testing.F) {
	for _, id := range []string{"SEC-12", "54799", "a/b", "../..", "x?y#z", "%2F", "ü 1", "a&b=c"} {
		f.Add(id)
	}
	const template = "https://jira.example.com/browse/$ticket_id?focus=$ticket_id"
	f.Fuzz(func(t *testing.T, id string) {
		got, err := extrahop.TicketURL(template, id)
		if id == "" {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		u, err := url.Parse(got)
		require.NoError(t, err)
		// Whatever the id, it stays one path segment and one query value.
		assert.Equal(t, "jira.example.com", u.Host)
		assert.Empty(t, u.Fragment)
		seg, ok := strings.CutPrefix(u.EscapedPath(), "/browse/")
		require.True(t, ok, got)
		assert.NotContains(t, seg, "/")
		dec, err := url.PathUnescape(seg)
		require.NoError(t, err)
		assert.Equal(t, id, dec)
		assert.Equal(t, []string{id}, u.Query()["focus"])
		assert.Len(t, u.Query(), 1)
	})
}

func FuzzDecodeDetection(f *testing.F) {
	f.Add([]byte(`{"id":8589935233,"risk_score":null,"mod_time":1763701000000}`))
	f.Add([]byte(`{"id":9007199254740993,"categories":["sec"],"participants":[{"id":1,"x":[]}],"z":{}}`))
	f.Add([]byte(`{"id":1,"mitre_tactics":["TA0001",{"id":"TA0002","legacy_ids":null}],"start_time":"12"}`))
	f.Add([]byte(`{"id":1,"start_time":-1.5}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d extrahop.Detection
		if json.Unmarshal(data, &d) != nil {
			return
		}
		out, err := json.Marshal(d)
		require.NoError(t, err)
		var again extrahop.Detection
		require.NoError(t, json.Unmarshal(out, &again), "%s", out)
		assert.Equal(t, d.ID, again.ID)
		assert.Equal(t, d.RiskScore, again.RiskScore)
		assert.Equal(t, d.ModTime.Millis(), again.ModTime.Millis())
		assert.Equal(t, len(d.Extra), len(again.Extra))
	})
}
