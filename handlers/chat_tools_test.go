package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"tftsr/ai"
	"tftsr/ai/aitest"
	"tftsr/domain"
)

// toolSecrets are the sensitive values of toolSecretLog; none may reach the provider.
var toolSecrets = []string{
	"linus.t@example.com", "Sup3rS3cret!", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"192.168.77.12", "sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
}

// toolSecretLog is a log in which most lines hold a secret.
func toolSecretLog() string {
	var b strings.Builder
	for i := 1; i <= 60; i++ {
		ts := fmt.Sprintf("2026-11-28T08:%02d:%02dZ", i/60, i%60)
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "%s ERROR login failed for linus.t@example.com password=Sup3rS3cret! from 192.168.77.12\n", ts)
		case 1:
			fmt.Fprintf(&b, "%s WARN aws_access_key_id=AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", ts)
		case 2:
			fmt.Fprintf(&b, "%s INFO api_key=sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0 upstream timeout\n", ts)
		default:
			fmt.Fprintf(&b, "%s INFO request %d served\n", ts, i)
		}
	}
	return b.String()
}

// chunk writes one chat.completion.chunk with the given delta and finish reason.
func chunk(w io.Writer, delta map[string]any, finish any) {
	b, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
		"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
	fmt.Fprintf(w, "data: %s\n\n", b)
	w.(http.Flusher).Flush()
}

// newToolProvider is a fake OpenAI-compatible server that first asks for two lookups, then
// answers with text once it has the results.
func newToolProvider(t *testing.T) *recordingOpenAI {
	t.Helper()
	return newScriptedOpenAI(t, func(w http.ResponseWriter, n int) {
		if n == 1 {
			chunk(w, map[string]any{"role": "assistant", "content": "Reading the log."}, nil)
			chunk(w, map[string]any{"tool_calls": []any{map[string]any{"index": 0, "id": "call_read", "type": "function",
				"function": map[string]any{"name": "read_log_lines", "arguments": `{"file":"secrets.log",`}}}}, nil)
			chunk(w, map[string]any{"tool_calls": []any{map[string]any{"index": 0, "function": map[string]any{"arguments": `"from":1,"to":60}`}}}}, nil)
			chunk(w, map[string]any{"tool_calls": []any{map[string]any{"index": 1, "id": "call_search", "type": "function",
				"function": map[string]any{"name": "search_logs", "arguments": `{"query":"Sup3rS3cret"}`}}}}, nil)
			chunk(w, map[string]any{}, "tool_calls")
		} else {
			chunk(w, map[string]any{"role": "assistant", "content": "The upstream timed out."}, "stop")
		}
	})
}

