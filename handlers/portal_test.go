package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"tftsr/db"
	"tftsr/domain"
	"tftsr/handlers"
)

// testPortal is the real HTTP layer over a real database of the test's own.
type testPortal struct {
	srv    *httptest.Server
	users  *db.UserService
	issues *db.IssueService
}

const portalPassword = "correct horse battery staple"

func newTestPortal(t *testing.T) *testPortal {
	t.Helper()
	p := buildPortal(t, portalOptions{}).portal()
	createTestUsers(t, p.users)
	return p
}

// createTestUsers creates the users of the tests: admin, rita (responder) and vic (viewer), all
// with portalPassword.
func createTestUsers(t *testing.T, users domain.UserService) {
	t.Helper()
	sys := domain.NewSystemContext(context.Background(), "test")
	for _, u := range []struct {
		name string
		role domain.Role
	}{{"admin", domain.RoleAdmin}, {"rita", domain.RoleResponder}, {"vic", domain.RoleViewer}} {
		if _, err := users.CreateUser(sys, domain.NewUser{Username: u.name, Role: u.role, Password: portalPassword}); err != nil {
			t.Fatal(err)
		}
	}
}

// client is a browser-like client: it keeps cookies and does not follow redirects.
type client struct {
	t    *testing.T
	p    *testPortal
	http *http.Client
	// page is the page the client's htmx requests come from (HX-Current-URL), "" for none.
	page string
}

// on is the client on the page at path: its htmx requests say they come from there, as htmx
// does with HX-Current-URL.
func (c *client) on(path string) *client {
	cc := *c
	cc.page = path
	return &cc
}

func (p *testPortal) anonymous(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, p: p, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login signs in as username through the login form, with the CSRF token a browser would send.
func (p *testPortal) login(t *testing.T, username string) *client {
	t.Helper()
	c := p.anonymous(t)
	c.get("/login", nil)
	resp := c.postForm("/login", url.Values{"username": {username}, "password": {portalPassword}, "_csrf": {c.csrf()}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d, want 303", username, resp.StatusCode)
	}
	return c
}

// csrf returns the CSRF token of the client's session as the pages carry it: the login page's
// for a visitor, or, once signed in, that of the page shown for a path no route serves.
func (c *client) csrf() string {
	c.t.Helper()
	resp := c.get("/login", nil)
	if resp.StatusCode == http.StatusSeeOther {
		resp = c.get(noSuchPage, nil)
	}
	tok := pageCSRF(resp.Body)
	if tok == "" {
		c.t.Fatalf("no CSRF token in the page (%d)", resp.StatusCode)
	}
	return tok
}

func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.p.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "tftsr_session" {
			return ck.Value
		}
	}
	return ""
}

type response struct {
	*http.Response
	Body string
}

func (c *client) do(method, path string, body io.Reader, header http.Header) *response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.p.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &response{Response: resp, Body: string(b)}
}

func (c *client) get(path string, header http.Header) *response {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil, header)
}

func (c *client) postForm(path string, form url.Values, header http.Header) *response {
	c.t.Helper()
	if header == nil {
		header = http.Header{}
	}
	header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(http.MethodPost, path, strings.NewReader(form.Encode()), header)
}

func (c *client) api(method, path, token string, body any) *response {
	c.t.Helper()
	h := http.Header{}
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
		h.Set("Content-Type", "application/json")
	}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return c.do(method, path, r, h)
}

