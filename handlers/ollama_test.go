package handlers_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"tftsr/ai/aitest"
	"tftsr/db"
	"tftsr/domain"
	"tftsr/handlers"
)

// fixedProbe reports fixed hardware.
type fixedProbe struct{ hw domain.Hardware }

func (p fixedProbe) Hardware(context.Context) (*domain.Hardware, error) {
	hw := p.hw
	return &hw, nil
}

// ollamaPortal is the HTTP layer with an Ollama service whose URL points at a fake Ollama.
type ollamaPortal struct {
	*testPortal
	db     *db.DB
	ollama *aitest.Ollama
	server *handlers.Server
}

func newOllamaPortal(t *testing.T) *ollamaPortal {
	t.Helper()
	fake := aitest.NewOllama(t, "llama3.2:3b")
	b := buildPortal(t, portalOptions{OllamaURL: fake.URL})
	p := &ollamaPortal{testPortal: b.portal(), db: b.db, ollama: fake, server: b.server}
	createTestUsers(t, p.users)
	return p
}

// auditCount counts the audit entries with action.
func (p *ollamaPortal) auditCount(t *testing.T, action string) int {
	t.Helper()
	var n int
	if err := p.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// pullEvent is one parsed server-sent event of a pull.
type pullEvent struct{ name, data string }

// readPullEvents parses the events of an event stream, calling each as it arrives, until the stream ends.
func readPullEvents(t *testing.T, r io.Reader, each func(pullEvent)) []pullEvent {
	t.Helper()
	var events []pullEvent
	var cur pullEvent
	var data []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.name != "" || len(data) > 0 {
				cur.data = strings.Join(data, "\n")
				events = append(events, cur)
				if each != nil {
					each(cur)
				}
			}
			cur, data = pullEvent{}, nil
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		default:
			t.Errorf("unexpected stream line %q", line)
		}
	}
	return events
}

func TestOllamaAPI_Roles(t *testing.T) {
	p := newOllamaPortal(t)
	for _, who := range []string{"rita", "vic"} {
		c := p.login(t, who)
		for _, r := range []struct{ method, path string }{
			{http.MethodGet, "/api/v1/ollama/status"},
			{http.MethodGet, "/api/v1/ollama/install-guide?platform=linux"},
			{http.MethodGet, "/api/v1/ollama/models"},
			{http.MethodPost, "/api/v1/ollama/models/pull"},
			{http.MethodDelete, "/api/v1/ollama/models/llama3.2:3b"},
			{http.MethodGet, "/api/v1/system/hardware"},
			{http.MethodGet, "/api/v1/system/model-recommendations"},
		} {
			var body any
			if r.method == http.MethodPost {
				body = map[string]string{"name": "llama3.2:1b"}
			}
			resp := c.apiJSON(r.method, r.path, body)
			if resp.StatusCode != http.StatusForbidden || apiErrorCode(t, resp) != domain.EFORBIDDEN {
				t.Errorf("%s %s %s: %d %s", who, r.method, r.path, resp.StatusCode, resp.Body)
			}
		}
		for _, path := range []string{"/settings/ollama", "/settings/ollama/models", "/settings/ollama/delete?name=llama3.2:3b"} {
			if resp := c.get(path, nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", who, path, resp.StatusCode)
			}
		}
		for _, path := range []string{"/settings/ollama/url", "/settings/ollama/pull", "/settings/ollama/delete"} {
			resp := c.postForm(path, url.Values{"_csrf": {c.csrf()}, "name": {"llama3.2:3b"}, "ollama_url": {"http://evil:1"}}, nil)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d", who, path, resp.StatusCode)
			}
		}
	}
	// Nothing reached Ollama but the fake's own set-up, and nothing changed.
	if got := p.ollama.Requests(); len(got) != 0 {
		t.Fatalf("Ollama got %v", got)
	}
	if n := p.auditCount(t, "ollama.model_pull") + p.auditCount(t, "ollama.model_delete"); n != 0 {
		t.Fatalf("%d audit entries", n)
	}
}

