package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/syncer/store/sqlite"
)

// RunFunc is an example's body: its arguments, output streams and
// environment are passed in, so that tests can run it.
type RunFunc func(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error

// Main runs run with the process's arguments, streams and environment and
// a context cancelled on interrupt, prints its error after the command's
// name, and returns the exit code: use it as os.Exit(demo.Main(name, run)).
// A -help request, whose usage the flag package has printed, exits 1
// without a message.
func Main(name string, run RunFunc) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, name+":", err)
		}
		return 1
	}
	return 0
}

// Parse parses args with fs and refuses arguments that are not flags.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return nil
}

// SyncFlags are the flags the sync examples share.
type SyncFlags struct {
	// Store is the SQLite file keeping the flow's links; empty keeps
	// them in memory.
	Store string
	// Mapping is the mapping spec file; empty takes the built-in spec.
	Mapping string
	// Progress draws a progress bar when stderr is a terminal.
	Progress bool

	builtin string
}

// Register defines -store, -mapping and -progress on fs. links says what
// the store links ("detections and tickets"); builtin names the built-in
// mapping spec used without -mapping.
func (f *SyncFlags) Register(fs *flag.FlagSet, links, builtin string) {
	f.builtin = builtin
	fs.StringVar(&f.Store, "store", "", "SQLite file keeping the links between "+links+" (default: in memory)")
	fs.StringVar(&f.Mapping, "mapping", "", "mapping spec file (default: the built-in "+builtin+" spec)")
	fs.BoolVar(&f.Progress, "progress", true, "draw a progress bar on stderr when it is a terminal")
}

// LoadMapping returns the -mapping spec, or the built-in one, refusing a
// spec of more than one flow: the examples run one.
func (f *SyncFlags) LoadMapping() (*mapping.Spec, error) {
	var spec *mapping.Spec
	var err error
	if f.Mapping == "" {
		spec, err = mapping.Builtin(f.builtin)
	} else {
		spec, err = mapping.LoadFile(f.Mapping)
	}
	if err != nil {
		return nil, err
	}
	if len(spec.Flows) != 1 {
		return nil, fmt.Errorf("mapping %s: want one flow, found %d", f.Mapping, len(spec.Flows))
	}
	return spec, nil
}

// CheckStore refuses -store on the fakes: they start empty on every run,
// so the links a file kept from an earlier run would point at tickets that
// no longer exist. Call it before starting anything.
func (f *SyncFlags) CheckStore(onFakes bool) error {
	if onFakes && f.Store != "" {
		return errors.New("-store is for real systems: the fakes start empty on every run, so stored links would point at tickets that no longer exist")
	}
	return nil
}

// AdoptExisting reports whether a flow should look for the tickets of
// earlier runs by their markers before creating (syncer.Config's
// AdoptExisting): on real systems without -store, where no links are kept
// between runs and a rerun would otherwise file everything again.
func (f *SyncFlags) AdoptExisting(onFakes bool) bool { return !onFakes && f.Store == "" }

// OpenStore opens the -store file, so that reruns against real systems
// neither duplicate tickets nor lose links, or an in-memory store without
// one. Call close when done.
func (f *SyncFlags) OpenStore(ctx context.Context) (st store.Store, close func() error, err error) {
	if f.Store == "" {
		return memory.New(), func() error { return nil }, nil
	}
	s, err := sqlite.Open(ctx, f.Store)
	if err != nil {
		return nil, nil, fmt.Errorf("opening store %s: %w", f.Store, err)
	}
	return s, s.Close, nil
}
