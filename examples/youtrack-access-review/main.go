// Command youtrack-access-review reviews the accounts of a YouTrack
// instance against a roster of people and an access policy, prints the
// findings as a table, and with --ticket files one Jira ticket per finding
// through the sync engine.
//
// With no flags it runs entirely in-process: a fake YouTrack seeded with a
// realistic set of accounts, the sample roster.csv and policy.json shipped
// next to this file, and (with --ticket) a fake Jira. See README.md for
// pointing it at a real YouTrack and a real roster.
//
//	go run ./examples/youtrack-access-review
//	go run ./examples/youtrack-access-review --ticket
//	YOUTRACK_URL=https://example.youtrack.cloud YOUTRACK_TOKEN=perm:… \
//	    go run ./examples/youtrack-access-review --roster people.csv --policy policy.json
package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trackbridge/trackbridge/examples/internal/demo"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/access"
	"github.com/trackbridge/trackbridge/youtrack"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

// The sample inputs, compiled in so that go run works from any directory.
var (
	//go:embed roster.csv
	sampleRoster []byte
	//go:embed policy.json
	samplePolicy []byte
	//go:embed mapping.yaml
	sampleMapping []byte
)

// demoTime is the review time on the fake YouTrack, so that the demo's
// output is the same whenever it runs: the fake's accounts and the sample
// roster's dates are set relative to it.
var demoTime = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func main() {
	os.Exit(demo.Main("youtrack-access-review", run))
}

// options are the command line.
type options struct {
	youtrackURL string
	userAPI     string
	roster      string
	policy      string
	ticket      bool
	verbose     bool
}

