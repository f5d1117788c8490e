package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDocumentsEndToEnd generates a post-mortem from an incident with whys in Chromium, edits it
// in the editor while the preview follows, saves it, meets a conflict with someone else's save
// without losing the text, and downloads the Markdown and the PDF with the browser's session.
func TestDocumentsEndToEnd(t *testing.T) {
	p := startPortal(t)
	token := p.apiToken(t)
	var issue struct {
		ID string `json:"id"`
	}
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues", "application/json",
		strings.NewReader(`{"title": "Checkout latency spike", "description": "p99 rose to 8 s.", "severity": "high"}`), &issue)
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue.ID+"/five-whys", "application/json",
		strings.NewReader(`{"why_number": 1, "question": "Why was checkout slow?", "answer": "The DB pool was exhausted.", "evidence": "app.log 10-40"}`), nil)
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue.ID+"/action-items", "application/json",
		strings.NewReader(`{"action": "Alert on pool saturation", "priority": "P1"}`), nil)

	ctx := newBrowser(t)
	p.signIn(t, ctx, "/issues/"+issue.ID+"/documents", "#generate-postmortem", viewport(1280, 1000))
	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "scroll to the documents", scrollTo("#documents"))
	if shot, err := runStep(ctx, chromedp.CaptureScreenshot()); err == nil {
		_ = os.WriteFile(filepath.Join(t.TempDir(), "incident-documents.png"), shot, 0o644)
		if dir := os.Getenv("TFTSR_SCREENSHOT_DIR"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, "incident-documents.png"), shot, 0o644)
		}
	}
	mustDo(t, ctx, "generate the post-mortem",
		click("#generate-postmortem"),
		waitVisible("#doc-content"),
	)
	waitHTMXIdle(t, ctx)
	content := mustEval[string](t, ctx, "reading the editor", `document.getElementById("doc-content").value`)
	for _, want := range []string{"# Blameless Post-Mortem: Checkout latency spike", "The DB pool was exhausted.", "Alert on pool saturation"} {
		if !strings.Contains(content, want) {
			t.Errorf("generated post-mortem lacks %q", want)
		}
	}
	if got := mustText(t, ctx, "#doc-preview h1"); got != "Blameless Post-Mortem: Checkout latency spike" {
		t.Errorf("preview heading %q", got)
	}

	mustDo(t, ctx, "edit the text",
		js(`(() => { const ta = document.getElementById("doc-content"); ta.focus(); ta.setSelectionRange(ta.value.length, ta.value.length); })()`),
		sendKeys("#doc-content", "\n\n## Edited in the browser\n\nWe added **pool alerts**.\n"),
	)
	waitFor(t, ctx, "the preview to follow the text",
		`[...document.querySelectorAll("#doc-preview h2")].some(h => h.textContent === "Edited in the browser")`)
	mustDo(t, ctx, "save", click("#doc-save"))
	waitFor(t, ctx, "the save", `document.getElementById("doc-status").dataset.state === "saved"`)
	if got := mustText(t, ctx, "#doc-status"); got != "Saved version 2." {
		t.Errorf("status %q", got)
	}
	waitFor(t, ctx, "the version list", `document.querySelectorAll("[data-testid=doc-versions] li").length === 2`)

	// Someone else saves version 3 through the API; our next save must not overwrite it.
	var doc struct {
		ID string `json:"id"`
	}
	doc.ID = strings.TrimPrefix(mustEval[string](t, ctx, "reading the location", `location.pathname`), "/documents/")
	p.apiCall(t, token, http.MethodPut, "/api/v1/documents/"+doc.ID, "application/json",
		strings.NewReader(`{"content_md": "# Their version", "base_version": 2}`), nil)
	mustDo(t, ctx, "edit again and save",
		sendKeys("#doc-content", "One more line.\n"),
		click("#doc-save"),
	)
	waitFor(t, ctx, "the conflict message", `document.getElementById("doc-status").dataset.state === "conflict"`)
	if got := mustText(t, ctx, "#doc-status"); !strings.Contains(got, "saved version 3") || !strings.Contains(got, "your text is kept") {
		t.Errorf("conflict message %q", got)
	}
	kept := mustEval[string](t, ctx, "reading the editor", `document.getElementById("doc-content").value`)
	if !strings.Contains(kept, "One more line.") {
		t.Errorf("the editor lost the user's text after the conflict")
	}

	mustDo(t, ctx, "screenshot the editor", viewport(1280, 1000), scrollTo("h1"))
	shot := mustRun(t, ctx, "taking a screenshot", chromedp.CaptureScreenshot())
	shotPath := filepath.Join(t.TempDir(), "document-editor.png")
	_ = os.WriteFile(shotPath, shot, 0o644)
	if dir := os.Getenv("TFTSR_SCREENSHOT_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "document-editor.png"), shot, 0o644)
	}
	t.Logf("screenshot of the editor: %s", shotPath)

	// Downloads with the browser's session: the export links' URLs.
	type download struct {
		Status      int    `json:"status"`
		Disposition string `json:"disposition"`
		Type        string `json:"type"`
		Head        string `json:"head"`
	}
	fetch := func(format string) download {
		t.Helper()
		return mustEval[download](t, ctx, "downloading the "+format, `fetch("/api/v1/documents/`+doc.ID+`/export?format=`+format+`").then(async r => {
			const b = await r.text();
			return {status: r.status, disposition: r.headers.get("Content-Disposition") || "", type: r.headers.get("Content-Type") || "", head: b.slice(0, 40)};
		})`, chromedp.EvalAwaitPromise)
	}
	md := fetch("md")
	if md.Status != 200 || md.Head != "# Their version" || !strings.Contains(md.Disposition, "postmortem-checkout-latency-spike-v3.md") {
		t.Errorf("markdown download %+v", md)
	}
	pdf := fetch("pdf")
	if pdf.Status != 200 || pdf.Type != "application/pdf" || !strings.HasPrefix(pdf.Head, "%PDF") || !strings.Contains(pdf.Disposition, "-v3.pdf") {
		t.Errorf("pdf download %+v", pdf)
	}
}
