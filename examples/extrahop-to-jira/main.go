// Command extrahop-to-jira is trackbridge's main demo: ExtraHop detections
// become Jira tickets, and the tickets' state flows back onto the
// detections, with the built-in "extrahop-to-jira" mapping (scenario S3).
//
// With no flags it runs entirely in-process, on a fake ExtraHop seeded
// with realistic detections and a fake Jira, and tells the whole story in
// three runs: the first files tickets and writes their keys back, an
// analyst then resolves one ticket and the second run closes its
// detection, and the third run finds nothing to do.
//
//	go run ./examples/extrahop-to-jira
//
// With EXTRAHOP_URL and JIRA_URL set (see README.md) it runs once against
// those systems, keeping its links in a SQLite file so that reruns neither
// duplicate tickets nor lose track of them:
//
//	EXTRAHOP_URL=https://eh.example.com EXTRAHOP_API_KEY=… \
//	JIRA_URL=https://example.atlassian.net JIRA_EMAIL=me@example.com JIRA_API_TOKEN=… \
//	    go run ./examples/extrahop-to-jira -store extrahop-to-jira.db
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/trackbridge/trackbridge/examples/internal/demo"
	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/extrahop/extrahoptest"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/tracker"
)

func main() {
	os.Exit(demo.Main("extrahop-to-jira", run))
}

// options are the command line.
type options struct {
	demo.SyncFlags
	detections int
	latency    time.Duration
	project    string
	assignee   string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("extrahop-to-jira", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.detections, "detections", 200, "how many detections to seed the fake ExtraHop with")
	fs.DurationVar(&o.latency, "latency", 2*time.Millisecond, "latency the fakes add to every request")
	o.Register(fs, "detections and tickets", "extrahop-to-jira")
	fs.StringVar(&o.project, "project", "", "Jira project to file tickets in (default: the spec's, SEC)")
	fs.StringVar(&o.assignee, "assignee", "", "Jira user to assign tickets to, by email, name or account id (default: the spec's, secops@example.com)")
	if err := demo.Parse(fs, args); err != nil {
		return nil, err
	}
	if o.detections < 1 {
		return nil, fmt.Errorf("-detections %d: want at least 1", o.detections)
	}
	return o, nil
}

// systems are the two ends of the flow, and on the fakes the fakes
// themselves.
type systems struct {
	source *extrahop.Adapter
	target *jira.Adapter
	eh     *extrahoptest.Server // nil on real systems
	jr     *jiratest.Server
	close  func()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return runThen(ctx, args, stdout, stderr, getenv, nil)
}

// runThen is run, calling then (when not nil) with the systems after a
// successful run, before the fakes stop: tests look at the tickets.
func runThen(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, then func(*systems)) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	spec, err := loadMapping(o)
	if err != nil {
		return err
	}
	onFakes := getenv("EXTRAHOP_URL") == "" && getenv("JIRA_URL") == ""
	if err := o.CheckStore(onFakes); err != nil {
		return err
	}
	sys, err := connect(o, stdout, getenv)
	if err != nil {
		return err
	}
	defer sys.close()
	// The test connection: it answers at once when a system is down or a
	// credential is wrong, and lists every way the mapping does not fit.
	if err := spec.Check(ctx, sys.target, mapping.CheckSource(sys.source)); err != nil {
		return fmt.Errorf("test connection: %w", err)
	}
	fmt.Fprintf(stdout, "Test connection: both systems answer and the mapping fits project %s.\n\n", spec.Defaults.Project)
	st, closeStore, err := o.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore()

	progress := demo.NewProgress(stderr, "detections", "tickets (write-back)")
	project := spec.Defaults.Project
	flow, err := syncer.New(syncer.Config{
		Name:    "extrahop-to-jira",
		Source:  sys.source,
		Target:  sys.target,
		Mapping: spec,
		Store:   st,
		// Polling the project's tickets lets the flow notice work done
		// in Jira and write it back onto the detections.
		TargetQuery: &tracker.Query{Project: project},
		Observer:    progress.Observer(o.Progress),
		// Without -store, a rerun against real systems finds its earlier
		// tickets by their markers instead of filing them again.
		AdoptExisting: o.AdoptExisting(onFakes),
	})
	if err != nil {
		return err
	}
	d := &demoRun{flow: flow, sys: sys, out: stdout, progress: progress, project: project}

	fmt.Fprintf(stdout, "Run 1: every open detection with a risk score of 30 or more that no other system tracks becomes a Jira ticket in %s.\n", project)
	rep, err := d.once(ctx)
	if err != nil {
		return err
	}
	if err := d.printFirst(ctx, rep); err != nil {
		return err
	}
	if sys.eh == nil {
		fmt.Fprintln(stdout, "\nRun again to pick up new detections and ticket changes; with -store, nothing is filed twice.")
	} else if err := d.analystStory(ctx, rep); err != nil {
		return err
	}
	if then != nil {
		then(sys)
	}
	return nil
}

