// Command incidents-to-jira is scenario S5: a host application's own
// incidents and Jira, synced both ways. The incident platform runs
// in-process on package tracker/hosted; Jira is a fake by default.
//
// With no flags it tells the whole story on the fakes: a test connection,
// then incidents of the chosen severities become tickets routed by
// application, comments go both ways with attribution (a deleted incident
// comment deletes its Jira mirror), an analyst's Done in Jira resolves an
// incident through a signed webhook with no poll (and a replayed delivery
// changes nothing), and a Done whose webhook was lost is picked up by
// polling. Webhook events and the platform's own events both go to
// syncer.Flow.Handle.
//
//	go run ./examples/incidents-to-jira
//
// With JIRA_URL set (see README.md) it files the incidents into that Jira
// (the incident platform stays in-process):
//
//	JIRA_URL=https://example.atlassian.net JIRA_EMAIL=me@example.com JIRA_API_TOKEN=… \
//	    go run ./examples/incidents-to-jira -store incidents-to-jira.db
package main

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trackbridge/trackbridge/examples/internal/demo"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/hosted"
)

//go:embed mapping.yaml
var builtinMapping []byte

func main() {
	os.Exit(demo.Main("incidents-to-jira", run))
}

// options are the command line.
type options struct {
	demo.SyncFlags
	latency time.Duration
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("incidents-to-jira", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.latency, "latency", 2*time.Millisecond, "latency the fake Jira adds to every request")
	fs.StringVar(&o.Store, "store", "", "SQLite file keeping the links between incidents and tickets (default: in memory)")
	fs.StringVar(&o.Mapping, "mapping", "", "mapping spec file (default: mapping.yaml of this example)")
	fs.BoolVar(&o.Progress, "progress", true, "draw a progress bar on stderr when it is a terminal")
	if err := demo.Parse(fs, args); err != nil {
		return nil, err
	}
	return o, nil
}

// loadMapping reads -mapping, or the example's own spec.
func loadMapping(o *options) (*mapping.FlowSpec, error) {
	var spec *mapping.Spec
	var err error
	if o.Mapping == "" {
		spec, err = mapping.Parse(builtinMapping)
	} else {
		spec, err = mapping.LoadFile(o.Mapping)
	}
	if err != nil {
		return nil, err
	}
	if len(spec.Flows) != 1 {
		return nil, fmt.Errorf("mapping: want one flow, found %d", len(spec.Flows))
	}
	return spec.Flows[0], nil
}

// webhookSecret signs the fake Jira's webhooks.
var webhookSecret = []byte("incidents-demo-webhook-secret-0123456789")

// systems are the incident platform, the Jira adapter and, on the fakes,
// the fake Jira and the webhook receiver.
type systems struct {
	incidents *hosted.Platform
	target    *jira.Adapter
	client    *jira.Client
	jiraURL   string
	jr        *jiratest.Server // nil on a real Jira
	close     func()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return runThen(ctx, args, stdout, stderr, getenv, nil)
}

