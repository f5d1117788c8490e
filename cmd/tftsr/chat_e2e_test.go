package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestChatEndToEnd drives the triage chat in Chromium against the real OpenAI-compatible adapter
// and a fake provider on loopback: a typed e-mail address is redacted in the bubble and never
// reaches the provider, the reply arrives token by token (the test holds the stream half way to
// see it), ends as Markdown with its why level, and the history survives a reload.
func TestChatEndToEnd(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var bodies []string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := r.Body.Read(buf)
			body.Write(buf[:n])
			if err != nil {
				break
			}
		}
		mu.Lock()
		bodies = append(bodies, body.String())
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		chunk := func(s string) {
			b, _ := json.Marshal(s)
			fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%s},\"finish_reason\":null}]}\n\n", b)
			w.(http.Flusher).Flush()
		}
		chunk("Why 2: why did the **disk** fill? ")
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		chunk("Because log rotation was off.\n\nRoot cause: log rotation was disabled by the last deploy.")
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(fake.Close)

	p := startPortal(t)
	token := p.apiToken(t)
	cfg, _ := json.Marshal(map[string]any{"kind": "openai", "base_url": fake.URL + "/v1", "model": "gpt-test", "api_key": "sk-test-chat-0123456789"})
	p.apiCall(t, token, http.MethodPut, "/api/v1/ai/configs/local-fake", "application/json", strings.NewReader(string(cfg)), nil)
	var issue struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues", "application/json",
		strings.NewReader(`{"title":"Disk full on mail01","severity":"high","category":"linux"}`), &issue)

	ctx := newBrowser(t)
	mustDo(t, ctx, "sign in and open the incident",
		chromedp.Navigate(p.URL+"/issues/"+issue.ID),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), p.AdminPassword),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#chat-message")),
	)
	mustDo(t, ctx, "send a message",
		chromedp.SendKeys(chromedp.CSS("#chat-message"), "mail01 is full, contact ops.lead@example.com"),
		chromedp.Click(chromedp.CSS("#chat-send")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=chat-user]")),
	)
	waitFor(t, ctx, "the first token", `(document.querySelector("[data-testid=chat-stream]") || {}).textContent === "Why 2: why did the **disk** fill? "`)
	if got := mustText(t, ctx, "[data-testid=chat-user] .chat-text"); strings.Contains(got, "ops.lead@example.com") {
		t.Errorf("user bubble shows the e-mail address: %q", got)
	}
	if got := mustText(t, ctx, "[data-testid=chat-redacted]"); !strings.Contains(got, "Email") {
		t.Errorf("redaction note %q", got)
	}
	close(release)
	waitFor(t, ctx, "the finished reply", `!!document.querySelector("[data-testid=chat-assistant][data-status=complete] strong")`)
	if got := mustText(t, ctx, "[data-testid=chat-assistant] strong"); got != "disk" {
		t.Errorf("reply Markdown: strong %q", got)
	}

	mustDo(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("[data-testid=chat-assistant][data-status=complete]")))
	log := mustText(t, ctx, "[data-testid=chat-log]")
	if i, j := strings.Index(log, "mail01 is full"), strings.Index(log, "Root cause"); i < 0 || j < i {
		t.Errorf("history after reload: %q", log)
	}
	events, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("[data-testid=timeline] li")].map(li => li.dataset.eventType)`))
	if err != nil {
		t.Fatal(err)
	}
	if !contains(events, "why_level_advanced") || !contains(events, "root_cause_identified") {
		t.Errorf("timeline %v", events)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 || strings.Contains(bodies[0], "ops.lead@example.com") || !strings.Contains(bodies[0], `"role":"system"`) {
		t.Errorf("provider requests: %q", bodies)
	}
}
