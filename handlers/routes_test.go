package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tftsr/ai/aitest"
	"tftsr/blob/blobtest"
	"tftsr/domain"
	"tftsr/handlers"
)

// TestNoRouteAnswers500 sends every route of the route table hostile ids and bodies, as an
// admin with a valid CSRF token, and requires a clear answer each time: a 500 is a bug.
func TestNoRouteAnswers500(t *testing.T) {
	b := buildPortal(t, portalOptions{Blobs: blobtest.Open(t), OllamaURL: aitest.NewOllama(t, "llama3.2:3b").URL})
	p, users := b.portal(), b.users
	if _, err := users.CreateUser(domain.NewSystemContext(context.Background(), "test"),
		domain.NewUser{Username: "admin", Role: domain.RoleAdmin, Password: portalPassword}); err != nil {
		t.Fatal(err)
	}
	c := p.login(t, "admin")
	csrf := c.csrf()

	ids := []string{"not-a-uuid", "0190a000-0000-7000-8000-000000000000", "..%2F..%2Fetc", "%00", strings.Repeat("9", 300)}
	bodies := []struct{ contentType, body string }{
		{"application/json", `{`},
		{"application/json", `{"title": "\u0000", "kind": "nope", "content_md": 7}`},
		{"application/x-www-form-urlencoded", "title=%ff%fe&status=burning&why_number=x&_csrf=" + csrf},
		{"multipart/form-data; boundary=zzz", "--zzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../a\"\r\n\r\n\x00\x01\r\n--zzz--\r\n"},
		{"text/plain", "\xff\xfe"},
	}
	for _, route := range b.server.Echo().Routes() {
		if route.Method == "echo_route_any" || strings.Contains(route.Path, "*") || route.Path == "/logout" {
			continue
		}
		for _, id := range ids {
			path := route.Path
			for _, param := range []string{":id", ":span", ":name"} {
				path = strings.ReplaceAll(path, param, id)
			}
			h := http.Header{"X-Csrf-Token": {csrf}}
			if route.Method == http.MethodGet {
				for _, q := range []string{"", "?page=-1&per_page=abc&q=%ff&search=%ff&issue_id=zz&status=x&format=exe&version=-3&from=yesterday&logs_page=x", "?search=%ff", "?issue_id=%27", "?action=%ff&entity_type=%c3%28&actor=%ff&from=%ff",
					"?search=%00", "?q=a%00b", "?action=%00&entity_type=%00", "?actor=%00", "?issue_id=%00", "?status=%00"} {
					if r := c.get(path+q, h); r.StatusCode >= 500 {
						t.Errorf("GET %s%s: %d %.200s", path, q, r.StatusCode, r.Body)
					}
				}
				continue
			}
			for _, b := range bodies {
				h.Set("Content-Type", b.contentType)
				if r := c.do(route.Method, path, strings.NewReader(b.body), h); r.StatusCode >= 500 {
					t.Errorf("%s %s (%s): %d %.200s", route.Method, path, b.contentType, r.StatusCode, r.Body)
				}
			}
		}
	}
}

