package main

import (
	"strings"
	"testing"
)

// TestChatEndToEnd drives the triage chat in Chromium against the real OpenAI-compatible adapter
// and a fake provider on loopback: a typed e-mail address is redacted in the bubble and never
// reaches the provider, the reply arrives token by token (the test holds the stream half way to
// see it), ends as Markdown with its why level, and the history survives a reload.
func TestChatEndToEnd(t *testing.T) {
	release := make(chan struct{})
	fake := newFakeOpenAI(t, func(s *openAIStream, _ int) {
		s.text("Why 2: why did the **disk** fill? ")
		if !s.hold(release) {
			return
		}
		s.text("Because log rotation was off.\n\nRoot cause: log rotation was disabled by the last deploy.")
		s.done()
	})

	p := startPortal(t)
	token := p.apiToken(t)
	p.useOpenAI(t, token, "local-fake", fake.URL, nil)
	issue := p.createIssue(t, token, `{"title":"Disk full on mail01","severity":"high","category":"linux"}`)

	ctx := newBrowser(t)
	p.signIn(t, ctx, "/issues/"+issue+"/chat", "#chat-message")
	mustDo(t, ctx, "send a message",
		sendKeys("#chat-message", "mail01 is full, contact ops.lead@example.com"),
		click("#chat-send"),
		waitVisible("[data-testid=chat-user]"),
	)
	// The reply is rendered as Markdown while it is written.
	waitFor(t, ctx, "the first token", `(document.querySelector("[data-testid=chat-stream] strong") || {}).textContent === "disk"`)
	if got := mustText(t, ctx, "[data-testid=chat-stream]"); got != "Why 2: why did the disk fill?" {
		t.Errorf("streaming text %q", got)
	}
	if got := mustText(t, ctx, "[data-testid=chat-user] .chat-text"); strings.Contains(got, "ops.lead@example.com") {
		t.Errorf("user bubble shows the e-mail address: %q", got)
	}
	if got := mustText(t, ctx, "[data-testid=chat-redacted]"); !strings.Contains(got, "Email") {
		t.Errorf("redaction note %q", got)
	}
	// A message being typed meanwhile is not lost when the reply's changes come in.
	mustDo(t, ctx, "start typing the next message", sendKeys("#chat-message", "draft: rotation cron missing"))
	close(release)
	waitFor(t, ctx, "the finished reply", `!!document.querySelector("[data-testid=chat-assistant][data-status=complete] strong")`)
	if got := mustText(t, ctx, "[data-testid=chat-assistant] strong"); got != "disk" {
		t.Errorf("reply Markdown: strong %q", got)
	}

	// What the reply changed shows without a reload: the status in the header and the chat's
	// count in the tab bar; the why level and the timeline on their tabs.
	waitFor(t, ctx, "the status to follow", `(document.querySelector("[data-testid=issue-status]") || {}).textContent === "Triaging"`)
	waitFor(t, ctx, "the chat's count to follow", `(document.querySelector("[data-testid=tab-count-chat]") || {}).textContent === "2"`)
	if got := mustEval[string](t, ctx, "reading the message", `document.querySelector("#chat-message").value`); got != "draft: rotation cron missing" {
		t.Errorf("the message being typed = %q", got)
	}
	mustDo(t, ctx, "open the 5-Whys", openTab("five-whys"))
	if got := mustText(t, ctx, "[data-testid=why-level]"); got != "Why level 2 of 5" {
		t.Errorf("why level %q, want 2 of 5", got)
	}
	mustDo(t, ctx, "open the timeline", openTab("timeline"))
	events := mustEval[[]string](t, ctx, "reading the timeline",
		`[...document.querySelectorAll("[data-testid=timeline] li")].map(li => li.dataset.eventType)`)
	if !contains(events, "triage_started") || !contains(events, "why_level_advanced") || !contains(events, "root_cause_identified") {
		t.Errorf("timeline %v", events)
	}
	mustDo(t, ctx, "back to the chat", openTab("chat"))

	mustDo(t, ctx, "reload", reload(), waitVisible("[data-testid=chat-assistant][data-status=complete]"))
	log := mustText(t, ctx, "[data-testid=chat-log]")
	if i, j := strings.Index(log, "mail01 is full"), strings.Index(log, "Root cause"); i < 0 || j < i {
		t.Errorf("history after reload: %q", log)
	}
	// The first AI turn started the triage of the open incident.
	if got := mustEval[string](t, ctx, "reading the status", `document.querySelector("#status-select").selectedOptions[0].textContent`); got != "Triaging" {
		t.Errorf("status after the first chat turn: %q", got)
	}
	if bodies := fake.requests(); len(bodies) != 1 || strings.Contains(bodies[0], "ops.lead@example.com") || !strings.Contains(bodies[0], `"role":"system"`) {
		t.Errorf("provider requests: %q", fake.requests())
	}
}