func TestOllamaAPI(t *testing.T) {
	p := newOllamaPortal(t)
	admin := p.login(t, "admin")

	t.Run("Status", func(t *testing.T) {
		r := admin.apiJSON(http.MethodGet, "/api/v1/ollama/status", nil)
		want := `{"url":"` + p.ollama.URL + `","reachable":true,"version":"0.6.2"}`
		if r.StatusCode != http.StatusOK || strings.TrimSpace(r.Body) != want {
			t.Fatalf("%d %s, want %s", r.StatusCode, r.Body, want)
		}
		// The configured URL was called, not localhost:11434.
		if got := p.ollama.Requests(); len(got) != 1 || got[0] != "GET /api/version" {
			t.Fatalf("fake saw %v", got)
		}
	})
	t.Run("InstallGuide", func(t *testing.T) {
		r := admin.apiJSON(http.MethodGet, "/api/v1/ollama/install-guide?platform=macos", nil)
		var g domain.InstallGuide
		if r.StatusCode != http.StatusOK || json.Unmarshal([]byte(r.Body), &g) != nil || g.Platform != "macos" || len(g.Steps) == 0 || g.URL == "" {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		for _, q := range []string{"?platform=bsd", "", "?platform=%3Cscript%3E"} {
			r = admin.apiJSON(http.MethodGet, "/api/v1/ollama/install-guide"+q, nil)
			if r.StatusCode != http.StatusBadRequest || apiErrorCode(t, r) != domain.EINVALID || !strings.Contains(r.Body, "linux, macos, windows") {
				t.Errorf("%s: %d %s", q, r.StatusCode, r.Body)
			}
		}
	})
	t.Run("Models", func(t *testing.T) {
		r := admin.apiJSON(http.MethodGet, "/api/v1/ollama/models", nil)
		want := `{"items":[{"name":"llama3.2:3b","size":2019393189,"modified_at":"2026-11-01T10:20:30Z","digest":"a80c4f17","parameter_size":"3.2B","quantization":"Q4_K_M"}],"total":1}`
		if r.StatusCode != http.StatusOK || strings.TrimSpace(r.Body) != want {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
	})
	t.Run("PullJSON", func(t *testing.T) {
		r := admin.apiJSON(http.MethodPost, "/api/v1/ollama/models/pull", map[string]string{"name": "llama3.2:1b"})
		if r.StatusCode != http.StatusOK || strings.TrimSpace(r.Body) != `{"name":"llama3.2:1b","status":"success"}` {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		if n := p.auditCount(t, "ollama.model_pull"); n != 1 {
			t.Fatalf("%d pull audit entries", n)
		}
	})
	t.Run("PullSSE", func(t *testing.T) {
		release := p.ollama.Hold()
		defer release()
		req, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/api/v1/ollama/models/pull", strings.NewReader(`{"name":"library/qwen2.5:14b"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("X-Csrf-Token", admin.csrf())
		resp, err := admin.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		var percents []int
		events := readPullEvents(t, resp.Body, func(e pullEvent) {
			if e.name != "progress" {
				return
			}
			var pr struct {
				Status    string `json:"status"`
				Digest    string `json:"digest"`
				Total     int64  `json:"total"`
				Completed int64  `json:"completed"`
				Percent   *int   `json:"percent"`
			}
			if err := json.Unmarshal([]byte(e.data), &pr); err != nil || pr.Percent == nil || pr.Status == "" {
				t.Errorf("progress data %q: %v", e.data, err)
				return
			}
			percents = append(percents, *pr.Percent)
			if pr.Completed == 500 {
				// This event arrived while Ollama still holds the rest of its stream: progress is
				// streamed, not collected.
				release()
			}
		})
		want := []int{0, 25, 75, 87, 87, 87, 100}
		if len(percents) != len(want) {
			t.Fatalf("percents %v, want %v", percents, want)
		}
		for i := range want {
			if percents[i] != want[i] {
				t.Fatalf("percents %v, want %v", percents, want)
			}
		}
		last := events[len(events)-1]
		if last.name != "done" || last.data != `{"name":"library/qwen2.5:14b","status":"success"}` {
			t.Fatalf("last event %+v", last)
		}
		if n := p.auditCount(t, "ollama.model_pull"); n != 2 {
			t.Fatalf("%d pull audit entries", n)
		}
	})
	t.Run("PullSSEErrorMidStream", func(t *testing.T) {
		resp := admin.do(http.MethodPost, "/api/v1/ollama/models/pull", strings.NewReader(`{"name":"missing:1b"}`),
			http.Header{"Content-Type": {"application/json"}, "Accept": {"text/event-stream"}, "X-Csrf-Token": {admin.csrf()}})
		events := readPullEvents(t, strings.NewReader(resp.Body), nil)
		if len(events) != 2 || events[0].name != "progress" || events[1].name != "error" ||
			!strings.Contains(events[1].data, `"code":"not_found"`) || !strings.Contains(events[1].data, "pull model manifest: file does not exist") {
			t.Fatalf("%+v", events)
		}
		var details string
		if err := p.db.Pool.QueryRow(context.Background(), `SELECT details::text FROM audit_log WHERE entity_id = 'missing:1b'`).Scan(&details); err != nil ||
			!strings.Contains(details, `"outcome":"failed"`) {
			t.Fatalf("audit %s %v", details, err)
		}
	})
	t.Run("PullErrStatus", func(t *testing.T) {
		r := admin.apiJSON(http.MethodPost, "/api/v1/ollama/models/pull", map[string]string{"name": "broken:1b"})
		if r.StatusCode != http.StatusServiceUnavailable || apiErrorCode(t, r) != domain.EUNAVAILABLE || !strings.Contains(r.Body, "read-only file system") {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
	})
	t.Run("ErrBadNames", func(t *testing.T) {
		before := len(p.ollama.Requests())
		for _, name := range []string{"", "llama 3", "../../etc/passwd", "a\x00b", "x\ny", strings.Repeat("m", 201), "<b>x</b>"} {
			r := admin.apiJSON(http.MethodPost, "/api/v1/ollama/models/pull", map[string]string{"name": name})
			if r.StatusCode != http.StatusBadRequest || apiErrorCode(t, r) != domain.EINVALID {
				t.Errorf("pull %q: %d %s", name, r.StatusCode, r.Body)
			}
			if strings.Contains(r.Body, "<b>") {
				t.Errorf("pull %q: markup echoed: %s", name, r.Body)
			}
		}
		for _, path := range []string{"llama%203", "..%2F..%2Fetc", "a..b", "x%00y", strings.Repeat("m", 201)} {
			r := admin.apiJSON(http.MethodDelete, "/api/v1/ollama/models/"+path, nil)
			if r.StatusCode != http.StatusBadRequest || apiErrorCode(t, r) != domain.EINVALID {
				t.Errorf("delete %q: %d %s", path, r.StatusCode, r.Body)
			}
		}
		r := admin.apiJSON(http.MethodPost, "/api/v1/ollama/models/pull", map[string]any{"name": 7})
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("name 7: %d", r.StatusCode)
		}
		if after := len(p.ollama.Requests()); after != before {
			t.Fatalf("bad names reached Ollama: %v", p.ollama.Requests()[before:])
		}
	})
	t.Run("Delete", func(t *testing.T) {
		r := admin.apiJSON(http.MethodDelete, "/api/v1/ollama/models/library/qwen2.5:14b", nil)
		if r.StatusCode != http.StatusNoContent {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		r = admin.apiJSON(http.MethodDelete, "/api/v1/ollama/models/library%2Fqwen2.5:14b", nil)
		if r.StatusCode != http.StatusNotFound || apiErrorCode(t, r) != domain.ENOTFOUND || !strings.Contains(r.Body, "not found") {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		if n := p.auditCount(t, "ollama.model_delete"); n != 1 {
			t.Fatalf("%d delete audit entries", n)
		}
	})
	t.Run("Hardware", func(t *testing.T) {
		r := admin.apiJSON(http.MethodGet, "/api/v1/system/hardware", nil)
		want := `{"cpu_model":"Test CPU","cpu_cores":4,"cpu_threads":8,"arch":"x86_64","os":"linux","total_ram_bytes":17179869184,"gpus":[{"vendor":"NVIDIA","name":"Tesla T4","vram_bytes":16106127360}]}`
		if r.StatusCode != http.StatusOK || strings.TrimSpace(r.Body) != want {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
	})
	t.Run("Recommendations", func(t *testing.T) {
		r := admin.apiJSON(http.MethodGet, "/api/v1/system/model-recommendations", nil)
		var body struct {
			Items []domain.ModelRecommendation `json:"items"`
			Total int                          `json:"total"`
		}
		if r.StatusCode != http.StatusOK || json.Unmarshal([]byte(r.Body), &body) != nil || body.Total != 6 || len(body.Items) != 6 {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		for _, it := range body.Items {
			if want := it.Name == "llama3.2:3b" || it.Name == "llama3.2:1b"; it.Installed != want {
				t.Errorf("%s installed = %v", it.Name, it.Installed)
			}
			if want := it.Name == "llama3.1:8b"; it.Recommended != want {
				t.Errorf("%s recommended = %v", it.Name, it.Recommended)
			}
		}
	})
	t.Run("SetURLThroughSettingsAPI", func(t *testing.T) {
		r := admin.apiJSON(http.MethodPatch, "/api/v1/settings", map[string]string{"ollama_url": "http://user:pw@host:11434"})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"ollama_url"`) {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
	})
}

func TestOllamaAPI_Unreachable(t *testing.T) {
	p := newOllamaPortal(t)
	admin := p.login(t, "admin")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	r := admin.postForm("/settings/ollama/url", url.Values{"_csrf": {admin.csrf()}, "ollama_url": {closed}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save URL: %d %s", r.StatusCode, r.Body)
	}
	if n := p.auditCount(t, "settings.update"); n != 2 { // the set-up's and this one
		t.Fatalf("%d settings.update entries", n)
	}

	r = admin.apiJSON(http.MethodGet, "/api/v1/ollama/status", nil)
	var st domain.OllamaStatus
	if r.StatusCode != http.StatusOK || json.Unmarshal([]byte(r.Body), &st) != nil || st.Reachable || st.URL != closed ||
		!strings.Contains(st.Error, "No answer from Ollama") || !strings.Contains(st.Error, closed) {
		t.Fatalf("%d %s", r.StatusCode, r.Body)
	}
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v1/ollama/models", nil},
		{http.MethodPost, "/api/v1/ollama/models/pull", map[string]string{"name": "llama3.2:1b"}},
		{http.MethodDelete, "/api/v1/ollama/models/llama3.2:3b", nil},
	} {
		r := admin.apiJSON(req.method, req.path, req.body)
		if r.StatusCode != http.StatusServiceUnavailable || apiErrorCode(t, r) != domain.EUNAVAILABLE || !strings.Contains(r.Body, "No answer from Ollama") {
			t.Errorf("%s %s: %d %s", req.method, req.path, r.StatusCode, r.Body)
		}
	}
	// Recommendations still work, with nothing installed; the page shows the error and the guide.
	r = admin.apiJSON(http.MethodGet, "/api/v1/system/model-recommendations", nil)
	if r.StatusCode != http.StatusOK || strings.Contains(r.Body, `"installed":true`) {
		t.Fatalf("%d %s", r.StatusCode, r.Body)
	}
	page := admin.get("/settings/ollama", nil)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Not reachable") || !strings.Contains(page.Body, "install.sh") ||
		!strings.Contains(page.Body, "portal host") {
		t.Fatalf("%d %.2000s", page.StatusCode, page.Body)
	}
}

func TestOllamaPages(t *testing.T) {
	p := newOllamaPortal(t)
	admin := p.login(t, "admin")

	page := admin.get("/settings/ollama", nil)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page.Body))
	if err != nil {
		t.Fatal(err)
	}
	// Sizes are written as every size is (domain.FormatBytes): 2,019,393,189 bytes are 1.9 GB.
	for sel, want := range map[string]string{
		`[data-testid=ollama-models] tr[data-model="llama3.2:3b"] [data-testid=ollama-model-size]`: "1.9 GB",
		`[data-testid=ollama-ram]`: "16 GB",
	} {
		if got := strings.TrimSpace(doc.Find(sel).Text()); got != want {
			t.Errorf("%s is %q, want %q", sel, got, want)
		}
	}
	for _, want := range []string{"0.6.2", "llama3.2:3b", "Tesla T4", "Recommended", `value="` + p.ollama.URL + `"`, "js/ollama.js",
		`<progress id="ollama-pull-progress"`, "Hardware of the portal host"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	settings := admin.get("/settings", nil)
	if !strings.Contains(settings.Body, `href="/settings/ollama"`) {
		t.Error("the settings page does not link to the Ollama section")
	}

	t.Run("ErrURL", func(t *testing.T) {
		r := admin.postForm("/settings/ollama/url", url.Values{"_csrf": {admin.csrf()}, "ollama_url": {`javascript:alert("x")`}}, nil)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "http:// or https://") ||
			!strings.Contains(r.Body, `value="javascript:alert(&#34;x&#34;)"`) {
			t.Fatalf("%d %.3000s", r.StatusCode, r.Body)
		}
	})
	t.Run("PullForm", func(t *testing.T) {
		r := admin.postForm("/settings/ollama/pull", url.Values{"_csrf": {admin.csrf()}, "name": {"phi3.5:3.8b"}}, nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		r = admin.postForm("/settings/ollama/pull", url.Values{"_csrf": {admin.csrf()}, "name": {"<i>bad name</i>"}}, nil)
		if r.StatusCode != http.StatusBadRequest || strings.Contains(r.Body, "<i>bad") || !strings.Contains(r.Body, "&lt;i&gt;bad name&lt;/i&gt;") {
			t.Fatalf("%d %.3000s", r.StatusCode, r.Body)
		}
	})
	t.Run("DeleteConfirms", func(t *testing.T) {
		r := admin.get("/settings/ollama/delete?name=phi3.5:3.8b", nil)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Delete model?") || !strings.Contains(r.Body, `name="name" value="phi3.5:3.8b"`) {
			t.Fatalf("%d %.2000s", r.StatusCode, r.Body)
		}
		if n := p.auditCount(t, "ollama.model_delete"); n != 0 {
			t.Fatal("asking deleted")
		}
		r = admin.postForm("/settings/ollama/delete", url.Values{"_csrf": {admin.csrf()}, "name": {"phi3.5:3.8b"}}, nil)
		if r.StatusCode != http.StatusSeeOther || p.auditCount(t, "ollama.model_delete") != 1 {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		if r := admin.get("/settings/ollama/delete?name=..%2Fx", nil); r.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad name: %d", r.StatusCode)
		}
	})
	t.Run("ModelsFragment", func(t *testing.T) {
		r := admin.get("/settings/ollama/models", http.Header{"Hx-Request": {"true"}})
		table, recs, ok := strings.Cut(r.Body, "<section")
		if r.StatusCode != http.StatusOK || !ok || !strings.HasPrefix(strings.TrimSpace(table), `<div id="ollama-models"`) ||
			strings.Contains(table, "phi3.5") || !strings.Contains(table, "llama3.2:3b") {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		// The recommendations come out of band, with the deleted model no longer installed.
		if !strings.Contains(recs, `id="ollama-recommendations"`) || !strings.Contains(recs, `hx-swap-oob="true"`) ||
			strings.Count(recs, `data-testid="installed"`) != 1 {
			t.Fatalf("recommendations %s", recs)
		}
	})
}

// TestOllamaPullEndsAtShutdown: a pull under way when the portal begins to shut down ends with
// an event saying so, instead of holding the shutdown until its wait runs out.
func TestOllamaPullEndsAtShutdown(t *testing.T) {
	p := newOllamaPortal(t)
	admin := p.login(t, "admin")
	// A pull under way when the portal begins to shut down ends with an event saying so,
	// instead of holding the shutdown until its wait runs out.
	release := p.ollama.Hold()
	defer release()
	req, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/api/v1/ollama/models/pull", strings.NewReader(`{"name":"library/qwen2.5:14b"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("X-Csrf-Token", admin.csrf())
	resp, err := admin.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := readPullEvents(t, resp.Body, func(e pullEvent) {
		if e.name == "progress" && strings.Contains(e.data, `"completed":500`) {
			p.server.BeginShutdown()
		}
	})
	last := events[len(events)-1]
	if last.name != "error" || !strings.Contains(last.data, `"code":"unavailable"`) || !strings.Contains(last.data, "The portal is restarting") {
		t.Fatalf("last event %+v", last)
	}
}
