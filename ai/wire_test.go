package ai

import (
	"fmt"
	"strings"
	"testing"

	"tftsr/domain"
)

// wire describes one provider kind's protocol as the fake servers speak it, byte for byte.
type wire struct {
	kind        domain.ProviderKind
	base        string // the path of the base URL under the fake server
	model       string
	contentType string
	// frames is a complete reply streaming tokens, reporting 11 input and 7 output tokens.
	frames func(tokens []string) []frame
	// failing streams tokens, then the provider's error event carrying message.
	failing func(tokens []string, message string) []frame
	// errorBody is the JSON body of an HTTP error.
	errorBody func(status int, message string) string
	// checkRequest asserts the recorded request of chatRequest.
	checkRequest func(t *testing.T, rec recorded, withKey bool)
}

// sse formats one SSE event; an empty event name writes a data line only.
func sse(event, data string) string {
	if event == "" {
		return "data: " + data + "\n\n"
	}
	return "event: " + event + "\ndata: " + data + "\n\n"
}

// openAIChunk is an OpenAI chat.completion.chunk with the given choices and extra fields.
func openAIChunk(choices, extra string) string {
	return `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-test","system_fingerprint":"fp_1","choices":[` + choices + `]` + extra + `}`
}

// openAIFrames streams tokens the OpenAI way; usageLast puts usage in a final chunk without
// choices (stream_options.include_usage), otherwise in the finishing chunk, as Mistral does.
func openAIFrames(tokens []string, usageLast bool) []frame {
	frames := []frame{{raw: sse("", openAIChunk(`{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}`, ""))}}
	for _, tok := range tokens {
		frames = append(frames, frame{raw: sse("", openAIChunk(`{"index":0,"delta":{"content":`+jsonString(tok)+`},"logprobs":null,"finish_reason":null}`, "")), token: true})
	}
	usage := `,"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}`
	if usageLast {
		frames = append(frames,
			frame{raw: sse("", openAIChunk(`{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}`, ""))},
			frame{raw: sse("", openAIChunk(``, usage))})
	} else {
		frames = append(frames, frame{raw: sse("", openAIChunk(`{"index":0,"delta":{},"finish_reason":"stop"}`, usage))})
	}
	return append(frames, frame{raw: "data: [DONE]\n\n"})
}

// checkOpenAIRequest asserts a chat/completions request.
func checkOpenAIRequest(t *testing.T, rec recorded, withKey bool, includeUsage bool) {
	assertEqual(t, "path", rec.path, "/v1/chat/completions")
	if withKey {
		assertEqual(t, "Authorization", rec.header.Get("Authorization"), "Bearer "+testKey)
	} else {
		assertEqual(t, "Authorization", rec.header.Get("Authorization"), "")
	}
	b := rec.body
	assertEqual(t, "stream", b["stream"], true)
	if includeUsage {
		assertEqual(t, "stream_options.include_usage", get(b, "stream_options", "include_usage"), true)
	} else {
		assertEqual(t, "stream_options", b["stream_options"], nil)
	}
	assertEqual(t, "temperature", b["temperature"], 0.3)
	assertEqual(t, "max_tokens", b["max_tokens"], 256.0)
	msgs := b["messages"]
	assertEqual(t, "message count", length(msgs), 4)
	for i, want := range [][2]string{{"system", "You are an incident responder."}, {"user", "The disk is full."}, {"assistant", "Which host?"}, {"user", "db-01"}} {
		assertEqual(t, fmt.Sprintf("messages[%d].role", i), get(msgs, i, "role"), want[0])
		assertEqual(t, fmt.Sprintf("messages[%d].content", i), get(msgs, i, "content"), want[1])
	}
}

