package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"tftsr/blob/blobtest"
)

// requireEnv returns the environment variable or skips the test; under `make test`
// (TFTSR_REQUIRE_INTEGRATION=1) a missing variable fails it instead, so nothing is skipped there.
func requireEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("TFTSR_REQUIRE_INTEGRATION") == "1" {
			t.Fatalf("%s is not set", name)
		}
		t.Skipf("%s is not set; run `make test` to start the services", name)
	}
	return v
}

// newDatabase creates an empty database on the test server and drops it when the test ends.
func newDatabase(t testing.TB) string {
	t.Helper()
	admin := requireEnv(t, "TEST_DATABASE_URL")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	name := "tftsr_e2e_" + strings.ToLower(rand.Text()[:10])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
}

// portal is a running `tftsr serve` for a test.
type portal struct {
	URL           string
	AdminPassword string
	env           map[string]string
	stderr        *syncBuffer
	// stop cancels serve's context, as a SIGTERM does, and returns what serve returned.
	stop func() error
}

// syncBuffer is a buffer that the portal writes its log to while a test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startPortal runs the real program on 127.0.0.1:0 against the test services and returns once
// it serves. Settings in override win over the test's own.
func startPortal(t testing.TB, override ...map[string]string) *portal {
	t.Helper()
	s3 := blobtest.Config(t) // serve creates the bucket; blobtest removes it after serve stops
	env := map[string]string{
		"DATABASE_URL":        newDatabase(t),
		"TFTSR_S3_ENDPOINT":   s3.Endpoint,
		"TFTSR_S3_ACCESS_KEY": s3.AccessKey,
		"TFTSR_S3_SECRET_KEY": s3.SecretKey,
		"TFTSR_S3_BUCKET":     s3.Bucket,
		"TFTSR_DATA_DIR":      t.TempDir(),
	}
	for _, o := range override {
		maps.Copy(env, o)
	}
	return startPortalEnv(t, env)
}

// startPortalEnv runs the real program with env as its whole environment, and returns once it
// serves. It is stopped when the test ends, unless the test stopped it first.
func startPortalEnv(t testing.TB, env map[string]string) *portal {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	stderr := &syncBuffer{}
	go func() {
		addr := "127.0.0.1:0"
		if a := env["TFTSR_ADDR"]; a != "" {
			addr = a // a test that must know the URL before the start (TFTSR_BASE_URL)
		}
		done <- run(ctx, []string{"serve", "--addr", addr}, func(k string) string { return env[k] },
			strings.NewReader(""), pw, stderr)
		pw.Close()
	}()
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() { cancel(); serveErr = <-done })
		return serveErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})

	p := &portal{env: env, stderr: stderr, stop: stop}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(2 * time.Minute)
	for p.URL == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("serve stopped before serving: %v", stop())
			}
			if m := regexp.MustCompile(`password:\s+(\S+)`).FindStringSubmatch(line); m != nil {
				p.AdminPassword = m[1]
			}
			if u, ok := strings.CutPrefix(line, "TFTSR is serving on "); ok {
				p.URL = u
			}
		case <-timeout:
			t.Fatal("serve did not start within 2 minutes")
		}
	}
	go func() {
		for range lines {
		}
	}()
	if p.AdminPassword == "" {
		t.Fatal("serve printed no first admin password")
	}
	return p
}

// newBrowser starts headless Chromium for a test. The browser is closed before the portal. Its
// 3 minutes are a backstop for the whole test; each step has its own stepTimeout.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	chrome := requireEnv(t, "TEST_CHROME_PATH")
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-quic", true))
	bctx, cancelBrowser := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// stepTimeout bounds every browser step of a test. A click, some typing or a wait for the page
// takes well under a second here, also on two busy cores; a step still unfinished after this is
// stuck (a click that went nowhere, a wait for something that will not come), and the test fails
// at once with the step's name and what it waited for, instead of when the browser's context ends.
const stepTimeout = 30 * time.Second

// browserAction is one action of a browser step, with what it does in words (the selector it
// clicks or waits for) for the failure message.
type browserAction struct {
	what string
	do   chromedp.Action[chromedp.Void]
}

// act names a chromedp action that has no helper below.
func act(what string, a chromedp.Action[chromedp.Void]) browserAction {
	return browserAction{what, a}
}

