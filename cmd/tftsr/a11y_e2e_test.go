package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeRules are the axe-core rule sets every page must pass: WCAG 2.1 A and AA (labels,
// contrast, names, ARIA) and axe's best practices (landmarks, one main, one h1, heading order,
// no positive tabindex, so the focus order is the reading order).
var axeRules = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"}

// axeViolation is what axe-core reports of one rule a page breaks.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
		HTML   string   `json:"html"`
		// FailureSummary says what to fix at that node.
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeScript is axe-core's source, read once from TEST_AXE_PATH (scripts/install.sh axe puts it
// there; make test exports it).
func axeScript(t *testing.T) string {
	t.Helper()
	path := requireEnv(t, "TEST_AXE_PATH")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading axe-core: %v", err)
	}
	return string(b)
}

// axeCheck runs axe-core on the page open in the browser and returns its violations, one line
// each with the nodes at fault, prefixed with where.
func axeCheck(t *testing.T, ctx context.Context, axe, where string) []string {
	t.Helper()
	if !mustEval[bool](t, ctx, "loading axe-core", `typeof axe === "object"`) {
		mustRun(t, ctx, "injecting axe-core", chromedp.Evaluate[chromedp.Void](axe))
	}
	expr := fmt.Sprintf(`axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]}).then(r => r.violations)`, jsStrings(axeRules))
	violations := mustEval[[]axeViolation](t, ctx, "running axe-core on "+where, expr, chromedp.EvalAwaitPromise)
	var out []string
	for _, v := range violations {
		var nodes []string
		for i, n := range v.Nodes {
			if i == 3 {
				nodes = append(nodes, fmt.Sprintf("… %d more", len(v.Nodes)-3))
				break
			}
			nodes = append(nodes, fmt.Sprintf("%s %s (%s)", strings.Join(n.Target, " "), abbreviate(n.HTML),
				strings.ReplaceAll(n.FailureSummary, "\n", " ")))
		}
		out = append(out, fmt.Sprintf("%s: %s [%s] %s:\n\t\t%s", where, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n\t\t")))
	}
	return out
}

// colourScheme makes the page's prefers-color-scheme light or dark.
func colourScheme(scheme string) browserAction {
	return act("prefer the "+scheme+" colour scheme", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	}))
}

func jsStrings(list []string) string {
	return `["` + strings.Join(list, `", "`) + `"]`
}

// TestAccessibility opens every kind of page of the portal in Chromium, at 1280 px and at
// 390 px and in the dark colour scheme, with data on it, and runs axe-core on each: labels, contrast, names, landmarks,
// headings and focus order must hold everywhere. Screenshots go to $TFTSR_SCREENSHOT_DIR when it
// is set.
func TestAccessibility(t *testing.T) {
	axe := axeScript(t)
	p := startPortal(t)
	token := p.apiToken(t)
	issue := p.createIssue(t, token, `{"title":"Checkout latency <b>spike</b> on payments-gateway-eu-west-1-production-cluster","description":"Customers saw **timeouts**.\n\n- step one\n- step two","severity":"high","category":"application"}`)
	status, body, err := p.uploadFile(t.Context(), token, issue, "gateway.log",
		[]byte("2026-12-01T10:00:00Z ERROR user jane.doe@example.com from 10.1.2.3 failed\n2026-12-01T10:00:01Z INFO retry ok\n"))
	if err != nil || status != http.StatusCreated {
		t.Fatalf("uploading a log: %d %v %s", status, err, body)
	}
	var log struct{ ID string }
	if err := json.Unmarshal(body, &log); err != nil {
		t.Fatalf("upload answer %s: %v", body, err)
	}
	var doc struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/documents", "application/json", strings.NewReader(`{"kind":"rca"}`), &doc)
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/action-items", "application/json",
		strings.NewReader(`{"action":"Add a connection pool alarm"}`), nil)
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/timeline", "application/json",
		strings.NewReader(`{"event_type":"note","description":"Rolled back the deploy."}`), nil)

	// A chat with a redacted value and a Markdown reply, for the chat's bubbles.
	fake := newFakeOpenAI(t, func(s *openAIStream, _ int) {
		s.text("The pool is **exhausted**; check `max_connections`.")
		s.delta(map[string]any{}, "stop")
		s.done()
	})
	p.useOpenAI(t, token, "fake", fake.URL, nil)
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/chat", "application/json",
		strings.NewReader(`{"message":"jane.doe@example.com sees timeouts","config":"fake"}`), nil)

	pages := []string{
		"/", "/issues", "/issues/new", "/issues/" + issue, "/issues/" + issue + "/edit",
		"/issues/" + issue + "/delete", "/search?q=checkout", "/history", "/history/attachments",
		"/profile", "/settings", "/settings/ollama", "/admin/users", "/admin/audit", "/ui",
		"/logs/" + log.ID, "/logs/" + log.ID + "?view=text", "/documents/" + doc.ID,
	}
	for _, tab := range []string{"timeline", "five-whys", "chat", "logs", "images", "documents", "action-items"} {
		pages = append(pages, "/issues/"+issue+"/"+tab)
	}
	ctx := newBrowser(t)
	p.signIn(t, ctx, "/", "[data-testid=logout]")
	shots := os.Getenv("TFTSR_SCREENSHOT_DIR")
	var failures []string
	for _, mode := range []struct {
		width  int64
		scheme string
	}{{1280, "light"}, {390, "light"}, {1280, "dark"}} {
		width := mode.width
		mustDo(t, ctx, "set the width and colour scheme", viewport(width, 900),
			colourScheme(mode.scheme))
		for _, page := range pages {
			mustDo(t, ctx, "open "+page, navigate(p.URL+page), waitVisible("main"))
			waitHTMXIdle(t, ctx)
			failures = append(failures, axeCheck(t, ctx, axe, fmt.Sprintf("%s at %d px, %s", page, width, mode.scheme))...)
			if shots != "" {
				name := fmt.Sprintf("a11y-%d-%s%s.png", width, mode.scheme, strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(page))
				shot := mustRun(t, ctx, "screenshot of "+page, chromedp.FullScreenshot(100))
				_ = os.WriteFile(filepath.Join(shots, name), shot, 0o644)
			}
		}
	}
	mustDo(t, ctx, "sign out", navigate(p.URL+"/profile"), waitVisible("[data-testid=logout]"), click("[data-testid=logout]"), waitVisible("#login-submit"))
	failures = append(failures, axeCheck(t, ctx, axe, "/login")...)
	if len(failures) > 0 {
		t.Errorf("%d accessibility violations:\n\t%s", len(failures), strings.Join(failures, "\n\t"))
	}
}
