package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tftsr/domain"
)

// toolWire is one kind's tool-calling protocol as the fake servers speak it.
type toolWire struct {
	wire
	// callFrames streams "Let me look." and then two tool calls, search_logs{"query":"timeout"}
	// and read_log_lines{"file":"app.log","from":1,"to":3}, in the provider's format.
	callFrames []frame
	// ids are the call ids the adapter must return for the two calls.
	ids [2]string
	// checkTools asserts the tools of a request, as the provider expects them.
	checkTools func(t *testing.T, body map[string]any)
	// noTools asserts that a request offers no tools.
	noTools func(t *testing.T, body map[string]any)
	// checkRound2 asserts the second request: the assistant turn with its tool calls, then the
	// results "result 1" and "result 2", in the provider's shape.
	checkRound2 func(t *testing.T, body map[string]any, ids [2]string)
}

const (
	toolArgs1 = `{"query":"timeout"}`
	toolArgs2 = `{"file":"app.log","from":1,"to":3}`
)

// openAIToolFrames streams the two calls the OpenAI way: fragments keyed by index, the
// arguments split across chunks. whole sends each call in one chunk, as Mistral does.
func openAIToolFrames(ids [2]string, whole bool) []frame {
	fr := []frame{
		{raw: sse("", openAIChunk(`{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}`, ""))},
		{raw: sse("", openAIChunk(`{"index":0,"delta":{"content":"Let me look."},"logprobs":null,"finish_reason":null}`, "")), token: true},
	}
	if whole {
		fr = append(fr, frame{raw: sse("", openAIChunk(`{"index":0,"delta":{"tool_calls":[`+
			`{"id":"`+ids[0]+`","function":{"name":"search_logs","arguments":`+jsonString(toolArgs1)+`},"index":0},`+
			`{"id":"`+ids[1]+`","function":{"name":"read_log_lines","arguments":`+jsonString(toolArgs2)+`},"index":1}]},"finish_reason":null}`, ""))})
	} else {
		fr = append(fr,
			frame{raw: sse("", openAIChunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"id":"`+ids[0]+`","type":"function","function":{"name":"search_logs","arguments":""}}]},"logprobs":null,"finish_reason":null}`, ""))},
			frame{raw: sse("", openAIChunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"query\":"}}]},"logprobs":null,"finish_reason":null}`, ""))},
			frame{raw: sse("", openAIChunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"timeout\"}"}}]},"logprobs":null,"finish_reason":null}`, ""))},
			frame{raw: sse("", openAIChunk(`{"index":0,"delta":{"tool_calls":[{"index":1,"id":"`+ids[1]+`","type":"function","function":{"name":"read_log_lines","arguments":""}}]},"logprobs":null,"finish_reason":null}`, ""))},
			frame{raw: sse("", openAIChunk(`{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":`+jsonString(toolArgs2)+`}}]},"logprobs":null,"finish_reason":null}`, ""))})
	}
	return append(fr,
		frame{raw: sse("", openAIChunk(`{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}`, `,"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}`))},
		frame{raw: "data: [DONE]\n\n"})
}

// checkSchema asserts the JSON schemas of the two first chat tools.
func checkSchema(t *testing.T, what string, search, read any) {
	t.Helper()
	assertEqual(t, what+" search type", get(search, "type"), "object")
	assertEqual(t, what+" search query type", get(search, "properties", "query", "type"), "string")
	assertEqual(t, what+" search required", get(search, "required", 0), "query")
	assertEqual(t, what+" read from type", get(read, "properties", "from", "type"), "integer")
	assertEqual(t, what+" read required", length(get(read, "required")), 3)
}

