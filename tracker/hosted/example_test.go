package hosted_test

import (
	"context"
	"fmt"
	"log"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/hosted"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

// A host offers its incidents to the engine as a source: a person's change
// is pushed to the ticket at once, and the ticket's Done is written back
// onto the incident, which the host hears about through OnEngineChange.
func Example() {
	ctx := context.Background()
	incidents := hosted.New("incidents")
	incidents.OnEngineChange(func(_ context.Context, ev tracker.Event) {
		fmt.Println("engine changed", ev.Ref(), ev.Changed)
	})

	spec, err := mapping.Parse([]byte(`
flows:
  - name: incidents
    source: incidents
    target: jira
    defaults: {project: SEC}
    fields:
      summary: {template: 'Incident {{.ID}}: {{.Summary}}'}
    back:
      status:
        - when: {field: statusCategory, equals: done}
          transition: {category: done}
`))
	if err != nil {
		log.Fatal(err)
	}
	jira := trackertest.NewMemory("jira") // a real adapter in production
	flow, err := syncer.New(syncer.Config{Name: "incidents", Source: incidents, Target: jira,
		Mapping: spec.Flows[0], Store: memory.New(), TargetQuery: &tracker.Query{Project: "SEC"}})
	if err != nil {
		log.Fatal(err)
	}
	// Every change a person makes goes to the engine at once; polling
	// (flow.Run) remains the safety net.
	incidents.OnPersonChange(func(ctx context.Context, ev tracker.Event) error {
		_, err := flow.Handle(ctx, ev)
		return err
	})

	analyst := hosted.Person{ID: "ana", Name: "Ana"}
	inc, err := incidents.Put(ctx, analyst, &tracker.Issue{Summary: "SQL injection on /login"})
	if err != nil {
		log.Fatal(err)
	}
	ticket, err := jira.GetIssue(ctx, "SEC-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ticket", ticket.Key, ticket.Summary)

	// Someone resolves the ticket; the next poll writes it back.
	if err := jira.Transition(ctx, ticket.ID, tracker.TransitionTarget{Category: tracker.CategoryDone}); err != nil {
		log.Fatal(err)
	}
	if _, err := flow.RunOnce(ctx); err != nil {
		log.Fatal(err)
	}
	inc, err = incidents.GetIssue(ctx, inc.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("incident", inc.ID, inc.Status)
	// Output:
	// ticket SEC-1 Incident 1: SQL injection on /login
	// engine changed incidents:1 [status resolution]
	// incident 1 resolved
}
