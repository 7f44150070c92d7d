package jira_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/tracker"
)

// cannedServer answers every create with the recorded 201 and every search
// with a page of issues, each the recorded issue_get.json.
func cannedServer(b *testing.B, pageSize int) *httptest.Server {
	b.Helper()
	created, err := os.ReadFile(filepath.Join("testdata", "issue_create_201.json"))
	require.NoError(b, err)
	issue, err := os.ReadFile(filepath.Join("testdata", "issue_get.json"))
	require.NoError(b, err)
	// Each issue of the page is the recorded one with its own id, key,
	// summary, description text, label and update time; project, type,
	// status, priority and people repeat, as they do in a real search.
	var page bytes.Buffer
	page.WriteString(`{"isLast":true,"issues":[`)
	for i := range pageSize {
		if i > 0 {
			page.WriteByte(',')
		}
		one := strings.NewReplacer(
			"10042", fmt.Sprint(20000+i), "SEC-42", fmt.Sprintf("SEC-%d", 100+i),
			"8589935233", fmt.Sprint(8589935300+i), "10.0.0.7", fmt.Sprintf("10.0.1.%d", i),
			"Risk 87", fmt.Sprintf("Risk %d", 40+i), "08:00:00.250", fmt.Sprintf("08:%02d:00.250", i),
		).Replace(string(issue))
		page.WriteString(one)
	}
	page.WriteString(`]}`)
	search := page.Bytes()
	fields, err := os.ReadFile(filepath.Join("testdata", "fields.json"))
	require.NoError(b, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		switch r.URL.Path {
		case "/rest/api/3/issue":
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(created)
		case "/rest/api/3/search/jql":
			_, _ = w.Write(search)
		case "/rest/api/3/field":
			_, _ = w.Write(fields)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchCreateInput() *jira.IssueUpdate {
	return &jira.IssueUpdate{Fields: jira.Fields{
		"project":   map[string]string{"key": "SEC"},
		"issuetype": map[string]string{"name": "Task"},
		"summary":   "ExtraHop Detection: 8589935233: Suspicious SMB activity",
		"labels":    []string{"extrahop", "sec.attack"},
		"priority":  map[string]string{"name": "High"},
	}}
}

// BenchmarkCreate compares one issue create through the client with the
// same request made with net/http and encoding/json alone, against the
// same canned-response server. Compare allocs/op of the two.
func BenchmarkCreate(b *testing.B) {
	srv := cannedServer(b, 1)
	ctx := context.Background()
	b.Run("client", func(b *testing.B) {
		c, err := jira.New(srv.URL, jira.WithBasicAuth("me@example.com", "token"), jira.WithHTTPClient(srv.Client()))
		require.NoError(b, err)
		in := benchCreateInput()
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := c.Issues.Create(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("net-http", func(b *testing.B) {
		hc := srv.Client()
		in := benchCreateInput()
		b.ReportAllocs()
		for b.Loop() {
			plainCreate(b, hc, srv.URL, in)
		}
	})
	// ratio alternates the two, call by call, so load on the machine
	// weighs on both alike, and reports client ÷ net/http for time, and
	// for allocations over 200 calls of each.
	b.Run("ratio", func(b *testing.B) {
		c, err := jira.New(srv.URL, jira.WithBasicAuth("me@example.com", "token"), jira.WithHTTPClient(srv.Client()))
		require.NoError(b, err)
		hc := srv.Client()
		in := benchCreateInput()
		var clientTime, plainTime time.Duration
		clientCall := func() {
			if _, _, err := c.Issues.Create(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		plainCall := func() { plainCreate(b, hc, srv.URL, in) }
		timed := func(f func()) time.Duration {
			t := time.Now()
			f()
			return time.Since(t)
		}
		n := 0
		for b.Loop() {
			// Alternate which goes first, so neither always runs on a
			// connection the other has just warmed.
			if n%2 == 0 {
				clientTime += timed(clientCall)
				plainTime += timed(plainCall)
			} else {
				plainTime += timed(plainCall)
				clientTime += timed(clientCall)
			}
			n++
		}
		b.StopTimer()
		allocs := func(f func()) uint64 {
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			for range 200 {
				f()
			}
			runtime.ReadMemStats(&m1)
			return m1.Mallocs - m0.Mallocs
		}
		clientAllocs, plainAllocs := allocs(clientCall), allocs(plainCall)
		b.ReportMetric(float64(clientTime)/float64(plainTime), "time-ratio")
		b.ReportMetric(float64(clientAllocs)/float64(plainAllocs), "alloc-ratio")
	})
}

// plainCreate makes the create with net/http and encoding/json alone.
func plainCreate(b *testing.B, hc *http.Client, base string, in *jira.IssueUpdate) {
	body, err := json.Marshal(map[string]any{"fields": map[string]any(in.Fields)})
	if err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/rest/api/3/issue", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.SetBasicAuth("me@example.com", "token")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var out struct {
		ID   string `json:"id"`
		Key  string `json:"key"`
		Self string `json:"self"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated {
		b.Fatal(err, resp.StatusCode)
	}
}

// BenchmarkSearch reads pages of 50 rich issues and reports allocations
// per issue.
func BenchmarkSearch(b *testing.B) {
	const pageSize = 50
	srv := cannedServer(b, pageSize)
	c, err := jira.New(srv.URL, jira.WithBasicAuth("me@example.com", "token"), jira.WithHTTPClient(srv.Client()))
	require.NoError(b, err)
	ctx := context.Background()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	issues := 0
	for b.Loop() {
		page, _, err := c.Search.Page(ctx, "project = SEC", nil, "")
		if err != nil || len(page.Issues) != pageSize {
			b.Fatal(err, len(page.Issues))
		}
		issues += len(page.Issues)
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(issues), "allocs/issue")
}

// BenchmarkAdapterSearch is BenchmarkSearch through the tracker adapter,
// which also converts each issue (custom fields by display name).
func BenchmarkAdapterSearch(b *testing.B) {
	const pageSize = 50
	srv := cannedServer(b, pageSize)
	c, err := jira.New(srv.URL, jira.WithBasicAuth("me@example.com", "token"), jira.WithHTTPClient(srv.Client()))
	require.NoError(b, err)
	a, err := jira.NewAdapter(c, jira.AdapterConfig{Location: time.UTC})
	require.NoError(b, err)
	ctx := context.Background()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	issues := 0
	for b.Loop() {
		n := 0
		for _, err := range a.SearchIssues(ctx, tracker.Query{Project: "SEC", PageSize: pageSize}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != pageSize {
			b.Fatal(n)
		}
		issues += n
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(issues), "allocs/issue")
}
