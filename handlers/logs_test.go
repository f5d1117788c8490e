package handlers_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"tftsr/blob"
	"tftsr/blob/blobtest"
	"tftsr/db"
	"tftsr/domain"
)

// logPortal is the HTTP layer with logs over a real database and a real MinIO bucket of the
// test's own, with the users of newTestPortal (admin, rita the responder, vic the viewer).
type logPortal struct {
	*testPortal
	db    *db.DB
	blobs *blob.Store // straight to MinIO, for checking what is stored
	logs  *domain.LogService
}

// newLogPortal starts the portal with logs. When through is not "", the portal reaches MinIO
// through that address (a proxy) instead of directly.
func newLogPortal(t *testing.T, limits domain.LogLimits, through string) *logPortal {
	t.Helper()
	return startLogPortal(t, limits, through, nil)
}

// newChatLogPortal starts the portal with logs and the triage chat, whose provider configs use
// models (for example the real adapters, ai.NewFactory, against a fake provider).
func newChatLogPortal(t *testing.T, models domain.ChatModelFactory) *logPortal {
	t.Helper()
	return startLogPortal(t, domain.LogLimits{}, "", models)
}

// startLogPortal starts the portal with logs and the triage chat, whose models are models (nil:
// the real adapters), and the users admin, rita (responder) and vic (viewer).
func startLogPortal(t *testing.T, limits domain.LogLimits, through string, models domain.ChatModelFactory) *logPortal {
	t.Helper()
	cfg := blobtest.Config(t)
	direct := blobtest.OpenConfig(t, cfg)
	store := direct
	if through != "" {
		cfg.Endpoint = through
		var err error
		if store, err = blob.Open(cfg); err != nil {
			t.Fatal(err)
		}
	}
	b := buildPortal(t, portalOptions{Blobs: store, LogLimits: limits, Models: models})
	p := &logPortal{testPortal: b.portal(), db: b.db, blobs: direct, logs: b.services.Logs}
	createTestUsers(t, p.users)
	return p
}

// newIssue creates an incident as c and returns its id.
func (p *logPortal) newIssue(t *testing.T, c *client, title string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"title": title})
	r := c.do(http.MethodPost, "/api/v1/issues", bytes.NewReader(b), http.Header{"Content-Type": {"application/json"}, "X-Csrf-Token": {c.csrf()}})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create incident: %d %s", r.StatusCode, r.Body)
	}
	var is domain.Issue
	json.Unmarshal([]byte(r.Body), &is)
	return is.ID
}

