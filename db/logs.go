package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"tftsr/domain"
	"tftsr/domain/pii"
)

// Ensure LogStore implements the domain ports.
var (
	_ domain.LogStore    = (*LogStore)(nil)
	_ domain.ObjectOwner = (*LogStore)(nil)
)

// LogStore keeps the rows of logs and the values detected in them. Reading needs a viewer,
// changing a responder, and an admin's look at the original of a redacted log is audited. It
// is also the owner of the objects under "logs/", for the sweeper.
type LogStore struct {
	db *DB
}

// NewLogStore returns a LogStore over db.
func NewLogStore(db *DB) *LogStore {
	return &LogStore{db: db}
}

// maxAuditSpanIDs bounds the span ids an audit entry lists; past it the entry carries their
// count and a hash of the sorted list instead.
const maxAuditSpanIDs = 500

// logColumns are the columns scanLog reads: the log with its uploader's name and its
// incident's title, from logFrom.
const logColumns = `
	SELECT l.id, l.issue_id, l.file_name, l.size_bytes, l.mime_type, l.content_hash, l.object_key,
	       l.redacted, COALESCE(l.redacted_object_key, ''), COALESCE(l.redacted_hash, ''), COALESCE(l.redacted_size, 0),
	       COALESCE(l.redacted_count, 0), COALESCE(l.kept_count, 0),
	       l.invalid_utf8, l.pii_summary, l.pii_truncated, l.uploaded_by,
	       COALESCE(NULLIF(u.display_name, ''), u.username, ''), l.uploaded_at, i.title,
	       l.original_deleted_at, i.number`

// logFrom joins what logColumns reads.
const logFrom = `
	FROM log_files l
	JOIN issues i ON i.id = l.issue_id
	LEFT JOIN users u ON u.id = l.uploaded_by`

// logSelect selects a log's columns.
const logSelect = logColumns + logFrom

// scanLog reads a row of logSelect followed by extra destinations.
func scanLog(row pgx.Row, extra ...any) (*domain.LogFile, error) {
	var l domain.LogFile
	var number int64
	dest := append([]any{&l.ID, &l.IssueID, &l.FileName, &l.SizeBytes, &l.MimeType, &l.ContentHash, &l.ObjectKey,
		&l.Redacted, &l.RedactedObjectKey, &l.RedactedHash, &l.RedactedSize,
		&l.RedactedCount, &l.KeptCount, &l.InvalidUTF8, &l.PIISummary, &l.PIITruncated, &l.UploadedBy,
		&l.UploadedByName, &l.UploadedAt, &l.IssueTitle, &l.OriginalDeletedAt, &number}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	l.UploadedAt = l.UploadedAt.UTC()
	l.IssueRef = domain.IssueRef(number)
	if l.OriginalDeletedAt != nil {
		t := l.OriginalDeletedAt.UTC()
		l.OriginalDeletedAt = &t
	}
	if l.PIISummary == nil {
		l.PIISummary = map[string]int{}
	}
	return &l, nil
}

// NewLogID returns a new UUID v7 for a log.
func (s *LogStore) NewLogID() string { return newID() }

// CheckIssue returns the canonical id of an incident a responder may add logs to.
func (s *LogStore) CheckIssue(ctx context.Context, issueID string) (string, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return "", err
	}
	iid, ok := parseID(issueID)
	if !ok {
		return "", domain.Errorf(domain.ENOTFOUND, "Incident not found.")
	}
	if err := s.db.Pool.QueryRow(ctx, `SELECT id FROM issues WHERE id = $1`, iid).Scan(&iid); err != nil {
		return "", notFound(err, "Incident")
	}
	return iid, nil
}

