package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestChatToolsEndToEnd drives a chat in Chromium whose model (a fake OpenAI-compatible server on
// loopback) looks something up in the incident's log before it answers: the reply streams, the
// lookups are named under it, and the log's secrets never reach the provider.
func TestChatToolsEndToEnd(t *testing.T) {
	fake := newFakeOpenAI(t, func(s *openAIStream, n int) {
		if n == 1 {
			s.delta(map[string]any{"role": "assistant", "content": "Checking the gateway log."}, nil)
			s.delta(map[string]any{"tool_calls": []any{
				map[string]any{"index": 0, "id": "call_1", "type": "function", "function": map[string]any{"name": "search_logs", "arguments": `{"query":"reset"}`}},
				map[string]any{"index": 1, "id": "call_2", "type": "function", "function": map[string]any{"name": "read_log_lines", "arguments": `{"file":"gateway.log","from":2,"to":3}`}},
			}}, nil)
			s.delta(map[string]any{}, "tool_calls")
		} else {
			s.delta(map[string]any{"content": "The upstream **reset** the connection."}, "stop")
		}
		s.done()
	})

	p := startPortal(t)
	token := p.apiToken(t)
	p.useOpenAI(t, token, "tools-fake", fake.URL, map[string]any{"supports_tools": true})
	issue := p.createIssue(t, token, `{"title":"Gateway resets","severity":"high","category":"network"}`)
	log, _ := json.Marshal(map[string]string{"file_name": "gateway.log", "content": "07:00:00 INFO start\n" +
		"07:00:01 ERROR upstream reset by peer, on-call ops.lead@example.com\n" +
		"07:00:02 WARN retry with password=Tr0ub4dor&3\n"})
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/logs", "application/json", bytes.NewReader(log), nil)

	ctx := newBrowser(t)
	p.signIn(t, ctx, "/issues/"+issue+"/chat", "#chat-message")
	mustDo(t, ctx, "send a message",
		sendKeys("#chat-message", "Why does the gateway reset?"),
		click("#chat-send"),
	)
	waitFor(t, ctx, "the finished reply", `!!document.querySelector("[data-testid=chat-assistant][data-status=complete] [data-testid=chat-tools-used]")`)
	if got := mustText(t, ctx, "[data-testid=chat-assistant][data-status=complete] [data-testid=chat-tools-used]"); got != `Looked up: search_logs "reset", read_log_lines gateway.log 2–3` {
		t.Errorf("lookup note = %q", got)
	}
	if got := mustText(t, ctx, "[data-testid=chat-assistant][data-status=complete] .chat-text"); !strings.Contains(got, "Checking the gateway log.") || !strings.Contains(got, "The upstream reset the connection.") {
		t.Errorf("reply = %q", got)
	}
	mustDo(t, ctx, "reload", reload(), waitVisible("[data-testid=chat-tools-used]"))

	bodies := fake.requests()
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
