package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tftsr/domain"
)

// fakePDF renders a PDF-looking file that names the document.
type fakePDF struct{}

func (fakePDF) RenderPDF(_ context.Context, d domain.PrintableDocument) ([]byte, error) {
	return []byte("%PDF-1.7 fake " + d.Title + " paper=" + string(d.Paper)), nil
}

func TestDocumentsAPI(t *testing.T) {
	p := newTestPortal(t)
	anon := p.anonymous(t)
	rita, vic := p.token(t, "rita"), p.token(t, "vic")

	r := anon.api(http.MethodPost, "/api/v1/issues", rita, map[string]any{"title": "Checkout <b>502s</b> | gateway", "description": "p99 up"})
	var issue domain.Issue
	json.Unmarshal([]byte(r.Body), &issue)
	anon.api(http.MethodPost, "/api/v1/issues/"+issue.ID+"/five-whys", rita, map[string]any{"why_number": 1, "question": "Why?", "answer": "Pool exhausted"})

	r = anon.api(http.MethodPost, "/api/v1/issues/"+issue.ID+"/documents", vic, map[string]any{"kind": "postmortem"})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer generate: %d", r.StatusCode)
	}
	r = anon.api(http.MethodPost, "/api/v1/issues/"+issue.ID+"/documents", rita, map[string]any{"kind": "memo"})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad kind: %d %s", r.StatusCode, r.Body)
	}
	r = anon.api(http.MethodPost, "/api/v1/issues/"+issue.ID+"/documents", rita, map[string]any{"kind": "postmortem"})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("generate: %d %s", r.StatusCode, r.Body)
	}
	var doc domain.Document
	json.Unmarshal([]byte(r.Body), &doc)
	if doc.Version != 1 || !strings.Contains(doc.ContentMD, "# Blameless Post-Mortem: Checkout") || !strings.Contains(doc.ContentMD, "Pool exhausted") {
		t.Fatalf("generated %+v", doc)
	}

	t.Run("save, conflict and versions", func(t *testing.T) {
		r := anon.api(http.MethodPut, "/api/v1/documents/"+doc.ID, rita, map[string]any{"content_md": "# Edited", "base_version": 1})
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"version":2`) {
			t.Fatalf("save: %d %s", r.StatusCode, r.Body)
		}
		r = anon.api(http.MethodPut, "/api/v1/documents/"+doc.ID, rita, map[string]any{"content_md": "# Stale", "base_version": 1})
		if r.StatusCode != http.StatusConflict || apiErrorCode(t, r) != domain.ECONFLICT {
			t.Errorf("stale save: %d %s", r.StatusCode, r.Body)
		}
		r = anon.api(http.MethodPut, "/api/v1/documents/"+doc.ID, vic, map[string]any{"content_md": "# Viewer"})
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("viewer save: %d", r.StatusCode)
		}
		r = anon.api(http.MethodPut, "/api/v1/documents/"+doc.ID, rita, map[string]any{"content_md": strings.Repeat("x", domain.MaxDocumentLen+1)})
		if r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("over-long save: %d", r.StatusCode)
		}
		r = anon.api(http.MethodGet, "/api/v1/documents/"+doc.ID+"?version=1", vic, nil)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Blameless Post-Mortem") {
			t.Errorf("version 1: %d", r.StatusCode)
		}
		r = anon.api(http.MethodGet, "/api/v1/documents/"+doc.ID+"/versions", vic, nil)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"total":2`) {
			t.Errorf("versions: %d %s", r.StatusCode, r.Body)
		}
	})

	t.Run("export", func(t *testing.T) {
		r := anon.api(http.MethodGet, "/api/v1/documents/"+doc.ID+"/export?format=md", vic, nil)
		if r.StatusCode != http.StatusOK || r.Body != "# Edited" {
			t.Fatalf("md export: %d %q", r.StatusCode, r.Body)
		}
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename=postmortem-checkout-b-502s-b-gateway-v2.md` &&
			cd != `attachment; filename="postmortem-checkout-b-502s-b-gateway-v2.md"` {
			t.Errorf("Content-Disposition = %q", cd)
		}
		r = anon.api(http.MethodGet, "/api/v1/documents/"+doc.ID+"/export?format=pdf", vic, nil)
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF") ||
			!strings.Contains(r.Body, "paper=a4") {
			t.Errorf("pdf export: %d %s %q", r.StatusCode, r.Header.Get("Content-Type"), r.Body)
		}
		r = anon.api(http.MethodGet, "/api/v1/documents/"+doc.ID+"/export?format=docx", vic, nil)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad format: %d", r.StatusCode)
		}
		r = anon.api(http.MethodGet, "/api/v1/issues/"+issue.ID+"/timeline", vic, nil)
		if n := strings.Count(r.Body, `"document_exported"`); n != 2 {
			t.Errorf("%d document_exported events, want 2", n)
		}
	})

	t.Run("action items", func(t *testing.T) {
		r := anon.api(http.MethodPost, "/api/v1/issues/"+issue.ID+"/action-items", rita, map[string]any{"action": "Alert on pool", "priority": "P1"})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		var a domain.ActionItem
		json.Unmarshal([]byte(r.Body), &a)
		r = anon.api(http.MethodPatch, "/api/v1/action-items/"+a.ID, rita, map[string]any{"status": "done"})
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"status":"done"`) {
			t.Errorf("patch: %d %s", r.StatusCode, r.Body)
		}
		r = anon.api(http.MethodPatch, "/api/v1/action-items/"+a.ID, vic, map[string]any{"status": "open"})
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("viewer patch: %d", r.StatusCode)
		}
		r = anon.api(http.MethodGet, "/api/v1/issues/"+issue.ID+"/action-items", vic, nil)
		if !strings.Contains(r.Body, `"total":1`) {
			t.Errorf("list: %s", r.Body)
		}
		r = anon.api(http.MethodDelete, "/api/v1/action-items/"+a.ID, rita, nil)
		if r.StatusCode != http.StatusNoContent {
			t.Errorf("delete: %d", r.StatusCode)
		}
	})
}

