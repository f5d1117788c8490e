package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tftsr/db"
	"tftsr/domain"
)

// aiTestKey is the API key the tests store. No response, page or audit entry may contain it.
const aiTestKey = "sk-ant-SECRETKEYNEVERSHOWN-42"

// aiPortal is the HTTP layer over a real database with a provider service whose chat models
// are fakes.
type aiPortal struct {
	*testPortal
	db *db.DB
}

func newAIPortal(t *testing.T, models domain.ChatModelFactory) *aiPortal {
	t.Helper()
	b := buildPortal(t, portalOptions{Models: models})
	p := &aiPortal{testPortal: b.portal(), db: b.db}
	createTestUsers(t, p.users)
	return p
}

// fakeModels is a ChatModelFactory whose models answer "OK" or fail with err.
type fakeModels struct {
	err  error
	seen []domain.ProviderConfig
}

func (f *fakeModels) ChatModel(cfg domain.ProviderConfig) (domain.ChatModel, error) {
	f.seen = append(f.seen, cfg)
	return fakeModel{err: f.err}, nil
}

type fakeModel struct{ err error }

func (m fakeModel) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatResult, error) {
	if m.err != nil {
		return domain.ChatResult{}, m.err
	}
	return domain.ChatResult{Usage: domain.ChatUsage{InputTokens: 5, OutputTokens: 1}}, onToken("OK")
}

// apiJSON sends an API request with the session and the CSRF header.
func (c *client) apiJSON(method, path string, body any) *response {
	c.t.Helper()
	h := http.Header{"X-Csrf-Token": {c.csrf()}}
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
		h.Set("Content-Type", "application/json")
	}
	return c.do(method, path, r, h)
}

// assertNoKey fails t when s holds the test key or any large part of it.
func assertNoKey(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, aiTestKey) || strings.Contains(s, "SECRETKEYNEVERSHOWN") {
		t.Fatalf("%s contains the API key: %.400s", what, s)
	}
}

