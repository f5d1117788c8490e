package domain_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"tftsr/domain"
)

// A reply that failed is asked for again in its place: the same message, pending, then complete
// with the new text; the request is the same history as the first time.
func TestChatService_Retry(t *testing.T) {
	f := newChatFixture(t)
	f.model.err = errors.New("connection reset")
	f.model.tokens = nil
	_, failed, _ := f.turn(t, "Why is the queue stuck?")
	if failed.Status != domain.MessageError {
		t.Fatalf("first reply = %+v", failed)
	}
	f.model.err, f.model.tokens = nil, []string{"Why 1: the consumer crashed."}

	again, err := f.svc.Retry(f.ctx, failed.ID)
	if err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if again.ID != failed.ID || again.Status != domain.MessageStreaming || again.Content != "" || again.Error != "" {
		t.Fatalf("retried reply = %+v", again)
	}
	done, err := f.svc.Stream(f.ctx, again.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != domain.MessageComplete || done.Content != "Why 1: the consumer crashed." || done.WhyLevel != 1 {
		t.Fatalf("reply after retry = %+v", done)
	}
	if len(f.model.reqs) != 2 || len(f.model.reqs[1].Messages) != len(f.model.reqs[0].Messages) {
		t.Fatalf("requests %d; the retry must send the same history", len(f.model.reqs))
	}

	// A complete reply cannot be retried; a user message is not a reply; a viewer cannot retry.
	if _, err := f.svc.Retry(f.ctx, done.ID); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("retry of a complete reply: %v", err)
	}
	viewer := domain.NewContextWithUser(f.ctx, &domain.User{ID: "v1", Username: "vic", Role: domain.RoleViewer})
	if _, err := f.svc.Retry(viewer, done.ID); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("viewer retry: %v", err)
	}
}

// Instructions sent with a message (the API's system_prompt) go, redacted, into the single system
// message of its answer, after the incident's facts; the next question's answer does not carry them.
func TestChatService_Instructions(t *testing.T) {
	f := newChatFixture(t)
	u, r, err := f.svc.SendWithInstructions(f.ctx, "i1", "Why is replication lagging?", "", "You are a PostgreSQL expert. Ask dba@example.com for access.")
	if err != nil {
		t.Fatal(err)
	}
	if u.Instructions == "" || strings.Contains(u.Instructions, "dba@example.com") || !slices.Contains(u.PIITypes, "Email") {
		t.Fatalf("stored instructions %q, types %v", u.Instructions, u.PIITypes)
	}
	if _, err := f.svc.Stream(f.ctx, r.ID, nil); err != nil {
		t.Fatal(err)
	}
	sys := f.model.reqs[0].Messages
	if n := countRole(sys, domain.RoleSystem); n != 1 || sys[0].Role != domain.RoleSystem {
		t.Fatalf("%d system messages", n)
	}
	facts, extra := strings.Index(sys[0].Content, "## Incident"), strings.Index(sys[0].Content, "You are a PostgreSQL expert.")
	if facts < 0 || extra < facts || strings.Contains(sys[0].Content, "dba@example.com") {
		t.Errorf("system message:\n%s", sys[0].Content)
	}
	f.turn(t, "And now?")
	if strings.Contains(f.model.reqs[1].Messages[0].Content, "PostgreSQL expert") {
		t.Error("the next answer carries the earlier message's instructions")
	}
	if _, _, err := f.svc.SendWithInstructions(f.ctx, "i1", "hi", "", strings.Repeat("x", domain.MaxChatMessageLen+1)); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("oversized instructions: %v", err)
	}
}

func countRole(msgs []domain.ChatMessage, role domain.ChatRole) int {
	n := 0
	for _, m := range msgs {
		if m.Role == role {
			n++
		}
	}
	return n
}

// Shutdown stops a reply being followed: it is stored incomplete with its partial text, and
// Shutdown returns once it is stored.
func TestChatService_Shutdown(t *testing.T) {
	f := newChatFixture(t)
	f.model.block = true
	f.model.tokens = []string{"Looking at the ", "never sent"}
	_, r, err := f.svc.Send(f.ctx, "i1", "Why is the queue stuck?", "")
	if err != nil {
		t.Fatal(err)
	}
	fl, err := f.svc.Follow(f.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	for fl.Read() == "" {
		if !fl.Wait(f.ctx) {
			t.Fatal("the reply ended before its first token")
		}
	}
	if err := f.svc.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-fl.Done():
	default:
		t.Fatal("Shutdown returned before the reply was stored")
	}
	m, err := fl.Result()
	if err != nil || m.Status != domain.MessageIncomplete || m.Content != "Looking at the " {
		t.Fatalf("reply after shutdown = %+v, %v", m, err)
	}
}

// panicModels panic while they write a reply.
type panicModels struct{}

func (panicModels) ChatModel(domain.ProviderConfig) (domain.ChatModel, error) {
	return panicModels{}, nil
}

func (panicModels) StreamChat(_ context.Context, _ domain.ChatRequest, onToken func(string) error) (domain.ChatResult, error) {
	_ = onToken("half a ")
	panic("adapter bug")
}

// A reply whose production panics does not take the portal down: its followers get an error and
// it is stored as failed, so that the next view does not produce it again; it can be retried.
func TestChatService_FollowSurvivesAPanic(t *testing.T) {
	f := newChatFixtureWith(t, nil, panicModels{})
	_, r, err := f.svc.Send(f.ctx, "i1", "hello", "")
	if err != nil {
		t.Fatal(err)
	}
	fl, err := f.svc.Follow(f.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	m, err := fl.Result()
	if err == nil || !strings.Contains(err.Error(), "adapter bug") {
		t.Fatalf("follower error = %v", err)
	}
	if m == nil || m.Status != domain.MessageError {
		t.Fatalf("stored reply = %+v", m)
	}
	if f.svc.Running(r.ID) {
		t.Error("the reply still counts as running")
	}
	if _, err := f.svc.Retry(f.ctx, r.ID); err != nil {
		t.Errorf("retry after the panic: %v", err)
	}
}

// usageModels answer with a usage report.
type usageModels struct{}

func (usageModels) ChatModel(domain.ProviderConfig) (domain.ChatModel, error) {
	return usageModels{}, nil
}

func (usageModels) StreamChat(_ context.Context, _ domain.ChatRequest, onToken func(string) error) (domain.ChatResult, error) {
	return domain.ChatResult{Usage: domain.ChatUsage{InputTokens: 1200, OutputTokens: 80}}, onToken("Why 1: a crash.")
}

// The tokens the provider reports go with the reply to the store, for the audit entry.
func TestChatService_Usage(t *testing.T) {
	f := newChatFixtureWith(t, nil, usageModels{})
	f.turn(t, "hello")
	if got := f.store.finished[0].Usage; got.InputTokens != 1200 || got.OutputTokens != 80 {
		t.Errorf("usage = %+v", got)
	}
}
