package extrahop_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
	"github.com/trackbridge/trackbridge/tracker"
)

// Connecting to a self-managed appliance with an API key, or to RevealX 360
// with client credentials; New does no I/O.
func ExampleNew() {
	onPrem, err := extrahop.New("https://eda.example.com", extrahop.WithAPIKey("API-KEY"))
	if err != nil {
		log.Fatal(err)
	}
	cloud, err := extrahop.New("https://acme.api.cloud.extrahop.com",
		extrahop.WithClientCredentials("CLIENT-ID", "CLIENT-SECRET"),
		extrahop.WithIntegration("trackbridge-0.1"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(onPrem.BaseURL())
	fmt.Println(cloud.BaseURL())
	// Output:
	// https://eda.example.com/api/v1/
	// https://acme.api.cloud.extrahop.com/api/v1/
}

// Searching new high-risk detections: open or new, risk score 80 or more,
// in the order they were last modified, page after page.
func ExampleDetectionsService_SearchAll() {
	srv := extrahoptest.New()
	defer srv.Close()
	srv.Seed(16)
	c, err := extrahop.New(srv.URL(), extrahop.WithAPIKey(extrahoptest.DefaultAPIKey))
	if err != nil {
		log.Fatal(err)
	}

	minRisk := 80
	search := extrahop.ModifiedSince(time.Time{}, 100)
	search.Filter = &extrahop.DetectionFilter{
		Status:       []string{extrahop.FilterNone, extrahop.StatusNew},
		Categories:   []string{"sec"},
		RiskScoreMin: &minRisk,
	}
	for d, err := range c.Detections.SearchAll(context.Background(), search) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d risk %d %s %v\n", d.ID, *d.RiskScore, d.Title, d.Categories)
	}
	// Output:
	// 8589935233 risk 80 RDP Brute Force [sec sec.attack]
	// 8589935261 risk 89 Data Exfiltration to Cloud Storage [sec sec.exfil]
	// 8589935268 risk 81 DNS Tunnel [sec sec.command]
	// 8589935275 risk 98 Log4Shell Exploit Attempt [sec sec.exploit]
	// 8589935289 risk 84 RDP Brute Force [sec sec.attack]
	// 8589935317 risk 93 Data Exfiltration to Cloud Storage [sec sec.exfil]
	// 8589935331 risk 99 Log4Shell Exploit Attempt [sec sec.exploit]
}

// Writing ticket information back once a ticket exists: ticket id,
// status and assignee in one PATCH, then closing every detection of the
// ticket with a resolution. The console links the ticket through its URL
// template.
func ExampleDetectionsService_Update() {
	srv := extrahoptest.New()
	defer srv.Close()
	id := srv.Seed(1)[0]
	c, err := extrahop.New(srv.URL(), extrahop.WithAPIKey(extrahoptest.DefaultAPIKey))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	_, err = c.Detections.Update(ctx, id, &extrahop.DetectionUpdate{
		TicketID: tracker.Ptr("SEC-1042"),
		Status:   tracker.Ptr(extrahop.StatusInProgress),
		Assignee: tracker.Ptr("sally"),
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Detections.UpdateByTicket(ctx, &extrahop.TicketUpdate{
		TicketID:   "SEC-1042",
		Status:     tracker.Ptr(extrahop.StatusClosed),
		Resolution: tracker.Ptr(extrahop.ResolutionActionTaken),
	})
	if err != nil {
		log.Fatal(err)
	}

	d, _, err := c.Detections.Get(ctx, id, nil)
	if err != nil {
		log.Fatal(err)
	}
	link, err := extrahop.TicketURL("https://jira.example.com/browse/$ticket_id", d.TicketIDValue())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.TicketIDValue(), d.StatusValue(), d.ResolutionValue(), d.AssigneeValue())
	fmt.Println(link)

	// A resolution needs status closed; this is refused before sending.
	_, err = c.Detections.Update(ctx, id, &extrahop.DetectionUpdate{
		TicketID: tracker.Ptr("SEC-1042"), Resolution: tracker.Ptr(extrahop.ResolutionNoActionTaken),
	})
	fmt.Println(err)
	// Output:
	// SEC-1042 closed action_taken sally
	// https://jira.example.com/browse/SEC-1042
	// extrahop: update detection 8589935233: extrahop: a resolution can be set only together with status closed (resolution "no_action_taken", status not set)
}

func ExampleTicketURL() {
	u, err := extrahop.TicketURL("https://jira.example.com/browse/$ticket_id", "SEC 7/b")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u)
	// Output: https://jira.example.com/browse/SEC%207%2Fb
}

// The adapter presents detections as tracker issues, for the syncer:
// incremental search by modification time, and the ticket write-back.
func ExampleAdapter() {
	srv := extrahoptest.New()
	defer srv.Close()
	srv.Seed(3)
	c, err := extrahop.New(srv.URL(), extrahop.WithAPIKey(extrahoptest.DefaultAPIKey))
	if err != nil {
		log.Fatal(err)
	}
	a, err := extrahop.NewAdapter(c, extrahop.AdapterConfig{})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	var first *tracker.Issue
	for is, err := range a.SearchIssues(ctx, tracker.Query{}) {
		if err != nil {
			log.Fatal(err)
		}
		if first == nil {
			first = is
		}
		fmt.Println(is.ID, is.Summary, is.StatusCategory, is.Fields["risk_score"], is.Fields["mitre_techniques"])
	}

	err = a.UpdateIssue(ctx, first.ID, &tracker.Change{
		Assignee: tracker.Ptr("sally"),
		Fields:   map[string]any{"ticket_id": "SEC-7", "status": extrahop.StatusInProgress},
	})
	if err != nil {
		log.Fatal(err)
	}
	is, err := a.GetIssue(ctx, first.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(is.ID, is.Status, is.StatusCategory, is.Assignee, is.Fields["ticket_id"])
	// Output:
	// 8589935233 RDP Brute Force todo 80 [T1110 Brute Force]
	// 8589935240 Weak Cipher Suite todo 31 []
	// 8589935247 Suspicious Admin Share Access todo 62 [T1021.002 SMB/Windows Admin Shares]
	// 8589935233 in_progress in_progress sally SEC-7
}

// Receiving the detections an ExtraHop trigger posts through an HTTP Open
// Data Stream target.
func ExampleNewODSReceiver() {
	rcv, err := extrahop.NewODSReceiver(extrahop.ODSConfig{
		Secret: "shared-secret",
		Handle: func(_ context.Context, ev *extrahop.DetectionEvent) error {
			fmt.Println(ev.Event, ev.Detection.ID, ev.Detection.Title, *ev.Detection.RiskScore)
			return nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /extrahop/detections", rcv)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/extrahop/detections", strings.NewReader(
		`{"event":"DETECTION_UPDATE","id":8589935233,"title":"RDP Brute Force","risk_score":84,"categories":["sec.attack"]}`))
	req.Header.Set(extrahop.DefaultODSSecretHeader, "shared-secret")
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// DETECTION_UPDATE 8589935233 RDP Brute Force 84
	// 204
}