// CreateLogs inserts the rows of stored logs of one incident with their spans, a log_uploaded
// event and an audit entry each, in one transaction.
func (s *LogStore) CreateLogs(ctx context.Context, logs []*domain.NewLog) ([]*domain.LogFile, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	if len(logs) == 0 {
		return []*domain.LogFile{}, nil
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	iid, err := lockIssue(ctx, tx, logs[0].Log.IssueID)
	if err != nil {
		return nil, err
	}
	out := make([]*domain.LogFile, 0, len(logs))
	for _, nl := range logs {
		l := *nl.Log
		if l.IssueID != iid {
			return nil, fmt.Errorf("create logs: logs of several incidents in one upload")
		}
		l.UploadedBy, l.UploadedAt = actorIDPtr(ctx), tx.now
		if u := domain.UserFromContext(ctx); u != nil {
			l.UploadedByName = u.Name()
		}
		if l.PIISummary == nil {
			l.PIISummary = map[string]int{}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO log_files (id, issue_id, file_name, size_bytes, mime_type, content_hash, object_key,
			                       invalid_utf8, pii_summary, pii_truncated, uploaded_by, uploaded_at, search_text)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			l.ID, l.IssueID, l.FileName, l.SizeBytes, l.MimeType, l.ContentHash, l.ObjectKey,
			l.InvalidUTF8, l.PIISummary, l.PIITruncated, l.UploadedBy, l.UploadedAt, nl.SearchText); err != nil {
			return nil, fmt.Errorf("create log: %w", formatError(err))
		}
		if err := copySpans(ctx, tx, "pii_spans", l.ID, nl.Spans); err != nil {
			return nil, err
		}
		found := 0
		for _, n := range l.PIISummary {
			found += n
		}
		desc := fmt.Sprintf("%s uploaded %s (%s)", actorName(ctx), l.FileName, domain.FormatBytes(l.SizeBytes))
		if found > 0 {
			desc += fmt.Sprintf("; %d possible PII %s to review", found, domain.Plural(found, "value", "values"))
		}
		if _, err := insertTimelineEvent(ctx, tx, iid, domain.EventLogUploaded, desc, map[string]any{
			"log_file_id": l.ID, "file_name": l.FileName, "size_bytes": l.SizeBytes, "pii_found": found,
		}); err != nil {
			return nil, err
		}
		out = append(out, &l)
	}
	if err := touchIssue(ctx, tx, iid); err != nil {
		return nil, err
	}
	for _, l := range out {
		if err := appendAudit(ctx, tx, "log.upload", "log_file", l.ID, map[string]any{
			"issue_id": l.IssueID, "file_name": l.FileName, "size_bytes": l.SizeBytes, "content_hash": l.ContentHash,
			"invalid_utf8": l.InvalidUTF8, "pii_summary": l.PIISummary, "pii_truncated": l.PIITruncated,
		}); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("create logs: %w", err)
	}
	return out, nil
}

// copySpans copies detected spans of a log into table (pii_spans or a temporary table of the
// same columns), each with a new id and approved.
func copySpans(ctx context.Context, tx *Tx, table, logID string, spans []pii.Span) error {
	if len(spans) == 0 {
		return nil
	}
	lid, err := uuid.Parse(logID)
	if err != nil {
		return fmt.Errorf("store detected values: %w", err)
	}
	// Typed values, not strings: pgx encodes them in binary without trying and failing first,
	// which matters for a hundred thousand rows.
	logUUID := pgtype.UUID{Bytes: lid, Valid: true}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{table},
		[]string{"id", "log_file_id", "pii_type", "start_offset", "end_offset", "replacement", "approved"},
		pgx.CopyFromSlice(len(spans), func(i int) ([]any, error) {
			sp := spans[i]
			return []any{pgtype.UUID{Bytes: uuid.Must(uuid.NewV7()), Valid: true}, logUUID, string(sp.Type),
				int64(sp.Start), int64(sp.End), sp.Type.Token(), true}, nil
		}))
	if err != nil {
		return fmt.Errorf("store detected values: %w", formatError(err))
	}
	return nil
}

// FindLogByID returns a log.
func (s *LogStore) FindLogByID(ctx context.Context, id string) (*domain.LogFile, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	return findLogByID(ctx, tx, id, false)
}

// findLogByID returns a log, its row locked for update when forUpdate is set.
func findLogByID(ctx context.Context, tx *Tx, id string, forUpdate bool) (*domain.LogFile, error) {
	lid, ok := parseID(id)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Log not found.")
	}
	q := logSelect + ` WHERE l.id = $1`
	if forUpdate {
		q += ` FOR UPDATE OF l`
	}
	l, err := scanLog(tx.QueryRow(ctx, q, lid))
	if err != nil {
		return nil, notFound(err, "Log")
	}
	return l, nil
}

