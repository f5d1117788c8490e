package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Phone and desktop viewports of the layout tests.
const (
	phoneWidth, phoneHeight     = 390, 844
	desktopWidth, desktopHeight = 1280, 900
)

// viewerPassword is the password of the viewer the layout test signs in as.
const viewerPassword = "violet kestrel lantern harbour"

// A long unbroken string, as hashes, tokens and URLs in incidents are.
const unbroken = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08deadbeefcafebabe0123456789"

// mobileSeed is what seedMobile made: the ids the pages reached only by form need.
type mobileSeed struct {
	issue, log, document string
}

// seedMobile fills the portal with incidents whose titles are long and hold unbroken strings,
// a log, an image, a document, 5-Whys and action items, so that every table has rows; and a
// viewer.
func seedMobile(t *testing.T, p *portal, token string) mobileSeed {
	t.Helper()
	var s mobileSeed
	specs := []struct{ title, sev, status string }{
		{"Checkout latency spike on payments-gateway after deploy " + unbroken[:60], "critical", ""},
		{"Zebra printer offline in the warehouse", "low", "investigating"},
		{"Badge printer jams at reception", "high", ""},
		{"Mail queue stuck: postfix deferred queue grows " + strings.Repeat("q", 70), "medium", "resolved"},
	}
	for i, sp := range specs {
		body, _ := json.Marshal(map[string]string{"title": sp.title, "severity": sp.sev, "category": "application",
			"description": "Seen at https://status.example.com/incidents/" + unbroken + " — **see** `" + unbroken + "`\n\n```\n" + strings.Repeat("E", 150) + "\n```"})
		id := p.createIssue(t, token, string(body))
		if sp.status != "" {
			p.apiCall(t, token, http.MethodPatch, "/api/v1/issues/"+id, "application/json", strings.NewReader(`{"status": "`+sp.status+`"}`), nil)
		}
		if i == 0 {
			s.issue = id
		}
	}
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+s.issue+"/five-whys", "application/json",
		strings.NewReader(`{"why_number": 1, "question": "Why did checkout time out? `+unbroken+`", "answer": "The gateway waited on `+unbroken+`"}`), nil)
	for _, a := range []string{"Add a circuit breaker to " + unbroken, "Alert on queue depth"} {
		body, _ := json.Marshal(map[string]string{"action": a, "priority": "P1"})
		p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+s.issue+"/action-items", "application/json", bytes.NewReader(body), nil)
	}

	var lines strings.Builder
	for i := range 40 {
		fmt.Fprintf(&lines, "2026-11-28T07:%02d:00Z ERROR upstream reset by peer host=10.0.0.%d user=ops.lead@example.com trace=%s%s\n", i, i+1, unbroken, strings.Repeat("z", 80))
	}
	logBody, _ := json.Marshal(map[string]string{"file_name": "gateway-" + strings.Repeat("very-long-name-", 6) + ".log", "content": lines.String()})
	var lf struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+s.issue+"/logs", "application/json", bytes.NewReader(logBody), &lf)
	s.log = lf.ID

	img := image.NewRGBA(image.Rect(0, 0, 1600, 900))
	for x := range 1600 {
		for y := range 900 {
			img.Set(x, y, color.RGBA{uint8(x % 256), uint8(y % 256), 120, 255})
		}
	}
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		t.Fatal(err)
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	_ = mw.WriteField("pii_warning_acknowledged", "true")
	fw, _ := mw.CreateFormFile("file", "screenshot-"+strings.Repeat("wide", 12)+".png")
	_, _ = fw.Write(pngData.Bytes())
	_ = mw.Close()
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+s.issue+"/images", mw.FormDataContentType(), &form, nil)

	var doc struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+s.issue+"/documents", "application/json", strings.NewReader(`{"kind": "rca"}`), &doc)
	s.document = doc.ID

	p.useOpenAI(t, token, "team-gateway-"+strings.Repeat("x", 30), "http://127.0.0.1:9/"+strings.Repeat("long-path-segment/", 6), nil)

	if out, err := runCLI(t, p.env, viewerPassword+"\n", "user", "create", "--username", "vic", "--role", "viewer", "--password-stdin"); err != nil {
		t.Fatalf("user create: %v %s", err, out)
	}
	return s
}

// signInAs signs in on the login page as username, with the viewport already set.
func (p *portal) signInAs(t *testing.T, ctx context.Context, username, password string) {
	t.Helper()
	mustDo(t, ctx, "sign in as "+username,
		navigate(p.URL+"/login"),
		waitVisible("#username"),
		sendKeys("#username", username),
		sendKeys("#password", password),
		click("#login-submit"),
		waitVisible(".shell main#main"),
	)
}

