package domain_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"tftsr/domain"
)

func ptr[T any](v T) *T { return &v }

func TestApplyIssueUpdate(t *testing.T) {
	created := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	earlier := time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)
	now := time.Date(2026, 4, 3, 11, 30, 0, 123456000, time.UTC)
	rob := &domain.User{ID: "u-rob", Username: "rob", DisplayName: "Rob Responder"}
	vera := &domain.User{ID: "u-vera", Username: "vera"}

	// issue returns an incident in status st, resolved at resolved, assigned to assignee.
	issue := func(st domain.Status, resolved *time.Time, assignee *domain.User) *domain.Issue {
		i := &domain.Issue{
			ID: "i-1", Title: "Payments 502", Description: "Gateway resets.", Severity: domain.SeverityHigh,
			Category: "network", Status: st, CreatedAt: created, UpdatedAt: created, ResolvedAt: resolved,
		}
		if assignee != nil {
			i.AssigneeID, i.AssigneeName = &assignee.ID, assignee.Name()
		}
		return i
	}
	type event struct{ Type, Description string }

	tests := []struct {
		name     string
		old      *domain.Issue
		update   domain.IssueUpdate
		assignee *domain.User
		// want* describe the result; wantChanges as the audit's JSON.
		wantChanged  bool
		wantStatus   domain.Status
		wantResolved *time.Time
		wantAssignee *string
		wantChanges  string
		wantEvents   []event
	}{
		{
			name:        "nothing set",
			old:         issue(domain.StatusOpen, nil, nil),
			wantStatus:  domain.StatusOpen,
			wantChanges: `{}`,
		},
		{
			name: "every field set to what it is",
			old:  issue(domain.StatusTriaging, nil, rob),
			update: domain.IssueUpdate{Title: ptr("Payments 502"), Description: ptr("Gateway resets."),
				Severity: ptr(domain.SeverityHigh), Category: ptr(domain.Category("network")),
				Status: ptr(domain.StatusTriaging), AssigneeID: ptr("u-rob")},
			assignee:     rob,
			wantStatus:   domain.StatusTriaging,
			wantAssignee: ptr("u-rob"),
			wantChanges:  `{}`,
		},
		{
			name:        "title, description and category are audited, not on the timeline",
			old:         issue(domain.StatusOpen, nil, nil),
			update:      domain.IssueUpdate{Title: ptr("Payments 503"), Description: ptr("Longer text."), Category: ptr(domain.Category("application"))},
			wantChanged: true,
			wantStatus:  domain.StatusOpen,
			wantChanges: `{"category":{"from":"network","to":"application"},` +
				`"description":{"changed":true,"from_length":15,"to_length":12},"title":{"from":"Payments 502","to":"Payments 503"}}`,
		},
		{
			name:        "severity",
			old:         issue(domain.StatusOpen, nil, nil),
			update:      domain.IssueUpdate{Severity: ptr(domain.SeverityCritical)},
			wantChanged: true,
			wantStatus:  domain.StatusOpen,
			wantChanges: `{"severity":{"from":"high","to":"critical"}}`,
			wantEvents:  []event{{domain.EventSeverityChanged, "Severity changed from High to Critical"}},
		},
		{
			name:         "resolving sets resolved_at",
			old:          issue(domain.StatusInvestigating, nil, nil),
			update:       domain.IssueUpdate{Status: ptr(domain.StatusResolved)},
			wantChanged:  true,
			wantStatus:   domain.StatusResolved,
			wantResolved: &now,
			wantChanges: `{"resolved_at":{"from":null,"to":"2026-04-03T11:30:00.123456Z"},` +
				`"status":{"from":"investigating","to":"resolved"}}`,
			wantEvents: []event{{domain.EventStatusChanged, "Status changed from Investigating to Resolved"}},
		},
		{
			name:         "closing a resolved incident keeps resolved_at",
			old:          issue(domain.StatusResolved, &earlier, nil),
			update:       domain.IssueUpdate{Status: ptr(domain.StatusClosed)},
			wantChanged:  true,
			wantStatus:   domain.StatusClosed,
			wantResolved: &earlier,
			wantChanges:  `{"status":{"from":"resolved","to":"closed"}}`,
			wantEvents:   []event{{domain.EventStatusChanged, "Status changed from Resolved to Closed"}},
		},
		{
			name:         "closing an unresolved incident sets resolved_at",
			old:          issue(domain.StatusOpen, nil, nil),
			update:       domain.IssueUpdate{Status: ptr(domain.StatusClosed)},
			wantChanged:  true,
			wantStatus:   domain.StatusClosed,
			wantResolved: &now,
			wantChanges:  `{"resolved_at":{"from":null,"to":"2026-04-03T11:30:00.123456Z"},"status":{"from":"open","to":"closed"}}`,
			wantEvents:   []event{{domain.EventStatusChanged, "Status changed from Open to Closed"}},
		},
		{
			name:         "back from closed to resolved keeps resolved_at",
			old:          issue(domain.StatusClosed, &earlier, nil),
			update:       domain.IssueUpdate{Status: ptr(domain.StatusResolved)},
			wantChanged:  true,
			wantStatus:   domain.StatusResolved,
			wantResolved: &earlier,
			wantChanges:  `{"status":{"from":"closed","to":"resolved"}}`,
			wantEvents:   []event{{domain.EventStatusChanged, "Status changed from Closed to Resolved"}},
		},
		{
			name:         "a closed incident without resolved_at gets one when resolved",
			old:          issue(domain.StatusClosed, nil, nil),
			update:       domain.IssueUpdate{Status: ptr(domain.StatusResolved)},
			wantChanged:  true,
			wantStatus:   domain.StatusResolved,
			wantResolved: &now,
			wantChanges:  `{"resolved_at":{"from":null,"to":"2026-04-03T11:30:00.123456Z"},"status":{"from":"closed","to":"resolved"}}`,
			wantEvents:   []event{{domain.EventStatusChanged, "Status changed from Closed to Resolved"}},
		},
		{
			name:        "reopening clears resolved_at",
			old:         issue(domain.StatusResolved, &earlier, nil),
			update:      domain.IssueUpdate{Status: ptr(domain.StatusInvestigating)},
			wantChanged: true,
			wantStatus:  domain.StatusInvestigating,
			wantChanges: `{"resolved_at":{"from":"2026-04-02T10:00:00Z","to":null},"status":{"from":"resolved","to":"investigating"}}`,
			wantEvents:  []event{{domain.EventStatusChanged, "Status changed from Resolved to Investigating"}},
		},
		{
			name:        "moving between active statuses leaves resolved_at alone",
			old:         issue(domain.StatusOpen, nil, nil),
			update:      domain.IssueUpdate{Status: ptr(domain.StatusTriaging)},
			wantChanged: true,
			wantStatus:  domain.StatusTriaging,
			wantChanges: `{"status":{"from":"open","to":"triaging"}}`,
			wantEvents:  []event{{domain.EventStatusChanged, "Status changed from Open to Triaging"}},
		},
		{
			name:         "assigning",
			old:          issue(domain.StatusOpen, nil, nil),
			update:       domain.IssueUpdate{AssigneeID: ptr("u-rob")},
			assignee:     rob,
			wantChanged:  true,
			wantStatus:   domain.StatusOpen,
			wantAssignee: ptr("u-rob"),
			wantChanges:  `{"assignee_id":{"from":null,"to":"u-rob"}}`,
			wantEvents:   []event{{domain.EventAssigned, "Assigned to Rob Responder"}},
		},
		{
			name:         "reassigning",
			old:          issue(domain.StatusOpen, nil, rob),
			update:       domain.IssueUpdate{AssigneeID: ptr("u-vera")},
			assignee:     vera,
			wantChanged:  true,
			wantStatus:   domain.StatusOpen,
			wantAssignee: ptr("u-vera"),
			wantChanges:  `{"assignee_id":{"from":"u-rob","to":"u-vera"}}`,
			wantEvents:   []event{{domain.EventAssigned, "Assigned to vera"}},
		},
		{
			name:        "unassigning",
			old:         issue(domain.StatusOpen, nil, rob),
			update:      domain.IssueUpdate{AssigneeID: ptr("")},
			wantChanged: true,
			wantStatus:  domain.StatusOpen,
			wantChanges: `{"assignee_id":{"from":"u-rob","to":null}}`,
			wantEvents:  []event{{domain.EventAssigned, "Unassigned"}},
		},
		{
			name:        "unassigning an unassigned incident",
			old:         issue(domain.StatusOpen, nil, nil),
			update:      domain.IssueUpdate{AssigneeID: ptr("")},
			wantStatus:  domain.StatusOpen,
			wantChanges: `{}`,
		},
		{
			name:         "severity, status and assignee are recorded in that order",
			old:          issue(domain.StatusOpen, nil, nil),
			update:       domain.IssueUpdate{AssigneeID: ptr("u-rob"), Status: ptr(domain.StatusResolved), Severity: ptr(domain.SeverityLow)},
			assignee:     rob,
			wantChanged:  true,
			wantStatus:   domain.StatusResolved,
			wantResolved: &now,
			wantAssignee: ptr("u-rob"),
			wantChanges: `{"assignee_id":{"from":null,"to":"u-rob"},"resolved_at":{"from":null,"to":"2026-04-03T11:30:00.123456Z"},` +
				`"severity":{"from":"high","to":"low"},"status":{"from":"open","to":"resolved"}}`,
			wantEvents: []event{
				{domain.EventSeverityChanged, "Severity changed from High to Low"},
				{domain.EventStatusChanged, "Status changed from Open to Resolved"},
				{domain.EventAssigned, "Assigned to Rob Responder"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := *tc.old
			c, err := domain.ApplyIssueUpdate(tc.old, tc.update, tc.assignee, now)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*tc.old, before) {
				t.Errorf("the old incident was modified: %+v", *tc.old)
			}
			if c.Changed() != tc.wantChanged {
				t.Errorf("Changed() = %v, want %v", c.Changed(), tc.wantChanged)
			}
			wantUpdated := created
			if tc.wantChanged {
				wantUpdated = now
			}
			if !c.Issue.UpdatedAt.Equal(wantUpdated) {
				t.Errorf("updated_at = %v, want %v", c.Issue.UpdatedAt, wantUpdated)
			}
			if c.Issue.Status != tc.wantStatus {
				t.Errorf("status = %s, want %s", c.Issue.Status, tc.wantStatus)
			}
			if !equalTime(c.Issue.ResolvedAt, tc.wantResolved) {
				t.Errorf("resolved_at = %v, want %v", c.Issue.ResolvedAt, tc.wantResolved)
			}
			if !equalString(c.Issue.AssigneeID, tc.wantAssignee) {
				t.Errorf("assignee = %v, want %v", c.Issue.AssigneeID, tc.wantAssignee)
			}
			b, err := json.Marshal(c.Changes)
			if err != nil || string(b) != tc.wantChanges {
				t.Errorf("changes = %s (%v), want %s", b, err, tc.wantChanges)
			}
			var got []event
			for _, e := range c.Events {
				got = append(got, event{e.Type, e.Description})
			}
			if !reflect.DeepEqual(got, tc.wantEvents) {
				t.Errorf("events = %q, want %q", got, tc.wantEvents)
			}
		})
	}
}

