// Package syncer is trackbridge's sync engine. A [Flow] joins a source and a
// target tracker with a mapping, and keeps the target in step with the
// source: it creates a ticket for each new item the mapping selects,
// updates the fields the mapping owns when they change, moves the ticket
// through its workflow, and writes ticket state back onto the source.
//
// The engine is built to never lose or duplicate work:
//
//   - Exactly-once create: a pending link carrying a correlation key is
//     stored before the ticket is created with that key as a marker; only
//     then is the link marked linked. After a crash a pending link is
//     resolved by finding the marker before anything is created again.
//   - Per-item leases in the [store.Store] let several engines share one
//     store; only the lease holder acts on an item.
//   - Per-field content hashes: a field is written only when its mapped
//     value changed since the engine last wrote it, so a second run over
//     unchanged items writes nothing, the engine's own changes coming back
//     are recognised as echoes, and fields the mapping does not own (human
//     edits) are never touched.
//   - Failures are retried, then parked with their error (listable,
//     retryable), never dropped; configuration errors (401, 403) trip a
//     circuit breaker for the flow instead of failing every item.
//
// [Flow.Plan] returns the decisions for a batch without side effects (the
// dry run); [Flow.Apply] executes a plan; [Flow.Push] does both for items a
// host hands in ("export these"); [Flow.RunOnce] and [Flow.Run] poll the
// source on a cursor with overlap. Every decision and outcome is reported
// to an [Observer].
package syncer
