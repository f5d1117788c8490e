package db

import (
	"context"
	"fmt"
	"time"

	"tftsr/domain"
)

// Ensure RetentionStore implements the domain port.
var _ domain.RetentionStore = (*RetentionStore)(nil)

// retentionLockKey is the key of the advisory lock that lets one retention run at a time
// across every replica of the portal ("tftsrret" in ASCII).
const retentionLockKey int64 = 0x7466747372726574

// RetentionStore persists what retention deletes.
type RetentionStore struct {
	db *DB
}

// NewRetentionStore returns a RetentionStore over db.
func NewRetentionStore(db *DB) *RetentionStore { return &RetentionStore{db: db} }

// LockRetention takes the session-level advisory lock on a connection of its own, held until
// unlock, without waiting.
func (s *RetentionStore) LockRetention(ctx context.Context) (func(), bool, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return nil, false, err
	}
	conn, err := s.db.Pool.Acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("retention lock: %w", unavailable(err))
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, retentionLockKey).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, fmt.Errorf("retention lock: %w", unavailable(err))
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, retentionLockKey); err != nil {
			// A connection that cannot unlock must not go back to the pool holding the lock.
			conn.Conn().Close(ctx)
		}
		conn.Release()
	}, true, nil
}

// DeleteOriginalLogs marks up to limit reviewed logs uploaded at or before before as having lost
// their original, after remove deleted those objects, in one transaction.
func (s *RetentionStore) DeleteOriginalLogs(ctx context.Context, before time.Time, limit int, remove func(keys []string) error) (int, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return 0, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `SELECT id::text, object_key FROM log_files
		WHERE redacted AND original_deleted_at IS NULL AND uploaded_at <= $1
		ORDER BY uploaded_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`, before, limit)
	if err != nil {
		return 0, fmt.Errorf("find expired originals: %w", err)
	}
	var ids, keys []string
	for rows.Next() {
		var id, key string
		if err := rows.Scan(&id, &key); err != nil {
			rows.Close()
			return 0, fmt.Errorf("find expired originals: %w", err)
		}
		ids, keys = append(ids, id), append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("find expired originals: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if err := remove(keys); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE log_files SET original_deleted_at = $2 WHERE id = ANY($1::uuid[])`, ids, tx.now); err != nil {
		return 0, fmt.Errorf("mark originals deleted: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("mark originals deleted: %w", unavailable(err))
	}
	return len(ids), nil
}

// DeleteClosedIssues deletes up to limit incidents closed at or before before, after remove
// deleted their objects, in one transaction; each deletion is audited as one by a person is.
func (s *RetentionStore) DeleteClosedIssues(ctx context.Context, before time.Time, limit int, remove func(issueIDs []string) error) (int, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return 0, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `SELECT id::text, number, title, severity, closed_at FROM issues
		WHERE status = 'closed' AND closed_at <= $1
		ORDER BY closed_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`, before, limit)
	if err != nil {
		return 0, fmt.Errorf("find expired incidents: %w", err)
	}
	type expired struct {
		id, title, severity string
		number              int64
		closedAt            time.Time
	}
	var found []expired
	for rows.Next() {
		var e expired
		if err := rows.Scan(&e.id, &e.number, &e.title, &e.severity, &e.closedAt); err != nil {
			rows.Close()
			return 0, fmt.Errorf("find expired incidents: %w", err)
		}
		found = append(found, e)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("find expired incidents: %w", err)
	}
	if len(found) == 0 {
		return 0, nil
	}
	ids := make([]string, len(found))
	for i, e := range found {
		ids[i] = e.id
	}
	if err := remove(ids); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM issues WHERE id = ANY($1::uuid[])`, ids); err != nil {
		return 0, fmt.Errorf("delete expired incidents: %w", formatError(err))
	}
	for _, e := range found {
		if err := appendAudit(ctx, tx, "issue.delete", "issue", e.id, map[string]any{
			"title": e.title, "severity": e.severity, "status": "closed", "number": e.number,
			"closed_at": e.closedAt.UTC().Format(time.RFC3339), "by": "retention",
		}); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("delete expired incidents: %w", unavailable(err))
	}
	return len(found), nil
}

// RecordRetentionRun writes the audit entry of a run with its counts.
func (s *RetentionStore) RecordRetentionRun(ctx context.Context, r domain.RetentionResult) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := appendAudit(ctx, tx, "retention.run", "settings", "retention", map[string]any{
		"original_log_days": r.OriginalLogDays, "closed_incident_days": r.ClosedIncidentDays,
		"original_logs_deleted": r.OriginalLogsDeleted, "incidents_deleted": r.IncidentsDeleted,
	}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