// runThen is run, calling then (when not nil) with the systems after a
// successful run, before the fakes stop: tests look at both sides.
func runThen(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, then func(*systems)) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	spec, err := loadMapping(o)
	if err != nil {
		return err
	}
	onFakes := getenv("JIRA_URL") == ""
	if err := o.CheckStore(onFakes); err != nil {
		return err
	}
	sys, err := connect(o, stdout, getenv)
	if err != nil {
		return err
	}
	defer sys.close()

	if err := testConnection(ctx, stdout, sys, spec); err != nil {
		return err
	}

	st, closeStore, err := o.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	progress := demo.NewProgress(stderr, "incidents", "tickets (write-back)")
	flow, err := syncer.New(syncer.Config{
		Name:    "incidents-to-jira",
		Source:  sys.incidents,
		Target:  sys.target,
		Mapping: spec,
		Store:   st,
		// Polling the projects' tickets is the safety net behind the
		// webhooks: a Done whose delivery was lost is still carried back.
		TargetQuery:   &tracker.Query{Raw: "project in (" + strings.Join(projects(spec), ", ") + ")"},
		Observer:      progress.Observer(o.Progress),
		AdoptExisting: o.AdoptExisting(onFakes),
	})
	if err != nil {
		return err
	}
	d := &demoRun{flow: flow, sys: sys, out: stdout, progress: progress, spec: spec}
	sys.incidents.OnEngineChange(func(context.Context, tracker.Event) { d.engineWrites.Add(1) })
	// The incidents reported before the integration was set up; the first
	// run files them.
	for _, in := range seedIncidents {
		if _, err := report(ctx, sys.incidents, in); err != nil {
			return err
		}
	}
	if err := d.fileTickets(ctx); err != nil {
		return err
	}
	// Jira's webhooks are registered once the first run has filed the
	// backlog, so that its deliveries do not race that run for the same
	// items (they would be deferred, and done by the next poll).
	if onFakes {
		stop, err := d.listen(ctx)
		if err != nil {
			return err
		}
		defer stop()
	}
	// From now on every change a person makes on the platform goes to the
	// engine at once.
	sys.incidents.OnPersonChange(d.handle)
	if onFakes {
		if err := d.story(ctx); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(stdout, "\nThe two-way story (webhooks, comments, Done → resolved) runs on the fakes: go run ./examples/incidents-to-jira")
	}
	if then != nil {
		then(sys)
	}
	return nil
}

// projects lists the projects the spec files tickets in: the default's
// and the routes'.
func projects(spec *mapping.FlowSpec) []string {
	out := []string{spec.Defaults.Project}
	for _, r := range spec.Routes {
		if r.Project != "" && !slices.Contains(out, r.Project) {
			out = append(out, r.Project)
		}
	}
	return out
}

// connect starts the fake Jira, or connects to the one the environment
// names. Credentials are read here and never printed.
func connect(o *options, stdout io.Writer, getenv func(string) string) (*systems, error) {
	if u := getenv("JIRA_URL"); u != "" {
		auth, err := demo.JiraAuth(getenv)
		if err != nil {
			return nil, err
		}
		sys, err := adapter(u, auth)
		if err != nil {
			return nil, err
		}
		sys.close = func() {}
		fmt.Fprintf(stdout, "Syncing an in-process incident platform with %s.\n\n", u)
		return sys, nil
	}
	jr := jiratest.New(jiratest.WithLatency(o.latency), jiratest.WithTeam(),
		jiratest.WithRequiredFields(jiratest.FieldAffectedSystems))
	jr.AddProject("SHOP", "Storefront")
	jr.AddProject("PAY", "Payments")
	// One epic per project, for the spec's parents: SEC-1, SHOP-1, PAY-1.
	for _, p := range []struct{ key, name string }{{"SEC", "Security incidents"}, {"SHOP", "Storefront incidents"}, {"PAY", "Payments incidents"}} {
		if _, err := jr.Put(jiratest.IssueSpec{Project: p.key, Type: "Epic", Summary: p.name}); err != nil {
			jr.Close()
			return nil, err
		}
	}
	sys, err := adapter(jr.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken), jira.WithRetryWait(time.Millisecond, 10*time.Millisecond))
	if err != nil {
		jr.Close()
		return nil, err
	}
	sys.jr = jr
	sys.close = jr.Close
	fmt.Fprintf(stdout, "Started an in-process incident platform and a fake Jira (%s) with projects SEC, SHOP and PAY, one epic each.\n\n", jr.URL())
	return sys, nil
}

func adapter(url string, opts ...jira.Option) (*systems, error) {
	jc, err := jira.New(url, opts...)
	if err != nil {
		return nil, err
	}
	target, err := jira.NewAdapter(jc, jira.AdapterConfig{Markdown: true})
	if err != nil {
		return nil, err
	}
	return &systems{incidents: newPlatform(), target: target, client: jc, jiraURL: url}, nil
}