// wires lists every kind's protocol.
var wires = []wire{
	{
		kind: domain.ProviderOpenAI, base: "/v1", model: "gpt-test", contentType: "text/event-stream; charset=utf-8",
		frames: func(tokens []string) []frame { return openAIFrames(tokens, true) },
		failing: func(tokens []string, message string) []frame {
			frames := openAIFrames(tokens, true)
			frames = frames[:1+len(tokens)]
			return append(frames, frame{raw: sse("", `{"error":{"message":`+jsonString(message)+`,"type":"server_error","param":null,"code":null}}`)})
		},
		errorBody: func(status int, message string) string {
			return `{"error":{"message":` + jsonString(message) + `,"type":"invalid_request_error","param":null,"code":"` + fmt.Sprint(status) + `"}}`
		},
		checkRequest: func(t *testing.T, rec recorded, withKey bool) {
			checkOpenAIRequest(t, rec, withKey, true)
			assertEqual(t, "model", rec.body["model"], "gpt-test")
		},
	},
	{
		kind: domain.ProviderMistral, base: "/v1", model: "mistral-test", contentType: "text/event-stream",
		frames: func(tokens []string) []frame { return openAIFrames(tokens, false) },
		failing: func(tokens []string, message string) []frame {
			frames := openAIFrames(tokens, false)[:1+len(tokens)]
			return append(frames, frame{raw: sse("", `{"object":"error","error":{"message":`+jsonString(message)+`,"type":"internal_error"}}`)})
		},
		errorBody: func(status int, message string) string {
			return `{"object":"error","message":` + jsonString(message) + `,"type":"invalid_request_error","param":null,"code":"` + fmt.Sprint(status) + `"}`
		},
		checkRequest: func(t *testing.T, rec recorded, withKey bool) {
			checkOpenAIRequest(t, rec, withKey, false)
			assertEqual(t, "model", rec.body["model"], "mistral-test")
		},
	},
	{
		kind: domain.ProviderAnthropic, base: "", model: "claude-test", contentType: "text/event-stream; charset=utf-8",
		frames: func(tokens []string) []frame {
			frames := anthropicStart()
			for _, tok := range tokens {
				frames = append(frames, frame{raw: sse("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":`+jsonString(tok)+`}}`), token: true})
			}
			return append(frames,
				frame{raw: sse("content_block_stop", `{"type":"content_block_stop","index":0}`)},
				frame{raw: sse("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":7}}`)},
				frame{raw: sse("message_stop", `{"type":"message_stop"}`)})
		},
		failing: func(tokens []string, message string) []frame {
			frames := anthropicStart()
			for _, tok := range tokens {
				frames = append(frames, frame{raw: sse("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":`+jsonString(tok)+`}}`), token: true})
			}
			return append(frames, frame{raw: sse("error", `{"type":"error","error":{"type":"overloaded_error","message":`+jsonString(message)+`}}`)})
		},
		errorBody: func(status int, message string) string {
			return `{"type":"error","error":{"type":"api_error","message":` + jsonString(message) + `},"request_id":"req_1"}`
		},
		checkRequest: func(t *testing.T, rec recorded, withKey bool) {
			assertEqual(t, "path", rec.path, "/v1/messages")
			assertEqual(t, "x-api-key", rec.header.Get("X-Api-Key"), testKey)
			assertEqual(t, "anthropic-version", rec.header.Get("Anthropic-Version"), "2023-06-01")
			assertEqual(t, "Authorization", rec.header.Get("Authorization"), "")
			b := rec.body
			assertEqual(t, "model", b["model"], "claude-test")
			assertEqual(t, "stream", b["stream"], true)
			assertEqual(t, "max_tokens", b["max_tokens"], 256.0)
			assertEqual(t, "temperature", b["temperature"], 0.3)
			assertEqual(t, "system blocks", length(b["system"]), 1)
			assertEqual(t, "system text", get(b, "system", 0, "text"), "You are an incident responder.")
			assertEqual(t, "message count", length(b["messages"]), 3)
			for i, want := range [][2]string{{"user", "The disk is full."}, {"assistant", "Which host?"}, {"user", "db-01"}} {
				assertEqual(t, fmt.Sprintf("messages[%d].role", i), get(b, "messages", i, "role"), want[0])
				assertEqual(t, fmt.Sprintf("messages[%d].content", i), get(b, "messages", i, "content", 0, "text"), want[1])
			}
		},
	},
	{
		kind: domain.ProviderGemini, base: "", model: "gemini-test", contentType: "text/event-stream",
		frames: func(tokens []string) []frame {
			var frames []frame
			for i, tok := range tokens {
				finish, count := "", i+1
				if i == len(tokens)-1 {
					finish, count = `,"finishReason":"STOP"`, 7
				}
				frames = append(frames, frame{raw: geminiEvent(`{"candidates":[{"content":{"parts":[{"text":` + jsonString(tok) + `}],"role":"model"},"index":0` + finish + `}],"usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":` + fmt.Sprint(count) + `,"totalTokenCount":` + fmt.Sprint(11+count) + `},"modelVersion":"gemini-test","responseId":"r1"}`), token: true})
			}
			return frames
		},
		failing: func(tokens []string, message string) []frame {
			var frames []frame
			for _, tok := range tokens {
				frames = append(frames, frame{raw: geminiEvent(`{"candidates":[{"content":{"parts":[{"text":` + jsonString(tok) + `}],"role":"model"},"index":0}],"modelVersion":"gemini-test"}`), token: true})
			}
			return append(frames, frame{raw: geminiEvent(`{"error":{"code":500,"message":` + jsonString(message) + `,"status":"INTERNAL"}}`)})
		},
		errorBody: func(status int, message string) string {
			return `{"error":{"code":` + fmt.Sprint(status) + `,"message":` + jsonString(message) + `,"status":"FAILED"}}`
		},
		checkRequest: func(t *testing.T, rec recorded, withKey bool) {
			assertEqual(t, "path", rec.path, "/v1beta/models/gemini-test:streamGenerateContent")
			assertEqual(t, "query", rec.query, "alt=sse")
			assertEqual(t, "x-goog-api-key", rec.header.Get("X-Goog-Api-Key"), testKey)
			assertEqual(t, "Authorization", rec.header.Get("Authorization"), "")
			b := rec.body
			assertEqual(t, "system parts", length(get(b, "systemInstruction", "parts")), 1)
			assertEqual(t, "system text", get(b, "systemInstruction", "parts", 0, "text"), "You are an incident responder.")
			assertEqual(t, "content count", length(b["contents"]), 3)
			for i, want := range [][2]string{{"user", "The disk is full."}, {"model", "Which host?"}, {"user", "db-01"}} {
				assertEqual(t, fmt.Sprintf("contents[%d].role", i), get(b, "contents", i, "role"), want[0])
				assertEqual(t, fmt.Sprintf("contents[%d].text", i), get(b, "contents", i, "parts", 0, "text"), want[1])
			}
			assertEqual(t, "temperature", get(b, "generationConfig", "temperature"), 0.3)
			assertEqual(t, "maxOutputTokens", get(b, "generationConfig", "maxOutputTokens"), 256.0)
		},
	},
	{
		kind: domain.ProviderOllama, base: "", model: "llama-test", contentType: "application/x-ndjson",
		frames: func(tokens []string) []frame {
			var frames []frame
			for _, tok := range tokens {
				frames = append(frames, frame{raw: ollamaLineJSON(tok), token: true})
			}
			return append(frames, frame{raw: `{"model":"llama-test","created_at":"2025-01-01T00:00:01Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":5,"load_duration":1,"prompt_eval_count":11,"prompt_eval_duration":1,"eval_count":7,"eval_duration":1}` + "\n"})
		},
		failing: func(tokens []string, message string) []frame {
			var frames []frame
			for _, tok := range tokens {
				frames = append(frames, frame{raw: ollamaLineJSON(tok), token: true})
			}
			return append(frames, frame{raw: `{"error":` + jsonString(message) + "}\n"})
		},
		errorBody: func(status int, message string) string {
			return `{"error":` + jsonString(message) + `}`
		},
		checkRequest: func(t *testing.T, rec recorded, withKey bool) {
			assertEqual(t, "path", rec.path, "/api/chat")
			if withKey {
				assertEqual(t, "Authorization", rec.header.Get("Authorization"), "Bearer "+testKey)
			} else {
				assertEqual(t, "Authorization", rec.header.Get("Authorization"), "")
			}
			b := rec.body
			assertEqual(t, "model", b["model"], "llama-test")
			assertEqual(t, "stream", b["stream"], true)
			assertEqual(t, "options.temperature", get(b, "options", "temperature"), 0.3)
			assertEqual(t, "options.num_predict", get(b, "options", "num_predict"), 256.0)
			assertEqual(t, "message count", length(b["messages"]), 4)
			for i, want := range [][2]string{{"system", "You are an incident responder."}, {"user", "The disk is full."}, {"assistant", "Which host?"}, {"user", "db-01"}} {
				assertEqual(t, fmt.Sprintf("messages[%d].role", i), get(b, "messages", i, "role"), want[0])
				assertEqual(t, fmt.Sprintf("messages[%d].content", i), get(b, "messages", i, "content"), want[1])
			}
		},
	},
}

// anthropicStart is the opening of an Anthropic stream, with a ping among it.
func anthropicStart() []frame {
	return []frame{
		{raw: sse("message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-test","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":1}}}`)},
		{raw: sse("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)},
		{raw: sse("ping", `{"type": "ping"}`)},
	}
}

// geminiEvent frames a Gemini alt=sse event, which ends its lines with CRLF.
func geminiEvent(data string) string {
	return "data: " + data + "\r\n\r\n"
}

// ollamaLineJSON is one NDJSON line of an Ollama reply carrying tok.
func ollamaLineJSON(tok string) string {
	return `{"model":"llama-test","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":` + jsonString(tok) + `},"done":false}` + "\n"
}

// config returns the provider config of w served by f.
func (w wire) config(f *fake, withKey bool) domain.ProviderConfig {
	cfg := domain.ProviderConfig{Kind: w.kind, BaseURL: f.srv.URL + w.base, Model: w.model}
	if withKey {
		cfg.APIKey = testKey
	}
	return cfg
}

// usesKey reports whether the kind's requests carry an API key in the tests.
func (w wire) usesKey() bool { return w.kind != domain.ProviderOllama }

// name is the subtest name of w.
func (w wire) name() string { return strings.ToLower(string(w.kind)) }
