package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tftsr/domain"
	"tftsr/handlers"
	"tftsr/integrations/oidc"
	"tftsr/integrations/oidc/oidctest"
)

// ssoPortal is a test portal whose single sign-on goes to a fake OpenID Connect provider.
type ssoPortal struct {
	*testPortal
	built *builtPortal
	idp   *oidctest.Provider
}

// testRoles maps the fake's groups as a team would: tftsr-admins are admins, sre responders,
// staff viewers; anybody else is a viewer.
var testRoles = domain.RoleMapping{Claim: "groups", Default: domain.RoleViewer, Values: map[string]domain.Role{
	"tftsr-admins": domain.RoleAdmin, "sre": domain.RoleResponder, "staff": domain.RoleViewer,
}}

func newSSOPortal(t *testing.T, roles domain.RoleMapping, passwords domain.PasswordPolicy) *ssoPortal {
	t.Helper()
	idp := oidctest.New(t)
	provider := oidc.New(oidc.Config{
		Issuer: idp.Issuer(), ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret,
		RedirectURL: "http://portal.test/auth/oidc/callback", RoleClaim: roles.Claim,
	})
	b := buildPortal(t, portalOptions{
		Config: handlers.Config{SSOName: "Example ID", Passwords: passwords},
		SSO: func(users domain.ExternalUsers) *domain.SSOService {
			return domain.NewSSOService(provider, users, roles)
		},
	})
	p := b.portal()
	createTestUsers(t, p.users)
	return &ssoPortal{testPortal: p, built: b, idp: idp}
}

// startSSO asks the portal to start a single sign-on and returns the provider's authorization
// URL it sends the browser to.
func (p *ssoPortal) startSSO(t *testing.T, c *client, next string) string {
	t.Helper()
	path := "/auth/oidc/login"
	if next != "" {
		path += "?next=" + url.QueryEscape(next)
	}
	resp := c.get(path, nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), p.idp.Issuer()+"/authorize?") {
		t.Fatalf("start single sign-on: %d %q, want 303 to the provider\n%s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
	}
	return resp.Header.Get("Location")
}

