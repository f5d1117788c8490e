package domain

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// AuditEntry is one row of the tamper-evident audit log. Entries form a hash chain: each
// EntryHash is SHA-256 over the previous entry's hash and this entry's canonical fields.
type AuditEntry struct {
	Seq        int64           `json:"seq"`
	ID         string          `json:"id"`
	At         time.Time       `json:"at"`
	ActorID    *string         `json:"actor_id"`
	ActorName  string          `json:"actor_name,omitempty"`
	Action     string          `json:"action"`
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Details    json.RawMessage `json:"details"`
	PrevHash   string          `json:"prev_hash"`
	EntryHash  string          `json:"entry_hash"`
}

// AuditTimeFormat is how the chain hashes an entry's time: UTC with microseconds, the precision
// Postgres keeps.
const AuditTimeFormat = "2006-01-02T15:04:05.000000Z"

// CanonicalDetails returns details as compact JSON with object keys sorted, so the same details
// always hash the same. Invalid or empty details become {}.
func CanonicalDetails(details []byte) []byte {
	if len(bytes.TrimSpace(details)) == 0 {
		return []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(details))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []byte("{}")
	}
	out, err := json.Marshal(v) // maps marshal with sorted keys
	if err != nil {
		return []byte("{}")
	}
	return out
}

// ComputeHash returns the entry hash of e given the previous entry's hash.
func (e *AuditEntry) ComputeHash(prevHash string) string {
	actor := ""
	if e.ActorID != nil {
		actor = *e.ActorID
	}
	canonical, _ := json.Marshal(struct {
		ID         string          `json:"id"`
		At         string          `json:"at"`
		ActorID    string          `json:"actor_id"`
		Action     string          `json:"action"`
		EntityType string          `json:"entity_type"`
		EntityID   string          `json:"entity_id"`
		Details    json.RawMessage `json:"details"`
	}{e.ID, e.At.UTC().Format(AuditTimeFormat), actor, e.Action, e.EntityType, e.EntityID, CanonicalDetails(e.Details)})
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil))
}

// AuditVerification is the outcome of walking the chain.
type AuditVerification struct {
	Entries int64
	OK      bool
	// BrokenSeq and Reason name the first entry whose hash or link does not match.
	BrokenSeq int64
	BrokenID  string
	Reason    string
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	Action     string
	EntityType string
	ActorID    string
	From, To   *time.Time
	Page       int
	PerPage    int
}

// AuditService reads and verifies the audit log. Entries are written by the other services in
// the same transaction as the change they record.
type AuditService interface {
	FindAuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error)
	VerifyAuditChain(ctx context.Context) (*AuditVerification, error)
	// AuditActions lists the distinct actions and entity types recorded, for filters.
	AuditFacets(ctx context.Context) (actions, entityTypes []string, err error)
}
