package ai

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"tftsr/domain"
)

// testKey is the API key of the tests; no error message may contain it.
const testKey = "sk-test-SECRET-0123456789abcdef"

// recorded is a request the fake server received.
type recorded struct {
	method string
	path   string
	query  string
	header http.Header
	body   map[string]any
}

// fake is a loopback provider that records each request and answers with handle.
type fake struct {
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	handle func(w http.ResponseWriter, r *http.Request)
}

// newFake starts a fake provider answering with handle.
func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *fake {
	t.Helper()
	f := &fake{handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		rec := recorded{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, header: r.Header.Clone()}
		if err := json.Unmarshal(data, &rec.body); err != nil {
			t.Errorf("request body is not JSON: %v: %s", err, data)
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		f.mu.Unlock()
		f.handle(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// last returns the last recorded request.
func (f *fake) last(t *testing.T) recorded {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		t.Fatal("the fake provider received no request")
	}
	return f.reqs[len(f.reqs)-1]
}

// count returns how many requests the fake received.
func (f *fake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

// frame is a piece of a stream written and flushed at once. After a frame carrying a token the
// fake waits until the client has passed that token on, which proves that tokens are streamed.
type frame struct {
	raw   string
	token bool
}

// streamer writes frames as a streaming response, pacing token frames by acks.
type streamer struct {
	t           *testing.T
	contentType string
	acks        chan struct{}
}

// newStreamer returns a streamer whose acks the client's onToken must send.
func newStreamer(t *testing.T, contentType string) *streamer {
	return &streamer{t: t, contentType: contentType, acks: make(chan struct{}, 64)}
}

// onToken returns an onToken callback that appends to *got and acknowledges each token.
func (s *streamer) onToken(got *[]string) func(string) error {
	return func(tok string) error {
		*got = append(*got, tok)
		s.acks <- struct{}{}
		return nil
	}
}

// write sends frames on w with status 200.
func (s *streamer) write(w http.ResponseWriter, r *http.Request, frames []frame) {
	w.Header().Set("Content-Type", s.contentType)
	w.WriteHeader(http.StatusOK)
	flush(w)
	for _, fr := range frames {
		if _, err := io.WriteString(w, fr.raw); err != nil {
			return
		}
		flush(w)
		if !fr.token {
			continue
		}
		select {
		case <-s.acks:
		case <-r.Context().Done():
			return
		case <-time.After(5 * time.Second):
			s.t.Errorf("the client did not pass a token on before the next chunk was sent")
			return
		}
	}
}

// flush sends what w holds.
func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// jsonString returns s as a JSON string literal.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// chatRequest is the conversation the tests send: a system prompt, then user, assistant, user.
func chatRequest() domain.ChatRequest {
	return domain.ChatRequest{
		Messages: []domain.ChatMessage{
			{Role: domain.RoleSystem, Content: "You are an incident responder."},
			{Role: domain.RoleUser, Content: "The disk is full."},
			{Role: domain.RoleAssistant, Content: "Which host?"},
			{Role: domain.RoleUser, Content: "db-01"},
		},
		Temperature: ptr(0.3),
		MaxTokens:   256,
	}
}

// get returns the value at a path of keys and indexes in a decoded JSON value.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// length returns the length of a decoded JSON array, -1 for anything else.
func length(v any) int {
	a, ok := v.([]any)
	if !ok {
		return -1
	}
	return len(a)
}

// assertEqual fails the test when got differs from want.
func assertEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// assertNoKey fails the test when err's text or message contains the API key.
func assertNoKey(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(domain.ErrorMessage(err), testKey) {
		t.Errorf("the error shows the API key: %v", err)
	}
}