// atProvider follows the authorization URL at the fake, which signs the person in at once, and
// returns the portal path of the callback it sends the browser back to.
func (p *ssoPortal) atProvider(t *testing.T, authURL string) string {
	t.Helper()
	nofollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := nofollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Path != "/auth/oidc/callback" {
		t.Fatalf("provider: %d %q, want 302 to the callback", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.RequestURI()
}

// ssoLogin runs a whole single sign-on for c and returns the callback's answer.
func (p *ssoPortal) ssoLogin(t *testing.T, c *client, next string) *response {
	t.Helper()
	return c.get(p.atProvider(t, p.startSSO(t, c, next)), nil)
}

// signedInAs returns the display name the dashboard greets c with, or "" when c is not signed in.
func signedIn(t *testing.T, c *client) bool {
	t.Helper()
	return c.get("/", nil).StatusCode == http.StatusOK
}

func (p *ssoPortal) user(t *testing.T, username string) *domain.User {
	t.Helper()
	u, err := p.users.FindUserByUsername(domain.NewSystemContext(context.Background(), "test"), username)
	if err != nil {
		t.Fatalf("find %s: %v", username, err)
	}
	return u
}

// auditCount counts the audit entries of action whose details have method oidc and, when
// contains is set, a details text containing it.
func (p *ssoPortal) auditCount(t *testing.T, action, contains string) int {
	t.Helper()
	var n int
	err := p.built.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
		WHERE action = $1 AND details->>'method' = 'oidc' AND details::text LIKE '%' || $2 || '%'`, action, contains).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSSOCreatesUserJustInTimeThenUpdatesIt(t *testing.T) {
	p := newSSOPortal(t, testRoles, domain.PasswordPolicy{})
	c := p.anonymous(t)
	if !strings.Contains(c.get("/login", nil).Body, `id="sso-login"`) || !strings.Contains(c.get("/login", nil).Body, "Sign in with Example ID") {
		t.Fatal("the sign-in page offers no single sign-on")
	}
	p.idp.SignInAs(map[string]any{"sub": "alice-1", "preferred_username": "alice", "name": "Alice <b>Archer</b>",
		"email": "alice@example.com", "email_verified": true, "groups": []string{"staff", "sre"}})
	resp := p.ssoLogin(t, c, "/issues?status=open")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/issues?status=open" {
		t.Fatalf("callback: %d %q, want 303 to the next page\n%s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
	}
	if !signedIn(t, c) {
		t.Fatal("not signed in after single sign-on")
	}
	u := p.user(t, "alice")
	if u.Role != domain.RoleResponder || u.DisplayName != "Alice <b>Archer</b>" {
		t.Fatalf("new user: role %s, name %q; want responder (highest of staff, sre), Alice <b>Archer</b>", u.Role, u.DisplayName)
	}
	if page := c.get("/", nil).Body; strings.Contains(page, "<b>Archer</b>") {
		t.Error("the display name from the provider is not escaped")
	}
	if n := p.auditCount(t, "session.login", "\"created\":true"); n != 1 {
		t.Errorf("%d audited sign-ins that created a user, want 1", n)
	}
	// The password form cannot be used for the new account: it has no password.
	anon := p.anonymous(t)
	anon.get("/login", nil)
	if r := anon.postForm("/login", url.Values{"username": {"alice"}, "password": {""}, "_csrf": {anon.csrf()}}, nil); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("password sign-in of a single sign-on user: %d, want 401", r.StatusCode)
	}

	// Later: new name, new group; the same account is used and updated.
	p.idp.SignInAs(map[string]any{"sub": "alice-1", "preferred_username": "alice.renamed", "name": "Alice Baker",
		"email": "alice.baker@example.com", "groups": "tftsr-admins"})
	c2 := p.anonymous(t)
	if resp := p.ssoLogin(t, c2, ""); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("second sign-in: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
	}
	u2 := p.user(t, "alice")
	if u2.ID != u.ID || u2.Role != domain.RoleAdmin || u2.DisplayName != "Alice Baker" {
		t.Fatalf("after the second sign-in: id %s role %s name %q; want the same user as admin named Alice Baker", u2.ID, u2.Role, u2.DisplayName)
	}
	var email string
	if err := p.built.db.Pool.QueryRow(context.Background(), `SELECT email FROM user_identities WHERE subject = 'alice-1'`).Scan(&email); err != nil || email != "alice.baker@example.com" {
		t.Errorf("stored e-mail %q (%v), want the new one", email, err)
	}
	if n := p.auditCount(t, "session.login", ""); n != 2 {
		t.Errorf("%d audited single sign-ins, want 2", n)
	}
	var roleChanges int
	if err := p.built.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'user.update'
		AND entity_id = $1 AND details::text LIKE '%"role"%'`, u.ID).Scan(&roleChanges); err != nil || roleChanges != 1 {
		t.Errorf("%d audited role changes (%v), want 1", roleChanges, err)
	}
}

func TestSSORefusesDisabledUser(t *testing.T) {
	p := newSSOPortal(t, testRoles, domain.PasswordPolicy{})
	p.idp.SignInAs(map[string]any{"sub": "dan-1", "preferred_username": "dan", "groups": []string{"sre"}})
	if resp := p.ssoLogin(t, p.anonymous(t), ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d", resp.StatusCode)
	}
	disabled := true
	if _, err := p.users.UpdateUser(domain.NewSystemContext(context.Background(), "test"), p.user(t, "dan").ID,
		domain.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	c := p.anonymous(t)
	resp := p.ssoLogin(t, c, "")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, "disabled") {
		t.Fatalf("disabled user: %d, want 403 saying the account is disabled\n%s", resp.StatusCode, resp.Body)
	}
	if signedIn(t, c) {
		t.Fatal("a disabled user was signed in")
	}
	if n := p.auditCount(t, "session.login_failed", "disabled"); n != 1 {
		t.Errorf("%d audited refusals of the disabled user, want 1", n)
	}
}

func TestSSORefusesBadIDTokens(t *testing.T) {
	p := newSSOPortal(t, testRoles, domain.PasswordPolicy{})
	for _, tc := range []struct {
		name string
		tok  oidctest.Token
		want string
	}{
		{"signed by another key", oidctest.Token{OtherKey: true}, "signature does not match"},
		{"wrong audience", oidctest.Token{Audience: "another-app"}, "issued for another application"},
		{"expired", oidctest.Token{Expired: true}, "expired"},
		{"nonce mismatch", oidctest.Token{Nonce: "not-the-nonce"}, "nonce does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := "mallory-" + strings.ReplaceAll(tc.name, " ", "-")
			p.idp.SignInAs(map[string]any{"sub": sub, "preferred_username": sub, "groups": []string{"tftsr-admins"}})
			p.idp.NextToken(tc.tok)
			defer p.idp.NextToken(oidctest.Token{})
			c := p.anonymous(t)
			resp := p.ssoLogin(t, c, "")
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, tc.want) {
				t.Fatalf("%d, want 400 saying %q\n%s", resp.StatusCode, tc.want, resp.Body)
			}
			if signedIn(t, c) {
				t.Fatal("signed in with a bad token")
			}
			if _, err := p.users.FindUserByUsername(domain.NewSystemContext(context.Background(), "test"), sub); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("a user was stored for a bad token: %v", err)
			}
			if n := p.auditCount(t, "session.login_failed", tc.want); n != 1 {
				t.Errorf("%d audited refusals, want 1", n)
			}
		})
	}
	// The same provider then signs a good token in.
	p.idp.SignInAs(map[string]any{"sub": "good-1", "preferred_username": "good"})
	if resp := p.ssoLogin(t, p.anonymous(t), ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good token after bad ones: %d\n%s", resp.StatusCode, resp.Body)
	}
}

