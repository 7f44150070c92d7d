// Package sqlite is a [store.Store] in a SQLite file, the syncer's embedded
// default. It uses the pure-Go modernc.org/sqlite driver (no cgo).
//
// The file is in WAL mode, so readers never wait for the writer; writes run
// in BEGIN IMMEDIATE transactions and wait up to a busy timeout for the
// write lock, which makes the store safe for several processes sharing one
// file on a local disk (not on a network file system, where SQLite's locks
// are unreliable). The schema is versioned and migrated when the file is
// opened.
//
// Commits use synchronous=NORMAL, the usual WAL setting: a crash of the
// program loses nothing, a power cut may lose the last commits (the syncer
// then repeats work it already did, which its marker search makes safe).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"sync"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/internal/codec"
	"github.com/trackbridge/trackbridge/syncer/store/internal/sqlstore"
	"github.com/trackbridge/trackbridge/tracker"
)

// DefaultBusyTimeout is how long a write waits for another connection or
// process to release the write lock before failing.
const DefaultBusyTimeout = 10 * time.Second

// pageSize is how many links ListLinks reads per query.
const pageSize = 200

// maxConns caps the connections to the file.
const maxConns = 8

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock used for timestamps and lease expiry
// (time.Now by default). Processes sharing a file must share a clock.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// WithBusyTimeout sets how long writes wait for the write lock
// (DefaultBusyTimeout by default).
func WithBusyTimeout(d time.Duration) Option {
	return func(s *Store) { s.busyTimeout = d }
}

// Store is a [store.Store] in a SQLite file. It is safe for concurrent use.
type Store struct {
	db          *sql.DB
	now         func() time.Time
	busyTimeout time.Duration
	// Writers of this process queue here, in Go rather than in SQLite's
	// sleeping busy handler, and commit in groups (see withTx); other
	// processes still meet the busy timeout.
	groupMu   sync.Mutex
	waiting   []*write
	leading   bool
	stmtMu    sync.Mutex
	stmts     map[string]*sql.Stmt // see prepared
	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Open opens the store in the SQLite file at path, creating it if needed,
// and migrates its schema to the current version.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	s := &Store{now: time.Now, busyTimeout: DefaultBusyTimeout}
	for _, o := range opts {
		o(s)
	}
	if path == "" || strings.ContainsAny(path, "?#") || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: invalid database path %q", path)
	}
	q := "?_pragma=busy_timeout(" + strconv.FormatInt(s.busyTimeout.Milliseconds(), 10) + ")" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", path+q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	// Writers go one group at a time and hold one connection; the rest serve
	// readers. Keeping them idle spares re-running the pragmas.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	s.db = db
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: migrating %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stmtMu.Lock()
		for _, st := range s.stmts {
			_ = st.Close()
		}
		s.stmts = nil
		s.stmtMu.Unlock()
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// prepared returns q prepared once for the store; database/sql prepares it
// on each connection at first use and keeps it, which spares SQLite's
// parser (the largest cost of a small statement) on every later call.
func (s *Store) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: preparing statement: %w", err)
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[q] = st
	return st, nil
}

