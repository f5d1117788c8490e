package main

import (
	"os"
	"path/filepath"
	"strings"
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
	fake := newFakeOpenAI(t, func(s *openAIStream, _ int) {
		s.text("**Summary:** the payment gateway refused the key. ")
		if !s.hold(release) {
			return
		}
		s.text("\n\nProposed Why 1: the gateway key was revoked (evidence: app.log:4)")
		s.done()
	})

	p := startPortal(t)
	token := p.apiToken(t)
	p.useOpenAI(t, token, "local-fake", fake.URL, nil)
	issue := p.createIssue(t, token, `{"title":"Checkout payments fail","severity":"high","category":"application"}`)
	logPath := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(logPath, []byte(analysisE2ELog), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t)
	p.signIn(t, ctx, "/issues/"+issue+"/logs", "#log-drop", viewport(1280, 1500))
	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "upload the log", uploadFiles("#log-file", logPath))
	waitFor(t, ctx, "the analyze form", `!!document.querySelector("#analyze-form [data-testid=analyze-log]:checked")`)
	waitHTMXIdle(t, ctx)

	// The analysis goes to the Chat tab, where the reply streams.
	mustDo(t, ctx, "analyze", click("#analyze-submit"), waitVisible(`#issue-panel[data-tab="chat"]`))
	if got := mustEval[string](t, ctx, "reading the URL", `location.pathname`); got != "/issues/"+issue+"/chat" {
		t.Errorf("after the analysis the page is at %q, want the Chat tab", got)
	}
	waitFor(t, ctx, "the analysis card", `!!document.querySelector("#chat-log [data-testid=chat-analysis]")`)
	waitFor(t, ctx, "the first token", `(document.querySelector("#chat-log [data-testid=chat-stream]") || {textContent: ""}).textContent.trim() === "Summary: the payment gateway refused the key."`)
	close(release)
	waitFor(t, ctx, "the finished reply", `!!document.querySelector("#chat-log [data-testid=chat-assistant][data-status=complete] strong")`)
	if got := mustText(t, ctx, "#chat-log [data-testid=chat-assistant][data-status=complete] strong"); got != "Summary:" {
		t.Errorf("reply Markdown: strong %q", got)
	}

	summary := mustText(t, ctx, "#chat-log [data-testid=analysis-summary]")
	if !strings.Contains(summary, "Log analysis: app.log — ") || !strings.Contains(summary, "KB sent") || !strings.Contains(summary, "redacted: ") || !strings.Contains(summary, "Email") {
		t.Errorf("card summary %q", summary)
	}
	mustDo(t, ctx, "open the sent text", click("#chat-log [data-testid=chat-analysis] summary"))
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
			mustDo(t, ctx, "open the "+shot.id+" tab", openTab(shot.id))
			png := mustRun(t, ctx, "taking a screenshot of #"+shot.id, chromedp.Screenshot(chromedp.CSS("#"+shot.id)))
			_ = os.WriteFile(filepath.Join(d, shot.name), png, 0o644)
		}
	}
	bodies := fake.requests()
	if len(bodies) != 1 || !strings.Contains(bodies[0], `"role":"system"`) || !strings.Contains(bodies[0], "app.log:4: ") {
		t.Fatalf("provider requests: %q", bodies)
	}
	for _, s := range secrets {
		if strings.Contains(bodies[0], s) {
			t.Errorf("the provider got %q", s)
		}
	}
}
