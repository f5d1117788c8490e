package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// reviewE2ELog is a log of several review pages: 10.0.0.5 on every line and 40 distinct e-mail
// addresses.
func reviewE2ELog(lines int) string {
	var b strings.Builder
	for i := range lines {
		fmt.Fprintf(&b, "2026-11-28T08:%02d:%02dZ INFO request from 10.0.0.5 for user%02d@example.com took %dms\n", i/60%60, i%60, i%40, i%900)
	}
	return b.String()
}

// cardOverflow is a script that lists the buttons and bars of the review page that reach past
// the card (or bar) they are in.
const cardOverflow = `[...document.querySelectorAll("#log-review button, #log-review .decide-buttons, #log-review .value-pager")].filter(el => {
	const card = el.parentElement.closest(".card, .apply-bar");
	if (!card || el.offsetParent === null) return false;
	const a = el.getBoundingClientRect(), c = card.getBoundingClientRect();
	return a.right > c.right + 0.5 || a.left < c.left - 0.5;
}).map(el => (el.dataset.testid || el.className) + " in " + el.parentElement.closest(".card, .apply-bar").className)`

// TestReviewByValueEndToEnd uploads a log of several pages and a second one, keeps one value
// everywhere from the value list, redacts a type, applies, and follows "Next unreviewed log",
// checking at 1280 and 390 px that the apply bar stays in view and nothing leaves its card.
func TestReviewByValueEndToEnd(t *testing.T) {
	p := startPortal(t)
	ctx := newBrowser(t)
	dir := t.TempDir()
	shots := os.Getenv("TFTSR_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}
	shoot := func(name string) {
		t.Helper()
		shot := mustRun(t, ctx, "taking the screenshot "+name, chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(shots, name), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bigPath, nextPath := filepath.Join(dir, "gateway.log"), filepath.Join(dir, "worker.log")
	if err := os.WriteFile(bigPath, []byte(reviewE2ELog(3000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(nextPath, []byte("2026-11-28T08:00:00Z WARN worker lost 198.51.100.7\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	p.signIn(t, ctx, "/issues/new", "#issue-title", viewport(1280, 900))
	mustDo(t, ctx, "create an incident",
		sendKeys("#issue-title", "Gateway timeouts"),
		click("#issue-save"),
		waitVisible("[data-testid=issue-title]"),
		click(`[role=tab][data-tab="logs"]`),
		waitVisible("#log-drop"),
	)
	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "upload the logs", uploadFiles("#log-file", bigPath, nextPath))
	waitFor(t, ctx, "both logs in the list", `document.querySelectorAll("#log-list [data-testid=log-row]").length === 2`)
	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "open the review of gateway.log",
		js(`[...document.querySelectorAll("#log-list [data-testid=log-row]")].find(r => r.textContent.includes("gateway.log")).querySelector("[data-testid=log-review-link]").click()`),
		waitVisible("[data-testid=apply-bar]"),
	)
	if got := mustText(t, ctx, "[data-testid=value-group][data-pii-type=IPv4] h2"); got != "IPv4 address" {
		t.Errorf("IPv4 group named %q", got)
	}
	if got := mustText(t, ctx, "[data-testid=apply-counts]"); !strings.HasPrefix(got, "0 to redact · 0 kept · 6,000 undecided") {
		t.Errorf("apply bar %q", got)
	}
	shoot("review-values-1280.png")

	// Keep 10.0.0.5: all 3,000 occurrences, on every page of the text.
	keep := `[...document.querySelectorAll("[data-testid=value-row]")].find(r => r.querySelector("[data-testid=value-text]").textContent === "10.0.0.5").querySelector("[data-testid=value-keep]")`
	mustDo(t, ctx, "keep 10.0.0.5 everywhere", js(keep+`.setAttribute("id", "keep-ip")`), click("#keep-ip"))
	waitFor(t, ctx, "10.0.0.5 kept", `document.querySelector("[data-testid=count-kept]").textContent === "3,000"`)
	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "redact every e-mail address", click("[data-testid=type-redact-Email]"))
	waitFor(t, ctx, "the e-mail addresses redacted", `document.querySelector("[data-testid=count-redact]").textContent === "3,000"`)
	waitHTMXIdle(t, ctx)
	if got := mustText(t, ctx, "[data-testid=apply-counts]"); got != "3,000 to redact · 3,000 kept · 0 undecided" {
		t.Errorf("apply bar %q", got)
	}

	// The apply bar stays in view while scrolling, and nothing leaves its card.
	for _, width := range []int64{1280, 390} {
		mustDo(t, ctx, fmt.Sprintf("a %d px window", width), viewport(width, 844), js(`window.scrollTo(0, document.body.scrollHeight / 2)`))
		if !mustEval[bool](t, ctx, "the apply bar in view", `(() => { const r = document.querySelector("[data-testid=apply-bar]").getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight + 1 })()`) {
			t.Errorf("at %d px the apply bar is out of view while scrolling", width)
		}
		if out := mustEval[[]string](t, ctx, "elements out of their cards", cardOverflow); len(out) != 0 {
			t.Errorf("at %d px these leave their card: %v", width, out)
		}
		shoot(fmt.Sprintf("review-values-%d-scrolled.png", width))
	}
	// The text view, with its per-type buttons, at 390 px too.
	mustDo(t, ctx, "open the text view", click("[data-testid=tab-text]"), waitVisible("[data-testid=log-text]"))
	if out := mustEval[[]string](t, ctx, "elements out of their cards", cardOverflow); len(out) != 0 {
		t.Errorf("text view at 390 px: these leave their card: %v", out)
	}
	shoot("review-text-390.png")
	mustDo(t, ctx, "back to the values at 1280 px", viewport(1280, 900), click("[data-testid=tab-values]"), waitVisible("[data-testid=value-row]"))

	// Apply, then go on to the next log waiting for review.
	mustDo(t, ctx, "apply the redactions", js(`window.confirm = () => true`), click("#apply-redactions"))
	waitFor(t, ctx, "the redacted notice", `!!document.querySelector("[data-testid=redacted-notice]")`)
	waitHTMXIdle(t, ctx)
	text := mustText(t, ctx, "[data-testid=log-text]")
	if strings.Contains(text, "@example.com") || !strings.Contains(text, "10.0.0.5") || !strings.Contains(text, "[Email]") {
		t.Errorf("reviewed text %.200q", text)
	}
	shoot("review-applied-1280.png")
	mustDo(t, ctx, "follow Next unreviewed log", click("[data-testid=next-unreviewed]"), waitVisible("[data-testid=apply-bar]"))
	if got := mustText(t, ctx, "[data-testid=log-title]"); got != "worker.log" {
		t.Errorf("next log %q, want worker.log", got)
	}
	mustDo(t, ctx, "a 390 px window", viewport(390, 844))
	shoot("review-next-390.png")
}
