package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tftsr/blob"
	"tftsr/blob/blobtest"
)

// The fault drills: each breaks one thing under a running portal, checks that the requests it
// hits fail with a clear error (the API's error shape, never a hang or a 500), that the portal
// recovers without a restart, and that nothing is left half-stored.

// apiDo sends an API request and returns the status and body; a transport error is returned
// as such, for the drills that expect some.
func (p *portal) apiDo(ctx context.Context, token, method, path, contentType string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, p.URL+path, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// errorShape decodes the API's error body, or says why it is not one.
func errorShape(body []byte) (code, message string, err error) {
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return "", "", fmt.Errorf("not the API's error body: %v: %.200s", err, body)
	}
	if e.Error.Code == "" || e.Error.Message == "" {
		return "", "", fmt.Errorf("an error body without code or message: %.200s", body)
	}
	return e.Error.Code, e.Error.Message, nil
}

// queryInt runs a counting query on the portal's database.
func (p *portal) queryInt(t testing.TB, sql string, args ...any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestDrillChatStreamCut cuts the AI provider's stream mid-reply (the connection closes with no
// final event): the reply keeps its partial text and is stored incomplete with the reason, and
// a retry asks again and completes it.
func TestDrillChatStreamCut(t *testing.T) {
	fake := newFakeOpenAI(t, func(s *openAIStream, n int) {
		if n == 1 {
			s.text("Why 1: the queue ")
			s.text("backed up because")
			conn, _, err := s.w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("hijack: %v", err)
				return
			}
			conn.Close() // mid-stream: no [DONE], no end of the chunked body
			return
		}
		s.text("Why 1: the queue backed up because the consumer crashed.")
		s.done()
	})
	p := startPortal(t)
	token := p.apiToken(t)
	p.useOpenAI(t, token, "cut-fake", fake.URL, nil)
	issue := p.createIssue(t, token, `{"title":"Queue depth alarms","severity":"high","category":"application"}`)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	status, body, err := p.apiDo(ctx, token, http.MethodPost, "/api/v1/issues/"+issue+"/chat", "application/json",
		strings.NewReader(`{"message":"why is the queue so deep?"}`))
	if err != nil {
		t.Fatalf("chat: %v", err)
	}
	var answer struct {
		Reply struct{ ID, Content, Status, Error string }
	}
	if status != http.StatusOK || json.Unmarshal(body, &answer) != nil {
		t.Fatalf("chat: %d %s", status, body)
	}
	if r := answer.Reply; r.Content != "Why 1: the queue backed up because" || r.Status != "incomplete" || r.Error == "" {
		t.Errorf("cut reply: content %q, status %q, error %q; want the partial text, incomplete, with the reason", r.Content, r.Status, r.Error)
	}
	if n := p.queryInt(t, `SELECT count(*) FROM messages WHERE id = $1 AND status = 'incomplete' AND content = 'Why 1: the queue backed up because'`, answer.Reply.ID); n != 1 {
		t.Errorf("stored cut replies: %d, want 1 incomplete with its partial text", n)
	}

	status, body, err = p.apiDo(ctx, token, http.MethodPost, "/api/v1/chat/messages/"+answer.Reply.ID+"/retry", "", nil)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	var retried struct{ ID, Content, Status string }
	if status != http.StatusOK || json.Unmarshal(body, &retried) != nil {
		t.Fatalf("retry: %d %s", status, body)
	}
	if retried.ID != answer.Reply.ID || retried.Status != "complete" || !strings.Contains(retried.Content, "consumer crashed") {
		t.Errorf("retried reply: %+v", retried)
	}
	if n := p.queryInt(t, `SELECT count(*) FROM messages WHERE status = 'streaming'`); n != 0 {
		t.Errorf("%d replies left streaming", n)
	}
	if n := p.queryInt(t, `SELECT count(*) FROM messages WHERE role = 'assistant'`); n != 1 {
		t.Errorf("%d replies stored; the retry replaces the cut one", n)
	}
}

// chromiumBrowsers returns the pids of the Chromium browser processes (not their renderers
// and helpers) whose user data directory is under dir.
func chromiumBrowsers(t testing.TB, dir string) []int {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []int
	for _, path := range procs {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		browser, mine := true, false
		for _, a := range args {
			if strings.HasPrefix(a, "--type=") {
				browser = false
			}
			if strings.HasPrefix(a, "--user-data-dir="+dir) {
				mine = true
			}
		}
		if browser && mine {
			var pid int
			fmt.Sscanf(filepath.Base(filepath.Dir(path)), "%d", &pid)
			pids = append(pids, pid)
		}
	}
	return pids
}

