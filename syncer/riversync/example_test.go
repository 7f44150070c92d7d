package riversync_test

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/trackbridge/trackbridge/extrahop"
	"github.com/trackbridge/trackbridge/jira"
	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/riversync"
	"github.com/trackbridge/trackbridge/syncer/store/postgres"
)

// newFlow builds the S3 flow (ExtraHop detections → Jira) on the host's
// PostgreSQL. Every replica builds the same flow under its own Owner.
func newFlow(ctx context.Context, dsn string) *syncer.Flow {
	ec, err := extrahop.New(os.Getenv("EXTRAHOP_URL"), extrahop.WithAPIKey(os.Getenv("EXTRAHOP_API_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	source, err := extrahop.NewAdapter(ec, extrahop.AdapterConfig{})
	if err != nil {
		log.Fatal(err)
	}
	jc, err := jira.New(os.Getenv("JIRA_URL"), jira.WithBasicAuth(os.Getenv("JIRA_EMAIL"), os.Getenv("JIRA_API_TOKEN")))
	if err != nil {
		log.Fatal(err)
	}
	target, err := jira.NewAdapter(jc, jira.AdapterConfig{})
	if err != nil {
		log.Fatal(err)
	}
	spec, err := mapping.Builtin("extrahop-to-jira")
	if err != nil {
		log.Fatal(err)
	}
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		log.Fatal(err)
	}
	flow, err := syncer.New(syncer.Config{
		Name: "extrahop-to-jira", Source: source, Target: target, Mapping: spec.Flows[0], Store: st,
		Owner: os.Getenv("HOSTNAME"), // unique per replica, stable across its restarts
	})
	if err != nil {
		log.Fatal(err)
	}
	return flow
}

// A host without River of its own runs one Engine per replica on its
// PostgreSQL: the elected leader polls ExtraHop and enqueues one job per
// changed detection; every replica's workers sync them. Jira's webhooks
// enqueue the same jobs.
func Example() {
	ctx := context.Background()
	dsn := os.Getenv("DATABASE_URL")
	flow := newFlow(ctx, dsn)
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		log.Fatal(err)
	}
	eng, err := riversync.NewEngine(ctx, pool, riversync.EngineConfig{Workers: 16}, flow)
	if err != nil {
		log.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer eng.Stop(context.Background()) //nolint:errcheck

	jc, err := jira.New(os.Getenv("JIRA_URL"), jira.WithBasicAuth(os.Getenv("JIRA_EMAIL"), os.Getenv("JIRA_API_TOKEN")))
	if err != nil {
		log.Fatal(err)
	}
	ja, err := jira.NewAdapter(jc, jira.AdapterConfig{})
	if err != nil {
		log.Fatal(err)
	}
	hooks, err := ja.EventHandler([]byte(os.Getenv("JIRA_WEBHOOK_SECRET")), eng.HandleEvent)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(":8080", hooks))
}

// A host that already runs River adds trackbridge's workers and periodic
// jobs to its own client, and enqueues events in its own transactions.
func ExampleAddWorkers() {
	ctx := context.Background()
	dsn := os.Getenv("DATABASE_URL")
	flow := newFlow(ctx, dsn)
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		log.Fatal(err)
	}

	workers := river.NewWorkers()
	// river.AddWorker(workers, &MyOwnWorker{}) for the host's own jobs.
	jobs, err := riversync.AddWorkers(workers, riversync.Config{}, flow)
	if err != nil {
		log.Fatal(err)
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 32}},
		Workers:      workers,
		PeriodicJobs: jobs.PeriodicJobs(),
	})
	if err != nil {
		log.Fatal(err)
	}
	// The take-over gives a killed replica's jobs to the others within
	// seconds; every replica runs one, started before its client.
	takeOver, err := jobs.NewTakeOver(pool, client, riversync.TakeOverConfig{})
	if err != nil {
		log.Fatal(err)
	}
	if err := takeOver.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer takeOver.Stop()
	if err := client.Start(ctx); err != nil {
		log.Fatal(err)
	}

	// Webhook events: jobs.Handler(client) is a tracker.EventHandler; or,
	// inside the host's own transaction, insert the event's jobs with it.
	_ = jobs.Handler(client)
	params, err := jobs.ItemJob("extrahop-to-jira", "source", "4711")
	if err != nil {
		log.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := client.InsertManyTx(ctx, tx, []river.InsertManyParams{params})
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
}
