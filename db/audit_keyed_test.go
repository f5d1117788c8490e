package db_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
)

// tamperAudit runs statements with the audit tables' append-only triggers off, as someone with
// the database's superuser might.
func tamperAudit(t *testing.T, d *db.DB, fn func(tx pgx.Tx)) {
	t.Helper()
	bg := context.Background()
	tx, err := d.Pool.Begin(bg)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(bg)
	for _, q := range []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`, `ALTER TABLE audit_checkpoints DISABLE TRIGGER USER`} {
		if _, err := tx.Exec(bg, q); err != nil {
			t.Fatal(err)
		}
	}
	fn(tx)
	for _, q := range []string{`ALTER TABLE audit_log ENABLE TRIGGER USER`, `ALTER TABLE audit_checkpoints ENABLE TRIGGER USER`} {
		if _, err := tx.Exec(bg, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(bg); err != nil {
		t.Fatal(err)
	}
}

// mustExec runs one statement in tx.
func mustExec(t *testing.T, tx pgx.Tx, q string, args ...any) {
	t.Helper()
	if _, err := tx.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// readEntries returns every audit entry, oldest first, with the columns the hash covers.
func readEntries(t *testing.T, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) []*domain.AuditEntry {
	t.Helper()
	rows, err := q.Query(context.Background(), `SELECT seq, chain, id, at, actor_id, action, entity_type, entity_id,
		details::text, prev_hash, entry_hash FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.AuditEntry, error) {
		var e domain.AuditEntry
		var details string
		err := r.Scan(&e.Seq, &e.Chain, &e.ID, &e.At, &e.ActorID, &e.Action, &e.EntityType, &e.EntityID,
			&details, &e.PrevHash, &e.EntryHash)
		e.Details = json.RawMessage(details)
		return &e, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// rehashFrom recomputes, with plain SHA-256, the hash of every entry from index i on and the link
// of the one after it: all that someone without the key can do to hide a change.
func rehashFrom(t *testing.T, tx pgx.Tx, entries []*domain.AuditEntry, i, chain int) {
	t.Helper()
	prev := ""
	if i > 0 {
		prev = entries[i-1].EntryHash
	}
	for _, e := range entries[i:] {
		e.PrevHash = prev
		e.EntryHash = e.ComputeHash(prev)
		mustExec(t, tx, `UPDATE audit_log SET chain = $1, details = $2::json, prev_hash = $3, entry_hash = $4 WHERE seq = $5`,
			chain, string(e.Details), e.PrevHash, e.EntryHash, e.Seq)
		prev = e.EntryHash
	}
}

// mustVerify verifies the chain as the command line does.
func mustVerify(t *testing.T, s *services, external ...*domain.AuditCheckpoint) *domain.AuditVerification {
	t.Helper()
	v, err := s.Audit.VerifyAuditChainWith(systemCtx(), external)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wantBroken fails t unless v is broken at entry seq for a reason containing reason.
func wantBroken(t *testing.T, v *domain.AuditVerification, seq int64, reason string) {
	t.Helper()
	if v.OK || v.BrokenSeq != seq || !strings.Contains(v.Reason, reason) {
		t.Fatalf("verification = %+v, want broken at %d: %q", v, seq, reason)
	}
}

// mustAudit records n entries.
func mustAudit(t *testing.T, s *services, n int) {
	t.Helper()
	r := db.NewAuditRecorder(s.DB)
	for i := range n {
		if err := r.RecordAudit(systemCtx(), "test.event", "thing", "t", map[string]any{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditKeyed_RehashWithoutKey(t *testing.T) {
	t.Parallel()
	for _, chain := range []int{domain.AuditChainHMAC, domain.AuditChainSHA256} {
		s := MustOpenServices(t)
		mustAudit(t, s, 6)
		entries := readEntries(t, s.DB.Pool)
		for _, e := range entries {
			if e.Chain != domain.AuditChainHMAC {
				t.Fatalf("entry %d written with chain %d, want keyed", e.Seq, e.Chain)
			}
		}
		// Edit entry 3 and re-hash it and every later entry, keeping or dropping the version.
		tamperAudit(t, s.DB, func(tx pgx.Tx) {
			entries[2].Details = json.RawMessage(`{"n":"forged"}`)
			rehashFrom(t, tx, entries, 2, chain)
		})
		want := "altered"
		if chain == domain.AuditChainSHA256 {
			want = "unkeyed but follows keyed"
		}
		wantBroken(t, mustVerify(t, s), entries[2].Seq, want)
	}
}

func TestAuditCheckpoint_Clean(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	if cp, err := s.Audit.WriteAuditCheckpoint(systemCtx()); err != nil || cp != nil {
		t.Fatalf("checkpoint of an empty log = %+v, %v; want none", cp, err)
	}
	mustAudit(t, s, 3)
	first, err := s.Audit.WriteAuditCheckpoint(systemCtx())
	if err != nil {
		t.Fatal(err)
	}
	entries := readEntries(t, s.DB.Pool)
	head := entries[len(entries)-1]
	if first.Seq != head.Seq || first.Entries != 3 || first.Head != head.EntryHash || !first.At.Equal(s.Clock.Now().Truncate(time.Second)) {
		t.Fatalf("checkpoint = %+v, want the head %d %s", first, head.Seq, head.EntryHash)
	}
	// Nothing new: the same checkpoint, not another.
	s.Clock.Add(time.Minute)
	if again, err := s.Audit.WriteAuditCheckpoint(systemCtx()); err != nil || *again != *first {
		t.Fatalf("second checkpoint = %+v, %v; want %+v", again, err, first)
	}
	mustAudit(t, s, 2)
	second, err := s.Audit.WriteAuditCheckpoint(systemCtx())
	if err != nil || second.Entries != 5 || second.Seq <= first.Seq {
		t.Fatalf("checkpoint after two more = %+v, %v", second, err)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_checkpoints`); n != 2 {
		t.Fatalf("%d checkpoints stored, want 2", n)
	}
	mustAudit(t, s, 1)
	// Stored and given checkpoints all agree with the chain.
	line, err := domain.ParseAuditCheckpoint(first.Line())
	if err != nil {
		t.Fatal(err)
	}
	if v := mustVerify(t, s, line); !v.OK || v.Entries != 6 || v.Checkpoints != 3 {
		t.Fatalf("verification = %+v", v)
	}
	// The checkpoints are append-only too.
	for _, q := range []string{`UPDATE audit_checkpoints SET entries = 1`, `DELETE FROM audit_checkpoints`, `TRUNCATE audit_checkpoints`} {
		if _, err := s.DB.Pool.Exec(context.Background(), q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
	// Only admins and system contexts write them.
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	_, err = s.Audit.WriteAuditCheckpoint(ctx)
	wantCode(t, err, domain.EFORBIDDEN)
}

func TestAuditCheckpoint_Truncation(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	mustAudit(t, s, 5)
	cp, err := s.Audit.WriteAuditCheckpoint(systemCtx())
	if err != nil {
		t.Fatal(err)
	}
	entries := readEntries(t, s.DB.Pool)
	// Drop the last two entries: what is left is a perfect chain, but it no longer reaches the
	// checkpoint.
	tamperAudit(t, s.DB, func(tx pgx.Tx) {
		mustExec(t, tx, `DELETE FROM audit_log WHERE seq >= $1`, entries[3].Seq)
	})
	wantBroken(t, mustVerify(t, s), cp.Seq, "beyond the log's last entry")

	// The portal goes on appending: the checkpoint's entry is then missing from the middle.
	mustAudit(t, s, 3)
	wantBroken(t, mustVerify(t, s), cp.Seq, "is missing")

	// Removing the stored checkpoints too hides the cut from the database alone, but not from
	// the line kept elsewhere.
	tamperAudit(t, s.DB, func(tx pgx.Tx) { mustExec(t, tx, `DELETE FROM audit_checkpoints`) })
	if v := mustVerify(t, s); !v.OK {
		t.Fatalf("verification without checkpoints = %+v", v)
	}
	line, err := domain.ParseAuditCheckpoint(cp.Line())
	if err != nil {
		t.Fatal(err)
	}
	wantBroken(t, mustVerify(t, s, line), cp.Seq, "given checkpoint")
}

func TestAuditCheckpoint_Rewrite(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	mustAudit(t, s, 4)
	cp, err := s.Audit.WriteAuditCheckpoint(systemCtx())
	if err != nil {
		t.Fatal(err)
	}
	// Rewrite the whole log as an unkeyed chain, which nothing but the checkpoint can tell from
	// an install that never had a key.
	entries := readEntries(t, s.DB.Pool)
	tamperAudit(t, s.DB, func(tx pgx.Tx) {
		entries[1].Details = json.RawMessage(`{"n":"forged"}`)
		rehashFrom(t, tx, entries, 0, domain.AuditChainSHA256)
	})
	wantBroken(t, mustVerify(t, s), cp.Seq, "does not match the stored checkpoint")
}

func TestAuditCheckpoint_ForgedSignature(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	mustAudit(t, s, 4)
	cp, err := s.Audit.WriteAuditCheckpoint(systemCtx())
	if err != nil {
		t.Fatal(err)
	}
	entries := readEntries(t, s.DB.Pool)
	// Truncate, and move the stored checkpoint back to the new head with its old signature.
	tamperAudit(t, s.DB, func(tx pgx.Tx) {
		mustExec(t, tx, `DELETE FROM audit_log WHERE seq = $1`, entries[3].Seq)
		mustExec(t, tx, `UPDATE audit_checkpoints SET seq = $1, entries = 3, head_hash = $2`, entries[2].Seq, entries[2].EntryHash)
	})
	wantBroken(t, mustVerify(t, s), entries[2].Seq, "signature that is not this portal's key")

	// A line signed with another key, or altered, is refused the same way.
	other, err := domain.NewAuditKeys(make([]byte, domain.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	tamperAudit(t, s.DB, func(tx pgx.Tx) { mustExec(t, tx, `DELETE FROM audit_checkpoints`) })
	fake := &domain.AuditCheckpoint{Seq: entries[2].Seq, Entries: 3, Head: entries[2].EntryHash, At: cp.At}
	other.Sign(fake)
	wantBroken(t, mustVerify(t, s, fake), entries[2].Seq, "given checkpoint at entry")
	altered := *cp
	altered.Entries = 2
	wantBroken(t, mustVerify(t, s, &altered), cp.Seq, "signature that is not this portal's key")
}

func TestAuditKeyed_Upgrade(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	bg := context.Background()
	// Entries of an install from before the keyed chain: version 1, plain SHA-256, written as
	// the old appendAudit wrote them.
	prev := ""
	for i := range 3 {
		e := &domain.AuditEntry{ID: uuidString(t, s.DB), At: s.Clock.Now().UTC(), Action: "legacy.event", EntityType: "thing",
			EntityID: "t", Details: domain.CanonicalDetails([]byte(`{"n":` + string(rune('0'+i)) + `}`))}
		e.PrevHash, e.EntryHash = prev, e.ComputeHash(prev)
		if _, err := s.DB.Pool.Exec(bg, `INSERT INTO audit_log (chain, id, at, action, entity_type, entity_id, details, prev_hash, entry_hash)
			VALUES (1, $1, $2, $3, $4, $5, $6::json, $7, $8)`, e.ID, e.At, e.Action, e.EntityType, e.EntityID,
			string(e.Details), e.PrevHash, e.EntryHash); err != nil {
			t.Fatal(err)
		}
		prev = e.EntryHash
	}
	if v := mustVerify(t, s); !v.OK || v.Entries != 3 {
		t.Fatalf("the unkeyed log = %+v, want it verified as before", v)
	}
	// The portal starts with the key: a checkpoint of the old head, then keyed entries that
	// link to it.
	if _, err := s.Audit.WriteAuditCheckpoint(systemCtx()); err != nil {
		t.Fatal(err)
	}
	mustAudit(t, s, 2)
	entries := readEntries(t, s.DB.Pool)
	if entries[3].Chain != domain.AuditChainHMAC || entries[3].PrevHash != entries[2].EntryHash {
		t.Fatalf("first keyed entry = %+v, want it linked to the last unkeyed one", entries[3])
	}
	if v := mustVerify(t, s); !v.OK || v.Entries != 5 || v.Checkpoints != 1 {
		t.Fatalf("upgraded log = %+v", v)
	}

	// An unkeyed entry can no longer be appended at the end...
	last := entries[4]
	forged := &domain.AuditEntry{ID: uuidString(t, s.DB), At: last.At, Action: "legacy.event", EntityType: "thing",
		EntityID: "t", Details: json.RawMessage(`{}`)}
	forged.PrevHash, forged.EntryHash = last.EntryHash, forged.ComputeHash(last.EntryHash)
	if _, err := s.DB.Pool.Exec(bg, `INSERT INTO audit_log (chain, id, at, action, entity_type, entity_id, details, prev_hash, entry_hash)
		VALUES (1, $1, $2, $3, $4, $5, $6::json, $7, $8)`, forged.ID, forged.At, forged.Action, forged.EntityType,
		forged.EntityID, string(forged.Details), forged.PrevHash, forged.EntryHash); err != nil {
		t.Fatal(err)
	}
	all := readEntries(t, s.DB.Pool)
	wantBroken(t, mustVerify(t, s), all[5].Seq, "unkeyed but follows keyed")

	// ...and an old entry cannot be rewritten: re-hashing the unkeyed part moves its head, to
	// which the first keyed entry's MAC is bound.
	tamperAudit(t, s.DB, func(tx pgx.Tx) {
		mustExec(t, tx, `DELETE FROM audit_log WHERE seq = $1`, all[5].Seq)
		entries[1].Details = json.RawMessage(`{"n":"forged"}`)
		rehashFrom(t, tx, entries[:3], 1, domain.AuditChainSHA256)
		mustExec(t, tx, `UPDATE audit_log SET prev_hash = $1 WHERE seq = $2`, entries[2].EntryHash, entries[3].Seq)
	})
	wantBroken(t, mustVerify(t, s), entries[2].Seq, "does not match the stored checkpoint")
	tamperAudit(t, s.DB, func(tx pgx.Tx) { mustExec(t, tx, `DELETE FROM audit_checkpoints`) })
	wantBroken(t, mustVerify(t, s), entries[3].Seq, "altered")
}

func TestAuditKeyed_NoKeys(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	s.DB.AuditKeys = nil
	if err := db.NewAuditRecorder(s.DB).RecordAudit(systemCtx(), "x", "y", "z", nil); err == nil {
		t.Fatal("an entry was written without the chain's key")
	}
	if _, err := s.Audit.VerifyAuditChain(systemCtx()); err == nil {
		t.Fatal("the chain was verified without its key")
	}
	// Another key sees every keyed entry as altered.
	s.DB.AuditKeys = dbtest.AuditKeys()
	mustAudit(t, s, 1)
	other, _ := domain.NewAuditKeys(make([]byte, domain.MasterKeySize))
	s.DB.AuditKeys = other
	v := mustVerify(t, s)
	if v.OK || !strings.Contains(v.Reason, "altered") {
		t.Fatalf("verification with another key = %+v", v)
	}
}

// uuidString returns a new random UUID from the database.
func uuidString(t *testing.T, d *db.DB) string {
	t.Helper()
	var id string
	if err := d.Pool.QueryRow(context.Background(), `SELECT gen_random_uuid()::text`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
