package syncer_test

import (
	"context"
	"fmt"
	"log"

	"github.com/trackbridge/trackbridge/mapping"
	"github.com/trackbridge/trackbridge/syncer"
	"github.com/trackbridge/trackbridge/syncer/store/memory"
	"github.com/trackbridge/trackbridge/tracker"
	"github.com/trackbridge/trackbridge/tracker/trackertest"
)

// A host application exports chosen findings to a tracker: Plan shows what
// would happen (the dry run), Push does it, and pushing again files
// nothing twice.
func ExampleFlow_Push() {
	spec, err := mapping.Parse([]byte(`
flows:
  - name: findings
    source: appsec
    target: jira
    when: {field: priority, in: [High, Critical]}
    defaults: {project: SEC, type: Bug}
    fields:
      summary: {template: '[{{.Priority}}] {{.Summary}}'}
`))
	if err != nil {
		log.Fatal(err)
	}
	target := trackertest.NewMemory("jira")
	flow, err := syncer.New(syncer.Config{
		Name:       "findings",
		SourceKind: "appsec", // items come from the host, not a tracker
		Target:     target,
		Mapping:    spec.Flows[0],
		Store:      memory.New(),
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	findings := []*tracker.Issue{
		{ID: "F-101", Summary: "SQL injection in /login", Priority: "Critical"},
		{ID: "F-102", Summary: "Verbose server banner", Priority: "Low"},
	}

	plan, err := flow.Plan(ctx, findings...)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range plan.Decisions {
		fmt.Println(d)
	}
	rep, err := flow.Push(ctx, findings...)
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range rep.Outcomes {
		if o.Result == syncer.EventCreated {
			fmt.Println("created", o.Key, "for", o.Source)
		}
	}
	rep, err = flow.Push(ctx, findings...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Summary())
	// Output:
	// create appsec:F-101
	// skip appsec:F-102 (rule did not match: flows[0].when: want priority in ["High", "Critical"], have "Low")
	// created SEC-1 for appsec:F-101
	// unchanged 1, skipped 1
}
