package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"
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
}

// startPortal runs the real program on 127.0.0.1:0 against the test services and returns once
// it serves.
func startPortal(t *testing.T) *portal {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL":        newDatabase(t),
		"TFTSR_S3_ENDPOINT":   requireEnv(t, "TEST_S3_ENDPOINT"),
		"TFTSR_S3_ACCESS_KEY": requireEnv(t, "TEST_S3_ACCESS_KEY"),
		"TFTSR_S3_SECRET_KEY": requireEnv(t, "TEST_S3_SECRET_KEY"),
		"TFTSR_S3_BUCKET":     "e2e-" + strings.ToLower(rand.Text()[:10]),
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] },
			strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})

	p := &portal{env: env}
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
				t.Fatalf("serve stopped before serving: %v", <-done)
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

// newBrowser starts headless Chromium for a test. The browser is closed before the portal.
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

func mustDo(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func mustText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// waitFor polls a JavaScript condition until it is true.
func waitFor(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// TestEndToEnd drives the real portal in Chromium the way a responder works an incident: sign
// in, create an incident, find it through the header search, walk two whys, resolve it, read the
// timeline, sign out.
func TestEndToEnd(t *testing.T) {
	p := startPortal(t)
	ctx := newBrowser(t)

	mustDo(t, ctx, "sign in",
		chromedp.Navigate(p.URL+"/issues"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), p.AdminPassword),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=new-issue]")),
	)
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/issues") {
		t.Errorf("after sign-in at %s, want the page asked for (/issues)", loc)
	}

	title := "Checkout latency spike <b>on</b> payments-gateway"
	mustDo(t, ctx, "create an incident",
		chromedp.Click(chromedp.CSS("[data-testid=new-issue]")),
		chromedp.WaitVisible(chromedp.CSS("#issue-title")),
		chromedp.SendKeys(chromedp.CSS("#issue-title"), title),
		chromedp.SendKeys(chromedp.CSS("#issue-description"), "Customers saw **timeouts** from the zanzibarqueue consumer after the deploy."),
		chromedp.SetValue(chromedp.CSS("#issue-severity"), "high"),
		chromedp.SetValue(chromedp.CSS("#issue-category"), "application"),
		chromedp.Click(chromedp.CSS("#issue-save")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=issue-title]")),
	)
	if got := mustText(t, ctx, "[data-testid=issue-title]"); got != title {
		t.Errorf("incident title %q, want %q (shown as text, not markup)", got, title)
	}
	if got := mustText(t, ctx, "[data-testid=description] strong"); got != "timeouts" {
		t.Errorf("description Markdown: strong text %q, want %q", got, "timeouts")
	}

	mustDo(t, ctx, "find it through the header search",
		chromedp.Navigate(p.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#header-search")),
		chromedp.SendKeys(chromedp.CSS("#header-search"), "zanzibarqueue"),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=search-dropdown] a.result")),
	)
	if got := mustText(t, ctx, "[data-testid=search-dropdown] mark"); !strings.EqualFold(got, "zanzibarqueue") {
		t.Errorf("highlighted search word %q, want zanzibarqueue", got)
	}
	mustDo(t, ctx, "open the search result",
		chromedp.Click(chromedp.CSS("[data-testid=search-dropdown] a.result")),
		chromedp.WaitVisible(chromedp.CSS("#why-question")),
	)

	whys := []struct{ q, a string }{
		{"Why did checkout time out?", "The payments gateway waited on the queue consumer."},
		{"Why did the consumer stall?", "Its connection pool was exhausted after the deploy."},
	}
	for i, w := range whys {
		n := fmt.Sprint(i + 1)
		mustDo(t, ctx, "add why "+n,
			chromedp.WaitVisible(chromedp.CSS("#why-question")),
			chromedp.SendKeys(chromedp.CSS("#why-question"), w.q),
			chromedp.SendKeys(chromedp.CSS("#why-answer"), w.a),
			chromedp.Click(chromedp.CSS("#why-add")),
			chromedp.WaitVisible(chromedp.CSS("[data-testid=why-"+n+"]")),
		)
		waitHTMXIdle(t, ctx)
	}
	if got := mustText(t, ctx, "[data-testid=why-level]"); got != "Why level 2 of 5" {
		t.Errorf("why level %q, want %q", got, "Why level 2 of 5")
	}

	waitHTMXIdle(t, ctx)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const s = document.getElementById("status-select");
		s.value = "resolved";
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`)); err != nil {
		t.Fatalf("changing status: %v", err)
	}
	waitFor(t, ctx, "the status badge to say Resolved",
		`document.querySelector("[data-testid=issue-status]").textContent.trim() === "Resolved"`)

	events, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("[data-testid=timeline] li")].map(li => li.dataset.eventType)`))
	if err != nil {
		t.Fatal(err)
	}
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
	mustDo(t, ctx, "resize for the screenshot", chromedp.EmulateViewport(1280, 1500))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	shotPath := filepath.Join(t.TempDir(), "incident.png")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("TFTSR_SCREENSHOT_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "incident.png"), shot, 0o644)
	}
	t.Logf("screenshot of the incident page: %s (%d bytes)", shotPath, len(shot))

	mustDo(t, ctx, "sign out",
		chromedp.Click(chromedp.CSS("[data-testid=logout]")),
		chromedp.WaitVisible(chromedp.CSS("#login-submit")),
		chromedp.Navigate(p.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#login-submit")),
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