// descendants counts the processes below pid.
func descendants(pid int) int {
	parent := map[int]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after its last ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		var p, pp int
		var state string
		fmt.Sscanf(s[:strings.IndexByte(s, ' ')], "%d", &p)
		if i < 0 {
			continue
		}
		fmt.Sscanf(s[i+1:], " %s %d", &state, &pp)
		parent[p] = pp
	}
	n := 0
	for p := range parent {
		for q := parent[p]; q > 1; q = parent[q] {
			if q == pid {
				n++
				break
			}
		}
	}
	return n
}

// TestDrillChromiumKilled kills the PDF renderer's Chromium while it prints: that export either
// fails clearly (503 in the API's error shape) or is printed by the new browser the renderer
// starts, and the next export works without a portal restart.
func TestDrillChromiumKilled(t *testing.T) {
	requireEnv(t, "TEST_CHROME_PATH")
	// The renderer makes its browser's user data directory in the temporary folder: one of this
	// test's own tells its Chromium from those of other tests.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	p := startPortal(t)
	token := p.apiToken(t)
	issue := p.createIssue(t, token, `{"title":"Payments outage","severity":"critical","category":"application"}`)
	var doc struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/documents", "application/json", strings.NewReader(`{"kind":"rca"}`), &doc)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	export := func(version int) (int, []byte) {
		t.Helper()
		status, body, err := p.apiDo(ctx, token, http.MethodGet, fmt.Sprintf("/api/v1/documents/%s/export?format=pdf&version=%d", doc.ID, version), "", nil)
		if err != nil {
			t.Fatalf("export v%d: %v", version, err)
		}
		return status, body
	}
	if status, body := export(1); status != http.StatusOK || !strings.HasPrefix(string(body), "%PDF-") {
		t.Fatalf("first export: %d %.200s", status, body)
	}
	pids := chromiumBrowsers(t, tmp)
	if len(pids) != 1 {
		t.Fatalf("Chromium browsers of the portal: %v, want one", pids)
	}

	// A new version has no stored PDF yet: its export prints. The browser is killed as soon as
	// the export has asked for its tab. An export that finished before the kill could land
	// (the browser reused a renderer and printed fast) is tried again with the next version.
	type result struct {
		status int
		body   []byte
	}
	var done chan result
	var newTab bool
	version := 1
	for killed := false; !killed; {
		if version++; version > 6 {
			t.Fatal("every export finished before the browser could be killed")
		}
		p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/documents", "application/json", strings.NewReader(`{"kind":"rca"}`), nil)
		done = make(chan result, 1)
		go func(v int) {
			status, body, err := p.apiDo(ctx, token, http.MethodGet, fmt.Sprintf("/api/v1/documents/%s/export?format=pdf&version=%d", doc.ID, v), "", nil)
			if err != nil {
				body = []byte(err.Error())
			}
			done <- result{status, body}
		}(version)
		// A new tab starts a renderer process under the browser. Should none show, the kill
		// still lands on a browser that has an export to print.
		before := descendants(pids[0])
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
		newTab = waitUntil(wctx, func() bool { return descendants(pids[0]) > before })
		wcancel()
		select {
		case r := <-done:
			t.Logf("export v%d finished before the kill (%d): trying the next version", version, r.status)
			continue
		default:
		}
		if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		killed = true
	}
	r := <-done
	t.Logf("the export during the kill (new renderer process seen: %v) answered %d", newTab, r.status)
	switch r.status {
	case http.StatusOK:
		if !strings.HasPrefix(string(r.body), "%PDF-") {
			t.Errorf("export during the kill: 200 without a PDF: %.200s", r.body)
		}
	case http.StatusServiceUnavailable:
		code, msg, err := errorShape(r.body)
		if err != nil || code != "unavailable" || !strings.Contains(msg, "PDF export") {
			t.Errorf("export during the kill: %q %q %v", code, msg, err)
		}
	default:
		t.Errorf("export during the kill: %d %.300s; want the PDF or a clear 503", r.status, r.body)
	}

	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/documents", "application/json", strings.NewReader(`{"kind":"rca"}`), nil)
	if status, body := export(version + 1); status != http.StatusOK || !strings.HasPrefix(string(body), "%PDF-") {
		t.Fatalf("export after the kill: %d %.200s", status, body)
	}
	if pids := chromiumBrowsers(t, tmp); len(pids) != 1 {
		t.Errorf("Chromium browsers after the kill: %v, want the one new browser", pids)
	}
	if n := p.queryInt(t, `SELECT count(*) FROM messages WHERE status = 'streaming'`); n != 0 {
		t.Errorf("%d replies left streaming", n)
	}
}

