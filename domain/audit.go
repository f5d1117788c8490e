package domain

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Audit chain versions. An entry's Chain says how its EntryHash was made.
//
// Version 1 is the original, unkeyed chain: SHA-256 over the previous hash and the entry.
// Anyone who can write the table can recompute it, so it only shows accidental damage.
// Version 2 is keyed: HMAC-SHA256 with a key derived from the master key (TFTSR_DB_KEY or the
// key file), so rewriting an entry and re-hashing the rest needs the key, not just table access.
//
// Upgrade: entries written before the keyed chain existed stay version 1 and are verified as
// they were; the first version 2 entry links to the last version 1 hash, which its MAC then
// covers, and once a version 2 entry exists no version 1 entry may follow. Re-keying the old
// entries in place was rejected: the table is append-only, and rewriting history to make it
// verify is exactly what the chain is meant to expose.
const (
	AuditChainSHA256 = 1
	AuditChainHMAC   = 2
)

// HKDF labels of the audit keys. Each use has its own key, and neither is the key that seals
// provider API keys, so no value computed for one purpose can be passed off as another.
const (
	auditChainKeyInfo      = "tftsr audit chain v1"
	auditCheckpointKeyInfo = "tftsr audit checkpoint v1"
)

// AuditKeys are the secrets of the keyed audit chain: one MACs entries, one signs checkpoints.
type AuditKeys struct {
	chain, checkpoint []byte
}

// NewAuditKeys derives the audit keys from the portal's master key with HKDF-SHA256.
func NewAuditKeys(master []byte) (*AuditKeys, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("audit keys: the master key must be %d bytes, not %d", MasterKeySize, len(master))
	}
	chain, err := hkdf.Key(sha256.New, master, nil, auditChainKeyInfo, 32)
	if err != nil {
		return nil, err
	}
	cp, err := hkdf.Key(sha256.New, master, nil, auditCheckpointKeyInfo, 32)
	if err != nil {
		return nil, err
	}
	return &AuditKeys{chain: chain, checkpoint: cp}, nil
}

// AuditEntry is one row of the tamper-evident audit log. Entries form a hash chain: each
// EntryHash covers the previous entry's hash and this entry's canonical fields, keyed or not as
// Chain says (see AuditChainHMAC).
type AuditEntry struct {
	Seq        int64           `json:"seq"`
	Chain      int             `json:"chain"`
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

	// EntityName is what the entity is called now (INC-12 "DB down", a user's name, a file
	// name), read when the entry is; empty when the entity no longer exists or has no name.
	// IssueRef is the ref of the incident named by the details' issue_id, when it still exists.
	// Neither is part of the hashed entry.
	EntityName string `json:"entity_name,omitempty"`
	IssueRef   string `json:"issue_ref,omitempty"`
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

// ComputeHash returns the unkeyed (version 1) entry hash of e given the previous entry's hash.
func (e *AuditEntry) ComputeHash(prevHash string) string {
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(e.canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// ComputeMAC returns the keyed (version 2) entry hash of e given the previous entry's hash:
// HMAC-SHA256 over the same bytes ComputeHash hashes.
func (k *AuditKeys) ComputeMAC(e *AuditEntry, prevHash string) string {
	m := hmac.New(sha256.New, k.chain)
	m.Write([]byte(prevHash))
	m.Write(e.canonical())
	return hex.EncodeToString(m.Sum(nil))
}

// canonical returns the fields of e that its hash covers, as JSON in a fixed order.
func (e *AuditEntry) canonical() []byte {
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
	return canonical
}

// AuditCheckpoint is a signed statement of the chain's state: Entries entries up to and
// including entry Seq, whose hash is Head. Checkpoints are stored by the portal and printed by
// `tftsr audit checkpoint` to be kept off the database's host: a chain cut short after a
// checkpoint no longer reaches it, and one rewritten before it no longer has its head.
//
// The signature is HMAC-SHA256 with a key derived from the master key. An ed25519 signature
// would let someone without the key check a line's origin, but checking the line against the
// chain needs the chain key anyway, so a second kind of key (and its public half to publish and
// keep safe) would buy nothing the verifier lacks; one master key to back up is the better
// product.
type AuditCheckpoint struct {
	Seq     int64
	Entries int64
	Head    string
	At      time.Time // whole seconds, UTC
	Sig     string
}

// auditCheckpointPrefix starts every exported checkpoint line.
const auditCheckpointPrefix = "tftsr-audit-checkpoint v1"

// message is what a checkpoint's signature covers.
func (c *AuditCheckpoint) message() []byte {
	return []byte(fmt.Sprintf("%s seq=%d entries=%d head=%s at=%s", auditCheckpointPrefix,
		c.Seq, c.Entries, c.Head, c.At.UTC().Format(time.RFC3339)))
}

// Sign sets c.Sig.
func (k *AuditKeys) Sign(c *AuditCheckpoint) {
	m := hmac.New(sha256.New, k.checkpoint)
	m.Write(c.message())
	c.Sig = hex.EncodeToString(m.Sum(nil))
}

// ValidSignature reports whether c was signed with these keys.
func (k *AuditKeys) ValidSignature(c *AuditCheckpoint) bool {
	got, err := hex.DecodeString(c.Sig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, k.checkpoint)
	m.Write(c.message())
	return hmac.Equal(got, m.Sum(nil))
}

// Line returns the checkpoint as one line of text to keep elsewhere.
func (c *AuditCheckpoint) Line() string {
	return fmt.Sprintf("%s sig=%s", c.message(), c.Sig)
}

// ParseAuditCheckpoint reads a line that Line printed.
func ParseAuditCheckpoint(line string) (*AuditCheckpoint, error) {
	bad := func(why string) error {
		return Errorf(EINVALID, "Not an audit checkpoint line (%s): expected %q.", why,
			auditCheckpointPrefix+" seq=N entries=N head=HEX at=RFC3339 sig=HEX")
	}
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), auditCheckpointPrefix+" ")
	if !ok {
		return nil, bad("it does not start with " + strconv.Quote(auditCheckpointPrefix))
	}
	fields := strings.Fields(rest)
	want := []string{"seq", "entries", "head", "at", "sig"}
	if len(fields) != len(want) {
		return nil, bad(fmt.Sprintf("%d fields, want %d", len(fields), len(want)))
	}
	vals := map[string]string{}
	for i, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k != want[i] {
			return nil, bad(fmt.Sprintf("field %d is not %s=", i+1, want[i]))
		}
		vals[k] = v
	}
	c := &AuditCheckpoint{Head: vals["head"], Sig: vals["sig"]}
	var err error
	if c.Seq, err = strconv.ParseInt(vals["seq"], 10, 64); err != nil || c.Seq < 1 {
		return nil, bad("seq is not a positive number")
	}
	if c.Entries, err = strconv.ParseInt(vals["entries"], 10, 64); err != nil || c.Entries < 1 {
		return nil, bad("entries is not a positive number")
	}
	if c.At, err = time.Parse(time.RFC3339, vals["at"]); err != nil {
		return nil, bad("at is not an RFC 3339 time")
	}
	c.At = c.At.UTC()
	if !isHex(c.Head, 64) || !isHex(c.Sig, 64) {
		return nil, bad("head and sig must be 64 hex digits")
	}
	return c, nil
}

