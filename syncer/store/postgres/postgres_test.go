package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/internal/sqlstore"
	"github.com/trackbridge/trackbridge/syncer/storetest"
)

// dsnVar names the environment variable holding the test database's DSN.
const dsnVar = "TRACKBRIDGE_POSTGRES_DSN"

func TestMain(m *testing.M) {
	if code, ok := storetest.HelperMain(func(ctx context.Context, schema string) (store.Store, error) {
		return Open(ctx, os.Getenv(dsnVar), WithSchema(schema), WithMaxConns(4))
	}); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// testDSN returns the test database's DSN. Without one the tests skip,
// except in CI, where they fail.
func testDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(dsnVar)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set: CI must provide a PostgreSQL database for the store tests", dsnVar)
		}
		tb.Skipf("set %s (for example postgres://tb:tb@127.0.0.1:5432/trackbridge?sslmode=disable) to run the PostgreSQL store tests", dsnVar)
	}
	return dsn
}

// newSchema returns the name of a schema no other test uses, dropped with
// everything in it when tb ends.
func newSchema(tb testing.TB) string {
	tb.Helper()
	testDSN(tb)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "tb_test_" + hex.EncodeToString(b)
	tb.Cleanup(func() { dropSchema(tb, name) })
	return name
}

func dropSchema(tb testing.TB, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, testDSN(tb))
	if err != nil {
		tb.Errorf("dropping schema %s: %v", name, err)
		return
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
		tb.Errorf("dropping schema %s: %v", name, err)
	}
}

func openSchema(tb testing.TB, schema string, now func() time.Time) *Store {
	tb.Helper()
	s, err := Open(context.Background(), testDSN(tb), WithSchema(schema), WithClock(now), WithMaxConns(4))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func open(tb testing.TB, now func() time.Time) store.Store {
	return openSchema(tb, newSchema(tb), now)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	testDSN(t)
	storetest.Run(t, open)
}

func TestDurable(t *testing.T) {
	t.Parallel()
	testDSN(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "tb_test_" + hex.EncodeToString(b) + "_"
	storetest.RunDurable(t, func(tb testing.TB, location string, now func() time.Time) store.Store {
		// Registered before the store's Close, so it runs after it; the
		// second open of a location registers a harmless second drop.
		tb.Cleanup(func() { dropSchema(tb, prefix+location) })
		return openSchema(tb, prefix+location, now)
	})
}

func TestTwoProcesses(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	s := openSchema(t, schema, time.Now)
	storetest.RunProcesses(t, s, schema)
}

func TestConcurrentMigration(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			s, err := Open(t.Context(), testDSN(t), WithSchema(schema), WithMaxConns(1))
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		require.NoError(t, <-errs)
	}
	s := openSchema(t, schema, time.Now)
	var version int
	require.NoError(t, s.pool.with(t.Context(), func(c *pgx.Conn) error {
		return c.QueryRow(t.Context(), `SELECT version FROM schema_version`).Scan(&version)
	}))
	scripts, err := sqlstore.Migrations(migrationFiles, "migrations")
	require.NoError(t, err)
	assert.Equal(t, len(scripts), version)
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	_, err := Open(t.Context(), "postgres://u:s3cret@[bad", WithMaxConns(1))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret", "the password stays out of errors")
	_, err = Open(t.Context(), "postgres://localhost/db", WithMaxConns(0))
	assert.ErrorContains(t, err, "max connections")
}

func BenchmarkStore(b *testing.B) {
	b.Run("postgres", func(b *testing.B) { storetest.Benchmark(b, open) })
}
