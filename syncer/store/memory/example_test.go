package memory_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
)

func Example() {
	ctx := context.Background()
	s := memory.New()
	defer s.Close()

	// Record a pending link before creating the target ticket.
	l := &store.Link{
		Flow:           "extrahop-to-jira",
		Source:         tracker.Ref{Tracker: "extrahop", ID: "det-42"},
		State:          store.StatePending,
		CorrelationKey: "tb-7f3a",
	}
	if err := s.PutLink(ctx, l); err != nil {
		fmt.Println(err)
		return
	}

	// Another writer that read the link before us loses.
	stale := l.Clone()
	l.State, l.Target = store.StateLinked, tracker.Ref{Tracker: "jira", ID: "SEC-1"}
	fmt.Println(s.PutLink(ctx, l), l.Version)
	err := s.PutLink(ctx, stale)
	fmt.Println(errors.Is(err, tracker.ErrConflict))

	// Only one replica works on an item at a time.
	if _, err := s.AcquireLease(ctx, "det-42", "replica-1", time.Minute); err != nil {
		fmt.Println(err)
	}
	_, err = s.AcquireLease(ctx, "det-42", "replica-2", time.Minute)
	var held *store.LeaseHeldError
	if errors.As(err, &held) {
		fmt.Println("held by", held.Owner)
	}
	// Output:
	// <nil> 2
	// true
	// held by replica-1
}