// TestRouteChains holds the route table to the chains routes() documents: every route is in a
// named chain, nobody signed out is served by a chain that needs a user, and the admins'
// chains refuse a responder before any handler runs.
func TestRouteChains(t *testing.T) {
	b := buildPortal(t, portalOptions{})
	p := b.portal()
	createTestUsers(t, p.users)
	chains := b.server.RouteChains()
	anon, rita := p.anonymous(t), p.login(t, "rita")
	csrf := rita.csrf()
	const id = "0190a000-0000-7000-8000-000000000000"
	needUser := map[string]bool{"pages": true, "admin": true, "logPages": true, "logUploads": true, "imageUploads": true,
		"stream": true, "api": true, "apiAdmin": true, "apiLogUploads": true, "apiImageUploads": true}
	admins := 0
	for _, route := range b.server.Echo().Routes() {
		switch route.Method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue // the catch-alls for paths no route has
		}
		key := route.Method + " " + route.Path
		name, ok := chains[key]
		if !ok {
			if route.Path != "/api/v1/*" {
				t.Errorf("%s is in no named chain", key)
			}
			continue
		}
		path := strings.NewReplacer(":id", id, ":span", "s1", ":name", "local", ":n", "1", "*", "x").Replace(route.Path)
		if needUser[name] {
			r := anon.do(route.Method, path, strings.NewReader("{}"), http.Header{"Content-Type": {"application/json"}})
			if r.StatusCode < 300 || (r.StatusCode < 400 && !strings.HasPrefix(r.Header.Get("Location"), "/login")) {
				t.Errorf("%s (%s) served a signed-out request: %d %s", key, name, r.StatusCode, r.Header.Get("Location"))
			}
		}
		if name == "admin" || name == "apiAdmin" {
			admins++
			r := rita.do(route.Method, path, strings.NewReader("{}"),
				http.Header{"Content-Type": {"application/json"}, "X-Csrf-Token": {csrf}})
			if r.StatusCode != http.StatusForbidden {
				t.Errorf("%s (%s) answered a responder %d, want 403", key, name, r.StatusCode)
			}
		}
	}
	if admins < 20 {
		t.Errorf("only %d admin routes: the chains were not recorded", admins)
	}
}

// TestSecurityHeaders: API answers and pages that show a log are never cached; an https portal
// sends HSTS, a plain one does not; CSP and nosniff stay on every answer.
func TestSecurityHeaders(t *testing.T) {
	for _, base := range []string{"", "https://tftsr.example.com"} {
		b := buildPortal(t, portalOptions{Config: handlers.Config{BaseURL: base}})
		p := b.portal()
		createTestUsers(t, p.users)
		c := p.login(t, "rita")
		for _, path := range []string{"/api/v1/me", "/api/v1/issues", "/api/v1/nope", "/", "/logs/0190a000-0000-7000-8000-000000000000"} {
			r := c.get(path, nil)
			h := r.Header
			if h.Get("Content-Security-Policy") == "" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s%s: CSP %q, nosniff %q", base, path, h.Get("Content-Security-Policy"), h.Get("X-Content-Type-Options"))
			}
			wantNoStore := path != "/" && path != "/api/v1/nope"
			if got := h.Get("Cache-Control"); wantNoStore && got != "no-store" {
				t.Errorf("%s%s: Cache-Control %q, want no-store", base, path, got)
			}
			hsts := h.Get("Strict-Transport-Security")
			if base == "" && hsts != "" || base != "" && !strings.HasPrefix(hsts, "max-age=31536000") {
				t.Errorf("%s%s: HSTS %q", base, path, hsts)
			}
		}
	}
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r    io.Reader
	read int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

// TestUploadsRefuseStrangersUnread: an upload from nobody signed in is refused before its body
// is read, however large, even when the form carries a CSRF field after the file.
func TestUploadsRefuseStrangersUnread(t *testing.T) {
	b := buildPortal(t, portalOptions{})
	const size = 8 << 20
	head := "--zzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.log\"\r\nContent-Type: text/plain\r\n\r\n"
	tail := "\r\n--zzz\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nforged\r\n--zzz--\r\n"
	for _, path := range []string{"/issues/0190a000-0000-7000-8000-000000000000/logs", "/issues/0190a000-0000-7000-8000-000000000000/images",
		"/api/v1/issues/0190a000-0000-7000-8000-000000000000/logs", "/api/v1/issues/0190a000-0000-7000-8000-000000000000/images"} {
		body := &countingReader{r: io.MultiReader(strings.NewReader(head),
			io.LimitReader(neverEnding('a'), size), strings.NewReader(tail))}
		req := httptest.NewRequest(http.MethodPost, path, body)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=zzz")
		req.ContentLength = int64(len(head) + size + len(tail))
		rec := httptest.NewRecorder()
		b.server.ServeHTTP(rec, req)
		if rec.Code < 300 || rec.Code >= 500 {
			t.Errorf("%s from a stranger: %d", path, rec.Code)
		}
		if body.read > 64<<10 {
			t.Errorf("%s read %d bytes of a stranger's upload before refusing it (%d)", path, body.read, rec.Code)
		}
	}
}

// neverEnding is an endless stream of one byte.
type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}
