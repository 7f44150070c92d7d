package access_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/tracker/access"
)

func TestReadCSV(t *testing.T) {
	t.Parallel()
	r, err := access.ReadFile("testdata/roster.csv", access.ReadOptions{})
	require.NoError(t, err)
	require.Len(t, r, 4)
	assert.Equal(t, &access.Entry{Email: "ana.lima@example.com", Login: "ana", Name: "Ana Lima", Status: access.StatusActive, Role: "developer", Source: "roster.csv:3"}, r[0])
	assert.Equal(t, access.StatusOffboarded, r[1].Status)
	assert.Equal(t, date("2026-10-01"), r[1].OffboardedAt)
	assert.Equal(t, "roster.csv:4", r[1].Source)
	assert.Equal(t, access.StatusActive, r[2].Status, "status is case-insensitive")
	assert.Empty(t, r[2].Login)
	assert.Equal(t, `Sam "Sunny" Sol`, r[3].Name)
	assert.Equal(t, "roster.csv:7", r[3].Source, "blank lines and comments count")
	assert.True(t, r[3].OffboardedAt.Equal(time.Date(2026, 11, 18, 16, 30, 0, 0, time.UTC)))
}

func TestReadCSVReportsEveryBadLine(t *testing.T) {
	t.Parallel()
	_, err := access.ReadFile("testdata/bad.csv", access.ReadOptions{})
	require.Error(t, err)
	want := []string{
		`bad.csv:3: status "gone" is not active or offboarded`,
		`bad.csv:4: neither email nor login is set`,
		`bad.csv:5: email "not-an-email" is not an email address`,
		`bad.csv:6: email "ANA@example.com" is also on line 2`,
		`bad.csv:7: offboarded date "31/01/2026" is neither YYYY-MM-DD nor RFC 3339`,
		`bad.csv:8: offboarded date 2026-01-01 given for a person whose status is active`,
		`bad.csv:9: has 2 fields, the header 6`,
		`bad.csv:10: login "ANA" is also on line 2`,
	}
	assert.Equal(t, strings.Join(want, "\n"), err.Error())

	var errs *access.Errors
	require.ErrorAs(t, err, &errs)
	assert.Len(t, errs.Problems, len(want))
	var le *access.LineError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 3, le.Line)
	assert.Equal(t, "bad.csv", le.Name)
}

func TestReadCSVErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		opts access.ReadOptions
		want string
	}{
		{"empty", "", access.ReadOptions{}, "roster.csv: empty; the first line must name the columns"},
		{"only comments", "# nothing\n", access.ReadOptions{}, "roster.csv: empty"},
		{"no header", "ana@example.com,active\n", access.ReadOptions{}, "roster.csv:1: unknown column \"ana@example.com\""},
		{"unknown column", "email,status,team\na@e.com,active,red\n", access.ReadOptions{}, `roster.csv:1: unknown column "team" (known: email, login, name, status, offboarded, role)`},
		{"duplicate column", "email,mail,status\n", access.ReadOptions{}, `roster.csv:1: column "email" appears twice`},
		{"no status column", "email,name\n", access.ReadOptions{}, "roster.csv:1: header has no status column"},
		{"no identity column", "name,status\n", access.ReadOptions{}, "roster.csv:1: header names neither email nor login"},
		{"bad quote", "email,status\n\"a@e.com,active\nb@e.com,active\n", access.ReadOptions{}, "roster.csv:"},
		{"stray quote", "email,status\na\"b@e.com,active\n", access.ReadOptions{}, `roster.csv:2: bare " in non-quoted-field`},
		{"too large", "email,status\n" + strings.Repeat("a@e.com,active\n", 10), access.ReadOptions{MaxBytes: 64}, "roster.csv: larger than 64 bytes"},
		{"named", "email,status\nx,active\n", access.ReadOptions{Name: "hr.csv"}, `hr.csv:2: email "x" is not an email address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.opts.Name == "" {
				tt.opts.Name = "roster.csv"
			}
			r, err := access.ReadCSV(strings.NewReader(tt.in), tt.opts)
			require.Error(t, err)
			assert.Nil(t, r)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestReadCSVOptions(t *testing.T) {
	t.Parallel()
	in := "\uFEFFE-Mail,Username,Status,Team\nana@example.com,ana,active,red\n"
	_, err := access.ReadCSV(strings.NewReader(in), access.ReadOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `roster:1: unknown column "Team"`, "default name, BOM stripped")

	r, err := access.ReadCSV(strings.NewReader(in), access.ReadOptions{IgnoreUnknown: true})
	require.NoError(t, err)
	require.Len(t, r, 1)
	assert.Equal(t, "ana", r[0].Login)
	assert.Equal(t, "roster:2", r[0].Source)
}

func TestReadCSVCapsListedProblems(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("email,status\n")
	for i := range 150 {
		fmt.Fprintf(&b, "x%d,active\n", i)
	}
	in := b.String()
	_, err := access.ReadCSV(strings.NewReader(in), access.ReadOptions{})
	var errs *access.Errors
	require.ErrorAs(t, err, &errs)
	assert.Len(t, errs.Problems, 100)
	assert.Equal(t, 50, errs.Omitted)
	assert.True(t, strings.HasSuffix(err.Error(), "… and 50 more problems"))
}

func TestReadJSON(t *testing.T) {
	t.Parallel()
	r, err := access.ReadFile("testdata/roster.json", access.ReadOptions{})
	require.NoError(t, err)
	require.Len(t, r, 3)
	assert.Equal(t, &access.Entry{Email: "ana.lima@example.com", Login: "ana", Name: "Ana Lima", Status: access.StatusActive, Role: "developer", Source: "roster.json:2"}, r[0])
	assert.Equal(t, date("2026-10-01"), r[1].OffboardedAt)
	assert.Equal(t, "roster.json:4", r[1].Source)
	assert.True(t, r[2].OffboardedAt.IsZero(), "null is absent")
}

func TestReadJSONReportsEveryBadObject(t *testing.T) {
	t.Parallel()
	_, err := access.ReadFile("testdata/bad.json", access.ReadOptions{})
	require.Error(t, err)
	want := []string{
		`bad.json:3: status "gone" is not active or offboarded`,
		`bad.json:5: unknown key "team" (known: email, login, name, status, offboarded, role)`,
		`bad.json:6: status must be a string, not a number`,
		`bad.json:7: roster entries must be JSON objects`,
		`bad.json:8: offboarded date "yesterday" is neither YYYY-MM-DD nor RFC 3339`,
		`bad.json:8: email "Ana@Example.com" is also on line 2`,
	}
	assert.Equal(t, strings.Join(want, "\n"), err.Error())
}

// TestReadJSONLargeRosterLines checks the line named for the bad last
// entry of a roster of many objects, which the incremental line count
// must agree on.
func TestReadJSONLargeRosterLines(t *testing.T) {
	t.Parallel()
	const n = 30_000
	var b strings.Builder
	b.WriteString("[\n")
	for i := range n {
		fmt.Fprintf(&b, "{\"email\": \"p%d@example.com\", \"status\": \"active\"},\n", i)
	}
	b.WriteString("{\"email\": \"last@example.com\", \"status\": \"gone\"}\n]\n")
	_, err := access.ReadJSON(strings.NewReader(b.String()), access.ReadOptions{Name: "big.json"})
	assert.EqualError(t, err, fmt.Sprintf(`big.json:%d: status "gone" is not active or offboarded`, n+2))
}

func TestReadJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		opts access.ReadOptions
		want string
	}{
		{"empty", "", access.ReadOptions{}, "roster.json:1: unexpected end of JSON"},
		{"object", `{"email": "a@e.com"}`, access.ReadOptions{}, "roster.json:1: a roster must be a JSON array of objects"},
		{"syntax", "[\n{\"email\": \"a@e.com\", \"status\": \"active\"},\n{\"email\": oops}\n]", access.ReadOptions{}, "roster.json:3: invalid character 'o'"},
		{"truncated", "[\n{\"email\": \"a@e.com\"", access.ReadOptions{}, "roster.json:2: unexpected end of JSON"},
		{"trailing data", "[]\n[]", access.ReadOptions{}, "roster.json:2: data after the roster array"},
		{"too large", `[` + strings.Repeat(`{"email":"a@e.com","status":"active"},`, 10) + `]`, access.ReadOptions{MaxBytes: 100}, "roster.json: larger than 100 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.Name = "roster.json"
			r, err := access.ReadJSON(strings.NewReader(tt.in), tt.opts)
			require.Error(t, err)
			assert.Nil(t, r)
			assert.Contains(t, err.Error(), tt.want)
		})
	}

	r, err := access.ReadJSON(strings.NewReader(`[{"email":"a@e.com","status":"active","team":"red"}]`), access.ReadOptions{IgnoreUnknown: true})
	require.NoError(t, err)
	assert.Len(t, r, 1)
}

func TestReadFile(t *testing.T) {
	t.Parallel()
	_, err := access.ReadFile("roster.xlsx", access.ReadOptions{})
	assert.ErrorContains(t, err, `roster.xlsx: unknown roster format ".xlsx"`)

	_, err = access.ReadFile(filepath.Join(t.TempDir(), "missing.csv"), access.ReadOptions{})
	assert.True(t, errors.Is(err, os.ErrNotExist))
}

func TestParseStatusAndDate(t *testing.T) {
	t.Parallel()
	st, err := access.ParseStatus(" Offboarded ")
	require.NoError(t, err)
	assert.Equal(t, access.StatusOffboarded, st)
	_, err = access.ParseStatus("left")
	assert.EqualError(t, err, `status "left" is not active or offboarded`)

	d, err := access.ParseDate("2026-01-31")
	require.NoError(t, err)
	assert.Equal(t, date("2026-01-31"), d)
	_, err = access.ParseDate("2026-02-30")
	assert.Error(t, err)
}

func FuzzReadCSV(f *testing.F) {
	for _, name := range []string{"testdata/roster.csv", "testdata/bad.csv"} {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte("email,status\n\"a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := access.ReadCSV(strings.NewReader(string(data)), access.ReadOptions{})
		if err != nil {
			assert.Nil(t, r)
			return
		}
		for _, e := range r {
			assert.True(t, e.Email != "" || e.Login != "")
			assert.Contains(t, []access.Status{access.StatusActive, access.StatusOffboarded}, e.Status)
		}
	})
}

func FuzzReadJSON(f *testing.F) {
	for _, name := range []string{"testdata/roster.json", "testdata/bad.json"} {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`[{"email":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := access.ReadJSON(strings.NewReader(string(data)), access.ReadOptions{})
		if err != nil {
			assert.Nil(t, r)
			return
		}
		for _, e := range r {
			assert.True(t, e.Email != "" || e.Login != "")
			assert.Contains(t, []access.Status{access.StatusActive, access.StatusOffboarded}, e.Status)
		}
	})
}