// linksJS lists the page's same-origin links a person would follow to another page: no
// downloads, no sign-out, no API, no static files or binary objects, no fragments of this page.
const linksJS = `[...document.querySelectorAll("a[href]")]
	.filter(a => !a.hasAttribute("download") && a.origin === location.origin)
	.map(a => a.pathname + a.search)
	.filter(h => !/^\/(api|static)\//.test(h) && !/^\/logout/.test(h) && !/^\/images\//.test(h)
		&& !/\/(original|export|stream|content|data)(\?|$)/.test(h))`

// overflowJS measures the page at the current viewport: whether the document is wider than the
// screen and, if so, the element that sticks out furthest (its tag, id and classes and its
// right edge), so that a failure names what to fix.
const overflowJS = `(() => {
	const de = document.documentElement;
	const r = {html: document.contentType === "text/html", scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, widest: "", right: 0};
	if (de.scrollWidth <= de.clientWidth) return r;
	for (const el of document.body.querySelectorAll("*")) {
		const b = el.getBoundingClientRect();
		if (b.width === 0 || b.right <= de.clientWidth) continue;
		// The deepest element that sticks out furthest: skip ones whose child reaches as far.
		const child = [...el.children].some(c => c.getBoundingClientRect().right >= b.right);
		if (b.right > r.right || (b.right === r.right && !child)) {
			r.right = b.right;
			r.widest = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
				[...el.classList].map(c => "." + c).join("") + " (" + (el.textContent || "").trim().slice(0, 40) + ")";
		}
	}
	return r;
})()`

// overflow is what overflowJS reports.
type overflow struct {
	HTML        bool    `json:"html"`
	ScrollWidth int     `json:"scrollWidth"`
	ClientWidth int     `json:"clientWidth"`
	Widest      string  `json:"widest"`
	Right       float64 `json:"right"`
}

// pageReadyJS is true once the page has loaded and htmx has no request in flight or swap to
// settle (sections that load themselves are in).
const pageReadyJS = `document.readyState === "complete" &&
	document.querySelectorAll(".htmx-request, .htmx-settling, .htmx-swapping, .htmx-added").length === 0`

// visit opens path and waits until it is ready.
func visit(t *testing.T, ctx context.Context, p *portal, path string) {
	t.Helper()
	mustDo(t, ctx, "open "+path, navigate(p.URL+path))
	waitFor(t, ctx, path+" to be ready", pageReadyJS)
}

// crawl visits every page reachable from the start pages by links, breadth first, and returns
// their paths (with the first query string seen for each path, so that the many sort and page
// links of a list count once).
func crawl(t *testing.T, ctx context.Context, p *portal, start []string) []string {
	t.Helper()
	seen := map[string]bool{}
	var pages, queue []string
	add := func(h string) {
		u, err := url.Parse(h)
		if err != nil || seen[u.Path] {
			return
		}
		seen[u.Path] = true
		queue = append(queue, h)
	}
	for _, s := range start {
		add(s)
	}
	for len(queue) > 0 && len(pages) < 150 {
		h := queue[0]
		queue = queue[1:]
		visit(t, ctx, p, h)
		pages = append(pages, h)
		for _, l := range mustEval[[]string](t, ctx, "collecting the links of "+h, linksJS) {
			add(l)
		}
	}
	return pages
}

// checkNoSideScroll visits each page and fails for each one that lays out wider than the
// viewport, naming the page and the widest element.
func checkNoSideScroll(t *testing.T, ctx context.Context, p *portal, who string, pages []string) {
	t.Helper()
	checked := 0
	for _, h := range pages {
		visit(t, ctx, p, h)
		o := mustEval[overflow](t, ctx, "measuring "+h, overflowJS)
		if !o.HTML {
			continue
		}
		checked++
		if o.ScrollWidth > o.ClientWidth {
			t.Errorf("%s at %d px: %s scrolls sideways: %d px wide in %d; widest element %s reaches %.0f px",
				who, phoneWidth, h, o.ScrollWidth, o.ClientWidth, o.Widest, o.Right)
		}
	}
	t.Logf("%s: %d pages checked at %d px", who, checked, phoneWidth)
	if checked < 10 {
		t.Errorf("%s: only %d pages checked", who, checked)
	}
}

