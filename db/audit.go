package db

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
	keys := tx.db.AuditKeys
	if keys == nil {
		return domain.ErrNoAuditKeys
	}
	raw, err := auditDetails(ctx, details)
	if err != nil {
		return err
	}
	e := &domain.AuditEntry{
		Chain:      domain.AuditChainHMAC,
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
	// The first keyed entry links to the last unkeyed one, so its MAC covers the old chain.
	e.EntryHash = keys.ComputeMAC(e, e.PrevHash)

	if _, err := tx.Exec(ctx, `
		INSERT INTO audit_log (chain, id, at, actor_id, action, entity_type, entity_id, details, prev_hash, entry_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json, $9, $10)`,
		e.Chain, e.ID, e.At, e.ActorID, e.Action, e.EntityType, e.EntityID, string(e.Details), e.PrevHash, e.EntryHash,
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

// auditWhere returns the condition of the entries matching f and its arguments; ok is false
// when nothing can match (an actor that is not an id).
func auditWhere(f domain.AuditFilter) (cond string, args []any, ok bool) {
	where := []string{"TRUE"}
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
			return "", nil, false
		}
		where = append(where, "a.actor_id = "+arg(id))
	}
	if f.Query != "" {
		p := arg("%" + likeEscape(f.Query) + "%")
		where = append(where, "(a.action ILIKE "+p+" OR a.entity_type ILIKE "+p+" OR a.entity_id ILIKE "+p+" OR a.details::text ILIKE "+p+")")
	}
	if f.From != nil {
		where = append(where, "a.at >= "+arg(f.From.UTC()))
	}
	if f.To != nil {
		where = append(where, "a.at < "+arg(f.To.UTC()))
	}
	return strings.Join(where, " AND "), args, true
}

// auditSelect reads entries with their actor's name and what their entity and incident are
// called now (null when they no longer exist); ids that are not uuids name nothing stored.
const auditSelect = `
	SELECT a.seq, a.chain, a.id, a.at, a.actor_id, COALESCE(NULLIF(u.display_name, ''), u.username, ''),
	       a.action, a.entity_type, a.entity_id, a.details::text, a.prev_hash, a.entry_hash,
	       COALESCE(CASE WHEN a.entity_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
	           CASE a.entity_type
	           WHEN 'issue' THEN (SELECT 'INC-' || x.number || ' "' || x.title || '"' FROM issues x WHERE x.id = a.entity_id::uuid)
	           WHEN 'user' THEN (SELECT COALESCE(NULLIF(x.display_name, ''), x.username) FROM users x WHERE x.id = a.entity_id::uuid)
	           WHEN 'document' THEN (SELECT x.title FROM documents x WHERE x.id = a.entity_id::uuid)
	           WHEN 'log_file' THEN (SELECT x.file_name FROM log_files x WHERE x.id = a.entity_id::uuid)
	           WHEN 'image_attachment' THEN (SELECT x.file_name FROM image_attachments x WHERE x.id = a.entity_id::uuid)
	           END END, ''),
	       COALESCE(CASE WHEN (a.details->>'issue_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
	           (SELECT 'INC-' || x.number FROM issues x WHERE x.id = (a.details->>'issue_id')::uuid) END, '')`

// scanAuditEntry reads a row of auditSelect and the more columns that follow it.
func scanAuditEntry(rows pgx.Rows, more ...any) (*domain.AuditEntry, error) {
	var e domain.AuditEntry
	var details string
	if err := rows.Scan(append([]any{&e.Seq, &e.Chain, &e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.EntityType,
		&e.EntityID, &details, &e.PrevHash, &e.EntryHash, &e.EntityName, &e.IssueRef}, more...)...); err != nil {
		return nil, fmt.Errorf("scan audit entry: %w", err)
	}
	e.At = e.At.UTC()
	e.Details = json.RawMessage(details)
	return &e, nil
}