// token creates an API token for username.
func (p *testPortal) token(t *testing.T, username string) string {
	t.Helper()
	sys := domain.NewSystemContext(context.Background(), "test")
	u, err := p.users.FindUserByUsername(sys, username)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := p.users.CreateToken(sys, u.ID, domain.NewToken{Name: "test", Scope: domain.TokenWrite})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// issueCount counts the stored incidents.
func (p *testPortal) issueCount(t *testing.T) int {
	t.Helper()
	_, total, err := p.issues.FindIssues(domain.NewSystemContext(context.Background(), "test"), domain.IssueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func apiErrorCode(t *testing.T, r *response) string {
	t.Helper()
	var body struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatalf("error body %q is not the API's JSON error shape: %v", r.Body, err)
	}
	if body.Error.Message == "" {
		t.Errorf("error body %q has no message", r.Body)
	}
	return body.Error.Code
}

func TestUnauthenticated(t *testing.T) {
	p := newTestPortal(t)
	c := p.anonymous(t)

	t.Run("page redirects to login", func(t *testing.T) {
		r := c.get("/issues?status=open", nil)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Fissues%3Fstatus%3Dopen" {
			t.Errorf("got %d to %q, want 303 to the login page coming back to the list", r.StatusCode, r.Header.Get("Location"))
		}
	})
	t.Run("htmx request gets HX-Redirect", func(t *testing.T) {
		r := c.get("/issues", http.Header{"Hx-Request": {"true"}})
		if r.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("HX-Redirect"), "/login") {
			t.Errorf("got %d with HX-Redirect %q", r.StatusCode, r.Header.Get("HX-Redirect"))
		}
	})
	t.Run("API answers 401", func(t *testing.T) {
		r := c.api(http.MethodGet, "/api/v1/issues", "", nil)
		if r.StatusCode != http.StatusUnauthorized || apiErrorCode(t, r) != domain.EUNAUTHORIZED {
			t.Errorf("got %d %s", r.StatusCode, r.Body)
		}
	})
	t.Run("API with a bad token answers 401", func(t *testing.T) {
		r := c.api(http.MethodGet, "/api/v1/issues", "tftsr_not-a-real-token", nil)
		if r.StatusCode != http.StatusUnauthorized || apiErrorCode(t, r) != domain.EUNAUTHORIZED {
			t.Errorf("got %d %s", r.StatusCode, r.Body)
		}
	})
	t.Run("login page is public", func(t *testing.T) {
		if r := c.get("/login", nil); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Sign in") {
			t.Errorf("got %d", r.StatusCode)
		}
	})
	t.Run("login refuses to send people elsewhere", func(t *testing.T) {
		for _, next := range []string{"//evil.example/", "/\t/evil.example", "/\\evil.example", "https://evil.example/"} {
			c := p.anonymous(t)
			c.get("/login?next="+url.QueryEscape(next), nil)
			r := c.postForm("/login", url.Values{"username": {"rita"}, "password": {portalPassword}, "_csrf": {c.csrf()}, "next": {next}}, nil)
			if r.Header.Get("Location") != "/" {
				t.Errorf("next=%q redirected to %q, want /", next, r.Header.Get("Location"))
			}
		}
	})
}

func TestLogin(t *testing.T) {
	p := newTestPortal(t)

	t.Run("renews the session token", func(t *testing.T) {
		c := p.anonymous(t)
		c.get("/login", nil)
		// Plant a session before signing in, as a fixation attack would.
		c.postForm("/login", url.Values{"username": {"rita"}, "password": {"wrong password!"}, "_csrf": {c.csrf()}}, nil)
		before := c.sessionCookie()
		r := c.postForm("/login", url.Values{"username": {"rita"}, "password": {portalPassword}, "_csrf": {c.csrf()}}, nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", r.StatusCode)
		}
		if after := c.sessionCookie(); after == "" || after == before {
			t.Errorf("session token %q after login, %q before: want a new one", after, before)
		}
		if r := c.get("/", nil); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Dashboard") {
			t.Errorf("dashboard after login: %d", r.StatusCode)
		}
		r = c.postForm("/logout", url.Values{"_csrf": {c.csrf()}}, nil)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
			t.Errorf("logout: %d to %q", r.StatusCode, r.Header.Get("Location"))
		}
		if r := c.get("/login", nil); !strings.Contains(r.Body, `data-testid="flash">You are signed out.<`) {
			t.Errorf("the login page after logout does not say so: %s", r.Body)
		}
		if r := c.get("/login", nil); strings.Contains(r.Body, "You are signed out.") {
			t.Errorf("the signed-out message shows twice")
		}
		if r := c.get("/", nil); r.StatusCode != http.StatusSeeOther {
			t.Errorf("dashboard after logout: %d, want a redirect to login", r.StatusCode)
		}
	})

	t.Run("wrong password is refused with a clear message", func(t *testing.T) {
		c := p.anonymous(t)
		c.get("/login", nil)
		r := c.postForm("/login", url.Values{"username": {"vic"}, "password": {"not the password"}, "_csrf": {c.csrf()}}, nil)
		if r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Body, "Invalid user name or password.") {
			t.Errorf("got %d", r.StatusCode)
		}
	})

	t.Run("repeated failures are throttled", func(t *testing.T) {
		c := p.anonymous(t)
		c.get("/login", nil)
		var last *response
		for i := 0; i < 6; i++ {
			last = c.postForm("/login", url.Values{"username": {"admin"}, "password": {"guess number x"}, "_csrf": {c.csrf()}}, nil)
		}
		if last.StatusCode != http.StatusTooManyRequests || !strings.Contains(last.Body, "Too many failed sign-ins") {
			t.Errorf("sixth failure: %d", last.StatusCode)
		}
		r := c.postForm("/login", url.Values{"username": {"admin"}, "password": {portalPassword}, "_csrf": {c.csrf()}}, nil)
		if r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("right password while throttled: %d, want 429", r.StatusCode)
		}
	})
}

