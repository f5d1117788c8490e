package main

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestChatStopRetryEndToEnd stops a reply mid-stream in Chromium, sees the partial text kept and
// marked incomplete (also after a reload), retries it, changes the incident's severity while the
// retried reply streams — the page re-renders and follows the same reply instead of cutting it
// off or asking the provider again — and copies the finished reply.
func TestChatStopRetryEndToEnd(t *testing.T) {
	release := make(chan struct{})
	stopped := make(chan struct{}, 1)
	fake := newFakeOpenAI(t, func(s *openAIStream, n int) {
		if n == 1 {
			s.text("Checking the disk usage first")
			<-s.r.Context().Done() // until the portal hangs up: Stop
			stopped <- struct{}{}
			return
		}
		s.text("Why 1: the disk ")
		if !s.hold(release) {
			return
		}
		s.text("filled up with **core dumps**.")
		s.done()
	})

	p := startPortal(t)
	token := p.apiToken(t)
	p.useOpenAI(t, token, "local-fake", fake.URL, nil)
	issue := p.createIssue(t, token, `{"title":"Disk alarms on build02","severity":"medium","category":"linux"}`)

	ctx := newBrowser(t)
	p.signIn(t, ctx, "/issues/"+issue+"/chat", "#chat-message")
	// Shift+Enter adds a line; Enter sends.
	mustDo(t, ctx, "type a message and send it with Enter",
		sendKeys("#chat-message", "build02 keeps alarming"),
		act("press Shift+Enter", chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierShift))),
		sendKeys("#chat-message", "on /var"+kb.Enter),
	)
	waitFor(t, ctx, "the sent message", `(document.querySelector("[data-testid=chat-user] .chat-text") || {}).textContent === "build02 keeps alarming\non /var"`)
	waitFor(t, ctx, "the first token", `(document.querySelector("[data-testid=chat-stream]") || {textContent: ""}).textContent.trim() === "Checking the disk usage first"`)
	mustDo(t, ctx, "stop", click("[data-testid=chat-stop]"))
	waitFor(t, ctx, "the stopped reply", `!!document.querySelector("[data-testid=chat-assistant][data-status=incomplete] [data-testid=chat-retry]")`)
	<-stopped
	if got := mustText(t, ctx, "[data-testid=chat-assistant][data-status=incomplete]"); !strings.Contains(got, "Checking the disk usage first") || !strings.Contains(got, "Incomplete reply") {
		t.Errorf("stopped reply: %q", got)
	}
	mustDo(t, ctx, "reload", reload(), waitVisible("[data-testid=chat-assistant][data-status=incomplete] [data-testid=chat-retry]"))

	mustDo(t, ctx, "retry", click("[data-testid=chat-retry]"))
	waitFor(t, ctx, "the retried reply's first token", `(document.querySelector("[data-testid=chat-stream]") || {textContent: ""}).textContent.trim() === "Why 1: the disk"`)

	// A change elsewhere on the page re-renders the incident, chat included, while the reply streams.
	mustDo(t, ctx, "change the severity", js(`(() => {
		const sel = document.querySelector("#severity-select");
		sel.value = "critical";
		sel.dispatchEvent(new Event("change", {bubbles: true}));
	})()`))
	waitFor(t, ctx, "the re-rendered page", `(document.querySelector("[data-testid=issue-severity]") || {}).textContent === "Critical"`)
	waitFor(t, ctx, "the re-rendered bubble to follow the reply", `(document.querySelector("[data-testid=chat-stream]") || {textContent: ""}).textContent.trim() === "Why 1: the disk"`)
	close(release)
	waitFor(t, ctx, "the finished reply", `!!document.querySelector("[data-testid=chat-assistant][data-status=complete] strong")`)
	if got := mustText(t, ctx, "[data-testid=chat-assistant][data-status=complete]"); !strings.Contains(got, "the disk filled up with core dumps") {
		t.Errorf("finished reply: %q", got)
	}
	if n := len(fake.requests()); n != 2 {
		t.Errorf("the provider was asked %d times; want 2 (the stopped reply and its retry)", n)
	}
	if n := mustEval[int](t, ctx, "counting the reply bubbles", `document.querySelectorAll("[data-testid=chat-assistant]").length`); n != 1 {
		t.Errorf("reply bubbles: %d; the retry replaces the stopped reply in place", n)
	}

	mustDo(t, ctx, "copy the reply", click("[data-testid=chat-assistant][data-status=complete] [data-testid=chat-copy]"))
	waitFor(t, ctx, "the copy confirmation", `(document.querySelector("[data-testid=chat-copy]") || {}).dataset.copied === "true"`)
	if got := mustEval[string](t, ctx, "reading the copied text", `document.querySelector("[data-testid=chat-copy]").dataset.copy`); got != "Why 1: the disk filled up with **core dumps**." {
		t.Errorf("copied text %q: the reply's Markdown", got)
	}
	if shot, err := runStep(ctx, chromedp.CaptureScreenshot()); err == nil {
		_ = os.WriteFile(os.TempDir()+"/tftsr-chat.png", shot, 0o644)
	}
}
