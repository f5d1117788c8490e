package domain_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tftsr/domain"
)

// chatProviders is a ProviderStore with one config and no key.
type chatProviders struct {
	domain.ProviderStore
	cfgs []*domain.ProviderConfig
}

func (p *chatProviders) FindProviderConfigs(context.Context) ([]*domain.ProviderConfig, error) {
	return p.cfgs, nil
}

func (p *chatProviders) FindProviderSealedKey(_ context.Context, name string) (*domain.ProviderConfig, []byte, error) {
	for _, c := range p.cfgs {
		if c.Name == name {
			cp := *c
			return &cp, nil, nil
		}
	}
	return nil, nil, domain.Errorf(domain.ENOTFOUND, "AI provider not found.")
}

// chatIssues serves one incident and its 5-Whys.
type chatIssues struct {
	domain.IssueService
	issue *domain.Issue
	steps []*domain.FiveWhy
}

func (f *chatIssues) FindIssueByID(_ context.Context, id string) (*domain.Issue, error) {
	if id != f.issue.ID {
		return nil, domain.Errorf(domain.ENOTFOUND, "Incident not found.")
	}
	return f.issue, nil
}

func (f *chatIssues) FindFiveWhys(context.Context, string) ([]*domain.FiveWhy, error) {
	return f.steps, nil
}

// chatStore keeps messages in memory.
type chatStore struct {
	mu       sync.Mutex
	seq      int64
	msgs     []*domain.ConversationMessage
	finished []domain.ChatReply
}

func (s *chatStore) AddChatTurn(_ context.Context, issueID, config, model string, text, instructions domain.RedactedText) (*domain.ConversationMessage, *domain.ConversationMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mk := func(role domain.ChatRole, content string, st domain.MessageStatus) *domain.ConversationMessage {
		s.seq++
		m := &domain.ConversationMessage{ID: "m" + string(rune('0'+s.seq)), IssueID: issueID, Seq: s.seq, Role: role, Content: content,
			Status: st, ProviderConfig: config, Model: model, CreatedAt: time.Now()}
		s.msgs = append(s.msgs, m)
		return m
	}
	u := mk(domain.RoleUser, text.String(), domain.MessageComplete)
	u.PIITypes = domain.MergePIITypes(text.PIITypes(), instructions.PIITypes())
	u.Instructions = instructions.String()
	r := mk(domain.RoleAssistant, "", domain.MessageStreaming)
	cu, cr := *u, *r
	return &cu, &cr, nil
}

