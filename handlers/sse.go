package handlers

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// sseHeartbeat is how often an idle event stream gets a comment, so proxies keep it open.
const sseHeartbeat = 15 * time.Second

// sseContentType is the media type of an event stream, in responses and in Accept.
const sseContentType = "text/event-stream"

// wantsSSE reports whether a request asks for its answer as an event stream.
func wantsSSE(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), sseContentType)
}

// sseWriter writes server-sent events: every event and comment is one write followed by a flush,
// under a mutex so that the heartbeat can share the stream. Once the request's context is done
// (the client left) it writes nothing more and returns the context's error.
//
// On the wire an event is "event: <name>\n", one "data: <line>\n" per line of its data (a line
// ends at LF, CRLF or a lone CR, as the client splits it), and an empty line; a comment is
// ": <line>\n" per line and an empty line.
type sseWriter struct {
	ctx context.Context
	mu  sync.Mutex
	w   io.Writer
	rc  *http.ResponseController
}

// startSSE sends the event-stream headers and returns the writer of c's response. The write
// deadline is cleared so that a long stream is not cut by a server timeout.
func startSSE(c echo.Context) *sseWriter {
	return newSSEWriter(c.Request().Context(), c.Response())
}

// newSSEWriter sends the event-stream headers on w and returns its writer, which stops when ctx
// is done.
func newSSEWriter(ctx context.Context, w http.ResponseWriter) *sseWriter {
	h := w.Header()
	h.Set(echo.HeaderContentType, sseContentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	_ = rc.Flush()
	return &sseWriter{ctx: ctx, w: w, rc: rc}
}

// event writes an event named name whose data is data.
func (w *sseWriter) event(name, data string) error {
	var b strings.Builder
	b.WriteString("event: " + name + "\n")
	for _, line := range sseLines(data) {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	return w.write(b.String())
}

// eventJSON writes an event named name whose data is v as JSON.
func (w *sseWriter) eventJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.event(name, string(b))
}

// comment writes a comment, which clients ignore.
func (w *sseWriter) comment(text string) error {
	var b strings.Builder
	for _, line := range sseLines(text) {
		b.WriteString(": " + line + "\n")
	}
	b.WriteString("\n")
	return w.write(b.String())
}

// heartbeat writes the comment "ping" every interval until stop is called, the request's
// context is done or a write fails. stop returns once the heartbeat has stopped writing.
func (w *sseWriter) heartbeat(interval time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-w.ctx.Done():
				return
			case <-t.C:
				if w.comment("ping") != nil {
					return
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

// write writes s and flushes it, unless the request's context is done.
func (w *sseWriter) write(s string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if _, err := io.WriteString(w.w, s); err != nil {
		return err
	}
	return w.rc.Flush()
}

// sseLines splits text into the lines of data: or comment lines. LF, CRLF and a lone CR all end
// a line, so that no line holds a character that would end it on the wire.
func sseLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}