// keys lists the objects in the bucket.
func (p *logPortal) keys(t *testing.T) []string {
	t.Helper()
	var keys []string
	if err := p.blobs.List(context.Background(), "", time.Time{}, func(k string) error {
		keys = append(keys, k)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

// rows counts the log rows.
func (p *logPortal) rows(t *testing.T) int {
	t.Helper()
	var n int
	if err := p.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM log_files`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantNothingStored fails unless the bucket and the log table are empty.
func (p *logPortal) wantNothingStored(t *testing.T) {
	t.Helper()
	if keys := p.keys(t); len(keys) != 0 {
		t.Errorf("objects stored: %v", keys)
	}
	if n := p.rows(t); n != 0 {
		t.Errorf("%d log rows stored", n)
	}
}

// logFile is a file of a test upload.
type logFile struct {
	name string
	data []byte
}

// upload posts files to the API as multipart parts named "file", with the session's CSRF
// token in the header as the page's script sends it.
func upload(t *testing.T, c *client, issueID string, files ...logFile) *response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range files {
		fw, err := w.CreateFormFile("file", f.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	w.Close()
	return c.do(http.MethodPost, "/api/v1/issues/"+issueID+"/logs", &buf, http.Header{
		"Content-Type": {w.FormDataContentType()}, "X-Csrf-Token": {c.csrf()}})
}

// decodeLog decodes a single LogFile response.
func decodeLog(t *testing.T, r *response) *domain.LogFile {
	t.Helper()
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	var l domain.LogFile
	if err := json.Unmarshal([]byte(r.Body), &l); err != nil || l.ID == "" {
		t.Fatalf("upload answered %s", r.Body)
	}
	return &l
}

// apiJSON sends a JSON body with the session's CSRF token and decodes the answer into out.
func apiJSON(t *testing.T, c *client, method, path string, body, out any) *response {
	t.Helper()
	h := http.Header{"X-Csrf-Token": {c.csrf()}}
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
		h.Set("Content-Type", "application/json")
	}
	resp := c.do(method, path, r, h)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
			t.Fatalf("%s %s answered %s", method, path, resp.Body)
		}
	}
	return resp
}

const httpSecretLog = "2026-03-01T09:00:00Z INFO login ok user=grace.hopper@example.com from 198.51.100.23\n" +
	"2026-03-01T09:00:01Z WARN retry password=S3cr3t!pass\n" +
	"2026-03-01T09:00:02Z INFO done\n"

// TestLogLifecycle uploads a log with secrets to the real stores, reads it back, reviews it,
// applies the redactions and deletes it, checking MinIO and the pages at each step.
func TestLogLifecycle(t *testing.T) {
	p := newLogPortal(t, domain.LogLimits{}, "")
	rita := p.login(t, "rita")
	issueID := p.newIssue(t, rita, "Login storm")

	l := decodeLog(t, upload(t, rita, issueID, logFile{"auth.log", []byte(httpSecretLog)}))
	if l.FileName != "auth.log" || l.SizeBytes != int64(len(httpSecretLog)) || l.PIISummary["Email"] != 1 || l.Redacted {
		t.Fatalf("log %+v", l)
	}
	key := domain.LogObjectKey(issueID, l.ID)
	r, err := p.blobs.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("object %s: %v", key, err)
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		t.Fatalf("stored object is not gzip: %v", err)
	}
	stored, err := io.ReadAll(zr)
	r.Close()
	if err != nil || string(stored) != httpSecretLog {
		t.Fatalf("stored %q (%v)", stored, err)
	}
	if got := rita.get("/api/v1/logs/"+l.ID+"/content", nil); got.StatusCode != 200 || got.Body != httpSecretLog ||
		!strings.HasPrefix(got.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("content before review: %d %q", got.StatusCode, got.Body)
	}

	// The incident page lists it; the view dialog never shows the values.
	page := rita.get("/issues/"+issueID+"/logs", nil)
	wantIn(t, page.Body, `data-testid="log-row"`, "auth.log", "To review", `id="log-drop"`)
	view := rita.get("/logs/"+l.ID+"/view", http.Header{"HX-Request": {"true"}})
	wantIn(t, view.Body, "[Email]", "[IPv4]", "<dialog")
	wantOut(t, view.Body, "grace.hopper", "198.51.100.23", "S3cr3t")

	// Detect again: the same spans, with their values, no duplicates.
	var det struct {
		LogFileID string `json:"log_file_id"`
		Spans     []struct {
			ID          string `json:"id"`
			PIIType     string `json:"pii_type"`
			Original    string `json:"original"`
			Replacement string `json:"replacement"`
			Start       int64  `json:"start"`
			End         int64  `json:"end"`
		} `json:"spans"`
		TotalFound int `json:"total_found"`
	}
	for range 2 {
		if resp := apiJSON(t, rita, http.MethodPost, "/api/v1/logs/"+l.ID+"/pii/detect", nil, &det); resp.StatusCode != 200 {
			t.Fatalf("detect: %d %s", resp.StatusCode, resp.Body)
		}
	}
	if det.LogFileID != l.ID || det.TotalFound != 3 || len(det.Spans) != 3 {
		t.Fatalf("detect %+v", det)
	}
	var n int
	p.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM pii_spans WHERE log_file_id = $1`, l.ID).Scan(&n)
	if n != 3 {
		t.Errorf("%d spans stored after detecting twice, want 3", n)
	}
	var emailID, ipID string
	for _, sp := range det.Spans {
		if httpSecretLog[sp.Start:sp.End] != sp.Original {
			t.Errorf("span %+v: original is not the text at its offsets", sp)
		}
		switch sp.PIIType {
		case "Email":
			emailID = sp.ID
		case "IPv4":
			ipID = sp.ID
		}
	}

	// The review page's text view: highlights and the list; keep the address (a documentation
	// address).
	review := rita.get("/logs/"+l.ID+"?view=text", nil)
	wantIn(t, review.Body, `class="pii pii-on"`, "grace.hopper@example.com", "Apply redactions", `data-span-id="`+ipID+`"`)
	frag := rita.postForm("/logs/"+l.ID+"/spans/"+ipID, formValues("approved", "false", "view", "text", "page", "1", "_csrf", rita.csrf()), http.Header{"HX-Request": {"true"}})
	if frag.StatusCode != 200 || !strings.Contains(frag.Body, `id="log-review"`) || strings.Contains(frag.Body, "<html") {
		t.Fatalf("review decision: %d %.200s", frag.StatusCode, frag.Body)
	}
	wantIn(t, frag.Body, "pii-off")

	// A viewer can read but not decide or apply.
	vic := p.login(t, "vic")
	if r := vic.postForm("/logs/"+l.ID+"/apply", formValues("_csrf", vic.csrf()), nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer apply: %d", r.StatusCode)
	}

	// Apply through the API with an explicit list: the e-mail and password go, the IP stays.
	var applied struct {
		LogFileID string `json:"log_file_id"`
		Redacted  bool   `json:"redacted"`
		DataHash  string `json:"data_hash"`
	}
	var pwID string
	for _, sp := range det.Spans {
		if sp.PIIType == "Password" {
			pwID = sp.ID
		}
	}
	if resp := apiJSON(t, rita, http.MethodPost, "/api/v1/logs/"+l.ID+"/redactions", map[string]any{"approved_span_ids": []string{emailID, pwID}}, &applied); resp.StatusCode != 200 {
		t.Fatalf("apply: %d %s", resp.StatusCode, resp.Body)
	}
	if !applied.Redacted || applied.LogFileID != l.ID || len(applied.DataHash) != 64 {
		t.Errorf("apply answered %+v", applied)
	}
	if resp := apiJSON(t, rita, http.MethodPost, "/api/v1/logs/"+l.ID+"/redactions", map[string]any{}, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("second apply: %d", resp.StatusCode)
	}
	content := rita.get("/api/v1/logs/"+l.ID+"/content?download=1", nil)
	wantIn(t, content.Body, "user=[Email]", "198.51.100.23", "[Password]")
	wantOut(t, content.Body, "grace.hopper", "S3cr3t")
	if cd := content.Header.Get("Content-Disposition"); !strings.Contains(cd, "auth.redacted.log") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if r := rita.get("/api/v1/logs/"+l.ID+"/content?original=true", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("responder original: %d", r.StatusCode)
	}
	admin := p.login(t, "admin")
	if r := admin.get("/api/v1/logs/"+l.ID+"/content?original=true", nil); r.Body != httpSecretLog {
		t.Errorf("admin original: %d %q", r.StatusCode, r.Body)
	}
	orig := admin.get("/logs/"+l.ID+"/original", nil)
	wantIn(t, orig.Body, "grace.hopper@example.com", "recorded in the audit log")
	p.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'log.view_original'`).Scan(&n)
	if n != 2 {
		t.Errorf("%d original views audited, want 2", n)
	}
	redactedPage := rita.get("/logs/"+l.ID, nil)
	wantIn(t, redactedPage.Body, "Reviewed: 2 values were redacted and 1 value was kept as not sensitive.", applied.DataHash)
	wantOut(t, redactedPage.Body, "grace.hopper", "Apply redactions", "View original")
	wantIn(t, admin.get("/logs/"+l.ID, nil).Body, "View original")

	// List and search across incidents: by name and by redacted content, never by a value.
	var list struct {
		Items []domain.LogFile `json:"items"`
		Total int              `json:"total"`
	}
	for q, want := range map[string]int{"auth": 1, "retry": 1, "grace": 0, "hopper": 0, "": 1} {
		apiJSON(t, rita, http.MethodGet, "/api/v1/logs?search="+q+"&issue_id="+issueID, nil, &list)
		if list.Total != want {
			t.Errorf("search %q: %d, want %d", q, list.Total, want)
		}
	}
	apiJSON(t, rita, http.MethodGet, "/api/v1/logs?issue_id="+issueID, nil, &list)
	if len(list.Items) != 1 || list.Items[0].IssueTitle != "Login storm" {
		t.Errorf("list %+v", list.Items)
	}

	// Delete removes the row and both objects.
	if len(p.keys(t)) != 2 {
		t.Fatalf("objects %v, want the original and the redacted text", p.keys(t))
	}
	if r := apiJSON(t, rita, http.MethodDelete, "/api/v1/logs/"+l.ID, nil, nil); r.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.StatusCode, r.Body)
	}
	p.wantNothingStored(t)

	// Deleting an incident removes its logs' objects too.
	decodeLog(t, upload(t, rita, issueID, logFile{"again.log", []byte("x\n")}))
	if r := apiJSON(t, rita, http.MethodDelete, "/api/v1/issues/"+issueID, nil, nil); r.StatusCode != http.StatusNoContent {
		t.Fatalf("delete incident: %d", r.StatusCode)
	}
	p.wantNothingStored(t)
}

// formValues builds form values from name, value pairs.
func formValues(kv ...string) map[string][]string {
	v := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = append(v[kv[i]], kv[i+1])
	}
	return v
}

func wantIn(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q:\n%.3000s", s, body)
		}
	}
}

func wantOut(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("body holds %q", s)
		}
	}
}

// gzipBombBytes is one gzip stream of a text line repeated to size bytes, a few hundred KB
// compressed: a flushed deflate block of the line repeated, then a final empty block.
func gzipBombBytes(t *testing.T, size int) []byte {
	t.Helper()
	unit := bytes.Repeat([]byte("INFO all good, nothing to see here, move along please\n"), 1200)
	var block bytes.Buffer
	fw, _ := flate.NewWriter(&block, flate.BestCompression)
	fw.Write(unit)
	fw.Flush()
	out := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}
	out = append(out, bytes.Repeat(block.Bytes(), size/len(unit))...)
	out = append(out, 0x03, 0x00)
	out = binary.LittleEndian.AppendUint32(out, 0)
	return binary.LittleEndian.AppendUint32(out, uint32(size))
}

func zipOf(t *testing.T, entries ...logFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, _ := zw.Create(e.name)
		w.Write(e.data)
	}
	zw.Close()
	return buf.Bytes()
}

// TestLogUploadBadInput sends what people and attackers send: each refusal is a clear 4xx that
// stores nothing, each acceptance a safe result.
func TestLogUploadBadInput(t *testing.T) {
	p := newLogPortal(t, domain.LogLimits{MaxBytes: 2 << 20, MaxUploadBytes: 4 << 20}, "")
	rita := p.login(t, "rita")
	issueID := p.newIssue(t, rita, "Bad input")

	bomb := gzipBombBytes(t, 200<<20)
	if len(bomb) > 1<<20 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	refusals := []struct {
		name   string
		files  []logFile
		status int
		code   string
		msg    string
	}{
		{"zip with ../ paths", []logFile{{"evil.zip", zipOf(t, logFile{"ok.log", []byte("ok\n")}, logFile{"../../etc/cron.d/evil", []byte("* * * * * root sh\n")})}},
			400, domain.EINVALID, `unsafe path, "../../etc/cron.d/evil"`},
		{"zip with an absolute path", []logFile{{"abs.zip", zipOf(t, logFile{"/etc/passwd", []byte("root:x:0:0\n")})}},
			400, domain.EINVALID, "unsafe path"},
		{"gzip bomb", []logFile{{"bomb.log.gz", bomb}}, 413, domain.ETOOLARGE, "larger than 2 MB once decompressed"},
		{"binary", []logFile{{"core.dump", append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 2000)...)}}, 415, domain.EUNSUPPORTED, "core.dump looks like a program"},
		{"NUL bytes", []logFile{{"data.bin", []byte("abc\x00\x00\x00def")}}, 415, domain.EUNSUPPORTED, "binary"},
		{"nested archive", []logFile{{"nest.zip", zipOf(t, logFile{"inner.zip", zipOf(t, logFile{"a.log", []byte("a\n")})})}},
			415, domain.EUNSUPPORTED, "nest.zip: inner.zip is an archive inside an archive"},
		{"over the size limit", []logFile{{"big.log", bytes.Repeat([]byte("0123456789abcdef\n"), (2<<20)/17+10)}}, 413, domain.ETOOLARGE, "larger than 2 MB"},
		{"request over the upload limit", []logFile{{"huge.log", bytes.Repeat([]byte("x"), 5<<20)}}, 413, domain.ETOOLARGE, "too large"},
		{"one bad file of two", []logFile{{"fine.log", []byte("fine\n")}, {"bad.png", []byte("\x89PNG\r\n\x1a\n....")}}, 415, domain.EUNSUPPORTED, "bad.png looks like a PNG image"},
		{"empty", []logFile{{"empty.log", nil}}, 400, domain.EINVALID, "empty.log is empty"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			r := upload(t, rita, issueID, tc.files...)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.Body)
			}
			var body struct {
				Error struct{ Code, Message string }
			}
			json.Unmarshal([]byte(r.Body), &body)
			if body.Error.Code != tc.code || !strings.Contains(body.Error.Message, tc.msg) {
				t.Errorf("error %+v, want code %s with %q", body.Error, tc.code, tc.msg)
			}
			p.wantNothingStored(t)
		})
	}

	t.Run("viewer", func(t *testing.T) {
		vic := p.login(t, "vic")
		if r := upload(t, vic, issueID, logFile{"a.log", []byte("a\n")}); r.StatusCode != http.StatusForbidden {
			t.Errorf("viewer upload: %d %s", r.StatusCode, r.Body)
		}
		p.wantNothingStored(t)
	})
	t.Run("CSRF", func(t *testing.T) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", "a.log")
		fw.Write([]byte("a\n"))
		w.Close()
		r := rita.do(http.MethodPost, "/api/v1/issues/"+issueID+"/logs", &buf, http.Header{"Content-Type": {w.FormDataContentType()}})
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("upload without a CSRF token: %d %s", r.StatusCode, r.Body)
		}
		p.wantNothingStored(t)
	})
	t.Run("missing incident", func(t *testing.T) {
		if r := upload(t, rita, "0190c0de-0000-7000-8000-000000000000", logFile{"a.log", []byte("a\n")}); r.StatusCode != http.StatusNotFound {
			t.Errorf("status %d", r.StatusCode)
		}
	})

	t.Run("hostile name", func(t *testing.T) {
		l := decodeLog(t, upload(t, rita, issueID, logFile{`..\..\srv/<img src=x onerror=alert(1)>.log`, []byte("hello\n")}))
		if l.FileName != "<img src=x onerror=alert(1)>.log" {
			t.Errorf("stored name %q", l.FileName)
		}
		page := rita.get("/issues/"+issueID+"/logs", nil)
		wantIn(t, page.Body, "&lt;img src=x onerror=alert(1)&gt;.log")
		wantOut(t, page.Body, "<img src=x")
		review := rita.get("/logs/"+l.ID, nil)
		wantIn(t, review.Body, "&lt;img src=x onerror=alert(1)&gt;.log")
		wantOut(t, review.Body, "<img src=x")
		apiJSON(t, rita, http.MethodDelete, "/api/v1/logs/"+l.ID, nil, nil)
	})
	t.Run("markup in the text", func(t *testing.T) {
		l := decodeLog(t, upload(t, rita, issueID, logFile{"xss.log", []byte("<script>alert(document.cookie)</script> from admin@example.com\n")}))
		for _, path := range []string{"/logs/" + l.ID, "/logs/" + l.ID + "/view"} {
			body := rita.get(path, nil).Body
			wantIn(t, body, "&lt;script&gt;alert(document.cookie)&lt;/script&gt;")
			wantOut(t, body, "<script>alert")
		}
		apiJSON(t, rita, http.MethodDelete, "/api/v1/logs/"+l.ID, nil, nil)
	})
	t.Run("non-UTF-8", func(t *testing.T) {
		l := decodeLog(t, upload(t, rita, issueID, logFile{"latin1.log", []byte("Fehler: Datei f\xfcr Benutzer nicht gefunden\n")}))
		if !l.InvalidUTF8 {
			t.Error("invalid_utf8 not set")
		}
		wantIn(t, rita.get("/api/v1/logs/"+l.ID+"/content", nil).Body, "f\uFFFDr Benutzer")
		wantIn(t, rita.get("/logs/"+l.ID, nil).Body, `data-testid="invalid-utf8"`)
		wantIn(t, rita.get("/issues/"+issueID+"/logs", nil).Body, `data-testid="log-invalid-utf8"`)
		apiJSON(t, rita, http.MethodDelete, "/api/v1/logs/"+l.ID, nil, nil)
	})
	t.Run("several files and a zip", func(t *testing.T) {
		r := upload(t, rita, issueID, logFile{"one.log", []byte("1\n")}, logFile{"pack.zip", zipOf(t, logFile{"a/two.log", []byte("2\n")}, logFile{"b/three.log", []byte("3\n")})})
		var list struct {
			Items []domain.LogFile `json:"items"`
			Total int              `json:"total"`
		}
		if r.StatusCode != 201 || json.Unmarshal([]byte(r.Body), &list) != nil || list.Total != 3 || list.Items[2].FileName != "three.log" {
			t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
		}
		for _, l := range list.Items {
			apiJSON(t, rita, http.MethodDelete, "/api/v1/logs/"+l.ID, nil, nil)
		}
		p.wantNothingStored(t)
	})
	t.Run("by content", func(t *testing.T) {
		var l domain.LogFile
		r := apiJSON(t, rita, http.MethodPost, "/api/v1/issues/"+issueID+"/logs", map[string]string{"file_name": "../pasted.txt", "content": "pasted text\n"}, &l)
		if r.StatusCode != 201 || l.FileName != "pasted.txt" || l.SizeBytes != 12 {
			t.Fatalf("by content: %d %s", r.StatusCode, r.Body)
		}
		if r := apiJSON(t, rita, http.MethodPost, "/api/v1/issues/"+issueID+"/logs", map[string]string{"file_name": "x", "content": ""}, nil); r.StatusCode != 422 {
			t.Errorf("empty content: %d", r.StatusCode)
		}
		apiJSON(t, rita, http.MethodDelete, "/api/v1/logs/"+l.ID, nil, nil)
	})
	t.Run("page form and paste", func(t *testing.T) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("_csrf", rita.csrf())
		w.WriteField("file_name", "notes.txt")
		w.WriteField("content", "pasted from a terminal\n")
		w.Close()
		r := rita.do(http.MethodPost, "/issues/"+issueID+"/logs", &buf, http.Header{"Content-Type": {w.FormDataContentType()}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("no-script form: %d %s", r.StatusCode, r.Body)
		}
		var got domain.LogFile
		var list struct{ Items []domain.LogFile }
		apiJSON(t, rita, http.MethodGet, "/api/v1/logs?search=notes", nil, &list)
		if len(list.Items) != 1 {
			t.Fatalf("pasted log not found: %+v", list)
		}
		got = list.Items[0]
		if got.FileName != "notes.txt" {
			t.Errorf("pasted log %+v", got)
		}
		apiJSON(t, rita, http.MethodDelete, "/api/v1/logs/"+got.ID, nil, nil)
		p.wantNothingStored(t)
	})
}

// cutProxy is a TCP proxy to MinIO that can be taken down mid-transfer: after a number of
// bytes towards MinIO it closes every connection and refuses new ones until healed, as a
// MinIO that stops.
type cutProxy struct {
	ln       net.Listener
	upstream string
	mu       sync.Mutex
	conns    map[net.Conn]bool
	down     bool
	budget   int64 // bytes towards MinIO before it goes down; < 0: unlimited
}

func newCutProxy(t *testing.T, upstream string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, upstream: upstream, conns: map[net.Conn]bool{}, budget: -1}
	t.Cleanup(func() { ln.Close(); p.closeAll() })
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.upstream)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go p.pipe(up, c, true)
		go p.pipe(c, up, false)
	}
}

// pipe copies src to dst, spending the budget on bytes towards MinIO.
func (p *cutProxy) pipe(dst, src net.Conn, towardsMinIO bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && towardsMinIO {
			p.mu.Lock()
			cut := false
			if p.budget >= 0 {
				p.budget -= int64(n)
				cut = p.budget < 0
			}
			p.mu.Unlock()
			if cut {
				p.mu.Lock()
				p.down = true
				p.mu.Unlock()
				p.closeAll()
				return
			}
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}

func (p *cutProxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// cutAfter takes MinIO down once n more bytes went towards it.
func (p *cutProxy) cutAfter(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.budget = n
}

// heal lets connections through again.
func (p *cutProxy) heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down, p.budget = false, -1
}

// TestLogUploadObjectStoreStops: MinIO goes away in the middle of an upload. The upload fails
// with a clear 503, leaves no row and no object, and a retry once MinIO is back succeeds.
func TestLogUploadObjectStoreStops(t *testing.T) {
	proxy := newCutProxy(t, blobtest.Config(t).Endpoint)
	p := newLogPortal(t, domain.LogLimits{}, proxy.ln.Addr().String())
	rita := p.login(t, "rita")
	issueID := p.newIssue(t, rita, "Storage outage")

	// About 4 MB of varied text, some 600 KB gzipped: MinIO goes down after 64 KB of it.
	var b strings.Builder
	for i := 0; b.Len() < 4<<20; i++ {
		fmt.Fprintf(&b, "%d request %x took %dms from 10.0.%d.%d\n", i, i*7919, i%997, i%250, i%200)
	}
	data := []byte(b.String())
	proxy.cutAfter(64 << 10)
	start := time.Now()
	r := upload(t, rita, issueID, logFile{"big.log", data})
	if r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("upload while MinIO stops: %d %s", r.StatusCode, r.Body)
	}
	var body struct {
		Error struct{ Code, Message string }
	}
	json.Unmarshal([]byte(r.Body), &body)
	if body.Error.Code != domain.EUNAVAILABLE || !strings.Contains(body.Error.Message, "File storage is unavailable") {
		t.Errorf("error %+v", body.Error)
	}
	t.Logf("the failed upload took %v", time.Since(start).Round(time.Millisecond))
	p.wantNothingStored(t)

	proxy.heal()
	l := decodeLog(t, upload(t, rita, issueID, logFile{"big.log", data}))
	if l.SizeBytes != int64(len(data)) {
		t.Errorf("retry stored %d bytes", l.SizeBytes)
	}
	if keys := p.keys(t); len(keys) != 1 || keys[0] != domain.LogObjectKey(issueID, l.ID) {
		t.Errorf("objects %v", keys)
	}
}

// TestLogSweeper: the sweeper with the log store as owner of "logs/" removes a log object
// that no row refers to (an upload that died between object and row) and keeps the others.
func TestLogSweeper(t *testing.T) {
	p := newLogPortal(t, domain.LogLimits{}, "")
	rita := p.login(t, "rita")
	issueID := p.newIssue(t, rita, "Sweep")
	l := decodeLog(t, upload(t, rita, issueID, logFile{"kept.log", []byte("kept\n")}))
	orphan := domain.LogObjectKey(issueID, "0190c0de-0000-7000-8000-0000000000ff")
	if err := p.blobs.Put(context.Background(), orphan, strings.NewReader("x"), 1, "application/gzip"); err != nil {
		t.Fatal(err)
	}
	sw := domain.NewSweeper(p.blobs, time.Hour, map[string]domain.ObjectOwner{"logs/": db.NewLogStore(p.db)})
	sw.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	n, err := sw.Sweep(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("swept %d (%v), want the orphan", n, err)
	}
	if keys := p.keys(t); len(keys) != 1 || keys[0] != domain.LogObjectKey(issueID, l.ID) {
		t.Errorf("left %v", keys)
	}
}

func TestPIIScanAPI(t *testing.T) {
	p := newTestPortal(t)
	c := p.login(t, "vic")
	post := func(body string, ct string) *response {
		return c.do(http.MethodPost, "/api/v1/pii/scan", strings.NewReader(body), http.Header{"Content-Type": {ct}, "X-Csrf-Token": {c.csrf()}})
	}
	r := post("ping 192.0.2.7 for ops@example.com", "text/plain; charset=utf-8")
	var got domain.PIIScan
	if r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &got) != nil {
		t.Fatalf("scan: %d %s", r.StatusCode, r.Body)
	}
	if got.TotalFound != 2 || got.RedactedText != "ping [IPv4] for [Email]" || got.Spans[0].Text != "192.0.2.7" || got.Spans[1].Replacement != "[Email]" {
		t.Errorf("scan %+v", got)
	}
	if r := post(strings.Repeat("a", 32<<10), "text/plain"); r.StatusCode != 200 {
		t.Errorf("32 KiB: %d", r.StatusCode)
	}
	if r := post(strings.Repeat("a", 32<<10+1), "text/plain"); r.StatusCode != http.StatusRequestEntityTooLarge || apiErrorCode(t, r) != domain.ETOOLARGE {
		t.Errorf("over 32 KiB: %d %s", r.StatusCode, r.Body)
	}
	if r := post(`{"text":"x"}`, "application/json"); r.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("JSON body: %d", r.StatusCode)
	}
	if r := post("bad \xff", "text/plain"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("invalid UTF-8: %d", r.StatusCode)
	}
	if r := p.anonymous(t).do(http.MethodPost, "/api/v1/pii/scan", strings.NewReader("x"), http.Header{"Authorization": {"Bearer nope"}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad token: %d", r.StatusCode)
	}
}
