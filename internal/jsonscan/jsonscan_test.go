package jsonscan_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/internal/jsonscan"
)

func TestObject(t *testing.T) {
	t.Parallel()
	data := []byte(` { "a" : 1, "b\"q":{"x":[1,{"y":"}"}]}, "c":"s\"t", "d":null ,"e":[] , "f":true}`)
	var keys []string
	var vals []string
	require.NoError(t, jsonscan.Object(data, func(k, v []byte) error {
		s, ok := jsonscan.String(k)
		require.True(t, ok)
		keys = append(keys, s)
		vals = append(vals, string(v))
		return nil
	}))
	assert.Equal(t, []string{"a", `b"q`, "c", "d", "e", "f"}, keys)
	assert.Equal(t, []string{"1", `{"x":[1,{"y":"}"}]}`, `"s\"t"`, "null", "[]", "true"}, vals)

	for _, bad := range []string{``, `[]`, `"x"`, `{"a"}`, `{"a":1`, `{"a":1 "b":2}`, `{a:1}`} {
		assert.ErrorIs(t, jsonscan.Object([]byte(bad), func(_, _ []byte) error { return nil }), jsonscan.ErrSyntax, bad)
	}
	assert.NoError(t, jsonscan.Object([]byte(`{}`), func(_, _ []byte) error { t.Fatal("no keys"); return nil }))
}

func TestArray(t *testing.T) {
	t.Parallel()
	var got []string
	require.NoError(t, jsonscan.Array([]byte(`[ 1, "a,]", {"b":[2]} ,null]`), func(v []byte) error {
		got = append(got, string(v))
		return nil
	}))
	assert.Equal(t, []string{"1", `"a,]"`, `{"b":[2]}`, "null"}, got)
	assert.ErrorIs(t, jsonscan.Array([]byte(`{}`), func([]byte) error { return nil }), jsonscan.ErrSyntax)
	assert.NoError(t, jsonscan.Array([]byte(`[]`), func([]byte) error { t.Fatal("no elements"); return nil }))
}

func TestScalars(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		str  string
		isS  bool
		n    int64
		isN  bool
		b    bool
		isB  bool
		null bool
	}{
		{raw: `"plain"`, str: "plain", isS: true},
		{raw: `"\u00e9t\u00e9\n"`, str: "été\n", isS: true},
		{raw: `"ünïcode"`, str: "ünïcode", isS: true},
		{raw: "\"bad \xff utf8\"", str: "bad \ufffd utf8", isS: true},
		{raw: `42`, n: 42, isN: true},
		{raw: `-7`, n: -7, isN: true},
		{raw: `1e3`, n: 1000, isN: true},
		{raw: `1.5`},
		{raw: `true`, b: true, isB: true},
		{raw: `false`, isB: true},
		{raw: `null`, null: true},
	}
	for _, tt := range tests {
		s, ok := jsonscan.String([]byte(tt.raw))
		assert.Equal(t, tt.isS, ok, tt.raw)
		assert.Equal(t, tt.str, s, tt.raw)
		n, ok := jsonscan.Int([]byte(tt.raw))
		assert.Equal(t, tt.isN, ok, tt.raw)
		assert.Equal(t, tt.n, n, tt.raw)
		b, ok := jsonscan.Bool([]byte(tt.raw))
		assert.Equal(t, tt.isB, ok, tt.raw)
		assert.Equal(t, tt.b, b, tt.raw)
		assert.Equal(t, tt.null, jsonscan.IsNull([]byte(tt.raw)), tt.raw)
	}
}

// Not parallel: testing.AllocsPerRun needs the test to run alone.
func TestStringRepeatsAreShared(t *testing.T) {
	raw := []byte(`"In Progress"`)
	for range 3 {
		jsonscan.String(raw)
	}
	allocs := testing.AllocsPerRun(100, func() { jsonscan.String(raw) })
	assert.Zero(t, allocs, "a repeated short string is not allocated again")
}

// FuzzObject checks that the scanner agrees with encoding/json on the keys
// and values of any valid object.
func FuzzObject(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":{"c":[1,"]"]},"d":"\"}"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var want map[string]json.RawMessage
		if json.Unmarshal(data, &want) != nil || want == nil {
			return
		}
		got := map[string]json.RawMessage{}
		err := jsonscan.Object(data, func(k, v []byte) error {
			s, ok := jsonscan.String(k)
			require.True(t, ok)
			got[s] = append(json.RawMessage(nil), v...)
			return nil
		})
		require.NoError(t, err)
		require.Len(t, got, len(want))
		for k, v := range want {
			assert.JSONEq(t, string(v), string(got[k]))
		}
	})
}

func TestIntAndDigits(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		raw         string
		digits, int int64
		dOK, intOK  bool
	}{
		{"84", 84, 84, true, true},
		{"-5", -5, -5, true, true},
		{"84.0", 0, 84, false, true},
		{"1e3", 0, 1000, false, true},
		{"84.5", 0, 0, false, false},
		{"-", 0, 0, false, false},
		{"", 0, 0, false, false},
		{"99999999999999999999", 0, 0, false, false}, // would overflow int64
		{"123456789012345678", 123456789012345678, 123456789012345678, true, true},
	} {
		d, ok := jsonscan.Digits([]byte(c.raw))
		assert.Equal(t, c.dOK, ok, "Digits(%q)", c.raw)
		assert.Equal(t, c.digits, d, "Digits(%q)", c.raw)
		n, ok := jsonscan.Int([]byte(c.raw))
		assert.Equal(t, c.intOK, ok, "Int(%q)", c.raw)
		assert.Equal(t, c.int, n, "Int(%q)", c.raw)
	}
}