func navigate(url string) browserAction {
	return act("navigate to "+url, chromedp.Navigate(url))
}

func reload() browserAction { return act("reload", chromedp.Reload()) }

func viewport(width, height int64) browserAction {
	return act(fmt.Sprintf("set a %d × %d viewport", width, height), chromedp.EmulateViewport(width, height))
}

// js evaluates a script for its effects.
func js(script string) browserAction {
	return act("run "+abbreviate(script), chromedp.Evaluate[chromedp.Void](script))
}

func waitVisible(sel string) browserAction {
	return act("wait for "+sel+" to be visible", chromedp.WaitVisible(chromedp.CSS(sel)))
}

func scrollTo(sel string) browserAction {
	return act("scroll to "+sel, chromedp.ScrollIntoView(chromedp.CSS(sel)))
}

func uploadFiles(sel string, paths ...string) browserAction {
	return act("choose "+strings.Join(paths, ", ")+" in "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), paths))
}

func setValue(sel, value string) browserAction {
	return act(fmt.Sprintf("set %s to %q", sel, value), chromedp.Steps(whenSettled(sel), chromedp.SetValue(chromedp.CSS(sel), value)))
}

// click clicks the element once htmx has settled it: an element that a swap has just put in
// the page gets its hx-get, hx-post or hx-trigger only when htmx settles the swap (20 ms later,
// or more on a busy machine), and a click before that does nothing at all.
func click(sel string) browserAction {
	return act("click "+sel, chromedp.Steps(whenSettled(sel), chromedp.Click(chromedp.CSS(sel))))
}

// openTab opens a tab of the incident page as a person does, by clicking it (slug is the tab's
// URL segment, "overview" for the Overview), and waits for its panel to be swapped in and settled.
func openTab(slug string) browserAction {
	tab, panel := "#tab-"+slug, `#issue-panel[data-tab="`+slug+`"]`
	return act("open the "+slug+" tab", chromedp.Steps(whenSettled(tab), chromedp.Click(chromedp.CSS(tab)),
		chromedp.WaitVisible(chromedp.CSS(panel)), whenSettled(panel), whenSettled(tab+`[aria-selected="true"]`)))
}

// sendKeys types into the element once htmx has settled it (see click), so that its triggers
// fire.
func sendKeys(sel, keys string) browserAction {
	return act(fmt.Sprintf("type %q into %s", abbreviate(keys), sel), chromedp.Steps(whenSettled(sel), chromedp.SendKeys(chromedp.CSS(sel), keys)))
}

// settledJS is true when the element sel matches is in the page and no htmx swap around it is
// still to settle: htmx marks swapped-in content htmx-added (and its target htmx-settling) until
// it has processed the content's attributes.
const settledJS = `((sel) => { const el = document.querySelector(sel);
	return !!el && !el.closest(".htmx-added, .htmx-settling, .htmx-swapping"); })(%s)`

// whenSettled waits until the element sel matches is in the page and settled by htmx. It asks
// the page again after each answer, also across a navigation, which a Poll does not survive.
func whenSettled(sel string) chromedp.Action[chromedp.Void] {
	quoted, _ := json.Marshal(sel)
	check := chromedp.Evaluate[bool](fmt.Sprintf(settledJS, quoted))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			ok, err := check(ctx, t)
			if ok && err == nil {
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				if err != nil {
					return chromedp.Void{}, fmt.Errorf("waiting for %s to be settled by htmx: %w (last answer: %v)", sel, ctx.Err(), err)
				}
				return chromedp.Void{}, fmt.Errorf("waiting for %s to be in the page and settled by htmx: %w", sel, ctx.Err())
			case <-tick.C:
			}
		}
	}
}

// runStep runs one action that returns a value, within stepTimeout.
func runStep[T any](ctx context.Context, a chromedp.Action[T]) (T, error) {
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(sctx, a)
}

// mustDo runs the actions of a step in order, each within stepTimeout, and fails the test with
// the step, the action and the state of the page when one fails.
func mustDo(t *testing.T, ctx context.Context, step string, actions ...browserAction) {
	t.Helper()
	for _, a := range actions {
		if _, err := runStep(ctx, a.do); err != nil {
			t.Fatalf("%s: %s: %v%s", step, a.what, stepError(err), pageState(ctx))
		}
	}
}

