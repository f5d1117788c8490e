package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// incidentTabs are the incident page's tabs in the tab bar's order, by their URL segment
// ("overview" is the incident's own URL).
var incidentTabs = []string{"overview", "timeline", "five-whys", "chat", "logs", "images", "documents", "action-items"}

// tabPath is the URL path of an incident's tab.
func tabPath(issue, tab string) string {
	if tab == "overview" {
		return "/issues/" + issue
	}
	return "/issues/" + issue + "/" + tab
}

// consoleErrors collects what the page writes to the console as errors (htmx reports a swap
// whose target is missing there) and the exceptions nothing caught, for the whole test.
type consoleErrors struct {
	mu   sync.Mutex
	msgs []string
}

func watchConsole(t *testing.T, ctx context.Context) *consoleErrors {
	t.Helper()
	c := &consoleErrors{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			// The browser asks for /favicon.ico by itself; the portal has none.
			if (m.Type == chromedp.ConsoleError || m.IsException()) && !strings.HasSuffix(m.URL, "/favicon.ico") {
				c.mu.Lock()
				c.msgs = append(c.msgs, m.String()+" ("+m.URL+")")
				c.mu.Unlock()
			}
		}
	}()
	return c
}

func (c *consoleErrors) check(t *testing.T, when string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.msgs) > 0 {
		t.Errorf("%s: console errors: %q", when, c.msgs)
		c.msgs = nil
	}
}

