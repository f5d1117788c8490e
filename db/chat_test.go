package db_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"tftsr/db"
	"tftsr/domain"
)

func TestChatStore(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Mail down"})
	store := db.NewChatStore(s.DB)
	gate := &domain.RedactionGate{}

	u1, r1, err := store.AddChatTurn(ctx, i.ID, "local", "llama3", gate.Text("mail for bob@example.com bounces"), domain.RedactedText{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u1.Content, "bob@example.com") || !slices.Contains(u1.PIITypes, "Email") || r1.Status != domain.MessageStreaming || r1.Seq <= u1.Seq {
		t.Fatalf("turn = %+v / %+v", u1, r1)
	}
	if _, err := store.FinishChatReply(ctx, domain.ChatReply{MessageID: r1.ID, Content: "Why 2: why?\nRoot cause: DNS", Status: domain.MessageComplete,
		WhyFrom: 0, WhyTo: 2, RootCause: "DNS", Provider: "local", Model: "llama3", BytesSent: 42, SentHash: "abc123", PIITypes: u1.PIITypes,
		Usage: domain.ChatUsage{InputTokens: 1200, OutputTokens: 80}}); err != nil {
		t.Fatal(err)
	}
	// Finishing again changes nothing.
	again, err := store.FinishChatReply(ctx, domain.ChatReply{MessageID: r1.ID, Content: "x", Status: domain.MessageError})
	if err != nil || again.Status != domain.MessageComplete || again.WhyLevel != 2 || again.RootCause != "DNS" {
		t.Fatalf("again = %+v, %v", again, err)
	}
	// Another model: a new conversation, one history.
	_, r2, err := store.AddChatTurn(ctx, i.ID, "other", "gpt", gate.Text("next"), domain.RedactedText{})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := store.FindChatHistory(ctx, i.ID)
	if err != nil || len(hist) != 4 || hist[3].ID != r2.ID || hist[2].ConversationID == hist[0].ConversationID {
		t.Fatalf("history = %v, %v", hist, err)
	}
	d, err := s.Issues.FindIssueDetail(ctx, i.ID)
	if err != nil || len(d.Conversations) != 2 || len(d.Conversations[0].Messages) != 2 {
		t.Fatalf("detail conversations = %+v, %v", d.Conversations, err)
	}
	var types []string
	for _, e := range d.TimelineEvents {
		types = append(types, e.EventType)
	}
	if !slices.Contains(types, domain.EventWhyLevelAdvanced) || !slices.Contains(types, domain.EventRootCauseIdentified) {
		t.Errorf("timeline = %v", types)
	}
	_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	entries, _, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{Action: "ai.chat"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit = %v, %v", entries, err)
	}
	raw, _ := json.Marshal(entries[0].Details)
	if strings.Contains(string(raw), "bob@example.com") || strings.Contains(string(raw), "mail for") || !strings.Contains(string(raw), "abc123") ||
		!strings.Contains(string(raw), `"input_tokens":1200`) || !strings.Contains(string(raw), `"output_tokens":80`) {
		t.Errorf("audit details = %s", raw)
	}
}

func TestChatStoreAnalysisTurn(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Disk full"})
	store := db.NewChatStore(s.DB)
	gate := &domain.RedactionGate{}

	// A typed message is of kind chat, without logs.
	u0, _, err := store.AddChatTurn(ctx, i.ID, "local", "llama3", gate.Text("hello"), domain.RedactedText{})
	if err != nil || u0.Kind != domain.MessageKindChat || u0.LogFileIDs == nil || len(u0.LogFileIDs) != 0 {
		t.Fatalf("chat turn = %+v, %v", u0, err)
	}
	// The log ids need not resolve: a deleted log keeps its id, without a name.
	ids := []string{"0190f3b2-7c1e-7a00-8000-000000000001", "0190f3b2-7c1e-7a00-8000-000000000002"}
	u, r, err := store.AddAnalysisTurn(ctx, i.ID, "local", "llama3", gate.Text("### app.log\nmail for bob@example.com"), ids)
	if err != nil {
		t.Fatal(err)
	}
	if u.Kind != domain.MessageKindAnalysis || !slices.Equal(u.LogFileIDs, ids) || len(u.LogFileNames) != 0 ||
		strings.Contains(u.Content, "bob@example.com") || !slices.Contains(u.PIITypes, "Email") || r.Status != domain.MessageStreaming || r.Kind != domain.MessageKindChat {
		t.Fatalf("analysis turn = %+v / %+v", u, r)
	}
	hist, err := store.FindChatHistory(ctx, i.ID)
	if err != nil || len(hist) != 4 || hist[2].Kind != domain.MessageKindAnalysis || !slices.Equal(hist[2].LogFileIDs, ids) {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	if _, _, err := store.AddAnalysisTurn(ctx, i.ID, "local", "llama3", gate.Text("x"), []string{"not-a-uuid"}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("bad id: %v", err)
	}
	_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	entries, _, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{Action: "chat.analysis"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit = %v, %v", entries, err)
	}
	raw, _ := json.Marshal(entries[0].Details)
	if !strings.Contains(string(raw), ids[0]) || strings.Contains(string(raw), "app.log") || strings.Contains(string(raw), "bob@example.com") {
		t.Errorf("audit details = %s", raw)
	}
}

// Replies still being written when the portal stopped are marked incomplete at the next start,
// with a note; finished replies are left alone.
func TestChatStore_AbandonStreamingReplies(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Queue stuck"})
	store := db.NewChatStore(s.DB)
	gate := &domain.RedactionGate{}
	_, done, err := store.AddChatTurn(ctx, i.ID, "local", "llama3", gate.Text("first"), domain.RedactedText{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.FinishChatReply(ctx, domain.ChatReply{MessageID: done.ID, Content: "Why 1: a crash.", Status: domain.MessageComplete}); err != nil {
		t.Fatal(err)
	}
	_, pending, err := store.AddChatTurn(ctx, i.ID, "local", "llama3", gate.Text("second"), domain.RedactedText{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := store.AbandonStreamingReplies(ctx)
	if err != nil || n != 1 {
		t.Fatalf("abandoned %d, %v", n, err)
	}
	got, err := store.FindChatMessage(ctx, pending.ID)
	if err != nil || got.Status != domain.MessageIncomplete || !strings.Contains(got.Error, "restarted") {
		t.Fatalf("pending reply after a restart = %+v, %v", got, err)
	}
	if got, _ := store.FindChatMessage(ctx, done.ID); got.Status != domain.MessageComplete || got.Content != "Why 1: a crash." {
		t.Errorf("finished reply changed: %+v", got)
	}
	// It can be retried.
	if r, err := store.RetryChatReply(ctx, pending.ID); err != nil || r.Status != domain.MessageStreaming {
		t.Errorf("retry after a restart = %+v, %v", r, err)
	}
}

// The first AI turn of an incident starts its triage: a triage_started event, and an open
// incident moves to triaging with its status_changed event; later turns add neither, and an
// incident already past open keeps its status.
func TestChatStore_FirstTurnStartsTriage(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	store := db.NewChatStore(s.DB)
	gate := &domain.RedactionGate{}
	events := func(id string) []string {
		evs, err := s.Issues.FindTimelineEvents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			out = append(out, e.EventType)
		}
		return out
	}

	open := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Mail down"})
	for range 2 {
		if _, _, err := store.AddChatTurn(ctx, open.ID, "local", "llama3", gate.Text("what now?"), domain.RedactedText{}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Issues.FindIssueByID(ctx, open.ID)
	if err != nil || got.Status != domain.StatusTriaging {
		t.Fatalf("status after the first AI turn = %v, %v", got.Status, err)
	}
	if ev := events(open.ID); slices.Index(ev, domain.EventTriageStarted) < 0 || countOf(ev, domain.EventTriageStarted) != 1 || countOf(ev, domain.EventStatusChanged) != 1 {
		t.Errorf("events = %v", ev)
	}

	investigating := domain.StatusInvestigating
	busy := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Disk full"})
	if _, err := s.Issues.UpdateIssue(ctx, busy.ID, domain.IssueUpdate{Status: &investigating}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.AddChatTurn(ctx, busy.ID, "local", "llama3", gate.Text("what now?"), domain.RedactedText{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Issues.FindIssueByID(ctx, busy.ID); got.Status != domain.StatusInvestigating {
		t.Errorf("an investigating incident moved to %s", got.Status)
	}
	if ev := events(busy.ID); countOf(ev, domain.EventTriageStarted) != 1 {
		t.Errorf("events = %v", ev)
	}
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
