// Command youtrack-to-trax reports high-severity YouTrack issues to a TTS
// trax postbox with the built-in "youtrack-to-trax" mapping (scenario S1):
// each issue of Severity High without a Reported date is posted as a trax
// record, and the issue's Reported date is set so it is never posted
// twice.
//
// With no flags it runs entirely in-process, on a fake YouTrack seeded
// with security issues and a fake trax postbox, and runs the flow twice:
// the first run posts, the second finds nothing to send.
//
//	go run ./examples/youtrack-to-trax
//
// With YOUTRACK_URL and TRAX_POSTBOX_URL set (see README.md) it runs once
// against those systems:
//
//	YOUTRACK_URL=https://example.youtrack.cloud YOUTRACK_TOKEN=perm:… \
//	TRAX_POSTBOX_URL=https://trax.example.com/postbox/create TRAX_TOKEN=… \
//	    go run ./examples/youtrack-to-trax -project SEC -store youtrack-to-trax.db
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trackbridge/trackbridge/examples/internal/demo"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/trax"
	"github.com/trackbridge/trackbridge/trax/traxtest"
	"github.com/trackbridge/trackbridge/youtrack"
	"github.com/trackbridge/trackbridge/youtrack/youtracktest"
)

func main() {
	os.Exit(demo.Main("youtrack-to-trax", run))
}

// options are the command line.
type options struct {
	demo.SyncFlags
	project string
	latency time.Duration
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("youtrack-to-trax", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.project, "project", "SEC", "YouTrack project whose issues are reported")
	o.Register(fs, "issues and records", "youtrack-to-trax")
	fs.DurationVar(&o.latency, "latency", 2*time.Millisecond, "latency the fakes add to every request")
	if err := demo.Parse(fs, args); err != nil {
		return nil, err
	}
	if strings.TrimSpace(o.project) == "" {
		return nil, errors.New("-project is empty")
	}
	return o, nil
}

// systems are the two ends of the flow, and on the fakes the fakes
// themselves.
type systems struct {
	source *youtrack.Adapter
	target trax.PostboxTracker
	yt     *youtracktest.Server // nil on real systems
	tx     *traxtest.Server
	close  func()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	spec, err := o.LoadMapping()
	if err != nil {
		return err
	}
	if err := o.CheckStore(getenv("YOUTRACK_URL") == "" && getenv("TRAX_POSTBOX_URL") == ""); err != nil {
		return err
	}
	sys, err := connect(o, stdout, getenv)
	if err != nil {
		return err
	}
	defer sys.close()
	st, closeStore, err := o.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore()

	progress := demo.NewProgress(stderr, "reporting")
	flow, err := syncer.New(syncer.Config{
		Name:     "youtrack-to-trax",
		Source:   sys.source,
		Target:   sys.target,
		Mapping:  spec.Flows[0],
		Store:    st,
		Query:    tracker.Query{Project: o.project},
		Observer: progress.Observer(o.Progress),
		// trax keys records by the id the engine sets, so repeating a
		// post after a crash cannot make a second record.
		IdempotentCreate: true,
	})
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "Run 1: issues of Severity High in %s without a Reported date are posted to trax.\n", o.project)
	rep, err := demo.RunOnce(ctx, flow, progress)
	if err != nil {
		return err
	}
	if err := printPosted(ctx, stdout, sys, rep, progress.Skips()); err != nil {
		return err
	}
	if sys.yt == nil {
		fmt.Fprintln(stdout, "\nRun again (or on a schedule) to report new high-severity issues; reported ones are never posted twice.")
		return nil
	}

	fmt.Fprintln(stdout, "\nRun 2: the same issues again.")
	before := sys.tx.Requests()
	rep, err = demo.RunOnce(ctx, flow, progress)
	if err != nil {
		return err
	}
	sent := sys.tx.Requests() - before
	fmt.Fprintf(stdout, "\nPosted %s; %d requests reached the postbox. Nothing to send: every High issue is reported.\n", demo.Plural(rep.Created, "record"), sent)
	if rep.Created != 0 || sent != 0 {
		return errors.New("run 2 was expected to send nothing")
	}
	return nil
}

