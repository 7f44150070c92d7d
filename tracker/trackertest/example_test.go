package trackertest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

func ExampleNewMemory() {
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	m := trackertest.NewMemory("memory", trackertest.WithClock(func() time.Time { return t0 }))

	is, err := m.CreateIssue(ctx, &tracker.NewIssue{
		Project: "SEC",
		Summary: "ExtraHop Detection: 42: SMB brute force",
		Labels:  []string{"lateral-movement"},
		Marker:  "extrahop:42",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(is.Key, is.Status)

	// The default workflow goes To Do → In Progress → Done; a move to the
	// done category finds that path.
	if err := m.Transition(ctx, is.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}); err != nil {
		fmt.Println(err)
		return
	}
	found, err := m.FindByMarker(ctx, "extrahop:42")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(found[0].Key, found[0].Status, found[0].Resolution, found[0].Updated.Sub(t0))
	fmt.Println("write calls:", m.WriteCalls())
	// Output:
	// SEC-1 To Do
	// SEC-1 Done Done 1ms
	// write calls: 2
}

func ExampleMemory_FailNext() {
	ctx := context.Background()
	m := trackertest.NewMemory("memory")
	m.FailNext(trackertest.OpCreateIssue, fmt.Errorf("HTTP 429: %w", tracker.ErrRateLimited))

	_, err := m.CreateIssue(ctx, &tracker.NewIssue{Summary: "first try"})
	fmt.Println(tracker.IsTransient(err), errors.Is(err, tracker.ErrRateLimited))
	_, err = m.CreateIssue(ctx, &tracker.NewIssue{Summary: "second try"})
	fmt.Println(err, m.Len(), m.Calls()[trackertest.OpCreateIssue])
	// Output:
	// true true
	// <nil> 1 2
}

func ExampleWorkflow_Path() {
	wf := trackertest.DefaultWorkflow()
	path, err := wf.Path("To Do", tracker.TransitionTarget{Category: tracker.CategoryDone})
	fmt.Println(path, err)
	_, err = wf.Path("To Do", tracker.TransitionTarget{Status: "Won't Fix"})
	fmt.Println(errors.Is(err, tracker.ErrNoTransition))
	// Output:
	// [In Progress Done] <nil>
	// true
}