// TestIncidentTabsEndToEnd works the incident page's tabs in Chromium as a person does: each tab
// clicked loads its panel, selects its tab and puts its URL in the address bar; the keyboard
// moves between tabs as the ARIA tabs pattern says; Back, Forward and a reload keep the tab; the
// header and tab bar stay in view; a change on one tab leaves the others' counts right and the
// console clean; without JavaScript the tabs are plain links; at 390 px no tab scrolls the page
// sideways. It takes screenshots of every tab at 1280 and 390 px (into $TFTSR_SCREENSHOT_DIR
// when set).
func TestIncidentTabsEndToEnd(t *testing.T) {
	p := startPortal(t)
	token := p.apiToken(t)
	issue := p.createIssue(t, token, `{"title":"Checkout latency spike on payments-gateway after the 09:10 deploy","severity":"high","category":"application",`+
		`"description":"Checkout p99 went from 300 ms to **9 s** right after the deploy.\n\n- payments-gateway\n- queue consumer"}`)
	for i := range 3 {
		p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/logs", "application/json",
			strings.NewReader(fmt.Sprintf(`{"file_name":"gateway-%d.log","content":"2026-11-28T07:0%d:00Z ERROR upstream reset by peer\n"}`, i, i)), nil)
	}
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/five-whys", "application/json",
		strings.NewReader(`{"why_number":1,"question":"Why did checkout slow down?","answer":"The gateway waited on the queue consumer."}`), nil)
	for _, a := range []string{"Alert on pool saturation", "Add backoff to the gateway's retries"} {
		p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/action-items", "application/json",
			strings.NewReader(`{"action":"`+a+`","priority":"P1"}`), nil)
	}

	dir := os.Getenv("TFTSR_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shoot := func(ctx context.Context, name string) {
		t.Helper()
		shot := mustRun(t, ctx, "taking a screenshot", chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(dir, name), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	ctx := newBrowser(t)
	console := watchConsole(t, ctx)
	p.signIn(t, ctx, "/issues/"+issue, `#issue-panel[data-tab="overview"]`, viewport(1280, 900))
	waitHTMXIdle(t, ctx)

	// state is what the page says about its tabs.
	type state struct {
		Path     string   `json:"path"`
		Tabs     []string `json:"tabs"`
		Selected []string `json:"selected"`
		Focus    []string `json:"focusable"`
		Panel    string   `json:"panel"`
		Labelled string   `json:"labelled"`
		Active   string   `json:"active"`
	}
	const stateJS = `(() => {
		const tabs = [...document.querySelectorAll('#issue-tabs [role="tablist"] [role="tab"]')];
		const panel = document.querySelector('[role="tabpanel"]');
		return {
			path: location.pathname,
			tabs: tabs.map(t => t.dataset.tab),
			selected: tabs.filter(t => t.getAttribute("aria-selected") === "true").map(t => t.dataset.tab),
			focusable: tabs.filter(t => t.tabIndex === 0).map(t => t.dataset.tab),
			panel: panel ? panel.dataset.tab : "",
			labelled: panel ? panel.getAttribute("aria-labelledby") : "",
			active: document.activeElement ? document.activeElement.id : "",
		};
	})()`
	wantTab := func(when, tab string, focused bool) {
		t.Helper()
		s := mustEval[state](t, ctx, "reading the tabs", stateJS)
		if strings.Join(s.Tabs, ",") != strings.Join(incidentTabs, ",") {
			t.Errorf("%s: tabs %v, want %v", when, s.Tabs, incidentTabs)
		}
		if s.Path != tabPath(issue, tab) || len(s.Selected) != 1 || s.Selected[0] != tab || len(s.Focus) != 1 || s.Focus[0] != tab ||
			s.Panel != tab || s.Labelled != "tab-"+tab {
			t.Errorf("%s: %+v, want the %s tab at %s selected, alone in the tab order, labelling the panel", when, s, tab, tabPath(issue, tab))
		}
		if focused && s.Active != "tab-"+tab {
			t.Errorf("%s: the focus is on %q, want the %s tab", when, s.Active, tab)
		}
	}
	wantTab("on opening the incident", "overview", false)

	// The counts: 3 logs, the why asked, 2 open action items; the Overview's key facts agree.
	for sel, want := range map[string]string{"tab-count-logs": "3", "tab-count-five-whys": "1/5", "tab-count-action-items": "2 open"} {
		if got := mustText(t, ctx, "[data-testid="+sel+"]"); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if got := mustText(t, ctx, "[data-testid=fact-logs]"); got != "3 logs" {
		t.Errorf("key fact logs %q", got)
	}

	// Every tab by a click, in order.
	for _, tab := range incidentTabs[1:] {
		mustDo(t, ctx, "click the "+tab+" tab", openTab(tab))
		wantTab("after clicking "+tab, tab, true)
	}

	// The keyboard: Home, ArrowRight, End, ArrowRight wraps, ArrowLeft wraps back.
	for _, k := range []struct{ name, key, want string }{
		{"Home", kb.Home, "overview"},
		{"ArrowRight", kb.ArrowRight, "timeline"},
		{"ArrowRight", kb.ArrowRight, "five-whys"},
		{"End", kb.End, "action-items"},
		{"ArrowRight", kb.ArrowRight, "overview"},
		{"ArrowLeft", kb.ArrowLeft, "action-items"},
		{"ArrowLeft", kb.ArrowLeft, "documents"},
	} {
		mustDo(t, ctx, "press "+k.name,
			act("focus the selected tab", chromedp.Evaluate[chromedp.Void](`document.querySelector('#issue-tabs [aria-selected="true"]').focus()`)),
			act("press "+k.name, chromedp.KeyEvent(k.key)),
			waitVisible(`#issue-panel[data-tab="`+k.want+`"]`),
			act("wait for the tab to settle", whenSettled(`#tab-`+k.want+`[aria-selected="true"]`)),
		)
		waitHTMXIdle(t, ctx)
		waitFor(t, ctx, "the focus on the "+k.want+" tab", `document.activeElement && document.activeElement.id === "tab-`+k.want+`"`)
		wantTab("after "+k.name, k.want, true)
	}

	// Back and Forward walk the tabs the keyboard opened; a reload keeps the tab.
	for _, step := range []struct {
		name string
		a    chromedp.Action[chromedp.Void]
		want string
	}{
		{"Back", chromedp.NavigateBack(), "action-items"},
		{"Back", chromedp.NavigateBack(), "overview"},
		{"Forward", chromedp.NavigateForward(), "action-items"},
		{"reload", chromedp.Reload(), "action-items"},
	} {
		mustDo(t, ctx, step.name, act(step.name, step.a), waitVisible(`#issue-panel[data-tab="`+step.want+`"]`))
		waitHTMXIdle(t, ctx)
		wantTab("after "+step.name, step.want, false)
	}
	if got := mustEval[[]string](t, ctx, "reading the action items", `[...document.querySelectorAll("#action-items [data-testid^=action-] input[name=action]")].map(i => i.value)`); len(got) != 2 || !slices.Contains(got, "Alert on pool saturation") {
		t.Errorf("the Action items tab after the reload shows %q", got)
	}

	// The header and the tab bar stay in view below the top bar on a long tab, and the panel
	// starts below them.
	mustDo(t, ctx, "open the logs", openTab("logs"), viewport(1280, 500), js(`window.scrollTo(0, document.body.scrollHeight)`))
	type box struct {
		Topbar, StickyTop, StickyBottom, TabsBottom float64
		Scrolled                                    float64
	}
	b := mustEval[box](t, ctx, "measuring the sticky header", `(() => {
		const r = (sel) => document.querySelector(sel).getBoundingClientRect();
		return {Topbar: r(".topbar").bottom, StickyTop: r(".issue-sticky").top, StickyBottom: r(".issue-sticky").bottom,
			TabsBottom: r("#issue-tabs").bottom, Scrolled: window.scrollY};
	})()`)
	if b.Scrolled <= 0 || b.StickyTop < b.Topbar-1 || b.StickyTop > b.Topbar+1 || b.TabsBottom > b.StickyBottom+1 {
		t.Errorf("scrolled down, the header and tabs are at %+v; want them right below the top bar", b)
	}
	mustDo(t, ctx, "open the timeline scrolled down", openTab("timeline"))
	hidden := mustEval[bool](t, ctx, "measuring the panel", `document.querySelector("#issue-panel").getBoundingClientRect().top <
		document.querySelector(".issue-sticky").getBoundingClientRect().bottom - 1`)
	if hidden {
		t.Error("the timeline's top is hidden under the sticky header after opening the tab")
	}
	mustDo(t, ctx, "restore the viewport", viewport(1280, 900))

	// A change on a tab that lacks what else it changes: a status change on the Logs tab (the
	// timeline and the times card are elsewhere) swaps the header alone, and the console stays
	// clean; the Timeline tab then has the change.
	mustDo(t, ctx, "open the logs", openTab("logs"))
	mustDo(t, ctx, "change the status on the logs tab", js(`(() => {
		const s = document.getElementById("status-select");
		s.value = "investigating";
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`))
	waitFor(t, ctx, "the status badge", `document.querySelector("[data-testid=issue-status]").textContent.trim() === "Investigating"`)
	waitHTMXIdle(t, ctx)
	// A log deleted on the Logs tab: the tab bar's count follows.
	mustDo(t, ctx, "delete a log", js(`window.confirm = () => true`), click("#log-list form.log-delete button"))
	waitFor(t, ctx, "the logs' count to follow", `(document.querySelector("[data-testid=tab-count-logs]") || {}).textContent === "2"`)
	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "open the timeline", openTab("timeline"))
	if got := mustText(t, ctx, "#timeline-events"); !strings.Contains(got, "Investigating") {
		t.Errorf("the timeline lacks the status change: %q", got)
	}
	console.check(t, "after the changes")

	// Screenshots of every tab at 1280 px, and at 390 px with no sideways scroll of the page.
	for _, w := range []struct {
		width, height int64
		name          string
	}{{1280, 900, "1280"}, {390, 844, "390"}} {
		for _, tab := range incidentTabs {
			mustDo(t, ctx, fmt.Sprintf("open the %s tab at %s px", tab, w.name),
				viewport(w.width, w.height), navigate(p.URL+tabPath(issue, tab)), waitVisible(`#issue-panel[data-tab="`+tab+`"]`))
			waitHTMXIdle(t, ctx)
			if w.width == 390 {
				type widths struct{ Scroll, Client float64 }
				got := mustEval[widths](t, ctx, "measuring the page", `({Scroll: document.documentElement.scrollWidth, Client: document.documentElement.clientWidth})`)
				if got.Scroll > got.Client {
					t.Errorf("%s tab at 390 px: the page is %v px wide in a %v px window", tab, got.Scroll, got.Client)
				}
			}
			shoot(ctx, "incident-"+tab+"-"+w.name+".png")
		}
	}
	// At 390 px the tab bar scrolls inside itself: the selected tab is in view.
	inView := mustEval[bool](t, ctx, "the selected tab in view", `(() => {
		const r = document.querySelector('#issue-tabs [aria-selected="true"]').getBoundingClientRect();
		return r.left >= 0 && r.right <= document.documentElement.clientWidth;
	})()`)
	if !inView {
		t.Error("at 390 px the selected tab is out of view")
	}
	console.check(t, "after the screenshots")
	t.Logf("screenshots in %s", dir)

	// Without JavaScript the tabs are links to the tabs' pages.
	mustDo(t, ctx, "turn JavaScript off", viewport(1280, 900),
		act("disable scripts", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		})),
		navigate(p.URL+"/issues/"+issue), waitVisible(`#issue-panel[data-tab="overview"]`),
		act("click the images tab", chromedp.Click(chromedp.CSS("#tab-images"))), waitVisible(`#issue-panel[data-tab="images"]`))
	if got := mustRun(t, ctx, "reading the URL", chromedp.Location()); !strings.HasSuffix(got, tabPath(issue, "images")) {
		t.Errorf("without JavaScript the Images tab opened %q", got)
	}
}