// TestDrillPostgresRestart restarts the portal's PostgreSQL under traffic: requests fail with a
// 503 in the API's error shape while it is down (none hangs, none is a 500), the pool reconnects
// by itself, and every incident a request was told was created exists.
func TestDrillPostgresRestart(t *testing.T) {
	pg := startPostgres(t)
	s3 := blobtest.Config(t)
	p := startPortalEnv(t, map[string]string{
		"DATABASE_URL":        fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.Port),
		"TFTSR_S3_ENDPOINT":   s3.Endpoint,
		"TFTSR_S3_ACCESS_KEY": s3.AccessKey,
		"TFTSR_S3_SECRET_KEY": s3.SecretKey,
		"TFTSR_S3_BUCKET":     s3.Bucket,
		"TFTSR_DATA_DIR":      t.TempDir(),
	})
	token := p.apiToken(t)

	type outcome struct {
		status int
		body   []byte
		err    error
		id     string
	}
	var mu sync.Mutex
	var outcomes []outcome
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// A request still unanswered after 30 s hangs: the drill fails on it.
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				var o outcome
				if i%2 == 0 {
					o.status, o.body, o.err = p.apiDo(ctx, token, http.MethodPost, "/api/v1/issues", "application/json",
						strings.NewReader(fmt.Sprintf(`{"title":"Drill %d-%d","severity":"low","category":"application"}`, w, i)))
					if o.status == http.StatusCreated {
						var issue struct{ ID string }
						_ = json.Unmarshal(o.body, &issue)
						o.id = issue.ID
					}
				} else {
					o.status, o.body, o.err = p.apiDo(ctx, token, http.MethodGet, "/api/v1/issues?limit=5", "", nil)
				}
				cancel()
				mu.Lock()
				outcomes = append(outcomes, o)
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(outcomes) }
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	waitUntil(ctx, func() bool { return count() >= 20 })
	pg.stop(syscall.SIGINT) // fast shutdown: sessions are ended mid-request
	down := count()
	waitUntil(ctx, func() bool { return count() >= down+20 })
	pg.start()
	up := count()
	// The pool recovers by itself: requests succeed again without a restart.
	recovered := waitUntil(ctx, func() bool {
		mu.Lock()
		defer mu.Unlock()
		ok := 0
		for _, o := range outcomes[up:] {
			if o.status < 300 && o.err == nil {
				ok++
			}
		}
		return ok >= 20
	})
	close(stop)
	wg.Wait()
	if !recovered {
		t.Fatal("requests did not succeed again after PostgreSQL came back")
	}

	failed, ids := 0, []string{}
	for _, o := range outcomes {
		switch {
		case o.err != nil:
			t.Errorf("request failed without an answer: %v", o.err)
		case o.status == http.StatusServiceUnavailable:
			failed++
			if code, _, err := errorShape(o.body); err != nil || code != "unavailable" {
				t.Errorf("503 with code %q: %v", code, err)
			}
		case o.status >= 300:
			t.Errorf("answer %d while PostgreSQL restarted: %.300s", o.status, o.body)
		case o.id != "":
			ids = append(ids, o.id)
		}
	}
	if failed == 0 {
		t.Errorf("no request failed while PostgreSQL was down (%d requests)", len(outcomes))
	}
	t.Logf("%d requests: %d answered 503 while PostgreSQL was down, %d incidents created", len(outcomes), failed, len(ids))
	if t.Failed() {
		t.Logf("portal log:\n%s", p.stderr.String())
	}
	if n := p.queryInt(t, `SELECT count(*) FROM issues WHERE id = ANY($1)`, ids); n != len(ids) {
		t.Errorf("%d of the %d incidents reported created exist", n, len(ids))
	}
	if n := p.queryInt(t, `SELECT count(*) FROM issues`); n != len(ids) {
		t.Errorf("%d incidents stored, %d reported created", n, len(ids))
	}
}