// checkOpenAITools asserts tools in the OpenAI shape, which Ollama shares, and the one system
// message first.
func checkOpenAITools(t *testing.T, b map[string]any) {
	t.Helper()
	checkSystemFirst(t, b)
	assertEqual(t, "tool count", length(b["tools"]), 3)
	for i, name := range []string{"search_logs", "read_log_lines", "list_logs"} {
		assertEqual(t, fmt.Sprintf("tools[%d].type", i), get(b, "tools", i, "type"), "function")
		assertEqual(t, fmt.Sprintf("tools[%d].function.name", i), get(b, "tools", i, "function", "name"), name)
		if d, _ := get(b, "tools", i, "function", "description").(string); d == "" {
			t.Errorf("tools[%d] has no description", i)
		}
	}
	checkSchema(t, "openai", get(b, "tools", 0, "function", "parameters"), get(b, "tools", 1, "function", "parameters"))
}

// checkSystemFirst asserts one system message, first, in an OpenAI-shaped messages list.
func checkSystemFirst(t *testing.T, b map[string]any) {
	t.Helper()
	assertEqual(t, "messages[0].role", get(b, "messages", 0, "role"), "system")
	for i := 1; i < length(b["messages"]); i++ {
		if get(b, "messages", i, "role") == "system" {
			t.Errorf("messages[%d] is a second system message", i)
		}
	}
}

// checkOpenAIRound2 asserts the OpenAI second request: the assistant message with tool_calls,
// then one role "tool" message per call with its tool_call_id.
func checkOpenAIRound2(t *testing.T, b map[string]any, ids [2]string) {
	t.Helper()
	checkSystemFirst(t, b)
	msgs := b["messages"]
	assertEqual(t, "message count", length(msgs), 5)
	assertEqual(t, "messages[1].role", get(msgs, 1, "role"), "user")
	assertEqual(t, "messages[2].role", get(msgs, 2, "role"), "assistant")
	assertEqual(t, "messages[2].content", get(msgs, 2, "content"), "Let me look.")
	assertEqual(t, "tool call count", length(get(msgs, 2, "tool_calls")), 2)
	for i, want := range [][2]string{{"search_logs", toolArgs1}, {"read_log_lines", toolArgs2}} {
		assertEqual(t, fmt.Sprintf("tool_calls[%d].id", i), get(msgs, 2, "tool_calls", i, "id"), ids[i])
		assertEqual(t, fmt.Sprintf("tool_calls[%d].type", i), get(msgs, 2, "tool_calls", i, "type"), "function")
		assertEqual(t, fmt.Sprintf("tool_calls[%d].name", i), get(msgs, 2, "tool_calls", i, "function", "name"), want[0])
		assertEqual(t, fmt.Sprintf("tool_calls[%d].arguments", i), get(msgs, 2, "tool_calls", i, "function", "arguments"), want[1])
		assertEqual(t, fmt.Sprintf("messages[%d].role", 3+i), get(msgs, 3+i, "role"), "tool")
		assertEqual(t, fmt.Sprintf("messages[%d].tool_call_id", 3+i), get(msgs, 3+i, "tool_call_id"), ids[i])
		assertEqual(t, fmt.Sprintf("messages[%d].content", 3+i), get(msgs, 3+i, "content"), fmt.Sprintf("result %d", i+1))
	}
	checkOpenAITools(t, b)
}

