// Command appsec-to-jira exports the findings of an application security
// report into Jira with the built-in "findings-to-jira" mapping (scenario
// S2): findings of severity High or Critical become Jira bugs in the
// project of their application, with priority and status following the
// finding.
//
// With no flags it reads the sample report.json shipped next to this file
// and exports into a fake Jira started in-process:
//
//	go run ./examples/appsec-to-jira                       # export all that match
//	go run ./examples/appsec-to-jira -dry-run              # show the plan only
//	go run ./examples/appsec-to-jira -export F-101,F-107   # export these two
//
// With JIRA_URL set (see README.md) it exports into that Jira, keeping its
// links in a SQLite file so that exporting again updates instead of
// duplicating:
//
//	JIRA_URL=https://example.atlassian.net JIRA_EMAIL=me@example.com JIRA_API_TOKEN=… \
//	    go run ./examples/appsec-to-jira -report scan.json -store appsec.db
package main

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
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
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/tracker"
)

// sampleReport is the report used when -report is not given, compiled in
// so that go run works from any directory.
//
//go:embed report.json
var sampleReport []byte

func main() {
	os.Exit(demo.Main("appsec-to-jira", run))
}

// options are the command line.
type options struct {
	demo.SyncFlags
	report string
	export []string
	dryRun bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	var export string
	fs := flag.NewFlagSet("appsec-to-jira", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.report, "report", "", "vulnerability report, JSON (default: the sample report.json)")
	fs.StringVar(&export, "export", "", "comma-separated finding ids to export (default: every finding the mapping selects)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print what would be done and change nothing")
	o.Register(fs, "findings and tickets", "findings-to-jira")
	if err := demo.Parse(fs, args); err != nil {
		return nil, err
	}
	for id := range strings.SplitSeq(export, ",") {
		if id = strings.TrimSpace(id); id != "" {
			o.export = append(o.export, id)
		}
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	rep, err := loadReport(o.report)
	if err != nil {
		return err
	}
	items, err := selectFindings(rep, o.export)
	if err != nil {
		return err
	}
	loaded, err := o.LoadMapping()
	if err != nil {
		return err
	}
	spec := loaded.Flows[0]
	onFake := getenv("JIRA_URL") == ""
	if err := o.CheckStore(onFake); err != nil {
		return err
	}
	target, closeJira, err := connect(stdout, getenv)
	if err != nil {
		return err
	}
	defer closeJira()
	st, closeStore, err := o.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore()

	progress := demo.NewProgress(stderr, "exporting")
	flow, err := syncer.New(syncer.Config{
		Name:       "findings-to-jira",
		SourceKind: "appsec", // findings are handed in, not polled
		Target:     target,
		Mapping:    spec,
		Store:      st,
		Observer:   progress.Observer(o.Progress),
		// Without -store, a rerun against a real Jira finds its earlier
		// tickets by their markers instead of filing them again.
		AdoptExisting: o.AdoptExisting(onFake),
	})
	if err != nil {
		return err
	}

	what := "all " + demo.Plural(len(rep.Findings), "finding")
	switch {
	case len(rep.Findings) == 1:
		what = "its finding"
	case len(o.export) > 0:
		what = strings.Join(o.export, ", ")
	}
	fmt.Fprintf(stdout, "Report from %s, generated %s: exporting %s.\n", rep.Scanner, rep.Generated.Format(time.DateOnly), what)

	if o.dryRun {
		plan, err := flow.Plan(ctx, items...)
		if err != nil {
			return err
		}
		if err := printPlan(stdout, plan, spec); err != nil {
			return err
		}
		// The dry run reads Jira, never writes it: does the plan fit?
		if err := spec.Check(ctx, target); err != nil {
			fmt.Fprintf(stdout, "\nJira would refuse some of it:\n%v\n", err)
			return errors.New("the mapping does not fit this Jira")
		}
		fmt.Fprintln(stdout, "\nChecked against Jira (read only): the projects, issue types, fields, priorities and statuses the plan uses exist.")
		return nil
	}

	// A host that only pushes finishes creates an earlier run began.
	if _, err := flow.ResolvePending(ctx); err != nil {
		return err
	}
	res, err := flow.Push(ctx, items...)
	progress.Finish()
	if err != nil {
		return err
	}
	if err := printResult(ctx, stdout, target, res, progress.Skips()); err != nil {
		return err
	}
	if err := demo.Unfinished(res); err != nil || !onFake {
		return err
	}

	// On the fake, show that exporting again files nothing twice.
	again, err := flow.Push(ctx, items...)
	progress.Finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nExporting the same findings again: %d created, %d updated, %d unchanged.\n",
		again.Created, again.Updated, again.Unchanged)
	fmt.Fprintln(stdout, "The store remembers each finding's ticket, so an export never files a finding twice.")
	return demo.Unfinished(again)
}