func TestSSORefusesReplayedAndForeignState(t *testing.T) {
	p := newSSOPortal(t, testRoles, domain.PasswordPolicy{})
	p.idp.SignInAs(map[string]any{"sub": "eve-1", "preferred_username": "eve"})

	// A callback replayed in the session that used it.
	c := p.anonymous(t)
	callback := p.atProvider(t, p.startSSO(t, c, ""))
	if resp := c.get(callback, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first callback: %d", resp.StatusCode)
	}
	c.postForm("/logout", url.Values{"_csrf": {c.csrf()}}, nil)
	if resp := c.get(callback, nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, "already used") {
		t.Fatalf("replayed state: %d, want 400\n%s", resp.StatusCode, resp.Body)
	}
	if signedIn(t, c) {
		t.Fatal("a replayed callback signed in")
	}

	// A callback of one browser's sign-in arriving in another browser's session.
	victim, attacker := p.anonymous(t), p.anonymous(t)
	attacker.get("/login", nil)
	stolen := p.atProvider(t, p.startSSO(t, victim, ""))
	if resp := attacker.get(stolen, nil); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("state of another session: %d, want 400\n%s", resp.StatusCode, resp.Body)
	}
	if signedIn(t, attacker) {
		t.Fatal("another session's callback signed in")
	}

	// A state that differs from the one this session started.
	c3 := p.anonymous(t)
	cb := p.atProvider(t, p.startSSO(t, c3, ""))
	u, _ := url.Parse(cb)
	q := u.Query()
	q.Set("state", "forged")
	u.RawQuery = q.Encode()
	if resp := c3.get(u.RequestURI(), nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, "does not match") {
		t.Fatalf("forged state: %d, want 400\n%s", resp.StatusCode, resp.Body)
	}
	// The refused flow is gone too: its real callback no longer works.
	if resp := c3.get(cb, nil); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("callback after a refused one: %d, want 400", resp.StatusCode)
	}

	// An error from the provider.
	c4 := p.anonymous(t)
	auth, _ := url.Parse(p.startSSO(t, c4, ""))
	state := auth.Query().Get("state")
	resp := c4.get("/auth/oidc/callback?"+url.Values{"state": {state}, "error": {"access_denied"},
		"error_description": {"<script>alert(1)</script>"}}.Encode(), nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, "access_denied") || strings.Contains(resp.Body, "<script>alert") {
		t.Fatalf("provider error: %d, want 400 naming the error, escaped\n%s", resp.StatusCode, resp.Body)
	}
	if n := p.idp.Exchanges(); n != 1 {
		t.Errorf("%d codes redeemed, want only the first sign-in's", n)
	}
	// Only the provider's error came back to the flow its session started: that one is audited;
	// the callbacks that match no flow of their session are only logged.
	if n := p.auditCount(t, "session.login_failed", "access_denied"); n != 1 {
		t.Errorf("%d audited refusals naming the provider's error, want 1", n)
	}
	if n := p.auditCount(t, "session.login_failed", ""); n != 1 {
		t.Errorf("%d audited refusals, want only the provider's error", n)
	}
}

