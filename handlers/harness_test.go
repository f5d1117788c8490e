package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tftsr/domain"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery staple"

// The users tests sign in as.
var (
	testAdmin = &domain.User{ID: "u-admin", Username: "alice", DisplayName: "Alice Admin", Role: domain.RoleAdmin,
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	testResponder = &domain.User{ID: "u-resp", Username: "rob", DisplayName: "Rob Responder", Role: domain.RoleResponder,
		CreatedAt: time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)}
	testViewer = &domain.User{ID: "u-view", Username: "vera", Role: domain.RoleViewer,
		CreatedAt: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
)

// testServer is the portal running on loopback against fakes.
type testServer struct {
	URL      string
	Users    *fakeUsers
	Issues   *fakeIssues
	Audit    *fakeAudit
	Settings *fakeSettings
}

// mustOpenServer starts the portal against fakes. The user fake knows users by name (for the
// login form, with testPassword) and by id (for the session); the settings fake returns the
// defaults. Tests set the other methods they need.
func mustOpenServer(tb testing.TB, users ...*domain.User) *testServer {
	tb.Helper()
	byName, byID := map[string]*domain.User{}, map[string]*domain.User{}
	for _, u := range users {
		byName[u.Username], byID[u.ID] = u, u
	}
	ts := &testServer{
		Users: &fakeUsers{
			AuthenticateFn: func(_ context.Context, username, password, _ string) (*domain.User, error) {
				if u, ok := byName[username]; ok && password == testPassword {
					return u, nil
				}
				return nil, domain.Errorf(domain.EUNAUTHORIZED, "Wrong user name or password.")
			},
			FindUserByIDFn: func(_ context.Context, id string) (*domain.User, error) {
				if u, ok := byID[id]; ok {
					return u, nil
				}
				return nil, domain.Errorf(domain.ENOTFOUND, "User not found.")
			},
		},
		Issues: &fakeIssues{},
		Audit:  &fakeAudit{},
		Settings: &fakeSettings{
			GetSettingsFn: func(context.Context) (domain.Settings, error) { return domain.DefaultSettings(), nil },
		},
	}
	p := buildPortal(tb, portalOptions{Users: ts.Users, Issues: ts.Issues, Audit: ts.Audit, Settings: ts.Settings,
		Actions: noActionItems{}})
	ts.URL = p.srv.URL
	return ts
}

// testClient is a browser: it keeps cookies and does not follow redirects.
type testClient struct {
	tb   testing.TB
	base string
	http *http.Client
}

// testResponse is a response with its body read.
type testResponse struct {
	Status int
	Header http.Header
	Body   string
}

// newClient returns a client with no session.
func (ts *testServer) newClient(tb testing.TB) *testClient {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &testClient{tb: tb, base: ts.URL, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// mustLogin signs in as u through the login form, with the CSRF token that the login page set.
func (ts *testServer) mustLogin(tb testing.TB, u *domain.User) *testClient {
	tb.Helper()
	c := ts.newClient(tb)
	c.get("/login")
	if resp := c.post("/login", url.Values{"username": {u.Username}, "password": {testPassword}}); resp.Status != http.StatusSeeOther {
		tb.Fatalf("login as %s: status=%d, want 303; body:\n%s", u.Username, resp.Status, resp.Body)
	}
	return c
}

// csrfToken returns the CSRF token of the client's session as the pages carry it, or "": the
// login page's for a visitor, or, once signed in (the login page then only redirects), that of
// the page shown for a path no route serves.
func (c *testClient) csrfToken() string {
	c.tb.Helper()
	resp := c.get("/login")
	if resp.Status == http.StatusSeeOther {
		resp = c.get(noSuchPage)
	}
	return pageCSRF(resp.Body)
}

// noSuchPage is a path no route serves: its error page is the cheapest page that carries the
// session's CSRF token.
const noSuchPage = "/no-such-page"

// csrfAttr finds the CSRF token in a page: <body data-csrf="…">.
var csrfAttr = regexp.MustCompile(`<body[^>]* data-csrf="([^"]*)"`)

// pageCSRF returns the CSRF token a page carries, or "".
func pageCSRF(body string) string {
	if m := csrfAttr.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// do sends a request with headers given as name, value pairs and reads the response.
func (c *testClient) do(method, path string, body io.Reader, headers ...string) testResponse {
	c.tb.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.tb.Fatal(err)
	}
	return testResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// get sends a GET request.
func (c *testClient) get(path string, headers ...string) testResponse {
	c.tb.Helper()
	return c.do(http.MethodGet, path, nil, headers...)
}

// post submits a form with the session's CSRF token in its _csrf field, as the portal's forms
// do.
func (c *testClient) post(path string, form url.Values, headers ...string) testResponse {
	c.tb.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("_csrf", c.csrfToken())
	return c.do(http.MethodPost, path, strings.NewReader(f.Encode()), headers...)
}

// postNoToken submits a form without a CSRF token.
func (c *testClient) postNoToken(path string, form url.Values, headers ...string) testResponse {
	c.tb.Helper()
	return c.do(http.MethodPost, path, strings.NewReader(form.Encode()), headers...)
}

// follow GETs the page a redirect points at.
func (c *testClient) follow(resp testResponse) testResponse {
	c.tb.Helper()
	if resp.Status != http.StatusSeeOther {
		c.tb.Fatalf("status=%d, want 303; body:\n%s", resp.Status, resp.Body)
	}
	return c.get(resp.Header.Get("Location"))
}

// wantStatus fails the test when the response's status is not want.
func wantStatus(tb testing.TB, resp testResponse, want int) {
	tb.Helper()
	if resp.Status != want {
		tb.Fatalf("status=%d, want %d; body:\n%s", resp.Status, want, resp.Body)
	}
}

// wantContains fails the test when the body lacks any of the strings.
func wantContains(tb testing.TB, resp testResponse, subs ...string) {
	tb.Helper()
	for _, s := range subs {
		if !strings.Contains(resp.Body, s) {
			tb.Errorf("body lacks %q; body:\n%s", s, resp.Body)
		}
	}
}

// wantNotContains fails the test when the body holds any of the strings.
func wantNotContains(tb testing.TB, resp testResponse, subs ...string) {
	tb.Helper()
	for _, s := range subs {
		if strings.Contains(resp.Body, s) {
			tb.Errorf("body holds %q; body:\n%s", s, resp.Body)
		}
	}
}

// htmx is the header pair of a request htmx sends.
var htmx = []string{"HX-Request", "true"}

// noActionItems is the action items of the fakes' incidents: none.
type noActionItems struct{ domain.ActionItemStore }

func (noActionItems) FindActionItems(context.Context, string) ([]*domain.ActionItem, error) {
	return nil, nil
}
