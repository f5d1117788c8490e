package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// analysisE2ELog is a log with secrets around a failure.
const analysisE2ELog = "2026-11-28T07:00:01Z INFO checkout started for carol.danvers@example.com\n" +
	"2026-11-28T07:00:02Z INFO request 1 served in 12ms\n" +
	"2026-11-28T07:00:03Z WARN retry with password=Tr0ub4dor&3xyz\n" +
	"2026-11-28T07:00:04Z ERROR payment gateway refused key AKIAIOSFODNN7EXAMPLE for carol.danvers@example.com\n" +
	"2026-11-28T07:00:05Z INFO request 2 served in 15ms\n"

// TestAnalyzeLogsEndToEnd uploads a log with secrets in Chromium, clicks "Analyze with AI" and
// watches the reply stream into the chat from the real OpenAI-compatible adapter and a fake
// provider on loopback; the analysis card shows the text that was sent, with redaction tokens
// and without the secrets, and the provider never got them either.
func TestAnalyzeLogsEndToEnd(t *testing.T) {
	secrets := []string{"carol.danvers@example.com", "Tr0ub4dor&3xyz", "AKIAIOSFODNN7EXAMPLE"}
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
		chunk("**Summary:** the payment gateway refused the key. ")
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		chunk("\n\nProposed Why 1: the gateway key was revoked (evidence: app.log:4)")
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(fake.Close)

	p := startPortal(t)
	token := p.apiToken(t)
	cfg, _ := json.Marshal(map[string]any{"kind": "openai", "base_url": fake.URL + "/v1", "model": "gpt-test", "api_key": "sk-test-analysis-0123456789"})
	p.apiCall(t, token, http.MethodPut, "/api/v1/ai/configs/local-fake", "application/json", strings.NewReader(string(cfg)), nil)
	var issue struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues", "application/json",
		strings.NewReader(`{"title":"Checkout payments fail","severity":"high","category":"application"}`), &issue)
	logPath := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(logPath, []byte(analysisE2ELog), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t)
	mustDo(t, ctx, "sign in and open the incident",
		chromedp.EmulateViewport(1280, 1500),
		chromedp.Navigate(p.URL+"/issues/"+issue.ID),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), p.AdminPassword),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#log-drop")),
	)
	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "upload the log", chromedp.SetUploadFiles(chromedp.CSS("#log-file"), []string{logPath}))
	waitFor(t, ctx, "the analyze form", `!!document.querySelector("#analyze-form [data-testid=analyze-log]:checked")`)
	waitHTMXIdle(t, ctx)

	mustDo(t, ctx, "analyze", chromedp.Click(chromedp.CSS("#analyze-submit")))
	waitFor(t, ctx, "the analysis card", `!!document.querySelector("#chat-log [data-testid=chat-analysis]")`)
	waitFor(t, ctx, "the first token", `(document.querySelector("#chat-log [data-testid=chat-stream]") || {}).textContent === "**Summary:** the payment gateway refused the key. "`)
	close(release)
	waitFor(t, ctx, "the finished reply", `!!document.querySelector("#chat-log [data-testid=chat-assistant][data-status=complete] strong")`)
	if got := mustText(t, ctx, "#chat-log [data-testid=chat-assistant][data-status=complete] strong"); got != "Summary:" {
		t.Errorf("reply Markdown: strong %q", got)
	}

	summary := mustText(t, ctx, "#chat-log [data-testid=analysis-summary]")
	if !strings.Contains(summary, "Log analysis: app.log — ") || !strings.Contains(summary, "KB sent") || !strings.Contains(summary, "redacted: ") || !strings.Contains(summary, "Email") {
		t.Errorf("card summary %q", summary)
	}
	mustDo(t, ctx, "open the sent text", chromedp.Click(chromedp.CSS("#chat-log [data-testid=chat-analysis] summary")))
	sent := mustText(t, ctx, "#chat-log [data-testid=analysis-sent]")
	if !strings.Contains(sent, "[Email]") || !strings.Contains(sent, "[Password]") || !strings.Contains(sent, "app.log:4: ") || !strings.Contains(sent, "Log digest:") {
		t.Errorf("sent text:\n%s", sent)
	}
	for _, s := range secrets {
		if strings.Contains(sent, s) || strings.Contains(summary, s) {
			t.Errorf("the card shows %q", s)
		}
	}
	if d := os.Getenv("TFTSR_SCREENSHOT_DIR"); d != "" {
		for _, shot := range []struct{ name, id string }{{"analysis-chat.png", "chat"}, {"analysis-form.png", "logs"}} {
			png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#"+shot.id)))
			if err != nil {
				t.Fatal(err)
			}
			_ = os.WriteFile(filepath.Join(d, shot.name), png, 0o644)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 || !strings.Contains(bodies[0], `"role":"system"`) || !strings.Contains(bodies[0], "app.log:4: ") {
		t.Fatalf("provider requests: %q", bodies)
	}
	for _, s := range secrets {
		if strings.Contains(bodies[0], s) {
			t.Errorf("the provider got %q", s)
		}
	}
}
