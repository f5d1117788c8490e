package db

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// auditLockKey is the transaction-level advisory lock that serialises appends to the audit
// chain, so that every entry links to the one committed before it.
const auditLockKey int64 = 0x7466_7473_7201 // "tftsr" 1

// Ensure AuditService implements the domain port.
var _ domain.AuditService = (*AuditService)(nil)

// AuditService reads and verifies the audit log.
type AuditService struct {
	db *DB
}

// NewAuditService returns an AuditService over db.
func NewAuditService(db *DB) *AuditService {
	return &AuditService{db: db}
}

// appendAudit appends an entry to the audit chain inside tx. The actor is the context's user; a
// system context is recorded with no actor and its "via" in the details. Details are any value
// that marshals to a JSON object (nil for none) and must never hold secrets.
//
// Call it as the last statement of a transaction: it takes the chain lock, which is then held
// until commit, and taking it last keeps lock order the same in every transaction.
func appendAudit(ctx context.Context, tx *Tx, action, entityType, entityID string, details any) error {
	raw, err := auditDetails(ctx, details)
	if err != nil {
		return err
	}
	e := &domain.AuditEntry{
		ID:         newID(),
		At:         tx.now,
		Action:     action,
		EntityType: entityType,
		EntityID:   entityID,
		Details:    raw,
	}
	if id := domain.UserIDFromContext(ctx); id != "" {
		e.ActorID = &id
	}

	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
		return fmt.Errorf("lock audit chain: %w", err)
	}
	if err := tx.QueryRow(ctx, `SELECT entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&e.PrevHash); errors.Is(err, pgx.ErrNoRows) {
		e.PrevHash = ""
	} else if err != nil {
		return fmt.Errorf("read audit chain head: %w", err)
	}
	e.EntryHash = e.ComputeHash(e.PrevHash)

	if _, err := tx.Exec(ctx, `
		INSERT INTO audit_log (id, at, actor_id, action, entity_type, entity_id, details, prev_hash, entry_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8, $9)`,
		e.ID, e.At, e.ActorID, e.Action, e.EntityType, e.EntityID, string(e.Details), e.PrevHash, e.EntryHash,
	); err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	return nil
}

// auditDetails returns details as canonical JSON, with the "via" of a system context added.
func auditDetails(ctx context.Context, details any) ([]byte, error) {
	m := map[string]any{}
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil {
			return nil, fmt.Errorf("marshal audit details: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("decode audit details: %w", err)
		}
		if obj, ok := v.(map[string]any); ok {
			m = obj
		} else if v != nil {
			m["value"] = v
		}
	}
	if via := domain.SystemVia(ctx); via != "" && domain.UserFromContext(ctx) == nil {
		m["via"] = via
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("marshal audit details: %w", err)
	}
	return domain.CanonicalDetails(b), nil
}

// change is the details of one changed field: {"from": …, "to": …}.
type change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// FindAuditEntries returns audit entries matching f, newest first, and the number of all matches.
// Only admins may read the audit log.
func (s *AuditService) FindAuditEntries(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEntry, int, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return nil, 0, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback(ctx)
	return findAuditEntries(ctx, tx, f)
}

// findAuditEntries runs the query of FindAuditEntries.
func findAuditEntries(ctx context.Context, tx *Tx, f domain.AuditFilter) ([]*domain.AuditEntry, int, error) {
	pg := pageOf(f.Page, f.PerPage)
	where, args := []string{"TRUE"}, []any{}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Action != "" {
		where = append(where, "a.action = "+arg(f.Action))
	}
	if f.EntityType != "" {
		where = append(where, "a.entity_type = "+arg(f.EntityType))
	}
	if f.ActorID != "" {
		id, ok := parseID(f.ActorID)
		if !ok {
			return []*domain.AuditEntry{}, 0, nil
		}
		where = append(where, "a.actor_id = "+arg(id))
	}
	if f.From != nil {
		where = append(where, "a.at >= "+arg(f.From.UTC()))
	}
	if f.To != nil {
		where = append(where, "a.at < "+arg(f.To.UTC()))
	}
	cond := strings.Join(where, " AND ")
	limit, pageArgs := pg.limitOffset(args)

	rows, err := tx.Query(ctx, `
		SELECT a.seq, a.id, a.at, a.actor_id, COALESCE(NULLIF(u.display_name, ''), u.username, ''),
		       a.action, a.entity_type, a.entity_id, a.details::text, a.prev_hash, a.entry_hash,
		       COUNT(*) OVER()
		FROM audit_log a
		LEFT JOIN users u ON u.id = a.actor_id
		WHERE `+cond+`
		ORDER BY a.seq DESC
		`+limit, pageArgs...)
	if err != nil {
		return nil, 0, fmt.Errorf("find audit entries: %w", err)
	}
	defer rows.Close()
	entries, total := []*domain.AuditEntry{}, 0
	for rows.Next() {
		var e domain.AuditEntry
		var details string
		if err := rows.Scan(&e.Seq, &e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.EntityType,
			&e.EntityID, &details, &e.PrevHash, &e.EntryHash, &total); err != nil {
			return nil, 0, fmt.Errorf("scan audit entry: %w", err)
		}
		e.At = e.At.UTC()
		e.Details = json.RawMessage(details)
		entries = append(entries, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find audit entries: %w", err)
	}
	if pg.pastEnd(len(entries)) {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM audit_log a WHERE `+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count audit entries: %w", err)
		}
	}
	return entries, total, nil
}

