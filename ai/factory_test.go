package ai

import (
	"context"
	"net/http"
	"testing"
	"time"

	"tftsr/domain"
)

func TestChatModelRejectsAnInvalidConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   domain.ProviderConfig
		field string
	}{
		{"unknown kind", domain.ProviderConfig{Kind: "azure", Model: "m"}, "kind"},
		{"no model", domain.ProviderConfig{Kind: domain.ProviderOpenAI}, "model"},
		{"bad URL", domain.ProviderConfig{Kind: domain.ProviderOpenAI, Model: "m", BaseURL: "ftp://example.com"}, "base_url"},
		{"relative URL", domain.ProviderConfig{Kind: domain.ProviderOllama, Model: "m", BaseURL: "localhost:11434"}, "base_url"},
		{"temperature", domain.ProviderConfig{Kind: domain.ProviderGemini, Model: "m", Temperature: ptr(2.5)}, "temperature"},
		{"max tokens", domain.ProviderConfig{Kind: domain.ProviderAnthropic, Model: "m", MaxTokens: -1}, "max_tokens"},
		{"timeout", domain.ProviderConfig{Kind: domain.ProviderMistral, Model: "m", TimeoutSeconds: -5}, "timeout_seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewFactory(nil).ChatModel(tt.cfg)
			if m != nil {
				t.Error("got a model for an invalid config")
			}
			assertEqual(t, "code", domain.ErrorCode(err), domain.EINVALID)
			if domain.ErrorFields(err)[tt.field] == "" {
				t.Errorf("no message for field %s in %v", tt.field, domain.ErrorFields(err))
			}
		})
	}
}

