package db_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tftsr/domain"
)

func TestIssueService_CreateIssue(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	responder, ctx := MustCreateUser(t, s, domain.RoleResponder)
	assignee, _ := MustCreateUser(t, s, domain.RoleResponder)

	t.Run("OK", func(t *testing.T) {
		i, err := s.Issues.CreateIssue(ctx, domain.NewIssue{
			Title: "  Mail queue stuck  ", Description: "Postfix queue\r\ngrows", Severity: domain.SeverityHigh,
			Category: "linux", AssigneeID: &assignee.ID,
		})
		if err != nil {
			t.Fatal(err)
		}
		if i.Title != "Mail queue stuck" || i.Description != "Postfix queue\ngrows" || i.Status != domain.StatusOpen ||
			*i.CreatedBy != responder.ID || *i.AssigneeID != assignee.ID || i.AssigneeName != assignee.DisplayName ||
			!i.CreatedAt.Equal(s.Clock.Now()) || i.ResolvedAt != nil {
			t.Fatalf("issue = %+v", i)
		}
		got, err := s.Issues.FindIssueByID(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != i.Title || got.CreatedByName != responder.DisplayName || got.AssigneeName != assignee.DisplayName ||
			!got.UpdatedAt.Equal(i.UpdatedAt) {
			t.Fatalf("found %+v, want %+v", got, i)
		}
		events, err := s.Issues.FindTimelineEvents(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].EventType != domain.EventIssueCreated ||
			events[0].Description != responder.DisplayName+" created the incident" ||
			*events[0].ActorID != responder.ID || events[0].ActorName != responder.DisplayName {
			t.Fatalf("timeline = %+v", events)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action = 'issue.create' AND entity_id = $1 AND actor_id = $2`,
			i.ID, responder.ID); n != 1 {
			t.Fatalf("%d issue.create audit entries", n)
		}
	})
	t.Run("DefaultsFromSettings", func(t *testing.T) {
		if _, err := s.Settings.UpdateSettings(systemCtx(), domain.SettingsUpdate{
			DefaultSeverity: ptr(domain.SeverityLow), DefaultCategory: ptr(domain.Category("network")),
		}); err != nil {
			t.Fatal(err)
		}
		i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Defaults"})
		if i.Severity != domain.SeverityLow || i.Category != "network" {
			t.Fatalf("severity, category = %s, %s", i.Severity, i.Category)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := mustCount(t, s.DB, `SELECT count(*) FROM issues`)
		beforeAudit := mustCount(t, s.DB, `SELECT count(*) FROM audit_log`)
		for name, tc := range map[string]struct {
			n     domain.NewIssue
			field string
		}{
			"LongTitle":        {domain.NewIssue{Title: strings.Repeat("é", 201)}, "title"},
			"EmptyTitle":       {domain.NewIssue{Title: "   "}, "title"},
			"UnknownSeverity":  {domain.NewIssue{Title: "x", Severity: "apocalyptic"}, "severity"},
			"UnknownCategory":  {domain.NewIssue{Title: "x", Category: "plumbing"}, "category"},
			"NonUTF8":          {domain.NewIssue{Title: "bad \xff\xfe"}, "title"},
			"ControlChars":     {domain.NewIssue{Title: "bell\x07"}, "title"},
			"NULInDescription": {domain.NewIssue{Title: "x", Description: "a\x00b"}, "description"},
			"SnippetMarker":    {domain.NewIssue{Title: "x", Description: "fake " + domain.SnippetStart + "mark"}, "description"},
			"LongDescription":  {domain.NewIssue{Title: "x", Description: strings.Repeat("a", domain.MaxDescriptionLen+1)}, "description"},
			"UnknownAssignee":  {domain.NewIssue{Title: "x", AssigneeID: ptr("0190c2a5-0000-7000-8000-000000000000")}, "assignee_id"},
			"NotUUIDAssignee":  {domain.NewIssue{Title: "x", AssigneeID: ptr("bob")}, "assignee_id"},
		} {
			_, err := s.Issues.CreateIssue(ctx, tc.n)
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorFields(err)[tc.field] == "" {
				t.Errorf("%s: error %v, fields %v; want EINVALID on %s", name, err, domain.ErrorFields(err), tc.field)
			}
		}
		if after := mustCount(t, s.DB, `SELECT count(*) FROM issues`); after != before {
			t.Fatalf("invalid incidents were stored")
		}
		if after := mustCount(t, s.DB, `SELECT count(*) FROM audit_log`); after != beforeAudit {
			t.Fatalf("invalid incidents were audited")
		}
	})
	t.Run("ErrDisabledAssignee", func(t *testing.T) {
		d, _ := MustCreateUser(t, s, domain.RoleViewer)
		if _, err := s.Users.UpdateUser(systemCtx(), d.ID, domain.UserUpdate{Disabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Issues.CreateIssue(ctx, domain.NewIssue{Title: "x", AssigneeID: &d.ID})
		wantCode(t, err, domain.EINVALID)
	})
	t.Run("ErrRoles", func(t *testing.T) {
		_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
		_, err := s.Issues.CreateIssue(viewerCtx, domain.NewIssue{Title: "x"})
		wantCode(t, err, domain.EFORBIDDEN)
		_, err = s.Issues.CreateIssue(context.Background(), domain.NewIssue{Title: "x"})
		wantCode(t, err, domain.EUNAUTHORIZED)
		_, _, err = s.Issues.FindIssues(context.Background(), domain.IssueFilter{})
		wantCode(t, err, domain.EUNAUTHORIZED)
		if _, _, err := s.Issues.FindIssues(viewerCtx, domain.IssueFilter{}); err != nil {
			t.Fatalf("viewer listing: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []string{"x", "0190c2a5-0000-7000-8000-000000000000", "0190c2a5-0000-7000-8000-00000000000"} {
			_, err := s.Issues.FindIssueByID(ctx, id)
			wantCode(t, err, domain.ENOTFOUND)
			_, err = s.Issues.FindIssueDetail(ctx, id)
			wantCode(t, err, domain.ENOTFOUND)
			_, err = s.Issues.UpdateIssue(ctx, id, domain.IssueUpdate{Title: ptr("y")})
			wantCode(t, err, domain.ENOTFOUND)
			err = s.Issues.DeleteIssue(ctx, id)
			wantCode(t, err, domain.ENOTFOUND)
		}
	})
}

func TestIssueService_UpdateIssue(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	responder, ctx := MustCreateUser(t, s, domain.RoleResponder)
	bob, _ := MustCreateUser(t, s, domain.RoleResponder)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Disk full", Severity: domain.SeverityMedium})
	created := i.CreatedAt

	t.Run("StatusSeverityAssignee", func(t *testing.T) {
		s.Clock.Add(time.Hour)
		got, err := s.Issues.UpdateIssue(ctx, i.ID, domain.IssueUpdate{
			Status: ptr(domain.StatusResolved), Severity: ptr(domain.SeverityCritical), AssigneeID: &bob.ID,
		})
		if err != nil {
			t.Fatal(err)
		}
		now := s.Clock.Now()
		if got.Status != domain.StatusResolved || got.ResolvedAt == nil || !got.ResolvedAt.Equal(now) ||
			!got.UpdatedAt.Equal(now) || !got.CreatedAt.Equal(created) || got.AssigneeName != bob.DisplayName {
			t.Fatalf("issue = %+v", got)
		}
		events, _ := s.Issues.FindTimelineEvents(ctx, i.ID)
		var descs []string
		for _, e := range events[1:] {
			descs = append(descs, e.EventType+": "+e.Description)
			if *e.ActorID != responder.ID || e.ActorName != responder.DisplayName {
				t.Errorf("event %s actor = %v %q", e.EventType, e.ActorID, e.ActorName)
			}
		}
		want := []string{
			"severity_changed: Severity changed from Medium to Critical",
			"status_changed: Status changed from Open to Resolved",
			"assigned: Assigned to " + bob.DisplayName,
		}
		if strings.Join(descs, "|") != strings.Join(want, "|") {
			t.Fatalf("events = %q, want %q", descs, want)
		}
		var meta map[string]string
		if err := json.Unmarshal(events[2].Metadata, &meta); err != nil || meta["from"] != "open" || meta["to"] != "resolved" {
			t.Fatalf("status metadata = %s", events[2].Metadata)
		}
		entries, _, err := s.Audit.FindAuditEntries(systemCtx(), domain.AuditFilter{Action: "issue.update"})
		if err != nil || len(entries) != 1 {
			t.Fatalf("audit = %v, %v", entries, err)
		}
		var details struct {
			Changes map[string]struct{ From, To any }
		}
		if err := json.Unmarshal(entries[0].Details, &details); err != nil {
			t.Fatal(err)
		}
		if c := details.Changes["status"]; c.From != "open" || c.To != "resolved" {
			t.Fatalf("status change = %+v in %s", c, entries[0].Details)
		}
		if c := details.Changes["assignee_id"]; c.From != nil || c.To != bob.ID {
			t.Fatalf("assignee change = %+v", c)
		}
	})
	t.Run("NoOp", func(t *testing.T) {
		before := mustCount(t, s.DB, `SELECT count(*) FROM audit_log`)
		beforeEvents := mustCount(t, s.DB, `SELECT count(*) FROM timeline_events`)
		old, _ := s.Issues.FindIssueByID(ctx, i.ID)
		s.Clock.Add(time.Hour)
		got, err := s.Issues.UpdateIssue(ctx, i.ID, domain.IssueUpdate{
			Status: ptr(domain.StatusResolved), Title: ptr(" Disk full "), AssigneeID: &bob.ID,
		})
		if err != nil {
			t.Fatal(err)
		}
		if !got.UpdatedAt.Equal(old.UpdatedAt) {
			t.Fatalf("updated_at moved on a no-op: %v → %v", old.UpdatedAt, got.UpdatedAt)
		}
		if mustCount(t, s.DB, `SELECT count(*) FROM audit_log`) != before ||
			mustCount(t, s.DB, `SELECT count(*) FROM timeline_events`) != beforeEvents {
			t.Fatal("a no-op update recorded something")
		}
	})
	t.Run("CloseKeepsResolvedAt", func(t *testing.T) {
		old, _ := s.Issues.FindIssueByID(ctx, i.ID)
		s.Clock.Add(time.Hour)
		got, err := s.Issues.UpdateIssue(ctx, i.ID, domain.IssueUpdate{Status: ptr(domain.StatusClosed)})
		if err != nil {
			t.Fatal(err)
		} else if got.ResolvedAt == nil || !got.ResolvedAt.Equal(*old.ResolvedAt) {
			t.Fatalf("resolved_at = %v, want %v", got.ResolvedAt, old.ResolvedAt)
		}
	})
	t.Run("ReopenClearsResolvedAt", func(t *testing.T) {
		got, err := s.Issues.UpdateIssue(ctx, i.ID, domain.IssueUpdate{Status: ptr(domain.StatusInvestigating), AssigneeID: ptr("")})
		if err != nil {
			t.Fatal(err)
		} else if got.ResolvedAt != nil || got.AssigneeID != nil || got.AssigneeName != "" {
			t.Fatalf("issue = %+v", got)
		}
		events, _ := s.Issues.FindTimelineEvents(ctx, i.ID)
		if last := events[len(events)-1]; last.EventType != domain.EventAssigned || last.Description != "Unassigned" {
			t.Fatalf("last event = %+v", last)
		}
		stored, _ := s.Issues.FindIssueByID(ctx, i.ID)
		if stored.ResolvedAt != nil {
			t.Fatalf("stored resolved_at = %v", stored.ResolvedAt)
		}
	})
	t.Run("CloseUnresolvedSetsResolvedAt", func(t *testing.T) {
		got, err := s.Issues.UpdateIssue(ctx, i.ID, domain.IssueUpdate{Status: ptr(domain.StatusClosed)})
		if err != nil {
			t.Fatal(err)
		} else if got.ResolvedAt == nil || !got.ResolvedAt.Equal(s.Clock.Now()) {
			t.Fatalf("resolved_at = %v", got.ResolvedAt)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := s.Issues.UpdateIssue(ctx, i.ID, domain.IssueUpdate{Status: ptr(domain.Status("done")), Title: ptr("")})
		wantCode(t, err, domain.EINVALID)
		_, err = s.Issues.UpdateIssue(ctx, i.ID, domain.IssueUpdate{AssigneeID: ptr("nobody")})
		wantCode(t, err, domain.EINVALID)
		_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
		_, err = s.Issues.UpdateIssue(viewerCtx, i.ID, domain.IssueUpdate{Title: ptr("viewer edit")})
		wantCode(t, err, domain.EFORBIDDEN)
	})
}

func TestIssueService_DeleteIssue(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Going away"})
	keep := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Staying"})
	if _, err := s.Issues.AddFiveWhy(ctx, i.ID, domain.NewFiveWhy{WhyNumber: 1, Question: "Why?", Answer: "Because"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Issues.AddTimelineEvent(ctx, i.ID, domain.NewTimelineEvent{EventType: domain.EventNote, Description: "note"}); err != nil {
		t.Fatal(err)
	}

	if err := s.Issues.DeleteIssue(ctx, i.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.Issues.FindIssueByID(ctx, i.ID)
	wantCode(t, err, domain.ENOTFOUND)
	if n := mustCount(t, s.DB, `SELECT count(*) FROM five_whys WHERE issue_id = $1`, i.ID); n != 0 {
		t.Fatalf("%d five_whys left", n)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM timeline_events WHERE issue_id = $1`, i.ID); n != 0 {
		t.Fatalf("%d timeline events left", n)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM timeline_events WHERE issue_id = $1`, keep.ID); n != 1 {
		t.Fatalf("other incident's timeline has %d events", n)
	}
	var details string
	if err := s.DB.Pool.QueryRow(context.Background(), `SELECT details::text FROM audit_log WHERE action = 'issue.delete' AND entity_id = $1`,
		i.ID).Scan(&details); err != nil || !strings.Contains(details, `"title":"Going away"`) {
		t.Fatalf("delete audit = %s, %v", details, err)
	}
	err = s.Issues.DeleteIssue(ctx, i.ID)
	wantCode(t, err, domain.ENOTFOUND)
}

func TestIssueService_FindIssueDetail(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Detail"})
	for _, n := range []int{2, 1} {
		if _, err := s.Issues.AddFiveWhy(ctx, i.ID, domain.NewFiveWhy{WhyNumber: n, Question: "Why?"}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := s.Issues.FindIssueDetail(viewerCtx, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Issue.ID != i.ID || len(d.ResolutionSteps) != 2 || d.ResolutionSteps[0].WhyNumber != 1 || len(d.TimelineEvents) != 1 {
		t.Fatalf("detail = %+v", d)
	}
	b, _ := json.Marshal(d)
	for _, key := range []string{`"log_files":[]`, `"image_attachments":[]`, `"conversations":[]`, `"documents":[]`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("detail JSON lacks %s: %s", key, b)
		}
	}
}

func TestIssueService_FindIssues(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	bob, _ := MustCreateUser(t, s, domain.RoleResponder)
	var ids []string
	for n, spec := range []struct {
		sev domain.Severity
		cat domain.Category
		st  domain.Status
		to  *string
	}{
		{domain.SeverityCritical, "network", domain.StatusOpen, &bob.ID},
		{domain.SeverityHigh, "linux", domain.StatusInvestigating, nil},
		{domain.SeverityLow, "linux", domain.StatusResolved, &bob.ID},
		{domain.SeverityCritical, "windows", domain.StatusClosed, nil},
	} {
		s.Clock.Add(time.Minute)
		i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Incident " + string(rune('A'+n)), Severity: spec.sev, Category: spec.cat, AssigneeID: spec.to})
		if spec.st != domain.StatusOpen {
			if _, err := s.Issues.UpdateIssue(ctx, i.ID, domain.IssueUpdate{Status: &spec.st}); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, i.ID)
	}
	s.Clock.Add(time.Minute)
	if _, err := s.Issues.AddFiveWhy(ctx, ids[1], domain.NewFiveWhy{WhyNumber: 1, Question: "Why?"}); err != nil {
		t.Fatal(err)
	}

	find := func(f domain.IssueFilter) ([]string, int) {
		t.Helper()
		items, total, err := s.Issues.FindIssues(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.ID)
		}
		return got, total
	}
	for name, tc := range map[string]struct {
		f     domain.IssueFilter
		want  []string
		total int
	}{
		"CreatedAsc":  {domain.IssueFilter{Sort: "created_at"}, ids, 4},
		"CreatedDesc": {domain.IssueFilter{Sort: "created_at", Desc: true}, []string{ids[3], ids[2], ids[1], ids[0]}, 4},
		// Incident B's 5-Why touched it last.
		"UpdatedDesc":     {domain.IssueFilter{Desc: true}, []string{ids[1], ids[3], ids[2], ids[0]}, 4},
		"Status":          {domain.IssueFilter{Status: []domain.Status{"open", "investigating"}, Sort: "created_at"}, ids[:2], 2},
		"Severity":        {domain.IssueFilter{Severity: []domain.Severity{"critical"}, Sort: "created_at"}, []string{ids[0], ids[3]}, 2},
		"Category":        {domain.IssueFilter{Category: []domain.Category{"linux"}, Sort: "created_at"}, ids[1:3], 2},
		"Assignee":        {domain.IssueFilter{AssigneeID: &bob.ID, Sort: "created_at"}, []string{ids[0], ids[2]}, 2},
		"Unassigned":      {domain.IssueFilter{AssigneeID: ptr(""), Sort: "created_at"}, []string{ids[1], ids[3]}, 2},
		"BadAssignee":     {domain.IssueFilter{AssigneeID: ptr("bob")}, nil, 0},
		"Page2":           {domain.IssueFilter{Sort: "created_at", Page: 2, PerPage: 3}, ids[3:], 4},
		"PastTheEnd":      {domain.IssueFilter{Sort: "created_at", Page: 5, PerPage: 3}, nil, 4},
		"Combined":        {domain.IssueFilter{Status: []domain.Status{"closed"}, Severity: []domain.Severity{"critical"}}, ids[3:], 1},
		"UnknownStatuses": {domain.IssueFilter{Status: []domain.Status{"nope"}}, nil, 0},
	} {
		got, total := find(tc.f)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") || total != tc.total {
			t.Errorf("%s: got %v (%d), want %v (%d)", name, got, total, tc.want, tc.total)
		}
	}

	items, _, err := s.Issues.FindIssues(ctx, domain.IssueFilter{Sort: "created_at"})
	if err != nil {
		t.Fatal(err)
	}
	if items[0].AssigneeName != bob.DisplayName || items[1].StepCount != 1 || items[0].StepCount != 0 || items[2].ResolvedAt == nil {
		t.Fatalf("summaries = %+v %+v %+v", items[0], items[1], items[2])
	}
}

// TestIssueService_FindIssuesCountsToACap: a list counts at most domain.MaxListTotal matches
// (the page shows "10,000+"), and a page past the cap still says how far it reaches.
func TestIssueService_FindIssuesCountsToACap(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleViewer)
	n := domain.MaxListTotal + 50
	if _, err := s.DB.Pool.Exec(context.Background(), `
		INSERT INTO issues (id, title, severity, category, status, created_at, updated_at)
		SELECT gen_random_uuid(), 'Seeded ' || g, 'low', 'general', 'open', now() - g * interval '1 second', now() - g * interval '1 second'
		FROM generate_series(1, $1::int) g`, n); err != nil {
		t.Fatal(err)
	}
	items, total, err := s.Issues.FindIssues(ctx, domain.IssueFilter{Page: 1, PerPage: 20})
	if err != nil || len(items) != 20 || total != domain.MaxListTotal {
		t.Fatalf("page 1: %d items, total %d, %v; want 20 and %d", len(items), total, err, domain.MaxListTotal)
	}
	last := (n + 19) / 20
	items, total, err = s.Issues.FindIssues(ctx, domain.IssueFilter{Page: last, PerPage: 20})
	if err != nil || len(items) != n-(last-1)*20 || total != n {
		t.Fatalf("page %d: %d items, total %d, %v; want %d and %d", last, len(items), total, err, n-(last-1)*20, n)
	}
	items, total, err = s.Issues.FindIssues(ctx, domain.IssueFilter{Page: 1, PerPage: 20, Severity: []domain.Severity{domain.SeverityHigh}})
	if err != nil || len(items) != 0 || total != 0 {
		t.Fatalf("no match: %d items, total %d, %v", len(items), total, err)
	}
}
