package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeOpenAI is an OpenAI-compatible chat completions server on loopback that records the body of
// each request and answers it with the test's reply, streamed as the real server does (SSE "data:"
// chunks, then "data: [DONE]").
type fakeOpenAI struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

// openAIStream writes one streamed answer of the fake.
type openAIStream struct {
	w http.ResponseWriter
	r *http.Request
}

// newFakeOpenAI starts the fake; reply writes the answer to the n-th request (from 1).
func newFakeOpenAI(t testing.TB, reply func(s *openAIStream, n int)) *fakeOpenAI {
	t.Helper()
	f := &fakeOpenAI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.bodies = append(f.bodies, string(body))
		n := len(f.bodies)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		reply(&openAIStream{w: w, r: r}, n)
	}))
	t.Cleanup(f.Close)
	return f
}

// requests returns the bodies received so far.
func (f *fakeOpenAI) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...)
}

// delta sends a chunk with the given delta and finish reason (nil: none yet).
func (s *openAIStream) delta(delta map[string]any, finish any) {
	c, _ := json.Marshal(map[string]any{"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
		"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
	fmt.Fprintf(s.w, "data: %s\n\n", c)
	s.w.(http.Flusher).Flush()
}

// text sends a chunk of reply text.
func (s *openAIStream) text(tok string) { s.delta(map[string]any{"content": tok}, nil) }

// done ends the answer.
func (s *openAIStream) done() {
	fmt.Fprint(s.w, "data: [DONE]\n\n")
	s.w.(http.Flusher).Flush()
}

// hold waits until release is closed (true) or the portal hangs up (false).
func (s *openAIStream) hold(release <-chan struct{}) bool {
	select {
	case <-release:
		return true
	case <-s.r.Context().Done():
		return false
	}
}

// useOpenAI configures the provider name, an OpenAI-compatible server at baseURL; extra fields
// (supports_tools, say) are added to the config.
func (p *portal) useOpenAI(t testing.TB, token, name, baseURL string, extra map[string]any) {
	t.Helper()
	cfg := map[string]any{"kind": "openai", "base_url": baseURL + "/v1", "model": "gpt-test", "api_key": "sk-test-" + name + "-0123456789"}
	for k, v := range extra {
		cfg[k] = v
	}
	b, _ := json.Marshal(cfg)
	p.apiCall(t, token, http.MethodPut, "/api/v1/ai/configs/"+name, "application/json", strings.NewReader(string(b)), nil)
}

// createIssue creates an incident from its JSON and returns its id.
func (p *portal) createIssue(t testing.TB, token, body string) string {
	t.Helper()
	var issue struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues", "application/json", strings.NewReader(body), &issue)
	return issue.ID
}

// signIn opens path in the browser, signs in as the first admin on the login page it is sent to,
// and waits for the element ready of the page it comes back to. Actions in before run first
// (a viewport, say).
func (p *portal) signIn(t *testing.T, ctx context.Context, path, ready string, before ...browserAction) {
	t.Helper()
	steps := append(before,
		navigate(p.URL+path),
		waitVisible("#username"),
		sendKeys("#username", "admin"),
		sendKeys("#password", p.AdminPassword),
		click("#login-submit"),
		waitVisible(ready),
	)
	mustDo(t, ctx, "sign in and open "+path, steps...)
}
