package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestBusyButtons drives the slow actions in the browser: "Test connection" is disabled and
// busy (aria-busy, "Testing…") for as long as the provider takes to answer, which the fake here
// holds until the test releases it; its long error then wraps inside the providers table, which
// stays within its card. "Export PDF" fetches the file behind a busy button and hands it over.
func TestBusyButtons(t *testing.T) {
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	longReason := "upstream_" + strings.Repeat("connect_error_or_disconnect_reset_before_headers_", 12) + "end"
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"message":%q,"type":"invalid_request_error"}}`, longReason)
	}))
	t.Cleanup(fake.Close)

	p := startPortal(t)
	token := p.apiToken(t)
	p.useOpenAI(t, token, "slow-provider", fake.URL, nil)
	ctx := newBrowser(t)
	p.signIn(t, ctx, "/settings", "[data-testid=ai-test-button]")

	mustDo(t, ctx, "start a connection test", click("[data-testid=ai-test-button]"))
	<-arrived
	const busy = `(() => { const b = document.querySelector("[data-testid=ai-test-button]");
		return b.disabled && b.getAttribute("aria-busy") === "true" && b.textContent.trim() === "Testing…"; })()`
	waitFor(t, ctx, "the test button to be busy while the provider has not answered", busy)
	if got := mustEval[bool](t, ctx, "the button is still busy", busy); !got {
		t.Fatal("the test button stopped being busy before the provider answered")
	}
	close(release)
	waitFor(t, ctx, "the test result in its cell and the button idle again", `(() => {
		const b = document.querySelector("[data-testid=ai-test-button]");
		const r = document.querySelector("td.test-status [data-testid=test-result]");
		return !!r && !b.disabled && !b.hasAttribute("aria-busy") && b.textContent.trim() === "Test connection"; })()`)
	if got := mustText(t, ctx, "td.test-status [data-testid=test-result]"); !strings.Contains(got, "(400): upstream_connect_error_or_disconnect") {
		t.Errorf("test result %q lacks the provider's reason", got)
	}
	layout := mustEval[map[string]float64](t, ctx, "measure the providers table", `(() => {
		const table = document.querySelector("table.ai-providers");
		const card = table.closest("section");
		const cs = getComputedStyle(card);
		return { table: table.getBoundingClientRect().width,
			card: card.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight),
			page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }; })()`)
	if layout["table"] > layout["card"]+1 || layout["page"] > layout["viewport"] {
		t.Errorf("the long test result broke the layout: %v", layout)
	}
	t.Logf("layout after the long result: %v", layout)

	// Export PDF: the link downloads through the busy button, and is idle again after.
	issueID := p.createIssue(t, token, `{"title": "Disk full on db1"}`)
	var doc struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issueID+"/documents", "application/json", strings.NewReader(`{"kind": "rca"}`), &doc)
	mustDo(t, ctx, "open the document and export it as PDF",
		navigate(p.URL+"/documents/"+doc.ID), waitVisible("#doc-export-pdf"), click("#doc-export-pdf"))
	waitFor(t, ctx, "the PDF to arrive and the button to be idle", `(() => {
		const a = document.querySelector("#doc-export-pdf");
		return /\.pdf$/.test(a.getAttribute("data-downloaded") || "") && !a.hasAttribute("aria-busy") && a.textContent.trim() === "Export PDF"; })()`)
}
