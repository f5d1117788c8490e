package handlers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tftsr/domain"
)

// TestCSRFTokenLivesInTheSession: the CSRF token is the server-side session's, so a token the
// client makes up (a planted cookie, say) is worthless whatever Sec-Fetch-Site says, a token
// works only in the session it was made for, and it changes when the session's user does.
func TestCSRFTokenLivesInTheSession(t *testing.T) {
	p := newTestPortal(t)
	issue := func(c *client, token string, header http.Header) *response {
		b, _ := json.Marshal(map[string]string{"title": "Queue backlog", "severity": "low"})
		h := http.Header{"Content-Type": {"application/json"}, "X-Csrf-Token": {token}}
		for k, v := range header {
			h[k] = v
		}
		return c.do(http.MethodPost, "/api/v1/issues", bytes.NewReader(b), h)
	}
	wantRefused := func(t *testing.T, what string, r *response) {
		t.Helper()
		if r.StatusCode != http.StatusForbidden || apiErrorCode(t, r) != domain.EFORBIDDEN {
			t.Errorf("%s: %d %s, want 403 forbidden", what, r.StatusCode, r.Body)
		}
	}

	t.Run("a planted cookie and Sec-Fetch-Site: same-site are no token", func(t *testing.T) {
		c := p.login(t, "rita")
		u, _ := url.Parse(p.srv.URL)
		const chosen = "attacker-chosen-token-attacker-chosen-token"
		c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "tftsr_csrf", Value: chosen, Path: "/"}})
		wantRefused(t, "API call with the planted token", issue(c, chosen, http.Header{"Sec-Fetch-Site": {"same-site"}}))
		wantRefused(t, "API call with the planted token", issue(c, chosen, nil))
		r := c.postForm("/issues", url.Values{"title": {"Planted"}, "severity": {"low"}, "category": {"other"}, "_csrf": {chosen}}, nil)
		if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "security token") {
			t.Errorf("form with the planted token: %d, want 403 with a message", r.StatusCode)
		}
		if n := p.issueCount(t); n != 0 {
			t.Fatalf("%d incidents stored with a planted CSRF token", n)
		}
	})

	t.Run("another site is refused even with the right token", func(t *testing.T) {
		c := p.login(t, "rita")
		for _, site := range []string{"same-site", "cross-site"} {
			wantRefused(t, "Sec-Fetch-Site: "+site, issue(c, c.csrf(), http.Header{"Sec-Fetch-Site": {site}}))
		}
		if r := issue(c, c.csrf(), http.Header{"Sec-Fetch-Site": {"same-origin"}}); r.StatusCode != http.StatusCreated {
			t.Errorf("same-origin with the token: %d %s, want 201", r.StatusCode, r.Body)
		}
	})

	t.Run("a token works only in its own session", func(t *testing.T) {
		a, b := p.login(t, "rita"), p.login(t, "rita")
		wantRefused(t, "session B with session A's token", issue(b, a.csrf(), nil))
		anon := p.anonymous(t)
		r := anon.postForm("/login", url.Values{"username": {"rita"}, "password": {portalPassword}, "_csrf": {a.csrf()}}, nil)
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("sign-in with another session's token: %d, want 403", r.StatusCode)
		}
	})

	t.Run("the sign-in form needs the token", func(t *testing.T) {
		c := p.anonymous(t)
		c.get("/login", nil)
		r := c.postForm("/login", url.Values{"username": {"rita"}, "password": {portalPassword}}, nil)
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("sign-in without a token: %d, want 403", r.StatusCode)
		}
		if r := c.get("/", nil); r.StatusCode != http.StatusSeeOther {
			t.Errorf("dashboard after a sign-in without a token: %d, want a redirect to sign in", r.StatusCode)
		}
	})

	t.Run("the token changes at sign-in and sign-out", func(t *testing.T) {
		c := p.anonymous(t)
		before := c.csrf()
		r := c.postForm("/login", url.Values{"username": {"rita"}, "password": {portalPassword}, "_csrf": {before}}, nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in: %d", r.StatusCode)
		}
		signedIn := c.csrf()
		if signedIn == before {
			t.Fatalf("the CSRF token is the same before and after sign-in")
		}
		wantRefused(t, "the token from before sign-in", issue(c, before, nil))
		if r := issue(c, signedIn, nil); r.StatusCode != http.StatusCreated {
			t.Errorf("the signed-in token: %d %s, want 201", r.StatusCode, r.Body)
		}
		if r := c.postForm("/logout", url.Values{"_csrf": {signedIn}}, nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-out: %d", r.StatusCode)
		}
		after := c.csrf()
		if after == signedIn || after == before {
			t.Errorf("the CSRF token after sign-out is one handed out before")
		}
		// The signed-in token does not sign anyone out or in any more.
		r = c.postForm("/login", url.Values{"username": {"rita"}, "password": {portalPassword}, "_csrf": {signedIn}}, nil)
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("sign-in with the token of the ended session: %d, want 403", r.StatusCode)
		}
	})
}
