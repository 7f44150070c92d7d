// Package access reviews the accounts of a tracker against a roster of
// people and a policy, and reports the violations as findings.
//
// # Reviewing
//
// [Review] takes any [tracker.UserDirectory] (the YouTrack and Jira
// adapters, or an in-memory tracker in tests), a [Roster] and a [Policy]:
//
//	roster, err := access.ReadFile("roster.csv", access.ReadOptions{})
//	rep, err := access.Review(ctx, youtrackAdapter, roster, access.Policy{
//		Directory:        "YouTrack",
//		OffboardingGrace: 7 * 24 * time.Hour,
//		Access: map[string][]string{
//			"developer": {"developers", "project-*"},
//			"admin":     {"*"},
//		},
//		Common:     []string{"All Users"},
//		StaleAfter: 90 * 24 * time.Hour,
//		Exempt:     access.Exemptions{Accounts: []string{"svc-*"}, Bots: true, Guests: true},
//	})
//	for _, f := range rep.Findings {
//		fmt.Println(f.Rule, f.Account.Login, f.Evidence.Text)
//	}
//
// It checks four rules: an offboarded person's account still active after
// the grace period ([RuleOffboarded]); an active account no roster entry
// identifies ([RuleUnidentified]); an account holding groups or roles the
// person's role does not allow ([RuleExcessAccess]); and an account not
// used for longer than the policy allows ([RuleStale]). Banned and
// deactivated accounts break no rule. Accounts are tied to roster entries
// by email, then login, both case-insensitively ([Policy.Match] changes
// the keys and their order). Each [Finding] carries the account, the
// roster entry if any, the rule, evidence in words and in fields, and a
// [Finding.Key] that stays the same while the violation lasts.
//
// A directory that does not report when an account was last used (zero
// [tracker.User.LastAccess]) is not guessed at: such accounts are listed
// in [Report.UnknownLastAccess] instead of being flagged stale.
//
// # Rosters
//
// A host application supplies people through the [Roster] interface, from
// its HR system or identity provider. [ReadCSV], [ReadJSON] and [ReadFile]
// read roster files with the columns email, login, name, status (active
// or offboarded), offboarded (a date) and role; they reject the whole
// file when any line is wrong and report every problem with its line:
//
//	roster.csv:7: status "gone" is not active or offboarded
//	roster.csv:9: email "ana@example.com" is also on line 3
//
// # Tickets for findings
//
// A [FindingsTracker] turns the findings of successive reviews into issues
// (one per [Finding.Key]): open while the violation exists, resolved once a
// later review no longer finds it. It is a [tracker.Searcher], so the sync
// engine in package syncer can use it as a source: the engine files one
// ticket per violation, never two (its links are keyed by the finding key),
// and moves the ticket to done when the finding resolves, if the mapping
// maps statusCategory:
//
//	ft := access.NewFindingsTracker("")
//	flow, err := syncer.New(syncer.Config{
//		Name:    "access-review",
//		Source:  ft,
//		Target:  jiraAdapter,
//		Mapping: spec.Flows[0], // see below
//		Store:   st,            // a durable store: links must outlive the process
//	})
//	// after each review:
//	ft.Record(rep)
//	_, err = flow.RunOnce(ctx)
//
// with a mapping such as:
//
//	flows:
//	  - name: access-review
//	    source: access-review
//	    target: jira
//	    defaults: {project: SEC, type: Task}
//	    fields:
//	      summary: {from: summary}
//	      description: {from: description}
//	      labels: {from: labels}
//	    values:
//	      statusCategory:
//	        from: statusCategory
//	        map: {todo: todo, done: done}
//	        default: todo
//
// A violation that recurs after its ticket was closed reopens the ticket,
// or opens a new one, as the flow's syncer.Recurrence says.
package access
