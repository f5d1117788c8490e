package domain_test

import (
	"context"
	"strings"
	"testing"

	"tftsr/domain"
	"tftsr/domain/triage"
)

// fakeMessages holds chat messages by id.
type fakeMessages map[string]*domain.ConversationMessage

func (f fakeMessages) FindChatMessage(ctx context.Context, id string) (*domain.ConversationMessage, error) {
	if m, ok := f[id]; ok {
		return m, nil
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "Message not found.")
}

// fakeWhys is an IssueService keeping one incident's 5-Whys; it records the calls made.
type fakeWhys struct {
	domain.IssueService
	steps []*domain.FiveWhy
	adds  []domain.NewFiveWhy
	ups   []domain.FiveWhyUpdate
}

func (f *fakeWhys) FindFiveWhys(ctx context.Context, issueID string) ([]*domain.FiveWhy, error) {
	return f.steps, nil
}

func (f *fakeWhys) AddFiveWhy(ctx context.Context, issueID string, n domain.NewFiveWhy) (*domain.FiveWhy, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	f.adds = append(f.adds, n)
	w := &domain.FiveWhy{ID: "w" + string(rune('0'+n.WhyNumber)), IssueID: issueID, WhyNumber: n.WhyNumber, Question: n.Question, Answer: n.Answer, Evidence: n.Evidence}
	f.steps = append(f.steps, w)
	return w, nil
}

func (f *fakeWhys) UpdateFiveWhy(ctx context.Context, id string, u domain.FiveWhyUpdate) (*domain.FiveWhy, error) {
	f.ups = append(f.ups, u)
	for _, s := range f.steps {
		if s.ID == id {
			s.Answer, s.Evidence = *u.Answer, *u.Evidence
			return s, nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "5-Whys step not found.")
}

func userCtx(role domain.Role) context.Context {
	return domain.NewContextWithUser(context.Background(), &domain.User{ID: "u1", Username: "u", Role: role})
}

func TestAcceptWhyProposal(t *testing.T) {
	reply := "Looks like the pool.\n\n- Proposed Why 1: Checkout timed out (evidence: app.log:10-12)\n- Proposed Why 2: The DB pool was exhausted (evidence: app.log:1042–1050, db.log:77)\n- Proposed Why 4: skipped a step\n"
	msgs := fakeMessages{
		"r1":   {ID: "r1", IssueID: "i1", Role: domain.RoleAssistant, Status: domain.MessageComplete, Content: reply},
		"u1":   {ID: "u1", IssueID: "i1", Role: domain.RoleUser, Status: domain.MessageComplete, Content: reply},
		"half": {ID: "half", IssueID: "i1", Role: domain.RoleAssistant, Status: domain.MessageIncomplete, Content: reply},
	}
	responder := userCtx(domain.RoleResponder)

	t.Run("AddsInOrderThenRefusesRepeat", func(t *testing.T) {
		issues := &fakeWhys{}
		svc := domain.NewWhyProposalService(msgs, issues)
		w, created, err := svc.AcceptWhyProposal(responder, "r1", 1)
		if err != nil || !created || w.WhyNumber != 1 || w.Question != "Why did the incident happen?" || w.Answer != "Checkout timed out" || w.Evidence != "app.log:10-12" {
			t.Fatalf("accept 1 = %+v, %v, %v", w, created, err)
		}
		w, created, err = svc.AcceptWhyProposal(responder, "r1", 2)
		if err != nil || !created || w.WhyNumber != 2 || w.Question != "Why did this happen: Checkout timed out?" || w.Evidence != "app.log:1042–1050, db.log:77" {
			t.Fatalf("accept 2 = %+v, %v, %v", w, created, err)
		}
		// The same proposal again: refused, nothing written.
		_, _, err = svc.AcceptWhyProposal(responder, "r1", 2)
		if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "already has this answer") {
			t.Fatalf("repeat = %v", err)
		}
		// Why 4 with no why 3: refused.
		_, _, err = svc.AcceptWhyProposal(responder, "r1", 3)
		if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "Why 3 has no entry") {
			t.Fatalf("out of order = %v", err)
		}
		if len(issues.adds) != 2 || len(issues.ups) != 0 {
			t.Errorf("adds %d, updates %d", len(issues.adds), len(issues.ups))
		}
	})
	t.Run("UpdatesExisting", func(t *testing.T) {
		issues := &fakeWhys{steps: []*domain.FiveWhy{
			{ID: "a", WhyNumber: 1, Question: "Why?", Answer: "x"},
			{ID: "b", WhyNumber: 2, Question: "Why did the pool run out?", Evidence: "old"},
		}}
		svc := domain.NewWhyProposalService(msgs, issues)
		w, created, err := svc.AcceptWhyProposal(responder, "r1", 2)
		if err != nil || created || w.ID != "b" || w.Question != "Why did the pool run out?" || w.Answer != "The DB pool was exhausted" || w.Evidence != "app.log:1042–1050, db.log:77" {
			t.Fatalf("update = %+v, %v, %v", w, created, err)
		}
		if len(issues.adds) != 0 || len(issues.ups) != 1 {
			t.Errorf("adds %d, updates %d", len(issues.adds), len(issues.ups))
		}
	})
	t.Run("Refusals", func(t *testing.T) {
		svc := domain.NewWhyProposalService(msgs, &fakeWhys{})
		for _, tt := range []struct {
			name string
			ctx  context.Context
			id   string
			n    int
			code string
		}{
			{"viewer", userCtx(domain.RoleViewer), "r1", 1, domain.EFORBIDDEN},
			{"anonymous", context.Background(), "r1", 1, domain.EUNAUTHORIZED},
			{"user message", responder, "u1", 1, domain.ENOTFOUND},
			{"incomplete reply", responder, "half", 1, domain.ECONFLICT},
			{"no such message", responder, "nope", 1, domain.ENOTFOUND},
			{"index 0", responder, "r1", 0, domain.ENOTFOUND},
			{"index past the end", responder, "r1", 4, domain.ENOTFOUND},
		} {
			if _, _, err := svc.AcceptWhyProposal(tt.ctx, tt.id, tt.n); domain.ErrorCode(err) != tt.code {
				t.Errorf("%s: err = %v, want %s", tt.name, err, tt.code)
			}
		}
	})
}