func TestSSOProviderDownAtStartThenUp(t *testing.T) {
	p := newSSOPortal(t, testRoles, domain.PasswordPolicy{})
	p.idp.SetDown(true)
	c := p.anonymous(t)
	page := c.get("/login", nil)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `id="sso-unavailable"`) || strings.Contains(page.Body, `id="sso-login"`) {
		t.Fatalf("login page while the provider is down: %d\n%s", page.StatusCode, page.Body)
	}
	if !strings.Contains(page.Body, `id="password"`) {
		t.Fatal("the password form is gone while the provider is down")
	}
	if resp := c.get("/auth/oidc/login", nil); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(resp.Body, "unavailable") {
		t.Fatalf("start while down: %d, want 503\n%s", resp.StatusCode, resp.Body)
	}
	p.idp.SetDown(false)
	if page := c.get("/login", nil); !strings.Contains(page.Body, `id="sso-login"`) {
		t.Fatalf("login page once the provider is up offers no single sign-on\n%s", page.Body)
	}
	p.idp.SignInAs(map[string]any{"sub": "up-1", "preferred_username": "up"})
	if resp := p.ssoLogin(t, c, ""); resp.StatusCode != http.StatusSeeOther || !signedIn(t, c) {
		t.Fatalf("sign-in once the provider is up: %d\n%s", resp.StatusCode, resp.Body)
	}
}

func TestSSOLocalLoginOffExceptBreakGlass(t *testing.T) {
	p := newSSOPortal(t, testRoles, domain.PasswordPolicy{Off: true, BreakGlass: []string{"admin"}})
	c := p.anonymous(t)
	page := c.get("/login", nil)
	if strings.Contains(page.Body, `id="password"`) || !strings.Contains(page.Body, `id="sso-login"`) || !strings.Contains(page.Body, `id="break-glass-link"`) {
		t.Fatalf("login page with passwords off: want only the SSO button and the break-glass link\n%s", page.Body)
	}
	if bg := c.get("/login?break-glass=1", nil); !strings.Contains(bg.Body, `id="password"`) {
		t.Fatal("the break-glass page has no password form")
	}
	resp := c.postForm("/login", url.Values{"username": {"rita"}, "password": {portalPassword}, "_csrf": {c.csrf()}}, nil)
	if resp.StatusCode != http.StatusUnauthorized || signedIn(t, c) {
		t.Fatalf("password sign-in of a user who is not break-glass: %d, want 401", resp.StatusCode)
	}
	resp = c.postForm("/login", url.Values{"username": {"ADMIN"}, "password": {portalPassword}, "_csrf": {c.csrf()}}, nil)
	if resp.StatusCode != http.StatusSeeOther || !signedIn(t, c) {
		t.Fatalf("break-glass sign-in: %d, want 303\n%s", resp.StatusCode, resp.Body)
	}
}

func TestSSORefusesUnmappedUserWithoutDefaultRole(t *testing.T) {
	roles := testRoles
	roles.Default = ""
	p := newSSOPortal(t, roles, domain.PasswordPolicy{})
	p.idp.SignInAs(map[string]any{"sub": "out-1", "preferred_username": "outsider", "groups": []string{"marketing"}})
	c := p.anonymous(t)
	resp := p.ssoLogin(t, c, "")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, "no role in this portal") || signedIn(t, c) {
		t.Fatalf("unmapped user: %d, want 403\n%s", resp.StatusCode, resp.Body)
	}
	if _, err := p.users.FindUserByUsername(domain.NewSystemContext(context.Background(), "test"), "outsider"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("an unmapped user was stored: %v", err)
	}
}