// VerifyAuditChain walks the whole audit log in order, recomputing every hash, and reports the
// first entry whose link to its predecessor or whose own hash does not match. Rows are streamed,
// so the log may be any size. Admins and system contexts may verify.
func (s *AuditService) VerifyAuditChain(ctx context.Context) (*domain.AuditVerification, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return nil, err
	}
	// One statement reads one snapshot, so entries appended meanwhile are not half-seen.
	rows, err := s.db.Pool.Query(ctx, `
		SELECT seq, id, at, actor_id, action, entity_type, entity_id, details::text, prev_hash, entry_hash
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()

	v := &domain.AuditVerification{OK: true}
	prev := ""
	var e domain.AuditEntry
	var details string
	for rows.Next() {
		if err := rows.Scan(&e.Seq, &e.ID, &e.At, &e.ActorID, &e.Action, &e.EntityType, &e.EntityID,
			&details, &e.PrevHash, &e.EntryHash); err != nil {
			return nil, fmt.Errorf("scan audit entry: %w", err)
		}
		v.Entries++
		if !v.OK {
			continue // keep counting
		}
		e.Details = json.RawMessage(details)
		switch {
		case e.PrevHash != prev:
			v.OK, v.BrokenSeq, v.BrokenID = false, e.Seq, e.ID
			v.Reason = fmt.Sprintf("entry %d does not link to the entry before it: prev_hash %s, want %s",
				e.Seq, short(e.PrevHash), short(prev))
		case e.ComputeHash(e.PrevHash) != e.EntryHash:
			v.OK, v.BrokenSeq, v.BrokenID = false, e.Seq, e.ID
			v.Reason = fmt.Sprintf("entry %d has been altered: its contents do not match its hash %s",
				e.Seq, short(e.EntryHash))
		}
		prev = e.EntryHash
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return v, nil
}

// short returns the first 12 characters of a hash, or "(none)" for the empty hash.
func short(h string) string {
	if h == "" {
		return "(none)"
	}
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// AuditFacets returns the distinct actions and entity types recorded, sorted, for filters.
func (s *AuditService) AuditFacets(ctx context.Context) (actions, entityTypes []string, err error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return nil, nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback(ctx)
	if actions, err = distinctStrings(ctx, tx, `SELECT DISTINCT action FROM audit_log ORDER BY 1`); err != nil {
		return nil, nil, err
	}
	if entityTypes, err = distinctStrings(ctx, tx, `SELECT DISTINCT entity_type FROM audit_log ORDER BY 1`); err != nil {
		return nil, nil, err
	}
	return actions, entityTypes, nil
}

// distinctStrings returns the first column of every row of query.
func distinctStrings(ctx context.Context, tx *Tx, query string) ([]string, error) {
	rows, err := tx.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("audit facets: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("audit facets: %w", err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}
