package mapping

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker"
)

func TestRuleOperators(t *testing.T) {
	t.Parallel()
	reported := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	is := &tracker.Issue{
		ID: "7", Key: "SEC-7", Summary: "Port scan from 10.0.0.1", Status: "Open",
		StatusCategory: tracker.CategoryInProgress, Labels: []string{"sec.attack", "recon"},
		Fields: map[string]any{
			"risk_score": int64(72), "Severity": "High", "Reported": reported,
			"score_text": "55", "ratio": 0.5, "nothing": nil, "blank": "",
			"tactics": []any{"TA0001", "TA0007"}, "flag": true,
		},
	}
	tests := []struct {
		name string
		rule string
		want bool
	}{
		{"equals text", "{field: fields.Severity, equals: High}", true},
		{"equals is case-sensitive", "{field: fields.Severity, equals: high}", false},
		{"equals number", "{field: fields.risk_score, equals: 72}", true},
		{"equals number as float", "{field: fields.risk_score, equals: 72.0}", true},
		{"equals number mismatch", "{field: fields.risk_score, equals: 71}", false},
		{"equals numeric text stays text", "{field: fields.score_text, equals: '55'}", true},
		{"equals time", "{field: fields.Reported, equals: 2026-01-02T00:00:00Z}", true},
		{"equals bool", "{field: fields.flag, equals: true}", true},
		{"equals bool mismatch", "{field: fields.flag, equals: 'yes'}", false},
		{"equals absent", "{field: fields.missing, equals: x}", false},
		{"equals category", "{field: statusCategory, equals: in_progress}", true},
		{"equals key", "{field: key, equals: SEC-7}", true},
		{"in hit", "{field: status, in: [New, Open]}", true},
		{"in miss", "{field: status, in: [Closed]}", false},
		{"in numbers", "{field: fields.risk_score, in: [70, 72]}", true},
		{"in absent", "{field: fields.nothing, in: ['']}", false},
		{"gte number", "{field: fields.risk_score, gte: 72}", true},
		{"gte number above", "{field: fields.risk_score, gte: 73}", false},
		{"gte numeric text", "{field: fields.score_text, gte: 50}", true},
		{"gte float", "{field: fields.ratio, gte: 0.25}", true},
		{"gte time", "{field: fields.Reported, gte: 2026-01-01}", true},
		{"gte time after", "{field: fields.Reported, gte: 2026-01-03}", false},
		{"gte text is not a number", "{field: fields.Severity, gte: 1}", false},
		{"gte absent", "{field: fields.missing, gte: 1}", false},
		{"lte number", "{field: fields.risk_score, lte: 72}", true},
		{"lte number below", "{field: fields.risk_score, lte: 10}", false},
		{"lte time", "{field: fields.Reported, lte: '2026-01-02T00:00:00Z'}", true},
		{"exists true", "{field: fields.Reported, exists: true}", true},
		{"exists false on present", "{field: fields.Reported, exists: false}", false},
		{"exists nil", "{field: fields.nothing, exists: false}", true},
		{"exists blank", "{field: fields.blank, exists: false}", true},
		{"exists missing", "{field: fields.missing, exists: true}", false},
		{"exists labels", "{field: labels, exists: true}", true},
		{"exists empty resolution", "{field: resolution, exists: false}", true},
		{"contains label", "{field: labels, contains: recon}", true},
		{"contains label miss", "{field: labels, contains: exfil}", false},
		{"contains any list", "{field: fields.tactics, contains: TA0007}", true},
		{"contains substring", "{field: summary, contains: scan}", true},
		{"contains substring miss", "{field: summary, contains: sweep}", false},
		{"contains number", "{field: fields.risk_score, contains: 7}", false},
		{"not", "{not: {field: status, equals: Closed}}", true},
		{"not matched", "{not: {field: status, equals: Open}}", false},
		{"all", "{all: [{field: status, equals: Open}, {field: fields.risk_score, gte: 50}]}", true},
		{"all one fails", "{all: [{field: status, equals: Open}, {field: fields.risk_score, gte: 90}]}", false},
		{"any", "{any: [{field: status, equals: Closed}, {field: fields.risk_score, gte: 50}]}", true},
		{"any none", "{any: [{field: status, equals: Closed}, {field: fields.risk_score, gte: 90}]}", false},
		{"nested", "{all: [{any: [{field: key, equals: X}, {not: {field: labels, contains: noise}}]}]}", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := mustFlow(t, "flows:\n  - name: r\n    source: s\n    target: t\n    when: "+tt.rule+"\n")
			res, err := f.Apply(is, testNow)
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Match, res.Reason)
			if !tt.want {
				assert.Contains(t, res.Reason, "flows[0].when")
				assert.Nil(t, res.Issue)
			}
		})
	}
}

func TestRuleReason(t *testing.T) {
	t.Parallel()
	f := mustBuiltin(t, "youtrack-to-trax")
	is := &tracker.Issue{ID: "2-1", Fields: map[string]any{"Severity": "High", "Reported": testNow}}
	res, err := f.Apply(is, testNow)
	require.NoError(t, err)
	assert.False(t, res.Match)
	assert.Equal(t, `flows[0].when.all[1]: want fields.Reported exists false, have "2026-03-04T05:06:07Z"`, res.Reason)

	f = mustFlow(t, "flows:\n  - name: r\n    source: s\n    target: t\n    when: {any: [{field: status, in: [a, b]}, {field: key, exists: true}]}\n")
	res, err = f.Apply(&tracker.Issue{Status: "c"}, testNow)
	require.NoError(t, err)
	assert.Equal(t, `flows[0].when: none matched (flows[0].when.any[0]: want status in ["a", "b"], have "c"; flows[0].when.any[1]: want key exists true, have absent)`, res.Reason)
}
