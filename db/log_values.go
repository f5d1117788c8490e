package db

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"tftsr/domain"
)

var _ domain.LogValueStore = (*LogStore)(nil)

// FindUnkeyedSpans returns the spans of a log under review that have no value key yet.
func (s *LogStore) FindUnkeyedSpans(ctx context.Context, logID string) ([]*domain.PIISpan, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	l, err := findLogByID(ctx, tx, logID, false)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `
		SELECT id, log_file_id, pii_type, start_offset, end_offset, replacement, approved
		FROM pii_spans WHERE log_file_id = $1 AND value_key IS NULL ORDER BY start_offset`, l.ID)
	if err != nil {
		return nil, fmt.Errorf("find detected values: %w", err)
	}
	return collect(rows, "find detected values", func(r pgx.Row) (*domain.PIISpan, error) {
		var sp domain.PIISpan
		err := r.Scan(&sp.ID, &sp.LogFileID, &sp.PIIType, &sp.Start, &sp.End, &sp.Replacement, &sp.Approved)
		return &sp, err
	})
}

// SetSpanValueKeys stores the value keys of a log's spans: copied into a temporary table, then
// one UPDATE. It is not audited: a key is derived from the text, not a decision.
func (s *LogStore) SetSpanValueKeys(ctx context.Context, logID string, keys map[string][]byte) error {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	l, err := lockOpenLog(ctx, tx, logID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE span_value_keys (id uuid, value_key bytea) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("store value keys: %w", err)
	}
	rows := make([][]any, 0, len(keys))
	for id, k := range keys {
		u, err := uuid.Parse(id)
		if err != nil {
			return fmt.Errorf("store value keys: %w", err)
		}
		rows = append(rows, []any{pgtype.UUID{Bytes: u, Valid: true}, k})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"span_value_keys"}, []string{"id", "value_key"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("store value keys: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		UPDATE pii_spans p SET value_key = k.value_key FROM span_value_keys k
		WHERE p.id = k.id AND p.log_file_id = $1`, l.ID); err != nil {
		return fmt.Errorf("store value keys: %w", err)
	}
	return tx.Commit(ctx)
}

// FindLogValues groups a log's spans by value: by type (the most frequent type first), each
// type's values most frequent first.
func (s *LogStore) FindLogValues(ctx context.Context, logID string, f domain.LogValueFilter) ([]*domain.PIIValue, int, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, 0, err
	}
	lid, ok := parseID(logID)
	if !ok {
		return nil, 0, domain.Errorf(domain.ENOTFOUND, "Log not found.")
	}
	args := []any{lid}
	cond := "log_file_id = $1 AND value_key IS NOT NULL"
	if f.PIIType != "" {
		args = append(args, f.PIIType)
		cond += " AND pii_type = $2"
	}
	limit := ""
	if f.PerPage > 0 {
		pg := paging{page: max(f.Page, 1), perPage: f.PerPage}
		limit = " LIMIT " + strconv.Itoa(pg.perPage) + " OFFSET " + strconv.Itoa(pg.offset())
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `
		SELECT value_key, pii_type, count(*), count(*) FILTER (WHERE approved), count(*) FILTER (WHERE decided),
		       (array_agg(start_offset ORDER BY start_offset))[1:2], (array_agg(end_offset ORDER BY start_offset))[1:2],
		       count(*) OVER ()
		FROM pii_spans WHERE `+cond+`
		GROUP BY value_key, pii_type
		ORDER BY sum(count(*)) OVER (PARTITION BY pii_type) DESC, pii_type, count(*) DESC, min(start_offset)`+limit, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list detected values: %w", err)
	}
	defer rows.Close()
	vals, total := []*domain.PIIValue{}, 0
	for rows.Next() {
		var v domain.PIIValue
		var key []byte
		var starts, ends []int64
		if err := rows.Scan(&key, &v.PIIType, &v.Count, &v.Approved, &v.Decided, &starts, &ends, &total); err != nil {
			return nil, 0, fmt.Errorf("list detected values: %w", err)
		}
		v.Key = hex.EncodeToString(key)
		for i := range min(len(starts), len(ends)) {
			v.Samples = append(v.Samples, domain.TextRange{Start: starts[i], End: ends[i]})
		}
		vals = append(vals, &v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list detected values: %w", err)
	}
	if len(vals) == 0 && f.Page > 1 {
		if err := tx.QueryRow(ctx, `SELECT count(DISTINCT (value_key, pii_type)) FROM pii_spans WHERE `+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count detected values: %w", err)
		}
	}
	return vals, total, nil
}

// FindNextUnreviewedLog returns the oldest log not reviewed yet other than l, of l's incident
// first.
func (s *LogStore) FindNextUnreviewedLog(ctx context.Context, l *domain.LogFile) (*domain.LogFile, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	next, err := scanLog(tx.QueryRow(ctx, logSelect+`
		WHERE NOT l.redacted AND l.id <> $1
		ORDER BY (l.issue_id = $2) DESC, l.uploaded_at, l.id
		LIMIT 1`, l.ID, l.IssueID))
	if err != nil {
		return nil, notFound(err, "Unreviewed log")
	}
	return next, nil
}