// uploadLog streams a generated log of size bytes to the incident as a multipart upload, calls
// at (when not nil) once after atBytes of it were sent, and returns the answer.
func (p *portal) uploadLog(ctx context.Context, token, issue, name string, size, atBytes int64, at func()) (int, []byte, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", name)
		if err == nil {
			var src io.Reader = &genLog{left: size}
			if at != nil {
				src = io.MultiReader(io.LimitReader(src, atBytes), &callReader{fn: at}, src)
			}
			_, err = io.Copy(part, src)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return p.apiDo(ctx, token, http.MethodPost, "/api/v1/issues/"+issue+"/logs", mw.FormDataContentType(), pr)
}

// callReader calls fn on its first Read and then reads as empty.
type callReader struct {
	fn   func()
	done bool
}

func (c *callReader) Read([]byte) (int, error) {
	if !c.done {
		c.done = true
		c.fn()
	}
	return 0, io.EOF
}

// zipOf returns a zip archive (stored, not compressed) holding one log of size bytes.
func zipOf(t testing.TB, name string, size int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err == nil {
		_, err = io.Copy(w, &genLog{left: size})
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadFile sends one file as a multipart log upload.
func (p *portal) uploadFile(ctx context.Context, token, issue, name string, content []byte) (int, []byte, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, _ := mw.CreateFormFile("file", name)
	part.Write(content)
	mw.Close()
	return p.apiDo(ctx, token, http.MethodPost, "/api/v1/issues/"+issue+"/logs", mw.FormDataContentType(), &buf)
}

// TestDrillSpoolDiskFull fills the disk that zip uploads are spooled to (a 1 MB tmpfs): the
// upload of a larger archive fails with 507 and a clear message, and nothing of it is kept (no
// row, no object, no spool file). A small archive then uploads as usual.
func TestDrillSpoolDiskFull(t *testing.T) {
	spool := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", spool).CombinedOutput(); err != nil {
		// Only root (or a user namespace) may mount a small filesystem to fill.
		t.Skipf("cannot mount a 1 MB tmpfs to fill (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", spool).Run() })
	p := startPortal(t)
	token := p.apiToken(t)
	issue := p.createIssue(t, token, `{"title":"Nightly export failed","severity":"low","category":"application"}`)
	// Uploaded archives are spooled to the temporary folder.
	t.Setenv("TMPDIR", spool)
	store, err := blob.Open(blob.Config{Endpoint: p.env["TFTSR_S3_ENDPOINT"], AccessKey: p.env["TFTSR_S3_ACCESS_KEY"],
		SecretKey: p.env["TFTSR_S3_SECRET_KEY"], Bucket: p.env["TFTSR_S3_BUCKET"]})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	leftovers := func() (objects []string, spooled []string) {
		t.Helper()
		if err := store.List(ctx, "logs/", time.Time{}, func(k string) error { objects = append(objects, k); return nil }); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(spool)
		for _, e := range entries {
			spooled = append(spooled, e.Name())
		}
		return objects, spooled
	}

	status, body, err := p.uploadFile(ctx, token, issue, "exports.zip", zipOf(t, "export.log", 3<<20))
	if err != nil {
		t.Fatal(err)
	}
	code, msg, shapeErr := errorShape(body)
	if status != http.StatusInsufficientStorage || shapeErr != nil || code != "insufficient_storage" || !strings.Contains(msg, "nothing was stored") {
		t.Errorf("archive larger than the spool's disk: %d %q %q %v; want 507 saying nothing was stored", status, code, msg, shapeErr)
	}
	if n := p.queryInt(t, `SELECT count(*) FROM log_files`); n != 0 {
		t.Errorf("%d log rows after the failed upload", n)
	}
	if objects, spooled := leftovers(); len(objects) != 0 || len(spooled) != 0 {
		t.Errorf("after the failed upload: objects %v, spool files %v", objects, spooled)
	}

	status, body, err = p.uploadFile(ctx, token, issue, "small.zip", zipOf(t, "small.log", 100<<10))
	if err != nil || status != http.StatusCreated {
		t.Fatalf("small archive: %d %.300s %v", status, body, err)
	}
	objects, spooled := leftovers()
	if n := p.queryInt(t, `SELECT count(*) FROM log_files WHERE object_key = ANY($1)`, objects); n != 1 || len(objects) != 1 || len(spooled) != 0 {
		t.Errorf("after the small archive: objects %v with %d rows, spool files %v", objects, n, spooled)
	}
}

// sseEvent is one event a drill's client read from a stream.
type sseEvent struct{ name, data string }

// readSSE sends events read from r on the channel, and closes it at the end of the stream.
func readSSE(r io.Reader, events chan<- sseEvent) {
	defer close(events)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.name != "" || ev.data != "" {
				events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, "event:"):
			ev.name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			ev.data += strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " ")
		}
	}
}