// exec runs q in tx as a prepared statement.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	st, err := s.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// queryRowTx runs q in tx as a prepared statement.
func (s *Store) queryRowTx(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	st, err := s.prepared(ctx, q)
	if err != nil {
		return tx.QueryRowContext(ctx, q, args...) // fails the same way, with the row's error
	}
	return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// queryRow runs q outside a transaction as a prepared statement.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := s.prepared(ctx, q)
	if err != nil {
		return s.db.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// withTx runs fn in a write transaction (BEGIN IMMEDIATE) and returns once
// its writes are committed, or undone when fn fails.
//
// Writers of this process that arrive while a transaction commits are
// committed together in the next one (a group commit): SQLite has one
// writer at a time, and a commit costs more than the writes in it. Each
// writer runs in its own savepoint, so a failing one undoes only its own
// writes (a writer of one statement needs none: see withStmt). fn gets a context that is not cancelled with the caller's: a
// statement interrupted inside a shared transaction would roll back the
// others' writes. A caller whose context ends before its turn is not run.
func (s *Store) withTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.group(&write{ctx: ctx, fn: fn})
}

// withStmt is withTx for a writer whose fn changes the database with one
// statement at most: a statement that fails changes nothing, so it needs
// no savepoint of its own, which would cost two more statements.
func (s *Store) withStmt(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.group(&write{ctx: ctx, fn: fn, single: true})
}

// group runs w in the next group commit.
func (s *Store) group(w *write) error {
	w.done, w.lead = make(chan error, 1), make(chan struct{}, 1)
	s.groupMu.Lock()
	s.waiting = append(s.waiting, w)
	if !s.leading {
		s.leading = true
		w.lead <- struct{}{}
	}
	s.groupMu.Unlock()
	select {
	case err := <-w.done:
		return err
	case <-w.lead:
	}
	// This writer leads: it commits everyone waiting, itself included,
	// then hands the lead to the first writer that came meanwhile.
	s.groupMu.Lock()
	group := s.waiting
	s.waiting = nil
	s.groupMu.Unlock()
	s.commit(group)
	s.groupMu.Lock()
	if len(s.waiting) > 0 {
		s.waiting[0].lead <- struct{}{}
	} else {
		s.leading = false
	}
	s.groupMu.Unlock()
	return <-w.done
}

// write is one writer waiting for its turn in a group commit.
type write struct {
	ctx    context.Context
	fn     func(ctx context.Context, tx *sql.Tx) error
	single bool // fn writes one statement at most: no savepoint
	err    error
	done   chan error    // the writer's outcome
	lead   chan struct{} // the writer is to lead the next group
}

// commit runs a group of writers in one transaction, each in a
// savepoint, and tells each its outcome.
func (s *Store) commit(group []*write) {
	ctx := context.WithoutCancel(group[0].ctx)
	err := func() error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("sqlite: begin: %w", err)
		}
		for _, w := range group {
			if w.err = w.ctx.Err(); w.err != nil {
				continue
			}
			if w.single {
				w.err = w.fn(context.WithoutCancel(w.ctx), tx)
				if !statementLevel(w.err) {
					// SQLite may have rolled the whole transaction back
					// (a full disk, an I/O error): nothing of the group
					// is known to be written.
					_ = tx.Rollback()
					return w.err
				}
				continue
			}
			if _, err := s.exec(ctx, tx, `SAVEPOINT w`); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("sqlite: savepoint: %w", err)
			}
			if w.err = w.fn(context.WithoutCancel(w.ctx), tx); w.err != nil {
				if _, err := s.exec(ctx, tx, `ROLLBACK TO w`); err != nil {
					_ = tx.Rollback()
					return fmt.Errorf("sqlite: rollback to savepoint: %w", err)
				}
			}
			if _, err := s.exec(ctx, tx, `RELEASE w`); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("sqlite: release savepoint: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlite: commit: %w", err)
		}
		return nil
	}()
	for _, w := range group {
		if err != nil && w.err == nil {
			w.err = err // nothing of the group was committed
		}
		w.done <- w.err
	}
}