// findLogsByIssue returns an incident's logs, newest first.
func findLogsByIssue(ctx context.Context, tx *Tx, issueID string) ([]*domain.LogFile, error) {
	rows, err := tx.Query(ctx, logSelect+` WHERE l.issue_id = $1 ORDER BY l.uploaded_at DESC, l.id DESC`, issueID)
	if err != nil {
		return nil, fmt.Errorf("find logs: %w", err)
	}
	return collect(rows, "find logs", func(r pgx.Row) (*domain.LogFile, error) { return scanLog(r) })
}

// FindLogs returns a page of logs, newest first, and the number of all matches. Search matches
// file names (substring) and the indexed, redacted text (web-search syntax).
func (s *LogStore) FindLogs(ctx context.Context, f domain.LogFilter) ([]*domain.LogFile, int, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, 0, err
	}
	pg := pageOf(f.Page, f.PerPage)
	where, args := []string{"TRUE"}, []any{}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.IssueID != "" {
		iid, ok := parseID(f.IssueID)
		if !ok {
			return []*domain.LogFile{}, 0, nil
		}
		where = append(where, "l.issue_id = "+arg(iid))
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		where = append(where, "(l.file_name ILIKE "+arg("%"+likeEscape(q)+"%")+` ESCAPE '\'`+
			" OR l.search @@ websearch_to_tsquery('simple', "+arg(q)+"))")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback(ctx)
	cond := strings.Join(where, " AND ")
	limit, pageArgs := pg.limitOffset(args)
	rows, err := tx.Query(ctx, logColumns+`, COUNT(*) OVER()`+logFrom+`
		WHERE `+cond+`
		ORDER BY l.uploaded_at DESC, l.id DESC
		`+limit, pageArgs...)
	if err != nil {
		return nil, 0, fmt.Errorf("find logs: %w", err)
	}
	defer rows.Close()
	items, total := []*domain.LogFile{}, 0
	for rows.Next() {
		l, err := scanLog(rows, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("scan log: %w", err)
		}
		items = append(items, l)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find logs: %w", err)
	}
	if pg.pastEnd(len(items)) {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM log_files l WHERE `+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count logs: %w", err)
		}
	}
	return items, total, nil
}

// likeEscape escapes the wildcards of a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindLogSpans returns the spans of a log that overlap [from, to), sorted by start; to < 0
// means to the end.
func (s *LogStore) FindLogSpans(ctx context.Context, logID string, from, to int64) ([]*domain.PIISpan, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	lid, ok := parseID(logID)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Log not found.")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	return findSpans(ctx, tx, lid, from, to)
}

// maxSpanLen bounds the length of a detected value: the detector looks at lines of at most
// 256 KiB and at most 64 KiB past the start of a private key. It lets a page's query use the
// index on start offsets from both ends.
const maxSpanLen = 512 << 10

// findSpans runs the query of FindLogSpans.
func findSpans(ctx context.Context, tx *Tx, logID string, from, to int64) ([]*domain.PIISpan, error) {
	rows, err := tx.Query(ctx, `
		SELECT id, log_file_id, pii_type, start_offset, end_offset, replacement, approved
		FROM pii_spans
		WHERE log_file_id = $1 AND start_offset > $2::bigint - $4::bigint AND end_offset > $2
		  AND ($3 < 0 OR start_offset < $3)
		ORDER BY start_offset`, logID, from, to, maxSpanLen)
	if err != nil {
		return nil, fmt.Errorf("find detected values: %w", err)
	}
	defer rows.Close()
	spans := []*domain.PIISpan{}
	for rows.Next() {
		var sp domain.PIISpan
		if err := rows.Scan(&sp.ID, &sp.LogFileID, &sp.PIIType, &sp.Start, &sp.End, &sp.Replacement, &sp.Approved); err != nil {
			return nil, fmt.Errorf("scan detected value: %w", err)
		}
		spans = append(spans, &sp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find detected values: %w", err)
	}
	return spans, nil
}

// FindLogSpanCounts counts a log's spans by type, most frequent first.
func (s *LogStore) FindLogSpanCounts(ctx context.Context, logID string) ([]domain.PIITypeCount, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	lid, ok := parseID(logID)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Log not found.")
	}
	rows, err := s.db.Pool.Query(ctx, `
		SELECT pii_type, count(*), count(*) FILTER (WHERE approved), count(*) FILTER (WHERE decided)
		FROM pii_spans WHERE log_file_id = $1
		GROUP BY pii_type ORDER BY count(*) DESC, pii_type`, lid)
	if err != nil {
		return nil, fmt.Errorf("count detected values: %w", err)
	}
	counts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.PIITypeCount, error) {
		var c domain.PIITypeCount
		err := r.Scan(&c.PIIType, &c.Count, &c.Approved, &c.Decided)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("count detected values: %w", err)
	}
	if counts == nil {
		counts = []domain.PIITypeCount{}
	}
	return counts, nil
}

// lockOpenLog locks a log that is still under review, for a change to its review.
func lockOpenLog(ctx context.Context, tx *Tx, logID string) (*domain.LogFile, error) {
	l, err := findLogByID(ctx, tx, logID, true)
	if err != nil {
		return nil, err
	}
	if l.Redacted {
		return nil, domain.Errorf(domain.ECONFLICT, "Redactions were already applied to this log; its review is closed.")
	}
	return l, nil
}

// ReplaceLogSpans records a new detection run over a log under review: spans found again (same
// start, end and type) keep their review, new ones are approved, the others are removed.
func (s *LogStore) ReplaceLogSpans(ctx context.Context, logID string, spans []pii.Span, summary map[string]int, truncated bool) error {
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
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE detected_spans (LIKE pii_spans INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if err := copySpans(ctx, tx, "detected_spans", l.ID, spans); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `
		DELETE FROM pii_spans p WHERE p.log_file_id = $1 AND NOT EXISTS (
			SELECT 1 FROM detected_spans d
			WHERE d.start_offset = p.start_offset AND d.end_offset = p.end_offset AND d.pii_type = p.pii_type)`, l.ID)
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	removed := tag.RowsAffected()
	tag, err = tx.Exec(ctx, `
		INSERT INTO pii_spans (id, log_file_id, pii_type, start_offset, end_offset, replacement, approved)
		SELECT id, log_file_id, pii_type, start_offset, end_offset, replacement, true FROM detected_spans
		ON CONFLICT (log_file_id, start_offset) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	added := tag.RowsAffected()
	if summary == nil {
		summary = map[string]int{}
	}
	if _, err := tx.Exec(ctx, `UPDATE log_files SET pii_summary = $2, pii_truncated = $3 WHERE id = $1`,
		l.ID, summary, truncated); err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if err := appendAudit(ctx, tx, "log.detect", "log_file", l.ID, map[string]any{
		"issue_id": l.IssueID, "pii_summary": summary, "pii_truncated": truncated, "added": added, "removed": removed,
	}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// SetSpanApproval approves or rejects the selected spans of a log under review and returns how
// many changed. Changes are audited (ids and types, never values).
func (s *LogStore) SetSpanApproval(ctx context.Context, logID string, sel domain.SpanSelection, approved bool) (int, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return 0, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	l, err := lockOpenLog(ctx, tx, logID)
	if err != nil {
		return 0, err
	}
	where, args := []string{"log_file_id = $1", "(approved <> $2 OR NOT decided)"}, []any{l.ID, approved}
	details := map[string]any{"issue_id": l.IssueID, "approved": approved}
	switch {
	case sel.SpanID != "":
		sid, ok := parseID(sel.SpanID)
		var exists bool
		if ok {
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pii_spans WHERE id = $1 AND log_file_id = $2)`,
				sid, l.ID).Scan(&exists); err != nil {
				return 0, fmt.Errorf("review: %w", err)
			}
		}
		if !exists {
			return 0, domain.Errorf(domain.ENOTFOUND, "Detected value not found.")
		}
		args = append(args, sid)
		where = append(where, fmt.Sprintf("id = $%d", len(args)))
		details["span_id"] = sid
	case sel.ValueKey != "":
		key, err := hex.DecodeString(sel.ValueKey)
		if err != nil || len(key) != sha256.Size {
			return 0, domain.Errorf(domain.ENOTFOUND, "Detected value not found.")
		}
		args = append(args, key)
		where = append(where, fmt.Sprintf("value_key = $%d", len(args)))
		// The key is a hash of the log's id and the value: the audit names the value by it and
		// its types, never by the value.
		details["value_key"] = sel.ValueKey
	case sel.PIIType != "":
		args = append(args, sel.PIIType)
		where = append(where, fmt.Sprintf("pii_type = $%d", len(args)))
		details["pii_type"] = sel.PIIType
	default:
		details["all"] = true
	}
	// One statement whatever the number of spans; it also says which types changed.
	var n int
	var types []string
	if err := tx.QueryRow(ctx, `
		WITH changed AS (
			UPDATE pii_spans SET approved = $2, decided = true WHERE `+strings.Join(where, " AND ")+`
			RETURNING pii_type)
		SELECT count(*), COALESCE(array_agg(DISTINCT pii_type), '{}') FROM changed`, args...).Scan(&n, &types); err != nil {
		return 0, fmt.Errorf("review: %w", formatError(err))
	}
	if n == 0 {
		if sel.ValueKey != "" {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pii_spans WHERE log_file_id = $1 AND value_key = $2)`,
				l.ID, args[len(args)-1]).Scan(&exists); err != nil {
				return 0, fmt.Errorf("review: %w", err)
			}
			if !exists {
				return 0, domain.Errorf(domain.ENOTFOUND, "Detected value not found.")
			}
		}
		return 0, nil
	}
	details["changed"] = n
	if sel.ValueKey != "" {
		details["pii_types"] = types
	}
	if err := appendAudit(ctx, tx, "log.review", "log_file", l.ID, details); err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("review: %w", err)
	}
	return n, nil
}

