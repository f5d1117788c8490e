package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// flushRecorder records a response and what was written between flushes: each chunk is what one
// flush sent to the client.
type flushRecorder struct {
	*httptest.ResponseRecorder
	mu     sync.Mutex
	sent   int
	chunks []string
}

func newFlushRecorder() *flushRecorder {
	return &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
}

func (r *flushRecorder) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	body := r.Body.String()
	r.chunks = append(r.chunks, body[r.sent:])
	r.sent = len(body)
}

// flushed returns the chunks flushed so far.
func (r *flushRecorder) flushed() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.chunks)
}

func TestSSEWriterWire(t *testing.T) {
	rec := newFlushRecorder()
	w := newSSEWriter(context.Background(), rec)

	if rec.Code != http.StatusOK {
		t.Errorf("status %d", rec.Code)
	}
	for name, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := rec.Header().Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}

	steps := []struct {
		write func() error
		wire  string
	}{
		{func() error { return w.event("token", "<p>one line</p>") }, "event: token\ndata: <p>one line</p>\n\n"},
		{func() error { return w.event("token", "a\nb\r\nc\rd") }, "event: token\ndata: a\ndata: b\ndata: c\ndata: d\n\n"},
		{func() error { return w.event("token", "ends with a break\n") }, "event: token\ndata: ends with a break\ndata: \n\n"},
		{func() error { return w.event("done", "") }, "event: done\ndata: \n\n"},
		{func() error { return w.event("token", " leading space") }, "event: token\ndata:  leading space\n\n"},
		{func() error { return w.eventJSON("token", "two\nlines & <b>") }, "event: token\ndata: \"two\\nlines \\u0026 \\u003cb\\u003e\"\n\n"},
		{func() error {
			return w.eventJSON("error", apiError{apiErrorBody{Code: "unavailable", Message: "down"}})
		}, "event: error\ndata: {\"error\":{\"code\":\"unavailable\",\"message\":\"down\"}}\n\n"},
		{func() error { return w.comment("ping") }, ": ping\n\n"},
		{func() error { return w.comment("two\nlines") }, ": two\n: lines\n\n"},
	}
	want := []string{""} // the headers, flushed at once
	for _, s := range steps {
		if err := s.write(); err != nil {
			t.Fatalf("write %q: %v", s.wire, err)
		}
		want = append(want, s.wire)
	}
	// One flush per event, each flush exactly one event.
	if got := rec.flushed(); !slices.Equal(got, want) {
		t.Errorf("flushed\n%q\nwant\n%q", got, want)
	}
	if got := rec.Body.String(); got != strings.Join(want, "") {
		t.Errorf("body %q", got)
	}
}

func TestSSEWriterStopsWhenTheClientLeaves(t *testing.T) {
	rec := newFlushRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	w := newSSEWriter(ctx, rec)
	if err := w.event("token", "x"); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := w.event("token", "y"); !errors.Is(err, context.Canceled) {
		t.Errorf("event after cancel: %v", err)
	}
	if err := w.comment("ping"); !errors.Is(err, context.Canceled) {
		t.Errorf("comment after cancel: %v", err)
	}
	if got := rec.Body.String(); got != "event: token\ndata: x\n\n" {
		t.Errorf("body %q", got)
	}
}

func TestSSEWriterHeartbeat(t *testing.T) {
	rec := newFlushRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := newSSEWriter(ctx, rec)
	stop := w.heartbeat(time.Millisecond)
	// Events go out between pings, each whole.
	for range 20 {
		if err := w.event("token", "a\nb"); err != nil {
			t.Fatal(err)
		}
	}
	for len(rec.flushed()) < 1+20+2 {
		time.Sleep(time.Millisecond)
	}
	stop()
	stop() // stopping twice is harmless
	after := len(rec.flushed())
	time.Sleep(5 * time.Millisecond)
	chunks := rec.flushed()
	if len(chunks) != after {
		t.Errorf("%d writes after stop", len(chunks)-after)
	}
	pings, events := 0, 0
	for _, c := range chunks[1:] {
		switch c {
		case ": ping\n\n":
			pings++
		case "event: token\ndata: a\ndata: b\n\n":
			events++
		default:
			t.Errorf("torn or unknown frame %q", c)
		}
	}
	if pings < 2 || events != 20 {
		t.Errorf("%d pings and %d events", pings, events)
	}

	// A heartbeat ends by itself when the client leaves.
	stop = w.heartbeat(time.Millisecond)
	cancel()
	ended := make(chan struct{})
	go func() { stop(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the heartbeat did not stop after the client left")
	}
	n := len(rec.flushed())
	time.Sleep(5 * time.Millisecond)
	if got := rec.flushed(); len(got) != n {
		t.Errorf("writes after the client left: %q", got[n:])
	}
}
