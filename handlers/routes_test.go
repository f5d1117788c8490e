package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"

	"tftsr/ai/aitest"
	"tftsr/blob"
	"tftsr/blob/blobtest"
	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
	"tftsr/handlers"
)

// TestNoRouteAnswers500 sends every route of the route table hostile ids and bodies, as an
// admin with a valid CSRF token, and requires a clear answer each time: a 500 is a bug.
func TestNoRouteAnswers500(t *testing.T) {
	database := dbtest.New(t)
	store := blobtest.Open(t)
	users := db.NewUserService(database)
	users.PasswordParams = db.TestPasswordParams
	issues := &domain.ObjectCleaningIssueService{IssueService: db.NewIssueService(database), Blobs: store}
	settings := db.NewSettingsService(database)
	logs := &domain.LogService{Store: db.NewLogStore(database), Blobs: store, TempDir: t.TempDir()}
	images := &domain.ImageService{Store: db.NewImageStore(database), Blobs: store, Thumbs: blob.NewThumbnailer(2), Limits: domain.DefaultImageLimits}
	docs := &domain.DocumentService{Store: db.NewDocumentStore(database), Actions: db.NewActionItemStore(database),
		Issues: issues, Blobs: store, Settings: settings}
	providers := newTestProviders(t, database, nil)
	chat := &domain.ChatService{Providers: providers, Gate: &domain.RedactionGate{}, Store: db.NewChatStore(database), Issues: issues}
	srv := handlers.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Config{}, scs.New(),
		users, issues, db.NewAuditService(database), settings, logs, images, docs, providers, chat,
		newOllamaService(t, database, settings, aitest.NewOllama(t, "llama3.2:3b").URL), nil)
	p := &testPortal{srv: httptest.NewServer(srv), users: users}
	t.Cleanup(p.srv.Close)
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
	for _, route := range srv.Echo().Routes() {
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
				for _, q := range []string{"", "?page=-1&per_page=abc&q=%ff&search=%ff&issue_id=zz&status=x&format=exe&version=-3&from=yesterday&logs_page=x", "?search=%ff", "?issue_id=%27", "?action=%ff&entity_type=%c3%28&actor=%ff&from=%ff"} {
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