// loadMapping reads the spec and applies the -project and -assignee
// overrides.
func loadMapping(o *options) (*mapping.FlowSpec, error) {
	spec, err := o.LoadMapping()
	if err != nil {
		return nil, err
	}
	f := spec.Flows[0]
	if o.project != "" {
		f.Defaults.Project = o.project
	}
	if o.assignee != "" {
		f.Defaults.Assignee = o.assignee
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if f.Defaults.Project == "" {
		return nil, errors.New("the mapping names no default project; pass -project")
	}
	return f, nil
}

// connect starts the fakes, or connects to the systems the environment
// names. Credentials are read here and never printed.
func connect(o *options, stdout io.Writer, getenv func(string) string) (*systems, error) {
	ehURL, jiraURL := getenv("EXTRAHOP_URL"), getenv("JIRA_URL")
	if ehURL == "" && jiraURL == "" {
		return startFakes(o, stdout)
	}
	if ehURL == "" || jiraURL == "" {
		return nil, errors.New("set both EXTRAHOP_URL and JIRA_URL to run against real systems, or neither to run on the fakes")
	}
	var ehAuth extrahop.Option
	switch {
	case getenv("EXTRAHOP_API_KEY") != "":
		ehAuth = extrahop.WithAPIKey(getenv("EXTRAHOP_API_KEY"))
	case getenv("EXTRAHOP_CLIENT_ID") != "":
		ehAuth = extrahop.WithClientCredentials(getenv("EXTRAHOP_CLIENT_ID"), getenv("EXTRAHOP_CLIENT_SECRET"))
	default:
		return nil, errors.New("set EXTRAHOP_API_KEY (appliance) or EXTRAHOP_CLIENT_ID and EXTRAHOP_CLIENT_SECRET (RevealX 360)")
	}
	jiraAuth, err := demo.JiraAuth(getenv)
	if err != nil {
		return nil, err
	}
	sys, err := adapters(ehURL, jiraURL, []extrahop.Option{ehAuth}, []jira.Option{jiraAuth})
	if err != nil {
		return nil, err
	}
	sys.close = func() {}
	fmt.Fprintf(stdout, "Syncing detections from %s into %s.\n\n", ehURL, jiraURL)
	return sys, nil
}

// startFakes starts a fake ExtraHop seeded with detections and a fake
// Jira. The fake has the spec's assignee (secops@example.com, under an
// opaque accountId); an -assignee it lacks is added as an account.
func startFakes(o *options, stdout io.Writer) (*systems, error) {
	eh := extrahoptest.New(extrahoptest.WithLatency(o.latency))
	eh.Seed(o.detections)
	// Two detections the spec's policies skip however high their risk: a
	// closed one, and one another system (a ServiceNow incident) tracks.
	risk := 90
	eh.Add(extrahop.Detection{Title: "Suspicious Admin Share Access", Type: "smb_admin_share_access", RiskScore: &risk,
		Categories: []string{"sec", "sec.lateral"}, Status: tracker.Ptr(extrahop.StatusClosed), Resolution: tracker.Ptr(extrahop.ResolutionNoActionTaken)})
	eh.Add(extrahop.Detection{Title: "DNS Tunnel", Type: "dns_tunnel", RiskScore: &risk,
		Categories: []string{"sec", "sec.command"}, TicketID: tracker.Ptr("INC0012345")})
	jr := jiratest.New(jiratest.WithLatency(o.latency))
	if a := o.assignee; a != "" && !strings.EqualFold(a, jiratest.SecOpsEmail) && a != jiratest.SecOps().Name {
		email := a
		if !strings.Contains(email, "@") {
			email += "@example.com"
		}
		jr.AddUser(jiratest.User{AccountID: "712020:" + hex.EncodeToString([]byte(a)), AccountType: "atlassian",
			Name: a, DisplayName: a, Email: email, Active: true})
	}
	if o.project != "" && o.project != "SEC" && o.project != "OPS" { // the fake's own projects
		jr.AddProject(o.project, o.project)
	}
	sys, err := adapters(eh.URL(), jr.URL(),
		[]extrahop.Option{extrahop.WithAPIKey(extrahoptest.DefaultAPIKey), extrahop.WithRetryWait(time.Millisecond, 10*time.Millisecond)},
		[]jira.Option{jira.WithBasicAuth(jiratest.Email, jiratest.APIToken), jira.WithRetryWait(time.Millisecond, 10*time.Millisecond)})
	if err != nil {
		eh.Close()
		jr.Close()
		return nil, err
	}
	sys.eh, sys.jr = eh, jr
	sys.close = func() { eh.Close(); jr.Close() }
	fmt.Fprintf(stdout, "Started a fake ExtraHop with %s (%s) and a fake Jira (%s).\n\n", demo.Plural(o.detections+2, "detection"), eh.URL(), jr.URL())
	return sys, nil
}

func adapters(ehURL, jiraURL string, ehOpts []extrahop.Option, jiraOpts []jira.Option) (*systems, error) {
	ec, err := extrahop.New(ehURL, ehOpts...)
	if err != nil {
		return nil, err
	}
	source, err := extrahop.NewAdapter(ec, extrahop.AdapterConfig{})
	if err != nil {
		return nil, err
	}
	jc, err := jira.New(jiraURL, jiraOpts...)
	if err != nil {
		return nil, err
	}
	target, err := jira.NewAdapter(jc, jira.AdapterConfig{Markdown: true})
	if err != nil {
		return nil, err
	}
	return &systems{source: source, target: target}, nil
}

// demoRun runs the flow and tells what each run did.
type demoRun struct {
	flow     *syncer.Flow
	sys      *systems
	out      io.Writer
	progress *demo.Progress
	project  string
}

// once runs the flow once and fails on items that failed.
func (d *demoRun) once(ctx context.Context) (*syncer.Report, error) {
	if d.sys.eh != nil {
		d.sys.eh.ResetRequests()
		d.sys.jr.ResetRequests()
	}
	return demo.RunOnce(ctx, d.flow, d.progress)
}

// printFirst tells what the first run did: tickets filed, detections
// skipped and why, and what was written back onto the detections.
func (d *demoRun) printFirst(ctx context.Context, rep *syncer.Report) error {
	w := d.out
	created := outcomes(rep, syncer.EventCreated)
	switch {
	case rep.Adopted > 0:
		// Found by their markers: filed by an earlier run whose links
		// were not kept (no -store).
		fmt.Fprintf(w, "\nAdopted %s filed by an earlier run, found by their markers.\n", demo.Plural(rep.Adopted, "ticket"))
	case len(created) == 0 && rep.Unchanged > 0:
		fmt.Fprintln(w, "\nNo new tickets: every detection the rule selects has one already.")
	case len(created) == 0:
		fmt.Fprintln(w, "\nNo new tickets: no detection the rule selects is waiting.")
	}
	if len(created) > 0 {
		fmt.Fprintf(w, "\nCreated %s in Jira, for example:\n", demo.Plural(len(created), "ticket"))
		for _, o := range created[:min(3, len(created))] {
			t, err := d.sys.target.GetIssue(ctx, o.Target.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "  %-8s %-8s %s\n           %s\n", t.Key, t.Priority, t.Summary, o.URL)
		}
		fmt.Fprintln(w, "  (priority follows the risk score: 80+ Highest, 60+ High, 30+ Medium)")
	}
	if rep.Updated > 0 {
		fmt.Fprintf(w, "\nUpdated %s.\n", demo.Plural(rep.Updated, "ticket"))
	}
	if rep.WrittenBack > 0 {
		fmt.Fprintf(w, "\nWrote back onto %s.\n", demo.Plural(rep.WrittenBack, "detection"))
	}

	if skips := skipReasons(d.progress); len(skips) > 0 {
		fmt.Fprintf(w, "\nSkipped %s:\n", demo.Plural(demo.Total(skips), "detection"))
		demo.PrintSkips(w, "  ", skips)
	}

	if len(created) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nWrote the ticket back onto each detection, for example:")
	for _, o := range created[:min(3, len(created))] {
		det, err := d.sys.source.GetIssue(ctx, o.Source.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  detection %s  ticket_id=%s  assignee=%s\n", det.ID, field(det, "ticket_id"), orNone(det.Assignee))
	}
	return nil
}

// analystStory resolves one ticket in the fake Jira, as an analyst would,
// and runs the flow twice more: once to carry the resolution back onto the
// detection, once to show that nothing is left to do.
func (d *demoRun) analystStory(ctx context.Context, first *syncer.Report) error {
	created := outcomes(first, syncer.EventCreated)
	if len(created) == 0 {
		return errors.New("the first run created no ticket")
	}
	pick := created[0]
	w := d.out
	fmt.Fprintf(w, "\nAn analyst investigates %s and moves it to Done in Jira.\n", pick.Key)
	if err := d.sys.target.Transition(ctx, pick.Target.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}); err != nil {
		return fmt.Errorf("moving %s to Done: %w", pick.Key, err)
	}

	fmt.Fprintln(w, "\nRun 2: the flow notices the change in Jira and writes it back onto the detection.")
	rep, err := d.once(ctx)
	if err != nil {
		return err
	}
	det, err := d.sys.source.GetIssue(ctx, pick.Source.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nWrote back onto %s; detection %s is now status=%s resolution=%s (ticket %s).\n",
		demo.Plural(rep.WrittenBack, "detection"), det.ID, orNone(det.Status), orNone(det.Resolution), field(det, "ticket_id"))
	if rep.WrittenBack != 1 || det.Status != extrahop.StatusClosed {
		return fmt.Errorf("run 2 wrote back onto %d detections and left the detection %s, want 1 and closed", rep.WrittenBack, orNone(det.Status))
	}

	fmt.Fprintln(w, "\nRun 3: nothing changed since, so nothing is written (the flow recognises its own write-back).")
	rep, err = d.once(ctx)
	if err != nil {
		return err
	}
	writes := d.fakeWrites()
	fmt.Fprintf(w, "\nCreated %d, updated %d, wrote back %d; %d write requests reached ExtraHop or Jira.\n", rep.Created, rep.Updated, rep.WrittenBack, writes)
	if rep.Created+rep.Updated+rep.WrittenBack+writes != 0 {
		return errors.New("run 3 was expected to do nothing")
	}
	fmt.Fprintln(w, "Nothing to do.")
	return nil
}

// fakeWrites counts the requests since the last run that changed
// something on the fakes.
func (d *demoRun) fakeWrites() int {
	n := 0
	for route, c := range d.sys.eh.RequestCounts() {
		if !strings.HasPrefix(route, "GET ") && route != "POST /api/v1/detections/search" {
			n += c
		}
	}
	_, perRoute := d.sys.jr.Requests()
	for route, c := range perRoute {
		if !strings.HasPrefix(route, "GET ") && !strings.HasPrefix(route, "POST /rest/api/3/search/") {
			n += c
		}
	}
	return n
}

// outcomes returns the outcomes with the given result, ordered by ticket
// key so that the examples shown are the first tickets.
func outcomes(rep *syncer.Report, result syncer.EventKind) []syncer.Outcome {
	var out []syncer.Outcome
	for _, o := range rep.Outcomes {
		if o.Result == result {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b syncer.Outcome) int { return compareKeys(a.Key, b.Key) })
	return out
}

// compareKeys orders Jira keys by project, then number (SEC-9 before
// SEC-10).
func compareKeys(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// skipReasons turns the engine's skip reasons into words: the mapping's
// rule on the risk score reads "rule did not match: …".
func skipReasons(p *demo.Progress) map[string]int {
	out := map[string]int{}
	for reason, n := range p.Skips() {
		out[explainSkip(reason)] += n
	}
	return out
}

func explainSkip(reason string) string {
	if reason == syncer.ReasonUnchanged {
		return "unchanged since the last run"
	}
	rest, ok := strings.CutPrefix(reason, syncer.ReasonRuleNotMatched+": ")
	if !ok {
		return reason
	}
	m := riskRule.FindStringSubmatch(rest)
	switch {
	case m == nil:
		return rest // the spec's own reason: "the detection is closed"
	case m[2] == "absent":
		return "no risk score (performance detections)"
	}
	return "risk score below " + m[1]
}

// riskRule matches the mapping's explanation of a failed risk score rule:
// "flows[0].when: want fields.risk_score gte 30, have "26"".
var riskRule = regexp.MustCompile(`want fields\.risk_score gte (\d+), have "?([^"]*)"?$`)

func field(is *tracker.Issue, name string) string {
	v, ok := is.Field(name)
	if !ok || v == nil {
		return "(none)"
	}
	return fmt.Sprint(v)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