func TestSettingsApplyDefaults(t *testing.T) {
	f := NewFactory(nil)
	tests := []struct {
		cfg  domain.ProviderConfig
		base string
	}{
		{domain.ProviderConfig{Kind: domain.ProviderOpenAI, Model: "m"}, "https://api.openai.com/v1"},
		{domain.ProviderConfig{Kind: domain.ProviderMistral, Model: "m"}, "https://api.mistral.ai/v1"},
		{domain.ProviderConfig{Kind: domain.ProviderAnthropic, Model: "m"}, "https://api.anthropic.com"},
		{domain.ProviderConfig{Kind: domain.ProviderAnthropic, Model: "m", BaseURL: "https://proxy.example/v1/messages"}, "https://proxy.example"},
		{domain.ProviderConfig{Kind: domain.ProviderGemini, Model: "m"}, "https://generativelanguage.googleapis.com"},
		{domain.ProviderConfig{Kind: domain.ProviderGemini, Model: "m", BaseURL: "https://g.example/v1beta/"}, "https://g.example"},
		{domain.ProviderConfig{Kind: domain.ProviderOllama, Model: "m"}, "http://127.0.0.1:11434"},
		{domain.ProviderConfig{Kind: domain.ProviderOllama, Model: "m", BaseURL: "http://gpu:11434/api"}, "http://gpu:11434"},
	}
	for _, tt := range tests {
		s, err := f.settings(tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		assertEqual(t, string(tt.cfg.Kind)+" base URL", s.baseURL, tt.base)
		assertEqual(t, string(tt.cfg.Kind)+" timeout", s.timeout, DefaultTimeout)
	}
	s, _ := f.settings(domain.ProviderConfig{Kind: domain.ProviderOllama, Model: "m", TimeoutSeconds: 300})
	assertEqual(t, "timeout from seconds", s.timeout, 300*time.Second)
	assertEqual(t, "ollama first byte", s.firstByte, 300*time.Second)
	s, _ = f.settings(domain.ProviderConfig{Kind: domain.ProviderOpenAI, Model: "m"})
	assertEqual(t, "cloud first byte", s.firstByte, DefaultFirstByteTimeout)
}

func TestOpenAIParamsUseMaxCompletionTokensAtOpenAI(t *testing.T) {
	s, err := NewFactory(nil).settings(domain.ProviderConfig{Kind: domain.ProviderOpenAI, Model: "o4-mini", MaxTokens: 100})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.newCall(chatRequest())
	if err != nil {
		t.Fatal(err)
	}
	p := newOpenAIModel(s).params(c)
	assertEqual(t, "max_completion_tokens", p.MaxCompletionTokens.Value, int64(256))
	assertEqual(t, "max_tokens set", p.MaxTokens.Valid(), false)
}

func TestStreamChatRejectsARequestWithoutTurns(t *testing.T) {
	m, err := NewFactory(nil).ChatModel(domain.ProviderConfig{Kind: domain.ProviderOllama, Model: "m", BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.StreamChat(context.Background(), domain.ChatRequest{Messages: []domain.ChatMessage{{Role: domain.RoleSystem, Content: "x"}}}, func(string) error { return nil })
	assertEqual(t, "code", domain.ErrorCode(err), domain.EINVALID)
	_, err = m.StreamChat(context.Background(), domain.ChatRequest{Messages: []domain.ChatMessage{{Role: "function", Content: "x"}}}, func(string) error { return nil })
	assertEqual(t, "code", domain.ErrorCode(err), domain.EINVALID)
}

func TestTestAsksForAShortReply(t *testing.T) {
	for _, w := range wires {
		t.Run(w.name(), func(t *testing.T) {
			f := newFake(t, func(rw http.ResponseWriter, r *http.Request) {
				st := newStreamer(t, w.contentType)
				frames := w.frames([]string{"OK"})
				for i := range frames {
					frames[i].token = false
				}
				st.write(rw, r, frames)
			})
			if err := newTestFactory(f).Test(context.Background(), w.config(f, true)); err != nil {
				t.Fatalf("Test: %v", err)
			}
			b := f.last(t).body
			switch w.kind {
			case domain.ProviderAnthropic:
				assertEqual(t, "prompt", get(b, "messages", 0, "content", 0, "text"), "Reply with OK.")
				assertEqual(t, "max_tokens", b["max_tokens"], float64(testMaxTokens))
			case domain.ProviderGemini:
				assertEqual(t, "prompt", get(b, "contents", 0, "parts", 0, "text"), "Reply with OK.")
				assertEqual(t, "maxOutputTokens", get(b, "generationConfig", "maxOutputTokens"), float64(testMaxTokens))
			case domain.ProviderOllama:
				assertEqual(t, "prompt", get(b, "messages", 0, "content"), "Reply with OK.")
				assertEqual(t, "num_predict", get(b, "options", "num_predict"), float64(testMaxTokens))
			default:
				assertEqual(t, "prompt", get(b, "messages", 0, "content"), "Reply with OK.")
				assertEqual(t, "max_tokens", b["max_tokens"], float64(testMaxTokens))
			}
		})
	}
}

func TestTestReportsARefusedKey(t *testing.T) {
	f := newFake(t, func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusBadRequest)
		rw.Write([]byte(`{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}`))
	})
	err := newTestFactory(f).Test(context.Background(), domain.ProviderConfig{Kind: domain.ProviderGemini, BaseURL: f.srv.URL, Model: "gemini-test", APIKey: testKey})
	assertEqual(t, "message", domain.ErrorMessage(err), "The provider refused the API key (400).")
}

func TestModelMissingReportedWithStatus400(t *testing.T) {
	f := newFake(t, func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusBadRequest)
		rw.Write([]byte(`{"error":{"message":"Invalid model name passed in model=gpt-x. The model does not exist.","type":"invalid_request_error","param":null,"code":"400"}}`))
	})
	err := newTestFactory(f).Test(context.Background(), domain.ProviderConfig{Kind: domain.ProviderOpenAI, BaseURL: f.srv.URL + "/v1", Model: "gpt-x"})
	assertEqual(t, "message", domain.ErrorMessage(err), "The model gpt-x was not found at the provider.")
}
