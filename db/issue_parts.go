package db

import (
	"context"
	"fmt"

	"tftsr/domain"
)

// FindIssueParts returns an incident with the parts that parts names, ordered as
// FindIssueDetail orders them; the other parts stay nil. The 5-Whys without the conversations
// come with ReplyWhyLevel, so that the why level is right without reading the chat.
func (s *IssueService) FindIssueParts(ctx context.Context, id string, parts domain.IssueParts) (*domain.IssueDetail, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	i, err := findIssueByID(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	d := &domain.IssueDetail{Issue: i}
	has := func(p domain.IssueParts) bool { return parts&p != 0 }
	if has(domain.IssueFiveWhys) {
		if d.ResolutionSteps, err = findFiveWhys(ctx, tx, i.ID); err != nil {
			return nil, err
		}
		if !has(domain.IssueConversations) {
			if d.ReplyWhyLevel, err = findReplyWhyLevel(ctx, tx, i.ID); err != nil {
				return nil, err
			}
		}
	}
	if has(domain.IssueTimeline) {
		if d.TimelineEvents, err = findTimelineEvents(ctx, tx, i.ID); err != nil {
			return nil, err
		}
	}
	if has(domain.IssueImages) {
		if d.ImageAttachments, err = findImages(ctx, tx, i.ID); err != nil {
			return nil, err
		}
	}
	if has(domain.IssueLogs) {
		if d.LogFiles, err = findLogsByIssue(ctx, tx, i.ID); err != nil {
			return nil, err
		}
	}
	if has(domain.IssueDocuments) {
		if d.Documents, err = findDocuments(ctx, tx, i.ID); err != nil {
			return nil, err
		}
	}
	if has(domain.IssueConversations) {
		if d.Conversations, err = findConversations(ctx, tx, i.ID); err != nil {
			return nil, err
		}
	}
	if has(domain.IssueTabCounts) {
		if d.Counts, err = findIssueCounts(ctx, tx, i.ID); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// findIssueCounts counts an incident's parts in one query; action items count while not done.
func findIssueCounts(ctx context.Context, tx *Tx, issueID string) (*domain.IssueCounts, error) {
	var n domain.IssueCounts
	err := tx.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM five_whys WHERE issue_id = $1),
		(SELECT count(*) FROM timeline_events WHERE issue_id = $1),
		(SELECT count(*) FROM messages WHERE issue_id = $1),
		(SELECT count(*) FROM log_files WHERE issue_id = $1),
		(SELECT count(*) FROM image_attachments WHERE issue_id = $1),
		(SELECT count(*) FROM documents WHERE issue_id = $1),
		(SELECT count(*) FROM action_items WHERE issue_id = $1 AND status <> 'done')`, issueID).
		Scan(&n.Whys, &n.TimelineEvents, &n.Messages, &n.Logs, &n.Images, &n.Documents, &n.OpenActionItems)
	if err != nil {
		return nil, fmt.Errorf("count issue parts: %w", err)
	}
	return &n, nil
}

// findReplyWhyLevel returns the highest why level a chat reply of an incident reached, 0 when
// none did. Only finished replies carry a level.
func findReplyWhyLevel(ctx context.Context, tx *Tx, issueID string) (int, error) {
	var level int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(why_level), 0) FROM messages WHERE issue_id = $1`, issueID).Scan(&level); err != nil {
		return 0, fmt.Errorf("find reply why level: %w", err)
	}
	return level, nil
}
