package db_test

import (
	"context"
	"testing"

	"tftsr/db"
	"tftsr/domain"
)

// TestIssueService_FindIssueParts checks that only the parts asked for are loaded, that the
// 5-Whys alone still know the level the chat reached, and that access is checked as for the
// whole detail.
func TestIssueService_FindIssueParts(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Parts"})
	if _, err := s.Issues.AddFiveWhy(ctx, i.ID, domain.NewFiveWhy{WhyNumber: 1, Question: "Why?", Answer: "Because."}); err != nil {
		t.Fatal(err)
	}
	chat := db.NewChatStore(s.DB)
	gate := &domain.RedactionGate{}
	_, reply, err := chat.AddChatTurn(ctx, i.ID, "local", "llama3", gate.Text("why?"), domain.RedactedText{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chat.FinishChatReply(ctx, domain.ChatReply{MessageID: reply.ID, Content: "Why 3 reached.", Status: domain.MessageComplete,
		WhyFrom: 1, WhyTo: 3, Provider: "local", Model: "llama3"}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		parts domain.IssueParts
		// want says which of steps, timeline, logs, images, documents and conversations are loaded.
		want      [6]bool
		wantReply int
	}{
		{"the incident alone", 0, [6]bool{}, 0},
		{"the 5-Whys without the chat", domain.IssueFiveWhys, [6]bool{0: true}, 3},
		{"the timeline", domain.IssueTimeline, [6]bool{1: true}, 0},
		{"logs and images", domain.IssueLogs | domain.IssueImages, [6]bool{2: true, 3: true}, 0},
		{"everything", domain.IssueAllParts, [6]bool{true, true, true, true, true, true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := s.Issues.FindIssueParts(viewerCtx, i.ID, tt.parts)
			if err != nil {
				t.Fatal(err)
			}
			if d.Issue == nil || d.Issue.ID != i.ID || d.Issue.Title != "Parts" {
				t.Fatalf("issue = %+v", d.Issue)
			}
			got := [6]bool{d.ResolutionSteps != nil, d.TimelineEvents != nil, d.LogFiles != nil, d.ImageAttachments != nil,
				d.Documents != nil, d.Conversations != nil}
			if got != tt.want {
				t.Errorf("loaded %v, want %v", got, tt.want)
			}
			if d.ReplyWhyLevel != tt.wantReply {
				t.Errorf("ReplyWhyLevel = %d, want %d", d.ReplyWhyLevel, tt.wantReply)
			}
			if tt.parts&domain.IssueFiveWhys != 0 && d.WhyLevel() != 3 {
				t.Errorf("WhyLevel = %d, want 3 (the reply's)", d.WhyLevel())
			}
		})
	}

	d, err := s.Issues.FindIssueParts(viewerCtx, i.ID, domain.IssueTimeline)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Issues.FindIssueDetail(viewerCtx, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.TimelineEvents) == 0 || len(d.TimelineEvents) != len(all.TimelineEvents) {
		t.Errorf("timeline: %d events, the detail has %d", len(d.TimelineEvents), len(all.TimelineEvents))
	}

	_, err = s.Issues.FindIssueParts(viewerCtx, "0190f0e0-0000-7000-8000-000000000000", domain.IssueTimeline)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = s.Issues.FindIssueParts(viewerCtx, "not-an-id", domain.IssueTimeline)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = s.Issues.FindIssueParts(context.Background(), i.ID, domain.IssueTimeline)
	wantCode(t, err, domain.EUNAUTHORIZED)
}

// TestIssueService_FindIssueParts_Counts checks the tab bar's counts: how many whys, timeline
// events, chat messages, logs, images and documents an incident has, and its action items not
// done, counted for that incident alone and only when asked for.
func TestIssueService_FindIssueParts_Counts(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Counted"})
	other := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Elsewhere"})
	for _, id := range []string{i.ID, other.ID} {
		if _, err := s.Issues.AddFiveWhy(ctx, id, domain.NewFiveWhy{WhyNumber: 1, Question: "Why?", Answer: "Because."}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Issues.AddFiveWhy(ctx, i.ID, domain.NewFiveWhy{WhyNumber: 2, Question: "Why that?"}); err != nil {
		t.Fatal(err)
	}
	gate := &domain.RedactionGate{}
	if _, _, err := db.NewChatStore(s.DB).AddChatTurn(ctx, i.ID, "local", "llama3", gate.Text("why?"), domain.RedactedText{}); err != nil {
		t.Fatal(err)
	}
	items := db.NewActionItemStore(s.DB)
	var last *domain.ActionItem
	for _, a := range []string{"Add an alert", "Add backoff", "Write the runbook"} {
		var err error
		if last, err = items.CreateActionItem(ctx, i.ID, domain.NewActionItem{Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	done := domain.ActionDone
	if _, err := items.UpdateActionItem(ctx, last.ID, domain.ActionItemUpdate{Status: &done}); err != nil {
		t.Fatal(err)
	}

	d, err := s.Issues.FindIssueParts(viewerCtx, i.ID, domain.IssueTabCounts)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Issues.FindIssueDetail(viewerCtx, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.IssueCounts{Whys: 2, TimelineEvents: len(all.TimelineEvents), Messages: 2, OpenActionItems: 2}
	if d.Counts == nil || *d.Counts != want {
		t.Errorf("counts = %+v, want %+v", d.Counts, want)
	}
	if want.TimelineEvents < 3 {
		t.Errorf("the incident has %d timeline events; the test wants some", want.TimelineEvents)
	}
	if d.ResolutionSteps != nil || d.TimelineEvents != nil || d.Conversations != nil {
		t.Error("the counts loaded the parts")
	}
	if all.Counts != nil {
		t.Error("the whole detail counts without being asked")
	}
}
