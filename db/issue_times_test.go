package db_test

import (
	"testing"
	"time"

	"tftsr/domain"
)

// TestIssueNumbersAndTimes: incidents are numbered from one sequence and found by their human id
// in lookups and search; their times are stored and audited; timeline entries a person dates
// are listed in the order things happened.
func TestIssueNumbersAndTimes(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	a := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Printer offline"})
	b := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Mail queue stuck"})
	if a.Number < 1 || b.Number != a.Number+1 || a.Ref != domain.IssueRef(a.Number) || b.Ref != domain.IssueRef(b.Number) {
		t.Fatalf("numbers %d %q, %d %q", a.Number, a.Ref, b.Number, b.Ref)
	}
	got, err := s.Issues.FindIssueByID(ctx, b.ID)
	if err != nil || got.Number != b.Number || got.Ref != b.Ref {
		t.Fatalf("found %+v %v", got, err)
	}
	for _, ref := range []string{b.Ref, "inc-" + b.Ref[4:], b.ID} {
		if id, err := s.Issues.ResolveIssueRef(ctx, ref); err != nil || id != b.ID {
			t.Errorf("ResolveIssueRef(%q) = %q, %v", ref, id, err)
		}
	}
	_, err = s.Issues.ResolveIssueRef(ctx, "INC-999999999")
	wantCode(t, err, domain.ENOTFOUND)
	items, total, err := s.Issues.SearchIssues(ctx, b.Ref, 1, 10)
	if err != nil || total != 1 || len(items) != 1 || items[0].ID != b.ID || items[0].Ref != b.Ref {
		t.Errorf("search %q: %+v %d %v", b.Ref, items, total, err)
	}
	list, _, err := s.Issues.FindIssues(ctx, domain.IssueFilter{Page: 1, PerPage: 10})
	if err != nil || len(list) != 2 || list[0].Ref == "" || list[1].Ref == "" {
		t.Errorf("list refs: %+v %v", list, err)
	}

	// Times: stored, refused out of order, recorded on the timeline and in the audit.
	now := s.Clock.Now()
	started, detected := now.Add(-3*time.Hour).Truncate(time.Second), now.Add(-2*time.Hour).Truncate(time.Second)
	up, err := s.Issues.UpdateIssue(ctx, a.ID, domain.IssueUpdate{StartedAt: domain.SetTime(started), DetectedAt: domain.SetTime(detected)})
	if err != nil || !up.StartedAt.Equal(started) || !up.DetectedAt.Equal(detected) {
		t.Fatalf("update times: %+v %v", up, err)
	}
	got, _ = s.Issues.FindIssueByID(ctx, a.ID)
	if !got.StartedAt.Equal(started) || !got.DetectedAt.Equal(detected) || got.MitigatedAt != nil {
		t.Errorf("stored times %v %v %v", got.StartedAt, got.DetectedAt, got.MitigatedAt)
	}
	_, err = s.Issues.UpdateIssue(ctx, a.ID, domain.IssueUpdate{MitigatedAt: domain.SetTime(started.Add(-time.Minute))})
	wantCode(t, err, domain.EINVALID)
	if n := mustCount(t, s.DB, `SELECT count(*) FROM timeline_events WHERE issue_id = $1 AND event_type = 'times_changed'`, a.ID); n != 1 {
		t.Errorf("%d times_changed events, want 1", n)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE entity_id = $1 AND action = 'issue.update' AND details::jsonb->'changes' ? 'started_at'`, a.ID); n != 1 {
		t.Errorf("%d audited time changes, want 1", n)
	}

	// A dated entry goes where it happened; one dated in the future is refused.
	if _, err := s.Issues.AddTimelineEvent(ctx, a.ID, domain.NewTimelineEvent{EventType: domain.EventObservation,
		Description: "Queue depth started climbing", OccurredAt: &started}); err != nil {
		t.Fatal(err)
	}
	future := now.Add(time.Hour)
	_, err = s.Issues.AddTimelineEvent(ctx, a.ID, domain.NewTimelineEvent{EventType: domain.EventNote, Description: "later", OccurredAt: &future})
	wantCode(t, err, domain.EINVALID)
	events, err := s.Issues.FindTimelineEvents(ctx, a.ID)
	if err != nil || len(events) != 3 {
		t.Fatalf("events %+v %v", events, err)
	}
	if events[0].EventType != domain.EventObservation || !events[0].At().Equal(started) || events[0].OccurredAt == nil ||
		events[1].EventType != domain.EventIssueCreated || events[1].OccurredAt != nil {
		t.Errorf("order: %s at %v, then %s", events[0].EventType, events[0].At(), events[1].EventType)
	}
}
