package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/sqlite"
	"github.com/trackbridge/trackbridge/tracker"
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "trackbridge")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	s, err := sqlite.Open(ctx, filepath.Join(dir, "sync.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	c, err := s.Cursor(ctx, "extrahop-to-jira", store.SideSource)
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Value = "page-2"
	if err := s.SetCursor(ctx, c); err != nil {
		fmt.Println(err)
		return
	}
	l := &store.Link{Flow: "extrahop-to-jira", Source: tracker.Ref{Tracker: "extrahop", ID: "det-42"}, State: store.StatePending}
	fmt.Println(s.PutLink(ctx, l), l.Version, c.Version)
	// Output: <nil> 1 1
}