func TestAIConfigAPI(t *testing.T) {
	p := newAIPortal(t, &fakeModels{})
	admin := p.login(t, "admin")

	r := admin.apiJSON(http.MethodGet, "/api/v1/ai/providers", nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"default_base_url":"https://api.anthropic.com"`) ||
		!strings.Contains(r.Body, `"kind":"ollama"`) || !strings.Contains(r.Body, `"total":5`) {
		t.Fatalf("providers: %d %s", r.StatusCode, r.Body)
	}

	r = admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/claude", map[string]any{
		"kind": "anthropic", "model": "claude-sonnet-4-5", "api_key": aiTestKey, "temperature": 0.3,
	})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	assertNoKey(t, "PUT response", r.Body)
	var cfg map[string]any
	if err := json.Unmarshal([]byte(r.Body), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg["has_api_key"] != true || cfg["base_url"] != "https://api.anthropic.com" || cfg["max_tokens"] != 4096.0 ||
		cfg["timeout_seconds"] != 120.0 || cfg["temperature"] != 0.3 {
		t.Fatalf("created %v", cfg)
	}
	if _, ok := cfg["api_key"]; ok {
		t.Fatal("the response has an api_key field")
	}

	// An update without a key keeps it; the response is 200.
	r = admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/claude", map[string]any{"kind": "anthropic", "model": "claude-opus-4", "api_key": ""})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"has_api_key":true`) || !strings.Contains(r.Body, `"claude-opus-4"`) {
		t.Fatalf("update: %d %s", r.StatusCode, r.Body)
	}
	// Moving the key to another host needs it again.
	r = admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/claude", map[string]any{"kind": "anthropic", "model": "m", "base_url": "https://evil.example"})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"api_key"`) {
		t.Fatalf("host change keeping the key: %d %s", r.StatusCode, r.Body)
	}
	// A hosted kind without a key is refused.
	r = admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/gpt", map[string]any{"kind": "openai", "model": "gpt-4o"})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"api_key"`) {
		t.Fatalf("openai without key: %d %s", r.StatusCode, r.Body)
	}
	// A local OpenAI-compatible server needs none.
	r = admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/vllm", map[string]any{"kind": "openai", "model": "qwen", "base_url": "http://10.1.2.3:8000/v1", "supports_tools": true})
	if r.StatusCode != http.StatusCreated || !strings.Contains(r.Body, `"has_api_key":false`) {
		t.Fatalf("local openai: %d %s", r.StatusCode, r.Body)
	}

	for _, path := range []string{"/api/v1/ai/configs", "/api/v1/ai/configs/claude"} {
		r = admin.apiJSON(http.MethodGet, path, nil)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "claude") {
			t.Fatalf("GET %s: %d %s", path, r.StatusCode, r.Body)
		}
		assertNoKey(t, "GET "+path, r.Body)
	}

	r = admin.apiJSON(http.MethodDelete, "/api/v1/ai/configs/vllm", nil)
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.StatusCode, r.Body)
	}
	if r = admin.apiJSON(http.MethodDelete, "/api/v1/ai/configs/vllm", nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("delete again: %d", r.StatusCode)
	}

	r = admin.apiJSON(http.MethodGet, "/api/v1/audit?entity_type=provider_config", nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"api_key_changed":true`) || !strings.Contains(r.Body, "provider_config.delete") {
		t.Fatalf("audit: %d %.500s", r.StatusCode, r.Body)
	}
	assertNoKey(t, "audit log", r.Body)
	var details string
	if err := p.db.Pool.QueryRow(context.Background(), `SELECT string_agg(details::text, ' ') FROM audit_log`).Scan(&details); err != nil {
		t.Fatal(err)
	}
	assertNoKey(t, "audit table", details)
}

func TestAIConfigAPIRoles(t *testing.T) {
	p := newAIPortal(t, &fakeModels{})
	admin := p.login(t, "admin")
	if r := admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/local", map[string]any{"kind": "ollama", "model": "llama3.2:3b"}); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	for _, name := range []string{"rita", "vic"} {
		c := p.login(t, name)
		r := c.apiJSON(http.MethodGet, "/api/v1/ai/configs", nil)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"name":"local"`) || strings.Contains(r.Body, "11434") {
			t.Errorf("%s lists: %d %s", name, r.StatusCode, r.Body)
		}
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/api/v1/ai/configs/local", nil},
			{http.MethodPut, "/api/v1/ai/configs/local", map[string]any{"kind": "ollama", "model": "x"}},
			{http.MethodDelete, "/api/v1/ai/configs/local", nil},
			{http.MethodPost, "/api/v1/ai/configs/local/test", nil},
		} {
			if r := c.apiJSON(req.method, req.path, req.body); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s %s: %d, want 403", name, req.method, req.path, r.StatusCode)
			}
		}
		if r := c.postForm("/settings/ai/local/delete", url.Values{"_csrf": {c.csrf()}}, nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s deletes through the page: %d", name, r.StatusCode)
		}
	}
	// Without the CSRF header a session cannot change anything.
	r := admin.do(http.MethodDelete, "/api/v1/ai/configs/local", nil, nil)
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("delete without CSRF: %d", r.StatusCode)
	}
	if r := admin.postForm("/settings/ai", url.Values{"name": {"x"}, "kind": {"ollama"}, "model": {"m"}}, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("form without CSRF: %d", r.StatusCode)
	}
	if r := admin.apiJSON(http.MethodGet, "/api/v1/ai/configs/local", nil); r.StatusCode != http.StatusOK {
		t.Errorf("the config is gone: %d", r.StatusCode)
	}
	if r := p.anonymous(t).get("/api/v1/ai/configs", nil); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", r.StatusCode)
	}
}