// TestLoginThrottleIgnoresForgedForwardedFor: without trusted proxies the client is the
// connection's peer, so rotating X-Forwarded-For does not buy more guesses; behind a trusted
// proxy the header names the client.
func TestLoginThrottleIgnoresForgedForwardedFor(t *testing.T) {
	guess := func(c *client, i int) *response {
		return c.postForm("/login", url.Values{"username": {"rita"}, "password": {"guess number x"}, "_csrf": {c.csrf()}},
			http.Header{"X-Forwarded-For": {"198.51.100." + strconv.Itoa(i)}})
	}
	p := newTestPortal(t)
	c := p.anonymous(t)
	c.get("/login", nil)
	var last *response
	for i := range 6 {
		last = guess(c, i)
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Errorf("sixth guess with a new X-Forwarded-For each time: %d, want 429", last.StatusCode)
	}

	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	b := buildPortal(t, portalOptions{Config: handlers.Config{TrustedProxies: []*net.IPNet{loopback}}})
	tp := b.portal()
	createTestUsers(t, tp.users)
	c = tp.anonymous(t)
	c.get("/login", nil)
	for i := range 6 {
		last = guess(c, i)
	}
	if last.StatusCode != http.StatusUnauthorized {
		t.Errorf("sixth guess from a sixth client behind the trusted proxy: %d, want 401", last.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	p := newTestPortal(t)
	c := p.login(t, "rita")
	form := url.Values{"title": {"Disk full on db01"}, "severity": {"high"}, "category": {"databases"}}

	r := c.postForm("/issues", form, nil)
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "security token") {
		t.Errorf("form without token: %d, want 403 with a message", r.StatusCode)
	}
	r = c.api(http.MethodPost, "/api/v1/issues", "", map[string]string{"title": "x"})
	if r.StatusCode != http.StatusForbidden || apiErrorCode(t, r) != domain.EFORBIDDEN {
		t.Errorf("session API call without token: %d %s", r.StatusCode, r.Body)
	}
	if n := p.issueCount(t); n != 0 {
		t.Fatalf("%d incidents stored by requests without a CSRF token", n)
	}

	form.Set("_csrf", c.csrf())
	if r := c.postForm("/issues", form, nil); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/issues/") {
		t.Errorf("form with token: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	b, _ := json.Marshal(map[string]string{"title": "Queue backlog", "severity": "low"})
	r = c.do(http.MethodPost, "/api/v1/issues", bytes.NewReader(b), http.Header{"Content-Type": {"application/json"}, "X-Csrf-Token": {c.csrf()}})
	if r.StatusCode != http.StatusCreated {
		t.Errorf("session API call with X-CSRF-Token: %d %s", r.StatusCode, r.Body)
	}
	if n := p.issueCount(t); n != 2 {
		t.Errorf("%d incidents stored, want 2", n)
	}
}

func TestViewerIsReadOnly(t *testing.T) {
	p := newTestPortal(t)
	rita := p.login(t, "rita")
	rita.postForm("/issues", url.Values{"title": {"Seen by all"}, "_csrf": {rita.csrf()}}, nil)
	if p.issueCount(t) != 1 {
		t.Fatal("setup: no incident")
	}

	vic := p.login(t, "vic")
	if r := vic.get("/issues", nil); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Seen by all") {
		t.Errorf("viewer reading the list: %d", r.StatusCode)
	}
	if strings.Contains(vic.get("/", nil).Body, "New incident") {
		t.Error("viewer is offered the New incident button")
	}
	if r := vic.get("/issues/new", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer opening the new form: %d, want 403", r.StatusCode)
	}
	r := vic.postForm("/issues", url.Values{"title": {"Viewer's incident"}, "_csrf": {vic.csrf()}}, nil)
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Viewers can read but not change anything.") {
		t.Errorf("viewer creating: %d", r.StatusCode)
	}
	tok := p.token(t, "vic")
	r = vic.api(http.MethodPost, "/api/v1/issues", tok, map[string]string{"title": "via API"})
	if r.StatusCode != http.StatusForbidden || apiErrorCode(t, r) != domain.EFORBIDDEN {
		t.Errorf("viewer creating via API: %d %s", r.StatusCode, r.Body)
	}
	if r := vic.api(http.MethodGet, "/api/v1/issues", tok, nil); r.StatusCode != http.StatusOK {
		t.Errorf("viewer listing via API: %d", r.StatusCode)
	}
	if r := vic.api(http.MethodGet, "/api/v1/audit", tok, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer reading the audit log: %d, want 403", r.StatusCode)
	}
	if n := p.issueCount(t); n != 1 {
		t.Errorf("%d incidents after the viewer's attempts, want 1", n)
	}
}