// testConnection checks, and prints as one report, that Jira answers, that
// the credentials log in and that the mapping fits: projects, issue type,
// required fields, allowed priorities, the epics and the assignees.
func testConnection(ctx context.Context, w io.Writer, sys *systems, spec *mapping.FlowSpec) error {
	ctx = tracker.WithoutRetries(ctx)
	fmt.Fprintln(w, "Test connection")
	me, _, err := sys.client.Users.Myself(ctx)
	unauthorized := errors.Is(err, tracker.ErrUnauthorized) || errors.Is(err, tracker.ErrForbidden)
	switch {
	case err != nil && !unauthorized:
		fmt.Fprintf(w, "  ✗ Jira reachable at %s: %v\n", sys.jiraURL, err)
		return fmt.Errorf("test connection: Jira at %s does not answer: %w", sys.jiraURL, err)
	case err != nil:
		fmt.Fprintf(w, "  ✓ Jira reachable at %s\n  ✗ login: %v\n", sys.jiraURL, err)
		return fmt.Errorf("test connection: the credentials do not log in: %w", err)
	}
	fmt.Fprintf(w, "  ✓ Jira reachable at %s\n  ✓ login works (as %s)\n", sys.jiraURL, me.DisplayName)
	if err := spec.Check(ctx, sys.target, mapping.CheckSource(sys.incidents)); err != nil {
		fmt.Fprintf(w, "  ✗ the mapping does not fit:\n%s\n", indent(err.Error(), "      "))
		return fmt.Errorf("test connection: the mapping does not fit Jira: %w", err)
	}
	fmt.Fprintf(w, "  ✓ the mapping fits: projects %s, type %s, required fields set, priorities allowed, epics %s and assignees %s exist\n\n",
		strings.Join(projects(spec), ", "), spec.Defaults.Type, strings.Join(parents(spec), ", "), strings.Join(assignees(spec), ", "))
	return nil
}

