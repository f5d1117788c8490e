package db

import (
	"context"
	"fmt"
	"time"

	"tftsr/domain"
)

// Dashboard list sizes.
const (
	dashboardListLimit     = 20
	dashboardActivityLimit = 15
)

// Dashboard returns the dashboard's figures: incidents by status, not-done incidents by
// severity, open critical incidents, how many were resolved in the last 7 days (by resolved_at),
// the context user's not-done incidents and the latest timeline events across incidents.
func (s *IssueService) Dashboard(ctx context.Context) (*domain.Dashboard, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)

	d := &domain.Dashboard{
		ByStatus:   map[domain.Status]int{},
		BySeverity: map[domain.Severity]int{},
	}
	for _, st := range domain.Statuses {
		d.ByStatus[st] = 0
	}
	for _, sv := range domain.Severities {
		d.BySeverity[sv] = 0
	}

	// Kept by triggers on issues (migration 00018): a dozen rows, whatever the table holds.
	rows, err := tx.Query(ctx, `SELECT status, severity, n FROM issue_counts WHERE n > 0`)
	if err != nil {
		return nil, fmt.Errorf("count incidents: %w", err)
	}
	for rows.Next() {
		var st domain.Status
		var sv domain.Severity
		var n int
		if err := rows.Scan(&st, &sv, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("count incidents: %w", err)
		}
		d.ByStatus[st] += n
		if !st.Done() {
			d.BySeverity[sv] += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count incidents: %w", err)
	}

	if err := tx.QueryRow(ctx, `SELECT count(*) FROM issues WHERE resolved_at >= $1`,
		tx.now.Add(-7*24*time.Hour)).Scan(&d.ResolvedLast7); err != nil {
		return nil, fmt.Errorf("count resolved incidents: %w", err)
	}

	critical := domain.IssueFilter{
		Status:   notDone(),
		Severity: []domain.Severity{domain.SeverityCritical},
		Sort:     "updated_at", Desc: true, PerPage: dashboardListLimit,
	}
	if d.OpenCritical, _, err = findIssues(ctx, tx, critical); err != nil {
		return nil, err
	}

	d.Mine = []*domain.IssueSummary{}
	if id := domain.UserIDFromContext(ctx); id != "" {
		mine := domain.IssueFilter{Status: notDone(), AssigneeID: &id, Sort: "updated_at", Desc: true, PerPage: dashboardListLimit}
		if d.Mine, _, err = findIssues(ctx, tx, mine); err != nil {
			return nil, err
		}
	}

	if d.RecentActivity, err = findRecentActivity(ctx, tx, dashboardActivityLimit); err != nil {
		return nil, err
	}
	return d, nil
}

// notDone returns the statuses of incidents still being worked on.
func notDone() []domain.Status {
	var out []domain.Status
	for _, st := range domain.Statuses {
		if !st.Done() {
			out = append(out, st)
		}
	}
	return out
}

// findRecentActivity returns the newest timeline events across incidents with their titles.
func findRecentActivity(ctx context.Context, tx *Tx, limit int) ([]*domain.TimelineEvent, error) {
	rows, err := tx.Query(ctx, timelineSelect+`, i.title, i.number
		FROM timeline_events e
		JOIN issues i ON i.id = e.issue_id
		LEFT JOIN users u ON u.id = e.actor_id
		ORDER BY e.created_at DESC, e.seq DESC
		LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("find recent activity: %w", err)
	}
	defer rows.Close()
	events := []*domain.TimelineEvent{}
	for rows.Next() {
		var title string
		var number int64
		e, err := scanTimelineEvent(rows, &title, &number)
		if err != nil {
			return nil, fmt.Errorf("scan timeline event: %w", err)
		}
		e.IssueTitle, e.IssueRef = title, domain.IssueRef(number)
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find recent activity: %w", err)
	}
	return events, nil
}
