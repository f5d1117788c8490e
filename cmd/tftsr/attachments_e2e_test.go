package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// apiToken makes a personal access token for the portal's first admin with the CLI.
func (p *portal) apiToken(t testing.TB) string {
	t.Helper()
	out, err := runCLI(t, p.env, "", "token", "create", "--username", "admin", "--name", "e2e")
	if err != nil {
		t.Fatalf("token create: %v %s", err, out)
	}
	return strings.TrimSpace(out)
}

// apiCall sends a request to the portal's API and decodes the JSON answer into out.
func (p *portal) apiCall(t testing.TB, token, method, path, contentType string, body io.Reader, out any) {
	t.Helper()
	req, err := http.NewRequest(method, p.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// TestAttachmentsTabEndToEnd checks the History page's Attachments tab in Chromium: logs and
// images of several incidents, a search by log content, a log's View dialog with redacted text,
// and image thumbnails that load only once they are scrolled into view.
func TestAttachmentsTabEndToEnd(t *testing.T) {
	p := startPortal(t)
	token := p.apiToken(t)

	var issue struct {
		ID string `json:"id"`
	}
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues", "application/json",
		strings.NewReader(`{"title": "Payment gateway resets", "severity": "high"}`), &issue)
	for i := range 12 {
		body, _ := json.Marshal(map[string]string{
			"file_name": fmt.Sprintf("gateway-%02d.log", i),
			"content":   fmt.Sprintf("2026-11-28T07:%02d:00Z ERROR upstream reset by peer, on-call ops.lead@example.com (quokkaflux %d)\n", i, i),
		})
		p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue.ID+"/logs", "application/json", bytes.NewReader(body), nil)
	}
	// The screenshot goes up the way a responder adds one: pasted onto the incident page.
	ctx := newBrowser(t)
	p.signIn(t, ctx, "/issues/"+issue.ID+"/images", "#image-drop", viewport(1280, 700))
	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "acknowledge the image warning", click("#image-ack"))
	mustEval[bool](t, ctx, "pasting the image", pasteImageJS+" pasteTestImage()", chromedp.EvalAwaitPromise)
	waitFor(t, ctx, "the pasted image's thumbnail", `document.querySelectorAll("[data-testid=image-thumb]").length === 1`)

	mustDo(t, ctx, "open the Attachments tab",
		navigate(p.URL+"/history/attachments"),
		waitVisible("[data-testid=attachment-logs]"),
	)
	if rows := mustEval[int](t, ctx, "counting the log rows", `document.querySelectorAll("[data-testid=attachment-logs] tbody tr").length`); rows != 12 {
		t.Errorf("log rows: %d, want 12", rows)
	}

	// The image row is below the fold: its thumbnail must not have loaded yet.
	thumbState := `(() => { const i = document.querySelector("[data-testid=attachment-thumb]");
		return {src: i.getAttribute("src") || "", loaded: i.complete && i.naturalWidth > 0, top: i.getBoundingClientRect().top}; })()`
	type state struct {
		Src    string  `json:"src"`
		Loaded bool    `json:"loaded"`
		Top    float64 `json:"top"`
	}
	before := mustEval[state](t, ctx, "reading the thumbnail", thumbState)
	if before.Top < 700 {
		t.Fatalf("the thumbnail is in view (top %.0f) before scrolling; the test needs it below the fold", before.Top)
	}
	if before.Src != "" || before.Loaded {
		t.Errorf("thumbnail below the fold already loading: %+v", before)
	}
	mustDo(t, ctx, "scroll to the images",
		scrollTo("[data-testid=attachment-thumb]"))
	waitFor(t, ctx, "the thumbnail to load after scrolling",
		`(() => { const i = document.querySelector("[data-testid=attachment-thumb]"); return !!i.getAttribute("src") && i.complete && i.naturalWidth > 0; })()`)

	mustDo(t, ctx, "view the image full size",
		click("[data-testid=attachment-image-view]"),
		waitVisible("#image-dialog-img"),
	)
	waitFor(t, ctx, "the full-size image", `(() => { const i = document.getElementById("image-dialog-img"); return i.complete && i.naturalWidth === 640; })()`)
	if got := mustText(t, ctx, "[data-testid=attachment-images] tbody td:nth-child(2)"); !strings.HasPrefix(got, "pasted-image-") || !strings.Contains(got, "paste") {
		t.Errorf("image row %q, want a pasted-image name with the paste badge", got)
	}
	mustDo(t, ctx, "close the image", click(".image-dialog-close"))
	waitFor(t, ctx, "the image dialog to close", `!document.getElementById("image-dialog").open`)

	mustDo(t, ctx, "search log content",
		scrollTo("#attachment-search"),
		sendKeys("#attachment-search", "quokkaflux 7"),
	)
	waitFor(t, ctx, "the search to narrow the logs",
		`document.querySelectorAll("[data-testid=attachment-logs] tbody tr").length === 1`)
	if got := mustText(t, ctx, "[data-testid=attachment-logs] tbody tr td a"); got != "gateway-07.log" {
		t.Errorf("search result %q, want gateway-07.log", got)
	}
	if loc := mustRun(t, ctx, "reading the location", chromedp.Location()); !strings.Contains(loc, "q=quokkaflux") {
		t.Errorf("search not reflected in the URL: %s", loc)
	}

	// The row came in with the search's swap; click waits until htmx has settled it, or the
	// click would land on a button without its hx-get yet and nothing would open.
	mustDo(t, ctx, "view the log",
		click("[data-testid=attachment-log-view]"),
		waitVisible("[data-testid=log-dialog-text]"),
	)
	text := mustText(t, ctx, "[data-testid=log-dialog-text]")
	if strings.Contains(text, "ops.lead@example.com") || !strings.Contains(text, "[Email]") {
		t.Errorf("log dialog shows %q: want the email replaced by [Email]", text)
	}

	mustDo(t, ctx, "resize for the screenshot", viewport(1280, 900))
	shot := mustRun(t, ctx, "taking a screenshot", chromedp.CaptureScreenshot())
	_ = os.WriteFile(filepath.Join(t.TempDir(), "attachments.png"), shot, 0o644)
	if dir := os.Getenv("TFTSR_SCREENSHOT_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "attachments.png"), shot, 0o644)
	}
}
