package extrahop_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/tracker"
)

func newKeyClient(t *testing.T, mock *httpmock.MockTransport) *extrahop.Client {
	t.Helper()
	c, err := extrahop.New("https://eda.example.com", extrahop.WithAPIKey("k3y"),
		extrahop.WithHTTPClient(&http.Client{Transport: mock}), extrahop.WithMaxRetries(0))
	require.NoError(t, err)
	return c
}

func problemFields(ps []extrahop.FieldError) map[string]string {
	out := map[string]string{}
	for _, p := range ps {
		out[p.Field] = string(p.Raw)
	}
	return out
}

func TestSearchDecodesRealShapes(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("POST", "https://eda.example.com/api/v1/detections/search", jsonResponder(200, fixture(t, "detection_search_variants.json")))
	c := newKeyClient(t, mock)
	var got []*extrahop.Detection
	for d, err := range c.Detections.SearchAll(context.Background(), &extrahop.DetectionSearch{Limit: 10}) {
		require.NoError(t, err)
		got = append(got, d)
	}
	require.Len(t, got, 2, "a detection with mistyped fields does not fail the page")

	rdp := got[0]
	assert.Equal(t, int64(9007199254740995), rdp.ID, "ids past 2^53 stay exact")
	assert.Nil(t, rdp.TicketID)
	assert.Nil(t, rdp.TicketURL)
	assert.Nil(t, rdp.Assignee)
	assert.Empty(t, rdp.Problems)
	assert.Equal(t, int64(21474836480), rdp.Participants[1].ObjectID)
	assert.JSONEq(t, `{"country":"NL"}`, string(rdp.Participants[0].Extra["geo"]))
	assert.Equal(t, []string{"high_risk", "critical_asset"}, rdp.RecommendedFactors)
	assert.Equal(t, "T1110", rdp.MitreTechniques[0].ID)
	assert.Contains(t, string(rdp.Extra["activity_log"]), "status_change")
	assert.Contains(t, rdp.Extra, "investigation_ids")

	exfil := got[1]
	assert.Equal(t, int64(8589935301), exfil.ID)
	assert.Equal(t, "sally", exfil.AssigneeValue())
	assert.Equal(t, "54799", exfil.TicketIDValue())
	assert.Nil(t, exfil.RiskScore)
	assert.Equal(t, int64(1763700200000), exfil.UpdateTime.Millis(), "times sent as strings of digits are read")
	assert.Equal(t, []extrahop.Mitre{{ID: "TA0010"}}, exfil.MitreTactics)
	assert.Equal(t, map[string]string{
		"risk_score":                `"high"`,
		"properties":                `["bytes_out"]`,
		"participants[0].object_id": `"dev-9"`,
	}, problemFields(exfil.Problems))
}

func TestAdapterMapsDetectionsWithProblems(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("POST", "https://eda.example.com/api/v1/detections/search", jsonResponder(200, fixture(t, "detection_search_variants.json")))
	a, err := extrahop.NewAdapter(newKeyClient(t, mock), extrahop.AdapterConfig{})
	require.NoError(t, err)
	var keys []string
	for is, err := range a.SearchIssues(context.Background(), tracker.Query{}) {
		require.NoError(t, err)
		keys = append(keys, is.Key)
		if is.Key == "8589935301" {
			assert.Equal(t, "sally", is.Assignee)
			assert.Nil(t, is.Fields[extrahop.FieldRiskScore])
		}
	}
	assert.Equal(t, []string{"9007199254740995", "8589935301"}, keys)
}

func TestFormatsDecodeLeniently(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("GET", "https://eda.example.com/api/v1/detections/formats", jsonResponder(200, fixture(t, "detection_formats.json")))
	c := newKeyClient(t, mock)
	list, _, err := c.Detections.Formats(context.Background())
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []string{"T1110"}, list[0].MitreCategories)
	assert.JSONEq(t, `"9.4"`, string(list[0].Extra["release"]))
	assert.Equal(t, "Custom Watch", list[1].DisplayName)
	assert.Equal(t, map[string]string{"categories": `"sec"`}, problemFields(list[1].Problems))
}