func TestProposalQuestion(t *testing.T) {
	if q := domain.ProposalQuestion(1, nil); q != "Why did the incident happen?" {
		t.Errorf("why 1 = %q", q)
	}
	if q := domain.ProposalQuestion(3, &domain.FiveWhy{Answer: "The cache\nwas cold."}); q != "Why did this happen: The cache was cold?" {
		t.Errorf("why 3 = %q", q)
	}
	if q := domain.ProposalQuestion(2, &domain.FiveWhy{}); q != "Why did the answer to why 1 come about?" {
		t.Errorf("unanswered = %q", q)
	}
	long := domain.ProposalQuestion(2, &domain.FiveWhy{Answer: strings.Repeat("é", 1000)})
	if n := len([]rune(long)); n > 400 {
		t.Errorf("long question has %d runes", n)
	}
}

func TestProposalAccepted(t *testing.T) {
	steps := []*domain.FiveWhy{
		{WhyNumber: 1, Question: "Why?", Answer: "The pool ran out.", Evidence: "app.log:12"},
		{WhyNumber: 2, Question: "Why?", Answer: "", Evidence: ""},
	}
	tests := []struct {
		name string
		p    triage.WhyProposal
		want bool
	}{
		{"same why, answer and evidence", triage.WhyProposal{Number: 1, Answer: "The pool ran out.", Evidence: "app.log:12"}, true},
		{"the question does not matter", triage.WhyProposal{Number: 1, Question: "Other?", Answer: "The pool ran out.", Evidence: "app.log:12"}, true},
		{"other answer", triage.WhyProposal{Number: 1, Answer: "The disk filled.", Evidence: "app.log:12"}, false},
		{"other evidence", triage.WhyProposal{Number: 1, Answer: "The pool ran out.", Evidence: "app.log:13"}, false},
		{"no evidence where the entry has some", triage.WhyProposal{Number: 1, Answer: "The pool ran out."}, false},
		{"same answer for another why", triage.WhyProposal{Number: 3, Answer: "The pool ran out.", Evidence: "app.log:12"}, false},
		{"an unanswered entry", triage.WhyProposal{Number: 2, Answer: "Leaked connections."}, false},
		{"no entry for the why", triage.WhyProposal{Number: 4, Answer: "x"}, false},
	}
	for _, tt := range tests {
		if got := domain.ProposalAccepted(tt.p, steps); got != tt.want {
			t.Errorf("%s: ProposalAccepted = %v, want %v", tt.name, got, tt.want)
		}
	}
	if domain.ProposalAccepted(triage.WhyProposal{Number: 1, Answer: "a"}, nil) {
		t.Error("accepted into no 5-Whys")
	}
}
