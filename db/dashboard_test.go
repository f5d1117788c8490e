package db_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"tftsr/domain"
)

func TestIssueService_Dashboard(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	me, ctx := MustCreateUser(t, s, domain.RoleResponder)
	other, _ := MustCreateUser(t, s, domain.RoleResponder)
	bg := context.Background()

	// An incident created long ago and resolved now counts as resolved this week.
	old := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Old outage", Severity: domain.SeverityCritical})
	if _, err := s.DB.Pool.Exec(bg, `UPDATE issues SET created_at = created_at - interval '60 days' WHERE id = $1`, old.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Issues.UpdateIssue(ctx, old.ID, domain.IssueUpdate{Status: ptr(domain.StatusResolved)}); err != nil {
		t.Fatal(err)
	}
	// One created this week but resolved long ago (by SQL) does not.
	stale := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Stale", Severity: domain.SeverityLow})
	if _, err := s.Issues.UpdateIssue(ctx, stale.ID, domain.IssueUpdate{Status: ptr(domain.StatusResolved)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Pool.Exec(bg, `UPDATE issues SET resolved_at = resolved_at - interval '8 days' WHERE id = $1`, stale.ID); err != nil {
		t.Fatal(err)
	}

	crit := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Site down", Severity: domain.SeverityCritical, AssigneeID: &me.ID})
	s.Clock.Add(time.Minute)
	MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Slow page", Severity: domain.SeverityHigh, AssigneeID: &other.ID})
	mine := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Cert expiring", Severity: domain.SeverityMedium, AssigneeID: &me.ID})
	if _, err := s.Issues.UpdateIssue(ctx, mine.ID, domain.IssueUpdate{Status: ptr(domain.StatusInvestigating)}); err != nil {
		t.Fatal(err)
	}
	closedMine := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Done thing", Severity: domain.SeverityCritical, AssigneeID: &me.ID})
	if _, err := s.Issues.UpdateIssue(ctx, closedMine.ID, domain.IssueUpdate{Status: ptr(domain.StatusClosed)}); err != nil {
		t.Fatal(err)
	}

	d, err := s.Issues.Dashboard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus := map[domain.Status]int{"open": 2, "triaging": 0, "investigating": 1, "resolved": 2, "closed": 1}
	for st, n := range wantStatus {
		if d.ByStatus[st] != n {
			t.Errorf("ByStatus[%s] = %d, want %d", st, d.ByStatus[st], n)
		}
	}
	wantSev := map[domain.Severity]int{"critical": 1, "high": 1, "medium": 1, "low": 0}
	for sv, n := range wantSev {
		if d.BySeverity[sv] != n {
			t.Errorf("BySeverity[%s] = %d, want %d", sv, d.BySeverity[sv], n)
		}
	}
	if d.ResolvedLast7 != 2 { // old (resolved now) and closedMine (closed without resolving)
		t.Errorf("ResolvedLast7 = %d, want 2", d.ResolvedLast7)
	}
	if len(d.OpenCritical) != 1 || d.OpenCritical[0].ID != crit.ID {
		t.Errorf("OpenCritical = %+v", d.OpenCritical)
	}
	if len(d.Mine) != 2 || d.Mine[0].ID != mine.ID || d.Mine[1].ID != crit.ID {
		t.Errorf("Mine = %+v", d.Mine)
	}
	if len(d.RecentActivity) != 10 {
		t.Fatalf("RecentActivity has %d events", len(d.RecentActivity))
	}
	if e := d.RecentActivity[0]; e.EventType != domain.EventStatusChanged || e.IssueTitle != "Done thing" || e.ActorName != me.DisplayName {
		t.Errorf("newest activity = %+v", e)
	}

	// The system context has no incidents of its own.
	d, err = s.Issues.Dashboard(systemCtx())
	if err != nil || len(d.Mine) != 0 || d.Mine == nil {
		t.Fatalf("system dashboard: %+v, %v", d, err)
	}
	_, err = s.Issues.Dashboard(bg)
	wantCode(t, err, domain.EUNAUTHORIZED)
}

// TestIssueCounts: the dashboard's counters (kept by triggers) agree with a count of the table
// after creations, status and severity changes from many goroutines at once, crossing changes
// (A→B while B→A), deletions and edits that change neither.
func TestIssueCounts(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleAdmin)
	bg := context.Background()

	var ids []string
	for i := range 24 {
		is := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: fmt.Sprintf("Incident %d", i), Severity: domain.Severities[i%len(domain.Severities)]})
		ids = append(ids, is.ID)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for g := range 6 {
		wg.Go(func() {
			for k := range 12 {
				id := ids[(g*5+k)%len(ids)]
				upd := domain.IssueUpdate{Status: ptr(domain.Statuses[(g+k)%len(domain.Statuses)])}
				if k%3 == 0 {
					upd.Severity = ptr(domain.Severities[(g+2*k)%len(domain.Severities)])
				}
				if k%4 == 0 {
					upd = domain.IssueUpdate{Title: ptr(fmt.Sprintf("Renamed %d/%d", g, k))}
				}
				if _, err := s.Issues.UpdateIssue(ctx, id, upd); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("update: %v", err)
	}
	for _, id := range ids[:5] {
		if err := s.Issues.DeleteIssue(ctx, id); err != nil {
			t.Fatal(err)
		}
	}

	rows, err := s.DB.Pool.Query(bg, `
		SELECT coalesce(a.status, c.status), coalesce(a.severity, c.severity), coalesce(a.n, 0), coalesce(c.n, 0)
		FROM (SELECT status, severity, count(*) AS n FROM issues GROUP BY 1, 2) a
		FULL JOIN issue_counts c ON c.status = a.status AND c.severity = a.severity`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var st, sv string
		var actual, counted int
		if err := rows.Scan(&st, &sv, &actual, &counted); err != nil {
			t.Fatal(err)
		}
		if actual != counted {
			t.Errorf("%s/%s: %d incidents, counter says %d", st, sv, actual, counted)
		}
		total += actual
	}
	if total != len(ids)-5 {
		t.Errorf("%d incidents counted, want %d", total, len(ids)-5)
	}
	d, err := s.Issues.Dashboard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, n := range d.ByStatus {
		sum += n
	}
	if sum != len(ids)-5 {
		t.Errorf("dashboard shows %d incidents by status, want %d", sum, len(ids)-5)
	}
}