func (s *chatStore) FindChatMessage(_ context.Context, id string) (*domain.ConversationMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs {
		if m.ID == id {
			cp := *m
			return &cp, nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "Message not found.")
}

func (s *chatStore) FindChatHistory(_ context.Context, issueID string) ([]*domain.ConversationMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*domain.ConversationMessage
	for _, m := range s.msgs {
		cp := *m
		out = append(out, &cp)
	}
	// The store orders by seq, whatever the insertion order.
	slices.SortFunc(out, func(a, b *domain.ConversationMessage) int { return int(a.Seq - b.Seq) })
	return out, nil
}

func (s *chatStore) FinishChatReply(_ context.Context, r domain.ChatReply) (*domain.ConversationMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finished = append(s.finished, r)
	for _, m := range s.msgs {
		if m.ID == r.MessageID {
			m.Content, m.Status, m.Error, m.WhyLevel, m.RootCause, m.SentHash = r.Content, r.Status, r.Error, r.WhyTo, r.RootCause, r.SentHash
			cp := *m
			return &cp, nil
		}
	}
	return nil, errors.New("no such message")
}

func (s *chatStore) RetryChatReply(_ context.Context, id string) (*domain.ConversationMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs {
		if m.ID == id && m.Role == domain.RoleAssistant {
			if m.Status != domain.MessageIncomplete && m.Status != domain.MessageError {
				return nil, domain.Errorf(domain.ECONFLICT, "Only a reply that was stopped or failed can be retried.")
			}
			m.Content, m.Error, m.Status, m.WhyLevel, m.RootCause = "", "", domain.MessageStreaming, 0, ""
			cp := *m
			return &cp, nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "Message not found.")
}

// fakeModel records the requests it gets and answers with fixed tokens; block makes it wait for
// ctx after the first token.
type fakeModel struct {
	mu     sync.Mutex
	reqs   []domain.ChatRequest
	tokens []string
	block  bool
	err    error
}

func (m *fakeModel) ChatModel(domain.ProviderConfig) (domain.ChatModel, error) { return m, nil }

func (m *fakeModel) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatResult, error) {
	m.mu.Lock()
	m.reqs = append(m.reqs, req)
	tokens, block, err := m.tokens, m.block, m.err
	m.mu.Unlock()
	for i, t := range tokens {
		if err := onToken(t); err != nil {
			return domain.ChatResult{}, err
		}
		if block && i == 0 {
			<-ctx.Done()
			return domain.ChatResult{}, ctx.Err()
		}
	}
	return domain.ChatResult{}, err
}

type chatFixture struct {
	svc    *domain.ChatService
	store  *chatStore
	model  *fakeModel
	issues *chatIssues
	// configs are the provider configs the chat can choose.
	configs *chatProviders
	ctx     context.Context
}

func newChatFixture(t *testing.T) *chatFixture {
	t.Helper()
	return newChatFixtureWith(t, nil, nil)
}

// newChatFixtureGate is newChatFixture with the logs that gate reads.
func newChatFixtureGate(t *testing.T, gate *domain.RedactionGate) *chatFixture {
	t.Helper()
	return newChatFixtureWith(t, gate, nil)
}

// newChatFixtureWith is newChatFixture with the logs that gate reads (nil: none) and models
// (nil: the fixture's fakeModel).
func newChatFixtureWith(t *testing.T, gate *domain.RedactionGate, models domain.ChatModelFactory) *chatFixture {
	t.Helper()
	if gate == nil {
		gate = domain.NewRedactionGate(newMemLogs("i1"), newRecBlobs())
	}
	store := &chatStore{}
	model := &fakeModel{tokens: []string{"Hello", " <b>there</b>"}}
	if models == nil {
		models = model
	}
	cfgs := &chatProviders{cfgs: []*domain.ProviderConfig{{Name: "local", Kind: domain.ProviderOllama, Model: "llama3", TimeoutSeconds: 30}}}
	issues := &chatIssues{issue: &domain.Issue{ID: "i1", Title: "Mail down for ops@example.com", Severity: domain.SeverityHigh,
		Status: domain.StatusTriaging, Category: "linux"}}
	svc := domain.NewChatService(
		newTestProviders(t, cfgs, models), gate, store, issues)
	ctx := domain.NewContextWithUser(context.Background(), &domain.User{ID: "u1", Username: "rita", Role: domain.RoleResponder})
	return &chatFixture{svc: svc, store: store, model: model, issues: issues, configs: cfgs, ctx: ctx}
}

func (f *chatFixture) turn(t *testing.T, text string) (*domain.ConversationMessage, *domain.ConversationMessage, []string) {
	t.Helper()
	u, r, err := f.svc.Send(f.ctx, "i1", text, "")
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	var toks []string
	done, err := f.svc.Stream(f.ctx, r.ID, func(s string) error { toks = append(toks, s); return nil })
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	return u, done, toks
}

func TestChatService_Gate(t *testing.T) {
	f := newChatFixture(t)
	u, done, toks := f.turn(t, "Login fails for alice@example.com, password: Hunter2secret!")
	if strings.Contains(u.Content, "alice@example.com") || strings.Contains(u.Content, "Hunter2secret") {
		t.Fatalf("stored user message not redacted: %q", u.Content)
	}
	if len(u.PIITypes) == 0 {
		t.Fatalf("no PII types on the user message")
	}
	if done.Status != domain.MessageComplete || done.Content != "Hello <b>there</b>" || len(toks) != 2 {
		t.Fatalf("reply = %+v, tokens %q", done, toks)
	}
	req := f.model.reqs[0]
	raw, _ := json.Marshal(req)
	for _, secret := range []string{"alice@example.com", "Hunter2secret", "ops@example.com"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("%q reached the provider", secret)
		}
	}
	// The audit hash is the SHA-256 of exactly what the model received.
	fin := f.store.finished[0]
	type m struct {
		Role    domain.ChatRole `json:"role"`
		Content string          `json:"content"`
	}
	body := struct {
		Model    string `json:"model"`
		Messages []m    `json:"messages"`
	}{Model: req.Model}
	for _, x := range req.Messages {
		body.Messages = append(body.Messages, m{x.Role, x.Content})
	}
	b, _ := json.Marshal(body)
	sum := sha256.Sum256(b)
	if fin.SentHash != hex.EncodeToString(sum[:]) || fin.BytesSent != len(b) {
		t.Errorf("audit hash %s (%d bytes), want %x (%d bytes)", fin.SentHash, fin.BytesSent, sum, len(b))
	}
	if !slices.Equal(fin.PIITypes, u.PIITypes) || fin.Provider != "local" || fin.Model != "llama3" {
		t.Errorf("audit = %+v", fin)
	}
}

func TestChatService_RequestShape(t *testing.T) {
	f := newChatFixture(t)
	f.turn(t, "first question")
	f.model.tokens = []string{"second answer"}
	f.turn(t, "second question")
	req := f.model.reqs[1]
	var roles []string
	systems := 0
	for _, m := range req.Messages {
		roles = append(roles, string(m.Role)+":"+m.Content)
		if m.Role == domain.RoleSystem {
			systems++
		}
	}
	if systems != 1 || req.Messages[0].Role != domain.RoleSystem {
		t.Fatalf("want exactly one system message, first: %q", roles)
	}
	want := []string{"user:first question", "assistant:Hello <b>there</b>", "user:second question"}
	if !slices.Equal(roles[1:], want) {
		t.Errorf("history = %q, want %q", roles[1:], want)
	}
	if !strings.Contains(req.Messages[0].Content, "Category: Linux") || !strings.Contains(req.Messages[0].Content, "Severity: High") {
		t.Errorf("system message lacks the incident's facts: %s", req.Messages[0].Content)
	}
	if req.Model != "llama3" {
		t.Errorf("model = %q", req.Model)
	}
}