// statementLevel reports whether err, from a writer of one statement,
// left the transaction as it was: no error, an error of the writer's own
// (a version conflict, say), or a constraint violation, which SQLite
// undoes for the statement alone.
func statementLevel(err error) bool {
	var se *sqlite.Error
	return err == nil || !errors.As(err, &se) || se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// isConstraint reports whether err is a uniqueness (or other constraint)
// violation.
func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

const linkColumns = `flow, source_tracker, source_id, target_tracker, target_id, state, correlation_key,
	field_hashes, comments, attempts, last_error, parked, created, updated, version`

func scanLink(scan func(dest ...any) error) (*store.Link, error) {
	var (
		l                store.Link
		hashes, comments string
		created, updated int64
	)
	err := scan(&l.Flow, &l.Source.Tracker, &l.Source.ID, &l.Target.Tracker, &l.Target.ID, &l.State,
		&l.CorrelationKey, &hashes, &comments, &l.Attempts, &l.LastError, &l.Parked, &created, &updated, &l.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: reading link: %w", err)
	}
	if l.FieldHashes, err = codec.ParseMap(hashes); err != nil {
		return nil, fmt.Errorf("sqlite: link %s: %w", l.Source, err)
	}
	if l.Comments, err = codec.ParseComments(comments); err != nil {
		return nil, fmt.Errorf("sqlite: link %s: %w", l.Source, err)
	}
	l.Created, l.Updated = codec.FromNanos(created), codec.FromNanos(updated)
	return &l, nil
}

// GetLink implements [store.Store].
func (s *Store) GetLink(ctx context.Context, flow string, source tracker.Ref) (*store.Link, error) {
	row := s.queryRow(ctx, `SELECT `+linkColumns+` FROM links
		WHERE flow = ? AND source_tracker = ? AND source_id = ?`, flow, source.Tracker, source.ID)
	return scanLink(row.Scan)
}

// GetLinkByTarget implements [store.Store].
func (s *Store) GetLinkByTarget(ctx context.Context, flow string, target tracker.Ref) (*store.Link, error) {
	if target.ID == "" {
		return nil, store.ErrNotFound
	}
	row := s.queryRow(ctx, `SELECT `+linkColumns+` FROM links
		WHERE flow = ? AND target_tracker = ? AND target_id = ?`, flow, target.Tracker, target.ID)
	return scanLink(row.Scan)
}

// PutLink implements [store.Store].
func (s *Store) PutLink(ctx context.Context, link *store.Link) error {
	return s.PutLinks(ctx, link)
}

// PutLinks implements [store.Store].
func (s *Store) PutLinks(ctx context.Context, links ...*store.Link) error {
	for _, l := range links {
		if err := l.Validate(); err != nil {
			return err
		}
	}
	if len(links) == 0 {
		return nil
	}
	now := s.now()
	created := make([]time.Time, len(links))
	run := s.withTx
	if len(links) == 1 {
		run = s.withStmt // one INSERT or UPDATE
	}
	err := run(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for i, l := range links {
			c, err := s.putLink(ctx, tx, l, now)
			if err != nil {
				return err
			}
			created[i] = c
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, l := range links {
		l.Created, l.Updated = created[i], now.UTC()
		l.Version++
	}
	return nil
}

// putLink writes one link and returns its creation time.
func (s *Store) putLink(ctx context.Context, tx *sql.Tx, l *store.Link, now time.Time) (time.Time, error) {
	hashes, err := codec.Map(l.FieldHashes)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: link %s: %w", l.Source, err)
	}
	comments, err := codec.Comments(l.Comments)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: link %s: %w", l.Source, err)
	}
	if l.Version == 0 {
		res, err := s.exec(ctx, tx, `INSERT INTO links (`+linkColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING`,
			l.Flow, l.Source.Tracker, l.Source.ID, l.Target.Tracker, l.Target.ID, l.State, l.CorrelationKey,
			hashes, comments, l.Attempts, l.LastError, l.Parked, codec.Nanos(now), codec.Nanos(now))
		if err != nil {
			return time.Time{}, fmt.Errorf("sqlite: inserting link %s: %w", l.Source, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return time.Time{}, fmt.Errorf("inserting link %s of flow %q: %w", l.Source, l.Flow, store.ErrConflict)
		}
		return now.UTC(), nil
	}
	var created int64
	err = s.queryRowTx(ctx, tx, `UPDATE links SET target_tracker = ?, target_id = ?, state = ?,
			correlation_key = ?, field_hashes = ?, comments = ?, attempts = ?, last_error = ?, parked = ?,
			updated = ?, version = version + 1
		WHERE flow = ? AND source_tracker = ? AND source_id = ? AND version = ?
		RETURNING created`,
		l.Target.Tracker, l.Target.ID, l.State, l.CorrelationKey, hashes, comments, l.Attempts, l.LastError,
		l.Parked, codec.Nanos(now), l.Flow, l.Source.Tracker, l.Source.ID, l.Version).Scan(&created)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, fmt.Errorf("updating link %s of flow %q at version %d: %w", l.Source, l.Flow, l.Version, store.ErrConflict)
	case isConstraint(err):
		return time.Time{}, fmt.Errorf("link %s of flow %q: target %s already linked: %w", l.Source, l.Flow, l.Target, store.ErrConflict)
	case err != nil:
		return time.Time{}, fmt.Errorf("sqlite: updating link %s: %w", l.Source, err)
	}
	return codec.FromNanos(created), nil
}

// DeleteLink implements [store.Store].
func (s *Store) DeleteLink(ctx context.Context, link *store.Link) error {
	return s.withTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `DELETE FROM links
			WHERE flow = ? AND source_tracker = ? AND source_id = ? AND version = ?`,
			link.Flow, link.Source.Tracker, link.Source.ID, link.Version)
		if err != nil {
			return fmt.Errorf("sqlite: deleting link %s: %w", link.Source, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			return nil
		}
		var one int
		err = s.queryRowTx(ctx, tx, `SELECT 1 FROM links WHERE flow = ? AND source_tracker = ? AND source_id = ?`,
			link.Flow, link.Source.Tracker, link.Source.ID).Scan(&one)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return store.ErrNotFound
		case err != nil:
			return fmt.Errorf("sqlite: deleting link %s: %w", link.Source, err)
		}
		return fmt.Errorf("deleting link %s of flow %q at version %d: %w", link.Source, link.Flow, link.Version, store.ErrConflict)
	})
}

// ListLinks implements [store.Store]. It reads pageSize links per query,
// so the caller may write between iterations.
func (s *Store) ListLinks(ctx context.Context, flow string, filter store.Filter) iter.Seq2[*store.Link, error] {
	return sqlstore.Links(pageSize, func(after tracker.Ref) ([]*store.Link, error) {
		return s.linkPage(ctx, flow, filter, after)
	})
}

func (s *Store) linkPage(ctx context.Context, flow string, filter store.Filter, after tracker.Ref) ([]*store.Link, error) {
	q := `SELECT ` + linkColumns + ` FROM links WHERE flow = ? AND (source_tracker, source_id) > (?, ?)`
	args := []any{flow, after.Tracker, after.ID}
	if filter.State != "" {
		q += ` AND state = ?`
		args = append(args, filter.State)
	}
	if filter.Parked != nil {
		q += ` AND parked = ?`
		args = append(args, *filter.Parked)
	}
	q += ` ORDER BY source_tracker, source_id LIMIT ` + strconv.Itoa(pageSize)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: listing links: %w", err)
	}
	defer rows.Close()
	var page []*store.Link
	for rows.Next() {
		l, err := scanLink(rows.Scan)
		if err != nil {
			return nil, err
		}
		page = append(page, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: listing links: %w", err)
	}
	return page, nil
}

// Cursor implements [store.Store].
func (s *Store) Cursor(ctx context.Context, flow string, side store.Side) (*store.Cursor, error) {
	c := &store.Cursor{Flow: flow, Side: side}
	var at int64
	err := s.queryRow(ctx, `SELECT value, at, version FROM cursors WHERE flow = ? AND side = ?`,
		flow, side).Scan(&c.Value, &at, &c.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: reading cursor %s/%s: %w", flow, side, err)
	}
	c.Time = codec.FromNanos(at)
	return c, nil
}

// SetCursor implements [store.Store].
func (s *Store) SetCursor(ctx context.Context, c *store.Cursor) error {
	if err := c.Validate(); err != nil {
		return err
	}
	err := s.withStmt(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var (
			res sql.Result
			err error
		)
		if c.Version == 0 {
			res, err = s.exec(ctx, tx, `INSERT INTO cursors (flow, side, value, at, version)
				VALUES (?, ?, ?, ?, 1) ON CONFLICT DO NOTHING`, c.Flow, c.Side, c.Value, codec.Nanos(c.Time))
		} else {
			res, err = s.exec(ctx, tx, `UPDATE cursors SET value = ?, at = ?, version = version + 1
				WHERE flow = ? AND side = ? AND version = ?`, c.Value, codec.Nanos(c.Time), c.Flow, c.Side, c.Version)
		}
		if err != nil {
			return fmt.Errorf("sqlite: writing cursor %s/%s: %w", c.Flow, c.Side, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("cursor %s/%s at version %d: %w", c.Flow, c.Side, c.Version, store.ErrConflict)
		}
		return nil
	})
	if err == nil {
		c.Version++
	}
	return err
}

// AcquireLease implements [store.Store].
func (s *Store) AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (*store.Lease, error) {
	if err := store.CheckLease(key, owner, ttl); err != nil {
		return nil, err
	}
	now := s.now()
	l := &store.Lease{Key: key, Owner: owner, Expires: now.Add(ttl).UTC()}
	err := s.withStmt(ctx, func(ctx context.Context, tx *sql.Tx) error {
		err := s.queryRowTx(ctx, tx, `INSERT INTO leases (key, owner, token, expires) VALUES (?, ?, 1, ?)
			ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, token = leases.token + 1, expires = excluded.expires
				WHERE leases.owner = '' OR leases.owner = excluded.owner OR leases.expires <= ?
			RETURNING token`, key, owner, codec.Nanos(l.Expires), codec.Nanos(now)).Scan(&l.Token)
		if errors.Is(err, sql.ErrNoRows) {
			held := &store.LeaseHeldError{Key: key}
			var expires int64
			if err := s.queryRowTx(ctx, tx, `SELECT owner, expires FROM leases WHERE key = ?`, key).Scan(&held.Owner, &expires); err != nil {
				return fmt.Errorf("sqlite: reading lease %q: %w", key, err)
			}
			held.Expires = codec.FromNanos(expires)
			return held
		}
		if err != nil {
			return fmt.Errorf("sqlite: acquiring lease %q: %w", key, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// RenewLease implements [store.Store].
func (s *Store) RenewLease(ctx context.Context, l *store.Lease, ttl time.Duration) error {
	if err := store.CheckLease(l.Key, l.Owner, ttl); err != nil {
		return err
	}
	expires := s.now().Add(ttl).UTC()
	err := s.updateLease(ctx, l, `UPDATE leases SET expires = ? WHERE key = ? AND owner = ? AND token = ?`,
		codec.Nanos(expires), l.Key, l.Owner, l.Token)
	if err == nil {
		l.Expires = expires
	}
	return err
}

// ReleaseLease implements [store.Store].
func (s *Store) ReleaseLease(ctx context.Context, l *store.Lease) error {
	return s.updateLease(ctx, l, `UPDATE leases SET owner = '', expires = 0 WHERE key = ? AND owner = ? AND token = ?`,
		l.Key, l.Owner, l.Token)
}

func (s *Store) updateLease(ctx context.Context, l *store.Lease, q string, args ...any) error {
	if l.Owner == "" {
		return store.ErrLeaseLost
	}
	return s.withStmt(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, q, args...)
		if err != nil {
			return fmt.Errorf("sqlite: lease %q: %w", l.Key, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("lease %q (token %d): %w", l.Key, l.Token, store.ErrLeaseLost)
		}
		return nil
	})
}

// AppendEvents implements [store.Store].
func (s *Store) AppendEvents(ctx context.Context, events ...*store.Event) error {
	if len(events) == 0 {
		return nil
	}
	now := s.now().UTC()
	seqs := make([]int64, len(events))
	err := s.withTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for i, e := range events {
			attrs, err := codec.Map(e.Attrs)
			if err != nil {
				return fmt.Errorf("sqlite: event attributes: %w", err)
			}
			at := e.Time
			if at.IsZero() {
				at = now
			}
			err = s.queryRowTx(ctx, tx, `INSERT INTO events
				(flow, at, kind, source_tracker, source_id, target_tracker, target_id, message, attrs)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
				e.Flow, codec.Nanos(at), e.Kind, e.Source.Tracker, e.Source.ID, e.Target.Tracker, e.Target.ID,
				e.Message, attrs).Scan(&seqs[i])
			if err != nil {
				return fmt.Errorf("sqlite: appending event: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, e := range events {
		e.Seq = seqs[i]
		if e.Time.IsZero() {
			e.Time = now
		}
	}
	return nil
}

// ListEvents implements [store.Store].
func (s *Store) ListEvents(ctx context.Context, flow string, after int64, limit int) ([]*store.Event, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT seq, flow, at, kind, source_tracker, source_id,
			target_tracker, target_id, message, attrs
		FROM events WHERE seq > ? AND (? = '' OR flow = ?) ORDER BY seq LIMIT ?`, after, flow, flow, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: listing events: %w", err)
	}
	defer rows.Close()
	var out []*store.Event
	for rows.Next() {
		var (
			e     store.Event
			at    int64
			attrs string
		)
		if err := rows.Scan(&e.Seq, &e.Flow, &at, &e.Kind, &e.Source.Tracker, &e.Source.ID,
			&e.Target.Tracker, &e.Target.ID, &e.Message, &attrs); err != nil {
			return nil, fmt.Errorf("sqlite: reading event: %w", err)
		}
		e.Time = codec.FromNanos(at)
		if e.Attrs, err = codec.ParseMap(attrs); err != nil {
			return nil, fmt.Errorf("sqlite: event %d: %w", e.Seq, err)
		}
		if len(e.Attrs) == 0 {
			e.Attrs = nil
		}
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: listing events: %w", err)
	}
	return out, nil
}

// PruneEvents implements [store.Store].
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.withTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `DELETE FROM events WHERE at < ?`, codec.Nanos(before))
		if err != nil {
			return fmt.Errorf("sqlite: pruning events: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
