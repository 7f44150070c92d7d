// Package demo holds what the example programs share: running a command,
// the flags and store handling of the sync examples, Jira credentials from
// the environment, a progress bar fed by the sync engine's events, and the
// printing of a run's summary.
package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/tracker"
)

// Progress is a syncer.Observer that draws a one-line progress bar, such as
//
//	syncing  [##########..........]  100/200
//
// redrawn in place with a carriage return. Call Finish when the run ends.
// It also tallies, per item, whether the run acted on it and why it was
// skipped: see [Progress.Skips]. It is safe for concurrent use, as
// observers must be.
type Progress struct {
	w      io.Writer
	labels []string

	mu    sync.Mutex
	last  int // the last percentage drawn, to redraw only on change
	done  int
	total int
	pass  int // bars drawn since Finish
	drew  bool

	acted  map[tracker.Ref]bool   // items the run did something to
	reason map[tracker.Ref]string // the first skip reason of each item
	skips  map[string]int         // the last finished run's, by reason
}

// barWidth is the number of cells in the bar.
const barWidth = 30

// NewProgress returns a progress bar writing to w (usually os.Stderr).
// The first bar of a run is labelled with the first label, the next with
// the next, and so on; the last label serves for the rest.
func NewProgress(w io.Writer, labels ...string) *Progress {
	if len(labels) == 0 {
		labels = []string{"syncing"}
	}
	return &Progress{w: w, labels: labels, last: -1}
}

// Observer returns p as a flow's observer. It draws the bar only when show
// is set and p writes to a terminal: in a log file a bar redrawn in place
// would be noise. It always tallies.
func (p *Progress) Observer(show bool) syncer.Observer {
	if show && terminal(p.w) {
		return p
	}
	return syncer.ObserverFunc(p.tally)
}

// Observe tallies the event and redraws the bar from its Done and Total. A
// change of Total starts a new bar on the next line: RunOnce makes a second
// pass over the target's tickets when it writes back on change.
func (p *Progress) Observe(e syncer.Event) {
	p.tally(e)
	if e.Total <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.Total != p.total {
		if p.drew {
			fmt.Fprintln(p.w)
			p.pass++
		}
		p.total, p.done, p.last = e.Total, 0, -1
	}
	pct := min(100, e.Done*100/e.Total)
	if e.Done < p.done || pct == p.last {
		return
	}
	p.done, p.last, p.drew = e.Done, pct, true
	cells := pct * barWidth / 100
	label := p.labels[min(p.pass, len(p.labels)-1)]
	fmt.Fprintf(p.w, "\r%-*s  [%s%s]  %d/%d", p.width(), label, strings.Repeat("#", cells), strings.Repeat(".", barWidth-cells), e.Done, e.Total)
}

// tally records what the event says of its item.
func (p *Progress) tally(e syncer.Event) {
	if e.Source.IsZero() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.acted == nil {
		p.acted, p.reason = map[tracker.Ref]bool{}, map[tracker.Ref]string{}
	}
	if e.Kind != syncer.EventSkipped {
		p.acted[e.Source] = true
		return
	}
	if _, ok := p.reason[e.Source]; !ok {
		p.reason[e.Source] = e.Reason
	}
}

// Skips counts the items of the run last finished that were only skipped,
// by reason. A run that polls the target too (write-back on change) sees
// an item twice, once per pass; an item that was created, updated or
// written back in one pass is not counted as skipped.
func (p *Progress) Skips() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.skips)
}

// Finish ends the bar's line, if a bar was drawn, keeps the run's tally
// for Skips, and readies the bar for the next run.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drew {
		fmt.Fprintln(p.w)
	}
	p.skips = map[string]int{}
	for src, r := range p.reason {
		if !p.acted[src] {
			p.skips[r]++
		}
	}
	p.acted, p.reason = nil, nil
	p.last, p.done, p.total, p.pass, p.drew = -1, 0, 0, 0, false
}