// toolWires lists every kind's tool-calling protocol.
func toolWires() []toolWire {
	byKind := map[domain.ProviderKind]wire{}
	for _, w := range wires {
		byKind[w.kind] = w
	}
	openAINoTools := func(t *testing.T, b map[string]any) {
		t.Helper()
		if _, ok := b["tools"]; ok {
			t.Errorf("tools were sent: %v", b["tools"])
		}
	}
	return []toolWire{
		{
			wire: byKind[domain.ProviderOpenAI], ids: [2]string{"call_abc", "call_def"},
			callFrames: openAIToolFrames([2]string{"call_abc", "call_def"}, false),
			checkTools: checkOpenAITools, noTools: openAINoTools, checkRound2: checkOpenAIRound2,
		},
		{
			wire: byKind[domain.ProviderMistral], ids: [2]string{"D681PevKs", "E792QfwLt"},
			callFrames: openAIToolFrames([2]string{"D681PevKs", "E792QfwLt"}, true),
			checkTools: checkOpenAITools, noTools: openAINoTools, checkRound2: checkOpenAIRound2,
		},
		{
			wire: byKind[domain.ProviderAnthropic], ids: [2]string{"toolu_01", "toolu_02"},
			callFrames: append(anthropicStart(),
				frame{raw: sse("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me look."}}`), token: true},
				frame{raw: sse("content_block_stop", `{"type":"content_block_stop","index":0}`)},
				frame{raw: sse("content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"search_logs","input":{}}}`)},
				frame{raw: sse("content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}`)},
				frame{raw: sse("content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"query\":\"time"}}`)},
				frame{raw: sse("content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"out\"}"}}`)},
				frame{raw: sse("content_block_stop", `{"type":"content_block_stop","index":1}`)},
				frame{raw: sse("content_block_start", `{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_02","name":"read_log_lines","input":{}}}`)},
				frame{raw: sse("content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":`+jsonString(toolArgs2)+`}}`)},
				frame{raw: sse("content_block_stop", `{"type":"content_block_stop","index":2}`)},
				frame{raw: sse("message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":7}}`)},
				frame{raw: sse("message_stop", `{"type":"message_stop"}`)}),
			checkTools: func(t *testing.T, b map[string]any) {
				t.Helper()
				assertEqual(t, "tool count", length(b["tools"]), 3)
				assertEqual(t, "tools[0].name", get(b, "tools", 0, "name"), "search_logs")
				assertEqual(t, "tools[1].name", get(b, "tools", 1, "name"), "read_log_lines")
				if d, _ := get(b, "tools", 0, "description").(string); d == "" {
					t.Error("tools[0] has no description")
				}
				checkSchema(t, "anthropic", get(b, "tools", 0, "input_schema"), get(b, "tools", 1, "input_schema"))
				assertEqual(t, "system blocks", length(b["system"]), 1)
			},
			noTools: openAINoTools,
			checkRound2: func(t *testing.T, b map[string]any, ids [2]string) {
				t.Helper()
				msgs := b["messages"]
				assertEqual(t, "system blocks", length(b["system"]), 1)
				assertEqual(t, "message count", length(msgs), 3)
				assertEqual(t, "messages[1].role", get(msgs, 1, "role"), "assistant")
				assertEqual(t, "assistant blocks", length(get(msgs, 1, "content")), 3)
				assertEqual(t, "assistant text", get(msgs, 1, "content", 0, "text"), "Let me look.")
				assertEqual(t, "messages[2].role", get(msgs, 2, "role"), "user")
				assertEqual(t, "result blocks", length(get(msgs, 2, "content")), 2)
				for i, name := range []string{"search_logs", "read_log_lines"} {
					use := get(msgs, 1, "content", 1+i)
					assertEqual(t, fmt.Sprintf("tool_use[%d].type", i), get(use, "type"), "tool_use")
					assertEqual(t, fmt.Sprintf("tool_use[%d].id", i), get(use, "id"), ids[i])
					assertEqual(t, fmt.Sprintf("tool_use[%d].name", i), get(use, "name"), name)
					res := get(msgs, 2, "content", i)
					assertEqual(t, fmt.Sprintf("tool_result[%d].type", i), get(res, "type"), "tool_result")
					assertEqual(t, fmt.Sprintf("tool_result[%d].tool_use_id", i), get(res, "tool_use_id"), ids[i])
					assertEqual(t, fmt.Sprintf("tool_result[%d].text", i), get(res, "content", 0, "text"), fmt.Sprintf("result %d", i+1))
				}
				assertEqual(t, "tool_use[0].input.query", get(msgs, 1, "content", 1, "input", "query"), "timeout")
				assertEqual(t, "tool_use[1].input.to", get(msgs, 1, "content", 2, "input", "to"), 3.0)
			},
		},
		{
			wire: byKind[domain.ProviderGemini], ids: [2]string{"call_0", "call_1"},
			callFrames: []frame{
				{raw: geminiEvent(`{"candidates":[{"content":{"parts":[{"text":"Let me look."}],"role":"model"},"index":0}],"modelVersion":"gemini-test"}`), token: true},
				{raw: geminiEvent(`{"candidates":[{"content":{"parts":[{"functionCall":{"name":"search_logs","args":{"query":"timeout"}},"thoughtSignature":"c2lnLTE="},` +
					`{"functionCall":{"name":"read_log_lines","args":{"file":"app.log","from":1,"to":3}}}],"role":"model"},"finishReason":"STOP","index":0}],` +
					`"usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":7,"totalTokenCount":18},"modelVersion":"gemini-test"}`)},
			},
			checkTools: func(t *testing.T, b map[string]any) {
				t.Helper()
				assertEqual(t, "tool groups", length(b["tools"]), 1)
				decls := get(b, "tools", 0, "functionDeclarations")
				assertEqual(t, "declarations", length(decls), 3)
				assertEqual(t, "declarations[0].name", get(decls, 0, "name"), "search_logs")
				checkSchema(t, "gemini", get(decls, 0, "parameters"), get(decls, 1, "parameters"))
				assertEqual(t, "system parts", length(get(b, "systemInstruction", "parts")), 1)
			},
			noTools: openAINoTools,
			checkRound2: func(t *testing.T, b map[string]any, ids [2]string) {
				t.Helper()
				c := b["contents"]
				assertEqual(t, "content count", length(c), 3)
				assertEqual(t, "contents[1].role", get(c, 1, "role"), "model")
				assertEqual(t, "model parts", length(get(c, 1, "parts")), 3)
				assertEqual(t, "model text", get(c, 1, "parts", 0, "text"), "Let me look.")
				assertEqual(t, "functionCall[0].name", get(c, 1, "parts", 1, "functionCall", "name"), "search_logs")
				assertEqual(t, "functionCall[0].args.query", get(c, 1, "parts", 1, "functionCall", "args", "query"), "timeout")
				assertEqual(t, "functionCall[0].thoughtSignature", get(c, 1, "parts", 1, "thoughtSignature"), "c2lnLTE=")
				assertEqual(t, "functionCall[1].name", get(c, 1, "parts", 2, "functionCall", "name"), "read_log_lines")
				assertEqual(t, "functionCall[1].args.from", get(c, 1, "parts", 2, "functionCall", "args", "from"), 1.0)
				assertEqual(t, "contents[2].role", get(c, 2, "role"), "user")
				assertEqual(t, "response parts", length(get(c, 2, "parts")), 2)
				for i, name := range []string{"search_logs", "read_log_lines"} {
					fr := get(c, 2, "parts", i, "functionResponse")
					assertEqual(t, fmt.Sprintf("functionResponse[%d].name", i), get(fr, "name"), name)
					assertEqual(t, fmt.Sprintf("functionResponse[%d].response.content", i), get(fr, "response", "content"), fmt.Sprintf("result %d", i+1))
				}
			},
		},
		{
			wire: byKind[domain.ProviderOllama], ids: [2]string{"call_0", "call_1"},
			callFrames: []frame{
				{raw: ollamaLineJSON("Let me look."), token: true},
				{raw: `{"model":"llama-test","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"","tool_calls":[` +
					`{"function":{"name":"search_logs","arguments":{"query":"timeout"}}},` +
					`{"function":{"name":"read_log_lines","arguments":{"file":"app.log","from":1,"to":3}}}]},"done":false}` + "\n"},
				{raw: `{"model":"llama-test","created_at":"2025-01-01T00:00:01Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":11,"eval_count":7}` + "\n"},
			},
			checkTools: checkOpenAITools, noTools: openAINoTools,
			checkRound2: func(t *testing.T, b map[string]any, ids [2]string) {
				t.Helper()
				checkSystemFirst(t, b)
				msgs := b["messages"]
				assertEqual(t, "message count", length(msgs), 5)
				assertEqual(t, "messages[2].role", get(msgs, 2, "role"), "assistant")
				assertEqual(t, "messages[2].content", get(msgs, 2, "content"), "Let me look.")
				assertEqual(t, "tool call count", length(get(msgs, 2, "tool_calls")), 2)
				assertEqual(t, "tool_calls[0].name", get(msgs, 2, "tool_calls", 0, "function", "name"), "search_logs")
				assertEqual(t, "tool_calls[0].arguments.query", get(msgs, 2, "tool_calls", 0, "function", "arguments", "query"), "timeout")
				assertEqual(t, "tool_calls[1].arguments.to", get(msgs, 2, "tool_calls", 1, "function", "arguments", "to"), 3.0)
				for i, name := range []string{"search_logs", "read_log_lines"} {
					assertEqual(t, fmt.Sprintf("messages[%d].role", 3+i), get(msgs, 3+i, "role"), "tool")
					assertEqual(t, fmt.Sprintf("messages[%d].tool_name", 3+i), get(msgs, 3+i, "tool_name"), name)
					assertEqual(t, fmt.Sprintf("messages[%d].content", 3+i), get(msgs, 3+i, "content"), fmt.Sprintf("result %d", i+1))
				}
				checkOpenAITools(t, b)
			},
		},
	}
}