// screenshotDir is where the layout screenshots go: $TFTSR_SCREENSHOT_DIR when set.
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("TFTSR_SCREENSHOT_DIR"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// screenshot saves a full-page PNG of the page as name.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png := mustRun(t, ctx, "taking a screenshot of "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMobileLayoutEndToEnd signs in as an admin and as a viewer at 390 × 844 and visits every
// page of the portal, found by following links from the dashboard plus the pages reached only
// through forms, and checks that none scrolls sideways. It takes screenshots of the main pages
// at 390 and 1280 px, and checks the folding menu with the keyboard.
func TestMobileLayoutEndToEnd(t *testing.T) {
	p := startPortal(t)
	seed := seedMobile(t, p, p.apiToken(t))
	ctx := newBrowser(t)
	mustDo(t, ctx, "use a phone's viewport", viewport(phoneWidth, phoneHeight))
	p.signInAs(t, ctx, "admin", p.AdminPassword)

	// The menu: folded on a phone, opened by its button (with the keyboard), closed by Escape.
	visit(t, ctx, p, "/")
	navShown := `getComputedStyle(document.getElementById("nav-panel")).display !== "none"`
	if mustEval[bool](t, ctx, "reading the menu", navShown) {
		t.Error("the navigation is open on a phone before the menu button is pressed")
	}
	mustDo(t, ctx, "open the menu with the keyboard",
		act("focus the menu button", chromedp.Focus(chromedp.CSS(".nav-toggle"))),
		act("press Enter", chromedp.KeyEvent("\r")),
	)
	waitFor(t, ctx, "the menu to open", navShown+` && document.querySelector(".nav-toggle").getAttribute("aria-expanded") === "true"`)
	screenshot(t, ctx, screenshotDir(t), "menu-open-390")
	if got := mustEval[string](t, ctx, "reading aria-controls", `document.querySelector(".nav-toggle").getAttribute("aria-controls")`); got != "nav-panel" {
		t.Errorf("menu button aria-controls %q", got)
	}
	mustDo(t, ctx, "close the menu with Escape", act("press Escape", chromedp.KeyEvent("\x1b")))
	waitFor(t, ctx, "the menu to close and give focus back",
		`!(`+navShown+`) && document.activeElement === document.querySelector(".nav-toggle") && document.querySelector(".nav-toggle").getAttribute("aria-expanded") === "false"`)

	// Every page, as the admin.
	start := []string{"/", "/issues", "/issues/new", "/issues/" + seed.issue + "/edit", "/issues/" + seed.issue + "/delete",
		"/logs/" + seed.log, "/logs/" + seed.log + "/digest", "/logs/" + seed.log + "/lines?from=1&to=20", "/logs/" + seed.log + "/view", "/documents/" + seed.document, "/settings", "/settings/ollama", "/admin/users", "/admin/audit",
		"/history", "/history/attachments", "/search?q=printer", "/profile", "/no-such-page"}
	pages := crawl(t, ctx, p, start)
	sort.Strings(pages)
	t.Logf("pages found: %s", strings.Join(pages, " "))
	for _, want := range []string{"/issues/" + seed.issue, "/logs/" + seed.log, "/logs/" + seed.log + "/digest", "/logs/" + seed.log + "/lines?from=1&to=20", "/logs/" + seed.log + "/view", "/documents/" + seed.document, "/admin/users"} {
		if !contains(pages, want) {
			t.Errorf("the crawl missed %s", want)
		}
	}
	checkNoSideScroll(t, ctx, p, "admin", pages)

	// Screenshots of the main pages on a phone and on a desktop.
	dir := screenshotDir(t)
	main := map[string]string{"dashboard": "/", "issues": "/issues?status=", "incident": "/issues/" + seed.issue,
		"history": "/history", "attachments": "/history/attachments", "log-review": "/logs/" + seed.log,
		"document": "/documents/" + seed.document, "settings": "/settings", "profile": "/profile", "users": "/admin/users"}
	for _, w := range []struct {
		name          string
		width, height int64
	}{{"390", phoneWidth, phoneHeight}, {"1280", desktopWidth, desktopHeight}} {
		mustDo(t, ctx, "set the "+w.name+" px viewport", viewport(w.width, w.height))
		for name, path := range main {
			visit(t, ctx, p, path)
			screenshot(t, ctx, dir, name+"-"+w.name)
		}
	}
	t.Logf("screenshots in %s", dir)

	// Every page again, as a viewer.
	mustDo(t, ctx, "sign out", viewport(phoneWidth, phoneHeight), navigate(p.URL+"/"),
		js(`document.querySelector("[data-testid=logout]").closest("form").submit()`), waitVisible("#login-submit"))
	p.signInAs(t, ctx, "vic", viewerPassword)
	checkNoSideScroll(t, ctx, p, "viewer", pages)

	// Without scripts there is no menu button, and the navigation stays on the page.
	mustDo(t, ctx, "turn scripts off", act("disable scripts", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	}))
	visit(t, ctx, p, "/history")
	if !mustEval[bool](t, ctx, "reading the navigation without scripts", `(() => {
		const link = document.querySelector("#nav-panel a[href='/issues']");
		return !document.documentElement.classList.contains("js") && link.getBoundingClientRect().width > 0 &&
			getComputedStyle(document.querySelector(".nav-toggle")).display === "none";
	})()`) {
		t.Error("without scripts the navigation is folded away or the menu button shows")
	}
}

