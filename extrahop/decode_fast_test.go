package extrahop

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameAsLenient checks that where the one-pass decoder accepts a
// detection, it decodes it exactly as the field-by-field decoder does.
func sameAsLenient(t *testing.T, data []byte) (fast bool) {
	t.Helper()
	var f Detection
	if f.decodeFast(data) != nil {
		return false
	}
	var l Detection
	require.NoError(t, l.decodeLenient(data), "%s", data)
	assert.Equal(t, l, f, "%s", data)
	return true
}

func TestFastDecodeMatchesLenient(t *testing.T) {
	t.Parallel()
	fast, all := 0, 0
	for _, name := range []string{"detection_search.json", "detection_search_variants.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		var page []json.RawMessage
		require.NoError(t, json.Unmarshal(b, &page))
		for _, raw := range page {
			all++
			if sameAsLenient(t, raw) {
				fast++
			}
		}
	}
	b, err := os.ReadFile(filepath.Join("testdata", "detection_get.json"))
	require.NoError(t, err)
	all++
	if sameAsLenient(t, b) {
		fast++
	}
	t.Logf("%d of %d recorded detections decoded in one pass", fast, all)
	assert.Positive(t, fast, "the usual shape takes the one-pass decoder")

	for name, doc := range map[string]string{
		"float risk score":     `{"id":1,"risk_score":84.0}`,
		"time as a string":     `{"id":1,"start_time":"12"}`,
		"key in another case":  `{"id":1,"Title":"x"}`,
		"mistyped participant": `{"id":1,"participants":[{"id":"p"}]}`,
		"properties as a list": `{"id":1,"properties":[1]}`,
		"huge id":              `{"id":12345678901234567890}`,
	} {
		var d Detection
		assert.ErrorIs(t, d.decodeFast([]byte(doc)), errSlow, name)
	}
}

func FuzzFastDecodeMatchesLenient(f *testing.F) {
	f.Add([]byte(`{"id":8589935233,"risk_score":null,"mod_time":1763701000000}`))
	f.Add([]byte(`{"id":9007199254740993,"categories":["sec"],"participants":[{"id":1,"x":[]}],"z":{}}`))
	f.Add([]byte(`{"id":1,"mitre_tactics":["TA0001",{"id":"TA0002","legacy_ids":null}],"status":null,"properties":{"a":1}}`))
	f.Add([]byte(`{"id":-5,"title":"caf\u00e9","assignee":"bob","is_user_created":true,"Extra":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		sameAsLenient(t, data)
	})
}

// The one-pass link rewriting does what the regular expression it
// replaced did.
func FuzzAbsoluteLinksMatchesTheRegexp(f *testing.F) {
	f.Add("[10.0.0.5](#/metrics/devices/abc.123) tried [dc01](#/metrics/devices/abc.456).")
	f.Add("](#/ no link](#/x)](#/y z)](#/")
	re := regexp.MustCompile(`\]\((#/[^)\s]*)\)`)
	c, err := New("https://eda.example.com", WithAPIKey("k"))
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, md string) {
		want := re.ReplaceAllStringFunc(md, func(m string) string {
			return "](" + c.ConsoleURL(m[2:len(m)-1]) + ")"
		})
		assert.Equal(t, want, c.absoluteLinks(md))
	})
}

// again marks known keys in a 32-bit mask.
func TestKnownKeysFitTheSeenMask(t *testing.T) {
	t.Parallel()
	for _, keys := range [][]string{detectionKeys, participantKeys, mitreKeys} {
		assert.LessOrEqual(t, len(keys), 32, keys)
	}
	var seen uint32
	assert.False(t, again(&seen, []byte("title"), detectionKeys))
	assert.False(t, again(&seen, []byte("no_such_key"), detectionKeys))
	assert.True(t, again(&seen, []byte("title"), detectionKeys), "a known key given twice")
	assert.False(t, again(&seen, []byte("no_such_key"), detectionKeys), "unknown keys are not tracked")
}
