package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/adf"
	"github.com/trackbridge/trackbridge/jira/jiratest"
)

func noEnv(string) string { return "" }

func TestDemoOnFakes(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-detections", "40", "-latency", "0"}, &out, &errOut, noEnv)
	require.NoError(t, err, "output:\n%s", out.String())
	s := out.String()

	// 40 seeded detections: 5 of each of 8 types; the performance types
	// have no risk score and the weak-cipher type scores around 30.
	assert.Regexp(t, `Created \d+ tickets in Jira`, s)
	assert.Contains(t, s, "SEC-1 ")
	assert.Regexp(t, `/browse/SEC-1\n`, s)
	assert.Regexp(t, `\d+  no risk score \(performance detections\)`, s)
	assert.Regexp(t, `detection \d+  ticket_id=SEC-1  assignee=SecOps Team\n`, s)
	assert.Contains(t, s, "An analyst investigates SEC-1 and moves it to Done")
	assert.Regexp(t, `Wrote back onto 1 detection; detection \d+ is now status=closed resolution=action_taken \(ticket SEC-1\)`, s)
	assert.Contains(t, s, "Created 0, updated 0, wrote back 0; 0 write requests reached ExtraHop or Jira.")
	assert.Contains(t, s, "Nothing to do.")

	// The spec's policies skip the closed detection and the one another
	// system tracks, whatever their risk score, and say why.
	assert.Regexp(t, `\n +1  the detection is closed\n`, s)
	assert.Regexp(t, `\n +1  another system tracks the detection \(its ticket_id is not a Jira key\)\n`, s)

	// Created plus skipped account for every detection: the 40 seeded and
	// the two the policies skip.
	created := regexp.MustCompile(`Created (\d+) tickets`).FindStringSubmatch(s)
	skipped := regexp.MustCompile(`Skipped (\d+) detections`).FindStringSubmatch(s)
	require.Len(t, created, 2)
	require.Len(t, skipped, 2)
	assert.Equal(t, "42", sum(t, created[1], skipped[1]))
	assert.Empty(t, errOut.String(), "no progress bar when stderr is not a terminal")
}

// TestDemoTicketDescriptions reads the demo's tickets from the fake Jira:
// their descriptions hold no stray escape and link the ExtraHop devices
// absolutely.
func TestDemoTicketDescriptions(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	var texts, links []string
	var ehURL string
	err := runThen(context.Background(), []string{"-detections", "16", "-latency", "0"}, &out, &out, noEnv, func(sys *systems) {
		ehURL = sys.eh.URL()
		jc, err := jira.New(sys.jr.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
		require.NoError(t, err)
		for _, snap := range sys.jr.Issues() {
			is, _, err := jc.Issues.Get(context.Background(), snap.Key, nil)
			require.NoError(t, err)
			require.NotNil(t, is.Fields.Description, snap.Key)
			require.NotNil(t, is.Fields.Description.Doc, snap.Key)
			texts = append(texts, adf.ToText(is.Fields.Description.Doc))
			walk(is.Fields.Description.Doc, func(n *adf.Node) {
				for _, m := range n.Marks {
					if m.Type == adf.MarkLink {
						href, _ := m.Attrs["href"].(string)
						links = append(links, href)
					}
				}
			})
		}
	})
	require.NoError(t, err, out.String())
	require.NotEmpty(t, texts)
	text := strings.Join(texts, "\n")
	assert.NotContains(t, text, `\`, "no stray backslash in a ticket description")
	assert.Contains(t, text, "Type: rdp_brute_force\n", "the detection type reads as ExtraHop names it")
	assert.Contains(t, text, ".corp.example")
	devices := 0
	for _, href := range links {
		assert.Regexp(t, `^https?://`, href, "links are absolute")
		if strings.HasPrefix(href, ehURL+"/extrahop/#/metrics/devices/") {
			devices++
		}
	}
	assert.NotZero(t, devices, "device links point into the ExtraHop console: %q", links)
}

// walk calls fn for n and every node below it.
func walk(n *adf.Node, fn func(*adf.Node)) {
	if n == nil {
		return
	}
	fn(n)
	for _, c := range n.Content {
		walk(c, fn)
	}
}

func TestRealSystemsNeedBothURLsAndCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"only ExtraHop", map[string]string{"EXTRAHOP_URL": "https://eh.example.com"}, "set both EXTRAHOP_URL and JIRA_URL"},
		{"no ExtraHop key", map[string]string{"EXTRAHOP_URL": "https://eh.example.com", "JIRA_URL": "https://x.atlassian.net"}, "EXTRAHOP_API_KEY"},
		{"no Jira token", map[string]string{"EXTRAHOP_URL": "https://eh.example.com", "JIRA_URL": "https://x.atlassian.net", "EXTRAHOP_API_KEY": "secret-key"}, "JIRA_API_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := run(context.Background(), nil, &out, &out, func(k string) string { return tt.env[k] })
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error()+out.String(), "secret-key")
		})
	}
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(context.Background(), []string{"-detections", "0"}, &out, &out, noEnv)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-detections 0")
}

