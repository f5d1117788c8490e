package handlers_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"tftsr/domain"
)

// tokenModels is a ChatModelFactory whose models stream fixed tokens and record each request.
type tokenModels struct {
	mu     sync.Mutex
	tokens []string
	reqs   []domain.ChatRequest
}

func (f *tokenModels) ChatModel(domain.ProviderConfig) (domain.ChatModel, error) { return f, nil }

func (f *tokenModels) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatResult, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	for _, t := range f.tokens {
		if err := onToken(t); err != nil {
			return domain.ChatResult{}, err
		}
	}
	return domain.ChatResult{}, nil
}

// sseEvent is one parsed server-sent event.
type sseEvent struct {
	name string
	data []string
}

// readEvents parses an event stream line by line.
func readEvents(t *testing.T, body string) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur *sseEvent
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur != nil {
				out = append(out, *cur)
				cur = nil
			}
		case strings.HasPrefix(line, ":"): // comment (heartbeat)
		case strings.HasPrefix(line, "event: "):
			cur = &sseEvent{name: strings.TrimPrefix(line, "event: ")}
		case strings.HasPrefix(line, "data: "):
			if cur == nil {
				t.Fatalf("data line before event: %q", line)
			}
			cur.data = append(cur.data, strings.TrimPrefix(line, "data: "))
		default:
			t.Fatalf("unexpected line %q in %q", line, body)
		}
	}
	if cur != nil {
		t.Fatalf("stream ended inside an event: %+v", cur)
	}
	return out
}

var streamURL = regexp.MustCompile(`sse-connect="(/chat/messages/[^"]+/stream)"`)