func TestPageOrFragment(t *testing.T) {
	p := newTestPortal(t)
	c := p.login(t, "rita")
	c.postForm("/issues", url.Values{"title": {"Fragment check"}, "_csrf": {c.csrf()}}, nil)

	closed := c.postForm("/issues", url.Values{"title": {"Long closed"}, "_csrf": {c.csrf()}}, nil)
	c.postForm(closed.Header.Get("Location")+"/status", url.Values{"status": {"closed"}, "_csrf": {c.csrf()}}, nil)
	if r := c.get("/issues", nil); !strings.Contains(r.Body, "Fragment check") || strings.Contains(r.Body, "Long closed") {
		t.Error("the incidents page should open on active incidents only")
	}
	if r := c.get("/history", nil); !strings.Contains(r.Body, "Long closed") {
		t.Error("history should list closed incidents")
	}

	page := c.get("/issues?status=open", nil)
	if !strings.HasPrefix(page.Body, "<!doctype html>") || !strings.Contains(page.Body, `id="issue-list"`) {
		t.Errorf("plain request: want the whole page, got %.80q", page.Body)
	}
	frag := c.get("/issues?status=open", http.Header{"Hx-Request": {"true"}, "Hx-Target": {"issue-list"}})
	if strings.Contains(strings.ToLower(frag.Body), "<html") || !strings.HasPrefix(frag.Body, `<section id="issue-list"`) {
		t.Errorf("htmx request: want the list fragment, got %.80q", frag.Body)
	}
	if !strings.Contains(frag.Body, "Fragment check") {
		t.Error("fragment lacks the incident")
	}
	if v := frag.Header.Values("Vary"); !strings.Contains(strings.Join(v, ","), "HX-Request") {
		t.Errorf("Vary %v lacks HX-Request", v)
	}
	boosted := c.get("/issues", http.Header{"Hx-Request": {"true"}, "Hx-Boosted": {"true"}})
	if !strings.HasPrefix(boosted.Body, "<!doctype html>") {
		t.Error("boosted request: want the whole page")
	}
	search := c.get("/search?q=fragment", http.Header{"Hx-Request": {"true"}, "Hx-Target": {"search-results"}})
	if !strings.Contains(search.Body, `data-testid="search-dropdown"`) || strings.Contains(search.Body, "<html") {
		t.Errorf("header search: want the dropdown fragment, got %.120q", search.Body)
	}
}

