package jira_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
)

func TestTime(t *testing.T) {
	t.Parallel()
	var v struct {
		A jira.Time `json:"a"`
		B jira.Time `json:"b"`
		C jira.Time `json:"c"`
		D jira.Date `json:"d"`
		E jira.Date `json:"e"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"a":"2021-01-17T12:34:00.000+0000","b":"2021-01-17T13:34:00.123+0100","c":null,"d":"2025-02-01","e":null}`), &v))
	assert.Equal(t, time.Date(2021, 1, 17, 12, 34, 0, 0, time.UTC), v.A.UTC())
	assert.Equal(t, time.Date(2021, 1, 17, 12, 34, 0, 123e6, time.UTC), v.B.UTC())
	assert.True(t, v.C.IsZero())
	assert.Equal(t, time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), v.D.Time)
	assert.True(t, v.E.IsZero())
	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":"2021-01-17T12:34:00.000+0000","b":"2021-01-17T13:34:00.123+0100","c":null,"d":"2025-02-01","e":null}`, string(out))

	var bad jira.Time
	assert.ErrorContains(t, json.Unmarshal([]byte(`"17/01/2021"`), &bad), jira.TimeLayout)
	var badDate jira.Date
	assert.Error(t, json.Unmarshal([]byte(`"2025-13-01"`), &badDate))
	rfc, err := jira.ParseTime("2021-01-17T12:34:00Z")
	require.NoError(t, err, "RFC 3339 is accepted too")
	assert.Equal(t, "2021-01-17T12:34:00.000+0000", jira.FormatTime(rfc))
}