func parents(spec *mapping.FlowSpec) []string {
	out := []string{spec.Defaults.Parent}
	for _, r := range spec.Routes {
		if r.Parent != "" && !slices.Contains(out, r.Parent) {
			out = append(out, r.Parent)
		}
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

func assignees(spec *mapping.FlowSpec) []string {
	out := []string{spec.Defaults.Assignee}
	for _, r := range spec.Routes {
		if r.Assignee != "" && !slices.Contains(out, r.Assignee) {
			out = append(out, r.Assignee)
		}
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// demoRun runs the flow and tells the story.
type demoRun struct {
	flow     *syncer.Flow
	sys      *systems
	out      io.Writer
	progress *demo.Progress
	spec     *mapping.FlowSpec

	receiverURL  string
	offline      atomic.Bool  // the receiver refuses deliveries
	engineWrites atomic.Int64 // changes the engine made on the platform

	mu      sync.Mutex
	handled []handled
}

// handled is one event the flow was given, and what came of it.
type handled struct {
	ev  tracker.Event
	rep *syncer.Report
	err error
}

// handle gives one event, from the Jira webhook receiver or the incident
// platform, to the flow: the whole wiring of events to the engine.
func (d *demoRun) handle(ctx context.Context, ev tracker.Event) error {
	rep, err := d.flow.Handle(ctx, ev)
	if err == nil {
		// A deferred item is held by another call of this engine (a poll
		// running when the event arrives): that call or the next poll
		// sees the change, so only failures count.
		settled := *rep
		settled.Deferred = 0
		err = demo.Unfinished(&settled)
	}
	d.mu.Lock()
	d.handled = append(d.handled, handled{ev: ev, rep: rep, err: err})
	d.mu.Unlock()
	return err
}

// listen starts the signed webhook receiver for the fake Jira and
// registers it there.
func (d *demoRun) listen(ctx context.Context) (stop func(), err error) {
	h, err := d.sys.target.EventHandler(webhookSecret, func(ctx context.Context, ev tracker.Event) error {
		if d.offline.Load() {
			return errors.New("receiver offline")
		}
		return d.handle(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := jira.NewWebhookServer(ln.Addr().String(), h)
	go srv.Serve(ln) //nolint:errcheck // ends with Shutdown
	d.receiverURL = "http://" + ln.Addr().String() + "/jira"
	d.sys.jr.AddWebhook(jiratest.Webhook{URL: d.receiverURL, Secret: webhookSecret})
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, nil
}

// flush waits for the fake Jira's webhooks due so far to be handled.
func (d *demoRun) flush(ctx context.Context) error {
	if d.sys.jr == nil {
		return nil
	}
	fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := d.sys.jr.FlushWebhooks(fctx); err != nil {
		return fmt.Errorf("waiting for webhooks: %w", err)
	}
	return d.handlingErr()
}

// handlingErr returns the errors of events handled so far, and forgets
// them.
func (d *demoRun) handlingErr() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	for _, h := range d.handled {
		if h.err != nil {
			errs = append(errs, fmt.Errorf("handling %s: %w", h.ev, h.err))
		}
	}
	d.handled = nil
	return errors.Join(errs...)
}

// fileTickets runs the flow once: the incidents of the chosen severities
// become tickets.
func (d *demoRun) fileTickets(ctx context.Context) error {
	w := d.out
	fmt.Fprintf(w, "The platform holds %s. Run 1: incidents of severity CRITICAL, HIGH or MEDIUM become tickets in their application's project.\n", demo.Plural(d.sys.incidents.Len(), "incident"))
	rep, err := demo.RunOnce(ctx, d.flow, d.progress)
	if err != nil {
		return err
	}
	if err := d.flush(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nCreated %s:\n", demo.Plural(rep.Created, "ticket"))
	for _, inc := range d.sys.incidents.Items() {
		key, _ := inc.Fields["ticket"].(string)
		if key == "" {
			continue
		}
		t, err := d.sys.target.GetIssue(ctx, key)
		if err != nil {
			return err
		}
		parent, err := d.parent(ctx, key)
		if err != nil {
			return err
		}
		who := t.Assignee
		if t.AssigneeUser != nil {
			who = t.AssigneeUser.Name
		}
		fmt.Fprintf(w, "  %-8s %-11s %-9s → %-7s %-5s %-8s parent %-7s assignee %s\n", inc.ID, field(inc, "application"), field(inc, "severity"), t.Key, t.Type, t.Priority, parent, who)
	}
	if skips := skipReasons(d.progress); len(skips) > 0 {
		fmt.Fprintf(w, "Skipped %s:\n", demo.Plural(demo.Total(skips), "incident"))
		demo.PrintSkips(w, "  ", skips)
	}
	if rep.Created == 0 {
		return nil
	}
	first := d.ticketOf("INC-101")
	t, err := d.sys.target.GetIssue(ctx, first)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s: %s\n%s\n", t.Key, t.Summary, indent(strings.TrimSpace(t.Description), "  | "))
	return nil
}

// parent reads a ticket's parent key (the adapter's model has none).
func (d *demoRun) parent(ctx context.Context, key string) (string, error) {
	is, _, err := d.sys.client.Issues.Get(ctx, key, nil)
	if err != nil {
		return "", err
	}
	if is.Fields.Parent == nil {
		return "(none)", nil
	}
	return is.Fields.Parent.Key, nil
}

// ticketOf returns the ticket key written back onto an incident.
func (d *demoRun) ticketOf(id string) string {
	inc, err := d.sys.incidents.GetIssue(context.Background(), id)
	if err != nil {
		return ""
	}
	key, _ := inc.Fields["ticket"].(string)
	return key
}

// story tells the two-way part on the fakes.
func (d *demoRun) story(ctx context.Context) error {
	w := d.out
	fmt.Fprintf(w, "\nThe fake Jira posts signed webhooks to %s; the receiver checks the signature, drops replays and hands each event to the flow.\n", d.receiverURL)

	if err := d.newIncident(ctx); err != nil {
		return err
	}
	if err := d.comments(ctx); err != nil {
		return err
	}

	// Done → resolved by webhook, with no poll.
	key := d.ticketOf("INC-101")
	fmt.Fprintf(w, "\nAn analyst moves %s to Done in Jira.\n", key)
	d.sys.jr.ResetRequests()
	if err := d.resolveTicket(ctx, key); err != nil {
		return err
	}
	if err := d.flush(ctx); err != nil {
		return err
	}
	inc, err := d.sys.incidents.GetIssue(ctx, "INC-101")
	if err != nil {
		return err
	}
	searches := d.searches()
	fmt.Fprintf(w, "  webhook → flow: incident INC-101 is now %s (resolution %s), with %d search requests: no poll.\n", inc.Status, inc.Resolution, searches)
	if inc.Status != StatusResolved || searches != 0 {
		return fmt.Errorf("the webhook left INC-101 %s after %d searches, want %s after none", inc.Status, searches, StatusResolved)
	}

	// The same delivery, replayed.
	if err := d.replay(ctx, key); err != nil {
		return err
	}

	// Done → resolved by polling, when the webhook is lost.
	key = d.ticketOf("INC-102")
	fmt.Fprintf(w, "\nThe receiver is down; an analyst moves %s to Done and Jira gives up on the delivery.\n", key)
	d.offline.Store(true)
	if err := d.resolveTicket(ctx, key); err != nil {
		return err
	}
	if err := d.flush(ctx); err != nil {
		return err
	}
	d.offline.Store(false)
	inc, err = d.sys.incidents.GetIssue(ctx, "INC-102")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  incident INC-102 is still %s.\n", inc.Status)
	rep, err := demo.RunOnce(ctx, d.flow, d.progress)
	if err != nil {
		return err
	}
	if err := d.flush(ctx); err != nil {
		return err
	}
	if inc, err = d.sys.incidents.GetIssue(ctx, "INC-102"); err != nil {
		return err
	}
	fmt.Fprintf(w, "  the next poll wrote back onto %s: incident INC-102 is now %s (resolution %s).\n", demo.Plural(rep.WrittenBack, "incident"), inc.Status, inc.Resolution)
	if inc.Status != StatusResolved {
		return fmt.Errorf("polling left INC-102 %s, want %s", inc.Status, StatusResolved)
	}

	// Nothing left to do.
	d.sys.jr.ResetRequests()
	before := d.engineWrites.Load()
	rep, err = demo.RunOnce(ctx, d.flow, d.progress)
	if err != nil {
		return err
	}
	if err := d.flush(ctx); err != nil {
		return err
	}
	writes, incWrites := d.jiraWrites(), d.engineWrites.Load()-before
	fmt.Fprintf(w, "\nA last poll: created %d, updated %d, wrote back %d; %d write requests reached Jira, %d changes the platform.\n",
		rep.Created, rep.Updated, rep.WrittenBack, writes, incWrites)
	if rep.Created+rep.Updated+rep.WrittenBack+writes+int(incWrites) != 0 {
		return errors.New("the last poll was expected to do nothing")
	}
	fmt.Fprintln(w, "Nothing to do: the story holds.")
	return nil
}

// newIncident reports an incident after the integration is set up: the
// platform's event files its ticket at once, with no poll.
func (d *demoRun) newIncident(ctx context.Context) error {
	in := Incident{ID: "INC-107", Application: "payments", Severity: "CRITICAL", Title: "Server-side request forgery to the metadata service",
		Description: "A webhook URL parameter made the payment service fetch cloud instance metadata.",
		SourceIPs:   []string{"198.51.100.99"}, RequestURLs: []string{"https://pay.example.com/hooks/test?url=http://169.254.169.254/latest/meta-data/"}}
	fmt.Fprintf(d.out, "\nThe sensor reports %s (%s, %s); the platform's event reaches the flow at once.\n", in.ID, in.Application, in.Severity)
	d.sys.jr.ResetRequests()
	if _, err := report(ctx, d.sys.incidents, in); err != nil {
		return err
	}
	if err := d.flush(ctx); err != nil {
		return err
	}
	key := d.ticketOf(in.ID)
	t, err := d.sys.target.GetIssue(ctx, key)
	if err != nil {
		return fmt.Errorf("the event filed no ticket for %s: %w", in.ID, err)
	}
	fmt.Fprintf(d.out, "  event → flow: %s %s %s in %s, with %d search requests: no poll.\n", t.Key, t.Priority, t.Summary, t.Project, d.searches())
	return nil
}

// comments tells the comment part: both ways with attribution, a
// restricted comment kept on its side, an edit and a deletion carried
// over, and no echo.
func (d *demoRun) comments(ctx context.Context) error {
	w := d.out
	const id = "INC-101"
	key := d.ticketOf(id)
	ticket, err := d.sys.target.GetIssue(ctx, key)
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "\nCarol comments on %s in Jira; Dan adds a comment restricted to Administrators.\n", key)
	if _, err := d.sys.jr.AddComment(key, jiratest.CommentSpec{Author: jiratest.UserCarol,
		Body: "Confirmed: the WAF logged 40 requests from 203.0.113.7. Rotating the orders database credentials."}); err != nil {
		return err
	}
	if _, err := d.sys.jr.AddComment(key, jiratest.CommentSpec{Author: jiratest.UserDan, Body: "Internal: the credentials were in the old deploy script.",
		Visibility: &jiratest.CommentVisibility{Type: "role", Value: "Administrators"}}); err != nil {
		return err
	}
	if err := d.flush(ctx); err != nil {
		return err
	}
	if err := d.printIncidentComments(ctx, id); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nPriya comments on %s in the incident platform, then corrects her comment.\n", id)
	c, err := d.sys.incidents.Comment(ctx, priya, id, "Blocked 203.0.113.7 at the edge.", "")
	if err != nil {
		return err
	}
	if _, err := d.sys.incidents.EditComment(ctx, priya, id, c.ID, "Blocked 203.0.113.7 and 198.51.100.23 at the edge.", ""); err != nil {
		return err
	}
	if err := d.flush(ctx); err != nil {
		return err
	}
	jc, err := d.printTicketComments(ticket.Key)
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "\nPriya deletes her comment on %s.\n", id)
	if err := d.sys.incidents.RemoveComment(ctx, priya, id, c.ID); err != nil {
		return err
	}
	if err := d.flush(ctx); err != nil {
		return err
	}
	after, err := d.printTicketComments(ticket.Key)
	if err != nil {
		return err
	}
	incs, err := d.sys.incidents.ListComments(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  %s holds %s and %s holds %s: each mirror exists once and nothing came back as an echo.\n",
		id, demo.Plural(len(incs), "comment"), key, demo.Plural(after, "comment"))
	if len(incs) != 1 || jc != 3 || after != 2 {
		return fmt.Errorf("comments: %s holds %d, %s held %d then %d; want 1, 3 and 2", id, len(incs), key, jc, after)
	}
	return nil
}

// printIncidentComments prints an incident's comments.
func (d *demoRun) printIncidentComments(ctx context.Context, id string) error {
	list, err := d.sys.incidents.ListComments(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "  incident %s now has %s:\n", id, demo.Plural(len(list), "comment"))
	for _, c := range list {
		fmt.Fprintf(d.out, "    %s: %s\n", c.AuthorName, visible(c.Body))
	}
	return nil
}

// printTicketComments prints a ticket's comments as the fake Jira holds
// them, and returns how many there are.
func (d *demoRun) printTicketComments(key string) (int, error) {
	snap, ok := d.sys.jr.Issue(key)
	if !ok {
		return 0, fmt.Errorf("no ticket %s", key)
	}
	names := map[string]string{}
	for _, u := range append(jiratest.TeamUsers(), *jiratest.SecOps()) {
		names[u.AccountID] = u.DisplayName
	}
	fmt.Fprintf(d.out, "  %s now has %s:\n", key, demo.Plural(len(snap.Comments), "comment"))
	for _, c := range snap.Comments {
		who := cmp.Or(names[c.Author], "the API user")
		if c.Visibility != "" {
			who += " (" + c.Visibility + ")"
		}
		fmt.Fprintf(d.out, "    %s: %s\n", who, visible(c.Body))
	}
	return len(snap.Comments), nil
}

// resolveTicket moves a ticket to Done as an analyst does.
func (d *demoRun) resolveTicket(ctx context.Context, key string) error {
	if err := d.sys.target.Transition(ctx, key, tracker.TransitionTarget{Category: tracker.CategoryDone}); err != nil {
		return fmt.Errorf("moving %s to Done: %w", key, err)
	}
	return nil
}

// replay posts the last delivery about key again, byte for byte with its
// signature, as an attacker or a confused proxy would, and hands its event
// to the flow a second time, as a second replica would: neither changes
// anything.
func (d *demoRun) replay(ctx context.Context, key string) error {
	var last *jiratest.WebhookDelivery
	for _, dl := range d.sys.jr.WebhookDeliveries() {
		if dl.OK() && bytes.Contains(dl.Body, []byte(`"key":"`+key+`"`)) && dl.Event == jiratest.WebhookIssueUpdated {
			last = &dl
		}
	}
	if last == nil {
		return fmt.Errorf("no delivered webhook about %s to replay", key)
	}
	d.sys.jr.ResetRequests()
	before := d.engineWrites.Load()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.receiverURL, bytes.NewReader(last.Body))
	if err != nil {
		return err
	}
	req.Header = last.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("replaying delivery %s: %w", last.ID, err)
	}
	resp.Body.Close()
	ev, ok, err := d.sys.target.Event(ctx, mustDecode(last.Body))
	if err != nil || !ok {
		return fmt.Errorf("decoding delivery %s: %w", last.ID, err)
	}
	if err := d.handle(ctx, ev); err != nil {
		return err
	}
	writes, incWrites := d.jiraWrites(), d.engineWrites.Load()-before
	fmt.Fprintf(d.out, "\nThe same delivery (%s), replayed: the receiver answers %d; the event handed to the flow again makes %d write requests to Jira and %d changes to the platform.\n",
		last.ID, resp.StatusCode, writes, incWrites)
	if resp.StatusCode != http.StatusConflict || writes != 0 || incWrites != 0 {
		return fmt.Errorf("the replay was answered %d and made %d Jira writes and %d platform changes, want 409 and none", resp.StatusCode, writes, incWrites)
	}
	return nil
}

func mustDecode(body []byte) *jira.WebhookEvent {
	ev, err := jira.DecodeWebhook(body)
	if err != nil {
		return &jira.WebhookEvent{}
	}
	return ev
}

// searches counts the search requests the fake Jira answered since its
// counts were reset.
func (d *demoRun) searches() int {
	n := 0
	_, perRoute := d.sys.jr.Requests()
	for route, c := range perRoute {
		if strings.Contains(route, "/search") {
			n += c
		}
	}
	return n
}

// jiraWrites counts the requests that changed something on the fake Jira
// since its counts were reset.
func (d *demoRun) jiraWrites() int {
	n := 0
	_, perRoute := d.sys.jr.Requests()
	for route, c := range perRoute {
		if !strings.HasPrefix(route, "GET ") && !strings.Contains(route, "/search") {
			n += c
		}
	}
	return n
}

func field(is *tracker.Issue, name string) string {
	v, ok := is.Field(name)
	if !ok || v == nil {
		return "(none)"
	}
	return fmt.Sprint(v)
}

// skipReasons drops the engine's prefix from the spec's own reasons.
func skipReasons(p *demo.Progress) map[string]int {
	out := map[string]int{}
	for reason, n := range p.Skips() {
		if reason == syncer.ReasonUnchanged {
			reason = "unchanged since the last run"
		}
		out[strings.TrimPrefix(reason, syncer.ReasonRuleNotMatched+": ")] += n
	}
	return out
}

// visible drops the zero-width characters of the marker the engine hides
// in a mirrored comment, so that a terminal shows what a person sees.
func visible(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u2060', '\u200b', '\u200c':
			return -1
		}
		return r
	}, s)
}