// mustRun runs one action within stepTimeout and returns its value; what names it for the
// failure message.
func mustRun[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := runStep(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v%s", what, stepError(err), pageState(ctx))
	}
	return v
}

// mustEval evaluates a JavaScript expression within stepTimeout and returns its value.
func mustEval[T any](t *testing.T, ctx context.Context, what, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	return mustRun(t, ctx, what+" ("+abbreviate(expr)+")", chromedp.Evaluate[T](expr, opts...))
}

func mustText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(mustRun(t, ctx, "reading the text of "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// waitFor polls a JavaScript condition until it is true, within stepTimeout.
func waitFor(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	if _, err := runStep(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(stepTimeout))); err != nil {
		t.Fatalf("waiting for %s: %v\ncondition: %s%s", what, stepError(err), expr, pageState(ctx))
	}
}

// stepError says that a step ran out of time in words.
func stepError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, chromedp.ErrPollingTimeout) {
		return fmt.Errorf("not done within %s: %w", stepTimeout, err)
	}
	return err
}

// pageState describes the page for a failure message: where it is, what htmx is still doing,
// and which dialogs are open.
func pageState(ctx context.Context) string {
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	state, err := chromedp.Run(sctx, chromedp.Evaluate[string](`JSON.stringify({
		url: location.href,
		htmxRequests: document.querySelectorAll(".htmx-request").length,
		htmxUnsettled: document.querySelectorAll(".htmx-added, .htmx-settling, .htmx-swapping").length,
		openDialogs: [...document.querySelectorAll("dialog[open]")].map(d => d.id || d.className),
	})`))
	if err != nil {
		return fmt.Sprintf("\npage state unknown: %v", err)
	}
	return "\npage: " + state
}

// abbreviate shortens a script or typed text for a message.
func abbreviate(s string) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > 80 {
		return string(r[:77]) + "..."
	}
	return string(r)
}

// TestEndToEnd drives the real portal in Chromium the way a responder works an incident: sign
// in, create an incident, find it through the header search, walk two whys, resolve it, read the
// timeline, sign out.
func TestEndToEnd(t *testing.T) {
	p := startPortal(t)
	ctx := newBrowser(t)

	p.signIn(t, ctx, "/issues", "[data-testid=new-issue]")
	if loc := mustRun(t, ctx, "reading the location", chromedp.Location()); !strings.HasSuffix(loc, "/issues") {
		t.Errorf("after sign-in at %s, want the page asked for (/issues)", loc)
	}

	title := "Checkout latency spike <b>on</b> payments-gateway"
	mustDo(t, ctx, "create an incident",
		click("[data-testid=new-issue]"),
		waitVisible("#issue-title"),
		sendKeys("#issue-title", title),
		sendKeys("#issue-description", "Customers saw **timeouts** from the zanzibarqueue consumer after the deploy."),
		setValue("#issue-severity", "high"),
		setValue("#issue-category", "application"),
		click("#issue-save"),
		waitVisible("[data-testid=issue-title]"),
	)
	if got := mustText(t, ctx, "[data-testid=issue-title]"); got != title {
		t.Errorf("incident title %q, want %q (shown as text, not markup)", got, title)
	}
	if got := mustText(t, ctx, "[data-testid=description] strong"); got != "timeouts" {
		t.Errorf("description Markdown: strong text %q, want %q", got, "timeouts")
	}

	mustDo(t, ctx, "find it through the header search",
		navigate(p.URL+"/"),
		waitVisible("#header-search"),
		sendKeys("#header-search", "zanzibarqueue"),
		waitVisible("[data-testid=search-dropdown] a.result"),
	)
	if got := mustText(t, ctx, "[data-testid=search-dropdown] mark"); !strings.EqualFold(got, "zanzibarqueue") {
		t.Errorf("highlighted search word %q, want zanzibarqueue", got)
	}
	mustDo(t, ctx, "open the search result",
		click("[data-testid=search-dropdown] a.result"),
		waitVisible(`#issue-panel[data-tab="overview"]`),
		openTab("five-whys"),
		waitVisible("#why-question"),
	)

	whys := []struct{ q, a string }{
		{"Why did checkout time out?", "The payments gateway waited on the queue consumer."},
		{"Why did the consumer stall?", "Its connection pool was exhausted after the deploy."},
	}
	for i, w := range whys {
		n := fmt.Sprint(i + 1)
		mustDo(t, ctx, "add why "+n,
			waitVisible("#why-question"),
			sendKeys("#why-question", w.q),
			sendKeys("#why-answer", w.a),
			click("#why-add"),
			waitVisible("[data-testid=why-"+n+"]"),
		)
		waitHTMXIdle(t, ctx)
	}
	if got := mustText(t, ctx, "[data-testid=why-level]"); got != "Why level 2 of 5" {
		t.Errorf("why level %q, want %q", got, "Why level 2 of 5")
	}

	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "change the status", js(`(() => {
		const s = document.getElementById("status-select");
		s.value = "resolved";
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`))
	waitFor(t, ctx, "the status badge to say Resolved",
		`document.querySelector("[data-testid=issue-status]").textContent.trim() === "Resolved"`)

	mustDo(t, ctx, "open the timeline", openTab("timeline"))
	events := mustEval[[]string](t, ctx, "reading the timeline",
		`[...document.querySelectorAll("[data-testid=timeline] li")].map(li => li.dataset.eventType)`)
	for _, want := range []string{"issue_created", "why_level_advanced", "status_changed"} {
		if !contains(events, want) {
			t.Errorf("timeline %v lacks %s", events, want)
		}
	}
	actors := mustText(t, ctx, "[data-testid=timeline] li[data-event-type=status_changed] .event-actor")
	if !strings.Contains(actors, "Administrator") {
		t.Errorf("status change actor %q, want the admin (Administrator)", actors)
	}

	// A viewport tall enough for the whole page, so the sticky sidebar and header stay in place.
	mustDo(t, ctx, "resize for the screenshot", viewport(1280, 1500), openTab("overview"))
	shot := mustRun(t, ctx, "taking a screenshot", chromedp.CaptureScreenshot())
	shotPath := filepath.Join(t.TempDir(), "incident.png")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("TFTSR_SCREENSHOT_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "incident.png"), shot, 0o644)
	}
	t.Logf("screenshot of the incident page: %s (%d bytes)", shotPath, len(shot))

	mustDo(t, ctx, "sign out",
		click("[data-testid=logout]"),
		waitVisible("#login-submit"),
		navigate(p.URL+"/"),
		waitVisible("#login-submit"),
	)
}