// connect starts a fake Jira with the projects the spec routes to, or
// connects to the Jira the environment names. Credentials are read here
// and never printed.
func connect(stdout io.Writer, getenv func(string) string) (*jira.Adapter, func(), error) {
	url := getenv("JIRA_URL")
	var auth jira.Option
	closeJira := func() {}
	if url == "" {
		srv := jiratest.New()
		srv.AddProject("PAY", "Payments")
		srv.AddProject("APP", "Web and Mobile Apps")
		url, closeJira = srv.URL(), srv.Close
		auth = jira.WithBasicAuth(jiratest.Email, jiratest.APIToken)
		fmt.Fprintf(stdout, "Started a fake Jira (%s) with projects SEC, PAY and APP.\n", url)
	} else {
		var err error
		if auth, err = demo.JiraAuth(getenv); err != nil {
			return nil, nil, fmt.Errorf("JIRA_URL is set: %w", err)
		}
		fmt.Fprintf(stdout, "Exporting into %s.\n", url)
	}
	c, err := jira.New(url, auth)
	if err == nil {
		var a *jira.Adapter
		if a, err = jira.NewAdapter(c, jira.AdapterConfig{Markdown: true}); err == nil {
			return a, closeJira, nil
		}
	}
	closeJira()
	return nil, nil, err
}