func TestChatToolsKeepSecretsInside(t *testing.T) {
	p := newChatLogPortal(t, ai.NewFactory(nil))
	fake := newToolProvider(t)
	admin, rita := p.login(t, "admin"), p.login(t, "rita")
	if r := admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/cloud", map[string]any{
		"kind": "openai", "base_url": fake.srv.URL + "/v1", "model": "gpt-test", "api_key": "sk-test-key-0123456789", "supports_tools": true,
	}); r.StatusCode != http.StatusCreated {
		t.Fatalf("config: %d %s", r.StatusCode, r.Body)
	}
	issueID := p.newIssue(t, rita, "Checkout times out")
	decodeLog(t, upload(t, rita, issueID, logFile{"secrets.log", []byte(toolSecretLog())}))

	r := rita.apiJSON(http.MethodPost, "/api/v1/issues/"+issueID+"/chat", map[string]any{"message": "What does the log say?", "config": "cloud"})
	var out struct {
		Reply domain.ConversationMessage `json:"reply"`
	}
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("chat: %d %s", r.StatusCode, r.Body)
	}
	if out.Reply.Status != domain.MessageComplete || out.Reply.Content != "Reading the log.\n\nThe upstream timed out." {
		t.Fatalf("reply = %q (%s %s)", out.Reply.Content, out.Reply.Status, out.Reply.Error)
	}
	// The model's query for a bare password is itself redacted: the gate knows it for a secret.
	if got := strings.Join(out.Reply.ToolsUsed, "; "); got != `read_log_lines secrets.log 1–60; search_logs "[Secret]"` {
		t.Errorf("tools used = %q", got)
	}

	bodies := fake.requests()
	if len(bodies) != 2 {
		t.Fatalf("the provider got %d requests", len(bodies))
	}
	// No secret in any byte sent; the log's lines went out redacted.
	for i, b := range bodies {
		for _, s := range append(toolSecrets, "Sup3rS3cret") {
			// The model's own query for a bare password goes back redacted too.
			if strings.Contains(string(b), s) {
				t.Errorf("request %d holds the secret %q", i+1, s)
			}
		}
	}
	var reqs []domain.ChatRequest
	var second aitest.OpenAIBody
	for i, b := range bodies {
		var w aitest.OpenAIBody
		if err := json.Unmarshal(b, &w); err != nil {
			t.Fatal(err)
		}
		if len(w.Tools) != 3 || w.Tools[0].Type != "function" || w.Messages[0].Role != "system" {
			t.Errorf("request %d: tools %d, first message %q", i+1, len(w.Tools), w.Messages[0].Role)
		}
		reqs = append(reqs, w.Request())
		second = w
	}
	// The second request carries the assistant turn with its calls, then the results.
	n := len(second.Messages)
	if n < 4 {
		t.Fatalf("second request has %d messages", n)
	}
	asst, res1, res2 := second.Messages[n-3], second.Messages[n-2], second.Messages[n-1]
	if asst.Role != "assistant" || asst.Content != "Reading the log." || len(asst.ToolCalls) != 2 || asst.ToolCalls[0].ID != "call_read" ||
		asst.ToolCalls[0].Function.Arguments != `{"file":"secrets.log","from":1,"to":60}` {
		t.Fatalf("assistant turn = %+v", asst)
	}
	if res1.Role != "tool" || res1.ToolCallID != "call_read" || res2.Role != "tool" || res2.ToolCallID != "call_search" {
		t.Fatalf("results = %+v / %+v", res1, res2)
	}
	if lines := strings.Count(res1.Content, "\n"); lines != 60 || !strings.Contains(res1.Content, "4: 2026-11-28T08:00:04Z ERROR login failed for [Email] password=[Password]") {
		t.Errorf("read result (%d lines):\n%s", lines, res1.Content)
	}
	if res2.Content != "No line contains the query." {
		t.Errorf("search for the secret = %q", res2.Content)
	}

	// The audit hashes exactly what was sent, over both rounds.
	wantHash, wantBytes := domain.HashChatRequest(reqs...)
	var gotHash string
	var gotBytes, toolCalls int
	if err := p.db.Pool.QueryRow(context.Background(), `SELECT details->>'sent_sha256', (details->>'bytes_sent')::int, (details->>'tool_calls')::int
		FROM audit_log WHERE action = 'ai.chat' AND entity_id = $1`, out.Reply.ID).Scan(&gotHash, &gotBytes, &toolCalls); err != nil {
		t.Fatal(err)
	}
	if gotHash != wantHash || gotBytes != wantBytes || toolCalls != 2 {
		t.Errorf("audit sent %s (%d bytes, %d calls), the provider got %s (%d bytes)", gotHash, gotBytes, toolCalls, wantHash, wantBytes)
	}
	if h, _ := domain.HashChatRequest(reqs[0]); h == gotHash {
		t.Error("the audit hashes only the first round")
	}

	// The lookups are shown under the reply, escaped.
	page := rita.get("/issues/"+issueID+"/chat", nil).Body
	if !strings.Contains(page, `data-testid="chat-tools-used">Looked up: read_log_lines secrets.log 1–60, search_logs &#34;[Secret]&#34;</div>`) {
		i := strings.Index(page, "Looked up")
		t.Errorf("no lookup note on the page: %q", page[max(i, 0):min(max(i, 0)+200, len(page))])
	}
}
