// Package demo holds what the example programs share: a progress bar fed
// by the sync engine's events, the printing of a run's summary, and the
// reading of settings from flags and the environment.
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

	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/syncer/store/sqlite"
	"github.com/trackbridge/trackbridge/tracker"
)

// Progress is a syncer.Observer that draws a one-line progress bar, such as
//
//	syncing  [##########..........]  100/200
//
// redrawn in place with a carriage return. Call Finish when the run ends.
// It is safe for concurrent use, as observers must be.
type Progress struct {
	w      io.Writer
	labels []string

	mu    sync.Mutex
	last  int // the last percentage drawn, to redraw only on change
	done  int
	total int
	pass  int // bars drawn since Finish
	drew  bool
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

// Observe redraws the bar from the event's Done and Total. A change of
// Total starts a new bar on the next line: RunOnce makes a second pass over
// the target's tickets when it writes back on change.
func (p *Progress) Observe(e syncer.Event) {
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

// Finish ends the bar's line, if a bar was drawn, and readies the bar for
// the next run.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drew {
		fmt.Fprintln(p.w)
	}
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

// Skips counts the items of rep that were only skipped, by reason. A run
// that polls the target too (write-back on change) reports an item twice,
// once per pass; an item that was created, updated or written back in one
// pass is not counted as skipped.
func Skips(rep *syncer.Report) map[string]int {
	acted := map[tracker.Ref]bool{}
	reason := map[tracker.Ref]string{}
	for _, o := range rep.Outcomes {
		if o.Result != syncer.EventSkipped {
			acted[o.Source] = true
			continue
		}
		if _, seen := reason[o.Source]; !seen {
			reason[o.Source] = o.Reason
		}
	}
	out := map[string]int{}
	for src, r := range reason {
		if !acted[src] {
			out[r]++
		}
	}
	return out
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

// Failures returns an error describing the items that failed or were
// parked in rep, and the run's own error, or nil when there were none. The
// examples exit non-zero on it.
func Failures(rep *syncer.Report) error {
	var errs []error
	if rep.Err != nil {
		errs = append(errs, fmt.Errorf("%s stopped early: %w", rep.Flow, rep.Err))
	}
	for _, o := range rep.Outcomes {
		if o.Result == syncer.EventFailed || o.Result == syncer.EventParked {
			errs = append(errs, fmt.Errorf("%s %s: %s: %w", o.Result, o.Source, o.Reason, o.Err))
		}
	}
	return errors.Join(errs...)
}

// Plural returns "1 ticket" or "3 tickets".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
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

// OpenStore opens the SQLite store at path, so that reruns against real
// systems neither duplicate tickets nor lose links, or an in-memory store
// when path is empty. Call close when done.
func OpenStore(ctx context.Context, path string) (st store.Store, close func() error, err error) {
	if path == "" {
		return memory.New(), func() error { return nil }, nil
	}
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	return s, s.Close, nil
}

// Terminal reports whether w is a terminal, where a progress bar redrawn
// in place makes sense; in a log file it would be noise.
func Terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// CheckStore refuses a store file on the fakes: they start empty on every
// run, so the links a file kept from an earlier run would point at tickets
// that no longer exist.
func CheckStore(onFakes bool, path string) error {
	if onFakes && path != "" {
		return errors.New("-store is for real systems: the fakes start empty on every run, so stored links would point at tickets that no longer exist")
	}
	return nil
}
