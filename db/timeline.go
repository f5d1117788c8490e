package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// AddTimelineEvent appends an event to an incident's timeline as the context's actor, and audits
// it, in one transaction. It bumps the incident's updated_at.
func (s *IssueService) AddTimelineEvent(ctx context.Context, issueID string, n domain.NewTimelineEvent) (*domain.TimelineEvent, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	iid, err := lockIssue(ctx, tx, issueID)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckOccurredAt(n.OccurredAt, tx.now); err != nil {
		return nil, err
	}
	e, err := insertTimelineEventAt(ctx, tx, iid, n.EventType, n.Description, n.Metadata, n.OccurredAt)
	if err != nil {
		return nil, err
	}
	if err := touchIssue(ctx, tx, iid); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, "timeline.add", "timeline_event", e.ID, map[string]any{
		"issue_id": iid, "event_type": e.EventType, "description": cutRunes(e.Description, 200),
		"occurred_at": auditTimePtr(e.OccurredAt),
	}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("add timeline event: %w", err)
	}
	return e, nil
}

// insertTimelineEvent appends an event by the context's actor to an incident's timeline inside
// tx. Metadata is any value that marshals to a JSON object; nil stores {}. The caller audits.
func insertTimelineEvent(ctx context.Context, tx *Tx, issueID, eventType, description string, metadata any) (*domain.TimelineEvent, error) {
	return insertTimelineEventAt(ctx, tx, issueID, eventType, description, metadata, nil)
}

// insertTimelineEventAt is insertTimelineEvent for an event a person says happened at
// occurredAt (nil: when it is recorded).
func insertTimelineEventAt(ctx context.Context, tx *Tx, issueID, eventType, description string, metadata any, occurredAt *time.Time) (*domain.TimelineEvent, error) {
	meta, err := marshalMetadata(metadata)
	if err != nil {
		return nil, err
	}
	e := &domain.TimelineEvent{
		ID:          newID(),
		IssueID:     issueID,
		EventType:   eventType,
		Description: description,
		Metadata:    meta,
		ActorID:     actorIDPtr(ctx),
		CreatedAt:   tx.now,
		OccurredAt:  utcPtr(occurredAt),
	}
	if u := domain.UserFromContext(ctx); u != nil {
		e.ActorName = u.Name()
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO timeline_events (id, issue_id, event_type, description, metadata, actor_id, created_at, occurred_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.ID, e.IssueID, e.EventType, e.Description, string(e.Metadata), e.ActorID, e.CreatedAt, e.OccurredAt); err != nil {
		return nil, fmt.Errorf("add timeline event: %w", formatError(err))
	}
	return e, nil
}

// FindTimelineEvents returns an incident's timeline, oldest first.
func (s *IssueService) FindTimelineEvents(ctx context.Context, issueID string) ([]*domain.TimelineEvent, error) {
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
	return findTimelineEvents(ctx, tx, i.ID)
}

// timelineSelect selects the columns scanTimelineEvent reads.
const timelineSelect = `
	SELECT e.id, e.issue_id, e.event_type, e.description, e.metadata::text, e.actor_id,
	       COALESCE(NULLIF(u.display_name, ''), u.username, ''), e.created_at, e.occurred_at`

// scanTimelineEvent reads a row of timelineSelect followed by extra destinations.
func scanTimelineEvent(row pgx.Row, extra ...any) (*domain.TimelineEvent, error) {
	var e domain.TimelineEvent
	var meta string
	dest := append([]any{&e.ID, &e.IssueID, &e.EventType, &e.Description, &meta, &e.ActorID, &e.ActorName, &e.CreatedAt, &e.OccurredAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	e.Metadata = []byte(meta)
	e.CreatedAt, e.OccurredAt = e.CreatedAt.UTC(), utcPtr(e.OccurredAt)
	return &e, nil
}

// findTimelineEvents returns an incident's events in the order they happened (the time a person
// gave an entry, else when it was recorded), with actor names.
func findTimelineEvents(ctx context.Context, tx *Tx, issueID string) ([]*domain.TimelineEvent, error) {
	rows, err := tx.Query(ctx, timelineSelect+`
		FROM timeline_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.issue_id = $1
		ORDER BY COALESCE(e.occurred_at, e.created_at), e.seq`, issueID)
	if err != nil {
		return nil, fmt.Errorf("find timeline: %w", err)
	}
	return collect(rows, "find timeline", func(r pgx.Row) (*domain.TimelineEvent, error) { return scanTimelineEvent(r) })
}

// auditTimePtr formats t for audit details, or nil.
func auditTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
