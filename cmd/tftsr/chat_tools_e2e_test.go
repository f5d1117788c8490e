package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestChatToolsEndToEnd drives a chat in Chromium whose model (a fake OpenAI-compatible server on
// loopback) looks something up in the incident's log before it answers: the reply streams, the
// lookups are named under it, and the log's secrets never reach the provider.
func TestChatToolsEndToEnd(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		n := len(bodies)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		chunk := func(delta map[string]any, finish any) {
			c, _ := json.Marshal(map[string]any{"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
				"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
			fmt.Fprintf(w, "data: %s\n\n", c)
			w.(http.Flusher).Flush()
		}
		if n == 1 {
			chunk(map[string]any{"role": "assistant", "content": "Checking the gateway log."}, nil)
			chunk(map[string]any{"tool_calls": []any{
				map[string]any{"index": 0, "id": "call_1", "type": "function", "function": map[string]any{"name": "search_logs", "arguments": `{"query":"reset"}`}},
				map[string]any{"index": 1, "id": "call_2", "type": "function", "function": map[string]any{"name": "read_log_lines", "arguments": `{"file":"gateway.log","from":2,"to":3}`}},
			}}, nil)
			chunk(map[string]any{}, "tool_calls")
		} else {
			chunk(map[string]any{"content": "The upstream **reset** the connection."}, "stop")
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(fake.Close)

	p := startPortal(t)
	token := p.apiToken(t)
	cfg, _ := json.Marshal(map[string]any{"kind": "openai", "base_url": fake.URL + "/v1", "model": "gpt-test",
		"api_key": "sk-test-tools-0123456789", "supports_tools": true})
	p.apiCall(t, token, http.MethodPut, "/api/v1/ai/configs/tools-fake", "application/json", bytes.NewReader(cfg), nil)
	var issue struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues", "application/json",
		strings.NewReader(`{"title":"Gateway resets","severity":"high","category":"network"}`), &issue)
	log, _ := json.Marshal(map[string]string{"file_name": "gateway.log", "content": "07:00:00 INFO start\n" +
		"07:00:01 ERROR upstream reset by peer, on-call ops.lead@example.com\n" +
		"07:00:02 WARN retry with password=Tr0ub4dor&3\n"})
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue.ID+"/logs", "application/json", bytes.NewReader(log), nil)

	ctx := newBrowser(t)
	mustDo(t, ctx, "sign in and open the incident",
		chromedp.Navigate(p.URL+"/issues/"+issue.ID),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), p.AdminPassword),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#chat-message")),
	)
	mustDo(t, ctx, "send a message",
		chromedp.SendKeys(chromedp.CSS("#chat-message"), "Why does the gateway reset?"),
		chromedp.Click(chromedp.CSS("#chat-send")),
	)
	waitFor(t, ctx, "the finished reply", `!!document.querySelector("[data-testid=chat-assistant][data-status=complete] [data-testid=chat-tools-used]")`)
	if got := mustText(t, ctx, "[data-testid=chat-assistant][data-status=complete] [data-testid=chat-tools-used]"); got != `Looked up: search_logs "reset", read_log_lines gateway.log 2–3` {
		t.Errorf("lookup note = %q", got)
	}
	if got := mustText(t, ctx, "[data-testid=chat-assistant][data-status=complete] .chat-text"); !strings.Contains(got, "Checking the gateway log.") || !strings.Contains(got, "The upstream reset the connection.") {
		t.Errorf("reply = %q", got)
	}
	mustDo(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("[data-testid=chat-tools-used]")))

	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 2 || !strings.Contains(bodies[1], `"role":"tool"`) || !strings.Contains(bodies[1], "[Email]") {
		t.Fatalf("provider requests: %q", bodies)
	}
	for _, secret := range []string{"ops.lead@example.com", "Tr0ub4dor&3", "Tr0ub4dor\\u00263"} {
		for i, b := range bodies {
			if strings.Contains(b, secret) {
				t.Errorf("request %d holds %q", i+1, secret)
			}
		}
	}
}
