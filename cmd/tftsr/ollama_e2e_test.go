package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// fakeOllamaE2E is an Ollama server on loopback speaking the real wire format: a version, a
// model list that pulls and deletes change, and a pull stream of NDJSON progress lines that
// pauses after its first layer line until the test lets it go on.
type fakeOllamaE2E struct {
	*httptest.Server
	mu       sync.Mutex
	models   map[string]bool
	requests []string
	release  chan struct{}
}

func newFakeOllamaE2E(t *testing.T) *fakeOllamaE2E {
	f := &fakeOllamaE2E{models: map[string]bool{"llama3.2:3b": true, "phi3.5:3.8b": true}, release: make(chan struct{})}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct{ Model string }
		_ = json.Unmarshal(body, &req)
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.Method + " " + r.URL.Path {
		case "GET /api/version":
			_, _ = io.WriteString(w, `{"version":"0.6.2"}`)
		case "GET /api/tags":
			f.mu.Lock()
			var names []string
			for n := range f.models {
				names = append(names, n)
			}
			f.mu.Unlock()
			sort.Strings(names)
			var items []string
			for _, n := range names {
				items = append(items, `{"name":"`+n+`","model":"`+n+`","modified_at":"2026-11-20T08:00:00Z","size":1321098329,"digest":"baf6a787fdff","details":{"parameter_size":"1.2B","quantization_level":"Q8_0"}}`)
			}
			_, _ = io.WriteString(w, `{"models":[`+strings.Join(items, ",")+`]}`)
		case "POST /api/pull":
			w.Header().Set("Content-Type", "application/x-ndjson")
			for i, l := range []string{
				`{"status":"pulling manifest"}`,
				`{"status":"pulling 74701a8c35f6","digest":"sha256:74701a8c35f6","total":1000,"completed":400}`,
				`{"status":"pulling 74701a8c35f6","digest":"sha256:74701a8c35f6","total":1000,"completed":1000}`,
				`{"status":"pulling 966de95ca8a6","digest":"sha256:966de95ca8a6","total":1000,"completed":1000}`,
				`{"status":"verifying sha256 digest"}`,
				`{"status":"writing manifest"}`,
				`{"status":"success"}`,
			} {
				_, _ = io.WriteString(w, l+"\n")
				w.(http.Flusher).Flush()
				if i == 1 {
					select {
					case <-f.release:
					case <-r.Context().Done():
						return
					}
				}
			}
			f.mu.Lock()
			f.models[req.Model] = true
			f.mu.Unlock()
		case "DELETE /api/delete":
			f.mu.Lock()
			ok := f.models[req.Model]
			delete(f.models, req.Model)
			f.mu.Unlock()
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				_, _ = io.WriteString(w, `{"error":"model '`+req.Model+`' not found"}`)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// TestOllamaEndToEnd: an admin points the portal at an Ollama server (a fake on loopback), sees
// its version and models, pulls a model while the progress bar moves to 100%, and deletes a
// model after confirming.
func TestOllamaEndToEnd(t *testing.T) {
	fake := newFakeOllamaE2E(t)
	p := startPortal(t)
	ctx := newBrowser(t)

	mustDo(t, ctx, "sign in and open the Ollama settings",
		chromedp.Navigate(p.URL+"/settings"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), p.AdminPassword),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#ollama-settings-link")),
		chromedp.Click(chromedp.CSS("#ollama-settings-link")),
		chromedp.WaitVisible(chromedp.CSS("#ollama-url")),
	)
	// Before the URL is set the portal asks localhost:11434, where nothing answers here.
	if got := mustText(t, ctx, "[data-testid=ollama-status]"); !strings.Contains(got, "Not reachable") || !strings.Contains(got, "localhost:11434") {
		t.Errorf("status before the URL is set: %q", got)
	}

	mustDo(t, ctx, "set the Ollama URL",
		chromedp.SetValue(chromedp.CSS("#ollama-url"), fake.URL),
		chromedp.Click(chromedp.CSS("#ollama-url-save")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=ollama-version]")),
	)
	if got := mustText(t, ctx, "[data-testid=ollama-version]"); got != "0.6.2" {
		t.Errorf("version %q, want 0.6.2", got)
	}
	if got := mustText(t, ctx, "[data-testid=ollama-models]"); !strings.Contains(got, "llama3.2:3b") || !strings.Contains(got, "phi3.5:3.8b") || !strings.Contains(got, "1.3 GB") {
		t.Errorf("models table %q", got)
	}
	if got := mustText(t, ctx, "[data-testid=ollama-hardware]"); !strings.Contains(got, "portal host") || !strings.Contains(got, "Memory") {
		t.Errorf("hardware report %q", got)
	}

	mustDo(t, ctx, "start a pull",
		chromedp.SendKeys(chromedp.CSS("#ollama-pull-name"), "llama3.2:1b"),
		chromedp.Click(chromedp.CSS("#ollama-pull-submit")),
	)
	waitFor(t, ctx, "an intermediate progress value", `(() => {
		const b = document.getElementById("ollama-pull-progress");
		return !b.hidden && b.value > 0 && b.value < 100;
	})()`)
	mid, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("ollama-pull-progress").value`))
	if err != nil || mid != 40 {
		t.Errorf("progress while Ollama holds the stream: %v %v, want 40", mid, err)
	}
	close(fake.release)
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
		chromedp.Click(chromedp.CSS("#ollama-models tr[data-model='phi3.5:3.8b'] [data-testid=ollama-delete]")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-delete")),
	)
	if got := mustText(t, ctx, "article.confirm"); !strings.Contains(got, "phi3.5:3.8b") {
		t.Errorf("confirmation %q", got)
	}
	fake.mu.Lock()
	stillThere := fake.models["phi3.5:3.8b"]
	fake.mu.Unlock()
	if !stillThere {
		t.Fatal("the model was deleted before the confirmation")
	}
	mustDo(t, ctx, "confirm",
		chromedp.Click(chromedp.CSS("#confirm-delete")),
		chromedp.WaitVisible(chromedp.CSS("#ollama-url")),
	)
	if got := mustText(t, ctx, ".flash"); got != "Deleted phi3.5:3.8b." {
		t.Errorf("flash %q", got)
	}
	if got := mustText(t, ctx, "[data-testid=ollama-models]"); strings.Contains(got, "phi3.5:3.8b") || !strings.Contains(got, "llama3.2:1b") {
		t.Errorf("models after the delete: %q", got)
	}

	fake.mu.Lock()
	defer fake.mu.Unlock()
	for _, want := range []string{"GET /api/version", "GET /api/tags", "POST /api/pull", "DELETE /api/delete"} {
		if !contains(fake.requests, want) {
			t.Errorf("the configured Ollama never got %s: %v", want, fake.requests)
		}
	}
}

// mustScreenshot captures the page as a PNG in a viewport tall enough for all of it, so the
// sticky sidebar and header stay in place.
func mustScreenshot(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	mustDo(t, ctx, "resize for the screenshot", chromedp.EmulateViewport(1280, 1900))
	// Let the page render frames for a moment, so CSS transitions (the progress bar's) finish.
	waitFor(t, ctx, "a few rendered frames", `(() => {
		window.shotWaitStart = window.shotWaitStart || performance.now();
		return performance.now() - window.shotWaitStart > 500;
	})()`)
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	return shot
}