// width is the longest label's, so that the bars line up.
func (p *Progress) width() int {
	n := 0
	for _, l := range p.labels {
		n = max(n, len(l))
	}
	return n
}

// PrintSkips prints skip reasons with their counts, most frequent first,
// one per line under indent.
func PrintSkips(w io.Writer, indent string, skips map[string]int) {
	reasons := slices.Collect(maps.Keys(skips))
	slices.SortFunc(reasons, func(a, b string) int {
		return cmp.Or(cmp.Compare(skips[b], skips[a]), cmp.Compare(a, b))
	})
	for _, r := range reasons {
		fmt.Fprintf(w, "%s%4d  %s\n", indent, skips[r], r)
	}
}

// Total sums counts.
func Total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// Unfinished returns an error describing the work rep left undone: the
// run's own error, the items that failed or were parked, and the items
// deferred (held by another engine, or a create whose answer was lost and
// that the target's search cannot confirm yet), with when to run again.
// It is nil for a clean run. The examples exit non-zero on it.
func Unfinished(rep *syncer.Report) error {
	var errs []error
	if rep.Err != nil {
		errs = append(errs, fmt.Errorf("%s stopped early: %w", rep.Flow, rep.Err))
	}
	for _, o := range rep.Outcomes {
		if o.Result == syncer.EventFailed || o.Result == syncer.EventParked {
			errs = append(errs, fmt.Errorf("%s %s: %s: %w", o.Result, o.Source, o.Reason, o.Err))
		}
	}
	if rep.Deferred > 0 {
		errs = append(errs, fmt.Errorf("%s deferred, not done: run again after %s (%s)",
			Plural(rep.Deferred, "item"), rep.RetryAt.Local().Format(time.TimeOnly), deferReasons(rep)))
	}
	return errors.Join(errs...)
}

// deferReasons names the reasons items were deferred for, the most common
// first.
func deferReasons(rep *syncer.Report) string {
	counts := map[string]int{}
	for _, o := range rep.Outcomes {
		if o.Result == syncer.EventDeferred {
			r := o.Reason
			if i := strings.Index(r, " ("); i > 0 {
				r = r[:i] // drop the holder and time, shown once above
			}
			counts[r]++
		}
	}
	reasons := slices.Collect(maps.Keys(counts))
	slices.SortFunc(reasons, func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	return strings.Join(reasons, "; ")
}

// Plural returns "1 ticket" or "3 tickets".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// RunOnce runs flow once, ends the progress bar's line and fails on the
// items that failed.
func RunOnce(ctx context.Context, flow *syncer.Flow, p *Progress) (*syncer.Report, error) {
	rep, err := flow.RunOnce(ctx)
	p.Finish()
	if err != nil {
		return nil, err
	}
	return rep, Unfinished(rep)
}

// JiraAuth returns the Jira credentials the environment holds: an email
// and API token (Cloud) or a personal access token (Data Center).
func JiraAuth(getenv func(string) string) (jira.Option, error) {
	switch {
	case getenv("JIRA_EMAIL") != "" && getenv("JIRA_API_TOKEN") != "":
		return jira.WithBasicAuth(getenv("JIRA_EMAIL"), getenv("JIRA_API_TOKEN")), nil
	case getenv("JIRA_TOKEN") != "":
		return jira.WithToken(getenv("JIRA_TOKEN")), nil
	}
	return nil, errors.New("set JIRA_EMAIL and JIRA_API_TOKEN (Cloud) or JIRA_TOKEN (Data Center personal access token)")
}

// MissingEnv returns an error naming the environment variables that are
// empty, or nil. It never includes their values.
func MissingEnv(getenv func(string) string, names ...string) error {
	var missing []string
	for _, n := range names {
		if getenv(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("set %s in the environment", strings.Join(missing, " and "))
}

// terminal reports whether w is a terminal.
func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