func TestDocumentPages(t *testing.T) {
	p := newTestPortal(t)
	rita := p.login(t, "rita")
	vic := p.login(t, "vic")
	tok := p.token(t, "rita")
	r := rita.api(http.MethodPost, "/api/v1/issues", tok, map[string]any{"title": "Disk full"})
	var issue domain.Issue
	json.Unmarshal([]byte(r.Body), &issue)

	r = rita.postForm("/issues/"+issue.ID+"/documents", url.Values{"kind": {"rca"}}, nil)
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("generate without CSRF: %d", r.StatusCode)
	}
	r = vic.postForm("/issues/"+issue.ID+"/documents", url.Values{"kind": {"rca"}, "_csrf": {vic.csrf()}}, nil)
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer generate: %d", r.StatusCode)
	}
	r = rita.postForm("/issues/"+issue.ID+"/documents", url.Values{"kind": {"rca"}, "_csrf": {rita.csrf()}}, nil)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/documents/") {
		t.Fatalf("generate: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	docURL := r.Header.Get("Location")
	r = rita.get(docURL, nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `id="doc-content"`) || !strings.Contains(r.Body, "Root Cause Analysis") {
		t.Fatalf("editor: %d", r.StatusCode)
	}
	page := rita.get("/issues/"+issue.ID+"/documents", nil)
	items := rita.get("/issues/"+issue.ID+"/action-items", nil)
	if !strings.Contains(page.Body, `data-testid="doc-rca"`) || !strings.Contains(items.Body, `id="action-items"`) {
		t.Errorf("incident page lacks the documents or action items section")
	}

	t.Run("preview is sanitised", func(t *testing.T) {
		h := http.Header{"Hx-Request": {"true"}, "X-Csrf-Token": {rita.csrf()}}
		r := rita.postForm(docURL+"/preview", url.Values{"content_md": {"# Hi\n\n<script>alert(1)</script><img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))"}}, h)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "<h1") {
			t.Fatalf("preview: %d %s", r.StatusCode, r.Body)
		}
		for _, bad := range []string{"<script", "<img", "javascript:"} {
			if strings.Contains(r.Body, bad) {
				t.Errorf("preview contains %q: %s", bad, r.Body)
			}
		}
		// The pasted markup is shown as the text it is.
		if !strings.Contains(r.Body, "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;") {
			t.Errorf("preview does not show the markup as text: %s", r.Body)
		}
	})

	t.Run("save and conflict keep the text", func(t *testing.T) {
		h := http.Header{"Hx-Request": {"true"}, "X-Csrf-Token": {rita.csrf()}}
		r := rita.postForm(docURL, url.Values{"content_md": {"# Mine"}, "base_version": {"1"}}, h)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `data-state="saved"`) || !strings.Contains(r.Body, "Saved version 2") {
			t.Fatalf("save: %d %s", r.StatusCode, r.Body)
		}
		r = rita.postForm(docURL, url.Values{"content_md": {"# Theirs"}, "base_version": {"1"}}, h)
		if !strings.Contains(r.Body, `data-state="conflict"`) || !strings.Contains(r.Body, "saved version 2") || strings.Contains(r.Body, "doc-content") {
			t.Errorf("conflict: %d %s", r.StatusCode, r.Body)
		}
		r = rita.postForm(docURL+"/restore", url.Values{"version": {"1"}, "base_version": {"2"}, "_csrf": {rita.csrf()}}, nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Errorf("restore: %d", r.StatusCode)
		}
		r = rita.get(docURL, nil)
		if !strings.Contains(r.Body, "Version 3") || !strings.Contains(r.Body, "restored version 1") {
			t.Errorf("versions after restore missing")
		}
	})

	t.Run("action items inline", func(t *testing.T) {
		h := http.Header{"Hx-Request": {"true"}, "X-Csrf-Token": {rita.csrf()}}
		r := rita.postForm("/issues/"+issue.ID+"/action-items", url.Values{"action": {"<b>Grow</b> the disk"}, "priority": {"P0"}}, h)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "&lt;b&gt;Grow&lt;/b&gt; the disk") {
			t.Fatalf("add: %d", r.StatusCode)
		}
		r = rita.postForm("/issues/"+issue.ID+"/action-items", url.Values{"action": {""}}, h)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("empty action: %d", r.StatusCode)
		}
	})
}
