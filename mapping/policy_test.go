package mapping

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestS3Policies: the built-in ExtraHop → Jira flow states which
// detections open tickets, and says why it skips the others.
func TestS3Policies(t *testing.T) {
	t.Parallel()
	f := mustBuiltin(t, "extrahop-to-jira")
	tests := []struct {
		name      string
		status    string
		ticketID  any
		match     bool
		reasonHas string
	}{
		{"new detection", "new", nil, true, ""},
		{"open (null status)", "", nil, true, ""},
		{"our own ticket key written back", "in_progress", "SEC-12", true, ""},
		{"a key of another project this flow routes to", "new", "OPS-3", true, ""},
		{"closed", "closed", nil, false, "the detection is closed"},
		{"closed with our ticket", "closed", "SEC-12", false, "the detection is closed"},
		{"ServiceNow ticket", "new", "INC0012345", false, "another system tracks the detection"},
		{"a URL", "new", "https://tickets.example.com/42", false, "another system tracks the detection"},
		{"lower-case id", "new", "sec-12", false, "another system tracks the detection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := detection()
			src.Status = tt.status
			src.Fields["ticket_id"] = tt.ticketID
			res, err := f.Apply(src, testNow)
			require.NoError(t, err)
			assert.Equal(t, tt.match, res.Match, res.Reason)
			if tt.reasonHas != "" {
				assert.Contains(t, res.Reason, tt.reasonHas)
			}
		})
	}
}

func TestRuleMatchesAndReason(t *testing.T) {
	t.Parallel()
	f := mustFlow(t, `
flows:
  - name: m
    source: s
    target: t
    when:
      field: fields.host
      matches: '^host-[0-9]+\.corp$'
      reason: not a corporate host
`)
	for host, want := range map[string]bool{"host-1.corp": true, "host-x.corp": false, "evil-host-1.corp.example": false} {
		src := detection()
		src.Fields["host"] = host
		res, err := f.Apply(src, testNow)
		require.NoError(t, err)
		assert.Equal(t, want, res.Match, host)
		if !want {
			assert.Equal(t, "not a corporate host", res.Reason)
		}
	}
	_, err := Parse([]byte("flows:\n  - {name: m, source: s, target: t, when: {field: fields.x, matches: '(['}}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flows[0].when.matches: error parsing regexp")
}