func parseFlags(args []string, stderr io.Writer, getenv func(string) string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("youtrack-access-review", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.youtrackURL, "youtrack-url", getenv("YOUTRACK_URL"), "YouTrack service URL (default $YOUTRACK_URL; empty runs on an in-process fake); the token is read from $YOUTRACK_TOKEN")
	fs.StringVar(&o.userAPI, "user-api", "hub", "where to list accounts: hub (with groups, ban and last access) or youtrack (/api/users)")
	fs.StringVar(&o.roster, "roster", "", "roster file, .csv or .json (default: the sample roster.csv)")
	fs.StringVar(&o.policy, "policy", "", "access policy, JSON (default: the sample policy.json)")
	fs.BoolVar(&o.ticket, "ticket", false, "file one ticket per finding into a Jira fake through the sync engine")
	fs.BoolVar(&o.verbose, "v", false, "print each finding's evidence below the table")
	if err := demo.Parse(fs, args); err != nil {
		return nil, err
	}
	if o.userAPI != "hub" && o.userAPI != "youtrack" {
		return nil, fmt.Errorf("--user-api %q: want hub or youtrack", o.userAPI)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parseFlags(args, stderr, getenv)
	if err != nil {
		return err
	}
	roster, err := loadRoster(o.roster)
	if err != nil {
		return err
	}
	policy, err := loadPolicy(o.policy)
	if err != nil {
		return err
	}

	var dir tracker.UserDirectory
	onFake := o.youtrackURL == ""
	if onFake {
		srv := seededYouTrack()
		defer srv.Close()
		dir, err = youtrackDirectory(srv.URL(), youtracktest.Token, o.userAPI)
		policy.Now = func() time.Time { return demoTime }
		fmt.Fprintf(stdout, "Reviewing the fake YouTrack at %s as of %s.\n\n", srv.URL(), demoTime.Format(time.DateOnly))
	} else {
		token := getenv("YOUTRACK_TOKEN")
		if token == "" {
			return errors.New("YOUTRACK_URL is set but YOUTRACK_TOKEN is not")
		}
		dir, err = youtrackDirectory(o.youtrackURL, token, o.userAPI)
		fmt.Fprintf(stdout, "Reviewing %s.\n\n", o.youtrackURL)
	}
	if err != nil {
		return err
	}

	rep, err := access.Review(ctx, dir, roster, policy)
	if err != nil {
		return err
	}
	if err := printReport(stdout, rep, o.verbose); err != nil {
		return err
	}
	if !o.ticket {
		return nil
	}
	review := func(r access.Roster) (*access.Report, error) { return access.Review(ctx, dir, r, policy) }
	return fileTickets(ctx, stdout, rep, roster, review, onFake)
}

// loadRoster reads the roster file, or the sample.
func loadRoster(path string) (access.StaticRoster, error) {
	if path == "" {
		return access.ReadCSV(bytes.NewReader(sampleRoster), access.ReadOptions{Name: "roster.csv"})
	}
	return access.ReadFile(path, access.ReadOptions{})
}

// loadPolicy reads the policy file, or the sample.
func loadPolicy(path string) (access.Policy, error) {
	if path == "" {
		return access.ReadPolicy(bytes.NewReader(samplePolicy), access.ReadOptions{Name: "policy.json"})
	}
	f, err := os.Open(path)
	if err != nil {
		return access.Policy{}, err
	}
	defer f.Close()
	return access.ReadPolicy(f, access.ReadOptions{Name: path})
}

// youtrackDirectory returns a YouTrack adapter, which lists accounts.
func youtrackDirectory(url, token, userAPI string) (tracker.UserDirectory, error) {
	opts := []youtrack.Option{youtrack.WithToken(token), youtrack.WithUserAPI(youtrack.UserAPIHub)}
	if userAPI == "youtrack" {
		// /api/users has no last access time; Hub fills it in, so the
		// stale-account rule can fire.
		opts = []youtrack.Option{youtrack.WithToken(token), youtrack.WithUserAPI(youtrack.UserAPIYouTrack), youtrack.WithHubUserDetails()}
	}
	c, err := youtrack.New(url, opts...)
	if err != nil {
		return nil, err
	}
	return youtrack.NewAdapter(c, youtrack.AdapterConfig{})
}

// seededYouTrack starts a fake YouTrack with one account for each case an
// access review tells apart.
func seededYouTrack() *youtracktest.Server {
	srv := youtracktest.New(youtracktest.WithoutSeed())
	day := 24 * time.Hour
	ago := func(d time.Duration) time.Time { return demoTime.Add(-d) }
	everyone := "All Users"
	for _, u := range []youtracktest.User{
		// Fine: an administrator in the admin role.
		{Login: "admin", FullName: "Ada Admin", Email: "admin@example.com", LastAccess: ago(time.Hour), Groups: []string{everyone, "Administrators"}},
		// Fine: the roster spells her email in lower case.
		{Login: "ana", FullName: "Ana Lima", Email: "Ana.Lima@Example.com", LastAccess: ago(2 * day), Groups: []string{everyone, "Developers", "project-payments"}},
		// Offboarded on 2026-10-15 and still active.
		{Login: "jdoe", FullName: "Jane Doe", Email: "jane.doe@example.com", LastAccess: ago(40 * day), Groups: []string{everyone, "Developers"}},
		// Offboarded and banned: as it should be.
		{Login: "bsmith", FullName: "Bob Smith", Email: "bob.smith@example.com", Banned: true, BanReason: "Left the company", LastAccess: ago(90 * day), Groups: []string{everyone}},
		// Support, but in Administrators.
		{Login: "cwu", FullName: "Chen Wu", Email: "chen.wu@example.com", LastAccess: ago(day), Groups: []string{everyone, "Helpdesk", "Administrators"}},
		// The anonymous guest account: exempt.
		{Login: "guest", FullName: "Guest", Guest: true, Groups: []string{"Anonymous"}},
		// A contractor nobody put on the roster.
		{Login: "vic.vendor", FullName: "Vic Vendor", Email: "vic@vendor.example", LastAccess: ago(5 * day), Groups: []string{everyone, "Developers"}},
		// Not used since May.
		{Login: "mlopez", FullName: "Maria Lopez", Email: "maria.lopez@example.com", LastAccess: ago(200 * day), Groups: []string{everyone, "Developers"}},
		// A service account on the allow-list.
		{Login: "svc-backup", FullName: "Backup service", LastAccess: ago(time.Hour), Groups: []string{everyone}},
		// Offboarded three days ago: within the seven-day grace period.
		{Login: "kpatel", FullName: "Kiran Patel", Email: "kiran.patel@example.com", LastAccess: ago(4 * day), Groups: []string{everyone, "Developers"}},
		// Created, never logged in: last access unknown.
		{Login: "lnew", FullName: "Lena New", Email: "lena.new@example.com", Created: ago(3 * day), Groups: []string{everyone, "Helpdesk"}},
	} {
		if u.Created.IsZero() {
			u.Created = ago(300 * day)
		}
		srv.AddUser(u)
	}
	return srv
}

// printReport prints the findings as an aligned table, the accounts the
// rules left for a person to judge, and a one-line summary.
func printReport(w io.Writer, rep *access.Report, verbose bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tACCOUNT\tNAME\tROSTER\tDETAIL")
	for _, f := range rep.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Rule, login(f.Account), name(f), rosterCell(f.Entry), detail(f, rep.Time))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(rep.Findings) == 0 {
		fmt.Fprintln(w, "(no findings)")
	}
	if verbose {
		fmt.Fprintln(w)
		for _, f := range rep.Findings {
			fmt.Fprintf(w, "%s\n  %s\n", f.Key(), f.Evidence.Text)
		}
	}
	fmt.Fprintln(w)
	if len(rep.InGrace) > 0 {
		var s []string
		for _, f := range rep.InGrace {
			s = append(s, fmt.Sprintf("%s (until %s)", login(f.Account), f.Evidence.GraceEnds.Format(time.DateOnly)))
		}
		fmt.Fprintf(w, "Within the offboarding grace period: %s\n", strings.Join(s, ", "))
	}
	if len(rep.UnknownLastAccess) > 0 {
		fmt.Fprintf(w, "Last access unknown, not judged stale: %s\n", logins(rep.UnknownLastAccess))
	}
	if len(rep.Exempt) > 0 {
		fmt.Fprintf(w, "Exempt (service, bot and guest accounts): %s\n", logins(rep.Exempt))
	}
	_, err := fmt.Fprintf(w, "Reviewed %s: %s\n", rep.Directory, rep.Summary())
	return err
}