func TestApplyIssueUpdate_EventMetadata(t *testing.T) {
	now := time.Date(2026, 4, 3, 11, 30, 0, 0, time.UTC)
	rob := &domain.User{ID: "u-rob", Username: "rob"}
	old := &domain.Issue{ID: "i-1", Title: "t", Severity: domain.SeverityHigh, Category: "general", Status: domain.StatusOpen}
	c, err := domain.ApplyIssueUpdate(old, domain.IssueUpdate{
		Severity: ptr(domain.SeverityCritical), Status: ptr(domain.StatusTriaging), AssigneeID: ptr("u-rob"),
	}, rob, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"from":"high","to":"critical"}`,
		`{"from":"open","to":"triaging"}`,
		`{"from":null,"to":"u-rob","to_name":"rob"}`,
	}
	if len(c.Events) != len(want) {
		t.Fatalf("%d events, want %d", len(c.Events), len(want))
	}
	for i, e := range c.Events {
		if b, _ := json.Marshal(e.Metadata); string(b) != want[i] {
			t.Errorf("event %d (%s) metadata = %s, want %s", i, e.Type, b, want[i])
		}
	}
	if c.Issue.AssigneeName != "rob" {
		t.Errorf("assignee name = %q", c.Issue.AssigneeName)
	}
}

func TestApplyIssueUpdate_AssigneeNotLookedUp(t *testing.T) {
	old := &domain.Issue{ID: "i-1", Status: domain.StatusOpen}
	if _, err := domain.ApplyIssueUpdate(old, domain.IssueUpdate{AssigneeID: ptr("u-rob")}, nil, time.Now()); err == nil {
		t.Fatal("an assignment without the user looked up was accepted")
	}
}

func equalTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func equalString(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func TestTriageStatus(t *testing.T) {
	want := map[domain.Status]domain.Status{
		domain.StatusOpen:          domain.StatusTriaging,
		domain.StatusTriaging:      domain.StatusTriaging,
		domain.StatusInvestigating: domain.StatusInvestigating,
		domain.StatusResolved:      domain.StatusResolved,
		domain.StatusClosed:        domain.StatusClosed,
	}
	for _, s := range domain.Statuses {
		if got := domain.TriageStatus(s); got != want[s] {
			t.Errorf("TriageStatus(%s) = %s, want %s", s, got, want[s])
		}
	}
}

// TestNewTimelineEvent_PersonTypesOnly: people record notes, actions, decisions, observations
// and communications; the portal's own events (a root cause found, a redaction) cannot be
// posted, so the documents' metrics cannot be forged from the timeline.
func TestNewTimelineEvent_PersonTypesOnly(t *testing.T) {
	for _, typ := range domain.PersonEventTypes {
		n := domain.NewTimelineEvent{EventType: typ, Description: "Rolled back"}
		if err := n.Validate(); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
	}
	for _, e := range domain.TimelineEventTypes {
		if slices.Contains(domain.PersonEventTypes, e.Type) {
			continue
		}
		n := domain.NewTimelineEvent{EventType: e.Type, Description: "forged"}
		if err := n.Validate(); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s from a person: %v, want invalid", e.Type, err)
		}
	}
}
