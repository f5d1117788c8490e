package db

import (
	"context"
	"fmt"

	"tftsr/domain"
)

// RetryChatReply puts a reply that ended incomplete or in error back to pending, with its text
// and error cleared, so that it is asked for again in its place in the history. A reply that is
// complete or still being written is a conflict.
func (s *ChatStore) RetryChatReply(ctx context.Context, id string) (*domain.ConversationMessage, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	mid, ok := parseID(id)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Message not found.")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	var issueID, role, status string
	if err := tx.QueryRow(ctx, `SELECT issue_id, role, status FROM messages WHERE id = $1`, mid).Scan(&issueID, &role, &status); err != nil {
		return nil, notFound(err, "Message")
	}
	if role != string(domain.RoleAssistant) {
		return nil, domain.Errorf(domain.ENOTFOUND, "Reply not found.")
	}
	if _, err := lockIssue(ctx, tx, issueID); err != nil {
		return nil, err
	}
	tag, err := tx.Exec(ctx, `UPDATE messages SET content = '', error = '', status = 'streaming', why_level = 0, root_cause = ''
		WHERE id = $1 AND status IN ('incomplete', 'error')`, mid)
	if err != nil {
		return nil, fmt.Errorf("retry chat reply: %w", formatError(err))
	}
	if tag.RowsAffected() == 0 {
		return nil, domain.Errorf(domain.ECONFLICT, "Only a reply that was stopped or failed can be retried.")
	}
	if err := appendAudit(ctx, tx, "ai.chat_retry", "message", mid, map[string]any{"issue_id": issueID, "previous_status": status}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("retry chat reply: %w", err)
	}
	return s.FindChatMessage(ctx, id)
}

// abandonedReply is the note on a reply that a restart of the portal cut off.
const abandonedReply = "The portal restarted while this reply was being written. Retry to ask again."

// AbandonStreamingReplies marks every reply still being written as incomplete, keeping no text:
// the portal produces replies in its own process, so at start none can be running. People see
// the note and can retry; nothing asks a provider again behind their backs. It returns how many
// replies it marked.
func (s *ChatStore) AbandonStreamingReplies(ctx context.Context) (int, error) {
	tag, err := s.db.Pool.Exec(ctx, `UPDATE messages SET status = 'incomplete', error = $1 WHERE status = 'streaming'`, abandonedReply)
	if err != nil {
		return 0, fmt.Errorf("abandon streaming replies: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