// connect starts the fakes, or connects to the systems the environment
// names. Credentials are read here and never printed.
func connect(o *options, stdout io.Writer, getenv func(string) string) (*systems, error) {
	ytURL, traxURL := getenv("YOUTRACK_URL"), getenv("TRAX_POSTBOX_URL")
	if ytURL == "" && traxURL == "" {
		return startFakes(o, stdout)
	}
	if ytURL == "" || traxURL == "" {
		return nil, errors.New("set both YOUTRACK_URL and TRAX_POSTBOX_URL to run against real systems, or neither to run on the fakes")
	}
	if err := demo.MissingEnv(getenv, "YOUTRACK_TOKEN", "TRAX_TOKEN"); err != nil {
		return nil, err
	}
	sys, err := adapters(ytURL, traxURL, []youtrack.Option{youtrack.WithToken(getenv("YOUTRACK_TOKEN"))}, []trax.Option{trax.WithToken(getenv("TRAX_TOKEN"))})
	if err != nil {
		return nil, err
	}
	sys.close = func() {}
	fmt.Fprintf(stdout, "Reporting issues of %s in %s to %s.\n\n", ytURL, o.project, traxURL)
	return sys, nil
}

// startFakes starts a fake YouTrack seeded with security issues and a fake
// trax postbox.
func startFakes(o *options, stdout io.Writer) (*systems, error) {
	yt := youtracktest.New(youtracktest.WithLatency(o.latency))
	tx := traxtest.New(traxtest.WithLatency(o.latency), traxtest.WithoutReadEndpoint())
	closeAll := func() { yt.Close(); tx.Close() }
	n, err := seed(yt, o.project)
	if err != nil {
		closeAll()
		return nil, err
	}
	sys, err := adapters(yt.URL(), tx.URL(),
		[]youtrack.Option{youtrack.WithToken(youtracktest.Token), youtrack.WithRetryWait(time.Millisecond, 10*time.Millisecond)},
		[]trax.Option{trax.WithToken(traxtest.DefaultToken), trax.WithInsecureHTTP(), trax.WithRetryWait(time.Millisecond, 10*time.Millisecond)})
	if err != nil {
		closeAll()
		return nil, err
	}
	sys.yt, sys.tx, sys.close = yt, tx, closeAll
	fmt.Fprintf(stdout, "Started a fake YouTrack (%s) with %s in %s, and a fake trax postbox (%s).\n\n", yt.URL(), demo.Plural(n, "issue"), o.project, tx.URL())
	return sys, nil
}

// seedIssues returns the fake's issues: a security team's week, of every
// severity, one High issue reported to trax before.
func seedIssues() []youtracktest.NewIssue {
	return []youtracktest.NewIssue{
		{Summary: "Phishing campaign targeting the finance team", Description: "Twelve users received invoices with a credential-harvesting link; two entered their passwords.", Fields: map[string]any{"Severity": "High", "State": "In Progress"}},
		{Summary: "Ransomware signature on file server FS-02", Description: "Endpoint protection quarantined an encryptor on FS-02; the host is isolated.", Fields: map[string]any{"Severity": "High", "State": "Open"}},
		{Summary: "Customer export left in a public storage bucket", Description: "A CSV export with names and email addresses was readable without authentication for three days.", Fields: map[string]any{"Severity": "High", "State": "Open"}},
		{Summary: "Admin account signed in from an unusual country", Description: "The break-glass account signed in from an address never seen before, outside the change window.", Fields: map[string]any{"Severity": "High", "State": "Open"}},
		{Summary: "VPN gateway missing the February security update", Description: "The remote-access gateway runs a firmware with a published remote code execution flaw.", Fields: map[string]any{"Severity": "High", "State": "Open"}},
		{Summary: "Laptop stolen from a car", Description: "Encrypted laptop of a sales engineer; reported to the police. Reported to trax in January.", Fields: map[string]any{"Severity": "High", "State": "Fixed", "Reported": time.Date(2026, 1, 14, 10, 30, 0, 0, time.UTC)}},
		{Summary: "Domain controller replication failing", Description: "DC-03 stopped replicating after a certificate expired.", Fields: map[string]any{"Severity": "Critical", "State": "In Progress"}},
		{Summary: "Expired TLS certificate on the status page", Description: "The public status page served an expired certificate for two hours.", Fields: map[string]any{"Severity": "Medium", "State": "Fixed"}},
		{Summary: "Password policy allows eight-character passwords", Description: "The directory accepts passwords shorter than the policy's twelve characters.", Fields: map[string]any{"Severity": "Medium", "State": "Open"}},
		{Summary: "USB storage allowed on kiosk machines", Description: "Reception kiosks mount USB storage devices.", Fields: map[string]any{"Severity": "Low", "State": "Open"}},
		{Summary: "Security awareness training overdue for 14 people", Description: "Reminder sent; managers copied.", Fields: map[string]any{"Severity": "Low", "State": "Open"}},
		{Summary: "Firewall rule review for Q4", Description: "Quarterly review of the perimeter rule set.", Fields: nil},
	}
}

