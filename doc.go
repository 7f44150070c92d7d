// Package trackbridge connects security and IT-operations tools with issue
// trackers. It is an SDK: a Go service imports the packages it needs and
// wires them together; nothing runs on its own.
//
// # The map
//
// The vendor-neutral core:
//
//   - [github.com/trackbridge/trackbridge/tracker]: the issue model
//     (Issue, Change, Comment, User, Ref), small capability interfaces
//     (Creator, BulkCreator, Updater, Deleter, Searcher, Transitioner,
//     Commenter, UserDirectory, MarkerFinder, PageLimiter, Describer)
//     discovered by type
//     assertion, and the
//     sentinel errors every adapter returns (ErrNotFound, ErrRateLimited…).
//   - tracker/trackertest: the conformance suite every adapter passes, and
//     an in-memory tracker with every capability.
//   - tracker/access: access reviews of tracker accounts against a roster.
//   - tracker/hosted: a host application's own items as a tracker, a sync
//     source or target, with an event for every change a person makes.
//
// One package per vendor, each a faithful typed client of that vendor's
// REST API plus an Adapter implementing the tracker interfaces, and an
// in-memory fake server in a "test" sub-package for examples, host-app
// tests and benchmarks:
//
//   - jira (Cloud REST v3 with ADF, Data Center REST v2; webhooks), jira/jiratest
//   - youtrack (issues, custom fields, commands, users; notifications), youtrack/youtracktest
//   - extrahop (detections, ticket-tracking write-back; ODS receiver), extrahop/extrahoptest
//   - trax (TTS trax postbox records validated against an ERD), trax/traxtest
//
// Moving data between them:
//
//   - mapping: flow specs (FlowSpec) in YAML, JSON or Go — rules, field
//     and value maps, safe templates, routing, defaults, back-mapping —
//     loaded with every mistake reported by path and line, and checked
//     against the live trackers before a sync runs (FlowSpec.Check, the
//     test connection).
//   - syncer: the engine — plan/apply (dry run), exactly-once create,
//     updates of owned fields only, write-back, polling on a cursor,
//     retries and parking, observers.
//   - syncer/store/memory, syncer/store/sqlite (the embedded default),
//     syncer/store/postgres (many replicas), checked by syncer/storetest.
//
// Vendor packages never import each other, mapping or syncer; mapping and
// syncer never import a vendor. They meet in the host program.
//
// # A sketch: ExtraHop detections to Jira tickets, and back
//
//	jc, err := jira.New("https://example.atlassian.net", jira.WithBasicAuth(email, token))
//	target, err := jira.NewAdapter(jc, jira.AdapterConfig{})
//	ec, err := extrahop.New("https://eda.example.com", extrahop.WithAPIKey(apiKey))
//	source, err := extrahop.NewAdapter(ec, extrahop.AdapterConfig{})
//	spec, err := mapping.Builtin("extrahop-to-jira") // or mapping.LoadFile("flows.yaml")
//	err = spec.Flows[0].Check(ctx, target, mapping.CheckSource(source)) // every problem at once
//	st, err := sqlite.Open(ctx, "trackbridge.db")
//	flow, err := syncer.New(syncer.Config{
//		Name:     "extrahop-to-jira",
//		Source:   source,
//		Target:   target,
//		Mapping:  spec.Flows[0],
//		Store:    st,
//		Observer: syncer.SlogObserver(slog.Default()),
//	})
//	err = flow.Run(ctx, time.Minute) // or flow.Push(ctx, items...) for "export these"
//
// Errors are omitted above; every call returns one worth checking. The
// examples directory holds runnable versions of each scenario on the
// built-in fakes.
package trackbridge