// ApplyRedactions locks a log under review, settles its spans' approval, lets write store the
// redacted text, and records the result: the log marked redacted with the new object, its size
// and hash, a pii_redacted event and an audit entry naming the applied spans (ids, types and
// counts, never values). The row lock keeps two applies from racing.
func (s *LogStore) ApplyRedactions(ctx context.Context, logID string, approvedIDs []string,
	write func(*domain.LogFile, []*domain.PIISpan) (*domain.Redaction, error)) (*domain.LogFile, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	l, err := lockOpenLog(ctx, tx, logID)
	if err != nil {
		return nil, err
	}
	if approvedIDs != nil {
		if err := setApprovedExactly(ctx, tx, l.ID, approvedIDs); err != nil {
			return nil, err
		}
	}
	spans, err := findSpans(ctx, tx, l.ID, 0, -1)
	if err != nil {
		return nil, err
	}
	red, err := write(l, spans)
	if err != nil {
		return nil, err
	}
	applied := 0
	for _, n := range red.AppliedByType {
		applied += n
	}
	rejected := len(spans) - len(red.AppliedSpanIDs)
	if _, err := tx.Exec(ctx, `
		UPDATE log_files SET redacted = true, redacted_object_key = $2, redacted_hash = $3, redacted_size = $4,
		       redacted_at = $5, redacted_by = $6, redacted_count = $7, kept_count = $8
		WHERE id = $1`, l.ID, red.ObjectKey, red.Hash, red.Size, tx.now, actorIDPtr(ctx), applied, rejected); err != nil {
		return nil, fmt.Errorf("apply redactions: %w", formatError(err))
	}
	l.Redacted, l.RedactedObjectKey, l.RedactedHash, l.RedactedSize = true, red.ObjectKey, red.Hash, red.Size
	l.RedactedCount, l.KeptCount = applied, rejected

	desc := fmt.Sprintf("%s applied redactions to %s: %d %s redacted", actorName(ctx), l.FileName,
		applied, domain.Plural(applied, "value", "values"))
	if rejected > 0 {
		desc += fmt.Sprintf(", %d kept as not sensitive", rejected)
	}
	if _, err := insertTimelineEvent(ctx, tx, l.IssueID, domain.EventPIIRedacted, desc, map[string]any{
		"log_file_id": l.ID, "file_name": l.FileName, "applied_by_type": red.AppliedByType, "rejected": rejected,
	}); err != nil {
		return nil, err
	}
	if err := touchIssue(ctx, tx, l.IssueID); err != nil {
		return nil, err
	}
	details := map[string]any{
		"issue_id": l.IssueID, "file_name": l.FileName, "redacted_hash": red.Hash, "content_hash": l.ContentHash,
		"applied_by_type": red.AppliedByType, "applied_count": applied, "reviewed_applied": len(red.AppliedSpanIDs),
		"rejected_count": rejected, "unreviewed_applied": red.Unreviewed,
	}
	ids := slices.Clone(red.AppliedSpanIDs)
	slices.Sort(ids)
	if len(ids) <= maxAuditSpanIDs {
		details["applied_span_ids"] = ids
	} else {
		h := sha256.Sum256([]byte(strings.Join(ids, ",")))
		details["applied_span_ids_sha256"] = hex.EncodeToString(h[:])
	}
	if err := appendAudit(ctx, tx, "log.redact", "log_file", l.ID, details); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("apply redactions: %w", err)
	}
	return l, nil
}

