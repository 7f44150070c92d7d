package extrahop_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/tracker"
)

func TestAdapterWritesAssigneesAsUsernames(t *testing.T) {
	t.Parallel()
	cfg := extrahop.AdapterConfig{Usernames: map[string]string{"SecOps@example.com": "secops", "SecOps Team": "secops"}}
	tests := []struct {
		name, who, want string
		strict          bool
		err             error
	}{
		{"email", "secops@example.com", `"secops"`, false, nil},
		{"display name", "secops team", `"secops"`, false, nil},
		{"a mapped username", "secops", `"secops"`, true, nil},
		{"unmapped, written as is", "sally", `"sally"`, false, nil},
		{"unmapped and strict", "mallory@example.com", "", true, tracker.ErrUnknownUser},
		{"unassign", "", `null`, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mock := httpmock.NewMockTransport()
			var sent map[string]any
			mock.RegisterResponder("PATCH", "https://eda.example.com/api/v1/detections/8589935233", func(r *http.Request) (*http.Response, error) {
				b, _ := io.ReadAll(r.Body)
				sent = map[string]any{"body": string(b)}
				return httpmock.NewStringResponse(http.StatusNoContent, ""), nil
			})
			c := cfg
			c.StrictUsernames = tt.strict
			a, err := extrahop.NewAdapter(newKeyClient(t, mock), c)
			require.NoError(t, err)
			who := tt.who
			err = a.UpdateIssue(context.Background(), "8589935233", &tracker.Change{Assignee: &who, Fields: map[string]any{extrahop.FieldTicketID: "SEC-1"}})
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.False(t, tracker.IsConfigError(err))
				assert.NotErrorIs(t, err, tracker.ErrInvalid)
				assert.Zero(t, mock.GetTotalCallCount(), "nothing is sent")
				return
			}
			require.NoError(t, err)
			require.NotNil(t, sent)
			assert.Contains(t, sent["body"], `"assignee":`+tt.want)
		})
	}
}

func TestAdapterDescribesTheAssignee(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("POST", "https://eda.example.com/api/v1/detections/search", jsonResponder(200, fixture(t, "detection_search_variants.json")))
	a, err := extrahop.NewAdapter(newKeyClient(t, mock), extrahop.AdapterConfig{Usernames: map[string]string{"sally@example.com": "sally"}})
	require.NoError(t, err)
	var users []*tracker.User
	for is, err := range a.SearchIssues(context.Background(), tracker.Query{}) {
		require.NoError(t, err)
		users = append(users, is.AssigneeUser)
	}
	require.Len(t, users, 2)
	assert.Nil(t, users[0], "null assignee")
	require.NotNil(t, users[1])
	assert.Equal(t, "sally", users[1].Login)
	assert.Equal(t, "sally@example.com", users[1].Email)
}
