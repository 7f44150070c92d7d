package jira_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/tracker"
)

// A client for a Jira Cloud site with an account's email and API token.
// Here the site is the in-memory fake; for a real one pass
// "https://acme.atlassian.net".
func Example_apiToken() {
	srv := jiratest.New()
	defer srv.Close()

	c, err := jira.New(srv.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	if err != nil {
		log.Fatal(err)
	}
	me, _, err := c.Users.Myself(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.DisplayName, c.Deployment())
	// Output: Ada Admin cloud
}

// Custom fields can be named by their display name; the client looks the
// id up once and caches it.
func ExampleIssuesService_Create() {
	srv := jiratest.New()
	defer srv.Close()
	c, err := jira.New(srv.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	created, _, err := c.Issues.Create(ctx, &jira.IssueUpdate{Fields: jira.Fields{
		"project":     map[string]string{"key": "SEC"},
		"issuetype":   map[string]string{"name": "Bug"},
		"summary":     "ExtraHop Detection: 8589935233: Suspicious SMB activity",
		"description": "Seen on 10.0.0.7\nRisk score 87",
		"Severity":    jira.SelectValue("High"),
		"labels":      jira.LabelsValue("extrahop-8589935233"),
	}})
	if err != nil {
		log.Fatal(err)
	}
	is, _, err := c.Issues.Get(ctx, created.Key, nil)
	if err != nil {
		log.Fatal(err)
	}
	severity, _ := is.Fields.String("customfield_10042")
	fmt.Println(created.Key, severity)
	fmt.Println(is.Fields.Description.Text())
	// Output:
	// SEC-1 High
	// Seen on 10.0.0.7
	// Risk score 87
}

// Search iterates over every match, fetching pages as the loop goes on.
// Values go into JQL through QuoteJQL only.
func ExampleSearchService_All() {
	srv := jiratest.New()
	defer srv.Close()
	if _, err := srv.Seed("SEC", 3); err != nil {
		log.Fatal(err)
	}
	c, err := jira.New(srv.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	if err != nil {
		log.Fatal(err)
	}

	jql := "project = " + jira.QuoteJQL("SEC") + " ORDER BY created ASC"
	opts := &jira.SearchOptions{Fields: []string{"summary", "status"}, MaxResults: 2}
	for is, err := range c.Search.All(context.Background(), jql, opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(is.Key, is.Fields.Summary, "|", is.Fields.Status.Name)
	}
	// Output:
	// SEC-1 Seeded issue 1 | To Do
	// SEC-2 Seeded issue 2 | To Do
	// SEC-3 Seeded issue 3 | To Do
}

// MoveTo finds a path through the workflow: from To Do the fake's workflow
// reaches Done only through In Progress and In Review.
func ExampleTransitionsService_MoveTo() {
	srv := jiratest.New()
	defer srv.Close()
	id, err := srv.Put(jiratest.IssueSpec{Summary: "Patch the web servers"})
	if err != nil {
		log.Fatal(err)
	}
	c, err := jira.New(srv.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	if err != nil {
		log.Fatal(err)
	}

	moves, err := c.Transitions.MoveTo(context.Background(), id, jira.Target{Status: "Done", Resolution: "Done", Comment: "Remediated."})
	if err != nil {
		log.Fatal(err)
	}
	got, _ := srv.Issue(id)
	fmt.Println(moves, "transitions:", got.Status, "/", got.Resolution)
	// Output: 3 transitions: Done / Done
}

// The adapter gives the vendor-neutral view the sync engine uses.
func ExampleAdapter() {
	srv := jiratest.New()
	defer srv.Close()
	c, err := jira.New(srv.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	if err != nil {
		log.Fatal(err)
	}
	a, err := jira.NewAdapter(c, jira.AdapterConfig{})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	is, err := a.CreateIssue(ctx, &tracker.NewIssue{Project: "SEC", Summary: "Rotate keys", Marker: "appsec-42",
		Fields: map[string]any{"Severity": "Critical"}})
	if err != nil {
		log.Fatal(err)
	}
	if err := a.Transition(ctx, is.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}); err != nil {
		log.Fatal(err)
	}
	found, err := a.FindByMarker(ctx, "appsec-42")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(found[0].Key, found[0].Status, found[0].StatusCategory, found[0].Fields["Severity"])
	// Output: SEC-1 Done done Critical
}

// A webhook endpoint: deliveries are checked against the shared secret,
// decoded, checked for age and refused when replayed, before the callback
// sees them. In production, serve it with jira.NewWebhookServer.
func ExampleWebhookHandler() {
	secret := []byte("webhook-secret")
	h, err := jira.WebhookHandler(secret, func(ctx context.Context, ev *jira.WebhookEvent) error {
		if st, ok := ev.Changed("status"); ok {
			fmt.Printf("%s %s: %s -> %s\n", ev.Event, ev.Issue.Key, st.FromString, st.ToString)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	body := []byte(`{"timestamp":` + strconv.FormatInt(time.Now().UnixMilli(), 10) + `,"webhookEvent":"jira:issue_updated","issue":{"id":"10042","key":"SEC-42","fields":{}},` +
		`"changelog":{"items":[{"field":"status","fieldId":"status","from":"3","fromString":"In Progress","to":"10002","toString":"Done"}]}}`)
	for range 2 { // A replay of the same body is refused: the callback runs once.
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		// Jira signs the raw body: sha256=<hex HMAC-SHA256>.
		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		req.Header.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		req.Header.Set("X-Atlassian-Webhook-Identifier", "3b2f-delivery")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	// Output:
	// jira:issue_updated SEC-42: In Progress -> Done
	// 204
	// 409
}