func TestBadInput(t *testing.T) {
	p := newTestPortal(t)
	c := p.login(t, "rita")
	tok := p.token(t, "rita")

	forms := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"over-long title", url.Values{"title": {strings.Repeat("x", 201)}}, 422, "Title must be at most 200 characters."},
		{"missing title", url.Values{"title": {"   "}}, 422, "Title is required."},
		{"unknown severity", url.Values{"title": {"ok"}, "severity": {"apocalyptic"}}, 422, "Choose critical, high, medium or low."},
		{"unknown category", url.Values{"title": {"ok"}, "category": {"plumbing"}}, 422, "Choose a category from the list."},
		{"non-UTF-8 title", url.Values{"title": {"bad \xff\xfe bytes"}}, 422, "valid UTF-8"},
		{"non-UTF-8 description", url.Values{"title": {"ok"}, "description": {"\xc3\x28"}}, 422, "valid UTF-8"},
		{"control characters", url.Values{"title": {"bell\x07"}}, 422, "control characters"},
		{"unknown assignee", url.Values{"title": {"ok"}, "assignee_id": {"0190a000-0000-7000-8000-000000000000"}}, 422, ""},
	}
	for _, tc := range forms {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("_csrf", c.csrf())
			r := c.postForm("/issues", tc.form, nil)
			if r.StatusCode != tc.status || !strings.Contains(r.Body, tc.want) {
				t.Errorf("got %d, want %d with %q", r.StatusCode, tc.status, tc.want)
			}
			if r.StatusCode == 422 && !strings.Contains(r.Body, `class="field-error"`) {
				t.Error("no field error shown")
			}
		})
	}

	t.Run("10 MB form body", func(t *testing.T) {
		r := c.postForm("/issues", url.Values{"title": {"big"}, "description": {strings.Repeat("a", 10<<20)}, "_csrf": {c.csrf()}}, nil)
		if r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "too large") {
			t.Errorf("got %d", r.StatusCode)
		}
	})
	t.Run("description over the limit", func(t *testing.T) {
		r := c.postForm("/issues", url.Values{"title": {"big"}, "description": {strings.Repeat("a", domain.MaxDescriptionLen+1)}, "_csrf": {c.csrf()}}, nil)
		if r.StatusCode != 422 {
			t.Fatalf("got %d", r.StatusCode)
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		// The limit is named as every size is: 100,000 bytes are 98 KB.
		if got, want := doc.Find("#description-error").Text(), "Description: Must be at most 98 KB."; got != want {
			t.Errorf("description error %q, want %q", got, want)
		}
	})

	apiCases := []struct {
		name        string
		contentType string
		body        string
		status      int
		code        string
	}{
		{"malformed JSON", "application/json", `{"title": `, 400, domain.EINVALID},
		{"non-UTF-8 JSON", "application/json", "{\"title\": \"a\xffb\"}", 400, domain.EINVALID},
		{"unknown field", "application/json", `{"title": "a", "priority": 1}`, 400, domain.EINVALID},
		{"wrong type", "application/json", `{"title": 42}`, 400, domain.EINVALID},
		{"not JSON", "text/plain", `title=a`, 415, domain.EUNSUPPORTED},
		{"unknown severity", "application/json", `{"title": "a", "severity": "P1"}`, 422, domain.EINVALID},
	}
	for _, tc := range apiCases {
		t.Run("API "+tc.name, func(t *testing.T) {
			r := c.do(http.MethodPost, "/api/v1/issues", strings.NewReader(tc.body),
				http.Header{"Content-Type": {tc.contentType}, "Authorization": {"Bearer " + tok}})
			if r.StatusCode != tc.status || apiErrorCode(t, r) != tc.code {
				t.Errorf("got %d %s, want %d %s", r.StatusCode, r.Body, tc.status, tc.code)
			}
		})
	}
	if n := p.issueCount(t); n != 0 {
		t.Errorf("%d incidents stored from bad input, want none", n)
	}

	t.Run("markup is shown escaped", func(t *testing.T) {
		r := c.postForm("/issues", url.Values{
			"title":       {`<script>alert("t")</script> & <b>bold</b>`},
			"description": {"<script>alert('d')</script>\n<img src=x onerror=alert(1)>\n\n[link](javascript:alert(2))"},
			"_csrf":       {c.csrf()},
		}, nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", r.StatusCode)
		}
		page := c.get(r.Header.Get("Location"), nil)
		for _, bad := range []string{"<script>alert", "<img src=x", "javascript:alert", "<b>bold</b>"} {
			if strings.Contains(page.Body, bad) {
				t.Errorf("page contains %q unescaped", bad)
			}
		}
		if !strings.Contains(page.Body, "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;") {
			t.Error("title not shown as escaped text")
		}
		// The description is Markdown: its raw HTML is shown as the text that was typed, not
		// dropped, and none of it becomes an element.
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(page.Body))
		if err != nil {
			t.Fatal(err)
		}
		desc := doc.Find(`[data-testid=description]`)
		if got, want := strings.Join(strings.Fields(desc.Text()), " "), "<script>alert('d')</script> <img src=x onerror=alert(1)> link"; got != want {
			t.Errorf("description text %q, want %q", got, want)
		}
		if n := desc.Find("script, img, [onerror], a[href^=javascript]").Length(); n != 0 {
			t.Errorf("description has %d live elements from its markup", n)
		}
	})

	t.Run("unknown ids are 404s", func(t *testing.T) {
		for _, id := range []string{"0190a000-0000-7000-8000-000000000000", "not-a-uuid", "%27%3B--"} {
			if r := c.get("/issues/"+id, nil); r.StatusCode != http.StatusNotFound {
				t.Errorf("page %s: %d", id, r.StatusCode)
			}
			if r := c.api(http.MethodGet, "/api/v1/issues/"+id, tok, nil); r.StatusCode != http.StatusNotFound || apiErrorCode(t, r) != domain.ENOTFOUND {
				t.Errorf("API %s: %d", id, r.StatusCode)
			}
		}
	})
	t.Run("hostile search input", func(t *testing.T) {
		for _, q := range []string{`&|!():*`, `"unbalanced`, `'`, `\`, `<script>`, strings.Repeat("ab ", 2000), "\xff\xfe", `-`, `or`} {
			if r := c.get("/search?q="+url.QueryEscape(q), nil); r.StatusCode != http.StatusOK {
				t.Errorf("page search %q: %d", q, r.StatusCode)
			}
			if r := c.api(http.MethodGet, "/api/v1/issues/search?q="+url.QueryEscape(q), tok, nil); r.StatusCode != http.StatusOK {
				t.Errorf("API search %q: %d %s", q, r.StatusCode, r.Body)
			}
		}
	})
}

// TestAPI walks the incident routes of the API with a bearer token, the way a script would.
func TestAPI(t *testing.T) {
	p := newTestPortal(t)
	c := p.anonymous(t)
	tok := p.token(t, "rita")

	r := c.api(http.MethodPost, "/api/v1/issues", tok, map[string]string{
		"title": "Payments API 502s", "description": "Upstream resets from the **gateway**.", "severity": "critical", "category": "network",
	})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	var is domain.Issue
	if err := json.Unmarshal([]byte(r.Body), &is); err != nil || is.ID == "" || is.Status != domain.StatusOpen {
		t.Fatalf("create returned %s (%v)", r.Body, err)
	}

	r = c.api(http.MethodGet, "/api/v1/issues?severity=critical&sort=created_at&order=desc&per_page=10", tok, nil)
	var lst struct {
		Items []domain.IssueSummary `json:"items"`
		Total int                   `json:"total"`
	}
	if err := json.Unmarshal([]byte(r.Body), &lst); err != nil || lst.Total != 1 || lst.Items[0].ID != is.ID {
		t.Errorf("list: %s", r.Body)
	}
	if r := c.api(http.MethodGet, "/api/v1/issues?per_page=500", tok, nil); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("per_page=500: %d, want 422", r.StatusCode)
	}
	if r := c.api(http.MethodGet, "/api/v1/issues?status=burning", tok, nil); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("status=burning: %d, want 422", r.StatusCode)
	}

	r = c.api(http.MethodPost, "/api/v1/issues/"+is.ID+"/five-whys", tok, map[string]any{"why_number": 1, "question": "Why 502?", "answer": "Gateway reset connections."})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("add why: %d %s", r.StatusCode, r.Body)
	}
	var why domain.FiveWhy
	_ = json.Unmarshal([]byte(r.Body), &why)
	if r := c.api(http.MethodPost, "/api/v1/issues/"+is.ID+"/five-whys", tok, map[string]any{"why_number": 1, "question": "again"}); r.StatusCode != http.StatusConflict {
		t.Errorf("second why 1: %d, want 409", r.StatusCode)
	}
	if r := c.api(http.MethodPost, "/api/v1/issues/"+is.ID+"/five-whys", tok, map[string]any{"why_number": 6, "question": "six"}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("why 6: %d, want 422", r.StatusCode)
	}
	r = c.api(http.MethodPatch, "/api/v1/five-whys/"+why.ID, tok, map[string]any{"answer": "The gateway's idle timeout was shorter than ours.", "evidence": "nginx logs"})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "idle timeout") {
		t.Errorf("update why: %d %s", r.StatusCode, r.Body)
	}

	r = c.api(http.MethodPatch, "/api/v1/issues/"+is.ID, tok, map[string]any{"status": "resolved"})
	var detail domain.IssueDetail
	if err := json.Unmarshal([]byte(r.Body), &detail); err != nil || detail.Issue.Status != domain.StatusResolved || detail.Issue.ResolvedAt == nil {
		t.Fatalf("resolve: %d %s", r.StatusCode, r.Body)
	}
	if detail.Issue.Title != "Payments API 502s" || len(detail.ResolutionSteps) != 1 || detail.LogFiles == nil {
		t.Errorf("PATCH changed more than the status or returned a partial detail: %s", r.Body)
	}

	r = c.api(http.MethodPost, "/api/v1/issues/"+is.ID+"/timeline", tok, map[string]any{"event_type": "note", "description": "Rolled back the gateway config.", "metadata": map[string]string{"ticket": "CHG-1"}})
	if r.StatusCode != http.StatusCreated {
		t.Errorf("add timeline event: %d %s", r.StatusCode, r.Body)
	}
	for _, forged := range []string{"made_up", domain.EventRootCauseIdentified, domain.EventPIIRedacted, domain.EventStatusChanged, domain.EventIssueCreated} {
		if r := c.api(http.MethodPost, "/api/v1/issues/"+is.ID+"/timeline", tok, map[string]any{"event_type": forged, "description": "x"}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("event type %s from a person: %d, want 422", forged, r.StatusCode)
		}
	}
	r = c.api(http.MethodGet, "/api/v1/issues/"+is.ID+"/timeline", tok, nil)
	var events struct {
		Items []domain.TimelineEvent `json:"items"`
	}
	_ = json.Unmarshal([]byte(r.Body), &events)
	var types []string
	for _, ev := range events.Items {
		types = append(types, ev.EventType)
	}
	if got := strings.Join(types, ","); got != "issue_created,why_level_advanced,status_changed,note" {
		t.Errorf("timeline %s, want issue_created,why_level_advanced,status_changed,note", got)
	}

	if r := c.api(http.MethodPost, "/api/v1/issues/"+is.ID+"/documents", tok, map[string]string{"kind": "rca"}); r.StatusCode != http.StatusCreated {
		t.Fatalf("generate RCA: %d %s", r.StatusCode, r.Body)
	}
	r = c.api(http.MethodGet, "/api/v1/issues/"+is.ID, tok, nil)
	var withDoc domain.IssueDetail
	if err := json.Unmarshal([]byte(r.Body), &withDoc); err != nil || len(withDoc.Documents) != 1 || withDoc.Documents[0].Kind != "rca" {
		t.Errorf("get_issue documents: %v %.300s", err, r.Body)
	}

	r = c.api(http.MethodGet, "/api/v1/issues/search?q=gateway", tok, nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"snippet"`) || !strings.Contains(r.Body, is.ID) {
		t.Errorf("search: %d %s", r.StatusCode, r.Body)
	}

	if r := c.api(http.MethodDelete, "/api/v1/issues/"+is.ID, tok, nil); r.StatusCode != http.StatusNoContent {
		t.Errorf("delete: %d", r.StatusCode)
	}
	if r := c.api(http.MethodGet, "/api/v1/issues/"+is.ID, tok, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("get after delete: %d", r.StatusCode)
	}
	if r := c.api(http.MethodGet, "/api/v1/nothing-here", tok, nil); r.StatusCode != http.StatusNotFound || apiErrorCode(t, r) != domain.ENOTFOUND {
		t.Errorf("unknown route: %d %s", r.StatusCode, r.Body)
	}

	admin := p.token(t, "admin")
	r = c.api(http.MethodGet, "/api/v1/audit?entity_type=issue", admin, nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"issue.delete"`) {
		t.Errorf("audit: %d %.300s", r.StatusCode, r.Body)
	}
}

// TestActionItemsOnIncidentPage adds an action item on the incident page and edits it inline,
// field by field, the way the page's selects post on change.
func TestActionItemsOnIncidentPage(t *testing.T) {
	p := newTestPortal(t)
	c := p.login(t, "rita")
	tok := p.token(t, "rita")
	loc := c.postForm("/issues", url.Values{"title": {"Printer queue stuck"}, "_csrf": {c.csrf()}}, nil).Header.Get("Location")
	issueID := strings.TrimPrefix(loc, "/issues/")

	r := c.postForm("/issues/"+issueID+"/action-items", url.Values{"action": {"Add a queue depth alert <b>now</b>"}, "priority": {"P2"}, "due_date": {"2026-12-15"}, "_csrf": {c.csrf()}},
		http.Header{"Hx-Request": {"true"}})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Add a queue depth alert &lt;b&gt;now&lt;/b&gt;") {
		t.Fatalf("add: %d, markup must be shown escaped", r.StatusCode)
	}
	list := func() []domain.ActionItem {
		var l struct {
			Items []domain.ActionItem `json:"items"`
		}
		r := c.api(http.MethodGet, "/api/v1/issues/"+issueID+"/action-items", tok, nil)
		if err := json.Unmarshal([]byte(r.Body), &l); err != nil {
			t.Fatalf("list: %v %s", err, r.Body)
		}
		return l.Items
	}
	items := list()
	if len(items) != 1 || items[0].Priority != "P2" || items[0].DueDate != "2026-12-15" || items[0].Status != "open" {
		t.Fatalf("after add: %+v", items)
	}
	id := items[0].ID
	for _, change := range []url.Values{{"status": {"in_progress"}}, {"priority": {"P0"}}, {"status": {"done"}}} {
		change.Set("_csrf", c.csrf())
		if r := c.postForm("/action-items/"+id, change, http.Header{"Hx-Request": {"true"}}); r.StatusCode != http.StatusOK {
			t.Errorf("update %v: %d", change, r.StatusCode)
		}
	}
	if r := c.postForm("/action-items/"+id, url.Values{"priority": {"P9"}, "_csrf": {c.csrf()}}, http.Header{"Hx-Request": {"true"}}); r.StatusCode < 400 || r.StatusCode >= 500 {
		t.Errorf("priority P9: %d, want a 4xx", r.StatusCode)
	}
	if got := list()[0]; got.Status != "done" || got.Priority != "P0" || got.Action != "Add a queue depth alert <b>now</b>" {
		t.Errorf("after inline edits: %+v", got)
	}
	vic := p.login(t, "vic")
	if r := vic.postForm("/action-items/"+id, url.Values{"status": {"open"}, "_csrf": {vic.csrf()}}, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer edit: %d, want 403", r.StatusCode)
	}
	if r := c.postForm("/action-items/"+id+"/delete", url.Values{"_csrf": {c.csrf()}}, http.Header{"Hx-Request": {"true"}}); r.StatusCode != http.StatusOK || len(list()) != 0 {
		t.Errorf("delete: %d, %d left", r.StatusCode, len(list()))
	}
}

// TestPasswordChangeEndsOtherSessions checks that a new password signs out every other
// session of the user, and that an admin's reset signs out all of them.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	p := newTestPortal(t)
	laptop, phone := p.login(t, "rita"), p.login(t, "rita")

	r := laptop.postForm("/profile/password", url.Values{"current_password": {portalPassword},
		"new_password": {"a brand new passphrase"}, "confirm_password": {"a brand new passphrase"}, "_csrf": {laptop.csrf()}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: %d %.200s", r.StatusCode, r.Body)
	}
	if r := laptop.get("/profile", nil); r.StatusCode != http.StatusOK {
		t.Errorf("the session that changed the password: %d, want it still signed in", r.StatusCode)
	}
	if r := phone.get("/profile", nil); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("the other session: %d to %q, want a redirect to sign in", r.StatusCode, r.Header.Get("Location"))
	}

	sys := domain.NewSystemContext(context.Background(), "test")
	rita, err := p.users.FindUserByUsername(sys, "rita")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.users.SetPassword(sys, rita.ID, "reset by the admin 2026"); err != nil {
		t.Fatal(err)
	}
	if r := laptop.get("/profile", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("after an admin reset: %d, want the session ended", r.StatusCode)
	}
}

// waitFor polls cond until it holds, failing the test after ten seconds. Replies are produced in
// the background, so their effects show a little after the request that started them.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: timed out", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
