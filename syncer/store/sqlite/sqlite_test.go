package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/internal/sqlstore"
	"github.com/trackbridge/trackbridge/syncer/storetest"
	"github.com/trackbridge/trackbridge/tracker"
)

func TestMain(m *testing.M) {
	if code, ok := storetest.HelperMain(func(ctx context.Context, path string) (store.Store, error) {
		return Open(ctx, path)
	}); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func open(tb testing.TB, now func() time.Time) store.Store {
	return openAt(tb, filepath.Join(tb.TempDir(), "store.db"), now)
}

func openAt(tb testing.TB, path string, now func() time.Time) store.Store {
	s, err := Open(context.Background(), path, WithClock(now))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, open)
}

func TestDurable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	storetest.RunDurable(t, func(tb testing.TB, location string, now func() time.Time) store.Store {
		return openAt(tb, filepath.Join(dir, location+".db"), now)
	})
}

func TestTwoProcesses(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shared.db")
	s := openAt(t, path, time.Now)
	storetest.RunProcesses(t, s, path)
}

func TestMigrateFromV1(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v1.db")
	v1, err := os.ReadFile("testdata/v1.sql")
	require.NoError(t, err)
	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = raw.ExecContext(ctx, string(v1))
	require.NoError(t, err)
	require.NoError(t, raw.Close())

	clock := storetest.NewClock()
	s, err := Open(ctx, path, WithClock(clock.Now))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })

	var version int
	require.NoError(t, s.db.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&version))
	scripts, err := sqlstore.Migrations(migrationFiles, "migrations")
	require.NoError(t, err)
	assert.Equal(t, len(scripts), version)
	assert.Equal(t, 2, version, "update this test when adding a migration")

	l, err := s.GetLink(ctx, "ehop-jira", tracker.Ref{Tracker: "extrahop", ID: "det-1"})
	require.NoError(t, err)
	assert.Equal(t, store.StateLinked, l.State)
	assert.Equal(t, tracker.Ref{Tracker: "jira", ID: "SEC-1"}, l.Target)
	assert.Equal(t, "tb-1", l.CorrelationKey)
	assert.Equal(t, map[string]string{"target.summary": "s1", "target.priority": "p1"}, l.FieldHashes)
	require.Len(t, l.Comments, 2)
	assert.Equal(t, store.CommentLink{SourceID: "c1", TargetID: "10001", Hash: "h1"}, l.Comments[0])
	assert.True(t, l.Comments[1].Deleted)
	assert.Equal(t, time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC), l.Comments[1].DeletedAt)
	assert.Equal(t, time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC), l.Created)
	assert.Equal(t, time.Date(2025, 6, 1, 11, 0, 0, 0, time.UTC), l.Updated)
	assert.Equal(t, int64(7), l.Version)
	assert.Zero(t, l.Attempts, "columns added in v2 get their defaults")
	assert.Empty(t, l.LastError)
	assert.False(t, l.Parked)

	byTarget, err := s.GetLinkByTarget(ctx, "ehop-jira", l.Target)
	require.NoError(t, err)
	assert.Equal(t, l.Source, byTarget.Source)
	var pending []string
	for p, err := range s.ListLinks(ctx, "ehop-jira", store.Filter{State: store.StatePending, Parked: tracker.Ptr(false)}) {
		require.NoError(t, err)
		pending = append(pending, p.Source.ID)
	}
	assert.Equal(t, []string{"det-2"}, pending)

	c, err := s.Cursor(ctx, "ehop-jira", store.SideSource)
	require.NoError(t, err)
	assert.Equal(t, "page-9", c.Value)
	assert.Equal(t, int64(3), c.Version)
	assert.Equal(t, time.Date(2025, 6, 1, 11, 0, 0, 0, time.UTC), c.Time)

	events, err := s.ListEvents(ctx, "ehop-jira", 0, 0)
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, "created SEC-1", events[0].Message)
	assert.Equal(t, map[string]string{"fields": "summary"}, events[0].Attrs)

	// The lease row kept its token; it expired long ago.
	lease, err := s.AcquireLease(ctx, "ehop-jira/det-1", "replica-2", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, int64(5), lease.Token)

	// The migrated link takes the new columns.
	l.Attempts, l.Parked, l.LastError = 3, true, "boom"
	require.NoError(t, s.PutLink(ctx, l))
	got, err := s.GetLink(ctx, "ehop-jira", l.Source)
	require.NoError(t, err)
	assert.Equal(t, 3, got.Attempts)
	assert.True(t, got.Parked)

	// Reopening an up-to-date file changes nothing.
	require.NoError(t, s.Close())
	s2, err := Open(ctx, path, WithClock(clock.Now))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s2.Close() })
	got, err = s2.GetLink(ctx, "ehop-jira", l.Source)
	require.NoError(t, err)
	assert.Equal(t, int64(8), got.Version)
}