func TestChatService_HistoryBySeq(t *testing.T) {
	f := newChatFixture(t)
	f.turn(t, "one")
	f.turn(t, "two")
	// Shuffle the store's slice: the request must still follow seq.
	f.store.msgs[0], f.store.msgs[3] = f.store.msgs[3], f.store.msgs[0]
	f.turn(t, "three")
	req := f.model.reqs[2]
	var users []string
	for _, m := range req.Messages {
		if m.Role == domain.RoleUser {
			users = append(users, m.Content)
		}
	}
	if !slices.Equal(users, []string{"one", "two", "three"}) {
		t.Errorf("user messages = %q", users)
	}
}

func TestChatService_IncompleteOnCancel(t *testing.T) {
	f := newChatFixture(t)
	f.model.block = true
	_, r, err := f.svc.Send(f.ctx, "i1", "hello", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	got := make(chan *domain.ConversationMessage)
	go func() {
		m, err := f.svc.Stream(ctx, r.ID, func(string) error { cancel(); return nil })
		if err != nil {
			t.Error(err)
		}
		got <- m
	}()
	m := <-got
	if m.Status != domain.MessageIncomplete || m.Content != "Hello" {
		t.Errorf("reply = %+v, want incomplete with the partial text", m)
	}
	// A finished reply is returned as stored, without another call.
	again, err := f.svc.Stream(f.ctx, r.ID, nil)
	if err != nil || again.Status != domain.MessageIncomplete || len(f.model.reqs) != 1 {
		t.Errorf("second stream = %+v, %v, calls %d", again, err, len(f.model.reqs))
	}
}

func TestChatService_Stop(t *testing.T) {
	f := newChatFixture(t)
	f.model.block = true
	_, r, err := f.svc.Send(f.ctx, "i1", "hello", "")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	got := make(chan *domain.ConversationMessage)
	go func() {
		m, _ := f.svc.Stream(f.ctx, r.ID, func(string) error { close(started); return nil })
		got <- m
	}()
	<-started
	if err := f.svc.Stop(f.ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if m := <-got; m.Status != domain.MessageIncomplete {
		t.Errorf("status = %s, want incomplete", m.Status)
	}
}

func TestChatService_ProviderError(t *testing.T) {
	f := newChatFixture(t)
	f.model.tokens = nil
	f.model.err = domain.Errorf(domain.EUNAVAILABLE, "The model llama3 is not installed.")
	_, done, _ := f.turn(t, "hello")
	if done.Status != domain.MessageError || !strings.Contains(done.Error, "not installed") {
		t.Errorf("reply = %+v", done)
	}
}

func TestChatService_WhyLevelNeverDecreases(t *testing.T) {
	f := newChatFixture(t)
	f.model.tokens = []string{"Why 3: why did the disk fill?"}
	f.turn(t, "a")
	f.model.tokens = []string{"Why 1: let us restart.\nRoot cause: the log rotation was disabled."}
	_, done, _ := f.turn(t, "b")
	if done.WhyLevel != 3 {
		t.Errorf("level = %d, want 3 (never backwards)", done.WhyLevel)
	}
	fins := f.store.finished
	if fins[0].WhyFrom != 0 || fins[0].WhyTo != 3 || fins[1].WhyFrom != 3 || fins[1].WhyTo != 3 {
		t.Errorf("levels = %+v / %+v", fins[0], fins[1])
	}
	if fins[1].RootCause != "the log rotation was disabled." {
		t.Errorf("root cause = %q", fins[1].RootCause)
	}
	// The same statement again is not a new root cause.
	_, _, _ = f.turn(t, "c")
	if f.store.finished[2].RootCause != "" {
		t.Errorf("repeated root cause recorded again")
	}
}

func TestChatService_Refusals(t *testing.T) {
	f := newChatFixture(t)
	viewer := domain.NewContextWithUser(context.Background(), &domain.User{ID: "v", Role: domain.RoleViewer})
	if _, _, err := f.svc.Send(viewer, "i1", "hi", ""); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("viewer send: %v", err)
	}
	if _, _, err := f.svc.Send(f.ctx, "i1", "  ", ""); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("empty send: %v", err)
	}
	f.configs.cfgs = nil
	_, _, err := f.svc.Send(f.ctx, "i1", "hi", "")
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), "Settings → AI providers") {
		t.Errorf("no provider: %v", err)
	}
}
