package syncer_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/jira/jiratest"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/postgres"
)

const postgresDSNVar = "TRACKBRIDGE_POSTGRES_DSN"

// postgresDSN returns the test database's DSN. Without one the test fails
// in CI and is skipped elsewhere, naming the variable to set.
func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(postgresDSNVar)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must provide a PostgreSQL database", postgresDSNVar)
		}
		t.Skipf("set %s to a PostgreSQL database to run this test", postgresDSNVar)
	}
	return dsn
}

func TestTwoEnginesOnOnePostgresStoreNeverDuplicate(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	ctx := context.Background()
	schema := fmt.Sprintf("syncer_two_engines_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
			_ = c.Close(context.Background())
		}
	})
	jr := jiratest.NewServer(t)
	const n = 1000
	items := findings(n)

	engine := func(owner string) (*syncer.Flow, func()) {
		st, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema))
		require.NoError(t, err)
		jc, err := jira.New(jr.URL(), jira.WithBasicAuth(jiratest.Email, jiratest.APIToken))
		require.NoError(t, err)
		target, err := jira.NewAdapter(jc, jira.AdapterConfig{Location: time.UTC})
		require.NoError(t, err)
		f, err := syncer.New(syncer.Config{Name: "pg", SourceKind: "appsec", Target: target, Mapping: findingsSpec(t), Store: st, Owner: owner, Concurrency: 8, BulkSize: 25})
		require.NoError(t, err)
		return f, func() { st.Close() }
	}
	a, closeA := engine("engine-a")
	defer closeA()
	b, closeB := engine("engine-b")
	defer closeB()

	var wg sync.WaitGroup
	created := make([]int, 2)
	deferred := make([]int, 2)
	for i, f := range []*syncer.Flow{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each engine goes over the items until none is deferred to the
			// other's lease.
			for range 10 {
				rep, err := f.Push(ctx, items...)
				if err != nil {
					t.Error(err)
					return
				}
				created[i] += rep.Created + rep.Adopted
				deferred[i] += rep.Deferred
				if rep.Clean() {
					return
				}
			}
		}()
	}
	wg.Wait()

	perMarker, _ := ticketsPerMarker(jr)
	assert.Zero(t, duplicates(perMarker), "duplicate tickets")
	assert.Equal(t, n, len(jr.Issues()), "one ticket per item")
	assert.Equal(t, n, len(perMarker))
	assert.Equal(t, n, created[0]+created[1], "the engines shared the work")
	t.Logf("engine a created %d (deferred %d to b), engine b created %d (deferred %d to a)", created[0], deferred[0], created[1], deferred[1])
}
