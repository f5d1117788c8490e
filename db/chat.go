package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// Ensure ChatStore implements the domain port.
var _ domain.ChatStore = (*ChatStore)(nil)

// ChatStore stores triage conversations and their messages. Reading needs a viewer, writing a
// responder. The messages of an incident are ordered by seq, one global sequence.
type ChatStore struct {
	db *DB
}

// NewChatStore returns a ChatStore over db.
func NewChatStore(db *DB) *ChatStore { return &ChatStore{db: db} }

const messageSelect = `
	SELECT m.id, m.conversation_id, m.issue_id, m.seq, m.role, m.content, m.status, m.error, m.pii_types,
	       m.sent_hash, m.why_level, m.root_cause, m.created_by, m.created_at, c.provider_config, c.model,
	       m.kind, m.log_file_ids::text[],
	       ARRAY(SELECT l.file_name FROM unnest(m.log_file_ids) WITH ORDINALITY AS a(id, n)
	             JOIN log_files l ON l.id = a.id ORDER BY a.n),
	       m.tools_used, m.instructions
	FROM messages m JOIN conversations c ON c.id = m.conversation_id`

func scanMessage(row pgx.Row) (*domain.ConversationMessage, error) {
	var m domain.ConversationMessage
	if err := row.Scan(&m.ID, &m.ConversationID, &m.IssueID, &m.Seq, &m.Role, &m.Content, &m.Status, &m.Error, &m.PIITypes,
		&m.SentHash, &m.WhyLevel, &m.RootCause, &m.CreatedBy, &m.CreatedAt, &m.ProviderConfig, &m.Model,
		&m.Kind, &m.LogFileIDs, &m.LogFileNames,
		&m.ToolsUsed, &m.Instructions); err != nil {
		return nil, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	if m.PIITypes == nil {
		m.PIITypes = []string{}
	}
	if m.ToolsUsed == nil {
		m.ToolsUsed = []string{}
	}
	if m.LogFileIDs == nil {
		m.LogFileIDs = []string{}
	}
	if len(m.LogFileNames) == 0 {
		m.LogFileNames = nil
	}
	return &m, nil
}

// AddChatTurn stores the redacted user message, with the redacted instructions it came with
// (often none), and the pending reply, in the newest conversation of the incident with that
// config and model or a new one, and audits the message (its PII types, never its text).
func (s *ChatStore) AddChatTurn(ctx context.Context, issueID, config, model string, text, instructions domain.RedactedText) (*domain.ConversationMessage, *domain.ConversationMessage, error) {
	return s.addTurn(ctx, issueID, config, model, text, instructions, domain.MessageKindChat, nil)
}

// AddAnalysisTurn stores a log analysis like AddChatTurn: the redacted prompt as a user message
// of kind analysis with the ids of the logs it analysed, and the pending reply. The audit entry
// names the logs, never the text.
func (s *ChatStore) AddAnalysisTurn(ctx context.Context, issueID, config, model string, prompt domain.RedactedText, logIDs []string) (*domain.ConversationMessage, *domain.ConversationMessage, error) {
	ids := make([]string, 0, len(logIDs))
	for _, id := range logIDs {
		lid, ok := parseID(id)
		if !ok {
			return nil, nil, domain.Errorf(domain.EINVALID, "There is no log with the id %q.", id)
		}
		ids = append(ids, lid)
	}
	return s.addTurn(ctx, issueID, config, model, prompt, domain.RedactedText{}, domain.MessageKindAnalysis, ids)
}

// addTurn stores a user message of a kind and its pending reply.
func (s *ChatStore) addTurn(ctx context.Context, issueID, config, model string, text, instructions domain.RedactedText, kind domain.MessageKind, logIDs []string) (*domain.ConversationMessage, *domain.ConversationMessage, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback(ctx)
	iid, err := lockIssue(ctx, tx, issueID)
	if err != nil {
		return nil, nil, err
	}
	var convID string
	err = tx.QueryRow(ctx, `SELECT id FROM conversations WHERE issue_id = $1 AND provider_config = $2 AND model = $3
		ORDER BY created_at DESC, id DESC LIMIT 1`, iid, config, model).Scan(&convID)
	if errors.Is(err, pgx.ErrNoRows) {
		convID = newID()
		if _, err := tx.Exec(ctx, `INSERT INTO conversations (id, issue_id, provider_config, model, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, convID, iid, config, model, actorIDPtr(ctx), tx.now); err != nil {
			return nil, nil, fmt.Errorf("add conversation: %w", formatError(err))
		}
	} else if err != nil {
		return nil, nil, fmt.Errorf("find conversation: %w", err)
	}
	// The incident's first AI turn starts its triage: triage_started, and an open incident moves
	// to triaging (with its status_changed event and audit entry).
	var started bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE issue_id = $1)`, iid).Scan(&started); err != nil {
		return nil, nil, fmt.Errorf("find chat messages: %w", err)
	}
	if !started {
		if err := startTriage(ctx, tx, iid, config, model); err != nil {
			return nil, nil, err
		}
	}
	types := domain.MergePIITypes(text.PIITypes(), instructions.PIITypes())
	if types == nil {
		types = []string{}
	}
	userID, replyID := newID(), newID()
	if logIDs == nil {
		logIDs = []string{}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO messages (id, conversation_id, issue_id, role, content, status, pii_types, created_by, created_at, kind, log_file_ids, instructions)
		VALUES ($1, $2, $3, 'user', $4, 'complete', $5, $6, $7, $8, $9::uuid[], $10)`, userID, convID, iid, text.String(), types, actorIDPtr(ctx), tx.now,
		string(kind), logIDs, instructions.String()); err != nil {
		return nil, nil, fmt.Errorf("add chat message: %w", formatError(err))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO messages (id, conversation_id, issue_id, role, content, status, created_by, created_at)
		VALUES ($1, $2, $3, 'assistant', '', 'streaming', $4, $5)`, replyID, convID, iid, actorIDPtr(ctx), tx.now); err != nil {
		return nil, nil, fmt.Errorf("add chat reply: %w", formatError(err))
	}
	if err := touchIssue(ctx, tx, iid); err != nil {
		return nil, nil, err
	}
	action, details := "chat.message", map[string]any{
		"issue_id": iid, "conversation_id": convID, "provider": config, "model": model,
		"pii_redacted": len(types) > 0, "pii_types": types, "bytes": len(text.String()),
	}
	if instructions.String() != "" {
		details["instructions_bytes"] = len(instructions.String())
	}
	if kind == domain.MessageKindAnalysis {
		action, details["log_file_ids"] = "chat.analysis", logIDs
	}
	if err := appendAudit(ctx, tx, action, "message", userID, details); err != nil {
		return nil, nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, nil, fmt.Errorf("add chat turn: %w", err)
	}
	user, err := s.FindChatMessage(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	reply, err := s.FindChatMessage(ctx, replyID)
	return user, reply, err
}

// FindChatMessage returns a message.
func (s *ChatStore) FindChatMessage(ctx context.Context, id string) (*domain.ConversationMessage, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
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
	m, err := scanMessage(tx.QueryRow(ctx, messageSelect+` WHERE m.id = $1`, mid))
	if err != nil {
		return nil, notFound(err, "Message")
	}
	return m, nil
}

// FindChatHistory returns every message of the incident, by seq.
func (s *ChatStore) FindChatHistory(ctx context.Context, issueID string) ([]*domain.ConversationMessage, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	i, err := findIssueByID(ctx, tx, issueID, false)
	if err != nil {
		return nil, err
	}
	return findMessages(ctx, tx, i.ID)
}

func findMessages(ctx context.Context, tx *Tx, issueID string) ([]*domain.ConversationMessage, error) {
	rows, err := tx.Query(ctx, messageSelect+` WHERE m.issue_id = $1 ORDER BY m.seq`, issueID)
	if err != nil {
		return nil, fmt.Errorf("find chat messages: %w", err)
	}
	defer rows.Close()
	out := []*domain.ConversationMessage{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("find chat messages: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// findConversations returns the incident's conversations, oldest first, each with its messages.
func findConversations(ctx context.Context, tx *Tx, issueID string) ([]*domain.Conversation, error) {
	rows, err := tx.Query(ctx, `SELECT id, issue_id, provider_config, model, created_by, created_at
		FROM conversations WHERE issue_id = $1 ORDER BY created_at, id`, issueID)
	if err != nil {
		return nil, fmt.Errorf("find conversations: %w", err)
	}
	out := []*domain.Conversation{}
	byID := map[string]*domain.Conversation{}
	for rows.Next() {
		c := &domain.Conversation{Messages: []*domain.ConversationMessage{}}
		if err := rows.Scan(&c.ID, &c.IssueID, &c.ProviderConfig, &c.Model, &c.CreatedBy, &c.CreatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find conversations: %w", err)
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, c)
		byID[c.ID] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find conversations: %w", err)
	}
	msgs, err := findMessages(ctx, tx, issueID)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if c := byID[m.ConversationID]; c != nil {
			c.Messages = append(c.Messages, m)
		}
	}
	return out, nil
}

// FinishChatReply stores how a reply ended, records why-level progress and a root cause on the
// timeline, and audits the AI call: provider, model, bytes sent, PII types and the SHA-256 of
// what was sent, never the text. Only a streaming reply can be finished.
func (s *ChatStore) FinishChatReply(ctx context.Context, r domain.ChatReply) (*domain.ConversationMessage, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	mid, ok := parseID(r.MessageID)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Message not found.")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	var issueID, convID string
	if err := tx.QueryRow(ctx, `SELECT issue_id, conversation_id FROM messages WHERE id = $1`, mid).Scan(&issueID, &convID); err != nil {
		return nil, notFound(err, "Message")
	}
	if _, err := lockIssue(ctx, tx, issueID); err != nil {
		return nil, err
	}
	toolsUsed := r.ToolsUsed
	if toolsUsed == nil {
		toolsUsed = []string{}
	}
	tag, err := tx.Exec(ctx, `UPDATE messages SET content = $2, status = $3, error = $4, sent_hash = $5, why_level = $6, root_cause = $7,
		tools_used = $8
		WHERE id = $1 AND status = 'streaming'`, mid, r.Content, string(r.Status), r.Error, r.SentHash, r.WhyTo, r.RootCause, toolsUsed)
	if err != nil {
		return nil, fmt.Errorf("finish chat reply: %w", formatError(err))
	}
	if tag.RowsAffected() == 0 {
		if err := tx.Commit(ctx); err != nil {
			return nil, err
		}
		return s.FindChatMessage(ctx, r.MessageID)
	}
	if r.WhyTo > r.WhyFrom {
		if _, err := insertTimelineEvent(ctx, tx, issueID, domain.EventWhyLevelAdvanced,
			fmt.Sprintf("Why level advanced to %d (triage chat)", r.WhyTo),
			map[string]any{"from": r.WhyFrom, "to": r.WhyTo, "source": "chat", "message_id": mid}); err != nil {
			return nil, err
		}
	}
	if r.RootCause != "" {
		if _, err := insertTimelineEvent(ctx, tx, issueID, domain.EventRootCauseIdentified,
			"Root cause identified: "+cutRunes(r.RootCause, maxRootCauseLen),
			map[string]any{"source": "chat", "message_id": mid}); err != nil {
			return nil, err
		}
	}
	if err := touchIssue(ctx, tx, issueID); err != nil {
		return nil, err
	}
	if r.SentHash != "" {
		types := r.PIITypes
		if types == nil {
			types = []string{}
		}
		details := map[string]any{
			"issue_id": issueID, "conversation_id": convID, "provider": r.Provider, "kind": r.Kind, "model": r.Model,
			"bytes_sent": r.BytesSent, "sent_sha256": r.SentHash, "pii_redacted": len(types) > 0, "pii_types": types,
			"status": r.Status, "reply_bytes": len(r.Content), "tool_calls": len(r.ToolsUsed),
		}
		// Token counts, for the team's cost tracking, when the provider reports them.
		if r.Usage.InputTokens > 0 || r.Usage.OutputTokens > 0 {
			details["input_tokens"], details["output_tokens"] = r.Usage.InputTokens, r.Usage.OutputTokens
		}
		if err := appendAudit(ctx, tx, "ai.chat", "message", mid, details); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("finish chat reply: %w", err)
	}
	return s.FindChatMessage(ctx, r.MessageID)
}

// startTriage records that triage of an incident started with the AI assistant and moves the
// incident to domain.TriageStatus.
func startTriage(ctx context.Context, tx *Tx, issueID, config, model string) error {
	if _, err := insertTimelineEvent(ctx, tx, issueID, domain.EventTriageStarted,
		fmt.Sprintf("Triage started with the AI assistant (%s, %s)", config, model),
		map[string]any{"provider": config, "model": model}); err != nil {
		return err
	}
	var status domain.Status
	if err := tx.QueryRow(ctx, `SELECT status FROM issues WHERE id = $1`, issueID).Scan(&status); err != nil {
		return fmt.Errorf("find incident status: %w", err)
	}
	next := domain.TriageStatus(status)
	if next == status {
		return nil
	}
	_, err := updateIssue(ctx, tx, issueID, domain.IssueUpdate{Status: &next})
	return err
}
