package postgres_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/trackbridge/trackbridge/syncer/store/postgres"
)

// Each replica opens the same database; leases keep them off each other's
// items.
func Example() {
	ctx := context.Background()
	s, err := postgres.Open(ctx, os.Getenv("TRACKBRIDGE_POSTGRES_DSN"), postgres.WithSchema("trackbridge"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	lease, err := s.AcquireLease(ctx, "extrahop-to-jira/det-42", "replica-1", 30*time.Second)
	if err != nil {
		fmt.Println(err) // store.ErrLeaseHeld: another replica has it
		return
	}
	defer s.ReleaseLease(ctx, lease)
	// ... sync the item, renewing the lease if it takes long ...
}
