package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// fakeProvider is an OpenAI-compatible chat completions server on loopback: every request is
// answered with a short triage reply streamed as the real server streams it (SSE "data:" chunks
// of chat.completion.chunk, a usage chunk, then "data: [DONE]"). A request that does not ask to
// stream gets one chat.completion object.
type fakeProvider struct {
	URL      string
	srv      *http.Server
	ln       net.Listener
	requests atomic.Int64
	// gap is the pause between two streamed chunks, as a model writing the reply.
	gap time.Duration
}

// fakeReply is the reply's text, cut into the chunks it is streamed in. It proposes no why and
// names no root cause, so that the chat changes no 5-Whys step the drill writes.
var fakeReply = strings.Fields(`Thanks — looking at the timeline, the errors start right after the
deploy. Check the connection pool settings of the service and compare the error rate before
and after; the logs you attached show the retries piling up.`)

// startFakeProvider serves the fake on a loopback port until close.
func startFakeProvider(gap time.Duration) (*fakeProvider, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeProvider{URL: "http://" + ln.Addr().String(), ln: ln, gap: gap}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", f.completions)
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"list","data":[{"id":"gpt-soak","object":"model","created":1,"owned_by":"soak"}]}`)
	})
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// close stops the fake at once.
func (f *fakeProvider) close() { _ = f.srv.Close() }

func (f *fakeProvider) completions(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	var req struct {
		Model  string `json:"model"`
		Stream bool   `json:"stream"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil || json.Unmarshal(body, &req) != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"invalid body","type":"invalid_request_error"}}`)
		return
	}
	if !req.Stream {
		c, _ := json.Marshal(map[string]any{"id": "soak-1", "object": "chat.completion", "created": 1, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": strings.Join(fakeReply, " ")}}},
			"usage": map[string]any{"prompt_tokens": 100, "completion_tokens": len(fakeReply), "total_tokens": 100 + len(fakeReply)}})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(c)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	bw := bufio.NewWriter(w)
	flush := func() error {
		if err := bw.Flush(); err != nil {
			return err
		}
		w.(http.Flusher).Flush()
		return nil
	}
	chunk := func(delta map[string]any, finish any, usage any) {
		c, _ := json.Marshal(map[string]any{"id": "soak-1", "object": "chat.completion.chunk", "created": 1, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}, "usage": usage})
		fmt.Fprintf(bw, "data: %s\n\n", c)
	}
	chunk(map[string]any{"role": "assistant", "content": ""}, nil, nil)
	for i, tok := range fakeReply {
		if i > 0 {
			tok = " " + tok
		}
		chunk(map[string]any{"content": tok}, nil, nil)
		if f.gap > 0 {
			if flush() != nil {
				return
			}
			select {
			case <-time.After(f.gap):
			case <-r.Context().Done():
				return
			}
		}
	}
	chunk(map[string]any{}, "stop", nil)
	c, _ := json.Marshal(map[string]any{"id": "soak-1", "object": "chat.completion.chunk", "created": 1, "model": req.Model,
		"choices": []any{}, "usage": map[string]any{"prompt_tokens": 100, "completion_tokens": len(fakeReply), "total_tokens": 100 + len(fakeReply)}})
	fmt.Fprintf(bw, "data: %s\n\n", c)
	fmt.Fprint(bw, "data: [DONE]\n\n")
	_ = flush()
}