func sum(t *testing.T, a, b string) string {
	t.Helper()
	x, err := strconv.Atoi(a)
	require.NoError(t, err)
	y, err := strconv.Atoi(b)
	require.NoError(t, err)
	return strconv.Itoa(x + y)
}

// TestRealSystemsWithStore runs the real-system path against fakes the
// test starts, twice, as two invocations of the program sharing a store
// file: the second files nothing.
func TestRealSystemsWithStore(t *testing.T) {
	t.Parallel()
	eh := extrahoptest.NewServer(t)
	eh.Seed(24)
	jr := jiratest.NewServer(t)
	env := map[string]string{
		"EXTRAHOP_URL": eh.URL(), "EXTRAHOP_API_KEY": extrahoptest.DefaultAPIKey,
		"JIRA_URL": jr.URL(), "JIRA_EMAIL": jiratest.Email, "JIRA_API_TOKEN": jiratest.APIToken,
	}
	getenv := func(k string) string { return env[k] }
	args := []string{"-store", filepath.Join(t.TempDir(), "links.db")}

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), args, &out, &out, getenv), out.String())
	first := out.String()
	assert.Contains(t, first, "Syncing detections from "+eh.URL())
	assert.Regexp(t, `Created \d+ tickets in Jira`, first)
	assert.Contains(t, first, "Run again to pick up new detections")
	assert.NotContains(t, first, "An analyst", "the story is played on the fakes only")
	tickets := len(jr.Issues())
	require.NotZero(t, tickets)

	out.Reset()
	require.NoError(t, run(context.Background(), args, &out, &out, getenv), out.String())
	assert.Contains(t, out.String(), "No new tickets: every detection the rule selects has one already.")
	assert.Regexp(t, `\d+  unchanged since the last run`, out.String())
	assert.Len(t, jr.Issues(), tickets, "the second run files nothing")
	for _, secret := range []string{extrahoptest.DefaultAPIKey, jiratest.APIToken} {
		assert.NotContains(t, first+out.String(), secret)
	}
}

// writeRequests counts the requests since the fakes' last reset that could
// change something: everything but reads and searches.
func writeRequests(eh *extrahoptest.Server, jr *jiratest.Server) int {
	n := 0
	for route, c := range eh.RequestCounts() {
		if !strings.HasPrefix(route, "GET ") && route != "POST /api/v1/detections/search" && route != "POST /oauth2/token" {
			n += c
		}
	}
	_, perRoute := jr.Requests()
	for route, c := range perRoute {
		if !strings.HasPrefix(route, "GET ") && !strings.HasPrefix(route, "POST /rest/api/3/search/") {
			n += c
		}
	}
	return n
}

// TestRealSystemsTwiceWithoutStore runs the real-system path twice with no
// store: the second run keeps no links from the first, adopts the tickets
// it filed by their markers, and writes nothing to either system, the
// detections already carrying their ticket.
func TestRealSystemsTwiceWithoutStore(t *testing.T) {
	t.Parallel()
	eh := extrahoptest.NewServer(t)
	eh.Seed(24)
	jr := jiratest.NewServer(t)
	env := map[string]string{
		"EXTRAHOP_URL": eh.URL(), "EXTRAHOP_API_KEY": extrahoptest.DefaultAPIKey,
		"JIRA_URL": jr.URL(), "JIRA_EMAIL": jiratest.Email, "JIRA_API_TOKEN": jiratest.APIToken,
	}
	getenv := func(k string) string { return env[k] }

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out, &out, getenv), out.String())
	m := regexp.MustCompile(`Created (\d+) tickets in Jira`).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	tickets := len(jr.Issues())
	require.Equal(t, m[1], strconv.Itoa(tickets))

	eh.ResetRequests()
	jr.ResetRequests()
	out.Reset()
	require.NoError(t, run(context.Background(), nil, &out, &out, getenv), out.String())
	second := out.String()
	assert.Contains(t, second, "Adopted "+m[1]+" tickets filed by an earlier run, found by their markers.")
	assert.NotContains(t, second, "Created ")
	assert.NotContains(t, second, "Wrote back onto", "the detections already carry their tickets")
	assert.Zero(t, writeRequests(eh, jr), "the second run writes nothing")
	assert.Len(t, jr.Issues(), tickets)
}

// TestTestConnectionListsEveryProblem: before anything syncs, the program
// checks the mapping against both systems and names every problem at once.
func TestTestConnectionListsEveryProblem(t *testing.T) {
	t.Parallel()
	eh := extrahoptest.NewServer(t)
	jr := jiratest.NewServer(t)
	env := map[string]string{
		"EXTRAHOP_URL": eh.URL(), "EXTRAHOP_API_KEY": extrahoptest.DefaultAPIKey,
		"JIRA_URL": jr.URL(), "JIRA_EMAIL": jiratest.Email, "JIRA_API_TOKEN": jiratest.APIToken,
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"-project", "NOPE", "-assignee", "ghost@example.com"}, &out, &out, func(k string) string { return env[k] })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test connection")
	assert.Contains(t, err.Error(), `project "NOPE" does not exist`)
	assert.Contains(t, err.Error(), `assignee "ghost@example.com" is not a user`)
	assert.Empty(t, jr.Issues(), "nothing is filed when the mapping does not fit")
}