func TestAIConfigAPIBadInput(t *testing.T) {
	p := newAIPortal(t, nil)
	admin := p.login(t, "admin")
	tests := []struct {
		name, path string
		body       map[string]any
		field      string
	}{
		{"unknown kind", "/api/v1/ai/configs/a", map[string]any{"kind": "azure", "model": "m"}, "kind"},
		{"bad url", "/api/v1/ai/configs/a", map[string]any{"kind": "ollama", "model": "m", "base_url": "not a url"}, "base_url"},
		{"javascript url", "/api/v1/ai/configs/a", map[string]any{"kind": "ollama", "model": "m", "base_url": "javascript:alert(1)"}, "base_url"},
		{"temperature 5", "/api/v1/ai/configs/a", map[string]any{"kind": "ollama", "model": "m", "temperature": 5}, "temperature"},
		{"name with spaces", "/api/v1/ai/configs/my%20provider", map[string]any{"kind": "ollama", "model": "m"}, "name"},
		{"name with markup", "/api/v1/ai/configs/%3Cb%3Ex%3C%2Fb%3E", map[string]any{"kind": "ollama", "model": "m"}, "name"},
		{"no model", "/api/v1/ai/configs/a", map[string]any{"kind": "ollama"}, "model"},
		{"timeout", "/api/v1/ai/configs/a", map[string]any{"kind": "ollama", "model": "m", "timeout_seconds": 1}, "timeout_seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.apiJSON(http.MethodPut, tt.path, tt.body)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"`+tt.field+`":`) {
				t.Fatalf("%d %s, want 422 on %s", r.StatusCode, r.Body, tt.field)
			}
		})
	}
	r := admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/a", map[string]any{"kind": "ollama", "model": "m", "password": "x"})
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown field: %d %s", r.StatusCode, r.Body)
	}
}

func TestAIConfigTestConnection(t *testing.T) {
	models := &fakeModels{}
	p := newAIPortal(t, models)
	admin := p.login(t, "admin")
	if r := admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/claude", map[string]any{"kind": "anthropic", "model": "claude-x", "api_key": aiTestKey}); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	r := admin.apiJSON(http.MethodPost, "/api/v1/ai/configs/claude/test", nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"ok":true`) {
		t.Fatalf("test: %d %s", r.StatusCode, r.Body)
	}
	if len(models.seen) != 1 || models.seen[0].APIKey != aiTestKey || models.seen[0].Model != "claude-x" {
		t.Fatalf("the factory got %+v", models.seen)
	}

	// A provider error is shown, with the key scrubbed should an adapter echo it.
	models.err = domain.Errorf(domain.EUNAVAILABLE, "Anthropic refused the API key %s.", aiTestKey)
	r = admin.postForm("/settings/ai/claude/test", url.Values{"_csrf": {admin.csrf()}}, http.Header{"Hx-Request": {"true"}})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "✗") || !strings.Contains(r.Body, "refused the API key [redacted]") {
		t.Fatalf("failed test: %d %s", r.StatusCode, r.Body)
	}
	assertNoKey(t, "test result", r.Body)

	models.err = nil
	r = admin.postForm("/settings/ai/claude/test", url.Values{"_csrf": {admin.csrf()}}, http.Header{"Hx-Request": {"true"}})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "✓") {
		t.Fatalf("passing test: %d %s", r.StatusCode, r.Body)
	}
	if r := admin.apiJSON(http.MethodPost, "/api/v1/ai/configs/nope/test", nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("missing config: %d", r.StatusCode)
	}

}