// printPlan prints the dry run: what each finding would become, or why
// it is skipped.
func printPlan(w io.Writer, plan *syncer.Plan, spec *mapping.FlowSpec) error {
	fmt.Fprintf(w, "\nDry run: nothing is sent to Jira.\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FINDING\tACTION\tPROJECT\tTYPE\tPRIORITY\tSTATUS\tSUMMARY / REASON")
	for _, d := range plan.Decisions {
		switch {
		case d.Create != nil:
			// The status a new ticket is moved to after its creation is
			// the mapping's, which the decision does not carry.
			to := d.Transition
			if res, err := spec.Apply(d.Item, time.Now()); err == nil && to == nil {
				to = res.Transition
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Source.ID, d.Action, d.Create.Project, d.Create.Type, d.Create.Priority, status(to), d.Create.Summary)
		case d.Action == syncer.ActionUpdate:
			fmt.Fprintf(tw, "%s\tupdate %s\t\t\t\t%s\tfields: %s\n", d.Source.ID, cmp.Or(d.TargetKey, d.Target.ID), status(d.Transition), strings.Join(d.Fields, ", "))
		default:
			fmt.Fprintf(tw, "%s\t%s\t\t\t\t\t%s\n", d.Source.ID, d.Action, explainSkip(d.Reason, d.Err))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d to create, %d to update, %d to skip.\n",
		plan.Count(syncer.ActionCreate)+plan.Count(syncer.ActionResolve), plan.Count(syncer.ActionUpdate), plan.Count(syncer.ActionSkip))
	return err
}

// status describes where a ticket is moved; tickets start in To Do.
func status(t *tracker.TransitionTarget) string {
	if t == nil {
		return "To Do"
	}
	st := t.Status
	if st == "" {
		st = string(t.Category)
	}
	if t.Resolution != "" {
		st += " (" + t.Resolution + ")"
	}
	return st
}

// printResult lists the tickets made or changed, with their key, link,
// priority and status as Jira has them now, and the findings skipped.
func printResult(ctx context.Context, w io.Writer, target *jira.Adapter, res *syncer.Report, skips map[string]int) error {
	done := slices.DeleteFunc(slices.Clone(res.Outcomes), func(o syncer.Outcome) bool {
		return o.Result != syncer.EventCreated && o.Result != syncer.EventAdopted && o.Result != syncer.EventUpdated
	})
	fmt.Fprintf(w, "\nCreated %s, updated %s", demo.Plural(res.Created, "ticket"), demo.Plural(res.Updated, "ticket"))
	if res.Adopted > 0 {
		// Found by their markers: filed by an earlier run whose links
		// were not kept (no -store), not created now.
		fmt.Fprintf(w, ", adopted %s filed by an earlier export", demo.Plural(res.Adopted, "ticket"))
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(done) == 0 {
		fmt.Fprintln(w, ".")
	} else {
		fmt.Fprintln(w, ":")
		fmt.Fprintln(tw, "  FINDING\tTICKET\tPRIORITY\tSTATUS\tSUMMARY")
	}
	var links []string
	for _, o := range done {
		t, err := target.GetIssue(ctx, o.Target.ID)
		if err != nil {
			return fmt.Errorf("reading %s: %w", o.Key, err)
		}
		st := t.Status
		if t.Resolution != "" {
			st += " (" + t.Resolution + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", o.Source.ID, t.Key, t.Priority, st, t.Summary)
		links = append(links, fmt.Sprintf("  %s  %s", t.Key, t.URL))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(links) > 0 {
		fmt.Fprintln(w, "  (priority: Critical → Highest, High → High; status: Open → To Do, In Remediation → In Progress,")
		fmt.Fprintln(w, "   Remediated → Done, False Positive → Done with resolution Won't Do)")
		fmt.Fprintf(w, "\nLinks:\n%s\n", strings.Join(links, "\n"))
	}
	if len(skips) > 0 {
		named := map[string]int{}
		for r, n := range skips {
			named[explainSkip(r, nil)] += n
		}
		fmt.Fprintf(w, "\nSkipped %s:\n", demo.Plural(demo.Total(named), "finding"))
		demo.PrintSkips(w, "  ", named)
	}
	if res.Failed+res.Parked > 0 {
		fmt.Fprintf(w, "\nFailed: %s.\n", demo.Plural(res.Failed+res.Parked, "finding"))
	}
	return nil
}

// severityRule matches the mapping's explanation of a failed severity
// rule: "flows[0].when: want fields.severity in [High Critical], have "Low"".
var severityRule = regexp.MustCompile(`want fields\.severity in \[([^\]]*)\], have "?([^"]*)"?$`)

// explainSkip turns the engine's skip reason into words.
func explainSkip(reason string, err error) string {
	if reason == syncer.ReasonUnchanged {
		return "unchanged since the last export"
	}
	if rest, ok := strings.CutPrefix(reason, syncer.ReasonRuleNotMatched+": "); ok {
		if m := severityRule.FindStringSubmatch(rest); m != nil {
			return fmt.Sprintf("severity %s (the mapping exports %s only)", m[2], strings.ReplaceAll(m[1], `"`, ""))
		}
	}
	if err != nil {
		return reason + ": " + err.Error()
	}
	return reason
}

// Report is a vulnerability report as the sample report.json has it.
type Report struct {
	Scanner   string    `json:"scanner"`
	Generated time.Time `json:"generated"`
	Findings  []Finding `json:"findings"`
}

// Finding is one finding of a report.
type Finding struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Severity    string `json:"severity"` // Critical, High, Medium, Low
	Status      string `json:"status"`   // Open, In Remediation, Remediated, False Positive
	Application string `json:"application"`
	Component   string `json:"component"`
	CWE         string `json:"cwe"`      // "CWE-89"
	Location    string `json:"location"` // file:line
	Description string `json:"description"`
	Remediation string `json:"remediation"`
	URL         string `json:"url"`
}

// maxReport caps the report file: the input may come from anywhere.
const maxReport = 32 << 20

// loadReport reads the report at path, or the sample.
func loadReport(path string) (*Report, error) {
	data, name := sampleReport, "report.json"
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if data, err = io.ReadAll(io.LimitReader(f, maxReport+1)); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if len(data) > maxReport {
			return nil, fmt.Errorf("%s: larger than %d MiB", path, maxReport>>20)
		}
		name = path
	}
	return parseReport(data, name)
}

// parseReport decodes a report and checks that every finding has an id,
// unique in the report, a title and a severity.
func parseReport(data []byte, name string) (*Report, error) {
	var r Report
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	seen := map[string]bool{}
	for i, f := range r.Findings {
		switch {
		case strings.TrimSpace(f.ID) == "":
			return nil, fmt.Errorf("%s: finding %d has no id", name, i+1)
		case seen[f.ID]:
			return nil, fmt.Errorf("%s: finding id %q appears twice", name, f.ID)
		case strings.TrimSpace(f.Title) == "":
			return nil, fmt.Errorf("%s: finding %s has no title", name, f.ID)
		case strings.TrimSpace(f.Severity) == "":
			return nil, fmt.Errorf("%s: finding %s has no severity", name, f.ID)
		}
		seen[f.ID] = true
	}
	if r.Scanner == "" {
		r.Scanner = "an unnamed scanner"
	}
	return &r, nil
}

// selectFindings returns the findings to export as tracker issues: the
// ones named, in the order given, or all.
func selectFindings(r *Report, ids []string) ([]*tracker.Issue, error) {
	if len(ids) == 0 {
		items := make([]*tracker.Issue, len(r.Findings))
		for i := range r.Findings {
			items[i] = r.Findings[i].Issue()
		}
		return items, nil
	}
	byID := map[string]*Finding{}
	for i := range r.Findings {
		byID[r.Findings[i].ID] = &r.Findings[i]
	}
	items := make([]*tracker.Issue, 0, len(ids))
	var unknown []string
	for _, id := range ids {
		f, ok := byID[id]
		if !ok {
			unknown = append(unknown, id)
			continue
		}
		items = append(items, f.Issue())
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("-export: no finding %s in the report", strings.Join(unknown, ", "))
	}
	return items, nil
}

// Issue turns the finding into the vendor-neutral issue the mapping reads:
//
//	ID, Key           id                   (the finding's ticket is keyed by it)
//	URL               url
//	Summary           title
//	Description       description, then "**Remediation:** " remediation
//	Status            status               (mapped to the Jira status and resolution)
//	Labels            component, cwe       (e.g. "orders-api", "CWE-89")
//	Fields.severity   severity             (the rule, the priority, the summary)
//	Fields.application application         (routes the ticket to a project)
//	Fields.cwe        cwe's number         ("89", linked to cwe.mitre.org)
//	Fields.location   location
func (f *Finding) Issue() *tracker.Issue {
	desc := strings.TrimSpace(f.Description)
	if r := strings.TrimSpace(f.Remediation); r != "" {
		desc += "\n\n**Remediation:** " + r
	}
	fields := map[string]any{"severity": f.Severity, "application": f.Application}
	if f.CWE != "" {
		fields["cwe"] = strings.TrimPrefix(strings.ToUpper(f.CWE), "CWE-")
	}
	if f.Location != "" {
		fields["location"] = f.Location
	}
	var labels []string
	for _, l := range []string{f.Component, f.CWE} {
		if l = strings.ReplaceAll(strings.TrimSpace(l), " ", "-"); l != "" {
			labels = append(labels, l)
		}
	}
	return &tracker.Issue{
		ID:          f.ID,
		Key:         f.ID,
		URL:         f.URL,
		Summary:     f.Title,
		Description: desc,
		Status:      f.Status,
		Labels:      labels,
		Fields:      fields,
	}
}
