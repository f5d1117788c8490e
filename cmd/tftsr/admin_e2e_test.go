package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAdminRoleChangeEndToEnd changes a user's role through the confirmation page in a real
// browser, then reads the change as a sentence in the audit log and opens its raw JSON, and
// takes full-page PNG screenshots (quality 100; less is JPEG) at desktop and phone widths.
func TestAdminRoleChangeEndToEnd(t *testing.T) {
	p := startPortal(t)
	token := p.apiToken(t)
	if out, err := runCLI(t, p.env, "a long enough password\n", "user", "create", "--username", "jane.doe", "--role", "responder", "--password-stdin"); err != nil {
		t.Fatalf("user create: %v %s", err, out)
	}
	var found struct {
		Items []struct{ ID string }
	}
	p.apiCall(t, token, http.MethodGet, "/api/v1/admin/users?q=jane", "", nil, &found)
	if len(found.Items) != 1 {
		t.Fatalf("found %d users for jane", len(found.Items))
	}
	jane := found.Items[0].ID
	p.apiCall(t, token, http.MethodPatch, "/api/v1/admin/users/"+jane, "application/json", strings.NewReader(`{"display_name":"Jane Doe"}`), nil)

	bctx := newBrowser(t)
	dir := os.Getenv("TFTSR_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	shoot := func(name string) {
		t.Helper()
		for _, w := range []int64{1280, 390} {
			mustDo(t, bctx, fmt.Sprintf("resize to %d px for %s", w, name), viewport(w, 900))
			png := mustRun(t, bctx, "taking a screenshot of "+name, chromedp.FullScreenshot(100))
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		mustDo(t, bctx, "back to the desktop width", viewport(1280, 900))
	}

	row := "#user-" + jane
	p.signIn(t, bctx, "/admin/users", row)
	shoot("admin-users")

	mustDo(t, bctx, "choose admin and ask to change the role",
		setValue(row+" [data-testid=role-select]", "admin"),
		click(row+" [data-testid=role-change]"),
		waitVisible("[data-testid=role-confirm]"),
	)
	if got := mustText(t, bctx, "#role-confirm-heading"); got != "Make Jane Doe an admin?" {
		t.Errorf("confirmation asks %q", got)
	}
	shoot("admin-role-confirm")
	mustDo(t, bctx, "confirm", click("#role-confirm"), waitVisible(row))
	if got := mustEval[string](t, bctx, "reading the role", `document.querySelector("`+row+` [data-testid=role-select]").value`); got != "admin" {
		t.Errorf("after confirming, the role shows %q", got)
	}

	mustDo(t, bctx, "open the audit log", navigate(p.URL+"/admin/audit?action=user.update"), waitVisible("td.audit-sentence"))
	if got := mustText(t, bctx, "td.audit-sentence"); got != "Administrator changed the role of Jane Doe from Responder to Admin" {
		t.Errorf("audit sentence %q", got)
	}
	mustDo(t, bctx, "expand the raw JSON", click("details.audit-raw summary"), waitVisible("details.audit-raw[open] code"))
	if got := mustText(t, bctx, "details.audit-raw[open] code"); !strings.Contains(got, `"role": {`) {
		t.Errorf("raw JSON %q", got)
	}
	mustDo(t, bctx, "show the whole log", navigate(p.URL+"/admin/audit"), waitVisible("td.audit-sentence"),
		click("details.audit-raw summary"), waitVisible("details.audit-raw[open] code"))
	shoot("admin-audit")
}
