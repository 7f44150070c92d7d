package lenient_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/internal/lenient"
)

type user struct {
	Login    string                     `json:"login"`
	Extra    map[string]json.RawMessage `json:"-"`
	Problems []lenient.FieldError       `json:"-"`
}

func (u *user) UnmarshalJSON(data []byte) error {
	type plain user
	*u = user{}
	var err error
	u.Extra, u.Problems, err = lenient.Decode(data, (*plain)(u))
	return err
}

func (u user) MarshalJSON() ([]byte, error) {
	type plain user
	return lenient.Encode(plain(u), u.Extra, u.Problems)
}

type Embedded struct {
	Kind string `json:"kind"`
}

type issue struct {
	Embedded
	ID       string                     `json:"id"`
	Updated  int64                      `json:"updated,omitempty"`
	Reporter *user                      `json:"reporter,omitempty"`
	Watchers []user                     `json:"watchers,omitempty"`
	Skipped  string                     `json:"-"`
	Extra    map[string]json.RawMessage `json:"-"`
	Problems []lenient.FieldError       `json:"-"`
}

func (i *issue) UnmarshalJSON(data []byte) error {
	type plain issue
	*i = issue{}
	var err error
	i.Extra, i.Problems, err = lenient.Decode(data, (*plain)(i))
	return err
}

func (i issue) MarshalJSON() ([]byte, error) {
	type plain issue
	return lenient.Encode(plain(i), i.Extra, i.Problems)
}

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		want     issue
		extra    []string
		problems []string
	}{
		{
			name: "all known",
			in:   `{"kind":"Issue","id":"2-1","updated":1700000000000,"reporter":{"login":"jdoe"}}`,
			want: issue{Embedded: Embedded{Kind: "Issue"}, ID: "2-1", Updated: 1700000000000, Reporter: &user{Login: "jdoe"}},
		},
		{
			name:  "unknown keys kept",
			in:    `{"id":"2-1","votes":3,"Skipped":"x"}`,
			want:  issue{ID: "2-1"},
			extra: []string{"Skipped", "votes"},
		},
		{
			name:     "mistyped field reported, rest decoded",
			in:       `{"id":"2-1","updated":"yesterday","reporter":{"login":"jdoe"}}`,
			want:     issue{ID: "2-1", Reporter: &user{Login: "jdoe"}},
			problems: []string{"updated"},
		},
		{
			name:     "nested problems carry their path",
			in:       `{"id":"2-1","reporter":{"login":7},"watchers":[{"login":"a"},{"login":false}]}`,
			want:     issue{ID: "2-1"},
			problems: []string{"reporter.login", "watchers[1].login"},
		},
		{
			name:     "a nested value that is no object fails only its field",
			in:       `{"id":"2-1","reporter":"jdoe"}`,
			want:     issue{ID: "2-1"},
			problems: []string{"reporter"},
		},
		{
			name: "null",
			in:   `null`,
			want: issue{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got issue
			require.NoError(t, json.Unmarshal([]byte(tt.in), &got))
			assert.Equal(t, tt.want.ID, got.ID)
			assert.Equal(t, tt.want.Kind, got.Kind)
			assert.Equal(t, tt.want.Updated, got.Updated)
			if tt.want.Reporter != nil {
				require.NotNil(t, got.Reporter)
				assert.Equal(t, tt.want.Reporter.Login, got.Reporter.Login)
			}
			var extra []string
			for k := range got.Extra {
				extra = append(extra, k)
			}
			assert.ElementsMatch(t, tt.extra, extra)
			var probs []string
			for _, p := range got.Problems {
				probs = append(probs, p.Field)
				assert.NotEmpty(t, p.Raw)
				assert.Error(t, p.Err)
			}
			assert.Equal(t, tt.problems, probs)
		})
	}
}

func TestDecodeRoundTripIsLossless(t *testing.T) {
	t.Parallel()
	in := `{"id":"2-1","kind":"Issue","reporter":{"avatar":"a.png","login":7},"updated":"yesterday","votes":{"n":3}}`
	var is issue
	require.NoError(t, json.Unmarshal([]byte(in), &is))
	out, err := json.Marshal(is)
	require.NoError(t, err)
	assert.JSONEq(t, in, string(out))
}

func TestDecodeRejectsNonObjects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`"text"`, `[1]`, `12`, `{"id":`} {
		var is issue
		assert.Error(t, json.Unmarshal([]byte(in), &is), in)
	}
	_, _, err := lenient.Decode([]byte(`{}`), issue{})
	assert.ErrorContains(t, err, "struct pointer")
}

func TestFieldErrorMessages(t *testing.T) {
	t.Parallel()
	var is issue
	require.NoError(t, json.Unmarshal([]byte(`{"updated":"x","reporter":{"login":[1]}}`), &is))
	err := lenient.Join(is.Problems)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "field reporter.login: a JSON array does not fit a string")
	assert.Contains(t, err.Error(), "field updated: a JSON string does not fit an integer")
	assert.NoError(t, lenient.Join(nil))
}

func TestUnknownKeysOfAnyShape(t *testing.T) {
	t.Parallel()
	in := "{ \"id\" : \"2-1\",\n\t\"a\\\"b\": \"x}\", \"n\": -1.5e3 , \"arr\":[{\"k\":\"]\\\\\"}], \"t\":true, \"z\":null,\"ID\":\"folded\" }"
	var is issue
	require.NoError(t, json.Unmarshal([]byte(in), &is))
	assert.Equal(t, "folded", is.ID, "keys match case-insensitively, the last one wins, as in encoding/json")
	assert.Equal(t, map[string]json.RawMessage{
		`a"b`: json.RawMessage(`"x}"`),
		"n":   json.RawMessage(`-1.5e3`),
		"arr": json.RawMessage(`[{"k":"]\\"}]`),
		"t":   json.RawMessage(`true`),
		"z":   json.RawMessage(`null`),
	}, is.Extra)
	assert.Empty(t, is.Problems)
}

// FuzzDecode checks that no input panics the decoder and that whatever it
// accepts encodes to valid JSON again.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"id":"2-1","updated":1,"reporter":{"login":"a"},"watchers":[{"login":"b"}]}`,
		`{"id":7,"updated":"x","reporter":"r","watchers":{"login":1},"extra":[1,{"a":"}"}]}`,
		`{"a\"b":"x}","ID":"y"}`, `null`, `{}`, `[1]`, `{"id":`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var is issue
		if err := json.Unmarshal(data, &is); err != nil {
			return
		}
		out, err := json.Marshal(is)
		require.NoError(t, err)
		assert.True(t, json.Valid(out), "%s", out)
	})
}
