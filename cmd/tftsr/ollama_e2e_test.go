package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tftsr/ai/aitest"
)

// TestOllamaEndToEnd: an admin points the portal at an Ollama server (a fake on loopback), sees
// its version and models, pulls a model while the progress bar moves to 100%, and deletes a
// model after confirming.
func TestOllamaEndToEnd(t *testing.T) {
	fake := aitest.NewOllama(t, "llama3.2:3b", "phi3.5:3.8b")
	release := fake.Hold()
	defer release()
	p := startPortal(t)
	ctx := newBrowser(t)

	p.signIn(t, ctx, "/settings", "#ollama-settings-link")
	mustDo(t, ctx, "open the Ollama settings",
		click("#ollama-settings-link"),
		waitVisible("#ollama-url"),
	)
	// Before the URL is set the portal asks localhost:11434, where nothing answers here.
	if got := mustText(t, ctx, "[data-testid=ollama-status]"); !strings.Contains(got, "Not reachable") || !strings.Contains(got, "localhost:11434") {
		t.Errorf("status before the URL is set: %q", got)
	}

	mustDo(t, ctx, "set the Ollama URL",
		setValue("#ollama-url", fake.URL),
		click("#ollama-url-save"),
		waitVisible("[data-testid=ollama-version]"),
	)
	if got := mustText(t, ctx, "[data-testid=ollama-version]"); got != "0.6.2" {
		t.Errorf("version %q, want 0.6.2", got)
	}
	if got := mustText(t, ctx, "[data-testid=ollama-models]"); !strings.Contains(got, "llama3.2:3b") || !strings.Contains(got, "phi3.5:3.8b") || !strings.Contains(got, "1.9 GB") {
		t.Errorf("models table %q", got)
	}
	if got := mustText(t, ctx, "[data-testid=ollama-hardware]"); !strings.Contains(got, "portal host") || !strings.Contains(got, "Memory") {
		t.Errorf("hardware report %q", got)
	}

	// Pico's transitions made instant, so that the screenshot below shows the progress bar where
	// it ends: its transition runs in the bar's shadow tree, where the page cannot see it end.
	mustDo(t, ctx, "turn off Pico's transitions", js(`document.documentElement.style.setProperty("--pico-transition", "0s")`))
	mustDo(t, ctx, "start a pull",
		sendKeys("#ollama-pull-name", "llama3.2:1b"),
		click("#ollama-pull-submit"),
	)
	waitFor(t, ctx, "an intermediate progress value", `(() => {
		const b = document.getElementById("ollama-pull-progress");
		return !b.hidden && b.value > 0 && b.value < 100;
	})()`)
	if mid := mustEval[float64](t, ctx, "reading the progress bar", `document.getElementById("ollama-pull-progress").value`); mid != 25 {
		t.Errorf("progress while Ollama holds the stream: %v, want 25", mid)
	}
	release()
	waitFor(t, ctx, "the pull to finish", `(() => {
		const b = document.getElementById("ollama-pull-progress");
		return b.value === 100 && b.dataset.state === "done";
	})()`)
	if got := mustText(t, ctx, "#ollama-pull-info"); got != "Pulled llama3.2:1b." {
		t.Errorf("pull message %q", got)
	}
	waitFor(t, ctx, "the new model in the table", `!!document.querySelector("#ollama-models tr[data-model='llama3.2:1b']")`)
	waitFor(t, ctx, "the recommendation marked installed",
		`!!document.querySelector("#ollama-recommendations tr[data-model='llama3.2:1b'] [data-testid=installed]")`)
	waitHTMXIdle(t, ctx)

	if err := os.WriteFile("/tmp/tftsr-ollama.png", mustScreenshot(t, ctx), 0o644); err != nil {
		t.Errorf("saving the screenshot: %v", err)
	}

	mustDo(t, ctx, "delete a model after confirming",
		click("#ollama-models tr[data-model='phi3.5:3.8b'] [data-testid=ollama-delete]"),
		waitVisible("#confirm-delete"),
	)
	if got := mustText(t, ctx, "article.confirm"); !strings.Contains(got, "phi3.5:3.8b") {
		t.Errorf("confirmation %q", got)
	}
	if !fake.Installed("phi3.5:3.8b") {
		t.Fatal("the model was deleted before the confirmation")
	}
	mustDo(t, ctx, "confirm",
		click("#confirm-delete"),
		waitVisible("#ollama-url"),
	)
	if got := mustText(t, ctx, ".flash"); got != "Deleted phi3.5:3.8b." {
		t.Errorf("flash %q", got)
	}
	if got := mustText(t, ctx, "[data-testid=ollama-models]"); strings.Contains(got, "phi3.5:3.8b") || !strings.Contains(got, "llama3.2:1b") {
		t.Errorf("models after the delete: %q", got)
	}

	for _, want := range []string{"GET /api/version", "GET /api/tags", "POST /api/pull", "DELETE /api/delete"} {
		if !contains(fake.Requests(), want) {
			t.Errorf("the configured Ollama never got %s: %v", want, fake.Requests())
		}
	}
}

// mustScreenshot captures the page as a PNG in a viewport tall enough for all of it, so the
// sticky sidebar and header stay in place, once its CSS transitions (an htmx indicator fading
// out, say) have finished.
func mustScreenshot(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	mustDo(t, ctx, "resize for the screenshot", viewport(1280, 1900))
	waitFor(t, ctx, "the page's transitions to finish", `!document.getAnimations().some(a =>
		a.playState === "running" && a.effect && a.effect.getComputedTiming().iterations !== Infinity)`)
	return mustRun(t, ctx, "taking a screenshot", chromedp.CaptureScreenshot())
}
