package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// maxRootCauseLen bounds the answer quoted in a root_cause_identified event.
const maxRootCauseLen = 500

// fiveWhySelect selects the columns scanFiveWhy reads.
const fiveWhySelect = `SELECT id, issue_id, step, question, answer, evidence, created_by, created_at, updated_at FROM five_whys`

// scanFiveWhy reads a row of fiveWhySelect.
func scanFiveWhy(row pgx.Row) (*domain.FiveWhy, error) {
	var w domain.FiveWhy
	if err := row.Scan(&w.ID, &w.IssueID, &w.WhyNumber, &w.Question, &w.Answer, &w.Evidence, &w.CreatedBy,
		&w.CreatedAt, &w.UpdatedAt); err != nil {
		return nil, err
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return &w, nil
}

// FindFiveWhys returns an incident's 5-Whys by step.
func (s *IssueService) FindFiveWhys(ctx context.Context, issueID string) ([]*domain.FiveWhy, error) {
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
	return findFiveWhys(ctx, tx, i.ID)
}

// findFiveWhys returns an incident's steps ordered by step.
func findFiveWhys(ctx context.Context, tx *Tx, issueID string) ([]*domain.FiveWhy, error) {
	rows, err := tx.Query(ctx, fiveWhySelect+` WHERE issue_id = $1 ORDER BY step`, issueID)
	if err != nil {
		return nil, fmt.Errorf("find 5-whys: %w", err)
	}
	return collect(rows, "find 5-whys", scanFiveWhy)
}

// AddFiveWhy adds a step to an incident's 5-Whys. Each step exists once per incident. When the
// step's answer raises the why level, or answers why 5, the timeline records it.
func (s *IssueService) AddFiveWhy(ctx context.Context, issueID string, n domain.NewFiveWhy) (*domain.FiveWhy, error) {
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
	steps, err := findFiveWhys(ctx, tx, iid)
	if err != nil {
		return nil, err
	}
	w := &domain.FiveWhy{
		ID:        newID(),
		IssueID:   iid,
		WhyNumber: n.WhyNumber,
		Question:  n.Question,
		Answer:    n.Answer,
		Evidence:  n.Evidence,
		CreatedBy: actorIDPtr(ctx),
		CreatedAt: tx.now,
		UpdatedAt: tx.now,
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO five_whys (id, issue_id, step, question, answer, evidence, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		w.ID, w.IssueID, w.WhyNumber, w.Question, w.Answer, w.Evidence, w.CreatedBy, tx.now); err != nil {
		if isUniqueViolation(err, "") {
			return nil, &domain.Error{Code: domain.ECONFLICT, Message: fmt.Sprintf("Why %d already exists.", w.WhyNumber),
				Fields: map[string]string{"why_number": fmt.Sprintf("Why %d already exists.", w.WhyNumber)}}
		}
		return nil, fmt.Errorf("add 5-why: %w", formatError(err))
	}
	if err := recordWhyProgress(ctx, tx, iid, steps, append(steps, w), "", w); err != nil {
		return nil, err
	}
	if err := touchIssue(ctx, tx, iid); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, "five_why.add", "five_why", w.ID, map[string]any{
		"issue_id": iid, "why_number": w.WhyNumber, "question": cutRunes(w.Question, 200), "answered": w.Answer != "",
	}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("add 5-why: %w", err)
	}
	return w, nil
}

// UpdateFiveWhy sets a step's answer and, when given, its evidence. An update that changes
// nothing records nothing.
func (s *IssueService) UpdateFiveWhy(ctx context.Context, id string, u domain.FiveWhyUpdate) (*domain.FiveWhy, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	wid, ok := parseID(id)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "5-Whys step not found.")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)

	// Lock the incident before reading its steps, as AddFiveWhy does.
	var issueID string
	if err := tx.QueryRow(ctx, `SELECT issue_id FROM five_whys WHERE id = $1`, wid).Scan(&issueID); err != nil {
		return nil, notFound(err, "5-Whys step")
	}
	if _, err := lockIssue(ctx, tx, issueID); err != nil {
		return nil, err
	}
	steps, err := findFiveWhys(ctx, tx, issueID)
	if err != nil {
		return nil, err
	}
	var old *domain.FiveWhy
	for _, s := range steps {
		if s.ID == wid {
			old = s
		}
	}
	if old == nil { // deleted between the two reads
		return nil, domain.Errorf(domain.ENOTFOUND, "5-Whys step not found.")
	}

	next := *old
	changes := map[string]any{}
	if u.Answer != nil && *u.Answer != old.Answer {
		next.Answer = *u.Answer
		changes["answer"] = map[string]any{"changed": true, "from_length": len(old.Answer), "to_length": len(next.Answer)}
	}
	if u.Evidence != nil && *u.Evidence != old.Evidence {
		next.Evidence = *u.Evidence
		changes["evidence"] = map[string]any{"changed": true, "from_length": len(old.Evidence), "to_length": len(next.Evidence)}
	}
	if len(changes) == 0 {
		return old, nil
	}
	next.UpdatedAt = tx.now
	if _, err := tx.Exec(ctx, `UPDATE five_whys SET answer = $2, evidence = $3, updated_at = $4 WHERE id = $1`,
		next.ID, next.Answer, next.Evidence, tx.now); err != nil {
		return nil, fmt.Errorf("update 5-why: %w", formatError(err))
	}

	after := make([]*domain.FiveWhy, len(steps))
	for i, s := range steps {
		after[i] = s
		if s.ID == next.ID {
			after[i] = &next
		}
	}
	if err := recordWhyProgress(ctx, tx, issueID, steps, after, old.Answer, &next); err != nil {
		return nil, err
	}
	if err := touchIssue(ctx, tx, issueID); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, "five_why.update", "five_why", next.ID, map[string]any{
		"issue_id": issueID, "why_number": next.WhyNumber, "changes": changes,
	}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("update 5-why: %w", err)
	}
	return &next, nil
}

// recordWhyProgress records on the timeline what a change of step w did to the analysis: a
// why_level_advanced event when the why level rose from before to after, and a
// root_cause_identified event when why 5 got a new, non-empty answer (oldAnswer is its answer
// before the change).
func recordWhyProgress(ctx context.Context, tx *Tx, issueID string, before, after []*domain.FiveWhy, oldAnswer string, w *domain.FiveWhy) error {
	from, to := domain.WhyLevel(before), domain.WhyLevel(after)
	if to > from {
		if _, err := insertTimelineEvent(ctx, tx, issueID, domain.EventWhyLevelAdvanced,
			fmt.Sprintf("Why level advanced to %d", to), map[string]any{"from": from, "to": to}); err != nil {
			return err
		}
	}
	if w.WhyNumber == domain.MaxWhySteps && w.Answer != "" && w.Answer != oldAnswer {
		if _, err := insertTimelineEvent(ctx, tx, issueID, domain.EventRootCauseIdentified,
			"Root cause identified: "+cutRunes(w.Answer, maxRootCauseLen),
			map[string]any{"five_why_id": w.ID, "why_number": w.WhyNumber}); err != nil {
			return err
		}
	}
	return nil
}
