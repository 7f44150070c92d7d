package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/trackbridge/trackbridge/syncer/store/internal/sqlstore"
)

// migrationFiles holds the schema, one file per version, applied in name
// order. A released file is never edited: changes go in a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate brings the schema to the latest version in one transaction. The
// transaction takes the write lock first, so processes opening the same
// file at once migrate it once.
func (s *Store) migrate(ctx context.Context) error {
	scripts, err := sqlstore.Migrations(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	return s.withTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&version); err != nil {
			return err
		}
		if version > len(scripts) {
			return fmt.Errorf("schema version %d is newer than this program knows (%d)", version, len(scripts))
		}
		if version == len(scripts) {
			return nil
		}
		for i := version; i < len(scripts); i++ {
			if _, err := tx.ExecContext(ctx, scripts[i]); err != nil {
				return fmt.Errorf("to version %d: %w", i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, len(scripts))
		return err
	})
}