// TestDrillSIGTERM stops serve as a SIGTERM does while a log upload is in flight and a chat
// reply streams to an SSE client: the upload finishes and is stored, the SSE client gets the
// reply's final event (stored incomplete with its partial text) before its stream ends, serve
// returns without cutting requests off at the end of its wait, and no reply is left streaming.
func TestDrillSIGTERM(t *testing.T) {
	fake := newFakeOpenAI(t, func(s *openAIStream, n int) {
		s.text("Why 1: the disk ")
		<-s.r.Context().Done() // the rest never comes: the portal hangs up when it stops
	})
	p := startPortal(t)
	token := p.apiToken(t)
	p.useOpenAI(t, token, "slow-fake", fake.URL, nil)
	issue := p.createIssue(t, token, `{"title":"Disk alarms on db03","severity":"high","category":"linux"}`)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The SSE client: a reply that is still being written when serve stops.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/api/v1/issues/"+issue+"/chat",
		strings.NewReader(`{"message":"why does db03 alarm?"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := make(chan sseEvent, 64)
	go readSSE(resp.Body, events)
	if ev := <-events; ev.name != "token" {
		t.Fatalf("first event %+v, want a token", ev)
	}

	// The upload in flight: its body stops halfway until serve has begun to stop. Halfway is
	// 8 MB, more than the client's socket buffers can hold (4 MB at most here) with the server's
	// unread receive buffer (128 KB until the server reads), so by then the server is reading the
	// request. At 2 MB it might not have parsed the request yet: the upload went out on a kept
	// -alive connection that the server still counted as idle, and the shutdown closed it.
	halfway, release := make(chan struct{}), make(chan struct{})
	type result struct {
		status int
		body   []byte
		err    error
	}
	uploaded := make(chan result, 1)
	go func() {
		status, body, err := p.uploadLog(ctx, token, issue, "syslog", 16<<20, 8<<20, func() { close(halfway); <-release })
		uploaded <- result{status, body, err}
	}()
	<-halfway // 8 MB of the upload were sent, so it is in flight

	stopped := make(chan error, 1)
	go func() { stopped <- p.stop() }()
	// Serve stops listening first; the requests in flight go on.
	host := strings.TrimPrefix(p.URL, "http://")
	waitUntil(ctx, func() bool {
		c, err := net.Dial("tcp", host)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	close(release)

	var final *sseEvent
	for ev := range events {
		if ev.name != "token" {
			final = &ev
		}
	}
	if final == nil || final.name != "done" {
		t.Errorf("SSE client's last event %+v, want done", final)
	} else {
		var r struct {
			Reply struct{ Content, Status string }
		}
		if err := json.Unmarshal([]byte(final.data), &r); err != nil || r.Reply.Status != "incomplete" || r.Reply.Content != "Why 1: the disk " {
			t.Errorf("final event's reply %+v (%v), want incomplete with the partial text", r.Reply, err)
		}
	}
	if r := <-uploaded; r.err != nil || r.status != http.StatusCreated {
		t.Errorf("upload in flight at the stop: %d %.300s %v; want it stored", r.status, r.body, r.err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve: %v", err)
	}
	if log := p.stderr.String(); strings.Contains(log, "shutdown wait ended") {
		t.Errorf("serve cut requests off at the end of its wait:\n%s", log)
	}
	if n := p.queryInt(t, `SELECT count(*) FROM messages WHERE status = 'streaming'`); n != 0 {
		t.Errorf("%d replies left streaming", n)
	}
	if n := p.queryInt(t, `SELECT count(*) FROM messages WHERE role = 'assistant' AND status = 'incomplete' AND content = 'Why 1: the disk '`); n != 1 {
		t.Errorf("%d replies stored incomplete with their partial text, want 1", n)
	}
	store, err := blob.Open(blob.Config{Endpoint: p.env["TFTSR_S3_ENDPOINT"], AccessKey: p.env["TFTSR_S3_ACCESS_KEY"],
		SecretKey: p.env["TFTSR_S3_SECRET_KEY"], Bucket: p.env["TFTSR_S3_BUCKET"]})
	if err != nil {
		t.Fatal(err)
	}
	var objects []string
	if err := store.List(ctx, "logs/", time.Time{}, func(k string) error { objects = append(objects, k); return nil }); err != nil {
		t.Fatal(err)
	}
	if n := p.queryInt(t, `SELECT count(*) FROM log_files WHERE object_key = ANY($1)`, objects); n != 1 || len(objects) != 1 {
		t.Errorf("objects %v with %d log rows naming them, want the upload's one of each", objects, n)
	}
}