// TestIssueListEndToEnd uses the incident list on a phone as a responder would: type a filter,
// sort by a column, save the view, clear the filters and open the saved view again.
func TestIssueListEndToEnd(t *testing.T) {
	p := startPortal(t)
	seedMobile(t, p, p.apiToken(t))
	ctx := newBrowser(t)
	mustDo(t, ctx, "use a phone's viewport", viewport(phoneWidth, phoneHeight))
	p.signInAs(t, ctx, "admin", p.AdminPassword)

	titles := `[...document.querySelectorAll("[data-testid=issue-table] tbody td[data-label=Title] a")].map(a => a.textContent.replace(/^\s*INC-\d+\s*/, "").trim())`
	rows := func(what string) []string { t.Helper(); return mustEval[[]string](t, ctx, what, titles) }

	visit(t, ctx, p, "/issues?status=")
	if n := len(rows("reading the list")); n != 4 {
		t.Fatalf("%d incidents listed, want 4", n)
	}
	mustDo(t, ctx, "type a filter", sendKeys("#filter-q", "printer"))
	waitFor(t, ctx, "the list to show the printers", `document.querySelectorAll("[data-testid=issue-table] tbody tr").length === 2`)
	waitHTMXIdle(t, ctx)
	if loc := mustRun(t, ctx, "reading the location", chromedp.Location()); !strings.Contains(loc, "q=printer") {
		t.Errorf("the filter is not in the address: %s", loc)
	}

	mustDo(t, ctx, "sort by title", click(`a[data-sort="title"]`),
		act("wait for the title header to say ascending", whenSettled(`th[aria-sort="ascending"] a[data-sort="title"]`)))
	waitFor(t, ctx, "the sorted page to be ready", pageReadyJS)
	if got := strings.Join(rows("reading the sorted list"), "|"); got != "Badge printer jams at reception|Zebra printer offline in the warehouse" {
		t.Errorf("sorted by title: %q", got)
	}
	mustDo(t, ctx, "sort by title the other way", click(`a[data-sort="title"]`),
		act("wait for the title header to say descending", whenSettled(`th[aria-sort="descending"] a[data-sort="title"]`)))
	waitFor(t, ctx, "the sorted page to be ready", pageReadyJS)
	if got := strings.Join(rows("reading the list sorted the other way"), "|"); got != "Zebra printer offline in the warehouse|Badge printer jams at reception" {
		t.Errorf("sorted by title, descending: %q", got)
	}
	if v := mustEval[string](t, ctx, "reading the filter", `document.getElementById("filter-q").value`); v != "printer" {
		t.Errorf("the filter after sorting: %q", v)
	}

	mustDo(t, ctx, "save the view",
		sendKeys("#save-view-name", "Printers <i>all</i>"),
		click("#save-view-submit"),
		waitVisible("[data-testid=saved-view]"),
	)
	if got := mustText(t, ctx, "[data-testid=saved-view]"); got != "Printers <i>all</i>" {
		t.Errorf("saved view link %q", got)
	}
	screenshot(t, ctx, screenshotDir(t), "issues-saved-view-390")

	mustDo(t, ctx, "clear the filters", click("[data-testid=clear-filters]"),
		act("wait for the list without filters", whenSettled("#issue-list:not(:has([data-testid=clear-filters]))")))
	waitFor(t, ctx, "every incident to be listed", `document.querySelectorAll("[data-testid=issue-table] tbody tr").length === 4 && !document.querySelector("[data-testid=clear-filters]")`)
	if v := mustEval[string](t, ctx, "reading the filter", `document.getElementById("filter-q").value`); v != "" {
		t.Errorf("the filter after clearing: %q", v)
	}

	mustDo(t, ctx, "open the saved view", click("[data-testid=saved-view]"),
		act("wait for the filtered list", whenSettled("#issue-list:has([data-testid=clear-filters])")))
	waitFor(t, ctx, "the printers again", `document.querySelectorAll("[data-testid=issue-table] tbody tr").length === 2 && document.getElementById("filter-q").value === "printer"`)
	if got := strings.Join(rows("reading the saved view"), "|"); got != "Zebra printer offline in the warehouse|Badge printer jams at reception" {
		t.Errorf("saved view lists %q", got)
	}
	o := mustEval[overflow](t, ctx, "measuring the list", overflowJS)
	if o.ScrollWidth > o.ClientWidth {
		t.Errorf("the list scrolls sideways: %+v", o)
	}
	status := mustEval[int](t, ctx, "counting the visible statuses", `[...document.querySelectorAll("[data-testid=issue-table] tbody td[data-label=Status]")].filter(td => td.getBoundingClientRect().width > 0 && td.getBoundingClientRect().right <= document.documentElement.clientWidth).length`)
	if status != 2 {
		t.Errorf("%d of 2 cards show their status on screen", status)
	}
}
