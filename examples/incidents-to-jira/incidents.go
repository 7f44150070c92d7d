package main

import (
	"context"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/hosted"
)

// This file is all the host code the incident platform needs to be a sync
// source: a hosted.Platform holds the incidents, the platform's people
// change them through it, and the engine reads and writes them through
// the tracker interfaces it implements.

// Incident is an incident as the platform's users see it, after
// Contrast-style runtime protection incidents.
type Incident struct {
	ID          string
	Application string
	// Severity is CRITICAL, HIGH, MEDIUM, LOW or NOTE.
	Severity    string
	Title       string
	Description string
	// The observables: where the attack came from and what it requested.
	SourceIPs   []string
	RequestURLs []string
}

// Incident statuses; a ticket moved to Done resolves its incident.
const (
	StatusOpen          = "open"
	StatusInvestigating = "investigating"
	StatusResolved      = "resolved"
)

// The platform's people.
var (
	priya  = hosted.Person{ID: "priya", Name: "Priya Patel"}
	sensor = hosted.Person{ID: "sensor", Name: "Runtime sensor"}
)

// newPlatform returns an empty incident platform.
func newPlatform() *hosted.Platform {
	return hosted.New("incidents",
		hosted.WithStatuses(
			tracker.StatusInfo{Name: StatusOpen, Category: tracker.CategoryToDo},
			tracker.StatusInfo{Name: StatusInvestigating, Category: tracker.CategoryInProgress},
			tracker.StatusInfo{Name: StatusResolved, Category: tracker.CategoryDone},
		),
		hosted.WithFields(
			tracker.FieldInfo{ID: "application", Name: "application", Type: "string"},
			tracker.FieldInfo{ID: "severity", Name: "severity", Type: "option", Allowed: []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "NOTE"}},
			tracker.FieldInfo{ID: "source_ips", Name: "source_ips", Type: "array"},
			tracker.FieldInfo{ID: "request_urls", Name: "request_urls", Type: "array"},
			tracker.FieldInfo{ID: "ticket", Name: "ticket", Type: "string"},
		),
		hosted.WithURL("https://incidents.example.com/incidents"),
		hosted.WithEngine(hosted.Person{ID: "trackbridge", Name: "Jira sync"}))
}

// report stores an incident as the platform's sensor reports it.
func report(ctx context.Context, p *hosted.Platform, in Incident) (*tracker.Issue, error) {
	return p.Put(ctx, sensor, &tracker.Issue{
		ID:          in.ID,
		Summary:     in.Title,
		Description: in.Description,
		Fields: map[string]any{
			"application":  in.Application,
			"severity":     in.Severity,
			"source_ips":   in.SourceIPs,
			"request_urls": in.RequestURLs,
		},
	})
}

// seedIncidents are the incidents the demo starts with: three
// applications, every severity.
var seedIncidents = []Incident{
	{ID: "INC-101", Application: "storefront", Severity: "CRITICAL", Title: "SQL injection exploited on /checkout",
		Description: "The runtime sensor blocked a UNION-based SQL injection that reached the orders query.",
		SourceIPs:   []string{"203.0.113.7", "198.51.100.23"}, RequestURLs: []string{"https://shop.example.com/checkout?coupon=1' UNION SELECT card_number FROM cards--"}},
	{ID: "INC-102", Application: "payments", Severity: "HIGH", Title: "Path traversal probing invoice downloads",
		Description: "Repeated requests for files outside the invoice directory.",
		SourceIPs:   []string{"192.0.2.44"}, RequestURLs: []string{"https://pay.example.com/invoices/download?file=../../etc/passwd"}},
	{ID: "INC-103", Application: "storefront", Severity: "MEDIUM", Title: "Reflected XSS probe on /search",
		Description: "A script payload in the search term was echoed once before the sensor blocked it.",
		SourceIPs:   []string{"203.0.113.7"}, RequestURLs: []string{"https://shop.example.com/search?q=<script>alert(1)</script>"}},
	{ID: "INC-104", Application: "wiki", Severity: "HIGH", Title: "Untrusted deserialization in page import",
		Description: "A crafted import file tried to instantiate a gadget chain.",
		SourceIPs:   []string{"198.51.100.80"}, RequestURLs: []string{"https://wiki.example.com/api/import"}},
	{ID: "INC-105", Application: "storefront", Severity: "LOW", Title: "Scanner user agent seen",
		SourceIPs: []string{"192.0.2.200"}, RequestURLs: []string{"https://shop.example.com/robots.txt"}},
	{ID: "INC-106", Application: "payments", Severity: "NOTE", Title: "TLS 1.0 client handshake refused",
		SourceIPs: []string{"192.0.2.9"}},
}
