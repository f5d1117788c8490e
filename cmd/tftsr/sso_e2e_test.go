package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tftsr/integrations/oidc/oidctest"
)

// TestSSOEndToEnd: with single sign-on configured, a visitor clicks "Sign in with …" on the
// sign-in page, the (fake) identity provider signs them in, and they land signed in as a user
// made just in time with the role their group maps to.
func TestSSOEndToEnd(t *testing.T) {
	idp := oidctest.New(t)
	idp.SignInAs(map[string]any{"sub": "sam-1", "preferred_username": "sam", "name": "Sam Sentinel",
		"email": "sam@example.com", "email_verified": true, "groups": []string{"staff", "sre"}})
	// The redirect URL is registered before the start, so the portal's address is chosen now.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := startPortal(t, map[string]string{
		"TFTSR_ADDR":               addr,
		"TFTSR_BASE_URL":           "http://" + addr,
		"TFTSR_OIDC_ISSUER":        idp.Issuer(),
		"TFTSR_OIDC_CLIENT_ID":     oidctest.ClientID,
		"TFTSR_OIDC_CLIENT_SECRET": oidctest.ClientSecret,
		"TFTSR_OIDC_NAME":          "Example ID",
		"TFTSR_OIDC_ROLE_CLAIM":    "groups",
		"TFTSR_OIDC_ROLE_MAP":      "tftsr-admins=admin,sre=responder,staff=viewer",
		"TFTSR_LOCAL_LOGIN":        "off",
		"TFTSR_BREAK_GLASS_USERS":  "admin",
	})
	ctx := newBrowser(t)

	dir := os.Getenv("TFTSR_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustDo(t, ctx, "open the sign-in page", navigate(p.URL+"/login?next=/issues"), waitVisible("#sso-login"))
	if n := mustEval[int](t, ctx, "count password fields", `document.querySelectorAll("#password").length`); n != 0 {
		t.Errorf("%d password fields with password sign-in off, want 0", n)
	}
	if txt := mustText(t, ctx, "#sso-login"); txt != "Sign in with Example ID" {
		t.Errorf("button %q", txt)
	}
	for _, w := range []struct {
		width, height int64
		name          string
	}{{1280, 800, "login-1280.png"}, {390, 844, "login-390.png"}} {
		mustDo(t, ctx, "resize for the screenshot", viewport(w.width, w.height), waitVisible("#break-glass-link"))
		shot := mustRun(t, ctx, "taking a screenshot", chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(dir, w.name), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustDo(t, ctx, "sign in with the identity provider",
		viewport(1280, 800),
		click("#sso-login"),
		waitVisible("[data-testid=logout]"),
	)
	if who := mustText(t, ctx, ".who"); who != "Sam Sentinel" {
		t.Errorf("signed in as %q, want Sam Sentinel", who)
	}
	if role := mustText(t, ctx, ".role"); role != "responder" {
		t.Errorf("role %q, want responder", role)
	}
	if path := mustEval[string](t, ctx, "read the path", `location.pathname`); path != "/issues" {
		t.Errorf("landed on %s, want /issues (next)", path)
	}

	// The break-glass admin still has a password.
	mustDo(t, ctx, "sign out", click("[data-testid=logout]"), waitVisible("#break-glass-link"))
	mustDo(t, ctx, "break-glass sign-in",
		click("#break-glass-link"),
		waitVisible("#username"),
		sendKeys("#username", "admin"),
		sendKeys("#password", p.AdminPassword),
		click("#login-submit"),
		waitVisible("[data-testid=logout]"),
	)
	if role := mustText(t, ctx, ".role"); !strings.Contains(role, "admin") {
		t.Errorf("break-glass role %q, want admin", role)
	}
}

// TestSSOWithPasswordsEndToEnd: with single sign-on and password sign-in both on, the sign-in
// page offers the button above the password form, and the password still signs in.
func TestSSOWithPasswordsEndToEnd(t *testing.T) {
	idp := oidctest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := startPortal(t, map[string]string{
		"TFTSR_ADDR": addr, "TFTSR_BASE_URL": "http://" + addr,
		"TFTSR_OIDC_ISSUER": idp.Issuer(), "TFTSR_OIDC_CLIENT_ID": oidctest.ClientID,
		"TFTSR_OIDC_CLIENT_SECRET": oidctest.ClientSecret, "TFTSR_OIDC_NAME": "Example ID",
	})
	ctx := newBrowser(t)
	dir := os.Getenv("TFTSR_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustDo(t, ctx, "open the sign-in page", navigate(p.URL+"/login"), waitVisible("#sso-login"), waitVisible("#password"))
	for _, w := range []struct {
		width, height int64
		name          string
	}{{1280, 800, "login-sso-password-1280.png"}, {390, 844, "login-sso-password-390.png"}} {
		mustDo(t, ctx, "resize for the screenshot", viewport(w.width, w.height), waitVisible("#login-submit"))
		shot := mustRun(t, ctx, "taking a screenshot", chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(dir, w.name), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p.signIn(t, ctx, "/", "[data-testid=logout]", viewport(1280, 800))
}
