package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"tftsr/domain"
)

// flakyModels fail the first call after some text and answer the next ones.
type flakyModels struct {
	mu    sync.Mutex
	calls int
}

func (f *flakyModels) ChatModel(domain.ProviderConfig) (domain.ChatModel, error) { return f, nil }

func (f *flakyModels) StreamChat(_ context.Context, _ domain.ChatRequest, onToken func(string) error) (domain.ChatResult, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if n == 1 {
		_ = onToken("Looking at the")
		return domain.ChatResult{}, errors.New("connection reset by peer")
	}
	return domain.ChatResult{}, onToken("Why 1: the queue consumer crashed.")
}

// A reply cut off by the provider keeps its text, marked incomplete, and can be retried from the
// page (the bubble comes back pending and streams the new reply) and from the API; a complete reply
// cannot, nor can a viewer retry, nor a request without the CSRF token.
func TestChatRetry(t *testing.T) {
	models := &flakyModels{}
	p := newAIPortal(t, models)
	admin, rita, vic := p.login(t, "admin"), p.login(t, "rita"), p.login(t, "vic")
	if r := admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/local", map[string]any{"kind": "ollama", "model": "llama3"}); r.StatusCode != http.StatusCreated {
		t.Fatalf("config: %d %s", r.StatusCode, r.Body)
	}
	r := rita.apiJSON(http.MethodPost, "/api/v1/issues", map[string]any{"title": "Queue stuck", "category": "application"})
	var issue struct{ ID string }
	_ = json.Unmarshal([]byte(r.Body), &issue)

	r = rita.apiJSON(http.MethodPost, "/api/v1/issues/"+issue.ID+"/chat", map[string]any{"message": "The orders queue is stuck"})
	var out struct {
		Reply struct{ ID, Content, Status, Error string }
	}
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("chat: %d %s", r.StatusCode, r.Body)
	}
	if out.Reply.Status != "incomplete" || out.Reply.Content != "Looking at the" {
		t.Fatalf("cut-off reply = %+v", out.Reply)
	}
	page := rita.get("/issues/"+issue.ID+"/chat", nil).Body
	if !strings.Contains(page, `data-testid="chat-retry"`) || !strings.Contains(page, `data-testid="chat-incomplete"`) {
		t.Fatalf("the incident page offers no retry for the cut-off reply")
	}
	if strings.Contains(vic.get("/issues/"+issue.ID, nil).Body, `data-testid="chat-retry"`) {
		t.Errorf("a viewer is offered a retry")
	}

	hx := http.Header{"Hx-Request": {"true"}}
	retryPath := "/chat/messages/" + out.Reply.ID + "/retry"
	if r := vic.postForm(retryPath, url.Values{"_csrf": {vic.csrf()}}, hx); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer retry: %d", r.StatusCode)
	}
	if r := rita.postForm(retryPath, url.Values{}, hx); r.StatusCode != http.StatusForbidden {
		t.Errorf("retry without CSRF token: %d", r.StatusCode)
	}
	r = rita.postForm(retryPath, url.Values{"_csrf": {rita.csrf()}}, hx)
	m := streamURL.FindStringSubmatch(r.Body)
	if r.StatusCode != http.StatusOK || m == nil || strings.Contains(r.Body, "Looking at the") {
		t.Fatalf("retry: %d %s", r.StatusCode, r.Body)
	}
	events := readEvents(t, rita.get(m[1], nil).Body)
	done := strings.Join(events[len(events)-1].data, "\n")
	if !strings.Contains(done, `data-status="complete"`) || !strings.Contains(done, "the queue consumer crashed") {
		t.Fatalf("retried reply: %s", done)
	}

	// A complete reply cannot be retried (page and API).
	if r := rita.postForm(retryPath, url.Values{"_csrf": {rita.csrf()}}, hx); r.StatusCode != http.StatusConflict {
		t.Errorf("retry of a complete reply: %d %s", r.StatusCode, r.Body)
	}
	if r := rita.apiJSON(http.MethodPost, "/api/v1/chat/messages/"+out.Reply.ID+"/retry", nil); r.StatusCode != http.StatusConflict {
		t.Errorf("API retry of a complete reply: %d %s", r.StatusCode, r.Body)
	}
	if r := rita.apiJSON(http.MethodPost, "/api/v1/chat/messages/not-an-id/retry", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("API retry of an unknown message: %d %s", r.StatusCode, r.Body)
	}
	if models.calls != 2 {
		t.Errorf("provider calls = %d", models.calls)
	}
}

// The chat API takes system_prompt (api.md): it joins the one system message of the answer,
// redacted, and comes back on the stored message; unknown fields are still refused.
func TestChatAPISystemPrompt(t *testing.T) {
	models := &tokenModels{tokens: []string{"Why 1: the replica fell behind."}}
	p := newAIPortal(t, models)
	admin, rita := p.login(t, "admin"), p.login(t, "rita")
	if r := admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/local", map[string]any{"kind": "ollama", "model": "llama3"}); r.StatusCode != http.StatusCreated {
		t.Fatalf("config: %d %s", r.StatusCode, r.Body)
	}
	r := rita.apiJSON(http.MethodPost, "/api/v1/issues", map[string]any{"title": "Replica lag", "category": "databases"})
	var issue struct{ ID string }
	_ = json.Unmarshal([]byte(r.Body), &issue)

	r = rita.apiJSON(http.MethodPost, "/api/v1/issues/"+issue.ID+"/chat", map[string]any{
		"message": "Why is the replica lagging?", "system_prompt": "Answer as a PostgreSQL DBA; escalate to dba@example.com.",
	})
	var out struct {
		UserMessage struct {
			SystemPrompt string `json:"system_prompt"`
		} `json:"user_message"`
		PIITypes []string `json:"pii_types"`
	}
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("chat: %d %s", r.StatusCode, r.Body)
	}
	if out.UserMessage.SystemPrompt != "Answer as a PostgreSQL DBA; escalate to [Email]." || len(out.PIITypes) == 0 {
		t.Errorf("stored system prompt %q, pii types %v", out.UserMessage.SystemPrompt, out.PIITypes)
	}
	sys := models.reqs[0].Messages[0]
	if sys.Role != domain.RoleSystem || !strings.Contains(sys.Content, "Answer as a PostgreSQL DBA; escalate to [Email].") || strings.Contains(sys.Content, "dba@example.com") {
		t.Errorf("system message:\n%s", sys.Content)
	}
	if r := rita.apiJSON(http.MethodPost, "/api/v1/issues/"+issue.ID+"/chat", map[string]any{"message": "hi", "system": "x"}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown field: %d %s", r.StatusCode, r.Body)
	}
}
