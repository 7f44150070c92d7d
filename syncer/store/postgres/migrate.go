package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/trackbridge/trackbridge/syncer/store/internal/sqlstore"
)

// migrationFiles holds the schema, one file per version, applied in name
// order. A released file is never edited: changes go in a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate brings the schema to the latest version in one transaction,
// holding an advisory lock keyed by the schema name so that replicas
// starting together migrate once.
func (s *Store) migrate(ctx context.Context) error {
	scripts, err := sqlstore.Migrations(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	return s.pool.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('trackbridge.syncer.store/' || $1, 0))`,
			s.schema); err != nil {
			return err
		}
		if s.schema != "" {
			if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{s.schema}.Sanitize()); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&version); err != nil {
			return err
		}
		if version > len(scripts) {
			return fmt.Errorf("schema version %d is newer than this program knows (%d)", version, len(scripts))
		}
		if version == len(scripts) {
			return nil
		}
		for i := version; i < len(scripts); i++ {
			if _, err := tx.Exec(ctx, scripts[i]); err != nil {
				return fmt.Errorf("to version %d: %w", i+1, err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM schema_version`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, len(scripts))
		return err
	})
}
