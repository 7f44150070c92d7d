package youtrack_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/youtrack"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

// exampleClient starts a fake YouTrack with eight SEC issues and returns a
// client for it.
func exampleClient() (*youtrack.Client, *youtracktest.Server) {
	srv := youtracktest.New()
	if _, err := srv.SeedIssues("SEC", 8); err != nil {
		log.Fatal(err)
	}
	c, err := youtrack.New(srv.URL(), youtrack.WithToken(youtracktest.Token))
	if err != nil {
		log.Fatal(err)
	}
	return c, srv
}

// Search for unresolved high-severity issues that have not been reported
// yet, page by page.
func ExampleIssuesService_Search() {
	c, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	var q youtrack.Query
	q.Project("SEC").Field("Severity", "High").HasNot("Reported").Unresolved().SortBy("created", true)
	fmt.Println(q.String())

	for is, err := range c.Issues.Search(ctx, q.String(), &youtrack.ListOptions{Top: 50}) {
		if err != nil {
			log.Fatal(err)
		}
		sev, _ := is.Field("Severity").Plain()
		fmt.Println(is.IDReadable, sev, is.Summary)
	}
	// Output:
	// project: SEC Severity: High has: -Reported #Unresolved sort by: created asc
	// SEC-3 High Suspicious login from host 3
	// SEC-7 High Suspicious login from host 7
}

// Set a date-only field: YouTrack stores the day at 12:00 UTC.
func ExampleIssuesService_UpdateCustomField() {
	c, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	reported := time.Date(2026, 2, 3, 17, 45, 0, 0, time.UTC)
	f, _, err := c.Issues.UpdateCustomField(ctx, "SEC-3", youtrack.DateValue("Reported", reported))
	if err != nil {
		log.Fatal(err)
	}
	t, _, _ := f.Time()
	fmt.Println(f.Name, f.Type, t.Format(time.RFC3339))
	// Output:
	// Reported DateIssueCustomField 2026-02-03T12:00:00Z
}

// Apply a command, with a comment, the way a user types it in YouTrack.
func ExampleCommandsService_Apply() {
	c, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	state, err := youtrack.QuoteValue("Won't fix")
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Commands.Apply(ctx, &youtrack.Command{
		Query:   "State " + state,
		Issues:  []youtrack.IssueRef{youtrack.RefOf("SEC-3")},
		Comment: "Accepted risk.",
	})
	if err != nil {
		log.Fatal(err)
	}
	is, _, err := c.Issues.Get(ctx, "SEC-3", nil)
	if err != nil {
		log.Fatal(err)
	}
	el, _ := is.Field("State").Element()
	fmt.Println(is.IDReadable, el.Name, "resolved:", el.IsResolved)
	// Output:
	// SEC-3 Won't fix resolved: true
}

// List accounts with ban state and last access, through Hub.
func ExampleUsersService_List() {
	srv := youtracktest.New()
	defer srv.Close()
	c, err := youtrack.New(srv.URL(), youtrack.WithToken(youtracktest.Token), youtrack.WithUserAPI(youtrack.UserAPIHub))
	if err != nil {
		log.Fatal(err)
	}
	for u, err := range c.Users.List(context.Background(), nil) {
		if err != nil {
			log.Fatal(err)
		}
		last := "never"
		if u.LastAccessTime != 0 {
			last = u.LastAccessTime.Time().Format("2006-01-02")
		}
		names := make([]string, len(u.Groups))
		for i, g := range u.Groups {
			names[i] = g.Name
		}
		fmt.Printf("%-6s banned=%-5t guest=%-5t last=%s groups=%s\n", u.Login, u.Banned, u.Guest, last, strings.Join(names, ","))
	}
	// Output:
	// admin  banned=false guest=false last=2026-01-05 groups=All Users,Administrators
	// jdoe   banned=false guest=false last=2026-01-03 groups=All Users,Security Team
	// bsmith banned=true  guest=false last=2025-10-07 groups=All Users
	// cwu    banned=false guest=false last=never groups=All Users,Helpdesk
	// guest  banned=false guest=true  last=never groups=Anonymous
}

// Create an issue with a severity and a date field through the
// vendor-neutral adapter, then find the unreported high-severity ones.
func ExampleAdapter() {
	srv := youtracktest.New()
	defer srv.Close()
	c, err := youtrack.New(srv.URL(), youtrack.WithToken(youtracktest.Token))
	if err != nil {
		log.Fatal(err)
	}
	a, err := youtrack.NewAdapter(c, youtrack.AdapterConfig{})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	is, err := a.CreateIssue(ctx, &tracker.NewIssue{
		Project: "HD", Summary: "Ransomware note found", Priority: "Critical",
		Fields: map[string]any{"Severity": "High"}, Marker: "isms:finding-7",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(is.Key, is.Status, is.StatusCategory, is.Priority, is.Fields["Severity"], is.Fields["Reported"], is.Labels)

	err = a.UpdateIssue(ctx, is.ID, &tracker.Change{Fields: map[string]any{"Reported": time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		log.Fatal(err)
	}
	found, err := a.FindByMarker(ctx, "isms:finding-7")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(found[0].Key, found[0].Fields["Reported"])
	// Output:
	// HD-1 Open todo Critical High <nil> [isms:finding-7]
	// HD-1 2026-02-03 12:00:00 +0000 UTC
}

// Receive YouTrack notifications on an HTTP endpoint.
func ExampleNewHandler() {
	h, err := youtrack.NewHandler(youtrack.HandlerConfig{Token: "shared-secret"}, func(_ context.Context, ev *youtrack.Event) error {
		fmt.Println(ev.Kind, ev.IssueID(), ev.Comment.Text)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/youtrack", strings.NewReader(
		`{"event":"commentAdded","issue":{"idReadable":"HD-25"},"comment":{"id":"4-3","text":"Password reset done."}}`))
	req.Header.Set("X-Auth-Token", "shared-secret")
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	fmt.Println(w.Code)
	// Output:
	// commentAdded HD-25 Password reset done.
	// 204
}

// Quote values so that they can never change a query.
func ExampleQuoteValue() {
	for _, v := range []string{"High", "In Progress", "me", "x} or {y"} {
		q, err := youtrack.QuoteValue(v)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(q)
	}
	term, _ := youtrack.QuoteQuery("Due Date", "2026-01-02")
	fmt.Println(term)
	// Output:
	// High
	// {In Progress}
	// {me}
	// error: youtrack: value cannot be quoted safely: "x} or {y" holds '}', which YouTrack queries cannot escape
	// {Due Date}: 2026-01-02
}