// waitHTMXIdle waits until htmx has no request in flight and has settled its last swap, so that
// the swapped-in elements have their triggers, as they would for a person who reads first.
func waitHTMXIdle(t *testing.T, ctx context.Context) {
	t.Helper()
	waitFor(t, ctx, "htmx to settle", `document.querySelectorAll(".htmx-request, .htmx-settling, .htmx-swapping, .htmx-added").length === 0`)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pasteImageJS defines window.pasteTestImage(target): it draws a 640 × 360 PNG on a canvas, puts
// it on a DataTransfer as a File and dispatches a paste event carrying it on target (the
// document when none), as a browser does for a screenshot pasted from the clipboard. It
// resolves to dispatchEvent's answer: false when the page handled the paste.
const pasteImageJS = `window.pasteTestImage = async (target) => {
	const canvas = document.createElement("canvas");
	canvas.width = 640;
	canvas.height = 360;
	const g = canvas.getContext("2d");
	g.fillStyle = "#1e293b";
	g.fillRect(0, 0, 640, 360);
	g.fillStyle = "#e2e8f0";
	g.font = "bold 30px sans-serif";
	g.fillText("/var on db01: 98% used", 30, 60);
	[40, 70, 120, 210, 290].forEach((h, i) => {
		g.fillStyle = i === 4 ? "#ef4444" : "#38bdf8";
		g.fillRect(40 + i * 115, 340 - h, 80, h);
	});
	const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
	const dt = new DataTransfer();
	dt.items.add(new File([blob], "image.png", {type: "image/png"}));
	return (target || document).dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
};`

// TestImagePasteEndToEnd pastes a screenshot onto an incident page in Chromium: refused until
// the warning is acknowledged, ignored in a text field, then uploaded, shown in the gallery
// with a thumbnail that loads, opened full size in the dialog, and deleted.
func TestImagePasteEndToEnd(t *testing.T) {
	p := startPortal(t)
	ctx := newBrowser(t)

	p.signIn(t, ctx, "/issues/new", "#issue-title")
	mustDo(t, ctx, "create an incident",
		sendKeys("#issue-title", "Disk full on db01"),
		click("#issue-save"),
		waitVisible(`#issue-panel[data-tab="overview"]`),
		openTab("images"),
		waitVisible("#image-drop"),
	)
	waitHTMXIdle(t, ctx)
	evalBool := func(what, expr string) bool {
		t.Helper()
		return mustEval[bool](t, ctx, what, expr, chromedp.EvalAwaitPromise)
	}
	evalBool("define the paste helper", pasteImageJS+" true")

	if evalBool("paste before acknowledging", `pasteTestImage()`) {
		t.Error("the page did not handle a pasted image")
	}
	if got := mustText(t, ctx, "#image-status"); !strings.Contains(got, "Tick the box") {
		t.Errorf("status after a paste without acknowledgement: %q", got)
	}

	mustDo(t, ctx, "acknowledge the warning", click("#image-ack"))
	evalBool("add a text field", `(() => { const i = document.createElement("input"); i.id = "paste-field"; document.getElementById("images").append(i); return true; })()`)
	if !evalBool("paste into a text field", `pasteTestImage(document.getElementById("paste-field"))`) {
		t.Error("a paste into a text field was taken as an image upload")
	}
	if evalBool("paste on the page", `pasteTestImage()`) {
		t.Error("the page did not handle the pasted image")
	}
	waitFor(t, ctx, "the pasted image's thumbnail to load", `(() => {
		const img = document.querySelector("#image-gallery img[data-testid=image-thumb]");
		return !!img && img.complete && img.naturalWidth > 0;
	})()`)
	waitFor(t, ctx, "the images' count in the tab bar", `(document.querySelector("[data-testid=tab-count-images]") || {}).textContent === "1"`)
	waitHTMXIdle(t, ctx)
	if n := evalBool("one thumbnail", `document.querySelectorAll("#image-gallery img[data-testid=image-thumb]").length === 1`); !n {
		t.Error("want exactly one image in the gallery: the paste into the text field must not upload")
	}
	if !evalBool("thumbnail size", `document.querySelector("#image-gallery img[data-testid=image-thumb]").naturalWidth === 320`) {
		t.Error("the thumbnail is not 320 pixels wide")
	}
	if name := mustText(t, ctx, "#image-gallery [data-testid=image-name]"); !strings.HasPrefix(name, "pasted-image-") || !strings.HasSuffix(name, ".png") {
		t.Errorf("pasted image named %q, want pasted-image-<time>.png", name)
	}
	if got := mustText(t, ctx, "#image-status"); got != "Image uploaded." {
		t.Errorf("status %q, want Image uploaded.", got)
	}

	shoot := func(name string) {
		t.Helper()
		shot := mustRun(t, ctx, "taking the screenshot "+name, chromedp.CaptureScreenshot())
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		if dir := os.Getenv("TFTSR_SCREENSHOT_DIR"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, name), shot, 0o644)
		}
		t.Logf("screenshot: %s (%d bytes)", path, len(shot))
	}
	mustDo(t, ctx, "show the images section",
		viewport(1280, 1500),
		js(`document.getElementById("images").scrollIntoView({block: "start"})`),
	)
	shoot("images.png")

	mustDo(t, ctx, "open the image full size", click("#image-gallery a.image-open"))
	waitFor(t, ctx, "the dialog with the full-size image", `(() => {
		const img = document.getElementById("image-dialog-img");
		return document.getElementById("image-dialog").open && img.complete && img.naturalWidth === 640;
	})()`)
	shoot("image-dialog.png")
	mustDo(t, ctx, "close the dialog", click("#image-dialog .image-dialog-close"))
	waitFor(t, ctx, "the dialog to close", `!document.getElementById("image-dialog").open`)

	evalBool("remember the thumbnail's URL", `(window.thumbURL = document.querySelector("#image-gallery img[data-testid=image-thumb]").src, true)`)
	mustDo(t, ctx, "delete the image",
		js(`window.confirm = () => true`),
		click("#image-gallery [data-testid=image-delete]"),
	)
	waitFor(t, ctx, "the empty gallery", `!!document.querySelector("#image-gallery .empty")`)
	if !evalBool("the deleted thumbnail is gone", `fetch(window.thumbURL, {cache: "no-store"}).then(r => r.status === 404)`) {
		t.Error("the deleted image's thumbnail is still served")
	}
}

