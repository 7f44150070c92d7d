// Package syncer is trackbridge's sync engine. A [Flow] joins a source and a
// target tracker with a mapping, and keeps the target in step with the
// source: it creates a ticket for each new item the mapping selects,
// updates the fields the mapping owns when they change, moves the ticket
// through its workflow, and writes ticket state back onto the source.
//
// The engine is built to never lose or duplicate work:
//
//   - Exactly-once create: a pending link carrying a correlation key, and
//     the time the create is sent, is stored before the ticket is created
//     with that key as a marker; only then is the link marked linked. After
//     a crash a pending link is resolved by finding the marker before
//     anything is created again.
//   - Unknown is not failed: a create whose answer was lost (a 5xx from a
//     gateway, a reset, a timeout) may have happened, so it is never sent
//     again blindly. Its marker is looked for: found, the ticket is linked;
//     not found, it is created again only once [Config.SearchLag] has
//     passed since it was sent, because a search index (Jira Cloud's) may
//     not show a new ticket at once. Until then the item is deferred.
//   - Per-item leases in the [store.Store] let several engines share one
//     store; only the lease holder acts on an item. An engine restarted
//     under its stable [Config.Owner] reclaims its own leases at once;
//     another engine's are waited out, and the items they hold are
//     reported as deferred, with the time they can go on.
//   - Per-field content hashes: a field is written only when its mapped
//     value changed since the engine last wrote it, so a second run over
//     unchanged items writes nothing, the engine's own changes coming back
//     are recognised as echoes, and fields the mapping does not own (human
//     edits) are never touched.
//   - Both ways: fields the mapping owns and reads back are synced both
//     ways; when both sides changed one since the last sync, the flow's
//     conflict policy settles it and an [EventConflict] reports both
//     values. With a comments block, comments are mirrored (once, by a
//     pending map entry and a marker), edits and deletions follow, and
//     tombstones keep a deleted comment from coming back. Deleted items
//     and tickets close their links ([Config.Deletions]).
//   - Failures are retried, then parked with their error (listable,
//     retryable), never dropped; configuration errors (401, 403) trip a
//     circuit breaker for the flow instead of failing every item.
//
// [Flow.Plan] returns the decisions for a batch without side effects (the
// dry run); [Flow.Apply] executes a plan; [Flow.Push] does both for items a
// host hands in ("export these"); [Flow.RunOnce] and [Flow.Run] poll the
// source on a cursor with overlap; [Flow.Handle] consumes the events every
// webhook receiver produces, on the same idempotent path. Every decision
// and outcome is reported to an [Observer], and each run returns a
// [Report] that counts every item once by what happened to it: created,
// adopted (found by its marker, made by an earlier run), updated, wrote
// back, unchanged, skipped (with a reason), deferred (with a time to run
// again), failed or parked, and lists the notable outcomes. A run that
// left work undone is not [Report.Clean].
//
// A poll is a pipeline: it reads the next batch while one is applied
// (each page a search of its own from the last update time read, so the
// engine's own writes cannot shift an offset-paged search), plans a batch
// while the one before finishes, and runs every batch's work on one pool
// of [Config.Concurrency] workers, so the requests in flight stay at
// Concurrency however the work is cut. Memory stays bounded by a few
// batches, whatever the number of items.
//
// One item's path reads top-down through the files of this package:
// run.go (polls and their batches), apply.go (Apply, Push) on pool.go's
// workers, lease.go, then create.go (create, lost answers, resolve) or
// bulk.go, update.go (with conflict.go), writeback.go and comments.go;
// handle.go takes events and deletions, failure.go retries, parks and
// trips the circuit breaker, report.go counts outcomes, and queue.go holds
// what a job queue (package syncer/riversync) needs.
package syncer