func login(u *tracker.User) string {
	if u.Login != "" {
		return u.Login
	}
	return u.Email
}

func logins(us []*tracker.User) string {
	s := make([]string, len(us))
	for i, u := range us {
		s[i] = login(u)
	}
	return strings.Join(s, ", ")
}

func name(f *access.Finding) string {
	switch {
	case f.Account.Name != "":
		return f.Account.Name
	case f.Entry != nil && f.Entry.Name != "":
		return f.Entry.Name
	}
	return "-"
}

func rosterCell(e *access.Entry) string {
	if e == nil {
		return "-"
	}
	s := e.Source
	if e.Role != "" {
		s += " " + e.Role
	}
	return s
}

// detail says in a few words what is wrong; the evidence (-v) says it in
// full.
func detail(f *access.Finding, now time.Time) string {
	ev := f.Evidence
	switch f.Rule {
	case access.RuleOffboarded:
		if ev.OffboardedAt.IsZero() {
			return "offboarded (no date)"
		}
		s := "offboarded " + ev.OffboardedAt.Format(time.DateOnly)
		if ev.GraceEnds.After(ev.OffboardedAt) {
			s += ", grace ended " + ev.GraceEnds.Format(time.DateOnly)
		}
		return s
	case access.RuleUnidentified:
		var keys []string
		for _, k := range []string{f.Account.Email, f.Account.Login} {
			if k != "" {
				keys = append(keys, k)
			}
		}
		return "no roster entry for " + strings.Join(keys, " or ")
	case access.RuleExcessAccess:
		role := "role " + f.Entry.Role
		if !ev.RoleKnown {
			role += " (not in the policy)"
		}
		return role + " does not allow " + strings.Join(ev.Disallowed, ", ")
	case access.RuleStale:
		return fmt.Sprintf("last access %s, %d days before the review", ev.LastAccess.Format(time.DateOnly), int(now.Sub(ev.LastAccess).Hours()/24))
	}
	return ev.Text
}

