// Package postgres is a [store.Store] in PostgreSQL, for running many
// replicas of a syncer against one database.
//
// Compare-and-set is an UPDATE conditioned on the version read; leases are
// rows whose expiry an upsert only overwrites once it has passed, so the
// database's row locks decide every race. The schema is versioned and
// migrated on Open under a transaction-scoped advisory lock, so replicas
// starting together migrate once.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/trackbridge/trackbridge/syncer/store"
	"github.com/trackbridge/trackbridge/syncer/store/internal/codec"
	"github.com/trackbridge/trackbridge/syncer/store/internal/sqlstore"
	"github.com/trackbridge/trackbridge/tracker"
)

// DefaultMaxConns is the default cap on open connections per Store.
const DefaultMaxConns = 8

// pageSize is how many links ListLinks reads per query.
const pageSize = 200

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock used for timestamps and lease expiry
// (time.Now by default). Replicas sharing a database must have clocks in
// step: a lease expires by the clock of whoever asks.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// WithSchema keeps the store's tables in the named schema, created if
// needed, instead of the connection's default search path.
func WithSchema(name string) Option {
	return func(s *Store) { s.schema = name }
}

// WithMaxConns caps the number of open connections (DefaultMaxConns by
// default).
func WithMaxConns(n int) Option {
	return func(s *Store) { s.maxConns = n }
}

// Store is a [store.Store] in PostgreSQL. It is safe for concurrent use,
// also by many processes.
type Store struct {
	pool      *pool
	now       func() time.Time
	schema    string
	maxConns  int
	closeOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string, as pgx accepts) and migrates the schema to the current
// version.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	s := &Store{now: time.Now, maxConns: DefaultMaxConns}
	for _, o := range opts {
		o(s)
	}
	if s.maxConns < 1 {
		return nil, fmt.Errorf("postgres: max connections %d < 1", s.maxConns)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN, password included.
		return nil, errors.New("postgres: invalid connection string")
	}
	cfg.MaxConns = int32(s.maxConns)
	if s.schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{s.schema}.Sanitize()
	}
	// pgxpool connects lazily: no I/O until the migration below.
	if s.pool, err = newPool(cfg); err != nil {
		return nil, errors.New("postgres: invalid pool configuration")
	}
	if err := s.migrate(ctx); err != nil {
		s.pool.close()
		return nil, fmt.Errorf("postgres: migrating: %w", err)
	}
	return s, nil
}

// Close closes the connections.
func (s *Store) Close() error {
	s.closeOnce.Do(s.pool.close)
	return nil
}

// now returns the clock's time at the database's precision.
func (s *Store) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

const linkColumns = `flow, source_tracker, source_id, target_tracker, target_id, state, correlation_key,
	field_hashes::text, comments::text, attempts, last_error, parked, created, updated, version`

func scanLink(row pgx.Row) (*store.Link, error) {
	var (
		l                store.Link
		hashes, comments string
	)
	err := row.Scan(&l.Flow, &l.Source.Tracker, &l.Source.ID, &l.Target.Tracker, &l.Target.ID, &l.State,
		&l.CorrelationKey, &hashes, &comments, &l.Attempts, &l.LastError, &l.Parked, &l.Created, &l.Updated, &l.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: reading link: %w", err)
	}
	if l.FieldHashes, err = codec.ParseMap(hashes); err != nil {
		return nil, fmt.Errorf("postgres: link %s: %w", l.Source, err)
	}
	if l.Comments, err = codec.ParseComments(comments); err != nil {
		return nil, fmt.Errorf("postgres: link %s: %w", l.Source, err)
	}
	l.Created, l.Updated = l.Created.UTC(), l.Updated.UTC()
	return &l, nil
}

func (s *Store) getLink(ctx context.Context, where string, args ...any) (*store.Link, error) {
	var l *store.Link
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		var err error
		l, err = scanLink(c.QueryRow(ctx, `SELECT `+linkColumns+` FROM links WHERE `+where, args...))
		return err
	})
	return l, err
}