// toolRequest is a request offering the chat's tools: a system prompt and a user message.
func toolRequest() domain.ChatRequest {
	return domain.ChatRequest{
		Messages: []domain.ChatMessage{
			{Role: domain.RoleSystem, Content: "You are an incident responder."},
			{Role: domain.RoleUser, Content: "The disk is full."},
		},
		Tools: domain.ChatToolSpecs(),
	}
}

func TestStreamChatToolRoundTrip(t *testing.T) {
	for _, w := range toolWires() {
		t.Run(w.name(), func(t *testing.T) {
			st := newStreamer(t, w.contentType)
			var f *fake
			f = newFake(t, func(rw http.ResponseWriter, r *http.Request) {
				if f.count() == 1 {
					st.write(rw, r, w.callFrames)
				} else {
					st.write(rw, r, w.frames([]string{"Found ", "it."}))
				}
			})
			cfg := w.config(f, w.usesKey())
			cfg.SupportsTools = true
			m, err := newTestFactory(f).ChatModel(cfg)
			if err != nil {
				t.Fatal(err)
			}
			req := toolRequest()
			var got []string
			res, err := m.StreamChat(context.Background(), req, st.onToken(&got))
			if err != nil {
				t.Fatalf("round 1: %v", err)
			}
			if strings.Join(got, "") != "Let me look." {
				t.Errorf("round 1 tokens = %q", got)
			}
			if len(res.ToolCalls) != 2 {
				t.Fatalf("tool calls = %+v", res.ToolCalls)
			}
			for i, want := range []struct{ name, args string }{{"search_logs", toolArgs1}, {"read_log_lines", toolArgs2}} {
				c := res.ToolCalls[i]
				assertEqual(t, fmt.Sprintf("call %d id", i), c.ID, w.ids[i])
				assertEqual(t, fmt.Sprintf("call %d name", i), c.Name, want.name)
				var a, b any
				if json.Unmarshal(c.Arguments, &a) != nil || json.Unmarshal([]byte(want.args), &b) != nil || fmt.Sprint(a) != fmt.Sprint(b) {
					t.Errorf("call %d arguments = %s, want %s", i, c.Arguments, want.args)
				}
			}
			first := f.last(t)
			assertEqual(t, "model", first.body["model"] == w.model || strings.Contains(first.path, w.model), true)
			w.checkTools(t, first.body)

			// The next request carries the assistant turn with its calls, then the results.
			req.Messages = append(req.Messages,
				domain.ChatMessage{Role: domain.RoleAssistant, Content: "Let me look.", ToolCalls: res.ToolCalls},
				domain.ChatMessage{Role: domain.RoleTool, Content: "result 1", ToolCallID: res.ToolCalls[0].ID, ToolName: "search_logs"},
				domain.ChatMessage{Role: domain.RoleTool, Content: "result 2", ToolCallID: res.ToolCalls[1].ID, ToolName: "read_log_lines"},
			)
			got = nil
			res, err = m.StreamChat(context.Background(), req, st.onToken(&got))
			if err != nil {
				t.Fatalf("round 2: %v", err)
			}
			if strings.Join(got, "") != "Found it." || len(res.ToolCalls) != 0 {
				t.Errorf("round 2 = %q, %+v", got, res.ToolCalls)
			}
			if f.count() != 2 {
				t.Fatalf("requests = %d, want 2", f.count())
			}
			w.checkRound2(t, f.last(t).body, w.ids)
		})
	}
}