// fileTickets files the findings into a fake Jira through the sync
// engine, reviews again to show that nothing is filed twice and, on the
// fakes, fixes one violation to show its ticket closing.
func fileTickets(ctx context.Context, w io.Writer, rep *access.Report, roster access.StaticRoster, review func(access.Roster) (*access.Report, error), onFake bool) error {
	jsrv := jiratest.New()
	defer jsrv.Close()
	jc, err := jira.New(jsrv.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
	if err != nil {
		return err
	}
	target, err := jira.NewAdapter(jc, jira.AdapterConfig{Location: time.UTC})
	if err != nil {
		return err
	}
	spec, err := mapping.Parse(sampleMapping)
	if err != nil {
		return fmt.Errorf("mapping.yaml: %w", err)
	}
	findings := access.NewFindingsTracker("")
	flow, err := syncer.New(syncer.Config{
		Name:    "access-review",
		Source:  findings,
		Target:  target,
		Mapping: spec.Flows[0],
		// A real deployment keeps links in a durable store
		// (syncer/store/sqlite) so that later runs know the tickets.
		Store: memory.New(),
	})
	if err != nil {
		return err
	}
	sync := func(rep *access.Report) (*syncer.Report, error) {
		findings.Record(rep)
		res, err := flow.RunOnce(ctx)
		if err != nil {
			return nil, err
		}
		return res, demo.Unfinished(res)
	}

	fmt.Fprintf(w, "\nFiling tickets in the fake Jira at %s:\n", jsrv.URL())
	res, err := sync(rep)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, oc := range sorted(res.Outcomes) {
		if oc.Result == syncer.EventCreated {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", oc.Key, oc.Source.ID, summary(jsrv, oc.Key))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "Created %s.\n", demo.Plural(res.Created, "ticket"))

	again, err := review(roster)
	if err != nil {
		return err
	}
	res, err = sync(again)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Reviewed again: %d new tickets, %d unchanged (one ticket per violation).\n", res.Created, res.Unchanged)

	if !onFake {
		return nil
	}
	// Fix one violation the way a person would: HR adds the contractor
	// to the roster. The next review no longer finds it, and the engine
	// closes its ticket.
	fixed := append(slices.Clone(roster), &access.Entry{Email: "vic@vendor.example", Name: "Vic Vendor", Status: access.StatusActive, Role: "developer", Source: "HR update"})
	after, err := review(fixed)
	if err != nil {
		return err
	}
	res, err = sync(after)
	if err != nil {
		return err
	}
	for _, oc := range sorted(res.Outcomes) {
		if oc.Result == syncer.EventUpdated || oc.Result == syncer.EventTransitioned {
			is, _ := jsrv.Issue(oc.Target.ID)
			fmt.Fprintf(w, "vic.vendor added to the roster: %s (%s) is now %s.\n", is.Key, oc.Source.ID, is.Status)
		}
	}
	return nil
}

func sorted(ocs []syncer.Outcome) []syncer.Outcome {
	ocs = slices.Clone(ocs)
	slices.SortFunc(ocs, func(a, b syncer.Outcome) int { return strings.Compare(a.Source.ID, b.Source.ID) })
	return ocs
}

func summary(srv *jiratest.Server, key string) string {
	is, ok := srv.Issue(key)
	if !ok {
		return ""
	}
	return is.Summary
}
