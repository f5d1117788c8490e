package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestProviderTestConnection runs "Test connection" through the real portal and the real
// OpenAI-compatible adapter against a fake server on loopback that speaks the streaming wire
// format: a good key streams a reply, a wrong one gets the provider's 401 body, and the key
// never shows in an answer.
func TestProviderTestConnection(t *testing.T) {
	const goodKey = "sk-test-0123456789abcdefGOOD"
	var mu sync.Mutex
	var seen []string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+goodKey {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s","type":"invalid_request_error","code":"invalid_api_key"}}`, r.Header.Get("Authorization"))
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, chunk := range []string{
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"role":"assistant","content":"O"},"finish_reason":null}]}`,
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":"K"},"finish_reason":"stop"}]}`,
		} {
			fmt.Fprintf(w, "data: %s\n\n", chunk)
			w.(http.Flusher).Flush()
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(fake.Close)

	p := startPortal(t)
	token := p.apiToken(t)
	put := func(key string) {
		body, _ := json.Marshal(map[string]any{"kind": "openai", "base_url": fake.URL + "/v1", "model": "gpt-test", "api_key": key})
		p.apiCall(t, token, http.MethodPut, "/api/v1/ai/configs/local-fake", "application/json", strings.NewReader(string(body)), nil)
	}
	test := func() (ok bool, message string) {
		var res struct {
			OK      bool   `json:"ok"`
			Message string `json:"message"`
		}
		p.apiCall(t, token, http.MethodPost, "/api/v1/ai/configs/local-fake/test", "", nil, &res)
		return res.OK, res.Message
	}

	put(goodKey)
	if ok, msg := test(); !ok {
		t.Errorf("test connection with the right key: %q", msg)
	}
	var cfg map[string]any
	p.apiCall(t, token, http.MethodGet, "/api/v1/ai/configs/local-fake", "", nil, &cfg)
	if b, _ := json.Marshal(cfg); strings.Contains(string(b), goodKey) || cfg["has_api_key"] != true {
		t.Errorf("config as read back: %s", b)
	}

	put("sk-wrong-key-9999999999999999")
	ok, msg := test()
	if ok || !strings.Contains(msg, "refused the API key") || strings.Contains(msg, "sk-wrong") {
		t.Errorf("test connection with a wrong key: ok=%v %q", ok, msg)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || !strings.HasPrefix(seen[0], "POST /v1/chat/completions Bearer ") {
		t.Errorf("requests the provider saw: %q", seen)
	}
}