// setApprovedExactly approves the spans in ids and rejects the others; every id must be a span
// of the log.
func setApprovedExactly(ctx context.Context, tx *Tx, logID string, ids []string) error {
	invalid := domain.Invalid("Unknown span ids.", map[string]string{
		"approved_span_ids": "Give ids of this log's detected values (POST …/pii/detect lists them).",
	})
	canon := make([]string, 0, len(ids))
	for _, id := range ids {
		cid, ok := parseID(id)
		if !ok {
			return invalid
		}
		canon = append(canon, cid)
	}
	slices.Sort(canon)
	canon = slices.Compact(canon)
	var known int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM pii_spans WHERE log_file_id = $1 AND id = ANY($2)`,
		logID, canon).Scan(&known); err != nil {
		return fmt.Errorf("apply redactions: %w", err)
	}
	if known != len(canon) {
		return invalid
	}
	if _, err := tx.Exec(ctx, `UPDATE pii_spans SET approved = (id = ANY($2)), decided = true WHERE log_file_id = $1`, logID, canon); err != nil {
		return fmt.Errorf("apply redactions: %w", err)
	}
	return nil
}

// DeleteLog deletes a log's row (its spans go with it) and returns it, so that the caller can
// remove its objects. The audit entry keeps the name and hash.
func (s *LogStore) DeleteLog(ctx context.Context, id string) (*domain.LogFile, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	l, err := findLogByID(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM log_files WHERE id = $1`, l.ID); err != nil {
		return nil, fmt.Errorf("delete log: %w", formatError(err))
	}
	if err := touchIssue(ctx, tx, l.IssueID); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, "log.delete", "log_file", l.ID, map[string]any{
		"issue_id": l.IssueID, "file_name": l.FileName, "size_bytes": l.SizeBytes, "content_hash": l.ContentHash,
		"redacted": l.Redacted,
	}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("delete log: %w", err)
	}
	return l, nil
}

// RecordOriginalView audits an admin's look at the original text of a redacted log.
func (s *LogStore) RecordOriginalView(ctx context.Context, logID, via string) error {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	l, err := findLogByID(ctx, tx, logID, false)
	if err != nil {
		return err
	}
	if err := appendAudit(ctx, tx, "log.view_original", "log_file", l.ID, map[string]any{
		"issue_id": l.IssueID, "file_name": l.FileName, "via": via,
	}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// OwnedObjectKeys returns the keys that a log row refers to, as its text or its redacted text.
// The sweeper calls it without a user.
func (s *LogStore) OwnedObjectKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	owned := make(map[string]bool, len(keys))
	if len(keys) == 0 {
		return owned, nil
	}
	rows, err := s.db.Pool.Query(ctx, `
		SELECT object_key FROM log_files WHERE object_key = ANY($1)
		UNION
		SELECT redacted_object_key FROM log_files WHERE redacted_object_key = ANY($1)`, keys)
	if err != nil {
		return nil, fmt.Errorf("owned log objects: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("owned log objects: %w", err)
	}
	for _, k := range found {
		owned[k] = true
	}
	return owned, nil
}