// e2eSecretLog is a log with values that must never reach the redacted view.
const e2eSecretLog = `2026-03-01T09:14:02Z checkout-api[311]: INFO payment authorised for maria.lopez@example.com
2026-03-01T09:14:03Z checkout-api[311]: WARN upstream 203.0.113.77 slow (2300 ms)
2026-03-01T09:14:04Z checkout-api[311]: DEBUG retrying with password=Tr0ub4dor&3 on db-primary
2026-03-01T09:14:05Z checkout-api[311]: ERROR gateway said 502 <script>alert(1)</script>
`

// TestLogsEndToEnd uploads a log with secrets through the incident page in Chromium, reviews
// it (keeping one false positive), applies the redactions and checks that the View dialog
// shows tokens, never the secrets.
func TestLogsEndToEnd(t *testing.T) {
	p := startPortal(t)
	ctx := newBrowser(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "checkout-api.log")
	if err := os.WriteFile(logPath, []byte(e2eSecretLog), 0o644); err != nil {
		t.Fatal(err)
	}
	shoot := func(name string) {
		t.Helper()
		shot := mustRun(t, ctx, "taking the screenshot "+name, chromedp.CaptureScreenshot())
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		if d := os.Getenv("TFTSR_SCREENSHOT_DIR"); d != "" {
			_ = os.WriteFile(filepath.Join(d, name), shot, 0o644)
		}
		t.Logf("screenshot: %s (%d bytes)", path, len(shot))
	}
	evalString := func(what, expr string) string {
		t.Helper()
		return mustEval[string](t, ctx, what, expr)
	}

	p.signIn(t, ctx, "/issues/new", "#issue-title", viewport(1280, 1500))
	mustDo(t, ctx, "create an incident",
		sendKeys("#issue-title", "Checkout errors after the 09:10 deploy"),
		click("#issue-save"),
		waitVisible(`#issue-panel[data-tab="overview"]`),
		openTab("logs"),
		waitVisible("#log-drop"),
	)
	waitHTMXIdle(t, ctx)

	mustDo(t, ctx, "choose the log file", uploadFiles("#log-file", logPath))
	waitFor(t, ctx, "the upload to finish", `!!document.querySelector("#log-uploads .log-upload-item.ok")`)
	waitFor(t, ctx, "the log in the list", `!!document.querySelector("#log-list [data-testid=log-row]")`)
	waitFor(t, ctx, "the logs' count in the tab bar", `(document.querySelector("[data-testid=tab-count-logs]") || {}).textContent === "1"`)
	waitHTMXIdle(t, ctx)
	if got := mustText(t, ctx, "#log-list [data-testid=log-name]"); got != "checkout-api.log" {
		t.Errorf("log name %q", got)
	}
	if got := mustText(t, ctx, "#log-list [data-testid=log-status]"); got != "To review" {
		t.Errorf("status %q, want To review", got)
	}
	if v := evalString("the progress bar", `String(document.querySelector("#log-uploads progress").value)`); v != "100" {
		t.Errorf("progress bar at %s, want 100", v)
	}

	mustDo(t, ctx, "scroll to the logs", js(`document.getElementById("logs").scrollIntoView({block: "start"})`))
	shoot("log-list.png")

	// Before review, View shows every detected value redacted.
	mustDo(t, ctx, "open the view dialog", click("#log-list [data-testid=log-view]"))
	waitFor(t, ctx, "the dialog", `!!document.querySelector("#log-dialog[open]")`)
	preview := mustText(t, ctx, "#log-dialog [data-testid=log-dialog-text]")
	for _, secret := range []string{"maria.lopez@example.com", "203.0.113.77", "Tr0ub4dor&3"} {
		if strings.Contains(preview, secret) {
			t.Errorf("the preview shows %q", secret)
		}
	}
	if !strings.Contains(preview, "[Email]") || !strings.Contains(preview, "<script>alert(1)</script>") {
		t.Errorf("preview %q: want tokens, and markup shown as text", preview)
	}
	mustDo(t, ctx, "scroll to the logs", js(`document.getElementById("logs").scrollIntoView({block: "start"})`))
	shoot("log-preview.png")
	mustDo(t, ctx, "close the dialog", click("#log-dialog .log-dialog-close"))
	waitFor(t, ctx, "the dialog to close", `!document.querySelector("#log-dialog[open]")`)

	// Review: the IP address is a documentation address, keep it; redact the rest; apply.
	mustDo(t, ctx, "open the review page",
		click("#log-list [data-testid=log-review-link]"),
		waitVisible("#apply-redactions"),
		click("[data-testid=tab-text]"),
		waitVisible("[data-testid=log-text]"),
	)
	if got := mustText(t, ctx, "[data-testid=log-text] mark.pii-on[data-pii-type=Email]"); got != "maria.lopez@example.com" {
		t.Errorf("highlighted e-mail %q", got)
	}
	mustDo(t, ctx, "keep the IP address",
		click(`#log-review tr[data-pii-type=IPv4] [data-testid="review-false-IPv4"]`))
	waitFor(t, ctx, "the IP address kept", `!!document.querySelector("[data-testid=log-text] mark.pii-off[data-pii-type=IPv4]")`)
	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "redact every e-mail address",
		click(`#log-review tr[data-pii-type=Email] [data-testid="review-true-Email"]`))
	waitHTMXIdle(t, ctx)
	shoot("log-review.png")
	mustDo(t, ctx, "apply the redactions",
		js(`window.confirm = () => true`),
		click("#apply-redactions"),
	)
	waitFor(t, ctx, "the redacted notice", `!!document.querySelector("[data-testid=redacted-notice]")`)
	waitHTMXIdle(t, ctx)
	text := mustText(t, ctx, "[data-testid=log-text]")
	if strings.Contains(text, "maria.lopez") || strings.Contains(text, "Tr0ub4dor") || !strings.Contains(text, "203.0.113.77") {
		t.Errorf("redacted page text %q", text)
	}
	shoot("log-redacted.png")

	// Back on the incident: View shows the redacted text with tokens.
	mustDo(t, ctx, "go back to the incident",
		click("[data-testid=log-issue-link]"),
		waitVisible("#log-list [data-testid=log-view]"),
	)
	waitHTMXIdle(t, ctx)
	// Reviewed and redacted are two things: the review is done, and it redacted some values
	// and kept the address.
	if got := mustText(t, ctx, "#log-list [data-testid=log-reviewed]"); got != "Reviewed" {
		t.Errorf("review state %q, want Reviewed", got)
	}
	if got := mustText(t, ctx, "#log-list [data-testid=log-redacted]"); got != "2 redacted" {
		t.Errorf("redaction state %q, want 2 redacted (the e-mail address and the password)", got)
	}
	if got := mustText(t, ctx, "#log-list [data-testid=log-kept]"); got != "1 kept" {
		t.Errorf("kept %q, want 1 kept", got)
	}
	mustDo(t, ctx, "view the redacted log", click("#log-list [data-testid=log-view]"))
	waitFor(t, ctx, "the dialog", `!!document.querySelector("#log-dialog[open]")`)
	view := mustText(t, ctx, "#log-dialog [data-testid=log-dialog-text]")
	for _, want := range []string{"[Email]", "[Password]", "203.0.113.77"} {
		if !strings.Contains(view, want) {
			t.Errorf("the redacted view lacks %q: %q", want, view)
		}
	}
	for _, secret := range []string{"maria.lopez@example.com", "Tr0ub4dor&3"} {
		if strings.Contains(view, secret) {
			t.Errorf("the redacted view shows %q", secret)
		}
	}
	if n := evalString("highlighted tokens", `String(document.querySelectorAll("#log-dialog mark.pii-token").length)`); n != "2" {
		t.Errorf("%s highlighted tokens, want 2", n)
	}
	shoot("log-view.png")
	mustDo(t, ctx, "close the dialog", click("#log-dialog .log-dialog-close"))
	waitFor(t, ctx, "the dialog to close", `!document.querySelector("#log-dialog[open]")`)
	mustDo(t, ctx, "open the timeline", openTab("timeline"))
	events := mustEval[[]string](t, ctx, "reading the timeline",
		`[...document.querySelectorAll("[data-testid=timeline] li")].map(li => li.dataset.eventType)`)
	for _, want := range []string{"log_uploaded", "pii_redacted"} {
		if !contains(events, want) {
			t.Errorf("timeline %v lacks %s", events, want)
		}
	}
}