// GetLink implements [store.Store].
func (s *Store) GetLink(ctx context.Context, flow string, source tracker.Ref) (*store.Link, error) {
	return s.getLink(ctx, `flow = $1 AND source_tracker = $2 AND source_id = $3`, flow, source.Tracker, source.ID)
}

// GetLinkByTarget implements [store.Store].
func (s *Store) GetLinkByTarget(ctx context.Context, flow string, target tracker.Ref) (*store.Link, error) {
	if target.ID == "" {
		return nil, store.ErrNotFound
	}
	return s.getLink(ctx, `flow = $1 AND target_tracker = $2 AND target_id = $3`, flow, target.Tracker, target.ID)
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
	now := s.clock()
	created := make([]time.Time, len(links))
	err := s.pool.tx(ctx, func(tx pgx.Tx) error {
		for i, l := range links {
			c, err := putLink(ctx, tx, l, now)
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
		l.Created, l.Updated = created[i], now
		l.Version++
	}
	return nil
}

// putLink writes one link and returns its creation time.
func putLink(ctx context.Context, tx pgx.Tx, l *store.Link, now time.Time) (time.Time, error) {
	hashes, err := codec.Map(l.FieldHashes)
	if err != nil {
		return time.Time{}, fmt.Errorf("postgres: link %s: %w", l.Source, err)
	}
	comments, err := codec.Comments(l.Comments)
	if err != nil {
		return time.Time{}, fmt.Errorf("postgres: link %s: %w", l.Source, err)
	}
	if l.Version == 0 {
		tag, err := tx.Exec(ctx, `INSERT INTO links (flow, source_tracker, source_id, target_tracker, target_id,
				state, correlation_key, field_hashes, comments, attempts, last_error, parked, created, updated, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb, $10, $11, $12, $13, $13, 1)
			ON CONFLICT DO NOTHING`,
			l.Flow, l.Source.Tracker, l.Source.ID, l.Target.Tracker, l.Target.ID, string(l.State), l.CorrelationKey,
			hashes, comments, l.Attempts, l.LastError, l.Parked, now)
		if err != nil {
			return time.Time{}, fmt.Errorf("postgres: inserting link %s: %w", l.Source, err)
		}
		if tag.RowsAffected() != 1 {
			return time.Time{}, fmt.Errorf("inserting link %s of flow %q: %w", l.Source, l.Flow, store.ErrConflict)
		}
		return now, nil
	}
	var created time.Time
	err = tx.QueryRow(ctx, `UPDATE links SET target_tracker = $1, target_id = $2, state = $3, correlation_key = $4,
			field_hashes = $5::text::jsonb, comments = $6::text::jsonb, attempts = $7, last_error = $8, parked = $9,
			updated = $10, version = version + 1
		WHERE flow = $11 AND source_tracker = $12 AND source_id = $13 AND version = $14
		RETURNING created`,
		l.Target.Tracker, l.Target.ID, string(l.State), l.CorrelationKey, hashes, comments, l.Attempts, l.LastError,
		l.Parked, now, l.Flow, l.Source.Tracker, l.Source.ID, l.Version).Scan(&created)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return time.Time{}, fmt.Errorf("updating link %s of flow %q at version %d: %w", l.Source, l.Flow, l.Version, store.ErrConflict)
	case isUniqueViolation(err):
		return time.Time{}, fmt.Errorf("link %s of flow %q: target %s already linked: %w", l.Source, l.Flow, l.Target, store.ErrConflict)
	case err != nil:
		return time.Time{}, fmt.Errorf("postgres: updating link %s: %w", l.Source, err)
	}
	return created.UTC(), nil
}

// DeleteLink implements [store.Store].
func (s *Store) DeleteLink(ctx context.Context, link *store.Link) error {
	return s.pool.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM links WHERE flow = $1 AND source_tracker = $2 AND source_id = $3 AND version = $4`,
			link.Flow, link.Source.Tracker, link.Source.ID, link.Version)
		if err != nil {
			return fmt.Errorf("postgres: deleting link %s: %w", link.Source, err)
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var one int
		err = tx.QueryRow(ctx, `SELECT 1 FROM links WHERE flow = $1 AND source_tracker = $2 AND source_id = $3`,
			link.Flow, link.Source.Tracker, link.Source.ID).Scan(&one)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return store.ErrNotFound
		case err != nil:
			return fmt.Errorf("postgres: deleting link %s: %w", link.Source, err)
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
	var q strings.Builder
	q.WriteString(`SELECT ` + linkColumns + ` FROM links WHERE flow = $1 AND (source_tracker, source_id) > ($2, $3)`)
	args := []any{flow, after.Tracker, after.ID}
	if filter.State != "" {
		args = append(args, string(filter.State))
		fmt.Fprintf(&q, ` AND state = $%d`, len(args))
	}
	if filter.Parked != nil {
		args = append(args, *filter.Parked)
		fmt.Fprintf(&q, ` AND parked = $%d`, len(args))
	}
	fmt.Fprintf(&q, ` ORDER BY source_tracker, source_id LIMIT %d`, pageSize)
	var page []*store.Link
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, q.String(), args...)
		if err != nil {
			return fmt.Errorf("postgres: listing links: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			l, err := scanLink(rows)
			if err != nil {
				return err
			}
			page = append(page, l)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: listing links: %w", err)
		}
		return nil
	})
	return page, err
}

// Cursor implements [store.Store].
func (s *Store) Cursor(ctx context.Context, flow string, side store.Side) (*store.Cursor, error) {
	c := &store.Cursor{Flow: flow, Side: side}
	err := s.pool.with(ctx, func(conn *pgx.Conn) error {
		return conn.QueryRow(ctx, `SELECT value, at, version FROM cursors WHERE flow = $1 AND side = $2`,
			flow, string(side)).Scan(&c.Value, &c.Time, &c.Version)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: reading cursor %s/%s: %w", flow, side, err)
	}
	c.Time = fromDB(c.Time)
	return c, nil
}

// SetCursor implements [store.Store].
func (s *Store) SetCursor(ctx context.Context, c *store.Cursor) error {
	if err := c.Validate(); err != nil {
		return err
	}
	err := s.pool.with(ctx, func(conn *pgx.Conn) error {
		var (
			tag pgconn.CommandTag
			err error
		)
		if c.Version == 0 {
			tag, err = conn.Exec(ctx, `INSERT INTO cursors (flow, side, value, at, version) VALUES ($1, $2, $3, $4, 1)
				ON CONFLICT DO NOTHING`, c.Flow, string(c.Side), c.Value, c.Time)
		} else {
			tag, err = conn.Exec(ctx, `UPDATE cursors SET value = $1, at = $2, version = version + 1
				WHERE flow = $3 AND side = $4 AND version = $5`, c.Value, c.Time, c.Flow, string(c.Side), c.Version)
		}
		if err != nil {
			return fmt.Errorf("postgres: writing cursor %s/%s: %w", c.Flow, c.Side, err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("cursor %s/%s at version %d: %w", c.Flow, c.Side, c.Version, store.ErrConflict)
		}
		return nil
	})
	if err == nil {
		c.Version++
	}
	return err
}

// fromDB returns a time read from the database in UTC, keeping the zero
// time zero.
func fromDB(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// AcquireLease implements [store.Store]. The upsert overwrites the lease
// row only if it was released or has expired; the row lock it takes makes
// concurrent acquirers queue and re-check.
func (s *Store) AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (*store.Lease, error) {
	if err := store.CheckLease(key, owner, ttl); err != nil {
		return nil, err
	}
	now := s.clock()
	l := &store.Lease{Key: key, Owner: owner, Expires: now.Add(ttl)}
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		err := c.QueryRow(ctx, `INSERT INTO leases (key, owner, token, expires) VALUES ($1, $2, 1, $3)
			ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, token = leases.token + 1, expires = EXCLUDED.expires
				WHERE leases.owner = '' OR leases.owner = EXCLUDED.owner OR leases.expires <= $4
			RETURNING token`, key, owner, l.Expires, now).Scan(&l.Token)
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		held := &store.LeaseHeldError{Key: key}
		if err := c.QueryRow(ctx, `SELECT owner, expires FROM leases WHERE key = $1`, key).Scan(&held.Owner, &held.Expires); err != nil {
			return fmt.Errorf("reading lease: %w", err)
		}
		return held
	})
	if errors.Is(err, store.ErrLeaseHeld) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: acquiring lease %q: %w", key, err)
	}
	return l, nil
}

// RenewLease implements [store.Store].
func (s *Store) RenewLease(ctx context.Context, l *store.Lease, ttl time.Duration) error {
	if err := store.CheckLease(l.Key, l.Owner, ttl); err != nil {
		return err
	}
	expires := s.clock().Add(ttl)
	err := s.updateLease(ctx, l, `UPDATE leases SET expires = $4 WHERE key = $1 AND owner = $2 AND token = $3`, expires)
	if err == nil {
		l.Expires = expires
	}
	return err
}

// ReleaseLease implements [store.Store].
func (s *Store) ReleaseLease(ctx context.Context, l *store.Lease) error {
	return s.updateLease(ctx, l, `UPDATE leases SET owner = '', expires = $4 WHERE key = $1 AND owner = $2 AND token = $3`,
		s.clock())
}

func (s *Store) updateLease(ctx context.Context, l *store.Lease, q string, at time.Time) error {
	if l.Owner == "" {
		return store.ErrLeaseLost
	}
	return s.pool.with(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, q, l.Key, l.Owner, l.Token, at)
		if err != nil {
			return fmt.Errorf("postgres: lease %q: %w", l.Key, err)
		}
		if tag.RowsAffected() != 1 {
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
	now := s.clock()
	seqs := make([]int64, len(events))
	err := s.pool.tx(ctx, func(tx pgx.Tx) error {
		for i, e := range events {
			attrs, err := codec.Map(e.Attrs)
			if err != nil {
				return fmt.Errorf("postgres: event attributes: %w", err)
			}
			at := e.Time
			if at.IsZero() {
				at = now
			}
			err = tx.QueryRow(ctx, `INSERT INTO events
				(flow, at, kind, source_tracker, source_id, target_tracker, target_id, message, attrs)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb) RETURNING seq`,
				e.Flow, at, e.Kind, e.Source.Tracker, e.Source.ID, e.Target.Tracker, e.Target.ID, e.Message,
				attrs).Scan(&seqs[i])
			if err != nil {
				return fmt.Errorf("postgres: appending event: %w", err)
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

// ListEvents implements [store.Store]. Sequence numbers come from a
// PostgreSQL identity, so under concurrent appends an event may become
// visible after one with a higher Seq.
func (s *Store) ListEvents(ctx context.Context, flow string, after int64, limit int) ([]*store.Event, error) {
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	var out []*store.Event
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT seq, flow, at, kind, source_tracker, source_id,
				target_tracker, target_id, message, attrs::text
			FROM events WHERE seq > $1 AND ($2 = '' OR flow = $2) ORDER BY seq LIMIT $3`, after, flow, lim)
		if err != nil {
			return fmt.Errorf("postgres: listing events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e     store.Event
				attrs string
			)
			if err := rows.Scan(&e.Seq, &e.Flow, &e.Time, &e.Kind, &e.Source.Tracker, &e.Source.ID,
				&e.Target.Tracker, &e.Target.ID, &e.Message, &attrs); err != nil {
				return fmt.Errorf("postgres: reading event: %w", err)
			}
			e.Time = fromDB(e.Time)
			if e.Attrs, err = codec.ParseMap(attrs); err != nil {
				return fmt.Errorf("postgres: event %d: %w", e.Seq, err)
			}
			if len(e.Attrs) == 0 {
				e.Attrs = nil
			}
			out = append(out, &e)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: listing events: %w", err)
		}
		return nil
	})
	return out, err
}

// PruneEvents implements [store.Store].
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `DELETE FROM events WHERE at < $1`, before)
		if err != nil {
			return fmt.Errorf("postgres: pruning events: %w", err)
		}
		n = tag.RowsAffected()
		return nil
	})
	return n, err
}
