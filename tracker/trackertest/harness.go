// Package trackertest is the conformance suite every tracker adapter passes,
// and an in-memory tracker that implements every capability.
//
// An adapter's test wires the adapter to its fake server and calls [Run]:
//
//	func TestConformance(t *testing.T) {
//		trackertest.Run(t, func(t *testing.T) *trackertest.Harness {
//			srv := jiratest.NewServer(t)
//			return &trackertest.Harness{Tracker: adapterFor(srv), Project: "SEC"}
//		})
//	}
//
// The suite exercises the capabilities the tracker implements and checks that
// the ones it does not implement are absent rather than broken. A
// [tracker.UserDirectory] must list at least one user.
//
// [Memory] is an in-memory tracker implementing every capability, for tests
// of code built on package tracker.
package trackertest

import (
	"context"
	"testing"

	"github.com/trackbridge/trackbridge/tracker"
)

// Harness is what one conformance run needs. The factory passed to [Run] is
// called once per subtest, so each subtest may get a fresh fake server.
type Harness struct {
	// Tracker is the adapter under test.
	Tracker tracker.Tracker
	// Project and IssueType are used when creating issues. Project also
	// scopes searches.
	Project   string
	IssueType string
	// Seed, when set, puts n new issues into the tracker's backing store and
	// returns their ids; the suite uses it for trackers that cannot create
	// issues themselves (ExtraHop detections). Seeded issues must get
	// strictly increasing Updated times.
	Seed func(ctx context.Context, n int) ([]string, error)
	// MissingID is an id no issue has; empty means "does-not-exist-404".
	MissingID string
	// DoneStatus names a status in the Done category that the workflow can
	// reach from a new issue; empty lets the suite move by category only.
	DoneStatus string

	// The fields below are optional; their zero values suit most adapters.

	// Priority, when set, is given to created issues and checked on read.
	Priority string
	// Labels are given to created issues and checked on read (the tracker
	// may add more, such as a marker label); nil means two default labels.
	// NoLabels, for trackers without labels, sets and checks none.
	Labels   []string
	NoLabels bool
	// Fields are extra fields given to created issues and checked on read.
	// Times compare by instant and numbers by value, whatever their Go type.
	Fields map[string]any
	// NoSummaryUpdate is for Updaters that write only some attributes
	// (ExtraHop detections take ticket fields, not titles): the Update
	// check then sends FieldChange, which must be set, instead of a new
	// Summary, and still checks that nothing else changed.
	NoSummaryUpdate bool
	// VolatileFields name Fields the tracker itself changes on every write
	// (ExtraHop's mod_time); the Update check does not expect them kept.
	VolatileFields []string
	// FieldChange, when set, is sent as the Fields of an update: the suite
	// checks that these entries change and the other entries of Fields are
	// kept.
	FieldChange map[string]any
}

// Factory builds a fresh harness for one subtest. It may register cleanup
// with t.
type Factory func(t *testing.T) *Harness
