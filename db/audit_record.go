package db

import (
	"context"
	"fmt"

	"tftsr/domain"
)

// Ensure AuditRecorder implements the domain port.
var _ domain.AuditRecorder = (*AuditRecorder)(nil)

// AuditRecorder appends audit entries for actions that change nothing in the portal's own
// tables, such as pulling or deleting a model on the Ollama server.
type AuditRecorder struct {
	db *DB
}

// NewAuditRecorder returns an AuditRecorder over db.
func NewAuditRecorder(db *DB) *AuditRecorder {
	return &AuditRecorder{db: db}
}

// RecordAudit appends one entry, in a transaction of its own, with the context's user as actor.
func (r *AuditRecorder) RecordAudit(ctx context.Context, action, entityType, entityID string, details any) error {
	tx, err := r.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := appendAudit(ctx, tx, action, entityType, entityID, details); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("record audit entry: %w", err)
	}
	return nil
}