func TestAIProvidersPage(t *testing.T) {
	p := newAIPortal(t, &fakeModels{})
	admin := p.login(t, "admin")

	r := admin.get("/settings", nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "AI providers") || !strings.Contains(r.Body, `id="ai-provider-form"`) {
		t.Fatalf("settings: %d", r.StatusCode)
	}
	form := url.Values{"_csrf": {admin.csrf()}, "name": {"claude"}, "kind": {"anthropic"}, "model": {"claude-x"},
		"api_key": {aiTestKey}, "temperature": {"0.5"}, "max_tokens": {"2048"}, "timeout_seconds": {"60"}}
	r = admin.postForm("/settings/ai", form, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/settings" {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	// The same name through the new-provider form is refused rather than overwritten.
	r = admin.postForm("/settings/ai", form, nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "edit it instead") {
		t.Fatalf("duplicate: %d", r.StatusCode)
	}
	assertNoKey(t, "duplicate form", r.Body)

	r = admin.get("/settings", nil)
	for _, want := range []string{"claude-x", "https://api.anthropic.com", `data-testid="key-set"`, "Test connection", "hx-confirm"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("settings page lacks %q", want)
		}
	}
	assertNoKey(t, "settings page", r.Body)

	r = admin.get("/settings/ai/claude", nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Leave empty to keep the current key") ||
		!strings.Contains(r.Body, `type="password" name="api_key" id="ai-api-key" value=""`) || !strings.Contains(r.Body, `value="0.5"`) {
		t.Fatalf("edit page: %d %s", r.StatusCode, r.Body)
	}
	assertNoKey(t, "edit page", r.Body)

	// Edit without a key keeps it.
	r = admin.postForm("/settings/ai", url.Values{"_csrf": {admin.csrf()}, "editing": {"true"}, "name": {"claude"},
		"kind": {"anthropic"}, "model": {"claude-y"}, "api_key": {""}}, http.Header{"Hx-Request": {"true"}})
	if r.StatusCode != http.StatusNoContent || r.Header.Get("Hx-Redirect") != "/settings" {
		t.Fatalf("edit: %d %s", r.StatusCode, r.Body)
	}
	if r = admin.get("/settings", nil); !strings.Contains(r.Body, "claude-y") || !strings.Contains(r.Body, `data-testid="key-set"`) {
		t.Fatal("edit lost the key or the model")
	}

	// Bad input re-renders the form with messages, escaped, and without the key.
	bad := url.Values{"_csrf": {admin.csrf()}, "name": {"<script>alert(1)</script>"}, "kind": {"azure"}, "model": {""},
		"base_url": {"ftp://x"}, "api_key": {aiTestKey}, "temperature": {"5"}, "max_tokens": {"lots"}}
	r = admin.postForm("/settings/ai", bad, http.Header{"Hx-Request": {"true"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad input: %d", r.StatusCode)
	}
	for _, field := range []string{"name-error", "kind-error", "model-error", "base_url-error", "temperature-error", "max_tokens-error"} {
		if !strings.Contains(r.Body, `id="`+field+`"`) {
			t.Errorf("no message %s in %s", field, r.Body)
		}
	}
	if strings.Contains(r.Body, "<script>alert(1)") || !strings.Contains(r.Body, "&lt;script&gt;") {
		t.Errorf("markup not escaped: %s", r.Body)
	}
	assertNoKey(t, "invalid form", r.Body)
	r = admin.postForm("/settings/ai", bad, nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "<html") {
		t.Fatalf("bad input without htmx: %d", r.StatusCode)
	}
	assertNoKey(t, "invalid form page", r.Body)

	// Readers see names, kinds and models, no controls and no URLs.
	r = p.login(t, "vic").get("/settings", nil)
	if !strings.Contains(r.Body, "claude-y") || strings.Contains(r.Body, "api.anthropic.com") || strings.Contains(r.Body, `id="ai-provider-form"`) ||
		strings.Contains(r.Body, "Test connection") || !strings.Contains(r.Body, "Only admins can add or change AI providers") {
		t.Errorf("viewer's settings page: %s", r.Body)
	}
	if r := p.login(t, "rita").get("/settings/ai/claude", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("responder opens the edit page: %d", r.StatusCode)
	}

	// Delete through the page.
	r = admin.postForm("/settings/ai/claude/delete", url.Values{"_csrf": {admin.csrf()}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	if r = admin.get("/settings", nil); !strings.Contains(r.Body, "No AI provider is configured yet") {
		t.Error("the provider is still listed")
	}
	r = admin.get("/admin/audit", nil)
	assertNoKey(t, "audit page", r.Body)
}