func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fresh.db")
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			s, err := Open(t.Context(), path)
			if err == nil {
				err = s.PutLink(t.Context(), &store.Link{Flow: "f", Source: tracker.Ref{Tracker: "x", ID: "1"}, State: store.StatePending})
				if errors.Is(err, store.ErrConflict) {
					err = nil
				}
				err = errors.Join(err, s.Close())
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		require.NoError(t, <-errs)
	}
	s := openAt(t, path, time.Now).(*Store)
	var version, journal string
	require.NoError(t, s.db.QueryRowContext(t.Context(), `SELECT version FROM schema_version`).Scan(&version))
	require.NoError(t, s.db.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&journal))
	assert.Equal(t, "2", version)
	assert.Equal(t, "wal", journal)
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, path := range []string{"", ":memory:", "a?b"} {
		_, err := Open(ctx, path)
		assert.ErrorContains(t, err, "invalid database path", path)
	}

	// A file from a newer program is not touched.
	path := filepath.Join(t.TempDir(), "future.db")
	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = raw.ExecContext(ctx, `CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99);`)
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	_, err = Open(ctx, path)
	assert.ErrorContains(t, err, "schema version 99 is newer")
}

func BenchmarkStore(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { storetest.Benchmark(b, open) })
}

// Writers that queue while a transaction runs are committed together,
// each in its own savepoint: one writer's failure undoes only its own
// writes, and a writer whose context ended before its turn is not run.
func TestGroupCommitKeepsEachWritersOutcome(t *testing.T) {
	t.Parallel()
	s, insert := groupStore(t)
	ctx := context.Background()

	release, first := holdLead(s, insert)

	errBoom := errors.New("boom")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	results := make(chan string, 3)
	ran := make(chan string, 3)
	go func() {
		err := s.withTx(ctx, func(ctx context.Context, tx *sql.Tx) error { ran <- "ok"; return insert(ctx, tx, "ok") })
		results <- fmt.Sprintf("ok: %v", err)
	}()
	go func() {
		err := s.withTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			ran <- "failing"
			if err := insert(ctx, tx, "failing"); err != nil {
				return err
			}
			return errBoom
		})
		results <- fmt.Sprintf("failing: %v", err)
	}()
	go func() {
		err := s.withTx(cancelled, func(ctx context.Context, tx *sql.Tx) error { ran <- "cancelled"; return insert(ctx, tx, "cancelled") })
		results <- fmt.Sprintf("cancelled: %v", err)
	}()
	waitQueued(t, s, 3)
	close(release)

	require.NoError(t, <-first)
	var got []string
	for range 3 {
		got = append(got, <-results)
	}
	close(ran)
	var fns []string
	for r := range ran {
		fns = append(fns, r)
	}
	assert.ElementsMatch(t, []string{"ok: <nil>", "failing: boom", "cancelled: context canceled"}, got)
	assert.ElementsMatch(t, []string{"ok", "failing"}, fns, "the cancelled writer did not run")
	keys := leaseKeys(t, s)
	assert.Equal(t, []string{"first", "ok"}, keys, "the failing writer's insert was undone, no one else's")
}

// A writer of one statement runs without a savepoint: its failing
// statement (a constraint violation) changes nothing, and the writers
// committed with it keep their writes.
func TestGroupCommitWriterOfOneStatement(t *testing.T) {
	t.Parallel()
	s, insert := groupStore(t)
	ctx := context.Background()
	require.NoError(t, s.withStmt(ctx, func(ctx context.Context, tx *sql.Tx) error { return insert(ctx, tx, "taken") }))

	release, first := holdLead(s, insert)
	dup, fine := make(chan error, 1), make(chan error, 1)
	go func() {
		dup <- s.withStmt(ctx, func(ctx context.Context, tx *sql.Tx) error { return insert(ctx, tx, "taken") })
	}()
	go func() {
		fine <- s.withStmt(ctx, func(ctx context.Context, tx *sql.Tx) error { return insert(ctx, tx, "fine") })
	}()
	waitQueued(t, s, 2)
	close(release)

	require.NoError(t, <-first)
	assert.True(t, isConstraint(<-dup), "the duplicate key is refused")
	require.NoError(t, <-fine)
	keys := leaseKeys(t, s)
	assert.Equal(t, []string{"fine", "first", "taken"}, keys)
}

// waitQueued waits until n writers wait for the next group commit.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.groupMu.Lock()
		queued := len(s.waiting)
		s.groupMu.Unlock()
		if queued == n {
			return
		}
		require.True(t, time.Now().Before(deadline), "%d writers never queued", n)
		runtime.Gosched()
	}
}

// leaseKeys returns the keys of the stored leases, in order.
func leaseKeys(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `SELECT key FROM leases ORDER BY key`)
	require.NoError(t, err)
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		keys = append(keys, k)
	}
	require.NoError(t, rows.Err())
	return keys
}

// groupStore opens a store for the group-commit tests, with a writer
// body that inserts a lease row.
func groupStore(t *testing.T) (*Store, func(ctx context.Context, tx *sql.Tx, key string) error) {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, func(ctx context.Context, tx *sql.Tx, key string) error {
		_, err := s.exec(ctx, tx, `INSERT INTO leases (key, owner, token, expires) VALUES (?, 'o', 1, 0)`, key)
		return err
	}
}

// holdLead starts a writer that leads a group commit and holds its
// transaction open until release is closed; first gets its outcome.
func holdLead(s *Store, insert func(ctx context.Context, tx *sql.Tx, key string) error) (release chan struct{}, first chan error) {
	running := make(chan struct{})
	release, first = make(chan struct{}), make(chan error, 1)
	go func() {
		first <- s.withTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			close(running)
			<-release
			return insert(ctx, tx, "first")
		})
	}()
	<-running
	return release, first
}
