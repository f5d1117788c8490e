package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// BackupCounts are the numbers of the rows a backup holds, kept in its manifest and compared
// after a restore.
type BackupCounts struct {
	Incidents    int64 `json:"incidents"`
	Logs         int64 `json:"logs"`
	Images       int64 `json:"images"`
	Documents    int64 `json:"documents"`
	AuditEntries int64 `json:"audit_entries"`
}

// Snapshot is a read-only, repeatable-read transaction whose snapshot is exported, so that
// pg_dump (given the snapshot's id) sees exactly the rows that the snapshot's own queries see.
// It stays open until Close.
type Snapshot struct {
	tx pgx.Tx
	// ID is the exported snapshot's id, for pg_dump --snapshot.
	ID string
}

// BeginSnapshot opens a Snapshot.
func (db *DB) BeginSnapshot(ctx context.Context) (*Snapshot, error) {
	tx, err := db.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("begin snapshot: %w", err)
	}
	s := &Snapshot{tx: tx}
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&s.ID); err != nil {
		tx.Rollback(ctx)
		return nil, fmt.Errorf("export snapshot: %w", err)
	}
	return s, nil
}

// Close ends the snapshot's transaction.
func (s *Snapshot) Close(ctx context.Context) { s.tx.Rollback(ctx) }

// Counts counts the rows of the snapshot.
func (s *Snapshot) Counts(ctx context.Context) (BackupCounts, error) {
	return countRows(ctx, s.tx)
}

// MigrationVersion is the newest migration applied in the snapshot.
func (s *Snapshot) MigrationVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.tx.QueryRow(ctx, `SELECT COALESCE(max(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read migration version: %w", err)
	}
	return v, nil
}

// ObjectKeys returns the key of every object a row of the snapshot names: log texts and their
// redacted copies, images and their thumbnails. A backup must hold every one of them (exported
// PDFs are copies that the portal makes again on demand, and are backed up when present).
func (s *Snapshot) ObjectKeys(ctx context.Context) ([]string, error) {
	rows, err := s.tx.Query(ctx, `
		SELECT object_key FROM log_files WHERE original_deleted_at IS NULL
		UNION ALL SELECT redacted_object_key FROM log_files WHERE redacted_object_key IS NOT NULL
		UNION ALL SELECT object_key FROM image_attachments
		UNION ALL SELECT thumbnail_key FROM image_attachments`)
	if err != nil {
		return nil, fmt.Errorf("list object keys: %w", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list object keys: %w", err)
	}
	return keys, nil
}

// ServerMajorVersion is the database server's major version (15 for 15.4).
func (db *DB) ServerMajorVersion(ctx context.Context) (int, error) {
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read server version: %w", err)
	}
	return n / 10000, nil
}

// BackupCounts counts the rows a backup compares, outside any snapshot (after a restore).
func (db *DB) BackupCounts(ctx context.Context) (BackupCounts, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return BackupCounts{}, err
	}
	defer tx.Rollback(ctx)
	return countRows(ctx, tx)
}

func countRows(ctx context.Context, q pgx.Tx) (BackupCounts, error) {
	var c BackupCounts
	err := q.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM issues), (SELECT count(*) FROM log_files),
		(SELECT count(*) FROM image_attachments), (SELECT count(*) FROM documents),
		(SELECT count(*) FROM audit_log)`).Scan(&c.Incidents, &c.Logs, &c.Images, &c.Documents, &c.AuditEntries)
	if err != nil {
		return c, fmt.Errorf("count rows: %w", err)
	}
	return c, nil
}

// NonEmptyTables returns the portal's tables (those of the public schema, but goose's own
// version table) that hold at least one row: a restore refuses such a target.
func (db *DB) NonEmptyTables(ctx context.Context) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT tablename FROM pg_tables
		WHERE schemaname = 'public' AND tablename <> 'goose_db_version' ORDER BY tablename`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var full []string
	for _, t := range tables {
		var any bool
		if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM public.`+pgx.Identifier{t}.Sanitize()+`)`).Scan(&any); err != nil {
			return nil, fmt.Errorf("read table %s: %w", t, err)
		}
		if any {
			full = append(full, t)
		}
	}
	return full, nil
}
