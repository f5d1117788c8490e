package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tftsr/domain"
)

// TestAPITokenScopeAndExpiry: a read-only token reads but changes nothing (403), an expired
// token is refused (401) with a message that says it expired, a use notes the token's last use,
// and the JSON carries the new fields.
func TestAPITokenScopeAndExpiry(t *testing.T) {
	b := buildPortal(t, portalOptions{})
	p := b.portal()
	createTestUsers(t, p.users)
	sys := domain.NewSystemContext(context.Background(), "test")
	rita, err := p.users.FindUserByUsername(sys, "rita")
	if err != nil {
		t.Fatal(err)
	}
	mint := func(nt domain.NewToken) (string, *domain.APIToken) {
		t.Helper()
		tok, rec, err := p.users.CreateToken(sys, rita.ID, nt)
		if err != nil {
			t.Fatal(err)
		}
		return tok, rec
	}
	c := p.anonymous(t)

	read, readRec := mint(domain.NewToken{Name: "dashboards", Scope: domain.TokenRead})
	if r := c.api(http.MethodGet, "/api/v1/issues", read, nil); r.StatusCode != http.StatusOK {
		t.Errorf("read-only token, GET: %d %s", r.StatusCode, r.Body)
	}
	for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete} {
		r := c.api(m, "/api/v1/issues", read, map[string]string{"title": "x", "severity": "low"})
		if r.StatusCode != http.StatusForbidden || apiErrorCode(t, r) != domain.EFORBIDDEN || !strings.Contains(r.Body, "read-only") {
			t.Errorf("read-only token, %s: %d %s, want 403 saying it is read-only", m, r.StatusCode, r.Body)
		}
	}
	if n := p.issueCount(t); n != 0 {
		t.Fatalf("%d incidents made with a read-only token", n)
	}

	write, _ := mint(domain.NewToken{Name: "ci", Scope: domain.TokenWrite, Lifetime: 30 * 24 * time.Hour})
	if r := c.api(http.MethodPost, "/api/v1/issues", write, map[string]string{"title": "Disk full", "severity": "low"}); r.StatusCode != http.StatusCreated {
		t.Errorf("read-write token, POST: %d %s", r.StatusCode, r.Body)
	}

	tokens, err := p.users.FindTokens(sys, rita.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tokens {
		if tk.ID == readRec.ID && tk.LastUsedAt == nil {
			t.Error("the read-only token's last use was not noted")
		}
	}

	// An expired token: its time is moved into the past behind the portal's back.
	if _, err := b.db.Pool.Exec(context.Background(), `UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1`, readRec.ID); err != nil {
		t.Fatal(err)
	}
	r := c.api(http.MethodGet, "/api/v1/me", read, nil)
	if r.StatusCode != http.StatusUnauthorized || apiErrorCode(t, r) != domain.EUNAUTHORIZED || !strings.Contains(r.Body, "expired on") {
		t.Errorf("expired token: %d %s, want 401 saying it expired", r.StatusCode, r.Body)
	}
}

// TestTokensRevokedByAdmin: an admin's password reset and disabling a user through the users
// page revoke all the user's tokens; enabling the user again brings none back.
func TestTokensRevokedByAdmin(t *testing.T) {
	p := newTestPortal(t)
	sys := domain.NewSystemContext(context.Background(), "test")
	rita, err := p.users.FindUserByUsername(sys, "rita")
	if err != nil {
		t.Fatal(err)
	}
	c := p.anonymous(t)
	works := func(tok string) bool {
		return c.api(http.MethodGet, "/api/v1/me", tok, nil).StatusCode == http.StatusOK
	}
	admin := p.login(t, "admin")

	tok := p.token(t, "rita")
	if !works(tok) {
		t.Fatal("a new token does not work")
	}
	r := admin.postForm("/admin/users/"+rita.ID+"/password", url.Values{"password": {"Vq7#mK2p!xLr tangerine"}, "_csrf": {admin.csrf()}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("password reset: %d %s", r.StatusCode, r.Body)
	}
	if works(tok) {
		t.Error("rita's token still works after an admin reset her password")
	}

	tok = p.token(t, "rita")
	for _, disabled := range []string{"true", "false"} {
		r := admin.postForm("/admin/users/"+rita.ID, url.Values{"disabled": {disabled}, "_csrf": {admin.csrf()}}, nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("disabled=%s: %d %s", disabled, r.StatusCode, r.Body)
		}
	}
	if works(tok) {
		t.Error("rita's token works again after she was disabled and enabled")
	}
}

// TestProfileTokenForm: the profile's token form offers read-only (chosen) and read-write, and
// expiries of 30, 90 (chosen), 365 days or none; a token made with it shows its scope and
// expiry in the list, and a bad expiry is refused on its field.
func TestProfileTokenForm(t *testing.T) {
	p := newTestPortal(t)
	c := p.login(t, "rita")
	page := c.get("/profile", nil)
	for _, want := range []string{
		`<legend>Access</legend>`, `value="read" id="token-scope-read" checked`, `value="write" id="token-scope-write">`,
		`<option value="90" selected>`, `<option value="never">`, `<select name="expires" id="token-expires"`,
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("profile lacks %q", want)
		}
	}

	r := c.postForm("/profile/tokens", url.Values{"name": {"nightly export"}, "scope": {"read"}, "expires": {"30"}, "_csrf": {c.csrf()}}, nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "New token “nightly export”") {
		t.Fatalf("create: %d", r.StatusCode)
	}
	want := time.Now().UTC().Add(30 * 24 * time.Hour).Format("2006-01-02")
	page = c.get("/profile", nil)
	if !strings.Contains(page.Body, `<td data-label="Access" data-testid="token-scope">Read-only</td>`) || !strings.Contains(page.Body, want) {
		t.Errorf("the token list does not show the read-only token expiring on %s:\n%s", want, page.Body)
	}

	r = c.postForm("/profile/tokens", url.Values{"name": {"odd"}, "scope": {"write"}, "expires": {"7"}, "_csrf": {c.csrf()}}, nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="expires-error"`) {
		t.Errorf("expiry of 7 days: %d, want 422 with the field's message", r.StatusCode)
	}
	r = c.postForm("/profile/tokens", url.Values{"name": {"forever"}, "scope": {"write"}, "expires": {"never"}, "_csrf": {c.csrf()}}, nil)
	if r.StatusCode != http.StatusOK {
		t.Errorf("no expiry: %d", r.StatusCode)
	}
}