func TestChatStream(t *testing.T) {
	models := &tokenModels{tokens: []string{"Why 2: <b>disk</b>", " full\nnext & more"}}
	p := newAIPortal(t, models)
	admin, rita, vic := p.login(t, "admin"), p.login(t, "rita"), p.login(t, "vic")

	r := rita.apiJSON(http.MethodPost, "/api/v1/issues", map[string]any{"title": "Mail down", "category": "linux"})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	var issue struct{ ID string }
	_ = json.Unmarshal([]byte(r.Body), &issue)

	// Without a provider, the chat says how to add one.
	if page := admin.get("/issues/"+issue.ID+"/chat", nil); !strings.Contains(page.Body, "Settings → AI providers") || !strings.Contains(page.Body, `data-testid="chat-no-provider"`) {
		t.Fatalf("no-provider hint missing")
	}
	if r := admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/local", map[string]any{"kind": "ollama", "model": "llama3"}); r.StatusCode != http.StatusCreated {
		t.Fatalf("config: %d %s", r.StatusCode, r.Body)
	}

	if page := rita.get("/issues/"+issue.ID+"/chat", nil); !strings.Contains(page.Body, `data-testid="chat-disclaimer"`) {
		t.Errorf("the chat does not say that answers can be wrong")
	}

	hx := http.Header{"Hx-Request": {"true"}}
	r = rita.postForm("/issues/"+issue.ID+"/chat", url.Values{"message": {"Mail for bob@example.com bounces"}, "_csrf": {rita.csrf()}}, hx)
	if r.StatusCode != http.StatusOK || strings.Contains(r.Body, "bob@example.com") || !strings.Contains(r.Body, "Redacted before sending: Email address") {
		t.Fatalf("send: %d %s", r.StatusCode, r.Body)
	}
	m := streamURL.FindStringSubmatch(r.Body)
	if m == nil || !strings.Contains(r.Body, `sse-swap="token"`) || !strings.Contains(r.Body, `sse-close="done"`) {
		t.Fatalf("no stream bubble: %s", r.Body)
	}

	// Viewers cannot send.
	if r := vic.postForm("/issues/"+issue.ID+"/chat", url.Values{"message": {"hi"}, "_csrf": {vic.csrf()}}, hx); r.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer send: %d", r.StatusCode)
	}

	s := rita.get(m[1], nil)
	if s.StatusCode != http.StatusOK || s.Header.Get("Content-Type") != "text/event-stream" || s.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("stream: %d %v", s.StatusCode, s.Header)
	}
	events := readEvents(t, s.Body)
	// Token events (none when the reply was finished before the stream opened) each carry the
	// reply so far, rendered as sanitised Markdown; the done event carries the final bubble.
	var names []string
	for _, e := range events {
		if len(names) == 0 || names[len(names)-1] != e.name {
			names = append(names, e.name)
		}
	}
	if got := strings.Join(names, ","); (got != "token,done" && got != "done") || events[len(events)-1].name != "done" {
		t.Fatalf("events = %v\n%s", names, s.Body)
	}
	for _, e := range events[:len(events)-1] {
		if html := strings.Join(e.data, "\n"); !strings.HasPrefix(html, "<p>Why 2:") || strings.Contains(html, "<b>") {
			t.Errorf("token event = %q", html)
		}
	}
	done := strings.Join(events[len(events)-1].data, "\n")
	if !strings.Contains(done, `data-status="complete"`) || strings.Contains(done, "<b>disk</b>") || !strings.Contains(done, "Why level 2") {
		t.Errorf("done = %s", done)
	}
	for _, req := range models.reqs {
		b, _ := json.Marshal(req)
		if strings.Contains(string(b), "bob@example.com") {
			t.Fatalf("the e-mail address reached the model")
		}
	}

	// A reconnect gets the finished reply at once, without another call.
	again := readEvents(t, rita.get(m[1], nil).Body)
	if len(again) != 1 || again[0].name != "done" || len(models.reqs) != 1 {
		t.Errorf("reconnect = %+v, calls %d", again, len(models.reqs))
	}

	// The history survives a reload, in order.
	page := rita.get("/issues/"+issue.ID+"/chat", nil).Body
	if i, j := strings.Index(page, "Mail for [Email] bounces"), strings.Index(page, `data-status="complete"`); i < 0 || j < i {
		t.Errorf("history missing or out of order")
	}

	// The API collects the reply.
	r = rita.apiJSON(http.MethodPost, "/api/v1/issues/"+issue.ID+"/chat", map[string]any{"message": "password: Hunter2secret!"})
	var out struct {
		ConversationID string   `json:"conversation_id"`
		PIIRedacted    bool     `json:"pii_redacted"`
		PIITypes       []string `json:"pii_types"`
		WhyLevel       int      `json:"why_level"`
		UserMessage    struct{ Content string }
		Reply          struct{ Content, Status string }
	}
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("api chat: %d %s", r.StatusCode, r.Body)
	}
	if !out.PIIRedacted || strings.Contains(out.UserMessage.Content, "Hunter2") || out.Reply.Status != "complete" ||
		out.Reply.Content != "Why 2: <b>disk</b> full\nnext & more" || out.WhyLevel != 2 || out.ConversationID == "" {
		t.Errorf("api chat = %+v", out)
	}
	if sys := models.reqs[1].Messages; sys[0].Role != domain.RoleSystem || len(sys) != 4 {
		t.Errorf("second request = %+v", sys)
	}

	// And streams it on request.
	h := http.Header{"X-Csrf-Token": {rita.csrf()}, "Content-Type": {"application/json"}, "Accept": {"text/event-stream"}}
	r = rita.do(http.MethodPost, "/api/v1/issues/"+issue.ID+"/chat", strings.NewReader(`{"message":"next?"}`), h)
	events = readEvents(t, r.Body)
	if len(events) != 3 || events[0].name != "token" || events[0].data[0] != `"Why 2: \u003cb\u003edisk\u003c/b\u003e"` || events[2].name != "done" ||
		!strings.Contains(events[2].data[0], `"why_level":2`) {
		t.Errorf("api stream = %+v", events)
	}
}