func TestStreamChatSendsNoToolsWithoutSupport(t *testing.T) {
	for _, w := range toolWires() {
		t.Run(w.name(), func(t *testing.T) {
			st := newStreamer(t, w.contentType)
			f := newFake(t, func(rw http.ResponseWriter, r *http.Request) { st.write(rw, r, w.frames([]string{"OK"})) })
			cfg := w.config(f, w.usesKey())
			cfg.SupportsTools = false
			m, err := newTestFactory(f).ChatModel(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if _, err := m.StreamChat(context.Background(), toolRequest(), st.onToken(&got)); err != nil {
				t.Fatal(err)
			}
			w.noTools(t, f.last(t).body)

			// With support the same request offers them, which proves the check can fail.
			cfg.SupportsTools = true
			m, _ = newTestFactory(f).ChatModel(cfg)
			if _, err := m.StreamChat(context.Background(), toolRequest(), st.onToken(&got)); err != nil {
				t.Fatal(err)
			}
			if _, ok := f.last(t).body["tools"]; !ok {
				t.Error("tools were not sent with support")
			}
		})
	}
}

func TestOpenAIToolCallsAllAtIndexZero(t *testing.T) {
	// Some OpenAI-compatible servers send each call whole, every one at index 0.
	frames := []frame{
		{raw: sse("", openAIChunk(`{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"search_logs","arguments":`+jsonString(toolArgs1)+`}}]},"finish_reason":null}`, ""))},
		{raw: sse("", openAIChunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"id":"b","type":"function","function":{"name":"read_log_lines","arguments":`+jsonString(toolArgs2)+`}}]},"finish_reason":null}`, ""))},
		{raw: sse("", openAIChunk(`{"index":0,"delta":{},"finish_reason":"tool_calls"}`, ""))},
		{raw: "data: [DONE]\n\n"},
	}
	st := newStreamer(t, "text/event-stream")
	f := newFake(t, func(rw http.ResponseWriter, r *http.Request) { st.write(rw, r, frames) })
	cfg := domain.ProviderConfig{Kind: domain.ProviderOpenAI, BaseURL: f.srv.URL + "/v1", Model: "gpt-test", SupportsTools: true}
	m, err := newTestFactory(f).ChatModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.StreamChat(context.Background(), toolRequest(), func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ToolCalls) != 2 || res.ToolCalls[0].ID != "a" || string(res.ToolCalls[0].Arguments) != toolArgs1 ||
		res.ToolCalls[1].ID != "b" || string(res.ToolCalls[1].Arguments) != toolArgs2 {
		t.Errorf("tool calls = %+v", res.ToolCalls)
	}
}