// seed adds the seedIssues to the project, creating it when the fake lacks
// it, and returns how many it added.
func seed(yt *youtracktest.Server, project string) (int, error) {
	if !slices.ContainsFunc(yt.Projects(), func(p youtracktest.Project) bool { return p.ShortName == project }) {
		yt.AddProject(youtracktest.Project{ShortName: project, Name: project})
	}
	issues := seedIssues()
	for _, is := range issues {
		is.Project = project
		if _, err := yt.AddIssue(is); err != nil {
			return 0, fmt.Errorf("seeding the fake YouTrack: %w", err)
		}
	}
	return len(issues), nil
}

func adapters(ytURL, traxURL string, ytOpts []youtrack.Option, traxOpts []trax.Option) (*systems, error) {
	yc, err := youtrack.New(ytURL, ytOpts...)
	if err != nil {
		return nil, err
	}
	source, err := youtrack.NewAdapter(yc, youtrack.AdapterConfig{})
	if err != nil {
		return nil, err
	}
	// The ERD lets the client check each record before it is sent.
	tc, err := trax.New(traxURL, append(traxOpts, trax.WithERD(trax.DefaultERD()))...)
	if err != nil {
		return nil, err
	}
	target, err := trax.NewAdapter(tc, trax.AdapterConfig{})
	if err != nil {
		return nil, err
	}
	return &systems{source: source, target: target}, nil
}

// printPosted lists the records posted, with the issue each came from and
// its Reported date, and the issues skipped and why.
func printPosted(ctx context.Context, w io.Writer, sys *systems, rep *syncer.Report, skips map[string]int) error {
	var posted []syncer.Outcome
	for _, o := range rep.Outcomes {
		if o.Result == syncer.EventCreated || o.Result == syncer.EventAdopted {
			posted = append(posted, o)
		}
	}
	if len(posted) == 0 {
		fmt.Fprintln(w, "\nPosted no records: no High issue is waiting to be reported.")
	} else {
		fmt.Fprintf(w, "\nPosted %s to trax:\n", demo.Plural(len(posted), "record"))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(posted) > 0 {
		fmt.Fprintln(tw, "  ISSUE\tRECORD ID\tCLASSIFICATION\tNAME\tREPORTED (set on the issue)")
	}
	var rows [][]string
	for _, o := range posted {
		is, err := sys.source.GetIssue(ctx, o.Source.ID)
		if err != nil {
			return fmt.Errorf("reading issue %s: %w", o.Source.ID, err)
		}
		name, class := is.Summary, fmt.Sprint(fieldOr(is, "Severity", "-"))
		if sys.tx != nil {
			// On the fake, show what the postbox holds.
			rec, ok := sys.tx.Record(o.Target.ID)
			if !ok {
				return fmt.Errorf("record %s is not in the postbox", o.Target.ID)
			}
			name, class = fmt.Sprint(rec.Attributes["name"]), fmt.Sprint(rec.Attributes["classification"])
		}
		reported := "not set"
		if t, ok := fieldOr(is, "Reported", nil).(time.Time); ok {
			reported = t.UTC().Format(time.DateOnly)
		}
		rows = append(rows, []string{is.Key, o.Target.ID, class, name, reported})
	}
	slices.SortFunc(rows, func(a, b []string) int {
		return cmpKeys(a[0], b[0])
	})
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\n", strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(skips) > 0 {
		named := map[string]int{}
		for r, n := range skips {
			named[explainSkip(r)] += n
		}
		fmt.Fprintf(w, "\nNot posted, %s:\n", demo.Plural(demo.Total(named), "issue"))
		demo.PrintSkips(w, "  ", named)
	}
	return nil
}

// cmpKeys orders YouTrack keys by project, then number (SEC-9 before SEC-10).
func cmpKeys(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func fieldOr(is *tracker.Issue, name string, def any) any {
	if v, ok := is.Field(name); ok && v != nil {
		return v
	}
	return def
}

// The mapping's explanations of its rule, as in "flows[0].when.all[0]:
// want fields.Severity equals "High", have "Low"".
var (
	severityRule = regexp.MustCompile(`want fields\.Severity equals "?([^",]*)"?, have "?([^"]*)"?$`)
	reportedRule = regexp.MustCompile(`fields\.Reported`)
)

// explainSkip turns the engine's skip reason into words.
func explainSkip(reason string) string {
	rest, ok := strings.CutPrefix(reason, syncer.ReasonRuleNotMatched+": ")
	if !ok {
		return reason
	}
	if m := severityRule.FindStringSubmatch(rest); m != nil {
		if m[2] == "absent" {
			return "no Severity (only " + m[1] + " is posted)"
		}
		return "Severity " + m[2] + " (only " + m[1] + " is posted)"
	}
	if reportedRule.MatchString(rest) {
		return "already reported (its Reported date is set)"
	}
	return reason
}