// findAuditEntries runs the query of FindAuditEntries.
func findAuditEntries(ctx context.Context, tx *Tx, f domain.AuditFilter) ([]*domain.AuditEntry, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	pg := pageOf(f.Page, f.PerPage)
	cond, args, ok := auditWhere(f)
	if !ok {
		return []*domain.AuditEntry{}, 0, nil
	}
	limit, pageArgs := pg.limitOffset(args)

	rows, err := tx.Query(ctx, auditSelect+`, COUNT(*) OVER()
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
		e, err := scanAuditEntry(rows, &total)
		if err != nil {
			return nil, 0, err
		}
		entries = append(entries, e)
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

// ExportAuditEntries records the export in the audit log, then streams every entry matching f,
// newest first, to fn. Only admins may. The entries are read from one snapshot taken after the
// export's own entry is committed, so the export lists itself.
func (s *AuditService) ExportAuditEntries(ctx context.Context, f domain.AuditFilter, format string, fn func(*domain.AuditEntry) error) error {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	filter := map[string]any{"action": f.Action, "entity_type": f.EntityType, "actor": f.ActorID, "q": f.Query,
		"from": auditTimePtr(f.From), "to": auditTimePtr(f.To)}
	if err := appendAudit(ctx, tx, "audit.export", "audit_log", "audit_log", map[string]any{"format": format, "filter": filter}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("record audit export: %w", err)
	}

	cond, args, ok := auditWhere(f)
	if !ok {
		return nil
	}
	rtx, err := s.db.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer rtx.Rollback(ctx)
	rows, err := rtx.Query(ctx, auditSelect+`
		FROM audit_log a
		LEFT JOIN users u ON u.id = a.actor_id
		WHERE `+cond+`
		ORDER BY a.seq DESC`, args...)
	if err != nil {
		return fmt.Errorf("export audit entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export audit entries: %w", err)
	}
	return nil
}

// VerifyAuditChain walks the whole audit log in order, recomputing every hash, checks it against
// every stored checkpoint, and reports the first entry or checkpoint that does not match. Admins
// and system contexts may verify.
func (s *AuditService) VerifyAuditChain(ctx context.Context) (*domain.AuditVerification, error) {
	return s.VerifyAuditChainWith(ctx, nil)
}

// VerifyAuditChainWith is VerifyAuditChain that also checks the chain against checkpoints kept
// elsewhere (exported lines), which catch a log cut short together with its stored checkpoints.
//
// The chain is broken when an entry does not link to the one before it, when its hash does not
// match (keyed entries need the key: re-hashing with plain SHA-256 is caught), when an unkeyed
// entry follows a keyed one, when a checkpoint's signature is not the key's, or when the chain
// at a checkpoint's entry does not have its count and head, or ends before it (truncation).
// Rows are streamed, so the log may be any size.
func (s *AuditService) VerifyAuditChainWith(ctx context.Context, external []*domain.AuditCheckpoint) (*domain.AuditVerification, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return nil, err
	}
	keys := s.db.AuditKeys
	if keys == nil {
		return nil, domain.ErrNoAuditKeys
	}
	// One snapshot for the checkpoints and the entries, so that a checkpoint written meanwhile
	// is not taken for one the log does not reach.
	tx, err := s.db.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	defer tx.Rollback(ctx)

	v := &domain.AuditVerification{OK: true}
	broken := func(seq int64, id, format string, args ...any) {
		if v.OK {
			v.OK, v.BrokenSeq, v.BrokenID, v.Reason = false, seq, id, fmt.Sprintf(format, args...)
		}
	}
	stored, err := auditCheckpoints(ctx, tx)
	if err != nil {
		return nil, err
	}
	// The checkpoints to meet, by entry; a signature that is not the key's breaks the chain
	// at once, since nothing that checkpoint says can be believed.
	type want struct {
		cp     *domain.AuditCheckpoint
		origin string
	}
	pending := map[int64][]want{}
	for _, list := range []struct {
		origin string
		cps    []*domain.AuditCheckpoint
	}{{"stored checkpoint", stored}, {"given checkpoint", external}} {
		for _, cp := range list.cps {
			v.Checkpoints++
			if !keys.ValidSignature(cp) {
				broken(cp.Seq, "", "the %s at entry %d has a signature that is not this portal's key: it was forged or altered",
					list.origin, cp.Seq)
				continue
			}
			pending[cp.Seq] = append(pending[cp.Seq], want{cp, list.origin})
		}
	}

	rows, err := tx.Query(ctx, `
		SELECT seq, chain, id, at, actor_id, action, entity_type, entity_id, details::text, prev_hash, entry_hash
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()

	prev, keyed, last := "", false, int64(0)
	var e domain.AuditEntry
	var details string
	for rows.Next() {
		if err := rows.Scan(&e.Seq, &e.Chain, &e.ID, &e.At, &e.ActorID, &e.Action, &e.EntityType, &e.EntityID,
			&details, &e.PrevHash, &e.EntryHash); err != nil {
			return nil, fmt.Errorf("scan audit entry: %w", err)
		}
		v.Entries++
		last = e.Seq
		if !v.OK {
			continue // keep counting
		}
		e.Details = json.RawMessage(details)
		var hash string
		switch e.Chain {
		case domain.AuditChainSHA256:
			hash = e.ComputeHash(e.PrevHash)
		case domain.AuditChainHMAC:
			hash = keys.ComputeMAC(&e, e.PrevHash)
		}
		switch {
		case e.PrevHash != prev:
			broken(e.Seq, e.ID, "entry %d does not link to the entry before it: prev_hash %s, want %s",
				e.Seq, short(e.PrevHash), short(prev))
		case e.Chain == domain.AuditChainSHA256 && keyed:
			broken(e.Seq, e.ID, "entry %d is unkeyed but follows keyed entries: it was rewritten without the key", e.Seq)
		case hash == "" || hash != e.EntryHash:
			broken(e.Seq, e.ID, "entry %d has been altered: its contents do not match its hash %s",
				e.Seq, short(e.EntryHash))
		}
		keyed = keyed || e.Chain == domain.AuditChainHMAC
		for _, w := range pending[e.Seq] {
			switch {
			case w.cp.Head != e.EntryHash:
				broken(e.Seq, e.ID, "the chain does not match the %s at entry %d: its hash is %s, the checkpoint's %s",
					w.origin, e.Seq, short(e.EntryHash), short(w.cp.Head))
			case w.cp.Entries != v.Entries:
				broken(e.Seq, e.ID, "the chain does not match the %s at entry %d: %d entries up to it, the checkpoint counted %d",
					w.origin, e.Seq, v.Entries, w.cp.Entries)
			}
		}
		delete(pending, e.Seq)
		prev = e.EntryHash
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	// Checkpoints the walk did not meet name entries that are gone.
	var missing []int64
	for seq := range pending {
		missing = append(missing, seq)
	}
	slices.Sort(missing)
	for _, seq := range missing {
		w := pending[seq][0]
		if seq > last {
			broken(seq, "", "the %s at entry %d is beyond the log's last entry (%d): entries were removed from the end",
				w.origin, seq, last)
		} else {
			broken(seq, "", "entry %d, which the %s records, is missing: entries were removed", seq, w.origin)
		}
	}
	return v, nil
}

// auditCheckpoints returns the stored checkpoints, oldest first.
func auditCheckpoints(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) ([]*domain.AuditCheckpoint, error) {
	rows, err := q.Query(ctx, `SELECT seq, entries, head_hash, at, signature FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	cps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.AuditCheckpoint, error) {
		var c domain.AuditCheckpoint
		err := r.Scan(&c.Seq, &c.Entries, &c.Head, &c.At, &c.Sig)
		c.At = c.At.UTC()
		return &c, err
	})
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	return cps, nil
}

// WriteAuditCheckpoint signs and stores a checkpoint of the chain's head, and returns it. When
// the latest checkpoint already names the head, that one is returned and nothing is written;
// with no entries at all there is nothing to vouch for and it returns nil. It holds the chain's
// lock, so it is safe with several portals at once. Admins and system contexts may write one.
func (s *AuditService) WriteAuditCheckpoint(ctx context.Context) (*domain.AuditCheckpoint, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return nil, err
	}
	keys := s.db.AuditKeys
	if keys == nil {
		return nil, domain.ErrNoAuditKeys
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
		return nil, fmt.Errorf("lock audit chain: %w", err)
	}
	cp := &domain.AuditCheckpoint{At: tx.now.Truncate(time.Second)}
	var lastSeq, lastEntries int64
	var lastCP domain.AuditCheckpoint
	err = tx.QueryRow(ctx, `SELECT seq, entries, head_hash, at, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).
		Scan(&lastCP.Seq, &lastCP.Entries, &lastCP.Head, &lastCP.At, &lastCP.Sig)
	if err == nil {
		lastSeq, lastEntries = lastCP.Seq, lastCP.Entries
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("read latest audit checkpoint: %w", err)
	}
	err = tx.QueryRow(ctx, `SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&cp.Seq, &cp.Head)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read audit chain head: %w", err)
	}
	if cp.Seq == lastSeq {
		lastCP.At = lastCP.At.UTC()
		return &lastCP, nil
	}
	// Counting only what came after the latest checkpoint keeps this cheap on a long log; a
	// wrong count there is caught by verify, which counts everything.
	var since int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE seq > $1`, lastSeq).Scan(&since); err != nil {
		return nil, fmt.Errorf("count audit entries: %w", err)
	}
	cp.Entries = lastEntries + since
	keys.Sign(cp)
	if _, err := tx.Exec(ctx, `INSERT INTO audit_checkpoints (seq, entries, head_hash, at, signature)
		VALUES ($1, $2, $3, $4, $5)`, cp.Seq, cp.Entries, cp.Head, cp.At, cp.Sig); err != nil {
		return nil, fmt.Errorf("write audit checkpoint: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("write audit checkpoint: %w", err)
	}
	return cp, nil
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