func TestSSOUserNames(t *testing.T) {
	p := newSSOPortal(t, testRoles, domain.PasswordPolicy{})
	// A name held by an account with a password is neither taken over nor linked.
	p.idp.SignInAs(map[string]any{"sub": "other-rita", "preferred_username": "rita", "email": "rita@example.com"})
	c := p.anonymous(t)
	resp := p.ssoLogin(t, c, "")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(resp.Body, "belongs to an account with a password") || signedIn(t, c) {
		t.Fatalf("name of a portal account: %d, want 409\n%s", resp.StatusCode, resp.Body)
	}
	// Two people of the provider with the same name get distinct accounts.
	for i, sub := range []string{"bob-a", "bob-b"} {
		p.idp.SignInAs(map[string]any{"sub": sub, "preferred_username": "Bob Smith!"})
		if resp := p.ssoLogin(t, p.anonymous(t), ""); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("bob %d: %d\n%s", i, resp.StatusCode, resp.Body)
		}
	}
	if a, b := p.user(t, "Bob-Smith"), p.user(t, "Bob-Smith-2"); a.ID == b.ID {
		t.Fatal("two identities share one account")
	}
	// An explicitly unverified e-mail is not used for the user name.
	p.idp.SignInAs(map[string]any{"sub": "carol-1", "email": "carol@example.com", "email_verified": false})
	if resp := p.ssoLogin(t, p.anonymous(t), ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unverified e-mail: %d\n%s", resp.StatusCode, resp.Body)
	}
	if _, err := p.users.FindUserByUsername(domain.NewSystemContext(context.Background(), "test"), "carol@example.com"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("an unverified e-mail became a user name: %v", err)
	}
}

func TestSSOKeepsLastAdmin(t *testing.T) {
	p := newSSOPortal(t, testRoles, domain.PasswordPolicy{})
	p.idp.SignInAs(map[string]any{"sub": "ada-1", "preferred_username": "ada", "groups": []string{"tftsr-admins"}})
	if resp := p.ssoLogin(t, p.anonymous(t), ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d", resp.StatusCode)
	}
	// The local admin goes; ada is the last enabled admin.
	disabled := true
	sys := domain.NewSystemContext(context.Background(), "test")
	if _, err := p.users.UpdateUser(sys, p.user(t, "admin").ID, domain.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	p.idp.SignInAs(map[string]any{"sub": "ada-1", "preferred_username": "ada", "name": "Ada L", "groups": []string{"staff"}})
	c := p.anonymous(t)
	if resp := p.ssoLogin(t, c, ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in of the last admin with a lower role: %d\n%s", resp.StatusCode, resp.Body)
	}
	u := p.user(t, "ada")
	if u.Role != domain.RoleAdmin || u.DisplayName != "Ada L" {
		t.Fatalf("last admin: role %s name %q; want admin kept, name updated", u.Role, u.DisplayName)
	}
	if page := c.get("/", nil); !strings.Contains(page.Body, "last enabled admin") {
		t.Fatalf("no notice that the role was kept\n%s", page.Body)
	}
}

// TestSSOLinkedAccount: an admin links a provider identity to an existing account; its holder
// then signs in to that account, which keeps its password.
func TestSSOLinkedAccount(t *testing.T) {
	p := newSSOPortal(t, testRoles, domain.PasswordPolicy{})
	p.idp.SignInAs(map[string]any{"sub": "rita-at-idp", "preferred_username": "rita", "name": "Rita R", "groups": []string{"sre"}})
	c := p.anonymous(t)
	resp := p.ssoLogin(t, c, "")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(resp.Body, "subject rita-at-idp") {
		t.Fatalf("before linking: %d, want 409 naming the subject\n%s", resp.StatusCode, resp.Body)
	}
	sys := domain.NewSystemContext(context.Background(), "test")
	if err := p.users.LinkExternalIdentity(sys, "rita", p.idp.Issuer(), "rita-at-idp"); err != nil {
		t.Fatal(err)
	}
	if err := p.users.LinkExternalIdentity(sys, "vic", p.idp.Issuer(), "rita-at-idp"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("linking an identity twice: %v, want a conflict", err)
	}
	if resp := p.ssoLogin(t, c, ""); resp.StatusCode != http.StatusSeeOther || !signedIn(t, c) {
		t.Fatalf("after linking: %d\n%s", resp.StatusCode, resp.Body)
	}
	if u := p.user(t, "rita"); u.DisplayName != "Rita R" || u.Role != domain.RoleResponder {
		t.Fatalf("linked account %+v", u)
	}
	p.login(t, "rita") // the password still works
}
