package db_test

import (
	"slices"
	"testing"

	"tftsr/db"
	"tftsr/domain"
)

// TestAcceptWhyProposal accepts proposals of a stored reply into the 5-Whys over the real
// stores: the why level advances, the timeline and the audit log record it as for a typed answer.
func TestAcceptWhyProposal(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Checkout errors"})
	store := db.NewChatStore(s.DB)
	gate := &domain.RedactionGate{}

	reply := func(t *testing.T, content string) string {
		t.Helper()
		_, r, err := store.AddChatTurn(ctx, i.ID, "local", "llama3", gate.Text("what next?"), domain.RedactedText{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.FinishChatReply(ctx, domain.ChatReply{MessageID: r.ID, Content: content, Status: domain.MessageComplete, Provider: "local", Model: "llama3"}); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	events := func(t *testing.T) []string {
		t.Helper()
		evs, err := s.Issues.FindTimelineEvents(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			out = append(out, e.EventType)
		}
		return out
	}
	audits := func(t *testing.T, action string) int {
		t.Helper()
		_, n, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	svc := domain.NewWhyProposalService(store, s.Issues)

	r1 := reply(t, "- Proposed Why 1: Checkout timed out (evidence: app.log:10-12)\n- Proposed Why 2: The pool was exhausted (evidence: app.log:1042–1050)\n- Proposed Why 5: A retry loop leaks connections (evidence: app.log:7)")

	// A viewer may not accept.
	_, _, err := svc.AcceptWhyProposal(viewerCtx, r1, 1)
	wantCode(t, err, domain.EFORBIDDEN)

	// Why 5 before 2 to 4 exist: refused, nothing stored.
	_, _, err = svc.AcceptWhyProposal(ctx, r1, 3)
	wantCode(t, err, domain.ECONFLICT)

	// Adding why 1 advances the level and is audited as a typed why.
	w1, created, err := svc.AcceptWhyProposal(ctx, r1, 1)
	if err != nil || !created || w1.WhyNumber != 1 || w1.Answer != "Checkout timed out" || w1.Evidence != "app.log:10-12" {
		t.Fatalf("accept 1 = %+v, %v, %v", w1, created, err)
	}
	if got := events(t); !slices.Contains(got, domain.EventWhyLevelAdvanced) {
		t.Fatalf("events = %v", got)
	}
	if n := audits(t, "five_why.add"); n != 1 {
		t.Fatalf("five_why.add audits = %d", n)
	}
	// Again: a clear conflict, nothing more recorded.
	_, _, err = svc.AcceptWhyProposal(ctx, r1, 1)
	wantCode(t, err, domain.ECONFLICT)
	if n := audits(t, "five_why.add"); n != 1 {
		t.Fatalf("five_why.add audits after repeat = %d", n)
	}

	// Why 2 has a typed entry without an answer: accepting sets its answer and evidence.
	typed, err := s.Issues.AddFiveWhy(ctx, i.ID, domain.NewFiveWhy{WhyNumber: 2, Question: "Why did the API time out?"})
	if err != nil {
		t.Fatal(err)
	}
	w2, created, err := svc.AcceptWhyProposal(ctx, r1, 2)
	if err != nil || created || w2.ID != typed.ID || w2.Question != "Why did the API time out?" || w2.Answer != "The pool was exhausted" || w2.Evidence != "app.log:1042–1050" {
		t.Fatalf("accept 2 = %+v, %v, %v", w2, created, err)
	}
	if n := audits(t, "five_why.update"); n != 1 {
		t.Fatalf("five_why.update audits = %d", n)
	}
	steps, _ := s.Issues.FindFiveWhys(ctx, i.ID)
	if domain.WhyLevel(steps) != 2 {
		t.Fatalf("why level = %d", domain.WhyLevel(steps))
	}

	// Up to why 5: the root cause is identified on the timeline.
	r2 := reply(t, "Proposed Why 3: Retries doubled the load\nProposed Why 4: No backoff was configured")
	for n := 1; n <= 2; n++ {
		if _, _, err := svc.AcceptWhyProposal(ctx, r2, n); err != nil {
			t.Fatal(err)
		}
	}
	w5, created, err := svc.AcceptWhyProposal(ctx, r1, 3)
	if err != nil || !created || w5.WhyNumber != 5 || w5.Question != "Why did this happen: No backoff was configured?" {
		t.Fatalf("accept 5 = %+v, %v, %v", w5, created, err)
	}
	if got := events(t); !slices.Contains(got, domain.EventRootCauseIdentified) {
		t.Fatalf("events = %v", got)
	}
	steps, _ = s.Issues.FindFiveWhys(ctx, i.ID)
	if domain.WhyLevel(steps) != 5 || len(steps) != 5 {
		t.Fatalf("steps = %d, level %d", len(steps), domain.WhyLevel(steps))
	}
}