// isHex reports whether s is n lower-case hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// ErrNoAuditKeys is returned when the audit chain is written or verified without its keys.
var ErrNoAuditKeys = errors.New("the audit chain's keys are not set: the master key (TFTSR_DB_KEY or the key file) is needed")

// AuditVerification is the outcome of walking the chain.
type AuditVerification struct {
	Entries int64
	// Checkpoints is the number of checkpoints (stored and given) the chain was checked against.
	Checkpoints int
	OK          bool
	// BrokenSeq and Reason name the first entry whose hash or link does not match, or the
	// checkpoint the chain does not reach or agree with (BrokenSeq is then the checkpoint's).
	BrokenSeq int64
	BrokenID  string
	Reason    string
}

// AuditFilter selects audit entries. Query matches text anywhere in the action, the entity's
// type and id and the details.
type AuditFilter struct {
	Action     string
	EntityType string
	ActorID    string
	Query      string
	From, To   *time.Time
	Page       int
	PerPage    int
}

// MaxAuditQueryLen bounds the text of an audit search.
const MaxAuditQueryLen = 200

// Validate normalises f and checks its text filters.
func (f *AuditFilter) Validate() error {
	f.Query = strings.TrimSpace(f.Query)
	fields := map[string]string{}
	for name, v := range map[string]string{"action": f.Action, "entity_type": f.EntityType, "actor": f.ActorID, "q": f.Query} {
		if msg := checkFilterText(v, MaxAuditQueryLen); msg != "" {
			fields[name] = msg
		}
	}
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		fields["to"] = "The end date is before the start date."
	}
	if len(fields) > 0 {
		return Invalid("Invalid filter.", fields)
	}
	return nil
}

// AuditService reads and verifies the audit log. Entries are written by the other services in
// the same transaction as the change they record.
type AuditService interface {
	FindAuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error)
	VerifyAuditChain(ctx context.Context) (*AuditVerification, error)
	// AuditActions lists the distinct actions and entity types recorded, for filters.
	AuditFacets(ctx context.Context) (actions, entityTypes []string, err error)
	// ExportAuditEntries records an audit.export entry, then calls fn with every entry matching
	// f (its page ignored), newest first, as it reads them, so an export of any size streams.
	// An error from fn stops it.
	ExportAuditEntries(ctx context.Context, f AuditFilter, format string, fn func(*AuditEntry) error) error
}
